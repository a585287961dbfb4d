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
rest``, ``invoices whose lines disagree on customer``, ``unparseable margin``.

*Dates far from the rest*: a date before 1990-01-01, or more than 3652 days (about ten
years) away from the median date of the readable rows, either way. When ``as_of`` is not
configured it is the last transaction date **among the dates not far from the rest**, so
a typo such as 2204 cannot move the analysis date; such rows then fall "after as_of".

Example
-------
>>> from icpc.config import load_config
>>> from icpc.cleaning import load_dataset
>>> ds = load_dataset(load_config("data_samples/demo/client.yaml"))  # doctest: +SKIP
>>> ds.data_quality()["rows_read"] == ds.ledger.rows_used + sum(ds.ledger.rows_excluded.values())  # doctest: +SKIP
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.config import ActivitySpec, Config, Exclusions, FileSpec
from icpc.exceptions import InputError
from icpc.io import (
    RawTable,
    normalize_header,
    parse_amounts,
    parse_dates,
    parse_text,
    read_table,
    totals_labels,
    totals_mask,
)

__all__ = [
    "Dataset",
    "Ledger",
    "load_dataset",
    "clean_transactions",
    "clean_customers",
    "clean_activity",
    "customer_attribution",
    "last_rows",
    "TRANSACTION_REASONS",
    "CUSTOMER_REASONS",
    "ACTIVITY_REASONS",
]

MALFORMED = "malformed line"
TOTALS = "totals line"
MISSING_ID = "missing customer id"
BAD_DATE = "unparseable date"
BAD_AMOUNT = "unparseable amount"
DUPLICATE = "duplicate"
UNKNOWN_TYPE = "unknown activity type"
EXCLUDED = "excluded by config"
AFTER_AS_OF = "after as_of"

TRANSACTION_REASONS: tuple[str, ...] = (MALFORMED, TOTALS, MISSING_ID, BAD_DATE, BAD_AMOUNT, DUPLICATE, EXCLUDED,
                                        AFTER_AS_OF)
CUSTOMER_REASONS: tuple[str, ...] = (MALFORMED, TOTALS, MISSING_ID, DUPLICATE, EXCLUDED)
ACTIVITY_REASONS: tuple[str, ...] = (MALFORMED, TOTALS, BAD_DATE, UNKNOWN_TYPE, EXCLUDED, AFTER_AS_OF)

W_DUPLICATES = "exact duplicate lines"
W_ZERO = "zero amounts"
W_CREDIT = "credit notes"
W_FAR = "dates far from the rest"
W_INVOICE = "invoices whose lines disagree on customer"
W_MARGIN = "unparseable margin"
W_CREATED = "unparseable created_at"
W_NO_TRANSACTIONS = "customers without transactions"
W_NOT_IN_MASTER = "transaction customers missing from master"

#: the far-date rule (see the module docstring)
FAR_BEFORE = np.datetime64("1990-01-01", "ns")
FAR_DAYS = 3652
_EXAMPLES = 5
_HINTS = {
    TOTALS: "",
    MALFORMED: "check {key}.delimiter",
    MISSING_ID: "check {key}.columns.customer_id",
    BAD_DATE: "check {key}.columns.date and {key}.date_format",
    BAD_AMOUNT: "check {key}.columns.amount and {key}.decimal",
    DUPLICATE: "check {key}.drop_duplicates",
    UNKNOWN_TYPE: "check activity.types",
    EXCLUDED: "check exclude",
    AFTER_AS_OF: "check as_of",
}


