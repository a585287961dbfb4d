"""The second stage of reading: raw columns become typed values, once (valeurs typées).

A reader (:mod:`icpc.io.readers`) returns a :class:`~icpc.io.common.RawTable` of columns as
the file wrote them; :func:`parse_table` turns each mapped column into what the cleaning
works on, by its canonical name:

* ids and labels (``customer_id``, ``invoice_id``, ``salesperson``, ``region``,
  ``document_type``, the activity ``type``): integer codes over the dictionary of their
  distinct stripped values (-1 for an empty cell);
* other text (``name``, ``address``, ``postcode``, ``city``, ``siret``): stripped text;
* amounts (``amount``, ``margin``): float64, with the mask of non-empty cells that could
  not be read;
* dates (``date``, ``created_at``): datetime64[ns] at midnight, with the same mask;
* totals lines ("Total général"…) in the customer or first column.

:mod:`icpc.cleaning` then puts each row in its ledger bucket; it reads no file and
parses no value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.exceptions import InputError
from icpc.io.common import (
    DATE_COLUMNS,
    FORMULA_TEXT_RE,
    INVISIBLE_RE,
    NUMERIC_COLUMNS,
    W_FORMULA_TEXT,
    W_INVISIBLE,
    W_NULL_MARKERS,
    W_SCIENTIFIC_AMOUNTS,
    RawTable,
    _present,
    has_invisible,
    null_markers,
)
from icpc.io.dates import parse_dates
from icpc.io.values import parse_amounts, parse_text, totals_labels, totals_mask

__all__ = ["ParsedTable", "parse_table", "encode_text", "CODED_COLUMNS"]

#: columns read as codes over their distinct values (ids and labels)
CODED_COLUMNS = frozenset(
    {
        C.CUSTOMER_ID,
        C.INVOICE_ID,
        C.SALESPERSON,
        C.REGION,
        C.DOCUMENT_TYPE,
        C.PRODUCT,
        C.PRODUCT_FAMILY,
        C.ACTIVITY_TYPE,
        C.LINE_KEY,
    }
)

Codes = tuple[np.ndarray, pa.Array]


@dataclass(frozen=True)
class ParsedTable:
    """The mapped columns of one file as typed values (see the module docstring).

    Attributes
    ----------
    raw : RawTable
        What the reader found (path, key, row numbers, malformed lines, details, the
        reader's own exclusions and warnings); its ``columns`` may have been released.
    codes : dict of str to (numpy.ndarray of int32, pyarrow.Array)
        Codes (-1 = empty) and dictionary of distinct stripped values, per coded column.
    text : dict of str to pyarrow.ChunkedArray
        Stripped text (null when empty), per other text column.
    numbers, dates : dict of str to (values, bad)
        Values (NaN / NaT where empty or unreadable) and the mask of unreadable cells.
    totals : numpy.ndarray of bool
        Totals lines.
    """

    raw: RawTable
    codes: dict[str, Codes]
    text: dict[str, pa.ChunkedArray]
    numbers: dict[str, tuple[np.ndarray, np.ndarray]]
    dates: dict[str, tuple[np.ndarray, np.ndarray]]
    totals: np.ndarray

    @property
    def n_rows(self) -> int:
        """Rows of the table (malformed lines not included)."""
        return self.raw.n_rows

    @property
    def path(self) -> Path:
        """The file read."""
        return self.raw.path

    @property
    def source_row(self) -> np.ndarray:
        """1-based data row number of each row."""
        return self.raw.source_row

    def has(self, name: str) -> bool:
        """Whether the canonical column ``name`` is mapped."""
        return name in self.codes or name in self.text or name in self.numbers or name in self.dates


def _labelled_elsewhere(cols: dict[str, pa.ChunkedArray], rows: np.ndarray, n: int) -> np.ndarray:
    """Which of ``rows`` (lines without a customer code) hold a totals label in another text
    column: ``;31/12/2024;Total général;12 345,67`` is a totals line, not a sale without
    customer. A customer's own line never qualifies (its code is there), so a product or a
    company named "Total" stays a sale."""
    out = np.zeros(n, bool)
    if not len(rows):
        return out
    taken = pa.array(rows)
    for name, col in cols.items():
        if name == C.CUSTOMER_ID or name in NUMERIC_COLUMNS:
            continue
        if pa.types.is_string(col.type) or pa.types.is_dictionary(col.type):
            out[rows] |= totals_labels(col.take(taken))
    return out


def parse_table(
    raw: RawTable, *, release: bool = False, config_name: str = "client.yaml"
) -> ParsedTable:
    """Parse every mapped column of ``raw`` into typed values.

    Parameters
    ----------
    raw : RawTable
        A table as read by :func:`icpc.io.read_table`.
    release : bool
        Empty ``raw.columns`` once parsed, so that their memory (about 700 MB for
        8 million Parquet lines) serves what follows.
    config_name : str
        For messages.

    Returns
    -------
    ParsedTable

    Raises
    ------
    InputError
        Dates read day first from the first rows, while later ones can only be month first
        (``03/25/2024``): the sample misled the detection; the fix is ``date_format``.

    Notes
    -----
    A worker thread encodes the invoice numbers (millions of distinct values) while the
    other columns are parsed: Arrow's hashing and the numpy parsers release the GIL.
    """
    n = raw.n_rows
    cols = raw.columns
    formulas = _formula_text(cols, n)  # ="00123": the text inside, before anything reads it
    if formulas is not None:
        raw = replace(raw, flagged={**raw.flagged, W_FORMULA_TEXT: formulas})
    markers: dict[str, np.ndarray | None] = {}  # rows whose code was a null marker, by column
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-parse") as worker:
        invoice = worker.submit(_encode, cols[C.INVOICE_ID], n) if C.INVOICE_ID in cols else None
        codes: dict[str, Codes] = {}
        if C.CUSTOMER_ID in cols:
            codes[C.CUSTOMER_ID], markers[C.CUSTOMER_ID] = _encode(cols[C.CUSTOMER_ID], n)
        totals = totals_mask(raw, skip_customer=True)  # the customer column: on its distinct values
        if C.CUSTOMER_ID in codes:
            cust_codes, cust_dict = codes[C.CUSTOMER_ID]
            label = totals_labels(cust_dict)
            if label.any():
                totals |= (cust_codes >= 0) & label[np.maximum(cust_codes, 0)]
            # without a customer, "Total" in another text column (the label, the date)
            totals |= _labelled_elsewhere(cols, np.flatnonzero((cust_codes < 0) & ~totals), n)
        dates = {
            name: parse_dates(cols[name], formats=raw.date_formats)
            for name in cols
            if name in DATE_COLUMNS
        }
        for name, (_, bad) in dates.items():
            if bad.any():
                _check_day_first(raw, cols[name], bad, name, config_name)
        numbers = {
            name: parse_amounts(cols[name], decimal=raw.decimal, thousands=raw.thousands)
            for name in cols
            if name in NUMERIC_COLUMNS
        }
        for name in cols:
            if name in CODED_COLUMNS and name not in codes and name != C.INVOICE_ID:
                codes[name], markers[name] = _encode(cols[name], n)
        text = {
            name: parse_text(cols[name])
            for name in cols
            if name not in CODED_COLUMNS
            and name not in DATE_COLUMNS
            and name not in NUMERIC_COLUMNS
        }
        if invoice is not None:
            codes[C.INVOICE_ID], markers[C.INVOICE_ID] = invoice.result()
    scientific = _scientific(cols, numbers, n)
    if scientific is not None:  # read, but Excel may have shown (and saved) rounded digits
        raw = replace(raw, flagged={**raw.flagged, W_SCIENTIFIC_AMOUNTS: scientific})
    invisible = _invisible(cols, n)
    if invisible is not None:  # removed by parse_text: the values are read without them
        raw = replace(raw, flagged={**raw.flagged, W_INVISIBLE: invisible})
    empty = _null_markers({k: v for k, v in cols.items() if k in text}, n)
    for rows in markers.values():
        if rows is not None:
            empty = rows if empty is None else empty | rows
    if empty is not None and empty.any():  # read as empty (parse_text, encode_text)
        raw = replace(raw, flagged={**raw.flagged, W_NULL_MARKERS: empty})
    if release:
        cols.clear()
    return ParsedTable(raw=raw, codes=codes, text=text, numbers=numbers, dates=dates, totals=totals)


def _scientific(
    cols: dict[str, pa.ChunkedArray], numbers: dict[str, tuple[np.ndarray, np.ndarray]], n: int
) -> np.ndarray | None:
    """Rows whose amount or margin, written as text, was read from scientific notation
    (``1,23E+05``: a spreadsheet's display, whose hidden digits the export may have lost);
    None when there are none."""
    out = None
    for name in (C.AMOUNT, C.MARGIN):
        col = cols.get(name)
        if col is None or name not in numbers:
            continue
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        # one look at the bytes: most files stop here (12,50 EUR too); a spreadsheet
        # writes the exponent's sign (1,23E+05)
        if not _present(col, ("E+", "E-", "e+", "e-")):
            continue
        hit = pc.fill_null(pc.match_substring_regex(col, r"[0-9][eE][+-][0-9]"), False)
        rows = np.asarray(hit.to_numpy(zero_copy_only=False), bool) & ~np.isnan(numbers[name][0])
        if rows.any():
            out = rows if out is None else out | rows
    return out


def _is_text(col: pa.ChunkedArray) -> bool:
    """Whether a column holds text (plain or as a dictionary)."""
    t = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _values_of(chunk: pa.Array) -> pa.Array:
    """The values to look at: a dictionary chunk's distinct values, else the chunk."""
    return chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk


def _rows_of(chunk: pa.Array, hit: np.ndarray) -> np.ndarray:
    """The rows of ``chunk`` whose value is flagged in ``hit`` (per distinct value for a
    dictionary chunk, per row otherwise; null: not flagged)."""
    if not pa.types.is_dictionary(chunk.type):
        return hit
    idx = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
    return np.where(idx >= 0, hit[np.maximum(idx, 0)], False) if len(hit) else idx < -1


def _flagged_rows(
    cols: Iterable[pa.ChunkedArray], n: int, flag: Callable[[pa.Array], np.ndarray | None]
) -> np.ndarray | None:
    """Rows of any of the text ``cols`` whose value ``flag`` flags (it looks at each chunk's
    distinct values when the column is a dictionary); None when none is."""
    out = None
    for col in cols:
        if not _is_text(col):
            continue
        rows = np.zeros(n, bool)
        start = 0
        for chunk in col.chunks:
            hit = flag(_values_of(chunk))
            if hit is not None:
                rows[start : start + len(chunk)] = _rows_of(chunk, hit)
            start += len(chunk)
        if rows.any():
            out = rows if out is None else out | rows
    return out


def _matching(pattern: str) -> Callable[[pa.Array], np.ndarray]:
    """A ``flag`` of :func:`_flagged_rows`: the values matching a regex."""

    def flag(values: pa.Array) -> np.ndarray:
        hit = pc.fill_null(pc.match_substring_regex(values, pattern), False)
        return np.asarray(hit.to_numpy(zero_copy_only=False), bool)

    return flag


def _formula_text(cols: dict[str, pa.ChunkedArray], n: int) -> np.ndarray | None:
    """Unwrap, in place in ``cols``, the values written as Excel text formulas (``="00123"``,
    what some software exports so that a spreadsheet keeps leading zeros: the text inside
    is the value, ``""`` one quote); the rows that held one, else None."""
    found = [
        name for name, col in cols.items() if _is_text(col) and _present(col, ('="',))
    ]  # most files: one look at the bytes
    rows = _flagged_rows((cols[name] for name in found), n, _matching(FORMULA_TEXT_RE))
    for name in found:
        chunks = []
        for chunk in cols[name].chunks:
            values = _values_of(chunk)
            inner = pc.replace_substring(
                pc.replace_substring_regex(values, FORMULA_TEXT_RE, r"\1"), '""', '"'
            )
            hit = pc.fill_null(pc.match_substring_regex(values, FORMULA_TEXT_RE), False)
            unwrapped = pc.if_else(hit, inner, values)
            if pa.types.is_dictionary(chunk.type):
                unwrapped = pa.DictionaryArray.from_arrays(chunk.indices, unwrapped)
            chunks.append(unwrapped)
        cols[name] = pa.chunked_array(chunks, chunks[0].type)
    return rows


def _null_markers(cols: dict[str, pa.ChunkedArray], n: int) -> np.ndarray | None:
    """Rows whose text cells (not amounts nor dates: those are unreadable; the coded
    columns are told by :func:`_encode`) held a null marker or a spreadsheet error
    (:data:`NULL_MARKERS_RE`), else None."""
    return _flagged_rows(cols.values(), n, _marker_values)


def _invisible(cols: dict[str, pa.ChunkedArray], n: int) -> np.ndarray | None:
    """Rows whose values written as text held invisible characters (:data:`INVISIBLE`), else
    None; amounts and dates written as text too: they lose them as well."""
    # most files: one look at the bytes (a dictionary's), or none
    suspect = (col for col in cols.values() if _is_text(col) and has_invisible(col))
    return _flagged_rows(suspect, n, _matching(INVISIBLE_RE))


def _check_day_first(
    raw: RawTable, col: pa.ChunkedArray, bad: np.ndarray, name: str, config_name: str
) -> None:
    """Refuse day-first dates when unreadable ones can only be month first (``03/25/2024``)."""
    first = raw.date_formats[0] if raw.date_formats else ""
    if (
        not first.startswith("%d") or len(raw.date_formats) <= 2
    ):  # a date_format the config gave: as told
        return
    swapped = first.replace("%d", "%DAY").replace("%m", "%d").replace("%DAY", "%m")
    values = pc.unique(parse_text(col).filter(pa.array(bad))).drop_null().slice(0, 1000)
    if not len(values):
        return
    # a value that is a day-first date (01/01/2500, 31/12/9999: beyond the dates that can
    # be held, a placeholder) is no evidence of month-first writing, even if it reads so too
    read = pc.strptime(values, format=swapped, unit="s", error_is_null=True)
    day_first = pc.strptime(values, format=first, unit="s", error_is_null=True)
    read = pc.if_else(day_first.is_valid(), pa.scalar(None, read.type), read)
    if read.null_count == len(values):
        return
    example = values.filter(read.is_valid())[0].as_py()
    written = swapped.replace("%Y", "yyyy").replace("%m", "mm").replace("%d", "dd")
    raise InputError(
        f'{raw.path.name}: {name} values such as "{example}" are written month first ({written}), while the '
        f'first rows read day first; set {raw.key}.date_format: "{swapped}" in {config_name}'
    )


def encode_text(col: pa.ChunkedArray | pa.Array | None, n: int) -> Codes:
    """Stripped text -> (int32 codes with -1 for null or blank, dictionary of distinct values).

    The raw column is dictionary-encoded first and only its distinct values are
    stripped, so the cost of stripping does not grow with the number of rows. Null
    markers and spreadsheet errors (``NULL``, ``#N/A``: :data:`NULL_MARKERS_RE`) are no
    value.

    Example
    -------
    >>> codes, values = encode_text(pa.chunked_array([[" A", "B", "A ", "", None, "#N/A"]]), 6)
    >>> codes.tolist(), values.to_pylist()
    ([0, 1, 0, -1, -1, -1], ['A', 'B'])
    """
    return _encode(col, n)[0]


def _encode(col: pa.ChunkedArray | pa.Array | None, n: int) -> tuple[Codes, np.ndarray | None]:
    """:func:`encode_text`, and the rows that held a null marker (None when none did),
    told from the distinct values."""
    if col is None:
        return (np.full(n, -1, np.int32), pa.array([], pa.string())), None
    if isinstance(col, pa.Array):
        col = pa.chunked_array([col])
    if pa.types.is_dictionary(col.type):  # already encoded (Parquet): no hashing of rows
        col = col.unify_dictionaries()
        dictionary = col.chunks[0].dictionary if col.num_chunks else pa.array([], pa.string())
        codes = _indices(col)
    else:
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            col = parse_text(col)
        enc = pc.dictionary_encode(col.combine_chunks())
        codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int32)
        dictionary = enc.dictionary
    if not pa.types.is_string(dictionary.type):
        dictionary = (
            parse_text(dictionary).combine_chunks()
            if not pa.types.is_large_string(dictionary.type)
            else dictionary.cast(pa.string())
        )
    markers = _marker_values(dictionary)
    rows = None if markers is None else (codes >= 0) & markers[np.maximum(codes, 0)]
    stripped = parse_text(dictionary).combine_chunks()
    if stripped.null_count == 0 and pc.all(pc.equal(stripped, dictionary)).as_py():
        return (codes, dictionary), rows  # nothing to strip: codes stand
    again = pc.dictionary_encode(stripped)
    remap = np.asarray(pc.fill_null(again.indices, -1).to_numpy(zero_copy_only=False), np.int32)
    if len(remap) and not (
        np.array_equal(remap, np.arange(len(remap))) and len(again.dictionary) == len(remap)
    ):
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int32)
    return (codes, again.dictionary), rows


def _marker_values(values: pa.Array) -> np.ndarray | None:
    """Which values are null markers or spreadsheet errors once stripped (None: none is)."""
    hit = null_markers(values)
    return None if hit is None else np.asarray(hit.to_numpy(zero_copy_only=False), bool)


def _indices(col: pa.ChunkedArray) -> np.ndarray:
    """Int32 indices of a dictionary column, -1 for null (written in place, one pass per chunk)."""
    codes = np.empty(len(col), np.int32)
    start = 0
    for chunk in col.chunks:
        idx = chunk.indices
        stop = start + len(idx)
        if idx.null_count:
            codes[start:stop] = np.asarray(
                pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), np.int32
            )
        else:
            codes[start:stop] = idx.to_numpy(zero_copy_only=False)
        start = stop
    return codes
