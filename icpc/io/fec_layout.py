"""The FEC's layout: its legal fields, how to recognise its header line, and its refusals.

Shared by the FEC reader (:mod:`icpc.io.fec`) and by :func:`icpc.io.read_table`, which
refuses a FEC given as invoice lines.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from icpc.config import FileSpec
from icpc.exceptions import InputError, shorten
from icpc.io.common import _HEADER_SEARCH_LINES, normalize_header
from icpc.io.detect import _detect_encoding

__all__ = ["FEC_FIELDS", "looks_like_fec", "fec_refusal"]


#: the 18 fields of the FEC, in their legal order (Debit/Credit layout)
FEC_FIELDS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
              "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
              "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise")  # fmt: skip


#: fields without which the lines cannot be read; PieceRef, PieceDate, CompAuxNum and
#: CompAuxLib have fallbacks (EcritureNum, EcritureDate, CompteNum, none)
_REQUIRED = ("JournalCode", "EcritureNum", "EcritureDate", "CompteNum")


_OPTIONAL = ("PieceRef", "PieceDate", "CompAuxNum", "CompAuxLib")


_LAYOUTS = {"debit/credit": ("Debit", "Credit"), "montant/sens": ("Montant", "Sens")}


#: delimiters tried when ``delimiter: auto``, the legal ones first
_FEC_DELIMITERS = ("|", "\t", ";", ",")


def _fold(header: Any) -> str:
    """A header folded for matching: no case, accents, spaces or underscores."""
    return normalize_header(header).replace(" ", "").replace("_", "")


_FOLDED = {_fold(f): f for f in (*FEC_FIELDS, "Montant", "Sens")}


def _fields(cells: Sequence[str]) -> dict[str, int]:
    """FEC field name -> position in a header line (first occurrence)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = _FOLDED.get(_fold(cell.strip().strip('"')))
        if name is not None:
            found.setdefault(name, i)
    return found


def _layout(found: dict[str, int]) -> str | None:
    return next((name for name, pair in _LAYOUTS.items() if all(f in found for f in pair)), None)


def looks_like_fec(head: bytes) -> bool:
    """Whether the first lines of a text file hold a FEC header line.

    A FEC header names at least JournalCode, EcritureNum, CompteNum and Debit/Credit (or
    Montant/Sens), compared without case, accents, spaces or underscores, whatever the
    separator.

    Parameters
    ----------
    head : bytes
        The first bytes of the file.

    Returns
    -------
    bool
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = head[:65536].decode("utf-32", errors="ignore")
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head[:65536].decode("utf-16", errors="ignore")
    else:  # header names are ASCII in every encoding
        text = head[len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0 : 65536].decode(
            "latin-1"
        )
    lines = [line for line in re.split(r"\r\n|\r|\n", text)[:10] if line.strip()]
    for line in lines:
        found = _fields(re.split(r"[|\t;,]", line))
        if all(f in found for f in ("JournalCode", "EcritureNum", "CompteNum")) and _layout(found):
            return True
    return False


def fec_refusal(spec: FileSpec, path: Path, config_name: str) -> InputError:
    """The error for a FEC given without ``format: fec`` (read as invoice lines it would
    count the customer debits, VAT included).

    Parameters
    ----------
    spec : FileSpec
        The spec of the file.
    path : Path
        The file.
    config_name : str
        The config file's name, for the message.

    Returns
    -------
    InputError
    """
    if spec.key == "transactions":
        return InputError(
            f"{path.name}: this file is a FEC (accounting entries), not invoice lines; "
            f'add "format: fec" under transactions in {config_name} and remove transactions.columns'
        )
    return InputError(f"{path.name}: this file is a FEC (accounting entries), not a {spec.key} file; "
                      f"check {spec.key}.path in {config_name}")  # fmt: skip


def _encoding(head: bytes, spec: FileSpec, name: str) -> str:
    """The detected encoding; ISO-8859-15 rather than cp1252 when only ISO-8859-15 makes sense.

    Both agree on accented letters; they differ on a few bytes (``0xA4`` is € in
    ISO-8859-15, ¤ in cp1252; ``0xBC``/``0xBD`` Œ/œ vs ¼/½). Without any byte in
    ``0x80-0x9F`` (cp1252's €, œ, quotes, never in ISO-8859-15), those bytes mean
    ISO-8859-15, the FEC's legal encoding.
    """
    encoding = _detect_encoding(head, spec.encoding, f"{name}: {spec.key}.encoding: ")
    if spec.encoding.lower() in ("auto", "") and encoding in ("cp1252", "latin-1"):
        arr = np.frombuffer(head, np.uint8)
        if (
            not ((arr >= 0x80) & (arr <= 0x9F)).any()
            and np.isin(arr, (0xA4, 0xBC, 0xBD, 0xBE)).any()
        ):
            return "iso8859-15"
    return encoding


def _header(
    decoded: list[tuple[int, str]], spec: FileSpec
) -> tuple[int, str, list[str], dict[str, int]]:
    """The header line (index, delimiter, cells, FEC fields found): the one naming most FEC fields."""
    delimiters = _FEC_DELIMITERS if spec.delimiter == "auto" else (spec.delimiter,)
    best: tuple[int, int, str, list[str], dict[str, int]] | None = None
    for i, (_, text) in enumerate(decoded[:_HEADER_SEARCH_LINES]):
        if not text.strip():
            continue
        for delim in delimiters:
            cells = text.split(delim)
            found = _fields(cells)
            if best is None or len(found) > best[0]:
                best = (len(found), i, delim, cells, found)
    assert best is not None
    _, i, delim, cells, found = best
    if not found:  # not a FEC header: show the first line split the way that gives most fields
        cells = max((decoded[i][1].split(d) for d in delimiters), key=len)
    return i, delim, cells, found


def _missing_fields_error(
    name: str, cells: list[str], found: dict[str, int], config_name: str
) -> InputError:
    missing = [f for f in _REQUIRED if f not in found]
    if _layout(found) is None:
        missing.append("Debit and Credit (or Montant and Sens)")
    shown = [c.strip() for c in cells if c.strip()][:30]
    listed = ", ".join(f'"{shorten(h, 40)}"' for h in shown) or "(none)"
    return InputError(
        f"{name}: not a readable FEC: field(s) {', '.join(missing)} not found in the header line; "
        f"headers are: {shorten(listed, 600)}; export the FEC with its standard fields (JournalCode|JournalLib|"
        f"EcritureNum|…|Debit|Credit|…), or check transactions.delimiter and transactions.format in {config_name}"
    )
