"""Score3D, early warning and anomalies through the Diagnostic, on the demo client's story.

The demo client of :func:`icpc.datasets.demo.generate_sample` plants slipping customers and
address clusters (``truth``); these tests measure recall and precision against them.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icpc.analysis.score3d import default_segment_rules
from icpc.config import config_from_dict
from icpc.datasets.demo import generate_sample
from icpc.diagnostic import Diagnostic
from icpc.exceptions import ConfigError
from icpc.export import CUSTOMERS_CSV_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data_samples" / "demo" / "client.yaml"


def canonical_diagnostic(sample, config_changes=None) -> Diagnostic:
    """The sample's exports as canonical frames (docs/CONTRACTS.md), planted dirty rows dropped.

    A stand-in for ``icpc.cleaning.load_dataset`` so that these tests exercise the
    analyses on the sample's own frames, independently of file parsing.
    """
    raw = dict(sample.config) | dict(config_changes or {})
    config = config_from_dict(raw, base_dir=DEMO.parent)
    as_of = pd.Timestamp(sample.truth["as_of"])
    t = sample.transactions
    cols = config.transactions.columns
    tx = pd.DataFrame(
        {canon: t[header] for canon, header in cols.items() if canon != "document_type"}
    )
    ok = (
        tx["customer_id"].notna()
        & tx["date"].notna()
        & tx["amount"].notna()
        & (tx["date"] <= as_of)
    )
    tx = tx.loc[ok].reset_index(drop=True)
    tx["date"] = tx["date"].dt.normalize().astype("datetime64[ns]")
    for col in ("customer_id", "invoice_id", "salesperson", "region"):
        tx[col] = tx[col].astype("category")
    tx["source_row"] = np.arange(1, len(tx) + 1, dtype=np.int64)
    m = sample.customers
    master = pd.DataFrame({canon: m[header] for canon, header in config.customers.columns.items()})
    return Diagnostic.from_frames(config, tx, as_of=as_of.date(), customers=master)


@pytest.fixture(scope="module")
def demo():
    sample = generate_sample(seed=42)
    return sample, (canonical_diagnostic(sample))


def test_kpis_json_segments_and_early_warning_blocks(demo):
    _, diag = demo
    out = diag.kpis_json()
    seg = out["segments"]
    assert list(seg) == [r.name for r in default_segment_rules()]
    scores = diag.scores
    assert sum(v["customers"] for v in seg.values()) == len(scores)
    assert sum(v["revenue"] for v in seg.values()) == pytest.approx(
        scores["revenue"].sum(), abs=0.05
    )
    ew = diag.early_warning
    assert out["early_warning"]["flagged"] == int(ew["early_warning"].sum()) > 0
    assert out["early_warning"]["value_at_stake"] == pytest.approx(
        ew.loc[ew["early_warning"], "value_at_stake"].sum()
    )
    keys = list(out)
    assert keys.index("decomposition") < keys.index("segments") < keys.index("early_warning")


def test_customers_table_columns_and_rows(demo):
    _, diag = demo
    table = diag.customers_table()
    assert tuple(table.columns[: len(CUSTOMERS_CSV_COLUMNS)]) == CUSTOMERS_CSV_COLUMNS
    assert {"name", "address"} <= set(table.columns)
    assert table["customer_id"].is_unique
    assert table["first_sale"].notna().all()  # one row per customer with a purchase
    assert len(table) == len(diag.rfm_history)
    scored = table["r_score"].notna()
    assert scored.sum() == len(diag.scores)
    assert table.loc[scored, "segment"].isin([r.name for r in default_segment_rules()]).all()
    assert table.loc[~scored, "segment"].isna().all()  # fully cancelled customers: not scored
    assert (
        table["status"].isin(["new", "active", "lost", "no sale"]).all()
    )  # the contract's statuses
    assert table["early_warning"].dtype == bool
    assert (
        table.loc[table["early_warning"], "status"] == "active"
    ).all()  # slipping: active, flagged
    assert (
        table["duplicate_group"].notna().sum()
        == diag.anomalies.customers["duplicate_group"].notna().sum()
    )


def test_write_customers_csv(demo, tmp_path):
    _, diag = demo
    path = tmp_path / "customers.csv"
    diag.write_customers_csv(path)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0])[: len(CUSTOMERS_CSV_COLUMNS)] == CUSTOMERS_CSV_COLUMNS
    assert {r["early_warning"] for r in rows} == {"true", "false"}
    assert len(rows) == len(diag.customers_table())
    flagged = next(r for r in rows if r["early_warning"] == "true")
    assert flagged["first_sale"][4] == "-" and float(flagged["overdue_ratio"]) >= 0


def test_segment_rules_from_config_and_bad_rules(demo):
    sample, _ = demo
    rules = [{"name": "Recent", "r": [4, 5]}, {"name": "Others"}]
    diag = canonical_diagnostic(sample, {"segments": rules})
    assert list(diag.kpis_json()["segments"]) == ["Recent", "Others"]
    with pytest.raises(ConfigError, match="without a segment"):  # refused when the config is read
        canonical_diagnostic(sample, {"segments": [{"name": "Recent", "r": [4, 5]}]})


def test_early_warning_finds_the_planted_slipping_customers(demo):
    sample, diag = demo
    truth = set(sample.truth["slipping"])
    ew = diag.early_warning
    flagged = ew.loc[ew["early_warning"]]
    found = set(flagged.index)
    recall = len(found & truth) / len(truth)
    # the planted customers are steady monthly or bimonthly buyers silent 100-175 days;
    # with overdue_ratio 2 the bimonthly ones silent less than 120 days are (rightly) not late yet
    assert recall >= 0.7
    # the top of the call list (ranked by value at stake) is the planted customers
    top10 = set(flagged.index[:10])
    assert len(top10 & truth) >= 7
    # other flags are mostly the prospecting-bonus customers who stopped buying and base
    # customers who churn in the generator (not listed in truth); excluding the bonus:
    others = found - set(sample.truth["bonus_customers"])
    assert len(others & truth) / len(others) >= 0.4
    # big customers lost in N-1 are lost, not a warning
    assert not found & set(sample.truth["lost_big"])
    assert flagged["salesperson"].notna().all()


def _pairs(groups):
    return {tuple(sorted(p)) for g in groups for p in itertools.combinations(g, 2)}


def test_anomalies_find_the_planted_address_clusters(demo):
    sample, diag = demo
    truth = _pairs(sample.truth["bonus_clusters"])
    cust = diag.anomalies.customers.dropna(subset=["duplicate_group"])
    found = _pairs(list(ids) for ids in cust.groupby("duplicate_group").groups.values())
    recall = len(found & truth) / len(truth)
    precision = len(found & truth) / len(found)
    assert recall >= 0.9 and precision >= 0.9
    assert diag.anomalies.flagged_salespeople == [sample.truth["bonus_salesperson"]]
    row = diag.anomalies.salespeople.iloc[0]
    assert row["basket_burst"] < 0.5 * row["basket_others"]


def test_score3d_on_the_demo_is_sound(demo):
    _, diag = demo
    scores = diag.scores
    for col in ("r_score", "f_score", "m_score"):
        assert set(scores[col]) == {1, 2, 3, 4, 5}
    prof = diag.segment_profiles
    assert prof["customers"].sum() == len(scores)
    assert prof.loc["Champions", "mean_frequency"] > prof.loc["Lost", "mean_frequency"]
    mig = diag.migration
    assert mig["customers"].sum() >= len(scores)
    assert diag.rf_grid["customers"].sum() == len(scores)
    assert diag.status.value_counts().sum() == len(diag.rfm_history)
    km = diag.kmeans
    assert 2 <= km.k <= 8 and km.profiles["customers"].sum() == len(scores)


def test_demo_config_end_to_end():
    pytest.importorskip("icpc.cleaning", reason="icpc.cleaning (load_dataset) not written yet")
    from icpc.config import load_config

    diag = Diagnostic.from_config(load_config(DEMO))
    sample = generate_sample(seed=42)
    out = diag.kpis_json()
    assert sum(v["customers"] for v in out["segments"].values()) == len(diag.scores)
    found = set(diag.early_warning.index[diag.early_warning["early_warning"]])
    assert len(found & set(sample.truth["slipping"])) / len(sample.truth["slipping"]) >= 0.7
    table = diag.customers_table()
    assert tuple(table.columns[: len(CUSTOMERS_CSV_COLUMNS)]) == CUSTOMERS_CSV_COLUMNS


def test_margin_basis_and_rfm_window(demo):
    sample, diag = demo
    window = canonical_diagnostic(sample, {"basis": "margin", "rfm_window_months": 12})
    table = window.customers_table()
    assert len(table) == len(diag.customers_table())  # every customer with a purchase is listed
    full = diag.customers_table().set_index("customer_id")
    t = table.set_index("customer_id")
    # within 12 months, no more sale documents than over the whole history, and customers
    # without a sale in the window are not scored
    assert (t["frequency"] <= full["frequency"]).all()
    assert t.loc[t["frequency"] == 0, "r_score"].isna().all()
    # monetary is the margin: below revenue for customers scored on both
    both = t["r_score"].notna() & full["r_score"].notna()
    assert (t.loc[both, "monetary"] < full.loc[both, "monetary"]).mean() > 0.95
    assert sum(v["customers"] for v in window.kpis_json()["segments"].values()) == len(
        window.scores
    )


@pytest.mark.parametrize(
    ("target", "call"),
    [
        ("icpc.analysis.warning._early_warning", "kpis_json"),  # the Diagnostic's call
        ("icpc.analysis.anomalies._anomalies", "customers_table"),  # the Diagnostic's call
    ],
    ids=["early-warning-in-kpis-json", "anomalies-in-customers-table"],
)
def test_worker_thread_errors_reach_the_caller(demo, monkeypatch, target, call):
    # kpis_json / customers_table compute these in a worker thread: its error is raised
    # in the caller, and nothing half-computed is cached
    sample, _ = demo
    diag = canonical_diagnostic(sample)

    def boom(*args, **kwargs):
        raise RuntimeError("boom in the worker")

    monkeypatch.setattr(target, boom)
    with pytest.raises(RuntimeError, match="boom in the worker"):
        getattr(diag, call)()
    monkeypatch.undo()
    assert getattr(diag, call)() is not None  # computed for real once the error is gone


def test_the_runs_worker_computes_each_analysis_once_and_the_same_figures(
    demo, monkeypatch, tmp_path
):
    """As icpc kpis and icpc run do: the early warning's rules and ranking on the worker,
    started before the customer table (BACKGROUND_INPUTS: the documents only). No analysis
    is computed twice by the two threads, and kpis.json and customers.csv are those of a
    Diagnostic computed on one thread."""
    from icpc import lazy
    from icpc.run.runner import BACKGROUND, BACKGROUND_INPUTS, CUSTOMERS_BACKGROUND

    sample, _ = demo
    expected = canonical_diagnostic(sample)
    expected_json = expected.kpis_json()
    expected.write_customers_csv(tmp_path / "expected.csv")

    calls: dict[str, int] = {}
    for name in lazy.analysis_names(Diagnostic):
        descriptor = vars(Diagnostic).get(name)
        if descriptor is None:
            continue

        def counted(self, _func=descriptor.func, _name=name):
            calls[_name] = calls.get(_name, 0) + 1
            return _func(self)

        monkeypatch.setattr(descriptor, "func", counted)
    diag = canonical_diagnostic(sample)
    assert "table" not in calls  # not before the worker starts
    with diag.background(*BACKGROUND, *CUSTOMERS_BACKGROUND, inputs=BACKGROUND_INPUTS):
        got = diag.kpis_json()
        diag.write_customers_csv(tmp_path / "got.csv")
    assert got == expected_json
    assert (tmp_path / "got.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()
    assert {name for name, n in calls.items() if n > 1} == set()
    assert {"warning_rules", "warning_ranking", "early_warning", "table"} <= set(calls)


@given(
    st.lists(st.sampled_from(["A", "B", "C", "Z", None]), max_size=30),
    st.permutations(["Z", "A", "B", "C"]),
)
def test_a_segment_position_is_read_on_the_categories(values, categories):
    """The migration numbers each customer's segment by its place in the rules' order
    (-1: not there, or missing), from a categorical's categories or from plain text."""
    import warnings

    from icpc.analysis.score3d.migration import _positions_in

    order = ["not scored", "A", "B", "C"]
    as_category = pd.Series(pd.Categorical(values, categories=categories))
    with warnings.catch_warnings():  # values outside the categories: pandas warns
        warnings.simplefilter("ignore")
        expected = pd.Categorical(as_category.astype(str), categories=order).codes
    np.testing.assert_array_equal(_positions_in(as_category, order), expected)
    np.testing.assert_array_equal(_positions_in(pd.Series(values, dtype=object), order), expected)
