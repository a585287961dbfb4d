"""The client config contract (docs/CONFIG.md): accepted keys, defaults, and one clear error each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from icpc.config import Config, load_config, slugify
from icpc.exceptions import ConfigError

MINIMAL = """\
client: "Distribution Martin SAS"
transactions:
  path: factures.csv
  columns: {customer_id: "Code client", date: "Date facture", amount: "Montant HT"}
"""

FULL = """\
client: "Distribution Martin SAS"
slug: distribution-martin
as_of: 2024-12-31
period_months: 6
language: en
currency: eur
basis: margin
transactions:
  path: data/factures.xlsx
  sheet: Ventes
  encoding: cp1252
  delimiter: ";"
  decimal: ","
  thousands: " "
  date_format: "%d/%m/%Y"
  drop_duplicates: true
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
  path: clients.csv
  columns: {customer_id: "Code", name: "Raison sociale", address: "Adresse",
            postcode: "CP", city: "Ville", created_at: "Date création", siret: "SIRET"}
activity:
  path: activite.csv
  columns: {date: "Date", salesperson: "Commercial", type: "Type", customer_id: "Client"}
  types: {contact_received: ["Contact entrant"], call: ["Appel sortant"],
          call_completed: ["Appel abouti"]}
exclude:
  customers: ["C0042"]
  where: {region: ["Contentieux"]}
thresholds:
  lost_after_days: 400
  overdue_ratio: 2.5
  min_purchases_for_rhythm: 4
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "client.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_gets_the_documented_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    assert isinstance(cfg, Config)
    assert cfg.slug == "distribution-martin-sas"
    assert cfg.as_of is None
    assert (cfg.period_months, cfg.language, cfg.currency, cfg.basis) == (
        12,
        "fr",
        "EUR",
        "revenue",
    )
    assert cfg.transactions.path == (tmp_path / "factures.csv").resolve()
    assert cfg.transactions.encoding == "auto" and cfg.transactions.drop_duplicates is False
    assert cfg.thresholds.lost_after_days == 365
    assert cfg.thresholds.overdue_ratio == 2.0
    assert cfg.thresholds.min_purchases_for_rhythm == 3
    assert cfg.customers is None and cfg.activity is None


