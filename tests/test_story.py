"""The headline of the summary: the revenue change, its driver and what offsets it, and the
creations to check, all from the numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.config import load_config
from icpc.diagnostic import Diagnostic
from icpc.report import format as fmt
from icpc.report.story import creations_effect, headline

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def demo() -> Diagnostic:
    root = Path(__file__).resolve().parents[1]
    return Diagnostic.from_config(load_config(root / "data_samples" / "demo" / "client.yaml"))


def test_the_demo_headline_names_the_driver_the_offset_and_the_creations(demo):
    text = headline(demo, "fr")
    dec = demo.kpis_json()["decomposition"]
    assert text.startswith("Le chiffre d’affaires est stable à 1,78")
    customers = "+" + fmt.money_compact(dec["customers"])
    assert f"la hausse du nombre de clients actifs ({customers}) compense" in text
    assert fmt.money_compact(dec["frequency"]) in text and fmt.money_compact(dec["basket"]) in text
    effect = creations_effect(demo)
    assert f"Mais {effect['new_among']} des {effect['new_total']} nouveaux clients" in text
    assert "à vérifier" in text
    english = headline(demo, "en")
    assert english.startswith("Revenue is flat at €1.78") and "to be checked" in english


def test_the_basket_without_the_creations_is_worked_out_from_the_table(demo):
    effect = creations_effect(demo)
    action = next(a for a in demo.action_plan if a.code == "check_creations")
    t = demo.table
    mine = t.index.astype(str).isin(action.customers)
    before = t["revenue_previous"].sum() / t["sales_count_previous"].sum()
    without = (t.loc[~mine, "revenue"].sum()) / (t.loc[~mine, "sales_count"].sum())
    assert effect["basket_change_without"] == pytest.approx(without / before - 1, rel=1e-12)
    basket = demo.kpis_json()["kpis"]["average_basket"]["change_pct"]
    assert effect["basket_change"] == pytest.approx(basket, rel=1e-12)


def test_a_fall_driven_by_fewer_customers():
    rows = [(c, "2023-06-01", 100.0, f"F{c}", "Paul") for c in "ABCD"]
    rows += [(c, "2024-06-01", 100.0, f"G{c}", "Paul") for c in "AB"]
    diag = Diagnostic.from_frames(make_config(), make_tx(rows), as_of="2024-12-31")
    assert headline(diag, "fr") == (
        f"Le chiffre d’affaires recule de 50,0\u00a0%, à 200\u00a0€{NNBSP}: la baisse du nombre "
        "de clients actifs (−200\u00a0€)."
    )
    assert (
        headline(diag, "en")
        == "Revenue is down 50.0%, at €200: a fall in active customers (−€200)."
    )


def test_no_headline_without_n_minus_1():
    rows = [("A", "2024-06-01", 100.0, "F1", "Paul")]
    diag = Diagnostic.from_frames(make_config(), make_tx(rows), as_of="2024-12-31")
    assert headline(diag, "fr") is None and creations_effect(diag) is None


def test_the_mix_effect_is_explained_when_the_bridge_and_the_decomposition_differ(demo):
    from icpc.report.sections.revenue import mix_effects

    kj = demo.kpis_json()
    lines = mix_effects(kj, "fr", "EUR")
    own, overall = kj["bridge_retained"], kj["decomposition"]
    differ = [f for f in ("frequency", "basket") if (own[f] > 0) != (overall[f] > 0)]
    assert differ and len(lines) == len(differ) + 1
    assert lines[0].startswith("Le pont et la décomposition ne se contredisent pas")
    for factor, line in zip(differ, lines[1:], strict=True):
        # amounts in sentences are rounded for reading (the tables are exact)
        own_text = fmt.money_reading(own[factor], signed=True)
        assert own_text in line and fmt.money_reading(overall[factor], signed=True) in line
        assert "effet de composition" in line
    same = dict(kj, decomposition={k: abs(v) for k, v in overall.items()},
                bridge_retained={k: abs(v) for k, v in own.items()})  # fmt: skip
    assert mix_effects(same, "fr", "EUR") == []
    assert "mix effect" in mix_effects(kj, "en", "EUR")[1]


def test_a_first_cohort_quarter_below_100_percent_is_explained(demo, monkeypatch):
    from icpc.report import sections

    monkeypatch.setattr(sections, "emit", lambda obj: None)
    text = "".join(getattr(o, "data", "") or "" for o in sections.customer_dynamics(demo)
                   if isinstance(getattr(o, "data", None), str))  # fmt: skip
    below = (demo.cohorts.rates.iloc[:, 0].dropna() < 1).any()
    assert below  # the demo has first purchases cancelled by credit notes
    assert ("Le trimestre 0 peut rester sous 100" in text) == bool(below)
