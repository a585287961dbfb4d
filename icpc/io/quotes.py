"""Find the quotes of a text export that never close, and read the file as it was meant.

A label such as ``"Vis 6`` opens a quote that is never closed: a CSV parser then reads
every following line as part of that one value — a fraction of the rows read, the rest of
the file gone, or one customer taking another's amount. A quote opens a value only at the
start of a field (``Ecran 24"`` is an inch mark, not a quote), so counting quotes is not
enough: :func:`records_span_lines` first tells, cheaply, whether the parser joined any
lines at all (rows read against non-empty lines); only then :func:`repair_quotes` walks
the lines that hold a quote, with Python's C ``csv`` reader.

A line whose quote leaves it open either starts a value that really spans lines (an
address on two lines: joined with the next lines up to the one that closes it, it reads as
one record of the header's number of fields, and no line in between is a record of its
own), or its quote is broken. A line that already has the header's number of fields when
split on the delimiter alone is a record with a stray quote, not the start of a
multi-line value. A broken line is *salvaged* when, read without quoting, it has the
header's number of fields (rewritten so that each quote is kept as a character, and an
opening quote that never closes is dropped; a warning names it), else *dropped* (a
malformed line in the ledger).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from icpc.io.common import _TOTALS_START, normalize_header

__all__ = ["Repair", "records_span_lines", "repair_quotes"]

#: the most lines one quoted value may span (an address, a comment); more is a broken quote
_MAX_SPAN = 50
#: bytes scanned at once: the masks of a 1-GB export stay small
_CHUNK = 1 << 26


@dataclass
class Repair:
    """What :func:`repair_quotes` found and did.

    Attributes
    ----------
    data : bytes or None
        The data lines (from the first data line on) to read instead of the file, when
        some lines were rewritten or dropped; None when the file reads as it is.
    dropped, dropped_totals : int
        Broken lines removed (malformed lines), of which totals lines.
    dropped_lines, salvaged : list of int
        File line numbers (1-based) of the dropped and of the salvaged lines.
    rows : list of int
        0-based data row (as Arrow numbers them) of each salvaged line.
    """

    data: bytes | None = None
    dropped: int = 0
    dropped_totals: int = 0
    dropped_lines: list[int] = field(default_factory=list)
    salvaged: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Lines:
    """The data lines of a buffer: where each starts and ends (its line break excluded)."""

    arr: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    content: np.ndarray  # length without a closing "\r"

    def text(self, k: int) -> bytes:
        return bytes(self.arr[self.starts[k] : self.starts[k] + self.content[k]])


def _lines(buffer: Any, start: int) -> _Lines:
    arr = np.frombuffer(memoryview(buffer), np.uint8)[start:]
    newline = 10 if _find(buffer, b"\n", start) >= 0 else 13
    ends = _positions(arr, newline)
    if not len(ends) or ends[-1] != len(arr) - 1:
        ends = np.append(ends, len(arr))
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    length = ends - starts
    cr = np.zeros(len(ends), bool)
    has = length > 0
    cr[has] = arr[ends[has] - 1] == 13
    return _Lines(arr, starts, ends, length - cr)


def records_span_lines(buffer: Any, start: int, rows: int) -> bool:
    """Whether the parser read fewer records than there are non-empty lines after ``start``.

    ``rows``: the records it returned, valid and malformed. Equal counts mean no value
    spans lines, so no quote can have swallowed anything.
    """
    if _find(buffer, b'"', start) < 0:
        return False
    lines = _lines(buffer, start)
    return int(np.count_nonzero(lines.content > 0)) != rows


def repair_quotes(
    buffer: Any, start: int, delimiter: str, n_fields: int, first_line: int
) -> Repair:
    """Tell multi-line values from broken quotes in the data lines of ``buffer``.

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
    lines = _lines(buffer, start)
    n = len(lines.ends)
    delim = delimiter.encode("ascii")
    quotes = _per_line(lines.arr, lines.ends, 34)
    naive = (
        _per_line(lines.arr, lines.ends, delim[0]) + 1
    )  # fields when split on the delimiter alone
    fields = naive.copy()  # fields as the parser reads each line alone
    complete = np.ones(n, bool)  # the line alone closes every quote it opens
    for q in np.flatnonzero(quotes > 0):
        got = _record(lines.text(int(q)), delimiter)
        complete[q] = got is not None
        if got is not None:
            fields[q] = len(got)
    empty = lines.content == 0
    role = np.zeros(n, np.int8)  # 0 a line of its own, 1 continues a value, 2 salvaged, 3 dropped
    span_fields: dict[int, int] = {}
    k = 0  # the first line not yet joined to a value
    openers = np.flatnonzero(~complete)
    for i in (int(x) for x in openers):
        if i < k:  # inside a value already joined
            continue
        if naive[i] < n_fields:
            j, joined = i + 1, lines.text(i)
            while j < n and j - i <= _MAX_SPAN:
                if complete[j] and naive[j] == n_fields and fields[j] == n_fields:
                    break  # a record of its own: the quote above is broken
                joined += b"\n" + lines.text(j)
                got = _record(joined, delimiter)
                if got is not None:
                    if len(got) == n_fields:
                        role[i + 1 : j + 1] = 1
                        span_fields[i] = n_fields
                        k = int(j + 1)
                    break
                j += 1
            if i in span_fields:
                continue
        role[i] = 2 if naive[i] == n_fields else 3
        k = int(i + 1)
    repair = Repair()
    broken = np.flatnonzero(role >= 2)
    if not len(broken):
        return repair
    pieces: list[bytes] = []
    at = 0
    for b in (int(x) for x in broken):
        pieces.append(bytes(lines.arr[at : lines.starts[b]]))
        if role[b] == 2:
            cells = lines.text(b).split(delim)
            pieces.append(
                delim.join(b'"' + _unquoted(c).replace(b'"', b'""') + b'"' for c in cells)
            )
            repair.salvaged.append(first_line + b)
        else:
            repair.dropped += 1
            repair.dropped_lines.append(first_line + b)
            first = lines.text(b).split(delim)[0].decode("latin-1").strip('"')
            if _TOTALS_START.match(normalize_header(first)):
                repair.dropped_totals += 1
        at = int(
            lines.starts[b] + lines.content[b]
        )  # keep the line break: an empty line, which Arrow skips
    pieces.append(bytes(lines.arr[at:]))
    repair.data = b"".join(pieces)
    # the data row of each salvaged line: the records the parser reads before it
    emits = ~empty & (role != 1) & (role != 3)
    emits &= np.where(role == 2, True, np.where(complete, fields == n_fields, False))
    for i, f in span_fields.items():
        emits[i] = f == n_fields
    before = np.cumsum(emits) - emits
    repair.rows = [int(before[s - first_line]) for s in repair.salvaged]
    return repair


