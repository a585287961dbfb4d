"""The whole client: read and clean every input file of a config into a :class:`Dataset`."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from icpc import columns as C
from icpc.cleaning.activity import clean_activity
from icpc.cleaning.customers import clean_customers
from icpc.cleaning.encoding import _is_in
from icpc.cleaning.ledger import (
    AFTER_AS_OF,
    EXCLUDED,
    W_NO_TRANSACTIONS,
    W_NOT_IN_MASTER,
    Ledger,
    _unusable_error,
)
from icpc.cleaning.transactions import clean_transactions
from icpc.config import ActivitySpec, Config, Exclusions, FileSpec
from icpc.io import RawTable, harmonise_ids, parse_table, read_table

__all__ = ["Dataset", "load_dataset"]


@dataclass(frozen=True)
class Dataset:
    """The cleaned data of one client (jeu de données nettoyé) and its ledgers.

    Attributes
    ----------
    config : Config
    as_of : datetime.date
        ``config.as_of``, else the last transaction date (far dates left out).
    transactions : pandas.DataFrame
        Rows used: ``customer_id`` (category), ``date`` (datetime64[ns], midnight),
        ``amount`` (float64), then the optional mapped columns ``invoice_id``,
        ``margin``, ``salesperson``, ``region``, ``document_type``, and ``source_row``.
    customers : pandas.DataFrame or None
        Customer master, one row per ``customer_id``.
    activity : pandas.DataFrame or None
        Activity rows used: ``date``, ``salesperson``, ``kind`` [, ``customer_id``].
    ledger : Ledger
        The transactions ledger.
    ledgers : dict of str to Ledger
        Per config key.
    """

    config: Config
    as_of: dt.date
    transactions: pd.DataFrame
    customers: pd.DataFrame | None
    activity: pd.DataFrame | None
    ledger: Ledger
    ledgers: dict[str, Ledger]

    def data_quality(self) -> dict[str, Any]:
        """Return the ``data_quality`` block of ``kpis.json`` (JSON-ready).

        Returns
        -------
        dict
            ``rows_read``, ``rows_used``, ``rows_excluded``, ``amount_read``,
            ``amount_used``, ``amounts_excluded``, ``warnings`` of the transactions file,
            and ``files`` with the full ledger of each file (``{}`` when not given).
        """
        top = self.ledger.to_dict()
        out = {k: top[k] for k in ("rows_read", "rows_used", "rows_excluded", "amount_read", "amount_used",
                                   "amounts_excluded", "warnings")}
        out["files"] = {key: (self.ledgers[key].to_dict() if key in self.ledgers else {})
                        for key in ("transactions", "customers", "activity")}
        return out


def _names_of(transactions: pd.DataFrame, names: pa.ChunkedArray) -> pd.DataFrame:
    """Customer frame (``customer_id``, ``name``) from the name of each customer's latest row."""
    from icpc.cleaning.attribution import last_rows
    cust = transactions[C.CUSTOMER_ID]
    codes = cust.cat.codes.to_numpy().astype(np.int64)
    day = np.asarray(transactions[C.DATE], dtype="datetime64[ns]").view(np.int64) // 86_400_000_000_000
    last = last_rows(transactions, codes, day, len(cust.cat.categories))
    present = last >= 0
    rows = transactions[C.SOURCE_ROW].to_numpy()[last[present]] - 1
    text = names.take(pa.array(rows)).to_pylist()
    return pd.DataFrame({
        C.CUSTOMER_ID: pd.array(np.asarray(cust.cat.categories, dtype=object)[present], dtype="str"),
        C.NAME: pd.array([t or "" for t in text], dtype="str"),
    })


def _config_name(config: Config) -> str:
    return config.source.name if config.source is not None else "client.yaml"


