"""client.yaml as consultants really write it: ids YAML reads as numbers, alias bombs,
huge values, folders given as paths — each refused with one short line naming the key.

Also the message of a file that holds no sale (credit notes only), which must point at the
amount column rather than at ``as_of``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest

from icpc.cleaning import load_dataset
from icpc.config import config_from_dict, load_config
from icpc.config_yaml import MAX_ALIASES
from icpc.diagnostic import Diagnostic
from icpc.exceptions import AnalysisError, ConfigError

BASE = """\
client: "Distribution Martin SAS"
transactions:
  path: factures.csv
  columns: {customer_id: "Code client", date: "Date facture", amount: "Montant HT", region: "Secteur"}
"""


def write(tmp_path: Path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    """The one-line message of a config that must be refused."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message and message.startswith("client.yaml: ")
    return message


# --------------------------------------------------------------------------------------
# ids and codes are text
# --------------------------------------------------------------------------------------
NUMBERS_FROM_IDS = [
    pytest.param(
        "exclude: {customers: [00042, 01234]}",
        "exclude.customers: 00042 is read by YAML as the number 34, "
        'not the id "00042"; quote it: ["00042"]',
        id="octal-leading-zeros",
    ),
    pytest.param(
        'exclude: {customers: ["C1", 0042]}',
        "exclude.customers: 0042 is read by YAML as the number 34, "
        'not the id "0042"; quote it: ["0042"]',
        id="octal-second-item",
    ),
    pytest.param(
        "exclude: {customers: [0x1F]}",
        'exclude.customers: 0x1F is read by YAML as the number 31, not the id "0x1F"',
        id="hexadecimal",
    ),
    pytest.param(
        "exclude: {customers: [1_000]}",
        "exclude.customers: 1_000 is read by YAML as the number 1000",
        id="underscores",
    ),
    pytest.param(
        "exclude: {customers: [+42]}",
        'exclude.customers: +42 is read by YAML as the number 42, not the id "+42"',
        id="plus-sign",
    ),
    pytest.param(
        "exclude: {customers: [12:30]}",
        "exclude.customers: 12:30 is read by YAML as the number 750",
        id="sexagesimal",
    ),
    pytest.param(
        "exclude: {customers: [0.5]}",
        'exclude.customers: 0.5 is read by YAML as the number 0.5, not the id "0.5"',
        id="decimal",
    ),
    pytest.param(
        "exclude: {customers: [1.10]}",
        'exclude.customers: 1.10 is read by YAML as the number 1.1, not the id "1.10"',
        id="decimal-zero",
    ),
    pytest.param(
        "exclude: {customers: [.inf]}",
        "exclude.customers: .inf is read by YAML as the number inf",
        id="infinity",
    ),
    pytest.param(
        "exclude: {where: {region: [SE, NO]}}",
        'exclude.where.region: NO is read by YAML as false, not the code "NO"; quote it: ["NO"]',
        id="norway-is-false",
    ),
    pytest.param(
        "exclude: {where: {region: on}}",
        'exclude.where.region: on is read by YAML as true, not the code "on"; quote it: "on"',
        id="scalar-yes-no",
    ),
    pytest.param(
        "exclude: {where: {customer_id: [007]}}",
        'exclude.where.customer_id: 007 is read by YAML as the number 7, not the id "007"',
        id="where-customer-id",
    ),
]


@pytest.mark.parametrize(("block", "message"), NUMBERS_FROM_IDS)
def test_an_id_yaml_reads_as_a_number_is_refused_with_the_quoted_fix(
    tmp_path: Path, block: str, message: str
) -> None:
    assert refused(tmp_path, BASE + block + "\n").startswith("client.yaml: " + message)


def test_an_id_written_as_yaml_reads_it_is_kept_as_written(tmp_path: Path) -> None:
    # plain whole numbers count as their digits; what YAML 1.1 reads as text stays text
    text = BASE + 'exclude: {customers: [42, 4200, -7, "00042", 0089, 0o17, 1e5, C0042]}\n'
    cfg = load_config(write(tmp_path, text))
    assert cfg.exclude.customers == ("42", "4200", "-7", "00042", "0089", "0o17", "1e5", "C0042")


