"""The early warning's ranking: the rhythm and trend rules together with P(alive).

The rules of :mod:`icpc.analysis.warning` say *why* a customer is slipping; BG/NBD's
probability still a customer (:mod:`icpc.analysis.bgnbd`) says how unusual his silence is
for a buyer of his frequency. Each misses what the other sees. The ranking combines them in
one probability, ``warning_score``: that an eligible customer (the rules' population: at
least ``min_purchases_for_rhythm`` sale dates, not lost) buys nothing in the next
``backtest_months`` months. It is a logistic regression on the client's own history:

- features at a date ``d``, from the data known then: ``log((1 − P(alive)) / P(alive))``,
  ``log`` of the overdue ratio, the rhythm and trend flags, the 6-month change (clipped to
  ±100 %, 0 when there is no year before) and whether there is one, and ``log`` of the
  number of sale dates (the value at stake is left out: what a customer weighs says how
  much to call him, not whether he is leaving);
- fitted (:func:`_logistic`) at the latest date whose outcome is known: ``d = as_of − months`` (the backtest's
  cut-off), the label being "no sale document dated in (d, as_of]";
- applied at ``as_of``.

The backtest judges it as it judges the rules (docs/definitions.md, "Ranking of the early
warning"): fitted at ``cutoff − months`` with the outcome known at the cut-off, applied at
the cut-off, and its ``k`` highest scores (``k`` = the customers the rules flagged then)
compared with the ``k`` lowest P(alive) and the rules themselves on who did not come back.

When there is not enough history to fit (fewer than :data:`MIN_TRAINING` eligible customers
at the training date, fewer than :data:`MIN_CLASS` of either outcome, or no BG/NBD model),
the ranking falls back on the rules first, then on 1 − P(alive): ``model`` says which.

Why a logistic regression: measured on the CDNOW sample (23 570 real customers, 18 months;
the rules' 2 710 flagged customers at the cut-off), the customers picked did not come back
in 56.7 % of the cases for the rules, 60.5 % for the lowest P(alive), 62.8 % for this
ranking (``tests/test_warning_model.py``). A gradient-boosted model did no better (62.1 %)
and cannot say its weights.

Example
-------
>>> ranking, tested = warning_ranking(tx, as_of="2024-12-31", thresholds=cfg.thresholds)  # doctest: +SKIP
>>> ranking.scores.nlargest(10)  # the ten customers most likely not to come back  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.backtest import Backtest, backtest_of
from icpc.analysis.bgnbd import BGNBD, alive_table, fit_alive, inputs_of
from icpc.analysis.documents import DocumentHistory, documents
from icpc.analysis.positions import positions, take
from icpc.analysis.warning import SaleDates, _early_warning
from icpc.config import Thresholds
from icpc.periods import window_start

__all__ = [
    "FALLBACK", "FEATURES", "LOGISTIC", "MIN_CLASS", "MIN_TRAINING", "Ranking", "RankingBacktest",
    "warning_features", "warning_ranking",
]  # fmt: skip

#: the features of the logistic regression, in order
FEATURES = (
    "log_odds_gone", "log_overdue", "rhythm_flag", "trend_flag", "change_6m", "has_year_before",
    "log_sale_dates",
)  # fmt: skip
#: fewest eligible customers at the training date for a fit
MIN_TRAINING = 30
#: fewest customers of each outcome (came back, did not) for a fit
MIN_CLASS = 5
#: :attr:`Ranking.model` when fitted on the client's history, and when not
LOGISTIC = "logistic"
FALLBACK = "rules, then P(alive)"
_EPS = 1e-6


def _cutoff(day: pd.Timestamp, months: int) -> pd.Timestamp:
    return window_start(day, months) - pd.Timedelta(days=1)


def warning_features(
    transactions: pd.DataFrame, *, as_of: dt.date | str | pd.Timestamp, thresholds: Thresholds
) -> pd.DataFrame:
    """The eligible customers at ``as_of`` (lines up to then only) and their features.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str); the columns :data:`FEATURES`, ``early_warning`` (the
        rules' flag), ``p_alive`` (NaN without a BG/NBD model) and ``value_at_stake``.
    """
    end = pd.Timestamp(as_of).normalize()
    known = (transactions[C.DATE] <= end).to_numpy()
    return _features(documents(transactions.loc[known]), end, thresholds, None)[0]


def _features(
    docs: pd.DataFrame,
    end: pd.Timestamp,
    thresholds: Thresholds,
    start: BGNBD | None,
    rules: pd.DataFrame | None = None,
    pairs: SaleDates | None = None,
) -> tuple[pd.DataFrame, BGNBD | None, pd.Series]:
    """:func:`warning_features` from the documents of the lines up to ``end``, with the
    BG/NBD model and every customer's P(alive); its fit starts from ``start`` (the fit at
    a nearby date: fewer iterations). ``rules``: the early warning of these documents at
    ``end`` when already computed (the Diagnostic's), else None; ``pairs``: the distinct
    sale dates it read (:func:`icpc.analysis.warning._early_warning`), when known."""
    if rules is None:  # the BG/NBD inputs from the sale dates the rules read
        ew, pairs = _early_warning(docs, end, thresholds, None, pairs)
        bgnbd, alive = fit_alive(inputs_of(pairs, as_of=end), start=start)
    elif pairs is not None:
        ew = rules
        bgnbd, alive = fit_alive(inputs_of(pairs, as_of=end), start=start)
    else:
        ew = rules
        bgnbd, alive = alive_table(docs, as_of=end, start=start)
    eligible = (ew["sale_dates"] >= thresholds.min_purchases_for_rhythm) & (
        ew["recency_days"] <= thresholds.lost_after_days
    )
    ew = ew.loc[eligible.to_numpy(dtype=bool)]
    at = positions(ew.index, alive.index)
    p = take(alive.to_numpy(dtype=float), at, np.nan)
    clipped = np.clip(p, _EPS, 1 - _EPS)
    change = ew["trend_change"].to_numpy(dtype=float)
    has_before = np.isfinite(change)
    overdue = ew["overdue_ratio"].to_numpy(dtype=float)
    features = pd.DataFrame(
        {
            "log_odds_gone": np.log((1 - clipped) / clipped),
            "log_overdue": np.log(np.clip(np.nan_to_num(overdue, nan=1.0), 0.01, 100.0)),
            "rhythm_flag": ew["rhythm_flag"].to_numpy(dtype=float),
            "trend_flag": ew["trend_flag"].to_numpy(dtype=float),
            "change_6m": np.where(has_before, np.clip(np.nan_to_num(change), -1.0, 1.0), 0.0),
            "has_year_before": has_before.astype(float),
            "log_sale_dates": np.log(ew["sale_dates"].to_numpy(dtype=float)),
            "early_warning": ew["early_warning"].to_numpy(dtype=bool),
            "p_alive": p,
            "value_at_stake": ew["value_at_stake"].to_numpy(dtype=float),
        },
        index=ew.index,
    )
    return features, bgnbd, alive


def _sale_dates_until(
    known: SaleDates | None, history: DocumentHistory, docs: pd.DataFrame, day: pd.Timestamp
) -> SaleDates | None:
    """The distinct sale dates of ``docs`` (``history.until(day)``) taken from ``known``,
    those of every document of ``history`` — or None, and they are sorted out of ``docs``
    again, when a document of lines on both sides of ``day`` is a sale in one and not in
    the other (its lines up to ``day`` total another sign), or without ``known``."""
    if known is None:
        return None
    ids = docs[C.CUSTOMER_ID]
    if not isinstance(ids.dtype, pd.CategoricalDtype) or len(ids.cat.categories) != len(known.ids):
        return None
    sale_then = docs["is_sale"].to_numpy(dtype=bool)
    sale_all = history.all["is_sale"].to_numpy(dtype=bool)[history.kept(day)]
    if not np.array_equal(sale_then, sale_all):
        return None
    return known.until(int(np.datetime64(day.date(), "D").astype(np.int64)))


def _gone(features: pd.DataFrame, docs: pd.DataFrame, start: pd.Timestamp) -> np.ndarray:
    """For each customer of ``features``: no sale document dated after ``start`` among
    ``docs`` (the documents of the lines up to the outcome's end, as the backtest counts
    them)."""
    return _gone_of(features, *_bought_after(docs, start))


def _bought_after(docs: pd.DataFrame, start: pd.Timestamp) -> tuple[np.ndarray, pd.Index]:
    """Per customer category of ``docs``: a sale document dated after ``start``; and the
    categories (what :func:`_gone` reads of the documents, without keeping them)."""
    later = docs["is_sale"].to_numpy(dtype=bool) & (docs[C.DATE] > start).to_numpy()
    ids = docs[C.CUSTOMER_ID]
    bought = np.zeros(len(ids.cat.categories), dtype=bool)
    bought[ids.cat.codes.to_numpy()[later]] = True
    return bought, ids.cat.categories


def _gone_of(features: pd.DataFrame, bought: np.ndarray, categories: pd.Index) -> np.ndarray:
    """:func:`_gone` from :func:`_bought_after`."""
    # on the categories' positions: no text conversion of a large client's ids (1.3 s on 8M lines)
    pos = positions(features.index, pd.Index(categories.astype(str)))
    return ~np.where(pos >= 0, bought[np.maximum(pos, 0)], False)


@dataclass(frozen=True)
class _Model:
    """A fitted logistic regression on the standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        z = np.nan_to_num((features[list(FEATURES)].to_numpy(dtype=float) - self.mean) / self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ self.coef + self.intercept)))


