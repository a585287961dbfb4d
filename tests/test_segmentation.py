"""Tests of icpc.analysis.score3d: RFM values, tie-safe quintile scores, segment rules, views."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from icpc.analysis.documents import documents
from icpc.analysis.score3d import (
    NOT_SCORED,
    STATUSES,
    assign_segments,
    customer_status,
    default_segment_rules,
    kmeans_segments,
    migration,
    migration_matrix,
    quantile_scores,
    rf_grid,
    rfm,
    score,
    segment_profiles,
    segment_rules,
)
from icpc.config import config_from_dict
from icpc.exceptions import ConfigError

AS_OF = pd.Timestamp("2024-12-31")


def tx(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Canonical transactions from (customer, date, amount) rows (each row a document)."""
    ids, dates, amounts = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical([str(i) for i in ids]),
            "date": pd.to_datetime(list(dates)),
            "amount": np.asarray(amounts, dtype=float),
        }
    )


def random_docs(n_customers: int, seed: int, *, max_orders: int = 40) -> pd.DataFrame:
    """B2B-like documents: most customers with 1-2 orders, a few big ones, some credit notes."""
    rng = np.random.default_rng(seed)
    orders = np.minimum(rng.geometric(0.55, size=n_customers), max_orders)
    cust = np.repeat(np.arange(n_customers), orders)
    days = rng.integers(0, 3 * 365, size=len(cust))
    amount = np.round(rng.lognormal(6, 1, size=len(cust)), 2)
    credit = rng.random(len(cust)) < 0.05
    amount[credit] = -amount[credit]
    frame = pd.DataFrame(
        {
            "customer_id": pd.Categorical([f"C{i:05d}" for i in cust]),
            "date": AS_OF - pd.to_timedelta(days, unit="D"),
            "amount": amount,
        }
    )
    return documents(frame)


# --------------------------------------------------------------------------------------
# rfm
# --------------------------------------------------------------------------------------
def test_rfm_values_by_hand():
    docs = documents(
        tx(
            [
                ("A", "2024-12-01", 100.0),
                ("A", "2024-06-01", 50.0),
                ("A", "2024-12-15", -20.0),  # credit note: not a sale, reduces revenue
                ("B", "2024-01-10", 30.0),
                ("B", "2024-02-10", -30.0),  # fully cancelled: net 0, not scored
                ("C", "2025-01-05", 999.0),  # after as_of: ignored
                ("D", "2023-12-31", 10.0),
            ]
        )
    )
    out = rfm(docs, as_of=AS_OF)
    assert list(out.index) == ["A", "B", "D"]
    a = out.loc["A"]
    assert a["recency_days"] == 30 and a["frequency"] == 2 and a["monetary"] == 130.0
    assert a["first_sale"] == pd.Timestamp("2024-06-01") and a["last_sale"] == pd.Timestamp(
        "2024-12-01"
    )
    assert not out.loc["B", "scored"] and out.loc["B", "revenue"] == 0.0
    assert out.loc["D", "recency_days"] == 366
    windowed = rfm(docs, as_of=AS_OF, window_months=12)
    assert list(windowed.index) == ["A", "B"]  # D's only sale is before 2024-01-01


def test_rfm_net_zero_despite_float_noise_is_not_scored():
    docs = documents(
        tx([("A", "2024-01-01", 0.1), ("A", "2024-01-02", 0.2), ("A", "2024-01-03", -0.3)])
    )
    out = rfm(docs, as_of=AS_OF)
    assert not out.loc["A", "scored"]
    assert score(out).empty


def test_rfm_margin_basis():
    frame = tx([("A", "2024-12-01", 100.0), ("B", "2024-12-01", 80.0)])
    frame["margin"] = [10.0, np.nan]
    out = rfm(documents(frame), as_of=AS_OF, basis="margin")
    assert out["monetary"].tolist() == [10.0, 0.0]
    assert out["revenue"].tolist() == [100.0, 80.0]


# --------------------------------------------------------------------------------------
# quantile scores
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([7.0], [3]),
        ([1.0, 2.0], [2, 4]),
        ([2.0, 1.0], [4, 2]),
        ([5.0, 5.0], [3, 3]),
        ([1.0, 2.0, 3.0], [1, 3, 5]),
        ([1.0, 2.0, 3.0, 4.0], [1, 2, 4, 5]),
        ([1.0, 2.0, 3.0, 4.0, 5.0], [1, 2, 3, 4, 5]),
        ([1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 9], [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5]),
    ],
    ids=["one", "two", "two-reversed", "two-tied", "three", "four", "five", "big-tie-first"],
)
def test_quantile_scores_small_and_tied(values, expected):
    assert quantile_scores(values).tolist() == expected