def _record(text: bytes, delimiter: str) -> list[str] | None:
    """The fields of ``text`` read as exactly one strict CSV record, else None."""
    try:
        rows = list(
            csv.reader([text.decode("latin-1")], delimiter=delimiter, quotechar='"', strict=True)
        )
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def _positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """Positions of ``byte`` in ``arr``, scanned by chunks."""
    parts = [
        np.flatnonzero(arr[at : at + _CHUNK] == byte) + at for at in range(0, len(arr), _CHUNK)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _per_line(arr: np.ndarray, ends: np.ndarray, byte: int) -> np.ndarray:
    """How many times ``byte`` occurs on each line (``ends``: position of each line's end)."""
    counts = np.zeros(len(ends), np.int64)
    for at in range(0, len(arr), _CHUNK):
        found = np.flatnonzero(arr[at : at + _CHUNK] == byte) + at
        if len(found):
            lines = np.searchsorted(ends, found)
            low = int(lines[0])
            got = np.bincount(lines - low)
            counts[low : low + len(got)] += got
    return counts


def _unquoted(cell: bytes) -> bytes:
    """A salvaged cell's value: quotes around it removed, an opening quote never closed dropped,
    any other quote (an inch mark) kept."""
    stripped = cell.strip()
    if (
        len(stripped) >= 2
        and stripped.startswith(b'"')
        and stripped.endswith(b'"')
        and b'"' not in stripped[1:-1].replace(b'""', b"")
    ):
        return stripped[1:-1].replace(b'""', b'"')
    if stripped.startswith(b'"') and stripped.count(b'"') == 1:
        return stripped[1:]
    return cell


def _find(buffer: Any, needle: bytes, start: int) -> int:
    finder = getattr(buffer, "find", None)
    if finder is not None:
        return int(finder(needle, start))
    return bytes(buffer).find(needle, start)


def _rows_of_lines(repair: Repair, n_rows: int) -> np.ndarray:
    """Bool mask of the data rows of the salvaged lines."""
    mask = np.zeros(n_rows, bool)
    rows = [r for r in repair.rows if 0 <= r < n_rows]
    mask[rows] = True
    return mask