def test_numbers_outside_the_id_keys_stay_numbers(tmp_path: Path) -> None:
    text = (
        BASE
        + "period_months: 06\nthresholds: {lost_after_days: 400, overdue_ratio: 2.5, trend_fall: 0.5}\n"
    )
    cfg = load_config(write(tmp_path, text))
    assert cfg.period_months == 6 and type(cfg.period_months) is int
    assert (
        cfg.thresholds.lost_after_days,
        cfg.thresholds.overdue_ratio,
        cfg.thresholds.trend_fall,
    ) == (400, 2.5, 0.5)
    assert type(cfg.thresholds.overdue_ratio) is float


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("exclude: {customers: [C1, ~]}", r'"exclude.customers" holds an empty item \(null'),
        ("exclude: {customers: [C1, null]}", r'"exclude.customers" holds an empty item'),
        ("exclude:\n  customers:\n    - C1\n    -\n", r'"exclude.customers" holds an empty item'),
        ("exclude: {where: {region: ~}}", r'"exclude.where.region" is empty \(null\)'),
    ],
    ids=["tilde", "null", "bare-dash", "where-null"],
)
def test_null_in_an_id_list_is_refused(tmp_path: Path, block: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, BASE + block + "\n"))


FEC = """\
client: "Distribution Martin SAS"
transactions:
  path: fec.txt
  format: fec
"""


def test_fec_accounts_and_journals_are_text(tmp_path: Path) -> None:
    text = (
        FEC
        + '  fec: {sales_accounts: [706, "707"], customer_accounts: [411], exclude_journals: [AN, "01"]}\n'
    )
    fec = load_config(write(tmp_path, text)).transactions.fec
    assert (fec.sales_accounts, fec.customer_accounts, fec.exclude_journals) == (
        ("706", "707"),
        ("411",),
        ("AN", "01"),
    )


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "  fec: {sales_accounts: [0706]}",
            "transactions.fec.sales_accounts: 0706 is read by YAML as the number 454",
        ),
        (
            "  fec: {exclude_journals: [01]}",
            "transactions.fec.exclude_journals: 01 is read by YAML as the number 1, "
            'not the code "01"; quote it: \\["01"\\]',
        ),
        (
            "  fec: {exclude_journals: OFF}",
            "transactions.fec.exclude_journals: OFF is read by YAML as false",
        ),
    ],
    ids=["sales-octal", "journal-octal", "journal-off"],
)
def test_fec_codes_yaml_reads_as_numbers_are_refused(
    tmp_path: Path, block: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, FEC + block + "\n"))


def test_a_header_yaml_reads_as_false_is_refused(tmp_path: Path) -> None:
    text = BASE.replace('region: "Secteur"', "invoice_id: No")
    assert refused(tmp_path, text) == (
        'client.yaml: transactions.columns.invoice_id: No is read by YAML as false, not the header "No"; quote it: "No"'
    )


def test_activity_type_values_are_text(tmp_path: Path) -> None:
    text = (
        BASE
        + "activity:\n  path: a.csv\n  columns: {date: D, salesperson: S, type: T}\n  types: {call: [01, 2]}\n"
    )
    with pytest.raises(
        ConfigError, match="activity.types.call: 01 is read by YAML as the number 1"
    ):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([True], "true is a yes/no value, not a id"),
        ([0.5], "0.5 is a number, not a id"),
        ([["A"]], "must be text"),
    ],
    ids=["bool", "float", "nested-list"],
)
def test_dict_callers_get_the_same_id_rule(ids: list[Any], message: str) -> None:
    raw = yaml_dict(exclude={"customers": ids})
    with pytest.raises(ConfigError, match=message):
        config_from_dict(raw)


def test_dict_callers_get_whole_numbers_as_digits() -> None:
    cfg = config_from_dict(yaml_dict(exclude={"customers": [42, "C1"], "where": {"region": 12}}))
    assert cfg.exclude.customers == ("42", "C1") and cfg.exclude.where == {"region": ("12",)}


def yaml_dict(**extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "client": "X",
        "transactions": {
            "path": "factures.csv",
            "columns": {
                "customer_id": "Code",
                "date": "Date",
                "amount": "Montant",
                "region": "Secteur",
            },
        },
    }
    raw.update(extra)
    return raw


