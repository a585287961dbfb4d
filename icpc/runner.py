"""Run one client's full diagnostic (``icpc run``): notebook, PDF, Excel, kpis.json, manifest.

:func:`run_client` loads and cleans the client's data **once**, in this process (to learn
the analysis date and compute the indicators), and saves the cleaned dataset in the run's
``dataset/`` folder (:func:`icpc.cleaning.save_dataset`: Parquet frames and the ledgers).
It runs Papermill on ``notebooks/diagnostic.ipynb`` in a kernel of the current environment
(one BLAS/OpenMP thread) with ``dataset_path="dataset"``: the kernel reads that dataset,
never the client's exports, and only renders. While the kernel works, this process writes
``kpis.json``, ``customers.csv`` and ``actions.xlsx`` from its
:class:`~icpc.diagnostic.Diagnostic`. Then the executed notebook becomes
``diagnostic.pdf`` (:mod:`icpc.report.exporter`) and ``manifest.json`` records inputs,
parameters, versions and output hashes.

The kernel runs in the folder of the notebook it writes (the staging folder, published as
the run folder), so ``dataset_path`` is relative to the executed notebook: it still works
when the run folder is moved or copied, as when an analyst reopens ``diagnostic.ipynb`` in
JupyterLab. ``dataset/`` is published with the run; it is not in the manifest's ``files``
(an intermediate, not a deliverable).

Outputs (livrables) go to ``<out or reports>/<slug>/<as_of>/``. Everything is first
written to a hidden staging folder beside it, then each file is renamed into place
(atomic on one file system), the manifest last: a reader never sees a half-written file,
and a failed run publishes nothing — earlier outputs stay as they were. When a notebook
cell fails, :class:`~icpc.exceptions.RunError` names the section and the error in one
line, and the failed notebook is kept as ``diagnostic.failed.ipynb`` for the analyst.

Example
-------
>>> result = run_client("data_samples/demo/client.yaml", out="/tmp/reports")  # doctest: +SKIP
>>> sorted(result.files)  # doctest: +SKIP
['actions.xlsx', 'customers.csv', 'dataset', 'diagnostic.ipynb', 'diagnostic.pdf', 'kpis.json', 'manifest.json']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from icpc.config import Config, load_config
from icpc.exceptions import ConfigError, RunError

__all__ = [
    "DATASET_DIR",
    "DEFAULT_NOTEBOOK",
    "KERNEL_ENV",
    "OUTPUT_FILES",
    "RunResult",
    "failure_section",
    "notebook_parameters",
    "output_dir",
    "run_client",
]

#: the diagnostic notebook executed for each client
DEFAULT_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "diagnostic.ipynb"
if not DEFAULT_NOTEBOOK.is_file():  # a non-editable install ships it under <prefix>/share/icpc
    DEFAULT_NOTEBOOK = Path(sys.prefix) / "share" / "icpc" / "notebooks" / "diagnostic.ipynb"
#: output file of each kind, in a run folder
OUTPUT_FILES = {
    "notebook": "diagnostic.ipynb",
    "pdf": "diagnostic.pdf",
    "excel": "actions.xlsx",
    "kpis": "kpis.json",
    "customers": "customers.csv",
    "manifest": "manifest.json",
}
FAILED_NOTEBOOK = "diagnostic.failed.ipynb"
#: folder of a run folder holding the cleaned dataset the notebook reads
#: (:func:`icpc.cleaning.save_dataset`); also the notebook's ``dataset_path``
DATASET_DIR = "dataset"
#: environment of the notebook's kernel: one BLAS/OpenMP thread (runs go in parallel),
#: inline matplotlib figures
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
_ERROR_CELL_TAG = "papermill-error-cell-tag"
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")
_SECTION_CALL = re.compile(r"\bsections\.([a-z_]+)\s*\(")
#: report-section functions whose label key differs from their name (icpc.report.labels)
_SECTION_KEYS = {"revenue_explained": "revenue", "customer_dynamics": "dynamics"}


@dataclass(frozen=True)
class RunResult:
    """What one client run produced (résultat d'exécution).

    Attributes
    ----------
    out_dir : Path
        ``<out>/<slug>/<as_of>/``.
    files : dict of str to Path
        Output file name → path (``diagnostic.ipynb``, ``diagnostic.pdf``, ``actions.xlsx``,
        ``kpis.json``, ``customers.csv``, ``manifest.json``) and ``dataset`` → the
        dataset folder the notebook read.
    skipped : bool
        True when nothing was done because the outputs were up to date (batch only).
    seconds : float
        Wall time of the run.
    timings : dict of str to float
        Wall seconds per step (``load``, ``dataset`` — saving it for the notebook —,
        ``notebook``, ``json``, ``excel``, ``pdf``, ``manifest``; the notebook overlaps the
        JSON and Excel steps) and ``pdf_cpu``, the
        CPU seconds of the PDF step. Also written to ``manifest.json`` (``timings``).
    """

    out_dir: Path
    files: dict[str, Path]
    skipped: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def output_dir(config: Config, as_of: dt.date, out: str | Path | None = None) -> Path:
    """Return the run folder ``<out or reports>/<slug>/<as_of>/`` (not created).

    Parameters
    ----------
    config : Config
        Gives the slug.
    as_of : date
        The analysis date actually used.
    out : path, optional
        Replaces ``reports/`` (relative to the working directory).

    Returns
    -------
    Path
        Absolute folder path.
    """
    return _client_dir(config, out) / as_of.isoformat()


def _client_dir(config: Config, out: str | Path | None) -> Path:
    """``<out or reports>/<slug>/`` (absolute): where the run folders and their staging go."""
    root = Path(out) if out is not None else Path("reports")
    return (root / config.slug).resolve()


def _require_source(config: Config) -> Path:
    if config.source is None:
        raise ConfigError(
            f"client {config.client!r}: a full run needs the config as a YAML file "
            "(the notebook reads it); save it and pass its path"
        )
    return Path(config.source)


def notebook_parameters(
    config: Config, *, as_of: dt.date, out_dir: Path, dataset_path: str | None = None
) -> dict[str, Any]:
    """The Papermill parameters given to ``notebooks/diagnostic.ipynb`` (literals only).

    Parameters
    ----------
    config : Config
        Read from a file (``config.source``).
    as_of : date
        The analysis date (date d'analyse) resolved from the config or the data.
    out_dir : Path
        The run folder.
    dataset_path : str, optional
        The saved dataset the notebook reads instead of the exports, relative to the
        executed notebook's folder (:data:`DATASET_DIR` in a run); ``None``: the notebook
        loads the data from the config.

    Returns
    -------
    dict
        ``config_path`` (absolute), ``as_of`` (ISO date), ``language``, ``output_dir``
        (absolute), ``dataset_path`` (relative, or None).

    Raises
    ------
    ConfigError
        The config was not read from a file (the kernel needs a path).
    """
    source = _require_source(config)
    return {
        "config_path": str(source.resolve()),
        "as_of": as_of.isoformat(),
        "language": config.language,
        "output_dir": str(Path(out_dir).resolve()),
        "dataset_path": dataset_path,
    }


# ------------------------------------------------------------------ failure reporting
def _heading_of_cell(cell: Mapping[str, Any]) -> str | None:
    """The last heading a cell shows: markdown source, or markdown/HTML outputs."""
    found: str | None = None
    if cell.get("cell_type") == "markdown":
        for match in _MD_HEADING.finditer(cell.get("source", "")):
            found = match.group(2)
        return found
    for output in cell.get("outputs", []) or []:
        data = output.get("data") or {}
        text = data.get("text/markdown")
        if isinstance(text, list):
            text = "".join(text)
        if text:
            for match in _MD_HEADING.finditer(text):
                found = match.group(2)
        html_text = data.get("text/html")
        if isinstance(html_text, list):
            html_text = "".join(html_text)
        if html_text:
            for match in _HTML_HEADING.finditer(html_text):
                found = _TAGS.sub("", match.group(2)).strip() or found
    return found


def _section_title(key: str, language: str) -> str:
    """The report heading of a section key (``segments`` → « Segments Score3D »), else the key."""
    try:
        from icpc.report.labels import section_title

        return section_title(_SECTION_KEYS.get(key, key), language)
    except (ImportError, KeyError, ValueError):
        return key


def failure_section(
    nb: Mapping[str, Any], *, language: str = "fr"
) -> tuple[str | None, dict[str, str] | None]:
    """Find the failing cell of an executed notebook and the section it belongs to.

    In order: the failing cell's ``metadata.icpc.section`` (a title, or a section key
    such as ``segments`` translated to its heading); the report section the cell calls
    (``sections.segments(diag)``); a heading the cell displayed before failing; the
    nearest heading above it (markdown cells, or headings displayed by code cells).

    Parameters
    ----------
    nb : NotebookNode or mapping
        A notebook executed by Papermill (its error cells are ignored).
    language : str
        Language of the section titles (``fr`` or ``en``).

    Returns
    -------
    (str or None, dict or None)
        The section title (``None`` when nothing names it) and ``{"ename", "evalue"}``
        of the first error output (``None`` when the notebook has no error).
    """
    cells = [
        c
        for c in nb.get("cells", [])
        if _ERROR_CELL_TAG not in (c.get("metadata", {}).get("tags") or [])
    ]
    failing, error = None, None
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                failing, error = (
                    index,
                    {"ename": output.get("ename", ""), "evalue": output.get("evalue", "")},
                )
                break
        if (
            failing is None
            and (cell.get("metadata", {}).get("papermill") or {}).get("exception") is True
        ):
            failing = index
        if failing is not None:
            break
    if failing is None:
        return None, None
    cell = cells[failing]
    section = (cell.get("metadata", {}).get("icpc") or {}).get("section")
    if section:
        return _section_title(str(section), language), error
    source = cell.get("source", "")
    calls = _SECTION_CALL.findall("".join(source) if isinstance(source, list) else source)
    if len(calls) == 1:
        return _section_title(calls[0], language), error
    for cell in reversed(cells[: failing + 1]):
        section = (cell.get("metadata", {}).get("icpc") or {}).get("section")
        if section:
            return _section_title(str(section), language), error
        heading = _heading_of_cell(cell)
        if heading:
            return heading.strip(), error
    return None, error


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ------------------------------------------------------------------ notebook execution
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
#: left in the notebook's namespace): the notebook's imports (seaborn: the heat maps';
#: pyarrow.parquet: the saved dataset's) and one figure drawn to SVG off pyplot (fonts, text
#: layout), so that the notebook only renders
WARM_UP_CODE = """\
def _icpc_warm_up():
    import io

    import icpc.cleaning, icpc.diagnostic, icpc.report.meta, icpc.report.plots, icpc.report.sections
    import pandas.io.parquet, pyarrow.parquet, seaborn
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("é 1 234,5 €")
    fig.savefig(io.BytesIO(), format="svg")


_icpc_warm_up()
del _icpc_warm_up
"""


def _start_kernel(cwd: Path, warm_up_code: str | None = WARM_UP_CODE) -> Any:
    """Start the notebook's kernel ahead of time and import the heavy modules in it.

    Runs in the kernel thread while the parent loads the data, so that neither the
    kernel's start (~1.5 s) nor its imports (~2 s) nor Papermill's import in this process
    (~1.5 s, while the kernel boots and warms up) are on the critical path. The warm-up
    runs silently (``silent``, no history; its outputs, if any, are dropped): execution
    counts and outputs of the executed notebook are the same as with a fresh kernel.

    ``cwd`` is the folder of the notebook the kernel will write (a run's staging folder):
    relative parameters such as ``dataset_path`` are relative to it.

    Returns
    -------
    jupyter_client.AsyncKernelManager
        The started kernel's manager, for :func:`_execute` and :func:`_stop_kernel`.
    """
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    # IPC (Unix sockets in a private folder) where available: no open TCP port, no
    # "unencrypted TCP" warning, no clash between parallel runs
    if os.name == "posix":
        sockets = tempfile.mkdtemp(prefix="icpc-kernel-")
        km = AsyncKernelManager(
            kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k")
        )
        km._icpc_sockets = sockets  # type: ignore[attr-defined]  # removed by _stop_kernel
    else:
        km = AsyncKernelManager(kernel_name="python3")
    try:
        with _environ(KERNEL_ENV):
            run_sync(km.start_kernel)(cwd=str(cwd))
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
    sockets = getattr(km, "_icpc_sockets", None)
    if sockets:
        shutil.rmtree(sockets, ignore_errors=True)


def _execute(notebook: Path, output: Path, parameters: Mapping[str, Any], km: Any = None) -> float:
    """Run the notebook with Papermill and return its seconds; a failing cell -> RunError.

    ``km`` is a kernel already started by :func:`_start_kernel` in ``output``'s folder
    (else Papermill starts one there).
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config as TraitletsConfig

    started = time.perf_counter()
    # IPC (Unix sockets) where available: no open TCP port, no "unencrypted TCP" warning.
    # The sockets go to a private folder: by default they are "kernel-ipc-<n>" in the
    # working directory, and two kernels started at the same moment (a batch with --jobs 2,
    # two consultants) pick the same names and read each other's messages.
    ipc_dir = tempfile.mkdtemp(prefix="icpc-kernel-") if os.name == "posix" else None
    ipc = {"transport": "ipc", "ip": os.path.join(ipc_dir, "kernel")} if ipc_dir else {}
    kernel_config = TraitletsConfig({"KernelManager": ipc} if ipc else {})
    try:
        with _environ(KERNEL_ENV):
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


# ------------------------------------------------------------------ progress
class _Steps:
    """Step timings, shown with rich on stderr when ``progress`` is on."""

    LABELS = {"load": "load", "dataset": "dataset", "notebook": "notebook", "excel": "Excel", "json": "JSON",
              "pdf": "PDF", "manifest": "manifest"}  # fmt: skip

    def __init__(self, progress: bool, title: str) -> None:
        self.timings: dict[str, float] = {}
        self._bar = None
        self._tasks: dict[str, Any] = {}
        if progress:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                SpinnerColumn(finished_text="[green]✓"),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.start()
            self._bar.console.print(f"[bold]icpc run[/bold] {title}")

    def start(self, name: str) -> float:
        if self._bar is not None:
            self._tasks[name] = self._bar.add_task(self.LABELS.get(name, name), total=1)
        return time.perf_counter()

    def done(self, name: str, started: float, seconds: float | None = None) -> None:
        elapsed = time.perf_counter() - started if seconds is None else seconds
        self.timings[name] = round(elapsed, 3)
        if self._bar is not None and name in self._tasks:
            self._bar.update(self._tasks[name], completed=1)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = self.start(name)
        yield
        self.done(name, started)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


# ------------------------------------------------------------------ the run
def _write_json(path: Path, obj: Any) -> None:
    path.write_text(
        json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


def _publish_folder(staged: Path, target: Path, trash: Path) -> Path:
    """Rename a staged folder into the run folder; an earlier one goes to ``trash`` first.

    Two renames (a folder cannot replace a non-empty one): for a moment the folder is
    absent, never half-written. ``trash`` (in the staging folder) is removed with it.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.replace(target, trash)
    os.replace(staged, target)
    return target


def _publish(staging: Path, out_dir: Path, names: list[str]) -> dict[str, Path]:
    """Rename each staged file into the run folder (one atomic rename per file)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mask = os.umask(0)
    os.umask(mask)
    files = {}
    for name in names:
        os.chmod(staging / name, 0o666 & ~mask)  # temporary files are private (0600)
        os.replace(staging / name, out_dir / name)
        files[name] = out_dir / name
    return files


def run_client(
    config: Config | str | Path,
    *,
    out: str | Path | None = None,
    as_of: dt.date | str | None = None,
    progress: bool = False,
    notebook: str | Path | None = None,
    excel_writer: Callable[[Any, Path], object] | None = None,
) -> RunResult:
    """Run the full diagnostic of one client (diagnostic complet).

    Parameters
    ----------
    config : Config or path
        The client config, or its ``client.yaml``.
    out : path, optional
        Folder replacing ``reports/``; outputs go to ``<out>/<slug>/<as_of>/``.
    as_of : date or str, optional
        Overrides the config's analysis date (default: config, else last sale in the data).
    progress : bool
        Show the steps (load, notebook, Excel, JSON, PDF) with rich on stderr.
    notebook : path, optional
        Another notebook with the same parameters (tests, client-specific variants).
    excel_writer : callable, optional
        ``writer(diag, path)``; default :func:`icpc.report.excel.write_actions_xlsx`.

    Returns
    -------
    RunResult
        ``out_dir``, ``files`` (name → path), ``skipped`` (False), ``seconds``, ``timings``.

    Raises
    ------
    ConfigError, InputError
        Bad config or unusable input (CLI exit 2), before any kernel starts.
    RunError
        A notebook cell failed: ``"section <title>: <ename>: <evalue>"``. No output is
        published (earlier outputs stay); the failed notebook is kept as
        ``diagnostic.failed.ipynb`` in the run folder.
    """
    t0 = time.perf_counter()
    cfg = config if isinstance(config, Config) else load_config(config)
    cfg = cfg.with_as_of(as_of)
    _require_source(cfg)
    notebook_path = Path(notebook) if notebook is not None else DEFAULT_NOTEBOOK
    if not notebook_path.is_file():
        raise RunError(
            f"notebook {notebook_path} not found; reinstall icpc or pass an existing notebook"
        )
    # the staging folder exists before the kernel starts: the kernel runs in it (the folder
    # of the notebook it writes); it is beside the run folders, whose as_of is not known yet
    client_dir = _client_dir(cfg, out)
    created = _missing_dirs(client_dir)
    client_dir.mkdir(parents=True, exist_ok=True)
    label = cfg.as_of.isoformat() if cfg.as_of is not None else "run"
    staging = Path(tempfile.mkdtemp(prefix=f".{label}.", suffix=".tmp", dir=client_dir))
    steps = _Steps(progress, cfg.client)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-kernel")
    # the kernel starts and imports while this process loads the data (same thread later
    # runs the notebook: one event loop for the kernel manager)
    kernel = pool.submit(_start_kernel, staging)
    published = False
    try:
        with steps.step("load"):
            from icpc.cleaning import load_dataset
            from icpc.diagnostic import Diagnostic
            from icpc.report.meta import cover_metadata

            # the one load of the run: the kernel reads it from dataset/
            dataset = load_dataset(cfg)
            diag = Diagnostic(dataset)
            run_as_of: dt.date = diag.as_of
            cover_metadata(cfg, as_of=run_as_of)  # a bad logo fails now (exit 2), not in the kernel
            out_dir = output_dir(cfg, run_as_of, out)
            parameters = notebook_parameters(
                cfg, as_of=run_as_of, out_dir=out_dir, dataset_path=DATASET_DIR
            )
        files = _run_steps(
            cfg,
            diag,
            notebook_path,
            staging,
            out_dir,
            parameters,
            steps,
            excel_writer,
            pool=pool,
            kernel=kernel,
        )
        published = True
    finally:
        with contextlib.suppress(Exception):
            _stop_kernel(kernel.result())
        pool.shutdown(wait=True)
        steps.close()
        shutil.rmtree(staging, ignore_errors=True)
        if not published:
            for folder in created:  # a run that failed before any output leaves no empty folder
                with contextlib.suppress(OSError):
                    folder.rmdir()
    return RunResult(
        out_dir=out_dir,
        files=files,
        skipped=False,
        seconds=round(time.perf_counter() - t0, 3),
        timings=steps.timings,
    )


def _missing_dirs(folder: Path) -> list[Path]:
    """The folders ``folder.mkdir(parents=True)`` would create, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _run_steps(
    cfg: Config,
    diag: Any,
    notebook_path: Path,
    staging: Path,
    out_dir: Path,
    parameters: dict[str, Any],
    steps: _Steps,
    excel_writer: Callable[[Any, Path], object] | None,
    *,
    pool: ThreadPoolExecutor,
    kernel: Any,
) -> dict[str, Path]:
    names = OUTPUT_FILES
    staged_nb = staging / names["notebook"]
    with steps.step("dataset"):
        from icpc.cleaning import save_dataset

        # before the notebook starts: its kernel reads it (dataset_path, relative to staging)
        save_dataset(diag.dataset, staging / DATASET_DIR)
    nb_started = steps.start("notebook")
    future = pool.submit(lambda: _execute(notebook_path, staged_nb, parameters, km=kernel.result()))
    try:
        # the parent works while the kernel runs: same Diagnostic, data loaded once here
        with steps.step("json"):
            _write_json(staging / names["kpis"], diag.kpis_json())
            diag.write_customers_csv(staging / names["customers"])
        with steps.step("excel"):
            if excel_writer is None:
                from icpc.report.excel import write_actions_xlsx

                write_actions_xlsx(diag, staging / names["excel"])
            else:
                excel_writer(diag, staging / names["excel"])
        from icpc.report.exporter import warm_up

        exporter = warm_up()  # fonts and template ready before the notebook ends
        nb_seconds = future.result()
    except RunError:
        if staged_nb.is_file():
            out_dir.mkdir(parents=True, exist_ok=True)
            os.replace(staged_nb, out_dir / FAILED_NOTEBOOK)
        raise
    except BaseException:
        # this side failed (or Ctrl-C): the run is lost, stop the notebook now
        with contextlib.suppress(BaseException):
            _stop_kernel(kernel.result())
            future.result(timeout=60)
        raise
    steps.done("notebook", nb_started, nb_seconds)

    with steps.step("pdf"):
        from icpc.report.exporter import notebook_to_pdf

        cpu = time.process_time()
        notebook_to_pdf(staged_nb, staging / names["pdf"], exporter=exporter)
        steps.timings["pdf_cpu"] = round(time.process_time() - cpu, 3)

    with steps.step("manifest"):
        from icpc.manifest import build_manifest

        order = [names[k] for k in ("notebook", "kpis", "customers", "excel", "pdf")]
        manifest = build_manifest(
            cfg,
            parameters=parameters,
            data_quality=diag.dataset.data_quality(),
            files={name: staging / name for name in order},
            as_of=diag.as_of,
        )
        manifest["timings"] = dict(steps.timings)  # seconds per step (wall; pdf_cpu: CPU)
        _write_json(staging / names["manifest"], manifest)
        dataset = _publish_folder(
            staging / DATASET_DIR, out_dir / DATASET_DIR, staging / ".replaced-dataset"
        )
        files = _publish(staging, out_dir, [*order, names["manifest"]])
        files[DATASET_DIR] = dataset
        stale = out_dir / FAILED_NOTEBOOK
        if stale.exists():
            stale.unlink()
    return files
