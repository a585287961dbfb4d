"""The CSV / TXT reader: encoding, header line, delimiter, then Arrow's parser on bytes.

The mapped columns, read as bytes, are decoded by :mod:`icpc.io.decoding`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import mmap
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError, shorten
from icpc.io.common import (
    _DELIMITERS,
    _HEADER_SEARCH_LINES,
    _LATE_HEADER_LINES,
    _SAMPLE_BYTES,
    _SAMPLE_ROWS,
    _TOTALS_START,
    W_NOT_UTF8,
    W_UNCLOSED_QUOTE,
    W_UTF8_IN_8BIT,
    RawTable,
    _match_headers,
    _missing_columns_error,
    duplicate_headers_error,
    finish_table,
    normalize_header,
)
from icpc.io.decoding import _decode_column
from icpc.io.detect import (
    _detect_encoding,
    _looks_binary,
    date_formats_of,
    number_format,
)
from icpc.io.quotes import Repair, _find, _rows_of_lines, records_span_lines, repair_quotes

__all__ = ["read_text"]


def _split_lines(data: bytes) -> list[tuple[int, bytes]]:
    """Lines of ``data`` with the byte offset where each one starts (\\n, \\r\\n or \\r)."""
    out = []
    pos = 0
    for m in re.finditer(rb"\r\n|\r|\n", data):
        out.append((pos, data[pos : m.start()]))
        pos = m.end()
    if pos < len(data):
        out.append((pos, data[pos:]))
    return out


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter, quotechar='"'))
    except (StopIteration, csv.Error):
        return []


def read_text(spec: FileSpec, path: Path, head: bytes, config_name: str) -> RawTable:
    """Read a CSV / TXT export: encoding, header line and delimiter detected, then Arrow.

    Lines whose quotes do not close are found before Arrow reads (an opening quote that
    is never closed would swallow the rest of the file): such a line is read without
    quoting when it then has the header's number of fields (a warning names it), else it
    is a malformed line. Values whose bytes are not UTF-8 in a UTF-8 file are read as
    Windows-1252, one by one, and counted.
    """
    name = path.name
    if _looks_binary(head):
        raise InputError(
            f"{name}: not a text table (binary content); export the {spec.key} as CSV (text), Excel or Parquet"
        )
    encoding = _detect_encoding(head, spec.encoding, f"{name}: {spec.key}.encoding: ")
    file_encoding = encoding  # the ledger's: UTF-16 and UTF-32 are then read as UTF-8
    source: Any
    source, encoding, text_enc, lines, decoded = open_text(
        path, head, encoding, what=f"the {spec.key}", config_key=spec.key, config_name=config_name
    )

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
    if best[0] < len(spec.columns):  # a long preamble: a line further down naming them all
        best = _late_header(decoded, delimiters, spec) or best
    n_found, hline, delimiter, headers = best
    if n_found < len(spec.columns):
        if n_found == 0:  # show the first line, split the way that gives most fields
            first = next(t for _, t in decoded if t.strip())
            headers = max((_cells(first, d) for d in delimiters), key=len)
        raise _missing_columns_error(
            spec, headers, _match_headers(headers, spec.columns), config_name
        )
    duplicate = duplicate_headers_error(spec, headers, name, config_name)
    if duplicate is not None:
        raise duplicate
    found = _match_headers(headers, spec.columns)
    data_lines = [t for _, t in decoded[hline + 1 :] if t.strip()]
    if hline + 1 >= len(lines) or not data_lines:
        raise InputError(
            f"{name}: headers only, no data rows (header on line {hline + 1}); export the {spec.key} with its rows"
        )
    data_offset = lines[hline + 1][0]

    # detect formats on a sample of the data rows
    sample_rows = [_cells(t, delimiter) for t in data_lines[:_SAMPLE_ROWS]]
    headers = _fit_trailing_delimiter(headers, sample_rows)

    def sample_of(canon: str) -> list[str]:
        j = found.get(canon)
        return [r[j] for r in sample_rows if j is not None and len(r) > j]

    numbers = sample_of(C.AMOUNT) + sample_of(C.MARGIN)
    decimal, thousands = number_format(numbers, spec, delimiter, name, config_name)
    dates = sample_of(C.DATE) or sample_of(C.CREATED_AT)
    date_formats = date_formats_of(dates, spec, name, config_name)

    names = [f"c{i}" for i in range(len(headers))]
    wanted = sorted(set(found.values()) | {0})
    counter = {"malformed": 0, "totals": 0}
    examples: list[str] = []  # the first malformed line's text
    buffer: Any = source if source is not None else _map(path)
    has_quotes = _find(buffer, b'"', data_offset) >= 0

    def on_invalid(row: Any) -> str:
        if not normalize_header(row.text or ""):
            # nothing visible: a Ctrl-Z ending a DOS file, a form feed between pages; no
            # line, like a blank one
            return "skip"
        counter["malformed"] += 1
        if not examples:
            examples.append(row.text or "")
        first = _cells(row.text or "", delimiter)[:1]
        if first and _TOTALS_START.match(normalize_header(first[0])):
            counter["totals"] += 1
        return "skip"

    def read(data: Any, offset: int) -> pa.Table:
        # bytes, not text: no transcoding pass over the whole file; only the mapped
        # columns are decoded afterwards (ASCII columns for free, the others through
        # their dictionary of distinct values)
        counter.update(malformed=0, totals=0)
        src = pa.BufferReader(data)
        src.seek(offset)
        return pacsv.read_csv(
            src,
            read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=has_quotes,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=[names[i] for i in wanted],
                column_types={names[i]: pa.binary() for i in wanted},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def parse(data: Any, offset: int) -> tuple[pa.Table, Any, int]:
        """Arrow's read; a malformed line whose bytes are not UTF-8 cannot reach the row
        handler: then a UTF-8 copy is read instead (only such files pay for it)."""
        nonlocal encoding, text_enc
        try:
            with _quiet_unraisable():
                return read(data, offset), data, offset
        except pa.ArrowInvalid as exc:
            if text_enc == "utf-8" or "columns" not in str(exc):
                raise _unreadable(name, spec, config_name, exc) from None
        raw_bytes = bytes(memoryview(data)[offset:])
        try:
            utf8 = raw_bytes.decode(text_enc).encode("utf-8")
        except UnicodeDecodeError:
            utf8 = raw_bytes.decode("latin-1").encode("utf-8")
        encoding, text_enc = "utf-8", "utf-8"
        try:
            return read(utf8, 0), utf8, 0
        except pa.ArrowInvalid as exc2:
            raise _unreadable(name, spec, config_name, exc2) from None

    table, read_from, read_at = parse(buffer, data_offset)
    repair = Repair()
    if has_quotes and (
        counter["malformed"]
        or records_span_lines(read_from, read_at, table.num_rows + counter["malformed"])
    ):
        # some value spans lines: a multi-line address, or a quote that never closes
        repair = repair_quotes(read_from, read_at, delimiter, len(headers), hline + 2)
        if repair.data is not None:
            table, _, _ = parse(repair.data, 0)
    counter["malformed"] += repair.dropped
    counter["totals"] += repair.dropped_totals
    if table.num_rows == 0 and counter["malformed"] == 0:
        raise InputError(
            f"{name}: headers only, no data rows (header on line {hline + 1}); export the {spec.key} with its rows"
        )
    refusal = malformed_refusal(
        name,
        counter["malformed"] - counter["totals"],
        table.num_rows,
        len(headers),
        delimiter,
        examples,
        spec.key,
        config_name,
    )
    if refusal is not None:
        raise refusal
    decoded_cols: dict[str, pa.ChunkedArray] = {}
    stray = np.zeros(table.num_rows, bool)
    for i in wanted:
        col, repaired = _decode_column(table.column(names[i]), encoding)
        decoded_cols[names[i]] = col
        if repaired is not None and i in found.values():
            stray |= repaired
    cols = {canon: decoded_cols[names[j]] for canon, j in found.items()}
    flagged: dict[str, np.ndarray] = {}
    if stray.any():  # values read in the other encoding than the file's
        flagged[W_NOT_UTF8 if encoding.replace("_", "-").startswith("utf") else W_UTF8_IN_8BIT] = (
            stray
        )
    details: dict[str, Any] = {
        "format": "csv",
        "encoding": file_encoding,
        "delimiter": delimiter,
        "header_line": hline + 1,
    }
    if repair.salvaged:
        details["unclosed_quote_lines"] = repair.salvaged[:5]
        flagged[W_UNCLOSED_QUOTE] = _rows_of_lines(repair, table.num_rows)
    if repair.dropped:
        details["malformed_lines"] = repair.dropped_lines[:5]
    return finish_table(
        spec,
        path,
        columns=cols,
        headers=headers,
        found=found,
        first_column=decoded_cols[names[0]],
        n_rows=table.num_rows,
        formats=(decimal, thousands, date_formats),
        details=details,
        malformed=counter["malformed"],
        malformed_totals=counter["totals"],
        flagged=flagged,
    )


def malformed_refusal(
    name: str,
    broken: int,
    read: int,
    n_fields: int,
    delimiter: str,
    examples: list[str],
    key: str,
    config_name: str,
) -> InputError | None:
    """The refusal of a file whose malformed lines (not splitting into the header's fields)
    are no damaged lines but a wrong delimiter or an export that changes delimiter, else
    None (they are counted). Refused: more such lines than lines read; or at least 1 % of
    them (two or more), the first splitting into the header's fields with another
    delimiter."""
    if broken < 2:
        return None
    shown = {"\t": "tab", " ": "space"}
    fits = [
        d
        for d in (";", "\t", ",", "|")
        if examples and d != delimiter and len(_cells(examples[0], d)) == n_fields
    ]
    if broken <= read and not (fits and broken * 100 >= broken + read):
        return None
    if fits:
        other = f'; they split with "{shown.get(fits[0], fits[0])}" instead'
    else:
        other = f" (the first has {len(_cells(examples[0], delimiter))})" if examples else ""
    return InputError(
        f"{name}: {broken} lines do not split into the header's {n_fields} fields with the "
        f'delimiter "{shown.get(delimiter, delimiter)}", against {read} that do{other}; export '
        f"the file again with one delimiter, or set {key}.delimiter in {config_name}"
    )


def _late_header(
    decoded: list[tuple[int, str]], delimiters: tuple[str, ...], spec: FileSpec
) -> tuple[int, int, str, list[str]] | None:
    """The first line after the first :data:`_HEADER_SEARCH_LINES` (up to
    :data:`_LATE_HEADER_LINES`) naming every mapped column: the header under a long title
    block (a report's parameters, a legend). Only a complete match counts so far down."""
    wanted = len(spec.columns)
    for i in range(_HEADER_SEARCH_LINES, min(len(decoded), _LATE_HEADER_LINES)):
        text = decoded[i][1]
        if not text.strip():
            continue
        for delim in delimiters:
            cells = _cells(text, delim)
            if len(cells) >= wanted and len(_match_headers(cells, spec.columns)) == wanted:
                return (wanted, i, delim, cells)
    return None


def open_text(
    path: Path, head: bytes, encoding: str, *, what: str, config_key: str, config_name: str
) -> tuple[Any, str, str, list[tuple[int, bytes]], list[tuple[int, str]]]:
    """The first lines of a text export, decoded, to find its header line and formats.

    UTF-16 and UTF-32 files are transcoded to UTF-8 once (their bytes are then the
    ``source``); other files stay on disk (``source`` None) and their first MiB is extended
    when it holds fewer than three lines (a huge first cell). The last, maybe cut, line is
    dropped. A NUL byte anywhere in the text stops the reading (:func:`_refuse_nul`).

    Returns
    -------
    source : bytes or None
    encoding, text_encoding : str
        The encoding of the bytes to parse, and the one to decode text with (no BOM).
    lines : list of (offset, bytes)
        The first lines and the offset in ``source`` (or the file) where each starts.
    decoded : list of (offset, str)
    """
    name = path.name
    source: Any = None
    if encoding.startswith(("utf-16", "utf-32")):  # decoded whole, parsed as UTF-8
        try:
            source = path.read_bytes().decode(encoding).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: not valid {encoding.upper()} text (byte {exc.start}); export "
                f"{what} again, or set {config_key}.encoding in {config_name}"
            ) from None
        head, encoding = source[:_SAMPLE_BYTES], "utf-8"
    else:
        head = _head_with_lines(path, head)
    bom = codecs.BOM_UTF8 if head.startswith(codecs.BOM_UTF8) else b""
    sample_bytes = head[len(bom) :]
    if len(head) >= _SAMPLE_BYTES and (
        source is None or len(source) > len(head)
    ):  # drop the last, maybe cut, line
        cut = max(sample_bytes.rfind(b"\n"), sample_bytes.rfind(b"\r"))
        sample_bytes = sample_bytes[: cut + 1] if cut > 0 else sample_bytes
    lines = [(off + len(bom), b) for off, b in _split_lines(sample_bytes)]
    text_enc = "utf-8" if encoding == "utf-8-sig" else encoding
    decoded = [(off, b.decode(text_enc, errors="replace")) for off, b in lines]
    if not any(t.strip() for _, t in decoded):
        raise InputError(f"{name}: the file is empty (no text); export {what} again")
    _refuse_nul(path, source, what)
    return source, encoding, text_enc, lines, decoded


def _refuse_nul(path: Path, source: bytes | None, what: str) -> None:
    """Stop at NUL bytes (``\\x00``) in a text export, with their count and first line.

    No text export writes them: they are damage (a copy cut short, a field padded by an
    old system). Read as they are, they would end up inside a value — a customer code with
    an invisible character is another customer — so the file is refused with the fix.
    The whole file is searched (~0.03 s a GB); only a file that holds one is read again.
    """
    data: Any = source
    if data is None:
        with open(path, "rb") as fh:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        first = data.find(b"\x00")
        if first < 0:
            return
        arr = np.frombuffer(data, np.uint8)
        count = int(np.count_nonzero(arr == 0))
        before = arr[:first]
        newline = 10 if np.count_nonzero(before == 10) or not np.count_nonzero(before == 13) else 13
        line = int(np.count_nonzero(before == newline)) + 1
        del arr, before  # the map closes only once no array looks at it
    finally:
        if source is None:
            data.close()
    name = path.name
    plural = "s" if count > 1 else ""
    raise InputError(
        f"{name}: {count} NUL byte{plural} (\\x00, invisible) in the text, the first on line "
        f"{line}: the export is damaged there (a value read with it would be another value); "
        f"export {what} again, or remove them: tr -d '\\000' < {name} > fixed{path.suffix}, "
        "then give that file's path in the config"
    )


def _unreadable(name: str, spec: FileSpec, config_name: str, exc: Exception) -> InputError:
    msg = shorten(str(exc).splitlines()[0], 200)
    return InputError(
        f"{name}: cannot be read as a text table ({msg}); "
        f"check {spec.key}.delimiter and {spec.key}.encoding in {config_name}"
    )


@contextlib.contextmanager
def _quiet_unraisable() -> Iterator[None]:
    """Keep Arrow's "Exception ignored" notes (a row handler that could not be called) off stderr."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda *_: None
    try:
        yield
    finally:
        sys.unraisablehook = hook


def _map(path: Path) -> Any:
    """The file's bytes, memory-mapped (zero copy; the file is not empty here)."""
    with open(path, "rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _head_with_lines(path: Path, head: bytes, *, lines: int = 3, limit: int = 64 << 20) -> bytes:
    """The first MiB, or more when it holds fewer than ``lines`` line breaks (a huge first cell)."""
    if len(head) < _SAMPLE_BYTES:
        return head
    size = len(head)
    while (
        head.count(b"\n") + (head.count(b"\r") if b"\n" not in head else 0) < lines and size < limit
    ):
        size *= 4
        with open(path, "rb") as fh:
            more = fh.read(size)
        if len(more) == len(head):
            break
        head = more
    return head


def _fit_trailing_delimiter(headers: list[str], rows: list[list[str]]) -> list[str]:
    """The header fitted to rows that differ from it only by a trailing delimiter.

    Many exports end every data line with the delimiter but not the header line (or
    the reverse): each row then has one field more (or less) than the header, and the
    whole file would read as malformed. When the usual width of the sample rows differs
    from the header and the cells in between are all empty, the header is padded with
    empty names (or its empty trailing names dropped). Anything else is left alone.

    >>> _fit_trailing_delimiter(["a", "b"], [["1", "2", ""], ["3", "4", ""]])
    ['a', 'b', '']
    >>> _fit_trailing_delimiter(["a", "b", ""], [["1", "2"], ["3", "4"]])
    ['a', 'b']
    >>> _fit_trailing_delimiter(["a", "b"], [["1", "2", "x"], ["3", "4", "y"]])
    ['a', 'b']
    """
    widths = Counter(len(r) for r in rows)
    if not widths:
        return headers
    width, _ = widths.most_common(1)[0]
    if width > len(headers):
        extra = [c for r in rows if len(r) == width for c in r[len(headers) :]]
        if all(not c.strip() for c in extra):
            return headers + [""] * (width - len(headers))
    elif width < len(headers) and all(not h.strip() for h in headers[width:]):
        return headers[:width]
    return headers
