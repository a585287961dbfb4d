"""Tests of icpc.kpi on small hand-worked fixtures (expected numbers worked out by hand)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from icpc import kpi

AS_OF = dt.date(2024, 12, 31)


def make_tx(rows, *, margin=False):
    """Canonical transactions from (customer, date, amount, invoice, salesperson[, margin])."""
    cols = ["customer_id", "date", "amount", "invoice_id", "salesperson", "margin"][: len(rows[0])]
    df = pd.DataFrame(rows, columns=cols)
    out = pd.DataFrame(
        {
            "customer_id": pd.Categorical(df["customer_id"]),
            "date": pd.to_datetime(df["date"]).astype("datetime64[ns]"),
            "amount": df["amount"].astype("float64"),
            "invoice_id": pd.Categorical(df["invoice_id"]),
            "salesperson": pd.Categorical(df["salesperson"]),
        }
    )
    if margin:
        out["margin"] = df["margin"].astype("float64")
    out["source_row"] = np.arange(1, len(out) + 1, dtype="int64")
    return out


# One fixture, worked out by hand. N = 2024, N-1 = 2023.
#   A retained: 100 (60 + 40, on the first day of N-1) + 50 (last day of N-1) | 80 (first day
#     of N) + 40 (last day of N). Salesperson Paul in 2023, Marie in 2024 -> Marie.
#   B lost: 200 on 2023-06-15 (Paul).
#   C new: 300 on 2024-03-10 (Marie) + 100 on 2024-04-10 (Paul) -> Paul; a row after
#     as_of (999, Zoé) is ignored.
#   D cancelled: 0.1 + 0.2 (invoice F8, a sale of 0.30, no salesperson) then credit
#     note -0.3 (Paul): net 0, not active; its last invoice, F8, has no salesperson ->
#     unassigned (a credit note does not move a customer).
#   E reactivated: 70 in 2022, 30 on 2024-07-01 (Marie).
#   F retained through an invoice spanning N-1/N: 20 on 2023-12-31 + 10 on 2024-01-02,
#     one document dated 2023-12-31 (Marie then Paul -> Paul).
#   G lost by a credit note: 50 in 2023 (Paul), credit note -30 -20 on 2024-02-01
#     (Paul then Marie): its last invoice is F12 -> Paul, not the credit note's Marie.
ROWS = [
    ("A", "2023-01-01", 60.0, "F1", "Paul"),
    ("A", "2023-01-01", 40.0, "F1", "Paul"),
    ("A", "2023-12-31", 50.0, "F2", "Paul"),
    ("A", "2024-01-01", 80.0, "F3", "Marie"),
    ("A", "2024-12-31", 40.0, "F4", "Marie"),
    ("B", "2023-06-15", 200.0, "F5", "Paul"),
    ("C", "2024-03-10", 300.0, "F6", "Marie"),
    ("C", "2024-04-10", 100.0, "F7", "Paul"),
    ("C", "2025-01-05", 999.0, "F99", "Zoé"),
    ("D", "2024-05-01", 0.1, "F8", None),
    ("D", "2024-05-01", 0.2, "F8", None),
    ("D", "2024-05-02", -0.3, "AV1", "Paul"),
    ("E", "2022-02-01", 70.0, "F9", "Marie"),
    ("E", "2024-07-01", 30.0, "F10", "Marie"),
    ("F", "2023-12-31", 20.0, "F11", "Marie"),
    ("F", "2024-01-02", 10.0, "F11", "Paul"),
    ("G", "2023-03-01", 50.0, "F12", "Paul"),
    ("G", "2024-02-01", -30.0, "AV2", "Paul"),
    ("G", "2024-02-01", -20.0, "AV2", "Marie"),
]


@pytest.fixture
def tx():
    return make_tx(ROWS)


@pytest.fixture
def table(tx):
    return kpi.customer_periods(tx, as_of=AS_OF, months=12)


# --------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("as_of", "months", "n", "n1"),
    [
        ("2024-12-31", 12, ("2024-01-01", "2024-12-31"), ("2023-01-01", "2023-12-31")),
        ("2011-12-09", 6, ("2011-06-10", "2011-12-09"), ("2010-12-10", "2011-06-09")),
        ("2024-02-29", 12, ("2023-03-01", "2024-02-29"), ("2022-03-01", "2023-02-28")),
        ("2024-03-30", 1, ("2024-02-29", "2024-03-30"), ("2024-01-29", "2024-02-28")),
        ("2024-03-31", 1, ("2024-03-01", "2024-03-31"), ("2024-02-01", "2024-02-29")),
        ("2023-02-28", 12, ("2022-03-01", "2023-02-28"), ("2021-03-01", "2022-02-28")),
    ],
    ids=["design-year", "design-6-months", "leap-day", "clamp-to-feb-29", "month-end", "feb-28"],
)
def test_period_bounds(as_of, months, n, n1):
    current, previous = kpi.period_bounds(as_of, months)
    assert (current.start.isoformat(), current.end.isoformat()) == n
    assert (previous.start.isoformat(), previous.end.isoformat()) == n1
    assert previous.end + dt.timedelta(days=1) == current.start


def test_add_months_clamps_to_month_end():
    assert kpi.add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert kpi.add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert kpi.add_months(dt.date(2024, 1, 15), -13) == dt.date(2022, 12, 15)


# --------------------------------------------------------------------------------------
# per-customer table and period indicators
# --------------------------------------------------------------------------------------
def test_customer_table(table):
    t = table
    assert list(t.index.astype(str)) == ["A", "B", "C", "D", "E", "F", "G"]
    assert t["revenue"].tolist() == [120.0, 0.0, 400.0, 0.0, 30.0, 10.0, -50.0]
    assert t["revenue_previous"].tolist() == [150.0, 200.0, 0.0, 0.0, 0.0, 20.0, 50.0]
    assert t["sales_count"].tolist() == [2, 0, 2, 1, 1, 0, 0]
    assert t["sales_count_previous"].tolist() == [2, 1, 0, 0, 0, 1, 1]
    assert t["active"].tolist() == [True, False, True, False, True, True, False]
    assert t["bridge_class"].astype(str).tolist() == [
        "retained",
        "lost",
        "new",
        "other",
        "reactivated",
        "retained",
        "lost",
    ]
    assert t["first_sale"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-01-01", "2023-06-15", "2024-03-10", "2024-05-01", "2022-02-01", "2023-12-31", "2023-03-01",
    ]  # fmt: skip
    assert t.loc["C", "last_sale"] == pd.Timestamp("2024-04-10")  # the 2025 row is ignored
    assert t["salesperson"].astype(object).where(t["salesperson"].notna(), None).tolist() == [
        "Marie", "Paul", "Paul", None, "Marie", "Paul", "Paul",
    ]  # fmt: skip
    # -0.0 never leaks out of the rounding (D's 0.1 + 0.2 - 0.3)
    assert not np.signbit(t.loc["D", "revenue"])


def test_period_indicators(table):
    ind = kpi.period_indicators(table)
    assert list(ind.index) == [
        "revenue", "sales_count", "active_customers", "average_basket",
        "purchase_frequency", "revenue_per_customer",
    ]  # fmt: skip
    expected = {
        # current, previous
        "revenue": (510.0, 420.0),
        "sales_count": (6, 5),
        "active_customers": (4, 4),
        "average_basket": (85.0, 84.0),
        "purchase_frequency": (1.5, 1.25),
        "revenue_per_customer": (127.5, 105.0),
    }
    for name, (cur, prev) in expected.items():
        assert ind.loc[name, "current"] == pytest.approx(cur)
        assert ind.loc[name, "previous"] == pytest.approx(prev)
        assert ind.loc[name, "change"] == pytest.approx(cur - prev)
    assert ind.loc["revenue", "change_pct"] == pytest.approx(90 / 420)
    assert ind.loc["active_customers", "change_pct"] == 0.0


def test_margin_and_margin_rate():
    rows = [
        ("A", "2023-05-01", 100.0, "F1", "P", 30.0),
        ("A", "2024-05-01", 200.0, "F2", "P", 50.0),
        ("B", "2024-06-01", 100.0, "F3", "P", np.nan),  # unparseable margin counts 0
    ]
    t = kpi.customer_periods(make_tx(rows, margin=True), as_of=AS_OF, months=12)
    ind = kpi.period_indicators(t)
    assert ind.loc["margin", "current"] == 50.0
    assert ind.loc["margin", "previous"] == 30.0
    assert ind.loc["margin_rate", "current"] == pytest.approx(50 / 300)
    assert ind.loc["margin_rate", "previous"] == pytest.approx(0.3)


def test_change_pct_is_nan_when_previous_is_zero():
    t = kpi.customer_periods(make_tx([("A", "2022-05-01", 10.0, "F1", "P"), ("A", "2024-05-01", 20.0, "F2", "P")]),
                             as_of=AS_OF, months=12)  # fmt: skip
    ind = kpi.period_indicators(t)
    assert ind.loc["revenue", "previous"] == 0.0
    assert ind.loc["revenue", "change"] == 20.0
    assert math.isnan(ind.loc["revenue", "change_pct"])
    assert math.isnan(ind.loc["average_basket", "previous"])  # 0 sales: undefined, not 0


# --------------------------------------------------------------------------------------
# dynamics, bridge, decomposition
# --------------------------------------------------------------------------------------
def test_customer_dynamics(table):
    d = kpi.customer_dynamics(table, as_of=AS_OF)
    assert (d.new_customers, d.retained_customers, d.reactivated_customers, d.lost_customers) == (
        1,
        2,
        1,
        2,
    )
    assert (d.active_current, d.active_previous) == (4, 4)
    assert d.lost_revenue == 250.0
    assert d.churn_rate == 0.5
    assert d.retention_rate == 0.5
    assert list(d.lists["new"].astype(str)) == ["C"]
    assert list(d.lists["retained"].astype(str)) == ["A", "F"]
    assert list(d.lost.index.astype(str)) == ["B", "G"]  # by N-1 revenue, descending
    assert d.lost["revenue_previous"].tolist() == [200.0, 50.0]
    assert d.lost["days_since_last_sale"].tolist() == [565.0, 671.0]
    assert d.lost["salesperson"].astype(str).tolist() == ["Paul", "Paul"]
    assert d.lost_by_month.index.strftime("%Y-%m").tolist() == ["2023-03", "2023-06"]
    assert d.lost_by_month["customers"].tolist() == [1, 1]
    assert d.lost_by_month["revenue_previous"].tolist() == [50.0, 200.0]


def test_revenue_bridge(table):
    b = kpi.revenue_bridge(table)
    assert b.as_dict() == {
        "new": 400.0,
        "reactivated": 30.0,
        "retained": -40.0,
        "lost": -300.0,
        "other": 0.0,
    }
    assert (b.revenue_previous, b.revenue, b.change) == (420.0, 510.0, 90.0)
    assert b.classes["customers"].tolist() == [1, 1, 2, 2, 1]
    # retained: A and F, sales 3 -> 2, revenue 170 -> 130
    w = (130 - 170) / (math.log(130) - math.log(170))
    assert b.retained_frequency == pytest.approx(w * math.log(2 / 3))
    assert b.retained_frequency == pytest.approx(-60.4576, abs=1e-4)
    assert b.retained_frequency + b.retained_basket == pytest.approx(-40.0)
    assert b.retained_method == "lmdi"


def test_decomposition(table):
    d = kpi.decompose_revenue(table)
    w = 90 / math.log(510 / 420)
    assert d.method == "lmdi"
    assert d.customers == pytest.approx(0.0)  # 4 -> 4 active customers
    assert d.frequency == pytest.approx(w * math.log(1.5 / 1.25))
    assert d.basket == pytest.approx(w * math.log(85 / 84))
    assert d.frequency == pytest.approx(84.5142, abs=1e-4)
    assert d.customers + d.frequency + d.basket == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        ((3, 6, 300.0), (0, 0, 0.0), (300.0, 0.0, 0.0)),
        ((0, 0, 0.0), (2, 2, 80.0), (-80.0, 0.0, 0.0)),
        ((2, 2, -10.0), (2, 3, 50.0), (-60.0, 0.0, 0.0)),
        ((float("nan"), float("nan"), 5.0), (1, 1, 5.0), (0.0, 0.0, 0.0)),
    ],
    ids=["no-previous", "no-current", "negative-revenue", "nan-counts"],
)
def test_lmdi_undefined_cases_go_to_customers(current, previous, expected):
    d = kpi.lmdi_decomposition(current, previous)
    assert d.method == "all to customers"
    assert (d.customers, d.frequency, d.basket) == pytest.approx(expected)


def test_lmdi_equal_revenue_uses_the_limit_of_the_log_mean():
    d = kpi.lmdi_decomposition((4, 8, 100.0), (2, 2, 100.0))
    assert d.customers == pytest.approx(100 * math.log(2))
    assert d.frequency == pytest.approx(100 * math.log(2))
    assert d.basket == pytest.approx(-200 * math.log(2))


# --------------------------------------------------------------------------------------
# monthly series, cohorts, concentration
# --------------------------------------------------------------------------------------
def test_monthly_series(tx):
    m = kpi.monthly_series(tx, as_of=AS_OF)
    assert m.index[0] == pd.Timestamp("2022-02-01")
    assert m.index[-1] == pd.Timestamp("2024-12-01")
    assert len(m) == 35
    assert m.loc["2024-12-01", "revenue"] == 40.0  # the 2025 row is not there
    assert m.loc["2024-05-01", "revenue"] == 0.0  # D's 0.1 + 0.2 - 0.3
    assert m.loc["2024-05-01", "active_customers"] == 0
    assert m.loc["2024-05-01", "sales_count"] == 1
    assert m.loc["2024-03-01", "average_basket"] == 300.0
    assert math.isnan(m.loc["2024-06-01", "average_basket"])
    # the rolling year ending in December is period N (and N-1 a year before)
    assert m.loc[
        "2024-12-01", ["revenue_12m", "sales_count_12m", "active_customers_12m"]
    ].tolist() == [510.0, 6, 4]
    assert m.loc[
        "2023-12-01", ["revenue_12m", "sales_count_12m", "active_customers_12m"]
    ].tolist() == [420.0, 5, 4]
    assert m.loc["2024-12-01", "average_basket_12m"] == 85.0
    assert m["revenue_12m"].iloc[:11].isna().all()
    assert m["active_customers_12m"].iloc[:11].isna().all()
    assert m["complete"].all()
    assert not kpi.monthly_series(tx, as_of="2024-12-30")["complete"].iloc[-1]


def test_cohort_table(tx, table):
    cm = kpi.customer_months(tx, as_of=AS_OF)
    c = kpi.cohort_table(table, cm)
    assert c.sizes.to_dict() == {
        "2022-Q1": 1,
        "2023-Q1": 2,
        "2023-Q2": 1,
        "2023-Q4": 1,
        "2024-Q1": 1,
        "2024-Q2": 1,
    }
    q1 = c.counts.loc["2023-Q1"]
    assert q1.iloc[:8].tolist() == [2, 0, 0, 1, 1, 0, 0, 1]  # A and G, then A only
    assert q1.iloc[8:].isna().all()  # after as_of's quarter
    assert c.counts.loc["2023-Q4"].iloc[:5].tolist() == [1, 1, 0, 0, 0]
    assert c.counts.loc["2024-Q2", 0] == 0  # D's sale was cancelled
    assert c.rates.loc["2023-Q1", 0] == 1.0
    assert c.rates.loc["2023-Q1", 3] == 0.5


def test_concentration(table):
    c = kpi.concentration(table)
    assert c.customers == 4
    assert c.top1_share == pytest.approx(400 / 560)
    assert c.top20_share == pytest.approx(400 / 560)  # ceil(20 % of 4) = 1 customer
    assert c.top5_share == 1.0
    assert c.herfindahl == pytest.approx(175400 / 313600)
    assert c.top3_revenue == 550.0
    assert c.revenue_without_top3 == -40.0  # revenue N (510, G's credit note included) - 550
    assert c.pareto["customer_id"].astype(str).tolist() == ["C", "A", "E", "F"]
    assert c.pareto["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_concentration_without_active_customer():
    t = kpi.customer_periods(
        make_tx([("A", "2023-05-01", 10.0, "F1", "P")]), as_of=AS_OF, months=12
    )
    c = kpi.concentration(t)
    assert c.customers == 0
    assert math.isnan(c.top1_share) and math.isnan(c.herfindahl)


# --------------------------------------------------------------------------------------
# by salesperson, attribution
# --------------------------------------------------------------------------------------
def test_customer_attribution_most_recent_row(tx):
    attr = kpi.customer_attribution(tx)
    got = attr["salesperson"].astype(object).where(attr["salesperson"].notna(), None).to_dict()
    # C's latest row is the 2025 one (Zoé): attribution on the frame it is given
    assert got == {
        "A": "Marie",
        "B": "Paul",
        "C": "Zoé",
        "D": None,
        "E": "Marie",
        "F": "Paul",
        "G": "Paul",
    }


def test_by_salesperson(table):
    g = kpi.by_group(table, "salesperson")
    assert list(g.index) == ["(unassigned)", "Marie", "Paul"]
    assert g["revenue"].tolist() == [0.0, 150.0, 360.0]
    assert g["revenue_previous"].tolist() == [0.0, 150.0, 270.0]
    assert g["sales_count"].tolist() == [1, 3, 2]
    assert g["active_customers"].tolist() == [0, 2, 2]
    assert g["share"].tolist() == pytest.approx([0.0, 150 / 510, 360 / 510])
    assert g["rank"].tolist()[1:] == [2.0, 1.0] and math.isnan(g["rank"].iloc[0])
    assert g.loc["Marie", "revenue_gap"] == -105.0  # team average (150 + 360) / 2
    assert g.loc["Paul", "average_basket_gap"] == pytest.approx(180 - 85)  # vs the company's basket
    assert g.loc["Paul", ["bridge_new", "bridge_reactivated", "bridge_retained", "bridge_lost", "bridge_other"]].tolist() == [
        400.0, 0.0, -10.0, -300.0, 0.0,
    ]  # fmt: skip
    assert g.loc["Marie", "bridge_retained"] + g.loc["Marie", "bridge_reactivated"] == 0.0
    bridge_cols = [f"bridge_{k}" for k in kpi.CLASSES]
    assert g[bridge_cols].sum(axis=1).tolist() == pytest.approx(g["revenue_change"].tolist())
    assert g["lost_customers"].tolist() == [0, 0, 2]
    assert g.loc["Paul", "lost_revenue"] == 250.0


# --------------------------------------------------------------------------------------
# edge cases
# --------------------------------------------------------------------------------------
def test_no_previous_data_young_company():
    rows = [
        ("A", "2024-03-01", 100.0, "F1", "P"),
        ("B", "2024-06-01", 50.0, "F2", "P"),
        ("B", "2024-07-01", -50.0, "AV", "P"),
    ]
    tx = make_tx(rows)
    assert not kpi.has_previous_data(tx, as_of=AS_OF, months=12)
    t = kpi.customer_periods(tx, as_of=AS_OF, months=12)
    ind = kpi.period_indicators(t, has_previous=False)
    assert ind.loc["revenue", "current"] == 100.0
    assert ind[["previous", "change", "change_pct"]].isna().all().all()
    d = kpi.customer_dynamics(t, as_of=AS_OF)
    assert (d.new_customers, d.lost_customers) == (1, 0)
    assert math.isnan(d.churn_rate) and math.isnan(d.retention_rate)
    b = kpi.revenue_bridge(t)
    assert b.as_dict() == {
        "new": 100.0,
        "reactivated": 0.0,
        "retained": 0.0,
        "lost": 0.0,
        "other": 0.0,
    }
    assert sum(b.as_dict().values()) == b.change == 100.0
    dec = kpi.decompose_revenue(t)
    assert (dec.customers, dec.frequency, dec.basket, dec.method) == (
        100.0,
        0.0,
        0.0,
        "all to customers",
    )


def test_single_customer():
    tx = make_tx([("A", "2023-06-01", 100.0, "F1", "P"), ("A", "2024-06-01", 120.0, "F2", "P")])
    t = kpi.customer_periods(tx, as_of=AS_OF, months=12)
    assert kpi.revenue_bridge(t).as_dict()["retained"] == 20.0
    c = kpi.concentration(t)
    assert (c.top1_share, c.herfindahl, c.revenue_without_top3) == (1.0, 1.0, 0.0)
    g = kpi.by_group(t, "salesperson")
    assert g.loc["P", "revenue_gap"] == 0.0 and g.loc["P", "rank"] == 1.0


def test_without_invoice_column_each_row_is_a_sale():
    tx = make_tx([("A", "2024-02-01", 10.0, None, "P"), ("A", "2024-02-01", 15.0, None, "P")]).drop(
        columns="invoice_id"
    )
    t = kpi.customer_periods(tx, as_of=AS_OF, months=12)
    assert t.loc["A", "sales_count"] == 2
    assert t.loc["A", "revenue"] == 25.0


def test_customer_months_blocks_agree_with_one_block(tx, monkeypatch):
    whole = kpi.customer_months(tx, as_of=AS_OF)
    import icpc.analysis.monthly as monthly

    monkeypatch.setattr(monthly, "_DENSE_LIMIT", 40)  # 35 months: one customer per block
    blocks = kpi.customer_months(tx, as_of=AS_OF)
    for a, b in zip(
        (whole.customer, whole.month, whole.revenue),
        (blocks.customer, blocks.month, blocks.revenue),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dense", [True, False], ids=["dense", "events"])
def test_rolling_active_both_methods_match_brute_force(dense):
    rng = np.random.default_rng(7)
    for _ in range(20):
        n, width = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        key = np.unique(rng.integers(0, n * width, int(rng.integers(1, 120))))
        c, m = key // width, key % width
        v = np.round(rng.normal(0, 50, len(key)), 2)
        cm = kpi.CustomerMonths(c, m + 24000, v, 24000, 24000 + width - 1, n)
        grid = np.zeros((n, width))
        grid[c, m] = v
        ref = [
            int((np.round(grid[:, max(0, t - 11) : t + 1].sum(axis=1), 2) > 0).sum())
            for t in range(width)
        ]
        assert kpi._rolling_active(cm, 12, dense=dense).tolist() == ref


def test_table_attribution_is_customer_attribution(tx):
    upto = tx[tx["date"] <= pd.Timestamp(AS_OF)].reset_index(drop=True)
    attr = kpi.customer_attribution(upto)
    computed = kpi.customer_periods(upto, as_of=AS_OF, months=12)
    given = attr["salesperson"].reindex(computed.index)
    assert given.astype(str).tolist() == computed["salesperson"].astype(str).tolist()
    assert given.isna().tolist() == computed["salesperson"].isna().tolist()
    assert computed.loc["C", "salesperson"] == "Paul"
