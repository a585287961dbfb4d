"""Customer dynamics (dynamique clients): new, retained, reactivated and lost customers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.customers import CLASSES, _round
from icpc.analysis.indicators import _ratio
from icpc.periods import as_date

__all__ = ["Dynamics", "customer_dynamics"]


@dataclass(frozen=True)
class Dynamics:
    """Customer dynamics N-1 → N (dynamique clients).

    ``lists`` maps each class of :data:`CLASSES` but ``other`` to its customer ids;
    ``lost`` details the lost customers (clients perdus) and ``lost_by_month`` counts them
    by month of their last sale ("since when").
    """

    active_current: int
    active_previous: int
    new_customers: int
    retained_customers: int
    reactivated_customers: int
    lost_customers: int
    lost_revenue: float
    churn_rate: float
    retention_rate: float
    lists: dict[str, pd.Index]
    lost: pd.DataFrame
    lost_by_month: pd.DataFrame


def customer_dynamics(table: pd.DataFrame, *, as_of: dt.date | str) -> Dynamics:
    """New, retained, reactivated and lost customers (nouveaux, fidélisés, réactivés, perdus).

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods`.
    as_of : date
        Analysis date (for the days since the last sale).

    Returns
    -------
    Dynamics
        Counts, ``lost_revenue`` (CA perdu: N-1 revenue of the lost customers),
        ``churn_rate`` (taux d'attrition = lost / active(N-1)) and ``retention_rate``
        (taux de fidélisation = retained / active(N-1)), NaN when active(N-1) is 0.
        ``lost``: index ``customer_id``, columns ``revenue_previous``, ``last_sale``,
        ``days_since_last_sale``, ``salesperson``/``region`` when mapped; sorted by
        ``revenue_previous`` descending. ``lost_by_month``: index ``month`` (first day of
        the month of the last sale), columns ``customers``, ``revenue_previous``.
    """
    as_of = as_date(as_of)
    klass = table["bridge_class"]
    counts = klass.value_counts()
    active_prev = int(table["active_previous"].sum())
    is_lost = (klass == "lost").to_numpy()
    lost_cols = ["revenue_previous", "last_sale"] + [
        c for c in (C.SALESPERSON, C.REGION) if c in table.columns
    ]
    lost = table.loc[is_lost, lost_cols]
    days = (pd.Timestamp(as_of) - lost["last_sale"]).dt.days
    lost = lost.assign(days_since_last_sale=days.astype("Float64").astype("float64"))
    lost = lost[["revenue_previous", "last_sale", "days_since_last_sale"] + lost_cols[2:]]
    lost = lost.sort_values(
        ["revenue_previous", "last_sale"], ascending=[False, True], kind="stable"
    )
    month = lost["last_sale"].dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    by_month = (
        lost.assign(month=month)
        .groupby("month", sort=True)
        .agg(customers=("revenue_previous", "size"), revenue_previous=("revenue_previous", "sum"))
    )
    by_month["revenue_previous"] = _round(by_month["revenue_previous"].to_numpy())
    lost_revenue = float(_round(np.asarray(lost["revenue_previous"].sum())))
    retained = int(counts.get("retained", 0))
    n_lost = int(counts.get("lost", 0))
    return Dynamics(
        active_current=int(table["active"].sum()),
        active_previous=active_prev,
        new_customers=int(counts.get("new", 0)),
        retained_customers=retained,
        reactivated_customers=int(counts.get("reactivated", 0)),
        lost_customers=n_lost,
        lost_revenue=lost_revenue,
        churn_rate=_ratio(n_lost, active_prev),
        retention_rate=_ratio(retained, active_prev),
        lists={k: table.index[(klass == k).to_numpy()] for k in CLASSES[:4]},
        lost=lost,
        lost_by_month=by_month,
    )
