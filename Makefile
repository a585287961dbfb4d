# icpc — the commercial diagnostic kit.
# `make demo` and `make test` work on a fresh machine: they create .venv/ and install
# everything the kit needs from pyproject.toml, then check the system libraries.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data_samples/demo/client.yaml
BENCH_DIR ?= .bench

.PHONY: help install syscheck demo test test-fast lint bench sample clean

help:
	@echo "make demo   - install, then produce the demo client's full diagnostic in reports/"
	@echo "make test   - install, then run the whole test suite"
	@echo "make lint   - ruff + mypy"
	@echo "make bench  - benchmarks (8-million-line files are generated once in $(BENCH_DIR)/)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP) syscheck

# WeasyPrint renders the PDF through Pango; check it loads before anything else runs.
syscheck: $(STAMP)
	@$(BIN)/python -m icpc.syscheck

demo: install
	$(BIN)/icpc run $(DEMO)

test: install
	MPLBACKEND=Agg $(BIN)/python -m pytest -q

test-fast: install
	MPLBACKEND=Agg $(BIN)/python -m pytest -q -m "not slow and not notebook"

lint: install
	$(BIN)/ruff check icpc tests benchmarks
	$(BIN)/mypy icpc

bench: install
	MPLBACKEND=Agg $(BIN)/python benchmarks/bench.py --dir $(BENCH_DIR)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(BENCH_DIR)
