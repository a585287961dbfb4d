"""Sales activity per salesperson (activité commerciale): contacts, calls, conversion.

Reads the canonical activity frame of ``docs/CONTRACTS.md`` (``date``, ``salesperson``,
``kind`` in ``contact_received`` / ``call`` / ``call_completed``) and puts it next to the
sales of the same salesperson and period, attributed by the rule of docs/definitions.md (a customer's
salesperson is the one of its most recent invoice), so that the sales here are the sales
of the ``by_salesperson`` table.

A row of kind ``call_completed`` is an outgoing call that reached the customer: it counts
both as a call made and as a completed call (each call is logged once, with its outcome).

Example
-------
>>> from icpc.analysis.activity import activity_summary  # doctest: +SKIP
>>> activity_summary(dataset.activity, table, as_of="2024-12-31", months=12)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.kpi import UNASSIGNED, period_bounds

__all__ = ["activity_summary", "ACTIVITY_COLUMNS"]

KIND = "kind"
#: Output columns of :func:`activity_summary`, in order.
ACTIVITY_COLUMNS = (
    "contacts_received", "calls", "calls_completed", "completion_rate", "sales_count",
    "revenue", "conversion_rate", "revenue_per_completed_call",
)  # fmt: skip
PERIODS = ("current", "previous")


def _labels(values: pd.Series) -> np.ndarray:
    """Salesperson labels as text, :data:`~icpc.kpi.UNASSIGNED` for nulls."""
    out = values.astype("object").to_numpy().copy()
    out[pd.isna(out)] = UNASSIGNED
    return out.astype(str)


def activity_summary(
    activity: pd.DataFrame,
    table: pd.DataFrame,
    *,
    as_of: dt.date | str,
    months: int,
    compare: str = "previous_period",
) -> pd.DataFrame:
    """Contacts, calls and conversion per salesperson for periods N and N-1.

    Parameters
    ----------
    activity : DataFrame
        Canonical activity log: ``date`` (datetime64), ``salesperson`` (category),
        ``kind`` (``contact_received``, ``call``, ``call_completed``).
    table : DataFrame
        ``icpc.kpi.customer_periods`` of the transactions, with its ``salesperson``
        column (customers without one count under ``(unassigned)``); without that
        column, sales and revenue are NaN.
    as_of : date
        Analysis date.
    months : int
        Period length in months.
    compare : {"previous_period", "previous_year"}
        What N-1 is (:func:`icpc.periods.period_bounds`); the table must use the same.

    Returns
    -------
    DataFrame
        MultiIndex (``salesperson``, ``period`` in ``current`` / ``previous``), one row
        per salesperson found in the log or in the sales, columns:
        ``contacts_received`` (contacts reçus), ``calls`` (appels passés, completed ones
        included), ``calls_completed`` (appels aboutis), ``completion_rate`` (taux
        d'aboutissement = completed / calls), ``sales_count`` (ventes), ``revenue``
        (CA), ``conversion_rate`` (taux de transformation = sales / completed calls),
        ``revenue_per_completed_call`` (CA par appel abouti). Ratios are NaN when their
        denominator is 0.
    """
    current, previous = period_bounds(as_of, months, compare)
    dates = np.asarray(activity[C.DATE], dtype="datetime64[D]")
    start, end = np.datetime64(current.start, "D"), np.datetime64(current.end, "D")
    pstart, pend = np.datetime64(previous.start, "D"), np.datetime64(previous.end, "D")
    period = np.full(len(activity), "", dtype=object)
    period[(dates >= start) & (dates <= end)] = "current"
    period[(dates >= pstart) & (dates <= pend)] = "previous"
    kind = activity[KIND].astype(str).to_numpy()
    in_period = period != ""
    log = pd.DataFrame(
        {
            C.SALESPERSON: _labels(activity[C.SALESPERSON])[in_period],
            "period": period[in_period],
            "contacts_received": (kind == "contact_received")[in_period].astype(np.int64),
            "calls": np.isin(kind, ["call", "call_completed"])[in_period].astype(np.int64),
            "calls_completed": (kind == "call_completed")[in_period].astype(np.int64),
        }
    )
    counts = log.groupby([C.SALESPERSON, "period"]).sum()

    if C.SALESPERSON in table.columns:
        seller = _labels(table[C.SALESPERSON])
        sales = (
            pd.DataFrame(
                {
                    ("sales_count", "current"): table["sales_count"].to_numpy(),
                    ("sales_count", "previous"): table["sales_count_previous"].to_numpy(),
                    ("revenue", "current"): table["revenue"].to_numpy(),
                    ("revenue", "previous"): table["revenue_previous"].to_numpy(),
                },
                index=pd.Index(seller, name=C.SALESPERSON),
            )
            .groupby(level=0)
            .sum()
        )
        sales.columns = pd.MultiIndex.from_tuples(sales.columns, names=[None, "period"])
        sales = sales.stack("period", future_stack=True)
    else:
        sales = pd.DataFrame(columns=["sales_count", "revenue"], dtype=np.float64)
    people = sorted(set(counts.index.get_level_values(0)) | set(sales.index.get_level_values(0)))
    index = pd.MultiIndex.from_product([people, list(PERIODS)], names=[C.SALESPERSON, "period"])
    out = counts.reindex(index).fillna(0).astype(np.int64)
    if C.SALESPERSON in table.columns:
        joined = sales.reindex(index)
        out["sales_count"] = joined["sales_count"].fillna(0).astype(np.int64)
        out["revenue"] = np.round(joined["revenue"].fillna(0.0).to_numpy(dtype=np.float64), 2) + 0.0
    else:
        out["sales_count"] = np.nan
        out["revenue"] = np.nan
    calls = out["calls"].where(out["calls"] > 0)
    completed = out["calls_completed"].where(out["calls_completed"] > 0)
    out["completion_rate"] = out["calls_completed"] / calls
    out["conversion_rate"] = out["sales_count"] / completed
    out["revenue_per_completed_call"] = out["revenue"] / completed
    return out[list(ACTIVITY_COLUMNS)]
