"""The early warning's ranking: the rules together with P(alive), learnt on the client's own
history and judged at the backtest's cut-off against each signal alone
(icpc.analysis.warning_model)."""

from __future__ import annotations

import datetime as dt
import gzip
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_backtest import AS_OF, ROWS
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.analysis.backtest import early_warning_backtest
from icpc.analysis.documents import DocumentHistory, documents
from icpc.analysis.warning import _early_warning, sale_dates
from icpc.analysis.warning_model import (
    FALLBACK,
    FEATURES,
    LOGISTIC,
    _sale_dates_until,
    warning_features,
    warning_ranking,
)
from icpc.config import Thresholds
from icpc.diagnostic import Diagnostic
from icpc.export.excel import write_actions_xlsx

CUTOFF = dt.date(2024, 6, 30)
#: the CDNOW sample (Fader & Hardie): 23 570 customers' purchases from January 1997 to
#: June 1998, the dates of this copy shifted by 24 years (2021-01 to 2022-06)
CDNOW = Path(__file__).parent / "data" / "cdnow_master.txt.gz"


def _generated(n: int = 240, seed: int = 7) -> pd.DataFrame:
    """Monthly-ish buyers from 2022, each leaving at a random date (some never)."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2022-01-01")
    for c in range(n):
        gap = int(rng.integers(20, 90))
        leave = start + pd.Timedelta(days=int(rng.integers(120, 1400)))
        day = start + pd.Timedelta(days=int(rng.integers(0, 60)))
        k = 0
        while day <= pd.Timestamp(AS_OF) and day <= leave:
            amount = round(float(rng.uniform(50, 500)), 2)
            rows.append((f"K{c:03d}", day.date().isoformat(), amount, f"K{c}-{k}", "Marie"))
            day += pd.Timedelta(days=max(1, int(rng.normal(gap, gap / 4))))
            k += 1
    return make_tx(rows)


def _gone_after(tx: pd.DataFrame, ids: pd.Index, cutoff: dt.date) -> np.ndarray:
    docs = documents(tx)
    later = docs.loc[docs["is_sale"] & (docs["date"] > pd.Timestamp(cutoff)), "customer_id"]
    return ~ids.isin(pd.Index(later.astype(str).unique()))


def test_the_features_are_the_rules_population_and_their_measures():
    f = warning_features(make_tx(ROWS), as_of=CUTOFF, thresholds=Thresholds())
    # E has two sale dates, G was unknown on 30/06: the rules' eligible customers only
    assert sorted(f.index) == ["A", "B", "C", "D", "F", "H"]
    assert list(f.columns[: len(FEATURES)]) == list(FEATURES)
    a = f.loc["A"]
    # A: 15/01, 15/02, 15/03 → a 30-day rhythm (median of 31 and 29), 107 days silent
    assert a["log_overdue"] == pytest.approx(math.log(107 / 30))
    assert a["rhythm_flag"] == 1.0 and a["trend_flag"] == 0.0 and bool(a["early_warning"])
    assert a["log_sale_dates"] == pytest.approx(math.log(3))
    assert a["has_year_before"] == 0.0 and a["change_6m"] == 0.0  # nothing a year before
    assert f.loc["C", "rhythm_flag"] == 0.0


def test_too_little_history_falls_back_on_the_rules_then_p_alive():
    ranking, tested = warning_ranking(make_tx(ROWS), as_of=AS_OF)
    assert ranking.model == FALLBACK and ranking.fitted_at is None
    assert ranking.coefficients is None
    # on as many customers as the rules flag, the fallback picks exactly them
    assert tested is not None and tested.model == FALLBACK
    assert tested.customers == 3  # A, B, F flagged on 30/06
    assert tested.rules == pytest.approx(2 / 3) and tested.combined == pytest.approx(2 / 3)
    bt = early_warning_backtest(make_tx(ROWS), as_of=AS_OF)
    assert tested.rules == bt.precision and tested.customers == bt.flagged


def test_no_history_before_the_cutoff_gives_no_backtest_of_the_ranking():
    late = make_tx([r for r in ROWS if r[0] == "G"])
    ranking, tested = warning_ranking(late, as_of=AS_OF)
    assert tested is None and ranking.model == FALLBACK


def test_a_client_history_learns_a_probability_judged_on_what_followed():
    tx = _generated()
    ranking, tested = warning_ranking(tx, as_of=AS_OF)
    assert ranking.model == LOGISTIC and ranking.fitted_at == CUTOFF
    assert set(ranking.coefficients) == set(FEATURES)
    scores = ranking.scores
    assert ((scores > 0) & (scores < 1)).all()
    now = warning_features(tx, as_of=AS_OF, thresholds=Thresholds())
    assert scores.index.equals(now.index)  # every eligible customer, nobody else
    # the backtest: the model as it stood on the cut-off (fitted 6 months earlier, on the
    # data known then) picks as many customers as the rules flagged; their outcome after
    assert tested is not None and tested.model == LOGISTIC
    then, _ = warning_ranking(tx.loc[tx["date"] <= pd.Timestamp(CUTOFF)], as_of=CUTOFF)
    assert then.fitted_at == dt.date(2023, 12, 31)
    features = warning_features(tx, as_of=CUTOFF, thresholds=Thresholds())
    gone = _gone_after(tx, features.index, CUTOFF)
    k = int(features["early_warning"].sum())
    stake = features["value_at_stake"].to_numpy()
    order = np.lexsort((-stake, -then.scores.reindex(features.index).to_numpy()))
    assert tested.customers == k > 0
    assert tested.combined == pytest.approx(gone[order[:k]].mean())
    assert tested.rules == pytest.approx(early_warning_backtest(tx, as_of=AS_OF).precision)
    p = np.nan_to_num(features["p_alive"].to_numpy(), nan=1.0)
    by_alive = np.lexsort((-stake, p))[:k]
    assert tested.p_alive == pytest.approx(gone[by_alive].mean())


def test_lines_after_as_of_change_nothing():
    tx = _generated()
    later = make_tx([("K000", "2025-02-01", 900.0, "LATE", "Marie")])
    both = pd.concat([tx.astype({"customer_id": str}), later.astype({"customer_id": str})])
    both["customer_id"] = both["customer_id"].astype("category")
    both["invoice_id"] = both["invoice_id"].astype(str).astype("category")
    a, _ = warning_ranking(tx, as_of=AS_OF)
    b, _ = warning_ranking(both, as_of=AS_OF)
    pd.testing.assert_series_equal(a.scores, b.scores)


def _cdnow() -> pd.DataFrame:
    with gzip.open(CDNOW, "rt") as fh:
        raw = pd.read_csv(fh, sep=r"\s+", header=None, names=["c", "d", "q", "a"], dtype=str)
    tx = pd.DataFrame(
        {
            "customer_id": raw["c"].astype("category"),
            "date": pd.to_datetime(raw["d"], format="%Y%m%d").astype("datetime64[ns]"),
            "amount": raw["a"].astype(float),
        }
    )
    tx["source_row"] = np.arange(1, len(tx) + 1)
    return tx


def test_on_a_real_customer_base_the_ranking_beats_each_signal_alone():
    """CDNOW, cut-off 31/12/2021: 2 710 customers flagged by the rules; of as many
    customers picked by each signal, those gone six months later."""
    _, tested = warning_ranking(_cdnow(), as_of="2022-06-30")
    assert tested is not None and tested.model == LOGISTIC
    assert tested.customers == 2710
    assert tested.rules == pytest.approx(0.567, abs=5e-4)
    assert tested.p_alive == pytest.approx(0.605, abs=5e-4)
    assert tested.combined == pytest.approx(0.628, abs=5e-4)
    assert tested.combined > tested.p_alive > tested.rules


def test_kpis_json_customers_csv_and_the_method_say_it(tmp_path):
    from icpc.report.sections.quality import ranking_sentence

    diag = Diagnostic.from_frames(make_config(), _generated(), as_of=AS_OF)
    block = diag.kpis_json()["early_warning"]
    # the backtest block stays the rules' own (the contract's keys)
    assert "ranking" not in block["backtest"]
    ranking = block["ranking"]
    assert list(ranking) == ["model", "fitted_at", "coefficients", "backtest"]
    assert ranking["model"] == "logistic" and ranking["fitted_at"] == "2024-06-30"
    tested = ranking["backtest"]
    assert list(tested) == ["customers", "precision", "model"]
    assert list(tested["precision"]) == ["rules", "p_alive", "combined"]
    assert tested["customers"] == block["backtest"]["flagged"]
    assert tested["precision"]["rules"] == block["backtest"]["precision"]

    csv = tmp_path / "customers.csv"
    diag.write_customers_csv(csv)
    table = pd.read_csv(csv, dtype={"customer_id": str}).set_index("customer_id")
    scores = diag.warning_score
    assert table["warning_score"].notna().sum() == len(scores)
    np.testing.assert_allclose(table.loc[scores.index, "warning_score"], scores, rtol=1e-12)
    # customers the rules do not watch (lost, too few sale dates) have no score
    assert table.loc[table["status"] == "lost", "warning_score"].isna().all()

    fr = ranking_sentence(diag, "fr")
    t = diag.warning_ranking[1]
    shown = [f"{round(100 * v)}\u00a0% " for v in (t.combined, t.rules, t.p_alive)]
    assert f"({t.customers} clients au 30/06/2024)" in fr
    assert fr.index(shown[0]) < fr.index(shown[1], fr.index("contre")) and shown[2] in fr
    assert "«\u202fRisque de ne plus acheter\u202f»" in fr
    assert "Risk of buying no more" in ranking_sentence(diag, "en")


def test_no_sentence_and_no_column_when_the_ranking_could_not_be_learnt(tmp_path):
    from icpc.report.sections.quality import ranking_sentence

    small = Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of=AS_OF)
    assert ranking_sentence(small, "fr") is None
    wb = openpyxl.load_workbook(write_actions_xlsx(small, tmp_path / "small.xlsx"))
    assert "Risque de ne plus acheter" not in [c.value for c in wb["À appeler"][1:5][-1]]
    assert not any(
        c.value == "Risque de ne plus acheter" for row in wb["À appeler"].iter_rows() for c in row
    )


def test_the_call_list_gives_each_customers_risk(tmp_path):
    diag = Diagnostic.from_frames(make_config(), _generated(), as_of=AS_OF)
    wb = openpyxl.load_workbook(write_actions_xlsx(diag, tmp_path / "actions.xlsx"))
    ws = wb["À appeler"]
    (table,) = ws.tables.values()
    top = int(table.ref.split(":")[0][1:])
    headers = [c.value for c in ws[top]]
    col = headers.index("Risque de ne plus acheter")
    cid = headers.index("Code client")
    rows = [r for r in ws.iter_rows(min_row=top + 1, values_only=True) if r[cid]]
    flagged = diag.early_warning.index[diag.early_warning["early_warning"].to_numpy(dtype=bool)]
    assert {r[cid] for r in rows} == set(flagged)
    for r in rows:
        assert r[col] == pytest.approx(diag.warning_score[r[cid]])
    assert ws.cell(top + 1, col + 1).number_format.endswith("%")
    readme = [c.value for row in wb["Lisez-moi"].iter_rows() for c in row if c.value]
    assert any("«\u202fRisque de ne plus acheter\u202f»" in str(v) for v in readme)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 729), st.integers(-200, 2_000)),
        min_size=1,
        max_size=80,
    ),
    st.integers(1, 12),
)
def test_the_diagnostics_backtest_read_from_the_ranking_is_the_rules_own(events, months):
    assume(any(a > 0 for _, _, a in events))  # a diagnostic needs a sale
    start = pd.Timestamp("2023-01-01")
    rows = [
        (f"K{c}", (start + pd.Timedelta(days=d)).date().isoformat(), a / 10, f"I{i}", "Marie")
        for i, (c, d, a) in enumerate(events)
    ]
    tx = make_tx(rows)
    diag = Diagnostic.from_frames(
        make_config(thresholds={"backtest_months": months}), tx, as_of=AS_OF
    )
    assert diag.backtest == early_warning_backtest(
        tx, as_of=AS_OF, thresholds=Thresholds(backtest_months=months)
    )
    assert diag.backtest is None or diag.backtest.flagged == diag.warning_ranking[1].customers


#: the year of events the hypothesis tests draw lines from
EVENTS_START = pd.Timestamp("2023-01-01")


def _events(customers: int, low: int, high: int, invoices: int, most: int) -> st.SearchStrategy:
    """Lines as (customer, day of two years, amount in tenths, invoice of that customer):
    an invoice number reused over several days makes a document straddling dates."""
    return st.lists(
        st.tuples(
            st.integers(0, customers),
            st.integers(0, 729),
            st.integers(low, high),
            st.integers(0, invoices),
        ),
        min_size=1,
        max_size=most,
    )


def _events_tx(events: list[tuple[int, int, int, int]]) -> pd.DataFrame:
    """The canonical transactions of :func:`_events`' lines."""
    return make_tx(
        [
            (
                f"K{c}",
                (EVENTS_START + pd.Timedelta(days=d)).date().isoformat(),
                a / 10,
                f"I{c}-{k}",
                "Marie",
            )
            for c, d, a, k in events
        ]
    )


