"""Tests of icpc.io: reading exports as they come, and clear errors on bad input."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from icpc.config import FileSpec
from icpc.exceptions import InputError
from icpc.io import (
    normalize_header,
    parse_amounts,
    parse_dates,
    parse_text,
    read_table,
    totals_mask,
)

COLUMNS = {
    "customer_id": "Code client",
    "date": "Date facture",
    "amount": "Montant HT",
    "salesperson": "Commercial",
}
# (customer id, date, amount, salesperson): leading zeros, accents, thousands, negatives
ROWS = [
    ("00123", dt.date(2024, 1, 3), 1234.56, "Amélie Lefèvre"),
    ("00456", dt.date(2024, 2, 29), -15.5, "Éric Martin"),
    ("A-7", dt.date(2023, 12, 31), 1234567.0, "Amélie Lefèvre"),
    ("00123", dt.date(2024, 11, 13), 0.0, "Chloé Bérard"),
]


def _amount_text(value: float, decimal: str, space: str = "\u202f") -> str:
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}".split(",")
    if decimal == ",":
        return sign + space.join(groups) + "," + cents  # (narrow) no-break space thousands
    return sign + ",".join(groups) + "." + cents


def _date_text(day: dt.date, fmt: str) -> str:
    return dt.datetime(day.year, day.month, day.day, 14, 5).strftime(fmt)


def _write_csv(
    path: Path,
    *,
    encoding: str,
    delimiter: str,
    decimal: str,
    date_fmt: str,
    title: bool,
    totals: bool = False,
) -> Path:
    def cell(text: str) -> str:
        return f'"{text}"' if delimiter in text else text

    lines = []
    if title:
        lines += ["Export des factures - Société Exemple", "Édité le 05/01/2025", ""]
    lines.append(delimiter.join(COLUMNS.values()))
    space = "\u00a0" if encoding == "cp1252" else "\u202f"  # cp1252 has no narrow one
    for cid, day, amount, person in ROWS:
        cells = [cid, _date_text(day, date_fmt), _amount_text(amount, decimal, space), person]
        lines.append(delimiter.join(cell(c) for c in cells))
    if totals:
        lines.append(
            delimiter.join(
                [
                    "Total général",
                    "",
                    cell(_amount_text(sum(r[2] for r in ROWS), decimal, space)),
                    "",
                ]
            )
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _spec(path: Path, columns: dict[str, str] | None = None, **options) -> FileSpec:
    return FileSpec(path=path, columns=columns or COLUMNS, **options)


ENCODINGS = ["utf-8", "utf-8-sig", "cp1252"]
DELIMITERS = [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
DECIMALS = [(".", "dot"), (",", "comma")]
DATE_FORMATS = [("%d/%m/%Y", "ddmmyyyy"), ("%d/%m/%Y %H:%M", "ddmmyyyy-hhmm"), ("%Y-%m-%d", "iso")]
TITLES = [(False, "header1"), (True, "title-lines")]
MATRIX = list(itertools.product(ENCODINGS, DELIMITERS, DECIMALS, DATE_FORMATS, TITLES))
MATRIX_IDS = ["-".join([e, d[1], f"dec-{m[1]}", f[1], t[1]]) for e, d, m, f, t in MATRIX]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "decimal", "date_fmt", "title"), MATRIX, ids=MATRIX_IDS
)
def test_parsing_matrix(tmp_path, encoding, delimiter, decimal, date_fmt, title):
    path = _write_csv(
        tmp_path / "factures.csv",
        encoding=encoding,
        delimiter=delimiter[0],
        decimal=decimal[0],
        date_fmt=date_fmt[0],
        title=title[0],
    )
    raw = read_table(_spec(path))
    assert raw.details["delimiter"] == delimiter[0]
    assert raw.details["header_line"] == (4 if title[0] else 1)
    assert raw.decimal == decimal[0]
    assert parse_text(raw.columns["customer_id"]).to_pylist() == [r[0] for r in ROWS]
    assert parse_text(raw.columns["salesperson"]).to_pylist() == [r[3] for r in ROWS]
    amounts, bad = parse_amounts(
        raw.columns["amount"], decimal=raw.decimal, thousands=raw.thousands
    )
    assert not bad.any()
    np.testing.assert_array_equal(amounts, [r[2] for r in ROWS])
    dates, bad_dates = parse_dates(raw.columns["date"], formats=raw.date_formats)
    assert not bad_dates.any()
    np.testing.assert_array_equal(dates, np.array([np.datetime64(r[1], "ns") for r in ROWS]))
    np.testing.assert_array_equal(raw.source_row, [1, 2, 3, 4])


def test_totals_line_is_flagged_not_data(tmp_path):
    path = _write_csv(
        tmp_path / "f.csv",
        encoding="cp1252",
        delimiter=";",
        decimal=",",
        date_fmt="%d/%m/%Y",
        title=True,
        totals=True,
    )
    raw = read_table(_spec(path))
    assert raw.n_rows == len(ROWS) + 1
    np.testing.assert_array_equal(totals_mask(raw), [False] * len(ROWS) + [True])


@pytest.mark.parametrize(
    "label",
    ["Total", "TOTAL GÉNÉRAL", " total general : ", "Sous-total"],
    ids=["total", "upper-accents", "spaces-colon", "subtotal"],
)
def test_totals_labels_in_first_column(tmp_path, label):
    path = tmp_path / "f.csv"
    path.write_text(
        f"N°;Code client;Date facture;Montant HT;Commercial\n1;C1;01/02/2024;10,00;Luc\n{label};;;10,00;\n",
        encoding="utf-8",
    )
    raw = read_table(_spec(path))
    np.testing.assert_array_equal(totals_mask(raw), [False, True])


def test_customer_named_like_total_prefix_is_not_a_totals_line(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "Code client;Date facture;Montant HT;Commercial\nTOTALENERGIES;01/02/2024;10,00;Luc\n",
        encoding="utf-8",
    )
    assert not totals_mask(read_table(_spec(path))).any()


def test_tolerant_header_matching(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(
        "\ufeff code CLIENT ;DATE FACTURE;montant ht;commercial\n1;02/01/2024;3;X\n".encode()
    )
    raw = read_table(_spec(path))
    assert parse_text(raw.columns["customer_id"]).to_pylist() == ["1"]


def test_quoted_fields_with_separators_and_thousands_dot(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        'Code client;Date facture;Montant HT;Commercial\n"C;1";02/01/2024;"1.234,50";"Dupont; Jean"\n'
        "C2;03/01/2024;12.000,00;Luc\n",
        encoding="cp1252",
    )
    raw = read_table(_spec(path))
    assert parse_text(raw.columns["customer_id"]).to_pylist() == ["C;1", "C2"]
    amounts, _ = parse_amounts(raw.columns["amount"], decimal=raw.decimal, thousands=raw.thousands)
    np.testing.assert_array_equal(amounts, [1234.5, 12000.0])


def test_text_in_amount_is_flagged_bad_not_fatal(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "Code client;Date facture;Montant HT;Commercial\nC1;02/01/2024;12,50;A\nC2;02/01/2024;n/a;A\n"
        "C3;02/01/2024;;A\nC4;02/01/2024;(3,00);A\nC5;02/01/2024;4,00-;A\n",
        encoding="utf-8",
    )
    raw = read_table(_spec(path))
    amounts, bad = parse_amounts(
        raw.columns["amount"], decimal=raw.decimal, thousands=raw.thousands
    )
    np.testing.assert_array_equal(bad, [False, True, False, False, False])
    np.testing.assert_array_equal(amounts, [12.5, np.nan, np.nan, -3.0, -4.0])


def test_unparseable_dates_are_flagged_and_mixed_formats_read(tmp_path):
    col = pa.chunked_array(
        [["03/01/2024", "2024-01-04", "31/02/2024", "demain", "", "05/01/2024 08:30"]]
    )
    dates, bad = parse_dates(col, formats=("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M"))
    np.testing.assert_array_equal(bad, [False, False, True, True, False, False])
    assert list(pd.to_datetime(dates[[0, 1, 5]]).strftime("%Y-%m-%d")) == [
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    ]
    assert pd.isna(dates[4])


def test_month_first_is_detected_only_when_the_sample_says_so(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "Code client;Date facture;Montant HT;Commercial\nC1;01/13/2024;1;A\nC2;02/01/2024;1;A\n",
        encoding="utf-8",
    )
    raw = read_table(_spec(path))
    dates, bad = parse_dates(raw.columns["date"], formats=raw.date_formats)
    assert not bad.any()
    assert list(pd.to_datetime(dates).strftime("%Y-%m-%d")) == ["2024-01-13", "2024-02-01"]


def test_excel_with_title_line_sheet_by_name_and_index(tmp_path):
    path = tmp_path / "factures.xlsx"
    body = pd.DataFrame(
        {
            "Code client": ["00123", "00456"],
            "Date facture": [pd.Timestamp("2024-01-03 10:00"), pd.Timestamp("2024-02-01")],
            "Montant HT": [1234.56, -15.5],
            "Commercial": ["Amélie", "Luc"],
        }
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"a": ["notes"]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame([["Export des factures 2024"]]).to_excel(
            writer, sheet_name="Factures", index=False, header=False
        )
        body.to_excel(writer, sheet_name="Factures", index=False, startrow=2)
    for sheet in ("Factures", "factures ", 1):
        raw = read_table(_spec(path, sheet=sheet))
        assert raw.details["sheet"] == "Factures"
        assert raw.details["header_line"] == 3
        assert parse_text(raw.columns["customer_id"]).to_pylist() == ["00123", "00456"]
        amounts, bad = parse_amounts(raw.columns["amount"])
        np.testing.assert_array_equal(amounts, [1234.56, -15.5])
        dates, bad = parse_dates(raw.columns["date"], formats=raw.date_formats)
        assert list(pd.to_datetime(dates).strftime("%Y-%m-%d")) == ["2024-01-03", "2024-02-01"]


def test_excel_text_amounts_and_numeric_ids(tmp_path):
    path = tmp_path / "f.xlsx"
    pd.DataFrame(
        {
            "Code client": [123, 456],
            "Date facture": ["03/01/2024", "04/01/2024"],
            "Montant HT": ["1 234,50", 7.25],
            "Commercial": ["A", "B"],
        }
    ).to_excel(path, index=False)
    raw = read_table(_spec(path))
    assert parse_text(raw.columns["customer_id"]).to_pylist() == ["123", "456"]
    amounts, bad = parse_amounts(
        raw.columns["amount"], decimal=raw.decimal, thousands=raw.thousands
    )
    np.testing.assert_array_equal(amounts, [1234.5, 7.25])
    dates, bad = parse_dates(raw.columns["date"], formats=raw.date_formats)
    assert list(pd.to_datetime(dates).strftime("%Y-%m-%d")) == ["2024-01-03", "2024-01-04"]


def test_excel_read_with_calamine_equals_openpyxl(monkeypatch):
    """The fast reader gives the same columns as openpyxl on the demo's customer master."""
    import icpc.io.excel as io_mod

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "clients.xlsx"
    columns = {
        "customer_id": "Code",
        "name": "Raison sociale",
        "postcode": "CP",
        "created_at": "Date création",
        "siret": "SIRET",
    }
    spec = FileSpec(key="customers", path=demo, columns=columns, sheet="Clients")
    fast = read_table(spec)
    excel_file = pd.ExcelFile
    monkeypatch.setattr(
        io_mod.pd, "ExcelFile", lambda path, engine: excel_file(path, engine="openpyxl")
    )
    slow = read_table(spec)
    assert fast.details == slow.details
    assert fast.columns.keys() == slow.columns.keys()
    for key in fast.columns:
        assert fast.columns[key].equals(slow.columns[key]), key
    assert fast.columns["postcode"].to_pylist()[:3] == slow.columns["postcode"].to_pylist()[:3]


