"""Find the quotes of a text export that never close, before Arrow reads it.

A label such as ``"Vis 6`` with an opening quote that is never closed makes a CSV parser
read every following line as part of that one value: a fraction of the rows read, the
rest of the file gone. :func:`_repair_quotes` counts the quotes of each line (vectorised)
and looks only at the lines with an odd count. Such a line either opens a value that
really spans lines (an address on two lines: the record it starts, joined with the
following lines up to the next odd line, parses strictly into the header's number of
fields, and no line in between is a record on its own), or its quote is broken. A broken
line is *salvaged* when, read without quoting, it has the header's number of fields
(rewritten so that the quote is kept as a character; a warning names it), else
*dropped* (a malformed line in the ledger). Files without a quote, and files whose
every line has an even number of quotes, are not copied.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from icpc.io.common import _TOTALS_START, normalize_header

__all__ = ["Repair"]

#: the most lines one quoted value may span (an address, a comment); more is a broken quote
_MAX_SPAN = 50


@dataclass
class Repair:
    """What :func:`_repair_quotes` found and did.

    Attributes
    ----------
    data : bytes or None
        The data lines (from the first data line on) to read instead of the file, when
        some lines were rewritten or dropped; None when the file reads as it is.
    multiline : bool
        Some quoted values really span lines (Arrow must allow newlines in values).
    dropped, dropped_totals : int
        Broken lines removed (malformed lines), of which totals lines.
    dropped_lines, salvaged : list of int
        File line numbers (1-based) of the dropped and of the salvaged lines.
    rows : list of int
        0-based data row (as Arrow will number it) of each salvaged line.
    """

    data: bytes | None = None
    multiline: bool = False
    dropped: int = 0
    dropped_totals: int = 0
    dropped_lines: list[int] = field(default_factory=list)
    salvaged: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def _repair_quotes(buffer: Any, start: int, delimiter: str, n_fields: int, first_line: int) -> Repair:
    """Look for broken quotes in the data lines of ``buffer`` (from byte ``start``).

    Parameters
    ----------
    buffer : bytes-like
        The whole file (or its UTF-8 copy).
    start : int
        Offset of the first data line.
    delimiter : str
        The field separator.
    n_fields : int
        Fields of the header line.
    first_line : int
        File line number of the first data line, for messages.

    Returns
    -------
    Repair
    """
    if _find(buffer, b'"', start) < 0:
        return Repair()
    arr = np.frombuffer(memoryview(buffer), np.uint8)[start:]
    newline = 10 if _find(buffer, b"\n", start) >= 0 else 13
    ends = _positions(arr, newline)
    if not len(ends) or ends[-1] != len(arr) - 1:
        ends = np.append(ends, len(arr))
    counts = _per_line(arr, ends, 34)
    odd = np.flatnonzero(counts % 2 == 1)
    if not len(odd):
        return Repair()
    starts = np.concatenate([[0], ends[:-1] + 1])
    delim = delimiter.encode("ascii")

    def line(k: int) -> bytes:
        return bytes(arr[starts[k]:ends[k]]).rstrip(b"\r")

    def record(text: bytes) -> list[str] | None:
        """The fields of ``text`` read as exactly one strict CSV record, else None."""
        try:
            rows = list(csv.reader([text.decode("latin-1")], delimiter=delimiter, quotechar='"', strict=True))
        except csv.Error:
            return None
        return rows[0] if len(rows) == 1 else None

    def complete(k: int) -> bool:
        got = record(line(k))
        return got is not None and len(got) == n_fields

    spans: list[tuple[int, int]] = []
    broken: list[int] = []
    k = 0
    while k < len(odd):
        i = int(odd[k])
        j = int(odd[k + 1]) if k + 1 < len(odd) else None
        if j is not None and j - i <= _MAX_SPAN:
            joined = b"\n".join(line(t) for t in range(i, j + 1))
            got = record(joined)
            if got is not None and len(got) == n_fields and not any(complete(t) for t in range(i + 1, j)):
                spans.append((i, j))
                k += 2
                continue
        broken.append(i)
        k += 1
    repair = Repair(multiline=bool(spans))
    if not broken:
        return repair
    pieces: list[bytes] = []
    at = 0
    salvaged_at: list[int] = []
    for b in broken:
        pieces.append(bytes(arr[at:starts[b]]))
        cells = line(b).split(delim)
        if len(cells) == n_fields:
            pieces.append(delim.join(b'"' + _unquoted(c).replace(b'"', b'""') + b'"' for c in cells))
            repair.salvaged.append(first_line + b)
            salvaged_at.append(b)
        else:
            repair.dropped += 1
            repair.dropped_lines.append(first_line + b)
            first = cells[0].decode("latin-1") if cells else ""
            if _TOTALS_START.match(normalize_header(first.strip('"'))):
                repair.dropped_totals += 1
        at = int(ends[b])  # keep the line break: an empty line, which Arrow skips
    pieces.append(bytes(arr[at:]))
    repair.data = b"".join(pieces)
    if salvaged_at:
        repair.rows = _row_numbers(arr, starts, ends, counts, spans, set(broken) - set(salvaged_at), salvaged_at,
                                   delim, n_fields, record)
    return repair


#: bytes scanned at once: the masks of a 1-GB export stay small
_CHUNK = 1 << 26


def _positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """Positions of ``byte`` in ``arr``, scanned by chunks."""
    parts = [np.flatnonzero(arr[at:at + _CHUNK] == byte) + at for at in range(0, len(arr), _CHUNK)]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _per_line(arr: np.ndarray, ends: np.ndarray, byte: int) -> np.ndarray:
    """How many times ``byte`` occurs on each line (``ends``: position of each line's end)."""
    counts = np.zeros(len(ends), np.int64)
    for at in range(0, len(arr), _CHUNK):
        found = np.flatnonzero(arr[at:at + _CHUNK] == byte) + at
        if len(found):
            lines = np.searchsorted(ends, found)
            low = int(lines[0])
            got = np.bincount(lines - low)
            counts[low:low + len(got)] += got
    return counts


def _unquoted(cell: bytes) -> bytes:
    """A cell's value: a properly quoted cell loses its quotes, any other keeps its text."""
    if len(cell) >= 2 and cell.startswith(b'"') and cell.endswith(b'"') and b'"' not in cell[1:-1].replace(b'""', b""):
        return cell[1:-1].replace(b'""', b'"')
    return cell


def _find(buffer: Any, needle: bytes, start: int) -> int:
    finder = getattr(buffer, "find", None)
    if finder is not None:
        return int(finder(needle, start))
    return bytes(buffer).find(needle, start)


def _row_numbers(arr: np.ndarray, starts: np.ndarray, ends: np.ndarray, counts: np.ndarray,
                 spans: list[tuple[int, int]], dropped: set[int], wanted: list[int], delim: bytes,
                 n_fields: int, record: Any) -> list[int]:
    """The data row Arrow gives each line of ``wanted``: the records it reads before it."""
    length = ends - starts
    cr = np.zeros(len(ends), bool)
    cr[length > 0] = arr[ends[length > 0] - 1] == 13  # CRLF: the "\r" is not content
    emits = (length - cr) > 0  # Arrow skips empty lines
    for i, j in spans:
        emits[i + 1:j + 1] = False  # continuation lines of a value spanning lines
    for b in dropped:
        emits[b] = False
    fields = _per_line(arr, ends, delim[0]) + 1
    plain = counts == 0
    emits &= ~plain | (fields == n_fields)  # Arrow skips lines of another width
    in_span = {i for i, _ in spans}
    for k in np.flatnonzero(~plain & emits):
        if int(k) in in_span or int(k) in wanted:
            continue
        got = record(bytes(arr[starts[k]:ends[k]]).rstrip(b"\r"))
        emits[k] = got is not None and len(got) == n_fields
    before = np.cumsum(emits) - emits
    return [int(before[w]) for w in wanted]


def _rows_of_lines(repair: Repair, n_rows: int) -> np.ndarray:
    """Bool mask of the data rows of the salvaged lines."""
    mask = np.zeros(n_rows, bool)
    rows = [r for r in repair.rows if 0 <= r < n_rows]
    mask[rows] = True
    return mask
