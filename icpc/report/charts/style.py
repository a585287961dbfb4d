"""Charts of the report: matplotlib functions that take data and ``ax=None`` and return the Axes.

Every chart must read well printed in grey: series differ by lightness and by hatch or
marker, never by hue alone. Axes are formatted in the report language through Babel
(:mod:`icpc.report.format`): ``1,2 M €``, ``12 %``, ``janv. 2024``. Figures are sized for
an A4 portrait page (16 cm wide). No function shows or saves anything; the caller
displays the figure (the notebook renders it as SVG, see :func:`setup_notebook`).

Example
-------
>>> import pandas as pd
>>> from icpc.report.charts import pareto_curve
>>> ax = pareto_curve(pd.Series([500.0, 300.0, 120.0, 80.0]))
>>> type(ax.figure).__name__  # the notebook displays it
'Figure'
"""

from __future__ import annotations

import warnings
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from icpc.report import format as fmt

__all__ = [
    "CM",
    "PAGE_WIDTH_CM",
    "COLORS",
    "SEQUENCE",
    "HATCHES",
    "MARKERS",
    "CMAP",
    "report_style",
    "setup_notebook",
    "new_axes",
    "money_axis",
    "percent_axis",
]


CM = 1 / 2.54


#: width of a chart on an A4 portrait page (text block)
PAGE_WIDTH_CM = 16.0


#: named colours, chosen for distinct lightness in grey (relative luminance in brackets)
COLORS: dict[str, str] = {
    "current": "#1b3a6b",  # dark navy (0.04): period N, totals
    "previous": "#a9c4e0",  # light blue (0.53): period N−1
    "accent": "#d9822b",  # orange (0.33): rolling 12 months, highlights
    "positive": "#2f6b3b",  # dark green (0.12): gains
    "positive_light": "#5e9e6a",  # mid green (0.28): gains beside the navy (also hatched)
    "negative": "#f0a8a0",  # light red (0.49): losses (also hatched)
    "neutral": "#8c8c8c",  # mid grey: other, reference lines
    "text": "#222222",
}


#: categorical sequence from dark to light, paired with :data:`HATCHES`
SEQUENCE: tuple[str, ...] = ("#1b3a6b", "#4f7cb3", "#a9c4e0", "#d9822b", "#f3cf9f", "#8c8c8c")


HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo")


MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P")


#: sequential colour map whose lightness is monotone (reads in grey)
CMAP = "Blues"


_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "hatch.linewidth": 0.6,
    "hatch.color": "#333333",
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "svg.fonttype": "none",  # text stays text: lighter SVG, faster PDF, selectable
    "axes.unicode_minus": False,
    "figure.figsize": (PAGE_WIDTH_CM * CM, 7.5 * CM),
}


def report_style() -> dict[Any, Any]:
    """Return the matplotlib rc settings of the report (use with ``plt.rc_context``)."""
    return dict(_RC)


def setup_notebook() -> None:
    """Prepare a notebook kernel for the report: SVG figures, DejaVu Sans, no warnings shown.

    Call it once, first thing in the notebook. It changes global state on purpose (it is
    never called on import): the inline backend's figure format, matplotlib's rc
    settings, and the warnings filter (warnings must not reach the client's PDF).
    """
    warnings.filterwarnings("ignore")
    mpl.rcParams.update(_RC)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("svg")
    except ImportError:  # pragma: no cover - matplotlib_inline ships with ipykernel
        pass
    pd.set_option("display.max_columns", 30)


def new_axes(height_cm: float = 7.5, width_cm: float = PAGE_WIDTH_CM) -> Axes:
    """Create a figure sized for the A4 page and return its Axes (report style applied)."""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(width_cm * CM, height_cm * CM), layout="constrained")
    _style(ax)
    return ax


def _axes(ax: Axes | None, height_cm: float = 7.5) -> Axes:
    if ax is None:
        return new_axes(height_cm)
    _style(ax)
    return ax


def _title(ax: Axes, text: str) -> None:
    ax.set_title(text, loc="left", fontsize=9.5, fontweight="bold")


def _end_label(ax: Axes, x: float, y: float, text: str, *, fontsize: float = 7) -> None:
    # an offset in points, not a leading space: SVG collapses leading spaces
    ax.annotate(
        text, (x, y), xytext=(2, 0), textcoords="offset points", va="center", fontsize=fontsize
    )


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)


def money_axis(ax: Axes, *, axis: str = "y", language: str = "fr", currency: str = "EUR") -> Axes:
    """Format an axis in compact money (``1,2 M €``)."""
    formatter = FuncFormatter(
        lambda v, _pos: fmt.money_compact(v, language=language, currency=currency)
    )
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)
    return ax


def percent_axis(ax: Axes, *, axis: str = "y", language: str = "fr", decimals: int = 0) -> Axes:
    """Format an axis of fractions as percentages (``12 %``)."""
    formatter = FuncFormatter(lambda v, _pos: fmt.percent(v, language=language, decimals=decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)
    return ax


def _count_axis(ax: Axes, *, axis: str = "y", language: str = "fr") -> Axes:
    formatter = FuncFormatter(lambda v, _pos: fmt.number_compact(v, language=language))
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(formatter)
    target.set_major_locator(MaxNLocator(integer=True, nbins=6))
    return ax


def _month_starts(monthly: pd.DataFrame, month_col: str) -> pd.Series:
    return pd.to_datetime(monthly[month_col]).dt.to_period("M").dt.to_timestamp()


def _series_by_month(monthly: pd.DataFrame, month_col: str, value_col: str) -> pd.Series:
    months = _month_starts(monthly, month_col)
    return pd.Series(monthly[value_col].to_numpy(dtype=float), index=months).groupby(level=0).sum()


def _luminance(colour: Any) -> float:
    """Relative luminance of an RGBA colour (WCAG), as seaborn's heat map uses for its text."""
    rgb = np.asarray(colour[:3], dtype=float)
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def _annotated_heatmap(
    ax: Axes,
    data: pd.DataFrame,
    annot: pd.DataFrame,
    *,
    xlabels: list[str],
    ylabels: list[str],
    vmin: float | None = None,
    vmax: float | None = None,
    fontsize: float = 7,
) -> None:
    """A heat map in the kit's greys-safe colour map, each cell written out, no colour bar.

    Drawn with matplotlib alone (seaborn's ``heatmap`` drew the same, but importing seaborn
    brings scipy: ~0.5 s in every kernel): a mesh with white borders, the first row at the
    top, blank cells where the value is missing, each value written in dark grey on light
    cells and in white on dark ones.
    """
    raw = data.to_numpy(dtype=float)
    values = np.ma.masked_invalid(raw)
    mesh = ax.pcolormesh(
        values, cmap=CMAP, vmin=vmin, vmax=vmax, linewidths=0.5, edgecolors="white"
    )
    rows, cols = values.shape
    ax.set(xlim=(0, cols), ylim=(0, rows))
    ax.invert_yaxis()
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(cols) + 0.5, xlabels)
    ax.set_yticks(np.arange(rows) + 0.5, ylabels, va="center")
    colours = np.asarray(mesh.cmap(mesh.norm(values)))  # each cell's colour, as drawn
    texts = annot.to_numpy()
    for row, col in zip(*np.nonzero(~np.isnan(raw)), strict=True):
        ink = ".15" if _luminance(colours[row, col]) > 0.408 else "w"
        ax.text(
            col + 0.5,
            row + 0.5,
            str(texts[row, col]),
            color=ink,
            ha="center",
            va="center",
            fontsize=fontsize,
        )
    ax.grid(False)
