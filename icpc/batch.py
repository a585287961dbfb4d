"""Run the diagnostic for many clients: local worker processes or a Dask cluster.

:func:`run_batch` (``icpc batch``) runs :func:`icpc.runner.run_client` once per client
config (traitement par lots):

* each client runs in a worker process — local processes (``--jobs N``) or tasks on a
  Dask distributed cluster (``--dask tcp://scheduler:8786``), whose workers write to the
  shared ``out`` folder;
* one failing client never stops the others: its one-line reason is reported and the
  summary counts it (the CLI then exits 1);
* a client whose config, input files and code are unchanged since its last successful run
  (:func:`icpc.manifest.find_up_to_date`) is skipped unless ``force``;
* two configs with the same slug are refused before anything starts (they would write the
  same folder);
* Ctrl-C cancels the clients not started and stops the running ones; the runner writes
  atomically, so no half-written output remains.

Example
-------
>>> summary = run_batch(["clients.txt"], jobs=2, out="reports")  # doctest: +SKIP
>>> summary.failed  # doctest: +SKIP
0
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import re
import shutil
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from icpc.exceptions import ConfigError, IcpcError, RunError

__all__ = ["BatchSummary", "ClientOutcome", "expand_configs", "run_batch", "run_one"]

Status = Literal["done", "skipped", "failed", "cancelled"]

#: suffixes read as a client config; any other file is a list of config paths
CONFIG_SUFFIXES = (".yaml", ".yml")
#: a comment in a list of configs: a whole line starting with #, or `` # ...`` after a path
_COMMENT = re.compile(r"(^\s*#.*$)|(\s+#.*$)")
#: seconds a stopped worker gets to clean up its temporary files before it is killed
STOP_GRACE_SECONDS = 10.0
#: thread-pool sizes capped in local workers (numpy BLAS, OpenMP, Arrow's CPU pool)
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: a client that breaks the local process pool this many times is reported as failed
MAX_CRASHES = 2
#: how long to try reaching a Dask scheduler
DASK_CONNECT_TIMEOUT = "20s"


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


# --------------------------------------------------------------------------------------
# the task: one client, in a worker process (local or Dask)
# --------------------------------------------------------------------------------------
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
        ``runner(config_path, out=...) -> RunResult``; default :func:`icpc.runner.run_client`.

    Returns
    -------
    ClientOutcome
        ``done`` with the run folder, ``skipped`` with the up-to-date folder, or ``failed``
        with the one-line reason (``IcpcError`` message, else ``ename: evalue``).
    """
    from icpc.config import load_config
    from icpc.manifest import find_up_to_date

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
            from icpc.runner import run_client

            runner = run_client
        result = runner(path, out=out)
        return ClientOutcome(path, slug, "done", Path(result.out_dir), time.perf_counter() - start)
    except Exception as exc:  # one client's failure must not stop the batch
        detail = None if isinstance(exc, IcpcError) else traceback.format_exc()
        return ClientOutcome(
            path, slug, "failed", None, time.perf_counter() - start, _one_line(exc), detail
        )


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
    from icpc.io import keep_freed_memory

    keep_freed_memory()  # a worker process loads client after client (see its docstring)
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


# --------------------------------------------------------------------------------------
# the list of clients
# --------------------------------------------------------------------------------------
def expand_configs(configs: Iterable[str | Path]) -> list[Path]:
    """Turn the command-line arguments into the list of client configs.

    Parameters
    ----------
    configs : iterable of path
        YAML configs (``.yaml``/``.yml``) or text files listing one config path per line
        (blank lines and ``#`` comments ignored; relative paths are relative to the list).

    Returns
    -------
    list of Path
        Absolute config paths, in order, each once (a config listed twice runs once).

    Raises
    ------
    ConfigError
        No config given, or a list file that cannot be read.
    """
    found: list[Path] = []
    for item in configs:
        path = Path(item).expanduser()
        if path.suffix.lower() in CONFIG_SUFFIXES:
            found.append(path.resolve())
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{path}: cannot read this list of configs ({type(exc).__name__}); give client .yaml files "
                "or a text file with one config path per line"
            ) from None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = _COMMENT.sub("", raw).strip()
            if not line:
                continue
            entry = Path(line).expanduser()
            if entry.suffix.lower() not in CONFIG_SUFFIXES:
                raise ConfigError(
                    f"{path.name}, line {number}: {line!r} is not a .yaml config; list one client config path per line"
                )
            found.append(
                (path.parent / entry).resolve() if not entry.is_absolute() else entry.resolve()
            )
    unique = list(dict.fromkeys(found))
    if not unique:
        raise ConfigError(
            "no client config given; pass client .yaml files or a text file listing them"
        )
    return unique