@settings(max_examples=25, deadline=None)
@given(_events(14, -200, 2_000, 60, 120))
def test_the_diagnostics_ranking_is_the_public_functions(events):
    """The Diagnostic's ranking (documents at the earlier dates from its grouping of the
    lines, the rules at as_of from its early warning) equals warning_ranking on the lines,
    with invoices whose lines straddle the cut-offs (an invoice number is reused by one
    customer over several dates)."""
    assume(any(a > 0 for _, _, a, _ in events))
    tx = _events_tx(events)
    diag = Diagnostic.from_frames(make_config(), tx, as_of=AS_OF)
    ranking, tested = diag.warning_ranking
    expected, expected_tested = warning_ranking(tx, as_of=AS_OF, thresholds=Thresholds())
    pd.testing.assert_series_equal(ranking.scores, expected.scores)
    assert ranking.model == expected.model and ranking.coefficients == expected.coefficients
    assert tested == expected_tested


def test_the_diagnostics_fitted_ranking_is_the_public_functions():
    """On the generated client whose ranking is fitted (logistic), the Diagnostic's scores,
    coefficients and backtest equal warning_ranking's on the same lines."""
    tx = _generated()
    diag = Diagnostic.from_frames(make_config(), tx, as_of=AS_OF)
    ranking, tested = diag.warning_ranking
    expected, expected_tested = warning_ranking(tx, as_of=AS_OF, thresholds=Thresholds())
    assert ranking.model == LOGISTIC
    pd.testing.assert_series_equal(ranking.scores, expected.scores)
    assert ranking.coefficients == expected.coefficients and tested == expected_tested


