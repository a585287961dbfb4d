"""Clean invoice lines (lignes de factures) into the canonical transactions frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from icpc import columns as C
from icpc.cleaning.documents import (
    CREDIT,
    KIND_CODES,
    NOT_INVOICE,
    OTHER,
    W_CREDIT_POSITIVE,
    W_CREDIT_WRITTEN_POSITIVE,
    document_kinds,
)
from icpc.cleaning.encoding import (
    _categorical,
    _exact_match,
    _folded_match,
    _rows,
)
from icpc.cleaning.ledger import (
    AFTER_AS_OF,
    BAD_AMOUNT,
    BAD_DATE,
    DAMAGED_ID,
    DUPLICATE,
    EXCLUDED,
    FAR_BEFORE,
    FAR_DAYS,
    MALFORMED,
    MISSING_ID,
    TOTALS,
    TRANSACTION_REASONS,
    W_CREDIT,
    W_DUPLICATES,
    W_FAR,
    W_INVOICE,
    W_MARGIN,
    W_NO_MARGIN,
    W_QUANTITY,
    W_ZERO,
    Ledger,
    _unusable_error,
    _warn,
    open_buckets,
    reader_warnings,
)
from icpc.config import Exclusions
from icpc.exceptions import InputError
from icpc.io import ParsedTable, RawTable, parse_table

__all__ = ["clean_transactions"]

#: rows at a time of the passes done block by block (an 8-byte buffer of 512 kB)
_BLOCK = 1 << 16


def clean_transactions(
    raw: ParsedTable | RawTable,
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
    raw : ParsedTable or RawTable
        The transactions file parsed by :func:`icpc.io.parse_table` (a RawTable from
        :func:`icpc.io.read_table` is parsed first).
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
        For a RawTable: empty ``raw.columns`` once parsed (see :func:`icpc.io.parse_table`).

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
    parsed = raw if isinstance(raw, ParsedTable) else parse_table(raw, release=release_raw)
    # one worker thread overlaps the costliest step with the rest (it releases the GIL in
    # numpy): the duplicate screen while the ledger and the frame are built; and the median
    # date. The pool is joined on leaving the block; .result() re-raises.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-clean") as worker:
        return _clean_transactions(
            parsed,
            worker,
            as_of=as_of,
            exclude=exclude or Exclusions(),
            excluded_customers=excluded_customers,
            drop_duplicates=drop_duplicates,
            config_name=config_name,
        )


def _clean_transactions(
    parsed: ParsedTable,
    worker: ThreadPoolExecutor,
    *,
    as_of: dt.date | None,
    exclude: Exclusions,
    excluded_customers: Iterable[str],
    drop_duplicates: bool,
    config_name: str,
) -> tuple[pd.DataFrame, Ledger, dt.date]:
    """Body of :func:`clean_transactions`; ``worker`` runs the median date and the duplicate screen."""
    raw = parsed.raw
    n = parsed.n_rows
    # the mapped optional columns read as codes (margin and quantity are numbers)
    text_names = [name for name in C.TRANSACTION_OPTIONAL if name in parsed.codes]
    cust_codes, cust_dict = parsed.codes[C.CUSTOMER_ID]
    # orders, quotes, delivery notes: no sale (icpc.cleaning.documents), a reason of their own
    kinds, doc_details = None, {}
    if C.DOCUMENT_TYPE in parsed.codes:
        kinds, found = document_kinds(*parsed.codes[C.DOCUMENT_TYPE])
        doc_details = {"document_types": found}
        no_sale = kinds == KIND_CODES[OTHER]
        if no_sale.any():
            raw = replace(raw, excluded={**raw.excluded, NOT_INVOICE: no_sale})
            parsed = replace(parsed, raw=raw)
    buckets, damaged = open_buckets(parsed, TRANSACTION_REASONS)
    bucket, assign = buckets.codes, buckets.assign
    totals = parsed.totals
    assign(cust_codes < 0, MISSING_ID)
    assign(damaged, DAMAGED_ID)
    dates = parsed.dates[C.DATE][0]
    readable = ~np.isnat(dates)
    median_job = worker.submit(_median_date, dates, readable)
    assign(~readable, BAD_DATE)
    amounts = parsed.numbers[C.AMOUNT][0]
    assign(np.isnan(amounts), BAD_AMOUNT)

    margin = bad_margin = None
    if C.MARGIN in parsed.numbers:
        margin, bad_margin = parsed.numbers[C.MARGIN]
    signed = positive_credits = None
    # credit notes are negative amounts; an export may write them all positive
    if kinds is not None:
        amounts, margin, signed, positive_credits = _credit_signs(kinds, amounts, margin)
    quantity = bad_quantity = None
    if C.QUANTITY in parsed.numbers:
        quantity, bad_quantity = parsed.numbers[C.QUANTITY]
    text_cols: dict[str, tuple[np.ndarray, pa.Array]] = {
        name: parsed.codes[name] for name in text_names
    }

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
        elif col in parsed.codes:
            codes, dictionary = parsed.codes[col]
            if len(dictionary):
                hit = _folded_match(dictionary, values)
                excluded |= _rows(codes, hit)

    # exact duplicate lines, on every mapped column, among the readable rows; when they are
    # only a warning, the screen runs in the worker while the rest proceeds (its inputs are
    # not written to again)
    dup_cols = [cust_codes, dates, amounts] + [c for c, _ in text_cols.values()]
    if C.LINE_KEY in parsed.codes:
        dup_cols.append(parsed.codes[C.LINE_KEY][0])
    dup_cols += [c for c in (margin, quantity) if c is not None]
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
        # before 1990 or the median - span, after the median + span: two comparisons (NaT: neither)
        far = (dates < max(FAR_BEFORE, median - span)) | (dates > median + span)
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
    numbers = {k: v for k, v in ((C.MARGIN, margin), (C.QUANTITY, quantity)) if v is not None}
    for name in C.TRANSACTION_OPTIONAL:
        if name in numbers:
            frame[name] = numbers[name][idx]
        elif name in text_cols:
            codes, dictionary = text_cols[name]
            frame[name] = _categorical(codes[idx], dictionary)
    source_row = raw.source_row[idx].astype(np.int64, copy=False)
    frame[C.SOURCE_ROW] = source_row if isinstance(idx, np.ndarray) else source_row.copy()

    ledger_amounts = np.where(totals, 0.0, amounts) if totals.any() else amounts
    warnings: dict[str, dict[str, Any]] = {}
    if dup_job is not None:
        warnings[W_DUPLICATES] = _warn(used & dup_job.result(), amounts, raw.source_row)
    # the amount rounded to the cent is 0 / negative: the sign of round(amount × 100) (the rows
    # used have a readable amount; np.round(amount, 2) is this number divided by 100)
    zero, credit = _zero_and_credit(amounts, used)
    warnings[W_ZERO] = _warn(zero, amounts, raw.source_row)
    warnings[W_CREDIT] = _warn(credit, amounts, raw.source_row)
    del zero, credit
    warnings[W_FAR] = _warn(used & far, amounts, raw.source_row)
    if C.INVOICE_ID in text_cols:
        inv_codes, inv_dict = text_cols[C.INVOICE_ID]
        mixed = _mixed_invoices(inv_codes, cust_codes, used, len(inv_dict), len(cust_dict))
        warnings[W_INVOICE] = _warn(mixed, amounts, raw.source_row)
    if bad_margin is not None:
        warnings[W_MARGIN] = _warn(used & bad_margin, amounts, raw.source_row)
    if margin is not None and used.any():
        blank = used & np.isnan(margin)
        if not (used & ~blank).any():
            raise InputError(
                f"{raw.path.name}: the margin column is empty or unreadable on every row used "
                f"({int(used.sum())} rows); export it with the margin figures, or remove "
                f"margin from {raw.key}.columns (and basis: margin, if set) in {config_name}"
            )
        if bad_margin is not None:
            blank &= ~bad_margin
        if blank.any():  # an empty cell: the line's margin counts 0, and is listed
            warnings[W_NO_MARGIN] = _warn(blank, amounts, raw.source_row)
    if bad_quantity is not None:
        warnings[W_QUANTITY] = _warn(used & bad_quantity, amounts, raw.source_row)
    if signed is not None:
        warnings[W_CREDIT_WRITTEN_POSITIVE] = _warn(used & signed, amounts, raw.source_row)
    if positive_credits is not None:
        warnings[W_CREDIT_POSITIVE] = _warn(used & positive_credits, amounts, raw.source_row)
    warnings.update(reader_warnings(parsed, used, amounts))
    stated = float(np.round(np.nansum(amounts[totals]), 2)) if totals.any() else 0.0
    ledger = Ledger.from_buckets(
        key=raw.key,
        path=raw.path.name,
        reasons=buckets.reasons,
        bucket=bucket,
        amounts=ledger_amounts,
        source_row=raw.source_row,
        extra_rows={MALFORMED: raw.malformed - raw.malformed_totals, TOTALS: raw.malformed_totals},
        warnings=warnings,
        details={**raw.details, "totals_stated": stated, **doc_details},
    )
    if ledger.rows_used == 0:
        raise _unusable_error(ledger, raw.key, config_name)
    assert as_of is not None
    return pd.DataFrame(frame, copy=False), ledger, as_of


def _credit_signs(
    kinds: np.ndarray, amounts: np.ndarray, margin: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Amounts and margins with the sign of credit notes an export wrote all positive
    restored; the rows so changed (None: none), or else the credit notes whose amount is
    positive among negative ones (None: none), kept as written."""
    rows = np.flatnonzero(kinds == KIND_CODES[CREDIT])  # a few per cent of the rows
    if not len(rows):
        return amounts, margin, None, None
    cents = np.rint(np.nan_to_num(amounts[rows]) * 100.0)
    up = rows[cents > 0]
    if not len(up):
        return amounts, margin, None, None
    positive = np.zeros(len(amounts), bool)
    positive[up] = True
    if (cents < 0).any():  # some written each way: no sign to restore, the positive ones named
        return amounts, margin, None, positive
    amounts = amounts.copy()
    amounts[up] = -amounts[up]
    if margin is not None:  # the margin of such a credit note, written positive too
        margin = margin.copy()
        margin[up] = np.where(margin[up] > 0, -margin[up], margin[up])
    return amounts, margin, positive, None