def test_every_design_key_is_accepted(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    assert cfg.slug == "distribution-martin"
    assert cfg.as_of == dt.date(2024, 12, 31)
    assert (cfg.period_months, cfg.language, cfg.currency, cfg.basis) == (6, "en", "EUR", "margin")
    assert cfg.transactions.path == (tmp_path / "data" / "factures.xlsx").resolve()
    assert cfg.transactions.sheet == "Ventes"
    assert (cfg.transactions.delimiter, cfg.transactions.decimal, cfg.transactions.thousands) == (
        ";",
        ",",
        " ",
    )
    assert cfg.transactions.columns["invoice_id"] == "N° facture"
    assert cfg.customers is not None and cfg.customers.columns["siret"] == "SIRET"
    assert cfg.activity is not None and cfg.activity.types["call_completed"] == ("Appel abouti",)
    assert cfg.exclude.customers == ("C0042",)
    assert cfg.exclude.where == {"region": ("Contentieux",)}
    assert cfg.thresholds.lost_after_days == 400 and cfg.thresholds.min_purchases_for_rhythm == 4
    assert len(cfg.input_files) == 3


def test_config_is_frozen(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    with pytest.raises(AttributeError):
        cfg.client = "other"  # type: ignore[misc]


def test_with_as_of_returns_a_copy(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    other = cfg.with_as_of("2023-06-30")
    assert other.as_of == dt.date(2023, 6, 30) and cfg.as_of is None
    with pytest.raises(ConfigError, match="as_of"):
        cfg.with_as_of("2023-02-30")


BAD = [
    pytest.param(
        MINIMAL.replace("client:", "cliend:"),
        r'unknown key "cliend"; did you mean "client"',
        id="misspelled-top-key",
    ),
    pytest.param(
        MINIMAL + "period_month: 6\n", r'did you mean "period_months"', id="misspelled-period"
    ),
    pytest.param(
        MINIMAL.replace("amount:", "amout:"),
        r'"transactions.columns.amout".*did you mean "amount"',
        id="misspelled-column-key",
    ),
    pytest.param(
        MINIMAL.replace('date: "Date facture", ', ""),
        r'"transactions.columns.date" is missing',
        id="missing-required-column",
    ),
    pytest.param(
        MINIMAL.replace('client: "Distribution Martin SAS"\n', ""),
        r'"client" is missing',
        id="missing-client",
    ),
    pytest.param('client: "X"\n', r'"transactions" is missing', id="missing-transactions"),
    pytest.param(
        MINIMAL + "as_of: 2024-02-30\n",
        r'"as_of" is not a valid date.*2024-02-30',
        id="impossible-date",
    ),
    pytest.param(
        MINIMAL + "period_months: twelve\n",
        r'"period_months" must be a whole number',
        id="wrong-type",
    ),
    pytest.param(
        MINIMAL + "period_months: 0\n", r'"period_months" must be at least 1', id="zero-period"
    ),
    pytest.param(
        MINIMAL + "period_months: 24300\n",
        r'"period_months" must be at most 120 \(ten years\), found 24300',
        id="huge-period",
    ),
    pytest.param(
        MINIMAL + "rfm_window_months: 121\n",
        r'"rfm_window_months" must be at most 120',
        id="huge-window",
    ),
    pytest.param(
        MINIMAL + "thresholds: {trend_months: 100000}\n",
        r'"thresholds.trend_months" must be at most 120',
        id="huge-trend",
    ),
    pytest.param(
        MINIMAL + "thresholds: {backtest_months: 500}\n",
        r'"thresholds.backtest_months" must be at most 120',
        id="huge-backtest",
    ),
    pytest.param(
        MINIMAL + "thresholds: {lost_after_days: 100000000}\n",
        r'"thresholds.lost_after_days" must be at most 36525 \(a century\)',
        id="huge-lost-after",
    ),
    pytest.param(
        MINIMAL + "thresholds: {new_within_days: 40000}\n",
        r'"thresholds.new_within_days" must be at most 36525',
        id="huge-new-within",
    ),
    pytest.param(
        MINIMAL.replace("transactions:\n", 'transactions:\n  date_format: "banana"\n'),
        r'"transactions.date_format" must be auto or a format naming the day \(%d\), the month .* found .banana.',
        id="date-format-without-directives",
    ),
    pytest.param(
        MINIMAL + "as_of: 1600-01-01\n",
        r'"as_of" must be between 1900-01-01 and 2199-12-31, found 1600-01-01',
        id="as-of-too-early",
    ),
    pytest.param(
        MINIMAL + "as_of: 2300-06-30\n",
        r'"as_of" must be between 1900-01-01 and 2199-12-31, found 2300-06-30',
        id="as-of-too-late",
    ),
    pytest.param(
        MINIMAL + "basis: margin\n",
        r"basis: margin.*needs a margin column",
        id="margin-without-column",
    ),
    pytest.param(MINIMAL + "language: de\n", r'"language" must be fr or en', id="bad-language"),
    pytest.param(
        MINIMAL.replace("factures.csv", "factures.pdf"),
        r'unsupported type "\.pdf"',
        id="bad-file-type",
    ),
    pytest.param(
        MINIMAL + "exclude: {where: {colour: [red]}}\n",
        r"exclude.where.colour.*not mapped",
        id="exclude-unmapped",
    ),
    pytest.param(
        MINIMAL + "thresholds: {overdue_ratio: -1}\n",
        r"overdue_ratio.*positive",
        id="negative-threshold",
    ),
    pytest.param(
        MINIMAL + "transactions2: 1\n",
        r'unknown key "transactions2"; did you mean "transactions"',
        id="unknown-key",
    ),
    pytest.param("client: [unclosed\n", r"not valid YAML at line", id="invalid-yaml"),
    pytest.param("", r"the config file is empty", id="empty-file"),
    pytest.param("- a\n- b\n", r"must be a mapping", id="not-a-mapping"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_config_gives_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_config(write(tmp_path, text))
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("client.yaml")


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Distribution Martin SAS", "distribution-martin-sas"),
        ("Société Générale d'Équipement", "societe-generale-d-equipement"),
        ("../../etc/passwd", "etc-passwd"),
        ("A/B\\C:D*E", "a-b-c-d-e"),
    ],
    ids=["plain", "accents", "path-traversal", "separators"],
)
def test_slug_is_a_safe_folder_name(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_unusable_slug_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot make a folder name"):
        load_config(write(tmp_path, MINIMAL + 'slug: "///"\n'))


# --------------------------------------------------------------------------------------
# transactions.format: fec
# --------------------------------------------------------------------------------------
FEC = """\
client: "Distribution Martin SAS"
transactions:
  path: FEC2024.txt
  format: fec
"""


def test_a_fec_config_gets_the_default_accounts(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FEC))
    assert cfg.transactions.format == "fec" and cfg.transactions.columns == {}
    fec = cfg.transactions.fec
    assert (fec.sales_accounts, fec.customer_accounts, fec.exclude_journals) == (
        ("70",),
        ("411",),
        (),
    )
    assert load_config(write(tmp_path, MINIMAL)).transactions.format == "lines"


def test_a_fec_config_may_exclude_customers_by_id(tmp_path: Path) -> None:
    text = FEC + 'exclude: {customers: ["411DUPONT"], where: {customer_id: ["411MARTIN"]}}\n'
    cfg = load_config(write(tmp_path, text))
    assert cfg.exclude.customers == ("411DUPONT",) and cfg.exclude.where == {
        "customer_id": ("411MARTIN",)
    }


def test_a_fec_config_may_exclude_on_a_customer_master_column(tmp_path: Path) -> None:
    text = (
        FEC + 'customers: {path: clients.csv, columns: {customer_id: "Code", region: "Secteur"}}\n'
    )
    cfg = load_config(write(tmp_path, text + 'exclude: {where: {region: ["Contentieux"]}}\n'))
    assert cfg.exclude.where == {"region": ("Contentieux",)}


FEC_BAD = [
    pytest.param(
        FEC + '  columns: {customer_id: "Code client"}\n',
        r'"transactions.columns" is not used with "format: fec".*remove the columns block',
        id="columns",
    ),
    pytest.param(
        FEC + "basis: margin\n",
        r'"basis: margin" cannot be used with "transactions.format: fec": a FEC holds the sales amounts, '
        r'not the margin; use "basis: revenue"',
        id="margin",
    ),
    pytest.param(
        FEC + 'exclude: {where: {region: ["Contentieux"]}}\n',
        r'"exclude.where.region" cannot be used with "transactions.format: fec": a FEC gives only the '
        r"customer of each entry; use exclude.customers or exclude.where.customer_id, or map region in the "
        r"customers block \(customers.columns.region\)",
        id="where-region",
    ),
    pytest.param(
        FEC + 'exclude: {where: {document_type: ["Avoir"]}}\n',
        r'"exclude.where.document_type" cannot be used with .*exclude.where.customer_id$',
        id="where-type",
    ),
    pytest.param(
        FEC.replace("format: fec", "format: sage"),
        r'"transactions.format" must be lines \(invoice lines, the default\) or fec .*found \'sage\'',
        id="unknown-format",
    ),
    pytest.param(
        MINIMAL + '  fec: {sales_accounts: ["706"]}\n',
        r'"transactions.fec" is only read with "transactions.format: fec"; add format: fec',
        id="fec-without-format",
    ),
    pytest.param(
        FEC + "  fec: {sales_accounts: []}\n",
        r'"transactions.fec.sales_accounts" is empty.*\["70"\]',
        id="no-sales-account",
    ),
    pytest.param(
        FEC + "  fec: {journals: [AN]}\n",
        r'unknown key "transactions.fec.journals"',
        id="fec-unknown-key",
    ),
    pytest.param(
        FEC + "customers: {path: clients.csv, format: fec, columns: {customer_id: Code}}\n",
        r'unknown key "customers.format"; only the transactions can be read from a FEC',
        id="customers-format",
    ),
    pytest.param(
        FEC + "activity: {path: a.csv, fec: {}, columns: {date: D, salesperson: S, type: T}}\n",
        r'unknown key "activity.fec"; only the transactions',
        id="activity-fec",
    ),
]


@pytest.mark.parametrize(("text", "message"), FEC_BAD)
def test_a_bad_fec_config_gives_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_config(write(tmp_path, text))
    assert "\n" not in str(info.value) and str(info.value).startswith("client.yaml: ")


def test_segment_rules_are_checked_when_the_config_is_read(tmp_path):
    from icpc.config import config_from_dict

    raw = {
        "client": "T",
        "transactions": {
            "path": "f.csv",
            "columns": {"customer_id": "a", "date": "b", "amount": "c"},
        },
        "segments": [{"name": "Recent", "r": [4, 5]}],
    }  # leaves r 1-3 without a segment
    with pytest.raises(ConfigError, match="without a segment"):
        config_from_dict(raw, base_dir=tmp_path)
