"""A realistic, deterministic demo client (client de démonstration) with a planted story.

``generate_sample`` builds a fictional French B2B distributor ("Distribution Martin SAS"):
three years of invoice lines up to ``as_of`` (2024-12-31 by default), a customer master
with addresses and SIRETs, and a CRM activity log. Every customer has its own rhythm
(weekly, monthly, bi-monthly, quarterly, annual), log-normal basket sizes, a margin rate,
seasonality (a quiet August) and a salesperson in a region.

The story a diagnostic should uncover, recorded in :attr:`Sample.truth`:

* a **prospecting bonus** in period N: one salesperson creates many new customers in a few
  months, most of them at a handful of addresses written with variants ("12 r. de la Paix",
  "12, Rue De La Paix", accents dropped) and some sharing a SIRET, with small baskets. N
  shows clearly more new customers, a lower average basket and a roughly flat revenue;
* **big customers lost**: last purchase in N-1;
* **regular customers slipping away**: a steady rhythm, silent for the last 3-6 months;
* **credit notes** (avoirs), some referencing their invoice, some customers fully cancelled;
* a few **dirty rows**: no customer code, text in the amount, impossible dates, exact
  duplicate lines, a "Total général" line at the bottom.

``write_sample`` writes ``client.yaml``, ``factures.csv`` (cp1252, ``;``, decimal comma,
dd/mm/yyyy) or ``factures.parquet`` (typed), ``clients.xlsx`` (title line above the
headers, postcodes as text; ``clients.parquet``, typed, with the Parquet format: a client
exporting from a warehouse exports its master the same way) and ``activite.csv`` (UTF-8). Same seed, byte-identical files.
With ``fec=True`` the books are written as a FEC instead (``FEC.txt``, ISO-8859-15, ``|``):
one sales entry per invoice or credit note, plus payments, purchases and opening entries.
Generation is vectorised (numpy), so ``lines=8_000_000`` (about 1 GB of CSV) is practical.

Example
-------
>>> from icpc.datasets.demo import generate_sample
>>> s = generate_sample(seed=1, customers=150)
>>> s.truth["bonus_salesperson"]
'Julien Marchetti'
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from icpc.datasets.customers import _build_customers, _customer_master, _day, _shift_months
from icpc.datasets.sales import _activity, _plant_dirty_rows, _transactions
from icpc.datasets.story import (
    ACTIVITY_HEADERS,
    BONUS_SALESPERSON,
    CLIENT_NAME,
    CLIENT_SLUG,
    CONSULTANT,
    CUSTOMER_HEADERS,
    DEFAULT_AS_OF,
    DEFAULT_CUSTOMERS,
    DIRTY_TEXT,
    FIRM,
    H_AMOUNT,
    H_CUSTOMER,
    H_DATE,
    H_INVOICE,
    H_ITEM,
    H_LABEL,
    H_MARGIN,
    H_REF,
    H_REGION,
    H_SALESPERSON,
    H_TYPE,
    K_BONUS,
    K_CANCELLED,
    K_LOST_BIG,
    K_PROSPECT,
    K_SLIPPING,
    LINES_PER_CUSTOMER_YEAR,
    SALESPEOPLE,
    TRANSACTION_HEADERS,
    Sample,
)
from icpc.exceptions import ConfigError
from icpc.fsutil import atomic_path, atomic_write_text

__all__ = ["CONFIG_TEMPLATE", "FEC_FILE", "FEC_TRANSACTIONS", "generate_sample", "write_sample"]


CONFIG_TEMPLATE = """\
# Demo client written by `icpc sample` (seed {seed}). The company and its data are fictional.
# Copy this file next to a real client's exports and adapt the headers under `columns:`.
client: "{client}"
slug: {slug}
as_of: {as_of}
period_months: 12
language: fr
currency: EUR
basis: revenue
transactions:
  path: {tx_path}
  encoding: auto
  delimiter: auto
  decimal: auto
  date_format: auto
  drop_duplicates: false
  columns:
    customer_id: "Code client"
    date: "Date facture"
    amount: "Montant HT"
    invoice_id: "N° facture"
    margin: "Marge"
    salesperson: "Commercial"
    region: "Secteur"
    document_type: "Type"
