"""Rows a reader sets aside before parsing: empty lines, repeated header lines, and a second
header pasted in another column order (:func:`icpc.io.common.finish_table` applies them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["empty_rows", "header_in_other_order", "repeated_header_rows"]


def _blank(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which cells are empty: null, or nothing but spaces."""
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return np.asarray(pc.is_null(values).to_numpy(zero_copy_only=False), bool)
    length = pc.utf8_length(pc.utf8_trim_whitespace(values))
    return np.asarray(pc.fill_null(pc.equal(length, 0), True).to_numpy(zero_copy_only=False), bool)


def empty_rows(
    columns: Mapping[str, pa.ChunkedArray], first_column: pa.ChunkedArray | None, n_rows: int
) -> np.ndarray | None:
    """Rows whose every cell read is empty (``;;;;``: a blank row a spreadsheet saved), or
    None when there is none. Screened on one column, the others tested on those rows only.

    Example
    -------
    >>> cols = {"a": pa.chunked_array([["1", "", " "]]), "b": pa.chunked_array([["x", None, "y"]])}
    >>> empty_rows(cols, None, 3)
    array([False,  True, False])
    >>> coded = {"a": pa.chunked_array([pa.array(["1", "", None]).dictionary_encode()]), "b": pa.chunked_array([["x", None, None]])}
    >>> empty_rows(coded, None, 3)
    array([False,  True,  True])
    """
    cols = [*columns.values(), *([] if first_column is None else [first_column])]
    if not cols or not n_rows:
        return None
    first = cols[0]
    if pa.types.is_string(first.type) or pa.types.is_large_string(first.type):
        screen = pc.or_kleene(pc.is_null(first), pc.equal(pc.utf8_length(first), 0))
        screen = pc.or_kleene(screen, pc.utf8_is_space(first))
        rows = np.flatnonzero(np.asarray(pc.fill_null(screen, True).to_numpy(zero_copy_only=False)))
    elif pa.types.is_dictionary(first.type):  # Parquet: on the distinct values, not the rows
        parts, start = [], 0
        for chunk in first.chunks:
            hit = np.append(_blank(chunk.dictionary), True)  # the last: a null index
            idx = np.asarray(pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False))
            parts.append(start + np.flatnonzero(hit[np.where(idx < 0, len(hit) - 1, idx)]))
            start += len(chunk)
        rows = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    else:
        rows = np.flatnonzero(_blank(first))
    if not len(rows):
        return None
    taken = pa.array(rows)
    blank = np.ones(len(rows), bool)
    for col in cols[1:]:
        blank &= _blank(col.take(taken))
        if not blank.any():
            return None
    out = np.zeros(n_rows, bool)
    out[rows[blank]] = True
    return out


def _header_trim(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Cells stripped of spaces and of a byte-order mark (a second export pasted with its own)."""
    return pc.utf8_trim_whitespace(pc.utf8_ltrim(values, characters="\ufeff"))


def repeated_header_rows(
    columns: Mapping[str, pa.ChunkedArray], headers: Sequence[Any], found: Mapping[str, int]
) -> np.ndarray | None:
    """Rows that repeat the header line (page breaks of a printed export), or None.

    A row is such a line when every mapped cell equals its column's header (case and
    spaces around set aside).
    """
    mask: np.ndarray | None = None
    for canon, j in found.items():
        col = columns[canon]
        if not (
            pa.types.is_string(col.type)
            or pa.types.is_large_string(col.type)
            or pa.types.is_dictionary(col.type)
        ):
            return None
        # compared without case (a printed export may repeat "CODE CLIENT"), on the rows of
        # about the header's length only (one cheap pass over millions of ids)
        header = str(headers[j]).strip().lower()
        if pa.types.is_dictionary(col.type):  # Parquet: on the distinct values, not the rows
            same = _header_rows_of_dictionary(col, header)
            mask = same if mask is None else mask & same
            if not mask.any():
                return None
            continue
        length = np.asarray(pc.fill_null(pc.utf8_length(col), -1).to_numpy(zero_copy_only=False))
        rows = np.flatnonzero(
            (length >= len(header)) & (length <= len(header) + 8) & (True if mask is None else mask)
        )
        same = np.zeros(len(col), bool)
        if len(rows):
            texts = pc.utf8_lower(_header_trim(col.take(pa.array(rows))))
            same[rows] = np.asarray(
                pc.fill_null(pc.equal(texts, header), False).to_numpy(zero_copy_only=False), bool
            )
        mask = same
        if not mask.any():
            return None
    return mask


def header_in_other_order(
    columns: Mapping[str, pa.ChunkedArray], headers: Sequence[Any], found: Mapping[str, int]
) -> int | None:
    """The first row (0-based) whose mapped cells all hold header names, not each its own: the
    header of a second export pasted below the first with its columns in another order (the
    rows after it would be read in the wrong columns), or None.

    Example
    -------
    >>> cols = {"a": pa.chunked_array([["1", "Date", "x"]]), "b": pa.chunked_array([["2", "Code", "y"]])}
    >>> header_in_other_order(cols, ["Code", "Date"], {"a": 0, "b": 1})
    1
    """
    if len(found) < 2 or not all(pa.types.is_string(columns[c].type) for c in found):
        return None
    names = {canon: str(headers[j]).strip().lower() for canon, j in found.items()}
    every = {str(h).strip().lower() for h in headers if h is not None and str(h).strip()}
    value_set = pa.array(sorted(every), pa.string())
    # one cheap pass over the first column: its cells written as a header is written (as is,
    # in capitals, lower case, capitalised); the other columns on those rows only
    written = {str(h).strip() for h in headers if h is not None and str(h).strip()}
    variants = {v for h in written for v in (h, h.upper(), h.lower(), h.capitalize(), h.title())}
    variants |= {"\ufeff" + v for v in variants}
    first = columns[next(iter(found))]
    hit = pc.is_in(first, value_set=pa.array(sorted(variants), pa.string()))
    rows = np.flatnonzero(np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False)))
    if not len(rows):
        return None
    own = np.ones(len(rows), bool)
    some = np.ones(len(rows), bool)
    for canon in found:
        texts = pc.utf8_lower(_header_trim(columns[canon].take(pa.array(rows))))
        some &= np.asarray(pc.is_in(texts, value_set=value_set).to_numpy(zero_copy_only=False))
        if not some.any():
            return None
        own &= np.asarray(
            pc.fill_null(pc.equal(texts, names[canon]), False).to_numpy(zero_copy_only=False), bool
        )
    other = rows[some & ~own]
    return int(other[0]) if len(other) else None


def _header_rows_of_dictionary(col: pa.ChunkedArray, header: str) -> np.ndarray:
    """Rows of a dictionary column equal to ``header`` once stripped and lower-cased.

    Tested on each chunk's dictionary (its distinct values), then mapped to the rows.
    """
    out = np.zeros(len(col), bool)
    start = 0
    for chunk in col.chunks:
        stop = start + len(chunk)
        texts = pc.utf8_lower(_header_trim(chunk.dictionary))
        hit = np.asarray(
            pc.fill_null(pc.equal(texts, header), False).to_numpy(zero_copy_only=False), bool
        )
        if hit.any():
            idx = np.asarray(pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False))
            out[start:stop] = (idx >= 0) & hit[np.maximum(idx, 0)]
        start = stop
    return out