def _slugs(paths: Sequence[Path]) -> tuple[dict[Path, str], dict[Path, ClientOutcome]]:
    """Read every config (cheap): slugs of the valid ones, failures of the others.

    Raises ConfigError when two configs share a slug (they would write the same folder).
    """
    from icpc.config import load_config

    slugs: dict[Path, str] = {}
    broken: dict[Path, ClientOutcome] = {}
    owner: dict[str, Path] = {}
    for path in paths:
        try:
            slug = load_config(path).slug
        except IcpcError as exc:
            broken[path] = ClientOutcome(path, None, "failed", error=_one_line(exc))
            continue
        if slug in owner:
            raise ConfigError(
                f'{path}: slug "{slug}" is also the slug of {owner[slug]}; two clients cannot write the same '
                'output folder: give one of them another "slug:" in its config'
            )
        owner[slug] = path
        slugs[path] = slug
    return slugs, broken


# --------------------------------------------------------------------------------------
# display
# --------------------------------------------------------------------------------------
_STATUS_LABEL = {
    "done": "done",
    "skipped": "up to date",
    "failed": "FAILED",
    "cancelled": "cancelled",
}
_STATUS_STYLE = {"done": "green", "skipped": "cyan", "failed": "bold red", "cancelled": "yellow"}


class _Display:
    """A rich progress bar with one line per running client (or nothing when disabled)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.enabled = enabled
        self.counts = {"done": 0, "skipped": 0, "failed": 0, "cancelled": 0}
        self.running: dict[str, Any] = {}
        self.finished_slugs: set[str] = set()
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.overall = self.progress.add_task(self._label(), total=total)

    def _label(self) -> str:
        c = self.counts
        return f"clients: {c['done']} done, {c['skipped']} up to date, {c['failed']} failed"

    def __enter__(self) -> _Display:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def started(self, slug: str, state: str = "running") -> None:
        if self.enabled and slug not in self.running and slug not in self.finished_slugs:
            self.running[slug] = self.progress.add_task(f"  {slug}: {state}", total=None)

    def finished(self, outcome: ClientOutcome) -> None:
        self.counts[outcome.status] += 1
        name = outcome.slug or outcome.config.name
        self.finished_slugs.add(name)
        if not self.enabled:
            return
        task = self.running.pop(name, None)
        if task is not None:
            self.progress.remove_task(task)
        style = _STATUS_STYLE[outcome.status]
        why = f": {outcome.error}" if outcome.error else ""
        self.progress.console.print(
            f"[{style}]{_STATUS_LABEL[outcome.status]:>10}[/] {name} ({outcome.seconds:.1f} s){why}",
            markup=True,
            highlight=False,
        )
        self.progress.update(self.overall, advance=1, description=self._label())


def _print_summary(summary: BatchSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"icpc batch: {len(summary.results)} clients in {summary.seconds:.1f} s")
    table.add_column("client")
    table.add_column("status")
    table.add_column("time", justify="right")
    table.add_column("output folder / reason", overflow="fold")
    for r in summary.results:
        where = r.error if r.status == "failed" else (str(r.out_dir) if r.out_dir else "")
        label = f"[{_STATUS_STYLE[r.status]}]{_STATUS_LABEL[r.status]}[/]"
        table.add_row(r.slug or str(r.config), label, f"{r.seconds:.1f} s", where or "")
    console = Console()
    console.print(table)
    parts = [f"{summary.done} done", f"{summary.skipped} up to date", f"{summary.failed} failed"]
    if summary.cancelled:
        parts.append(f"{summary.cancelled} cancelled")
    console.print(", ".join(parts) + ".")
    for r in summary.results:  # one plain line per failure: no wrapping, easy to grep in a log
        if r.status == "failed":
            console.print(
                f"failed: {r.slug or r.config}: {r.error}",
                soft_wrap=True,
                markup=False,
                highlight=False,
            )
    if any(r.detail for r in summary.results):
        console.print(
            "Unexpected errors: run `icpc run CONFIG` on the failed client to see the full traceback."
        )


# --------------------------------------------------------------------------------------
# executors
# --------------------------------------------------------------------------------------
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


def _clean_interrupted(out_root: Path, slugs: Iterable[str]) -> None:
    """Remove what stopped clients left: hidden ``.*.tmp`` staging files/folders, empty folders.

    Only the folders of this batch's clients that did not finish are touched; published
    outputs (never hidden, never ``.tmp``) are left alone.
    """
    for slug in slugs:
        folder = out_root / slug
        if not folder.is_dir():
            continue
        for leftover in [*folder.glob(".*.tmp"), *folder.glob("*/.*.tmp")]:
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        for sub in [*folder.iterdir(), folder]:
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()


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
    remaining = list(todo)
    alone: list[Path] = []  # suspects of a broken pool, each run in a pool of its own
    while remaining or alone:
        if alone:  # alone, a client that breaks its pool is certainly the one that crashed
            path = alone.pop(0)
            lost, _ = _pool_round([path], todo, jobs=1, out=out, force=force, runner=runner,
                                  display=display, outcomes=outcomes)  # fmt: skip
            if lost:
                crashes[path] = crashes.get(path, 0) + 1
                if crashes[path] >= MAX_CRASHES:
                    _fail_crashed(path, todo, display, outcomes)
                else:
                    alone.append(path)
            continue
        lost, running = _pool_round(remaining, todo, jobs=jobs, out=out, force=force, runner=runner,
                                    display=display, outcomes=outcomes)  # fmt: skip
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
) -> tuple[list[Path], set[Path]]:
    """One process pool over ``paths``; return the clients lost to a broken pool, and those started."""
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


def run_batch(
    configs: Iterable[str | Path],
    *,
    jobs: int | None = None,
    out: str | Path | None = None,
    force: bool = False,
    dask_address: str | None = None,
    progress: bool = True,
    runner: Callable[..., Any] | None = None,
) -> BatchSummary:
    """Run the diagnostic of many clients (traitement par lots), isolating failures.

    Parameters
    ----------
    configs : iterable of path
        Client YAML configs, or text files listing one config path per line.
    jobs : int, optional
        Local worker processes (default: the number of usable cores); ignored with Dask.
    out : path, optional
        Folder holding the client folders (``reports/`` by default), as for ``icpc run``.
        Made absolute, so that Dask workers on shared storage write to the same place.
    force : bool
        Also run the clients that are up to date.
    dask_address : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): each client becomes a task on
        that cluster instead of a local process.
    progress : bool
        Show a progress bar and print the summary table.
    runner : callable, optional
        Replaces :func:`icpc.runner.run_client` (tests); must be picklable by reference.

    Returns
    -------
    BatchSummary
        One :class:`ClientOutcome` per client in input order, with counts ``failed``,
        ``skipped``, ``done``.

    Raises
    ------
    ConfigError
        No config, an unreadable list, two configs with the same slug, or an unreachable
        Dask scheduler — before any client runs.
    KeyboardInterrupt
        On Ctrl-C, after pending clients are cancelled and running ones stopped.
    """
    start = time.perf_counter()
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, found {jobs}")
    paths = expand_configs(configs)
    out_root = (
        str(Path(out).expanduser().resolve()) if out is not None else str(Path("reports").resolve())
    )
    slugs, broken = _slugs(paths)
    outcomes: dict[Path, ClientOutcome] = dict(broken)
    n_jobs = max(1, min(jobs or _default_jobs(), len(slugs) or 1))
    display = _Display(len(paths), progress)
    interrupted = False
    with display:
        for outcome in broken.values():
            display.finished(outcome)
        try:
            if slugs and dask_address:
                _run_dask(slugs, address=dask_address, out=out_root, force=force, runner=runner,
                          display=display, outcomes=outcomes)  # fmt: skip
            elif slugs:
                _run_local(slugs, jobs=n_jobs, out=out_root, force=force, runner=runner,
                           display=display, outcomes=outcomes)  # fmt: skip
        except KeyboardInterrupt:
            interrupted = True
    results = [outcomes.get(p) or ClientOutcome(p, slugs.get(p), "cancelled") for p in paths]
    if (
        interrupted and not dask_address
    ):  # a cluster's running tasks finish (atomically) on their own
        _clean_interrupted(
            Path(out_root), [r.slug for r in results if r.status == "cancelled" and r.slug]
        )
    count = {
        s: sum(r.status == s for r in results) for s in ("done", "skipped", "failed", "cancelled")
    }
    summary = BatchSummary(
        results=results,
        failed=count["failed"],
        skipped=count["skipped"],
        done=count["done"],
        cancelled=count["cancelled"],
        seconds=time.perf_counter() - start,
        interrupted=interrupted,
    )
    if progress:
        _print_summary(summary)
    if interrupted:
        raise KeyboardInterrupt
    return summary
