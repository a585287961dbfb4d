"""Charts of revenue explained: monthly trend, rolling 12 months, bridge waterfall, decomposition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from icpc.labels import label
from icpc.report import format as fmt
from icpc.report.charts.style import COLORS, _axes, _series_by_month, _title, money_axis

__all__ = ["monthly_revenue", "rolling_revenue", "bridge_waterfall", "decomposition"]


def monthly_revenue(
    monthly: pd.DataFrame,
    *,
    start: Any,
    months: int = 12,
    month_col: str = "month",
    value_col: str = "revenue",
    language: str = "fr",
    currency: str = "EUR",
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of monthly revenue (CA mensuel) in period N beside the same month of N−1.

    Parameters
    ----------
    monthly : DataFrame
        One row per month: ``month_col`` (any date in the month) and ``value_col``.
    start : date-like
        First day of period N.
    months : int
        Length of the periods (period_months).
    month_col, value_col : str
        Column names.
    language, currency : str
        Formatting of the axes.
    ax : Axes, optional
        Where to draw; a new A4-wide figure when None.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 6.3)
    series = _series_by_month(monthly, month_col, value_col)
    first = pd.Timestamp(start).to_period("M").to_timestamp()
    n_months = pd.date_range(first, periods=months, freq="MS")
    p_months = n_months - pd.DateOffset(months=months)
    current = series.reindex(n_months, fill_value=0.0).to_numpy()
    previous = series.reindex(p_months, fill_value=0.0).to_numpy()
    x = np.arange(months)
    width = 0.4
    ax.bar(
        x - width / 2,
        previous,
        width,
        color=COLORS["previous"],
        hatch="//",
        edgecolor="white",
        linewidth=0.3,
        label=label("previous", language),
    )
    ax.bar(x + width / 2, current, width, color=COLORS["current"], label=label("current", language))
    ax.set_xticks(
        x,
        [fmt.month(m, language=language, abbreviated=True) for m in n_months],
        rotation=45 if months > 6 else 0,
        ha="right" if months > 6 else "center",
    )
    money_axis(ax, language=language, currency=currency)
    _title(ax, label("chart.revenue_month", language))
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)
    return ax


def rolling_revenue(
    monthly: pd.DataFrame,
    *,
    month_col: str = "month",
    value_col: str = "revenue",
    window: int = 12,
    language: str = "fr",
    currency: str = "EUR",
    ax: Axes | None = None,
) -> Axes:
    """Line of revenue over the last ``window`` months (cumul 12 mois glissants), month by month.

    Parameters
    ----------
    monthly : DataFrame
        One row per month (``month_col``, ``value_col``); missing months count 0. With a
        ``revenue_12m`` column (:func:`icpc.kpi.monthly_series`) and ``window`` 12, that
        column is drawn as it is: the chart shows the analysis' figures, it computes none.
    window : int
        Months summed at each point (12 = rolling year); points before a full window are omitted.
    month_col, value_col, language, currency, ax
        As in :func:`monthly_revenue`.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 6.5)
    if window == 12 and f"{value_col}_12m" in monthly.columns:
        known = monthly.loc[monthly[f"{value_col}_12m"].notna()]  # a full year of history only
        rolling = (
            _series_by_month(known, month_col, f"{value_col}_12m")
            if len(known)
            else pd.Series(dtype=float)
        )
        if rolling.empty:  # history shorter than a year: the cumulative sum instead
            rolling = _series_by_month(monthly, month_col, value_col).cumsum()
    else:
        series = _series_by_month(monthly, month_col, value_col)
        full = series.reindex(
            pd.date_range(series.index.min(), series.index.max(), freq="MS"), fill_value=0.0
        )
        rolling = full.rolling(window, min_periods=window).sum().dropna()
        if rolling.empty:  # history shorter than the window: show the cumulative sum instead
            rolling = full.cumsum()
    ax.plot(
        rolling.index,
        rolling.to_numpy(),
        color=COLORS["accent"],
        marker="o",
        markersize=2.5,
        linewidth=1.6,
        label=label("rolling_12", language),
    )
    money_axis(ax, language=language, currency=currency)
    ax.xaxis.set_major_formatter(
        FuncFormatter(
            lambda v, _pos: fmt.month(mdates.num2date(v), language=language, abbreviated=True)
        )
    )
    _title(ax, label("rolling_12", language))
    ax.set_ylim(bottom=0)
    return ax


