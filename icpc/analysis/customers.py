"""The per-customer table every indicator sums over (table client × période).

:func:`customer_periods` computes, with ``np.bincount`` on integer customer codes, each
customer's exact revenue (and margin) before N−1, in N−1 and in N, its sales, whether it
is active (net revenue > 0 to the cent), its first and last sale and its bridge class;
:func:`prepare` holds the integer arrays the analyses share. The public functions take the
transactions and options only; :class:`~icpc.diagnostic.Diagnostic`, which prepares the
arrays once, hands them to the private helpers (:func:`_customer_periods`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.documents import DocumentHistory
from icpc.cleaning import customer_attribution as _attribution
from icpc.cleaning import last_rows
from icpc.money import cents, exact, positive_cents
from icpc.periods import _day, _day_numbers, as_date, period_bounds

__all__ = [
    "CLASSES",
    "Prepared",
    "prepare",
    "has_previous_data",
    "customer_attribution",
    "customer_periods",
]


#: Classes of the revenue bridge, in display order.
CLASSES = ("new", "reactivated", "retained", "lost", "other")


@dataclass(frozen=True)
class Prepared:
    """Integer arrays of the transactions and documents up to ``as_of``, computed once.

    The public analyses compute it from their transactions; the Diagnostic computes it
    once and hands it to their private helpers (:func:`_customer_periods`,
    :func:`icpc.analysis.monthly._customer_months`…). ``codes`` are the customer category
    codes, ``day`` days since 1970-01-01; ``doc_*`` are the same for the documents
    (``doc_sale``: total > 0).
    """

    as_of: dt.date
    transactions: pd.DataFrame
    documents: pd.DataFrame
    #: the documents at earlier dates (the early warning's ranking and backtest)
    history: DocumentHistory
    n_customers: int
    codes: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    doc_codes: np.ndarray
    doc_day: np.ndarray
    doc_sale: np.ndarray
    day_min: int
    month_lut: np.ndarray

    def month(self, day: np.ndarray) -> np.ndarray:
        """Month numbers (year × 12 + month − 1) of day numbers within the data."""
        return self.month_lut[day - self.day_min]


def prepare(transactions: pd.DataFrame, *, as_of: dt.date | str) -> Prepared:
    """Compute the integer arrays shared by the analyses (rows after ``as_of`` dropped).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions.
    as_of : date
        Analysis date.

    Returns
    -------
    Prepared
    """
    as_of = as_date(as_of)
    tx = _upto(transactions, as_of)
    history = DocumentHistory(tx)
    docs = history.all
    day = _day_numbers(tx[C.DATE])
    doc_day = _day_numbers(docs[C.DATE])
    day_min = int(day.min()) if len(day) else _day(as_of)
    span = np.arange(day_min, _day(as_of) + 1, dtype=np.int64)
    lut = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return Prepared(
        as_of=as_of,
        transactions=tx,
        documents=docs,
        history=history,
        n_customers=len(tx[C.CUSTOMER_ID].cat.categories),
        codes=np.asarray(tx[C.CUSTOMER_ID].cat.codes, dtype=np.int64),
        day=day,
        amount=np.asarray(tx[C.AMOUNT], dtype=np.float64),
        doc_codes=np.asarray(docs[C.CUSTOMER_ID].cat.codes, dtype=np.int64),
        doc_day=doc_day,
        doc_sale=np.asarray(docs["is_sale"], dtype=bool),
        day_min=day_min,
        month_lut=lut,
    )


def _upto(transactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The rows dated on or before ``as_of`` (the frame itself when all are)."""
    if len(transactions) == 0:
        return transactions
    limit = np.datetime64(as_of, "D") + np.timedelta64(1, "D")
    dates = np.asarray(transactions[C.DATE], dtype="datetime64[ns]")
    if dates.max() < limit:
        return transactions
    return transactions.loc[dates < limit].reset_index(drop=True)


def has_previous_data(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str,
    months: int,
    compare: str = "previous_period",
) -> bool:
    """Whether any row is dated on or before the end of N-1 (else N-1 figures are null).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions.
    as_of : date
        Analysis date.
    months : int
        Period length in months.
    compare : {"previous_period", "previous_year"}
        What N-1 is (:func:`icpc.periods.period_bounds`).

    Returns
    -------
    bool
    """
    if len(transactions) == 0:
        return False
    _, previous = period_bounds(as_of, months, compare)
    first = np.asarray(transactions[C.DATE], dtype="datetime64[D]").min()
    return bool(first <= np.datetime64(previous.end, "D"))


def _round(values: np.ndarray) -> np.ndarray:
    return cents(values)  # half a cent away from zero, once at the end (icpc.money)


def customer_attribution(transactions: pd.DataFrame) -> pd.DataFrame:
    """Salesperson and region of each customer (attribution commerciale).

    The rule of docs/definitions.md: the values of the most recent line of the customer's
    invoices (latest date; ties: highest ``source_row``, else the latest position), of its
    most recent line when it has no invoice, so reorganisations don't split a customer. The one implementation is :func:`icpc.cleaning.customer_attribution`
    (vectorised); this name is kept for the KPI API.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (customers with at least one row), columns ``salesperson``
        and ``region`` (those present in the input; category, may be null).
    """
    return _attribution(transactions)


