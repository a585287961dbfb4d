"""Charts of risk: the early warning's customers at stake, the Pareto curve of concentration."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from icpc.labels import label
from icpc.report import format as fmt
from icpc.report.charts.style import COLORS, _axes, _end_label, _title, money_axis, percent_axis

__all__ = ["early_warning_bars", "pareto_curve"]


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
    ax = _axes(ax, 6.0)
    values = np.sort(revenue.to_numpy(dtype=float))[::-1]
    values = values[values > 0]
    n = len(values)
    x = np.concatenate([[0.0], np.arange(1, n + 1) / n]) if n else np.array([0.0, 1.0])
    y = np.concatenate([[0.0], np.cumsum(values) / values.sum()]) if n else np.array([0.0, 0.0])
    ax.plot(x, y, color=COLORS["current"], linewidth=1.8)
    ax.fill_between(
        x, y, color=COLORS["previous"], alpha=0.5, hatch="//", edgecolor="white", linewidth=0
    )
    ax.plot([0, 1], [0, 1], color=COLORS["neutral"], linestyle="--", linewidth=0.8)
    if n:
        # the top 20 % = the first ceil(0.2 n) customers, as in the concentration figures
        k = max(1, int(np.ceil(0.2 * n)))
        x20, share20 = float(x[k]), float(y[k])
        ax.plot(
            [x20, x20, 0],
            [0, share20, share20],
            color=COLORS["accent"],
            linestyle=":",
            linewidth=1.2,
        )
        ax.plot([x20], [share20], marker="o", color=COLORS["accent"])
        ax.annotate(
            fmt.percent(share20, language=language, decimals=0),
            (x20, share20),
            xytext=(6, -12),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
        )
    percent_axis(ax, axis="x", language=language)
    percent_axis(ax, axis="y", language=language)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(label("chart.share_customers", language))
    ax.set_ylabel(label("chart.share_revenue", language))
    ax.grid(axis="x", visible=True)
    _title(ax, label("sub.pareto", language))
    return ax
