"""Tests of icpc.run.runner: parameters contract, failure reporting, atomic outputs, full run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from icpc.config import config_from_dict, load_config
from icpc.exceptions import ConfigError, RunError
from icpc.run.failure import failure_section
from icpc.run.kernel import _execute, _start_kernel, _stop_kernel
from icpc.run.runner import (
    DATASET_DIR,
    DEFAULT_NOTEBOOK,
    FAILED_NOTEBOOK,
    OUTPUT_FILES,
    SCORECARDS_DIR,
    notebook_parameters,
    output_dir,
    run_client,
)

PARAMETERS_SOURCE = 'config_path = ""\nas_of = None\nlanguage = "fr"\noutput_dir = "."'


def _nb(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    params = new_code_cell(PARAMETERS_SOURCE, metadata={"tags": ["parameters"]})
    return new_notebook(
        cells=[params, *cells],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )


def _error(ename: str = "KeyError", evalue: str = "'segment'") -> nbformat.NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=["Traceback…"])


def _failing(**metadata: object) -> nbformat.NotebookNode:
    return new_code_cell("fails()", outputs=[_error()], metadata=metadata)


# ------------------------------------------------------------------ failure_section (no kernel)
@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([new_markdown_cell("# Score3D\n\nintro"), _failing()], "Score3D"),
        ([new_markdown_cell("# Clients\n## Perdus"), new_code_cell("ok()"), _failing()], "Perdus"),
        (
            [new_markdown_cell("# Clients"), _failing(icpc={"section": "Alerte précoce"})],
            "Alerte précoce",
        ),
        (
            [
                new_code_cell(
                    "show()",
                    outputs=[
                        new_output("display_data", data={"text/markdown": "## Concentration"})
                    ],
                ),
                _failing(),
            ],
            "Concentration",
        ),
        (
            [
                new_code_cell(
                    "show()",
                    outputs=[
                        new_output(
                            "display_data",
                            data={"text/html": "<h2>Équipe <em>commerciale</em></h2>"},
                        )
                    ],
                ),
                _failing(),
            ],
            "Équipe commerciale",
        ),
        (
            [
                new_markdown_cell("# Synthèse"),
                new_code_cell("sections.segments(diag);", outputs=[_error()]),
            ],
            "Segments Score3D",
        ),
        (
            [
                new_markdown_cell("# Synthèse"),
                new_code_cell("sections.revenue_explained(diag);", outputs=[_error()]),
            ],
            "Le chiffre d’affaires expliqué",
        ),
        ([_failing(icpc={"section": "early_warning"})], "Clients en décrochage"),
        ([_failing()], None),
        ([new_markdown_cell("# Avant"), _failing(), new_markdown_cell("# Après")], "Avant"),
    ],
    ids=[
        "markdown-heading",
        "nearest-subheading",
        "metadata-wins",
        "displayed-markdown",
        "displayed-html",
        "section-call",
        "section-call-alias",
        "metadata-key",
        "no-heading",
        "heading-after-ignored",
    ],
)
def test_failure_section(cells: list, expected: str | None) -> None:
    section, error = failure_section(_nb(*cells))
    assert section == expected
    assert error == {"ename": "KeyError", "evalue": "'segment'"}


def test_failure_section_ignores_papermill_error_cells() -> None:
    banner = new_markdown_cell(
        "# An Exception was encountered", metadata={"tags": ["papermill-error-cell-tag"]}
    )
    nb = _nb(banner, new_markdown_cell("# Synthèse"), _failing())
    assert failure_section(nb)[0] == "Synthèse"


def test_failure_section_without_error() -> None:
    assert failure_section(_nb(new_markdown_cell("# A"), new_code_cell("x = 1"))) == (None, None)


# ------------------------------------------------------------------ parameters and folders
def _config(tmp_path: Path, **extra: object):
    path = tmp_path / "client.yaml"
    path.write_text(
        "client: Distribution Martin SAS\nlanguage: en\n"
        "transactions: {path: f.csv, columns: {customer_id: c, date: d, amount: a}}\n",
        encoding="utf-8",
    )
    return load_config(path)


def test_notebook_parameters_are_literals_with_absolute_paths(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    params = notebook_parameters(cfg, as_of=dt.date(2024, 12, 31), out_dir=Path("reports/x"))
    assert params == {
        "config_path": str((tmp_path / "client.yaml").resolve()),
        "as_of": "2024-12-31",
        "language": "en",
        "output_dir": str(Path("reports/x").resolve()),
        "dataset_path": None,
    }


def test_dataset_path_parameter_stays_relative(tmp_path: Path) -> None:
    params = notebook_parameters(
        _config(tmp_path), as_of=dt.date(2024, 12, 31), out_dir=tmp_path, dataset_path=DATASET_DIR
    )
    assert (
        params["dataset_path"] == "dataset"
    )  # relative to the executed notebook: the run folder can move


def test_config_without_file_cannot_run(tmp_path: Path) -> None:
    cfg = config_from_dict(
        {
            "client": "X",
            "transactions": {
                "path": "f.csv",
                "columns": {"customer_id": "c", "date": "d", "amount": "a"},
            },
        },
        base_dir=tmp_path,
    )
    with pytest.raises(ConfigError, match="YAML file"):
        notebook_parameters(cfg, as_of=dt.date(2024, 12, 31), out_dir=tmp_path)


@pytest.mark.parametrize("out", [None, "elsewhere"], ids=["reports", "out-option"])
def test_output_dir_is_slug_then_as_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = output_dir(_config(tmp_path), dt.date(2024, 12, 31), out)
    assert folder == tmp_path / (out or "reports") / "distribution-martin-sas" / "2024-12-31"


def test_parameters_contract_with_the_diagnostic_notebook(tmp_path: Path) -> None:
    if not DEFAULT_NOTEBOOK.is_file():
        pytest.skip("notebooks/diagnostic.ipynb not written yet")
    import papermill as pm

    declared = set(pm.inspect_notebook(str(DEFAULT_NOTEBOOK)))
    passed = set(
        notebook_parameters(_config(tmp_path), as_of=dt.date(2024, 12, 31), out_dir=tmp_path)
    )
    assert declared == passed


def test_missing_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        run_client(tmp_path / "nope.yaml", out=tmp_path)


@pytest.mark.notebook  # the kernel starts while the data loads
def test_unusable_input_leaves_no_folder(tmp_path: Path) -> None:
    from icpc.exceptions import InputError

    cfg = _config(tmp_path)  # its f.csv does not exist
    out = tmp_path / "reports" / "deep"
    with pytest.raises(InputError):
        run_client(cfg, out=out)
    assert not (
        tmp_path / "reports"
    ).exists()  # neither the staging folder nor the folders made for it


# ------------------------------------------------------------------ with a kernel
@pytest.mark.notebook
def test_failing_cell_gives_one_line_naming_section_and_error(tmp_path: Path) -> None:
    nb_path = tmp_path / "broken.ipynb"
    nbformat.write(
        _nb(new_markdown_cell("# Segments Score3D"), new_code_cell("{}['segment']")), nb_path
    )
    out = tmp_path / "executed.ipynb"
    with pytest.raises(RunError) as info:
        _execute(
            nb_path,
            out,
            {
                "config_path": "x",
                "as_of": "2024-12-31",
                "language": "fr",
                "output_dir": str(tmp_path),
            },
        )
    message = str(info.value)
    assert message == "section Segments Score3D: KeyError: 'segment'"
    assert "\n" not in message


@pytest.mark.notebook
@pytest.mark.parametrize("prestarted", [False, True], ids=["papermill-kernel", "prestarted-kernel"])
def test_kernel_runs_single_threaded_with_inline_figures(tmp_path: Path, prestarted: bool) -> None:
    source = (
        "import json, os, pathlib\n"
        "keys = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'MPLBACKEND']\n"
        "pathlib.Path(output_dir, 'env.json').write_text(json.dumps({k: os.environ.get(k) for k in keys}))"
    )
    nb_path = tmp_path / "env.ipynb"
    nbformat.write(_nb(new_code_cell(source)), nb_path)
    km = _start_kernel(tmp_path, "import json") if prestarted else None
    try:
        seconds = _execute(
            nb_path,
            tmp_path / "out.ipynb",
            {
                "config_path": "x",
                "as_of": "2024-12-31",
                "language": "fr",
                "output_dir": str(tmp_path),
            },
            km=km,
        )
    finally:
        if km is not None:
            _stop_kernel(km)
    if km is not None:
        assert not Path(km._icpc_sockets).exists()
    env = json.loads((tmp_path / "env.json").read_text())
    assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"
    assert env["MPLBACKEND"] == "module://matplotlib_inline.backend_inline"
    assert seconds > 0
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # the silent warm-up leaves no trace


@pytest.mark.notebook
def test_warm_up_imports_without_leaving_names_or_outputs(tmp_path: Path) -> None:
    source = (
        "import json, os, sys\n"
        "names = sorted(n for n in ('icpc', 'io', 'Figure', '_icpc_warm_up') if n in globals())\n"
        "loaded = [m for m in ('icpc.report.sections', 'matplotlib.figure', 'pyarrow.parquet', 'scipy') if m in sys.modules]\n"
        "written = open('warm.json', 'w').write(json.dumps({'names': names, 'loaded': loaded, 'cwd': os.getcwd()}))"
    )
    nb_path = tmp_path / "warm.ipynb"
    nbformat.write(_nb(new_code_cell(source)), nb_path)
    staging = tmp_path / "staging"
    staging.mkdir()
    km = _start_kernel(staging)  # the default warm-up
    try:
        _execute(
            nb_path,
            staging / "out.ipynb",
            {
                "config_path": "x",
                "as_of": "2024-12-31",
                "language": "fr",
                "output_dir": str(tmp_path),
            },
            km=km,
        )
    finally:
        _stop_kernel(km)
    # written in the folder of the notebook it wrote
    found = json.loads((staging / "warm.json").read_text())
    assert found == {
        "names": [],
        # scipy (seaborn's, ~0.5 s) is not needed to draw the report
        "loaded": ["icpc.report.sections", "matplotlib.figure", "pyarrow.parquet"],
        "cwd": str(staging.resolve()),
    }
    executed = nbformat.read(staging / "out.ipynb", as_version=4)
    assert [c.outputs for c in executed.cells if c.cell_type == "code"] == [[], [], []]
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3]


def _open_descriptors() -> int:
    import os

    return len(os.listdir(f"/proc/{os.getpid()}/fd"))


@pytest.mark.notebook
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts /proc/<pid>/fd (Linux)")
def test_kernels_one_after_another_leave_no_descriptor_or_thread(tmp_path: Path) -> None:
    """A batch worker runs client after client: each run's kernel, its sockets, the notebook
    client's channels and their heartbeat thread go with it (they once stayed: ~10 file
    descriptors a run, and a worker ran out of them after about 80 clients)."""
    import gc
    import threading
    from concurrent.futures import ThreadPoolExecutor

    nb_path = tmp_path / "one.ipynb"
    nbformat.write(_nb(new_code_cell("x = 1")), nb_path)
    parameters = {"config_path": "x", "as_of": "2024-12-31", "language": "fr", "output_dir": "."}

    def one_run(n: int) -> None:  # as a run does it: a thread of its own for the kernel
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        pool = ThreadPoolExecutor(max_workers=1)
        km = pool.submit(_start_kernel, folder, "import json").result()
        try:
            pool.submit(_execute, nb_path, folder / "out.ipynb", parameters, km=km).result()
        finally:
            _stop_kernel(km)
            pool.shutdown(wait=True)

    one_run(0)  # the first one opens what a process keeps (its event loop)
    gc.collect()
    before = _open_descriptors()
    for n in (1, 2, 3):
        one_run(n)
    gc.collect()
    assert _open_descriptors() - before <= 1  # 10 a run before
    names = [type(t).__name__ for t in threading.enumerate()]
    assert "HBChannel" not in names


@pytest.mark.notebook
def test_kernel_dying_in_its_warm_up_is_not_waited_for(tmp_path: Path) -> None:
    import time

    started = time.perf_counter()
    km = _start_kernel(tmp_path, "import os; os._exit(3)")
    try:
        assert time.perf_counter() - started < 60  # not the warm-up's 120 s timeout
    finally:
        _stop_kernel(km)


@pytest.mark.notebook
@pytest.mark.slow
def test_failing_run_publishes_nothing(tmp_path: Path, demo_config: Path) -> None:
    pytest.importorskip("icpc.cleaning")
    pytest.importorskip("icpc.diagnostic")
    nb_path = tmp_path / "broken.ipynb"
    nbformat.write(
        _nb(new_markdown_cell("# Alerte précoce"), new_code_cell("raise ValueError('bad rhythm')")),
        nb_path,
    )
    out = tmp_path / "reports"
    with pytest.raises(RunError, match=r"^section Alerte précoce: ValueError: bad rhythm"):
        run_client(
            demo_config,
            out=out,
            notebook=nb_path,
            excel_writer=lambda diag, path: path.write_bytes(b"x"),
        )
    produced = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert produced == [FAILED_NOTEBOOK]
    assert not list(out.rglob("*.pdf")) and not list(out.rglob("*.tmp"))


@pytest.mark.notebook
@pytest.mark.slow
def test_full_run_on_the_demo_client(tmp_path: Path, demo_config: Path) -> None:
    pytest.importorskip("icpc.cleaning")
    pytest.importorskip("icpc.diagnostic")
    pytest.importorskip("icpc.export.excel")
    if not DEFAULT_NOTEBOOK.is_file():
        pytest.skip("notebooks/diagnostic.ipynb not written yet")
    from pypdf import PdfReader

    from icpc.fsutil import sha256_file

    result = run_client(demo_config, out=tmp_path)
    cfg = load_config(demo_config)
    assert result.out_dir.parent == tmp_path / cfg.slug
    folders = [DATASET_DIR, SCORECARDS_DIR]  # the demo maps its salespeople
    assert sorted(result.files) == sorted([*OUTPUT_FILES.values(), *folders])
    assert sorted(p.name for p in result.out_dir.iterdir()) == sorted(
        [*OUTPUT_FILES.values(), *folders]
    )
    assert sorted(p.name for p in (result.out_dir / DATASET_DIR).iterdir()) == [
        "activity.parquet",
        "customers.parquet",
        "dataset.json",
        "transactions.parquet",
    ]
    assert sorted(p.name for p in result.out_dir.parent.iterdir()) == [
        result.out_dir.name
    ]  # no staging left
    kpis = json.loads((result.out_dir / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["client"] == cfg.client and kpis["as_of"] == result.out_dir.name
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        assert sha256_file(result.out_dir / name) == digest
    cards = {f"{SCORECARDS_DIR}/{p.name}" for p in (result.out_dir / SCORECARDS_DIR).iterdir()}
    assert len(cards) == len(kpis["by_salesperson"])  # the demo has no unassigned customer
    assert set(manifest["files"]) == set(OUTPUT_FILES.values()) - {"manifest.json"} | cards
    pages = [p.extract_text() for p in PdfReader(result.out_dir / "diagnostic.pdf").pages]
    text = "\n".join(pages)
    assert cfg.client in pages[0]
    assert f"page 2 / {len(pages)}" in pages[1]
    assert "Traceback" not in text and "import " not in text
    assert set(result.timings) >= {"load", "dataset", "notebook", "json", "excel", "scorecards",
                                   "pdf"}  # fmt: skip
    executed = nbformat.read(result.out_dir / "diagnostic.ipynb", as_version=4)
    assert executed.metadata.papermill.parameters["dataset_path"] == DATASET_DIR
    assert manifest["parameters"]["dataset_path"] == DATASET_DIR
    counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    assert not list(DEFAULT_NOTEBOOK.parent.glob("kernel-*"))  # no socket files left


@pytest.mark.notebook
@pytest.mark.slow
def test_failure_on_the_parent_side_stops_the_notebook(tmp_path: Path, demo_config: Path) -> None:
    pytest.importorskip("icpc.cleaning")
    import time

    nb_path = tmp_path / "slow.ipynb"
    nbformat.write(_nb(new_code_cell("import time\ntime.sleep(120)")), nb_path)

    def broken_writer(diag: object, path: Path) -> None:
        raise ValueError("excel writer bug")

    started = time.perf_counter()
    with pytest.raises(ValueError, match="excel writer bug"):
        run_client(
            demo_config, out=tmp_path / "reports", notebook=nb_path, excel_writer=broken_writer
        )
    assert time.perf_counter() - started < 60  # the 120 s cell was not waited for
    assert not [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]


def test_a_published_folder_replaces_the_earlier_one_whole(tmp_path: Path) -> None:
    from icpc.run.outputs import _publish_folder

    run, staging = tmp_path / "run", tmp_path / ".staging"
    (run / SCORECARDS_DIR).mkdir(parents=True)
    (run / SCORECARDS_DIR / "gone.pdf").write_bytes(b"a salesperson who left")
    (staging / SCORECARDS_DIR).mkdir(parents=True)
    (staging / SCORECARDS_DIR / "anne.pdf").write_bytes(b"anne")
    trash = staging / ".replaced"
    assert _publish_folder(staging / SCORECARDS_DIR, run / SCORECARDS_DIR, trash) == (
        run / SCORECARDS_DIR
    )
    assert sorted(p.name for p in (run / SCORECARDS_DIR).iterdir()) == ["anne.pdf"]
    # a later run without salespeople stages none: the earlier folder goes all the same
    assert _publish_folder(staging / SCORECARDS_DIR, run / SCORECARDS_DIR, staging / ".r2") is None
    assert not (run / SCORECARDS_DIR).exists()


def test_the_outputs_guide_lists_every_file_the_pdf_first(tmp_path: Path) -> None:
    from icpc.run.runner import outputs_guide

    for language, first in (("fr", "le rapport pour le dirigeant"), ("en", "the report for")):
        lines = outputs_guide(tmp_path, language)
        assert str(tmp_path) in lines[0]
        named = [line.split()[0] for line in lines[1:]]
        assert sorted(named) == sorted(OUTPUT_FILES.values()) and named[0] == "diagnostic.pdf"
        assert first in lines[1]
    # a run with salespeople: their scorecards' folder, right after the workbook
    (tmp_path / SCORECARDS_DIR).mkdir()
    named = [line.split()[0] for line in outputs_guide(tmp_path, "fr")[1:]]
    assert named[:3] == ["diagnostic.pdf", "actions.xlsx", "scorecards/"]


@pytest.mark.notebook
@pytest.mark.slow
def test_a_prestarted_kernel_is_moved_to_the_run_then_cleaned_up(
    tmp_path: Path, demo_config: Path
) -> None:
    """icpc run starts the kernel before its imports; the run moves it to its staging folder
    (relative parameters resolve there), then stops it and removes its first folder."""
    from icpc.run import kernel as K

    seen = tmp_path / "cwd.json"
    source = f"import json, os\nopen({str(seen)!r}, 'w').write(json.dumps(os.getcwd()))"
    nb_path = tmp_path / "probe.ipynb"
    nbformat.write(_nb(new_code_cell(source)), nb_path)
    K.prestart()
    early = K._PRESTARTED
    assert early is not None
    result = run_client(
        demo_config,
        out=tmp_path / "reports",
        notebook=nb_path,
        excel_writer=lambda diag, path: path.write_bytes(b"x"),
    )
    cwd = Path(json.loads(seen.read_text()))
    assert cwd.parent == result.out_dir.parent and cwd.name.endswith(".tmp")  # the staging
    assert not early.folder.exists()
    assert K.take_prestarted() is None  # handed over once
    from jupyter_core.utils import run_sync

    assert not run_sync(early.kernel.result().is_alive)()


@pytest.mark.notebook
def test_a_bad_config_stops_the_prestarted_kernel(tmp_path: Path) -> None:
    from jupyter_core.utils import run_sync

    from icpc.run import kernel as K

    K.prestart()
    early = K._PRESTARTED
    assert early is not None
    with pytest.raises(ConfigError):
        run_client(tmp_path / "missing.yaml", out=tmp_path)
    assert not early.folder.exists()
    assert not run_sync(early.kernel.result().is_alive)()
    assert K.take_prestarted() is None


@pytest.mark.notebook
def test_starting_the_kernel_leaves_this_processs_environment_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel gets its own environment (one BLAS thread, the run's key): the parent's
    other threads, loading data meanwhile, never see OMP_NUM_THREADS=1 or the key."""
    import os

    from icpc.lazy import KEY_VARIABLE
    from icpc.run.kernel import KERNEL_ENV, KernelThread

    class Recording(dict):
        written: list[str] = []

        def __setitem__(self, key: str, value: str) -> None:
            self.written.append(key)
            super().__setitem__(key, value)

        def update(self, *args: Any, **kwargs: str) -> None:
            for key, value in dict(*args, **kwargs).items():
                self[key] = value

    env = Recording(os.environ)
    monkeypatch.setattr(os, "environ", env)
    started = KernelThread.start(tmp_path)
    try:
        started.kernel.result()
    finally:
        started.stop()
    assert not set(env.written) & {*KERNEL_ENV, KEY_VARIABLE}


