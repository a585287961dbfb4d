"""Read a client's export (CSV/TXT, Excel, Parquet) into raw columns (lecture des exports).

One public verb, :func:`read_table`, turns the file of a :class:`~icpc.config.FileSpec`
into a :class:`RawTable`: the mapped columns under their canonical names (``customer_id``,
``date``, ``amount``…), as they were in the file — text for CSV, typed values when the
file is already typed (Parquet, Excel cells) — plus what was detected (encoding,
delimiter, decimal mark, thousands separators, date formats, header line).
:func:`parse_amounts` and :func:`parse_dates` turn those columns into numbers and dates,
vectorised, and tell which non-empty values could not be read; :func:`totals_mask` finds
totals lines ("Total", "Total général"). Deciding what to do with bad rows is the job of
:mod:`icpc.cleaning` (the data-quality ledger).

Detection rules (when the config says ``auto``):

* encoding: a BOM (UTF-8, UTF-16) wins; else UTF-8 if the first MiB decodes as UTF-8,
  else cp1252 (latin-1 when cp1252 cannot decode it). A late non-UTF-8 byte makes the
  reader start again in cp1252.
* header: the first of the first 60 lines that contains the most mapped headers (exact,
  then ignoring case, accents, surrounding spaces and a BOM); title lines above it are
  skipped. The delimiter (``;`` ``,`` tab ``|``) is the one that splits that line into
  the mapped headers.
* numbers: in a sample of the amount (and margin) values, the mark that comes last
  when both ``,`` and ``.`` occur is the decimal mark; ``1.234`` / ``12.500`` only (dot
  followed by groups of three digits) means a thousands dot and a decimal comma; spaces
  (incl. U+00A0 and U+202F) are always removed.
* dates: day-first formats (``dd/mm/yyyy`` with or without a time, ``dd-mm-yyyy``,
  ``dd.mm.yyyy``) and ISO ``yyyy-mm-dd`` are tried on a sample; the best goes first and the
  others are tried, vectorised, on the values the first did not read.

Example
-------
>>> from icpc.config import load_config
>>> from icpc.io import read_table, parse_amounts
>>> cfg = load_config("data_samples/demo/client.yaml")  # doctest: +SKIP
>>> raw = read_table(cfg.transactions)  # doctest: +SKIP
>>> values, bad = parse_amounts(raw.columns["amount"], decimal=raw.decimal,
...                             thousands=raw.thousands)  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError

__all__ = [
    "RawTable",
    "read_table",
    "parse_amounts",
    "parse_dates",
    "parse_text",
    "totals_mask",
    "totals_labels",
    "normalize_header",
    "DAYFIRST_FORMATS",
    "keep_freed_memory",
]

_MEMORY_TUNED = False


def keep_freed_memory() -> None:
    """Keep freed memory in the process for reuse instead of handing it back at once.

    Loading millions of lines allocates and frees many arrays of tens of MB. By default
    glibc returns each one to the kernel (``munmap`` / trim) and Arrow's mimalloc pool
    purges its pages, so the next array faults every page in again: on this kind of
    virtual machine that is seconds of system time for 8 million lines (3.9 s of 8.5 s).
    Here glibc keeps arrays under 1 GB in its heap and trims only above 1 GB free, and
    Arrow allocates through the same glibc heap (``system_memory_pool``). Peak memory is
    unchanged (the same arrays are alive at the peak); idle memory is kept until exit.
    Every thread allocates from that one heap (one arena): glibc's per-thread arenas are
    capped at 64 MB per heap, so the large arrays of the loading's worker threads
    (:func:`icpc.cleaning.load_dataset`) would otherwise be ``mmap``-ed and faulted in
    afresh (~1 s of system time for 8 million lines).

    A process-wide setting, so the library never calls it by itself: the owner of the
    process opts in — the ``icpc`` command and the batch's worker processes do. Idempotent;
    does nothing off glibc.
    """
    global _MEMORY_TUNED
    if _MEMORY_TUNED:
        return
    _MEMORY_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8  # <malloc.h>
        libc.mallopt(m_trim_threshold, 1 << 30)
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_arena_max, 1)
        pa.set_memory_pool(pa.system_memory_pool())
    except (OSError, AttributeError):  # not glibc (macOS, musl...): keep the defaults
        pass


#: canonical columns read as numbers / dates; every other column is text
NUMERIC_COLUMNS = frozenset({C.AMOUNT, C.MARGIN})
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
    "%Y/%m/%d",
)
#: month-first formats, used only when a sample reads better with them than day-first
_MONTHFIRST_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")

_DELIMITERS = (";", ",", "\t", "|")
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
_SAMPLE_BYTES = 1 << 20
_HEADER_SEARCH_LINES = 60
_SAMPLE_ROWS = 2000
_MAGIC = {
    b"PK\x03\x04": "xlsx",
    b"\xd0\xcf\x11\xe0": "xls",
    b"PAR1": "parquet",
    b"%PDF": "pdf",
    b"\x1f\x8b": "gzip",
}
_TOTALS_PREFIX = r"^\s*(sous[- ]?)?total"
_TOTALS_START = re.compile(r"^(sous[- ]?)?(total|totaux)\b")
_TOTALS_FULL = re.compile(r"^(sous[- ]?)?(total|totaux)( (general|generale|ht|ttc|global|client|clients))?\s*:?$")
_NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_MIN_YEAR, _MAX_YEAR = 1678, 2261  # the range of datetime64[ns]


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

    @property
    def n_rows(self) -> int:
        """Number of data rows in ``columns`` (malformed lines not included)."""
        return len(self.source_row)


# --------------------------------------------------------------------------------------
# headers
# --------------------------------------------------------------------------------------
def normalize_header(text: Any) -> str:
    """Return a header (or any cell) folded for tolerant matching.

    Removes a BOM, accents, case and surrounding or repeated spaces.

    Example
    -------
    >>> normalize_header("\\ufeff  Montant  HT ")
    'montant ht'
    >>> normalize_header("Date création")
    'date creation'
    """
    s = "" if text is None else str(text)
    s = s.replace("\ufeff", "")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.casefold().split())


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
    shown = [str(h) for h in headers if h is not None and str(h).strip() != ""]
    listed = ", ".join(f'"{h}"' for h in shown[:30]) or "(none)"
    parts = []
    for canon in missing:
        wanted = spec.columns[canon]
        close = difflib.get_close_matches(wanted, shown, n=1, cutoff=0.5)
        hint = f' (closest: "{close[0]}")' if close else ""
        parts.append(f'column "{wanted}" not found{hint}')
    keys = ", ".join(f"{spec.key}.columns.{c}" for c in missing)
    return InputError(f"{spec.path.name}: {'; '.join(parts)}; headers are: {listed}; fix {keys} in {config_name}")


# --------------------------------------------------------------------------------------
# number and date formats
# --------------------------------------------------------------------------------------
def _detect_number_format(values: Sequence[str], spec_decimal: str, spec_thousands: str | None,
                          delimiter: str | None) -> tuple[str, tuple[str, ...]]:
    vals = [v.strip() for v in values if v is not None and v.strip()]
    has_comma = [v for v in vals if "," in v]
    has_dot = [v for v in vals if "." in v]
    decimal = spec_decimal
    if decimal == "auto":
        both = [v for v in vals if "," in v and "." in v]
        if both:
            last_comma = sum(v.rfind(",") > v.rfind(".") for v in both)
            decimal = "," if last_comma * 2 >= len(both) else "."
        elif has_comma:
            decimal = ","
        elif has_dot:
            grouped = all(re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", v) for v in has_dot)
            decimal = "," if grouped else "."
        else:
            decimal = "," if delimiter in (";", "\t") else "."
    thousands: list[str] = list(_SPACES)
    if spec_thousands == "auto":
        if decimal == "," and has_dot:
            thousands.append(".")
        elif decimal == "." and has_comma:
            thousands.append(",")
    elif spec_thousands in (".", ",", "'"):
        thousands.append(spec_thousands)
    return decimal, tuple(thousands)


def _detect_date_formats(values: Sequence[str], spec_format: str) -> tuple[str, ...]:
    if spec_format != "auto":
        return (spec_format,)
    vals = [v.strip() for v in values if v is not None and v.strip()][:500]
    if not vals:
        return DAYFIRST_FORMATS
    arr = pa.array(vals, pa.string())
    candidates = DAYFIRST_FORMATS + _MONTHFIRST_FORMATS
    scores = []
    for fmt in candidates:
        parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        scores.append(len(vals) - parsed.null_count)
    best = candidates[int(np.argmax(scores))]
    rest = [f for f in DAYFIRST_FORMATS if f != best]
    if best in _MONTHFIRST_FORMATS:  # the sample says month-first: keep day-first out
        rest = [f for f in _MONTHFIRST_FORMATS if f != best] + [f for f in rest if f.startswith("%Y")]
    return (best, *rest)


def _blank_to_null(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def parse_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Return a text column stripped of surrounding spaces, empty cells as null.

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
    return _blank_to_null(pc.utf8_trim_whitespace(col))


def parse_amounts(col: pa.ChunkedArray, *, decimal: str = ".",
                  thousands: Sequence[str] = _SPACES) -> tuple[np.ndarray, np.ndarray]:
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
        True where the cell is not empty but cannot be read as a finite number.
    """
    col = _as_chunked(col)
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
        values = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        bad = ~np.isfinite(values) & ~np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
        values = np.where(np.isfinite(values), values, np.nan)
        return values, bad
    if pa.types.is_null(col.type):
        return np.full(len(col), np.nan), np.zeros(len(col), bool)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = _to_string(col)
    # one look at the bytes tells which passes are needed (most files need one or none)
    present = set(_present(col, (" ", "\t", *thousands, "€", "EUR", ",")))
    text = pc.utf8_trim_whitespace(col) if present & {" ", "\t"} else col
    empty_arr = pc.fill_null(pc.equal(text, ""), True)
    empty = np.asarray(empty_arr.to_numpy(zero_copy_only=False), bool)
    s = text
    for ch in (*thousands, "€", "EUR"):
        if ch in present:
            s = pc.replace_substring(s, ch, "")
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
    finite = np.isfinite(out)
    bad = ~finite & ~empty
    return np.where(finite, out, np.nan), bad


