"""Every ledger reason and warning a file can show has its words in the report and the Excel."""

from __future__ import annotations

import pytest

from icpc.cleaning import ledger as L
from icpc.io.fec import W_SEVERAL_CUSTOMERS
from icpc.labels import LEDGER_REASONS, reason_label

EVERY = sorted(
    {
        *L.TRANSACTION_REASONS,
        *L.CUSTOMER_REASONS,
        *L.ACTIVITY_REASONS,
        *L.OPTIONAL_REASONS,
        *L.READER_WARNINGS,
        W_SEVERAL_CUSTOMERS,
        L.W_DUPLICATES,
        L.W_ZERO,
        L.W_CREDIT,
        L.W_FAR,
        L.W_INVOICE,
        L.W_MARGIN,
        L.W_CREATED,
        L.W_EMAIL,
        L.W_QUANTITY,
        L.W_NO_TRANSACTIONS,
        L.W_NOT_IN_MASTER,
    }
)


@pytest.mark.parametrize("reason", EVERY)
def test_every_reason_and_warning_is_translated(reason):
    assert reason in LEDGER_REASONS
    french, english = reason_label(reason, "fr"), reason_label(reason, "en")
    assert french != reason and english  # the French words, not the key