def test_parquet_keeps_types(tmp_path):
    path = tmp_path / "f.parquet"
    table = pa.table(
        {
            "Code client": ["007", "008"],
            "Date facture": pa.array(
                [dt.datetime(2024, 1, 3, 9), dt.datetime(2024, 1, 4)], pa.timestamp("us")
            ),
            "Montant HT": [10.5, -2.0],
            "Commercial": ["A", None],
        }
    )
    pq.write_table(table, path)
    raw = read_table(_spec(path))
    assert raw.columns["amount"].type == pa.float64()
    assert pa.types.is_timestamp(raw.columns["date"].type)
    dates, bad = parse_dates(raw.columns["date"])
    assert list(pd.to_datetime(dates).strftime("%Y-%m-%d")) == ["2024-01-03", "2024-01-04"]
    assert parse_text(raw.columns["customer_id"]).to_pylist() == ["007", "008"]


def _dictionary_read(path: Path, name: str) -> pa.ChunkedArray:
    """A text column read as Parquet's dictionaries, unified (the reader's reference)."""
    return pq.ParquetFile(path, read_dictionary=[name]).read(columns=[name]).column(0)


@pytest.mark.parametrize("overflow", [True, False], ids=["overflowed", "dictionary"])
def test_parquet_text_codes_do_not_depend_on_how_the_column_is_read(
    tmp_path, monkeypatch, overflow
):
    from icpc.io import encode_text
    from icpc.io import parquet as parquet_reader

    n = 30_000
    rng = np.random.default_rng(3)
    numbers = [f"FA2024-{i:07d}" for i in rng.integers(0, 12_000, n)]  # repeated across groups
    numbers[5], numbers[17], numbers[20_001] = None, "  ", " FA2024-0000042 "
    customers = [f"C{i % 97:03d}" for i in range(n)]
    customers[7] = None
    table = pa.table(
        {
            "Code client": customers,
            "Date facture": pa.array([dt.date(2024, 1, 1)] * n, pa.date32()),
            "Montant HT": np.ones(n),
            "N° facture": numbers,
        }
    )
    path = tmp_path / "f.parquet"
    pq.write_table(table, path, row_group_size=10_000, dictionary_pagesize_limit=4096)
    if overflow:  # the file is small: any plain page counts as an overflow
        monkeypatch.setattr(parquet_reader, "_DICTIONARY_PAGE_LIMIT", 0)
    plain = parquet_reader._overflowed(pq.ParquetFile(path), ["Code client", "N° facture"])
    assert plain == (["N° facture"] if overflow else [])
    mapping = {"customer_id": "Code client", "date": "Date facture", "amount": "Montant HT"}
    raw = read_table(_spec(path, {**mapping, "invoice_id": "N° facture"}))
    for canon, header in (("invoice_id", "N° facture"), ("customer_id", "Code client")):
        col = raw.columns[canon]
        assert pa.types.is_dictionary(col.type) and col.num_chunks == 1
        reference = _dictionary_read(path, header)
        assert reference.num_chunks == 3
        codes, values = encode_text(col, n)
        ref_codes, ref_values = encode_text(reference, n)
        assert values.equals(ref_values), canon
        assert np.array_equal(codes, ref_codes), canon
        assert col.to_pylist() == reference.to_pylist()


