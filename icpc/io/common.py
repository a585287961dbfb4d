"""What every reader shares: the :class:`RawTable`, header matching, format constants.

A reader (:mod:`icpc.io.readers`) returns a :class:`RawTable` of raw columns under their
canonical names; :mod:`icpc.io.values` turns them into typed values.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError, shorten
from icpc.io.rows import empty_rows, header_in_other_order, repeated_header_rows
from icpc.text import fold

#: canonical columns read as numbers / dates; every other column is text
NUMERIC_COLUMNS = frozenset({C.AMOUNT, C.MARGIN, C.QUANTITY})
#: currency marks written beside amounts ("12,50 €", "$1,234.56", "1 234,56 CHF"): the
#: currency each names ("$" any dollar: USD, CAD, AUD…)
CURRENCY_MARKS = {
    "€": "EUR", "EUR": "EUR", "$": "$", "USD": "USD", "£": "GBP", "GBP": "GBP",
    "CHF": "CHF", "CAD": "CAD",
}  # fmt: skip


def same_currency(a: str, b: str) -> bool:
    """Whether two currencies (ISO codes, or "$" for any dollar) can be the same one."""
    if "$" in (a, b):
        other = b if a == "$" else a
        return other == "$" or other.endswith("D")
    return a == b


def currencies_written(col: pa.ChunkedArray | None) -> list[str]:
    """The currencies an amount column writes beside its numbers (sorted, as
    :data:`CURRENCY_MARKS` names them); empty for a typed column or bare numbers."""
    if col is None or not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return []
    found = set()
    for mark in _present(col, list(CURRENCY_MARKS)):  # a cheap look first, then the cells:
        # the mark beside a number, no other letter in the cell ("#VALEUR!" names no euro)
        beside = rf"^[^A-Za-z]*{re.escape(mark)}[^A-Za-z]*$"
        if pc.any(pc.match_substring_regex(col, beside)).as_py():
            found.add(CURRENCY_MARKS[mark])
    return sorted(found)


DATE_COLUMNS = frozenset({C.DATE, C.CREATED_AT})

#: date formats tried when ``date_format: auto``, in this order (day-first: French data)
DAYFIRST_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d/%m/%y",
    "%d/%m/%y %H:%M",
    "%d.%m.%y",
    "%d-%m-%y",
    "%Y/%m/%d",
)
#: a year written with fewer than four digits is not read by a ``%Y`` format (``03/01/24``
#: is 2024 through ``%y``, not the year 24)
MIN_FOUR_DIGIT_YEAR = 1000
#: month-first formats, used only when a sample reads better with them than day-first
_MONTHFIRST_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")

_DELIMITERS = (";", ",", "\t", "|")
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
_SAMPLE_BYTES = 1 << 20
_HEADER_SEARCH_LINES = 60
#: how far down a header naming every mapped column is still looked for (a long preamble)
_LATE_HEADER_LINES = 1000
_SAMPLE_ROWS = 2000
_MAGIC = {
    b"PK\x03\x04": "xlsx",
    b"\xd0\xcf\x11\xe0": "xls",
    b"PAR1": "parquet",
    b"%PDF": "pdf",
    b"\x1f\x8b": "gzip",
}
_TOTALS_PREFIX = r"^\s*(sous[- ]?)?tota"  # total, totaux
_TOTALS_START = re.compile(r"^(sous[- ]?)?(total|totaux)\b")
#: "Total", "TOTAL GÉNÉRAL :", "Sous-total", "Sous-total client Dupont", "Total client C1"
_TOTALS_FULL = re.compile(
    r"^(sous[- ]?(total|totaux)\b.*|(total|totaux)( (general|generale|ht|ttc|global))?\s*:?"
    r"|(total|totaux) (client|clients|commercial|secteur|mois|annee)\b.*)$"
)
_NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_MIN_YEAR, _MAX_YEAR = 1678, 2261  # the range of datetime64[ns]


#: ledger reasons and warnings that readers assign (icpc.cleaning lists them with its own)
REPEATED_HEADER = "repeated header line"
EMPTY_LINE = "empty line (nothing in the columns read)"
NOT_SALES = "not a sales line"
EXCLUDED_BY_CONFIG = "excluded by config"
NO_CUSTOMER_LINE = "sales entry without customer"
UNBALANCED_ENTRY = "unbalanced entry (debits differ from credits)"
W_NOT_UTF8 = "bytes not UTF-8, read as Windows-1252"
W_UTF8_IN_8BIT = "UTF-8 characters in a Windows-1252 file, read as UTF-8"
W_UNCLOSED_QUOTE = "lines with an unclosed quote, read without quoting"
W_PADDED_IDS = "customer ids stored as numbers, zero-padded"
W_DECIMAL_IDS = "customer ids written as decimals (42.0), read as whole numbers"
W_MERGED_CELLS = "merged cells, their value repeated on each row"
W_SCIENTIFIC_AMOUNTS = "amounts written in scientific notation (1,23E+05), digits maybe lost"
W_INVISIBLE = "invisible characters (zero-width space, BOM) removed from values"
W_FORMULA_TEXT = 'values written as Excel text formulas (="…"), read as their text'
W_NULL_MARKERS = "null markers and spreadsheet errors (NULL, #N/A) read as empty"

#: what an export writes in a cell that holds nothing: a database's null (``NULL``,
#: MySQL's ``\\N``, pandas' ``nan``), a spreadsheet's error (``#N/A``, ``#REF!``,
#: ``#VALEUR!``…, in French and English, LibreOffice's ``Err:502``), a pivot table's
#: ``(vide)`` / ``(blank)``; the whole cell,
#: whatever its case. Read as empty: ``#N/A`` is no customer, ``NULL`` no salesperson
NULL_MARKERS_RE = (
    r"^(?i:NULL|\(NULL\)|<NULL>|\\N|NAN|N/A|\(VIDE\)|\(BLANK\)|#N/A|#N/D|#REF!|#VALEUR!|#VALUE!|#NOM\?|"
    r"#NAME\?|#DIV/0!|#NUL!|#NULL!|#NOMBRE!|#NUM!|#CHAMP!|#FIELD!|#CALC!|#PROPAGATION!|"
    r"#SPILL!|#BLOQU[EÉ]!|#BLOCKED!|#CONNECT!|#BUSY!|#UNKNOWN!|#ERROR!|#ERREUR!|ERR:[0-9]{3})$"
)
#: the first character of a stripped marker (a cheap look before the pattern), and its
#: longest length with spaces around
_MARKER_FIRST = ["#", "(", "<", "\\", "N", "n", "E", "e", " ", "\t"]
_MARKER_LONGEST = 24


def null_markers(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """Which text values are null markers or spreadsheet errors (:data:`NULL_MARKERS_RE`),
    as a boolean array; None when none is. Only short values starting with a marker's first
    character are matched against the pattern (most columns: two vectorised passes)."""
    if not len(values):
        return None
    short = pc.less_equal(pc.binary_length(values), _MARKER_LONGEST)
    first = pc.is_in(pc.utf8_slice_codeunits(values, 0, 1), value_set=pa.array(_MARKER_FIRST))
    maybe = pc.fill_null(pc.and_(short, first), False)
    if not pc.any(maybe).as_py():
        return None
    hit = pc.and_(
        maybe,
        pc.fill_null(
            pc.match_substring_regex(pc.utf8_trim_whitespace(values), NULL_MARKERS_RE), False
        ),
    )
    return hit if pc.any(hit).as_py() else None


#: characters no one sees that copy-pastes and concatenated files leave inside values
#: (zero-width space, non-joiner, joiner, direction marks, word joiner, BOM), and the
#: control characters old software writes (Ctrl-Z ending a DOS file, a bell, DEL; tab and
#: line breaks are not among them, NUL is refused when the file is opened): a customer code
#: holding one would be another customer; text values lose them (a warning counts the rows)
INVISIBLE = (
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u2060",
    "\ufeff",
    *(chr(c) for c in range(1, 32) if c not in (9, 10, 13)),
    "\x7f",
)
INVISIBLE_RE = "[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\u200b-\u200f\u2060\ufeff]"


#: a value an export wrote as an Excel text formula, ``="00123"``, so that a spreadsheet
#: keeps its leading zeros: the text inside is the value (``""`` is one quote)
FORMULA_TEXT_RE = r'^\s*="((?:[^"]|"")*)"\s*$'


def formula_text(values: Sequence[Any]) -> list[Any]:
    """Sample values with ``="…"`` unwrapped (:data:`FORMULA_TEXT_RE`), for the detections."""
    pattern = re.compile(FORMULA_TEXT_RE)
    out = []
    for v in values:
        m = pattern.match(v) if isinstance(v, str) and "=" in v else None
        out.append(m.group(1).replace('""', '"') if m else v)
    return out


#: the control characters that stand for a space or a line break (vertical tab: a line
#: break inside an Excel cell; form feed; the separators 0x1C-0x1F): a space, not nothing
_SPACING_RE = "[\\x0b\\x0c\\x1c-\\x1f]"


def strip_invisible(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Text without its :data:`INVISIBLE` characters: removed, those standing for a space
    or a line break (vertical tab, form feed) replaced by a space (``12 rue X`` + vertical
    tab + ``BP 5`` is ``12 rue X BP 5``)."""
    return pc.replace_substring_regex(
        pc.replace_substring_regex(col, _SPACING_RE, " "), INVISIBLE_RE, ""
    )


