"""Monthly series (série mensuelle): revenue, sales, active customers and rolling 12 months.

The public functions take the transactions and options; the Diagnostic, which prepares the
transactions once (:func:`icpc.analysis.customers.prepare`), calls the private helpers
:func:`_customer_months` and :func:`_monthly_series` with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc.analysis.customers import Prepared, _round, prepare
from icpc.money import positive_cents
from icpc.periods import add_months, as_date

__all__ = ["CustomerMonths", "customer_months", "monthly_series"]


_DENSE_LIMIT = 10_000_000  # cells of a dense customer × month array per chunk


@dataclass(frozen=True)
class CustomerMonths:
    """Net revenue of each (customer, month) with rows, sorted by customer then month.

    ``month`` is a month number (year × 12 + month − 1); ``first_month``/``last_month``
    bound the data (the last is the month of ``as_of``).
    """

    customer: np.ndarray
    month: np.ndarray
    revenue: np.ndarray
    first_month: int
    last_month: int
    n_customers: int


def _month_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    m = np.asarray(dates, dtype="datetime64[M]").astype(np.int64)
    return m + 1970 * 12


def customer_months(transactions: pd.DataFrame, *, as_of: dt.date | str) -> CustomerMonths:
    """Net revenue per customer and calendar month (CA client × mois), sparse.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (rows after ``as_of`` ignored).
    as_of : date
        Analysis date.

    Returns
    -------
    CustomerMonths
        Only (customer, month) pairs with a non-zero sum. Built with dense
        ``np.bincount`` over blocks of customers (no hash, no sort).
    """
    return _customer_months(prepare(transactions, as_of=as_date(as_of)))


def _customer_months(pr: Prepared) -> CustomerMonths:
    """:func:`customer_months` of the prepared transactions (at ``pr.as_of``)."""
    as_of = pr.as_of
    n = pr.n_customers
    last_month = as_of.year * 12 + as_of.month - 1
    if len(pr.day) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return CustomerMonths(empty, empty, np.zeros(0), last_month, last_month, n)
    codes = pr.codes
    first_month = int(pr.month_lut[0])
    rel = pr.month(pr.day)
    rel -= first_month
    width = last_month - first_month + 1
    amount = pr.amount
    block = max(1, _DENSE_LIMIT // width)
    parts_c, parts_m, parts_v = [], [], []
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        if lo == 0 and hi == n:
            key, w = codes * width, amount
            key += rel
        else:
            sel = (codes >= lo) & (codes < hi)
            key, w = (codes[sel] - lo) * width + rel[sel], amount[sel]
        dense = np.bincount(key, weights=w, minlength=(hi - lo) * width)
        nz = np.flatnonzero(dense)
        parts_c.append(nz // width + lo)
        parts_m.append(nz % width + first_month)
        parts_v.append(dense[nz])
    return CustomerMonths(
        np.concatenate(parts_c), np.concatenate(parts_m), np.concatenate(parts_v),
        first_month, last_month, n,
    )  # fmt: skip


def _month_start(month_numbers: np.ndarray) -> pd.DatetimeIndex:
    m = (np.asarray(month_numbers, dtype=np.int64) - 1970 * 12).astype("datetime64[M]")
    return pd.DatetimeIndex(m.astype("datetime64[ns]"), name="month")


def _changes(a: np.ndarray) -> np.ndarray:
    """Boolean mask: True where ``a`` differs from the previous element (and at 0)."""
    out = np.empty(len(a), dtype=bool)
    if len(a):
        out[0] = True
        np.not_equal(a[1:], a[:-1], out=out[1:])
    return out


def _rolling_active(cm: CustomerMonths, window: int, *, dense: bool | None = None) -> np.ndarray:
    """Customers with net revenue > 0 over the ``window`` months ending at each month.

    Dense per block of customers (cumulative sums along months) when the customer × month
    grid is at least 1/8 filled, else by window-entry / window-exit events.
    """
    width = cm.last_month - cm.first_month + 1
    nnz = len(cm.customer)
    if nnz == 0:
        return np.zeros(width, dtype=np.int64)
    rel = cm.month - cm.first_month
    n = cm.n_customers
    if dense is None:
        dense = n * width <= 8 * nnz
    if dense:
        counts = np.zeros(width, dtype=np.int64)
        block = max(1, _DENSE_LIMIT // width)
        bounds = np.searchsorted(cm.customer, np.arange(0, n + block, block))
        for lo, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            if a == b:
                continue
            first = lo * block
            rows = int(cm.customer[b - 1]) - first + 1
            grid = np.zeros((rows, width + 1))
            grid.reshape(-1)[(cm.customer[a:b] - first) * (width + 1) + rel[a:b] + 1] = cm.revenue[
                a:b
            ]
            np.cumsum(grid, axis=1, out=grid)
            sums = grid[:, 1:].copy()
            if width > window:
                sums[:, window:] -= grid[:, 1 : width + 1 - window]
            counts += positive_cents(sums).sum(axis=0)
        return counts
    span = width + window
    # +revenue when a month enters the window, -revenue when it leaves; both halves are
    # sorted by (customer, time), so the stable sort is a cheap merge.
    ev_key = np.concatenate([cm.customer * span + rel, cm.customer * span + rel + window])
    ev_val = np.concatenate([cm.revenue, -cm.revenue])
    order = np.argsort(ev_key, kind="stable")
    ev_key, ev_val = ev_key[order], ev_val[order]
    starts = np.flatnonzero(_changes(ev_key))
    key = ev_key[starts]
    val = np.add.reduceat(ev_val, starts)
    cust = key // span
    t = key % span
    total = np.cumsum(val)
    first_of_cust = _changes(cust)
    group_start = np.maximum.accumulate(np.where(first_of_cust, np.arange(len(val)), 0))
    running = total - (total - val)[group_start]  # window sum until the customer's next event
    is_active = positive_cents(running)
    nxt = np.empty_like(t)
    nxt[:-1] = t[1:]
    nxt[np.flatnonzero(first_of_cust)[1:] - 1] = span
    nxt[-1] = span
    diff = np.zeros(span + 1, dtype=np.int64)
    np.add.at(diff, t[is_active], 1)
    np.add.at(diff, nxt[is_active], -1)
    return np.cumsum(diff)[:width]


def monthly_series(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str,
    window: int = 12,
) -> pd.DataFrame:
    """Monthly series and rolling 12 months (séries mensuelles, cumul glissant 12 mois).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (rows after ``as_of`` ignored).
    as_of : date
        Analysis date; the last month is the month of ``as_of``.
    window : int
        Months of the rolling window (12).

    Returns
    -------
    DataFrame
        Index ``month`` (first day of each month, from the first row's month to the
        month of ``as_of``; months without rows included with 0), columns ``revenue``
        (CA), ``sales_count``, ``active_customers`` (net revenue in the month > 0),
        ``average_basket`` (NaN without sales), the same four with suffix ``_12m`` over
        the ``window`` months ending at that month (NaN for the first ``window - 1``
        months of the data), and ``complete`` (False for the month of ``as_of`` when
        ``as_of`` is not its last day).
    """
    pr = prepare(transactions, as_of=as_date(as_of))
    return _monthly_series(pr, _customer_months(pr), window=window)


def _monthly_series(pr: Prepared, cm: CustomerMonths, *, window: int = 12) -> pd.DataFrame:
    """:func:`monthly_series` of the prepared transactions and their :func:`_customer_months`."""
    as_of = pr.as_of
    width = cm.last_month - cm.first_month + 1
    rel = cm.month - cm.first_month
    revenue = _round(np.bincount(rel, weights=cm.revenue, minlength=width))
    active = np.bincount(rel[positive_cents(cm.revenue)], minlength=width)
    smonth = pr.month(pr.doc_day[pr.doc_sale]) - cm.first_month
    sales = np.bincount(smonth, minlength=width).astype(np.int64)
    frame = pd.DataFrame(
        {"revenue": revenue, "sales_count": sales, "active_customers": active},
        index=_month_start(np.arange(cm.first_month, cm.last_month + 1)),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["average_basket"] = np.where(sales > 0, revenue / np.maximum(sales, 1), np.nan)
    roll = frame[["revenue", "sales_count"]].rolling(window, min_periods=window).sum()
    frame["revenue_12m"] = _round(roll["revenue"].to_numpy())
    frame["sales_count_12m"] = roll["sales_count"]
    act12 = _rolling_active(cm, window).astype(np.float64)
    act12[: window - 1] = np.nan
    frame["active_customers_12m"] = act12
    with np.errstate(divide="ignore", invalid="ignore"):
        s12 = frame["sales_count_12m"].to_numpy()
        frame["average_basket_12m"] = np.where(
            s12 > 0, frame["revenue_12m"].to_numpy() / s12, np.nan
        )
    month_end = add_months(dt.date(as_of.year, as_of.month, 1), 1) - dt.timedelta(days=1)
    frame["complete"] = True
    if as_of != month_end:
        frame.iloc[-1, frame.columns.get_loc("complete")] = False
    return frame
