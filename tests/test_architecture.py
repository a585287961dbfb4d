"""The layout of docs/architecture.md: imports flow one way, and adding an indicator
touches the three places the page names."""

from __future__ import annotations

import ast
import importlib
from functools import cached_property
from pathlib import Path

import pandas as pd
import pytest
from test_diagnostic import make_config
from test_kpi import ROWS, make_tx

from icpc.diagnostic import Diagnostic
from icpc.export import kpis_json

kpis_json_module = importlib.import_module("icpc.export.kpis_json")

PACKAGE = Path(__file__).resolve().parents[1] / "icpc"

#: the layers of docs/architecture.md, lowest first: a module imports its own layer or lower
LAYERS = [
    {
        "columns",
        "exceptions",
        "money",
        "text",
        "periods",
        "segment_rules",
        "fsutil",
        "syscheck",
        "labels",
        "sentences",
        "lazy",
        "memory",
        "sentences_findings",
        "sentences_workbook",
        "sentences_scorecard",
    },  # fmt: skip
    {"config", "config_types", "config_yaml", "config_values", "config_inputs", "config_goals"},
    {"io"},
    {"cleaning"},
    {"analysis", "kpi"},
    {"diagnostic"},
    {"export"},
    {"report"},
    {"run", "datasets"},
    {"cli"},
]
LEVEL = {name: i for i, names in enumerate(LAYERS) for name in names}


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "icpc" and len(parts) > 1 else None


def _module_level_imports(path: Path) -> set[str]:
    """icpc modules imported at module level (a function's own imports are its business)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = _top(node.module)
            if top is None and node.module == "icpc":
                found |= {alias.name for alias in node.names}
            elif top is not None:
                found.add(top)
        elif isinstance(node, ast.Import):
            found |= {t for t in (_top(alias.name) for alias in node.names) if t}
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_imports_flow_one_way(path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    assert own in LEVEL, f"{own}: add it to docs/architecture.md and LAYERS"
    for imported in _module_level_imports(path):
        assert imported in LEVEL, (
            f"{own} imports {imported}, a layer docs/architecture.md does not name"
        )
        assert LEVEL[imported] <= LEVEL[own], (
            f"{own} (layer {LEVEL[own]}) imports {imported} (layer {LEVEL[imported]})"
        )


# --------------------------------------------------------------------------------------
# adding an indicator: the analysis, the Diagnostic's cached property, the kpis.json block
# --------------------------------------------------------------------------------------
def big_customers(table: pd.DataFrame, *, threshold: float) -> int:
    """1. the analysis (would live in icpc/analysis/): customers with revenue N above a threshold."""
    return int((table["revenue"] > threshold).sum())


class DiagnosticWithToy(Diagnostic):
    """2. the Diagnostic's cached property (would be added to icpc/diagnostic.py)."""

    @cached_property
    def big_customers(self) -> int:
        return big_customers(self.table, threshold=100.0)


def test_a_toy_indicator_in_the_three_places(monkeypatch):
    # 3. the kpis.json block (would be added to icpc/export/kpis_json.BLOCKS, before data_quality)
    blocks = dict(kpis_json_module.BLOCKS)
    quality = blocks.pop("data_quality")
    monkeypatch.setattr(
        kpis_json_module,
        "BLOCKS",
        {
            **blocks,
            "big_customers": lambda d: {"customers": d.big_customers},
            "data_quality": quality,
        },
    )
    diag = DiagnosticWithToy.from_frames(make_config(), make_tx(ROWS), as_of="2024-12-31")
    out = kpis_json(diag)
    assert out["big_customers"] == {
        "customers": 2
    }  # revenue N: C 400, A 120 (E 30, F 10, D 0, G -50)
    assert list(out)[-2:] == ["big_customers", "data_quality"]