#: which bytes are control characters among :data:`INVISIBLE` (a lookup table)
_CONTROL = np.zeros(256, bool)
_CONTROL[[c for c in range(1, 32) if c not in (9, 10, 13)]] = True


def has_invisible(col: pa.ChunkedArray) -> bool:
    """Whether a text column may hold an :data:`INVISIBLE` character.

    Looks at the UTF-8 bytes with numpy (~0.1 s for 200 MB of text): a control byte
    (below 0x20 but tab and line breaks, or 0x7F), or ``E2 80 8B``-``E2 80 8F``,
    ``E2 81 A0``, ``EF BB BF``. A dictionary column is looked at through its dictionary.
    May say True for bytes of a buffer outside the column's slice: the callers' regex then
    finds none.
    """
    for chunk in col.chunks:
        values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
        data = values.buffers()[2] if len(values.buffers()) > 2 else None
        if data is None or not data.size:
            continue
        arr = np.frombuffer(data, np.uint8)
        if arr.min() < 0x20 and _CONTROL[arr].any():
            return True
        top = arr.max()
        if top == 0x7F or (top > 0x7F and (arr == 0x7F).any()):
            return True
        if top < 0xE2:  # ASCII, or only two-byte characters (é, à, °)
            continue
        lead = np.flatnonzero((arr == 0xE2) | (arr == 0xEF))
        lead = lead[lead + 2 < len(arr)]
        first, second, third = arr[lead], arr[lead + 1], arr[lead + 2]
        wide = first == 0xE2
        if (
            (wide & (second == 0x80) & (third >= 0x8B) & (third <= 0x8F))
            | (wide & (second == 0x81) & (third == 0xA0))
            | (~wide & (second == 0xBB) & (third == 0xBF))
        ).any():
            return True
    return False