# --------------------------------------------------------------------------------------
# the ledger
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ledger:
    """Data-quality ledger of one input file (registre de qualité des données).

    Every row read is either used or excluded for one reason; ``rows_read ==
    rows_used + sum(rows_excluded.values())`` and ``amount_read == amount_used +
    sum(amounts_excluded.values())`` (sums in cents, so exactly).

    Attributes
    ----------
    key, path : the config key (``transactions``…) and the file name.
    rows_read, rows_used : int
    rows_excluded : dict of reason to rows
    amount_read, amount_used : float
    amounts_excluded : dict of reason to amount (0 for rows without a readable amount)
    warnings : dict of warning to ``{"rows": int, "amount": float}`` (rows kept)
    examples : dict of reason or warning to up to five source row numbers
    details : what :mod:`icpc.io` detected (encoding, delimiter, header line…)
    """

    key: str
    path: str
    rows_read: int
    rows_used: int
    rows_excluded: dict[str, int]
    amount_read: float
    amount_used: float
    amounts_excluded: dict[str, float]
    warnings: dict[str, dict[str, Any]] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_buckets(
        cls,
        *,
        key: str,
        path: str,
        reasons: Sequence[str],
        bucket: np.ndarray,
        amounts: np.ndarray | None,
        source_row: np.ndarray,
        extra_rows: Mapping[str, int] | None = None,
        warnings: Mapping[str, dict[str, Any]] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Ledger:
        """Build a ledger from one bucket code per row (0 = used, i = ``reasons[i-1]``).

        Parameters
        ----------
        key : str
            Config key of the file.
        path : str
            File name shown in messages.
        reasons : sequence of str
            Exclusion reasons, in bucket-code order starting at 1.
        bucket : numpy.ndarray of int
            One code per row read.
        amounts : numpy.ndarray of float or None
            Amount of each row (NaN counts 0); None for files without amounts.
        source_row : numpy.ndarray of int
            Row numbers, for the examples.
        extra_rows : mapping, optional
            Rows not in ``bucket`` (e.g. malformed lines) per reason; amount 0.
        warnings : mapping, optional
            Warning -> ``{"rows", "amount", ...}``.
        details : mapping, optional
            Detection details from :mod:`icpc.io`.

        Returns
        -------
        Ledger
        """
        k = len(reasons) + 1
        counts = np.bincount(bucket, minlength=k)
        cents: np.ndarray
        if amounts is None:
            cents = np.zeros(k)
        else:
            row_cents = np.round(np.nan_to_num(amounts, nan=0.0) * 100.0)
            cents = np.bincount(bucket, weights=row_cents, minlength=k)
        extra = dict(extra_rows or {})
        rows_excluded = {r: int(counts[i + 1]) + int(extra.get(r, 0)) for i, r in enumerate(reasons)}
        amounts_excluded = {r: float(cents[i + 1]) / 100.0 for i, r in enumerate(reasons)}
        examples = {}
        for i, r in enumerate(reasons):
            if counts[i + 1]:
                examples[r] = [int(x) for x in source_row[np.flatnonzero(bucket == i + 1)[:_EXAMPLES]]]
        return cls(
            key=key,
            path=path,
            rows_read=int(counts.sum()) + sum(int(v) for v in extra.values()),
            rows_used=int(counts[0]),
            rows_excluded=rows_excluded,
            amount_read=float(cents.sum()) / 100.0,
            amount_used=float(cents[0]) / 100.0,
            amounts_excluded=amounts_excluded,
            warnings={w: dict(v) for w, v in (warnings or {}).items()},
            examples=examples,
            details=dict(details or {}),
        )

    def with_warnings(self, warnings: Mapping[str, dict[str, Any]]) -> Ledger:
        """Return a copy with more warnings (same counts)."""
        from dataclasses import replace

        return replace(self, warnings={**self.warnings, **{w: dict(v) for w, v in warnings.items()}})

    @property
    def balanced(self) -> bool:
        """Whether rows and amounts add up (always true for a ledger built from buckets)."""
        rows_ok = self.rows_read == self.rows_used + sum(self.rows_excluded.values())
        total = self.amount_used + sum(self.amounts_excluded.values())
        return rows_ok and round(self.amount_read - total, 2) == 0

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready block of ``kpis.json`` ``data_quality.files[key]``."""
        return {
            "path": self.path,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_excluded": dict(self.rows_excluded),
            "amount_read": round(self.amount_read, 2),
            "amount_used": round(self.amount_used, 2),
            "amounts_excluded": {k: round(v, 2) for k, v in self.amounts_excluded.items()},
            "warnings": {k: dict(v) for k, v in self.warnings.items()},
            "examples": {k: list(v) for k, v in self.examples.items()},
            "details": dict(self.details),
        }


# --------------------------------------------------------------------------------------
# the dataset
# --------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
class _Buckets:
    """One bucket code per row: 0 = used, ``i`` = ``reasons[i - 1]``; the first reason wins.

    The mechanism behind "every row in exactly one bucket": a row already excluded keeps
    its reason when a later rule also matches it. ``codes`` feeds :meth:`Ledger.from_buckets`.
    """

    def __init__(self, reasons: Sequence[str], n: int) -> None:
        self._code = {r: i + 1 for i, r in enumerate(reasons)}
        self.codes = np.zeros(n, np.int8)

    def assign(self, mask: np.ndarray, reason: str) -> None:
        """Put the rows of ``mask`` that are still unassigned in ``reason``."""
        self.codes[(self.codes == 0) & mask] = self._code[reason]


def _encode(col: pa.ChunkedArray | None, n: int) -> tuple[np.ndarray, pa.Array]:
    """Stripped text -> (int32 codes with -1 for null or blank, dictionary of distinct values).

    The raw column is dictionary-encoded first and only its distinct values are
    stripped, so the cost of stripping does not grow with the number of rows.
    """
    if col is None:
        return np.full(n, -1, np.int32), pa.array([], pa.string())
    if isinstance(col, pa.Array):
        col = pa.chunked_array([col])
    if pa.types.is_dictionary(col.type):  # already encoded (Parquet): no hashing of rows
        col = col.unify_dictionaries()
        dictionary = col.chunks[0].dictionary if col.num_chunks else pa.array([], pa.string())
        codes = _indices(col)
    else:
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            col = parse_text(col)
        enc = pc.dictionary_encode(col.combine_chunks())
        codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int32)
        dictionary = enc.dictionary
    if not pa.types.is_string(dictionary.type):
        dictionary = parse_text(dictionary).combine_chunks() if not pa.types.is_large_string(
            dictionary.type) else dictionary.cast(pa.string())
    stripped = parse_text(dictionary).combine_chunks()
    if stripped.null_count == 0 and pc.all(pc.equal(stripped, dictionary)).as_py():
        return codes, dictionary  # nothing to strip: codes stand
    again = pc.dictionary_encode(stripped)
    remap = np.asarray(pc.fill_null(again.indices, -1).to_numpy(zero_copy_only=False), np.int32)
    if len(remap) and not (np.array_equal(remap, np.arange(len(remap))) and len(again.dictionary) == len(remap)):
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int32)
    return codes, again.dictionary


def _indices(col: pa.ChunkedArray) -> np.ndarray:
    """Int32 indices of a dictionary column, -1 for null (written in place, one pass per chunk)."""
    codes = np.empty(len(col), np.int32)
    start = 0
    for chunk in col.chunks:
        idx = chunk.indices
        stop = start + len(idx)
        if idx.null_count:
            codes[start:stop] = np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), np.int32)
        else:
            codes[start:stop] = idx.to_numpy(zero_copy_only=False)
        start = stop
    return codes


def _is_in(values: pd.Index, wanted: pd.Index) -> np.ndarray:
    """Which of ``values`` (text) occur in ``wanted`` (text), as a bool array."""
    arr = pa.array(values.to_numpy(dtype=object), pa.string())
    hit = pc.is_in(arr, value_set=pa.array(wanted.to_numpy(dtype=object), pa.string()))
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), bool)


def _categorical(codes: np.ndarray, dictionary: pa.Array) -> pd.Categorical:
    """A pandas Categorical with only the values used (``str`` categories)."""
    seen = np.zeros(len(dictionary) + 1, bool)
    seen[codes] = True  # code -1 (null) lands in the extra last slot
    present = seen[:-1]
    if not present.all():
        new = np.cumsum(present) - 1
        codes = np.where(codes >= 0, new[np.maximum(codes, 0)], -1)
        dictionary = dictionary.filter(pa.array(present))
    categories = pd.Index(dictionary.to_pandas(), dtype="str")
    # the values of an arrow dictionary are distinct: skip pandas' uniqueness check, which
    # hashes every category again (seconds for millions of invoice numbers)
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    dtype = fast(categories, False) if fast is not None else pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes.astype(np.int32, copy=False), dtype=dtype, validate=False)


def _rows(codes: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """Rows whose code points at a dictionary entry flagged in ``hit`` (null codes: no)."""
    if not len(hit):
        return np.zeros(len(codes), bool)
    return (codes >= 0) & hit[np.maximum(codes, 0)]


def _folded_match(dictionary: pa.Array, values: Iterable[str]) -> np.ndarray:
    """Which dictionary entries equal one of ``values`` (case, accents, spaces folded)."""
    wanted = {normalize_header(v) for v in values}
    return np.array([normalize_header(v) in wanted for v in dictionary.to_pylist()], dtype=bool)


def _exact_match(dictionary: pa.Array, values: Iterable[str]) -> np.ndarray:
    wanted = pa.array(sorted({str(v).strip() for v in values}), pa.string())
    return np.asarray(pc.is_in(dictionary, value_set=wanted).to_numpy(zero_copy_only=False), bool)


def _warn(mask: np.ndarray, amounts: np.ndarray | None, source_row: np.ndarray, **extra: Any) -> dict[str, Any]:
    rows = int(mask.sum())
    amount = 0.0
    if amounts is not None and rows:
        amount = float(np.round(np.nan_to_num(amounts[mask]) * 100.0).sum()) / 100.0
    out: dict[str, Any] = {"rows": rows, "amount": amount}
    out.update(extra)
    if rows:
        out["examples"] = [int(x) for x in source_row[np.flatnonzero(mask)[:_EXAMPLES]]]
    return out


def _duplicated(columns: Sequence[np.ndarray], candidates: np.ndarray, *, key_columns: int = 3) -> np.ndarray:
    """Rows equal, on every column, to an earlier candidate row.

    A cheap 64-bit mix of the first ``key_columns`` columns (customer, date, amount)
    finds the rows that *may* repeat (one sort); only those are compared exactly on
    every column, so a collision costs time, never a false duplicate.
    """
    n = len(candidates)
    out = np.zeros(n, bool)
    m = int(candidates.sum())
    if m < 2:
        return out
    # the hash of every row, mixed in place in two 8-byte buffers (fresh memory costs more
    # than arithmetic on this data size), then the candidates' top 32 bits only
    h = np.zeros(n, np.uint64)
    tmp = np.empty(n, np.uint64)
    with np.errstate(over="ignore", invalid="ignore"):
        for col in columns[:key_columns]:
            if col.dtype.kind == "f":
                values = tmp.view(np.float64)
                np.add(col, 0.0, out=values)  # no -0.0
                nan = np.isnan(values)
                if nan.any():
                    values[nan] = np.inf  # one NaN
            elif col.dtype.itemsize == 8:
                tmp[...] = col.view(np.uint64)
            else:
                tmp[...] = col.view(f"u{col.dtype.itemsize}")
            h ^= tmp
            h *= np.uint64(0x9E3779B97F4A7C15)
            np.right_shift(h, np.uint64(29), out=tmp)
            h ^= tmp
        np.right_shift(h, np.uint64(32), out=tmp)
    del h
    h32 = tmp.astype(np.uint32) if m == n else tmp[candidates].astype(np.uint32)  # half the bytes to sort
    del tmp
    idx = None if m == n else np.flatnonzero(candidates)
    hs = np.sort(h32)
    same = hs[1:] == hs[:-1]
    if not same.any():
        return out
    repeated = np.unique(hs[1:][same])
    del hs, same
    # rows carrying a repeated hash: a 16-MB table on the top 24 bits, then exact on the few hits
    table = np.zeros(1 << 24, bool)
    table[repeated >> np.uint32(8)] = True
    maybe = table[h32 >> np.uint32(8)]
    hits = np.flatnonzero(maybe)
    maybe[hits] = np.isin(h32[hits], repeated)
    sub = np.flatnonzero(maybe) if idx is None else idx[maybe]
    frame = pd.DataFrame({f"c{i}": col[sub] for i, col in enumerate(columns)})
    dup = frame.duplicated(keep="first").to_numpy()
    out[sub[dup]] = True
    return out


def _unusable_error(ledger: Ledger, key: str, config_name: str) -> InputError:
    parts = [f"{n} {r}" for r, n in sorted(ledger.rows_excluded.items(), key=lambda kv: -kv[1]) if n]
    top = max(ledger.rows_excluded, key=lambda r: ledger.rows_excluded[r])
    hint = _HINTS.get(top, "").format(key=key)
    examples = ledger.examples.get(top)
    where = f" (rows {', '.join(map(str, examples))})" if examples else ""
    fix = f"; {hint} in {config_name}" if hint else ""
    return InputError(f"{ledger.path}: no usable rows (of {ledger.rows_read} read: {', '.join(parts)}){where}{fix}")


def _config_name(config: Config) -> str:
    return config.source.name if config.source is not None else "client.yaml"


# --------------------------------------------------------------------------------------
# transactions
# --------------------------------------------------------------------------------------
def clean_transactions(
    raw: RawTable,
    *,
    as_of: dt.date | None = None,
    exclude: Exclusions | None = None,
    excluded_customers: Iterable[str] = (),
    drop_duplicates: bool = False,
    config_name: str = "client.yaml",
    release_raw: bool = False,
) -> tuple[pd.DataFrame, Ledger, dt.date]:
    """Clean invoice lines (lignes de factures) into the canonical transactions frame.

    Parameters
    ----------
    raw : RawTable
        The transactions file as read by :func:`icpc.io.read_table`.
    as_of : datetime.date, optional
        Analysis date; None = the last date in the data (far dates left out).
    exclude : Exclusions, optional
        ``exclude`` of the config (ids, and ``where`` on the mapped columns of ``raw``).
    excluded_customers : iterable of str
        More customer ids to exclude (from ``exclude.where`` on customer-master columns).
    drop_duplicates : bool
        Exclude exact duplicate lines (reason ``duplicate``) instead of warning.
    config_name : str
        For messages.
    release_raw : bool
        Empty ``raw.columns`` once every column is parsed, so that their memory (about
        700 MB for 8 million Parquet lines) serves the rest of the cleaning; for a caller
        that no longer needs ``raw`` (:func:`load_dataset`).

    Returns
    -------
    transactions : pandas.DataFrame
        ``customer_id`` (category), ``date`` (datetime64[ns]), ``amount`` (float64),
        optional ``invoice_id``, ``margin``, ``salesperson``, ``region``,
        ``document_type``, then ``source_row`` (int64); RangeIndex.
    ledger : Ledger
    as_of : datetime.date

    Raises
    ------
    InputError
        When no row is usable (the message gives the count per reason).
    """
    # one worker thread overlaps the two costliest steps with the rest (both release the
    # GIL in Arrow hashing and numpy): the invoice dictionary (millions of distinct values)
    # while the other columns are parsed, and the duplicate screen while the ledger and the
    # frame are built. The pool is joined on leaving the block; .result() re-raises.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-clean") as worker:
        return _clean_transactions(raw, worker, as_of=as_of, exclude=exclude or Exclusions(),
                                   excluded_customers=excluded_customers, drop_duplicates=drop_duplicates,
                                   config_name=config_name, release_raw=release_raw)


def _clean_transactions(
    raw: RawTable,
    worker: ThreadPoolExecutor,
    *,
    as_of: dt.date | None,
    exclude: Exclusions,
    excluded_customers: Iterable[str],
    drop_duplicates: bool,
    config_name: str,
    release_raw: bool,
) -> tuple[pd.DataFrame, Ledger, dt.date]:
    """Body of :func:`clean_transactions`; ``worker`` runs the invoice encoding and the duplicate screen."""
    n = raw.n_rows
    reasons = TRANSACTION_REASONS
    buckets = _Buckets(reasons, n)
    bucket, assign = buckets.codes, buckets.assign

    text_names = [name for name in (C.INVOICE_ID, C.SALESPERSON, C.REGION, C.DOCUMENT_TYPE) if name in raw.columns]
    invoice_job = worker.submit(_encode, raw.columns[C.INVOICE_ID], n) if C.INVOICE_ID in text_names else None
    cust_codes, cust_dict = _encode(raw.columns[C.CUSTOMER_ID], n)
    totals = totals_mask(raw, skip_customer=True)  # the customer column: on its distinct values
    label = totals_labels(cust_dict)
    if label.any():
        totals |= (cust_codes >= 0) & label[np.maximum(cust_codes, 0)]
    assign(totals, TOTALS)
    assign(cust_codes < 0, MISSING_ID)
    dates, _bad_dates = parse_dates(raw.columns[C.DATE], formats=raw.date_formats)
    readable = ~np.isnat(dates)
    median_job = worker.submit(_median_date, dates, readable)
    assign(~readable, BAD_DATE)
    amounts, _bad_amounts = parse_amounts(raw.columns[C.AMOUNT], decimal=raw.decimal, thousands=raw.thousands)
    assign(np.isnan(amounts), BAD_AMOUNT)

    margin = bad_margin = None
    if C.MARGIN in raw.columns:
        margin, bad_margin = parse_amounts(raw.columns[C.MARGIN], decimal=raw.decimal, thousands=raw.thousands)
    encoded: dict[str, tuple[np.ndarray, pa.Array]] = {
        name: _encode(raw.columns[name], n) for name in text_names if name != C.INVOICE_ID
    }
    if invoice_job is not None:
        encoded[C.INVOICE_ID] = invoice_job.result()
    text_cols: dict[str, tuple[np.ndarray, pa.Array]] = {name: encoded[name] for name in text_names}

    # exclusions from the config (the mask now, assigned after the duplicate screen)
    ids = set(exclude.customers) | set(excluded_customers)
    excluded = np.zeros(n, bool)
    if ids:
        hit = _exact_match(cust_dict, ids)
        excluded |= _rows(cust_codes, hit)
    for col, values in exclude.where.items():
        if col == C.CUSTOMER_ID:
            hit = _exact_match(cust_dict, values) | _folded_match(cust_dict, values)
            excluded |= _rows(cust_codes, hit)
        elif col in raw.columns:
            codes, dictionary = text_cols.get(col) or _encode(raw.columns[col], n)
            if len(dictionary):
                hit = _folded_match(dictionary, values)
                excluded |= _rows(codes, hit)
    if release_raw:  # every raw column is parsed: its memory serves the rest of the work
        raw.columns.clear()

    # exact duplicate lines, on every mapped column, among the readable rows; when they are
    # only a warning, the screen runs in the worker while the rest proceeds (its inputs are
    # not written to again)
    dup_cols = [cust_codes, dates, amounts] + [c for c, _ in text_cols.values()]
    if margin is not None:
        dup_cols.append(margin)
    if drop_duplicates:
        assign(_duplicated(dup_cols, bucket == 0), DUPLICATE)
        dup_job = None
    else:
        dup_job = worker.submit(_duplicated, dup_cols, bucket == 0)
    assign(excluded, EXCLUDED)

    # far dates, then as_of and rows after it
    far = np.zeros(n, bool)
    median = median_job.result()
    if median is not None:
        span = np.timedelta64(FAR_DAYS, "D")
        far = readable & ((dates < FAR_BEFORE) | (dates < median - span) | (dates > median + span))
    if as_of is None:
        pool = (bucket == 0) & ~far
        if not pool.any():
            pool = bucket == 0
        if pool.any():
            as_of = pd.Timestamp(dates[pool].max()).date()
    if as_of is not None:
        assign(dates > np.datetime64(as_of, "ns"), AFTER_AS_OF)
    used = bucket == 0
    rows_used = int(used.sum())

    # boolean selection (a sequential copy) rather than an index gather; none when every row is used
    idx: np.ndarray | slice = slice(None) if rows_used == n else used
    frame: dict[str, Any] = {
        C.CUSTOMER_ID: _categorical(cust_codes[idx], cust_dict),
        C.DATE: dates[idx],
        C.AMOUNT: amounts[idx],
    }
    for name in (C.INVOICE_ID, C.MARGIN, C.SALESPERSON, C.REGION, C.DOCUMENT_TYPE):
        if name == C.MARGIN and margin is not None:
            frame[C.MARGIN] = margin[idx]
        elif name in text_cols:
            codes, dictionary = text_cols[name]
            frame[name] = _categorical(codes[idx], dictionary)
    frame[C.SOURCE_ROW] = raw.source_row[idx].astype(np.int64)

    ledger_amounts = np.where(totals, 0.0, amounts)
    warnings: dict[str, dict[str, Any]] = {}
    if dup_job is not None:
        warnings[W_DUPLICATES] = _warn(used & dup_job.result(), amounts, raw.source_row)
    rounded = np.round(np.nan_to_num(amounts), 2)
    warnings[W_ZERO] = _warn(used & (rounded == 0), amounts, raw.source_row)
    warnings[W_CREDIT] = _warn(used & (rounded < 0), amounts, raw.source_row)
    warnings[W_FAR] = _warn(used & far, amounts, raw.source_row)
    if C.INVOICE_ID in text_cols:
        inv_codes, inv_dict = text_cols[C.INVOICE_ID]
        mixed = _mixed_invoices(inv_codes, cust_codes, used, len(inv_dict), len(cust_dict))
        warnings[W_INVOICE] = _warn(mixed, amounts, raw.source_row)
    if bad_margin is not None:
        warnings[W_MARGIN] = _warn(used & bad_margin, amounts, raw.source_row)
    stated = float(np.round(np.nansum(amounts[totals]), 2)) if totals.any() else 0.0
    ledger = Ledger.from_buckets(
        key=raw.key,
        path=raw.path.name,
        reasons=reasons,
        bucket=bucket,
        amounts=ledger_amounts,
        source_row=raw.source_row,
        extra_rows={MALFORMED: raw.malformed - raw.malformed_totals, TOTALS: raw.malformed_totals},
        warnings=warnings,
        details={**raw.details, "totals_stated": stated},
    )
    if ledger.rows_used == 0:
        raise _unusable_error(ledger, raw.key, config_name)
    assert as_of is not None
    return pd.DataFrame(frame, copy=False), ledger, as_of


def _median_date(dates: np.ndarray, readable: np.ndarray) -> np.datetime64 | None:
    """Median of the readable ``dates`` (whole nanoseconds), None when none is readable."""
    if not readable.any():
        return None
    return np.datetime64(int(np.median(dates[readable].view(np.int64))), "ns")


def _mixed_invoices(inv: np.ndarray, cust: np.ndarray, used: np.ndarray, n_inv: int, n_cust: int) -> np.ndarray:
    """Rows of invoices whose used lines carry more than one customer id (O(n), no sort)."""
    rows = used & (inv >= 0)
    if not rows.any():
        return np.zeros(len(inv), bool)
    inv_r, cust_r = inv[rows], cust[rows]
    first = np.full(max(n_inv, 1), -1, np.int64)
    first[inv_r[::-1]] = cust_r[::-1]  # the last write wins: the first line's customer
    differs = cust_r != first[inv_r]
    bad_invoice = np.zeros(max(n_inv, 1), bool)
    bad_invoice[inv_r[differs]] = True
    return rows & bad_invoice[np.maximum(inv, 0)]


def customer_attribution(transactions: pd.DataFrame) -> pd.DataFrame:
    """Salesperson and region of each customer (attribution commerciale).

    A customer's salesperson and region are those of its **most recent row** (latest
    date; ties: highest ``source_row``), so a reorganisation does not split a customer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``customer_id``, ``date``, ``source_row`` and
        ``salesperson`` and/or ``region``).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (str, the customers present); columns ``salesperson``,
        ``region`` (those present in ``transactions``).
    """
    cols = [c for c in (C.SALESPERSON, C.REGION) if c in transactions.columns]
    cust = transactions[C.CUSTOMER_ID]
    if len(transactions) == 0:
        return pd.DataFrame(columns=cols, index=pd.Index([], name=C.CUSTOMER_ID, dtype="str"))
    if isinstance(cust.dtype, pd.CategoricalDtype):
        codes, ids = cust.cat.codes.to_numpy().astype(np.int64), cust.cat.categories
    else:
        codes, ids = pd.factorize(cust)
        codes = codes.astype(np.int64)
    day = np.asarray(transactions[C.DATE], dtype="datetime64[ns]").view(np.int64) // 86_400_000_000_000
    last = last_rows(transactions, codes, day, len(ids))
    present = last >= 0
    out = transactions.iloc[last[present]][cols].reset_index(drop=True)
    out.index = pd.Index(np.asarray(ids, dtype=object)[present], name=C.CUSTOMER_ID, dtype="str")
    return out


def last_rows(transactions: pd.DataFrame, codes: np.ndarray, day: np.ndarray, n: int) -> np.ndarray:
    """Position of each customer's most recent row (-1 when it has none), vectorised.

    The attribution rule (DESIGN.md): latest date first; among rows of that date, the
    highest ``source_row`` (else the latest position).

    Parameters
    ----------
    transactions : pandas.DataFrame
        Canonical transactions (``source_row`` used when present).
    codes : numpy.ndarray of int64
        Customer code (0..n-1) of each row.
    day : numpy.ndarray of int64
        Day number of each row.
    n : int
        Number of customer codes.

    Returns
    -------
    numpy.ndarray of int64
        Row position per customer code.
    """
    latest = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, codes, day)
    rows = np.flatnonzero(day == latest[codes])
    if C.SOURCE_ROW in transactions.columns:
        tie = np.asarray(transactions[C.SOURCE_ROW], dtype=np.int64)[rows]
    else:
        tie = rows
    cand = codes[rows]
    best = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(best, cand, tie)
    keep = tie == best[cand]  # one row per customer unless source_row repeats
    last = np.full(n, -1, dtype=np.int64)
    last[cand[keep]] = rows[keep]
    return last


# --------------------------------------------------------------------------------------
# customer master
# --------------------------------------------------------------------------------------
def clean_customers(
    raw: RawTable,
    *,
    exclude: Exclusions | None = None,
) -> tuple[pd.DataFrame, np.ndarray, list[str], dict[str, Any]]:
    """Clean the customer master (fichier clients): one row per ``customer_id``.

    Parameters
    ----------
    raw : RawTable
        The customer file as read by :func:`icpc.io.read_table`.
    exclude : Exclusions, optional
        ``exclude.customers`` and ``exclude.where`` on the master's mapped columns.

    Returns
    -------
    customers : pandas.DataFrame
        ``customer_id`` (str), then the mapped ones of ``name``, ``address``,
        ``postcode`` (str), ``city``, ``created_at`` (datetime64[ns]), ``siret`` (digits
        only), ``salesperson``, ``region`` (category).
    bucket : numpy.ndarray
        Bucket code per row (see :data:`CUSTOMER_REASONS`), for the ledger.
    excluded_ids : list of str
        Customers excluded by a ``where`` rule on a master column (or listed ids).
    warnings : dict
        ``unparseable created_at`` when ``created_at`` is mapped.
    """
    exclude = exclude or Exclusions()
    n = raw.n_rows
    buckets = _Buckets(CUSTOMER_REASONS, n)
    bucket, assign = buckets.codes, buckets.assign

    assign(totals_mask(raw), TOTALS)
    ids = parse_text(raw.columns[C.CUSTOMER_ID])
    id_codes, id_dict = _encode(raw.columns[C.CUSTOMER_ID], n)
    assign(id_codes < 0, MISSING_ID)
    seen = pd.Series(id_codes).duplicated(keep="first").to_numpy() & (id_codes >= 0)
    assign(seen, DUPLICATE)
    excluded_ids: set[str] = set()
    mask = np.zeros(n, bool)
    if exclude.customers:
        hit = _exact_match(id_dict, exclude.customers)
        mask |= _rows(id_codes, hit)
    for col, values in exclude.where.items():
        if col in raw.columns and col != C.CUSTOMER_ID:
            codes, dictionary = _encode(raw.columns[col], n)
            if len(dictionary):
                hit = _folded_match(dictionary, values)
                rule = _rows(codes, hit) & (id_codes >= 0)
                excluded_ids |= set(pc.take(id_dict, pa.array(id_codes[rule])).to_pylist())
                mask |= rule
    assign(mask, EXCLUDED)
    used = np.flatnonzero(bucket == 0)
    frame: dict[str, Any] = {C.CUSTOMER_ID: ids.take(pa.array(used)).to_pandas().astype("str").to_numpy()}
    warnings: dict[str, Any] = {}
    for name in C.CUSTOMER_OPTIONAL:
        if name not in raw.columns:
            continue
        if name == C.CREATED_AT:
            created, bad = parse_dates(raw.columns[name], formats=raw.date_formats)
            frame[name] = created[used]
            warnings[W_CREATED] = _warn(bad[used], None, raw.source_row[used])
        elif name in (C.SALESPERSON, C.REGION):
            codes, dictionary = _encode(raw.columns[name], n)
            frame[name] = _categorical(codes[used], dictionary)
        else:
            text = parse_text(raw.columns[name]).take(pa.array(used))
            if name == C.SIRET:
                text = pc.replace_substring_regex(text, r"\D", "")
            elif name == C.POSTCODE:
                text = pc.if_else(pc.fill_null(pc.match_substring_regex(text, r"^\d{4}$"), False),
                                  pc.utf8_lpad(text, 5, "0"), text)
            frame[name] = text.to_pandas().astype("str")
    return pd.DataFrame(frame), bucket, sorted(excluded_ids), warnings


# --------------------------------------------------------------------------------------
# activity log
# --------------------------------------------------------------------------------------
def clean_activity(
    raw: RawTable,
    *,
    types: Mapping[str, Sequence[str]],
    as_of: dt.date,
    excluded_customers: Iterable[str] = (),
) -> tuple[pd.DataFrame, Ledger]:
    """Clean the CRM / telephony activity log (journal d'activité).

    Parameters
    ----------
    raw : RawTable
        The activity file as read by :func:`icpc.io.read_table`.
    types : mapping of kind to values
        ``activity.types``: which values of the type column mean ``contact_received``,
        ``call``, ``call_completed`` (matched ignoring case, accents and spaces).
    as_of : datetime.date
        Rows dated after it are excluded.
    excluded_customers : iterable of str
        Customer ids excluded by the config (when ``customer_id`` is mapped).

    Returns
    -------
    activity : pandas.DataFrame
        ``date`` (datetime64[ns]), ``salesperson`` (category), ``kind`` (str)
        [, ``customer_id`` (category)], then ``source_row``.
    ledger : Ledger
    """
    n = raw.n_rows
    buckets = _Buckets(ACTIVITY_REASONS, n)
    bucket, assign = buckets.codes, buckets.assign

    assign(totals_mask(raw), TOTALS)
    dates, _ = parse_dates(raw.columns[C.DATE], formats=raw.date_formats)
    assign(np.isnat(dates), BAD_DATE)
    type_codes, type_dict = _encode(raw.columns[C.ACTIVITY_TYPE], n)
    lookup = {normalize_header(v): kind for kind, values in types.items() for v in values}
    kinds_of_dict = np.array([lookup.get(normalize_header(v), "") for v in type_dict.to_pylist()] + [""], dtype=object)
    kind = kinds_of_dict[np.where(type_codes >= 0, type_codes, len(kinds_of_dict) - 1)]
    assign(kind == "", UNKNOWN_TYPE)
    cust = None
    if C.CUSTOMER_ID in raw.columns:
        cust = _encode(raw.columns[C.CUSTOMER_ID], n)
        ids = set(excluded_customers)
        if ids:
            hit = _exact_match(cust[1], ids)
            assign(_rows(cust[0], hit), EXCLUDED)
    assign(dates > np.datetime64(as_of, "ns"), AFTER_AS_OF)
    ledger = Ledger.from_buckets(
        key=raw.key, path=raw.path.name, reasons=ACTIVITY_REASONS, bucket=bucket, amounts=None,
        source_row=raw.source_row,
        extra_rows={MALFORMED: raw.malformed - raw.malformed_totals, TOTALS: raw.malformed_totals},
        details=raw.details,
    )
    idx = np.flatnonzero(bucket == 0)
    sp_codes, sp_dict = _encode(raw.columns[C.SALESPERSON], n)
    frame: dict[str, Any] = {
        C.DATE: dates[idx],
        C.SALESPERSON: _categorical(sp_codes[idx], sp_dict),
        "kind": pd.array(kind[idx].astype(str), dtype="str"),
    }
    if cust is not None:
        frame[C.CUSTOMER_ID] = _categorical(cust[0][idx], cust[1])
    frame[C.SOURCE_ROW] = raw.source_row[idx].astype(np.int64)
    return pd.DataFrame(frame), ledger


# --------------------------------------------------------------------------------------
# the whole client
# --------------------------------------------------------------------------------------
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


def _read_customers(config: Config, name: str) -> tuple[RawTable, pd.DataFrame, np.ndarray, list[str], dict[str, Any]]:
    """Read and clean the customer master of ``config`` (which has one)."""
    assert config.customers is not None
    raw = read_table(config.customers, config_name=name)
    return (raw, *clean_customers(raw, exclude=config.exclude))


def _load_dataset(config: Config, worker: ThreadPoolExecutor) -> Dataset:
    """Body of :func:`load_dataset`; ``worker`` reads the customer master and activity log."""
    name = _config_name(config)
    ledgers: dict[str, Ledger] = {}
    customers = None
    excluded_ids: list[str] = []
    cust_bucket = cust_raw = None
    cust_warnings: dict[str, Any] = {}
    cust_job = worker.submit(_read_customers, config, name) if config.customers is not None else None
    act_job = worker.submit(read_table, config.activity, config_name=name) if config.activity is not None else None
    tx_spec: FileSpec = config.transactions
    try:
        tx_raw = read_table(tx_spec, config_name=name)
    except BaseException:
        if cust_job is not None:
            cust_job.result()  # read first when sequential: its error, if any, comes first
        raise
    if cust_job is not None:
        cust_raw, customers, cust_bucket, excluded_ids, cust_warnings = cust_job.result()
    where_tx = {k: v for k, v in config.exclude.where.items() if k in tx_raw.columns}
    transactions, ledger, as_of = clean_transactions(
        tx_raw,
        as_of=config.as_of,
        exclude=Exclusions(customers=config.exclude.customers, where=where_tx),
        excluded_customers=excluded_ids,
        drop_duplicates=tx_spec.drop_duplicates,
        config_name=name,
        release_raw=True,
    )
    del tx_raw  # the raw columns (~700 MB for 8M lines) go back to the heap for the analyses
    ledgers["transactions"] = ledger

    if cust_raw is not None and customers is not None and cust_bucket is not None:
        master_ids = pd.Index(customers[C.CUSTOMER_ID])
        tx_ids = transactions[C.CUSTOMER_ID]
        tx_customers = pd.Index(tx_ids.cat.categories)
        # on the distinct ids, not the rows; Arrow's hash set (pandas' isin on str is ~40x slower)
        known = _is_in(tx_customers, master_ids)[tx_ids.cat.codes.to_numpy()]
        without = ~_is_in(master_ids, tx_customers)
        missing_rows = ~known
        cust_warnings[W_NO_TRANSACTIONS] = {"rows": int(without.sum()), "amount": 0.0,
                                            "customers": int(without.sum())}
        cust_warnings[W_NOT_IN_MASTER] = {
            "rows": int(missing_rows.sum()),
            "amount": float(np.round(transactions[C.AMOUNT].to_numpy()[missing_rows] * 100).sum()) / 100.0,
            "customers": int(tx_ids[missing_rows].nunique()),
        }
        ledgers["customers"] = Ledger.from_buckets(
            key=cust_raw.key, path=cust_raw.path.name, reasons=CUSTOMER_REASONS, bucket=cust_bucket, amounts=None,
            source_row=cust_raw.source_row,
            extra_rows={MALFORMED: cust_raw.malformed - cust_raw.malformed_totals, TOTALS: cust_raw.malformed_totals},
            warnings=cust_warnings, details=cust_raw.details,
        )
        if ledgers["customers"].rows_used == 0:
            raise _unusable_error(ledgers["customers"], "customers", name)

    activity = None
    if config.activity is not None:
        spec: ActivitySpec = config.activity
        assert act_job is not None
        act_raw = act_job.result()
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