def test_quantile_scores_recency_reversed():
    assert quantile_scores([0, 10, 20, 30, 40], higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_quantile_scores_b2b_frequencies_fill_every_class():
    rng = np.random.default_rng(3)
    freq = rng.geometric(0.6, size=10_000)  # ~60 % one order, ~24 % two
    scores = quantile_scores(freq)
    counts = np.bincount(scores, minlength=6)[1:]
    assert (counts > 0).all()
    # the big ties (one order, two orders) are classes of their own, not split
    assert counts[0] == (freq == 1).sum() and counts[1] == (freq == 2).sum()
    # a class that merges several frequencies holds no more than an even share of the rest
    rest = counts[2:]
    merged = [len(np.unique(freq[scores == s])) > 1 for s in (3, 4, 5)]
    assert all(c <= rest.sum() / 3 + 1 for c, m in zip(rest, merged, strict=True) if m)


def test_quantile_scores_continuous_values_are_quintiles():
    v = np.random.default_rng(1).lognormal(size=10_000)
    counts = np.bincount(quantile_scores(v), minlength=6)[1:]
    assert counts.tolist() == [2000] * 5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=60))
def test_quantile_scores_properties(values):
    v = np.asarray(values, dtype=float)
    s = quantile_scores(v)
    assert s.min() >= 1 and s.max() <= 5
    order = np.argsort(v, kind="stable")
    assert (np.diff(s[order]) >= 0).all()  # monotone
    for value in np.unique(v):  # ties share a score
        assert len(np.unique(s[v == value])) == 1
    n_distinct = len(np.unique(v))
    assert len(np.unique(s)) == min(5, n_distinct)  # no empty class when avoidable


# --------------------------------------------------------------------------------------
# segments
# --------------------------------------------------------------------------------------
def test_default_rules_are_the_eleven_segments_with_texts():
    rules = default_segment_rules()
    assert {r.name for r in rules} == {
        "Champions", "Loyal", "Potential loyalists", "New", "Promising", "Need attention",
        "About to sleep", "At risk", "Can't lose them", "Hibernating", "Lost",
    }  # fmt: skip
    for rule in rules:
        for lang in ("fr", "en"):
            assert (
                rule.text("label", lang)
                and rule.text("description", lang)
                and rule.text("action", lang)
            )
    assert rules[[r.name for r in rules].index("Loyal")].text("label", "fr") == "Réguliers"


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [(5, 5, "Champions"), (5, 1, "New"), (4, 1, "Promising"), (1, 1, "Lost"), (2, 2, "Hibernating"),
     (1, 5, "Can't lose them"), (2, 3, "At risk"), (3, 3, "Need attention"), (3, 1, "About to sleep"),
     (4, 4, "Loyal"), (4, 2, "Potential loyalists")],
    ids=lambda x: str(x),
)  # fmt: skip
def test_default_rules_cells(r, f, segment):
    frame = pd.DataFrame({"r_score": [r], "f_score": [f], "m_score": [3]})
    assert assign_segments(frame).iloc[0] == segment


@pytest.mark.parametrize("n_customers", [1, 2, 4, 37, 3000], ids=lambda n: f"{n}-customers")
def test_every_scored_customer_in_exactly_one_segment_and_revenue_adds_up(n_customers):
    scored = score(rfm(random_docs(n_customers, seed=n_customers), as_of=AS_OF))
    scored["segment"] = assign_segments(scored)
    assert scored["segment"].notna().all()
    assert scored.index.is_unique
    prof = segment_profiles(scored)
    assert prof["customers"].sum() == len(scored)
    assert prof["revenue"].sum() == pytest.approx(scored["revenue"].sum(), abs=0.01)
    assert prof["share"].sum() == pytest.approx(1.0)
    assert list(prof.index) == [r.name for r in default_segment_rules()]
    grid = rf_grid(scored)
    assert len(grid) == 25 and grid["customers"].sum() == len(scored)


def test_scores_on_tie_heavy_portfolio_use_every_class():
    scored = score(rfm(random_docs(3000, seed=7), as_of=AS_OF))
    for col in ("r_score", "f_score", "m_score"):
        assert set(scored[col]) == {1, 2, 3, 4, 5}, col
    # customers with the same frequency always share the F score
    assert (scored.groupby("frequency")["f_score"].nunique() == 1).all()


