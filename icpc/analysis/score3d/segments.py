"""Named segments from the scores (rules as data), their profiles and the R×F grid."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from icpc.exceptions import ConfigError
from icpc.money import exact
from icpc.segment_rules import N_SCORES, SegmentRule, _match, default_segment_rules

__all__ = ["assign_segments", "segment_profiles", "rf_grid"]


def assign_segments(scores: pd.DataFrame, rules: Sequence[SegmentRule] | None = None) -> pd.Series:
    """Segment (segment Score3D) of each scored customer: the first matching rule.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score` (``r_score``, ``f_score``, ``m_score``).
    rules : sequence of SegmentRule, optional
        From :func:`segment_rules`; default rules when None.

    Returns
    -------
    Series
        Categorical (categories = rule names, in rule order), same index as ``scores``.
    """
    rules = tuple(rules) if rules is not None else default_segment_rules()
    idx = _match(
        scores["r_score"].to_numpy(),
        scores["f_score"].to_numpy(),
        scores["m_score"].to_numpy(),
        rules,
    )
    if (idx < 0).any():  # rules from segment_rules() cover every score; others may not
        raise ConfigError(
            "segment rules leave some customers without a segment; end them with a catch-all rule"
        )
    names = [r.name for r in rules]
    return pd.Series(
        pd.Categorical.from_codes(idx, categories=names), index=scores.index, name="segment"
    )


def segment_profiles(
    segmented: pd.DataFrame, rules: Sequence[SegmentRule] | None = None, *, language: str = "fr"
) -> pd.DataFrame:
    """Profile of each segment (profil des segments): size, revenue, mean R/F/M, basket.

    Parameters
    ----------
    segmented : DataFrame
        Output of :func:`score` with a ``segment`` column (:func:`assign_segments`).
    rules : sequence of SegmentRule, optional
        The rules used (for the order, labels and actions); default rules when None.
    language : {"fr", "en"}
        Language of ``label``, ``description`` and ``action``.

    Returns
    -------
    DataFrame
        Index ``segment`` (every rule, in rule order, empty ones included). Columns
        ``label``, ``customers``, ``share`` (of customers), ``revenue``, ``revenue_share``,
        ``monetary``, ``mean_recency_days``, ``mean_frequency``, ``mean_monetary``,
        ``basket`` (average basket, panier moyen: revenue / sale documents),
        ``description``, ``action``. Shares are fractions; means are NaN for an empty
        segment.
    """
    rules = tuple(rules) if rules is not None else default_segment_rules()
    names = [r.name for r in rules]
    seg = segmented["segment"].astype(pd.CategoricalDtype(names))
    g = segmented.groupby(seg, observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size().astype(np.int64),
            "revenue": g["revenue"].sum().round(2),
            "monetary": g["monetary"].sum().round(2),
            "mean_recency_days": g["recency_days"].mean(),
            "mean_frequency": g["frequency"].mean(),
            "mean_monetary": g["monetary"].mean(),
            "sales": g["frequency"].sum(),
        }
    ).reindex(names)
    out.index.name = "segment"
    total_customers = out["customers"].sum()
    total_revenue = out["revenue"].sum()
    out["share"] = out["customers"] / total_customers if total_customers else np.nan
    out["revenue_share"] = out["revenue"] / total_revenue if total_revenue else np.nan
    out["basket"] = out["revenue"] / out["sales"].where(out["sales"] > 0)
    out["label"] = [r.text("label", language) for r in rules]
    out["description"] = [r.text("description", language) for r in rules]
    out["action"] = [r.text("action", language) for r in rules]
    cols = ["label", "customers", "share", "revenue", "revenue_share", "monetary", "mean_recency_days",
            "mean_frequency", "mean_monetary", "basket", "description", "action"]  # fmt: skip
    return out[cols]


def rf_grid(segmented: pd.DataFrame) -> pd.DataFrame:
    """The R x F grid (grille R x F): customers and mean monetary value per cell.

    Parameters
    ----------
    segmented : DataFrame
        Output of :func:`score` (``r_score``, ``f_score``, ``monetary``).

    Returns
    -------
    DataFrame
        25 rows, one per (``r_score``, ``f_score``) from (1, 1) to (5, 5); columns
        ``r_score``, ``f_score``, ``customers`` (0 for an empty cell), ``mean_monetary``
        (NaN for an empty cell), ``monetary`` (total). Pivot it for a heat map:
        ``grid.pivot(index="r_score", columns="f_score", values="customers")``.
    """
    cell = (segmented["r_score"].astype(np.int64) - 1) * N_SCORES + (
        segmented["f_score"].astype(np.int64) - 1
    )
    g = segmented["monetary"].groupby(cell.to_numpy())
    full = np.arange(N_SCORES * N_SCORES)
    customers = g.size().reindex(full, fill_value=0).to_numpy()
    total = g.sum().reindex(full, fill_value=0.0).to_numpy()
    return pd.DataFrame(
        {
            "r_score": full // N_SCORES + 1,
            "f_score": full % N_SCORES + 1,
            "customers": customers.astype(np.int64),
            "mean_monetary": np.where(customers > 0, total / np.maximum(customers, 1), np.nan),
            "monetary": exact(total),
        }
    )
