"""Small synthetic diagnostics for the report tests (test_sections, test_excel).

A real :class:`icpc.diagnostic.Diagnostic` over a hand-made canonical dataset (the
frames of docs/CONTRACTS.md), so the report is tested on the analyses' real outputs
without parsing files. Fixed seeds; 60 customers over three years.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from icpc.analysis.follow_up import Earlier
from icpc.cleaning import Dataset, Ledger
from icpc.config import config_from_dict
from icpc.diagnostic import Diagnostic

SELLERS = ("Dupont", "Martin", "Leroy")
N_CUSTOMERS = 60
#: the first six customers share one address (an anomaly cluster)
SHARED_ADDRESS = 6


def transactions(
    *,
    seed: int = 1,
    salesperson: bool = True,
    since: str | None = None,
    until: str | None = None,
    customers: int = N_CUSTOMERS,
) -> pd.DataFrame:
    """Canonical invoice lines: one invoice per purchase, regular rhythm per customer.

    ``since`` drops the lines before that date (a young company without N−1); ``until``
    the lines after it (no sale in N); ``customers`` keeps only the first customers.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(N_CUSTOMERS):
        start = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(rng.integers(0, 700)))
        gap = pd.Timedelta(days=int(rng.integers(15, 120)))
        stop = pd.Timestamp("2024-12-31") - pd.Timedelta(days=int(rng.integers(0, 500)))
        dates = pd.date_range(start, max(start, stop), freq=gap)
        for k, d in enumerate(dates):
            rows.append(
                (
                    f"C{i:03d}",
                    d,
                    float(rng.integers(50, 5000)) + 0.25,
                    f"F{i}-{k}",
                    SELLERS[i % 3],
                    "Nord" if i % 2 else "Sud",
                )
            )
    tx = pd.DataFrame(
        rows, columns=["customer_id", "date", "amount", "invoice_id", "salesperson", "region"]
    )
    tx = tx.loc[tx["customer_id"].isin([f"C{i:03d}" for i in range(customers)])]
    if since is not None:
        tx = tx.loc[tx["date"] >= pd.Timestamp(since)]
    if until is not None:
        tx = tx.loc[tx["date"] <= pd.Timestamp(until)]
    tx["margin"] = (tx["amount"] * 0.3).round(2)
    if not salesperson:
        tx = tx.drop(columns=["salesperson", "region"])
    tx = tx.sort_values(["date", "customer_id"]).reset_index(drop=True)
    for col in ("customer_id", "invoice_id", "salesperson", "region"):
        if col in tx.columns:
            tx[col] = tx[col].astype("category")
    tx["source_row"] = np.arange(1, len(tx) + 1, dtype=np.int64)
    return tx


def make_diagnostic(
    *,
    language: str = "fr",
    salesperson: bool = True,
    customers: bool = True,
    activity: bool = True,
    seed: int = 1,
    since: str | None = None,
    until: str | None = None,
    n_customers: int = N_CUSTOMERS,
    activity_rows: int = 400,
    burst: bool = False,
    follow_up: bool = True,
) -> Diagnostic:
    """A Diagnostic at 2024-12-31 on synthetic data; switch off optional inputs to test absences.

    ``activity_rows`` sizes the activity log (2023-2024): 400 rows give conversion rates
    above 100 % (more sales than completed calls, as on the demo), 5,000 rates below.
    ``burst`` makes the customers sharing an address Dupont's creations with small
    baskets (a flagged salesperson anomaly). ``follow_up`` gives it an earlier diagnostic
    (2024-06-30, the first ten customers flagged then).
    """
    tx = transactions(
        seed=seed, salesperson=salesperson, since=since, until=until, customers=n_customers
    )
    shared = [f"C{i:03d}" for i in range(SHARED_ADDRESS)]
    if burst:
        tx["amount"] = tx["amount"].where(~tx["customer_id"].isin(shared), 20.0)
    columns = {
        "customer_id": "Code",
        "date": "Date",
        "amount": "Montant",
        "invoice_id": "N",
        "margin": "Marge",
    }
    if salesperson:
        columns |= {"salesperson": "Commercial", "region": "Secteur"}
    config = config_from_dict(
        {
            "client": "Distribution Test SAS",
            "as_of": "2024-12-31",
            "language": language,
            "transactions": {"path": "factures.csv", "columns": columns},
        }
    )
    ids = [f"C{i:03d}" for i in range(N_CUSTOMERS)]
    master = None
    if customers:
        master = pd.DataFrame(
            {
                "customer_id": ids,
                "name": [f"Société {i}" for i in range(N_CUSTOMERS)],
                "address": [
                    "3 rue des Lilas" if i < SHARED_ADDRESS else f"{i} avenue Foch"
                    for i in range(N_CUSTOMERS)
                ],
                "postcode": ["75001"] * N_CUSTOMERS,
                "city": ["Paris"] * N_CUSTOMERS,
                "created_at": pd.Timestamp("2022-01-01")
                + pd.to_timedelta(np.arange(N_CUSTOMERS), unit="D"),
            }
        )
        if burst:
            master["salesperson"] = np.where(master["customer_id"].isin(shared), "Dupont", None)
    log = None
    if activity and salesperson:
        rng = np.random.default_rng(seed + 1)
        m = activity_rows
        log = pd.DataFrame(
            {
                "date": pd.Timestamp("2023-01-01")
                + pd.to_timedelta(rng.integers(0, 730, m), unit="D"),
                "salesperson": pd.Categorical(rng.choice(SELLERS, m)),
                "kind": rng.choice(["contact_received", "call", "call_completed"], m),
            }
        )
    used = round(float(tx["amount"].sum()), 2)
    ledger = Ledger(  # a real ledger, with the exclusions and the warning the report shows
        key="transactions", path="factures.csv", rows_read=len(tx) + 3, rows_used=len(tx),
        rows_excluded={"unparseable date": 2, "missing customer id": 1},
        amount_read=used + 100.0, amount_used=used,
        amounts_excluded={"unparseable date": 100.0, "missing customer id": 0.0},
        warnings={"exact duplicate lines": {"rows": 4, "amount": 80.0}},
    )  # fmt: skip
    dataset = Dataset(
        config=config,
        as_of=dt.date(2024, 12, 31),
        transactions=tx,
        customers=master,
        activity=log,
        ledger=ledger,
        ledgers={"transactions": ledger},
    )
    diag = Diagnostic(dataset)
    if follow_up:
        earlier = Earlier(
            dt.date(2024, 6, 30),
            {"revenue": 1000.0, "active_customers": 10, "average_basket": 100.0},
            flagged=tuple(ids[:10]),
        )
        diag.with_earlier((earlier,))
    return diag
