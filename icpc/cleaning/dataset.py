"""The whole client: read and clean every input file of a config into a :class:`Dataset`."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.cleaning.activity import clean_activity
from icpc.cleaning.customers import clean_customers
from icpc.cleaning.encoding import _is_in
from icpc.cleaning.id_match import (
    EXCLUSIONS_NOT_FOUND,
    W_IDS_MATCHED,
    WHERE_NOT_FOUND,
    match_ids,
    match_master,
    resolve_exclusions,
    rewrite_ids,
    where_not_found,
    written_codes,
)
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
from icpc.exceptions import ConfigError, InputError
from icpc.io import ParsedTable, RawTable, harmonise_ids, parse_table, read_table
from icpc.io.common import same_currency
from icpc.money import cents

__all__ = ["DATASET_FILE", "Dataset", "load_dataset", "load_saved_dataset", "save_dataset"]

#: the description of a saved dataset (as_of, ledgers, config path), in its folder
DATASET_FILE = "dataset.json"
_FORMAT = "icpc-dataset"
_VERSION = 1
#: the frames of a saved dataset, each ``<name>.parquet`` (absent when the frame is None)
_FRAMES = ("transactions", "customers", "activity")
#: rows per Parquet row group (None: pyarrow's default); tests make it small
_ROW_GROUP_ROWS: int | None = None
#: file suffix of a saved frame, by format (:func:`save_dataset`'s ``frame_format``)
_SUFFIXES = {"parquet": ".parquet", "arrow": ".arrow"}


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
        out = {
            k: top[k]
            for k in (
                "rows_read",
                "rows_used",
                "rows_excluded",
                "amount_read",
                "amount_used",
                "amounts_excluded",
                "warnings",
            )
        }
        out["files"] = {
            key: (self.ledgers[key].to_dict() if key in self.ledgers else {})
            for key in ("transactions", "customers", "activity")
        }
        return out


def _check_currency(raw: RawTable, currency: str, config_name: str) -> None:
    """Refuse amounts written in another currency than the config's (``$`` beside
    ``currency: EUR``): the report would call dollars euros."""
    for written in raw.details.get("currency_written", []):
        if not same_currency(written, currency):
            fix = "USD (or CAD, AUD…)" if written == "$" else written
            raise InputError(
                f"{raw.path.name}: the amounts are written in {written} but {config_name} says "
                f"currency: {currency}; set currency: {fix} in {config_name}, or convert the amounts"
            )


def _where_values(exclude: Exclusions, *files: ParsedTable | None) -> dict[str, list[pa.Array]]:
    """The distinct values of each ``exclude.where`` column, in each file mapping it."""
    out: dict[str, list[pa.Array]] = {}
    for col in exclude.where:
        for parsed in files:
            if parsed is not None and col in parsed.codes:
                out.setdefault(col, []).append(parsed.codes[col][1])
            elif parsed is not None and col in parsed.text:
                out.setdefault(col, []).append(pc.unique(parsed.text[col]))
    return out


def _names_of(transactions: pd.DataFrame, names: pa.ChunkedArray) -> pd.DataFrame:
    """Customer frame (``customer_id``, ``name``) from the name of each customer's latest row."""
    from icpc.cleaning.attribution import last_rows

    cust = transactions[C.CUSTOMER_ID]
    codes = cust.cat.codes.to_numpy().astype(np.int64)
    day = (
        np.asarray(transactions[C.DATE], dtype="datetime64[ns]").view(np.int64)
        // 86_400_000_000_000
    )
    last = last_rows(transactions, codes, day, len(cust.cat.categories))
    present = last >= 0
    rows = transactions[C.SOURCE_ROW].to_numpy()[last[present]] - 1
    text = names.take(pa.array(rows)).to_pylist()
    return pd.DataFrame(
        {
            C.CUSTOMER_ID: pd.array(
                np.asarray(cust.cat.categories, dtype=object)[present], dtype="str"
            ),
            C.NAME: pd.array([t or "" for t in text], dtype="str"),
        }
    )


