"""Backtest of the early warning on the client's own history (l'alerte mise à l'épreuve).

The rule of :mod:`icpc.analysis.warning` is applied at a past cut-off with only the data
known then, and compared with what happened after (docs/definitions.md, "Backtest"):

- ``cutoff`` = the day before ``(as_of + 1 day) − months months`` (as_of 2024-12-31,
  6 months → 2024-06-30); the documents are rebuilt from the lines dated up to the
  cutoff, so a credit note issued later does not change what the rule saw;
- ``eligible`` = the customers the rule looks at then (at least
  ``min_purchases_for_rhythm`` sale dates, not lost), ``flagged`` = those it flags;
- ``not_returned`` = flagged customers with no sale document dated in (cutoff, as_of];
- ``precision`` = not_returned / flagged, ``base_rate`` = share of the eligible customers
  with no such sale, ``recall`` = not_returned / (eligible customers with no such sale),
  ``lift`` = precision / base_rate; None where a denominator is 0.

Example
-------
>>> bt = early_warning_backtest(tx, as_of="2024-12-31", thresholds=cfg.thresholds)  # doctest: +SKIP
>>> bt.precision, bt.base_rate  # doctest: +SKIP
(0.69, 0.21)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.documents import documents
from icpc.analysis.warning import early_warning
from icpc.config import Thresholds
from icpc.periods import window_start

__all__ = ["Backtest", "backtest_cutoff", "backtest_of", "early_warning_backtest"]


@dataclass(frozen=True)
class Backtest:
    """The early warning at a past cut-off against what happened after (see the module)."""

    cutoff: dt.date
    months: int
    eligible: int
    flagged: int
    not_returned: int
    precision: float | None
    recall: float | None
    base_rate: float | None
    lift: float | None
    #: eligible customers with no sale after the cutoff (the denominator of the recall)
    gone: int

    def to_dict(self) -> dict[str, Any]:
        """The ``early_warning.backtest`` block of kpis.json (``gone`` is left out)."""
        out = asdict(self)
        out.pop("gone")
        out["cutoff"] = self.cutoff.isoformat()
        return out


def backtest_cutoff(as_of: dt.date | str | pd.Timestamp, months: int) -> dt.date:
    """The backtest's cut-off: the last day before the ``months`` months ending at ``as_of``.

    Example
    -------
    >>> backtest_cutoff("2024-12-31", 6), backtest_cutoff("2024-03-31", 1)
    (datetime.date(2024, 6, 30), datetime.date(2024, 2, 29))
    """
    return (window_start(as_of, months) - pd.Timedelta(days=1)).date()


def _ratio(num: int, den: int | float | None) -> float | None:
    return None if not den else num / den


def backtest_of(cutoff: dt.date, months: int, flagged: np.ndarray, gone: np.ndarray) -> Backtest:
    """The figures of :class:`Backtest` from the eligible customers at the cut-off: whether
    the rule flagged each (``flagged``) and whether it bought nothing after (``gone``)."""
    n_eligible, n_flagged = len(flagged), int(flagged.sum())
    not_returned = int((flagged & gone).sum())
    n_gone = int(gone.sum())
    precision = _ratio(not_returned, n_flagged)
    base_rate = _ratio(n_gone, n_eligible)
    return Backtest(
        cutoff=cutoff,
        months=months,
        eligible=n_eligible,
        flagged=n_flagged,
        not_returned=not_returned,
        precision=precision,
        recall=_ratio(not_returned, n_gone),
        base_rate=base_rate,
        lift=None if precision is None or not base_rate else precision / base_rate,
        gone=n_gone,
    )


def early_warning_backtest(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    thresholds: Thresholds | None = None,
) -> Backtest | None:
    """Apply the early warning at the cut-off with the data known then; see who came back.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (``customer_id``, ``date``, ``amount``, optional
        ``invoice_id``), up to ``as_of``.
    as_of : date
        The analysis date.
    thresholds : Thresholds, optional
        The rule's thresholds and ``backtest_months``.

    Returns
    -------
    Backtest or None
        None when no line is dated on or before the cut-off (no history to test on).
    """
    th = thresholds if thresholds is not None else Thresholds()
    end = pd.Timestamp(as_of).normalize()
    cutoff = backtest_cutoff(end, th.backtest_months)
    dates = transactions[C.DATE]
    known = (dates <= pd.Timestamp(cutoff)).to_numpy()
    if not known.any():
        return None
    then = early_warning(documents(transactions.loc[known]), as_of=cutoff, thresholds=th)
    eligible = (then["sale_dates"] >= th.min_purchases_for_rhythm) & (
        then["recency_days"] <= th.lost_after_days
    )
    eligible = eligible.to_numpy(dtype=bool)
    flagged = then["early_warning"].to_numpy(dtype=bool)
    # a sale after the cut-off: a sale document (its total > 0) dated in (cutoff, as_of]
    after = documents(transactions.loc[(dates <= end).to_numpy()])
    later = after.loc[
        after["is_sale"].to_numpy(dtype=bool) & (after[C.DATE] > pd.Timestamp(cutoff)).to_numpy()
    ]
    came_back = then.index.isin(pd.Index(later[C.CUSTOMER_ID].astype(str).unique()))
    # the rules flag eligible customers only
    return backtest_of(cutoff, th.backtest_months, flagged[eligible], ~came_back[eligible])
