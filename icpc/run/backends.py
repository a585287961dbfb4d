"""Where the clients of a batch run: local worker processes, or a Dask cluster (one registry)."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from icpc.exceptions import ConfigError
from icpc.run.display import _Display
from icpc.run.outcome import ClientOutcome, _one_line, run_one

__all__ = ["BACKENDS", "STOP_GRACE_SECONDS", "MAX_CRASHES", "DASK_CONNECT_TIMEOUT"]


#: seconds a stopped worker gets to clean up its temporary files before it is killed
STOP_GRACE_SECONDS = 10.0


#: thread-pool sizes capped in local workers (numpy BLAS, OpenMP, Arrow's CPU pool)
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


#: a client that breaks the local process pool this many times is reported as failed
MAX_CRASHES = 2


#: how long to try reaching a Dask scheduler
DASK_CONNECT_TIMEOUT = "20s"


_STOPPING = False


_STARTED: Any = None  # queue telling the parent which client a worker starts


def _worker_init(started: Any = None, threads: int | None = None) -> None:
    """Local worker set-up: the parent handles Ctrl-C; SIGTERM unwinds, then the worker exits.

    SIGTERM raises ``SystemExit`` in the running client, so its ``finally`` blocks remove
    their temporary files; :func:`_run_task` then ends the process instead of letting the
    pool hand it the next client. ``threads`` caps the BLAS/OpenMP/Arrow thread pools so
    that ``jobs`` workers do not oversubscribe the cores (a value set by the user wins).
    """
    global _STARTED
    _STARTED = started
    from icpc.memory import keep_freed_memory
    from icpc.run.kernel import skip_iri_grammar

    keep_freed_memory()  # a worker process loads client after client (see its docstring)
    skip_iri_grammar()
    if threads is not None:
        for name in _THREAD_VARIABLES:
            os.environ.setdefault(name, str(threads))
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _stop(signum: int, frame: Any) -> None:
        global _STOPPING
        _STOPPING = True
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _stop)


def _run_task(*args: Any) -> ClientOutcome:
    """:func:`run_one` in a local worker process; exits the process once told to stop."""
    try:
        if _STOPPING:
            raise SystemExit(143)
        if _STARTED is not None:
            _STARTED.put(str(args[0]))
        return run_one(*args)
    finally:
        if _STOPPING:
            os._exit(143)


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _stop_workers(executor: cf.ProcessPoolExecutor) -> None:
    """Cancel pending clients and stop the running ones (SIGTERM unwinds, then kill)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())  # no public API
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


def _run_local(
    todo: dict[Path, str],
    *,
    jobs: int,
    out: str | None,
    force: bool,
    runner: Callable[..., Any] | None,
    display: _Display,
    outcomes: dict[Path, ClientOutcome],
) -> None:
    """Run the clients in local worker processes, in rounds.

    A worker process that dies (killed, out of memory, crash in a C library) breaks the
    whole pool: every client not finished gets ``BrokenProcessPool``. The clients that were
    not running go to a new pool. Of those running then, the one alone is retried once
    and fails if it breaks a pool again; when several were running, each is retried in a
    pool of its own, so the one that crashes is found and the others finish — one bad
    client cannot take the others down.
    """
    crashes: dict[Path, int] = {}
    began = time.time()  # a retried client's outputs written since then are this batch's
    remaining = list(todo)
    alone: list[Path] = []  # suspects of a broken pool, each run in a pool of its own
    first = True
    while remaining or alone:
        if alone:  # alone, a client that breaks its pool is certainly the one that crashed
            path = alone.pop(0)
            lost, _ = _pool_round([path], todo, jobs=1, out=out, force=force, runner=runner,
                                  display=display, outcomes=outcomes, since=began)  # fmt: skip
            if lost:
                crashes[path] = crashes.get(path, 0) + 1
                if crashes[path] >= MAX_CRASHES:
                    _fail_crashed(path, todo, display, outcomes)
                else:
                    alone.append(path)
            continue
        lost, running = _pool_round(remaining, todo, jobs=jobs, out=out, force=force, runner=runner,
                                    display=display, outcomes=outcomes,
                                    since=None if first else began)  # fmt: skip
        first = False
        suspects = [path for path in lost if path in running] or list(lost)  # always progress
        if len(suspects) == 1:  # the only client running when the pool broke
            path = suspects[0]
            crashes[path] = crashes.get(path, 0) + 1
            if crashes[path] >= MAX_CRASHES:
                _fail_crashed(path, todo, display, outcomes)
                suspects = []
        alone += suspects if len(suspects) > 1 else []
        remaining = [
            path for path in lost if path not in alone and path in todo and path not in outcomes
        ]


