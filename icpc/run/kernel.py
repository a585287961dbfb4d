"""The notebook's kernel: started early and warmed up while the data loads, then given the notebook."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icpc.exceptions import RunError
from icpc.run.failure import _one_line, failure_section

__all__ = [
    "KERNEL_ENV", "WARM_UP_CODE", "discard_prestarted", "prestart", "serialise_ast_parse",
    "skip_iri_grammar", "take_prestarted",
]  # fmt: skip


def skip_iri_grammar() -> None:
    """Keep jsonschema from building its IRI grammar (``rfc3987_syntax``) in this process.

    nbformat (Papermill's, the PDF exporter's) imports jsonschema, which imports
    ``rfc3987_syntax`` when it is installed (JupyterLab brings it) and compiles a Lark grammar
    at import: ~0.85 s of CPU in every run, for an "iri" format check no notebook schema
    uses. Marking the module absent makes jsonschema skip that one check.

    A process-wide setting, so the library never calls it by itself: the ``icpc`` command
    and the batch's worker processes opt in (as for :func:`icpc.memory.keep_freed_memory`).
    Does nothing once the module is imported.
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


#: held while a thread parses source into an AST (:func:`serialise_ast_parse`); re-entrant:
#: a finaliser run by the garbage collector inside a parse may parse too
_AST_LOCK = threading.RLock()


def serialise_ast_parse() -> None:
    """Let one thread at a time turn source into an AST (``ast.parse``, ``ast.literal_eval``).

    CPython 3.11 keeps the AST constructor's recursion depth in state shared by the
    threads; a garbage collection inside one thread's ``ast.parse`` can hand over to another
    thread parsing too, and one of them fails with ``SystemError: AST constructor recursion
    depth mismatch (before=…, after=…)`` (CPython gh-106905). A run has two such threads:
    the notebook's (``inspect`` parses built-in signatures) and the main one (matplotlib
    checks the style's colour cycle each time a scorecard's chart is drawn); the run, or a
    batch's client, failed with it now and then. This wraps ``ast.parse`` in a lock, once
    per process; parsing is rare and short, so nobody waits long.

    Called by :func:`icpc.run.runner.run_client` (the threads are its own) and the
    ``icpc`` command.
    """
    import ast

    if getattr(ast.parse, "_icpc_serialised", False):
        return
    parse = ast.parse

    def serialised(*args: Any, **kwargs: Any) -> Any:
        with _AST_LOCK:
            return parse(*args, **kwargs)

    serialised._icpc_serialised = True  # type: ignore[attr-defined]
    serialised.__doc__ = parse.__doc__
    ast.parse = serialised  # ast.literal_eval looks it up there too


#: environment of the notebook's kernel: one BLAS/OpenMP thread (runs go in parallel),
#: inline matplotlib figures
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for child processes (the kernel), then restore them."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


#: run in the kernel while this process loads the data (no output, no history, no name
#: left in the notebook's namespace): the notebook's imports (matplotlib and the charts,
#: which load on first use; pyarrow.parquet: the saved dataset's) and one figure drawn to SVG off pyplot (fonts,
#: text layout), so that the notebook only renders
WARM_UP_CODE = """\
def _icpc_warm_up():
    import io

    import icpc.cleaning, icpc.diagnostic, icpc.report.meta, icpc.report.plots, icpc.report.sections
    import matplotlib.pyplot, pandas.io.parquet, pyarrow.parquet

    for name in icpc.report.plots.__all__:  # the charts are loaded on first use
        getattr(icpc.report.plots, name)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("é 1 234,5 €")
    fig.savefig(io.BytesIO(), format="svg")


_icpc_warm_up()
del _icpc_warm_up
"""


