"""The CSV / TXT reader: encoding, header line, delimiter, then Arrow's parser on bytes."""

from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError
from icpc.io.common import (
    _DELIMITERS,
    _HEADER_SEARCH_LINES,
    _SAMPLE_BYTES,
    _SAMPLE_ROWS,
    _TOTALS_START,
    RawTable,
    _is_ascii,
    _match_headers,
    _missing_columns_error,
    normalize_header,
)
from icpc.io.detect import (
    _detect_date_formats,
    _detect_encoding,
    _detect_number_format,
    _looks_binary,
)

__all__ = ["read_text"]


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


def read_text(spec: FileSpec, path: Path, head: bytes, config_name: str) -> RawTable:
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