def _zero_and_credit(amounts: np.ndarray, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows used whose amount rounded to the cent is 0, and < 0: the sign of rint(amount × 100).

    Block by block in one small buffer (no 8-byte copy of every amount).
    """
    n = len(amounts)
    zero, credit = np.empty(n, bool), np.empty(n, bool)
    buf = np.empty(min(n, _BLOCK), np.float64)
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        cents = buf[: stop - start]
        np.multiply(amounts[start:stop], 100.0, out=cents)
        np.rint(cents, out=cents)
        np.equal(cents, 0, out=zero[start:stop])
        np.less(cents, 0, out=credit[start:stop])
    zero &= used
    credit &= used
    return zero, credit


def _median_date(dates: np.ndarray, readable: np.ndarray) -> np.datetime64 | None:
    """Median of the readable ``dates`` (whole nanoseconds), None when none is readable."""
    if not readable.any():
        return None
    return np.datetime64(int(np.median(dates[readable].view(np.int64))), "ns")


def _mixed_invoices(
    inv: np.ndarray, cust: np.ndarray, used: np.ndarray, n_inv: int, n_cust: int
) -> np.ndarray:
    """Rows of invoices whose used lines carry more than one customer id (O(n), no sort).

    Each invoice number keeps one of its customers (a scatter), then a line whose customer
    differs marks its invoice; block by block, so that no copy of the 8-million-line
    columns is made (only the per-invoice table).
    """
    n = len(inv)
    some = np.full(max(n_inv, 1), -1, cust.dtype)  # one customer of each invoice number
    for start in range(0, n, _BLOCK):
        block = slice(start, start + _BLOCK)
        rows = used[block] & (inv[block] >= 0)
        some[inv[block][rows]] = cust[block][rows]
    bad_invoice = None
    for start in range(0, n, _BLOCK):
        block = slice(start, start + _BLOCK)
        rows = used[block] & (inv[block] >= 0)
        inv_r = inv[block][rows]
        differs = cust[block][rows] != some[inv_r]
        if differs.any():
            if bad_invoice is None:
                bad_invoice = np.zeros(max(n_inv, 1), bool)
            bad_invoice[inv_r[differs]] = True
    if bad_invoice is None:  # the usual case: every invoice has one customer
        return np.zeros(n, bool)
    return used & (inv >= 0) & bad_invoice[np.maximum(inv, 0)]


def _mix(
    columns: Sequence[np.ndarray], start: int, stop: int, h: np.ndarray, tmp: np.ndarray
) -> None:
    """The 64-bit mix of rows ``start:stop`` of ``columns`` into ``h`` (``tmp``: scratch)."""
    h[...] = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for col in columns:
            part = col[start:stop]
            if part.dtype.kind == "f":
                values = tmp.view(np.float64)
                np.add(part, 0.0, out=values)  # no -0.0
                nan = np.isnan(values)
                if nan.any():
                    values[nan] = np.inf  # one NaN
            elif part.dtype.itemsize == 8:
                tmp[...] = part.view(np.uint64)
            else:
                tmp[...] = part.view(f"u{part.dtype.itemsize}")
            h ^= tmp
            h *= np.uint64(0x9E3779B97F4A7C15)
            np.right_shift(h, np.uint64(29), out=tmp)
            h ^= tmp


def _duplicated(
    columns: Sequence[np.ndarray], candidates: np.ndarray, *, key_columns: int = 3
) -> np.ndarray:
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
    # the top 32 bits of each row's hash, mixed block by block in two 8-byte buffers that
    # stay in the CPU's cache (8M lines: two 64-MB temporaries and their page faults less)
    h32 = np.empty(n, np.uint32)
    h = np.empty(min(n, _BLOCK), np.uint64)
    tmp = np.empty_like(h)
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        _mix(columns[:key_columns], start, stop, h[: stop - start], tmp[: stop - start])
        np.right_shift(h[: stop - start], np.uint64(32), out=tmp[: stop - start])
        h32[start:stop] = tmp[: stop - start]
    del h, tmp
    if m != n:
        h32 = h32[candidates]  # half the bytes to sort
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