def _start_kernel(
    cwd: Path, warm_up_code: str | None = WARM_UP_CODE, environment: Mapping[str, str] | None = None
) -> Any:
    """Start the notebook's kernel ahead of time and import the heavy modules in it.

    Runs in the kernel thread while the parent loads the data, so that neither the
    kernel's start (~1.5 s) nor its imports (~2 s) nor Papermill's import in this process
    (~1.5 s, while the kernel boots and warms up) are on the critical path. The warm-up
    runs silently (``silent``, no history; its outputs, if any, are dropped): execution
    counts and outputs of the executed notebook are the same as with a fresh kernel.

    ``cwd`` is the folder of the notebook the kernel will write (a run's staging folder):
    relative parameters such as ``dataset_path`` are relative to it. ``environment`` is
    added to the kernel's (with :data:`KERNEL_ENV`): the run's key for the analyses it
    hands over (:mod:`icpc.lazy`).

    Returns
    -------
    jupyter_client.AsyncKernelManager
        The started kernel's manager, for :func:`_execute` and :func:`_stop_kernel`.
    """
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_core.utils import run_sync

    manager = _manager_class()
    # IPC (Unix sockets in a private folder) where available: no open TCP port, no
    # "unencrypted TCP" warning, no clash between parallel runs
    if os.name == "posix":
        sockets = tempfile.mkdtemp(prefix="icpc-kernel-")
        km = manager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"))
        km._icpc_sockets = sockets  # type: ignore[attr-defined]  # removed by _stop_kernel
    else:
        km = manager(kernel_name="python3")
    try:
        # the kernel's own environment: this process's stays as it is (its other threads
        # load data and import pyarrow, which reads OMP_NUM_THREADS, meanwhile)
        env = {**os.environ, **KERNEL_ENV, **(environment or {})}
        run_sync(km.start_kernel)(cwd=str(cwd), env=env)
    except Exception as exc:
        _stop_kernel(km)
        raise RunError(
            _one_line(
                f"the notebook's kernel (python3) did not start: {type(exc).__name__}: {exc}; "
                "check that ipykernel is installed in this environment (pip install ipykernel)"
            )
        ) from exc
    kc = None
    if warm_up_code:
        kc = BlockingKernelClient()
        kc.load_connection_info(km.get_connection_info())
        kc.start_channels()
        # sent now, run as soon as the kernel listens (ZeroMQ queues it)
        warm_up = kc.execute(warm_up_code, silent=True, store_history=False)
    try:
        # while the kernel boots and warms up: Papermill (and nbformat, ~1.5 s) is imported
        # in this thread, not when the notebook is due to start
        import papermill  # noqa: F401

        if kc is not None:
            # a failed warm-up only costs time; the notebook reports errors
            with contextlib.suppress(Exception):
                _wait_for_reply(kc, km, warm_up, timeout=120)
    except BaseException:
        _stop_kernel(km)
        raise
    finally:
        if kc is not None:
            kc.stop_channels()
    return km


@functools.cache
def _manager_class() -> type:
    """The kernel manager of a run: jupyter_client's, keeping the clients it makes.

    A notebook client given a kernel manager it does not own (Papermill's, given the kernel
    started ahead of time) leaves its own client's channels open when it ends: their
    ZeroMQ context, sockets and heartbeat thread (~10 file descriptors) stayed behind after
    every run, and a batch worker running client after client ran out of descriptors
    after about 80. :func:`_stop_kernel` stops the channels of every client kept here.
    """
    from jupyter_client.manager import AsyncKernelManager

    class KernelManager(AsyncKernelManager):  # type: ignore[misc]
        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            self.__dict__.setdefault("_icpc_clients", []).append(made)
            return made

    return KernelManager


@dataclass
class KernelThread:
    """A kernel starting on its own thread (the thread that later runs the notebook: one
    event loop for the kernel manager): the thread, the manager's future, the run's key for
    the analyses it will be handed, and the folder it starts in."""

    pool: ThreadPoolExecutor
    kernel: Future[Any]
    key: bytes
    folder: Path

    @classmethod
    def start(cls, folder: Path) -> KernelThread:
        """Start a kernel in ``folder`` with a new key in its environment."""
        import secrets

        from icpc.lazy import KEY_VARIABLE

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-kernel")
        key = secrets.token_bytes(32)  # signs the analyses handed to this run's kernel only
        kernel = pool.submit(_start_kernel, folder, environment={KEY_VARIABLE: key.hex()})
        return cls(pool, kernel, key, folder)

    def stop(self) -> None:
        """Stop the kernel (once it has started) and its thread."""
        with contextlib.suppress(Exception):
            _stop_kernel(self.kernel.result())
        self.pool.shutdown(wait=True)


_PRESTARTED: KernelThread | None = None


def prestart() -> None:
    """Start the notebook's kernel now, for the ``icpc run`` to come in this process.

    The ``icpc`` command calls it first thing when its command line is an ``icpc run``,
    before it parses that line and before pyarrow, pandas and the config are imported
    (~0.4 s): the kernel is ready sooner, and the notebook waits for it less. It starts
    in a private temporary folder; :func:`icpc.run.run_client` takes it
    (:func:`take_prestarted`), moves it to its staging folder and removes that first
    folder; a command line that does not end in a run stops it
    (:func:`discard_prestarted`). Without a pre-started kernel the run starts its own.
    Idempotent.
    """
    global _PRESTARTED
    if _PRESTARTED is None:
        _PRESTARTED = KernelThread.start(Path(tempfile.mkdtemp(prefix="icpc-kernel-cwd-")))


def take_prestarted() -> KernelThread | None:
    """The kernel :func:`prestart` started, handed over once (then None)."""
    global _PRESTARTED
    taken, _PRESTARTED = _PRESTARTED, None
    return taken