def customer_periods(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str,
    months: int,
    compare: str = "previous_period",
) -> pd.DataFrame:
    """Per-customer figures of periods N and N-1 (tableau client × période).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (rows after ``as_of`` are ignored).
    as_of : date
        Analysis date.
    months : int
        Period length in months.
    compare : {"previous_period", "previous_year"}
        What N-1 is (:func:`icpc.periods.period_bounds`). With ``previous_year`` and
        fewer than 12 months, the days between N-1 and N count in the history only.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (``CategoricalIndex`` with the input's categories, so
        ``table.index.codes`` are the customer codes; every customer with a row up to
        ``as_of``), columns:
        ``revenue``, ``revenue_previous`` (exact net revenue, :func:`icpc.money.exact`), ``margin``,
        ``margin_previous`` (when mapped), ``sales_count``, ``sales_count_previous``
        (documents dated in the period with a total > 0), ``active``,
        ``active_previous`` (net revenue > 0), ``first_sale``, ``last_sale`` (dates of the
        first and last sale document up to ``as_of``; NaT if none), ``total_revenue``,
        ``total_sales`` (whole history up to ``as_of``), ``bridge_class`` (one of
        :data:`CLASSES`), then ``salesperson`` / ``region`` when mapped (attribution
        rule of docs/definitions.md).
    """
    as_of = as_date(as_of)
    return _customer_periods(prepare(transactions, as_of=as_of), months=months, compare=compare)


def _customer_periods(pr: Prepared, *, months: int, compare: str) -> pd.DataFrame:
    """:func:`customer_periods` of the prepared transactions (at ``pr.as_of``)."""
    current, previous = period_bounds(pr.as_of, months, compare)
    tx = pr.transactions
    n = pr.n_customers
    codes = pr.codes
    d_prev, d_prev_end, d_cur = _day(previous.start), _day(previous.end), _day(current.start)
    gap = d_prev_end + 1 < d_cur  # previous_year with fewer than 12 months

    def slot_key(cust: np.ndarray, day: np.ndarray) -> np.ndarray:
        # customer * 3 + slot, slot 0 = before N-1 (or between N-1 and N), 1 = N-1, 2 = N
        key = cust * 3
        if gap:
            key += (day >= d_prev) & (day <= d_prev_end)
            key += 2 * (day >= d_cur)
        else:  # built in place: the hot path of the usual comparison
            key += day >= d_prev
            key += day >= d_cur
        return key

    key = slot_key(codes, pr.day)
    rev = np.bincount(key, weights=pr.amount, minlength=3 * n).reshape(n, 3)

    scodes, sday = pr.doc_codes[pr.doc_sale], pr.doc_day[pr.doc_sale]
    sales = np.bincount(slot_key(scodes, sday), minlength=3 * n).reshape(n, 3)
    present = np.bincount(pr.doc_codes, minlength=n) > 0  # every row is in a document
    big = np.iinfo(np.int64).max
    first = np.full(n, big, dtype=np.int64)
    np.minimum.at(first, scodes, sday)
    last = np.full(n, -big, dtype=np.int64)
    np.maximum.at(last, scodes, sday)
    has_sale = first != big

    revenue, revenue_prev = exact(rev[:, 2]), exact(rev[:, 1])
    active, active_prev = positive_cents(revenue), positive_cents(revenue_prev)
    new = active & ~active_prev & has_sale & (first >= _day(current.start))
    retained = active & active_prev
    reactivated = active & ~active_prev & ~new
    lost = active_prev & ~active
    klass = np.full(n, 4, dtype=np.int8)  # other
    klass[new], klass[reactivated], klass[retained], klass[lost] = 0, 1, 2, 3

    def dates(values: np.ndarray) -> np.ndarray:
        out = np.where(has_sale, values, 0).astype("datetime64[D]").astype("datetime64[ns]")
        out[~has_sale] = np.datetime64("NaT")
        return out

    cols: dict[str, object] = {"revenue": revenue, "revenue_previous": revenue_prev}
    if C.MARGIN in tx.columns:
        margin = np.asarray(tx[C.MARGIN], dtype=np.float64)
        if np.isnan(margin).any():
            margin = np.nan_to_num(margin, nan=0.0)
        mrg = np.bincount(key, weights=margin, minlength=3 * n).reshape(n, 3)
        cols["margin"], cols["margin_previous"] = exact(mrg[:, 2]), exact(mrg[:, 1])
    cols |= {
        "sales_count": sales[:, 2],
        "sales_count_previous": sales[:, 1],
        "active": active,
        "active_previous": active_prev,
        "first_sale": dates(first),
        "last_sale": dates(last),
        "total_revenue": exact(rev.sum(axis=1)),
        "total_sales": sales.sum(axis=1),
        "bridge_class": pd.Categorical.from_codes(klass, categories=list(CLASSES)),
    }
    index = pd.CategoricalIndex(
        pd.Categorical.from_codes(np.arange(n), dtype=tx[C.CUSTOMER_ID].dtype), name=C.CUSTOMER_ID
    )
    table = pd.DataFrame(cols, index=index)
    attr_cols = [c for c in (C.SALESPERSON, C.REGION) if c in tx.columns]
    if attr_cols:
        last_row = last_rows(tx, codes, pr.day, n, among=pr.history.sale_rows())
        for col in attr_cols:
            cc = np.asarray(tx[col].cat.codes, dtype=np.int64)
            vals = np.full(n, -1, dtype=np.int64)
            has_row = last_row >= 0
            vals[has_row] = cc[last_row[has_row]]
            table[col] = pd.Categorical.from_codes(vals, dtype=tx[col].dtype)
    return table.loc[present] if not present.all() else table
