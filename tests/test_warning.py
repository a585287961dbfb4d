"""Tests of icpc.analysis.warning: the early warning on constructed buying rhythms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from icpc.analysis.documents import documents
from icpc.analysis.warning import EARLY_WARNING_COLUMNS, early_warning, usual_intervals
from icpc.config import Thresholds
from icpc.periods import window_start

AS_OF = pd.Timestamp("2024-12-31")


def buyer(customer: str, dates, amount: float = 100.0) -> pd.DataFrame:
    dates = pd.DatetimeIndex(dates)
    return pd.DataFrame({"customer_id": customer, "date": dates, "amount": amount})


def docs_of(*frames: pd.DataFrame) -> pd.DataFrame:
    tx = pd.concat(frames, ignore_index=True)
    tx["customer_id"] = tx["customer_id"].astype("category")
    return documents(tx)


def monthly_until(last: str, customer: str, amount: float = 100.0) -> pd.DataFrame:
    """A steady monthly buyer for two years, whose last purchase is on ``last``."""
    return buyer(customer, pd.date_range(end=last, periods=24, freq="30D"), amount)


RHYTHMS = docs_of(
    monthly_until("2024-10-01", "silent-3-months"),
    monthly_until("2024-12-10", "silent-3-weeks"),
    buyer("annual", pd.date_range("2020-03-01", periods=5, freq="12MS")),  # last 2024-03-01
    buyer("annual-late", pd.date_range("2019-03-01", periods=4, freq="12MS")),  # last 2022-03-01
    buyer("two-orders", ["2023-01-01", "2023-02-01"]),
)


@pytest.mark.parametrize(
    ("customer", "lost_after_days", "flagged"),
    [
        ("silent-3-months", 365, True),
        ("silent-3-weeks", 365, False),
        ("annual", 365, False),  # 10 months of silence is normal for an annual buyer
        ("annual-late", 2000, True),  # ~34 months: late on its own rhythm
        ("annual-late", 365, False),  # ... but lost already: not a warning any more
        ("two-orders", 2000, False),  # too few sale dates to know a rhythm
    ],
    ids=["monthly-silent-3-months", "monthly-silent-3-weeks", "annual-on-time", "annual-late",
         "annual-late-but-lost", "two-orders"],
)  # fmt: skip
def test_rhythm_rule_on_constructed_buyers(customer, lost_after_days, flagged):
    th = Thresholds(lost_after_days=lost_after_days)
    ew = early_warning(RHYTHMS, as_of=AS_OF, thresholds=th)
    assert bool(ew.loc[customer, "early_warning"]) is flagged


def test_rhythm_figures():
    ew = early_warning(RHYTHMS, as_of=AS_OF)
    row = ew.loc["silent-3-months"]
    assert row["usual_interval_days"] == 30
    assert row["recency_days"] == 91
    assert row["overdue_ratio"] == pytest.approx(91 / 30)
    assert row["reason"] == "rhythm"  # 4 purchases in the last 6 months vs 6: a third less
    annual = ew.loc["annual"]
    assert annual["usual_interval_days"] in (365, 366) and annual["overdue_ratio"] < 1
    assert ew.loc["two-orders", "usual_interval_days"] == 31  # two dates: an interval exists
    assert not ew.loc["two-orders", "rhythm_flag"]


def test_median_gap_ignores_same_day_documents_and_outliers():
    codes = np.array([0, 0, 0, 0, 0, 1, 1])
    days = np.array([0, 10, 10, 20, 100, 5, 7])  # two documents on day 10 count once
    n_dates, last, interval = usual_intervals(codes, days, 3)
    assert n_dates.tolist() == [4, 2, 0]
    assert last[:2].tolist() == [100, 7]
    assert interval[0] == 10 and interval[1] == 2 and np.isnan(interval[2])


def test_trend_rule_flags_a_sharp_fall_without_rhythm_break():
    dates = pd.date_range("2023-01-01", "2024-12-25", freq="14D")
    amounts = np.where(dates < "2024-01-01", 1000.0, 300.0)
    falling = pd.DataFrame({"customer_id": "falling", "date": dates, "amount": amounts})
    steady = pd.DataFrame({"customer_id": "steady", "date": dates, "amount": 500.0})
    ew = early_warning(docs_of(falling, steady), as_of=AS_OF)
    f = ew.loc["falling"]
    assert not f["rhythm_flag"] and f["trend_flag"] and f["reason"] == "trend"
    recent = amounts[(dates >= "2024-07-01")].sum()
    before = amounts[(dates >= "2023-07-01") & (dates <= "2023-12-31")].sum()
    assert f["revenue_recent"] == recent and f["revenue_year_before"] == before
    assert f["trend_change"] == pytest.approx(recent / before - 1)
    assert not ew.loc["steady", "early_warning"]
    # a milder threshold (fall of 80 %) does not flag a 70 % fall
    mild = early_warning(
        docs_of(falling, steady), as_of=AS_OF, thresholds=Thresholds(trend_fall=0.8)
    )
    assert not mild.loc["falling", "early_warning"]


def test_ranking_value_at_stake_and_salesperson():
    small = monthly_until("2024-09-01", "small", amount=10.0)
    big = monthly_until("2024-09-01", "big", amount=1000.0)
    fine = monthly_until("2024-12-20", "fine", amount=5000.0)
    docs = docs_of(small, big, fine)
    attribution = pd.DataFrame(
        {
            "salesperson": pd.Categorical(["Alice", "Bob", None]),
            "region": pd.Categorical(["N", "S", "N"]),
        },
        index=pd.CategoricalIndex(["big", "small", "fine"], name="customer_id"),
    )
    ew = early_warning(docs, as_of=AS_OF, attribution=attribution)
    assert list(ew.columns) == list(EARLY_WARNING_COLUMNS)
    assert list(ew.index) == ["big", "small", "fine"]
    assert ew["rank"].tolist()[:2] == [1, 2] and pd.isna(ew.loc["fine", "rank"])
    expected = big.loc[big["date"] >= "2024-01-01", "amount"].sum()
    assert ew.loc["big", "value_at_stake"] == pytest.approx(expected)
    assert ew.loc["big", "salesperson"] == "Alice" and ew.loc["small", "region"] == "S"
    assert pd.isna(ew.loc["fine", "salesperson"])


def test_documents_after_as_of_are_ignored():
    late = monthly_until("2024-10-01", "c")
    after = buyer("c", ["2025-01-15"])
    ew = early_warning(docs_of(late, after), as_of=AS_OF)
    assert ew.loc["c", "recency_days"] == 91 and ew.loc["c", "early_warning"]


def test_credit_notes_are_not_sale_dates():
    frame = monthly_until("2024-10-01", "c")
    credit = buyer("c", ["2024-12-20"], amount=-50.0)
    ew = early_warning(docs_of(frame, credit), as_of=AS_OF)
    assert ew.loc["c", "recency_days"] == 91 and ew.loc["c", "sale_dates"] == 24


def _intervals_by_pandas(codes, days, n):
    """usual_intervals written the plain way: distinct (customer, date) pairs, then a
    pandas groupby for the last date and the median gap."""
    pairs = (
        pd.DataFrame({"code": codes, "day": days}).drop_duplicates().sort_values(["code", "day"])
    )
    n_dates = np.bincount(pairs["code"], minlength=n)
    last = np.full(n, np.iinfo(np.int64).min)
    ends = pairs.groupby("code")["day"].max()
    last[ends.index.to_numpy()] = ends.to_numpy()
    pairs["gap"] = pairs.groupby("code")["day"].diff()
    medians = pairs.dropna().groupby("code")["gap"].median()
    interval = np.full(n, np.nan)
    interval[medians.index.to_numpy()] = medians.to_numpy()
    return n_dates, last, interval


@pytest.mark.parametrize("seed", range(30))
def test_usual_intervals_match_a_pandas_groupby(seed):
    """Distinct sale dates, last sale and median gap equal a plain pandas computation on
    generated sale days: same-day documents, customers without sales, one sale date, odd
    and even numbers of gaps, spans of a day to a few years."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    m = int(rng.integers(1, 400))
    codes = rng.integers(0, n, m)
    days = rng.integers(19_000, 19_000 + int(rng.choice([1, 30, 400, 2000])), m)
    for got, want in zip(
        usual_intervals(codes, days, n), _intervals_by_pandas(codes, days, n), strict=True
    ):
        np.testing.assert_array_equal(got, want)