customers:
  path: {customers_file}
  columns:
    customer_id: "Code"
    name: "Raison sociale"
    address: "Adresse"
    postcode: "CP"
    city: "Ville"
    created_at: "Date création"
    siret: "SIRET"
activity:
  path: activite.csv
  columns: {{date: "Date", salesperson: "Commercial", type: "Type", customer_id: "Client"}}
  types:
    contact_received: ["Contact entrant"]
    call: ["Appel sortant"]
    call_completed: ["Appel abouti"]
thresholds:
  lost_after_days: 365
  overdue_ratio: 2.0
  min_purchases_for_rhythm: 3
branding:
  firm: "{firm}"
  consultant: "{consultant}"
"""


#: the transactions block of client.yaml when the demo's books are written as a FEC
FEC_FILE = "FEC.txt"


FEC_TRANSACTIONS = """\
transactions:
  path: {path}
  format: fec
  encoding: auto
  delimiter: auto
  fec:
    sales_accounts: ["70"]
    customer_accounts: ["411"]
    exclude_journals: []
"""


def _config_text(*, seed: int, as_of: dt.date, fmt: str, fec: bool = False) -> str:
    text = CONFIG_TEMPLATE.format(
        seed=seed, client=CLIENT_NAME, slug=CLIENT_SLUG, as_of=as_of.isoformat(),
        tx_path="factures.parquet" if fmt == "parquet" else "factures.csv", firm=FIRM, consultant=CONSULTANT,
        customers_file="clients.parquet" if fmt == "parquet" else 'clients.xlsx\n  sheet: "Clients"',
    )  # fmt: skip
    if fec:  # the FEC's columns are fixed by law: no columns block
        start, end = text.index("transactions:\n"), text.index("customers:\n")
        text = text[:start] + FEC_TRANSACTIONS.format(path=FEC_FILE) + text[end:]
        text = text.replace(
            "adapt the headers under `columns:`.",
            "adapt the headers under `columns:`\n"
            "# (the transactions are a FEC, whose fields are fixed: no columns to map).",
        )
    return text


def _check_options(customers: int | None, years: int, lines: int | None) -> None:
    if isinstance(years, bool) or not isinstance(years, int) or years < 2:
        raise ConfigError(
            f"icpc sample: --years must be a whole number >= 2 (periods N and N-1), found {years!r}"
        )
    if customers is not None and (
        isinstance(customers, bool) or not isinstance(customers, int) or customers < 100
    ):
        raise ConfigError(
            f"icpc sample: --customers must be a whole number >= 100, found {customers!r}"
        )
    if lines is not None and (
        isinstance(lines, bool) or not isinstance(lines, int) or lines < 1000
    ):
        raise ConfigError(f"icpc sample: --lines must be a whole number >= 1000, found {lines!r}")


def generate_sample(
    *,
    seed: int = 42,
    customers: int | None = None,
    years: int = 3,
    lines: int | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
) -> Sample:
    """Generate the demo client (client de démonstration) and its planted story.

    Parameters
    ----------
    seed : int
        Random seed; the same seed gives the same sample.
    customers : int, optional
        Number of customers (master file), default 400, or sized from ``lines``.
    years : int
        Years of history up to ``as_of`` (at least 2: periods N and N-1).
    lines : int, optional
        Target number of invoice lines (for benchmarks); the result is within a few percent.
        Without ``customers``, the number of customers is scaled to match (8,000,000 lines:
        about 180,000 customers and 930 MB of CSV).
    as_of : date
        Last day of the data and of period N (12 months).

    Returns
    -------
    Sample
        ``transactions``, ``customers``, ``activity`` frames with the client's headers,
        ``config`` (client.yaml content) and ``truth``, a dict with:
        ``bonus_salesperson`` (str), ``bonus_window`` (first and last day, ISO strings),
        ``bonus_customers`` (ids created under the bonus), ``bonus_clusters`` (lists of ids
        sharing one address, written with variants), ``lost_big`` (big customers whose last
        purchase is in N-1), ``slipping`` (steady customers silent for the last 100-175
        days), ``fully_cancelled`` (every invoice cancelled by a credit note, net 0),
        ``prospects`` (in the master, never bought), ``reassigned`` (customers whose
        older lines carry a former salesperson), ``dirty_rows`` (count per kind:
        ``missing_customer``, ``text_amount``, ``bad_date``, ``duplicate``, ``total_line``)
        and ``dirty_positions`` (0-based row of each planted row in ``transactions``).

    Raises
    ------
    ConfigError
        On an impossible option (fewer than 2 years, fewer than 100 customers...).
    """
    _check_options(customers, years, lines)
    rng = np.random.default_rng(seed)
    as_of_day = _day(as_of)
    n_start_date = _shift_months(as_of + dt.timedelta(days=1), -12)
    n_start = _day(n_start_date)
    hist_start = _day(_shift_months(as_of + dt.timedelta(days=1), -12 * years))
    bonus_window = (_day(_shift_months(n_start_date, 2)), _day(_shift_months(n_start_date, 6)))
    reorg_day = _day(_shift_months(n_start_date, -6))
    if customers is None:
        customers = (
            DEFAULT_CUSTOMERS
            if lines is None
            else max(100, round(lines / (LINES_PER_CUSTOMER_YEAR * years)))
        )
    cust = _build_customers(rng, customers, hist_start=hist_start, n_start=n_start, as_of=as_of_day,
                            bonus_window=bonus_window)  # fmt: skip
    master, clusters = _customer_master(rng, cust)
    item_rng = np.random.default_rng([seed, 1])  # its own stream: items change nothing else
    clean, extra = _transactions(
        rng,
        cust,
        item_rng=item_rng,
        lines=lines,
        hist_start=hist_start,
        as_of=as_of_day,
        reorg_day=reorg_day,
    )
    tx, dirty_pos = _plant_dirty_rows(rng, clean)
    activity = _activity(
        rng, cust, hist_start=hist_start, as_of=as_of_day, bonus_window=bonus_window
    )
    ids = cust["customer_id"].to_numpy()
    kind = cust["kind"].to_numpy()

    def of(k: int) -> list[str]:
        return sorted(ids[kind == k].tolist())

    truth: dict[str, Any] = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "bonus_salesperson": SALESPEOPLE[BONUS_SALESPERSON][0],
        "bonus_window": [
            str(np.datetime64(bonus_window[0], "D")),
            str(np.datetime64(bonus_window[1] - 1, "D")),
        ],
        "bonus_customers": of(K_BONUS),
        "bonus_clusters": clusters,
        "lost_big": of(K_LOST_BIG),
        "slipping": of(K_SLIPPING),
        "fully_cancelled": of(K_CANCELLED),
        "prospects": of(K_PROSPECT),
        "reassigned": extra["reassigned"],
        "dirty_rows": {**{k: len(v) for k, v in dirty_pos.items()}, "total_line": 1},
        "dirty_positions": dirty_pos,
    }
    config = yaml.safe_load(_config_text(seed=seed, as_of=as_of, fmt="csv"))
    return Sample(transactions=tx, customers=master, activity=activity, config=config, truth=truth)


def _french_amounts(values: pd.Series) -> pa.Array:
    """Amounts as French text: ``-1234,50`` (decimal comma, no thousands separator)."""
    cents = np.rint(values.to_numpy(dtype=np.float64, na_value=np.nan) * 100)
    valid = ~np.isnan(cents)
    c = np.where(valid, cents, 0).astype(np.int64)
    a = np.abs(c)
    units = pc.cast(pa.array(a // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(a % 100), pa.string()), 2, "0")
    sign = pa.array(np.where(c < 0, "-", ""), pa.string())
    text = pc.binary_join_element_wise(
        sign, units, pa.array(np.full(len(c), ",", dtype=object), pa.string()), frac, ""
    )
    return pc.if_else(pa.array(valid), text, pa.nulls(len(c), pa.string()))


def _french_dates(values: pd.Series, fmt: str = "%d/%m/%Y") -> pa.Array:
    ts = pa.array(values.to_numpy(dtype="datetime64[s]"), pa.timestamp("s"))
    return pc.strftime(ts, format=fmt)


def _str_array(values: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (nulls kept), without Python objects."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        dictionary = pa.array(values.cat.categories.to_numpy(dtype=object), pa.string())
        return pc.take(dictionary, pa.array(codes, mask=codes < 0))
    return pc.cast(pa.array(values), pa.string())


def _patch(arr: pa.Array, positions: list[int], texts: list[str]) -> pa.Array:
    """Put raw ``texts`` at ``positions`` of a string array (the planted dirty cells)."""
    if not positions:
        return arr
    mask = np.zeros(len(arr), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(texts, pa.string()))


def _write_csv(
    batches: Iterator[pa.Table],
    path: Path,
    *,
    header: tuple[str, ...],
    encoding: str,
    delimiter: str,
    eol: str,
    footer: str = "",
) -> None:
    """Write tables of strings as CSV (no quotes needed), transcoded to ``encoding``."""
    options = pacsv.WriteOptions(
        include_header=False, delimiter=delimiter, quoting_style="none", eol=eol
    )
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write((delimiter.join(header) + eol).encode(encoding))
        for table in batches:
            buf = io.BytesIO()
            pacsv.write_csv(table, buf, options)
            data = buf.getvalue()
            fh.write(data if encoding == "utf-8" else data.decode("utf-8").encode(encoding))
        if footer:
            fh.write((footer + eol).encode(encoding))


def _transaction_batches(sample: Sample, batch_rows: int) -> Iterator[pa.Table]:
    """factures.csv as text, ``batch_rows`` rows at a time, the planted dirty cells included."""
    tx = sample.transactions
    pos = {k: np.asarray(v, dtype=np.int64) for k, v in sample.truth["dirty_positions"].items()}
    year = int(sample.truth["as_of"][:4])
    bad_dates = np.array([t.format(year=year) for t in DIRTY_TEXT["bad_date"]], dtype=object)
    bad_amounts = np.array(DIRTY_TEXT["text_amount"], dtype=object)
    for offset in range(0, len(tx), batch_rows):
        part = tx.iloc[offset : offset + batch_rows]
        stop = offset + len(part)

        def local(
            kind: str, stop: int = stop, offset: int = offset
        ) -> tuple[list[int], np.ndarray]:
            inside = (pos[kind] >= offset) & (pos[kind] < stop)
            return (pos[kind][inside] - offset).tolist(), inside

        date_at, date_in = local("bad_date")
        amount_at, amount_in = local("text_amount")
        yield pa.table({
            H_CUSTOMER: _str_array(part[H_CUSTOMER]),
            H_DATE: _patch(_french_dates(part[H_DATE]), date_at, bad_dates[date_in].tolist()),
            H_INVOICE: _str_array(part[H_INVOICE]),
            H_ITEM: _str_array(part[H_ITEM]),
            H_LABEL: _str_array(part[H_LABEL]),
            H_AMOUNT: _patch(_french_amounts(part[H_AMOUNT]), amount_at, bad_amounts[amount_in].tolist()),
            H_MARGIN: _french_amounts(part[H_MARGIN]),
            H_SALESPERSON: _str_array(part[H_SALESPERSON]),
            H_REGION: _str_array(part[H_REGION]),
            H_TYPE: _str_array(part[H_TYPE]),
            H_REF: _str_array(part[H_REF]),
        })  # fmt: skip


def _write_transactions_csv(sample: Sample, path: Path, *, batch_rows: int = 1_000_000) -> None:
    tx = sample.transactions
    total = _french_amounts(pd.Series([round(tx[H_AMOUNT].sum(), 2), round(tx[H_MARGIN].sum(), 2)]))
    footer = [""] * len(TRANSACTION_HEADERS)
    footer[0] = "Total général"
    footer[TRANSACTION_HEADERS.index(H_AMOUNT)] = total[0].as_py()
    footer[TRANSACTION_HEADERS.index(H_MARGIN)] = total[1].as_py()
    _write_csv(_transaction_batches(sample, batch_rows), path, header=TRANSACTION_HEADERS, encoding="cp1252",
               delimiter=";", eol="\r\n", footer=";".join(footer))  # fmt: skip


def _write_transactions_parquet(sample: Sample, path: Path) -> None:
    tx = sample.transactions
    table = pa.table({
        H_CUSTOMER: _str_array(tx[H_CUSTOMER]),
        H_DATE: pa.array(tx[H_DATE].to_numpy(dtype="datetime64[D]"), pa.date32()),
        H_INVOICE: _str_array(tx[H_INVOICE]),
        H_ITEM: _str_array(tx[H_ITEM]),
        H_LABEL: _str_array(tx[H_LABEL]),
        H_AMOUNT: pa.array(tx[H_AMOUNT].to_numpy(dtype=np.float64), pa.float64(), from_pandas=True),
        H_MARGIN: pa.array(tx[H_MARGIN].to_numpy(dtype=np.float64), pa.float64(), from_pandas=True),
        H_SALESPERSON: _str_array(tx[H_SALESPERSON]),
        H_REGION: _str_array(tx[H_REGION]),
        H_TYPE: _str_array(tx[H_TYPE]),
        H_REF: _str_array(tx[H_REF]),
    })  # fmt: skip
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_customers_xlsx(sample: Sample, path: Path) -> None:
    import xlsxwriter

    master = sample.customers
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False})
        wb.set_properties({"title": "Fichier clients", "author": CLIENT_NAME,
                           "created": dt.datetime(2025, 1, 2, 8, 0, 0)})  # fmt: skip
        ws = wb.add_worksheet("Clients")
        bold = wb.add_format({"bold": True})
        text = wb.add_format({"num_format": "@"})
        date = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_string(0, 0, f"Fichier clients — {CLIENT_NAME} — extraction du 02/01/2025", bold)
        for col, header in enumerate(CUSTOMER_HEADERS):
            ws.write_string(2, col, header, bold)
        columns = [master[h].to_numpy(dtype=object, na_value=None) for h in CUSTOMER_HEADERS]
        created = master["Date création"].dt.to_pydatetime()
        for row in range(len(master)):  # cell by cell: the xlsx format has no bulk write
            r = row + 3
            for col, values in enumerate(columns):
                value = values[row]
                if col == 5:
                    ws.write_datetime(r, col, created[row], date)
                elif value is not None:
                    ws.write_string(r, col, value, text if col in (0, 3, 6) else None)
        ws.set_column(0, 0, 9)
        ws.set_column(1, 2, 34)
        ws.set_column(3, 3, 7)
        ws.set_column(4, 4, 22)
        ws.set_column(5, 6, 16)
        wb.close()


def _write_customers_parquet(sample: Sample, path: Path) -> None:
    """The customer master as Parquet (typed: text columns, creation date as a date)."""
    master = sample.customers
    columns = {h: _str_array(master[h]) for h in CUSTOMER_HEADERS if h != "Date création"}
    columns["Date création"] = pa.array(
        master["Date création"].to_numpy(dtype="datetime64[D]"), pa.date32()
    )
    table = pa.table({h: columns[h] for h in CUSTOMER_HEADERS})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_activity_csv(sample: Sample, path: Path) -> None:
    act = sample.activity
    table = pa.table({
        "Date": _french_dates(act["Date"], "%d/%m/%Y %H:%M"),
        "Commercial": _str_array(act["Commercial"]),
        "Type": _str_array(act["Type"]),
        "Client": _str_array(act["Client"]),
    })  # fmt: skip
    _write_csv(
        iter([table]), path, header=ACTIVITY_HEADERS, encoding="utf-8", delimiter=",", eol="\n"
    )


def _write_fec(sample: Sample, path: Path, *, batch_rows: int = 1_000_000) -> None:
    """The demo's books as a FEC: ISO-8859-15, ``|``, decimal comma, CRLF (:mod:`icpc.datasets.fec`)."""
    from icpc.datasets.fec import FEC_ENCODING, FEC_HEADERS, fec_table

    table = fec_table(sample)
    batches = (table.slice(i, batch_rows) for i in range(0, table.num_rows, batch_rows))
    _write_csv(batches, path, header=FEC_HEADERS, encoding=FEC_ENCODING, delimiter="|", eol="\r\n")


