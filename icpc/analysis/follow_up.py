"""Follow-up (depuis le dernier diagnostic): how the headline indicators moved across the
client's diagnostics, and what became of the customers flagged last time.

The earlier diagnostics are given as :class:`Earlier` (their as_of, their headline figures
and, for the latest, the customers its early warning flagged); the runner finds them
(:mod:`icpc.run.previous`). Each customer flagged last time is put in exactly one class,
the first that applies (docs/definitions.md, "Objectives, guardrails, follow-up"):

1. ``recovered``: a sale document dated after the earlier as_of, up to this as_of;
2. ``lost``: his status is ``lost`` now;
3. ``still_flagged``: the early warning flags him now;
4. ``other``.

``revenue_recovered`` is the net revenue of the recovered customers' rows dated after the
earlier as_of, up to this as_of, exact to the cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.money import cents

__all__ = ["HEADLINE", "CLASSES", "Earlier", "FollowUp", "follow_up"]

#: the headline figures followed across diagnostics (kpis.json keys)
HEADLINE = ("revenue", "active_customers", "average_basket", "new_customers", "lost_customers")
#: the classes of the customers flagged last time, in the order they are tested
CLASSES = ("recovered", "lost", "still_flagged", "other")


@dataclass(frozen=True)
class Earlier:
    """One earlier diagnostic of the same client.

    Attributes
    ----------
    as_of : date
        Its analysis date.
    headline : dict
        Its :data:`HEADLINE` figures (N's values; None when it had none).
    flagged : tuple of str
        The customers its early warning flagged (customers.csv's ``early_warning``).
    """

    as_of: dt.date
    headline: dict[str, Any]
    flagged: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """The ``follow_up`` block and, per flagged customer, his class and revenue since."""

    previous_as_of: dt.date
    history: tuple[dict[str, Any], ...]
    counts: dict[str, int]
    revenue_recovered: float
    #: index ``customer_id``: ``class`` (:data:`CLASSES`), ``revenue_since`` (exact)
    customers: pd.DataFrame

    def as_dict(self) -> dict[str, Any]:
        """kpis.json's ``follow_up`` block."""
        return {
            "previous_as_of": self.previous_as_of.isoformat(),
            "history": [dict(h) for h in self.history],
            "flagged_then": {
                "customers": int(sum(self.counts.values())),
                **{k: int(self.counts[k]) for k in CLASSES},
                "revenue_recovered": self.revenue_recovered,
            },
        }


def follow_up(
    earlier: tuple[Earlier, ...],
    *,
    as_of: dt.date,
    headline: dict[str, Any],
    transactions: pd.DataFrame,
    documents: pd.DataFrame,
    status: pd.Series,
    flagged_now: pd.Series,
) -> FollowUp | None:
    """Follow the earlier diagnostics up to this one.

    Parameters
    ----------
    earlier : tuple of Earlier
        The earlier diagnostics (any order; those dated on or after ``as_of`` are ignored).
    as_of : date
        This diagnostic's date.
    headline : dict
        This diagnostic's :data:`HEADLINE` figures.
    transactions, documents : DataFrame
        This diagnostic's rows and documents (up to ``as_of``).
    status : Series
        Status per customer now (``lost`` among them).
    flagged_now : Series of bool
        The early warning now, per customer.

    Returns
    -------
    FollowUp or None
        None without an earlier diagnostic.
    """
    before = sorted((e for e in earlier if e.as_of < as_of), key=lambda e: e.as_of)
    if not before:
        return None
    last = before[-1]
    history = tuple(
        {"as_of": e.as_of.isoformat(), **{k: e.headline.get(k) for k in HEADLINE}} for e in before
    ) + ({"as_of": as_of.isoformat(), **{k: headline.get(k) for k in HEADLINE}},)
    since = pd.Timestamp(last.as_of)
    ids = pd.Index(sorted(set(last.flagged)), name=C.CUSTOMER_ID, dtype="str")
    sold = documents.loc[
        documents["is_sale"].to_numpy(dtype=bool) & (documents[C.DATE] > since).to_numpy()
    ]
    bought = ids.isin(pd.Index(sold[C.CUSTOMER_ID].astype(str).unique()))
    lost = (status.reindex(ids).astype(object) == "lost").to_numpy()
    still = flagged_now.reindex(ids).fillna(False).to_numpy(dtype=bool)
    klass = np.select([bought, lost, still], ["recovered", "lost", "still_flagged"], "other")
    later = transactions.loc[(transactions[C.DATE] > since).to_numpy()]
    revenue = later.groupby(later[C.CUSTOMER_ID].astype(str), observed=True)[C.AMOUNT].sum()
    revenue_since = revenue.reindex(ids).fillna(0.0).to_numpy()
    recovered = klass == "recovered"
    return FollowUp(
        previous_as_of=last.as_of,
        history=history,
        counts={k: int((klass == k).sum()) for k in CLASSES},
        revenue_recovered=float(cents(revenue_since[recovered].sum())),
        customers=pd.DataFrame({"class": klass, "revenue_since": revenue_since}, index=ids),
    )
