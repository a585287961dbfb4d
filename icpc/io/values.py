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
    _MAX_YEAR,
    _MIN_YEAR,
    _NUMBER_RE,
    _SPACES,
    _TOTALS_FULL,
    _TOTALS_PREFIX,
    DAYFIRST_FORMATS,
    MIN_FOUR_DIGIT_YEAR,
    RawTable,
    _as_chunked,
    _blank_to_null,
    _present,
    _to_string,
    normalize_header,
)
from icpc.text import fold

__all__ = ["parse_text", "parse_amounts", "parse_dates", "totals_labels", "totals_mask"]


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
        True where the cell is not empty but cannot be read as a finite number.
    """
    col = _as_chunked(col)
    if (
        pa.types.is_integer(col.type)
        or pa.types.is_floating(col.type)
        or pa.types.is_decimal(col.type)
    ):
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
    present = set(_present(col, (" ", "\t", *thousands, "€", "EUR", ",", "\u2212")))
    s = col
    for ch, by in (("€", ""), ("EUR", ""), ("\u2212", "-")):  # U+2212: the typographer's minus
        if ch in present:
            s = pc.replace_substring(s, ch, by)
    if present & {" ", "\t", "€", "EUR", *thousands}:
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
    finite = np.isfinite(out)
    bad = ~finite & ~empty
    return np.where(finite, out, np.nan), bad


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


def parse_dates(
    col: pa.ChunkedArray, *, formats: Sequence[str] = DAYFIRST_FORMATS
) -> tuple[np.ndarray, np.ndarray]:
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
        days = np.asarray(
            pc.fill_null(col.cast(pa.int32()), 0).to_numpy(zero_copy_only=False), np.int64
        )
        return _finish_days(days, nulls, np.zeros(n, bool))
    if pa.types.is_timestamp(col.type) and col.type.tz is not None:
        col = pc.local_timestamp(col)  # midnight in Paris is that day, not the UTC day before
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
        if "%Y" in fmt and got.any():
            got &= (
                np.asarray(pc.fill_null(pc.year(parsed), 0).to_numpy(zero_copy_only=False))
                >= MIN_FOUR_DIGIT_YEAR
            )
        if got.any():
            vals = pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
            secs[idx[got]] = np.asarray(vals, np.int64)[got]
            todo[idx[got]] = False
    for fallback in (_iso_with_offset, _compact_digits, _month_names, _excel_serial_text):
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        # on the distinct values: dates repeat (a month-name date is folded once, not per row)
        encoded = pc.dictionary_encode(text.take(pa.array(idx)).combine_chunks())
        value_secs, value_got = fallback(pa.chunked_array([encoded.dictionary]))
        codes = np.asarray(
            pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), np.int64
        )
        got = (
            (codes >= 0) & value_got[np.maximum(codes, 0)]
            if len(value_got)
            else np.zeros(len(idx), bool)
        )
        got_secs = (
            value_secs[np.maximum(codes, 0)] if len(value_secs) else np.zeros(len(idx), np.int64)
        )
        if got.any():
            secs[idx[got]] = got_secs[got]
            todo[idx[got]] = False
    return _finish_dates(secs, empty, todo)


def _civil_secs(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since 1970 of (year, month, day) numbers, and which are real dates (no 31/02)."""
    ok = (month >= 1) & (month <= 12) & (year >= MIN_FOUR_DIGIT_YEAR)
    month = np.where(ok, month, 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    ok &= (day >= 1) & (day <= _MONTH_DAYS[month - 1] + ((month == 2) & leap))
    return np.where(ok, _days_from_civil(year, month, np.where(ok, day, 1)) * 86400, 0), ok


def _numbers(texts: pa.Array | pa.ChunkedArray, pattern: str, count: int) -> list[np.ndarray]:
    """The integers captured by the ``count`` groups of ``pattern`` (-1 where it does not match)."""
    found = pc.extract_regex(texts, pattern)
    return [
        np.asarray(
            pc.fill_null(pc.cast(pc.struct_field(found, [i]), pa.int64()), -1).to_numpy(
                zero_copy_only=False
            ),
            np.int64,
        )
        for i in range(count)
    ]


def _iso_with_offset(texts: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """ISO date-times with an offset or fractions (``2024-01-01T00:30:00+01:00``): the day as written."""
    y, m, d = _numbers(texts, r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ]\d{2}:\d{2}", 3)
    return _civil_secs(y, m, d)


def _compact_digits(texts: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Eight digits: ``20240131`` (the FEC's AAAAMMJJ), else ``31012024``; never a shorter string."""
    y, m, d = _numbers(texts, r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$", 3)
    secs, ok = _civil_secs(y, m, d)
    d2, m2, y2 = _numbers(texts, r"^(?P<d>\d{2})(?P<m>\d{2})(?P<y>\d{4})$", 3)
    secs2, ok2 = _civil_secs(y2, m2, d2)
    use = ok2 & ~ok
    return np.where(use, secs2, secs), ok | ok2


#: month names and abbreviations, French and English (Excel writes "03-janv.-24", "3-Jan-2024")
_MONTH_NAMES = (
    ("01", "janvier|janv|jan|january"),
    ("02", "fevrier|fevr|fev|february|feb"),
    ("03", "mars|march|mar"),
    ("04", "avril|avr|april|apr"),
    ("05", "mai|may"),
    ("06", "juin|june|jun"),
    ("07", "juillet|juil|july|jul"),
    ("08", "aout|august|aug"),
    ("09", "septembre|sept|sep|september"),
    ("10", "octobre|october|oct"),
    ("11", "novembre|november|nov"),
    ("12", "decembre|december|dec"),
)
#: a weekday before the day ("Mardi 5 mars 2024", "Tue, 5 Mar 2024")
_WEEKDAYS = (
    r"^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|lun|mar|mer|jeu|ven|sam|dim|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+"
)


def _month_names(texts: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Dates written with a month name (``3 janvier 2024``, ``03-janv.-24``, ``15-Mar-2024``)."""
    secs, ok = np.zeros(len(texts), np.int64), np.zeros(len(texts), bool)
    letters = np.asarray(
        pc.fill_null(pc.match_substring_regex(texts, "[A-Za-z\u00c0-\u00ff]"), False).to_numpy(
            zero_copy_only=False
        ),
        bool,
    )
    if not letters.any():
        return secs, ok
    idx = np.flatnonzero(letters)
    arr = pa.array([fold(v) for v in texts.take(pa.array(idx)).to_pylist()], pa.string())
    arr = pc.replace_substring_regex(arr, _WEEKDAYS, "")
    arr = pc.replace_substring_regex(arr, r"^(\d{1,2})er\b", r"\1")  # "1er mai"
    for number, names in _MONTH_NAMES:
        arr = pc.replace_substring_regex(
            arr, rf"(^|[^a-z])({names})\.?($|[^a-z])", rf"\1/{number}/\3"
        )
    arr = pc.replace_substring_regex(arr, r"[\s\-/.,]+", "/")
    arr = pc.replace_substring_regex(arr, r"^/|/$", "")
    d, m, y = _numbers(arr, r"^(?P<d>\d{1,2})/(?P<m>\d{2})/(?P<y>\d{2}|\d{4})$", 3)
    y = np.where((y >= 0) & (y < 100), np.where(y < 69, 2000 + y, 1900 + y), y)  # as strptime's %y
    got_secs, got = _civil_secs(y, m, d)
    secs[idx[got]] = got_secs[got]
    ok[idx[got]] = True
    return secs, ok


def _excel_serial_text(texts: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Excel day numbers written as text in a CSV (``45293`` is 2024-01-02)."""
    secs, ok = np.zeros(len(texts), np.int64), np.zeros(len(texts), bool)
    serial = pc.fill_null(pc.match_substring_regex(texts, r"^\d{5}([.,]\d+)?$"), False)
    idx = np.flatnonzero(np.asarray(serial.to_numpy(zero_copy_only=False), bool))
    if len(idx):
        days = np.floor(
            np.asarray([float(v.replace(",", ".")) for v in texts.take(pa.array(idx)).to_pylist()])
        )
        good = (days >= 20000) & (days < 80000)  # 1954 to 2118
        secs[idx[good]] = (days[good].astype(np.int64) - 25569) * 86400
        ok[idx[good]] = True
    return secs, ok


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
        offsets = np.frombuffer(chunk.buffers()[1], np.int32)[chunk.offset : chunk.offset + m + 1]
        width = int(offsets[1] - offsets[0])
        if (
            width < 10
            or int(offsets[-1] - offsets[0]) != width * m
            or (np.diff(offsets) != width).any()
        ):
            start += m
            continue
        data = np.frombuffer(chunk.buffers()[2], np.uint8)[offsets[0] : offsets[-1]].reshape(
            m, width
        )
        ok = np.ones(m, bool)
        for at, ch in seps.items():
            if at < width:
                ok &= data[:, at] == ord(ch)
            else:
                ok[:] = False
        day, month, year = (
            _digits(data, at, count, ok) for at, count in ((day_at, 2), (month_at, 2), (year_at, 4))
        )
        ok &= (month >= 1) & (month <= 12) & todo[start : start + m]
        month = np.where(ok, month, 1)
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        ok &= (day >= 1) & (day <= _MONTH_DAYS[month - 1] + ((month == 2) & leap))  # no 31/02
        got = np.flatnonzero(ok)
        secs[start + got] = _days_from_civil(year[got], month[got], day[got]) * 86400
        todo[start + got] = False
        start += m


_FORMAT_TOKENS = {
    "%Y": r"\d{4}",
    "%y": r"\d{2}",
    "%m": r"\d{1,2}",
    "%H": r"\d{1,2}",
    "%M": r"\d{1,2}",
}


def _rolled_over(
    text: pa.ChunkedArray, parsed: pa.ChunkedArray, got: np.ndarray, fmt: str
) -> np.ndarray:
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
    written_day = np.asarray(
        pc.fill_null(pc.cast(written, pa.int64()), -1).to_numpy(zero_copy_only=False)
    )
    out[idx] = written_day != day[idx]
    return out


def _finish_dates(
    secs: np.ndarray, missing: np.ndarray, bad: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return _finish_days(np.floor_divide(secs, 86400), missing, bad)


def _finish_days(
    days: np.ndarray, missing: np.ndarray, bad: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 (int64) -> datetime64[ns] at midnight, NaT where missing, bad or out of range."""
    lo = (np.datetime64(f"{_MIN_YEAR}-01-01", "D") - np.datetime64("1970-01-01", "D")).astype(
        np.int64
    )
    hi = (np.datetime64(f"{_MAX_YEAR}-12-31", "D") - np.datetime64("1970-01-01", "D")).astype(
        np.int64
    )
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
