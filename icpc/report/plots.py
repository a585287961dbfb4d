"""Charts of the report: matplotlib/seaborn functions that take data and ``ax=None`` and return the Axes.

Every chart must read well printed in grey: series differ by lightness and by hatch or
marker, never by hue alone. Axes are formatted in the report language through Babel
(:mod:`icpc.report.format`): ``1,2 M €``, ``12 %``, ``janv. 2024``. Figures are sized for
an A4 portrait page (16 cm wide). No function shows or saves anything; the caller
displays the figure (the notebook renders it as SVG, see :func:`setup_notebook`).

Example
-------
>>> ax = pareto_curve(pd.Series([500.0, 300.0, 120.0, 80.0]))
>>> type(ax.figure).__name__  # the notebook displays it
'Figure'
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from icpc.report import format as fmt
from icpc.report.labels import label, segment_label

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

CM = 1 / 2.54
#: width of a chart on an A4 portrait page (text block)
PAGE_WIDTH_CM = 16.0

#: named colours, chosen for distinct lightness in grey (relative luminance in brackets)
COLORS: dict[str, str] = {
    "current": "#1b3a6b",  # dark navy (0.04): period N, totals
    "previous": "#a9c4e0",  # light blue (0.53): period N−1
    "accent": "#d9822b",  # orange (0.33): rolling 12 months, highlights
    "positive": "#2f6b3b",  # dark green (0.12): gains
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
    ax.annotate(text, (x, y), xytext=(2, 0), textcoords="offset points", va="center", fontsize=fontsize)


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)


def money_axis(ax: Axes, *, axis: str = "y", language: str = "fr", currency: str = "EUR") -> Axes:
    """Format an axis in compact money (``1,2 M €``)."""
    formatter = FuncFormatter(lambda v, _pos: fmt.money_compact(v, language=language, currency=currency))
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
    ax = _axes(ax)
    series = _series_by_month(monthly, month_col, value_col)
    first = pd.Timestamp(start).to_period("M").to_timestamp()
    n_months = pd.date_range(first, periods=months, freq="MS")
    p_months = n_months - pd.DateOffset(months=months)
    current = series.reindex(n_months, fill_value=0.0).to_numpy()
    previous = series.reindex(p_months, fill_value=0.0).to_numpy()
    x = np.arange(months)
    width = 0.4
    ax.bar(x - width / 2, previous, width, color=COLORS["previous"], hatch="//", edgecolor="white",
           linewidth=0.3, label=label("previous", language))
    ax.bar(x + width / 2, current, width, color=COLORS["current"], label=label("current", language))
    ax.set_xticks(x, [fmt.month(m, language=language, abbreviated=True) for m in n_months],
                  rotation=45 if months > 6 else 0, ha="right" if months > 6 else "center")
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
        One row per month (``month_col``, ``value_col``); missing months count 0.
    window : int
        Months summed at each point (12 = rolling year); points before a full window are omitted.
    month_col, value_col, language, currency, ax
        As in :func:`monthly_revenue`.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 6.5)
    series = _series_by_month(monthly, month_col, value_col)
    full = series.reindex(pd.date_range(series.index.min(), series.index.max(), freq="MS"), fill_value=0.0)
    rolling = full.rolling(window, min_periods=window).sum().dropna()
    if rolling.empty:  # history shorter than the window: show the cumulative sum instead
        rolling = full.cumsum()
    ax.plot(rolling.index, rolling.to_numpy(), color=COLORS["accent"], marker="o", markersize=2.5,
            linewidth=1.6, label=label("rolling_12", language))
    money_axis(ax, language=language, currency=currency)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: fmt.month(mdates.num2date(v), language=language, abbreviated=True)))
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
    ax = _axes(ax)
    steps = [(k, float(v)) for k, v in bridge.items() if not (k == "other" and round(float(v), 2) == 0)]
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
    texts = [fmt.money_compact(start, language=language, currency=currency)]
    texts += [("+" if v > 0 else "") + fmt.money_compact(v, language=language, currency=currency) for _, v in steps]
    texts.append(fmt.money_compact(end, language=language, currency=currency))
    for bar, bottom, height, text in zip(bars, bottoms, heights, texts, strict=True):
        ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bottom + height), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, names, rotation=20, ha="right")
    money_axis(ax, language=language, currency=currency)
    _title(ax, label("sub.bridge", language))
    top = max(b + h for b, h in zip(bottoms, heights, strict=True))
    ax.set_ylim(0, top * 1.12 if top > 0 else 1)
    return ax


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
    ax = _axes(ax, 5.5)
    keys = [k for k in ("customers", "frequency", "basket") if k in effects]
    values = [float(effects[k]) for k in keys]
    total = float(sum(values))
    names = [label(f"effect.{k}", language) for k in keys] + [label("effect.total", language)]
    vals = values + [total]
    colors = [COLORS["positive"] if v >= 0 else COLORS["negative"] for v in values] + [COLORS["current"]]
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
        ax.annotate(text, (v, yi), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=7.5)
    ax.set_xlim(-span * 1.45 if min(vals) < 0 else -span * 0.05, span * 1.45 if max(vals) > 0 else span * 0.05)
    money_axis(ax, axis="x", language=language, currency=currency)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _title(ax, label("sub.decomposition", language))
    return ax


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
    ax = _axes(ax, 6.5)
    get = lambda k: float(counts.get(k, 0) or 0)  # noqa: E731
    layers = [
        ("retained_customers", COLORS["current"], "", (get("retained_customers"), get("retained_customers"))),
        ("lost_customers", COLORS["negative"], "//", (get("lost_customers"), 0.0)),
        ("new_customers", COLORS["positive"], "", (0.0, get("new_customers"))),
        ("reactivated_customers", COLORS["accent"], "..", (0.0, get("reactivated_customers"))),
    ]
    x = np.array([0, 1])
    bottom = np.zeros(2)
    for key, color, hatch, values in layers:
        vals = np.array(values)
        bars = ax.barh(x, vals, left=bottom, color=color, hatch=hatch, edgecolor="#333333",
                       linewidth=0.4, label=label(key, language), height=0.6)
        for bar, v, b in zip(bars, vals, bottom, strict=True):
            if v > 0:
                dark = color in (COLORS["current"], COLORS["positive"])
                ax.text(b + v / 2, bar.get_y() + bar.get_height() / 2, fmt.number(v, language=language),
                        ha="center", va="center", fontsize=7.5, color="white" if dark else "#222222")
        bottom = bottom + vals
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
    ax = _axes(ax, 5.5)
    quarters = pd.to_datetime(lost[date_col]).dt.to_period("Q")
    counts = quarters.value_counts().sort_index()
    names = [_quarter_label(q, language) for q in counts.index]
    ax.bar(np.arange(len(counts)), counts.to_numpy(), color=COLORS["negative"], hatch="//",
           edgecolor="#333333", linewidth=0.4)
    ax.set_xticks(np.arange(len(counts)), names, rotation=30 if len(names) > 6 else 0,
                  ha="right" if len(names) > 6 else "center")
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
    import seaborn as sns

    data = retention.astype(float)
    ax = _axes(ax, max(5.0, 0.45 * len(data) + 2.5))
    annot = data.map(lambda v: "" if pd.isna(v) else fmt.percent(v, language=language, decimals=0))
    rows = [_cohort_name(i, language) for i in data.index]
    sns.heatmap(data.to_numpy(), ax=ax, cmap=CMAP, vmin=0, vmax=1, annot=annot.to_numpy(), fmt="",
                annot_kws={"fontsize": 6.5}, cbar=False, linewidths=0.5, linecolor="white",
                xticklabels=[str(c) for c in data.columns], yticklabels=rows)
    ax.set_xlabel(label("quarters_after", language))
    ax.set_ylabel(label("cohort", language))
    ax.grid(False)
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
        Display names of the segments (else :func:`icpc.report.labels.segment_label`).
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
    ax.barh(y - h / 2, cust_share, h, color=COLORS["previous"], hatch="//", edgecolor="#333333",
            linewidth=0.3, label=label("customers_share", language))
    ax.barh(y + h / 2, rev_share, h, color=COLORS["current"], label=label("revenue_share", language))
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


def _annotated_heatmap(ax: Axes, data: pd.DataFrame, annot: pd.DataFrame, *, xlabels: list[str],
                       ylabels: list[str]) -> None:
    import seaborn as sns

    sns.heatmap(data.to_numpy(dtype=float), ax=ax, cmap=CMAP, annot=annot.to_numpy(), fmt="",
                annot_kws={"fontsize": 7}, cbar=False, linewidths=0.5, linecolor="white",
                xticklabels=xlabels, yticklabels=ylabels)
    ax.grid(False)


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
    ax = _axes(ax, 7.5)
    grid = pd.crosstab(scores[f_col].astype(int), scores[r_col].astype(int))
    grid = grid.reindex(index=range(5, 0, -1), columns=range(1, 6), fill_value=0)
    annot = grid.map(lambda v: fmt.number(v, language=language))
    _annotated_heatmap(ax, grid, annot, xlabels=[str(c) for c in grid.columns],
                       ylabels=[str(i) for i in grid.index])
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
    ax = _axes(ax, max(7.0, 0.55 * len(data) + 3.0))
    annot = data.map(lambda v: "" if pd.isna(v) or v == 0 else fmt.number(v, language=language))
    _annotated_heatmap(ax, data, annot,
                       xlabels=[segment_label(str(c), language, labels=labels) for c in data.columns],
                       ylabels=[segment_label(str(i), language, labels=labels) for i in data.index])
    ax.set_xlabel(label("to_segment", language))
    ax.set_ylabel(label("from_segment", language))
    ax.tick_params(axis="x", rotation=40)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    ax.tick_params(axis="y", rotation=0)
    _title(ax, label("sub.migration", language))
    return ax


def early_warning_bars(
    at_risk: pd.DataFrame,
    *,
    name_col: str = "customer",
    value_col: str = "value_at_stake",
    top: int = 15,
    language: str = "fr",
    currency: str = "EUR",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of the customers at risk with the largest value at stake (CA en jeu).

    Parameters
    ----------
    at_risk : DataFrame
        One row per flagged customer with ``name_col`` (display name) and ``value_col``.
    top : int
        Number of customers drawn (largest values).
    name_col, value_col : str
        Column names.
    language, currency : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
    """
    data = at_risk.nlargest(top, value_col)
    ax = _axes(ax, max(5.0, 0.5 * len(data) + 1.8))
    y = np.arange(len(data))
    values = data[value_col].to_numpy(dtype=float)
    ax.barh(y, values, color=COLORS["accent"], edgecolor="#333333", linewidth=0.3)
    for yi, v in zip(y, values, strict=True):
        _end_label(ax, v, float(yi), fmt.money_compact(v, language=language, currency=currency))
    ax.set_yticks(y, [str(n)[:40] for n in data[name_col]])
    ax.invert_yaxis()
    money_axis(ax, axis="x", language=language, currency=currency)
    ax.set_xlim(0, (values.max(initial=0) * 1.2) or 1)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    _title(ax, label("sub.at_risk", language))
    return ax


