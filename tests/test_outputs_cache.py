"""What ``icpc kpis`` keeps beside its cleaned dataset: the next ``icpc kpis`` on the same
files and config prints the same bytes without loading or computing; anything that can shape
a figure (a file, any config field, ``as_of``) computes again; a damaged kept file is a
miss; the switches and the size limit treat the kept files as part of their entry.

Each test has its own empty cache folder (``ICPC_CACHE_DIR``, tests/conftest.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_cache import _write_client as write_cache_client

import icpc.cleaning.dataset as dataset_mod
from icpc import cli
from icpc.cleaning import cache
from icpc.config import load_config
from icpc.diagnostic import Diagnostic
from icpc.export import outputs_cache


def _write_client(
    folder: Path, *, as_of: str = "2024-12-31", language: str = "fr", lost: int = 365
) -> Path:
    """tests/test_cache.py's client (invoices, customer master, activity log), with the
    settings these tests change."""
    path = write_cache_client(folder)
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("as_of: 2024-12-31", f"as_of: {as_of}"),
        ("language: fr", f"language: {language}"),
        ("lost_after_days: 365", f"lost_after_days: {lost}"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def client_yaml(tmp_path: Path) -> Path:
    return _write_client(tmp_path / "alpha")


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was really done: ``load`` (files read and cleaned), ``kpis`` (indicators
    computed), ``customers`` (customers.csv written from a Diagnostic)."""
    seen: list[str] = []
    load, kpis, write = (
        dataset_mod._load_dataset,
        Diagnostic.kpis_json,
        Diagnostic.write_customers_csv,
    )

    def counting_load(config: Any, worker: Any) -> Any:
        seen.append("load")
        return load(config, worker)

    def counting_kpis(self: Diagnostic) -> Any:
        seen.append("kpis")
        return kpis(self)

    def counting_write(self: Diagnostic, path: Any) -> None:
        seen.append("customers")
        write(self, path)

    monkeypatch.setattr(dataset_mod, "_load_dataset", counting_load)
    monkeypatch.setattr(Diagnostic, "kpis_json", counting_kpis)
    monkeypatch.setattr(Diagnostic, "write_customers_csv", counting_write)
    return seen


def _kpis(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    """``icpc kpis ARGS``: its stdout and stderr."""
    capsys.readouterr()
    assert cli.main(["kpis", *args]) == 0
    got = capsys.readouterr()
    return got.out, got.err


def _kept_files() -> list[Path]:
    root = cache.cache_dir() / "datasets"
    return sorted(p for p in root.rglob("*") if p.name.startswith(("kpis-", "customers-")))


# ------------------------------------------------------------------ the hit
def test_the_second_kpis_prints_the_same_bytes_without_loading_or_computing(
    client_yaml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    fresh, _ = _kpis(capsys, str(client_yaml), "--json", "--no-cache")
    csv0 = tmp_path / "fresh.csv"
    _kpis(capsys, str(client_yaml), "--json", "--no-cache", "--customers-csv", str(csv0))
    assert computed == ["load", "kpis", "load", "kpis", "customers"]
    assert _kept_files() == []  # --no-cache keeps nothing
    computed.clear()

    first, _ = _kpis(capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "1.csv"))
    assert computed == ["load", "kpis", "customers"]
    second, _ = _kpis(
        capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "2.csv")
    )
    third, _ = _kpis(capsys, str(client_yaml), "--json")  # customers.csv not asked: still a hit
    assert computed == ["load", "kpis", "customers"]
    assert fresh == first == second == third
    assert (
        (tmp_path / "2.csv").read_bytes() == (tmp_path / "1.csv").read_bytes() == csv0.read_bytes()
    )
    names = [p.name for p in _kept_files()]
    assert len(names) == 2 and all(
        re.fullmatch(r"(kpis|customers)-[0-9a-f]{32}\.(json|csv)", n) for n in names
    )


def test_the_console_summary_from_kept_outputs_is_the_same(
    client_yaml: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    fresh, _ = _kpis(capsys, str(client_yaml), "--no-cache")
    _kpis(capsys, str(client_yaml))
    kept, _ = _kpis(capsys, str(client_yaml))
    assert computed.count("kpis") == 2 and kept == fresh and "EUR" in fresh


def test_customers_csv_asked_after_a_kpis_without_it_is_computed_then_kept(
    client_yaml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    plain, _ = _kpis(capsys, str(client_yaml), "--json")
    with_csv, _ = _kpis(
        capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "a.csv")
    )
    assert computed == ["load", "kpis", "kpis", "customers"]  # the dataset was kept
    _kpis(capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "b.csv"))
    assert computed.count("kpis") == 2 and plain == with_csv
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_the_warning_is_printed_again_with_kept_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], computed: list[str]
) -> None:
    config = _write_client(tmp_path / "late", as_of="2025-09-30")  # a year past the data
    out1, err1 = _kpis(capsys, str(config), "--json")
    out2, err2 = _kpis(capsys, str(config), "--json")
    assert computed.count("kpis") == 1
    assert "the data ends on 2024-07-10" in err1 and err2 == err1 and out2 == out1