def parse_dates(col: pa.ChunkedArray, *,
                formats: Sequence[str] = DAYFIRST_FORMATS) -> tuple[np.ndarray, np.ndarray]:
    """Turn a date column into ``datetime64[ns]`` at midnight, vectorised.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        Text dates, timestamps, dates, or Excel serial numbers.
    formats : sequence of str
        ``strptime`` formats tried in order; each later format is tried only on the
        values the earlier ones could not read.

    Returns
    -------
    values : numpy.ndarray of datetime64[ns]
        Normalised to midnight (times dropped); NaT where empty or unreadable.
    bad : numpy.ndarray of bool
        True where the cell is not empty but is not a date (or is outside 1678–2261).
    """
    col = _as_chunked(col)
    n = len(col)
    nulls = np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
    if pa.types.is_date32(col.type):  # days since 1970 already: no conversion through seconds
        days = np.asarray(pc.fill_null(col.cast(pa.int32()), 0).to_numpy(zero_copy_only=False), np.int64)
        return _finish_days(days, nulls, np.zeros(n, bool))
    if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
        seconds = pc.cast(pc.cast(col, pa.timestamp("s"), safe=False), pa.int64())
        secs = np.asarray(pc.fill_null(seconds, 0).to_numpy(zero_copy_only=False), np.int64)
        return _finish_dates(secs, nulls, np.zeros(n, bool))
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        serial = np.asarray(pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
        ok = np.isfinite(serial) & (serial > 0) & (serial < 2958466)  # Excel serial days
        secs = np.where(ok, np.floor(np.nan_to_num(serial)) - 25569, 0).astype(np.int64) * 86400
        return _finish_dates(secs, nulls, ~ok & ~nulls)
    if pa.types.is_null(col.type):
        return np.full(n, np.datetime64("NaT"), "datetime64[ns]"), np.zeros(n, bool)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = _to_string(col)
    text = pc.utf8_trim_whitespace(col)
    empty = np.asarray(pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False), bool)
    secs = np.zeros(n, np.int64)
    todo = ~empty
    if formats and formats[0] in _FIXED_LAYOUTS:
        _fixed_width_dates(text, formats[0], secs, todo)
    for fmt in formats:
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        subset = text if len(idx) == n else text.take(pa.array(idx))
        parsed = pc.strptime(subset, format=fmt, unit="s", error_is_null=True)
        got = np.asarray(parsed.is_valid().to_numpy(zero_copy_only=False), bool)
        got &= ~_rolled_over(subset, parsed, got, fmt)
        if got.any():
            vals = pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
            secs[idx[got]] = np.asarray(vals, np.int64)[got]
            todo[idx[got]] = False
    return _finish_dates(secs, empty, todo)


