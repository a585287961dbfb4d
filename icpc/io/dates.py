"""Dates of an export read as calendar days, vectorised: formats, month names, serials.

Only the calendar day counts (times dropped). The detected formats are tried in order on
the values not read yet; zero-padded dates of one width are read straight from the bytes;
what no format reads goes through the fallbacks (ISO with an offset, eight digits, month
names, Excel day numbers), on the distinct values; an impossible day is unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc.io.common import (
    _MAX_YEAR,
    _MIN_YEAR,
    DAYFIRST_FORMATS,
    MIN_FOUR_DIGIT_YEAR,
    _as_chunked,
    _to_string,
    has_invisible,
    strip_invisible,
)
from icpc.text import fold

__all__ = ["parse_dates"]

_NS_PER_DAY = 86_400_000_000_000
#: the days since 1970-01-01 that datetime64[ns] holds, in whole years (_MIN_YEAR–_MAX_YEAR)
_DAY_RANGE = (
    int(np.datetime64(f"{_MIN_YEAR}-01-01", "D").astype(np.int64)),
    int(np.datetime64(f"{_MAX_YEAR}-12-31", "D").astype(np.int64)),
)


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
    if pa.types.is_date32(col.type):  # days since 1970 already: no conversion through seconds
        return _date32_days(col)
    nulls = np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
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
        # 20240131 stored as a number (AAAAMMJJ, as ERPs and the FEC write dates): eight
        # digits, far above any Excel day number
        digits = np.isfinite(serial) & (serial >= 10000101) & (serial <= 99991231)
        digits &= serial == np.floor(np.nan_to_num(serial))
        if digits.any():
            ymd = np.where(digits, np.nan_to_num(serial), 0).astype(np.int64)
            day_secs, real = _civil_secs(ymd // 10000, ymd // 100 % 100, ymd % 100)
            real &= digits
            secs = np.where(real, day_secs, secs)
            ok |= real
        return _finish_dates(secs, nulls, ~ok & ~nulls)
    if pa.types.is_null(col.type):
        return np.full(n, np.datetime64("NaT"), "datetime64[ns]"), np.zeros(n, bool)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = _to_string(col)
    if has_invisible(col):  # a zero-width space after the date: the date (the reader counts it)
        col = strip_invisible(col)
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


def _date32_days(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_finish_days` of a ``date32`` column, in one pass when every day is in range.

    The usual typed column: its days are read in place (no 64-bit copy), two reductions
    tell that none is out of range, and one multiplication writes the result; empty cells
    are NaT, nothing is bad. A day out of range goes through :func:`_finish_days`.
    """
    n = len(col)
    days = col.cast(pa.int32())
    if col.null_count:
        days = pc.fill_null(days, 0)  # day 0 (1970) is in range: the test below stands
    days32 = np.asarray(days.to_numpy(zero_copy_only=False))
    nulls = (
        np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
        if col.null_count
        else np.zeros(n, bool)
    )
    lo, hi = _DAY_RANGE
    if n and (int(days32.min()) < lo or int(days32.max()) > hi):
        return _finish_days(days32.astype(np.int64), nulls, np.zeros(n, bool))
    values = np.multiply(days32, _NS_PER_DAY, dtype=np.int64)
    if col.null_count:
        values[nulls] = np.iinfo(np.int64).min  # NaT
    return values.view("datetime64[ns]"), np.zeros(n, bool)


def _finish_dates(
    secs: np.ndarray, missing: np.ndarray, bad: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return _finish_days(np.floor_divide(secs, 86400), missing, bad)


def _finish_days(
    days: np.ndarray, missing: np.ndarray, bad: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 (int64) -> datetime64[ns] at midnight, NaT where missing, bad or out of range."""
    lo, hi = _DAY_RANGE
    out_of_range = ~missing & ~bad & ((days < lo) | (days > hi))
    bad = bad | out_of_range
    invalid = missing | bad
    values = np.multiply(days, _NS_PER_DAY, dtype=np.int64)  # in range: no overflow
    values[invalid] = np.iinfo(np.int64).min  # NaT
    return values.view("datetime64[ns]"), bad