@settings(max_examples=40, deadline=None)
@given(_events(9, -300, 1_000, 30, 100), st.integers(0, 729))
def test_sale_dates_at_an_earlier_date_are_those_of_its_documents(events, cut):
    """The ranking takes the sale dates at its earlier dates from those at as_of: they
    equal the sale dates sorted out of that date's documents, unless a document of lines
    on both sides of the date is a sale in one and not in the other (then None: sorted
    again). Invoice numbers reused over several dates make such documents."""
    history = DocumentHistory(_events_tx(events))
    day = EVENTS_START + pd.Timedelta(days=cut)
    _, known = _early_warning(history.all, pd.Timestamp("2024-12-31"), Thresholds(), None)
    docs = history.until(day)
    got = _sale_dates_until(known, history, docs, day)
    keep = history.kept(day)
    flipped = not np.array_equal(
        docs["is_sale"].to_numpy(bool), history.all["is_sale"].to_numpy(bool)[keep]
    )
    assert (got is None) == flipped
    if got is not None:
        sale = docs["is_sale"].to_numpy(bool)
        codes = docs["customer_id"].cat.codes.to_numpy().astype(np.int64)[sale]
        days = docs["date"].to_numpy()[sale].astype("datetime64[D]").astype(np.int64)
        expected = sale_dates(codes, days, len(docs["customer_id"].cat.categories))
        for a, b in zip((got.code, got.day, got.n_dates, got.start), expected, strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype


def test_a_document_that_changes_sign_at_the_date_is_sorted_again():
    """K1's invoice I1 has 100 on 2024-01-10 and -150 on 2024-03-01: a sale up to
    2024-02-01, a credit note with all its lines; the sale dates at 2024-02-01 cannot come
    from as_of's (where I1 is no sale date)."""
    tx = make_tx(
        [
            ("K1", "2024-01-10", 100.0, "I1", "Marie"),
            ("K1", "2024-03-01", -150.0, "I1", "Marie"),
            ("K1", "2024-01-20", 40.0, "I2", "Marie"),
        ]
    )
    history = DocumentHistory(tx)
    _, known = _early_warning(history.all, pd.Timestamp("2024-12-31"), Thresholds(), None)
    day = pd.Timestamp("2024-02-01")
    assert _sale_dates_until(known, history, history.until(day), day) is None
    assert known.n_dates.tolist() == [1]  # only I2 at as_of
    _, then = _early_warning(history.until(day), day, Thresholds(), None)
    assert then.n_dates.tolist() == [2]  # I1 and I2 up to the date
    later = pd.Timestamp("2024-02-15")  # I1 still straddles the date: the same, before I2's day too
    assert _sale_dates_until(known, history, history.until(later), later) is None
    after = pd.Timestamp("2024-03-01")  # every line of I1 up to the date: as at as_of
    got = _sale_dates_until(known, history, history.until(after), after)
    assert got is not None and got.n_dates.tolist() == [1]
