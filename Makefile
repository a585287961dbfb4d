# icpc — the commercial diagnostic kit.
# `make demo` and `make test` work on a fresh machine: they create .venv/ and install
# everything the kit needs at the versions of requirements.lock (the dependencies of
# pyproject.toml with the dev and lab extras: test tools, JupyterLab), then check the
# system libraries. `make lock` refreshes the lock from pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   ?= requirements.lock
# the extras of pyproject.toml that the lock (so make install) holds
EXTRAS := dev,lab
DEMO   := data_samples/demo/client.yaml
BENCH_DIR ?= .bench

.PHONY: help install lock syscheck demo test test-fast lint bench sample clean

help:
	@echo "make install - .venv/ with every package of $(LOCK) (JupyterLab included) and the kit"
	@echo "make demo    - install, then produce the demo client's full diagnostic in reports/"
	@echo "make test    - install, then run the whole test suite"
	@echo "make lint    - ruff (lint and format) + mypy"
	@echo "make lock    - refresh $(LOCK) from pyproject.toml in a fresh temporary venv"
	@echo "make bench   - benchmarks (8-million-line files are generated once in $(BENCH_DIR)/)"

# Every package at its locked version (a changed lock or pyproject.toml reinstalls), then
# the kit itself without resolving anything again. pip check stops a lock that no longer
# gives what pyproject.toml asks for. Packages the lock does not list on this platform
# (macOS or Windows-only dependencies) are resolved by pip; every listed one stays pinned.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "$(LOCK) does not give what pyproject.toml asks for: run make lock" >&2; exit 1; }
	@touch $@

# The newest versions pyproject.toml allows, resolved in a fresh temporary venv (nothing of
# .venv/ leaks in), frozen into $(LOCK). Then `make test` installs and tests exactly them:
# commit the lock when it passes.
lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "resolving pyproject.toml [$(EXTRAS)] in a fresh venv ($$tmp)"; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip; \
	"$$tmp/venv/bin/python" -m pip install --quiet -e '.[$(EXTRAS)]'; \
	py=$$("$$tmp/venv/bin/python" -c 'import platform as p; print("Python", p.python_version(), "on", p.system(), p.machine())'); \
	{ echo "# $(LOCK): every package make install installs, pinned. Generated: do not edit, run make lock."; \
	  echo "# Made by make lock on $$(date -u +%F) with $$py: a fresh venv,"; \
	  echo "# pip install -e '.[$(EXTRAS)]', then pip freeze --exclude-editable (the project left out)."; \
	  "$$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -viE '^icpc( |==|@)'; } > "$$tmp/lock"; \
	if grep -vE '^(#|[A-Za-z0-9][A-Za-z0-9._-]*==[^ ]+$$)' "$$tmp/lock"; then \
	  echo "make lock: the lines above are not name==version; $(LOCK) left as it was" >&2; exit 1; fi; \
	mv "$$tmp/lock" $(LOCK)
	@echo "$(LOCK) refreshed: review git diff $(LOCK), run make test, then commit it"

# pip compiled every installed package to bytecode, but not the project (editable): on a
# machine that sets PYTHONDONTWRITEBYTECODE (CI images often do) every icpc process would
# compile the package again, ~0.4 s each, twice per icpc run (the command and the kernel).
# Compiled at each install: only the modules changed since are compiled again.
install: $(STAMP) syscheck
	@$(BIN)/python -m compileall -q icpc

# WeasyPrint renders the PDF through Pango; check it loads before anything else runs.
syscheck: $(STAMP)
	@$(BIN)/python -m icpc.syscheck

demo: install
	$(BIN)/icpc run $(DEMO) --force  # the demo is made again each time: it replaces its own report

test: install
	MPLBACKEND=Agg $(BIN)/python -m pytest -q

test-fast: install
	MPLBACKEND=Agg $(BIN)/python -m pytest -q -m "not slow and not notebook"

lint: install
	$(BIN)/ruff check icpc tests benchmarks
	$(BIN)/ruff format --check icpc tests benchmarks
	$(BIN)/mypy icpc

bench: install
	MPLBACKEND=Agg $(BIN)/python benchmarks/bench.py --dir $(BENCH_DIR)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(BENCH_DIR)
