"""Concurrency is the caller's choice: ``Diagnostic.background`` computes analyses on a
worker while the caller builds outputs; the exports themselves are sequential."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from test_diagnostic import make_diag

from icpc.analysis import warning
from icpc.diagnostic import Diagnostic

EXPORT = Path(__file__).resolve().parents[1] / "icpc" / "export"


def test_background_gives_the_same_outputs_as_sequential():
    sequential = make_diag()
    expected = (sequential.kpis_json(), sequential.customers_table())
    diag = make_diag()
    with diag.background("early_warning", "anomalies", inputs=("documents", "attribution")):
        got = (diag.kpis_json(), diag.customers_table())
    assert got[0] == expected[0]
    assert got[1].equals(expected[1])
    assert "_pending" not in diag.__dict__ or not diag.__dict__["_pending"]


def test_an_analysis_read_while_the_worker_computes_it_is_computed_once(monkeypatch):
    calls: list[str] = []
    original = warning._early_warning  # the Diagnostic's call (its rules)

    def slow(*args, **kwargs):
        calls.append(threading.current_thread().name)
        time.sleep(0.2)  # the caller reads it meanwhile
        return original(*args, **kwargs)

    monkeypatch.setattr(warning, "_early_warning", slow)
    diag = make_diag()
    with diag.background("early_warning", inputs=("documents", "attribution")):
        value = diag.early_warning  # waits for the worker, does not compute it again
    assert len(calls) == 1 and calls[0].startswith("icpc-analysis")
    assert value is diag.early_warning


def test_the_worker_computes_what_its_own_analysis_needs_without_waiting_for_itself():
    diag = make_diag()
    # customers_table needs anomalies, scheduled after it on the same worker: no deadlock
    with diag.background("segment_profiles", "anomalies"):
        pass
    assert {"segment_profiles", "anomalies"} <= set(diag.__dict__)


def test_an_error_on_the_worker_is_raised_when_the_block_ends(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(warning, "_early_warning", broken)
    diag = make_diag()
    with pytest.raises(RuntimeError, match="planted"):
        with diag.background("early_warning"):
            _ = diag.table  # the caller’s own work goes on
    assert not diag.__dict__.get("_pending")


def test_analyses_already_computed_are_not_started_again(monkeypatch):
    diag = make_diag()
    _ = diag.early_warning
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    with diag.background("early_warning"):
        pass
    assert started == []


def test_exports_do_not_schedule_threads():
    for path in EXPORT.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "ThreadPoolExecutor" not in text and "threading" not in text, path.name


def test_a_subclass_with_plain_cached_properties_still_works():
    from functools import cached_property

    class Mine(Diagnostic):
        @cached_property
        def extra(self) -> int:
            return len(self.table)

    diag = Mine.from_frames(
        make_diag().config, make_diag().dataset.transactions, as_of="2024-12-31"
    )
    with diag.background("early_warning"):
        assert diag.extra == len(diag.table)
