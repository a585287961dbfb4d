"""The analyses icpc run computes once and hands to its kernel (icpc.lazy)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from icpc.config import load_config
from icpc.diagnostic import Diagnostic
from icpc.lazy import ANALYSES_FILE, KEY_VARIABLE, analysis_names, load_analyses, save_analyses

KEY = bytes(range(32))


@pytest.fixture
def diag(demo_config: Path) -> Diagnostic:
    d = Diagnostic.from_config(load_config(demo_config))
    d.kpis_json()
    d.early_warning  # noqa: B018
    return d


def test_handed_analyses_are_the_computed_ones_but_line_sized(
    diag: Diagnostic, tmp_path: Path
) -> None:
    names = save_analyses(diag, tmp_path / ANALYSES_FILE, KEY)
    assert "early_warning" in names and "kpis" in names
    assert "prepared" not in names and "documents" not in names  # line-sized
    assert set(names) <= set(analysis_names(Diagnostic))
    loaded = load_analyses(tmp_path, {KEY_VARIABLE: KEY.hex()})
    assert sorted(loaded) == sorted(names)
    pd.testing.assert_frame_equal(loaded["early_warning"], diag.early_warning)
    # a Diagnostic given them computes nothing again, and gives the same kpis.json
    again = Diagnostic(diag.dataset, analyses=loaded)
    assert again.__dict__["early_warning"] is loaded["early_warning"]
    assert again.kpis_json() == diag.kpis_json()


@pytest.mark.parametrize(
    "environ",
    [{}, {KEY_VARIABLE: bytes(32).hex()}, {KEY_VARIABLE: "not hex"}],
    ids=["no key", "another run's key", "garbled key"],
)
def test_nothing_is_read_without_this_runs_key(
    diag: Diagnostic, tmp_path: Path, environ: dict[str, str]
) -> None:
    save_analyses(diag, tmp_path / ANALYSES_FILE, KEY)
    assert load_analyses(tmp_path, environ) == {}


def test_a_tampered_or_missing_file_is_not_read(diag: Diagnostic, tmp_path: Path) -> None:
    environ = {KEY_VARIABLE: KEY.hex()}
    assert load_analyses(tmp_path, environ) == {}  # no file
    path = tmp_path / ANALYSES_FILE
    save_analyses(diag, path, KEY)
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    assert load_analyses(tmp_path, environ) == {}
    path.write_bytes(b"short")
    assert load_analyses(tmp_path, environ) == {}


def test_unknown_names_are_ignored(diag: Diagnostic) -> None:
    d = Diagnostic(diag.dataset, analyses={"dataset": "not this", "kpis": diag.kpis})
    assert d.dataset is diag.dataset
    assert d.__dict__["kpis"] is diag.kpis


@pytest.mark.notebook
@pytest.mark.slow
def test_the_runs_kernel_renders_the_runs_own_analyses(tmp_path: Path, demo_config: Path) -> None:
    """In icpc run the notebook's Diagnostic starts with the analyses the run computed
    (anomalies are computed only on demand, so they are there only if handed over), and
    the file is not published."""
    from icpc.cleaning import load_saved_dataset
    from icpc.run.runner import DATASET_DIR, run_client

    report = tmp_path / "seen.json"
    probe = (
        "import json\n"
        "from icpc.report import sections\n"
        "diag = sections.load_diagnostic(config_path, as_of=as_of, language=language,"
        " dataset_path=dataset_path)\n"
        "handed = 'anomalies' in diag.__dict__ and 'early_warning' in diag.__dict__\n"
        f"open({str(report)!r}, 'w').write(json.dumps({{'handed': handed,"
        " 'revenue': float(diag.kpis.loc['revenue', 'current'])}))"
    )
    params = (
        'config_path = ""\nas_of = None\nlanguage = None\noutput_dir = None\ndataset_path = None'
    )
    nb = new_notebook(
        cells=[new_code_cell(params, metadata={"tags": ["parameters"]}), new_code_cell(probe)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nb_path = tmp_path / "probe.ipynb"
    nbformat.write(nb, nb_path)
    result = run_client(
        demo_config,
        out=tmp_path / "reports",
        notebook=nb_path,
        excel_writer=lambda diag, path: path.write_bytes(b"x"),
    )
    seen = json.loads(report.read_text())
    kpis = json.loads((result.out_dir / "kpis.json").read_text())
    assert seen["handed"] is True
    assert seen["revenue"] == kpis["kpis"]["revenue"]["current"]
    assert not (result.out_dir / DATASET_DIR / ANALYSES_FILE).exists()
    # re-run from the run folder, outside icpc run: computed again, the same numbers
    saved = load_saved_dataset(result.out_dir / DATASET_DIR, load_config(demo_config))
    outside = Diagnostic(saved, analyses=load_analyses(result.out_dir / DATASET_DIR))
    assert "anomalies" not in outside.__dict__
    assert float(outside.kpis.loc["revenue", "current"]) == seen["revenue"]


def test_modules_imported_in_the_background_are_imported_and_failures_left() -> None:
    import sys

    from icpc.lazy import import_in_background

    sys.modules.pop("colorsys", None)
    thread = import_in_background("no_such_module_for_icpc", "colorsys")
    thread.join(timeout=30)
    assert not thread.is_alive() and thread.daemon  # never holds the process at exit
    assert "colorsys" in sys.modules  # imported, after a module that fails to import
    assert "no_such_module_for_icpc" not in sys.modules
