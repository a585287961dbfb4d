"""Totals are exact sums rounded once: line amounts and margins with four decimals.

A real export computed its discounts per line and wrote four decimals. Summing values
already rounded per document or per customer put revenue N two cents above the exact
total and margin eight cents below. Here every total is checked against the exact sum of
the lines, computed with :class:`decimal.Decimal`.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icpc.config import config_from_dict
from icpc.diagnostic import Diagnostic
from icpc.money import cents, positive_cents

AS_OF = dt.date(2024, 12, 31)
N_START = dt.date(2024, 1, 1)
N1_START = dt.date(2023, 1, 1)
CENT = Decimal("0.01")


def _lines(seed: int) -> list[tuple[str, dt.date, str, Decimal, Decimal]]:
    """(customer, date, invoice, amount, margin): invoices of 1-6 lines, four decimals."""
    rng = random.Random(seed)
    out = []
    for k in range(400):
        customer = f"C{rng.randrange(40):03d}"
        day = N1_START + dt.timedelta(days=rng.randrange(730))
        for _ in range(rng.randint(1, 6)):
            amount = Decimal(rng.randint(-20_000, 400_000)) / 10_000  # credit lines too
            margin = (amount * Decimal(rng.randint(5, 45)) / 100).quantize(Decimal("0.0001"))
            out.append((customer, day, f"F{k:05d}", amount, margin))
    return out


def _write(folder: Path, lines) -> Path:
    with open(folder / "factures.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Code client", "Date facture", "N° facture", "Montant HT", "Marge"])
        for c, d, inv, a, m in lines:
            w.writerow(
                [
                    c,
                    d.strftime("%d/%m/%Y"),
                    inv,
                    f"{a:.4f}".replace(".", ","),
                    f"{m:.4f}".replace(".", ","),
                ]
            )
    cfg = {
        "client": "Quatre décimales",
        "as_of": AS_OF.isoformat(),
        "transactions": {
            "path": "factures.csv",
            "columns": {
                "customer_id": "Code client",
                "date": "Date facture",
                "invoice_id": "N° facture",
                "amount": "Montant HT",
                "margin": "Marge",
            },
        },
    }
    return config_from_dict(cfg, base_dir=folder)


def _round(x: Decimal) -> float:
    return float(x.quantize(CENT, rounding=ROUND_HALF_UP))  # half a cent away from zero


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_totals_are_the_exact_sums_rounded_once(tmp_path, seed):
    lines = _lines(seed)
    diag = Diagnostic.from_config(_write(tmp_path, lines))
    out = diag.kpis_json()
    in_n = [ln for ln in lines if N_START <= ln[1] <= AS_OF]
    in_n1 = [ln for ln in lines if N1_START <= ln[1] < N_START]
    assert out["kpis"]["revenue"]["current"] == _round(sum(a for *_, a, _m in in_n))
    assert out["kpis"]["revenue"]["previous"] == _round(sum(a for *_, a, _m in in_n1))
    assert out["kpis"]["margin"]["current"] == _round(sum(m for *_, m in in_n))
    assert out["kpis"]["margin"]["previous"] == _round(sum(m for *_, m in in_n1))

    # per customer: the exact sum of its lines, and the column adds up to revenue N
    table = diag.customers_table().set_index("customer_id")
    per_customer: dict[str, Decimal] = {}
    for c, _, _, a, _ in in_n:
        per_customer[c] = per_customer.get(c, Decimal(0)) + a
    for c, total in per_customer.items():
        assert float(cents(table.loc[c, "revenue"])) == _round(total), c
    assert float(cents(table["revenue"].sum())) == out["kpis"]["revenue"]["current"]

    # a segment's revenue: the exact sum of its customers' history, rounded once
    history: dict[str, Decimal] = {}
    for c, _, _, a, _ in lines:
        history[c] = history.get(c, Decimal(0)) + a
    segment_of = diag.scores["segment"]
    for name, block in out["segments"].items():
        members = [c for c, s in segment_of.items() if s == name]
        assert block["revenue"] == _round(sum((history[c] for c in members), Decimal(0))), name


def test_ledger_amounts_are_exact_sums_rounded_once(tmp_path):
    lines = [
        ("C1", dt.date(2024, 3, 1), f"F{i}", Decimal("1.125"), Decimal("0.1125"))
        for i in range(1000)
    ]
    diag = Diagnostic.from_config(_write(tmp_path, lines))
    ledger = diag.dataset.ledger
    assert ledger.amount_used == 1125.0 == diag.kpis_json()["kpis"]["revenue"]["current"]
    assert ledger.balanced


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_a_large_customers_sums_are_written_without_float_noise(tmp_path, seed):
    """Ten million over a few hundred lines: customers.csv says 10942433.9, never
    10942433.899999997 (the noise of adding floats, which rounding to 1e-9 kept)."""
    rng = random.Random(seed)
    lines = [
        (
            "C001",
            N1_START + dt.timedelta(days=rng.randrange(730)),
            f"F{k:05d}",
            Decimal(rng.randint(-2_000_000, 20_000_000)) / 100,
            Decimal(0),
        )
        for k in range(300)
    ]
    diag = Diagnostic.from_config(_write(tmp_path, lines))
    target = tmp_path / "customers.csv"
    diag.write_customers_csv(target)
    with open(target, encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    in_n = sum((a for _, d, _, a, _ in lines if N_START <= d <= AS_OF), Decimal(0))
    in_n1 = sum((a for _, d, _, a, _ in lines if N1_START <= d < N_START), Decimal(0))
    assert Decimal(row["revenue"]) == in_n
    assert Decimal(row["revenue_previous"]) == in_n1
    assert Decimal(row["monetary"]) == in_n + in_n1


@pytest.mark.parametrize("scale", [10**4, 10**7, 10**9, 10**11])
def test_exact_removes_summing_noise_at_every_size_and_keeps_clean_values(scale):
    """Sums of 300 two-decimal lines, from ten thousand to a hundred billion in total:
    exact() gives the decimal sum's own float; a clean value is left as it is."""
    import numpy as np

    from icpc.money import exact

    for seed in range(60):
        rng = random.Random(seed)
        lines = [Decimal(rng.randint(-scale // 2, scale)) / 100 for _ in range(300)]
        total = 0.0
        for d in lines:  # added one by one, as np.bincount does
            total += float(d)
        assert float(exact(np.array([total]))[0]) == float(sum(lines)), (scale, seed)
        clean = float(Decimal(rng.randint(0, scale * 300)) / 100)
        assert float(exact(np.array([clean]))[0]) == clean


@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True, width=64),
            # around half a cent and the noise of sums: where the rule decides
            st.floats(-0.02, 0.02),
            st.integers(-10_000, 10_000).map(lambda k: k / 1000 + 0.0005),
            st.integers(-(10**9), 10**9).map(lambda k: k / 10_000),
            st.sampled_from([0.005, 0.00499999, 0.0050000001, -0.005, 0.1 + 0.2 - 0.3, 1e300]),
        ),
        max_size=60,
    )
)
def test_positive_cents_is_cents_above_zero(values):
    """The decisions (a sale, an active customer) read positive_cents: the same answer as
    rounding to the cent and comparing with zero, for every float, NaN and infinities
    included."""
    arr = np.array(values, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        expected = cents(arr) > 0
        got = positive_cents(arr)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == bool