def _config_name(config: Config) -> str:
    return config.source.name if config.source is not None else "client.yaml"


def load_dataset(config: Config, *, cache: bool = False) -> Dataset:
    """Load and clean every input file of a client config (chargement des données).

    Parameters
    ----------
    config : Config
        The validated client config.
    cache : bool
        Use the cache of cleaned datasets (:mod:`icpc.cleaning.cache`): when the input
        files' content, the config's loading settings and the code are those of an
        earlier load, its cleaned frames and ledgers are read back instead (the same
        dataset); otherwise the files are loaded and the result kept for the next time.
        ``ICPC_NO_CACHE=1`` turns it off. Default False: the library writes nothing
        unless asked; the commands and the notebooks ask.

    Returns
    -------
    Dataset
        Canonical frames, ``as_of`` and one ledger per file.

    Raises
    ------
    InputError
        A file cannot be used at all (see :func:`icpc.io.read_table`) or the
        transactions file has no usable row (with or without the cache: an error is
        never cached).

    Notes
    -----
    A worker thread reads (and cleans) the customer master, then reads the activity
    log, while the transactions are read: Arrow's readers release the GIL. Errors are
    raised in the same order as a sequential load: the customer master's first, the
    activity log's only once the transactions are clean. The thread is joined on return.
    """
    if cache:
        from icpc.cleaning.cache import load_cached

        return load_cached(config)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-load") as worker:
        return _load_dataset(config, worker)


