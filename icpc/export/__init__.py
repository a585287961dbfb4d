"""The machine outputs of a diagnostic: ``kpis.json``, ``customers.csv`` (docs/outputs.md)
and the run's ``manifest.json`` (:mod:`icpc.export.manifest`).

Each export reads a :class:`~icpc.diagnostic.Diagnostic` (whose analyses are computed on
first use and cached) and turns it into its contract: :func:`kpis_json`,
:func:`customers_table` / :func:`write_customers_csv`. The values module holds the JSON
conversions (money rounded once, parts adding up to their total).
"""

from __future__ import annotations

from icpc.export.customers_csv import CUSTOMERS_CSV_COLUMNS, customers_table, write_customers_csv
from icpc.export.kpis_json import BLOCKS, kpis_json
from icpc.export.values import jsonable, money, number, round_adding_up

__all__ = [
    "kpis_json",
    "BLOCKS",
    "customers_table",
    "write_customers_csv",
    "CUSTOMERS_CSV_COLUMNS",
    "number",
    "money",
    "jsonable",
    "round_adding_up",
]
