"""Turn a client's raw exports into canonical rows and the data-quality ledger (nettoyage).

:func:`load_dataset` reads the files of a :class:`~icpc.config.Config` with
:mod:`icpc.io` and puts **every row in exactly one bucket**: used, or excluded for one
named reason, counted in a :class:`Ledger` with its amount. Reasons are tested in this
order and a row gets the first that applies:

========================  ===============================================================
``malformed line``        the CSV line had another number of fields than the header
``totals line``           "Total", "Total général"… in the customer or first column
``missing customer id``   empty customer cell (transactions, customer master)
``unparseable date``      empty or unreadable date (transactions, activity)
``unparseable amount``    empty or unreadable amount (text in the amount column)
``duplicate``             exact duplicate line, only with ``drop_duplicates: true``
                          (customer master: a customer id already seen above)
``unknown activity type`` activity type matching no value of ``activity.types``
``excluded by config``    ``exclude.customers`` ids, ``exclude.where`` values (on any
                          mapped column; on a customer-master column it excludes the
                          customer everywhere)
``after as_of``           dated after the analysis date
========================  ===============================================================

``rows_read == rows_used + sum(rows_excluded)`` and the same for amounts (a row whose
amount cannot be read, or a totals line, counts 0: totals are reported, not summed; the
amount they state is kept as ``totals_stated``).

Warnings keep the rows and count them with their amount: ``exact duplicate lines``
(same values in every mapped column as an earlier used row, when ``drop_duplicates`` is
false), ``zero amounts``, ``credit notes`` (negative amounts), ``dates far from the
rest``, ``invoices whose lines disagree on customer``, ``unparseable margin``, ``unparseable
quantity``, ``lines without margin`` (an empty margin cell, listed only when there is
one); in the customer master, ``unparseable created_at`` and ``e-mails that are not an
address`` (kept as written).

*Dates far from the rest*: a date before 1990-01-01, or more than 3652 days (about ten
years) away from the median date of the readable rows, either way. When ``as_of`` is not
configured it is the last transaction date **among the dates not far from the rest**, so
a typo such as 2204 cannot move the analysis date; such rows then fall "after as_of".

Example
-------
>>> from icpc.config import load_config
>>> from icpc.cleaning import load_dataset
>>> ds = load_dataset(load_config("data_samples/demo/client.yaml"))
>>> ds.data_quality()["rows_read"] == ds.ledger.rows_used + sum(ds.ledger.rows_excluded.values())
True
"""

from __future__ import annotations

from icpc.cleaning.activity import clean_activity
from icpc.cleaning.attribution import customer_attribution, last_rows
from icpc.cleaning.customers import clean_customers
from icpc.cleaning.dataset import Dataset, load_dataset, load_saved_dataset, save_dataset
from icpc.cleaning.ledger import ACTIVITY_REASONS, CUSTOMER_REASONS, TRANSACTION_REASONS, Ledger
from icpc.cleaning.transactions import clean_transactions

__all__ = [
    "Dataset",
    "Ledger",
    "load_dataset",
    "save_dataset",
    "load_saved_dataset",
    "clean_transactions",
    "clean_customers",
    "clean_activity",
    "customer_attribution",
    "last_rows",
    "TRANSACTION_REASONS",
    "CUSTOMER_REASONS",
    "ACTIVITY_REASONS",
]
