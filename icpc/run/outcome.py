"""One client of a batch: its outcome (done, skipped, failed, cancelled) and how it is run."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from icpc.exceptions import IcpcError, RunError

__all__ = ["Status", "ClientOutcome", "BatchSummary", "run_one"]


Status = Literal["done", "skipped", "failed", "cancelled"]


@dataclass(frozen=True)
class ClientOutcome:
    """What happened to one client of a batch (résultat par client).

    ``status`` is ``done``, ``skipped`` (up to date), ``failed`` or ``cancelled``
    (interrupted). ``error`` is the one-line reason of a failure; ``detail`` its traceback
    when it was not a user-fixable :class:`~icpc.exceptions.IcpcError`.
    """

    config: Path
    slug: str | None
    status: Status
    out_dir: Path | None = None
    seconds: float = 0.0
    error: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of a batch (bilan): one :class:`ClientOutcome` per client, in input order."""

    results: list[ClientOutcome]
    failed: int
    skipped: int
    done: int
    cancelled: int = 0
    seconds: float = 0.0
    interrupted: bool = field(default=False)


def _one_line(exc: BaseException) -> str:
    """The one-line reason of a failure: the IcpcError/RunError message, else ``ename: evalue``."""
    if isinstance(exc, (IcpcError, RunError)):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines) if len(lines) <= 3 else lines[0]


def run_one(
    config_path: str | Path,
    out: str | Path | None = None,
    force: bool = False,
    runner: Callable[..., Any] | None = None,
) -> ClientOutcome:
    """Run one client unless it is up to date; never raise for a client's failure.

    This is the task a local worker process or a Dask worker executes.

    Parameters
    ----------
    config_path : str or Path
        The client's YAML config.
    out : str or Path, optional
        Folder holding the client folders (``reports/`` by default).
    force : bool
        Run even when an up-to-date run exists.
    runner : callable, optional
        ``runner(config_path, out=...) -> RunResult``; default :func:`icpc.run.runner.run_client`.

    Returns
    -------
    ClientOutcome
        ``done`` with the run folder, ``skipped`` with the up-to-date folder, or ``failed``
        with the one-line reason (``IcpcError`` message, else ``ename: evalue``).
    """
    from icpc.config import load_config
    from icpc.export.manifest import find_up_to_date

    start = time.perf_counter()
    path = Path(config_path)
    slug: str | None = None
    try:
        config = load_config(path)
        slug = config.slug
        if not force:
            previous = find_up_to_date(config, out)
            if previous is not None:
                return ClientOutcome(path, slug, "skipped", previous, time.perf_counter() - start)
        if runner is None:
            from functools import partial

            from icpc.run.runner import run_client

            # asked to redo: the run may replace the earlier one of the same as_of
            runner = partial(run_client, force=force)
        result = runner(path, out=out)
        return ClientOutcome(path, slug, "done", Path(result.out_dir), time.perf_counter() - start)
    except Exception as exc:  # one client's failure must not stop the batch
        detail = None if isinstance(exc, IcpcError) else traceback.format_exc()
        return ClientOutcome(
            path, slug, "failed", None, time.perf_counter() - start, _one_line(exc), detail
        )
