"""Legacy Excel (.xls, read through calamine), as older accounting packages still export it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from icpc.cleaning import load_dataset
from icpc.config import config_from_dict
from icpc.exceptions import InputError

xlwt = pytest.importorskip("xlwt")  # dev dependency: writes .xls files for these tests


def write_xls(path: Path, *, sheet: str = "Ventes", title: bool = True) -> None:
    book = xlwt.Workbook()
    ws = book.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    row = 0
    if title:
        ws.write(0, 0, "Export des ventes — Société Test")
        row = 2
    for col, header in enumerate(["Code client", "Date facture", "Montant HT"]):
        ws.write(row, col, header)
    lines = [
        ("00123", dt.date(2024, 1, 3), 1234.56),
        ("00456", dt.date(2024, 2, 29), -15.5),
        ("00123", dt.date(2024, 3, 1), 100.0),
        ("Total", None, 1319.06),
    ]
    for i, (customer, day, amount) in enumerate(lines, start=row + 1):
        ws.write(i, 0, customer)
        if day is not None:
            ws.write(i, 1, day, date_style)
        ws.write(i, 2, amount)
    book.save(str(path))


def config(tmp_path: Path, sheet: str | int | None = None) -> dict:
    return config_from_dict(
        {
            "client": "Test",
            "transactions": {
                "path": "ventes.xls",
                "sheet": sheet,
                "columns": {
                    "customer_id": "Code client",
                    "date": "Date facture",
                    "amount": "Montant HT",
                },
            },
        },
        base_dir=tmp_path,
    )


@pytest.mark.parametrize("sheet", [None, "Ventes", 0], ids=["first-sheet", "by-name", "by-index"])
def test_xls_with_a_title_line_is_read_exactly(tmp_path: Path, sheet: str | int | None) -> None:
    write_xls(tmp_path / "ventes.xls")
    data = load_dataset(config(tmp_path, sheet))
    tx = data.transactions
    assert list(tx["customer_id"].astype(str)) == ["00123", "00456", "00123"]  # leading zeros kept
    assert list(tx["date"].dt.date) == [
        dt.date(2024, 1, 3),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 1),
    ]
    assert tx["amount"].round(2).tolist() == [1234.56, -15.5, 100.0]
    quality = data.data_quality()
    assert quality["rows_excluded"].get("totals line") == 1
    assert quality["rows_read"] == quality["rows_used"] + sum(quality["rows_excluded"].values())


def test_xls_wrong_sheet_names_the_sheets(tmp_path: Path) -> None:
    write_xls(tmp_path / "ventes.xls")
    with pytest.raises(InputError, match=r"ventes\.xls.*Factures.*Ventes"):
        load_dataset(config(tmp_path, "Factures"))
