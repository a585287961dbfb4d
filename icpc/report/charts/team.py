"""Charts of the sales team: salesperson comparison, activity funnel."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from icpc.labels import label
from icpc.report import format as fmt
from icpc.report.charts.style import (
    COLORS,
    HATCHES,
    SEQUENCE,
    _axes,
    _end_label,
    _title,
    money_axis,
)

__all__ = ["salesperson_comparison", "activity_funnel"]


def salesperson_comparison(
    table: pd.DataFrame,
    *,
    name_col: str = "salesperson",
    current_col: str = "revenue_current",
    previous_col: str | None = "revenue_previous",
    language: str = "fr",
    currency: str = "EUR",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of revenue per salesperson (or region), N beside N−1.

    Parameters
    ----------
    table : DataFrame
        One row per salesperson with ``name_col``, ``current_col`` and optionally
        ``previous_col``.
    name_col, current_col, previous_col : str
        Column names (``previous_col=None``: N only).
    language, currency : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    data = table.sort_values(current_col, ascending=False)
    ax = _axes(ax, max(4.5, 0.5 * len(data) + 1.8))
    y = np.arange(len(data))
    has_prev = previous_col is not None and previous_col in data.columns
    h = 0.38 if has_prev else 0.6
    current = data[current_col].to_numpy(dtype=float)
    # N above N−1 in each pair (the y axis is inverted below)
    shift = -h / 2 if has_prev else 0.0
    ax.barh(y + shift, current, h, color=COLORS["current"], label=label("current", language))
    if has_prev:
        ax.barh(
            y + h / 2,
            data[previous_col].fillna(0).to_numpy(dtype=float),
            h,
            color=COLORS["previous"],
            hatch="//",
            edgecolor="#333333",
            linewidth=0.3,
            label=label("previous", language),
        )
    for yi, v in zip(y, current, strict=True):
        _end_label(ax, v, yi + shift, fmt.money_compact(v, language=language, currency=currency))
    ax.set_yticks(y, [str(n) for n in data[name_col]])
    ax.invert_yaxis()
    money_axis(ax, axis="x", language=language, currency=currency)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlim(0, max(current.max(initial=0), 1) * 1.22)
    if has_prev:
        ax.legend(loc="lower right")
    _title(ax, label("sub.by_salesperson", language))
    return ax


def activity_funnel(
    totals: Mapping[str, float],
    *,
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Funnel from contacts to sales: contacts received, calls made, calls completed, sales.

    Parameters
    ----------
    totals : mapping
        Counts keyed ``contacts_received``, ``calls``, ``calls_completed``, ``sales``
        (missing stages are left out).
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        Each bar is labelled with its count; completed calls with the completion rate
        (completed / calls), sales with the conversion rate (sales / completed calls).
    """
    ax = _axes(ax, 4.5)
    stages = [k for k in ("contacts_received", "calls", "calls_completed", "sales") if k in totals]
    values = [float(totals[k] or 0) for k in stages]
    y = np.arange(len(stages))
    top = max(values, default=1.0) or 1.0
    for i, v in enumerate(values):
        ax.barh(
            i,
            v,
            left=(top - v) / 2,
            color=SEQUENCE[i % len(SEQUENCE)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="#333333",
            linewidth=0.4,
            height=0.7,
        )
        text = fmt.number(v, language=language)
        # the rates of docs/definitions.md only: completion (completed / calls), conversion (sales / completed)
        before = {"calls_completed": "calls", "sales": "calls_completed"}.get(stages[i], "")
        if before in totals and float(totals[before] or 0) > 0:
            text += f" ({fmt.percent(v / float(totals[before]), language=language, decimals=0)})"
        ax.text(
            top / 2,
            i,
            text,
            ha="center",
            va="center",
            fontsize=8,
            color="#222222",
            fontweight="bold",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
        )
    ax.set_yticks(y, [label(k, language) for k in stages])
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.grid(False)
    ax.spines["bottom"].set_visible(False)
    _title(ax, label("sub.funnel", language))
    return ax
