"""Customer status at ``as_of``: new, active, slipping, lost."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from icpc.periods import _ts

__all__ = ["STATUSES", "customer_status"]


#: values of :func:`customer_status`, in order
STATUSES = ("new", "active", "slipping", "lost")


def customer_status(
    customers: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    lost_after_days: int = 365,
    new_within_days: int = 90,
    slipping: pd.Series | None = None,
) -> pd.Series:
    """Status of each customer (statut : nouveau, actif, en décrochage, perdu).

    Parameters
    ----------
    customers : DataFrame
        Index ``customer_id``; columns ``first_sale`` (first sale ever) and ``last_sale``
        (e.g. :func:`rfm` over the whole history).
    as_of : date
        Analysis date.
    lost_after_days : int
        ``thresholds.lost_after_days``: no sale for longer than this = lost.
    new_within_days : int
        ``thresholds.new_within_days``: first sale at most this many days before ``as_of`` = new.
    slipping : Series of bool, optional
        The early-warning flag (:func:`icpc.analysis.warning.early_warning`), by customer id.

    Returns
    -------
    Series
        Categorical with categories :data:`STATUSES`, first match wins: ``lost`` (recency
        > ``lost_after_days``), ``slipping`` (flagged by the early warning), ``new``,
        ``active``.
    """
    end = _ts(as_of)
    recency = (end - customers["last_sale"]).dt.days.to_numpy()
    since_first = (end - customers["first_sale"]).dt.days.to_numpy()
    flagged = (
        slipping.reindex(customers.index, fill_value=False).to_numpy(dtype=bool)
        if slipping is not None
        else np.zeros(len(customers), dtype=bool)
    )
    code = np.select(
        [recency > lost_after_days, flagged, since_first <= new_within_days], [3, 2, 0], default=1
    )
    return pd.Series(
        pd.Categorical.from_codes(code, categories=list(STATUSES)),
        index=customers.index,
        name="status",
    )