#: formats read by the numpy fast path: positions of day, month, year and the separators
_FIXED_LAYOUTS = {
    "%d/%m/%Y": (0, 3, 6, {2: "/", 5: "/"}),
    "%d/%m/%Y %H:%M": (0, 3, 6, {2: "/", 5: "/", 10: " "}),
    "%d/%m/%Y %H:%M:%S": (0, 3, 6, {2: "/", 5: "/", 10: " "}),
    "%d-%m-%Y": (0, 3, 6, {2: "-", 5: "-"}),
    "%d.%m.%Y": (0, 3, 6, {2: ".", 5: "."}),
    "%Y-%m-%d": (8, 5, 0, {4: "-", 7: "-"}),
    "%Y-%m-%d %H:%M:%S": (8, 5, 0, {4: "-", 7: "-", 10: " "}),
    "%Y-%m-%dT%H:%M:%S": (8, 5, 0, {4: "-", 7: "-", 10: "T"}),
}


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year.astype(np.int64) - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (month.astype(np.int64) + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _digits(data: np.ndarray, at: int, count: int, ok: np.ndarray) -> np.ndarray:
    """The number written by ``count`` ASCII digits at column ``at``; clears ``ok`` elsewhere."""
    value = np.zeros(len(data), np.int32)
    for i in range(at, at + count):
        d = data[:, i].astype(np.int32) - 48
        ok &= (d >= 0) & (d <= 9)
        value = value * 10 + d
    return value


def _fixed_width_dates(text: pa.ChunkedArray, fmt: str, secs: np.ndarray, todo: np.ndarray) -> None:
    """Read zero-padded dates of one width straight from the bytes, in numpy.

    Only chunks whose values all have the same width are read this way (a view of the
    data buffer as a matrix, no copy); rows it cannot read exactly stay in ``todo`` for
    ``strptime``. The time of day, dropped anyway, is not read.
    """
    day_at, month_at, year_at, seps = _FIXED_LAYOUTS[fmt]
    if not pa.types.is_string(text.type):  # 32-bit offsets only
        return
    start = 0
    for chunk in text.chunks:
        m = len(chunk)
        if m == 0 or chunk.null_count:
            start += m
            continue
        offsets = np.frombuffer(chunk.buffers()[1], np.int32)[chunk.offset:chunk.offset + m + 1]
        width = int(offsets[1] - offsets[0])
        if width < 10 or int(offsets[-1] - offsets[0]) != width * m or (np.diff(offsets) != width).any():
            start += m
            continue
        data = np.frombuffer(chunk.buffers()[2], np.uint8)[offsets[0]:offsets[-1]].reshape(m, width)
        ok = np.ones(m, bool)
        for at, ch in seps.items():
            if at < width:
                ok &= data[:, at] == ord(ch)
            else:
                ok[:] = False
        day, month, year = (_digits(data, at, count, ok) for at, count in ((day_at, 2), (month_at, 2), (year_at, 4)))
        ok &= (month >= 1) & (month <= 12) & todo[start:start + m]
        month = np.where(ok, month, 1)
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        ok &= (day >= 1) & (day <= _MONTH_DAYS[month - 1] + ((month == 2) & leap))  # no 31/02
        got = np.flatnonzero(ok)
        secs[start + got] = _days_from_civil(year[got], month[got], day[got]) * 86400
        todo[start + got] = False
        start += m


_FORMAT_TOKENS = {"%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{1,2}", "%H": r"\d{1,2}", "%M": r"\d{1,2}"}


def _rolled_over(text: pa.ChunkedArray, parsed: pa.ChunkedArray, got: np.ndarray, fmt: str) -> np.ndarray:
    """Flag impossible days that strptime rolled into the next month (31/02 -> 02/03).

    Such a date comes out as day 1–3 of a month; only those rows are checked, by reading
    the day written in the text and comparing.
    """
    out = np.zeros(len(got), bool)
    pos = fmt.find("%d")
    if pos < 0 or not got.any():
        return out
    pieces = re.split(r"(%[A-Za-z])", fmt[:pos])
    rx = "^" + "".join(_FORMAT_TOKENS.get(p, re.escape(p)) for p in pieces if p) + r"(?P<d>\d{1,2})"
    day = np.asarray(pc.fill_null(pc.day(parsed), 0).to_numpy(zero_copy_only=False))
    idx = np.flatnonzero(got & (day <= 3))
    if not len(idx):
        return out
    written = pc.struct_field(pc.extract_regex(text.take(pa.array(idx)), rx), [0])
    written_day = np.asarray(pc.fill_null(pc.cast(written, pa.int64()), -1).to_numpy(zero_copy_only=False))
    out[idx] = written_day != day[idx]
    return out


def _finish_dates(secs: np.ndarray, missing: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _finish_days(np.floor_divide(secs, 86400), missing, bad)


def _finish_days(days: np.ndarray, missing: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 (int64) -> datetime64[ns] at midnight, NaT where missing, bad or out of range."""
    lo = (np.datetime64(f"{_MIN_YEAR}-01-01", "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    hi = (np.datetime64(f"{_MAX_YEAR}-12-31", "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    out_of_range = ~missing & ~bad & ((days < lo) | (days > hi))
    bad = bad | out_of_range
    invalid = missing | bad
    values = np.multiply(days, 86_400_000_000_000, dtype=np.int64)  # in range: no overflow
    values[invalid] = np.iinfo(np.int64).min  # NaT
    return values.view("datetime64[ns]"), bad


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
                mask[start:start + len(chunk)] = (idx >= 0) & hit[np.maximum(idx, 0)]
            start += len(chunk)
        return mask
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)) or not len(values):
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


# --------------------------------------------------------------------------------------
# file kinds
# --------------------------------------------------------------------------------------
def read_table(spec: FileSpec, *, config_name: str = "client.yaml") -> RawTable:
    """Read the file of ``spec`` into its mapped columns (lecture d'un export).

    Parameters
    ----------
    spec : FileSpec
        Path, column mapping and format options (``auto`` = detected).
    config_name : str
        The config file's name, for messages ("fix transactions.columns.amount in …").

    Returns
    -------
    RawTable
        The mapped columns under canonical names, one row per data row.

    Raises
    ------
    InputError
        Missing, empty, binary or unreadable file; wrong sheet; a mapped column not
        found (the message lists the headers found and the config key to fix); a header
        but no data rows.
    """
    path = Path(spec.path)
    if not path.exists():
        raise InputError(f"{path.name}: file not found at {path}; check {spec.key}.path in {config_name}")
    if path.is_dir():
        raise InputError(f"{path.name}: is a folder, not a file; check {spec.key}.path in {config_name}")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path.name}: the file is empty (0 bytes); export the {spec.key} again")
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    kind = next((k for magic, k in _MAGIC.items() if head.startswith(magic)), None)
    suffix = path.suffix.lower()
    if kind in ("xlsx", "xls") or (kind is None and suffix in (".xlsx", ".xlsm", ".xls") and _looks_binary(head)):
        return _read_excel(spec, path, kind or suffix.lstrip("."), config_name)
    if kind == "parquet" or (kind is None and suffix in (".parquet", ".pq") and _looks_binary(head)):
        return _read_parquet(spec, path, config_name)
    if kind is not None:
        raise InputError(f"{path.name}: this is a {kind} file, not a table; export the {spec.key} as CSV, Excel or Parquet")
    return _read_text(spec, path, head, config_name)


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = head[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return controls > max(8, len(sample) // 100)


def _detect_encoding(head: bytes, spec_encoding: str, where: str = "") -> str:
    if spec_encoding.lower() not in ("auto", ""):
        try:
            return codecs.lookup(spec_encoding).name
        except LookupError:
            raise InputError(
                f'{where}unknown encoding "{spec_encoding}"; use auto, utf-8, utf-8-sig, cp1252 or latin-1'
            ) from None
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _split_lines(data: bytes) -> list[tuple[int, bytes]]:
    """Lines of ``data`` with the byte offset where each one starts (\\n, \\r\\n or \\r)."""
    out = []
    pos = 0
    for m in re.finditer(rb"\r\n|\r|\n", data):
        out.append((pos, data[pos:m.start()]))
        pos = m.end()
    if pos < len(data):
        out.append((pos, data[pos:]))
    return out


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter, quotechar='"'))
    except (StopIteration, csv.Error):
        return []


def _read_text(spec: FileSpec, path: Path, head: bytes, config_name: str) -> RawTable:
    name = path.name
    if _looks_binary(head):
        raise InputError(
            f"{name}: not a text table (binary content); export the {spec.key} as CSV (text), Excel or Parquet"
        )
    encoding = _detect_encoding(head, spec.encoding, f"{name}: {spec.key}.encoding: ")
    source: Any
    if encoding.startswith("utf-16"):
        data = path.read_bytes().decode(encoding).encode("utf-8")
        head, encoding, source = data[:_SAMPLE_BYTES], "utf-8", data
    else:
        source = None
    bom = codecs.BOM_UTF8 if head.startswith(codecs.BOM_UTF8) else b""
    sample_bytes = head[len(bom):]
    if len(head) == _SAMPLE_BYTES:  # drop the last, maybe cut, line
        cut = max(sample_bytes.rfind(b"\n"), sample_bytes.rfind(b"\r"))
        sample_bytes = sample_bytes[: cut + 1] if cut > 0 else sample_bytes
    lines = _split_lines(sample_bytes)
    text_enc = "utf-8" if encoding == "utf-8-sig" else encoding
    decoded = [(off + len(bom), b.decode(text_enc, errors="replace")) for off, b in lines]
    if not any(t.strip() for _, t in decoded):
        raise InputError(f"{name}: the file is empty (no text); export the {spec.key} again")

    delimiters = _DELIMITERS if spec.delimiter == "auto" else (spec.delimiter,)
    best: tuple[int, int, str, list[str]] | None = None  # (matches, line no, delimiter, cells)
    for i, (_, text) in enumerate(decoded[:_HEADER_SEARCH_LINES]):
        if not text.strip():
            continue
        for delim in delimiters:
            cells = _cells(text, delim)
            n = len(_match_headers(cells, spec.columns))
            if best is None or n > best[0]:
                best = (n, i, delim, cells)
    assert best is not None
    n_found, hline, delimiter, headers = best
    if n_found < len(spec.columns):
        if n_found == 0:  # show the first line, split the way that gives most fields
            first = next(t for _, t in decoded if t.strip())
            headers = max((_cells(first, d) for d in delimiters), key=len)
        raise _missing_columns_error(spec, headers, _match_headers(headers, spec.columns), config_name)
    found = _match_headers(headers, spec.columns)
    data_lines = [t for _, t in decoded[hline + 1:] if t.strip()]
    if hline + 1 >= len(lines) or not data_lines:
        raise InputError(f"{name}: headers only, no data rows (header on line {hline + 1}); export the {spec.key} with its rows")
    data_offset = lines[hline + 1][0] + len(bom)

    # detect formats on a sample of the data rows
    sample_rows = [_cells(t, delimiter) for t in data_lines[:_SAMPLE_ROWS]]

    def sample_of(canon: str) -> list[str]:
        j = found.get(canon)
        return [r[j] for r in sample_rows if j is not None and len(r) > j]

    numbers = sample_of(C.AMOUNT) + sample_of(C.MARGIN)
    decimal, thousands = _detect_number_format(numbers, spec.decimal, spec.thousands, delimiter)
    dates = sample_of(C.DATE) or sample_of(C.CREATED_AT)
    date_formats = _detect_date_formats(dates, spec.date_format)
    has_quotes = any('"' in t for t in data_lines[:_SAMPLE_ROWS])

    names = [f"c{i}" for i in range(len(headers))]
    wanted = sorted(set(found.values()) | {0})
    counter = {"malformed": 0, "totals": 0}

    def on_invalid(row: Any) -> str:
        counter["malformed"] += 1
        first = _cells(row.text or "", delimiter)[:1]
        if first and _TOTALS_START.match(normalize_header(first[0])):
            counter["totals"] += 1
        return "skip"

    def read() -> pa.Table:
        # bytes, not text: no transcoding pass over the whole file; only the mapped
        # columns are decoded afterwards (ASCII columns for free, the others through
        # their dictionary of distinct values)
        src = pa.BufferReader(source) if source is not None else pa.memory_map(str(path))
        src.seek(data_offset)
        return pacsv.read_csv(
            src,
            read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True,
                newlines_in_values=has_quotes, invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=[names[i] for i in wanted],
                column_types={names[i]: pa.binary() for i in wanted},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        table = read()
    except pa.ArrowInvalid as exc:
        msg = str(exc).splitlines()[0][:200]
        raise InputError(
            f"{name}: cannot be read as a text table ({msg}); "
            f"check {spec.key}.delimiter and {spec.key}.encoding in {config_name}"
        ) from None
    decoded_cols = {names[i]: _decode_column(table.column(names[i]), encoding) for i in wanted}
    if table.num_rows == 0 and counter["malformed"] == 0:
        raise InputError(f"{name}: headers only, no data rows (header on line {hline + 1}); export the {spec.key} with its rows")
    cols = {canon: decoded_cols[names[j]] for canon, j in found.items()}
    return RawTable(
        path=path,
        key=spec.key,
        columns=cols,
        first_column=decoded_cols[names[0]],
        source_row=np.arange(1, table.num_rows + 1, dtype=np.int64),
        malformed=counter["malformed"],
        malformed_totals=counter["totals"],
        decimal=decimal,
        thousands=thousands,
        date_formats=date_formats,
        details={"format": "csv", "encoding": encoding, "delimiter": delimiter, "header_line": hline + 1,
                 "decimal": decimal, "date_format": date_formats[0]},
    )


def _read_excel(spec: FileSpec, path: Path, kind: str, config_name: str) -> RawTable:
    name = path.name
    # calamine (Rust) reads .xlsx about 15 times faster than openpyxl (178,000 customers:
    # ~1.5 s instead of ~20 s); pandas converts its cells exactly as openpyxl's
    engine = "calamine"  # .xls too: pandas deprecates xlrd
    try:
        book = pd.ExcelFile(path, engine=engine)
        sheets = list(book.sheet_names)
    except Exception as exc:  # any reader failure means the same thing to the user
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(f"{name}: cannot be read as an Excel file ({reason}); open it in Excel and save it again as .xlsx, or export CSV") from None
    listed = ", ".join(f'"{s}"' for s in sheets)
    sheet: str | int
    if spec.sheet is None:
        sheet = 0
    elif isinstance(spec.sheet, int):
        if not 0 <= spec.sheet < len(sheets):
            raise InputError(f"{name}: no sheet number {spec.sheet} (sheets are numbered from 0); sheets are: {listed}; fix {spec.key}.sheet in {config_name}")
        sheet = spec.sheet
    else:
        if spec.sheet in sheets:
            sheet = spec.sheet
        else:
            folded = {normalize_header(s): s for s in sheets}
            if normalize_header(spec.sheet) not in folded:
                raise InputError(f'{name}: no sheet "{spec.sheet}"; sheets are: {listed}; fix {spec.key}.sheet in {config_name}')
            sheet = folded[normalize_header(spec.sheet)]
    try:
        frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    except Exception as exc:
        raise InputError(f"{name}: sheet {sheet!r} cannot be read ({str(exc)[:120]}); save the file again as .xlsx") from None
    finally:
        book.close()
    sheet_name = sheets[sheet] if isinstance(sheet, int) else sheet
    if frame.empty or frame.dropna(how="all").empty:
        raise InputError(f'{name}: sheet "{sheet_name}" is empty; check {spec.key}.sheet in {config_name} (sheets: {listed})')
    best = (-1, 0)
    for i in range(min(_HEADER_SEARCH_LINES, len(frame))):
        cells = frame.iloc[i].tolist()
        n = len(_match_headers([c if isinstance(c, str) else ("" if pd.isna(c) else str(c)) for c in cells], spec.columns))
        if n > best[0]:
            best = (n, i)
    n_found, hrow = best
    headers = ["" if pd.isna(c) else str(c) for c in frame.iloc[hrow].tolist()]
    found = _match_headers(headers, spec.columns)
    if len(found) < len(spec.columns):
        raise _missing_columns_error(spec, headers, found, config_name)
    body = frame.iloc[hrow + 1:]
    body = body.loc[~body.isna().all(axis=1)]
    if body.empty:
        raise InputError(f'{name}: headers only, no data rows (sheet "{sheet_name}", header on row {hrow + 1}); export the {spec.key} with its rows')
    text_cells = [str(v) for canon in (C.AMOUNT, C.MARGIN) if canon in found
                  for v in body.iloc[:, found[canon]].head(_SAMPLE_ROWS) if isinstance(v, str)]
    decimal, thousands = _detect_number_format(text_cells, spec.decimal, spec.thousands, None)
    cols = {canon: _excel_column(body.iloc[:, j], canon, decimal) for canon, j in found.items()}
    date_texts = [v for canon in (C.DATE, C.CREATED_AT) if canon in found
                  for v in body.iloc[:, found[canon]].head(_SAMPLE_ROWS) if isinstance(v, str)]
    date_formats = _detect_date_formats(date_texts, spec.date_format)
    if spec.date_format != "auto":
        date_formats = (*date_formats, "%Y-%m-%d %H:%M:%S")
    return RawTable(
        path=path,
        key=spec.key,
        columns=cols,
        first_column=_excel_column(body.iloc[:, 0], "first", decimal),
        source_row=np.arange(1, len(body) + 1, dtype=np.int64),
        decimal=decimal,
        thousands=thousands,
        date_formats=date_formats,
        details={"format": kind, "sheet": sheet_name, "header_line": hrow + 1, "decimal": decimal,
                 "date_format": date_formats[0]},
    )


def _excel_column(values: pd.Series, canon: str, decimal: str) -> pa.ChunkedArray:
    """Convert one Excel column (object cells) to arrow: typed when its cells agree."""
    try:  # the usual text column (text cells and empty ones): one Arrow conversion, no Python loop
        return pa.chunked_array([pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    cells = values.tolist()
    present = [v for v in cells if v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NaT]
    is_num = [isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in present]
    is_date = [isinstance(v, (dt.date, pd.Timestamp, np.datetime64)) for v in present]
    if present and all(is_date) and canon not in NUMERIC_COLUMNS:
        return pa.chunked_array([pa.array(pd.to_datetime(pd.Series(cells, dtype=object), errors="coerce"))])
    if present and all(is_num) and (canon in NUMERIC_COLUMNS or canon in DATE_COLUMNS):
        return pa.chunked_array([pa.array([float(v) if v is not None and v == v else None for v in cells], pa.float64())])

    def text(v: Any) -> str | None:
        if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            s = str(int(v)) if float(v).is_integer() else repr(float(v))
            return s.replace(".", ",") if decimal == "," and canon in NUMERIC_COLUMNS else s
        if isinstance(v, (dt.datetime, pd.Timestamp)):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, dt.date):
            return v.strftime("%Y-%m-%d")
        return str(v)

    return pa.chunked_array([pa.array([text(v) for v in cells], pa.string())])


def _read_parquet(spec: FileSpec, path: Path, config_name: str) -> RawTable:
    import pyarrow.parquet as pq

    name = path.name
    try:
        pf = pq.ParquetFile(path)
        headers = list(pf.schema_arrow.names)
    except Exception as exc:
        raise InputError(f"{name}: cannot be read as a Parquet file ({str(exc)[:120]}); write it again or export CSV") from None
    found = _match_headers(headers, spec.columns)
    if len(found) < len(spec.columns):
        raise _missing_columns_error(spec, headers, found, config_name)
    wanted = sorted(set(found.values()) | {0})
    schema = pf.schema_arrow
    text_cols = [headers[i] for i in wanted
                 if pa.types.is_string(schema.field(i).type) or pa.types.is_large_string(schema.field(i).type)]
    try:
        # text read as dictionaries: Parquet stores them so, and cleaning needs codes anyway
        pf = pq.ParquetFile(path, read_dictionary=text_cols)
        table = pf.read(columns=[headers[i] for i in wanted])
    except Exception as exc:
        raise InputError(f"{name}: cannot be read as a Parquet file ({str(exc)[:120]}); write it again or export CSV") from None
    if table.num_rows == 0:
        raise InputError(f"{name}: headers only, no data rows; export the {spec.key} with its rows")

    def col(i: int) -> pa.ChunkedArray:
        c = table.column(wanted.index(i))
        if pa.types.is_dictionary(c.type) and not (pa.types.is_string(c.type.value_type)
                                                   or pa.types.is_large_string(c.type.value_type)):
            c = c.cast(c.type.value_type)
        return c

    cols = {canon: col(j) for canon, j in found.items()}
    def is_text(c: pa.ChunkedArray) -> bool:
        t = c.type.value_type if pa.types.is_dictionary(c.type) else c.type
        return pa.types.is_string(t) or pa.types.is_large_string(t)

    text_numbers = [v for canon in (C.AMOUNT, C.MARGIN) if canon in cols and is_text(cols[canon])
                    for v in cols[canon].slice(0, _SAMPLE_ROWS).to_pylist()]
    decimal, thousands = _detect_number_format(text_numbers, spec.decimal, spec.thousands, None)
    text_dates = [v for canon in (C.DATE, C.CREATED_AT) if canon in cols and is_text(cols[canon])
                  for v in cols[canon].slice(0, _SAMPLE_ROWS).to_pylist()]
    date_formats = _detect_date_formats(text_dates, spec.date_format)
    first = col(0)
    return RawTable(
        path=path,
        key=spec.key,
        columns=cols,
        first_column=first if is_text(first) else None,
        source_row=np.arange(1, table.num_rows + 1, dtype=np.int64),
        decimal=decimal,
        thousands=thousands,
        date_formats=date_formats,
        details={"format": "parquet", "decimal": decimal, "date_format": date_formats[0]},
    )


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def _present(col: pa.ChunkedArray, texts: Sequence[str]) -> list[str]:
    """Which of ``texts`` occur in the data buffers of a string column (one copy per chunk)."""
    chunks = [c.buffers()[2] for c in col.chunks]
    blobs = [b.to_pybytes() for b in chunks if b is not None and b.size]
    return [t for t in texts if any(blob.find(t.encode("utf-8")) >= 0 for blob in blobs)]


def _is_ascii(col: pa.ChunkedArray) -> bool:
    for chunk in col.chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, np.uint8).max() >= 128:
            return False
    return True


def _decode_column(col: pa.ChunkedArray, encoding: str) -> pa.ChunkedArray:
    """Decode a column read as bytes: ASCII or valid UTF-8 zero-cost, else per distinct value."""
    if encoding.replace("_", "-") in ("utf-8", "utf-8-sig", "utf8") or _is_ascii(col):
        try:
            return col.cast(pa.string())
        except pa.ArrowInvalid:  # a stray cp1252 byte in a "UTF-8" file
            encoding = "cp1252"
    encoded = pc.dictionary_encode(col.combine_chunks())
    values = encoded.dictionary.to_pylist()
    text = [_decode_bytes(v, encoding) for v in values]
    if len(set(text)) == len(text):  # keep it encoded: cleaning needs the codes anyway
        return pa.chunked_array([pa.DictionaryArray.from_arrays(encoded.indices, pa.array(text, pa.string()))])
    return pa.chunked_array([pc.take(pa.array(text, pa.string()), encoded.indices)])


def _decode_bytes(value: bytes, encoding: str) -> str:
    try:
        return value.decode(encoding)
    except UnicodeDecodeError:
        return value.decode("latin-1")


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