# --------------------------------------------------------------------------------------
# aliases, size, shape
# --------------------------------------------------------------------------------------
def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def bomb_items() -> str:
    """The same nine levels as items of a list (anchors inside a valid key)."""
    return "".join(f"  - {line.split(': ', 1)[1]}\n" for line in billion_laughs().splitlines())


@pytest.mark.parametrize(
    "text",
    [
        billion_laughs(),
        BASE + "segments:\n" + bomb_items() + "exclude:\n  customers: *a8\n",
        BASE + "segments:\n" + bomb_items(),
    ],
    ids=["top-level", "excluded-customers", "under-segments"],
)
def test_an_alias_bomb_is_refused_fast(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert time.perf_counter() - start < 5.0
    message = str(info.value)
    assert "\n" not in message and len(message) < 300
    assert message.startswith("client.yaml: too many YAML aliases (*name references)")


def test_the_bomb_is_refused_on_its_aliases(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"client.yaml: too many YAML aliases \(\*name references\): more than {MAX_ALIASES}",
    ):
        load_config(write(tmp_path, billion_laughs()))


def test_few_aliases_that_expand_hugely_are_refused(tmp_path: Path) -> None:
    # 24 levels of 2 aliases: 48 alias events, but 2**24 values once expanded
    lines = "".join(
        f"  - &l{i} [" + (f"*l{i - 1}, *l{i - 1}" if i else '"x", "x"') + "]\n" for i in range(24)
    )
    with pytest.raises(ConfigError, match="too many YAML aliases.*repeat more than 100000 values"):
        load_config(write(tmp_path, BASE + "segments:\n" + lines))


def test_an_alias_inside_itself_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="refers to the list or mapping it is in"):
        load_config(write(tmp_path, BASE + "segments: &s [*s]\n"))


def test_an_honest_config_may_use_a_few_aliases(tmp_path: Path) -> None:
    text = """\
client: &name "Distribution Martin SAS"
transactions:
  path: factures.csv
  columns: {customer_id: "Code client", date: "Date facture", amount: "Montant HT"}
exclude:
  customers: &ids ["C1", "C2"]
  where: {customer_id: *ids}
branding: {firm: *name, consultant: *name}
"""
    cfg = load_config(write(tmp_path, text))
    assert cfg.branding.firm == cfg.branding.consultant == "Distribution Martin SAS"
    assert cfg.exclude.customers == ("C1", "C2") and cfg.exclude.where == {
        "customer_id": ("C1", "C2")
    }


def test_merge_keys_work_and_their_ids_are_checked(tmp_path: Path) -> None:
    text = BASE + 'segments: [&base {name: "A", r: [1, 5]}]\nexclude: {<<: {customers: ["C1"]}}\n'
    assert load_config(write(tmp_path, text)).exclude.customers == ("C1",)
    with pytest.raises(
        ConfigError, match="exclude.customers: 00042 is read by YAML as the number 34"
    ):
        load_config(write(tmp_path, BASE + "exclude: {<<: {customers: [00042]}}\n"))


def test_a_large_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "client.yaml"
    path.write_bytes(b"[" * 3_400_000)  # not YAML, and 3.4 MB: the size speaks first
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert time.perf_counter() - start < 5.0
    assert str(info.value).startswith("client.yaml: 3.4 MB is far too large for a client config")


def test_a_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    notes = ("# " + "note " * 19 + "\n") * 9_800  # a long commented history: 0.96 MB in all
    ids = ", ".join(f'"C{i:05d}"' for i in range(2_000))
    path = write(tmp_path, BASE + notes + f"exclude: {{customers: [{ids}]}}\n")
    assert 0.95e6 < path.stat().st_size < 1e6
    cfg = load_config(path)
    assert len(cfg.exclude.customers) == 2_000 and cfg.exclude.customers[-1] == "C01999"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- client: X\n- transactions: {}\n", "must be a mapping of keys .*found a list"),
        ('"just text"\n', "must be a mapping of keys .*found the value 'just text'"),
        (BASE + "---\nclient: Other\n", "more than one YAML document"),
        (BASE + "client: Other\n", "key 'client' is given twice in one block \\(lines 1 and 5\\)"),
        (
            BASE.replace('region: "Secteur"}', 'region: "Secteur", date: "Date"}'),
            "key 'date' is given twice",
        ),
        ("[" * 5000 + "]" * 5000 + "\n", "must be a mapping"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "lists or mappings nested too deeply"),
    ],
    ids=[
        "list",
        "scalar",
        "two-documents",
        "duplicate-top-key",
        "duplicate-column",
        "deep-list",
        "deep-nesting",
    ],
)
def test_a_config_of_the_wrong_shape_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_config(write(tmp_path, text))
    assert str(info.value).startswith("client.yaml: ") and "\n" not in str(info.value)


