"""Property tests (hypothesis) of the KPI identities of docs/definitions.md, against brute force."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icpc import kpi
from icpc.export import round_adding_up

START = dt.date(2021, 1, 1)
DAYS = 4 * 365
# amounts with float noise (0.1 + 0.2 - 0.3), cancellations and odd cents
AMOUNTS = st.one_of(
    st.sampled_from([0.1, 0.2, -0.3, 0.7, -0.7, 100.0, -100.0, 33.33, -33.33, 0.01, -0.01]),
    st.integers(-5_000, 20_000).map(lambda c: c / 100),
)
ROW = st.tuples(
    st.integers(0, 5),  # customer
    st.integers(0, DAYS - 1),  # day
    AMOUNTS,
    st.one_of(st.none(), st.integers(0, 8)),  # invoice number (None = own document)
)


def build(rows):
    cust, day, amount, inv = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical([f"C{c}" for c in cust]),
            "date": pd.to_datetime([START + dt.timedelta(days=d) for d in day]).astype(
                "datetime64[ns]"
            ),
            "amount": np.array(amount, dtype="float64"),
            "invoice_id": pd.Categorical([None if i is None else f"F{i}" for i in inv]),
            "source_row": np.arange(1, len(rows) + 1, dtype="int64"),
        }
    )


def brute_force(tx, as_of, months, compare="previous_period"):
    """Per customer: revenue and sales of N and N-1, first sale, the slow obvious way."""
    current, previous = kpi.period_bounds(as_of, months, compare)
    tx = tx[tx["date"] <= pd.Timestamp(as_of)]
    key = (
        tx["invoice_id"]
        .astype(object)
        .where(tx["invoice_id"].notna(), "row" + tx.index.astype(str))
    )
    docs = (
        tx.assign(key=key.to_numpy())
        .groupby(["customer_id", "key"], observed=True)
        .agg(date=("date", "min"), amount=("amount", "sum"))
        .reset_index()
    )
    docs = docs[docs["amount"].round(2) > 0]
    out = {}
    for cust in tx["customer_id"].unique():
        rows = tx[tx["customer_id"] == cust]
        mine = docs[docs["customer_id"] == cust]
        fig = {}
        for name, p in (("N", current), ("N1", previous)):
            inside = (rows["date"] >= pd.Timestamp(p.start)) & (rows["date"] <= pd.Timestamp(p.end))
            fig["rev" + name] = round(float(rows.loc[inside, "amount"].sum()), 2)
            d_in = (mine["date"] >= pd.Timestamp(p.start)) & (mine["date"] <= pd.Timestamp(p.end))
            fig["sales" + name] = int(d_in.sum())
        fig["first_sale"] = mine["date"].min() if len(mine) else pd.NaT
        out[str(cust)] = fig
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(ROW, min_size=1, max_size=30),
    as_of_day=st.integers(0, DAYS + 30),
    months=st.integers(1, 12),
    compare=st.sampled_from(["previous_period", "previous_year"]),
)
def test_identities_hold_and_match_brute_force(rows, as_of_day, months, compare):
    tx = build(rows)
    as_of = START + dt.timedelta(days=as_of_day)
    current, _ = kpi.period_bounds(as_of, months, compare)
    table = kpi.customer_periods(tx, as_of=as_of, months=months, compare=compare)
    expected = brute_force(tx, as_of, months, compare)

    # per customer, against the obvious computation
    assert set(table.index.astype(str)) == set(expected)
    for cust, fig in expected.items():
        row = table.loc[cust]
        assert row["revenue"] == pytest.approx(fig["revN"], abs=1e-9)
        assert row["revenue_previous"] == pytest.approx(fig["revN1"], abs=1e-9)
        assert row["sales_count"] == fig["salesN"]
        assert row["sales_count_previous"] == fig["salesN1"]
        assert row["active"] == (fig["revN"] > 0)
        assert row["active_previous"] == (fig["revN1"] > 0)
        assert (pd.isna(row["first_sale"]) and pd.isna(fig["first_sale"])) or row[
            "first_sale"
        ] == fig["first_sale"]
        is_new = (
            row["active"]
            and not row["active_previous"]
            and row["first_sale"] >= pd.Timestamp(current.start)
        )
        assert (row["bridge_class"] == "new") == bool(is_new)

    # the identities of docs/definitions.md
    dyn = kpi.customer_dynamics(table, as_of=as_of)
    assert (
        dyn.active_current == dyn.new_customers + dyn.retained_customers + dyn.reactivated_customers
    )
    assert dyn.active_previous == dyn.retained_customers + dyn.lost_customers

    ind = kpi.period_indicators(table)
    revenue, previous = ind.loc["revenue", "current"], ind.loc["revenue", "previous"]
    assert revenue == pytest.approx(sum(f["revN"] for f in expected.values()), abs=1e-6)
    active = ind.loc["active_customers", "current"]
    freq, basket = ind.loc["purchase_frequency", "current"], ind.loc["average_basket", "current"]
    if not (math.isnan(freq) or math.isnan(basket)):
        assert active * freq * basket == pytest.approx(revenue, abs=1e-6)

    bridge = kpi.revenue_bridge(table)
    assert sum(bridge.as_dict().values()) == pytest.approx(revenue - previous, abs=1e-6)
    assert bridge.change == pytest.approx(revenue - previous, abs=1e-9)
    ret = bridge.classes.loc["retained", "contribution"]
    assert bridge.retained_frequency + bridge.retained_basket == pytest.approx(ret, abs=1e-6)

    dec = kpi.decompose_revenue(table)
    assert dec.customers + dec.frequency + dec.basket == pytest.approx(revenue - previous, abs=1e-6)

    # kpis.json rounding keeps the sums exact to the cent
    for parts, total in ((bridge.as_dict(), bridge.change), (dec.as_dict(), dec.change)):
        cents = round_adding_up(parts, total)
        assert round(sum(cents.values()) * 100) == round(total * 100)

    # by salesperson: the groups add up to the company
    tx_sp = tx.assign(salesperson=pd.Categorical(np.where(tx["source_row"] % 2 == 0, "P", "M")))
    t_sp = kpi.customer_periods(tx_sp, as_of=as_of, months=months, compare=compare)
    groups = kpi.by_group(t_sp, "salesperson")
    assert groups["revenue"].sum() == pytest.approx(revenue, abs=1e-6)
    assert groups["active_customers"].sum() == active
    bridge_cols = [f"bridge_{k}" for k in kpi.CLASSES]
    assert groups[bridge_cols].to_numpy().sum() == pytest.approx(revenue - previous, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    current=st.tuples(st.integers(1, 50), st.integers(1, 200), st.floats(0.01, 1e7)),
    previous=st.tuples(st.integers(1, 50), st.integers(1, 200), st.floats(0.01, 1e7)),
)
def test_lmdi_sums_to_change_and_each_effect_has_the_sign_of_its_factor(current, previous):
    d = kpi.lmdi_decomposition(current, previous)
    assert d.method == "lmdi"
    assert d.customers + d.frequency + d.basket == pytest.approx(
        current[2] - previous[2], rel=1e-9, abs=1e-6
    )
    c_ratio = current[0] / previous[0]
    assert (d.customers > 0) == (c_ratio > 1) or c_ratio == 1


@settings(max_examples=60, deadline=None)
@given(as_of_day=st.integers(0, 3000), months=st.integers(1, 24))
def test_periods_are_contiguous_and_about_m_months_long(as_of_day, months):
    as_of = dt.date(2020, 1, 1) + dt.timedelta(days=as_of_day)
    current, previous = kpi.period_bounds(as_of, months)
    assert current.end == as_of
    assert previous.end + dt.timedelta(days=1) == current.start
    for p in (current, previous):
        assert 28 * months <= p.days <= 31 * months
