"""Objectives and guardrails set upfront (objectifs, pare-feux): the config, the two
kpis.json blocks on hand-built histories, and what the summary says."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.config_goals import GUARDRAIL_DEFAULTS
from icpc.diagnostic import Diagnostic
from icpc.exceptions import ConfigError, InputError
from icpc.export.goals import objective_entry
from icpc.report.sections.summary import guardrail_sentences, objectives_line

AS_OF = dt.date(2024, 12, 31)


def _rows():
    """2023: A 1000 (two sales of 500), B 600, C 400 — 3 customers, 4 sales, basket 500.
    2024: A 900 (one sale), B gone, C 300, and six new customers of Marie at 50 each
    (N1–N6; N1–N4 share an address with each other), D (Paul) 100:
    9 active customers, 9 sales, revenue 1600, basket 1600 / 9."""
    rows = [
        ("A", "2023-03-01", 500.0, "A1", "Paul"),
        ("A", "2023-09-01", 500.0, "A2", "Paul"),
        ("B", "2023-05-01", 600.0, "B1", "Paul"),
        ("C", "2023-06-01", 400.0, "C1", "Marie"),
        ("A", "2024-03-01", 900.0, "A3", "Paul"),
        ("C", "2024-06-01", 300.0, "C2", "Marie"),
        ("D", "2024-07-01", 100.0, "D1", "Paul"),
    ]
    rows += [(f"N{i}", f"2024-0{i + 2}-10", 50.0, f"N{i}-1", "Marie") for i in range(1, 7)]
    return rows


def _master():
    ids = ["A", "B", "C", "D", "N1", "N2", "N3", "N4", "N5", "N6"]
    addresses = (
        ["1 rue A", "2 rue B", "3 rue C", "4 rue D"]
        + ["7 rue de la Gare"] * 4
        + ["8 rue E", "9 rue F"]
    )
    return pd.DataFrame(
        {
            "customer_id": ids,
            "name": ids,
            "address": addresses,
            "postcode": ["75001"] * len(ids),
            "city": ["Paris"] * len(ids),
        }
    )


def _diag(**extra):
    return Diagnostic.from_frames(
        make_config(**extra), make_tx(_rows()), as_of=AS_OF, customers=_master()
    )


# --- the config -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("objectives", "message"),
    [
        ({"revenu": 1}, 'did you mean "revenue"'),
        ({"churn_rate": 8}, "write 0.08 for 8 %"),
        ({"revenue": "beaucoup"}, "must be a number"),
        ({"revenue": -1}, "0 or more"),
        (
            {"by_salesperson": {"Paul": {"churn_rate": 0.1}}},
            "objectives.by_salesperson.Paul.churn_rate",
        ),
        ({"by_salesperson": ["Paul"]}, "must be a mapping"),
    ],
)
def test_bad_objectives_are_refused_with_the_fix(objectives, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        make_config(objectives=objectives)


def test_per_salesperson_objectives_need_a_salesperson_column():
    from icpc.config import config_from_dict

    raw = {
        "client": "T",
        "transactions": {
            "path": "f.csv",
            "columns": {"customer_id": "C", "date": "D", "amount": "M"},
        },
        "objectives": {"by_salesperson": {"Paul": {"revenue": 1}}},
    }
    with pytest.raises(ConfigError, match="needs a salesperson column"):
        config_from_dict(raw)


@pytest.mark.parametrize(
    ("guardrails", "message"),
    [
        ({"top3_dependance": False}, 'did you mean "top3_dependence"'),
        ({"top3": False}, "valid keys are: customers_up_basket_down"),
        ({"top3_dependence": {"treshold": 0.2}}, 'did you mean "threshold"'),
        ({"top3_dependence": {"threshold": "haut"}}, "must be a number"),
        ({"top3_dependence": "off"}, "must be a mapping"),
    ],
)
def test_bad_guardrails_are_refused_with_the_fix(guardrails, message):
    with pytest.raises(ConfigError, match=message):
        make_config(guardrails=guardrails)


# --- objectives -------------------------------------------------------------------------
def test_objective_entry_lower_is_better_for_churn_and_losses():
    assert objective_entry("revenue", 2000.0, 1600.0) == {
        "target": 2000.0, "actual": 1600.0, "attainment": 0.8, "met": False,
    }  # fmt: skip
    assert objective_entry("lost_customers", 2.0, 1.0)["met"] is True
    assert objective_entry("lost_revenue", 500.0, 600.0)["met"] is False
    assert objective_entry("new_customers", 0.0, 3.0)["attainment"] is None
    assert objective_entry("churn_rate", 0.2, None) == {
        "target": 0.2, "actual": None, "attainment": None, "met": None,
    }  # fmt: skip


def test_the_objectives_block_compares_with_kpis_json_values():
    diag = _diag(
        objectives={
            "revenue": 2000,
            "new_customers": 5,
            "churn_rate": 0.25,
            "by_salesperson": {"Marie": {"revenue": 500, "new_customers": 8}},
        }
    )
    kj = diag.kpis_json()
    company = kj["objectives"]["company"]
    assert company["revenue"] == {
        "target": 2000.0,
        "actual": 1600.0,
        "attainment": 0.8,
        "met": False,
    }
    # new: D, N1–N6 = 7; lost: B of 3 → churn 1/3, above the 25 % target
    assert company["new_customers"]["actual"] == 7 and company["new_customers"]["met"] is True
    assert company["churn_rate"]["actual"] == pytest.approx(1 / 3)
    assert company["churn_rate"]["met"] is False
    marie = kj["objectives"]["by_salesperson"]["Marie"]
    assert (
        marie["revenue"]["actual"] == kj["by_salesperson"]["Marie"]["revenue"]["current"] == 600.0
    )
    assert marie["revenue"]["met"] is True and marie["new_customers"]["met"] is False


def test_no_objectives_no_block():
    assert "objectives" not in _diag().kpis_json()


def test_an_unknown_salesperson_is_refused_with_the_names_found():
    diag = _diag(objectives={"by_salesperson": {"Mari": {"revenue": 1}}})
    with pytest.raises(
        InputError, match=r'"Mari" is not a salesperson .*Marie, Paul.*did you mean "Marie"'
    ):
        diag.kpis_json()


# --- guardrails -------------------------------------------------------------------------
def test_each_default_guardrail_on_a_hand_built_history():
    kj = _diag().kpis_json()
    rules = {g["rule"]: g for g in kj["guardrails"]}
    assert list(rules) == [r.rule for r in GUARDRAIL_DEFAULTS]
    # customers 3 → 9 while the basket fell from 500 to 1600 / 9 (−64 %)
    basket = rules["customers_up_basket_down"]
    assert basket["value"] == pytest.approx(1600 / 9 / 500 - 1) and basket["breached"] is True
    # Marie's new customers: N1–N6, four of them at one address → 4/6
    creations = rules["shared_address_creations"]
    assert creations["value"] == pytest.approx(4 / 6) and creations["breached"] is True
    # retention: A and C kept of A, B, C → 2/3, under the default 70 %
    retention = rules["retention_below_objective"]
    assert (retention["value"], retention["threshold"]) == (pytest.approx(2 / 3), 0.7)
    assert retention["breached"] is True
    # the top three (A 900, C 300, D 100) make 1300 / 1600 of N, but among 9 active
    # customers only (10 needed): no dependence to speak of
    top3 = rules["top3_dependence"]
    assert top3["value"] == pytest.approx(1300 / 1600) and top3["breached"] is False
    assert basket["label"] == "Plus de clients, panier moyen en baisse"


def test_overrides_thresholds_minimums_and_switches():
    kj = _diag(
        guardrails={
            "customers_up_basket_down": {"threshold": -0.70},
            "top3_dependence": {"min_customers": 9},
            "shared_address_creations": {"min_customers": 5},
        },
        objectives={"retention_rate": 0.6},
    ).kpis_json()
    rules = {g["rule"]: g for g in kj["guardrails"]}
    assert rules["top3_dependence"]["breached"] is True  # 9 active customers now suffice
    assert rules["customers_up_basket_down"]["breached"] is False  # −64 % is above −70 %
    assert rules["shared_address_creations"]["breached"] is False  # 4 clustered, 5 needed
    assert rules["retention_below_objective"]["threshold"] == 0.6
    assert rules["retention_below_objective"]["breached"] is False  # 2/3 ≥ 60 %
    off = {
        g["rule"] for g in _diag(guardrails={"top3_dependence": False}).kpis_json()["guardrails"]
    }
    assert "top3_dependence" not in off and len(off) == 3


def test_without_previous_period_or_master_the_rules_stay_silent():
    late = [r for r in _rows() if r[1] >= "2024"]
    diag = Diagnostic.from_frames(make_config(), make_tx(late), as_of=AS_OF)
    rules = {g["rule"]: g for g in diag.kpis_json()["guardrails"]}
    assert rules["customers_up_basket_down"]["value"] is None
    assert rules["shared_address_creations"]["value"] is None  # no customer master
    assert rules["retention_below_objective"]["value"] is None
    assert not any(g["breached"] for g in rules.values() if g["rule"] != "top3_dependence")


# --- the summary's words ----------------------------------------------------------------
def test_breached_guardrails_are_said_in_the_summary():
    diag = _diag(objectives={"retention_rate": 0.9})
    fr = guardrail_sentences(diag, "fr")
    assert len(fr) == 3  # the top three: too few customers to speak of a dependence
    assert fr[0].startswith(
        "Pare-feu franchi\u202f: le nombre de clients actifs progresse (+200\xa0%)"
    )
    assert "le panier moyen recule de 64\xa0% (seuil\u202f: −5\xa0%)" in fr[0]
    assert "67\xa0% des nouveaux clients de Marie (4 sur 6)" in fr[1]
    assert "sous l’objectif de 90\xa0%" in fr[2]
    en = guardrail_sentences(diag, "en")
    assert "67% of Marie's new customers (4 of 6)" in en[1].replace("’", "'")


def test_objectives_without_a_card_are_listed_in_one_line():
    kj = _diag(objectives={"new_customers": 5, "lost_customers": 0}).kpis_json()
    line = objectives_line(kj["objectives"]["company"], set(), "fr", "EUR")
    assert line == (
        "Objectifs\u202f: nouveaux clients 7 pour un objectif de 5 (atteint)\u202f; "
        "clients perdus 1 pour un objectif de 0 (non atteint)."
    )


def test_a_card_shows_its_objective_and_whether_it_is_met():
    from icpc.report.sections.summary import objective_text
    from icpc.report.tables import KpiCard, kpi_cards

    goal = objective_entry("revenue", 1_850_000.0, 1_775_935.97)
    text = objective_text(goal, "money0", "fr", "EUR")
    assert (
        text == "Objectif\u202f: 1,85\u00a0M\u00a0€\u00a0(96\u00a0%)"
    )  # « (96 %) » never alone on a line
    small = objective_text(objective_entry("average_basket", 1100.0, 808.35), "money0", "fr", "EUR")
    assert small == "Objectif\u202f: 1\u202f100\u00a0€\u00a0(73\u00a0%)"  # not « 1,1 k€ »
    html = kpi_cards([KpiCard("revenue", 1_775_935.97, objective=text, objective_met=goal["met"])])
    assert '<div class="kpi-objective missed">' in html
    assert objective_text(
        objective_entry("average_basket", 0.0, 5.0), "money0", "en", "EUR"
    ).endswith("(–)")


def test_the_guardrail_says_which_of_the_creations_are_the_burst_of_the_headline():
    from pathlib import Path

    from icpc.analysis.actions import creations_to_check
    from icpc.config import load_config

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    diag = Diagnostic.from_config(load_config(demo))
    g = next(g for g in diag.guardrails if g.rule == "shared_address_creations")
    assert g.breached
    burst = set(creations_to_check(diag.action_plan)) & set(g.detail["ids"])
    assert 0 < len(burst) <= g.detail["customers"] <= g.detail["new_customers"]
    text = next(s for s in guardrail_sentences(diag, "fr") if "nouveaux clients" in s)
    count, new = g.detail["customers"], g.detail["new_customers"]
    assert f"({count} sur {new}, dont les {len(burst)} créés en série en " in text


def test_a_new_customers_objective_says_how_many_are_creations_to_check():
    goals = {"new_customers": objective_entry("new_customers", 40.0, 102.0)}
    line = objectives_line(goals, set(), "fr", "EUR", to_check=42)
    assert line == (
        "Objectifs\u202f: nouveaux clients 102 pour un objectif de 40 "
        "(atteint, dont 42 créations à vérifier)."
    )
    assert "vérifier" not in objectives_line(goals, set(), "fr", "EUR")
    churn = {"churn_rate": objective_entry("churn_rate", 0.08, 0.12)}
    assert "vérifier" not in objectives_line(churn, set(), "fr", "EUR", to_check=42)