@pytest.fixture(scope="module")
def small_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from icpc.datasets.demo import write_sample

    return write_sample(tmp_path_factory.mktemp("small"), seed=3, customers=100, years=2)


@pytest.fixture
def quick(tmp_path: Path) -> Path:
    """A notebook of one cell: the runs' outputs, not the report, are what is tested."""
    path = tmp_path / "quick.ipynb"
    nbformat.write(_nb(new_markdown_cell("# Synthèse"), new_code_cell("1 + 1")), path)
    return path


@pytest.mark.notebook
@pytest.mark.slow
def test_a_rerun_never_replaces_an_earlier_diagnostic_without_force(
    tmp_path: Path, small_client: Path, quick: Path
) -> None:
    from icpc.exceptions import InputError

    first = run_client(small_client, out=tmp_path, notebook=quick)
    kpis = (first.out_dir / "kpis.json").read_bytes()
    with pytest.raises(
        InputError, match=r"a diagnostic of this client at this date exists; add --force"
    ):
        run_client(small_client, out=tmp_path, notebook=quick)
    assert (first.out_dir / "kpis.json").read_bytes() == kpis  # untouched
    assert not list(first.out_dir.parent.glob(".*.tmp"))  # no staging left behind
    again = run_client(small_client, out=tmp_path, notebook=quick, force=True)
    assert again.out_dir == first.out_dir and (again.out_dir / "manifest.json").is_file()