@dataclass(frozen=True)
class RawTable:
    """The mapped columns of one input file, as read, before cleaning.

    Attributes
    ----------
    path : Path
        The file read.
    key : str
        Its config key (``transactions``, ``customers``, ``activity``).
    columns : dict of str to pyarrow.ChunkedArray
        Canonical name -> column: ``string`` for text files, typed (float64, timestamp)
        when the file carries types (Parquet, Excel cells of one type), and
        ``dictionary<string>`` for Parquet text (read as stored, no re-hashing).
    first_column : pyarrow.ChunkedArray or None
        The file's first column as text, for totals lines ("Total général").
    source_row : numpy.ndarray
        1-based data row number of each row (header excluded).
    malformed : int
        Lines the CSV parser could not split into the header's number of fields (not in
        ``columns``); ``malformed_totals`` of them looked like totals lines.
    decimal, thousands, date_formats : detected (or configured) number and date formats.
    details : dict
        What was detected, for the ledger (``encoding``, ``delimiter``, ``header_line``,
        ``sheet``, ``format``).
    excluded : dict of str to numpy.ndarray of bool
        Rows the reader excludes itself, per ledger reason (see :mod:`icpc.cleaning`).
    flagged : dict of str to numpy.ndarray of bool
        Rows kept whose values the reader repaired or found damaged, per warning.
    """

    path: Path
    key: str
    columns: dict[str, pa.ChunkedArray]
    first_column: pa.ChunkedArray | None
    source_row: np.ndarray
    malformed: int = 0
    malformed_totals: int = 0
    decimal: str = "."
    thousands: tuple[str, ...] = _SPACES
    date_formats: tuple[str, ...] = DAYFIRST_FORMATS
    details: dict[str, Any] = field(default_factory=dict)
    #: rows the reader already knows cannot be used: ledger reason -> bool mask (e.g. a
    #: FEC's ``not a sales line``); cleaning assigns them right after totals lines
    excluded: dict[str, np.ndarray] = field(default_factory=dict)
    #: values the reader repaired or found damaged but kept: warning -> bool mask of rows
    #: (e.g. bytes that are not UTF-8, read as Windows-1252); cleaning counts them
    flagged: dict[str, np.ndarray] = field(default_factory=dict)
    #: canonical column -> rows whose cell was a number in a typed file (Excel, Parquet):
    #: customer ids that lost their leading zeros there are padded by cleaning
    numeric_cells: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Number of data rows in ``columns`` (malformed lines not included)."""
        return len(self.source_row)


# --------------------------------------------------------------------------------------
# headers
# --------------------------------------------------------------------------------------
#: header folding (case, accents, spaces, BOM): :func:`icpc.text.fold`
normalize_header = fold


def _match_headers(headers: Sequence[Any], wanted: Mapping[str, str]) -> dict[str, int]:
    """Map canonical names to header positions: exact match first, then tolerant."""
    exact: dict[str, int] = {}
    for i, h in enumerate(headers):
        exact.setdefault(str(h) if h is not None else "", i)
    folded: dict[str, int] = {}
    for i, h in enumerate(headers):
        folded.setdefault(normalize_header(h), i)
    found: dict[str, int] = {}
    for canon, header in wanted.items():
        if header in exact:
            found[canon] = exact[header]
        elif normalize_header(header) in folded:
            found[canon] = folded[normalize_header(header)]
    return found


def _missing_columns_error(
    spec: FileSpec, headers: Sequence[Any], found: Mapping[str, int], config_name: str
) -> InputError:
    missing = [c for c in spec.columns if c not in found]
    # a header on two lines (Alt+Enter in Excel) or a huge cell stays one short line
    shown = [
        shorten(" ".join(str(h).split()), 60)
        for h in headers
        if h is not None and str(h).strip() != ""
    ]
    listed = ", ".join(f'"{h}"' for h in shown[:30]) or "(none)"
    if len(shown) > 30:
        listed += f" and {len(shown) - 30} more"
    parts = []
    for canon in missing:
        wanted = spec.columns[canon]
        close = difflib.get_close_matches(wanted, shown, n=1, cutoff=0.5)
        hint = f' (closest: "{close[0]}")' if close else ""
        parts.append(f'column "{wanted}" not found{hint}')
    keys = ", ".join(f"{spec.key}.columns.{c}" for c in missing)
    return InputError(
        f"{spec.path.name}: {'; '.join(parts)}; headers are: {listed}; fix {keys} in {config_name}"
    )


def _blank_to_null(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def _present(col: pa.ChunkedArray, texts: Sequence[str]) -> list[str]:
    """Which of ``texts`` occur in the data buffers of a string column (one copy per chunk).

    A dictionary column is looked at through its dictionary (its distinct values).
    """
    chunks = [
        (c.dictionary if pa.types.is_dictionary(c.type) else c).buffers()[2] for c in col.chunks
    ]
    blobs = [b.to_pybytes() for b in chunks if b is not None and b.size]
    return [t for t in texts if any(blob.find(t.encode("utf-8")) >= 0 for blob in blobs)]


def _is_ascii(col: pa.ChunkedArray) -> bool:
    for chunk in col.chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, np.uint8).max() >= 128:
            return False
    return True


def _as_chunked(col: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    return col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col])


def _to_string(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text of a typed column; integral floats lose their ``.0`` (ids stored as numbers)."""
    if pa.types.is_floating(col.type):
        col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
        values = np.asarray(pc.fill_null(col, 0.0).to_numpy(zero_copy_only=False), np.float64)
        integral = np.isfinite(values) & (np.floor(values) == values)
        if integral[np.isfinite(values)].all():
            col = pc.cast(col, pa.int64(), safe=False)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    return pc.cast(col, pa.string())


