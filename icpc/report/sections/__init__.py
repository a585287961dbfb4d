"""The sections of the diagnostic report, one module each, in a registry.

Each section is a function ``render(ctx, out)`` in its own module, registered with
:func:`~icpc.report.sections.registry.section` under a key and an order. The notebook
calls the public function the decorator returns, ``name(diag, *, language=None)``: it
displays the section's heading (in the config language), findings, charts (SVG in the
notebook) and tables through ``IPython.display``, and returns the list of what it
displayed. A section whose data is absent (no activity log, no salesperson column, no
N−1…) displays **nothing**, not even its heading, and returns an empty list.

The figures come from the :class:`~icpc.report.sections.registry.RenderContext`:
the Diagnostic, the language, the currency and ``kpis_json()``, the contract the PDF
and kpis.json share. ``docs/architecture.md`` says how to add a section.

Example
-------
>>> from icpc.report import sections
>>> diag = sections.load_diagnostic("client.yaml")  # doctest: +SKIP
>>> sections.executive_summary(diag)  # doctest: +SKIP
>>> [s.key for s in sections.registered()][:3]
['executive_summary', 'action_plan', 'follow_up']
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from icpc.report.sections.common import RASTER_DPI, emit, load_diagnostic
from icpc.report.sections.dependence import concentration
from icpc.report.sections.dynamics import customer_dynamics
from icpc.report.sections.quality import data_quality
from icpc.report.sections.registry import (
    RenderContext,
    Section,
    all_sections,
    registered,
    section,
    unregister,
)
from icpc.report.sections.revenue import revenue_explained
from icpc.report.sections.score3d import segments
from icpc.report.sections.slipping import early_warning
from icpc.report.sections.summary import executive_summary
from icpc.report.sections.team import sales_team

__all__ = [
    "RASTER_DPI",
    "SECTIONS",
    "RenderContext",
    "Section",
    "section",
    "registered",
    "unregister",
    "load_diagnostic",
    "emit",
    "executive_summary",
    "revenue_explained",
    "customer_dynamics",
    "segments",
    "early_warning",
    "concentration",
    "sales_team",
    "data_quality",
    "all_sections",
]


# every module of this package is a section: a new one registers itself, no list to edit
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in {"common", "registry"}:
        importlib.import_module(f"{__name__}.{_module.name}")


def __getattr__(name: str) -> Any:
    # SECTIONS follows the registry: a section registered later (a plug-in, a test) is in it
    if name == "SECTIONS":
        return tuple((s.title, s.function) for s in registered())
    for entry in registered():  # a section module added without an import here
        if entry.function.__name__ == name:
            return entry.function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
