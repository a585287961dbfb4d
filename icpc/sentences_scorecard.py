"""The words of the salesperson's scorecard (fiche commercial) in French and English.

Part of the one catalogue (:data:`icpc.labels.LABELS`), typeset there. The scorecard
speaks to the salesperson (« vous »).
"""

from __future__ import annotations

__all__ = ["SCORECARD"]

#: key -> (French, English)
SCORECARD: dict[str, tuple[str, str]] = {}