def _fail_crashed(
    path: Path, todo: dict[Path, str], display: _Display, outcomes: dict[Path, ClientOutcome]
) -> None:
    outcome = ClientOutcome(path, todo[path], "failed", error=(
        "the worker process running this client died (killed, out of memory or a crash); "
        "run `icpc run` on this config alone to see why"))  # fmt: skip
    outcomes[path] = outcome
    display.finished(outcome)


def _pool_round(
    paths: list[Path],
    todo: dict[Path, str],
    *,
    jobs: int,
    out: str | None,
    force: bool,
    runner: Callable[..., Any] | None,
    display: _Display,
    outcomes: dict[Path, ClientOutcome],
    since: float | None = None,
) -> tuple[list[Path], set[Path]]:
    """One process pool over ``paths``; return the clients lost to a broken pool, and those started.

    ``since``: these clients are retries of a pool that broke, whose batch began then. A
    client may have finished in the broken pool, its result lost with the pool: its retry
    finds those outputs up to date, and reports them ``done`` (:func:`_own_outputs`), not
    ``skipped``.
    """
    context = multiprocessing.get_context("spawn")
    started = (
        context.SimpleQueue()
    )  # put() writes to the pipe at once: no message lost if a worker dies
    threads = max(1, _default_jobs() // jobs)
    executor = cf.ProcessPoolExecutor(
        max_workers=min(jobs, len(paths)),
        mp_context=context,
        initializer=_worker_init,
        initargs=(started, threads),
    )
    futures = {executor.submit(_run_task, str(path), out, force, runner): path for path in paths}
    by_name = {str(path): path for path in paths}
    running: set[Path] = set()
    lost: list[Path] = []
    pending = set(futures)

    def drain() -> None:  # clients the workers have started since the last look
        while not started.empty():
            path = by_name[started.get()]
            running.add(path)
            display.started(todo[path])

    try:
        while pending:
            done, pending = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
            drain()
            for fut in done:
                path = futures[fut]
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    lost.append(path)
                    continue
                except Exception as exc:  # e.g. a result that cannot be sent back
                    outcome = ClientOutcome(path, todo[path], "failed", error=_one_line(exc))
                if since is not None:
                    outcome = _own_outputs(outcome, since)
                outcomes[path] = outcome
                display.finished(outcome)
        drain()
    except BaseException:
        _stop_workers(executor)
        raise
    finally:
        started.close()
    executor.shutdown(wait=True)
    return lost, running


def _own_outputs(outcome: ClientOutcome, since: float) -> ClientOutcome:
    """A ``skipped`` outcome whose run folder's manifest was written at ``since`` or later
    becomes ``done``: the outputs are this batch's own work (a retried client that had
    finished before its pool broke), not an earlier run's."""
    from dataclasses import replace

    from icpc.export.manifest import MANIFEST_NAME

    if outcome.status != "skipped" or outcome.out_dir is None:
        return outcome
    try:
        written = (Path(outcome.out_dir) / MANIFEST_NAME).stat().st_mtime
    except OSError:
        return outcome
    return replace(outcome, status="done") if written >= since else outcome


def _run_dask(
    todo: dict[Path, str],
    *,
    address: str,
    out: str | None,
    force: bool,
    runner: Callable[..., Any] | None,
    display: _Display,
    outcomes: dict[Path, ClientOutcome],
) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise ConfigError(
            "--dask needs dask.distributed: pip install 'dask[distributed]'"
        ) from None
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {address} ({exc}); start it with `dask scheduler` "
            "and give its address, e.g. --dask tcp://host:8786"
        ) from None
    futures = {}
    try:
        for path, slug in todo.items():
            fut = client.submit(
                run_one,
                str(path),
                out,
                force,
                runner,
                pure=False,
                key=f"icpc-{slug}-{os.urandom(4).hex()}",
            )
            futures[fut] = path
            display.started(slug, "sent to the cluster")
        for fut in as_completed(list(futures)):
            path = futures[fut]
            try:
                outcome = fut.result()
            except Exception as exc:  # worker lost, task killed
                outcome = ClientOutcome(path, todo[path], "failed", error=_one_line(exc))
            outcomes[path] = outcome
            display.finished(outcome)
    except BaseException:
        client.cancel(list(futures), force=True)
        raise
    finally:
        client.close()


#: where the clients of a batch run: name -> function(todo, *, out, force, runner, display, outcomes, …)
BACKENDS: dict[str, Callable[..., None]] = {"local": _run_local, "dask": _run_dask}
