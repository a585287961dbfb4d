"""Turn raw columns into typed values, vectorised: text, amounts, dates; totals lines.

Each parser returns the values and a mask of the non-empty cells it could not read;
deciding what to do with those rows is the job of :mod:`icpc.cleaning` (the ledger).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.io.common import (
    _NUMBER_RE,
    _SPACES,
    _TOTALS_FULL,
    _TOTALS_PREFIX,
    CURRENCY_MARKS,
    RawTable,
    _as_chunked,
    _blank_to_null,
    _present,
    _to_string,
    has_invisible,
    normalize_header,
    null_markers,
    strip_invisible,
)

__all__ = ["parse_text", "parse_amounts", "totals_labels", "totals_mask"]


def parse_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Return a text column stripped of surrounding spaces and invisible characters
    (:data:`~icpc.io.common.INVISIBLE`), empty cells as null.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        Any column (numbers are written without a trailing ``.0``).

    Returns
    -------
    pyarrow.ChunkedArray
        ``string`` values, stripped; ``""`` becomes null.
    """
    col = _as_chunked(col)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = _to_string(col)
    if has_invisible(col):  # zero-width spaces, BOMs: removed (the readers count the rows)
        col = strip_invisible(col)
    col = pc.utf8_trim_whitespace(col)
    hit = null_markers(col)
    if hit is not None:  # NULL, #N/A: no value (the readers count the rows)
        col = pc.if_else(hit, pa.scalar(None, col.type), col)
    return _blank_to_null(col)


def parse_amounts(
    col: pa.ChunkedArray, *, decimal: str = ".", thousands: Sequence[str] = _SPACES
) -> tuple[np.ndarray, np.ndarray]:
    """Turn an amount column (montant) into float64, vectorised.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        Text (``"1 234,56"``, ``"-12.5"``, ``"(3,00)"``, ``"3,00-"``, ``"12 €"``) or
        numbers.
    decimal : str
        The decimal mark, ``","`` or ``"."``.
    thousands : sequence of str
        Characters removed before reading (spaces, and ``.`` or ``,`` when detected).

    Returns
    -------
    values : numpy.ndarray of float64
        NaN where the cell is empty or unreadable.
    bad : numpy.ndarray of bool
        True where the cell is not empty but cannot be read as a finite number, or reads
        as one of :data:`MAX_AMOUNT` or more in size.
    """
    col = _as_chunked(col)
    if (
        pa.types.is_integer(col.type)
        or pa.types.is_floating(col.type)
        or pa.types.is_decimal(col.type)
    ):
        values = np.array(pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
        finite = _held(values)
        if finite.all():  # the usual typed column: no pass more
            return values, np.zeros(len(values), bool)
        bad = ~finite & ~np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
        values[~finite] = np.nan
        return values, bad
    if pa.types.is_null(col.type):
        return np.full(len(col), np.nan), np.zeros(len(col), bool)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = _to_string(col)
    if has_invisible(col):  # "12,50" and a zero-width space: 12,50 (the reader counts the row)
        col = strip_invisible(col)
    # one look at the bytes tells which passes are needed (most files need one or none)
    present = set(_present(col, (" ", "\t", *thousands, *CURRENCY_MARKS, ",", "\u2212")))
    s = col
    # the currency's mark ("12 €", "$1,234.56", "CHF 12.50"), the typographer's minus U+2212
    for ch, by in (*((m, "") for m in CURRENCY_MARKS), ("\u2212", "-")):
        if ch in present:
            s = pc.replace_substring(s, ch, by)
    if present & {" ", "\t", *CURRENCY_MARKS, *thousands}:
        s = pc.utf8_trim_whitespace(s)
    if present & {
        " ",
        "\t",
        *_SPACES,
    }:  # "- 12,50", "12,50 -", "( 12,50 )": the sign holds to the number
        s = pc.replace_substring_regex(s, "^([+(-])[\\s\u00a0\u202f\u2009]+", r"\1")
        s = pc.replace_substring_regex(s, "[\\s\u00a0\u202f\u2009]+([)-])$", r"\1")
    empty = np.asarray(pc.fill_null(pc.equal(s, ""), True).to_numpy(zero_copy_only=False), bool)
    for ch in thousands:
        if ch in present:  # a thousands group is exactly three digits, after 1-3 digits
            s = _drop_thousands(s, ch, decimal)
    other = "." if decimal == "," else ","
    if other not in thousands and _present(col, (other,)):
        # the other mark is neither the decimal mark nor a thousands separator here: such a
        # value is not a number (a "1.234" in a decimal-comma file is not 1.234)
        s = pc.if_else(
            pc.fill_null(pc.match_substring(s, other), False), pa.scalar(None, s.type), s
        )
    if decimal == "," and "," in present:
        s = pc.replace_substring(s, ",", ".")
    if empty.any():
        s = _blank_to_null(s)
    try:
        values = pc.cast(s, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # slow path: accounting negatives, then keep only what looks like a number
        s = pc.replace_substring_regex(s, r"^\((.*)\)$", r"-\1")
        s = pc.replace_substring_regex(s, r"^([^-].*)-$", r"-\1")
        s = pc.replace_substring_regex(s, r"^\+", "")
        ok = pc.fill_null(pc.match_substring_regex(s, _NUMBER_RE), False)
        values = pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), pa.float64())
    out = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    finite = _held(out)
    bad = ~finite & ~empty
    return np.where(finite, out, np.nan), bad


