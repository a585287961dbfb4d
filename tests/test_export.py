"""The machine outputs' contracts: kpis.json blocks and customers.csv (docs/outputs.md)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math

import pytest
from test_diagnostic import make_diag
from test_kpi import ROWS

from icpc.config import load_config
from icpc.diagnostic import Diagnostic
from icpc.money import cents

#: the hand fixture plus H, whose only rows are a credit note and a zero line (no sale)
ROWS_H = [
    *ROWS,
    ("H", "2024-03-01", -25.0, "AV3", "Marie"),
    ("H", "2024-04-01", 0.0, "F13", "Marie"),
]


@pytest.fixture(scope="module")
def demo() -> Diagnostic:
    from pathlib import Path

    return Diagnostic.from_config(
        load_config(Path(__file__).resolve().parents[1] / "data_samples/demo/client.yaml")
    )


def test_ratios_are_not_rounded():
    out = make_diag().kpis_json()["kpis"]
    # N: revenue 80 + 40 + 300 + 100 + 0 + 30 + 10 - 50 = 510, sales 6, active 3 (A, C, E; F nets 10)
    revenue, sales, active = (
        out["revenue"]["current"],
        out["sales_count"]["current"],
        out["active_customers"]["current"],
    )
    assert out["average_basket"]["current"] == revenue / sales
    assert out["revenue_per_customer"]["current"] == revenue / active
    assert out["purchase_frequency"]["current"] == sales / active


def test_monthly_block_covers_every_month_and_adds_up(demo):
    out = demo.kpis_json()
    months = list(out["monthly"])
    first = dt.date.fromisoformat(months[0] + "-01")
    expected, d = [], first
    while d <= demo.as_of:
        expected.append(d.strftime("%Y-%m"))
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    assert months == expected
    n_months = [m for m in months if m >= demo.period.start.strftime("%Y-%m")]
    assert (
        float(cents(sum(out["monthly"][m]["revenue"] for m in n_months)))
        == out["kpis"]["revenue"]["current"]
    )
    assert out["monthly"][months[-1]]["revenue_12m"] == out["kpis"]["revenue"]["current"]
    for block in out["monthly"].values():
        if block["sales_count"]:
            assert math.isclose(
                block["average_basket"], block["revenue"] / block["sales_count"], rel_tol=1e-12
            )


def test_cohorts_block(demo):
    cohorts = demo.kpis_json()["cohorts"]
    assert sum(c["size"] for c in cohorts.values()) == int(demo.table["first_sale"].notna().sum())
    for quarter, block in cohorts.items():
        assert quarter in block["active"]  # the cohort's own quarter comes first
        assert list(block["active"])[0] == quarter
        assert all(0 <= n <= block["size"] for n in block["active"].values())


def test_by_salesperson_and_region_add_up(demo):
    out = demo.kpis_json()
    for key in ("by_salesperson", "by_region"):
        groups = out[key]
        assert (
            float(cents(sum(g["revenue"]["current"] for g in groups.values())))
            == out["kpis"]["revenue"]["current"]
        )
        assert sum(g["customers"] for g in groups.values()) == len(demo.table)
        assert sum(g["new_customers"] for g in groups.values()) == out["kpis"]["new_customers"]
        assert sum(g["lost_customers"] for g in groups.values()) == out["kpis"]["lost_customers"]
        assert math.isclose(sum(g["share"] for g in groups.values()), 1.0, rel_tol=1e-9)
        assert sorted(g["rank"] for g in groups.values()) == list(range(1, len(groups) + 1))
        for g in groups.values():
            assert set(g["revenue"]) == {"current", "previous", "change", "change_pct"}


def test_lost_by_quarter_adds_up_to_the_lost_customers(demo):
    out = demo.kpis_json()
    lost = out["lost_by_quarter"]
    assert sum(q["customers"] for q in lost.values()) == out["kpis"]["lost_customers"]
    assert (
        float(cents(sum(q["revenue_previous"] for q in lost.values())))
        == out["kpis"]["lost_revenue"]
    )
    assert list(lost) == sorted(lost)


def test_migration_block(demo):
    out = demo.kpis_json()
    mig = out["migration"]
    assert (mig["from"], mig["to"]) == ("2023-12-31", "2024-12-31")
    to_counts: dict[str, int] = {}
    for row in mig["matrix"].values():
        for seg, n in row.items():
            to_counts[seg] = to_counts.get(seg, 0) + n
    for seg, block in out["segments"].items():
        assert to_counts.get(seg, 0) == block["customers"], seg


def test_blocks_are_left_out_without_their_data():
    out = make_diag().kpis_json()
    assert "by_region" not in out  # no region mapped
    assert "by_salesperson" in out


def test_customers_csv_holds_every_customer_and_adds_up(tmp_path):
    diag = make_diag(ROWS_H)
    path = tmp_path / "customers.csv"
    diag.write_customers_csv(path)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = {r["customer_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {"A", "B", "C", "D", "E", "F", "G", "H"}
    h = rows["H"]
    assert (
        h["status"] == "no sale"
        and h["first_sale"] == ""
        and h["segment"] == ""
        and h["r_score"] == ""
    )
    assert float(h["revenue"]) == -25.0
    revenue = diag.kpis_json()["kpis"]["revenue"]["current"]
    assert float(cents(sum(float(r["revenue"]) for r in rows.values()))) == revenue
    header = list(next(iter(rows.values())))
    assert header[-5:] == ["sale_dates", "warning_reason", "change_6m", "p_alive", "warning_score"]
    assert rows["A"]["sale_dates"] == "4" and rows["A"]["warning_reason"] == ""  # F1, F2, F3, F4


def test_kpis_json_stays_strict_json(demo):
    text = json.dumps(demo.kpis_json(), allow_nan=False)
    assert json.loads(text)["monthly"]


def test_the_late_blocks_are_blocks_and_the_document_keeps_the_contracts_order(demo):
    """The blocks built last (they wait for the background analyses) are kpis.json blocks;
    building them last leaves the document in BLOCKS' order."""
    from icpc.export.kpis_json import BLOCKS, LATE

    assert set(LATE) <= set(BLOCKS) and len(set(LATE)) == len(LATE)
    keys = [k for k in demo.kpis_json() if k in BLOCKS]
    assert keys == [k for k in BLOCKS if k in keys]
