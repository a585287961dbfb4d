"""The Parquet reader: typed columns kept as stored, text as dictionaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError
from icpc.io.common import (
    _SAMPLE_ROWS,
    RawTable,
    _match_headers,
    _missing_columns_error,
    duplicate_headers_error,
    finish_table,
)
from icpc.io.detect import _detect_date_formats, number_format

__all__ = ["read_parquet"]


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
        # text read as dictionaries: Parquet stores them so, and cleaning needs codes anyway
        pf = pq.ParquetFile(path, read_dictionary=text_cols)
        table = pf.read(columns=[headers[i] for i in wanted])
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
    date_formats = _detect_date_formats(text_dates, spec.date_format)
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
        details={"format": "parquet"},
        numeric_cells=numeric_cells,
    )
