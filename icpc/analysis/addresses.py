"""Addresses and SIRET numbers as comparison keys (adresse normalisée, SIRET / SIREN).

:func:`normalise_address` turns an address and a postcode into a key "number street
postcode" (case, accents, punctuation, common abbreviations, ``bis``/``ter`` folded);
:func:`normalise_siret` keeps the 14 digits of a SIRET (or the 9 of its SIREN). Two
customers with the same key are one place or one firm (:mod:`icpc.analysis.anomalies`).

Example
-------
>>> normalise_address(pd.Series(["12, R. de l'Église"]), pd.Series(["75002"])).tolist()
['12 rue eglise 75002']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["ABBREVIATIONS", "STOP_WORDS", "normalise_address", "normalise_siret"]

#: abbreviation -> full word, applied to whole words after accents and punctuation are gone
ABBREVIATIONS = {
    "r": "rue",
    "av": "avenue", "ave": "avenue", "avn": "avenue",
    "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard", "boul": "boulevard", "bvd": "boulevard",
    "pl": "place", "plc": "place",
    "ch": "chemin", "che": "chemin", "chem": "chemin", "chm": "chemin",
    "imp": "impasse",
    "all": "allee",
    "rte": "route",
    "fg": "faubourg", "fbg": "faubourg",
    "sq": "square", "crs": "cours", "qu": "quai", "res": "residence",
    "lot": "lotissement", "ham": "hameau",
    "st": "saint", "ste": "sainte", "gal": "general", "mal": "marechal", "pdt": "president",
}  # fmt: skip
#: little words dropped from the key ("rue de la Paix" = "rue Paix")
STOP_WORDS = ("de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux")
_NUMBER_SUFFIX = {
    "bis": "bis",
    "b": "bis",
    "ter": "ter",
    "t": "ter",
    "quater": "quater",
    "q": "quater",
}


def _by_full(mapping: dict[str, str]) -> dict[str, str]:
    """Full form -> regex alternation of its short forms (longest first)."""
    out: dict[str, list[str]] = {}
    for short, full in mapping.items():
        out.setdefault(full, []).append(short)
    return {full: "|".join(sorted(shorts, key=len, reverse=True)) for full, shorts in out.items()}


def _ascii_lower(text: pd.Series) -> pd.Series:
    return (
        text.str.normalize("NFKD")
        .str.encode("ascii", errors="ignore")
        .str.decode("ascii")
        .str.lower()
    )


_SUFFIX_WORD = re.compile(
    r"^(\d+)(" + "|".join(sorted(_NUMBER_SUFFIX, key=len, reverse=True)) + r")$"
)


def _canonical_word(word: str) -> str:
    """One word of an address in canonical form ("" = dropped)."""
    if word in STOP_WORDS:
        return ""
    m = _SUFFIX_WORD.match(word)
    if m:  # "12b", "12bis" -> "12bis"
        return m.group(1) + _NUMBER_SUFFIX[m.group(2)]
    return ABBREVIATIONS.get(word, word)


def _street_and_postcode(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Street part ("number street") and postcode found in each cleaned address text.

    Works on the words of all addresses at once (Arrow split, dictionary of distinct
    words, numpy masks): no Python loop over addresses.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    lists = pc.utf8_split_whitespace(pa.array(text.to_numpy(dtype=object), type=pa.string()))
    offsets = lists.offsets.to_numpy()
    flat = lists.flatten()
    row = np.repeat(np.arange(n), np.diff(offsets))
    tok = np.arange(len(flat))
    enc = pc.dictionary_encode(flat)
    idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    vocab = enc.dictionary.to_pylist()
    canon = (
        np.array([_canonical_word(w) for w in vocab] + [""], dtype=object)[idx]
        if len(idx)
        else np.array([], dtype=object)
    )
    number = np.array([w.isdigit() for w in vocab] + [False], dtype=bool)[idx]
    postal = np.array([len(w) == 5 and w.isdigit() for w in vocab] + [False], dtype=bool)[idx]
    box = np.isin(idx, [i for i, w in enumerate(vocab) if w in ("bp", "cs", "tsa")])
    cedex = np.isin(idx, [i for i, w in enumerate(vocab) if w == "cedex"])
    suffix = np.array([_NUMBER_SUFFIX.get(w, "") for w in vocab] + [""], dtype=object)[idx]
    drop = canon == ""
    # postal boxes "BP 123", "CS 70001": the word and the number after it
    after_box = np.flatnonzero(box) + 1
    after_box = after_box[
        (after_box < len(tok)) & (row[np.minimum(after_box, len(tok) - 1)] == row[after_box - 1])
    ]
    after_box = after_box[number[after_box]]
    drop[box] = True
    drop[after_box] = True
    postal[after_box] = False
    # the last 5-digit number is the postcode: it and what follows (city, cedex) go
    last_cp = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_cp, row[postal], tok[postal])
    first_cedex = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_cedex, row[cedex], tok[cedex])
    cut = np.where(last_cp >= 0, last_cp, first_cedex)
    cut = np.minimum(cut, first_cedex)
    drop |= tok >= cut[row]
    found = np.full(n, None, dtype=object)
    has_cp = last_cp >= 0
    found[has_cp] = canon[last_cp[has_cp]]
    # "12 bis" / "12 b": the suffix word is glued to the number before it
    glue = np.flatnonzero((suffix != "") & ~drop)
    glue = glue[glue > 0]
    glue = glue[(row[glue] == row[glue - 1]) & number[glue - 1] & ~drop[glue - 1]]
    if len(glue):
        canon = canon.copy()
        canon[glue - 1] = canon[glue - 1] + suffix[glue]
        drop[glue] = True
    keep = ~drop
    counts = np.bincount(row[keep], minlength=n)
    new_offsets = np.r_[0, np.cumsum(counts)].astype(np.int32)
    joined = pc.binary_join(
        pa.ListArray.from_arrays(pa.array(new_offsets), pa.array(canon[keep], type=pa.string())),
        " ",
    )
    streets = np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)
    streets[counts == 0] = None
    return streets, found


def normalise_address(
    address: pd.Series, postcode: pd.Series | None = None, city: pd.Series | None = None
) -> pd.Series:
    """Normalised address key (adresse normalisée): "number street postcode".

    Parameters
    ----------
    address : Series of str
        Street address as typed ("12, R. de la Paix", "12 bis av Foch 75016 Paris").
    postcode : Series of str, optional
        Postcode column (code postal); digits only, left-padded to 5 ("1000" -> "01000").
        When missing or empty, a 5-digit postcode found in the address is used, else the
        normalised city.
    city : Series of str, optional
        City column, used only when no postcode is known.

    Returns
    -------
    Series of str
        Same index; null when the address is empty. Rules: lower case, accents and
        punctuation removed, spaces collapsed; ``bis``/``b``, ``ter``/``t`` glued to the
        number ("12 bis" = "12bis" = "12 B"); abbreviations expanded
        (:data:`ABBREVIATIONS`: r. = rue, av. = avenue, bd = boulevard, pl. = place,
        ch. = chemin, imp. = impasse, st = saint...); little words dropped
        (:data:`STOP_WORDS`); a postcode and what follows it (the city, "cedex") and
        postal boxes (BP, CS) removed from the street part.

    Example
    -------
    >>> normalise_address(pd.Series(["12 bis Bd Voltaire 75011 PARIS"])).tolist()
    ['12bis boulevard voltaire 75011']
    """
    codes, uniques = pd.factorize(address.astype("str"))
    text = _ascii_lower(pd.Series(uniques, dtype="str")).str.replace(r"[^a-z0-9]+", " ", regex=True)
    streets, found_cp = _street_and_postcode(text)
    missing = codes < 0
    street_of = np.append(streets, np.array([None], dtype=object))[
        codes
    ]  # code -1 (no address) -> None
    cp = np.append(found_cp, np.array([None], dtype=object))[codes]
    if postcode is not None:
        given = postcode.astype("str").str.replace(r"\D", "", regex=True)
        given = given.where(given.str.len() > 0).str.zfill(5).to_numpy(dtype=object, na_value=None)
        cp = np.where(pd.isna(given), cp, given)
    need = pd.isna(cp)
    if city is not None and need.any():
        town = (
            _ascii_lower(city[need].astype("str"))
            .str.replace(r"[^a-z0-9]+", " ", regex=True)
            .str.strip()
        )
        cp = cp.copy()
        cp[need] = town.where(town.str.len() > 0).to_numpy(dtype=object, na_value=None)
    has_street = ~missing & ~pd.isna(street_of)
    key = np.full(len(codes), None, dtype=object)
    place = np.where(pd.isna(cp), "", cp)
    key[has_street] = (
        street_of[has_street] + np.where(place[has_street] == "", "", " ") + place[has_street]
    )
    return pd.Series(key, index=address.index, dtype="str", name="address_key")


def normalise_siret(siret: pd.Series, *, siren: bool = False) -> pd.Series:
    """SIRET (or SIREN) as digits only; null when it is not a plausible identifier.

    Parameters
    ----------
    siret : Series of str
        SIRET as typed ("123 456 789 00012").
    siren : bool
        Keep only the first 9 digits (the SIREN: the firm, not the establishment).

    Returns
    -------
    Series of str
        14 digits (9 with ``siren``); null when the digits are not 14 (9 or 14 with
        ``siren``) or all zeros.
    """
    digits = siret.astype("str").str.replace(r"\D", "", regex=True)
    n = digits.str.len()
    if siren:
        valid = n.isin([9, 14])
        digits = digits.str[:9]
    else:
        valid = n == 14
    valid &= digits.str.strip("0").str.len() > 0
    return digits.where(valid).astype("str").rename("siret_key")
