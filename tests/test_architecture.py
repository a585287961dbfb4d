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
    {"columns", "exceptions", "money", "text", "periods", "segment_rules", "fsutil", "syscheck"},
    {"config", "config_yaml", "config_values"},
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