def _load_dataset(config: Config, worker: ThreadPoolExecutor) -> Dataset:
    """Body of :func:`load_dataset`; ``worker`` reads the customer master and activity log."""
    name = _config_name(config)
    ledgers: dict[str, Ledger] = {}
    customers = None
    excluded_ids: list[str] = []
    cust_job = (
        worker.submit(read_table, config.customers, config_name=name)
        if config.customers is not None
        else None
    )
    act_job = (
        worker.submit(read_table, config.activity, config_name=name)
        if config.activity is not None
        else None
    )
    tx_spec: FileSpec = config.transactions
    try:
        tx_raw = read_table(tx_spec, config_name=name)
    except BaseException:
        if cust_job is not None:
            cust_job.result()  # read first when sequential: its error, if any, comes first
        raise
    _check_currency(tx_raw, config.currency, name)
    raws: dict[str, RawTable] = {"transactions": tx_raw}
    if cust_job is not None:
        raws["customers"] = cust_job.result()
    if act_job is not None and act_job.exception() is None:  # its error, if any, is raised last
        raws["activity"] = act_job.result()
    raws = harmonise_ids(raws, config_name=name)
    cust_ledger = None
    cust_parsed = parse_table(raws["customers"], config_name=name) if "customers" in raws else None
    # the raw columns (~700 MB for 8M lines) go back to the heap once parsed
    tx = parse_table(raws.pop("transactions"), release=True, config_name=name)
    names = tx.text.get(C.NAME)  # a FEC's CompAuxLib: the names when no master is given
    invoiced = pd.Index(tx.codes[C.CUSTOMER_ID][1].to_pylist(), dtype=object)
    # the customers to exclude as each file writes them (the config's c001: the files' C001)
    to_exclude, not_found = resolve_exclusions(
        config.exclude.customers,
        [invoiced]
        + ([] if cust_parsed is None else [written_codes(cust_parsed.codes[C.CUSTOMER_ID][1])]),
    )
    exclude = Exclusions(customers=to_exclude, where=config.exclude.where)
    if cust_parsed is not None:
        customers, cust_ledger, excluded_ids = clean_customers(cust_parsed, exclude=exclude)
    matched: dict[str, Any] | None = None
    if customers is not None:  # the master's codes written otherwise (c001, 000123): as invoiced
        customers, excluded_ids, matched = match_master(customers, excluded_ids, invoiced)
    where_tx = {k: v for k, v in config.exclude.where.items() if tx.has(k)}
    where_missing = where_not_found(
        config.exclude.where, _where_values(config.exclude, tx, cust_parsed)
    )
    transactions, ledger, as_of = clean_transactions(
        tx,
        as_of=config.as_of,
        exclude=Exclusions(customers=to_exclude, where=where_tx),
        excluded_customers=excluded_ids,
        drop_duplicates=tx_spec.drop_duplicates,
        config_name=name,
    )
    del tx
    if not_found:  # listed in the config, in no file: nothing excluded for them (said, not silent)
        ledger = replace(ledger, details={**ledger.details, EXCLUSIONS_NOT_FOUND: not_found})
    if where_missing:  # the same for a value of exclude.where (a region written "Nrod")
        ledger = replace(ledger, details={**ledger.details, WHERE_NOT_FOUND: where_missing})
    ledgers["transactions"] = ledger

    if cust_ledger is not None and customers is not None:
        master_ids = pd.Index(customers[C.CUSTOMER_ID])
        tx_ids = transactions[C.CUSTOMER_ID]
        tx_customers = pd.Index(tx_ids.cat.categories)
        # on the distinct ids, not the rows; Arrow's hash set (pandas' isin on str is ~40x slower)
        known = _is_in(tx_customers, master_ids)[tx_ids.cat.codes.to_numpy()]
        without = ~_is_in(master_ids, tx_customers)
        missing_rows = ~known
        ledgers["customers"] = cust_ledger.with_warnings(
            {
                **({W_IDS_MATCHED: matched} if matched else {}),
                W_NO_TRANSACTIONS: {
                    "rows": int(without.sum()),
                    "amount": 0.0,
                    "customers": int(without.sum()),
                },
                W_NOT_IN_MASTER: {
                    "rows": int(missing_rows.sum()),
                    "amount": float(cents(transactions[C.AMOUNT].to_numpy()[missing_rows].sum())),
                    "customers": int(tx_ids[missing_rows].nunique()),
                },
            }
        )
        if ledgers["customers"].rows_used == 0:
            raise _unusable_error(ledgers["customers"], "customers", name)

    if customers is None and names is not None:
        customers = _names_of(transactions, names)

    activity = None
    if config.activity is not None:
        spec: ActivitySpec = config.activity
        assert act_job is not None
        act_raw = parse_table(
            raws["activity"] if "activity" in raws else act_job.result(), config_name=name
        )
        ids = set(to_exclude) | set(excluded_ids)
        act_map = (
            match_ids(invoiced, written_codes(act_raw.codes[C.CUSTOMER_ID][1]))
            if C.CUSTOMER_ID in act_raw.codes
            else {}
        )
        ids |= {code for code, target in act_map.items() if target in ids}
        activity, ledgers["activity"] = clean_activity(
            act_raw, types=spec.types, as_of=as_of, excluded_customers=ids
        )
        if act_map:
            activity, rows = rewrite_ids(activity, act_map)
            if rows:
                ledgers["activity"] = ledgers["activity"].with_warnings(
                    {W_IDS_MATCHED: {"rows": rows, "amount": 0.0, "customers": len(act_map)}}
                )
        act = ledgers["activity"]
        data_reasons = {
            r for r, v in act.rows_excluded.items() if v and r not in (EXCLUDED, AFTER_AS_OF)
        }
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