def test_a_leading_document_marker_is_fine(tmp_path: Path) -> None:
    assert (
        load_config(write(tmp_path, "---\n" + BASE + "...\n")).client == "Distribution Martin SAS"
    )


def test_a_cp1252_config_with_an_undefined_byte_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "client.yaml"
    path.write_bytes(BASE.replace("Distribution Martin SAS", "Société \x81").encode("latin-1"))
    assert load_config(path).client == "Soci\u00e9t\u00e9 \ufffd"


def test_a_folder_given_as_the_config_says_so(tmp_path: Path) -> None:
    write(tmp_path, BASE)
    with pytest.raises(ConfigError, match=r"is a folder, not a config file; give .*client\.yaml"):
        load_config(tmp_path)


# --------------------------------------------------------------------------------------
# huge values: every message stays one short line naming the key
# --------------------------------------------------------------------------------------
HUGE = "é" * 1_000_000


def _set(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(yaml_dict())
    target = raw
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("client",), HUGE, '"client"'),
        (("slug",), HUGE, '"slug"'),
        (("slug",), "/" * 999, "folder name"),
        (("language",), HUGE, '"language"'),
        (("currency",), HUGE, '"currency"'),
        (("transactions", "path"), HUGE, '"transactions.path"'),
        (("transactions", "path"), "a" * 3000 + ".pdf", '"transactions.path"'),
        (("transactions", "columns", "amount"), HUGE, '"transactions.columns.amount"'),
        (("transactions", "columns", "amount"), [HUGE], '"transactions.columns.amount"'),
        (("transactions", "columns", HUGE), "x", "transactions.columns."),
        (("transactions", "delimiter"), HUGE, '"transactions.delimiter"'),
        (("transactions", "format"), HUGE, '"transactions.format"'),
        (("as_of",), HUGE, '"as_of"'),
        (("exclude", "customers"), HUGE, '"exclude.customers"'),
        (("exclude", "customers"), [HUGE], '"exclude.customers"'),
        (("exclude", "where", HUGE), ["x"], "exclude.where."),
        (("thresholds",), HUGE, '"thresholds"'),
        (("thresholds", "overdue_ratio"), HUGE, '"thresholds.overdue_ratio"'),
        ((HUGE,), 1, "unknown key"),
    ],
    ids=[
        "client",
        "slug",
        "slug-no-letters",
        "language",
        "currency",
        "path",
        "path-bad-suffix",
        "header",
        "header-list",
        "column-key",
        "delimiter",
        "format",
        "date",
        "exclude-not-list",
        "exclude-id",
        "where-column",
        "block-as-text",
        "threshold",
        "top-key",
    ],
)
def test_a_huge_value_gives_a_short_message_naming_the_key(
    path: tuple[str, ...], value: Any, key: str
) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(_set(path, value), source=Path("client.yaml"))
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message[:500]
    assert message.startswith("client.yaml: ") and key in message


def test_a_huge_value_in_a_file_gives_a_short_message(tmp_path: Path) -> None:
    text = BASE.replace("Distribution Martin SAS", "x" * 900_000)  # under the 1 MB limit
    message = refused(tmp_path, text)
    assert len(message) < 400 and '"client" is far too long (900000 characters' in message


