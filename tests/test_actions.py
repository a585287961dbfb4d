"""The plan of action: its amounts are the analyses' own sums, its sheets exist in the
workbook, its order is the amount at stake."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.analysis.actions import LOST_MAX, LOST_SHARE, MAX_ACTIONS, TOP_SHARE
from icpc.config import load_config
from icpc.diagnostic import Diagnostic
from icpc.export.excel import actions_sheets
from icpc.report.sections.plan import action_sentence, sheet_text


@pytest.fixture(scope="module")
def demo() -> Diagnostic:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    return Diagnostic.from_config(load_config(root / "data_samples" / "demo" / "client.yaml"))


def _by_code(diag: Diagnostic) -> dict:
    return {a.code: a for a in diag.action_plan}


def test_the_plan_is_ranked_by_amount_and_short(demo):
    amounts = [a.amount for a in demo.action_plan]
    assert 3 <= len(amounts) <= MAX_ACTIONS
    assert amounts == sorted(amounts, reverse=True) and all(a > 0 for a in amounts)


def test_calling_the_slipping_customers_is_the_early_warning(demo):
    action = _by_code(demo)["call_slipping"]
    ew = demo.early_warning
    flagged = ew.loc[ew["early_warning"].to_numpy(dtype=bool)]
    assert action.amount == round(float(flagged["value_at_stake"].sum()), 2)
    assert set(action.customers) == set(flagged.index.astype(str))
    mine = flagged.loc[flagged["salesperson"].astype(str) == action.detail["top_salesperson"]]
    assert action.detail["top_amount"] == round(float(mine["value_at_stake"].sum()), 2)


def test_winning_back_takes_the_largest_lost_customers_up_to_their_share(demo):
    action = _by_code(demo)["win_back_lost"]
    called = set(_by_code(demo)["call_slipping"].customers)
    lost = demo.dynamics.lost["revenue_previous"].sort_values(ascending=False)
    lost = lost.loc[~lost.index.astype(str).isin(called)]  # the call list has the others
    assert not set(action.customers) & called
    chosen = lost.loc[list(action.customers)]
    assert action.amount == round(float(chosen.sum()), 2)
    assert chosen.min() >= lost.drop(chosen.index).max()  # the largest ones
    total = lost.sum()
    assert chosen.sum() >= LOST_SHARE * total or len(chosen) == LOST_MAX
    assert chosen.iloc[:-1].sum() < LOST_SHARE * total  # one fewer would not reach it
    assert action.detail["lost_revenue"] == round(float(total), 2)


def test_a_lost_customer_on_the_call_list_is_not_counted_twice():
    """Six-month periods: A, monthly until June, is lost in N and flagged by the early
    warning; it is called (call list), not counted again in the win-back."""
    rows = [("A", f"2024-{m:02d}-10", 100.0, f"F{m}", "Paul") for m in range(1, 7)]
    rows += [("B", "2024-03-01", 500.0, "G1", "Paul"), ("C", "2024-11-01", 50.0, "H1", "Paul")]
    diag = Diagnostic.from_frames(make_config(period_months=6), make_tx(rows), as_of="2024-12-31")
    assert {"A", "B"} <= set(diag.dynamics.lost.index.astype(str))
    plan = {a.code: a for a in diag.action_plan}
    assert "A" in plan["call_slipping"].customers
    assert plan["win_back_lost"].customers == ("B",)
    assert plan["win_back_lost"].amount == 500.0  # A (600 lost) is the larger one, but called


def test_creations_to_check_are_the_flagged_salesperson_s_burst(demo):
    action = _by_code(demo)["check_creations"]
    members = demo.anomalies.customers.loc[list(action.customers)]
    assert members["duplicate_group"].notna().all()
    assert (members["salesperson"].astype(str) == action.detail["salesperson"]).all()
    revenue_n = demo.table["revenue"].rename(index=str).reindex(list(action.customers))
    assert action.amount == round(float(revenue_n.sum()), 2)  # what they brought in N
    assert action.detail["created"] == len(action.customers)
    new = (demo.table["bridge_class"].astype(str) == "new").sum()
    assert action.detail["new_total"] == new
    assert 0 < action.detail["new_among"] <= min(new, len(action.customers))
    assert "À vérifier" in action_sentence(action, "fr", "EUR")


def test_the_salesperson_gap_is_the_largest_fall(demo):
    action = _by_code(demo)["salesperson_gap"]
    change = demo.by_salesperson["revenue_change"]
    assert action.detail["salesperson"] == str(change.idxmin())
    assert action.amount == round(float(-change.min()), 2)
    mine = demo.table.loc[list(action.customers)]
    assert (mine["revenue"] < mine["revenue_previous"]).all()
    assert (mine["salesperson"].astype(str) == action.detail["salesperson"]).all()


def test_every_sheet_the_plan_names_is_in_the_workbook(demo):
    for language in ("fr", "en"):
        sheets = actions_sheets(demo, language=language)
        named = [sheet_text(action, language) for action in demo.action_plan]
        assert all(name in sheets for name in named if name)
        # only the top customers have no sheet of their own (the report lists them)
        assert all(
            a.code == "secure_top" for a, n in zip(demo.action_plan, named, strict=True) if not n
        )


def test_the_salesperson_to_meet_finds_his_fallen_customers_on_his_sheet(demo):
    action = _by_code(demo)["salesperson_gap"]
    sheet = actions_sheets(demo)[sheet_text(action, "fr")]
    assert set(action.customers) <= set(sheet["customer_id"].astype(str))


def _concentrated() -> Diagnostic:
    rows = [(f"K{i}", "2024-06-01", 10_000.0, f"F{i}", "Paul") for i in range(5)]
    rows += [(f"S{i}", "2024-06-02", 100.0, f"G{i}", "Paul") for i in range(60)]
    return Diagnostic.from_frames(make_config(), make_tx(rows), as_of="2024-12-31")


def test_a_dependency_on_the_top_customers_is_an_action():
    diag = _concentrated()
    action = _by_code(diag)["secure_top"]
    assert diag.concentration.top5_share >= TOP_SHARE
    assert set(action.customers) == {f"K{i}" for i in range(5)}
    assert action.amount == 50_000.0 and action.owner == "managing_director"


def test_nothing_to_act_on_gives_no_plan_and_no_section(monkeypatch):
    from icpc.report import sections

    rows = [("A", "2024-11-01", 100.0, "F1", "Paul"), ("B", "2024-11-02", 120.0, "F2", "Paul")]
    diag = Diagnostic.from_frames(make_config(), make_tx(rows), as_of=dt.date(2024, 12, 31))
    assert diag.action_plan == ()
    monkeypatch.setattr(sections, "emit", lambda obj: None)
    assert sections.action_plan(diag) == []


def test_the_section_lists_the_actions_with_exact_amounts(demo, monkeypatch):
    from icpc.report import sections

    monkeypatch.setattr(sections, "emit", lambda obj: None)
    html = "".join(o.data for o in sections.action_plan(demo))
    assert html.startswith('<h1 id="icpc-action_plan">Plan d’action</h1>')
    from icpc.report.format import money

    for action in demo.action_plan:
        assert money(action.amount) in html
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    assert body.count("<tr") == len(demo.action_plan)
    ranks = [int(r) for r in re.findall(r"<tr[^>]*><td[^>]*>(\d+)</td>", body)]
    assert ranks == list(range(1, len(demo.action_plan) + 1))


def test_the_call_list_marks_the_creations_to_check(demo):
    to_check = set(_by_code(demo)["check_creations"].customers)
    for language in ("fr", "en"):
        sheet = actions_sheets(demo, language=language)[
            sheet_text(_by_code(demo)["call_slipping"], language)
        ]
        reason = sheet["creation_to_check"]
        marked = set(sheet.loc[reason.notna().to_numpy(), "customer_id"].astype(str))
        assert marked == to_check & set(sheet["customer_id"].astype(str)) and marked
        salesperson = _by_code(demo)["check_creations"].detail["salesperson"]
        assert all(salesperson in text for text in reason.dropna())


def test_the_unassigned_group_is_never_the_salesperson_to_meet():
    rows = [("A", "2023-06-01", 1_000.0, "F1", None), ("A", "2024-06-01", 100.0, "F2", None)]
    rows += [("B", "2023-06-01", 100.0, "G1", "Paul"), ("B", "2024-06-01", 90.0, "G2", "Paul")]
    rows += [("C", "2023-06-01", 100.0, "H1", "Marie"), ("C", "2024-06-01", 150.0, "H2", "Marie")]
    diag = Diagnostic.from_frames(make_config(), make_tx(rows), as_of="2024-12-31")
    gap = {a.code: a for a in diag.action_plan}["salesperson_gap"]
    assert gap.detail["salesperson"] == "Paul" and gap.amount == 10.0  # not the (unassigned) −900
