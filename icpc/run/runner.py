"""Run one client's full diagnostic (``icpc run``): notebook, PDF, Excel, kpis.json, manifest.

:func:`run_client` loads and cleans the client's data **once**, in this process (to learn
the analysis date and compute the indicators), and saves the cleaned dataset in the run's
``dataset/`` folder (:func:`icpc.cleaning.save_dataset`: Parquet frames and the ledgers).
It runs Papermill on ``notebooks/diagnostic.ipynb`` in a kernel of the current environment
(one BLAS/OpenMP thread) with ``dataset_path="dataset"``: the kernel reads that dataset,
never the client's exports, and only renders. While the kernel works, this process writes
``kpis.json``, ``customers.csv``, ``actions.xlsx`` and the salespeople's
``scorecards/`` (:mod:`icpc.report.scorecard`) from its
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
and a failed run publishes nothing — earlier outputs stay as they were (the outputs'
names, their folder, the renames and the guide printed at the end are in
:mod:`icpc.run.outputs`). When a notebook
cell fails, :class:`~icpc.exceptions.RunError` names the section and the error in one
line, and the failed notebook is kept as ``diagnostic.failed.ipynb`` for the analyst.

Example
-------
>>> result = run_client("data_samples/demo/client.yaml", out="/tmp/reports")  # doctest: +SKIP
>>> sorted(result.files)  # doctest: +SKIP
['actions.xlsx', 'customers.csv', 'dataset', 'diagnostic.ipynb', 'diagnostic.pdf', 'kpis.json', 'manifest.json', 'scorecards']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from icpc.config import Config, load_config
from icpc.exceptions import ConfigError, InputError, RunError
from icpc.lazy import ANALYSES_FILE, save_analyses
from icpc.run.kernel import (
    KernelThread,
    _execute,
    _stop_kernel,
    serialise_ast_parse,
    take_prestarted,
)
from icpc.run.outputs import (
    DATASET_DIR,
    FAILED_NOTEBOOK,
    OUTPUT_FILES,
    SCORECARDS_DIR,
    _client_dir,
    _missing_dirs,
    _publish,
    _publish_folder,
    _write_json,
    output_dir,
    outputs_guide,
)

__all__ = [
    "DEFAULT_NOTEBOOK",
    "OUTPUT_FILES",
    "FAILED_NOTEBOOK",
    "DATASET_DIR",
    "SCORECARDS_DIR",
    "RunResult",
    "output_dir",
    "notebook_parameters",
    "run_client",
]


#: the slow analyses the machine outputs need, computed on a worker thread while the
#: kpis.json blocks before them are built (:meth:`Diagnostic.background`): the early
#: warning's rules (without the salespeople, added by the main thread) and its ranking;
#: their shared inputs first, so that no analysis is computed by two threads. The anomalies are the
#: main thread's, once its other blocks are built (:data:`icpc.export.kpis_json.LATE`):
#: on one worker after the ranking they made the longest chain (8M lines)
BACKGROUND = ("warning_rules", "warning_ranking")
#: the rules and the ranking read the documents only: the worker starts before the
#: customer table is computed (the main thread's first analysis)
BACKGROUND_INPUTS = ("documents",)
#: … and customers.csv's own: P(alive), which the ranking (kpis.json) has fitted already
CUSTOMERS_BACKGROUND = ("alive",)
#: the modules the ranking's fit imports late (0.5 s): imported while the data loads
BACKGROUND_IMPORTS = ("scipy.optimize",)

#: the diagnostic notebook executed for each client
DEFAULT_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "diagnostic.ipynb"
if not DEFAULT_NOTEBOOK.is_file():  # a non-editable install ships it under <prefix>/share/icpc
    DEFAULT_NOTEBOOK = Path(sys.prefix) / "share" / "icpc" / "notebooks" / "diagnostic.ipynb"


@dataclass(frozen=True)
class RunResult:
    """What one client run produced (résultat d'exécution).

    Attributes
    ----------
    out_dir : Path
        ``<out>/<slug>/<as_of>/``.
    files : dict of str to Path
        Output file name → path (``diagnostic.ipynb``, ``diagnostic.pdf``, ``actions.xlsx``,
        ``kpis.json``, ``customers.csv``, ``manifest.json``), ``dataset`` → the
        dataset folder the notebook read, and ``scorecards`` → the folder of the
        salespeople's scorecards (when a salesperson column is mapped).
    skipped : bool
        True when nothing was done because the outputs were up to date (batch only).
    seconds : float
        Wall time of the run.
    timings : dict of str to float
        Wall seconds per step (``load``, ``dataset`` — saving it for the notebook —,
        ``notebook``, ``json``, ``excel``, ``scorecards``, ``pdf``, ``manifest``; the
        notebook overlaps the Excel and scorecards steps) and ``pdf_cpu``, the
        CPU seconds of the PDF step. Also written to ``manifest.json`` (``timings``).
    warnings : tuple of str
        What the reader must know (the data ends well before ``as_of``), one line each;
        the report says it too, and ``progress`` prints them on stderr.
    """

    out_dir: Path
    files: dict[str, Path]
    skipped: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


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


class _Steps:
    """Step timings, shown with rich on stderr when ``progress`` is on."""

    LABELS = {"load": "load", "dataset": "dataset", "notebook": "notebook", "excel": "Excel", "json": "JSON",
              "scorecards": "scorecards", "pdf": "PDF", "manifest": "manifest"}  # fmt: skip

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


def run_client(
    config: Config | str | Path,
    *,
    out: str | Path | None = None,
    as_of: dt.date | str | None = None,
    progress: bool = False,
    notebook: str | Path | None = None,
    excel_writer: Callable[[Any, Path], object] | None = None,
    previous: str | Path | None = None,
    force: bool = False,
    cache: bool = True,
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
        ``writer(diag, path)``; default :func:`icpc.export.excel.write_actions_xlsx`.
    previous : path, optional
        The earlier diagnostic to follow up (``--previous``); default the latest earlier
        run folder of the client (:func:`icpc.run.previous.find_earlier`).
    force : bool
        Replace an earlier diagnostic of the same client and as_of; without it, such a run
        folder stops the run (:class:`~icpc.exceptions.InputError`, exit 2) before the
        notebook.
    cache : bool
        Read the cleaned data from the cache of cleaned datasets when it holds it, else
        keep it there (:mod:`icpc.cleaning.cache`; ``--no-cache``: False).

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
    serialise_ast_parse()  # this run's threads parse source side by side (see its docstring)
    early = take_prestarted()  # the kernel icpc run started before the imports, if any
    try:
        cfg = config if isinstance(config, Config) else load_config(config)
        cfg = cfg.with_as_of(as_of)
        _require_source(cfg)
        notebook_path = Path(notebook) if notebook is not None else DEFAULT_NOTEBOOK
        if not notebook_path.is_file():
            raise RunError(
                f"notebook {notebook_path} not found; reinstall icpc or pass an existing notebook"
            )
        if not force and cfg.as_of is not None:  # known now: no load before the refusal
            _refuse_overwrite(output_dir(cfg, cfg.as_of, out))
    except BaseException:
        if early is not None:
            early.stop()
            shutil.rmtree(early.folder, ignore_errors=True)
        raise
    # the staging folder exists before the kernel starts: the kernel runs in it (the folder
    # of the notebook it writes); it is beside the run folders, whose as_of is not known yet
    client_dir = _client_dir(cfg, out)
    created = _missing_dirs(client_dir)
    client_dir.mkdir(parents=True, exist_ok=True)
    label = cfg.as_of.isoformat() if cfg.as_of is not None else "run"
    staging = Path(tempfile.mkdtemp(prefix=f".{label}.", suffix=".tmp", dir=client_dir))
    steps = _Steps(progress, cfg.client)
    # the kernel starts and imports while this process loads the data; one started before
    # the imports (icpc run) is moved to the staging folder before the notebook
    started = early if early is not None else KernelThread.start(staging)
    pool, kernel, key = started.pool, started.kernel, started.key
    chdir = staging if early is not None else None
    published = False
    try:
        with steps.step("load"):
            from icpc.cleaning import load_dataset
            from icpc.diagnostic import Diagnostic
            from icpc.lazy import import_in_background
            from icpc.report.meta import cover_metadata

            import_in_background(*BACKGROUND_IMPORTS)
            # the one load of the run: the kernel reads it from dataset/
            dataset = load_dataset(cfg, cache=cache)
            diag = Diagnostic(dataset)
            run_as_of: dt.date = diag.as_of
            cover_metadata(cfg, as_of=run_as_of)  # a bad logo fails now (exit 2), not in the kernel
            out_dir = output_dir(cfg, run_as_of, out)
            if not force:
                _refuse_overwrite(out_dir)
            from icpc.run.previous import find_earlier

            diag.with_earlier(
                find_earlier(
                    client_dir,
                    as_of=run_as_of,
                    slug=cfg.slug,
                    previous=Path(previous) if previous is not None else None,
                )
            )
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
            key=key,
            chdir=chdir,
        )
        published = True
    finally:
        started.stop()
        if early is not None:
            shutil.rmtree(early.folder, ignore_errors=True)
        steps.close()
        shutil.rmtree(staging, ignore_errors=True)
        if not published:
            for folder in created:  # a run that failed before any output leaves no empty folder
                with contextlib.suppress(OSError):
                    folder.rmdir()
    warnings = tuple(w for w in (diag.data_end_warning(),) if w)
    if progress:  # with the steps, on stderr (icpc run)
        for warning in warnings:
            print(f"icpc: {warning}", file=sys.stderr)
        print("\n".join(outputs_guide(out_dir, cfg.language)), file=sys.stderr)
    return RunResult(
        out_dir=out_dir,
        files=files,
        skipped=False,
        seconds=round(time.perf_counter() - t0, 3),
        timings=steps.timings,
        warnings=warnings,
    )


def _refuse_overwrite(out_dir: Path) -> None:
    """Stop before a run replaces an earlier diagnostic of the same client and as_of."""
    if any((out_dir / OUTPUT_FILES[k]).exists() for k in ("manifest", "kpis", "pdf")):
        raise InputError(
            f"{out_dir}: a diagnostic of this client at this date exists; add --force to "
            "replace it, or choose another folder with --out (or another --as-of)"
        )


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
    key: bytes,
    chdir: Path | None = None,
) -> dict[str, Path]:
    names = OUTPUT_FILES
    staged_nb = staging / names["notebook"]
    with steps.step("dataset"):
        from icpc.cleaning import save_dataset

        # before the notebook starts: its kernel reads it (dataset_path, relative to staging)
        save_dataset(diag.dataset, staging / DATASET_DIR)
    with (
        steps.step("json"),
        diag.background(*BACKGROUND, *CUSTOMERS_BACKGROUND, inputs=BACKGROUND_INPUTS),
    ):
        from icpc.report.sections.registry import kpis_of

        # computed once: the scorecards read their objectives from the same document
        _write_json(staging / names["kpis"], kpis_of(diag))
        diag.write_customers_csv(staging / names["customers"])
    with steps.step("analyses"):
        # the kernel only renders: it reads these, signed with the key only it knows
        diag.action_plan  # noqa: B018  (the synthesis's; the rest is computed by now)
        save_analyses(diag, staging / DATASET_DIR / ANALYSES_FILE, key)
    nb_started = steps.start("notebook")
    future = pool.submit(
        lambda: _execute(notebook_path, staged_nb, parameters, km=kernel.result(), chdir=chdir)
    )
    try:
        # the parent writes the workbook while the kernel renders
        with steps.step("excel"):
            if excel_writer is None:
                from icpc.export.excel import write_actions_xlsx

                write_actions_xlsx(diag, staging / names["excel"])
            else:
                excel_writer(diag, staging / names["excel"])
        from icpc.report.exporter import warm_up

        exporter = warm_up()  # fonts and template ready before the notebook ends
        with steps.step("scorecards"):  # one page per salesperson, while the kernel renders
            from icpc.report.scorecard import write_scorecards

            scorecards = write_scorecards(diag, staging / SCORECARDS_DIR)
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
        from icpc.export.manifest import build_manifest

        order = [names[k] for k in ("notebook", "kpis", "customers", "excel", "pdf")]
        listed = {name: staging / name for name in order}
        listed |= {f"{SCORECARDS_DIR}/{name}": path for name, path in scorecards.items()}
        manifest = build_manifest(
            cfg,
            parameters=parameters,
            data_quality=diag.dataset.data_quality(),
            files=listed,
            as_of=diag.as_of,
            folder=staging,
        )
        manifest["timings"] = dict(steps.timings)  # seconds per step (wall; pdf_cpu: CPU)
        _write_json(staging / names["manifest"], manifest)
        (staging / DATASET_DIR / ANALYSES_FILE).unlink(missing_ok=True)  # this run's only
        dataset = _publish_folder(
            staging / DATASET_DIR, out_dir / DATASET_DIR, staging / ".replaced-dataset"
        )
        # the scorecards' folder replaces an earlier one whole (a salesperson gone has
        # no card left); a run without salespeople removes it
        cards = _publish_folder(
            staging / SCORECARDS_DIR, out_dir / SCORECARDS_DIR, staging / ".replaced-scorecards"
        )
        files = _publish(staging, out_dir, [*order, names["manifest"]])
        if dataset is not None:  # always staged
            files[DATASET_DIR] = dataset
        if cards is not None:
            files[SCORECARDS_DIR] = cards
        stale = out_dir / FAILED_NOTEBOOK
        if stale.exists():
            stale.unlink()
    return files
