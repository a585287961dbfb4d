"""actions.xlsx: sheets, headers, row counts, formats, read back with openpyxl."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from report_data import SELLERS, SHARED_ADDRESS, make_diagnostic

from icpc.export.excel import sheet_name, write_actions_xlsx, write_sheets


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    diag = make_diagnostic(language="fr")
    path = write_actions_xlsx(diag, tmp_path_factory.mktemp("xlsx") / "actions.xlsx")
    return diag, openpyxl.load_workbook(path)


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws, header: str) -> list:
    j = _headers(ws).index(header)
    return [row[j].value for row in ws.iter_rows(min_row=2)]


def test_sheets_in_order(workbook):
    _, wb = workbook
    assert wb.sheetnames == [
        "Clients",
        "À appeler",
        "Clients perdus",
        *(f"Com. {s}" for s in sorted(SELLERS)),
        "Anomalies",
        "Qualité des données",
    ]


def test_customers_sheet(workbook):
    diag, wb = workbook
    ws = wb["Clients"]
    headers = _headers(ws)
    for h in (
        "Code client",
        "Raison sociale",
        "Commercial",
        "Segment",
        "Statut",
        "Score R",
        "Score F",
        "Score M",
        "Dernier achat",
        "CA N",
        "Décrochage",
        "CA en jeu",
    ):
        assert h in headers
    assert ws.max_row - 1 == len(diag.customers_table())
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    row = {h: c for h, c in zip(headers, ws[2], strict=True)}
    assert (
        isinstance(row["Dernier achat"].value, dt.datetime)
        and row["Dernier achat"].number_format == "dd/mm/yyyy"
    )
    assert "€" in row["CA N"].number_format
    assert set(_column(ws, "Décrochage")) <= {"oui", "non"}
    assert set(_column(ws, "Statut")) <= {"Nouveau", "Actif", "En décrochage", "Perdu"}
    revenue = _column(ws, "CA N")
    assert revenue == sorted(revenue, reverse=True)  # most important customers first


def test_at_risk_and_lost_sheets_match_the_diagnostic(workbook):
    diag, wb = workbook
    flagged = int(diag.early_warning["early_warning"].sum())
    ws = wb["À appeler"]
    assert ws.max_row - 1 == flagged > 0
    assert _column(ws, "Rang")[:3] == [1, 2, 3]
    stakes = _column(ws, "CA en jeu")
    assert stakes == sorted(stakes, reverse=True)
    assert set(_column(ws, "Motif")) <= {"rythme", "baisse", "rythme et baisse"}
    lost = wb["Clients perdus"]
    assert lost.max_row - 1 == diag.kpis_json()["kpis"]["lost_customers"]
    assert "Jours sans achat" in _headers(lost)


def test_one_sheet_per_salesperson_with_their_customers_ranked(workbook):
    diag, wb = workbook
    table = diag.customers_table()
    for seller in SELLERS:
        ws = wb[f"Com. {seller}"]
        assert ws.max_row - 1 == int((table["salesperson"].astype(str) == seller).sum())
        assert _column(ws, "Rang") == list(range(1, ws.max_row))
        assert "Commercial" not in _headers(ws)


def test_anomalies_and_ledger(workbook):
    _, wb = workbook
    ws = wb["Anomalies"]
    assert ws.max_row - 1 == SHARED_ADDRESS
    assert set(_column(ws, "Adresse")) == {"3 rue des Lilas"}
    ledger = wb["Qualité des données"]
    assert _headers(ledger) == ["Motif", "Lignes", "Montant"]
    reasons = _column(ledger, "Motif")
    assert reasons[:2] == ["Lignes lues", "Lignes retenues"]
    assert "Lignes écartées — date illisible" in reasons


def test_english_headers_and_no_optional_sheets(tmp_path):
    diag = make_diagnostic(language="en", salesperson=False, customers=False)
    wb = openpyxl.load_workbook(write_actions_xlsx(diag, tmp_path / "a.xlsx"))
    assert wb.sheetnames == ["Customers", "To call", "Lost customers", "Data quality"]
    assert _headers(wb["Customers"])[0] == "Customer id"
    # columns the data cannot fill are left out, not shown empty
    for sheet in ("Customers", "To call"):
        assert not {"Salesperson", "Region", "Name", "City"} & set(_headers(wb[sheet])), sheet
    assert "Customer id" in _headers(wb["To call"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ventes 2024/Q1", "Ventes 2024-Q1"),
        ("a[b]:c*d?e\\f", "a-b--c-d-e-f"),
        ("", "Feuille"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
    ],
    ids=["slash", "all-forbidden", "empty", "too-long", "quotes"],
)
def test_sheet_names_are_sanitised(name, expected):
    assert sheet_name(name) == expected


def test_sheet_names_are_unique_case_insensitively():
    taken: set[str] = set()
    assert [sheet_name(n, taken) for n in ("Com. Dupont", "com. dupont", "Com. Dupont")] == [
        "Com. Dupont",
        "com. dupont (2)",
        "Com. Dupont (3)",
    ]
    long_taken = {"y" * 31}
    assert sheet_name("y" * 40, long_taken) == "y" * 27 + " (2)"


def test_write_sheets_handles_missing_values_and_widths(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "revenue": [1.5, float("nan")],
            "last_sale": [pd.Timestamp("2024-12-31"), pd.NaT],
        }
    )
    wb = openpyxl.load_workbook(write_sheets({"S": frame}, tmp_path / "s.xlsx"))
    ws = wb["S"]
    assert [c.value for c in ws[3]] == ["B", None, None]
    assert ws.column_dimensions["A"].width >= 8
