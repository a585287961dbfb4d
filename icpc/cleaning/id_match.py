"""Customer codes one file writes otherwise than the invoices: matched when unambiguous.

Exports of one client come from different screens, sometimes different software: the
invoice lines say ``C001``, the customer file ``c001``; one writes ``000123``, the other
``123``; one ``FR 001``, the other ``FR001``. Matched exactly, every customer of the master
would be "without transactions" and every invoice's customer "missing from the master": the
report would lose the names, addresses, creation dates and the master's salespeople.

Two codes are *the same written otherwise* when their keys (:func:`id_keys`) are equal:
case, spaces and, for codes made only of digits, leading zeros set aside. A code of the
other file is rewritten as the invoices write it only when the match is unambiguous: its
key is shared by no other code of its file, by exactly one invoice code, and that invoice
code has no exact match already. Anything else is left as written (and counted by the
warnings that follow: customers missing from the master, customers without transactions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.cleaning.encoding import _is_in
from icpc.text import fold

__all__ = [
    "EXCLUSIONS_NOT_FOUND",
    "WHERE_NOT_FOUND",
    "W_IDS_MATCHED",
    "id_keys",
    "match_ids",
    "match_master",
    "resolve_exclusions",
    "rewrite_ids",
    "where_not_found",
    "written_codes",
]

W_IDS_MATCHED = (
    "customer codes written otherwise than in the invoices (case, spaces, zeros), matched"
)


def id_keys(ids: pd.Index | pa.Array) -> pa.Array:
    """The key of each code: lower case, without spaces, digits-only codes without leading zeros.

    Example
    -------
    >>> id_keys(pd.Index(["C 001", "c001", "000123", "0", "A-01"])).to_pylist()
    ['c001', 'c001', '123', '0', 'a-01']
    """
    values = (
        ids if isinstance(ids, pa.Array) else pa.array(np.asarray(ids, dtype=object), pa.string())
    )
    key = pc.utf8_lower(pc.replace_substring_regex(values, r"\s+", ""))
    digits = pc.fill_null(pc.match_substring_regex(key, r"^[0-9]+$"), False)
    unpadded = pc.replace_substring_regex(key, r"^0+(\d)", r"\1")
    return pc.if_else(digits, unpadded, key)


def match_ids(reference: pd.Index, other: pd.Index) -> dict[str, str]:
    """The codes of ``other`` to rewrite as ``reference`` writes them.

    Parameters
    ----------
    reference : pandas.Index of str
        The distinct customer codes of the invoice lines.
    other : pandas.Index of str
        The distinct customer codes of another file (the customer master, the activity log).

    Returns
    -------
    dict of str to str
        ``other`` code -> ``reference`` code, for the codes of ``other`` with no exact
        match whose key matches exactly one code of ``reference`` itself without an
        exact match, and no other code of ``other``. Empty when nothing matches so.

    Example
    -------
    >>> match_ids(pd.Index(["C001", "C002", "123"]), pd.Index(["c001", "C002", "000123"]))
    {'c001': 'C001', '000123': '123'}
    >>> match_ids(pd.Index(["C001", "c001"]), pd.Index(["C001 "]))  # two invoice customers
    {}
    """
    reference = pd.Index(reference).astype(str)
    other = pd.Index(other).astype(str)
    if not len(reference) or not len(other):
        return {}
    lonely_ref = ~_is_in(reference, other)  # Arrow's hash set: pandas' isin on text is slow
    lonely_other = ~_is_in(other, reference)
    if not lonely_ref.any() or not lonely_other.any():
        return {}
    ref_keys = pd.Index(id_keys(reference).to_pylist())
    other_keys = pd.Index(id_keys(other).to_pylist())
    # keys written once in each file (C001 and c001 both invoiced are two customers here)
    ref_once = ~ref_keys.duplicated(keep=False)
    other_once = ~other_keys.duplicated(keep=False)
    candidates = pd.Series(reference[lonely_ref & ref_once], index=ref_keys[lonely_ref & ref_once])
    wanted = other_keys[lonely_other & other_once]
    found = candidates.reindex(wanted)
    codes = other[lonely_other & other_once]
    hit = found.notna().to_numpy()
    return dict(zip(codes[hit], found.to_numpy()[hit], strict=True))


#: the ledger detail listing the ``exclude.customers`` codes found in no file
EXCLUSIONS_NOT_FOUND = "exclude_customers_not_found"
#: the ledger detail listing, by column, the ``exclude.where`` values found in no file
WHERE_NOT_FOUND = "exclude_where_not_found"


def written_codes(dictionary: pa.Array) -> pd.Index:
    """The distinct codes of a file (a parsed column's dictionary), as an index."""
    return pd.Index(dictionary.to_pylist(), dtype=object)


def resolve_exclusions(
    listed: Sequence[str], files: list[pd.Index]
) -> tuple[tuple[str, ...], list[str]]:
    """The codes to exclude as the files write them, and those of ``listed`` in no file.

    A code of ``exclude.customers`` is looked up in each file's codes exactly, else by its
    key when one to one (:func:`icpc.cleaning.id_match.match_ids`: ``c001`` or ``C 001``
    for a file's ``C001``).

    Example
    -------
    >>> resolve_exclusions(["c001", "C002", "X9"], [pd.Index(["C001", "C002"]), pd.Index(["c001"])])
    (('C001', 'C002', 'c001'), ['X9'])
    """
    if not listed:
        return (), []
    codes = pd.Index(listed, dtype=object)
    out: list[str] = []
    found: set[str] = set()
    for written in files:
        inside = _is_in(codes, written)
        exact = codes[inside]
        out.extend(exact)
        found.update(exact)
        rest = codes[~inside]
        mapping = match_ids(written, rest) if len(rest) else {}
        out.extend(mapping.values())
        found.update(mapping)
    return tuple(sorted(set(out))), [c for c in listed if c not in found]


def where_not_found(
    where: Mapping[str, Sequence[str]], files: Mapping[str, list[pa.Array]]
) -> dict[str, list[str]]:
    """The values of ``exclude.where`` that no file's column holds, by column (as written).

    A value is found as the exclusion finds it: without regard to case, accents and spaces
    (:func:`icpc.text.fold`); ``files`` gives each column's distinct values in each file
    that maps it.

    Example
    -------
    >>> where_not_found({"region": ["nord", "Sdu"]}, {"region": [pa.array(["Nord", "Sud"])]})
    {'region': ['Sdu']}
    """
    out: dict[str, list[str]] = {}
    for col, values in where.items():
        seen = {fold(v) for values_of in files.get(col, []) for v in values_of.to_pylist() if v}
        missing = [v for v in values if fold(v) not in seen]
        if missing:
            out[col] = missing
    return out


def match_master(
    customers: pd.DataFrame, excluded_ids: list[str], tx_ids: pd.Index
) -> tuple[pd.DataFrame, list[str], dict[str, Any] | None]:
    """The master with its codes written as the invoices write them where they differ only
    by case, spaces or leading zeros (:mod:`icpc.cleaning.id_match`); the customers its
    rules exclude, so written too; the warning (None when no code was rewritten)."""
    # the customers its rules exclude are no longer in the master: their codes count too
    written = pd.Index([*customers[C.CUSTOMER_ID].astype(object), *excluded_ids], dtype=object)
    mapping = match_ids(tx_ids, written.unique())
    if not mapping:
        return customers, excluded_ids, None
    ids = customers[C.CUSTOMER_ID].astype(object)
    rewritten = ids.map(mapping)
    hit = rewritten.notna().to_numpy()
    customers = customers.copy()
    customers[C.CUSTOMER_ID] = pd.array(
        np.where(hit, rewritten.to_numpy(), ids.to_numpy()), dtype=customers[C.CUSTOMER_ID].dtype
    )
    excluded = sorted(mapping.get(code, code) for code in excluded_ids)
    rows = int(hit.sum())  # one row per customer in the master
    return customers, excluded, {"rows": rows, "amount": 0.0, "customers": rows}


def rewrite_ids(frame: pd.DataFrame, mapping: dict[str, str]) -> tuple[pd.DataFrame, int]:
    """``frame``'s categorical customer codes rewritten by ``mapping`` (on the categories,
    then the codes: no Python call per row); the rows rewritten."""
    ids = frame[C.CUSTOMER_ID]
    rows = int(ids.isin(list(mapping)).sum())  # categorical: on its categories
    if rows:
        renamed = [mapping.get(c, c) for c in ids.cat.categories.astype(object)]
        index, categories = pd.factorize(np.asarray(renamed, dtype=object))
        codes = ids.cat.codes.to_numpy()
        frame = frame.copy()
        frame[C.CUSTOMER_ID] = pd.Categorical.from_codes(
            np.where(codes >= 0, index[np.maximum(codes, 0)], -1), categories
        )
    return frame, rows
