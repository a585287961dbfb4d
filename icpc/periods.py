"""Periods and date windows (périodes): N, N−1 and the calendar arithmetic every analysis shares.

Period **N** runs from ``(as_of + 1 day) − m months`` to ``as_of``, both included; **N−1**
is the ``m`` months just before (``compare: previous_period``, the default) or the same
months one year before (``compare: previous_year``; identical for m = 12)
(docs/definitions.md). Only the calendar day counts.

Example
-------
>>> from icpc.periods import period_bounds
>>> n, n1 = period_bounds("2024-12-31", 12)
>>> n.start, n1.start
(datetime.date(2024, 1, 1), datetime.date(2023, 1, 1))
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["COMPARISONS", "Period", "as_date", "add_months", "period_bounds"]

#: what N−1 is: the m months just before N, or the same months one year before
COMPARISONS = ("previous_period", "previous_year")


_DAY_NS = 86_400 * 10**9


@dataclass(frozen=True)
class Period:
    """A period of analysis (période), both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return (self.end - self.start).days + 1

    def as_json(self) -> dict[str, str]:
        """``{"start": ISO date, "end": ISO date}``."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def as_date(value: dt.date | str | pd.Timestamp | np.datetime64) -> dt.date:
    """The calendar day of a date-like value (times dropped; text must be ISO, ``YYYY-MM-DD…``).

    ISO only, never a guess: ``"03/01/2024"`` is refused rather than read month-first.
    """
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    return dt.date.fromisoformat(str(value)[:10])


def add_months(date: dt.date, months: int) -> dt.date:
    """Move a date by whole months, clamping the day to the end of the target month.

    Parameters
    ----------
    date : date
        Starting date.
    months : int
        Months to add (negative to go back).

    Returns
    -------
    date
        E.g. 2024-03-31 minus 1 month is 2024-02-29.
    """
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(date.day, last))


def period_bounds(
    as_of: dt.date | str, months: int, compare: str = "previous_period"
) -> tuple[Period, Period]:
    """Periods N and N-1 (période N et N-1) for an analysis date.

    N runs from ``(as_of + 1 day) - months`` to ``as_of``, both included. N-1 is, by the
    same rule, the ``months`` months just before N (``previous_period``), or the period
    N of the analysis date one year before (``previous_year``: the same months a year
    earlier, identical to ``previous_period`` for 12 months). Month arithmetic clamps to
    the end of the month.

    Parameters
    ----------
    as_of : date or ISO string
        The analysis date (date d'arrêté).
    months : int
        Length of each period in months (``period_months``).
    compare : {"previous_period", "previous_year"}
        What N-1 is (the config's ``compare``).

    Returns
    -------
    (Period, Period)
        N and N-1. ``as_of`` 2024-12-31, 12 months: N = 2024-01-01…2024-12-31,
        N-1 = 2023-01-01…2023-12-31; ``as_of`` 2011-12-09, 6 months:
        N = 2011-06-10…2011-12-09.

    Raises
    ------
    ValueError
        ``months`` below 1; an unknown ``compare``; ``previous_year`` with more than 12
        months (N-1 would overlap N).

    Example
    -------
    >>> n, n1 = period_bounds("2024-03-31", 3, "previous_year")
    >>> n.start, n1.start, n1.end
    (datetime.date(2024, 1, 1), datetime.date(2023, 1, 1), datetime.date(2023, 3, 31))
    """
    end = as_date(as_of)
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if compare not in COMPARISONS:
        raise ValueError(f"compare must be one of {', '.join(COMPARISONS)}, got {compare!r}")
    start = add_months(end + dt.timedelta(days=1), -months)
    if compare == "previous_period":
        return Period(start, end), Period(add_months(start, -months), start - dt.timedelta(days=1))
    if months > 12:
        raise ValueError(f"compare previous_year needs at most 12 months, got {months}")
    next_day = add_months(end + dt.timedelta(days=1), -12)  # the day after as_of, a year before
    return Period(start, end), Period(
        add_months(next_day, -months), next_day - dt.timedelta(days=1)
    )


def _day(date: dt.date) -> int:
    return int(np.datetime64(date, "D").astype(np.int64))


def _day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a datetime column (times dropped)."""
    return np.asarray(dates, dtype="datetime64[ns]").view(np.int64) // _DAY_NS


def _ts(date: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(date).normalize()


def window_start(as_of: dt.date | str | pd.Timestamp, months: int) -> pd.Timestamp:
    """First day of the ``months``-month window ending at ``as_of`` (docs/definitions.md, periods).

    Parameters
    ----------
    as_of : date
        Last day of the window (included).
    months : int
        Length of the window in months.

    Returns
    -------
    Timestamp
        ``(as_of + 1 day) - months``: 2024-12-31 and 12 give 2024-01-01.
    """
    return _ts(as_of) + pd.Timedelta(days=1) - pd.DateOffset(months=int(months))
