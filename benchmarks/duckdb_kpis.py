"""The reference ``make bench`` measures ``icpc kpis`` against: the headline figures in DuckDB SQL.

Run as its own process, start-up included, as ``icpc kpis --json`` is::

    python benchmarks/duckdb_kpis.py CLIENT.yaml        # prints the figures as JSON

It reads the config's ``as_of``, ``period_months`` and the transactions' column mapping
(Parquet only), and computes with one SQL query, by the definitions of DESIGN.md
("Definitions"), what kpis.json calls ``kpis`` (revenue, sales count, active customers,
average basket, new / retained / reactivated / lost customers, lost revenue, churn and
retention rates, for N and N−1), ``bridge`` (each class's Σ revenue N − revenue N−1) and
``decomposition`` (the three-factor LMDI, a few lines of arithmetic on the query's
totals). Rows used are those icpc's cleaning keeps on such a file: a customer id, a date
and a finite amount, dated at most ``as_of`` (the sample has no totals lines, no
exclusions, no duplicates dropped). A document is an invoice number of one customer, or a
row without invoice number; its date is its earliest line's; it is a sale when its total
rounded to the cent is > 0; a customer's first sale is its earliest such document.

Not computed here: margin (a sum like revenue), purchase frequency and revenue per
customer (ratios of the figures here), ``bridge_retained`` and everything after
``decomposition`` in kpis.json (segments, early warning, monthly, cohorts…): the issue's
comparison is on the headline figures only. ``compare: previous_year`` is not handled
(the sample uses the preceding period).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import duckdb
import yaml

QUERY = """
WITH src AS (
    SELECT NULLIF(trim(CAST({cust} AS VARCHAR)), '') AS cust,
           NULLIF(trim(CAST({inv} AS VARCHAR)), '') AS inv,
           CAST({date} AS DATE) AS d,
           CAST({amount} AS DOUBLE) AS amount,
           file_row_number AS rn
    FROM read_parquet($path, file_row_number = true)
),
used AS (
    SELECT * FROM src
    WHERE cust IS NOT NULL AND d IS NOT NULL AND amount IS NOT NULL AND isfinite(amount)
      AND d <= $as_of
),
docs AS (
    SELECT cust, min(d) AS d, sum(amount) AS total
    FROM used
    GROUP BY cust, inv, CASE WHEN inv IS NULL THEN rn END
),
doc_cust AS (
    SELECT cust,
           min(d) FILTER (WHERE round(total, 2) > 0) AS first_sale,
           count(*) FILTER (WHERE round(total, 2) > 0 AND d BETWEEN $n_start AND $as_of) AS sales_n,
           count(*) FILTER (WHERE round(total, 2) > 0 AND d BETWEEN $p_start AND $p_end) AS sales_p
    FROM docs GROUP BY cust
),
rev_cust AS (
    SELECT cust,
           coalesce(fsum(amount) FILTER (WHERE d BETWEEN $n_start AND $as_of), 0) AS rev_n,
           coalesce(fsum(amount) FILTER (WHERE d BETWEEN $p_start AND $p_end), 0) AS rev_p
    FROM used GROUP BY cust
),
customers AS (
    SELECT r.cust, r.rev_n, r.rev_p, c.sales_n, c.sales_p,
           round(r.rev_n, 2) > 0 AS active_n, round(r.rev_p, 2) > 0 AS active_p,
           c.first_sale
    FROM rev_cust r JOIN doc_cust c USING (cust)
),
classed AS (
    SELECT *,
           CASE WHEN active_n AND NOT active_p AND first_sale >= $n_start THEN 'new'
                WHEN active_n AND NOT active_p THEN 'reactivated'
                WHEN active_n AND active_p THEN 'retained'
                WHEN active_p THEN 'lost'
                ELSE 'other' END AS class
    FROM customers
)
SELECT class, count(*) AS customers,
       fsum(rev_n) AS rev_n, fsum(rev_p) AS rev_p,
       sum(sales_n) AS sales_n, sum(sales_p) AS sales_p,
       count(*) FILTER (WHERE active_n) AS active_n,
       count(*) FILTER (WHERE active_p) AS active_p
FROM classed GROUP BY class
"""


def _months_back(day: dt.date, months: int) -> dt.date:
    """``day`` minus ``months`` months, the day clipped to the month's length."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    days = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, days))


