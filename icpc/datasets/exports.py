"""The demo client's exports written to disk, as its software would write them.

:func:`icpc.datasets.demo.write_sample` calls these on a generated
:class:`~icpc.datasets.story.Sample`: ``factures.csv`` (cp1252, ``;``, decimal comma,
dd/mm/yyyy, CRLF, the planted dirty cells and a "Total général" line) or
``factures.parquet`` (typed), ``clients.xlsx`` (a title line above the headers, codes
as text) or ``clients.parquet``, ``activite.csv`` (UTF-8) and, for ``--fec``, ``FEC.txt``
(:mod:`icpc.datasets.fec`). Text columns are built as Arrow arrays and written in
batches, without a Python object per value; every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from icpc.datasets.story import (
    ACTIVITY_HEADERS,
    CLIENT_NAME,
    CUSTOMER_HEADERS,
    DIRTY_TEXT,
    H_AMOUNT,
    H_CUSTOMER,
    H_DATE,
    H_FAMILY,
    H_INVOICE,
    H_ITEM,
    H_LABEL,
    H_MARGIN,
    H_QUANTITY,
    H_REF,
    H_REGION,
    H_SALESPERSON,
    H_TYPE,
    TRANSACTION_HEADERS,
    Sample,
)
from icpc.fsutil import atomic_path


def _french_amounts(values: pd.Series) -> pa.Array:
    """Amounts as French text: ``-1234,50`` (decimal comma, no thousands separator)."""
    cents = np.rint(values.to_numpy(dtype=np.float64, na_value=np.nan) * 100)
    valid = ~np.isnan(cents)
    c = np.where(valid, cents, 0).astype(np.int64)
    a = np.abs(c)
    units = pc.cast(pa.array(a // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(a % 100), pa.string()), 2, "0")
    sign = pa.array(np.where(c < 0, "-", ""), pa.string())
    text = pc.binary_join_element_wise(
        sign, units, pa.array(np.full(len(c), ",", dtype=object), pa.string()), frac, ""
    )
    return pc.if_else(pa.array(valid), text, pa.nulls(len(c), pa.string()))


def _french_quantities(values: pd.Series) -> pa.Array:
    """Whole quantities as text (``12``, ``-3``); empty where unknown."""
    q = values.to_numpy(dtype=np.float64, na_value=np.nan)
    valid = ~np.isnan(q)
    text = pc.cast(pa.array(np.where(valid, q, 0).astype(np.int64)), pa.string())
    return pc.if_else(pa.array(valid), text, pa.nulls(len(q), pa.string()))


def _french_dates(values: pd.Series, fmt: str = "%d/%m/%Y") -> pa.Array:
    ts = pa.array(values.to_numpy(dtype="datetime64[s]"), pa.timestamp("s"))
    return pc.strftime(ts, format=fmt)


def _str_array(values: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (nulls kept), without Python objects."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        dictionary = pa.array(values.cat.categories.to_numpy(dtype=object), pa.string())
        return pc.take(dictionary, pa.array(codes, mask=codes < 0))
    return pc.cast(pa.array(values), pa.string())


def _patch(arr: pa.Array, positions: list[int], texts: list[str]) -> pa.Array:
    """Put raw ``texts`` at ``positions`` of a string array (the planted dirty cells)."""
    if not positions:
        return arr
    mask = np.zeros(len(arr), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(texts, pa.string()))


def _write_csv(
    batches: Iterator[pa.Table],
    path: Path,
    *,
    header: tuple[str, ...],
    encoding: str,
    delimiter: str,
    eol: str,
    footer: str = "",
) -> None:
    """Write tables of strings as CSV (no quotes needed), transcoded to ``encoding``."""
    options = pacsv.WriteOptions(
        include_header=False, delimiter=delimiter, quoting_style="none", eol=eol
    )
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write((delimiter.join(header) + eol).encode(encoding))
        for table in batches:
            buf = io.BytesIO()
            pacsv.write_csv(table, buf, options)
            data = buf.getvalue()
            fh.write(data if encoding == "utf-8" else data.decode("utf-8").encode(encoding))
        if footer:
            fh.write((footer + eol).encode(encoding))


def _transaction_batches(sample: Sample, batch_rows: int) -> Iterator[pa.Table]:
    """factures.csv as text, ``batch_rows`` rows at a time, the planted dirty cells included."""
    tx = sample.transactions
    pos = {k: np.asarray(v, dtype=np.int64) for k, v in sample.truth["dirty_positions"].items()}
    year = int(sample.truth["as_of"][:4])
    bad_dates = np.array([t.format(year=year) for t in DIRTY_TEXT["bad_date"]], dtype=object)
    bad_amounts = np.array(DIRTY_TEXT["text_amount"], dtype=object)
    for offset in range(0, len(tx), batch_rows):
        part = tx.iloc[offset : offset + batch_rows]
        stop = offset + len(part)

        def local(
            kind: str, stop: int = stop, offset: int = offset
        ) -> tuple[list[int], np.ndarray]:
            inside = (pos[kind] >= offset) & (pos[kind] < stop)
            return (pos[kind][inside] - offset).tolist(), inside

        date_at, date_in = local("bad_date")
        amount_at, amount_in = local("text_amount")
        yield pa.table({
            H_CUSTOMER: _str_array(part[H_CUSTOMER]),
            H_DATE: _patch(_french_dates(part[H_DATE]), date_at, bad_dates[date_in].tolist()),
            H_INVOICE: _str_array(part[H_INVOICE]),
            H_ITEM: _str_array(part[H_ITEM]),
            H_LABEL: _str_array(part[H_LABEL]),
            H_FAMILY: _str_array(part[H_FAMILY]),
            H_QUANTITY: _french_quantities(part[H_QUANTITY]),
            H_AMOUNT: _patch(_french_amounts(part[H_AMOUNT]), amount_at, bad_amounts[amount_in].tolist()),
            H_MARGIN: _french_amounts(part[H_MARGIN]),
            H_SALESPERSON: _str_array(part[H_SALESPERSON]),
            H_REGION: _str_array(part[H_REGION]),
            H_TYPE: _str_array(part[H_TYPE]),
            H_REF: _str_array(part[H_REF]),
        })  # fmt: skip


def _write_transactions_csv(sample: Sample, path: Path, *, batch_rows: int = 1_000_000) -> None:
    tx = sample.transactions
    total = _french_amounts(pd.Series([round(tx[H_AMOUNT].sum(), 2), round(tx[H_MARGIN].sum(), 2)]))
    footer = [""] * len(TRANSACTION_HEADERS)
    footer[0] = "Total général"
    footer[TRANSACTION_HEADERS.index(H_AMOUNT)] = total[0].as_py()
    footer[TRANSACTION_HEADERS.index(H_MARGIN)] = total[1].as_py()
    _write_csv(_transaction_batches(sample, batch_rows), path, header=TRANSACTION_HEADERS, encoding="cp1252",
               delimiter=";", eol="\r\n", footer=";".join(footer))  # fmt: skip


def _write_transactions_parquet(sample: Sample, path: Path) -> None:
    tx = sample.transactions
    table = pa.table({
        H_CUSTOMER: _str_array(tx[H_CUSTOMER]),
        H_DATE: pa.array(tx[H_DATE].to_numpy(dtype="datetime64[D]"), pa.date32()),
        H_INVOICE: _str_array(tx[H_INVOICE]),
        H_ITEM: _str_array(tx[H_ITEM]),
        H_LABEL: _str_array(tx[H_LABEL]),
        H_FAMILY: _str_array(tx[H_FAMILY]),
        H_QUANTITY: pa.array(tx[H_QUANTITY].to_numpy(dtype=np.float64), pa.float64(), from_pandas=True),
        H_AMOUNT: pa.array(tx[H_AMOUNT].to_numpy(dtype=np.float64), pa.float64(), from_pandas=True),
        H_MARGIN: pa.array(tx[H_MARGIN].to_numpy(dtype=np.float64), pa.float64(), from_pandas=True),
        H_SALESPERSON: _str_array(tx[H_SALESPERSON]),
        H_REGION: _str_array(tx[H_REGION]),
        H_TYPE: _str_array(tx[H_TYPE]),
        H_REF: _str_array(tx[H_REF]),
    })  # fmt: skip
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_customers_xlsx(sample: Sample, path: Path, *, client: str = CLIENT_NAME) -> None:
    import xlsxwriter

    master = sample.customers
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False})
        wb.set_properties({"title": "Fichier clients", "author": client,
                           "created": dt.datetime(2025, 1, 2, 8, 0, 0)})  # fmt: skip
        ws = wb.add_worksheet("Clients")
        bold = wb.add_format({"bold": True})
        text = wb.add_format({"num_format": "@"})
        date = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_string(0, 0, f"Fichier clients — {client} — extraction du 02/01/2025", bold)
        for col, header in enumerate(CUSTOMER_HEADERS):
            ws.write_string(2, col, header, bold)
        columns = [master[h].to_numpy(dtype=object, na_value=None) for h in CUSTOMER_HEADERS]
        created = master["Date création"].dt.to_pydatetime()
        for row in range(len(master)):  # cell by cell: the xlsx format has no bulk write
            r = row + 3
            for col, values in enumerate(columns):
                value = values[row]
                if col == 5:
                    ws.write_datetime(r, col, created[row], date)
                elif value is not None:
                    ws.write_string(r, col, value, text if col in (0, 3, 6, 8) else None)
        ws.set_column(0, 0, 9)
        ws.set_column(1, 2, 34)
        ws.set_column(3, 3, 7)
        ws.set_column(4, 4, 22)
        ws.set_column(5, 6, 16)
        ws.set_column(7, 7, 24)
        ws.set_column(8, 8, 16)
        ws.set_column(9, 9, 34)
        wb.close()


def _write_customers_parquet(sample: Sample, path: Path) -> None:
    """The customer master as Parquet (typed: text columns, creation date as a date)."""
    master = sample.customers
    columns = {h: _str_array(master[h]) for h in CUSTOMER_HEADERS if h != "Date création"}
    columns["Date création"] = pa.array(
        master["Date création"].to_numpy(dtype="datetime64[D]"), pa.date32()
    )
    table = pa.table({h: columns[h] for h in CUSTOMER_HEADERS})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_activity_csv(sample: Sample, path: Path) -> None:
    act = sample.activity
    table = pa.table({
        "Date": _french_dates(act["Date"], "%d/%m/%Y %H:%M"),
        "Commercial": _str_array(act["Commercial"]),
        "Type": _str_array(act["Type"]),
        "Client": _str_array(act["Client"]),
    })  # fmt: skip
    _write_csv(
        iter([table]), path, header=ACTIVITY_HEADERS, encoding="utf-8", delimiter=",", eol="\n"
    )


def _write_fec(sample: Sample, path: Path, *, batch_rows: int = 1_000_000) -> None:
    """The demo's books as a FEC: ISO-8859-15, ``|``, decimal comma, CRLF (:mod:`icpc.datasets.fec`)."""
    from icpc.datasets.fec import FEC_ENCODING, FEC_HEADERS, fec_table

    table = fec_table(sample)
    batches = (table.slice(i, batch_rows) for i in range(0, table.num_rows, batch_rows))
    _write_csv(batches, path, header=FEC_HEADERS, encoding=FEC_ENCODING, delimiter="|", eol="\r\n")
