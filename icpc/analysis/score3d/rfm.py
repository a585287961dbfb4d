"""Recency, frequency, monetary (RFM) per customer, from the documents, at ``as_of``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.money import cents, exact
from icpc.periods import _ts, window_start

__all__ = ["RFM_COLUMNS", "rfm"]


#: columns of :func:`rfm`, in order
RFM_COLUMNS = (
    "first_sale",
    "last_sale",
    "recency_days",
    "frequency",
    "monetary",
    "revenue",
    "scored",
)


def _customer_codes(customers: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (0..n-1) and the matching customer ids of a customer_id column."""
    if isinstance(customers.dtype, pd.CategoricalDtype):
        return np.asarray(customers.cat.codes, dtype=np.int64), pd.Index(
            customers.cat.categories.astype(str)
        )
    codes, uniques = pd.factorize(customers.astype(str))
    return codes.astype(np.int64), pd.Index(uniques)


def rfm(
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    basis: str = "revenue",
    window_months: int | None = None,
) -> pd.DataFrame:
    """Recency, frequency and monetary value (récence, fréquence, montant) per customer.

    Parameters
    ----------
    documents : DataFrame
        Output of :func:`icpc.analysis.documents.documents` (``customer_id``, ``date``, ``amount``,
        ``is_sale``, and ``margin`` when ``basis="margin"``).
    as_of : date
        Analysis date; later documents are ignored.
    basis : {"revenue", "margin"}
        What ``monetary`` measures: net revenue, or net margin (missing margins count 0).
    window_months : int, optional
        Only the documents of the last ``window_months`` months count; None = all history.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str): one row per customer with at least one sale document
        in the window. Columns ``first_sale``, ``last_sale`` (dates of the first and last
        sale document), ``recency_days`` (days from the last sale to ``as_of``),
        ``frequency`` (number of sale documents), ``monetary`` (exact net revenue or
        margin), ``revenue`` (exact net revenue), ``scored`` (net revenue > 0 to the cent:
        the customers that :func:`score` ranks, on their monetary value in cents).
    """
    if basis not in ("revenue", "margin"):
        raise ValueError(f"basis must be 'revenue' or 'margin', not {basis!r}")
    end = _ts(as_of)
    dates = documents[C.DATE]
    keep = (dates <= end).to_numpy()
    if window_months is not None:
        keep = keep & (dates >= window_start(end, window_months)).to_numpy()
    codes, ids = _customer_codes(documents[C.CUSTOMER_ID])
    codes = codes[keep]
    n = len(ids)
    amount = documents[C.AMOUNT].to_numpy(dtype=float)[keep]
    revenue = exact(np.bincount(codes, weights=amount, minlength=n))
    if basis == "margin":
        margin = np.nan_to_num(documents[C.MARGIN].to_numpy(dtype=float)[keep])
        monetary = exact(np.bincount(codes, weights=margin, minlength=n))
    else:
        monetary = revenue
    sale = documents["is_sale"].to_numpy(dtype=bool)[keep]
    sale_codes = codes[sale]
    frequency = np.bincount(sale_codes, minlength=n)
    day = (
        dates.to_numpy(dtype="datetime64[ns]")[keep][sale].astype("datetime64[D]").astype(np.int64)
    )
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, sale_codes, day)
    np.maximum.at(last, sale_codes, day)
    has_sale = frequency > 0
    end_day = int(np.datetime64(end.date(), "D").astype(np.int64))
    out = pd.DataFrame(
        {
            "first_sale": first[has_sale].astype("datetime64[D]").astype("datetime64[ns]"),
            "last_sale": last[has_sale].astype("datetime64[D]").astype("datetime64[ns]"),
            "recency_days": (end_day - last[has_sale]).astype(np.int64),
            "frequency": frequency[has_sale].astype(np.int64),
            "monetary": monetary[has_sale],
            "revenue": revenue[has_sale],
            "scored": cents(revenue[has_sale]) > 0,
        },
        index=pd.Index(ids[has_sale], name=C.CUSTOMER_ID),
    )
    return out
