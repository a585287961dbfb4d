"""Tests of icpc.diagnostic: the Diagnostic wrapper and the kpis.json contract (ICPC part)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from test_kpi import ROWS, make_tx  # tests/ is on sys.path (rootdir conftest)

from icpc.config import config_from_dict
from icpc.diagnostic import Diagnostic
from icpc.exceptions import AnalysisError
from icpc.export import jsonable, money, round_adding_up

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_samples" / "demo" / "client.yaml"


def make_config(**extra):
    raw = {
        "client": "Test SARL",
        "transactions": {
            "path": "factures.csv",
            "columns": {
                "customer_id": "Code",
                "date": "Date",
                "amount": "Montant",
                "salesperson": "Commercial",
            },
        },
    }
    return config_from_dict(raw | extra)


def make_diag(rows=ROWS, as_of=dt.date(2024, 12, 31), **extra):
    return Diagnostic.from_frames(make_config(**extra), make_tx(rows), as_of=as_of)


def _walk(value):
    """Every leaf of a JSON-like structure."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def _icpc_blocks(doc):
    # the Score3D / early-warning blocks are tested with their modules
    return {k: v for k, v in doc.items() if k not in ("segments", "early_warning")}


def test_kpis_json_header_and_periods():
    doc = make_diag().kpis_json()
    assert doc["client"] == "Test SARL"
    assert doc["slug"] == "test-sarl"
    assert doc["as_of"] == "2024-12-31"
    assert (doc["currency"], doc["basis"]) == ("EUR", "revenue")
    assert doc["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert doc["previous_period"] == {"start": "2023-01-01", "end": "2023-12-31"}
    assert doc["data_quality"]["rows_excluded"] == {"after as_of": 1}  # C's row of 2025-01-05


def test_kpis_json_figures_of_the_hand_worked_fixture():
    k = make_diag().kpis_json()["kpis"]
    assert k["revenue"] == {
        "current": 510.0,
        "previous": 420.0,
        "change": 90.0,
        "change_pct": pytest.approx(90 / 420),
    }
    assert k["sales_count"] == {
        "current": 6,
        "previous": 5,
        "change": 1,
        "change_pct": pytest.approx(0.2),
    }
    assert k["active_customers"] == {"current": 4, "previous": 4, "change": 0, "change_pct": 0.0}
    assert k["average_basket"]["current"] == 85.0
    assert k["purchase_frequency"]["previous"] == 1.25
    assert k["revenue_per_customer"]["current"] == 127.5
    assert (
        k["new_customers"],
        k["retained_customers"],
        k["reactivated_customers"],
        k["lost_customers"],
    ) == (1, 2, 1, 2)
    assert (k["lost_revenue"], k["churn_rate"], k["retention_rate"]) == (250.0, 0.5, 0.5)
    assert "margin" not in k


def test_kpis_json_bridge_and_decomposition_add_up_to_the_cent():
    doc = make_diag().kpis_json()
    assert doc["bridge"] == {
        "new": 400.0,
        "reactivated": 30.0,
        "retained": -40.0,
        "lost": -300.0,
        "other": 0.0,
    }
    dec = doc["decomposition"]
    assert set(dec) == {"customers", "frequency", "basket"}
    assert round(sum(dec.values()), 2) == 90.0
    assert dec == {"customers": 0.0, "frequency": 84.51, "basket": 5.49}
    assert round(sum(doc["bridge_retained"].values()), 2) == -40.0
    assert doc["concentration"]["top3_revenue"] == 550.0


def test_kpis_json_is_strict_json_with_python_types():
    doc = make_diag().kpis_json()
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text) == doc
    for leaf in _walk(_icpc_blocks(doc)):
        assert leaf is None or type(leaf) in (str, int, float, bool)


def test_money_is_rounded_to_the_cent_and_ratios_are_not():
    # 1/3-cent amounts: revenue comes out in cents, revenue per customer and basket unrounded
    rows = [
        ("A", "2024-03-01", 10.0, "F1", "P"),
        ("B", "2024-03-01", 10.0, "F2", "P"),
        ("C", "2024-03-01", 13.33, "F3", "P"),
    ]
    k = make_diag(rows).kpis_json()["kpis"]
    assert k["revenue"]["current"] == 33.33
    assert k["revenue_per_customer"]["current"] == 33.33 / 3
    assert k["average_basket"]["current"] == 33.33 / 3


