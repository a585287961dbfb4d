"""How customers moved between segments from ``as_of − m months`` to ``as_of``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.positions import positions
from icpc.analysis.score3d.rfm import _customer_codes, rfm
from icpc.analysis.score3d.scores import NOT_SCORED, score
from icpc.analysis.score3d.segments import assign_segments
from icpc.money import exact
from icpc.periods import _ts, period_bounds
from icpc.segment_rules import SegmentRule, default_segment_rules

__all__ = ["migration", "migration_matrix"]


def _segmented(
    documents: pd.DataFrame,
    as_of: pd.Timestamp,
    rules: tuple[SegmentRule, ...],
    basis: str,
    window_months: int | None,
) -> pd.DataFrame:
    scored = score(rfm(documents, as_of=as_of, basis=basis, window_months=window_months))
    scored["segment"] = assign_segments(scored, rules)
    return scored


def migration(
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    period_months: int = 12,
    compare: str = "previous_period",
    rules: Sequence[SegmentRule] | None = None,
    basis: str = "revenue",
    window_months: int | None = None,
) -> pd.DataFrame:
    """Migration between segments (migration des segments) from the end of N-1 to ``as_of``.

    Scores and segments are computed afresh at both dates (the earlier one is the last
    day of period N-1), each on the history known then.

    Parameters
    ----------
    documents : DataFrame
        Output of :func:`icpc.analysis.documents.documents`.
    as_of : date
        Analysis date (end of period N).
    period_months : int
        Length of the periods.
    compare : {"previous_period", "previous_year"}
        What N-1 is (:func:`icpc.periods.period_bounds`).
    rules : sequence of SegmentRule, optional
        Segment rules; defaults when None.
    basis, window_months
        As in :func:`rfm`.

    Returns
    -------
    DataFrame
        One row per (``from_segment``, ``to_segment``) pair with customers, including
        :data:`NOT_SCORED` for customers not scored at one of the dates. Columns
        ``from_segment``, ``to_segment``, ``customers``, ``revenue_previous`` (their
        revenue in period N-1), ``revenue_current`` (in period N). Pivot with
        :func:`migration_matrix`.
    """
    return _migration(
        documents,
        as_of=as_of,
        period_months=period_months,
        compare=compare,
        rules=rules,
        basis=basis,
        window_months=window_months,
        current=None,
    )


def _migration(
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    period_months: int,
    compare: str,
    rules: Sequence[SegmentRule] | None,
    basis: str,
    window_months: int | None,
    current: pd.DataFrame | None,
) -> pd.DataFrame:
    """:func:`migration`, given ``current``: the segmented customers at ``as_of`` (scored,
    with ``segment``) when already computed (the Diagnostic's scores), else None."""
    rules = tuple(rules) if rules is not None else default_segment_rules()
    end = _ts(as_of)
    current_period, previous_period = period_bounds(end, period_months, compare)
    start_n = _ts(current_period.start)
    prev_end, start_prev = _ts(previous_period.end), _ts(previous_period.start)
    now = (
        current if current is not None else _segmented(documents, end, rules, basis, window_months)
    )
    before = _segmented(documents, prev_end, rules, basis, window_months)
    order = [NOT_SCORED] + [r.name for r in rules]
    codes, ids = _customer_codes(documents[C.CUSTOMER_ID])
    amount = documents[C.AMOUNT].to_numpy(dtype=float)
    day = documents[C.DATE].to_numpy()

    def segment_codes(frame: pd.DataFrame) -> np.ndarray:
        """Each customer's segment (its position in ``order``; NOT_SCORED when none), -1
        when the frame does not hold him: on the customers' positions, not their ids."""
        out = np.full(len(ids), -1, dtype=np.int64)
        where = positions(frame.index, ids)
        if (where < 0).any():  # scored from other documents: a caller's mistake
            raise ValueError("migration: segmented customers not in the documents")
        segment = _positions_in(frame["segment"], order)
        out[where] = np.maximum(segment, 0)  # a customer without segment is NOT_SCORED
        return out

    def revenue(start: pd.Timestamp, stop: pd.Timestamp) -> np.ndarray:
        inside = (day >= np.datetime64(start)) & (day <= np.datetime64(stop))
        return exact(np.bincount(codes[inside], weights=amount[inside], minlength=len(ids)))

    came, went = segment_codes(before), segment_codes(now)
    held = (came >= 0) | (went >= 0)
    pair = np.maximum(came, 0)[held] * len(order) + np.maximum(went, 0)[held]
    size = len(order) ** 2
    customers = np.bincount(pair, minlength=size)
    moved = np.flatnonzero(customers)  # by from, then to: the segments' order
    sums = {
        name: np.round(np.bincount(pair, weights=values[held], minlength=size)[moved], 2)
        for name, values in (
            ("revenue_previous", revenue(start_prev, prev_end)),
            ("revenue_current", revenue(start_n, end)),
        )
    }
    return pd.DataFrame(
        {
            "from_segment": pd.Categorical.from_codes(moved // len(order), categories=order),
            "to_segment": pd.Categorical.from_codes(moved % len(order), categories=order),
            "customers": customers[moved].astype(np.int64),
            **sums,
        }
    )


def migration_matrix(migration_frame: pd.DataFrame, value: str = "customers") -> pd.DataFrame:
    """Pivot :func:`migration` into a from x to matrix of ``value`` (0 where nobody moved).

    Parameters
    ----------
    migration_frame : DataFrame
        Output of :func:`migration`.
    value : {"customers", "revenue_previous", "revenue_current"}
        The figure in the cells.

    Returns
    -------
    DataFrame
        Rows ``from_segment``, columns ``to_segment``, every segment of the categories.
    """
    cats = migration_frame["from_segment"].cat.categories
    return (
        migration_frame.pivot_table(index="from_segment", columns="to_segment", values=value,
                                    aggfunc="sum", fill_value=0, observed=False)
        .reindex(index=cats, columns=cats, fill_value=0)
    )  # fmt: skip


def _positions_in(values: pd.Series, order: list[str]) -> np.ndarray:
    """Each value's position in ``order``, -1 when it is not there (or missing): what
    ``pd.Categorical(values.astype(str), categories=order).codes`` gives, read on a
    categorical's few categories rather than on its text, row by row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lut = pd.Index(order).get_indexer(values.cat.categories.astype(str))
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, lut[np.maximum(codes, 0)], -1).astype(np.int64)
    return np.asarray(pd.Index(order).get_indexer(values.astype(str)), dtype=np.int64)