def pareto_curve(
    revenue: pd.Series,
    *,
    language: str = "fr",
    ax: Axes | None = None,
) -> Axes:
    """Pareto curve: cumulative share of revenue against cumulative share of customers.

    Parameters
    ----------
    revenue : Series
        Revenue per customer (any order; customers with revenue ≤ 0 are left out).
    language : str
        Formatting.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes
        The top 20 % of customers (the first ⌈0.2 n⌉) is marked with the share of
        revenue it carries.
    """
    ax = _axes(ax, 7.0)
    values = np.sort(revenue.to_numpy(dtype=float))[::-1]
    values = values[values > 0]
    n = len(values)
    x = np.concatenate([[0.0], np.arange(1, n + 1) / n]) if n else np.array([0.0, 1.0])
    y = np.concatenate([[0.0], np.cumsum(values) / values.sum()]) if n else np.array([0.0, 0.0])
    ax.plot(x, y, color=COLORS["current"], linewidth=1.8)
    ax.fill_between(x, y, color=COLORS["previous"], alpha=0.5, hatch="//", edgecolor="white", linewidth=0)
    ax.plot([0, 1], [0, 1], color=COLORS["neutral"], linestyle="--", linewidth=0.8)
    if n:
        # the top 20 % = the first ceil(0.2 n) customers, as in the concentration figures
        k = max(1, int(np.ceil(0.2 * n)))
        x20, share20 = float(x[k]), float(y[k])
        ax.plot([x20, x20, 0], [0, share20, share20], color=COLORS["accent"], linestyle=":", linewidth=1.2)
        ax.plot([x20], [share20], marker="o", color=COLORS["accent"])
        ax.annotate(fmt.percent(share20, language=language, decimals=0), (x20, share20), xytext=(6, -12),
                    textcoords="offset points", fontsize=8, fontweight="bold")
    percent_axis(ax, axis="x", language=language)
    percent_axis(ax, axis="y", language=language)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(label("chart.share_customers", language))
    ax.set_ylabel(label("chart.share_revenue", language))
    ax.grid(axis="x", visible=True)
    _title(ax, label("sub.pareto", language))
    return ax


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
    ax = _axes(ax, max(5.0, 0.6 * len(data) + 2.0))
    y = np.arange(len(data))
    has_prev = previous_col is not None and previous_col in data.columns
    h = 0.38 if has_prev else 0.6
    current = data[current_col].to_numpy(dtype=float)
    # N above N−1 in each pair (the y axis is inverted below)
    shift = -h / 2 if has_prev else 0.0
    ax.barh(y + shift, current, h, color=COLORS["current"], label=label("current", language))
    if has_prev:
        ax.barh(y + h / 2, data[previous_col].fillna(0).to_numpy(dtype=float), h, color=COLORS["previous"],
                hatch="//", edgecolor="#333333", linewidth=0.3, label=label("previous", language))
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
    ax = _axes(ax, 5.5)
    stages = [k for k in ("contacts_received", "calls", "calls_completed", "sales") if k in totals]
    values = [float(totals[k] or 0) for k in stages]
    y = np.arange(len(stages))
    top = max(values, default=1.0) or 1.0
    for i, v in enumerate(values):
        ax.barh(i, v, left=(top - v) / 2, color=SEQUENCE[i % len(SEQUENCE)], hatch=HATCHES[i % len(HATCHES)],
                edgecolor="#333333", linewidth=0.4, height=0.7)
        text = fmt.number(v, language=language)
        # rates of DESIGN.md only: completion (completed / calls), conversion (sales / completed)
        before = {"calls_completed": "calls", "sales": "calls_completed"}.get(stages[i], "")
        if before in totals and float(totals[before] or 0) > 0:
            text += f" ({fmt.percent(v / float(totals[before]), language=language, decimals=0)})"
        ax.text(top / 2, i, text, ha="center", va="center", fontsize=8, color="#222222", fontweight="bold",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5})
    ax.set_yticks(y, [label(k, language) for k in stages])
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.grid(False)
    ax.spines["bottom"].set_visible(False)
    _title(ax, label("sub.funnel", language))
    return ax
