"""Clean the CRM / telephony activity log (journal d'activité)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.cleaning.encoding import _categorical, _exact_match, _rows
from icpc.cleaning.ledger import (
    ACTIVITY_REASONS,
    AFTER_AS_OF,
    BAD_DATE,
    DAMAGED_ID,
    EXCLUDED,
    MALFORMED,
    TOTALS,
    UNKNOWN_TYPE,
    Ledger,
    open_buckets,
    reader_warnings,
)
from icpc.io import ParsedTable, RawTable, parse_table
from icpc.text import fold

__all__ = ["clean_activity"]


def clean_activity(
    raw: ParsedTable | RawTable,
    *,
    types: Mapping[str, Sequence[str]],
    as_of: dt.date,
    excluded_customers: Iterable[str] = (),
) -> tuple[pd.DataFrame, Ledger]:
    """Clean the CRM / telephony activity log (journal d'activité).

    Parameters
    ----------
    raw : ParsedTable or RawTable
        The activity file parsed by :func:`icpc.io.parse_table` (or as read).
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
    parsed = raw if isinstance(raw, ParsedTable) else parse_table(raw)
    raw = parsed.raw
    cust = parsed.codes.get(C.CUSTOMER_ID)
    buckets, damaged = open_buckets(parsed, ACTIVITY_REASONS)
    bucket, assign = buckets.codes, buckets.assign
    assign(damaged, DAMAGED_ID)
    dates = parsed.dates[C.DATE][0]
    assign(np.isnat(dates), BAD_DATE)
    type_codes, type_dict = parsed.codes[C.ACTIVITY_TYPE]
    lookup = {fold(v): kind for kind, values in types.items() for v in values}
    kinds_of_dict = np.array(
        [lookup.get(fold(v), "") for v in type_dict.to_pylist()] + [""], dtype=object
    )
    kind = kinds_of_dict[np.where(type_codes >= 0, type_codes, len(kinds_of_dict) - 1)]
    assign(kind == "", UNKNOWN_TYPE)
    if cust is not None:
        ids = set(excluded_customers)
        if ids:
            hit = _exact_match(cust[1], ids)
            assign(_rows(cust[0], hit), EXCLUDED)
    assign(dates > np.datetime64(as_of, "ns"), AFTER_AS_OF)
    ledger = Ledger.from_buckets(
        key=raw.key,
        path=raw.path.name,
        reasons=buckets.reasons,
        bucket=bucket,
        amounts=None,
        source_row=raw.source_row,
        extra_rows={MALFORMED: raw.malformed - raw.malformed_totals, TOTALS: raw.malformed_totals},
        warnings=reader_warnings(parsed, bucket == 0, None),
        details=raw.details,
    )
    idx = np.flatnonzero(bucket == 0)
    sp_codes, sp_dict = parsed.codes[C.SALESPERSON]
    frame: dict[str, Any] = {
        C.DATE: dates[idx],
        C.SALESPERSON: _categorical(sp_codes[idx], sp_dict),
        "kind": pd.array(kind[idx].astype(str), dtype="str"),
    }
    if cust is not None:
        frame[C.CUSTOMER_ID] = _categorical(cust[0][idx], cust[1])
    frame[C.SOURCE_ROW] = raw.source_row[idx].astype(np.int64)
    return pd.DataFrame(frame), ledger
