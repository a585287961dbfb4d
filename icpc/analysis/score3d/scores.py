"""Quintile scores 1-5 of recency, frequency and monetary, ties kept together (:func:`quantile_scores`)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from icpc.money import cents
from icpc.segment_rules import N_SCORES

__all__ = ["NOT_SCORED", "SCORE_NAMES", "quantile_scores", "score"]


#: segment of a customer not scored at a date (migration matrix)
NOT_SCORED = "(not scored)"


SCORE_NAMES = {"r": "r_score", "f": "f_score", "m": "m_score"}


def _class_scores(midpoints: np.ndarray, n_scores: int) -> np.ndarray:
    """Distinct increasing scores nearest to the ideal ones (``midpoint * n + 0.5``)."""
    ideal = midpoints * n_scores + 0.5
    best: tuple[float, tuple[int, ...]] | None = None
    for combo in itertools.combinations(range(1, n_scores + 1), len(midpoints)):
        cost = float(np.abs(np.asarray(combo) - ideal).sum())
        if best is None or cost < best[0] - 1e-12:
            best = (cost, combo)
    assert best is not None
    return np.asarray(best[1])


def quantile_scores(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    higher_is_better: bool = True,
    n_scores: int = N_SCORES,
) -> np.ndarray:
    """Scores 1..n (quintiles) that keep ties together and stay balanced.

    Parameters
    ----------
    values : array-like of float
        One value per customer (no NaN).
    higher_is_better : bool
        False for recency (fewer days since the last sale = better = higher score).
    n_scores : int
        Number of classes (5 for Score3D).

    Returns
    -------
    ndarray of int8
        The score of each value. Equal values share a score; higher (better) values never
        get a lower score; classes are as equal in size as ties allow (see the module
        docstring for the exact rule); with at least ``n_scores`` distinct values, every
        score is used.

    Example
    -------
    >>> quantile_scores([1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 9]).tolist()
    [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5]
    >>> quantile_scores([1, 2]).tolist()  # two halves: the middle of each half
    [2, 4]
    """
    v = np.asarray(values, dtype=float)
    n = len(v)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    if np.isnan(v).any():
        raise ValueError("quantile_scores: values contain NaN")
    if not higher_is_better:
        v = -v
    uniq, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    n_groups = len(uniq)
    k = min(n_scores, n_groups)
    cum = np.cumsum(counts)  # customers with a value <= uniq[i]
    if k == n_groups:
        group_class = np.arange(n_groups)
    else:
        cuts: list[int] = []  # class c ends after the tie group cuts[c]
        prev = -1
        for j in range(1, k):
            done = cum[prev] if prev >= 0 else 0
            target = done + (n - done) / (k - j + 1)
            i = int(np.searchsorted(cum, target))
            if i > 0 and abs(cum[i - 1] - target) <= abs(cum[min(i, n_groups - 1)] - target):
                i -= 1
            i = min(max(i, prev + 1), n_groups - 1 - (k - j))
            cuts.append(i)
            prev = i
        group_class = np.searchsorted(np.asarray(cuts), np.arange(n_groups), side="left")
    if k == n_scores:
        class_score = np.arange(1, n_scores + 1)
    else:
        class_end = np.zeros(k)
        np.maximum.at(class_end, group_class, cum)
        class_start = np.concatenate([[0.0], class_end[:-1]])
        class_score = _class_scores((class_start + class_end) / 2 / n, n_scores)
    return class_score[group_class][inverse].astype(np.int8)


def score(rfm_frame: pd.DataFrame) -> pd.DataFrame:
    """Add the Score3D scores (notes R, F, M from 1 to 5) to the scored customers.

    Parameters
    ----------
    rfm_frame : DataFrame
        Output of :func:`rfm`.

    Returns
    -------
    DataFrame
        The rows with ``scored`` true, with the :func:`rfm` columns plus ``r_score``
        (recency reversed: 5 = most recent), ``f_score``, ``m_score`` (int8, 1-5), by
        :func:`quantile_scores`.
    """
    out = rfm_frame.loc[rfm_frame["scored"]].copy()
    out["r_score"] = quantile_scores(out["recency_days"].to_numpy(), higher_is_better=False)
    out["f_score"] = quantile_scores(out["frequency"].to_numpy())
    out["m_score"] = quantile_scores(cents(out["monetary"].to_numpy()))  # equal cents, equal scores
    return out
