"""The words of the sales team's workbook (``actions.xlsx``) in French and English.

Part of the one catalogue (:data:`icpc.labels.LABELS`), typeset there: sheet names, the
« Lisez-moi » sheet, the call list's reasons and the drop-down of call outcomes.
"""

from __future__ import annotations

__all__ = ["WORKBOOK"]

#: key -> (French, English)
WORKBOOK: dict[str, tuple[str, str]] = {}