def test_young_company_has_null_previous_and_a_bridge_that_adds_up():
    rows = [("A", "2024-03-01", 100.0, "F1", "P"), ("B", "2024-06-01", 50.5, "F2", "P")]
    doc = make_diag(rows).kpis_json()
    k = doc["kpis"]
    for name in (
        "revenue",
        "sales_count",
        "active_customers",
        "average_basket",
        "purchase_frequency",
    ):
        assert (k[name]["previous"], k[name]["change"], k[name]["change_pct"]) == (
            None,
            None,
            None,
        ), name
    assert k["revenue"]["current"] == 150.5
    assert k["churn_rate"] is None and k["retention_rate"] is None
    assert doc["bridge"]["new"] == 150.5
    assert sum(doc["bridge"].values()) == 150.5
    assert doc["decomposition"] == {"customers": 150.5, "frequency": 0.0, "basket": 0.0}
    json.dumps(doc, allow_nan=False)


def test_as_of_before_the_first_sale_is_a_clear_error():
    with pytest.raises(
        AnalysisError, match=r"factures\.csv: as_of 2020-01-01 is before the first sale"
    ):
        Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of=dt.date(2020, 1, 1))


def test_only_credit_notes_up_to_as_of_is_a_clear_error():
    rows = [("A", "2024-01-01", -10.0, "AV1", "P"), ("A", "2024-05-01", 10.0, "F1", "P")]
    with pytest.raises(AnalysisError, match="--as-of"):
        make_diag(rows, as_of=dt.date(2024, 2, 1))


def test_analyses_are_computed_once():
    diag = make_diag()
    assert diag.table is diag.table
    assert diag.bridge is diag.bridge
    assert diag.documents is diag.prepared.documents


def test_by_salesperson_and_region_follow_the_mapping():
    diag = make_diag()
    assert diag.by_salesperson is not None
    assert list(diag.by_salesperson.index) == ["(unassigned)", "Marie", "Paul"]
    assert diag.by_region is None
    assert diag.activity is None


def test_json_blocks_follow_the_contract_order():
    from icpc.export import BLOCKS

    assert list(BLOCKS) == [
        "kpis",
        "bridge",
        "bridge_retained",
        "decomposition",
        "concentration",
        "segments",
        "early_warning",
        "monthly",
        "cohorts",
        "by_salesperson",
        "by_region",
        "lost_by_quarter",
        "migration",
        "objectives",
        "guardrails",
        "follow_up",
        "data_quality",
    ]
    assert all(callable(build) for build in BLOCKS.values())


@pytest.mark.parametrize(
    ("parts", "total", "expected"),
    [
        ({"a": 0.333, "b": 0.333, "c": 0.334}, 1.0, {"a": 0.33, "b": 0.33, "c": 0.34}),
        ({"a": 10.005, "b": -0.002}, 10.003, {"a": 10.0, "b": 0.0}),
        ({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, 1.0, {"a": 0.34, "b": 0.33, "c": 0.33}),
    ],
    ids=["thirds-of-cents", "residual-to-largest", "exact-thirds"],
)
def test_round_adding_up(parts, total, expected):
    got = round_adding_up(parts, total)
    assert got == expected
    assert round(sum(got.values()) * 100) == round(total * 100)


def test_json_helpers():
    assert money(float("nan")) is None
    assert money(-0.001) == 0.0 and not math.copysign(1, money(-0.001)) < 0
    assert jsonable({"d": dt.date(2024, 1, 2), "n": float("inf"), "t": pd.NaT}) == {
        "d": "2024-01-02",
        "n": None,
        "t": None,
    }


@pytest.mark.skipif(not DEMO.is_file(), reason="demo client not generated")
def test_demo_client_tells_its_planted_story():
    pytest.importorskip("icpc.cleaning")
    from icpc.config import load_config

    diag = Diagnostic.from_config(load_config(DEMO))
    k = diag.kpis_json()["kpis"]
    # a prospecting bonus: clearly more customers, mostly new, a lower basket, flat revenue
    assert k["active_customers"]["change_pct"] > 0.15
    assert k["new_customers"] > 2 * k["lost_customers"]
    assert k["average_basket"]["change_pct"] < -0.05
    assert abs(k["revenue"]["change_pct"]) < 0.05
    dec = diag.decomposition
    assert dec.customers > 0 and dec.basket < 0 and dec.frequency < 0
    # the bonus salesperson brought most of the new customers
    by_sp = diag.by_salesperson
    assert by_sp["new_customers"].idxmax() == "Julien Marchetti"
    assert by_sp.loc["Julien Marchetti", "new_customers"] > by_sp["new_customers"].sum() / 2
    # big customers lost: the lost revenue weighs more than the retained customers' growth
    assert diag.bridge.as_dict()["lost"] < -diag.bridge.as_dict()["retained"]