# ------------------------------------------------------------------ what misses
@pytest.mark.parametrize(
    "change",
    ["threshold", "language", "as_of-in-config", "as_of-on-the-command-line", "an-input-file"],
)
def test_whatever_can_shape_a_figure_computes_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], computed: list[str], change: str
) -> None:
    config = _write_client(tmp_path / "alpha")
    _kpis(capsys, str(config), "--json")
    args = [str(config), "--json"]
    if change == "threshold":
        _write_client(tmp_path / "alpha", lost=200)
    elif change == "language":
        _write_client(tmp_path / "alpha", language="en")
    elif change == "as_of-in-config":
        _write_client(tmp_path / "alpha", as_of="2024-10-31")
    elif change == "as_of-on-the-command-line":
        args += ["--as-of", "2024-10-31"]
    else:
        factures = tmp_path / "alpha" / "factures.csv"
        factures.write_bytes(factures.read_bytes().replace(b"310,00", b"310,50"))
    computed.clear()
    got, _ = _kpis(capsys, *args)
    assert computed == ["kpis"] or computed == ["load", "kpis"]
    fresh, _ = _kpis(capsys, *args, "--no-cache")
    assert got == fresh
    computed.clear()
    again, _ = _kpis(capsys, *args)
    assert computed == [] and again == fresh  # the new outputs are kept in their turn


