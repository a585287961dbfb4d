"""A clustering alternative for analysts: k-means on log-scaled RFM, k chosen by silhouette."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["KMeansResult", "kmeans_segments"]


@dataclass(frozen=True)
class KMeansResult:
    """K-means segmentation of the scored customers (for analysts).

    ``labels``: cluster (1..k, 1 = the cluster with the most revenue) per customer;
    ``profiles``: one row per cluster (see :func:`kmeans_segments`); ``silhouettes``:
    silhouette score per k tried.
    """

    k: int
    labels: pd.Series
    profiles: pd.DataFrame
    silhouettes: Mapping[int, float]


_KMEANS_WORDS = {
    "fr": {
        "recency_days": ("récents", "anciens"),
        "frequency": ("fréquents", "occasionnels"),
        "monetary": ("gros montants", "petits montants"),
        "average": "dans la moyenne",
    },
    "en": {
        "recency_days": ("recent", "lapsed"),
        "frequency": ("frequent", "occasional"),
        "monetary": ("high value", "low value"),
        "average": "average",
    },
}


def kmeans_segments(
    scored: pd.DataFrame,
    *,
    k_range: Sequence[int] = range(2, 9),
    random_state: int = 0,
    sample_size: int = 2000,
    language: str = "fr",
) -> KMeansResult:
    """K-means clusters on log-scaled RFM, k chosen by silhouette (alternative to the rules).

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`score` or :func:`rfm` (``recency_days``, ``frequency``,
        ``monetary``, ``revenue``).
    k_range : sequence of int
        Numbers of clusters tried.
    random_state : int
        Seed of the k-means and of the silhouette sample.
    sample_size : int
        k is chosen on a random sample of at most this many customers (the silhouette is
        quadratic in their number); the chosen model is then refined on all customers.
    language : {"fr", "en"}
        Language of the ``description`` column.

    Returns
    -------
    KMeansResult
        ``profiles`` columns: ``customers``, ``share``, ``revenue``, ``revenue_share``,
        ``median_recency_days``, ``median_frequency``, ``median_monetary``,
        ``description`` (e.g. "récents · fréquents · gros montants": each median compared
        with the median of all customers, within a factor 1.5 = average). With fewer
        than 3 distinct customers, one cluster (k = 1).
    """
    from threadpoolctl import threadpool_limits

    # one thread: on three features OpenMP threads only contend (10x slower on a busy machine)
    with threadpool_limits(limits=1):
        return _kmeans(scored, k_range=k_range, random_state=random_state, sample_size=sample_size,
                       language=language)  # fmt: skip


def _kmeans(
    scored: pd.DataFrame,
    *,
    k_range: Sequence[int],
    random_state: int,
    sample_size: int,
    language: str,
) -> KMeansResult:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    cols = ["recency_days", "frequency", "monetary"]
    x = np.column_stack([np.log1p(np.clip(scored[c].to_numpy(dtype=float), 0, None)) for c in cols])
    std = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    n_distinct = len(np.unique(x, axis=0)) if len(x) else 0
    ks = [k for k in k_range if 2 <= k < n_distinct]
    silhouettes: dict[int, float] = {}
    centers: dict[int, np.ndarray] = {}
    if ks:
        rng = np.random.default_rng(random_state)
        sample = rng.choice(len(x), size=min(sample_size, len(x)), replace=False)
        xs = x[sample]
        for k in ks:
            model = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit(xs)
            if len(np.unique(model.labels_)) > 1:
                silhouettes[k] = float(silhouette_score(xs, model.labels_))
                centers[k] = model.cluster_centers_
    if silhouettes:
        best_k = max(silhouettes, key=lambda k: (round(silhouettes[k], 6), -k))
        # all customers, starting from the centres found on the sample
        raw = KMeans(n_clusters=best_k, init=centers[best_k], n_init=1).fit_predict(x)
    else:
        best_k, raw = 1, np.zeros(len(x), dtype=np.int64)
    revenue = scored["revenue"].to_numpy(dtype=float)
    rev_by = np.bincount(raw, weights=revenue, minlength=best_k)
    order = np.argsort(-rev_by, kind="stable")
    relabel = np.empty(best_k, dtype=np.int64)
    relabel[order] = np.arange(1, best_k + 1)
    labels = pd.Series(relabel[raw], index=scored.index, name="cluster")
    g = scored.groupby(labels.to_numpy())
    prof = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum().round(2),
            "median_recency_days": g["recency_days"].median(),
            "median_frequency": g["frequency"].median(),
            "median_monetary": g["monetary"].median(),
        }
    )
    prof.index.name = "cluster"
    prof["share"] = prof["customers"] / max(len(scored), 1)
    total = prof["revenue"].sum()
    prof["revenue_share"] = prof["revenue"] / total if total else np.nan
    words = _KMEANS_WORDS.get(language, _KMEANS_WORDS["en"])
    parts = []
    for col, med in (("recency_days", "median_recency_days"), ("frequency", "median_frequency"),
                     ("monetary", "median_monetary")):  # fmt: skip
        overall = max(float(scored[col].median()), 1e-9) if len(scored) else 1.0
        ratio = prof[med].to_numpy(dtype=float) / overall
        good, bad = words[col]
        if col == "recency_days":  # fewer days = better
            good, bad = bad, good
        parts.append(np.where(ratio >= 1.5, good, np.where(ratio <= 1 / 1.5, bad, "")))
    desc = [
        " · ".join(w for w in trio if w) or words["average"] for trio in zip(*parts, strict=True)
    ]
    prof["description"] = desc
    prof = prof[["customers", "share", "revenue", "revenue_share", "median_recency_days",
                 "median_frequency", "median_monetary", "description"]]  # fmt: skip
    return KMeansResult(k=best_k, labels=labels, profiles=prof, silhouettes=silhouettes)
