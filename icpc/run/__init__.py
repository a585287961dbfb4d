"""Runs: one client's full diagnostic, and many clients (batch), locally or on a Dask cluster.

:func:`run_client` (``icpc run``) loads the client once, executes the notebook, renders the
PDF and writes every output atomically (:mod:`.runner`, with :mod:`.kernel`, the outputs'
names, folder and publication of :mod:`.outputs`, and the failure report of
:mod:`.failure`). :func:`run_batch` (``icpc batch``) runs many clients, one failure never
stopping the others, through one of the :data:`BACKENDS` (local worker processes, or a
Dask cluster).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from icpc.run.backends import BACKENDS
    from icpc.run.batch import expand_configs, run_batch
    from icpc.run.failure import failure_section
    from icpc.run.outcome import BatchSummary, ClientOutcome, run_one
    from icpc.run.runner import RunResult, notebook_parameters, output_dir, run_client

#: where each public name lives: imported on first use, so that ``icpc run`` can start
#: the notebook's kernel (:mod:`icpc.run.kernel`) before pandas and the config are imported
_HOMES = {
    "BACKENDS": "backends",
    "expand_configs": "batch",
    "run_batch": "batch",
    "failure_section": "failure",
    "BatchSummary": "outcome",
    "ClientOutcome": "outcome",
    "run_one": "outcome",
    "RunResult": "runner",
    "notebook_parameters": "runner",
    "output_dir": "runner",
    "run_client": "runner",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"icpc.run.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'icpc.run' has no attribute {name!r}")


__all__ = [
    "run_client",
    "RunResult",
    "notebook_parameters",
    "output_dir",
    "failure_section",
    "run_batch",
    "run_one",
    "expand_configs",
    "BatchSummary",
    "ClientOutcome",
    "BACKENDS",
]