def write_sample(
    directory: str | Path,
    *,
    seed: int = 42,
    customers: int | None = None,
    years: int = 3,
    lines: int | None = None,
    fmt: str = "csv",
    fec: bool = False,
) -> Path:
    """Write the demo client (client de démonstration): config and exports, into a folder.

    Parameters
    ----------
    directory : str or Path
        Folder to write into (created if needed; files of the same names are replaced).
    seed, customers, years, lines
        As in :func:`generate_sample`.
    fmt : {"csv", "parquet"}
        Format of the transactions file: ``factures.csv`` (cp1252, ``;``, decimal comma,
        dd/mm/yyyy, CRLF, a "Total général" line) or ``factures.parquet`` (typed columns;
        the planted unparseable cells are nulls and there is no totals line). With
        ``parquet`` the customer master is ``clients.parquet`` too, else ``clients.xlsx``.
    fec : bool
        Write the demo's books as a FEC (``FEC.txt``: ISO-8859-15, ``|``, decimal comma)
        instead of the invoice lines, and a config with ``format: fec``: one sales entry
        per invoice or credit note of the invoice lines used (same KPIs as the
        invoice-line export), plus payments, purchases and opening entries. ``fmt`` then
        only chooses the customer master's format.

    Returns
    -------
    Path
        The written ``client.yaml``.

    Raises
    ------
    ConfigError
        On an unknown ``fmt`` or an impossible option.
    """
    fmt = str(fmt).lower()
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"icpc sample: --format must be csv or parquet, found {fmt!r}")
    sample = generate_sample(seed=seed, customers=customers, years=years, lines=lines)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if fec:
        _write_fec(sample, out / FEC_FILE)
    elif fmt == "parquet":
        _write_transactions_parquet(sample, out / "factures.parquet")
    else:
        _write_transactions_csv(sample, out / "factures.csv")
    if fmt == "parquet":
        _write_customers_parquet(sample, out / "clients.parquet")
    else:
        _write_customers_xlsx(sample, out / "clients.xlsx")
    _write_activity_csv(sample, out / "activite.csv")
    as_of = dt.date.fromisoformat(sample.truth["as_of"])
    config_path = atomic_write_text(
        out / "client.yaml", _config_text(seed=seed, as_of=as_of, fmt=fmt, fec=fec)
    )
    files = (
        ("factures.parquet", "clients.parquet")
        if fmt == "parquet"
        else ("factures.csv", "clients.xlsx")
    )
    if fec:
        files = (FEC_FILE, files[1])
    for name in (*files, "activite.csv", "client.yaml"):
        (out / name).chmod(0o644)  # the temporary files of atomic writes are private (0600)
    return config_path
