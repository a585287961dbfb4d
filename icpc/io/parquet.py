"""The Parquet reader: typed columns kept as stored, text as dictionaries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError
from icpc.io.common import (
    _SAMPLE_ROWS,
    W_NOT_UTF8,
    RawTable,
    _match_headers,
    _missing_columns_error,
    duplicate_headers_error,
    finish_table,
)
from icpc.io.decoding import _decode_column
from icpc.io.detect import date_formats_of, number_format

if TYPE_CHECKING:
    import pyarrow.parquet as pq

__all__ = ["read_parquet"]

#: a dictionary page holds at most this many bytes unless the writer was told otherwise
#: (Arrow's ``dictionary_pagesize_limit``, parquet-mr's ``parquet.dictionary.page.size``)
_DICTIONARY_PAGE_LIMIT = 1 << 20
#: bytes per value of dictionary indices at most (32 bits), with room for the levels
_INDEX_BYTES = 5


def read_parquet(spec: FileSpec, path: Path, config_name: str) -> RawTable:
    import pyarrow.parquet as pq

    name = path.name
    try:
        pf = pq.ParquetFile(path)
        headers = list(pf.schema_arrow.names)
    except Exception as exc:
        raise InputError(
            f"{name}: cannot be read as a Parquet file ({str(exc)[:120]}); write it again or export CSV"
        ) from None
    found = _match_headers(headers, spec.columns)
    if len(found) < len(spec.columns):
        raise _missing_columns_error(spec, headers, found, config_name)
    duplicate = duplicate_headers_error(spec, headers, name, config_name)
    if duplicate is not None:
        raise duplicate
    wanted = sorted(set(found.values()) | {0})
    schema = pf.schema_arrow
    text_cols = [
        headers[i]
        for i in wanted
        if pa.types.is_string(schema.field(i).type)
        or pa.types.is_large_string(schema.field(i).type)
    ]
    try:
        table = _read_columns(path, pf, [headers[i] for i in wanted], text_cols)
    except Exception as exc:
        raise InputError(
            f"{name}: cannot be read as a Parquet file ({str(exc)[:120]}); write it again or export CSV"
        ) from None
    if table.num_rows == 0:
        raise InputError(f"{name}: headers only, no data rows; export the {spec.key} with its rows")

    def col(i: int) -> pa.ChunkedArray:
        c = table.column(wanted.index(i))
        if pa.types.is_dictionary(c.type) and not (
            pa.types.is_string(c.type.value_type) or pa.types.is_large_string(c.type.value_type)
        ):
            c = c.cast(c.type.value_type)
        return c

    cols = {canon: col(j) for canon, j in found.items()}
    flagged: dict[str, np.ndarray] = {}
    for canon, j in found.items():
        cols[canon] = _plain_storage(cols[canon])
        kind = _nested_kind(cols[canon].type)
        if kind is not None:
            raise InputError(
                f'{name}: column "{headers[j]}" ({canon}) holds {kind} ({cols[canon].type}), not '
                f"one value per row; export it as plain text, numbers or dates"
            )
        if _is_bytes(cols[canon].type):  # text stored as bytes: UTF-8, else Windows-1252 per value
            raw = cols[canon]
            if pa.types.is_dictionary(raw.type):
                raw = raw.cast(raw.type.value_type)
            if pa.types.is_fixed_size_binary(raw.type):
                raw = raw.cast(pa.binary())
            text, repaired = _decode_column(raw, "utf-8")
            cols[canon] = text
            if repaired is not None:
                flagged[W_NOT_UTF8] = (
                    flagged.get(W_NOT_UTF8, np.zeros(table.num_rows, bool)) | repaired
                )

    def is_text(c: pa.ChunkedArray) -> bool:
        t = c.type.value_type if pa.types.is_dictionary(c.type) else c.type
        return pa.types.is_string(t) or pa.types.is_large_string(t)

    text_numbers = [
        v
        for canon in (C.AMOUNT, C.MARGIN, C.QUANTITY)
        if canon in cols and is_text(cols[canon])
        for v in cols[canon].slice(0, _SAMPLE_ROWS).to_pylist()
    ]
    decimal, thousands = number_format(text_numbers, spec, None, name, config_name)
    text_dates = [
        v
        for canon in (C.DATE, C.CREATED_AT)
        if canon in cols and is_text(cols[canon])
        for v in cols[canon].slice(0, _SAMPLE_ROWS).to_pylist()
    ]
    date_formats = date_formats_of(text_dates, spec, name, config_name)
    details: dict[str, object] = {"format": "parquet"}
    for canon in (C.DATE, C.CREATED_AT):
        zone = _midnight_zone(cols[canon]) if canon in cols else None
        if zone is not None:  # local days a pipeline wrote as UTC instants: those days
            cols[canon] = pc.cast(
                pc.local_timestamp(cols[canon].cast(pa.timestamp("us", tz=zone))), pa.date32()
            )
            details["dates_written_in_utc_of"] = zone
    first = col(0)
    numeric_cells: dict[str, np.ndarray] = {}
    cust = cols.get(C.CUSTOMER_ID)
    if cust is not None and (pa.types.is_integer(cust.type) or pa.types.is_floating(cust.type)):
        numeric_cells[C.CUSTOMER_ID] = ~np.asarray(
            cust.is_null().to_numpy(zero_copy_only=False), bool
        )
    return finish_table(
        spec,
        path,
        columns=cols,
        headers=headers,
        found=found,
        first_column=first if is_text(first) else None,
        n_rows=table.num_rows,
        formats=(decimal, thousands, date_formats),
        details=details,
        numeric_cells=numeric_cells,
        flagged=flagged,
    )


#: zones whose midnight a UTC timestamp of a local day may stand for: France and its
#: overseas departments and territories, its neighbours (the first that fits is taken)
_LOCAL_ZONES = (
    "Europe/Paris",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Helsinki",
    "America/Guadeloupe",
    "America/Cayenne",
    "America/Miquelon",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "America/Montreal",
)
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Z", "+00:00", "GMT", "Etc/GMT", "utc"})


def _midnight_zone(col: pa.ChunkedArray) -> str | None:
    """The zone whose midnight every value of a UTC timestamp column is, when none is at
    midnight UTC: the local days of a pipeline (Spark, DuckDB, a BI tool) that wrote
    ``2024-01-01`` in Paris as ``2023-12-31 23:00 UTC``, which read as UTC would move every
    invoice to the day before (and the last of the year into the next period). None when
    the column is no UTC timestamp, when a value is at midnight UTC (dates as written), or
    when no zone puts them all at midnight (times of day: the UTC day)."""
    if not pa.types.is_timestamp(col.type) or col.type.tz not in _UTC_NAMES:
        return None
    valid = col.drop_null()
    if not len(valid):
        return None

    def at_midnight(values: pa.ChunkedArray) -> np.ndarray:
        secs = pc.cast(pc.cast(values, pa.timestamp("s"), safe=False), pa.int64())
        return np.asarray(secs.to_numpy(), np.int64) % 86400 == 0

    if at_midnight(pc.local_timestamp(valid)).any():
        return None
    for zone in _LOCAL_ZONES:
        local = pc.local_timestamp(valid.cast(pa.timestamp(col.type.unit, tz=zone)))
        if at_midnight(local).all():
            return zone
    return None


def _plain_storage(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """An extension column (``arrow.uuid``, what DuckDB and Spark write for UUIDs) as its
    storage; 16-byte values (UUIDs) as their usual text, ``0f8c…-…``; other columns as
    they are."""
    t = col.type
    if isinstance(t, pa.BaseExtensionType):
        col = pa.chunked_array([c.storage for c in col.chunks], type=t.storage_type)
        t = t.storage_type
    if pa.types.is_fixed_size_binary(t) and t.byte_width == 16:
        return pa.chunked_array([_uuid_text(c) for c in col.chunks], type=pa.string())
    return col


def _uuid_text(chunk: pa.FixedSizeBinaryArray) -> pa.StringArray:
    """16-byte values as UUID text (8-4-4-4-12 lowercase hex digits), vectorised."""
    n = len(chunk)
    raw = np.frombuffer(chunk.buffers()[1], np.uint8)[chunk.offset * 16 : (chunk.offset + n) * 16]
    digits = np.frombuffer(b"0123456789abcdef", np.uint8)
    pairs = raw.reshape(n, 16)
    hexed = np.empty((n, 32), np.uint8)
    hexed[:, 0::2] = digits[pairs >> 4]
    hexed[:, 1::2] = digits[pairs & 15]
    text = np.full((n, 36), ord("-"), np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, at : at + stop - start] = hexed[:, start:stop]
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * 36).tobytes())
    validity = chunk.buffers()[0] if chunk.null_count else None
    if validity is not None and chunk.offset:  # a sliced chunk: its own validity bitmap
        validity = pa.array(chunk.is_valid()).buffers()[1]
    return pa.StringArray.from_buffers(
        n, offsets, pa.py_buffer(text.tobytes()), validity, chunk.null_count
    )


def _is_bytes(t: pa.DataType) -> bool:
    """Binary Parquet columns (bytes without a declared text type), dictionary or not."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)


