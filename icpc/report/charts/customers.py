"""Charts of customer dynamics: new / retained / reactivated / lost, lost since, cohorts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from icpc.labels import label
from icpc.report import format as fmt
from icpc.report.charts.style import (
    COLORS,
    SEQUENCE,
    _annotated_heatmap,
    _axes,
    _count_axis,
    _title,
)

#: behind a count written on a hatched segment
_LABEL_PATCH = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"}

__all__ = ["customer_dynamics", "lost_since", "cohort_heatmap"]


def customer_dynamics(
    counts: Mapping[str, float],
    *,
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Two stacked bars: customers of N−1 (retained + lost) and of N (retained + new + reactivated).

    Parameters
    ----------
    counts : mapping
        ``retained_customers``, ``lost_customers``, ``new_customers``,
        ``reactivated_customers`` (kpis.json keys).
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 4.8)
    get = lambda k: float(counts.get(k, 0) or 0)  # noqa: E731
    layers = [
        (
            "retained_customers",
            COLORS["current"],
            "",
            (get("retained_customers"), get("retained_customers")),
        ),
        ("lost_customers", COLORS["negative"], "//", (get("lost_customers"), 0.0)),
        # beside the navy of the retained: lighter and hatched, so that grey tells them apart
        ("new_customers", COLORS["positive_light"], "\\\\", (0.0, get("new_customers"))),
        # light orange, dotted: lighter than the new customers' green in grey too
        ("reactivated_customers", SEQUENCE[4], "..", (0.0, get("reactivated_customers"))),
    ]
    x = np.array([0, 1])
    bottom = np.zeros(2)
    totals = np.sum([v for *_, v in layers], axis=0)
    widest = float(totals.max()) or 1.0
    # a count that would not fit in its segment goes after the bar when it ends the bar
    last = [
        max((i for i, (*_, v) in enumerate(layers) if v[row] > 0), default=-1) for row in (0, 1)
    ]
    for index, (key, color, hatch, values) in enumerate(layers):
        vals = np.array(values)
        bars = ax.barh(
            x,
            vals,
            left=bottom,
            color=color,
            hatch=hatch,
            edgecolor="#333333",
            linewidth=0.4,
            label=label(key, language),
            height=0.6,
        )
        for row, (bar, v, b) in enumerate(zip(bars, vals, bottom, strict=True)):
            if v <= 0:
                continue
            text = fmt.number(v, language=language)
            narrow = v / widest < 0.012 * (len(text) + 2)
            if narrow and last[row] != index:
                continue  # inside the bar, between two segments: the legend says it
            dark = color in (COLORS["current"], COLORS["positive"]) and not narrow
            ax.text(
                b + v + widest * 0.01 if narrow else b + v / 2,
                bar.get_y() + bar.get_height() / 2,
                text,
                ha="left" if narrow else "center",
                va="center",
                fontsize=7.5,
                color="white" if dark else "#222222",
                # a count on a hatched segment sits on a white patch: the hatch does not cross it
                bbox=None if dark or narrow or not hatch else _LABEL_PATCH,
            )
        bottom = bottom + vals
    ax.set_xlim(0, widest * 1.08)  # room for a count written after its bar
    ax.set_yticks(x, [label("previous", language), label("current", language)])
    ax.invert_yaxis()
    _count_axis(ax, axis="x", language=language)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=2)
    _title(ax, label("active_customers", language))
    return ax


def lost_since(
    lost: pd.DataFrame,
    *,
    date_col: str = "last_sale",
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Bars of lost customers by quarter of their last purchase ("depuis quand").

    Parameters
    ----------
    lost : DataFrame
        One row per lost customer with ``date_col`` (date of last purchase).
    date_col : str
        Column of the last purchase date.
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 4.5)
    quarters = pd.to_datetime(lost[date_col]).dt.to_period("Q")
    counts = quarters.value_counts().sort_index()
    names = [_quarter_label(q, language) for q in counts.index]
    ax.bar(
        np.arange(len(counts)),
        counts.to_numpy(),
        color=COLORS["negative"],
        hatch="//",
        edgecolor="#333333",
        linewidth=0.4,
    )
    ax.set_xticks(
        np.arange(len(counts)),
        names,
        rotation=30 if len(names) > 6 else 0,
        ha="right" if len(names) > 6 else "center",
    )
    _count_axis(ax, language=language)
    _title(ax, label("sub.lost_since", language))
    return ax


def _quarter_label(q: Any, language: str) -> str:
    q = pd.Period(q, freq="Q")
    return f"T{q.quarter} {q.year}" if language == "fr" else f"Q{q.quarter} {q.year}"


def cohort_heatmap(
    retention: pd.DataFrame,
    *,
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Heat map of cohort retention (fidélité des cohortes): share of each cohort buying later.

    Parameters
    ----------
    retention : DataFrame
        Index: cohorts (quarter of first sale, as Period, date or text), columns: quarters
        after the first sale (0, 1, 2, …), values: fraction of the cohort buying (0–1, NaN
        where not yet observed).
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    data = retention.astype(float)
    ax = _axes(ax, max(4.5, 0.38 * len(data) + 2.2))
    annot = data.map(lambda v: "" if pd.isna(v) else fmt.percent(v, language=language, decimals=0))
    rows = [_cohort_name(i, language) for i in data.index]
    _annotated_heatmap(
        ax,
        data,
        annot,
        xlabels=[str(c) for c in data.columns],
        ylabels=rows,
        vmin=0,
        vmax=1,
        fontsize=6.5,
    )
    ax.set_xlabel(label("quarters_after", language))
    ax.set_ylabel(label("cohort", language))
    ax.tick_params(axis="y", rotation=0)
    _title(ax, label("sub.cohorts", language))
    return ax


def _cohort_name(value: Any, language: str) -> str:
    if isinstance(value, (pd.Period, pd.Timestamp)):
        return _quarter_label(value, language)
    text = str(value)
    match = re.fullmatch(r"(\d{4})-?Q([1-4])", text)
    if match:  # "2023-Q1" -> "T1 2023"
        return f"{'T' if language == 'fr' else 'Q'}{match.group(2)} {match.group(1)}"
    return text
