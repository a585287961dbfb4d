"""The file name of each salesperson's scorecard: ``<slug of his name>.pdf``, unique.

Example
-------
>>> file_names(["Hélène Fournier", "Helene  FOURNIER", "???"])
{'???': 'commercial.pdf', 'Helene  FOURNIER': 'helene-fournier.pdf', 'Hélène Fournier': 'helene-fournier-2.pdf'}
"""

from __future__ import annotations

from collections.abc import Iterable

from icpc.config import slugify
from icpc.labels import label

__all__ = ["SCORECARDS_DIR", "file_names"]

#: the folder of the scorecards in a run folder
SCORECARDS_DIR = "scorecards"


def file_names(names: Iterable[str], language: str = "fr") -> dict[str, str]:
    """A distinct ``.pdf`` file name per salesperson, from :func:`icpc.config.slugify`.

    Names are taken in sorted order (so a name keeps its file from one run to the next
    whatever the ranks): two names with the same slug get ``-2``, ``-3``…; a name with no
    letter or digit gets the fallback word ``commercial`` (``salesperson`` in English).

    Parameters
    ----------
    names : iterable of str
        The salespeople.
    language : str
        The fallback word's language.

    Returns
    -------
    dict
        Name → file name (``helene-fournier.pdf``).
    """
    fallback = slugify(label("scorecard.file_fallback", language)) or "scorecard"
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in sorted(set(names)):
        stem = slugify(name) or fallback
        candidate, i = stem, 2
        while candidate in taken:
            candidate = f"{stem}-{i}"
            i += 1
        taken.add(candidate)
        out[name] = f"{candidate}.pdf"
    return out
