"""The report's charts, one module per part of the report (read in grey, sized for A4).

See :mod:`icpc.report.charts.style` for the style every chart shares.

The names are loaded on first use (PEP 562): importing the report's sections, as
``icpc run`` does to write kpis.json while its kernel draws, does not import matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from icpc.report.charts.customers import cohort_heatmap, customer_dynamics, lost_since
    from icpc.report.charts.revenue import (
        bridge_waterfall,
        decomposition,
        monthly_revenue,
        rolling_revenue,
    )
    from icpc.report.charts.risk import early_warning_bars, pareto_curve
    from icpc.report.charts.segments import migration_heatmap, rf_heatmap, segment_sizes
    from icpc.report.charts.style import (
        CM,
        CMAP,
        COLORS,
        HATCHES,
        MARKERS,
        PAGE_WIDTH_CM,
        SEQUENCE,
        money_axis,
        new_axes,
        percent_axis,
        report_style,
        setup_notebook,
    )
    from icpc.report.charts.team import activity_funnel, salesperson_comparison

__all__ = [
    "CM",
    "PAGE_WIDTH_CM",
    "COLORS",
    "SEQUENCE",
    "HATCHES",
    "MARKERS",
    "CMAP",
    "setup_notebook",
    "report_style",
    "new_axes",
    "money_axis",
    "percent_axis",
    "monthly_revenue",
    "rolling_revenue",
    "bridge_waterfall",
    "decomposition",
    "customer_dynamics",
    "lost_since",
    "cohort_heatmap",
    "segment_sizes",
    "rf_heatmap",
    "migration_heatmap",
    "early_warning_bars",
    "pareto_curve",
    "salesperson_comparison",
    "activity_funnel",
]

#: the module of each public name (by its place in ``__all__``)
_MODULES = dict(
    zip(
        __all__,
        ["style"] * 12
        + ["revenue"] * 4
        + ["customers"] * 3
        + ["segments"] * 3
        + ["risk"] * 2
        + ["team"] * 2,
        strict=True,
    )
)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
