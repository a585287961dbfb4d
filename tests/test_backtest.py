"""The early warning's backtest: the rule at a past cut-off, with the data known then,
against what happened after (icpc.analysis.backtest)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.analysis.backtest import backtest_cutoff, early_warning_backtest
from icpc.analysis.documents import documents
from icpc.analysis.warning import early_warning
from icpc.config import Thresholds
from icpc.diagnostic import Diagnostic
from icpc.exceptions import ConfigError

AS_OF = dt.date(2024, 12, 31)  # 6 months → cut-off 2024-06-30


def _monthly(customer: str, days: list[str], amount: float = 100.0) -> list[tuple]:
    return [(customer, d, amount, f"{customer}-{d}", "Marie") for d in days]


# Worked out by hand, at the cut-off 2024-06-30:
#   A monthly Jan–Mar, silent since 15/03 (107 days, 3.6 × its 30-day rhythm): flagged;
#     nothing after → not returned.
#   B like A, buys again on 10/09 → returned.
#   F like A; its only document after the cut-off is a credit note → not returned.
#   C monthly up to 20/06: not flagged, buys on 20/07 → returned.
#   D monthly up to 20/06: not flagged, nothing after → gone, and missed by the rule.
#   H sales on 10/04, 10/05, 10/06; the June invoice is cancelled by a line of the same
#     invoice dated 05/08. At the cut-off H had three sale dates (eligible, on rhythm);
#     nothing after → gone, missed.
#   E two sale dates only: not eligible. G first bought on 01/08: unknown at the cut-off.
ROWS = [
    *_monthly("A", ["2024-01-15", "2024-02-15", "2024-03-15"]),
    *_monthly("B", ["2024-01-15", "2024-02-15", "2024-03-15", "2024-09-10"]),
    *_monthly("F", ["2024-01-15", "2024-02-15", "2024-03-15"]),
    ("F", "2024-08-01", -50.0, "AV-F", "Marie"),
    *_monthly("C", [f"2024-0{m}-20" for m in range(1, 7)] + ["2024-07-20"]),
    *_monthly("D", [f"2024-0{m}-20" for m in range(1, 7)]),
    *_monthly("H", ["2024-04-10", "2024-05-10", "2024-06-10"]),
    ("H", "2024-08-05", -100.0, "H-2024-06-10", "Marie"),
    *_monthly("E", ["2024-05-02", "2024-06-02"]),
    *_monthly("G", ["2024-08-01", "2024-09-01", "2024-10-01"]),
]


def test_cutoff_is_the_day_before_the_months_tested():
    assert backtest_cutoff(AS_OF, 6) == dt.date(2024, 6, 30)
    assert backtest_cutoff(dt.date(2024, 8, 31), 6) == dt.date(2024, 2, 29)
    assert backtest_cutoff(dt.date(2011, 12, 9), 3) == dt.date(2011, 9, 9)


def test_hand_built_history_gives_each_figure():
    bt = early_warning_backtest(make_tx(ROWS), as_of=AS_OF, thresholds=Thresholds())
    assert bt is not None
    assert (bt.cutoff, bt.months) == (dt.date(2024, 6, 30), 6)
    assert (bt.eligible, bt.flagged, bt.not_returned, bt.gone) == (6, 3, 2, 4)
    assert bt.precision == pytest.approx(2 / 3)
    assert bt.base_rate == pytest.approx(4 / 6)
    assert bt.recall == pytest.approx(2 / 4)
    assert bt.lift == pytest.approx((2 / 3) / (4 / 6))


def test_the_kpis_json_block_carries_the_contract_keys():
    diag = Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of=AS_OF)
    block = diag.kpis_json()["early_warning"]["backtest"]
    assert list(block) == [
        "cutoff", "months", "eligible", "flagged", "not_returned",
        "precision", "recall", "base_rate", "lift",
    ]  # fmt: skip
    assert block["cutoff"] == "2024-06-30" and block["not_returned"] == 2
    assert block["precision"] == 2 / 3  # not rounded


def test_a_later_credit_note_does_not_change_what_the_rule_saw():
    # H's June invoice is cancelled in August: with the full data it has two sale dates
    full = early_warning(documents(make_tx(ROWS)), as_of=dt.date(2024, 6, 30))
    assert full.loc["H", "sale_dates"] == 2
    only_h = [r for r in ROWS if r[0] == "H"]
    bt = early_warning_backtest(make_tx(only_h), as_of=AS_OF)
    assert (bt.eligible, bt.gone) == (1, 1)


def test_no_history_before_the_cutoff_gives_no_backtest():
    late = [r for r in ROWS if r[0] == "G"]
    assert early_warning_backtest(make_tx(late), as_of=AS_OF) is None
    diag = Diagnostic.from_frames(make_config(), make_tx(late), as_of=AS_OF)
    assert "backtest" not in diag.kpis_json()["early_warning"]


def test_nothing_flagged_gives_null_ratios_not_zero():
    steady = _monthly("D", [f"2024-0{m}-20" for m in range(1, 7)] + ["2024-08-20"])
    bt = early_warning_backtest(make_tx(steady), as_of=AS_OF)
    assert (bt.eligible, bt.flagged, bt.not_returned, bt.gone) == (1, 0, 0, 0)
    assert bt.precision is None and bt.recall is None and bt.lift is None
    assert bt.base_rate == 0.0


def test_backtest_months_is_a_threshold_of_the_config():
    diag = Diagnostic.from_frames(
        make_config(thresholds={"backtest_months": 3}), make_tx(ROWS), as_of=AS_OF
    )
    assert diag.backtest.cutoff == dt.date(2024, 9, 30)
    with pytest.raises(ConfigError, match="backtest_months"):
        make_config(thresholds={"backtest_months": 0})


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 729), st.integers(-200, 2_000)),
        min_size=1,
        max_size=80,
    ),
    st.integers(1, 12),
)
def test_counts_agree_with_the_rule_run_at_the_cutoff(events, months):
    start = pd.Timestamp("2023-01-01")
    rows = [
        (f"K{c}", (start + pd.Timedelta(days=d)).date().isoformat(), a / 10, f"I{i}", "Marie")
        for i, (c, d, a) in enumerate(events)
    ]
    tx = make_tx(rows)
    th = Thresholds(backtest_months=months)
    bt = early_warning_backtest(tx, as_of=AS_OF, thresholds=th)
    cutoff = backtest_cutoff(AS_OF, months)
    if not (tx["date"] <= pd.Timestamp(cutoff)).any():
        assert bt is None
        return
    assert 0 <= bt.not_returned <= min(bt.flagged, bt.gone)
    assert bt.flagged <= bt.eligible and bt.gone <= bt.eligible
    # the flagged count is the rule's own, run on the lines known at the cut-off
    known = tx.loc[tx["date"] <= pd.Timestamp(cutoff)]
    ew = early_warning(documents(known), as_of=cutoff, thresholds=th)
    assert bt.flagged == int(ew["early_warning"].sum())
    # not returned: flagged customers with no sale document after the cut-off
    docs = documents(tx)
    later = set(
        docs.loc[docs["is_sale"] & (docs["date"] > pd.Timestamp(cutoff)), "customer_id"].astype(str)
    )
    flagged_ids = set(ew.index[ew["early_warning"].to_numpy(dtype=bool)])
    assert bt.not_returned == len(flagged_ids - later)
    if bt.flagged and bt.base_rate:
        assert bt.lift == pytest.approx(bt.precision / bt.base_rate)
    assert np.isfinite([v for v in (bt.precision, bt.recall, bt.base_rate) if v is not None]).all()


def test_the_method_sentence_gives_the_figures_in_words():
    from icpc.report.sections.quality import backtest_sentence

    diag = Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of=AS_OF)
    fr = backtest_sentence(diag, "fr")
    assert "au 30/06/2024" in fr and "signalé 3 clients" in fr
    assert "2 d’entre eux (67\xa0%)" in fr and "dans les 6 mois suivants" in fr
    assert "contre 67\xa0% de l’ensemble des 6 clients" in fr
    en = backtest_sentence(diag, "en")
    assert "flagged 3 customers; 2 of them (67%) bought nothing in the following 6 months" in en
    # one flagged customer, who came back; a one-month test
    one = [r for r in ROWS if r[0] in ("B", "C")]
    diag = Diagnostic.from_frames(make_config(), make_tx(one), as_of=AS_OF)
    assert "un client, qui a acheté de nouveau dans les 6 mois suivants" in backtest_sentence(
        diag, "fr"
    )
    # nobody flagged; no history before the cut-off: no sentence
    steady = [r for r in ROWS if r[0] in ("C", "D")]
    diag = Diagnostic.from_frames(make_config(), make_tx(steady), as_of=AS_OF)
    assert "n’aurait signalé aucun client\u202f; 50\xa0% des 2 clients" in backtest_sentence(
        diag, "fr"
    )
    late = [r for r in ROWS if r[0] == "G"]
    assert (
        backtest_sentence(Diagnostic.from_frames(make_config(), make_tx(late), as_of=AS_OF), "fr")
        is None
    )