def _cents(value: float) -> float:
    """Half a cent away from zero, as icpc.money.cents."""
    micros = round(value * 1e6)
    return math.copysign(math.floor((abs(micros) + 5000) / 10000), micros) / 100 + 0.0


def _logmean(a: float, b: float) -> float:
    la, lb = math.log(a), math.log(b)
    return (a + b) / 2 if a == b or la == lb else (a - b) / (la - lb)


def figures(config_path: Path) -> dict[str, object]:
    """The headline figures of the client of ``config_path``, computed by DuckDB."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    as_of = dt.date.fromisoformat(str(config["as_of"]))
    months = int(config.get("period_months", 12))
    n_start = _months_back(as_of + dt.timedelta(days=1), months)
    p_end = n_start - dt.timedelta(days=1)
    p_start = _months_back(n_start, months)
    tx = config["transactions"]
    cols = tx["columns"]

    def quoted(name: str) -> str:
        return '"' + cols[name].replace('"', '""') + '"'

    sql = QUERY.format(
        cust=quoted("customer_id"),
        inv=quoted("invoice_id"),
        date=quoted("date"),
        amount=quoted("amount"),
    )
    path = (config_path.parent / tx["path"]).resolve()
    con = duckdb.connect()
    rows = con.execute(
        sql,
        {"path": str(path), "as_of": as_of, "n_start": n_start, "p_start": p_start, "p_end": p_end},
    ).fetchall()
    by_class = {r[0]: dict(zip(("customers", "rev_n", "rev_p", "sales_n", "sales_p",
                                "active_n", "active_p"), r[1:], strict=True)) for r in rows}  # fmt: skip
    zero = dict.fromkeys(
        ("customers", "rev_n", "rev_p", "sales_n", "sales_p", "active_n", "active_p"), 0
    )
    cls = {k: by_class.get(k, zero) for k in ("new", "reactivated", "retained", "lost", "other")}
    revenue = {p: _cents(math.fsum(c[f"rev_{p}"] for c in cls.values())) for p in ("n", "p")}
    sales = {p: int(sum(c[f"sales_{p}"] for c in cls.values())) for p in ("n", "p")}
    active = {p: int(sum(c[f"active_{p}"] for c in cls.values())) for p in ("n", "p")}
    basket = {p: revenue[p] / sales[p] if sales[p] else None for p in ("n", "p")}
    bridge = {k: _cents(c["rev_n"]) - _cents(c["rev_p"]) for k, c in cls.items()}
    # the three-factor LMDI on the query's totals (customers × frequency × basket)
    c1, s1, r1, c0, s0, r0 = (
        active["n"],
        sales["n"],
        revenue["n"],
        active["p"],
        sales["p"],
        revenue["p"],
    )
    change = r1 - r0
    if min(c1, s1, r1, c0, s0, r0) > 0:
        w = _logmean(r1, r0)
        e_cust, e_freq = w * math.log(c1 / c0), w * math.log((s1 / c1) / (s0 / c0))
        decomposition = {
            "customers": e_cust,
            "frequency": e_freq,
            "basket": change - e_cust - e_freq,
        }
    else:
        decomposition = {"customers": change, "frequency": 0.0, "basket": 0.0}
    prev = active["p"]
    return {
        "period": {"start": n_start.isoformat(), "end": as_of.isoformat()},
        "previous_period": {"start": p_start.isoformat(), "end": p_end.isoformat()},
        "revenue": {"current": revenue["n"], "previous": revenue["p"]},
        "sales_count": {"current": sales["n"], "previous": sales["p"]},
        "active_customers": {"current": active["n"], "previous": active["p"]},
        "average_basket": {"current": basket["n"], "previous": basket["p"]},
        "new_customers": int(cls["new"]["customers"]),
        "retained_customers": int(cls["retained"]["customers"]),
        "reactivated_customers": int(cls["reactivated"]["customers"]),
        "lost_customers": int(cls["lost"]["customers"]),
        "lost_revenue": _cents(cls["lost"]["rev_p"]),
        "churn_rate": cls["lost"]["customers"] / prev if prev else None,
        "retention_rate": cls["retained"]["customers"] / prev if prev else None,
        "bridge": bridge,
        "decomposition": decomposition,
    }


if __name__ == "__main__":
    print(json.dumps(figures(Path(sys.argv[1]).resolve()), indent=1))
