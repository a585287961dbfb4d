"""The ``document_type`` column: invoices and credit notes are sales; orders, quotes,
delivery notes and pro forma are not (excluded, counted); credit notes written positive."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icpc.cleaning import load_dataset
from icpc.cleaning.documents import (
    NOT_INVOICE,
    W_CREDIT_POSITIVE,
    W_CREDIT_WRITTEN_POSITIVE,
    kind_of,
)
from icpc.config import config_from_dict

COLUMNS = {
    "customer_id": "Code client",
    "date": "Date",
    "amount": "Montant HT",
    "margin": "Marge",
    "invoice_id": "Pièce",
    "document_type": "Type",
}


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("Facture", "invoice"),
        ("FACTURE CLIENT", "invoice"),
        ("Invoice", "invoice"),
        ("FA", "invoice"),
        ("Ticket de caisse", "invoice"),
        ("Avoir", "credit note"),
        ("AVOIR CLIENT", "credit note"),
        ("Facture d'avoir", "credit note"),
        ("Note de crédit", "credit note"),
        ("Credit note", "credit note"),
        ("AV", "credit note"),
        ("Commande", "not an invoice"),
        ("Bon de commande", "not an invoice"),
        ("Commande client", "not an invoice"),
        ("Devis", "not an invoice"),
        ("Quote", "not an invoice"),
        ("Bon de livraison", "not an invoice"),
        ("BL", "not an invoice"),
        ("Facture pro forma", "not an invoice"),
        ("Proforma", "not an invoice"),
        ("Pro-forma", "not an invoice"),
        ("Sales order", "not an invoice"),
        ("Divers", "unknown"),
        ("Favori", "unknown"),  # "fa" inside a word is no invoice
        ("Blocage", "unknown"),  # nor "bl"
    ],
)
def test_each_kind_of_document_is_told_by_its_words(value, kind):
    assert kind_of(value) == kind


def _client(folder: Path, lines: list[tuple[str, str, str, str, str, str]]):
    rows = ["Code client;Date;Montant HT;Marge;Pièce;Type"] + [";".join(r) for r in lines]
    (folder / "factures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return config_from_dict(
        {
            "client": "T",
            "as_of": "2024-12-31",
            "transactions": {"path": "factures.csv", "columns": COLUMNS},
        },
        base_dir=folder,
    )


def _balanced(led) -> None:
    assert led.rows_read == led.rows_used + sum(led.rows_excluded.values())
    assert round(led.amount_read - led.amount_used - sum(led.amounts_excluded.values()), 2) == 0


def test_orders_quotes_and_delivery_notes_are_no_revenue(tmp_path):
    """The order, its delivery note and its invoice carry the same 100: summed, the sale
    counted three times; only the invoice and the credit note are revenue."""
    lines = [
        ("C1", "10/01/2024", "100,00", "30,00", "CD1", "Commande"),
        ("C1", "12/01/2024", "100,00", "30,00", "BL1", "Bon de livraison"),
        ("C1", "15/01/2024", "100,00", "30,00", "FA1", "Facture"),
        ("C1", "20/01/2024", "-20,00", "-6,00", "AV1", "Avoir"),
        ("C2", "03/02/2024", "500,00", "50,00", "DV1", "Devis"),
        ("C2", "04/02/2024", "80,00", "8,00", "PF1", "Facture pro forma"),
        ("C2", "05/02/2024", "80,00", "8,00", "FA2", "Facture"),
        ("C3", "06/02/2024", "40,00", "4,00", "X1", "Divers"),  # unknown: kept as a sale
    ]
    ds = load_dataset(_client(tmp_path, lines))
    tx = ds.transactions
    assert tx["invoice_id"].astype(str).tolist() == ["FA1", "AV1", "FA2", "X1"]
    assert tx["amount"].sum() == pytest.approx(200.0)
    assert tx["margin"].sum() == pytest.approx(36.0)
    led = ds.ledger
    assert led.rows_excluded[NOT_INVOICE] == 4
    assert led.amounts_excluded[NOT_INVOICE] == 780.0
    assert led.details["document_types"]["Divers"] == "unknown"
    assert led.details["document_types"]["Bon de livraison"] == "not an invoice"
    _balanced(led)


def test_credit_notes_all_written_positive_are_counted_negative(tmp_path):
    lines = [
        ("C1", "15/01/2024", "100,00", "30,00", "FA1", "Facture"),
        ("C1", "20/01/2024", "20,00", "6,00", "AV1", "Avoir"),
        ("C2", "05/02/2024", "80,00", "8,00", "FA2", "Facture"),
        ("C2", "06/02/2024", "80,00", "8,00", "AV2", "Avoir"),  # cancels FA2
    ]
    ds = load_dataset(_client(tmp_path, lines))
    tx = ds.transactions
    np.testing.assert_array_equal(tx["amount"].to_numpy(), [100.0, -20.0, 80.0, -80.0])
    np.testing.assert_array_equal(tx["margin"].to_numpy(), [30.0, -6.0, 8.0, -8.0])
    warning = ds.ledger.warnings[W_CREDIT_WRITTEN_POSITIVE]
    assert warning == {"rows": 2, "amount": -100.0, "examples": [2, 4]}
    assert ds.ledger.warnings["credit notes"]["rows"] == 2
    assert ds.ledger.amount_used == 80.0
    _balanced(ds.ledger)


def test_credit_notes_written_both_ways_are_kept_and_the_positive_ones_named(tmp_path):
    lines = [
        ("C1", "15/01/2024", "100,00", "30,00", "FA1", "Facture"),
        ("C1", "20/01/2024", "-20,00", "-6,00", "AV1", "Avoir"),
        ("C2", "06/02/2024", "15,00", "1,00", "AV2", "Avoir"),  # which sign? as written
    ]
    ds = load_dataset(_client(tmp_path, lines))
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [100.0, -20.0, 15.0])
    assert ds.ledger.warnings[W_CREDIT_POSITIVE] == {"rows": 1, "amount": 15.0, "examples": [3]}
    assert W_CREDIT_WRITTEN_POSITIVE not in ds.ledger.warnings


def test_without_a_document_type_column_nothing_changes(tmp_path):
    (tmp_path / "factures.csv").write_text(
        "Code client;Date;Montant HT\nC1;15/01/2024;100,00\nC1;20/01/2024;20,00\n",
        encoding="utf-8",
    )
    cfg = config_from_dict(
        {
            "client": "T",
            "as_of": "2024-12-31",
            "transactions": {
                "path": "factures.csv",
                "columns": {"customer_id": "Code client", "date": "Date", "amount": "Montant HT"},
            },
        },
        base_dir=tmp_path,
    )
    ds = load_dataset(cfg)
    assert ds.ledger.amount_used == 120.0 and "document_types" not in ds.ledger.details


_TYPES = ["Facture", "Avoir", "Commande", "Devis", "BL", "Divers"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_TYPES), st.integers(min_value=-50_000, max_value=50_000)),
        min_size=1,
        max_size=30,
    )
)
def test_revenue_is_the_invoices_and_credit_notes_and_the_ledger_adds_up(tmp_path_factory, docs):
    """Whatever the mix: the amount used is the invoices' and unknown documents' amounts plus
    the credit notes' (their sign restored when every one was written positive), the
    others are excluded, and read = used + excluded."""
    folder = tmp_path_factory.mktemp("docs")
    lines = [
        (f"C{i % 4}", "15/01/2024", f"{cents / 100:.2f}".replace(".", ","), "0", f"P{i}", kind)
        for i, (kind, cents) in enumerate(docs)
    ]
    if not any(k not in ("Commande", "Devis", "BL") for k, _ in docs):
        return  # no usable row: refused (tested elsewhere)
    ds = load_dataset(_client(folder, lines))
    credits = [c for k, c in docs if k == "Avoir"]
    flip = bool(credits) and any(c > 0 for c in credits) and not any(c < 0 for c in credits)
    expected = sum(c for k, c in docs if k in ("Facture", "Divers"))
    expected += sum(-c if flip and c > 0 else c for c in credits)
    assert round(ds.ledger.amount_used * 100) == expected
    assert ds.ledger.rows_excluded.get(NOT_INVOICE, 0) == sum(
        k in ("Commande", "Devis", "BL") for k, _ in docs
    )
    _balanced(ds.ledger)