#: amounts from ten thousand billion on (1e308, 9e15: a damaged cell, an id pasted in the
#: column) are no amount: no invoice line is that large, and sums of such values lose the
#: cent in 64-bit floats, or overflow
MAX_AMOUNT = 1e13


def _held(values: np.ndarray) -> np.ndarray:
    """Which values are amounts: finite and below :data:`MAX_AMOUNT` in size."""
    with np.errstate(invalid="ignore"):
        return np.abs(values) < MAX_AMOUNT


def _drop_thousands(s: pa.ChunkedArray, mark: str, decimal: str) -> pa.ChunkedArray:
    """Remove a thousands separator where it groups digits by three; elsewhere the value is
    not a number (null): ``12.50`` with a thousands dot is not 1250, ``0.450`` not 450."""
    has = pc.fill_null(pc.match_substring(s, mark), False)
    if not pc.any(has).as_py():
        return s
    m, d = re.escape(mark), re.escape(decimal)
    grouped = pc.fill_null(
        pc.match_substring_regex(s, rf"^[+\-(]?[0-9]{{1,3}}({m}[0-9]{{3}})+({d}[0-9]*)?\)?-?$"),
        False,
    )
    broken = pc.and_(has, pc.invert(grouped))
    if pc.any(broken).as_py():
        s = pc.if_else(broken, pa.scalar(None, s.type), s)
    return pc.replace_substring(s, mark, "")


def totals_labels(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Flag the values that are totals labels ("Total", "TOTAL GÉNÉRAL :", "Sous-total").

    Parameters
    ----------
    values : pyarrow.Array or ChunkedArray of string
        Cells (or the distinct values of a column).

    Returns
    -------
    numpy.ndarray of bool
        True where the cell, once case, accents and spaces are folded, is exactly such a
        label.
    """
    mask = np.zeros(len(values), bool)
    if pa.types.is_dictionary(values.type):  # look at the distinct values only
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        start = 0
        for chunk in chunks:
            hit = totals_labels(chunk.dictionary)
            if hit.any():
                idx = np.asarray(pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False))
                mask[start : start + len(chunk)] = (idx >= 0) & hit[np.maximum(idx, 0)]
            start += len(chunk)
        return mask
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)) or not len(
        values
    ):
        return mask
    cand = pc.fill_null(pc.match_substring_regex(values, _TOTALS_PREFIX, ignore_case=True), False)
    idx = np.flatnonzero(np.asarray(cand.to_numpy(zero_copy_only=False), bool))
    if len(idx):
        texts = values.take(pa.array(idx)).to_pylist()
        hits = [bool(_TOTALS_FULL.match(normalize_header(t))) for t in texts]
        mask[idx[np.asarray(hits, bool)]] = True
    return mask


def totals_mask(raw: RawTable, *, skip_customer: bool = False) -> np.ndarray:
    """Flag totals lines ("Total", "Total général", "Sous-total", "TOTAL HT :"…).

    A row is a totals line when its customer cell or the file's first cell is, once
    case, accents and spaces are folded, exactly such a label (see :func:`totals_labels`).
    A customer whose *code* is literally "Total" would be taken for one; codes never are
    in practice.

    Parameters
    ----------
    raw : RawTable
        The table read by :func:`read_table`.
    skip_customer : bool
        Look at the first column only (the caller checked the customer column itself,
        e.g. on its distinct values).

    Returns
    -------
    numpy.ndarray of bool
        One value per row of ``raw``.
    """
    mask = np.zeros(raw.n_rows, bool)
    cust = raw.columns.get(C.CUSTOMER_ID)
    cols = [] if skip_customer else [cust]
    if raw.first_column is not cust:
        cols.append(raw.first_column)
    for col in cols:
        if col is not None:
            mask |= totals_labels(col)
    return mask