def bridge_waterfall(
    bridge: Mapping[str, float],
    *,
    start: float,
    end: float,
    language: str = "fr",
    currency: str = "EUR",
    ax: Axes | None = None,
) -> Axes:
    """Waterfall from revenue N−1 to revenue N by customer class (pont de chiffre d'affaires).

    Parameters
    ----------
    bridge : mapping
        Contribution of each class, in the order drawn, keys among ``new``, ``reactivated``,
        ``retained`` (or ``retained_frequency`` and ``retained_basket``), ``lost``, ``other``
        (the ``bridge`` block of kpis.json). Zero ``other`` is left out.
    start, end : float
        Revenue of N−1 and of N.
    language, currency : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 6.3)
    steps = [
        (k, float(v)) for k, v in bridge.items() if not (k == "other" and round(float(v), 2) == 0)
    ]
    names = [label("bridge.start", language)] + [label(f"bridge.{k}", language) for k, _ in steps]
    names.append(label("bridge.end", language))
    bottoms, heights, colors, hatches = [0.0], [float(start)], [COLORS["current"]], [""]
    level = float(start)
    for _key, value in steps:
        bottoms.append(level if value >= 0 else level + value)
        heights.append(abs(value))
        colors.append(COLORS["positive"] if value >= 0 else COLORS["negative"])
        hatches.append("" if value >= 0 else "//")
        level += value
    bottoms.append(0.0)
    heights.append(float(end))
    colors.append(COLORS["current"])
    hatches.append("")
    x = np.arange(len(names))
    bars = ax.bar(x, heights, bottom=bottoms, color=colors, edgecolor="#333333", linewidth=0.4)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    # the ends exact to the euro: two compact figures (« 1,8 M € ») would read the same
    texts = [fmt.money(start, language=language, currency=currency, decimals=0)]
    texts += [
        ("+" if v > 0 else "") + fmt.money_compact(v, language=language, currency=currency)
        for _, v in steps
    ]
    texts.append(fmt.money(end, language=language, currency=currency, decimals=0))
    for bar, bottom, height, text in zip(bars, bottoms, heights, texts, strict=True):
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bottom + height),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.set_xticks(x, names, rotation=20, ha="right")
    money_axis(ax, language=language, currency=currency)
    _title(ax, label("sub.bridge", language))
    top = max(b + h for b, h in zip(bottoms, heights, strict=True))
    floor = _waterfall_floor(bottoms[1:-1], heights[1:-1], start, end, top)
    ax.set_ylim(floor, top * 1.12 if top > 0 else 1)
    if floor > 0:  # said on the axis: the end bars are cut
        ax.set_ylabel(label("chart.axis_not_zero", language), fontsize=7, color="#333333")
    return ax


#: the steps of a waterfall smaller than this share of its top are drawn on a zoomed axis
ZOOM_BELOW = 0.35


def _waterfall_floor(
    bottoms: list[float], heights: list[float], start: float, end: float, top: float
) -> float:
    """Where the axis of a waterfall starts: 0, or just below the steps when they are small.

    From 0, a change of a few percent is a sliver on two tall bars; the axis then starts
    below the lowest step (a quarter of the steps' span lower), never below 0.
    """
    if top <= 0 or min(start, end) <= 0 or not bottoms:
        return 0.0
    low = min([*bottoms, start, end])
    high = max([b + h for b, h in zip(bottoms, heights, strict=True)] + [start, end])
    span = high - low
    if span <= 0 or span >= ZOOM_BELOW * top:
        return 0.0
    return max(0.0, low - 0.25 * span)


def decomposition(
    effects: Mapping[str, float],
    *,
    language: str = "fr",
    currency: str = "EUR",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of the three-factor (LMDI) decomposition of the revenue change.

    Parameters
    ----------
    effects : mapping
        ``customers``, ``frequency``, ``basket`` effects in currency (the ``decomposition``
        block of kpis.json); they add up to the revenue change, drawn as a fourth bar.
    language, currency : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 4.6)
    keys = [k for k in ("customers", "frequency", "basket") if k in effects]
    values = [float(effects[k]) for k in keys]
    total = float(sum(values))
    names = [label(f"effect.{k}", language) for k in keys] + [label("effect.total", language)]
    vals = values + [total]
    colors = [COLORS["positive"] if v >= 0 else COLORS["negative"] for v in values] + [
        COLORS["current"]
    ]
    hatches = ["" if v >= 0 else "//" for v in values] + [""]
    y = np.arange(len(names))[::-1]
    bars = ax.barh(y, vals, color=colors, edgecolor="#333333", linewidth=0.4)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax.set_yticks(y, names)
    ax.axvline(0, color="#333333", linewidth=0.8)
    span = max((abs(v) for v in vals), default=1.0) or 1.0
    for yi, v in zip(y, vals, strict=True):
        text = fmt.signed_money(v, language=language, currency=currency)
        ax.annotate(
            text,
            (v, yi),
            xytext=(3 if v >= 0 else -3, 0),
            textcoords="offset points",
            ha="left" if v >= 0 else "right",
            va="center",
            fontsize=7.5,
        )
    ax.set_xlim(
        -span * 1.45 if min(vals) < 0 else -span * 0.05,
        span * 1.45 if max(vals) > 0 else span * 0.05,
    )
    money_axis(ax, axis="x", language=language, currency=currency)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _title(ax, label("sub.decomposition", language))
    return ax
