"""Charts of Score3D: segment sizes, R×F and migration heat maps."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from icpc.labels import label, segment_label
from icpc.report import format as fmt
from icpc.report.charts.style import (
    COLORS,
    _annotated_heatmap,
    _axes,
    _end_label,
    _title,
    new_axes,
    percent_axis,
)

__all__ = ["segment_sizes", "rf_heatmap", "migration_heatmap"]


def segment_sizes(
    profiles: pd.DataFrame,
    *,
    segment_col: str = "segment",
    customers_col: str = "customers",
    revenue_col: str = "revenue",
    labels: Mapping[str, str] | None = None,
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Paired horizontal bars per Score3D segment: share of customers vs share of revenue.

    Parameters
    ----------
    profiles : DataFrame
        One row per segment with ``segment_col``, ``customers_col``, ``revenue_col``
        (shares are computed here; drawing order = row order).
    segment_col, customers_col, revenue_col : str
        Column names.
    labels : mapping, optional
        Display names of the segments (else :func:`icpc.labels.segment_label`).
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, max(6.0, 0.85 * len(profiles) + 2.0))
    cust = profiles[customers_col].to_numpy(dtype=float)
    rev = profiles[revenue_col].to_numpy(dtype=float)
    cust_share = cust / cust.sum() if cust.sum() else cust
    rev_share = rev / rev.sum() if rev.sum() else rev
    names = [segment_label(s, language, labels=labels) for s in profiles[segment_col]]
    y = np.arange(len(names))
    h = 0.38
    ax.barh(
        y - h / 2,
        cust_share,
        h,
        color=COLORS["previous"],
        hatch="//",
        edgecolor="#333333",
        linewidth=0.3,
        label=label("customers_share", language),
    )
    ax.barh(
        y + h / 2, rev_share, h, color=COLORS["current"], label=label("revenue_share", language)
    )
    for yi, c, r in zip(y, cust_share, rev_share, strict=True):
        _end_label(ax, c, yi - h / 2, fmt.percent(c, language=language, decimals=0), fontsize=6.5)
        _end_label(ax, r, yi + h / 2, fmt.percent(r, language=language, decimals=0), fontsize=6.5)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    percent_axis(ax, axis="x", language=language)
    ax.set_xlim(0, max(cust_share.max(initial=0), rev_share.max(initial=0)) * 1.25 or 1)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)
    _title(ax, label("section.segments", language))
    return ax


def rf_heatmap(
    scores: pd.DataFrame,
    *,
    r_col: str = "r_score",
    f_col: str = "f_score",
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Heat map of the number of customers per recency score × frequency score (grille R×F).

    Parameters
    ----------
    scores : DataFrame
        One row per scored customer with ``r_col`` and ``f_col`` (1–5).
    r_col, f_col : str
        Column names.
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    # five by five cells: square-ish, two thirds of the page's width
    ax = ax if ax is not None else new_axes(6.0, width_cm=10.5)
    grid = pd.crosstab(scores[f_col].astype(int), scores[r_col].astype(int))
    grid = grid.reindex(index=range(5, 0, -1), columns=range(1, 6), fill_value=0)
    annot = grid.map(lambda v: fmt.number(v, language=language))
    _annotated_heatmap(
        ax,
        grid,
        annot,
        xlabels=[str(c) for c in grid.columns],
        ylabels=[str(i) for i in grid.index],
    )
    ax.set_xlabel(label("chart.recency_score", language))
    ax.set_ylabel(label("chart.frequency_score", language))
    ax.tick_params(axis="y", rotation=0)
    _title(ax, label("sub.rf_grid", language))
    return ax


def migration_heatmap(
    matrix: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Heat map of customers moving between segments (rows: segment at start, columns: at the end).

    Parameters
    ----------
    matrix : DataFrame
        Square-ish table of counts, index = segment at ``as_of − period``, columns = segment
        at ``as_of``.
    labels : mapping, optional
        Display names of the segments.
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    data = matrix.astype(float)
    ax = _axes(ax, max(6.0, 0.45 * len(data) + 2.6))
    annot = data.map(lambda v: "" if pd.isna(v) or v == 0 else fmt.number(v, language=language))
    _annotated_heatmap(
        ax,
        data,
        annot,
        xlabels=[segment_label(str(c), language, labels=labels) for c in data.columns],
        ylabels=[segment_label(str(i), language, labels=labels) for i in data.index],
    )
    ax.set_xlabel(label("to_segment", language))
    ax.set_ylabel(label("from_segment", language))
    ax.tick_params(axis="x", rotation=40)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    ax.tick_params(axis="y", rotation=0)
    _title(ax, label("sub.migration", language))
    return ax