def _changed(value: Any) -> Any:
    """Another value of the same kind (None when this test cannot make one)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    if isinstance(value, Path):
        return value.with_name(value.name + "x")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            inner = _changed(getattr(value, f.name))
            if inner is not None:
                return dataclasses.replace(value, **{f.name: inner})
    return None


def test_the_key_covers_every_config_field(client_yaml: Path) -> None:
    config = load_config(client_yaml)
    entry = Path("entry-key")
    base = outputs_cache.outputs_key(entry, config)
    assert outputs_cache.outputs_key(entry, load_config(client_yaml)) == base  # stable
    assert outputs_cache.outputs_key(Path("other-entry"), config) != base
    tried = []
    for f in dataclasses.fields(config):
        other = _changed(getattr(config, f.name))
        if other is None:
            continue
        changed = dataclasses.replace(config, **{f.name: other})
        assert outputs_cache.outputs_key(entry, changed) != base, f.name
        tried.append(f.name)
    # every field of a kind this test can change: thresholds, branding, objectives, files…
    assert {"client", "language", "as_of", "thresholds", "transactions", "period_months"} <= set(
        tried
    )


@pytest.mark.parametrize(
    "damage", ["truncated", "not-json", "other-version", "csv-edited", "csv-gone"]
)
def test_a_damaged_kept_file_is_a_miss_and_is_replaced(
    client_yaml: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
    damage: str,
) -> None:
    out1, _ = _kpis(capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "1.csv"))
    (kept_csv, kept_json) = _kept_files()
    if damage == "truncated":
        kept_json.write_bytes(kept_json.read_bytes()[:200])
    elif damage == "not-json":
        kept_json.write_bytes(b"\x00\xff garbage")
    elif damage == "other-version":
        document = json.loads(kept_json.read_text(encoding="utf-8"))
        kept_json.write_text(json.dumps({**document, "version": -1}), encoding="utf-8")
    elif damage == "csv-edited":
        kept_csv.write_bytes(kept_csv.read_bytes().replace(b"0042", b"0099"))
    else:
        kept_csv.unlink()
    computed.clear()
    out2, _ = _kpis(capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "2.csv"))
    assert computed == ["kpis", "customers"]  # the dataset is still kept: no load
    assert out2 == out1 and (tmp_path / "2.csv").read_bytes() == (tmp_path / "1.csv").read_bytes()
    computed.clear()
    _kpis(capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "3.csv"))
    assert computed == [] and (tmp_path / "3.csv").read_bytes() == (tmp_path / "1.csv").read_bytes()


# ------------------------------------------------------------------ switches and limits
def test_icpc_no_cache_neither_reads_nor_keeps(
    client_yaml: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _kpis(capsys, str(client_yaml), "--json")
    monkeypatch.setenv("ICPC_NO_CACHE", "1")
    computed.clear()
    _kpis(capsys, str(client_yaml), "--json")
    _kpis(capsys, str(client_yaml), "--json", "--as-of", "2024-09-30")
    assert computed == ["load", "kpis", "load", "kpis"] and len(_kept_files()) == 1


def test_kept_files_count_in_the_size_and_go_with_clear(
    client_yaml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", str(client_yaml), "--json"]) == 0
    before = cache.usage().bytes
    _kpis(capsys, str(client_yaml), "--json")
    kept = sum(p.stat().st_size for p in _kept_files())
    assert kept > 0 and cache.usage().bytes == before + kept
    assert cli.main(["cache", "clear", str(client_yaml)]) == 0
    assert _kept_files() == []


def test_a_cache_that_cannot_keep_them_warns_and_goes_on(
    client_yaml: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs_cache, "atomic_write_text", failing)
    fresh, _ = _kpis(capsys, str(client_yaml), "--json", "--no-cache")
    got, _ = _kpis(capsys, str(client_yaml), "--json")
    assert got == fresh and _kept_files() == []
    assert any("could not be kept in the cache" in r.getMessage() for r in caplog.records)


def test_the_demo_kept_outputs_equal_a_fresh_run(
    demo_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh, _ = _kpis(
        capsys, str(demo_config), "--json", "--no-cache", "--customers-csv", str(tmp_path / "0.csv")
    )
    _kpis(capsys, str(demo_config), "--json", "--customers-csv", str(tmp_path / "1.csv"))
    kept = outputs_cache.lookup(load_config(demo_config), customers=True)
    assert kept is not None and kept.customers is not None
    got, _ = _kpis(capsys, str(demo_config), "--json", "--customers-csv", str(tmp_path / "2.csv"))
    assert got == fresh and json.loads(got) == kept.kpis
    assert (tmp_path / "2.csv").read_bytes() == (tmp_path / "0.csv").read_bytes()


def test_concurrent_commands_all_print_the_fresh_document(
    client_yaml: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "ICPC_CACHE_DIR": str(cache.cache_dir())}
    command = [sys.executable, "-m", "icpc.cli", "kpis", str(client_yaml), "--json"]
    fresh = subprocess.run(
        [*command, "--no-cache"], env=env, capture_output=True, check=True
    ).stdout
    for _ in range(2):  # the first round stores (three writers at once), the second reads
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE) for _ in range(3)]
        outs = [r.communicate()[0] for r in runs]
        assert [r.returncode for r in runs] == [0, 0, 0] and outs == [fresh] * 3
    assert len(_kept_files()) == 1
    leftovers = [p for p in (cache.cache_dir() / "datasets").rglob(".*") if p.is_file()]
    assert leftovers == []


def test_the_size_limit_counts_the_kept_files(
    client_yaml: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli.main(["validate", str(client_yaml), "--json"]) == 0
    (entry,) = [
        e for e in (cache.cache_dir() / "datasets").glob("*/*") if not e.name.startswith(".")
    ]
    dataset_bytes = cache.usage().bytes
    # room for the dataset alone: keeping the outputs puts the entry over the limit, and it goes
    monkeypatch.setenv("ICPC_CACHE_MAX_BYTES", str(dataset_bytes + 10))
    out, _ = _kpis(capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "a.csv"))
    assert not entry.exists() and cache.usage().bytes == 0
    monkeypatch.setenv("ICPC_CACHE_MAX_BYTES", "1G")
    again, _ = _kpis(capsys, str(client_yaml), "--json")
    assert again == out and entry.exists() and len(_kept_files()) == 1


def test_a_bad_size_limit_stops_the_command_even_when_outputs_are_kept(
    client_yaml: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _kpis(capsys, str(client_yaml), "--json")
    monkeypatch.setenv("ICPC_CACHE_MAX_BYTES", "lots")
    assert cli.main(["kpis", str(client_yaml), "--json"]) == 2
    err = capsys.readouterr().err
    assert "ICPC_CACHE_MAX_BYTES='lots' is not a size" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("kept", [False, True], ids=["computing", "kept"])
@pytest.mark.parametrize("target", ["a-folder", "under-a-file"])
def test_an_unwritable_customers_csv_says_so_in_one_line_before_any_work(
    client_yaml: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    computed: list[str],
    kept: bool,
    target: str,
) -> None:
    if kept:
        _kpis(capsys, str(client_yaml), "--json", "--customers-csv", str(tmp_path / "ok.csv"))
    computed.clear()
    (tmp_path / "plain.txt").write_text("x", encoding="utf-8")
    path = tmp_path if target == "a-folder" else tmp_path / "plain.txt" / "customers.csv"
    capsys.readouterr()
    assert cli.main(["kpis", str(client_yaml), "--json", "--customers-csv", str(path)]) == 2
    got = capsys.readouterr()
    assert got.out == "" and computed == []  # refused before loading or computing
    (line,) = got.err.strip().splitlines()
    assert line.startswith(f"icpc: --customers-csv {path}: cannot write the file (")
    assert line.endswith("give a file path in a folder you can write to")
