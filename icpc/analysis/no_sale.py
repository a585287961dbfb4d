"""Why a diagnostic has no sale to analyse: the one line that names the file and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from icpc.exceptions import AnalysisError

if TYPE_CHECKING:
    from icpc.cleaning import Dataset

__all__ = ["no_sale_error"]


def no_sale_error(dataset: Dataset) -> AnalysisError:
    """Why no sale is dated on or before ``as_of``, with the fix that applies.

    Rows after ``as_of``: a later date may reach the sales. Otherwise the file holds no
    sale at all: every row used is a credit note or zero (the amount column, or an
    export of the credit notes only), or the credit notes cancel every invoice.
    """

    def rows(n: int) -> str:
        return f"{n} row" + ("" if n == 1 else "s")

    ledger = dataset.ledger
    where = Path(dataset.config.transactions.path).name
    used = len(dataset.transactions)
    after = int(ledger.rows_excluded.get("after as_of", 0))
    if after > 0:
        later = f", {rows(after)} dated after it" if after else ""
        return AnalysisError(
            f"{where}: as_of {dataset.as_of.isoformat()} is before the first sale "
            f"(no invoice with a positive total is dated on or before it, {rows(used)} used{later}); "
            "set a later as_of in the config or pass --as-of YYYY-MM-DD"
        )
    credit = int(ledger.warnings.get("credit notes", {}).get("rows", 0))
    zero = int(ledger.warnings.get("zero amounts", {}).get("rows", 0))
    total = f"{abs(ledger.amount_used):,.2f}"
    if dataset.config.language == "fr":
        total = total.replace(",", " ").replace(".", ",")
    total = ("-" if ledger.amount_used < 0 else "") + f"{total} {dataset.config.currency}"
    counts = f"credit notes: {rows(credit)}, zero amounts: {rows(zero)}, total {total}"
    fec = dataset.config.transactions.format == "fec"
    if credit + zero >= used:
        check = (
            "check transactions.fec.sales_accounts (the sales accounts, class 70), or export the whole FEC"
            if fec
            else "check that transactions.columns.amount is the net amount with sales positive, "
            "or export the invoices too"
        )
        return AnalysisError(
            f"{where}: no sale to analyse: the {rows(used)} used are all credit notes or zero amounts "
            f"({counts}); {check}"
        )
    check = (
        "transactions.fec.sales_accounts"
        if fec
        else ("transactions.columns.amount and transactions.columns.invoice_id")
    )
    return AnalysisError(
        f"{where}: no sale to analyse: no document of the {rows(used)} used has a positive total, "
        f"the credit notes cancel the invoices ({counts}); check {check}"
    )
