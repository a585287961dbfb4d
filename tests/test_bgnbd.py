"""BG/NBD "probability alive": the fit against the published CDNOW figures, P(alive)'s
behaviour, the inputs built from documents, and the column of customers.csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.analysis.bgnbd import BGNBD, alive_table, bgnbd_inputs, fit_bgnbd, p_alive
from icpc.analysis.documents import documents
from icpc.diagnostic import Diagnostic

CDNOW = Path(__file__).parent / "data" / "cdnow_customers_summary.csv"


def test_the_fit_gives_the_published_cdnow_figures():
    """Fader, Hardie & Lee (2005), CDNOW sample of 2,357 customers, 39 weeks:
    r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, log-likelihood −9582.4."""
    data = pd.read_csv(CDNOW)
    fit = fit_bgnbd(data["frequency"], data["recency"], data["T"])
    assert fit is not None and fit.customers == 2357
    assert (round(fit.r, 3), round(fit.alpha, 3), round(fit.a, 2), round(fit.b, 2)) == (
        0.243,
        4.414,
        0.79,
        2.43,
    )
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def _simulate(rng, n, r, alpha, a, b, weeks):
    """Customers of a true BG/NBD process, all born at week 0 and watched ``weeks``."""
    lam = rng.gamma(r, 1 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > weeks:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    return x, t_x, np.full(n, float(weeks))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_fit_recovers_the_parameters_of_simulated_customers(seed):
    rng = np.random.default_rng(seed)
    truth = (0.8, 6.0, 0.6, 3.0)
    x, t_x, T = _simulate(rng, 6000, *truth, weeks=52)
    fit = fit_bgnbd(x, t_x, T)
    assert fit is not None
    assert fit.r == pytest.approx(truth[0], rel=0.15)
    assert fit.alpha == pytest.approx(truth[1], rel=0.2)
    assert fit.a / (fit.a + fit.b) == pytest.approx(truth[2] / sum(truth[2:]), rel=0.2)  # mean p


def test_p_alive_behaves_as_the_model_says():
    model = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, customers=0)
    x = np.array([0, 2, 2, 2, 10])
    t_x = np.array([0.0, 10.0, 30.0, 30.0, 30.0])
    T = np.array([39.0, 39.0, 39.0, 60.0, 39.0])
    pa = p_alive(model, x, t_x, T)
    assert pa[0] == 1.0  # no repeat purchase: never seen leaving
    assert pa[1] < pa[2]  # a later last purchase: more likely alive
    assert pa[3] < pa[2]  # a longer silence since: less likely
    assert pa[4] < pa[2]  # the same silence after a faster rhythm: less likely
    assert ((pa >= 0) & (pa <= 1)).all()
    # the closed form by hand for customer 1
    odds = 0.793 / (2.426 + 2 - 1) * ((4.414 + 39) / (4.414 + 10)) ** (0.243 + 2)
    assert pa[1] == pytest.approx(1 / (1 + odds))


def test_inputs_are_distinct_sale_dates_in_weeks():
    rows = [
        ("A", "2024-01-01", 100.0, "A1", "Marie"),
        ("A", "2024-01-01", 50.0, "A2", "Marie"),  # same day: one purchase
        ("A", "2024-01-15", 80.0, "A3", "Marie"),
        ("A", "2024-03-11", 30.0, "A4", "Marie"),
        ("A", "2024-04-01", -30.0, "AV", "Marie"),  # a credit note is no purchase
        ("B", "2024-02-05", 10.0, "B1", "Marie"),
        ("C", "2024-02-05", -10.0, "C1", "Marie"),  # never a sale: no row
    ]
    inputs = bgnbd_inputs(documents(make_tx(rows)), as_of=dt.date(2024, 6, 30))
    assert list(inputs.index) == ["A", "B"]
    assert inputs.loc["A"].tolist() == [2.0, 70 / 7, 181 / 7]
    assert inputs.loc["B"].tolist() == [0.0, 0.0, 146 / 7]


def test_too_few_customers_give_no_model_and_no_probability():
    rows = [("A", "2024-01-01", 100.0, "A1", "Marie"), ("A", "2024-02-01", 100.0, "A2", "Marie")]
    model, pa = alive_table(documents(make_tx(rows)), as_of=dt.date(2024, 6, 30))
    assert model is None and pa.isna().all() and list(pa.index) == ["A"]


def test_customers_csv_carries_p_alive():
    rng = np.random.default_rng(3)
    rows = []
    for c in range(60):
        days = np.sort(rng.choice(700, size=rng.integers(1, 12), replace=False))
        rows += [
            (f"K{c:02d}", (pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(d))).date().isoformat(),
             100.0, f"K{c}-{d}", "Marie")
            for d in days
        ]  # fmt: skip
    diag = Diagnostic.from_frames(make_config(), make_tx(rows), as_of=dt.date(2024, 12, 31))
    table = diag.customers_table()
    assert "p_alive" in table.columns
    model, pa = diag.alive
    assert model is not None
    got = table.set_index("customer_id")["p_alive"]
    assert ((got >= 0) & (got <= 1)).all()
    assert np.allclose(got.to_numpy(), pa.reindex(got.index).to_numpy())
    one = table.set_index("customer_id")["frequency"] == 1
    assert (got[one] == 1.0).all()  # one purchase: no repeat to judge from


def test_the_exact_gradient_is_the_likelihoods_slope():
    from scipy.optimize import approx_fprime

    from icpc.analysis.bgnbd import log_likelihood, log_likelihood_gradient

    data = pd.read_csv(CDNOW)
    x, t_x, T = data["frequency"].to_numpy(float), data["recency"].to_numpy(), data["T"].to_numpy()
    for params in ([0.3, 5.0, 0.7, 2.2], [1.5, 0.8, 0.1, 9.0]):
        p = np.array(params)
        numeric = approx_fprime(p, lambda q: log_likelihood(q, x, t_x, T).sum(), 1e-7)
        exact = log_likelihood_gradient(p, x, t_x, T).sum(axis=1)
        assert exact == pytest.approx(numeric, rel=1e-4)


@pytest.mark.parametrize("seed", range(20))
def test_distinct_rows_are_numpy_unique(seed):
    """The fit's grouping of customers with the same (x, t_x, T) is np.unique(axis=0)'s:
    the same rows in the same order, the same counts."""
    from icpc.analysis.bgnbd import _distinct

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 500))
    x = rng.integers(0, 5, n).astype(float)
    t_x, T = rng.integers(0, 4, n) / 7, rng.integers(1, 4, n) / 7
    rows, counts = np.unique(np.c_[x, t_x, T], axis=0, return_counts=True)
    *got, weight = _distinct(x, t_x, T)
    np.testing.assert_array_equal(np.c_[tuple(got)], rows)
    np.testing.assert_array_equal(weight, counts)


@pytest.mark.parametrize("seed", range(20))
def test_inputs_from_the_warnings_sale_dates_are_the_documents_inputs(seed):
    """The ranking reads the BG/NBD inputs from the sale dates the early warning found
    (one grouping for both): they equal :func:`bgnbd_inputs` of the same documents."""
    from test_warning import _random_documents

    from icpc.analysis.bgnbd import inputs_of
    from icpc.analysis.warning import _early_warning

    docs = _random_documents(np.random.default_rng(seed))
    end = pd.Timestamp("2024-12-31")
    pairs = _early_warning(docs, end, None, None)[1]
    pd.testing.assert_frame_equal(inputs_of(pairs, as_of=end), bgnbd_inputs(docs, as_of=end))
