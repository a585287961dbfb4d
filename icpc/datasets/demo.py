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
exporting from a warehouse exports its master the same way) and ``activite.csv`` (UTF-8),
through the writers of :mod:`icpc.datasets.exports`. Same seed, byte-identical files.
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
import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from icpc.datasets.customers import _build_customers, _customer_master, _day, _shift_months
from icpc.datasets.exports import (
    _write_activity_csv,
    _write_customers_parquet,
    _write_customers_xlsx,
    _write_fec,
    _write_transactions_csv,
    _write_transactions_parquet,
)
from icpc.datasets.sales import _activity, _plant_dirty_rows, _transactions
from icpc.datasets.story import (
    BONUS_SALESPERSON,
    CLIENT_NAME,
    CLIENT_SLUG,
    CONSULTANT,
    DEFAULT_AS_OF,
    DEFAULT_CUSTOMERS,
    FIRM,
    K_BONUS,
    K_CANCELLED,
    K_LOST_BIG,
    K_PROSPECT,
    K_SLIPPING,
    LINES_PER_CUSTOMER_YEAR,
    SALESPEOPLE,
    Sample,
)
from icpc.exceptions import ConfigError
from icpc.fsutil import atomic_write_text, sha256_file

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
    product: "Désignation"
    product_family: "Famille"
    quantity: "Quantité"
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
    contact: "Interlocuteur"
    phone: "Téléphone"
    email: "E-mail"
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


def sample_identity(seed: int, *, demo: bool = False) -> tuple[str, str]:
    """The client name and slug of a sample: the demo's own only when asked.

    Example
    -------
    >>> sample_identity(7), sample_identity(42, demo=True)
    (('Client échantillon 7', 'client-echantillon-7'), ('Distribution Martin SAS', 'distribution-martin'))
    """
    if demo:
        return CLIENT_NAME, CLIENT_SLUG
    return f"Client échantillon {seed}", f"client-echantillon-{seed}"


def _config_text(
    *, seed: int, as_of: dt.date, fmt: str, fec: bool = False, demo: bool = True
) -> str:
    client, slug = sample_identity(seed, demo=demo)
    text = CONFIG_TEMPLATE.format(
        seed=seed, client=client, slug=slug, as_of=as_of.isoformat(),
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
        older lines carry a former salesperson), ``bad_emails`` (customers whose e-mail
        is written ``…[at]…``), ``dirty_rows`` (count per kind:
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
    # contacts, items and quantities have streams of their own: they change nothing else
    master, clusters = _customer_master(rng, cust, np.random.default_rng([seed, 2]))
    item_rng = np.random.default_rng([seed, 1])
    clean, extra = _transactions(
        rng,
        cust,
        item_rng=item_rng,
        quantity_rng=np.random.default_rng([seed, 3]),
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
        "bad_emails": sorted(
            master.loc[master["E-mail"].str.contains("[at]", regex=False, na=False), "Code"]
        ),
        "dirty_rows": {**{k: len(v) for k, v in dirty_pos.items()}, "total_line": 1},
        "dirty_positions": dirty_pos,
    }
    config = yaml.safe_load(_config_text(seed=seed, as_of=as_of, fmt="csv"))
    return Sample(transactions=tx, customers=master, activity=activity, config=config, truth=truth)


def write_sample(
    directory: str | Path,
    *,
    seed: int = 42,
    customers: int | None = None,
    years: int = 3,
    lines: int | None = None,
    fmt: str = "csv",
    fec: bool = False,
    demo: bool = False,
    force: bool = False,
) -> Path:
    """Write the demo client (client de démonstration): config and exports, into a folder.

    Parameters
    ----------
    directory : str or Path
        Folder to write into (created if needed). Files a sample wrote there before, and
        nobody edited since, are replaced; any other file of the same name stops it
        (:class:`ConfigError`) unless ``force``.
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
    demo : bool
        Give the sample the demo's own client name and slug (``Distribution Martin SAS``,
        ``distribution-martin``: how ``data_samples/demo`` is written). Otherwise it is
        ``Client échantillon <seed>``, so that its reports never land in the demo's folder.
    force : bool
        Replace files of the same names even when edited or not written by a sample.

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
    out = Path(directory)
    if not force:
        _refuse_overwrite(out)
    sample = generate_sample(seed=seed, customers=customers, years=years, lines=lines)
    client, _ = sample_identity(seed, demo=demo)
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
        _write_customers_xlsx(sample, out / "clients.xlsx", client=client)
    _write_activity_csv(sample, out / "activite.csv")
    as_of = dt.date.fromisoformat(sample.truth["as_of"])
    config_path = atomic_write_text(
        out / "client.yaml", _config_text(seed=seed, as_of=as_of, fmt=fmt, fec=fec, demo=demo)
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
    written = {name: sha256_file(out / name) for name in (*files, "activite.csv", "client.yaml")}
    atomic_write_text(out / SAMPLE_RECORD, json.dumps({"files": written}, indent=1) + "\n")
    return config_path


#: what a sample wrote in its folder (file → SHA-256): a rerun replaces only these, unedited
SAMPLE_RECORD = ".icpc-sample.json"
#: every file a sample may write
_SAMPLE_FILES = ("client.yaml", "factures.csv", "factures.parquet", FEC_FILE, "clients.xlsx",
                 "clients.parquet", "activite.csv")  # fmt: skip


def _refuse_overwrite(out: Path) -> None:
    """Stop before a sample replaces a file it did not write, or that was edited since."""
    existing = [name for name in _SAMPLE_FILES if (out / name).is_file()]
    if not existing:
        return
    try:
        record = json.loads((out / SAMPLE_RECORD).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        record = {}
    for name in existing:
        if record.get(name) != sha256_file(out / name):
            why = (
                "was edited since the sample wrote it"
                if name in record
                else "was not written by icpc sample"
            )
            raise ConfigError(
                f"{out / name}: exists and {why}; write the sample to another folder, or "
                "add --force to replace it"
            )