def test_late_cp1252_byte_in_utf8_looking_file(tmp_path):
    path = tmp_path / "f.csv"
    head = "Code client;Date facture;Montant HT;Commercial\n" + "C1;02/01/2024;1,00;Luc\n" * 70000
    path.write_bytes(head.encode() + "C2;02/01/2024;1,00;Chloé\n".encode("cp1252"))
    raw = read_table(_spec(path))
    assert parse_text(raw.columns["salesperson"]).to_pylist()[-1] == "Chloé"


def test_normalize_header():
    assert normalize_header("\ufeff  Date  Création ") == "date creation"


# ---------------------------------------------------------------- bad input, one by one
def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found.*transactions\.path"):
        read_table(_spec(tmp_path / "nope.csv"))


def test_empty_file(tmp_path):
    (tmp_path / "f.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"f\.csv: the file is empty"):
        read_table(_spec(tmp_path / "f.csv"))


def test_blank_file(tmp_path):
    (tmp_path / "f.csv").write_text("\n \r\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"f\.csv: the file is empty"):
        read_table(_spec(tmp_path / "f.csv"))


def test_headers_only(tmp_path):
    (tmp_path / "f.csv").write_text(
        "Code client;Date facture;Montant HT;Commercial\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"f\.csv: headers only, no data rows"):
        read_table(_spec(tmp_path / "f.csv"))


def test_required_column_missing_lists_headers_and_config_key(tmp_path):
    path = tmp_path / "factures.csv"
    path.write_text("Code;Date;Montant\n1;02/01/2024;3\n", encoding="utf-8")
    spec = _spec(path, {"customer_id": "Code", "date": "Date", "amount": "Montant HT"})
    expected = (
        'factures.csv: column "Montant HT" not found (closest: "Montant"); headers are: "Code", "Date", '
        '"Montant"; fix transactions.columns.amount in client.yaml'
    )
    with pytest.raises(InputError, match="^" + re.escape(expected) + "$"):
        read_table(spec)


def test_wrong_sheet_name_lists_sheets(tmp_path):
    path = tmp_path / "f.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"Code client": [1]}).to_excel(writer, sheet_name="Ventes", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Clients", index=False)
    with pytest.raises(
        InputError,
        match=r'f\.xlsx: no sheet "Factures"; sheets are: "Ventes", "Clients"; '
        r"fix transactions\.sheet",
    ):
        read_table(_spec(path, sheet="Factures"))
    with pytest.raises(InputError, match=r"no sheet number 5 .*\"Ventes\", \"Clients\""):
        read_table(_spec(path, sheet=5))


def test_unreadable_excel(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    with pytest.raises(InputError, match=r"f\.xlsx: cannot be read as an Excel file"):
        read_table(_spec(path))


def test_binary_file(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)))
    with pytest.raises(InputError, match=r"f\.csv: not a text table \(binary content\)"):
        read_table(_spec(path))


def test_pdf_given_as_transactions(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"%PDF-1.4 something")
    with pytest.raises(InputError, match=r"f\.csv: this is a pdf file, not a table"):
        read_table(_spec(path))


def test_malformed_lines_are_counted(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "Code client;Date facture;Montant HT;Commercial\nC1;02/01/2024;1;A\nC2;oops\n"
        "Total général : 1\n",
        encoding="utf-8",
    )
    raw = read_table(_spec(path))
    assert (raw.n_rows, raw.malformed, raw.malformed_totals) == (1, 2, 1)


def test_unknown_encoding_names_the_key(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "Code client;Date facture;Montant HT;Commercial\n1;02/01/2024;3;X\n", encoding="utf-8"
    )
    with pytest.raises(
        InputError, match=r'f\.csv: transactions\.encoding: unknown encoding "klingon"'
    ):
        read_table(_spec(path, encoding="klingon"))