def load_dataset(config: Config) -> Dataset:
    """Load and clean every input file of a client config (chargement des données).

    Parameters
    ----------
    config : Config
        The validated client config.

    Returns
    -------
    Dataset
        Canonical frames, ``as_of`` and one ledger per file.

    Raises
    ------
    InputError
        A file cannot be used at all (see :func:`icpc.io.read_table`) or the
        transactions file has no usable row.

    Notes
    -----
    A worker thread reads (and cleans) the customer master, then reads the activity
    log, while the transactions are read: Arrow's readers release the GIL. Errors are
    raised in the same order as a sequential load: the customer master's first, the
    activity log's only once the transactions are clean. The thread is joined on return.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-load") as worker:
        return _load_dataset(config, worker)


def _load_dataset(config: Config, worker: ThreadPoolExecutor) -> Dataset:
    """Body of :func:`load_dataset`; ``worker`` reads the customer master and activity log."""
    name = _config_name(config)
    ledgers: dict[str, Ledger] = {}
    customers = None
    excluded_ids: list[str] = []
    cust_job = worker.submit(read_table, config.customers, config_name=name) if config.customers is not None else None
    act_job = worker.submit(read_table, config.activity, config_name=name) if config.activity is not None else None
    tx_spec: FileSpec = config.transactions
    try:
        tx_raw = read_table(tx_spec, config_name=name)
    except BaseException:
        if cust_job is not None:
            cust_job.result()  # read first when sequential: its error, if any, comes first
        raise
    raws: dict[str, RawTable] = {"transactions": tx_raw}
    if cust_job is not None:
        raws["customers"] = cust_job.result()
    if act_job is not None and act_job.exception() is None:  # its error, if any, is raised last
        raws["activity"] = act_job.result()
    raws = harmonise_ids(raws, config_name=name)
    cust_ledger = None
    if "customers" in raws:
        customers, cust_ledger, excluded_ids = clean_customers(parse_table(raws["customers"]), exclude=config.exclude)
    # the raw columns (~700 MB for 8M lines) go back to the heap once parsed
    tx = parse_table(raws.pop("transactions"), release=True)
    names = tx.text.get(C.NAME)  # a FEC's CompAuxLib: the names when no master is given
    where_tx = {k: v for k, v in config.exclude.where.items() if tx.has(k)}
    transactions, ledger, as_of = clean_transactions(
        tx,
        as_of=config.as_of,
        exclude=Exclusions(customers=config.exclude.customers, where=where_tx),
        excluded_customers=excluded_ids,
        drop_duplicates=tx_spec.drop_duplicates,
        config_name=name,
    )
    del tx
    ledgers["transactions"] = ledger

    if cust_ledger is not None and customers is not None:
        master_ids = pd.Index(customers[C.CUSTOMER_ID])
        tx_ids = transactions[C.CUSTOMER_ID]
        tx_customers = pd.Index(tx_ids.cat.categories)
        # on the distinct ids, not the rows; Arrow's hash set (pandas' isin on str is ~40x slower)
        known = _is_in(tx_customers, master_ids)[tx_ids.cat.codes.to_numpy()]
        without = ~_is_in(master_ids, tx_customers)
        missing_rows = ~known
        ledgers["customers"] = cust_ledger.with_warnings({
            W_NO_TRANSACTIONS: {"rows": int(without.sum()), "amount": 0.0, "customers": int(without.sum())},
            W_NOT_IN_MASTER: {
                "rows": int(missing_rows.sum()),
                "amount": float(np.round(transactions[C.AMOUNT].to_numpy()[missing_rows] * 100).sum()) / 100.0,
                "customers": int(tx_ids[missing_rows].nunique()),
            },
        })
        if ledgers["customers"].rows_used == 0:
            raise _unusable_error(ledgers["customers"], "customers", name)

    if customers is None and names is not None:
        customers = _names_of(transactions, names)

    activity = None
    if config.activity is not None:
        spec: ActivitySpec = config.activity
        assert act_job is not None
        act_raw = parse_table(raws["activity"] if "activity" in raws else act_job.result())
        ids = set(config.exclude.customers) | set(excluded_ids)
        activity, ledgers["activity"] = clean_activity(act_raw, types=spec.types, as_of=as_of,
                                                       excluded_customers=ids)
        act = ledgers["activity"]
        data_reasons = {r for r, v in act.rows_excluded.items() if v and r not in (EXCLUDED, AFTER_AS_OF)}
        if act.rows_used == 0 and data_reasons:
            raise _unusable_error(act, "activity", name)

    return Dataset(
        config=config,
        as_of=as_of,
        transactions=transactions,
        customers=customers,
        activity=activity,
        ledger=ledger,
        ledgers=ledgers,
    )