# --------------------------------------------------------------------------------------
# adding a section: one section module and one notebook cell (docs/architecture.md)
# --------------------------------------------------------------------------------------
TOY_SECTION = '''
"""A toy section: the customers above 100 of revenue N (reads an existing analysis)."""

from icpc.report.sections import section
from icpc.report.tables import html_table


@section("big_customers", order=65, title="Big customers")
def big_customers(ctx, out):
    table = ctx.diag.table
    big = table.loc[table["revenue"] > 100, ["revenue"]].reset_index()
    if big.empty:
        return
    out.findings([f"{len(big)} big customers"])
    out.html(html_table(big, language=ctx.language, currency=ctx.currency))
'''


@pytest.fixture
def toy_section(tmp_path, monkeypatch):
    """The toy section module, importable here and in the notebook's kernel."""
    import sys

    from icpc.report import sections

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "toy_section.py").write_text(TOY_SECTION, encoding="utf-8")
    monkeypatch.syspath_prepend(str(plugins))
    monkeypatch.setenv("PYTHONPATH", str(plugins))  # the kernel inherits it
    yield importlib.import_module("toy_section")
    sys.modules.pop("toy_section", None)
    sections.unregister("big_customers")


def test_a_toy_section_takes_its_place_in_the_registry(toy_section, monkeypatch):
    from icpc.report import sections

    assert [s.key for s in sections.registered()].index("big_customers") == [
        s.key for s in sections.registered()
    ].index("concentration") + 1  # order 65: after concentration (60), before the team (70)
    assert ("Big customers", toy_section.big_customers) in sections.SECTIONS
    shown: list = []
    monkeypatch.setattr(sections, "emit", shown.append)
    diag = Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of="2024-12-31")
    out = toy_section.big_customers(diag, language="en")
    assert out == shown
    html = "\n".join(o.data for o in out)
    assert '<h1 id="icpc-big_customers">Big customers</h1>' in html  # no label: the title
    assert "2 big customers" in html  # C 400, A 120
    with pytest.raises(ValueError, match="collides"):
        sections.section("big_customers", order=66, title="Again")(lambda ctx, out: None)
    with pytest.raises(ValueError, match="collides"):
        sections.section("other", order=65, title="Again")(lambda ctx, out: None)


@pytest.mark.notebook
@pytest.mark.slow
def test_a_toy_section_reaches_the_pdf_with_one_notebook_cell(tmp_path, toy_section, demo_config):
    import nbformat
    from nbformat.v4 import new_code_cell
    from pypdf import PdfReader

    from icpc.run.runner import DEFAULT_NOTEBOOK, run_client

    nb = nbformat.read(DEFAULT_NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "sections.concentration(" in c.source)
    cell = new_code_cell("import toy_section\n\ntoy_section.big_customers(diag);")
    cell.metadata["icpc"] = {"section": "Big customers"}
    nb.cells.insert(at + 1, cell)
    notebook = tmp_path / "diagnostic.ipynb"
    nbformat.write(nb, notebook)
    result = run_client(demo_config, out=tmp_path / "reports", notebook=notebook)
    pages = [p.extract_text() for p in PdfReader(result.out_dir / "diagnostic.pdf").pages]
    body = pages[1:]  # the cover holds the contents, which name every section

    def first(heading: str) -> tuple[int, int]:
        # (page, position): a running header names the section of the page it starts
        return next((i, t.index(heading)) for i, t in enumerate(body) if heading in t)

    assert first("Concentration du chiffre") < first("Big customers") < first("Équipe commerciale")
    assert "big customers" in "\n".join(pages)


def test_a_section_module_dropped_into_the_package_needs_no_import(tmp_path):
    import sys

    from icpc.report import sections

    path = Path(sections.__file__).parent / "zz_toy_dropped.py"
    path.write_text(TOY_SECTION.replace("big_customers", "dropped_toy"), encoding="utf-8")
    try:
        importlib.reload(sections)  # what importing the package does in a fresh process
        assert "dropped_toy" in [s.key for s in sections.registered()]
        assert sections.dropped_toy.section.title == "Big customers"
    finally:
        path.unlink()
        sys.modules.pop("icpc.report.sections.zz_toy_dropped", None)
        sections.unregister("dropped_toy")