def _nested_kind(t: pa.DataType) -> str | None:
    """What a nested Parquet type holds ("lists", "records", "maps"), None for a plain one."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return "lists"
    if pa.types.is_map(t):
        return "maps"
    if pa.types.is_struct(t):
        return "records"
    if pa.types.is_union(t):
        return "mixed types"
    return None


def _read_columns(
    path: Path, pf: pq.ParquetFile, names: list[str], text_cols: list[str]
) -> pa.Table:
    """The columns ``names``, each text one as a dictionary column of one chunk.

    Text is read as dictionaries: Parquet stores it so, and cleaning needs codes anyway.
    Each row group comes with its own dictionary; they are unified here, once, into one
    chunk, so that nothing after (ids, codes, totals lines) unifies them again.

    A column whose dictionary overflowed (:func:`_overflowed`: millions of distinct invoice
    numbers) is instead read as plain text, in a worker thread while the other columns are
    read, and hashed once: reading it as a dictionary would hash every value into its row
    group's dictionary, then every row group's dictionary again to unify them (2.4 s of
    CPU against 1.4 s for 8 million invoice numbers). Both give the same dictionary, in
    the order values first occur (see :func:`_overflowed`).
    """
    import pyarrow.parquet as pq

    plain = [c for c in _overflowed(pf, text_cols) if c in names]
    rest = [c for c in names if c not in plain]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-parquet") as worker:
        hashed = {c: worker.submit(_read_encoded, path, c) for c in plain}
        dictionaries = [c for c in text_cols if c not in plain]
        table = pq.ParquetFile(path, read_dictionary=dictionaries).read(columns=rest)
        columns = {c: table.column(c) for c in rest}
        del table
        for c in plain:
            columns[c] = hashed[c].result()
    for c in text_cols:
        col = columns[c]
        if pa.types.is_dictionary(col.type) and col.num_chunks > 1:
            columns[c] = pa.chunked_array([col.unify_dictionaries().combine_chunks()])
    return pa.table({c: columns[c] for c in names})


def _read_encoded(path: Path, name: str) -> pa.ChunkedArray:
    """One text column read as plain text, then dictionary-encoded (one dictionary, one chunk)."""
    import pyarrow.parquet as pq

    col = pq.ParquetFile(path).read(columns=[name]).column(0)
    return pa.chunked_array([pc.dictionary_encode(col).combine_chunks()])


def _overflowed(pf: pq.ParquetFile, text_cols: list[str]) -> list[str]:
    """The text columns whose dictionary overflowed into plain pages in every row group.

    Told from the metadata: a column chunk larger than a full dictionary page and 32-bit
    indices has plain pages. Only for files Arrow wrote from text (``parquet-cpp-arrow``,
    with its stored schema saying ``string``): its dictionaries list the values in the
    order they first occur, which is the order hashing the plain text gives — so the
    codes, and the categories after them, are those of a dictionary read. Other writers
    may sort their dictionaries: their columns are read as dictionaries.
    """
    meta = pf.metadata
    stored = meta.metadata or {}  # the file's key-value metadata: Arrow's schema is there
    if (
        not text_cols
        or meta.num_row_groups == 0
        or not str(meta.created_by or "").startswith("parquet-cpp-arrow")
        or b"ARROW:schema" not in stored
    ):
        return []
    first = meta.row_group(0)
    leaf = {first.column(j).path_in_schema: j for j in range(first.num_columns)}
    out = []
    for name in text_cols:
        j = leaf.get(name)
        if j is None:
            continue
        if all(
            meta.row_group(g).column(j).total_uncompressed_size
            > _DICTIONARY_PAGE_LIMIT + _INDEX_BYTES * meta.row_group(g).num_rows
            for g in range(meta.num_row_groups)
        ):
            out.append(name)
    return out
