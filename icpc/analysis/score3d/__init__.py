"""Score3D: recency, frequency, monetary (RFM) scores, named segments, migration, k-means.

Every function takes the *documents* frame of :func:`icpc.analysis.documents.documents` (one row
per invoice or credit note: ``customer_id``, ``date``, ``amount``, optional ``margin``,
``is_sale``) and an explicit ``as_of``; nothing reads the clock.

Tie rule of the scores (:func:`quantile_scores`)
    Customers with the same value always get the same score. Distinct values are sorted
    and cut into ``min(5, number of distinct values)`` consecutive classes whose sizes are
    as close to equal as the ties allow: each cut is placed at the tie boundary nearest to
    an equal share of the customers *still to be classed* (so a big tie, e.g. 60 % of
    customers with one order, makes one big class and the rest is shared evenly). With
    five or more distinct values every score 1-5 is used. With fewer (tiny portfolios,
    or all customers alike) the classes take distinct scores nearest to the middle of the
    quantiles they cover: one class -> 3; two halves -> 2 and 4; four quarters -> 1, 2, 4, 5.

Segments (segments.yaml)
    Rules are data: ranges of R/F (and optionally M) scores, first match wins, with French
    and English labels, a description and a recommended action; see :func:`segment_rules`.

Example
-------
>>> import pandas as pd
>>> from icpc.analysis.documents import documents
>>> tx = pd.DataFrame({"customer_id": pd.Categorical(["A", "A", "B", "C"]),
...                    "date": pd.to_datetime(["2024-01-05", "2024-11-20", "2023-02-01", "2024-12-01"]),
...                    "amount": [120.0, 80.0, 45.0, 300.0]})
>>> scored = score(rfm(documents(tx), as_of="2024-12-31"))
>>> scored["segment"] = assign_segments(scored, segment_rules())
>>> scored[["r_score", "f_score", "m_score"]].astype(int).to_dict("index")["A"]
{'r_score': 3, 'f_score': 5, 'm_score': 3}

One module per step: :mod:`.rfm`, :mod:`.scores`, :mod:`.segments`, :mod:`.migration`,
:mod:`.status`, :mod:`.kmeans`; the rules are data, read by :mod:`icpc.segment_rules`.
"""

from __future__ import annotations

from icpc.analysis.score3d.kmeans import KMeansResult, kmeans_segments
from icpc.analysis.score3d.migration import _migration, migration, migration_matrix
from icpc.analysis.score3d.rfm import RFM_COLUMNS, _customer_codes, rfm
from icpc.analysis.score3d.scores import NOT_SCORED, quantile_scores, score
from icpc.analysis.score3d.segments import assign_segments, rf_grid, segment_profiles
from icpc.analysis.score3d.status import STATUSES, customer_status
from icpc.periods import _ts, window_start
from icpc.segment_rules import N_SCORES, SegmentRule, default_segment_rules, segment_rules

__all__ = [
    "SegmentRule",
    "KMeansResult",
    "RFM_COLUMNS",
    "STATUSES",
    "NOT_SCORED",
    "N_SCORES",
    "window_start",
    "rfm",
    "quantile_scores",
    "score",
    "segment_rules",
    "default_segment_rules",
    "assign_segments",
    "segment_profiles",
    "rf_grid",
    "migration",
    "migration_matrix",
    "customer_status",
    "kmeans_segments",
    "_customer_codes",
    "_migration",
    "_ts",
]
