"""Clean the customer master (fichier clients): one row per customer id."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.cleaning.encoding import (
    _categorical,
    _exact_match,
    _folded_match,
    _rows,
)
from icpc.cleaning.ledger import (
    CUSTOMER_REASONS,
    DAMAGED_ID,
    DUPLICATE,
    EXCLUDED,
    MALFORMED,
    MISSING_ID,
    TOTALS,
    W_CREATED,
    W_EMAIL,
    Ledger,
    _warn,
    open_buckets,
    reader_warnings,
)
from icpc.config import Exclusions
from icpc.io import ParsedTable, RawTable, encode_text, parse_table

__all__ = ["clean_customers"]

#: what an e-mail address looks like: one @, a dot in the domain, no space
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def clean_customers(
    raw: ParsedTable | RawTable,
    *,
    exclude: Exclusions | None = None,
) -> tuple[pd.DataFrame, Ledger, list[str]]:
    """Clean the customer master (fichier clients): one row per ``customer_id``.

    Parameters
    ----------
    raw : ParsedTable or RawTable
        The customer file parsed by :func:`icpc.io.parse_table` (or as read).
    exclude : Exclusions, optional
        ``exclude.customers`` and ``exclude.where`` on the master's mapped columns.

    Returns
    -------
    customers : pandas.DataFrame
        ``customer_id`` (str), then the mapped ones of ``name``, ``address``,
        ``postcode`` (str), ``city``, ``created_at`` (datetime64[ns]), ``siret`` (digits
        only), ``phone``, ``email``, ``contact`` (str, as written), ``salesperson``,
        ``region`` (category).
    ledger : Ledger
        Reasons :data:`CUSTOMER_REASONS` (and the reader's own); warnings
        ``unparseable created_at`` when ``created_at`` is mapped, and the reader's.
    excluded_ids : list of str
        Customers excluded by a ``where`` rule on a master column (or listed ids).
    """
    exclude = exclude or Exclusions()
    parsed = raw if isinstance(raw, ParsedTable) else parse_table(raw)
    raw = parsed.raw
    n = parsed.n_rows
    id_codes, id_dict = parsed.codes[C.CUSTOMER_ID]
    buckets, damaged = open_buckets(parsed, CUSTOMER_REASONS)
    bucket, assign = buckets.codes, buckets.assign
    assign(id_codes < 0, MISSING_ID)
    assign(damaged, DAMAGED_ID)
    seen = pd.Series(id_codes).duplicated(keep="first").to_numpy() & (id_codes >= 0)
    assign(seen, DUPLICATE)
    excluded_ids: set[str] = set()
    mask = np.zeros(n, bool)
    if exclude.customers:
        hit = _exact_match(id_dict, exclude.customers)
        mask |= _rows(id_codes, hit)
    for col, values in exclude.where.items():
        if col != C.CUSTOMER_ID and (col in parsed.codes or col in parsed.text):
            codes, dictionary = (
                parsed.codes[col] if col in parsed.codes else encode_text(parsed.text[col], n)
            )
            if len(dictionary):
                hit = _folded_match(dictionary, values)
                rule = _rows(codes, hit) & (id_codes >= 0)
                excluded_ids |= set(pc.take(id_dict, pa.array(id_codes[rule])).to_pylist())
                mask |= rule
    assign(mask, EXCLUDED)
    used = np.flatnonzero(bucket == 0)
    frame: dict[str, Any] = {
        C.CUSTOMER_ID: id_dict.take(pa.array(id_codes[used])).to_pandas().astype("str").to_numpy()
    }
    warnings: dict[str, Any] = {}
    for name in C.CUSTOMER_OPTIONAL:
        if not parsed.has(name):
            continue
        if name == C.CREATED_AT:
            created, bad = parsed.dates[name]
            frame[name] = created[used]
            warnings[W_CREATED] = _warn(bad[used], None, raw.source_row[used])
        elif name in (C.SALESPERSON, C.REGION):
            codes, dictionary = parsed.codes[name]
            frame[name] = _categorical(codes[used], dictionary)
        else:
            text = parsed.text[name].take(pa.array(used))
            if name == C.SIRET:
                text = pc.replace_substring_regex(text, r"\D", "")
            elif name == C.EMAIL:  # kept as written; counted when it cannot be an address
                bad = pc.invert(pc.match_substring_regex(text, _EMAIL))
                bad = pc.fill_null(bad, False).to_numpy(zero_copy_only=False)
                warnings[W_EMAIL] = _warn(bad, None, raw.source_row[used])
            elif name == C.POSTCODE:
                text = pc.if_else(
                    pc.fill_null(pc.match_substring_regex(text, r"^\d{4}$"), False),
                    pc.utf8_lpad(text, 5, "0"),
                    text,
                )
            frame[name] = text.to_pandas().astype("str")
    warnings.update(reader_warnings(parsed, bucket == 0, None))
    ledger = Ledger.from_buckets(
        key=raw.key,
        path=raw.path.name,
        reasons=buckets.reasons,
        bucket=bucket,
        amounts=None,
        source_row=raw.source_row,
        extra_rows={MALFORMED: raw.malformed - raw.malformed_totals, TOTALS: raw.malformed_totals},
        warnings=warnings,
        details=raw.details,
    )
    return pd.DataFrame(frame), ledger, sorted(excluded_ids)
