"""Text folding for tolerant comparisons (headers, sheet names, config values).

Used by reading (header matching) and by cleaning (``exclude.where`` values, activity
types) alike, so that neither calls back into the other.
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["fold"]


def fold(text: Any) -> str:
    """Return a header (or any cell) folded for tolerant matching.

    Removes a BOM, accents, case and surrounding or repeated spaces.

    Example
    -------
    >>> fold("\\ufeff  Montant  HT ")
    'montant ht'
    >>> fold("Date création")
    'date creation'
    """
    s = "" if text is None else str(text)
    s = s.replace("\ufeff", "")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.casefold().split())
