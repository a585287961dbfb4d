"""Read a client's export (CSV/TXT, Excel, Parquet, FEC) into raw columns (lecture des exports).

One public verb, :func:`read_table`, turns the file of a :class:`~icpc.config.FileSpec`
into a :class:`RawTable`: the mapped columns under their canonical names (``customer_id``,
``date``, ``amount``…), as they were in the file — text for CSV, typed values when the
file is already typed (Parquet, Excel cells) — plus what was detected (encoding,
delimiter, decimal mark, thousands separators, date formats, header line).
:func:`parse_amounts` and :func:`parse_dates` turn those columns into numbers and dates,
vectorised, and tell which non-empty values could not be read; :func:`totals_mask` finds
totals lines ("Total", "Total général"). Deciding what to do with bad rows is the job of
:mod:`icpc.cleaning` (the data-quality ledger).

Detection rules (when the config says ``auto``):

* encoding: a BOM (UTF-8, UTF-16) wins; else UTF-8 if the first MiB decodes as UTF-8,
  else cp1252 (latin-1 when cp1252 cannot decode it). A late non-UTF-8 byte makes the
  reader start again in cp1252.
* header: the first of the first 60 lines that contains the most mapped headers (exact,
  then ignoring case, accents, surrounding spaces and a BOM); title lines above it are
  skipped. The delimiter (``;`` ``,`` tab ``|``) is the one that splits that line into
  the mapped headers.
* numbers: in a sample of the amount (and margin) values, the mark that comes last
  when both ``,`` and ``.`` occur is the decimal mark; ``1.234`` / ``12.500`` only (dot
  followed by groups of three digits) means a thousands dot and a decimal comma; spaces
  (incl. U+00A0 and U+202F) are always removed.
* dates: day-first formats (``dd/mm/yyyy`` with or without a time, ``dd-mm-yyyy``,
  ``dd.mm.yyyy``) and ISO ``yyyy-mm-dd`` are tried on a sample; the best goes first and the
  others are tried, vectorised, on the values the first did not read.

Example
-------
>>> from icpc.config import load_config
>>> from icpc.io import read_table, parse_amounts
>>> cfg = load_config("data_samples/demo/client.yaml")
>>> raw = read_table(cfg.transactions)
>>> raw.details["encoding"], raw.details["delimiter"], raw.decimal
('cp1252', ';', ',')
>>> values, bad = parse_amounts(raw.columns["amount"], decimal=raw.decimal, thousands=raw.thousands)
>>> int(bad.sum())  # the demo's planted unreadable amounts
2
"""

from __future__ import annotations

from icpc.io.common import DAYFIRST_FORMATS, RawTable, normalize_header
from icpc.io.dates import parse_dates
from icpc.io.ids import harmonise_ids
from icpc.io.parsed import ParsedTable, encode_text, parse_table
from icpc.io.readers import READERS, read_table
from icpc.io.values import parse_amounts, parse_text, totals_labels, totals_mask
from icpc.memory import keep_freed_memory

__all__ = [
    "RawTable",
    "read_table",
    "READERS",
    "ParsedTable",
    "parse_table",
    "encode_text",
    "harmonise_ids",
    "parse_amounts",
    "parse_dates",
    "parse_text",
    "totals_mask",
    "totals_labels",
    "normalize_header",
    "DAYFIRST_FORMATS",
    "keep_freed_memory",
]