# --------------------------------------------------------------------------------------
# a cleaned dataset saved to a folder and read back (the run's one load, used by the kernel)
# --------------------------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    """NumPy scalars and arrays a ledger's details may hold, as plain JSON values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def save_dataset(
    dataset: Dataset, folder: str | Path, *, frame_format: Literal["parquet", "arrow"] = "parquet"
) -> Path:
    """Write a cleaned dataset to a folder, to be read back by :func:`load_saved_dataset`.

    ``icpc run`` loads and cleans the client's exports once, saves the result in the run
    folder (``dataset/``) and the notebook's kernel reads it instead of the exports.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`load_dataset`.
    folder : str or Path
        Created if needed. Receives ``transactions.parquet``, ``customers.parquet`` and
        ``activity.parquet`` (the last two only when the dataset has them; a stale one is
        removed) and ``dataset.json``: ``as_of``, the client, its slug, the config's path
        and every ledger (:meth:`Ledger.to_dict`).
    frame_format : {"parquet", "arrow"}
        ``parquet`` (the run folder's: any tool reads it) or ``arrow``: Arrow IPC files
        (``transactions.arrow``…) compressed with zstd, about five times faster to write
        and twice as fast to read, for about half the size of Parquet's (the cache's,
        :mod:`icpc.cleaning.cache`).

    Returns
    -------
    Path
        The folder.

    Notes
    -----
    The frames go through Parquet with pandas' metadata, which keeps every dtype —
    categories (their order, unused ones included), ``datetime64[ns]``, ``float64``,
    ``str`` — and the index; :func:`load_saved_dataset` gives back frames equal to the
    saved ones (``pandas.testing.assert_frame_equal``).
    """
    if frame_format not in _SUFFIXES:
        raise ValueError(f"frame_format must be parquet or arrow, not {frame_format!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames: dict[str, str | None] = {}
    for name in _FRAMES:
        frame: pd.DataFrame | None = getattr(dataset, name)
        for suffix in _SUFFIXES.values():  # a stale one, of either format
            (folder / f"{name}{suffix}").unlink(missing_ok=True)
        if frame is None:
            frames[name] = None
            continue
        path = folder / f"{name}{_SUFFIXES[frame_format]}"
        if frame_format == "parquet":
            frame.to_parquet(path, engine="pyarrow", row_group_size=_ROW_GROUP_ROWS)
        else:
            from pyarrow import feather

            feather.write_feather(pa.Table.from_pandas(frame), path, compression="zstd")
        frames[name] = path.name
    config = dataset.config
    description = {
        "format": _FORMAT,
        "version": _VERSION,
        "client": config.client,
        "slug": config.slug,
        "config_path": str(Path(config.source).resolve()) if config.source is not None else None,
        "as_of": dataset.as_of.isoformat(),
        "frames": frames,
        "ledger": {"key": dataset.ledger.key, **dataset.ledger.to_dict()},
        "ledgers": {key: ledger.to_dict() for key, ledger in dataset.ledgers.items()},
    }
    text = json.dumps(description, ensure_ascii=False, indent=1, default=_json_default)
    (folder / DATASET_FILE).write_text(text + "\n", encoding="utf-8")
    return folder


def load_saved_dataset(folder: str | Path, config: Config) -> Dataset:
    """Read a dataset written by :func:`save_dataset` (no input file is read).

    Parameters
    ----------
    folder : str or Path
        The folder :func:`save_dataset` wrote.
    config : Config
        The client's config, which becomes ``Dataset.config`` (its language, thresholds…
        apply; its cleaning settings are those the saved data was cleaned with).

    Returns
    -------
    Dataset
        The saved frames (same dtypes), ``as_of`` and ledgers.

    Raises
    ------
    InputError
        No saved dataset in ``folder`` (or one of another format version).
    ConfigError
        The dataset is another client's, or ``config.as_of`` is another date than the
        one the data was cleaned for.
    """
    folder = Path(folder)
    described = folder / DATASET_FILE
    if not described.is_file():
        raise InputError(
            f"{folder}: no saved dataset ({DATASET_FILE} not found); "
            "load the data from the config instead (dataset_path = None)"
        )
    data = json.loads(described.read_text(encoding="utf-8"))
    if data.get("format") != _FORMAT or data.get("version") != _VERSION:
        raise InputError(
            f"{described}: not a dataset this version of icpc reads "
            f"(format {data.get('format')!r}, version {data.get('version')!r}); "
            "load the data from the config instead (dataset_path = None)"
        )
    if data["slug"] != config.slug:
        raise ConfigError(
            f"{folder}: the saved dataset is client {data['client']!r} (slug {data['slug']!r}), "
            f"not {config.client!r} (slug {config.slug!r})"
        )
    as_of = dt.date.fromisoformat(data["as_of"])
    if config.as_of is not None and config.as_of != as_of:
        raise ConfigError(
            f"{folder}: the saved dataset was cleaned for as_of {as_of.isoformat()}, "
            f"not {config.as_of.isoformat()}; load the data from the config for another "
            "date (dataset_path = None)"
        )
    frames: dict[str, pd.DataFrame | None] = {}
    for name in _FRAMES:
        file = data["frames"].get(name)
        frames[name] = _read_frame(folder / file) if file else None
    ledgers = {key: Ledger.from_dict(block, key=key) for key, block in data["ledgers"].items()}
    ledger = Ledger.from_dict(data["ledger"])
    if ledgers.get(ledger.key) == ledger:
        ledger = ledgers[ledger.key]  # the same object, as load_dataset returns it
    transactions = frames["transactions"]
    if transactions is None:
        raise InputError(f"{described}: the saved dataset has no transactions")
    return Dataset(
        config=config,
        as_of=as_of,
        transactions=transactions,
        customers=frames["customers"],
        activity=frames["activity"],
        ledger=ledger,
        ledgers=ledgers,
    )


def _read_frame(path: Path) -> pd.DataFrame:
    """A frame written by :func:`save_dataset` (``.parquet`` or ``.arrow``), dtypes intact."""
    if path.suffix == ".arrow":
        from pyarrow import feather

        table = feather.read_table(path)
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    return _to_pandas(table)


def _categories(values: pd.Index, ordered: bool) -> pd.CategoricalDtype:
    """The dtype of a dictionary written by :func:`save_dataset`, without pandas' check that
    its values are unique (a dictionary is, by construction): the check hashes every
    category, 0.5–1 s for the 2.7 million invoice numbers of 8 million lines. Pandas
    without the fast path (a private constructor) gets the checked one."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fast is not None:
        try:
            dtype = fast(values, ordered)
        except Exception:  # noqa: BLE001  (another pandas: the public, checked way)
            dtype = None
        if isinstance(dtype, pd.CategoricalDtype) and len(dtype.categories) == len(values):
            return dtype
    return pd.CategoricalDtype(values, ordered=ordered)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """``table.to_pandas()``, with each text dictionary column made a Categorical from its codes.

    Arrow's own conversion of a dictionary of 560 000 invoice numbers (2M lines) takes
    0.4–0.5 s; built here from the dictionary and the codes it takes the time of pandas'
    check that the categories are unique (0.17 s). A column whose chunks do not share one
    dictionary, or whose values are not text, goes through Arrow's conversion; the frame
    is the same either way (same categories in the same order, same dtypes).
    """
    meta = table.schema.pandas_metadata or {}
    index_columns = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
    built: dict[int, tuple[str, pd.Categorical]] = {}
    for i, field_ in enumerate(table.schema):
        kind = field_.type
        if (
            not pa.types.is_dictionary(kind)
            or field_.name in index_columns
            or not (
                pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
            )
        ):
            continue
        column = table.column(i)
        if column.num_chunks == 0:
            continue
        values = column.chunk(0).dictionary
        if any(not chunk.dictionary.equals(values) for chunk in column.chunks[1:]):
            continue
        codes = np.concatenate(
            [chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False) for chunk in column.chunks]
        )
        dtype = _categories(pd.Index(values.to_pandas()), kind.ordered)
        built[i] = (field_.name, pd.Categorical.from_codes(codes, dtype=dtype, validate=False))
    if not built:
        return table.to_pandas()
    frame = table.drop_columns([name for name, _ in built.values()]).to_pandas()
    for i in sorted(built):  # at its place: the index columns, if any, come after the data
        name, values = built[i]
        frame.insert(i, name, values)
    return frame