# --------------------------------------------------------------------------------------
# paths: a folder, a missing file
# --------------------------------------------------------------------------------------
def test_a_folder_as_path_lists_its_table_files(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    for name in ("factures.csv", "clients.xlsx", "notes.pdf", "lisez-moi.md"):
        (tmp_path / "exports" / name).write_text("x", encoding="utf-8")
    (
        tmp_path / "exports" / "archive.csv"
    ).mkdir()  # a folder, even with a table suffix, is not listed
    assert refused(tmp_path, BASE.replace("factures.csv", "exports/")) == (
        'client.yaml: transactions.path "exports" is a folder, not a file; it holds clients.xlsx, factures.csv; '
        "give the file's name, e.g. exports/clients.xlsx"
    )


def test_a_folder_with_many_table_files_lists_five(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    for i in range(7):
        (tmp_path / "exports" / f"ventes_{i}.csv").write_text("x", encoding="utf-8")
    message = refused(tmp_path, BASE.replace("factures.csv", "exports"))
    assert (
        "it holds ventes_0.csv, ventes_1.csv, ventes_2.csv, ventes_3.csv, ventes_4.csv and 2 more;"
        in message
    )


def test_a_folder_without_table_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "vide.csv").mkdir()
    message = refused(tmp_path, BASE.replace("factures.csv", "vide.csv"))
    assert message.startswith(
        'client.yaml: transactions.path "vide.csv" is a folder, not a file; it holds no table file'
    )


def test_a_missing_file_with_a_good_suffix_is_left_to_the_reader(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, BASE.replace("factures.csv", "absent/factures.csv")))
    assert cfg.transactions.path == (tmp_path / "absent" / "factures.csv").resolve()
    with pytest.raises(
        ConfigError, match=r'"transactions.path" factures.pdf has an unsupported type "\.pdf"'
    ):
        load_config(write(tmp_path, BASE.replace("factures.csv", "absent/factures.pdf")))


# --------------------------------------------------------------------------------------
# numbers that used to crash
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("period_months: .inf", '"period_months" must be a whole number, found inf'),
        (
            "thresholds: {overdue_ratio: .nan}",
            '"thresholds.overdue_ratio" must be a number, found nan',
        ),
        ("thresholds: {trend_fall: -.inf}", '"thresholds.trend_fall" must be a number, found -inf'),
    ],
    ids=["infinite-period", "nan-ratio", "minus-infinity"],
)
def test_infinite_numbers_are_refused(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, BASE + line + "\n"))


# --------------------------------------------------------------------------------------
# a file with no sale: the message points at the right fix
# --------------------------------------------------------------------------------------
def client_with(
    tmp_path: Path,
    lines: list[str],
    *,
    extra: str = "",
    header: str = "Code client;Date;Montant HT",
) -> Path:
    (tmp_path / "factures.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    columns = '{customer_id: "Code client", date: "Date", amount: "Montant HT"' + (
        ', invoice_id: "Facture"}' if "Facture" in header else "}"
    )
    text = (
        f'client: "Avoirs SARL"\ntransactions:\n  path: factures.csv\n  columns: {columns}\n{extra}'
    )
    return write(tmp_path, text)


CREDIT_NOTES = ["C1;2024-01-10;-100,50", "C2;2024-02-10;-1134,00", "C3;2024-03-10;0,00"]


def test_credit_notes_only_point_at_the_amount_column(tmp_path: Path) -> None:
    dataset = load_dataset(load_config(client_with(tmp_path, CREDIT_NOTES)))
    with pytest.raises(AnalysisError) as info:
        Diagnostic(dataset)
    assert str(info.value) == (
        "factures.csv: no sale to analyse: the 3 rows used are all credit notes or zero amounts "
        "(credit notes: 2 rows, zero amounts: 1 row, total -1 234,50 EUR); check that transactions.columns.amount "
        "is the net amount with sales positive, or export the invoices too"
    )


def test_credit_notes_only_in_english(tmp_path: Path) -> None:
    dataset = load_dataset(load_config(client_with(tmp_path, CREDIT_NOTES, extra="language: en\n")))
    with pytest.raises(
        AnalysisError, match=r"total -1,234\.50 EUR\); check that transactions\.columns\.amount"
    ):
        Diagnostic(dataset)


def test_as_of_before_the_sales_keeps_the_as_of_advice(tmp_path: Path) -> None:
    lines = ["C1;2024-01-10;-100,00", "C1;2024-02-10;250,00", "C2;2024-03-10;300,00"]
    config = load_config(client_with(tmp_path, lines)).with_as_of(dt.date(2024, 1, 31))
    dataset = load_dataset(config)
    assert dataset.ledger.rows_excluded["after as_of"] == 2
    with pytest.raises(AnalysisError) as info:
        Diagnostic(dataset)
    assert str(info.value) == (
        "factures.csv: as_of 2024-01-31 is before the first sale (no invoice with a positive total is dated on "
        "or before it, 1 row used, 2 rows dated after it); set a later as_of in the config or pass --as-of YYYY-MM-DD"
    )


