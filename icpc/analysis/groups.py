"""Indicators and bridge per salesperson or region (par commercial, par secteur)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icpc.analysis.customers import CLASSES, _round
from icpc.analysis.indicators import period_indicators

__all__ = ["UNASSIGNED", "by_group"]


#: Label of customers without salesperson / region in :func:`by_group`.
UNASSIGNED = "(unassigned)"


_ADDITIVE = ("revenue", "margin", "sales_count", "active_customers")


def by_group(table: pd.DataFrame, column: str, *, has_previous: bool = True) -> pd.DataFrame:
    """Period indicators and revenue bridge per salesperson or region (par commercial, secteur).

    Customers are attributed by the rule of docs/definitions.md (the ``salesperson`` / ``region`` column
    of :func:`customer_periods`: those of their most recent invoice).

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods`, with ``column``.
    column : str
        ``"salesperson"`` or ``"region"``.
    has_previous : bool
        False when the data has no N-1 (previous figures NaN).

    Returns
    -------
    DataFrame
        Index ``column`` (label; :data:`UNASSIGNED` for customers without one), one row
        per group, columns: for each indicator X of :func:`period_indicators`: ``X``,
        ``X_previous``, ``X_change``, ``X_change_pct``; then ``share`` (of revenue N),
        ``rank`` (by revenue N, 1 = largest; NaN for unassigned), ``X_gap`` for each
        indicator (X minus the team average: the mean over assigned groups for revenue,
        margin, sales and customers; the company-wide ratio for ratios); the dynamics
        counts ``new_customers``, ``retained_customers``, ``reactivated_customers``,
        ``lost_customers``, ``lost_revenue``; and the bridge ``bridge_new``…
        ``bridge_other`` (adding up to ``revenue_change``).
    """
    labels = table[column]
    if UNASSIGNED not in labels.cat.categories:
        labels = labels.cat.add_categories([UNASSIGNED])
    labels = labels.fillna(UNASSIGNED)
    with_margin = "margin" in table.columns
    sums = [
        "revenue",
        "revenue_previous",
        "sales_count",
        "sales_count_previous",
        "active",
        "active_previous",
    ]
    if with_margin:
        sums += ["margin", "margin_previous"]
    work = table[sums].copy()
    klass = table["bridge_class"]
    for k in CLASSES:
        is_k = (klass == k).to_numpy()
        work[f"n_{k}"] = is_k.astype(np.int64)
        work[f"bridge_{k}"] = np.where(is_k, table["revenue"] - table["revenue_previous"], 0.0)
    work["lost_revenue"] = np.where((klass == "lost").to_numpy(), table["revenue_previous"], 0.0)
    g = work.groupby(labels.to_numpy(), observed=True, sort=True).sum()
    g.index = pd.Index(g.index.astype("str"), name=column)
    g = g.rename(
        columns={"active": "active_customers", "active_previous": "active_customers_previous"}
    )

    def values(suffix: str) -> dict[str, pd.Series]:
        rev = pd.Series(_round(g["revenue" + suffix].to_numpy()), index=g.index)
        sales = g["sales_count" + suffix].astype(np.float64)
        active = g["active_customers" + suffix].astype(np.float64)
        out = {"revenue": rev}
        if with_margin:
            mrg = pd.Series(_round(g["margin" + suffix].to_numpy()), index=g.index)
            out |= {"margin": mrg, "margin_rate": mrg / rev.where(rev != 0)}
        out |= {
            "sales_count": sales,
            "active_customers": active,
            "average_basket": rev / sales.where(sales != 0),
            "purchase_frequency": sales / active.where(active != 0),
            "revenue_per_customer": rev / active.where(active != 0),
        }
        return out

    cur, prev = values(""), values("_previous")
    out = pd.DataFrame(index=g.index)
    for name, value in cur.items():
        p = prev[name] if has_previous else pd.Series(np.nan, index=g.index)
        change = value - p
        out[name] = value
        out[name + "_previous"] = p
        out[name + "_change"] = change
        out[name + "_change_pct"] = change / p.abs().where(p != 0)
    total = float(out["revenue"].sum())
    out["share"] = out["revenue"] / total if total else np.nan
    assigned = out.index != UNASSIGNED
    out["rank"] = out["revenue"].where(assigned).rank(ascending=False, method="min")
    team = period_indicators(table, has_previous=has_previous)["current"]
    for name in cur:
        if name in _ADDITIVE:
            avg = out.loc[assigned, name].mean() if assigned.any() else np.nan
        else:
            avg = team[name]
        out[name + "_gap"] = out[name] - avg
    out["new_customers"] = g["n_new"]
    out["retained_customers"] = g["n_retained"]
    out["reactivated_customers"] = g["n_reactivated"]
    out["lost_customers"] = g["n_lost"]
    out["lost_revenue"] = _round(g["lost_revenue"].to_numpy())
    for k in CLASSES:
        out[f"bridge_{k}"] = _round(g[f"bridge_{k}"].to_numpy())
    return out