def test_segment_profiles_by_hand():
    scored = pd.DataFrame(
        {"recency_days": [10, 20, 400], "frequency": [4, 2, 1], "monetary": [400.0, 100.0, 50.0],
         "revenue": [400.0, 100.0, 50.0], "r_score": [5, 5, 1], "f_score": [5, 5, 1], "m_score": [5, 3, 1]},
        index=pd.Index(["A", "B", "C"], name="customer_id"),
    )  # fmt: skip
    scored["segment"] = assign_segments(scored)
    prof = segment_profiles(scored, language="en")
    champ = prof.loc["Champions"]
    assert champ["customers"] == 2 and champ["revenue"] == 500.0
    assert champ["basket"] == pytest.approx(500.0 / 6)
    assert champ["revenue_share"] == pytest.approx(500 / 550)
    assert champ["mean_recency_days"] == 15
    assert prof.loc["Lost", "customers"] == 1
    assert prof.loc["Loyal", "customers"] == 0 and np.isnan(prof.loc["Loyal", "basket"])
    assert prof.loc["Loyal", "label"] == "Regulars"


# --------------------------------------------------------------------------------------
# rules from YAML
# --------------------------------------------------------------------------------------
OVERRIDE = """
client: Test
transactions: {path: f.csv, columns: {customer_id: c, date: d, amount: a}}
segments:
  - name: Stars
    r: [4, 5]
    f: [4, 5]
    label: {fr: Étoiles, en: Stars}
    action: Les choyer
  - name: Big spenders
    m: 5
  - name: Others
"""


def test_rules_override_from_yaml():
    cfg = config_from_dict(yaml.safe_load(OVERRIDE))
    rules = segment_rules(cfg.segments)
    assert [r.name for r in rules] == ["Stars", "Big spenders", "Others"]
    assert (
        rules[0].text("label", "fr") == "Étoiles" and rules[0].text("action", "en") == "Les choyer"
    )
    frame = pd.DataFrame(
        {"r_score": [5, 1, 1, 4], "f_score": [5, 1, 2, 1], "m_score": [1, 5, 2, 5]}
    )
    assert assign_segments(frame, rules).tolist() == [
        "Stars",
        "Big spenders",
        "Others",
        "Big spenders",
    ]
    scored = score(rfm(random_docs(200, seed=2), as_of=AS_OF))
    scored["segment"] = assign_segments(scored, rules)
    prof = segment_profiles(scored, rules)
    assert prof["customers"].sum() == len(scored) and list(prof.index) == [
        "Stars",
        "Big spenders",
        "Others",
    ]


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ([{"name": "A", "r": [4, 5]}], "without a segment"),
        ([{"name": "A", "r": [0, 5]}], "range"),
        ([{"name": "A", "r": [5, 3]}], "range"),
        ([{"name": "A", "colour": "red"}], "unknown key"),
        ([{"r": 5}], 'no "name"'),
        ([{"name": "A", "r": 5}, {"name": "A"}], "used twice"),
        ([{"name": "A", "label": {"de": "X"}}], "language"),
        ([], "non-empty list"),
        (["Champions"], "mapping"),
    ],
    ids=[
        "gap",
        "score-0",
        "reversed",
        "unknown-key",
        "no-name",
        "duplicate",
        "language",
        "empty",
        "not-mapping",
    ],
)
def test_bad_rules_raise_config_error(raw, match):
    with pytest.raises(ConfigError, match=match):
        segment_rules(raw, source="client.yaml")


# --------------------------------------------------------------------------------------
# migration, status, k-means
# --------------------------------------------------------------------------------------
def test_migration_conserves_customers_and_revenue():
    docs = random_docs(500, seed=11)
    mig = migration(docs, as_of=AS_OF, period_months=12)
    now = rfm(docs, as_of=AS_OF)
    before = rfm(docs, as_of="2023-12-31")
    scored_any = now.index[now["scored"]].union(before.index[before["scored"]])
    assert mig["customers"].sum() == len(scored_any)
    to_scored = mig.loc[mig["to_segment"] != NOT_SCORED, "customers"].sum()
    assert to_scored == now["scored"].sum()
    from_scored = mig.loc[mig["from_segment"] != NOT_SCORED, "customers"].sum()
    assert from_scored == before["scored"].sum()
    in_n = docs[(docs["date"] >= "2024-01-01") & (docs["date"] <= AS_OF)]
    in_n = in_n[in_n["customer_id"].astype(str).isin(scored_any)]
    assert mig["revenue_current"].sum() == pytest.approx(in_n["amount"].sum(), abs=0.05)
    matrix = migration_matrix(mig)
    assert matrix.to_numpy().sum() == len(scored_any) and matrix.shape == (12, 12)


