"""Early warning (alerte de décrochage): customers slipping away before they are lost.

Two rules (docs/definitions.md, "Early warning"), on customers with at least
``thresholds.min_purchases_for_rhythm`` distinct sale dates and not lost (last sale at most
``thresholds.lost_after_days`` days before ``as_of``):

- **rhythm** (rythme): the usual interval is the median gap in days between consecutive
  distinct sale dates; the overdue ratio is recency / usual interval; flagged when it is
  at least ``thresholds.overdue_ratio``. Each customer is judged on its own rhythm: an
  annual buyer is not late after three months, a monthly buyer is.
- **trend** (tendance): net revenue of the last ``thresholds.trend_months`` months fell by
  at least ``thresholds.trend_fall`` (a fraction) against the same months a year before,
  for customers who bought on at least ``min_purchases_for_rhythm`` dates in those months
  a year before (a fall from one or two orders is noise, not a trend).

The value at stake (enjeu) is the customer's net revenue over the last 12 months; the
salesperson to call is the one of the customer's most recent invoice line
(:func:`icpc.cleaning.customer_attribution`). Everything is vectorised on integer codes.

Example
-------
>>> ew = early_warning(documents(tx), as_of="2024-12-31", thresholds=cfg.thresholds)  # doctest: +SKIP
>>> ew[ew["early_warning"]].head(20)  # the call list, by value at stake  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.positions import positions, take
from icpc.analysis.score3d import _customer_codes, _ts, window_start
from icpc.config import Thresholds
from icpc.money import exact

__all__ = ["EARLY_WARNING_COLUMNS", "early_warning", "sale_dates", "usual_intervals"]

#: output columns of :func:`early_warning`, in order
EARLY_WARNING_COLUMNS = (
    "sale_dates", "last_sale", "recency_days", "usual_interval_days", "overdue_ratio",
    "revenue_recent", "revenue_year_before", "trend_change", "sale_dates_year_before", "rhythm_flag", "trend_flag",
    "early_warning", "reason", "value_at_stake", C.SALESPERSON, C.REGION, "rank",
)  # fmt: skip


@dataclass(frozen=True)
class SaleDates:
    """The distinct (customer, sale date) pairs of some documents (:func:`sale_dates`'
    four arrays) and the customer ids their codes number."""

    code: np.ndarray
    day: np.ndarray
    n_dates: np.ndarray
    start: np.ndarray
    ids: pd.Index

    def until(self, day: int) -> SaleDates:
        """The pairs dated up to ``day`` (a day number), as :func:`sale_dates` gives them
        for those documents: a subset of pairs by customer then day stays so ordered."""
        kept = self.day <= day
        code = self.code[kept]
        n_dates = np.bincount(code, minlength=len(self.n_dates)).astype(self.n_dates.dtype)
        return SaleDates(code, self.day[kept], n_dates, np.cumsum(n_dates) - n_dates, self.ids)


def _day(values: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01) of datetimes, one array made (the day unit's)."""
    days = values.astype("datetime64[ns]", copy=False).astype("datetime64[D]")
    return days.view(np.int64)


def _narrow(key: np.ndarray, bound: int) -> np.ndarray:
    """Non-negative sort keys below ``bound`` as uint32 when they fit (half the bytes to sort)."""
    return key.astype(np.uint32) if bound < 1 << 32 else key


