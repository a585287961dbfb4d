"""Typed exports (Excel, Parquet): ids stored as numbers, zone-aware times, sheets, headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from icpc.cleaning import load_dataset
from icpc.config import config_from_dict
from icpc.exceptions import InputError

openpyxl = pytest.importorskip("openpyxl")

COLUMNS = {"customer_id": "Code client", "date": "Date facture", "amount": "Montant HT"}
MASTER = {"customer_id": "Code", "name": "Raison sociale"}
PADDED = "customer ids stored as numbers, zero-padded"


def _config(tmp_path: Path, tx: str, *, master: str | None = None, **options):
    raw = {"client": "T", "transactions": {"path": tx, "columns": COLUMNS, **options}}
    if master is not None:
        raw["customers"] = {"path": master, "columns": MASTER}
    return config_from_dict(raw, base_dir=tmp_path)


def _xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write cells as they are (numbers stay numbers, text stays text)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def _balanced(ledger) -> None:
    assert ledger.rows_read == ledger.rows_used + sum(ledger.rows_excluded.values())


# --------------------------------------------------------------------------------------
# customer ids Excel turned into numbers
# --------------------------------------------------------------------------------------
def test_excel_numeric_ids_take_the_zero_padding_of_the_text_ids(tmp_path):
    rows = [
        ["Code client", "Date facture", "Montant HT"],
        ["00042", dt.datetime(2024, 1, 3), 100.0],
        [42, dt.datetime(2024, 1, 4), 50.0],  # the same customer, stored as a number
        [1234, dt.datetime(2024, 1, 5), 10.0],
        ["01234", dt.datetime(2024, 1, 6), 5.0],
    ]
    _xlsx(tmp_path / "factures.xlsx", {"Ventes": rows})
    (tmp_path / "clients.csv").write_text(
        "Code;Raison sociale\n00042;Alpha\n01234;Beta\n", encoding="utf-8"
    )
    ds = load_dataset(_config(tmp_path, "factures.xlsx", master="clients.csv"))
    assert ds.transactions["customer_id"].astype(str).tolist() == [
        "00042",
        "00042",
        "01234",
        "01234",
    ]
    assert ds.transactions["customer_id"].nunique() == 2
    warning = ds.ledger.warnings[PADDED]
    assert warning["rows"] == 2 and warning["examples"] == [2, 3] and warning["amount"] == 60.0
    assert ds.ledger.details["ids_padded_to"] == 5
    assert (
        ds.ledgers["customers"].warnings["transaction customers missing from master"]["rows"] == 0
    )
    _balanced(ds.ledger)


def test_master_ids_stored_as_numbers_match_the_invoice_codes(tmp_path):
    _xlsx(
        tmp_path / "clients.xlsx",
        {"Clients": [["Code", "Raison sociale"], [42, "Alpha"], [7, "Gamma"]]},
    )
    (tmp_path / "factures.csv").write_text(
        "Code client;Date facture;Montant HT\n00042;03/01/2024;100,00\n00007;04/01/2024;20,00\n",
        encoding="utf-8",
    )
    ds = load_dataset(_config(tmp_path, "factures.csv", master="clients.xlsx"))
    assert ds.customers["customer_id"].tolist() == ["00042", "00007"]
    assert ds.ledgers["customers"].warnings[PADDED]["rows"] == 2
    assert (
        ds.ledgers["customers"].warnings["transaction customers missing from master"]["rows"] == 0
    )


def test_parquet_integer_ids_are_padded_like_the_master(tmp_path):
    pq.write_table(
        pa.table(
            {
                "Code client": pa.array([42, 42, 7], pa.int64()),
                "Date facture": pa.array([dt.date(2024, 1, 3)] * 3, pa.date32()),
                "Montant HT": [1.0, 2.0, 3.0],
            }
        ),
        tmp_path / "factures.parquet",
    )
    (tmp_path / "clients.csv").write_text(
        "Code;Raison sociale\n00042;Alpha\n00007;Gamma\n", encoding="utf-8"
    )
    ds = load_dataset(_config(tmp_path, "factures.parquet", master="clients.csv"))
    assert ds.transactions["customer_id"].astype(str).tolist() == ["00042", "00042", "00007"]


def test_numeric_ids_without_zero_padded_text_are_kept_as_written(tmp_path):
    rows = [
        ["Code client", "Date facture", "Montant HT"],
        [42, dt.datetime(2024, 1, 3), 1.0],
        ["A-7", dt.datetime(2024, 1, 3), 2.0],
        [1001, dt.datetime(2024, 1, 4), 3.0],
    ]
    _xlsx(tmp_path / "factures.xlsx", {"Ventes": rows})
    ds = load_dataset(_config(tmp_path, "factures.xlsx"))
    assert ds.transactions["customer_id"].astype(str).tolist() == ["42", "A-7", "1001"]
    assert PADDED not in ds.ledger.warnings


def test_zero_padding_of_several_widths_is_refused_with_the_fix(tmp_path):
    rows = [
        ["Code client", "Date facture", "Montant HT"],
        ["0042", dt.datetime(2024, 1, 3), 1.0],
        ["00043", dt.datetime(2024, 1, 3), 2.0],
        [44, dt.datetime(2024, 1, 4), 3.0],
    ]
    _xlsx(tmp_path / "factures.xlsx", {"Ventes": rows})
    with pytest.raises(
        InputError,
        match=r"factures\.xlsx: 1 customer ids are stored as numbers.*several widths "
        r"\(4 digits as \"0042\".*5 digits as \"00043\".*format the customer-code",
    ):
        load_dataset(_config(tmp_path, "factures.xlsx"))


# --------------------------------------------------------------------------------------
# sheets, headers
# --------------------------------------------------------------------------------------
def test_data_on_another_sheet_is_named_in_the_message(tmp_path):
    _xlsx(
        tmp_path / "factures.xlsx",
        {
            "Résumé": [["Chiffre d'affaires 2024"], ["Total", 150.0]],
            "Ventes 2024": [
                ["Code client", "Date facture", "Montant HT"],
                ["C1", dt.datetime(2024, 1, 3), 150.0],
            ],
        },
    )
    with pytest.raises(
        InputError,
        match=r'not on sheet "Résumé" but on sheet "Ventes 2024"; set '
        r'transactions\.sheet: "Ventes 2024".*sheets are: "Résumé", "Ventes 2024"',
    ):
        load_dataset(_config(tmp_path, "factures.xlsx"))
    ds = load_dataset(_config(tmp_path, "factures.xlsx", sheet="Ventes 2024"))
    assert ds.transactions["amount"].tolist() == [150.0]


def test_two_sheets_with_the_mapped_columns_are_refused_not_half_read(tmp_path):
    """A sheet a year, both with the mapped columns, and no sheet set: reading the first
    alone would leave the other year out without a word."""
    header = ["Code client", "Date facture", "Montant HT"]
    _xlsx(
        tmp_path / "factures.xlsx",
        {
            "2023": [header, ["C1", dt.datetime(2023, 5, 3), 100.0]],
            "Notes": [["Export du 2 janvier"]],
            "2024": [["Ventes 2024"], header, ["C1", dt.datetime(2024, 1, 3), 150.0]],
        },
    )
    with pytest.raises(
        InputError,
        match=r'factures\.xlsx: sheets "2023", "2024" all hold the mapped columns, and only one '
        r"sheet is read; put the lines on one sheet.*set transactions\.sheet",
    ):
        load_dataset(_config(tmp_path, "factures.xlsx"))
    ds = load_dataset(_config(tmp_path, "factures.xlsx", sheet="2024"))
    assert ds.transactions["amount"].tolist() == [150.0]


def test_missing_columns_on_every_sheet_lists_the_sheets(tmp_path):
    _xlsx(tmp_path / "factures.xlsx", {"A": [["x", "y"], [1, 2]], "B": [["z"], [3]]})
    with pytest.raises(
        InputError,
        match=r'column "Code client" not found.*sheet "A"; the file\'s sheets are: "A", "B"',
    ):
        load_dataset(_config(tmp_path, "factures.xlsx"))


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_duplicate_mapped_header_is_refused(tmp_path, kind):
    header = ["Code client", "Date facture", "Montant HT", "Montant HT"]
    if kind == "xlsx":
        _xlsx(tmp_path / "f.xlsx", {"S": [header, ["C1", dt.datetime(2024, 1, 3), 120.0, 100.0]]})
    else:
        table = pa.Table.from_arrays(
            [
                pa.array(["C1"]),
                pa.array([dt.date(2024, 1, 3)]),
                pa.array([120.0]),
                pa.array([100.0]),
            ],
            names=header,
        )
        pq.write_table(table, tmp_path / "f.parquet")
    with pytest.raises(
        InputError, match=r'column "Montant HT" appears 2 times \(columns 3 and 4\)'
    ):
        load_dataset(_config(tmp_path, f"f.{kind}"))


def test_excel_page_breaks_repeat_the_header(tmp_path):
    header = ["Code client", "Date facture", "Montant HT"]
    rows = [
        header,
        ["C1", dt.datetime(2024, 1, 3), 10.0],
        ["Page 2"],
        header,
        ["C2", dt.datetime(2024, 1, 4), 20.0],
    ]
    _xlsx(tmp_path / "f.xlsx", {"S": rows})
    ds = load_dataset(_config(tmp_path, "f.xlsx"))
    assert ds.transactions["customer_id"].astype(str).tolist() == ["C1", "C2"]
    assert ds.ledger.rows_excluded["repeated header line"] == 1
    _balanced(ds.ledger)


# --------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Martinique", "Pacific/Noumea"])
def test_zone_aware_timestamps_keep_their_local_day(tmp_path, zone):
    local = pd.to_datetime(
        ["2024-01-01 00:00", "2023-12-31 23:30", "2024-06-30 00:00"]
    ).tz_localize(zone)
    table = pa.table(
        {
            "Code client": ["C1", "C2", "C3"],
            "Date facture": pa.array(local),
            "Montant HT": [1.0, 2.0, 4.0],
        }
    )
    assert table.schema.field("Date facture").type.tz == zone
    pq.write_table(table, tmp_path / "f.parquet")
    ds = load_dataset(_config(tmp_path, "f.parquet"))
    assert ds.transactions["date"].dt.date.tolist() == [
        dt.date(2024, 1, 1),
        dt.date(2023, 12, 31),
        dt.date(2024, 6, 30),
    ]
    cfg = config_from_dict(
        {
            "client": "T",
            "as_of": "2023-12-31",
            "transactions": {"path": "f.parquet", "columns": COLUMNS},
        },
        base_dir=tmp_path,
    )
    ds = load_dataset(cfg)
    assert ds.ledger.rows_excluded["after as_of"] == 2  # 1 January and 30 June, local days
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [2.0])


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "Indian/Reunion", "Pacific/Noumea", "America/Guadeloupe"]
)
@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
def test_local_days_a_pipeline_wrote_as_utc_instants_are_those_days(tmp_path, zone, unit):
    """Spark or DuckDB writes the local day 1 January 2024 (Paris) as 2023-12-31 23:00 UTC:
    read as UTC, every invoice moved to the day before, the new year's first into the old
    year. When every instant is a midnight of one zone (and none a UTC midnight), the days
    are that zone's, and the ledger says so."""
    days = pd.to_datetime(["2024-01-01", "2024-03-31", "2024-07-14", "2024-12-31"])
    utc = days.tz_localize(zone).tz_convert("UTC")
    table = pa.table(
        {
            "Code client": ["C1", "C2", "C3", "C4"],
            "Date facture": pa.array(utc, pa.timestamp(unit, tz="UTC")),
            "Montant HT": [1.0, 2.0, 4.0, 8.0],
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    ds = load_dataset(_config(tmp_path, "f.parquet"))
    assert ds.transactions["date"].dt.date.tolist() == [d.date() for d in days]
    assert ds.ledger.details["dates_written_in_utc_of"] == zone
    _balanced(ds.ledger)


@pytest.mark.parametrize(
    "times",
    [
        ["2024-01-01 00:00", "2024-03-31 23:00", "2024-07-14 22:00"],  # one at midnight UTC
        ["2024-01-01 14:37", "2024-03-31 09:05", "2024-07-14 17:45"],  # times of day
    ],
)
def test_utc_instants_that_are_no_local_midnights_keep_their_utc_day(tmp_path, times):
    stamps = pd.to_datetime(times).tz_localize("UTC")
    table = pa.table(
        {
            "Code client": ["C1", "C2", "C3"],
            "Date facture": pa.array(stamps),
            "Montant HT": [1.0, 2.0, 4.0],
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    ds = load_dataset(_config(tmp_path, "f.parquet"))
    assert ds.transactions["date"].dt.date.tolist() == [t.date() for t in stamps]
    assert "dates_written_in_utc_of" not in ds.ledger.details


def test_a_sheet_named_like_a_number(tmp_path):
    header = ["Code client", "Date facture", "Montant HT"]
    _xlsx(
        tmp_path / "f.xlsx",
        {
            "2023": [header, ["C1", dt.datetime(2023, 1, 3), 10.0]],
            "2024": [header, ["C2", dt.datetime(2024, 1, 3), 20.0]],
        },
    )
    ds = load_dataset(_config(tmp_path, "f.xlsx", sheet=2024))  # YAML reads sheet: 2024 as a number
    assert ds.transactions["customer_id"].astype(str).tolist() == ["C2"]
    _xlsx(
        tmp_path / "g.xlsx",
        {
            "1": [header, ["C1", dt.datetime(2023, 1, 3), 10.0]],
            "Ventes": [header, ["C2", dt.datetime(2024, 1, 3), 20.0]],
        },
    )
    with pytest.raises(
        InputError, match=r'sheet 1 can be the sheet named "1" or sheet number 1 \("Ventes"\)'
    ):
        load_dataset(_config(tmp_path, "g.xlsx", sheet=1))
    ds = load_dataset(_config(tmp_path, "g.xlsx", sheet="1"))
    assert ds.transactions["customer_id"].astype(str).tolist() == ["C1"]


@pytest.mark.parametrize("kind", ["parquet-int64", "parquet-double", "parquet-int32", "xlsx"])
def test_dates_stored_as_eight_digit_numbers_are_read(tmp_path, kind):
    """AAAAMMJJ as a number (ERPs, the FEC): the day it spells; a day that does not exist,
    or a number that is neither such a date nor an Excel day, is an unparseable date."""
    written = [20240131, 20231231, 20240229, 20230229, 45292, 123456789]
    amounts = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    ids = ["C1", "C2", "C3", "C4", "C5", "C6"]
    if kind == "xlsx":
        rows = [list(COLUMNS.values())] + [list(r) for r in zip(ids, written, amounts, strict=True)]
        _xlsx(tmp_path / "f.xlsx", {"Factures": rows})
        name = "f.xlsx"
    else:
        types = {
            "parquet-int64": pa.int64(),
            "parquet-double": pa.float64(),
            "parquet-int32": pa.int32(),
        }
        table = pa.table(
            {
                "Code client": ids,
                "Date facture": pa.array(written, types[kind]),
                "Montant HT": amounts,
            }
        )
        pq.write_table(table, tmp_path / "f.parquet")
        name = "f.parquet"
    ds = load_dataset(_config(tmp_path, name))
    assert ds.transactions["date"].dt.date.tolist() == [
        dt.date(2024, 1, 31),
        dt.date(2023, 12, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 1, 1),  # 45292: an Excel day number
    ]
    assert ds.ledger.rows_excluded["unparseable date"] == 2  # 29 February 2023, 123456789
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [1.0, 2.0, 4.0, 16.0])
    _balanced(ds.ledger)


@pytest.mark.parametrize(
    ("column", "values", "kind"),
    [
        ("Code client", pa.array([["C1"], ["C2"]]), "lists"),
        ("Montant HT", pa.array([{"v": 1.0}, {"v": 2.0}]), "records"),
        (
            "Date facture",
            pa.array([[("a", 1)], [("b", 2)]], pa.map_(pa.string(), pa.int64())),
            "maps",
        ),
        ("Montant HT", pa.array([[1.0, 2.0], [3.0, 4.0]], pa.list_(pa.float64(), 2)), "lists"),
    ],
    ids=["list-ids", "struct-amounts", "map-dates", "fixed-size-list"],
)
def test_parquet_columns_of_nested_values_are_refused_in_one_line(tmp_path, column, values, kind):
    plain = {
        "Code client": pa.array(["C1", "C2"]),
        "Date facture": pa.array([dt.date(2024, 1, 2), dt.date(2024, 1, 3)]),
        "Montant HT": pa.array([1.0, 2.0]),
    }
    plain[column] = values
    pq.write_table(pa.table(plain), tmp_path / "f.parquet")
    with pytest.raises(InputError) as err:
        load_dataset(_config(tmp_path, "f.parquet"))
    message = str(err.value)
    assert message.startswith(f'f.parquet: column "{column}"')
    assert f"holds {kind}" in message and "export it as plain text" in message
    assert "\n" not in message


def test_parquet_text_stored_as_bytes_is_read_and_windows_1252_values_are_named(tmp_path):
    """Bytes columns (no text type): UTF-8 read as such, other bytes as Windows-1252 and
    counted ('bytes not UTF-8, read as Windows-1252'), never a traceback."""
    ids = [
        "Société A".encode("cp1252"),
        "Société A".encode(),
        b"C3",
        "Élan".encode("cp1252"),
    ]
    table = pa.table(
        {
            "Code client": pa.array(ids, pa.binary()),
            "Date facture": pa.array(
                ["03/01/2024", "04/01/2024", "05/01/2024", "06/01/2024"], pa.binary()
            ),
            "Montant HT": pa.array([b"10,50", b"2,00", b"1 000,00", b"4,25"], pa.large_binary()),
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    ds = load_dataset(_config(tmp_path, "f.parquet"))
    assert ds.transactions["customer_id"].astype(str).tolist() == [
        "Société A",
        "Société A",
        "C3",
        "Élan",
    ]
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [10.5, 2.0, 1000.0, 4.25])
    assert ds.transactions["date"].dt.date.tolist()[0] == dt.date(2024, 1, 3)
    warning = ds.ledger.warnings["bytes not UTF-8, read as Windows-1252"]
    assert (warning["rows"], warning["examples"]) == (2, [1, 4])
    _balanced(ds.ledger)


@pytest.mark.parametrize("corner", ["A1", "C5"])
def test_customer_codes_merged_down_their_lines_are_repeated_and_named(tmp_path, corner):
    """A code merged over its invoice lines shows on each: each line gets it, counted
    under 'merged cells, their value repeated on each row'. A title merged across
    columns changes nothing."""
    book = openpyxl.Workbook()
    ws = book.active
    col0 = openpyxl.utils.column_index_from_string(corner[0])
    row0 = int(corner[1:])
    ws.cell(row0, col0, "Ventes 2024")
    ws.merge_cells(start_row=row0, start_column=col0, end_row=row0, end_column=col0 + 2)
    rows = [
        ["Code client", "Date facture", "Montant HT"],
        ["C1", dt.datetime(2024, 1, 3), 10.0],
        [None, dt.datetime(2024, 1, 4), 20.0],
        [None, dt.datetime(2024, 1, 5), 40.0],
        ["C2", dt.datetime(2024, 2, 1), 80.0],
        ["C3", dt.datetime(2024, 2, 2), 160.0],
        [None, dt.datetime(2024, 2, 3), 320.0],
    ]
    for i, values in enumerate(rows, start=row0 + 1):
        for j, v in enumerate(values):
            if v is not None:
                ws.cell(i, col0 + j, v)
    first = row0 + 2  # C1's first line
    ws.merge_cells(start_row=first, start_column=col0, end_row=first + 2, end_column=col0)
    ws.merge_cells(start_row=first + 4, start_column=col0, end_row=first + 5, end_column=col0)
    book.save(tmp_path / "f.xlsx")
    ds = load_dataset(_config(tmp_path, "f.xlsx"))
    assert ds.transactions["customer_id"].astype(str).tolist() == [
        "C1",
        "C1",
        "C1",
        "C2",
        "C3",
        "C3",
    ]
    warning = ds.ledger.warnings["merged cells, their value repeated on each row"]
    assert (warning["rows"], warning["amount"]) == (3, 380.0)
    assert ds.ledger.rows_used == 6
    _balanced(ds.ledger)


def test_amounts_that_are_formulas_never_calculated_say_to_save_the_workbook(tmp_path):
    """A workbook written by a program (not Excel) keeps formulas without their values:
    calamine reads them empty. The message says so instead of 'unparseable amount'."""
    rows = [["Code client", "Date facture", "Prix", "Qté", "Montant HT"]]
    for i in range(2, 6):
        rows.append([f"C{i}", dt.datetime(2024, 1, i), 10.0 * i, 2, f"=C{i}*D{i}"])
    _xlsx(tmp_path / "f.xlsx", {"Ventes": rows})
    with pytest.raises(InputError) as err:
        load_dataset(_config(tmp_path, "f.xlsx"))
    message = str(err.value)
    assert message.startswith('f.xlsx: column "Montant HT" (amount) holds formulas (=C2*D2)')
    assert "open the workbook in Excel and save it" in message and "\n" not in message


def test_an_amount_merged_over_several_lines_is_refused_not_repeated(tmp_path):
    """300 merged over three lines is one figure for the three (an invoice's total):
    repeating it would count 900. Refused in one line with the cells and the fix."""
    book = openpyxl.Workbook()
    ws = book.active
    for row in [
        ["Code client", "Date facture", "Montant HT"],
        ["C1", dt.datetime(2024, 1, 3), 300.0],
        ["C1", dt.datetime(2024, 1, 3), None],
        ["C1", dt.datetime(2024, 1, 3), None],
        ["C2", dt.datetime(2024, 1, 4), 50.0],
    ]:
        ws.append(row)
    ws.merge_cells("C2:C4")
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(InputError) as err:
        load_dataset(_config(tmp_path, "f.xlsx"))
    message = str(err.value)
    assert message.startswith(
        'f.xlsx: column "Montant HT" (amount) has cells merged over several rows (C2:C4'
    )
    assert "give each line its own amount" in message and "\n" not in message


@pytest.mark.parametrize("kind", ["arrow.uuid", "binary(16)"])
def test_parquet_uuid_ids_read_as_their_usual_text(tmp_path, kind):
    """DuckDB and Spark write UUID ids as 16 bytes: they become 0f8c…-… text, one id per
    customer, the row without id counted as missing."""
    import uuid

    ids = [uuid.UUID(int=(i * 0x9E3779B97F4A7C15) % (1 << 128)) for i in range(1, 5)]
    raw = [u.bytes for u in ids[:3]] + [None, ids[0].bytes]
    storage = pa.array(raw, pa.binary(16))
    column = pa.ExtensionArray.from_storage(pa.uuid(), storage) if kind == "arrow.uuid" else storage
    table = pa.table(
        {
            "Code client": column,
            "Date facture": pa.array([dt.date(2024, 1, d) for d in range(2, 7)]),
            "Montant HT": [1.0, 2.0, 4.0, 8.0, 16.0],
        }
    )
    pq.write_table(table.slice(1), tmp_path / "f.parquet")  # a sliced table: offsets too
    ds = load_dataset(_config(tmp_path, "f.parquet"))
    assert ds.transactions["customer_id"].astype(str).tolist() == [
        str(ids[1]),
        str(ids[2]),
        str(ids[0]),
    ]
    assert ds.ledger.rows_excluded["missing customer id"] == 1
    _balanced(ds.ledger)


def test_a_date_format_is_checked_on_what_the_reader_applies_not_on_a_few_text_cells(tmp_path):
    """Excel with real date cells, a date_format set, and a few text cells: a text
    timestamp is read (as before), a damaged text date is counted, nothing is refused."""
    rows = [list(COLUMNS.values())]
    rows += [[f"C{i}", dt.datetime(2024, 1, i + 1), 10.0] for i in range(20)]
    rows += [["X1", "2024-02-01 00:00:00", 1.0], ["X2", "01/02/24", 2.0]]
    _xlsx(tmp_path / "f.xlsx", {"Ventes": rows})
    ds = load_dataset(_config(tmp_path, "f.xlsx", date_format="%d/%m/%Y"))
    assert ds.ledger.rows_used == 21 and ds.ledger.rows_excluded["unparseable date"] == 1
    assert dt.date(2024, 2, 1) in ds.transactions["date"].dt.date.tolist()
    _balanced(ds.ledger)
