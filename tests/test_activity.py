"""Tests of icpc.analysis.activity: contacts, calls and conversion per salesperson and period."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from icpc import kpi
from icpc.analysis.activity import ACTIVITY_COLUMNS, activity_summary

AS_OF = dt.date(2024, 12, 31)


def make_tx(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "invoice_id", "salesperson"])
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical(df["customer_id"]),
            "date": pd.to_datetime(df["date"]).astype("datetime64[ns]"),
            "amount": df["amount"].astype("float64"),
            "invoice_id": pd.Categorical(df["invoice_id"]),
            "salesperson": pd.Categorical(df["salesperson"]),
            "source_row": np.arange(1, len(df) + 1, dtype="int64"),
        }
    )


def make_log(rows):
    df = pd.DataFrame(rows, columns=["date", "salesperson", "kind"])
    return pd.DataFrame(
        {
            "date": pd.to_datetime(df["date"]).astype("datetime64[ns]"),
            "salesperson": pd.Categorical(df["salesperson"]),
            "kind": df["kind"].astype("str"),
        }
    )


# Sales: Paul 3 sales in 2024 (600), 1 in 2023 (100); Marie 2 sales in 2024 (50 and 40), and
# customer M2 moved from Paul to Marie (its most recent invoice is Marie's).
# A credit note alone moves no one: only an invoice (a document whose total is > 0) does.
TX = [
    ("P1", "2024-02-01", 200.0, "F1", "Paul"),
    ("P1", "2024-03-01", 300.0, "F2", "Paul"),
    ("P2", "2024-12-31", 100.0, "F3", "Paul"),
    ("P2", "2023-06-01", 100.0, "F4", "Paul"),
    ("M1", "2024-05-01", 50.0, "F5", "Marie"),
    ("M2", "2023-02-01", 80.0, "F6", "Paul"),
    ("M2", "2024-01-01", 40.0, "F7", "Marie"),
]
# Log: Paul 2024: 2 contacts, 4 calls of which 2 completed (call_completed counts as a
# call); 2023: 1 completed call. Marie 2024: 1 call, none completed. Jean: only in the
# log. A row on 2025-01-01 (after as_of) and one in 2022 (before N-1) are ignored.
LOG = [
    ("2024-01-10", "Paul", "contact_received"),
    ("2024-12-31", "Paul", "contact_received"),
    ("2024-01-01", "Paul", "call"),
    ("2024-02-01", "Paul", "call"),
    ("2024-02-02", "Paul", "call_completed"),
    ("2024-03-02", "Paul", "call_completed"),
    ("2023-01-01", "Paul", "call_completed"),
    ("2024-06-01", "Marie", "call"),
    ("2024-06-01", "Jean", "contact_received"),
    ("2025-01-01", "Paul", "call_completed"),
    ("2022-12-31", "Paul", "call_completed"),
]


@pytest.fixture
def summary():
    table = kpi.customer_periods(make_tx(TX), as_of=AS_OF, months=12)
    return activity_summary(make_log(LOG), table, as_of=AS_OF, months=12)


def test_columns_and_rows(summary):
    assert list(summary.columns) == list(ACTIVITY_COLUMNS)
    assert list(summary.index.get_level_values(0).unique()) == ["Jean", "Marie", "Paul"]
    assert list(summary.index.get_level_values(1).unique()) == ["current", "previous"]


def test_paul_current(summary):
    row = summary.loc[("Paul", "current")]
    assert row[["contacts_received", "calls", "calls_completed", "sales_count"]].tolist() == [
        2,
        4,
        2,
        3,
    ]
    assert row["revenue"] == 600.0
    assert row["completion_rate"] == 0.5
    assert row["conversion_rate"] == 1.5  # 3 sales / 2 completed calls
    assert row["revenue_per_completed_call"] == 300.0


def test_paul_previous(summary):
    row = summary.loc[("Paul", "previous")]
    assert row[["contacts_received", "calls", "calls_completed", "sales_count"]].tolist() == [
        0,
        1,
        1,
        1,
    ]
    assert row["revenue"] == 100.0  # M2 now belongs to Marie
    assert row["conversion_rate"] == 1.0


def test_attribution_moves_customer_to_most_recent_salesperson(summary):
    marie = summary.loc[("Marie", "previous")]
    assert marie["revenue"] == 80.0 and marie["sales_count"] == 1
    cur = summary.loc[("Marie", "current")]
    assert cur["revenue"] == 90.0 and cur["sales_count"] == 2  # M1 50, M2 40
    assert cur["calls"] == 1 and cur["calls_completed"] == 0
    assert math.isnan(cur["conversion_rate"]) and math.isnan(cur["revenue_per_completed_call"])
    assert cur["completion_rate"] == 0.0


def test_a_later_credit_note_does_not_move_the_customer():
    tx = TX + [
        ("P3", "2023-07-01", 60.0, "F8", "Paul"),
        ("P3", "2024-04-01", -60.0, "AV1", "Marie"),
    ]
    table = kpi.customer_periods(make_tx(tx), as_of=AS_OF, months=12)
    out = activity_summary(make_log(LOG), table, as_of=AS_OF, months=12)
    assert out.loc[("Paul", "previous"), "revenue"] == 160.0  # P2 100, P3 60
    assert out.loc[("Paul", "current"), "revenue"] == 540.0  # 600 and P3's credit note -60
    assert out.loc[("Marie", "current"), "revenue"] == 90.0


def test_salesperson_only_in_log_has_zero_sales(summary):
    row = summary.loc[("Jean", "current")]
    assert row["contacts_received"] == 1
    assert row["sales_count"] == 0 and row["revenue"] == 0.0
    assert math.isnan(row["completion_rate"])


def test_without_salesperson_in_sales_the_sales_are_unknown():
    table = kpi.customer_periods(make_tx(TX).drop(columns="salesperson"), as_of=AS_OF, months=12)
    out = activity_summary(make_log(LOG), table, as_of=AS_OF, months=12)
    assert out["calls"].sum() == 6
    assert out["sales_count"].isna().all()
    assert out["conversion_rate"].isna().all()
