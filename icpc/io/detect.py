"""Detect a text export's encoding and the number and date formats of its values."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc.config import FileSpec
from icpc.exceptions import InputError, shorten
from icpc.io.common import (
    _MONTHFIRST_FORMATS,
    _SPACES,
    DAYFIRST_FORMATS,
    MIN_FOUR_DIGIT_YEAR,
    formula_text,
)

#: what a number looks like once spaces, currency and signs are set aside
_BARE = re.compile(r"[\s\u00a0\u202f\u2009€$£]|EUR|USD|GBP|CHF|CAD|^[+(-]+|[)-]+$")
#: a dot (or comma) that can only be a decimal mark: followed by 1-2 or 4+ digits at the
#: end, or after a lone 0 (a thousands group is exactly three digits, never after "0")
_DOT_DECIMAL = re.compile(r"(^0\.\d+$)|(\.\d{1,2}$)|(\.\d{4,}$)")
#: apostrophes that group thousands in Swiss exports (typewriter and typographic)
_APOSTROPHES = ("'", "\u2019")
#: two thousands groups or more, no decimal part: the mark can only group thousands
_DOT_GROUPS = re.compile(r"^\d{1,3}(\.\d{3}){2,}$")
_COMMA_GROUPS = re.compile(r"^\d{1,3}(,\d{3}){2,}$")
_COMMA_DECIMAL = re.compile(r"(^0,\d+$)|(,\d{1,2}$)|(,\d{4,}$)")


_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
#: bytes that are French letters in Mac Roman (ç é è ê ù: an old Mac's "CSV (Macintosh)"),
#: in Windows-1252 unused or a rare Ž
_MAC_LETTERS = (0x8D, 0x8E, 0x8F, 0x90, 0x9D)
_MAC_ONLY = (0x8D, 0x8F, 0x90, 0x9D)  # not a character at all in Windows-1252
#: the same letters in Windows-1252
_WINDOWS_LETTERS = (0xE7, 0xE9, 0xE8, 0xEA, 0xF9)


class AmbiguousNumbers(ValueError):
    """The amounts of a file can be read two ways; the reader turns it into an InputError."""


def _detect_number_format(
    values: Sequence[str], spec_decimal: str, spec_thousands: str | None, delimiter: str | None
) -> tuple[str, tuple[str, ...]]:
    """Decimal mark and thousands separators of amounts written as text.

    Values that can be read only one way vote: ``1,234.56``, ``12.5`` and ``1,234,567``
    for a decimal dot; ``1.234,56``, ``12,5`` and ``1.234.567`` for a decimal comma (a
    dot or comma followed by one, two or four and more digits, or after a lone ``0``, is
    a decimal mark; two groups of three make thousands separators). A few dissenting
    values are damaged cells; two or more making 5 % of the votes, or a tie, is a mix of
    formats. An apostrophe groups thousands (``1'234.50``). ``12.500`` or ``12,500`` alone
    (a mark and three digits) could be 12.5 or 12 500: it is read as a decimal mark when other amounts
    of 1 000 or more are written without separator, else the evidence is ambiguous. A configured ``decimal`` that the
    values contradict (``decimal: ","`` on ``1234.56``) is refused too.

    Raises
    ------
    AmbiguousNumbers
        With the sentence to show and the fix (the caller adds the file name).
    """
    vals = [_BARE.sub("", v) for v in values if v is not None and v.strip()]
    vals = [v for v in vals if v]
    both = [v for v in vals if "," in v and "." in v]
    dots = [v for v in vals if "." in v and "," not in v]
    commas = [v for v in vals if "," in v and "." not in v]
    plain = [v for v in vals if "." not in v and "," not in v]
    dot_says_decimal = next((v for v in dots if _DOT_DECIMAL.search(v) and v.count(".") == 1), None)
    comma_says_decimal = next(
        (v for v in commas if _COMMA_DECIMAL.search(v) and v.count(",") == 1), None
    )
    decimal = spec_decimal
    if decimal == "auto":
        # every value that can only be read one way votes: 1,234.56, 12.5 and 1,234,567
        # (thousands commas) for the dot; 1.234,56, 12,5 and 1.234.567 for the comma
        dot_votes = (
            [v for v in both if v.rfind(".") > v.rfind(",")]
            + [v for v in dots if _DOT_DECIMAL.search(v) and v.count(".") == 1]
            + [v for v in commas if _COMMA_GROUPS.match(v)]
        )
        comma_votes = (
            [v for v in both if v.rfind(",") > v.rfind(".")]
            + [v for v in commas if _COMMA_DECIMAL.search(v) and v.count(",") == 1]
            + [v for v in dots if _DOT_GROUPS.match(v)]
        )
        fewer = min(len(dot_votes), len(comma_votes))
        votes = len(dot_votes) + len(comma_votes)
        # a tie, or a dissent of two values or more and at least 5 % of the votes
        if (fewer and len(dot_votes) == len(comma_votes)) or (fewer >= 2 and fewer * 20 >= votes):
            raise AmbiguousNumbers(
                f"amounts are written with both decimal marks: {len(dot_votes)} with a decimal dot "
                f'(e.g. "{dot_votes[0]}") and {len(comma_votes)} with a decimal comma (e.g. '
                f'"{comma_votes[0]}"); set decimal: "." or decimal: ","'
            )
        if dot_votes or comma_votes:
            decimal = "," if len(comma_votes) > len(dot_votes) else "."
        elif commas and not dots:
            if any(len(v.lstrip("0")) >= 4 and v.isdigit() for v in plain):
                decimal = ","  # 1500 written plain: "12,500" is not a thousands group
            else:  # "21,231" among "876": 21 231 with a thousands comma, or 21.231?
                example = commas[0]
                raise AmbiguousNumbers(
                    f'amounts such as "{example}" can be read two ways ({example.replace(",", "")} with a '
                    f"thousands comma, or {example.replace(',', '.')} with three decimals); set "
                    'decimal: "," (decimal comma) or decimal: "." (thousands comma, decimal dot)'
                )
        elif dots:
            if any(len(v.lstrip("0")) >= 4 and v.isdigit() for v in plain):
                decimal = "."  # 1500 written plain: "12.500" is not a thousands group
            else:
                example = dots[0]
                raise AmbiguousNumbers(
                    f'amounts such as "{example}" can be read two ways ({example.replace(".", "")} with a '
                    f'thousands dot, or {example} with three decimals); set decimal: "." (decimal dot) '
                    'or decimal: "," (thousands dot, decimal comma)'
                )
        else:
            decimal = "," if delimiter in (";", "\t") else "."
    elif (
        decimal == ","
        and dot_says_decimal is not None
        and comma_says_decimal is None
        and not any(v.rfind(",") > v.rfind(".") for v in both)
    ):
        raise AmbiguousNumbers(
            f'decimal is "," but amounts are written with a decimal dot (e.g. "{dot_says_decimal}"); '
            'set decimal: "." or decimal: auto'
        )
    elif (
        decimal == "."
        and comma_says_decimal is not None
        and dot_says_decimal is None
        and not any(v.rfind(".") > v.rfind(",") for v in both)
    ):
        raise AmbiguousNumbers(
            f'decimal is "." but amounts are written with a decimal comma (e.g. "{comma_says_decimal}"); '
            'set decimal: "," or decimal: auto'
        )
    if spec_thousands == decimal:
        raise AmbiguousNumbers(
            f'decimal and thousands are both "{decimal}"; set thousands: none or the other mark'
        )
    thousands: list[str] = list(_SPACES)
    if spec_thousands == "auto":
        # an apostrophe between digits is a thousands mark only (Swiss: 1'234.50, 1’234,50);
        # removed only where it groups digits by three, like the other marks
        thousands += _APOSTROPHES
        if decimal == "," and (dots or both):
            thousands.append(".")
        elif decimal == "." and (commas or both):
            thousands.append(",")
    elif spec_thousands in (".", ",", "'"):
        thousands.append(spec_thousands)
    return decimal, tuple(thousands)


#: the day number :func:`_days_read` gives a value no format reads
_UNREAD = -(1 << 40)


def _days_read(arr: pa.Array, *formats: str) -> np.ndarray:
    """Day numbers of the text dates ``arr`` under the first of ``formats`` that reads
    each (a four-digit year from 1000 with ``%Y``), :data:`_UNREAD` where none does."""
    days = np.full(len(arr), _UNREAD, np.int64)
    for fmt in formats:
        parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        floor = MIN_FOUR_DIGIT_YEAR if "%Y" in fmt else 1
        year = pc.fill_null(pc.year(parsed), 0)
        ok = np.asarray(pc.greater_equal(year, floor).to_numpy(zero_copy_only=False), bool)
        secs = np.asarray(pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(), np.int64)
        days = np.where((days == _UNREAD) & ok, secs // 86400, days)
    return days


def date_formats_of(
    values: Sequence[str],
    spec: FileSpec,
    name: str,
    config_name: str,
    extra: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """:func:`_detect_date_formats` for the file ``name``, with the configured format checked.

    A ``date_format`` the dates contradict is refused rather than applied: when another
    format reads more of the first rows' dates and reads some of those the configured one
    reads as other days (``05/03/2024`` as 3 May under ``%m/%d/%Y`` on a day-first file).
    Dates the configured format cannot read are only counted (``unparseable date``).
    ``extra``: the formats the reader tries after the configured one (Excel's text
    timestamps).
    """
    values = formula_text(values)  # ="15/01/2024": the date inside
    formats = _detect_date_formats(values, spec.date_format)
    if spec.date_format == "auto":
        return formats
    vals = [v.strip() for v in values if v is not None and v.strip()][:500]
    if not vals:
        return formats
    arr = pa.array(vals, pa.string())
    given = _days_read(arr, spec.date_format, *extra)
    n_given = int((given != _UNREAD).sum())
    best, best_days, n_best = None, given, n_given
    for fmt in DAYFIRST_FORMATS + _MONTHFIRST_FORMATS:
        days = _days_read(arr, fmt)
        count = int((days != _UNREAD).sum())
        if count > n_best:
            best, best_days, n_best = fmt, days, count
    if best is None:
        return formats
    other_days = (given != _UNREAD) & (best_days != _UNREAD) & (given != best_days)
    if other_days.any():
        example = vals[int(np.flatnonzero(other_days)[0])]
        fix = f'"{best}"' if n_best == len(vals) else "auto"
        raise InputError(
            f'{name}: dates such as "{shorten(example, 40)}" read as other days under '
            f'{spec.key}.date_format "{spec.date_format}" in {config_name} than under "{best}", '
            f"which reads {n_best} of the first {len(vals)} dates against {n_given}; "
            f"set {spec.key}.date_format: {fix}"
        )
    return formats


def _detect_date_formats(values: Sequence[str], spec_format: str) -> tuple[str, ...]:
    if spec_format != "auto":
        return (spec_format,)
    vals = [v.strip() for v in values if v is not None and v.strip()][:500]
    if not vals:
        return DAYFIRST_FORMATS
    arr = pa.array(vals, pa.string())
    candidates = DAYFIRST_FORMATS + _MONTHFIRST_FORMATS
    scores = [int((_days_read(arr, fmt) != _UNREAD).sum()) for fmt in candidates]
    best = candidates[int(np.argmax(scores))]
    rest = [f for f in DAYFIRST_FORMATS if f != best]
    if best in _MONTHFIRST_FORMATS:  # the sample says month-first: keep day-first out
        rest = [f for f in _MONTHFIRST_FORMATS if f != best] + [
            f for f in rest if f.startswith("%Y")
        ]
    return (best, *rest)


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` for UTF-16 text written without a BOM (every other byte 0)."""
    sample = head[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.3 and zeros_even < 0.02:
        return "utf-16-le"
    if zeros_even > 0.3 and zeros_odd < 0.02:
        return "utf-16-be"
    return None


def _utf32_without_bom(head: bytes) -> str | None:
    """``utf-32-le`` / ``utf-32-be`` for UTF-32 text written without a BOM (three bytes in
    four 0: every character of a CSV's text is below U+10000, most below U+0100)."""
    sample = head[:8192]
    sample = sample[: len(sample) // 4 * 4]
    if len(sample) < 16:
        return None
    lanes = [sample[i::4] for i in range(4)]
    zeros = [lane.count(0) / len(lane) for lane in lanes]
    if zeros[3] > 0.98 and zeros[2] > 0.98 and zeros[0] < 0.02:
        return "utf-32-le"
    if zeros[0] > 0.98 and zeros[1] > 0.98 and zeros[3] < 0.02:
        return "utf-32-be"
    return None


def _utf32(head: bytes) -> str | None:
    """The UTF-32 encoding of ``head``, with BOM (``utf-32``) or without, else None.

    Looked at before UTF-16: UTF-32's little-endian BOM begins with UTF-16's.
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    return _utf32_without_bom(head)


def _looks_binary(head: bytes) -> bool:
    if _utf32(head) is not None:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        return False
    sample = head[:65536]
    # a few NUL bytes in text are damage, refused with their line (icpc.io.text._refuse_nul)
    if sample.count(b"\x00") > max(8, len(sample) // 1000):
        return True
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return controls > max(8, len(sample) // 100)


def _mac_roman(head: bytes) -> bool:
    """Whether a text that is not UTF-8 writes its accented letters as Mac Roman does.

    French text written in Mac Roman has its é, è, ç in ``0x8D-0x9D``, bytes that
    Windows-1252 leaves unused (or reads Ž); written in Windows-1252, in ``0xE7-0xF9``.

    Example
    -------
    >>> _mac_roman("Désignation;Quantité;Reçu".encode("mac_roman"))
    True
    >>> _mac_roman("Désignation;Quantité;Reçu".encode("cp1252"))
    False
    """
    arr = np.frombuffer(head, np.uint8)
    mac = int(np.isin(arr, _MAC_LETTERS).sum())
    windows = int(np.isin(arr, _WINDOWS_LETTERS).sum())
    only_mac = bool(np.isin(arr, _MAC_ONLY).any())
    return mac >= 3 and mac > 4 * windows and (only_mac or mac >= 10)


def _detect_encoding(head: bytes, spec_encoding: str, where: str = "") -> str:
    if spec_encoding.lower() not in ("auto", ""):
        try:
            return codecs.lookup(spec_encoding).name
        except LookupError:
            raise InputError(
                f'{where}unknown encoding "{spec_encoding}"; use auto, utf-8, utf-8-sig, cp1252, latin-1 or mac_roman'
            ) from None
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    wide = _utf32(head)
    if wide is not None:
        return wide
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bomless = _utf16_without_bom(head)
    if bomless is not None:
        return bomless
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # mostly UTF-8 with a few stray Windows bytes: UTF-8 (the stray values are repaired one
    # by one and counted), not the whole file read as cp1252 ("HÃ©lÃ¨ne")
    text = head.decode("utf-8", errors="replace")
    stray = text.count("\ufffd")
    multibyte = len(_NON_ASCII.findall(text))
    if multibyte > stray:
        return "utf-8"
    if _mac_roman(head):
        return "mac_roman"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def number_format(
    values: Sequence[str], spec: FileSpec, delimiter: str | None, name: str, config_name: str
) -> tuple[str, tuple[str, ...]]:
    """:func:`_detect_number_format` for the file ``name``: ambiguity becomes an InputError."""
    values = formula_text(values)  # ="1234,56": the amount inside
    try:
        return _detect_number_format(values, spec.decimal, spec.thousands, delimiter)
    except AmbiguousNumbers as exc:
        raise InputError(
            f"{name}: {shorten(str(exc), 400)} under {spec.key} in {config_name}"
        ) from None