def test_migration_by_hand():
    docs = documents(
        tx([("A", "2023-12-20", 100.0), ("A", "2024-12-20", 100.0), ("B", "2024-12-01", 50.0)])
    )
    mig = migration(docs, as_of=AS_OF, period_months=12)
    moves = {(r.from_segment, r.to_segment): r.customers for r in mig.itertuples()}
    assert moves[(NOT_SCORED, next(s for (f, s) in moves if f == NOT_SCORED))] == 1
    b_row = mig[mig["from_segment"] == NOT_SCORED].iloc[0]
    assert b_row["revenue_current"] == 50.0 and b_row["revenue_previous"] == 0.0
    a_row = mig[mig["from_segment"] != NOT_SCORED].iloc[0]
    assert a_row["revenue_previous"] == 100.0 and a_row["revenue_current"] == 100.0


def _migration_by_joining_ids(docs, as_of, rules):
    """Migration the plain way: the segments at both dates joined on the customer ids,
    period revenues reindexed on them, a pandas groupby."""
    segmented = {}
    for day in ("2023-12-31", as_of):
        scored = score(rfm(docs, as_of=day))
        segmented[day] = assign_segments(scored, rules).astype(str)
    both = pd.DataFrame({"from_segment": segmented["2023-12-31"], "to_segment": segmented[as_of]})
    both = both.fillna(NOT_SCORED)
    ids = docs["customer_id"].astype(str)
    for name, (start, end) in {
        "revenue_previous": ("2023-01-01", "2023-12-31"),
        "revenue_current": ("2024-01-01", as_of),
    }.items():
        inside = (docs["date"] >= start) & (docs["date"] <= end)
        both[name] = (
            docs.loc[inside, "amount"]
            .groupby(ids[inside])
            .sum()
            .reindex(both.index, fill_value=0.0)
        )
    out = both.groupby(["from_segment", "to_segment"]).agg(
        customers=("revenue_current", "size"),
        revenue_previous=("revenue_previous", "sum"),
        revenue_current=("revenue_current", "sum"),
    )
    return {k: (row.customers, round(row.revenue_previous, 2), round(row.revenue_current, 2))
            for k, row in zip(out.index, out.itertuples(), strict=True)}  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_migration_equals_a_join_on_the_customer_ids(seed):
    """On generated portfolios (customers scored at one date only, credit notes, customers
    with nothing in a period), every move's customers and revenues equal the plain join."""
    docs = random_docs(int(np.random.default_rng(seed).integers(5, 400)), seed=seed)
    rules = default_segment_rules()
    mig = migration(docs, as_of=AS_OF, period_months=12)
    got = {
        (r.from_segment, r.to_segment): (r.customers, r.revenue_previous, r.revenue_current)
        for r in mig.itertuples()
    }
    assert got == _migration_by_joining_ids(docs, AS_OF, rules)
    order = [NOT_SCORED, *(r.name for r in rules)]
    assert list(mig["from_segment"].cat.categories) == order
    keys = list(zip(mig["from_segment"].cat.codes, mig["to_segment"].cat.codes, strict=True))
    assert keys == sorted(keys)


def test_customer_status():
    customers = pd.DataFrame(
        {"first_sale": pd.to_datetime(["2024-12-01", "2020-01-01", "2020-01-01", "2020-01-01"]),
         "last_sale": pd.to_datetime(["2024-12-01", "2024-12-01", "2023-06-01", "2024-10-01"])},
        index=pd.Index(["new", "active", "lost", "slip"], name="customer_id"),
    )  # fmt: skip
    flags = pd.Series([True, True], index=["slip", "lost"])
    status = customer_status(
        customers, as_of=AS_OF, lost_after_days=365, new_within_days=90, slipping=flags
    )
    assert status.tolist() == ["new", "active", "lost", "slipping"]
    assert list(status.cat.categories) == list(STATUSES)


def test_kmeans_is_reproducible_and_profiles_every_cluster():
    scored = score(rfm(random_docs(800, seed=5), as_of=AS_OF))
    a = kmeans_segments(scored, random_state=1)
    b = kmeans_segments(scored, random_state=1)
    assert 2 <= a.k <= 8 and a.k == max(a.silhouettes, key=a.silhouettes.get)
    assert (a.labels == b.labels).all()
    assert a.profiles["customers"].sum() == len(scored)
    assert a.profiles["revenue"].is_monotonic_decreasing
    assert a.profiles["description"].str.len().gt(0).all()


@pytest.mark.parametrize("n", [1, 2], ids=["one", "two"])
def test_kmeans_tiny_portfolio(n):
    scored = score(rfm(random_docs(n, seed=1), as_of=AS_OF))
    result = kmeans_segments(scored)
    assert result.k == 1 and (result.labels == 1).all()
