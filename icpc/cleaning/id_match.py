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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc.cleaning.encoding import _is_in

__all__ = ["W_IDS_MATCHED", "id_keys", "match_ids"]

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