def discard_prestarted() -> None:
    """Stop the kernel :func:`prestart` started if no run took it, and remove its folder.

    The ``icpc`` command starts the kernel of ``icpc run`` before it parses the command
    line; when the run does not happen (a usage error), this stops it. Waits for the
    kernel to be up first (a second or two): it is stopped, never left behind.
    """
    early = take_prestarted()
    if early is not None:
        early.stop()
        shutil.rmtree(early.folder, ignore_errors=True)


def _chdir(km: Any, folder: Path) -> None:
    """Move a started kernel to ``folder`` (silently: no output, no history, no name)."""
    from jupyter_client.blocking import BlockingKernelClient

    kc = BlockingKernelClient()
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels()
    try:
        msg = kc.execute(
            f"__import__('os').chdir({str(folder)!r})", silent=True, store_history=False
        )
        _wait_for_reply(kc, km, msg, timeout=60)
    finally:
        kc.stop_channels()


def _wait_for_reply(kc: Any, km: Any, msg_id: str, *, timeout: float) -> None:
    """Wait for the shell reply to ``msg_id`` (outputs ignored); give up if the kernel dies."""
    import queue

    from jupyter_core.utils import run_sync

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reply = kc.get_shell_msg(timeout=1)
        except queue.Empty:
            if not run_sync(km.is_alive)():
                return
            continue
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            return


def _stop_kernel(km: Any) -> None:
    """Kill a kernel started by :func:`_start_kernel` (its outputs are already saved).

    Safe from any thread and more than once.
    """
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        run_sync(km.shutdown_kernel)(now=True)
    # the channels of the clients the notebook's run left open (see _manager_class)
    for made in km.__dict__.get("_icpc_clients", ()):
        with contextlib.suppress(Exception):
            made.stop_channels()
    sockets = getattr(km, "_icpc_sockets", None)
    if sockets:
        shutil.rmtree(sockets, ignore_errors=True)


def _execute(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    km: Any = None,
    chdir: Path | None = None,
) -> float:
    """Run the notebook with Papermill and return its seconds; a failing cell -> RunError.

    ``km`` is a kernel already started by :func:`_start_kernel` in ``output``'s folder
    (else Papermill starts one there), or elsewhere and then moved to ``chdir``.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config as TraitletsConfig

    started = time.perf_counter()
    if km is not None and chdir is not None:
        _chdir(km, chdir)
    # IPC (Unix sockets) where available: no open TCP port, no "unencrypted TCP" warning.
    # The sockets go to a private folder: by default they are "kernel-ipc-<n>" in the
    # working directory, and two kernels started at the same moment (a batch with --jobs 2,
    # two consultants) pick the same names and read each other's messages.
    ipc_dir = tempfile.mkdtemp(prefix="icpc-kernel-") if os.name == "posix" else None
    ipc = {"transport": "ipc", "ip": os.path.join(ipc_dir, "kernel")} if ipc_dir else {}
    kernel_config = TraitletsConfig({"KernelManager": ipc} if ipc else {})
    try:
        # a started kernel has its environment already; else Papermill starts one, from
        # this process's environment (a test, a notebook run without icpc run)
        with _environ(KERNEL_ENV) if km is None else contextlib.nullcontext():
            pm.execute_notebook(
                str(notebook),
                str(output),
                parameters=dict(parameters),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                # the kernel runs in the folder of the notebook it writes (relative
                # parameters are relative to it); a started kernel already does, and
                # papermill's cwd would chdir the whole process from this thread
                cwd=None if km is not None else str(output.parent),
                config=kernel_config,
                shutdown_kernel="immediate",  # outputs are saved; a graceful stop costs ~2 s
                **({"km": km} if km is not None else {}),
            )
    except PapermillExecutionError as exc:
        section, error = None, None
        if output.is_file():
            language = str(parameters.get("language") or "fr")
            section, error = failure_section(nbformat.read(output, as_version=4), language=language)
        ename = (error or {}).get("ename") or exc.ename
        evalue = (error or {}).get("evalue") or exc.evalue
        where = (
            f"section {section}" if section else f"notebook {notebook.name}, cell {exc.exec_count}"
        )
        raise RunError(_one_line(f"{where}: {ename}: {evalue}")) from None
    except Exception as exc:  # dead kernel, cell timeout: still one readable line
        name = type(exc).__name__
        if name in {"DeadKernelError", "CellTimeoutError", "TimeoutError", "RuntimeError"}:
            raise RunError(_one_line(f"notebook {notebook.name}: {name}: {exc}")) from None
        raise
    finally:
        if ipc_dir is not None:
            shutil.rmtree(ipc_dir, ignore_errors=True)
    return time.perf_counter() - started