@pytest.mark.notebook
@pytest.mark.slow
def test_the_next_run_follows_up_the_latest_earlier_one_of_this_client_only(
    tmp_path: Path, small_client: Path, quick: Path
) -> None:
    import csv
    import json

    earlier = run_client(small_client, out=tmp_path, notebook=quick, as_of="2024-06-30")
    # another client's folder, later than the earlier run: never read
    other = tmp_path / "another-client" / "2024-09-30"
    other.mkdir(parents=True)
    (other / "kpis.json").write_text(json.dumps({"slug": "another-client", "as_of": "2024-09-30"}))
    now = run_client(small_client, out=tmp_path, notebook=quick)
    block = json.loads((now.out_dir / "kpis.json").read_text(encoding="utf-8"))["follow_up"]
    assert block["previous_as_of"] == "2024-06-30"
    with open(earlier.out_dir / "customers.csv", encoding="utf-8") as fh:
        flagged = {r["customer_id"] for r in csv.DictReader(fh) if r["early_warning"] == "true"}
    then = block["flagged_then"]
    assert then["customers"] == len(flagged) > 0
    assert then["recovered"] + then["lost"] + then["still_flagged"] + then["other"] == len(flagged)
    assert [h["as_of"] for h in block["history"]] == ["2024-06-30", "2024-12-31"]


def test_ast_parse_is_one_thread_at_a_time(monkeypatch):
    """CPython 3.11 fails ("AST constructor recursion depth mismatch") when two threads are
    inside ast.parse at once, as the notebook's thread and the scorecards' matplotlib were
    in a Dask batch: once serialised, eight threads parsing never overlap, ast.literal_eval
    goes through the lock too, and a second call wraps nothing again."""
    import ast
    import threading
    import time as time_

    from icpc.run.kernel import serialise_ast_parse

    inside, most = [0], [0]
    count = threading.Lock()
    real = ast.parse

    def slow_parse(*args, **kwargs):
        with count:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time_.sleep(0.01)  # gives the other threads every chance to come in
        with count:
            inside[0] -= 1
        return real(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", slow_parse)
    serialise_ast_parse()
    wrapped = ast.parse
    serialise_ast_parse()
    assert ast.parse is wrapped and wrapped is not slow_parse

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(ast.literal_eval("[1, (2, 3)]")))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [[1, (2, 3)]] * 8
    assert most[0] == 1
