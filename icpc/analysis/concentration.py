"""Concentration of revenue N on the top customers (Pareto, top 1/5/10, Herfindahl)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.customers import _round

__all__ = ["Concentration", "concentration"]


@dataclass(frozen=True)
class Concentration:
    """Dependency on the largest customers in N (concentration du portefeuille).

    Shares are fractions of the revenue of the customers with revenue > 0 in N (so they
    add up to 1 and the Herfindahl index is well defined). ``revenue_without_top3`` is
    revenue N (all customers) minus the top 3 customers' revenue.
    """

    customers: int
    top20_share: float
    top1_share: float
    top5_share: float
    top10_share: float
    herfindahl: float
    top3_revenue: float
    revenue_without_top3: float
    pareto: pd.DataFrame

    def as_dict(self) -> dict[str, float | int]:
        """The scalar figures."""
        return {
            "customers": self.customers,
            "top20_share": self.top20_share,
            "top1_share": self.top1_share,
            "top5_share": self.top5_share,
            "top10_share": self.top10_share,
            "herfindahl": self.herfindahl,
            "top3_revenue": self.top3_revenue,
            "revenue_without_top3": self.revenue_without_top3,
        }


def concentration(table: pd.DataFrame) -> Concentration:
    """Pareto curve, top-customer shares and Herfindahl index of revenue N.

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods`.

    Returns
    -------
    Concentration
        ``top20_share``: share of the top ⌈20 % × customers⌉ customers; ``pareto``: one
        row per active customer by decreasing revenue, index ``rank`` (1…), columns
        ``customer_id``, ``revenue``, ``share``, ``cumulative_share``, ``customer_share``
        (rank / customers). NaN shares when no customer has revenue > 0.
    """
    rev = table["revenue"].to_numpy()
    pos = rev > 0
    order = np.argsort(-rev[pos], kind="stable")
    values = rev[pos][order]
    ids = table.index[pos][order]
    n = len(values)
    total = float(values.sum())
    share = values / total if total > 0 else np.full(n, np.nan)
    cum = np.cumsum(share)

    def top(k: int) -> float:
        return float(cum[min(k, n) - 1]) if n else math.nan

    pareto = pd.DataFrame(
        {
            C.CUSTOMER_ID: ids,
            "revenue": values,
            "share": share,
            "cumulative_share": cum,
            "customer_share": np.arange(1, n + 1) / max(n, 1),
        },
        index=pd.RangeIndex(1, n + 1, name="rank"),
    )
    top3 = float(_round(np.asarray(values[:3].sum())))
    revenue = float(_round(np.asarray(rev.sum())))
    return Concentration(
        customers=n,
        top20_share=top(math.ceil(0.2 * n)),
        top1_share=top(1),
        top5_share=top(5),
        top10_share=top(10),
        herfindahl=float(np.sum(share**2)) if n and total > 0 else math.nan,
        top3_revenue=top3,
        revenue_without_top3=float(_round(np.asarray(revenue - top3))),
        pareto=pareto,
    )
