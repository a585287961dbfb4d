"""Salesperson and region of each customer: those of its most recent invoice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.cleaning.documents import invoice_rows

__all__ = ["customer_attribution", "last_rows"]


def customer_attribution(transactions: pd.DataFrame) -> pd.DataFrame:
    """Salesperson and region of each customer (attribution commerciale).

    A customer's salesperson and region are those of its **most recent invoice**: the
    most recent line (latest date; ties: highest ``source_row``) of its invoices — the
    documents whose total is > 0 (:func:`icpc.cleaning.documents.invoice_rows`); a credit
    note does not move a customer. A customer without any invoice takes those of its most
    recent line of any kind. So a reorganisation does not split a customer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``customer_id``, ``date``, ``source_row`` and
        ``salesperson`` and/or ``region``).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (str, the customers present); columns ``salesperson``,
        ``region`` (those present in ``transactions``).
    """
    cols = [c for c in (C.SALESPERSON, C.REGION) if c in transactions.columns]
    cust = transactions[C.CUSTOMER_ID]
    if len(transactions) == 0:
        return pd.DataFrame(columns=cols, index=pd.Index([], name=C.CUSTOMER_ID, dtype="str"))
    if isinstance(cust.dtype, pd.CategoricalDtype):
        codes, ids = cust.cat.codes.to_numpy().astype(np.int64), cust.cat.categories
    else:
        codes, ids = pd.factorize(cust)
        codes = codes.astype(np.int64)
    day = (
        np.asarray(transactions[C.DATE], dtype="datetime64[ns]").view(np.int64)
        // 86_400_000_000_000
    )
    last = last_rows(transactions, codes, day, len(ids), among=invoice_rows(transactions))
    present = last >= 0
    out = transactions.iloc[last[present]][cols].reset_index(drop=True)
    out.index = pd.Index(np.asarray(ids, dtype=object)[present], name=C.CUSTOMER_ID, dtype="str")
    return out


def last_rows(
    transactions: pd.DataFrame,
    codes: np.ndarray,
    day: np.ndarray,
    n: int,
    among: np.ndarray | None = None,
) -> np.ndarray:
    """Position of each customer's most recent row (-1 when it has none), vectorised.

    The attribution rule (docs/definitions.md): latest date first; among rows of that date, the
    highest ``source_row`` (else the latest position).

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``source_row`` used when present).
    codes : numpy.ndarray of int64
        Customer code (0..n-1) of each row.
    day : numpy.ndarray of int64
        Day number of each row.
    n : int
        Number of customer codes.
    among : numpy.ndarray of bool, optional
        The rows to choose from (a customer's invoices, :func:`invoice_rows`); a customer
        with none of them gets its most recent row of any kind. None: every row.

    Returns
    -------
    numpy.ndarray of int64
        Row position per customer code.
    """
    if C.SOURCE_ROW in transactions.columns:
        tie = np.asarray(transactions[C.SOURCE_ROW], dtype=np.int64)
    else:
        tie = np.arange(len(codes), dtype=np.int64)
    packed = _packed_last_rows(codes, day, tie, n, among)
    if packed is not None:
        return packed
    return _last_rows(codes, day, tie, n, among)


#: bits of the packed key (:func:`_packed_last_rows`): the tie-break, then the day
_TIE_BITS, _DAY_BITS = 40, 21


def _packed_last_rows(
    codes: np.ndarray, day: np.ndarray, tie: np.ndarray, n: int, among: np.ndarray | None
) -> np.ndarray | None:
    """:func:`last_rows` in one pass: each row's (among, day, tie) packed in one int64 whose
    largest value per customer is its row (rows of ``among`` first, then the latest day,
    then the highest tie-break; equal keys: the latest position, as :func:`_last_rows`).
    None when the days span or the tie-breaks do not fit (then :func:`_last_rows`)."""
    last = np.full(n, -1, dtype=np.int64)
    if len(codes) == 0:
        return last
    low = int(day.min())
    if (
        int(day.max()) - low >= 1 << _DAY_BITS
        or int(tie.min()) < 0
        or int(tie.max()) >= 1 << _TIE_BITS
    ):
        return None
    key = (np.asarray(day, dtype=np.int64) - low) << _TIE_BITS
    key |= tie
    if among is not None:
        key |= np.asarray(among, dtype=np.int64) << (_TIE_BITS + _DAY_BITS)
    best = np.full(n, -1, dtype=np.int64)
    np.maximum.at(best, codes, key)
    rows = np.flatnonzero(key == best[codes])
    last[codes[rows]] = rows  # equal keys: the latest position is written last
    return last


def _last_rows(
    codes: np.ndarray, day: np.ndarray, tie: np.ndarray, n: int, among: np.ndarray | None
) -> np.ndarray:
    """:func:`last_rows` for any days and tie-breaks (those :func:`_packed_last_rows` cannot pack)."""
    if among is None:
        return _latest(codes, day, tie, np.arange(len(codes)), n)
    rows = np.flatnonzero(among)
    last = _latest(codes[rows], day[rows], tie[rows], rows, n)
    none = last < 0
    if none.any():  # their lines only (customers with lines, none of them an invoice)
        rows = np.flatnonzero(none[codes])
        last[none] = _latest(codes[rows], day[rows], tie[rows], rows, n)[none]
    return last


def _latest(
    codes: np.ndarray, day: np.ndarray, tie: np.ndarray, at: np.ndarray, n: int
) -> np.ndarray:
    """:func:`last_rows` of the rows ``at`` (their codes, days and tie-breaks given)."""
    latest = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, codes, day)
    rows = np.flatnonzero(day == latest[codes])
    cand = codes[rows]
    best = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(best, cand, tie[rows])
    keep = tie[rows] == best[cand]  # one row per customer unless source_row repeats
    last = np.full(n, -1, dtype=np.int64)
    last[cand[keep]] = at[rows[keep]]
    return last
