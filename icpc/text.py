"""Text folding for tolerant comparisons, and the typography of what the client reads.

:func:`fold` is used by reading (header matching) and by cleaning (``exclude.where``
values, activity types) alike, so that neither calls back into the other.
:func:`typeset` and :func:`typeset_html` give every word of the outputs its typography:
the typographic apostrophe, the narrow no-break space of French punctuation and
guillemets, the true minus sign.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

__all__ = [
    "fold", "typeset", "typeset_html", "after_colon", "of_name", "NNBSP", "MINUS", "WORD_JOINER",
]  # fmt: skip

#: narrow no-break space (espace fine insécable): before ; : ! ? and inside « » in French
NNBSP = "\u202f"
#: the minus sign (a hyphen is not one)
MINUS = "\u2212"
#: word joiner: no line break here, nothing printed
WORD_JOINER = "\u2060"

_SPACES = "[ \u00a0\u202f]"
_APOSTROPHE = re.compile(r"(?<=\w)'")  # d'abord, months' (a closing quote is ’ too)
_HYPHEN_MINUS = re.compile(r"(?<![\w.,\-−])-(?=\d|[€$£]\d)")  # -12, -€80: not 2024-12-31, N-1
_SIGN_BEFORE_SYMBOL = re.compile("([+\u2212])(?=[€$£]|US\\$)")  # −€80k, +£5k, −US$3k
_BEFORE_HIGH = re.compile(rf"(?:{_SPACES}+|(?<=[^\s\d:/;!?]))([;:!?])(?=\s|$|[<)»])")
_OPEN_GUILLEMET = re.compile(rf"«{_SPACES}*")
#: a plain space between a figure and ``%`` or ``€`` (« 100 % », « 12 € »): a line could break there
_BEFORE_UNIT = re.compile(r"(?<=\d) (?=[%€])")
_CLOSE_GUILLEMET = re.compile(rf"{_SPACES}*»")


#: removed by :func:`fold`: BOM, zero-width space, non-joiner, joiner, direction marks, word
#: joiner, and the control characters but tab and line breaks (Ctrl-Z, form feed, DEL…)
_INVISIBLE = dict.fromkeys(
    [
        *map(ord, "\ufeff\u200b\u200c\u200d\u200e\u200f\u2060\x7f"),
        *(c for c in range(1, 32) if c not in (9, 10, 13)),
    ]
)


def fold(text: Any) -> str:
    """Return a header (or any cell) folded for tolerant matching.

    Removes a BOM and the other invisible characters (zero-width spaces, direction
    marks, word joiner), accents, case and surrounding or repeated spaces.

    Example
    -------
    >>> fold("\\ufeff  Montant  HT ")
    'montant ht'
    >>> fold("Date création")
    'date creation'
    """
    s = "" if text is None else str(text)
    s = s.translate(_INVISIBLE)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.casefold().split())


def typeset(text: str, language: str = "fr") -> str:
    """Give plain text its typography in ``language`` (idempotent).

    Both languages: ``'`` after a letter becomes ``’``; a hyphen before a figure
    (``-12``, not ``2024-12-31``) becomes the minus sign ``−``; a sign before a currency
    symbol (``−€266.4k``) is joined to it (no line break between them). French: a narrow no-break
    space before ``; : ! ?`` (replacing a plain or no-break space, or added after a
    word) and inside ``« »``; a no-break space between a figure and ``%`` or ``€``.

    Example
    -------
    >>> typeset("Le chiffre d'affaires : -12 % ; « à vérifier »") == (
    ...     "Le chiffre d’affaires\u202f: −12\u00a0%\u202f; «\u202fà vérifier\u202f»")
    True
    >>> typeset("Analysis date: 31/12/2024, customer's -3", "en")
    'Analysis date: 31/12/2024, customer’s −3'
    """
    out = _APOSTROPHE.sub("’", text)
    out = _HYPHEN_MINUS.sub(MINUS, out)
    # a sign before a currency symbol (« −€266.4k ») would be left alone at a line's end:
    # a word joiner keeps them together (a figure after the sign already does)
    out = _SIGN_BEFORE_SYMBOL.sub(r"\1" + WORD_JOINER, out)
    if language == "fr":
        out = _BEFORE_UNIT.sub("\u00a0", out)
        out = _BEFORE_HIGH.sub(NNBSP + r"\1", out)
        out = _OPEN_GUILLEMET.sub("«" + NNBSP, out)
        out = _CLOSE_GUILLEMET.sub(NNBSP + "»", out)
    return out


def of_name(name: str, language: str = "fr") -> str:
    """``de`` before a name, elided before a vowel or an h as French writes it; English: the
    name alone (the sentence says "of" or "'s" itself).

    Example
    -------
    >>> of_name("Julien Marchetti"), of_name("Hélène Fournier"), of_name("Yves"), of_name("Anne", "en")
    ('de Julien Marchetti', 'd’Hélène Fournier', 'd’Yves', 'Anne')
    """
    if language != "fr":
        return name
    first = fold(name[:1])
    return f"d’{name}" if first and first in "aeiouyh" else f"de {name}"


def after_colon(text: str, language: str = "fr") -> str:
    """``text`` as it starts after a colon: French takes no capital there (unless the word
    is all capitals, « SAV »); English keeps it.

    Example
    -------
    >>> after_colon("Relancer le client", "fr"), after_colon("SAV rapide", "fr"), after_colon("Call", "en")
    ('relancer le client', 'SAV rapide', 'Call')
    """
    if language == "fr" and len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


_TAG = re.compile(r"(<[^>]*>)")
_RAW = re.compile(r"<(svg|style|script|pre|code)\b.*?</\1>", re.S | re.I)


def typeset_html(markup: str, language: str = "fr") -> str:
    """:func:`typeset` the text of an HTML document: not its tags, attributes, SVG or CSS."""
    pieces: list[str] = []
    at = 0
    for raw in _RAW.finditer(markup):
        pieces.append(_typeset_text_nodes(markup[at : raw.start()], language))
        pieces.append(raw.group(0))
        at = raw.end()
    pieces.append(_typeset_text_nodes(markup[at:], language))
    return "".join(pieces)


def _typeset_text_nodes(markup: str, language: str) -> str:
    parts = _TAG.split(markup)
    for i in range(0, len(parts), 2):  # even parts are text, odd ones tags
        if parts[i].strip():
            parts[i] = html.escape(typeset(html.unescape(parts[i]), language), quote=False)
    return "".join(parts)
