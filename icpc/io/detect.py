"""Detect a text export's encoding and the number and date formats of its values."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc.exceptions import InputError
from icpc.io.common import _MONTHFIRST_FORMATS, _SPACES, DAYFIRST_FORMATS


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
