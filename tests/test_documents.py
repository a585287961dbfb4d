"""Tests of icpc.analysis.documents: invoice lines grouped into documents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import icpc.cleaning.documents as cleaning_documents
from icpc.analysis.documents import documents


def _tx(rows, *, invoice=True, margin=False):
    cols = ["customer_id", "date", "amount", "invoice_id", "margin"]
    df = pd.DataFrame(rows, columns=cols[: len(rows[0])] if rows else cols)
    out = pd.DataFrame(
        {
            "customer_id": pd.Categorical(df["customer_id"]),
            "date": pd.to_datetime(df["date"]).astype("datetime64[ns]"),
            "amount": df["amount"].astype("float64"),
        }
    )
    if invoice:
        out["invoice_id"] = pd.Categorical(df["invoice_id"])
    if margin:
        out["margin"] = df["margin"].astype("float64")
    out["source_row"] = np.arange(1, len(out) + 1, dtype="int64")
    return out


def test_invoice_spanning_lines_takes_earliest_date_and_total():
    tx = _tx(
        [
            ("A", "2024-01-03", 100.0, "F1"),
            ("A", "2024-01-01", 50.5, "F1"),
            ("B", "2024-01-02", 20.0, "F2"),
            ("A", "2024-02-01", -30.0, "AV1"),
        ]
    )
    got = documents(tx).sort_values("date")
    assert list(got.columns) == ["customer_id", "invoice_id", "date", "amount", "is_sale"]
    assert got["customer_id"].astype(str).tolist() == ["A", "B", "A"]
    assert got["invoice_id"].astype(str).tolist() == ["F1", "F2", "AV1"]
    assert got["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-02",
        "2024-02-01",
    ]
    assert got["amount"].tolist() == [150.5, 20.0, -30.0]
    assert got["is_sale"].tolist() == [True, True, False]
    assert got["customer_id"].dtype == tx["customer_id"].dtype
    assert got["date"].dtype == "datetime64[ns]"


def test_same_invoice_number_of_two_customers_is_two_documents():
    tx = _tx(
        [
            ("A", "2024-01-01", 10.0, "F1"),
            ("B", "2024-01-05", 20.0, "F1"),
            ("A", "2024-01-03", 1.0, "F1"),
            ("B", "2024-01-02", 2.0, "F2"),
        ]
    )
    got = documents(tx).sort_values(["customer_id", "date"])
    assert got["customer_id"].astype(str).tolist() == ["A", "B", "B"]
    assert got["invoice_id"].astype(str).tolist() == ["F1", "F2", "F1"]
    assert got["amount"].tolist() == [11.0, 2.0, 20.0]
    assert got["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-05",
    ]


def test_null_invoice_id_row_is_its_own_document():
    tx = _tx(
        [
            ("A", "2024-01-01", 10.0, None),
            ("A", "2024-01-01", 15.0, None),
            ("A", "2024-01-01", 5.0, "F1"),
            ("A", "2024-01-02", 5.0, "F1"),
        ]
    )
    got = documents(tx)
    assert sorted(got["amount"].tolist()) == [10.0, 10.0, 15.0]
    assert got.loc[got["invoice_id"].isna(), "amount"].tolist() == [10.0, 15.0]
    assert got.loc[got["invoice_id"].notna(), "date"].tolist() == [pd.Timestamp("2024-01-01")]


def test_credit_note_cancelling_with_float_noise_is_zero_not_a_sale():
    # 0.1 + 0.2 - 0.3 is 5.55e-17 in floating point: the document total is exactly 0.
    tx = _tx(
        [
            ("A", "2024-03-01", 0.1, "F1"),
            ("A", "2024-03-01", 0.2, "F1"),
            ("A", "2024-03-02", -0.3, "F1"),
        ]
    )
    got = documents(tx)
    assert got["amount"].tolist() == [0.0]
    assert not np.signbit(got["amount"].iloc[0])
    assert got["is_sale"].tolist() == [False]


def test_without_invoice_column_each_row_is_a_document():
    tx = _tx([("A", "2024-01-01", 10.0), ("A", "2024-01-01", -10.0)], invoice=False)
    got = documents(tx)
    assert list(got.columns) == ["customer_id", "date", "amount", "is_sale"]
    assert got["amount"].tolist() == [10.0, -10.0]
    assert got["is_sale"].tolist() == [True, False]


def test_margin_is_summed_with_nan_as_zero():
    tx = _tx(
        [
            ("A", "2024-01-01", 10.0, "F1", 3.0),
            ("A", "2024-01-01", 10.0, "F1", np.nan),
            ("B", "2024-01-01", 5.0, "F2", 1.25),
        ],
        margin=True,
    )
    got = documents(tx)
    assert got["margin"].tolist() == [3.0, 1.25]


def test_unused_categories_are_kept_and_empty_input_gives_empty_frame():
    tx = _tx([("A", "2024-01-01", 10.0, "F1")])
    tx["customer_id"] = tx["customer_id"].cat.add_categories(["Z"])
    got = documents(tx)
    assert list(got["customer_id"].cat.categories) == ["A", "Z"]
    empty = documents(tx.iloc[0:0])
    assert len(empty) == 0
    assert list(empty.columns) == ["customer_id", "invoice_id", "date", "amount", "is_sale"]


@pytest.mark.parametrize("seed", [0, 1, 2], ids=["seed0", "seed1", "seed2"])
def test_matches_a_pandas_groupby(seed):
    rng = np.random.default_rng(seed)
    n = 500
    cust = rng.integers(0, 20, n)
    inv = rng.integers(0, 60, n).astype(object)
    inv[rng.random(n) < 0.1] = None
    tx = pd.DataFrame(
        {
            "customer_id": pd.Categorical([f"C{c:02d}" for c in cust]),
            "date": (
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
            ).astype("datetime64[ns]"),
            "amount": np.round(rng.normal(50, 80, n), 2),
            "invoice_id": pd.Categorical([None if i is None else f"F{i}" for i in inv]),
        }
    )
    got = documents(tx)
    key = (
        tx["invoice_id"]
        .astype(object)
        .where(tx["invoice_id"].notna(), "row" + pd.Series(range(n)).astype(str))
    )
    expected = (
        tx.assign(key=key.to_numpy())
        .groupby(["customer_id", "key"], observed=True, sort=False)
        .agg(date=("date", "min"), amount=("amount", "sum"))
        .reset_index()
    )
    expected["amount"] = expected["amount"].round(2) + 0.0
    expected["is_sale"] = expected["amount"] > 0
    got = got.sort_values(["customer_id", "date", "amount"], kind="stable").reset_index(drop=True)
    expected = expected.sort_values(["customer_id", "date", "amount"], kind="stable").reset_index(
        drop=True
    )
    pdt.assert_frame_equal(
        got[["customer_id", "date", "amount", "is_sale"]],
        expected[["customer_id", "date", "amount", "is_sale"]],
    )


@pytest.mark.parametrize("max_passes", [1, 2, 100], ids=["hash-early", "two-passes", "passes-only"])
def test_invoice_shared_by_many_customers(monkeypatch, max_passes):
    monkeypatch.setattr(cleaning_documents, "_MAX_PASSES", max_passes)
    customers = ["A", "B", "C", "D", "E", "F"]
    rows = [(c, f"2024-01-0{i + 1}", 10.0 * (i + 1), "F1") for i, c in enumerate(customers)]
    rows += [(c, "2024-02-01", 1.0, "F1") for c in customers]  # a second line of each
    rows += [("A", "2024-03-01", 5.0, None), ("B", "2024-03-01", 7.0, "F2")]
    got = documents(_tx(rows)).sort_values(["customer_id", "date"]).reset_index(drop=True)
    assert len(got) == 8
    assert got["customer_id"].astype(str).tolist() == ["A", "A", "B", "B", "C", "D", "E", "F"]
    assert got["amount"].tolist() == [11.0, 5.0, 21.0, 7.0, 31.0, 41.0, 51.0, 61.0]
    assert got["date"].dt.day.tolist() == [1, 1, 2, 1, 3, 4, 5, 6]


def _history_case(draw_rng, *, invoice, margin, shared):
    """Lines of a few customers over 60 days; invoices whose lines straddle dates, credit
    notes that bring a document to zero, rows without invoice number, and (``shared``)
    invoice numbers carried by several customers."""
    n = int(draw_rng.integers(1, 120))
    customers = draw_rng.choice(["A", "B", "C", "D"], n)
    n_inv = max(1, n // 3)
    inv = draw_rng.integers(0, n_inv, n)
    if not shared:  # an invoice number belongs to one customer
        customers = np.array(["A", "B", "C", "D"])[inv % 4]
    invoices = np.array([f"F{i}" for i in inv], dtype=object)
    invoices[draw_rng.random(n) < 0.1] = None
    day = draw_rng.integers(0, 60, n)
    amount = np.round(
        draw_rng.choice([-1.0, 1.0], n, p=[0.2, 0.8]) * draw_rng.integers(1, 10_000, n) / 100, 2
    )
    rows = [
        (c, pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d)), a, i, m)
        for c, d, a, i, m in zip(customers, day, amount, invoices, amount / 3, strict=True)
    ]
    return _tx(rows, invoice=invoice, margin=margin)


def _sorted_documents(frame):
    keys = [c for c in ("customer_id", "invoice_id", "date", "amount") if c in frame.columns]
    out = frame.astype({k: "object" for k in ("customer_id", "invoice_id") if k in frame.columns})
    return out.sort_values(keys, na_position="last").reset_index(drop=True)


@pytest.mark.parametrize("seed", range(40))
def test_history_until_is_documents_of_the_lines_up_to_the_date(seed):
    """DocumentHistory.until(d) gives documents(lines dated ≤ d) at every date, on generated
    lines with straddling invoices, credit notes, missing invoice numbers, and shared ones;
    the same rows in the same order when no invoice number is shared."""
    from icpc.analysis.documents import DocumentHistory

    rng = np.random.default_rng(seed)
    invoice, margin, shared = bool(seed % 4), bool(seed % 3), seed % 5 == 0
    tx = _history_case(rng, invoice=invoice, margin=margin, shared=shared)
    history = DocumentHistory(tx)
    pdt.assert_frame_equal(history.all, documents(tx))
    for day in [*pd.date_range("2023-12-31", "2024-03-01", freq="3D"), pd.Timestamp("2024-02-29")]:
        expected = documents(tx.loc[(tx["date"] <= day).to_numpy()])
        got = history.until(day)
        if shared:
            pdt.assert_frame_equal(_sorted_documents(got), _sorted_documents(expected))
        else:
            pdt.assert_frame_equal(got, expected)


def test_history_until_recomputes_a_straddling_invoice_and_its_sale_flag():
    """An invoice of 100 € on 1 January and −100 € on 10 January: on the 5th it is a sale of
    100 €, from the 10th a zero document (not a sale); its margin follows its lines."""
    from icpc.analysis.documents import DocumentHistory

    tx = _tx(
        [("A", "2024-01-01", 100.0, "F1", 30.0), ("A", "2024-01-10", -100.0, "F1", -30.0),
         ("B", "2024-01-03", 5.0, "F2", 1.0)],
        margin=True,
    )  # fmt: skip
    history = DocumentHistory(tx)
    on_5th = history.until("2024-01-05").set_index("invoice_id")
    assert on_5th.loc["F1", ["amount", "margin", "is_sale"]].tolist() == [100.0, 30.0, True]
    on_10th = history.until("2024-01-10").set_index("invoice_id")
    assert on_10th.loc["F1", ["amount", "margin", "is_sale"]].tolist() == [0.0, 0.0, False]
    assert list(history.until("2024-01-02")["invoice_id"]) == ["F1"]
    assert history.until("2023-12-31").empty