def sale_dates(
    codes: np.ndarray, days: np.ndarray, n_customers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (customer, sale date) pairs, and each customer's count of them.

    Parameters
    ----------
    codes : ndarray of int
        Customer code (0..n_customers-1) of each sale document.
    days : ndarray of int
        Day number (days since 1970-01-01) of each sale document.
    n_customers : int
        Number of customer codes.

    Returns
    -------
    (ndarray, ndarray, ndarray, ndarray)
        The pairs' customer codes and day numbers, by customer then day; per code, the
        number of distinct sale dates and the index of its first pair (``n_dates == 0``:
        none).
    """
    if len(codes) == 0:
        none = np.zeros(n_customers, dtype=np.int64)
        return none[:0], none[:0], none, none.copy()
    low = int(days.min())
    span = int(days.max()) - low + 1
    key = codes.astype(np.int64) * span + (days - low)  # by code, then day
    key = np.sort(_narrow(key, n_customers * span))
    key = key[np.r_[True, key[1:] != key[:-1]]].astype(np.int64)  # distinct (customer, date) pairs
    code = key // span
    n_dates = np.bincount(code, minlength=n_customers)
    return code, key % span + low, n_dates, np.cumsum(n_dates) - n_dates


def usual_intervals(
    codes: np.ndarray, days: np.ndarray, n_customers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct sale dates, last sale day and median gap per customer (vectorised).

    The sale documents' ``codes`` and ``days`` as :func:`sale_dates` takes them.

    Returns
    -------
    (ndarray, ndarray, ndarray)
        Per code: number of distinct sale dates (int), last sale day (int, minimum int64
        when none), usual interval (intervalle habituel: median gap in days between
        consecutive distinct sale dates; NaN with fewer than two dates).
    """
    return _intervals(*sale_dates(codes, days, n_customers))


def _intervals(
    code: np.ndarray, day: np.ndarray, n_dates: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`usual_intervals` from what :func:`sale_dates` returns."""
    n_customers = len(n_dates)
    has = n_dates > 0
    last = np.full(n_customers, np.iinfo(np.int64).min)
    last[has] = day[start[has] + n_dates[has] - 1]
    interval = np.full(n_customers, np.nan)
    if len(code) < 2:
        return n_dates, last, interval
    # the gaps of a customer are contiguous (pairs by customer, then day): sorted within
    # each customer by one sort of (customer, gap), the median is the middle one or two
    same = code[1:] == code[:-1]
    gaps = (day[1:] - day[:-1])[same]
    owner = code[1:][same]
    if len(gaps) == 0:
        return n_dates, last, interval
    width = int(gaps.max()) + 1
    ordered = np.sort(_narrow(owner * width + gaps, n_customers * width)).astype(np.int64) % width
    n_gaps = np.maximum(n_dates - 1, 0)
    first_gap = np.cumsum(n_gaps) - n_gaps
    two = n_gaps > 0
    lo = first_gap[two] + (n_gaps[two] - 1) // 2
    hi = first_gap[two] + n_gaps[two] // 2
    interval[two] = (ordered[lo] + ordered[hi]) / 2
    return n_dates, last, interval


def early_warning(
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    thresholds: Thresholds | None = None,
    attribution: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Early-warning table (alerte de décrochage): rhythm, trend, value at stake, whom to call.

    Parameters
    ----------
    documents : DataFrame
        Output of :func:`icpc.analysis.documents.documents` (``customer_id``, ``date``, ``amount``,
        ``is_sale``).
    as_of : date
        Analysis date; later documents are ignored.
    thresholds : Thresholds, optional
        ``min_purchases_for_rhythm``, ``lost_after_days``, ``overdue_ratio``,
        ``trend_months``, ``trend_fall`` (defaults of :class:`icpc.config.Thresholds`).
    attribution : DataFrame, optional
        Index ``customer_id``, columns ``salesperson`` and/or ``region``
        (:func:`icpc.cleaning.customer_attribution`).

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str), one row per customer with at least one sale document
        up to ``as_of``; flagged customers first, by value at stake (descending), then
        the others by value at stake. Columns :data:`EARLY_WARNING_COLUMNS`:
        ``sale_dates`` (distinct sale dates), ``last_sale``, ``recency_days``,
        ``usual_interval_days`` (NaN with fewer than two sale dates), ``overdue_ratio``
        (recency / usual interval), ``revenue_recent`` (net revenue of the last
        ``trend_months`` months), ``revenue_year_before`` (same months a year earlier),
        ``trend_change`` (fraction; NaN when the year before is 0), ``sale_dates_year_before``
        (distinct sale dates in those months), ``rhythm_flag``,
        ``trend_flag``, ``early_warning`` (either flag), ``reason`` ("rhythm", "trend",
        "rhythm+trend" or ""), ``value_at_stake`` (net revenue of the last 12 months),
        ``salesperson``, ``region`` (null when unknown), ``rank`` (1 = the first
        customer to call; null when not flagged).
    """
    return _early_warning(documents, _ts(as_of), thresholds, attribution)[0]


def _early_warning(
    documents: pd.DataFrame,
    end: pd.Timestamp,
    thresholds: Thresholds | None,
    attribution: pd.DataFrame | None,
    known: SaleDates | None = None,
) -> tuple[pd.DataFrame, SaleDates]:
    """:func:`early_warning` at ``end``, and the distinct sale dates it read (the same
    documents' BG/NBD inputs come from them: :func:`icpc.analysis.bgnbd.inputs_of`).
    ``known``: those sale dates when already known (:meth:`SaleDates.until` of a later
    date's), else they are sorted out of the documents."""
    th = thresholds if thresholds is not None else Thresholds()
    dates = documents[C.DATE]
    keep = (dates <= end).to_numpy()
    every = bool(keep.all())  # the documents of a date's lines: no copy of the columns

    def kept(values: np.ndarray) -> np.ndarray:
        return values if every else values[keep]

    codes_all, ids = _customer_codes(documents[C.CUSTOMER_ID])
    codes = kept(codes_all)
    n = len(ids)
    day = _day(kept(dates.to_numpy()))
    amount = kept(documents[C.AMOUNT].to_numpy(dtype=float))
    sale = kept(documents["is_sale"].to_numpy(dtype=bool))
    if known is not None and len(known.ids) == n:
        pairs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = (
            known.code,
            known.day,
            known.n_dates,
            known.start,
        )
    else:
        pairs = sale_dates(codes[sale], day[sale], n)
    n_dates, last, interval = _intervals(*pairs)
    end_day = int(np.datetime64(end.date(), "D").astype(np.int64))

    def revenue(start: pd.Timestamp, stop: pd.Timestamp) -> np.ndarray:
        lo = int(np.datetime64(start.date(), "D").astype(np.int64))
        hi = int(np.datetime64(stop.date(), "D").astype(np.int64))
        inside = (day >= lo) & (day <= hi)
        return exact(np.bincount(codes[inside], weights=amount[inside], minlength=n))

    recent = revenue(window_start(end, th.trend_months), end)
    year_before_end = end - pd.DateOffset(years=1)
    year_before_start = window_start(year_before_end, th.trend_months)
    before = revenue(year_before_start, year_before_end)
    # sale dates in the year-before months: the trend rule is for customers who bought
    # regularly then (a fall from one or two orders is noise, not a trend)
    lo = int(np.datetime64(year_before_start.date(), "D").astype(np.int64))
    hi = int(np.datetime64(year_before_end.date(), "D").astype(np.int64))
    # (the distinct sale dates of those months: the distinct pairs dated then)
    pair_code, pair_day = pairs[0], pairs[1]
    then_dates = np.bincount(pair_code[(pair_day >= lo) & (pair_day <= hi)], minlength=n)
    stake = revenue(window_start(end, 12), end)

    has_sale = n_dates > 0
    recency = np.where(has_sale, end_day - last, -1)
    eligible = has_sale & (n_dates >= th.min_purchases_for_rhythm) & (recency <= th.lost_after_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        overdue = recency / interval
        change = np.where(before > 0, (recent - before) / before, np.nan)
    rhythm_flag = eligible & (overdue >= th.overdue_ratio)
    trend_flag = (
        eligible
        & (then_dates >= th.min_purchases_for_rhythm)
        & (before > 0)
        & (np.round(recent - before * (1 - th.trend_fall), 2) <= 0)
    )
    flag = rhythm_flag | trend_flag
    reason = np.where(
        rhythm_flag & trend_flag,
        "rhythm+trend",
        np.where(rhythm_flag, "rhythm", np.where(trend_flag, "trend", "")),
    )

    out = pd.DataFrame(
        {
            "sale_dates": n_dates,
            "last_sale": np.where(has_sale, last, 0)
            .astype("datetime64[D]")
            .astype("datetime64[ns]"),
            "recency_days": recency,
            "usual_interval_days": interval,
            "overdue_ratio": overdue,
            "revenue_recent": recent,
            "revenue_year_before": before,
            "trend_change": change,
            "sale_dates_year_before": then_dates,
            "rhythm_flag": rhythm_flag,
            "trend_flag": trend_flag,
            "early_warning": flag,
            "reason": reason,
            "value_at_stake": stake,
        },
        index=pd.Index(ids, name=C.CUSTOMER_ID),
    ).loc[has_sale]
    out = out.sort_values(
        ["early_warning", "value_at_stake"], ascending=[False, False], kind="stable"
    )
    flagged = out["early_warning"].to_numpy()
    out["rank"] = pd.array(np.where(flagged, np.cumsum(flagged), 0), dtype="Int64")
    out.loc[~flagged, "rank"] = pd.NA
    return with_attribution(out, attribution), SaleDates(*pairs, ids=ids)


def with_attribution(table: pd.DataFrame, attribution: pd.DataFrame | None) -> pd.DataFrame:
    """The early-warning ``table`` with each customer's ``salesperson`` and ``region``
    (null when unknown, or without ``attribution``), in :data:`EARLY_WARNING_COLUMNS`'
    order. The rules do not read them: :attr:`icpc.diagnostic.Diagnostic.warning_rules`
    computes the table without them, before the customer table is known."""
    out = table.copy()
    at = None
    for col in (C.SALESPERSON, C.REGION):
        if attribution is not None and col in attribution.columns:
            if at is None:  # where each customer sits in the attribution: once for both
                at = positions(out.index, attribution.index.astype(str))
            picked = take(attribution[col].to_numpy(dtype=object), at, None)
            picked[pd.isna(picked)] = None
            out[col] = picked
        else:
            out[col] = None
    return out[list(EARLY_WARNING_COLUMNS)]