def test_credit_notes_cancelling_every_invoice_name_the_invoice_column(tmp_path: Path) -> None:
    lines = [
        "C1;2024-01-10;100,00;F1",
        "C1;2024-01-10;-100,00;F1",
        "C2;2024-02-10;50,00;F2",
        "C2;2024-02-11;-60,00;F2",
    ]
    path = client_with(tmp_path, lines, header="Code client;Date;Montant HT;Facture")
    with pytest.raises(AnalysisError) as info:
        Diagnostic(load_dataset(load_config(path)))
    assert str(info.value) == (
        "factures.csv: no sale to analyse: no document of the 4 rows used has a positive total, the credit notes "
        "cancel the invoices (credit notes: 2 rows, zero amounts: 0 rows, total -10,00 EUR); "
        "check transactions.columns.amount and transactions.columns.invoice_id"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "utf-32"])
def test_config_saved_as_unicode_by_notepad_is_read(tmp_path, encoding):
    text = 'client: "Société Générale"\ntransactions:\n  path: f.csv\n  columns: {customer_id: a, date: b, amount: c}\n'
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # Notepad writes the BOM
    (tmp_path / "client.yaml").write_bytes(data)
    from icpc.config import load_config

    assert load_config(tmp_path / "client.yaml").client == "Société Générale"


def test_control_character_in_the_config_is_one_line(tmp_path):
    (tmp_path / "client.yaml").write_text(
        'client: "A\x07B"\ntransactions: {path: f.csv}\n', encoding="utf-8"
    )
    from icpc.config import load_config

    with pytest.raises(
        ConfigError, match=r"client\.yaml: a control character \(U\+0007\) on line 1"
    ):
        load_config(tmp_path / "client.yaml")


def test_transactions_without_columns_suggest_the_fec(tmp_path):
    (tmp_path / "client.yaml").write_text(
        "client: T\ntransactions: {path: FEC.txt}\n", encoding="utf-8"
    )
    from icpc.config import load_config

    with pytest.raises(
        ConfigError,
        match=r'"transactions.columns" is missing; map the headers of FEC\.txt.*'
        r'add "format: fec" if the file is the accounting FEC',
    ):
        load_config(tmp_path / "client.yaml")


@pytest.mark.parametrize(
    ("types", "said"),
    [
        (
            '{contact_received: ["Contact entrant"], call: ["Contact entrant"]}',
            "activity.types.contact_received and activity.types.call",
        ),
        (
            '{call: ["Appel abouti"], call_completed: ["APPEL ABOUTI"]}',
            "list it under call_completed only",
        ),
        (
            '{call: ["Appel sortant"], call_completed: ["Appel abouti", "appel sortant"]}',
            '"appel sortant" is listed',
        ),
    ],
    ids=["two-types", "call-and-completed-case", "accents-and-case"],
)
def test_a_value_under_two_activity_types_is_refused(tmp_path: Path, types: str, said: str) -> None:
    """The log's rows would silently count as one of the two types: refused, with the fix."""
    text = (
        BASE
        + f"activity:\n  path: a.csv\n  columns: {{date: D, salesperson: S, type: T}}\n  types: {types}\n"
    )
    with pytest.raises(ConfigError, match=re.escape(said)):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "50",
            r'"thresholds.trend_fall" must be a fraction between 0 and 1 \(0.5 for a half\), found 50; for 50 %, write 0.5$',
        ),
        ("1.5", r"found 1.5$"),
        ("250", r"found 250$"),
        ("0", r'"thresholds.trend_fall" must be positive, found 0'),
        ("-0.2", r"must be positive"),
    ],
)
def test_trend_fall_is_a_fraction(tmp_path: Path, value: str, message: str) -> None:
    assert re.search(message, refused(tmp_path, BASE + f"thresholds: {{trend_fall: {value}}}\n"))


@pytest.mark.parametrize("value", ["1", "0.999", "0.01"])
def test_trend_fall_up_to_one_is_accepted(tmp_path: Path, value: str) -> None:
    assert load_config(
        write(tmp_path, BASE + f"thresholds: {{trend_fall: {value}}}\n")
    ).thresholds.trend_fall == float(value)