def _fit(features: pd.DataFrame, gone: np.ndarray) -> _Model | None:
    """Logistic regression of ``gone`` on the features (L2, C = 1, standardised), or None
    when there is too little to learn from (see the module)."""
    if (
        len(features) < MIN_TRAINING
        or int(gone.sum()) < MIN_CLASS
        or int((~gone).sum()) < MIN_CLASS
        or not np.isfinite(features["p_alive"].to_numpy(dtype=float)).any()
    ):
        return None
    x = features[list(FEATURES)].to_numpy(dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    coef = _logistic((x - mean) / scale, gone.astype(float))
    return _Model(mean=mean, scale=scale, coef=coef[1:], intercept=float(coef[0]))


def _logistic(z: np.ndarray, y: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Intercept and coefficients minimising ½‖w‖² + Σ log-loss (the intercept not
    penalised: scikit-learn's ``LogisticRegression(C=1)``), by Newton's method.

    Eight features: a handful of 9 × 9 solves, without importing scikit-learn (0.8 s).
    """
    design = np.c_[np.ones(len(z)), z]
    penalty = np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    w = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        grad = design.T @ (p - y) + penalty @ w
        hess = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


def _fallback(features: pd.DataFrame) -> np.ndarray:
    """Rules first, then the lowest P(alive): a score in [0, 2) that only orders."""
    p = np.nan_to_num(features["p_alive"].to_numpy(dtype=float), nan=1.0)
    return features["early_warning"].to_numpy(dtype=float) + (1 - p) * (1 - _EPS)


@dataclass(frozen=True)
class Ranking:
    """The early warning's ranking at a date (see the module)."""

    #: ``warning_score`` per eligible customer: the probability of no sale in the next
    #: ``backtest_months`` months when ``model`` is :data:`LOGISTIC`, an order otherwise
    scores: pd.Series
    #: :data:`LOGISTIC` (fitted on the client's history) or :data:`FALLBACK`
    model: str
    #: the date the model was fitted at (its outcome known from then to the scoring date)
    fitted_at: dt.date | None
    #: the regression's coefficients on the standardised features, when fitted
    coefficients: dict[str, float] | None = None
    #: P(alive) of every customer with a sale at the scoring date, and its BG/NBD model
    #: (:func:`icpc.analysis.bgnbd.alive_table`: one fit serves both)
    p_alive: pd.Series | None = None
    bgnbd: BGNBD | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``early_warning.ranking`` block of kpis.json."""
        return {
            "model": self.model,
            "fitted_at": None if self.fitted_at is None else self.fitted_at.isoformat(),
            "coefficients": self.coefficients,
        }


def _ranking(now: pd.DataFrame, then: pd.DataFrame | None, gone_then: np.ndarray | None,
             fitted_at: pd.Timestamp) -> Ranking:  # fmt: skip
    """The scores of the customers of ``now`` from a model fitted on ``then``'s outcome."""
    model = None if then is None or gone_then is None else _fit(then, gone_then)
    if model is None:
        return Ranking(pd.Series(_fallback(now), index=now.index, name="warning_score"),
                       FALLBACK, None)  # fmt: skip
    return Ranking(
        pd.Series(model.predict(now), index=now.index, name="warning_score"),
        LOGISTIC,
        fitted_at.date(),
        dict(zip(FEATURES, map(float, model.coef), strict=True)),
    )


@dataclass(frozen=True)
class RankingBacktest:
    """The rules, P(alive) and the combined ranking judged at the backtest's cut-off, on
    the same number of customers."""

    #: customers picked by each: as many as the rules flagged at the cut-off
    customers: int
    #: share of them with no sale in (cutoff, as_of]: the rules' flagged customers, the
    #: ``customers`` lowest P(alive), the ``customers`` highest scores (None when 0)
    rules: float | None
    p_alive: float | None
    combined: float | None
    #: the combined ranking's model at the cut-off (:data:`LOGISTIC` or :data:`FALLBACK`)
    model: str
    #: the rules' own backtest, from the same customers and outcome
    #: (:func:`icpc.analysis.backtest.early_warning_backtest` gives the same figures)
    rules_backtest: Backtest | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``early_warning.ranking.backtest`` block of kpis.json."""
        return {
            "customers": self.customers,
            "precision": {"rules": self.rules, "p_alive": self.p_alive, "combined": self.combined},
            "model": self.model,
        }


def _top(values: np.ndarray, k: int, tiebreak: np.ndarray) -> np.ndarray:
    """Positions of the ``k`` largest values (ties: the larger ``tiebreak``, then the first)."""
    return np.lexsort((-tiebreak, -values))[:k]


def _judge(features: pd.DataFrame, gone: np.ndarray, ranking: Ranking,
           tested: Backtest) -> RankingBacktest:  # fmt: skip
    flagged = features["early_warning"].to_numpy(dtype=bool)
    k = int(flagged.sum())
    if k == 0:
        return RankingBacktest(0, None, None, None, ranking.model, tested)
    stake = features["value_at_stake"].to_numpy(dtype=float)
    p = np.nan_to_num(features["p_alive"].to_numpy(dtype=float), nan=1.0)
    return RankingBacktest(
        customers=k,
        rules=float(gone[flagged].mean()),
        p_alive=float(gone[_top(1 - p, k, stake)].mean()),
        combined=float(gone[_top(ranking.scores.to_numpy(dtype=float), k, stake)].mean()),
        model=ranking.model,
        rules_backtest=tested,
    )


def warning_ranking(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    thresholds: Thresholds | None = None,
) -> tuple[Ranking, RankingBacktest | None]:
    """Each eligible customer's ``warning_score`` at ``as_of``, and the ranking's backtest.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (``customer_id``, ``date``, ``amount``, optional
        ``invoice_id``).
    as_of : date
        The analysis date; later lines are left out.
    thresholds : Thresholds, optional
        The rules' thresholds and ``backtest_months`` (the score's horizon).

    Returns
    -------
    (Ranking, RankingBacktest or None)
        The ranking at ``as_of`` (fitted at the backtest's cut-off, the outcome known up to
        ``as_of``), and the three signals judged at the cut-off (the model fitted
        ``backtest_months`` earlier); None without a line on or before the cut-off.
    """
    end = pd.Timestamp(as_of).normalize()
    dates = np.asarray(transactions[C.DATE], dtype="datetime64[ns]")
    known = dates <= np.datetime64(end)
    tx = transactions if known.all() else transactions.loc[known]
    return _warning_ranking(DocumentHistory(tx), end, thresholds)


def _warning_ranking(
    history: DocumentHistory,
    end: pd.Timestamp,
    thresholds: Thresholds | None,
    rules: pd.DataFrame | None = None,
    pairs: SaleDates | None = None,
) -> tuple[Ranking, RankingBacktest | None]:
    """:func:`warning_ranking` from the documents of the lines up to ``end`` (the
    Diagnostic's :attr:`icpc.analysis.customers.Prepared.history`): the earlier dates'
    documents are read from it, not grouped again. ``rules``: the early warning at
    ``end`` (:func:`icpc.analysis.warning.early_warning` of those documents, with the
    same thresholds) when already computed, else None; ``pairs``: the distinct sale dates
    those rules read, when known (the BG/NBD inputs at ``end`` come from them)."""
    th = thresholds if thresholds is not None else Thresholds()
    months = th.backtest_months
    cutoff = _cutoff(end, months)
    docs = history.until(end)
    known = pairs if rules is not None else None  # the sale dates at end, when given
    now, bgnbd, alive = _features(docs, end, th, None, rules, known)
    dates = docs[C.DATE]

    def done(ranking: Ranking) -> Ranking:
        return replace(ranking, p_alive=alive, bgnbd=bgnbd)

    if not (dates <= cutoff).any():
        return done(_ranking(now, None, None, cutoff)), None
    docs_then = history.until(cutoff)
    at_cutoff, then_bgnbd, _ = _features(
        docs_then, cutoff, th, bgnbd, None, _sale_dates_until(known, history, docs_then, cutoff)
    )
    gone_after = _gone(at_cutoff, docs, cutoff)
    ranking = done(_ranking(now, at_cutoff, gone_after, cutoff))
    earlier = _cutoff(cutoff, months)
    if (dates <= earlier).any():
        # what the earlier date's outcome reads of docs_then, so that they are not kept
        # while the earlier date's documents are grouped (the peak of a large client)
        bought_then = _bought_after(docs_then, earlier)
        del docs_then
        docs_before = history.until(earlier)
        before, _, _ = _features(
            docs_before,
            earlier,
            th,
            then_bgnbd or bgnbd,
            None,
            _sale_dates_until(known, history, docs_before, earlier),
        )
        del docs_before
        then = _ranking(at_cutoff, before, _gone_of(before, *bought_then), earlier)
    else:
        then = _ranking(at_cutoff, None, None, earlier)
    flagged = at_cutoff["early_warning"].to_numpy(dtype=bool)
    tested = backtest_of(cutoff.date(), months, flagged, gone_after)
    return ranking, _judge(at_cutoff, gone_after, then, tested)
