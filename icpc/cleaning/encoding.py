"""Lookups on coded columns (codes over a dictionary of distinct values), for the buckets."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc.text import fold


def _is_in(values: pd.Index, wanted: pd.Index) -> np.ndarray:
    """Which of ``values`` (text) occur in ``wanted`` (text), as a bool array."""
    arr, value_set = _text_array(values), _text_array(wanted)
    if arr.type != value_set.type:
        arr, value_set = arr.cast(pa.large_string()), value_set.cast(pa.large_string())
    hit = pc.is_in(arr, value_set=value_set)
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), bool)


def _text_array(values: pd.Index) -> pa.Array:
    """The Arrow array of a text index: its own buffers when pandas keeps it in Arrow
    (``str``), no Python string made (0.2 s for two indexes of 170 000 customer ids)."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pa.array(values.array)
    return pa.array(values.to_numpy(dtype=object), pa.string())


def _categorical(codes: np.ndarray, dictionary: pa.Array) -> pd.Categorical:
    """A pandas Categorical with only the values used (``str`` categories)."""
    present = _used_entries(codes, len(dictionary))
    if not present.all():
        # old code -> new code, in one gather: the extra last slot maps -1 (null) to -1
        table = np.empty(len(present) + 1, np.int32)
        np.cumsum(present, out=table[:-1])
        table[:-1] -= 1
        table[-1] = -1
        codes = table[codes]
        dictionary = dictionary.filter(pa.array(present))
    categories = pd.Index(dictionary.to_pandas(), dtype="str")
    # the values of an arrow dictionary are distinct: skip pandas' uniqueness check, which
    # hashes every category again (seconds for millions of invoice numbers)
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    dtype = fast(categories, False) if fast is not None else pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(
        codes.astype(np.int32, copy=False), dtype=dtype, validate=False
    )


#: rows at a time of :func:`_used_entries`, and the dictionaries it stops early for
_BLOCK, _EARLY_STOP_ENTRIES = 1 << 16, 1 << 16


def _used_entries(codes: np.ndarray, k: int) -> np.ndarray:
    """Which of the ``k`` dictionary entries ``codes`` (-1 = null) use, as a bool array.

    A small dictionary (salespeople, regions…) is usually all used within the first
    rows: its codes are looked at block by block until every entry is seen.
    """
    seen = np.zeros(k + 1, bool)  # code -1 (null) lands in the extra last slot
    if k > _EARLY_STOP_ENTRIES:
        seen[codes] = True
        return seen[:-1]
    for start in range(0, len(codes), _BLOCK):
        seen[codes[start : start + _BLOCK]] = True
        if seen[:-1].all():
            break
    return seen[:-1]


def _rows(codes: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """Rows whose code points at a dictionary entry flagged in ``hit`` (null codes: no)."""
    if not hit.any():  # the usual case (no damaged id, no rule hit): no pass over the rows
        return np.zeros(len(codes), bool)
    return (codes >= 0) & hit[np.maximum(codes, 0)]


def _folded_match(dictionary: pa.Array, values: Iterable[str]) -> np.ndarray:
    """Which dictionary entries equal one of ``values`` (case, accents, spaces folded)."""
    wanted = {fold(v) for v in values}
    return np.array([fold(v) in wanted for v in dictionary.to_pylist()], dtype=bool)


def _exact_match(dictionary: pa.Array, values: Iterable[str]) -> np.ndarray:
    wanted = pa.array(sorted({str(v).strip() for v in values}), pa.string())
    return np.asarray(pc.is_in(dictionary, value_set=wanted).to_numpy(zero_copy_only=False), bool)


#: a code that Excel turned into a number in scientific notation: 4,00123E+11
_SCIENTIFIC = r"^[+-]?\d+([.,]\d+)?[eE][+-]\d+$"  # Excel always writes the exponent's sign


def _scientific(dictionary: pa.Array) -> np.ndarray:
    """Which ids of a dictionary are numbers in scientific notation (damaged: digits lost)."""
    if not len(dictionary):
        return np.zeros(0, bool)
    hit = pc.fill_null(pc.match_substring_regex(dictionary, _SCIENTIFIC), False)
    return np.asarray(hit.to_numpy(zero_copy_only=False), bool)
