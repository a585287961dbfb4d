"""Period indicators (indicateurs de période): revenue, sales, basket, frequency… N vs N−1."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from icpc.analysis.customers import _round

__all__ = ["INDICATORS", "MONEY", "period_indicators"]


#: Period indicators, in display order (``margin*`` only when margin is mapped).
INDICATORS = (
    "revenue", "margin", "margin_rate", "sales_count", "active_customers",
    "average_basket", "purchase_frequency", "revenue_per_customer",
)  # fmt: skip


#: Money indicators (rounded to the cent in kpis.json).
MONEY = frozenset({"revenue", "margin", "average_basket", "revenue_per_customer"})


def _ratio(num: float, den: float) -> float:
    return num / den if den and not math.isnan(den) and not math.isnan(num) else math.nan


def _period_values(table: pd.DataFrame, suffix: str, with_margin: bool) -> dict[str, float]:
    revenue = float(_round(np.asarray(table["revenue" + suffix].sum())))
    sales = float(table["sales_count" + suffix].sum())
    active = float(table["active" + suffix].sum())
    out = {"revenue": revenue}
    if with_margin:
        margin = float(_round(np.asarray(table["margin" + suffix].sum())))
        out |= {"margin": margin, "margin_rate": _ratio(margin, revenue)}
    out |= {
        "sales_count": sales,
        "active_customers": active,
        "average_basket": _ratio(revenue, sales),
        "purchase_frequency": _ratio(sales, active),
        "revenue_per_customer": _ratio(revenue, active),
    }
    return out


def _change(current: float, previous: float) -> tuple[float, float]:
    change = current - previous
    pct = change / abs(previous) if previous and not math.isnan(previous) else math.nan
    return change, pct


def period_indicators(table: pd.DataFrame, *, has_previous: bool = True) -> pd.DataFrame:
    """Period indicators of N and N-1 with their change (indicateurs de période).

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods` (or a subset of its rows, e.g. one salesperson's).
    has_previous : bool
        False when the data has no N-1 (young company): N-1 figures are NaN (null).

    Returns
    -------
    DataFrame
        Index: ``revenue`` (chiffre d'affaires), ``margin`` and ``margin_rate`` (marge,
        taux de marge; when mapped), ``sales_count`` (nombre de ventes),
        ``active_customers`` (clients actifs), ``average_basket`` (panier moyen),
        ``purchase_frequency`` (fréquence d'achat), ``revenue_per_customer`` (CA par
        client). Columns ``current``, ``previous``, ``change``, ``change_pct`` (fraction,
        ``change / |previous|``; NaN when previous is 0 or NaN). Undefined ratios
        (division by 0) are NaN.
    """
    with_margin = "margin" in table.columns
    cur = _period_values(table, "", with_margin)
    prev = _period_values(table, "_previous", with_margin)
    rows = []
    for name, value in cur.items():
        p = prev[name] if has_previous else math.nan
        change, pct = _change(value, p)
        rows.append((name, value, p, change, pct))
    frame = pd.DataFrame(rows, columns=["indicator", "current", "previous", "change", "change_pct"])
    return frame.set_index("indicator")