def _random_documents(rng: np.random.Generator) -> pd.DataFrame:
    """Documents of a few customers over three years: same-day documents, credit notes
    (not sales), zero totals, documents after as_of."""
    n = int(rng.integers(1, 30))
    m = int(rng.integers(1, 600))
    ids = [f"c{i:02d}" for i in range(n)]
    day = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 + 40, m), "D")
    amount = rng.choice([-40.0, 0.0, 25.0, 80.0, 310.5], m)
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical(rng.choice(ids, m), categories=ids),
            "date": day,
            "amount": amount,
            "is_sale": np.round(amount, 2) > 0,
        }
    )


@pytest.mark.parametrize("seed", range(25))
def test_sale_dates_a_year_before_count_the_distinct_sale_days_of_those_months(seed):
    """``sale_dates_year_before`` is the number of distinct days with a sale document in
    the trend months a year before as_of, as a plain pandas count gives it."""
    rng = np.random.default_rng(seed)
    docs = _random_documents(rng)
    th = Thresholds(trend_months=int(rng.choice([3, 6, 12])))
    as_of = pd.Timestamp("2024-12-31")
    ew = early_warning(docs, as_of=as_of, thresholds=th)
    stop = as_of - pd.DateOffset(years=1)
    start = window_start(stop, th.trend_months)
    then = docs[docs["is_sale"] & (docs["date"] >= start) & (docs["date"] <= stop)]
    want = then.groupby("customer_id", observed=True)["date"].nunique()
    got = ew["sale_dates_year_before"]
    assert got[got > 0].sort_index().to_dict() == want.sort_index().to_dict()