def duplicate_headers_error(
    spec: FileSpec, headers: Sequence[Any], name: str, config_name: str
) -> InputError | None:
    """The error for a mapped header that the file has twice (``Montant`` TTC then HT), if any."""
    folded = [normalize_header(h) for h in headers]
    for canon, wanted in spec.columns.items():
        key = normalize_header(wanted)
        where = [i + 1 for i, h in enumerate(folded) if h == key]
        if len(where) > 1:
            at = " and ".join(str(i) for i in where)
            return InputError(
                f'{name}: column "{shorten(wanted)}" appears {len(where)} times (columns {at}), so '
                f"{spec.key}.columns.{canon} is ambiguous; rename the columns in the file so that each name "
                f'is unique (e.g. "{shorten(wanted)} HT" and "{shorten(wanted)} TTC") and map the right one '
                f"in {config_name}"
            )
    return None


def finish_table(
    spec: FileSpec,
    path: Path,
    *,
    columns: dict[str, pa.ChunkedArray],
    headers: Sequence[Any],
    found: Mapping[str, int],
    first_column: pa.ChunkedArray | None,
    n_rows: int,
    formats: tuple[str, tuple[str, ...], tuple[str, ...]],
    details: Mapping[str, Any],
    **extra: Any,
) -> RawTable:
    """The finishing step every reader shares: the table of the mapped columns as read.

    Rows that repeat the header line (page breaks of a printed export) are excluded
    (``repeated header line``); ``details`` gets the detected number and date formats.

    Parameters
    ----------
    spec : FileSpec
        What was asked for (config key, mapping).
    path : Path
        The file read.
    columns : dict of str to pyarrow.ChunkedArray
        Canonical name -> column as read.
    headers : sequence
        The header cells.
    found : mapping of str to int
        Canonical name -> position of its header.
    first_column : pyarrow.ChunkedArray or None
        The file's first column as text (totals lines), None when it has none.
    n_rows : int
        Data rows read.
    formats : (decimal, thousands, date formats)
        As detected.
    details : mapping
        What the reader detected (``format``, ``encoding``, ``sheet``…).
    **extra
        Other :class:`RawTable` fields (``malformed``, ``flagged``, ``numeric_cells``…).

    Returns
    -------
    RawTable
    """
    decimal, thousands, date_formats = formats
    currencies = currencies_written(columns.get(C.AMOUNT))
    if any(not same_currency(a, b) for a in currencies for b in currencies):
        raise InputError(
            f"{path.name}: the amounts are written in several currencies "
            f"({', '.join(currencies)}): summed, they would mean nothing; export the lines of "
            "one currency, or convert them to one before the diagnostic"
        )
    if currencies:
        details = {**details, "currency_written": currencies}
    pasted = header_in_other_order(columns, headers, found)
    if pasted is not None:
        cells = [str(columns[canon][pasted].as_py()).strip() for canon in found]
        raise InputError(
            f"{path.name}: row {pasted + 1} repeats the header with its columns in another "
            f"order ({', '.join(cells)}, where the header has "
            f"{', '.join(str(headers[j]).strip() for j in found.values())}): two exports pasted "
            "one below the other, whose rows after it would be read in the wrong columns; "
            "export the data again as one file, or put the second part's columns in the "
            "first part's order"
        )
    excluded = dict(extra.pop("excluded", {}))
    empty = empty_rows(columns, first_column, n_rows)
    if empty is not None:
        excluded[EMPTY_LINE] = empty
    repeated = repeated_header_rows(columns, headers, found)
    if repeated is not None:
        excluded[REPEATED_HEADER] = repeated
    return RawTable(
        path=path,
        key=spec.key,
        columns=columns,
        first_column=first_column,
        source_row=np.arange(1, n_rows + 1, dtype=np.int64),
        decimal=decimal,
        thousands=thousands,
        date_formats=date_formats,
        details={**details, "decimal": decimal, "date_format": date_formats[0]},
        excluded=excluded,
        **extra,
    )
