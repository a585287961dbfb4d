"""The FEC reader (``transactions.format: fec``), on FEC files the tests write.

A FEC is the accounting export of a French company: entries (JournalCode + EcritureNum)
of balanced lines. Only the sales lines (class 70) of entries with a customer line (411)
become invoice lines; every other FEC line lands in a ledger bucket of its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from icpc.cleaning import load_dataset
from icpc.cleaning.ledger import EXCLUDED, NO_CUSTOMER_LINE, NOT_SALES
from icpc.cli import main
from icpc.config import config_from_dict, load_config
from icpc.exceptions import InputError
from icpc.io import fec as fec_module
from icpc.io.fec import FEC_FIELDS, looks_like_fec

DC = ("Debit", "Credit")


def line(
    journal: str,
    number: str,
    date: str,
    account: str,
    debit: str = "",
    credit: str = "",
    *,
    aux: str = "",
    aux_name: str = "",
    piece: str = "",
    piece_date: str | None = None,
    label: str = "",
) -> dict[str, str]:
    """One FEC line as field -> text (PieceDate defaults to the entry date)."""
    return {
        "JournalCode": journal,
        "JournalLib": {"VE": "Ventes", "BQ": "Banque"}.get(journal, journal),
        "EcritureNum": number,
        "EcritureDate": date,
        "CompteNum": account,
        "CompteLib": f"Compte {account}",
        "CompAuxNum": aux,
        "CompAuxLib": aux_name,
        "PieceRef": piece,
        "PieceDate": date if piece_date is None else piece_date,
        "EcritureLib": label,
        "Debit": debit,
        "Credit": credit,
        "EcritureLet": "",
        "DateLet": "",
        "ValidDate": date,
        "Montantdevise": "",
        "Idevise": "",
    }


def render(
    lines: list[dict[str, str]],
    *,
    delimiter: str = "|",
    eol: str = "\n",
    layout: str = "debit/credit",
    sens: tuple[str, str] = ("D", "C"),
    extra: str | None = None,
    trailing: bool = False,
    zero: bool = False,
) -> str:
    """The FEC text: 18 fields (Montant + Sens in place of Debit/Credit with ``montant/sens``);
    ``zero`` writes 0,00 rather than nothing on the other side of each amount."""
    fields = list(FEC_FIELDS)
    if layout == "montant/sens":
        fields[fields.index("Debit") : fields.index("Credit") + 1] = ["Montant", "Sens"]
    header = fields + ([extra] if extra else [])
    rows = []
    for ln in lines:
        cells = dict(ln)
        if zero:
            for side in DC:
                cells[side] = cells[side] or "0,00"
        if layout == "montant/sens":
            debit = cells["Debit"] not in ("", "0,00")
            cells["Montant"] = cells["Debit"] if debit else cells["Credit"]
            cells["Sens"] = sens[0] if debit else sens[1]
        values = [cells[f] for f in fields] + (["X1"] if extra else [])
        rows.append(delimiter.join(values) + (delimiter if trailing else ""))
    return eol.join([delimiter.join(header), *rows]) + eol


def write(folder: Path, text: str, *, encoding: str = "utf-8", name: str = "FEC.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def config(folder: Path, name: str = "FEC.txt", **fec: Any) -> Any:
    block: dict[str, Any] = {"path": name, "format": "fec"}
    if fec:
        block["fec"] = fec
    return config_from_dict({"client": "Test", "transactions": block}, base_dir=folder)


def rows(ds: Any) -> list[tuple[str, str, float, str]]:
    tx = ds.transactions
    return list(
        zip(
            tx["customer_id"].astype(str),
            tx["date"].dt.strftime("%Y-%m-%d"),
            tx["amount"].round(2),
            tx["invoice_id"].astype(str),
            strict=True,
        )
    )


# --------------------------------------------------------------------------------------
# a FEC one can check by hand
# --------------------------------------------------------------------------------------
SGH = "Société Générale Hélène"
SMALL = [
    # 1-3 an invoice: 411 debit 120 = 707 credit 100 + VAT 20
    line("VE", "1", "20240115", "411000", "120,00", aux="C001", aux_name=SGH, piece="FA001"),
    line("VE", "1", "20240115", "707000", credit="100,00", piece="FA001"),
    line("VE", "1", "20240115", "445710", credit="20,00", piece="FA001"),
    # 4-7 an invoice on two sales accounts
    line(
        "VE",
        "2",
        "20240220",
        "411000",
        "300,00",
        aux="C002",
        aux_name="Dupont & Fils",
        piece="FA002",
    ),
    line("VE", "2", "20240220", "707000", credit="150,00", piece="FA002"),
    line("VE", "2", "20240220", "706000", credit="100,00", piece="FA002"),
    line("VE", "2", "20240220", "445710", credit="50,00", piece="FA002"),
    # 8-10 a credit note: 709 debit 20, VAT debit 4, 411 credit 24
    line("VE", "3", "20240305", "411000", credit="24,00", aux="C001", aux_name=SGH, piece="AV001"),
    line("VE", "3", "20240305", "709000", "20,00", piece="AV001"),
    line("VE", "3", "20240305", "445710", "4,00", piece="AV001"),
    # 11-12 a payment, 13-15 a purchase, 16-17 an opening entry
    line("BQ", "1", "20240310", "512000", "120,00", piece="VIR1"),
    line("BQ", "1", "20240310", "411000", credit="120,00", aux="C001", aux_name=SGH, piece="VIR1"),
    line("HA", "1", "20240312", "607000", "50,00", piece="F77"),
    line("HA", "1", "20240312", "445660", "10,00", piece="F77"),
    line(
        "HA",
        "1",
        "20240312",
        "401000",
        credit="60,00",
        aux="F01",
        aux_name="Grossiste",
        piece="F77",
    ),
    line("AN", "1", "20240101", "512000", "1000,00", piece="AN"),
    line("AN", "1", "20240101", "101300", credit="1000,00", piece="AN"),
    # 18-19 a sales entry without a customer line
    line("VE", "4", "20240320", "707000", credit="80,00", piece="FA004"),
    line("VE", "4", "20240320", "471000", "80,00", piece="FA004"),
    # 20-22 an entry whose date cannot be read
    line("VE", "5", "2024133", "411000", "60,00", aux="C003", aux_name="Martin", piece="FA005"),
    line("VE", "5", "2024133", "707000", credit="50,00", piece="FA005"),
    line("VE", "5", "2024133", "445710", credit="10,00", piece="FA005"),
]
SMALL_ROWS = [
    ("C001", "2024-01-15", 100.0, "FA001"),
    ("C002", "2024-02-20", 150.0, "FA002"),
    ("C002", "2024-02-20", 100.0, "FA002"),
    ("C001", "2024-03-05", -20.0, "AV001"),
]


def test_small_fec_gives_its_sales_lines_and_an_exact_ledger(tmp_path: Path) -> None:
    write(tmp_path, render(SMALL))
    ds = load_dataset(config(tmp_path))
    assert rows(ds) == SMALL_ROWS
    assert ds.transactions["source_row"].tolist() == [2, 5, 6, 9]
    led = ds.ledger
    assert led.rows_read == 22
    assert led.rows_used == 4 and led.amount_used == 330.0
    excluded = {k: v for k, v in led.rows_excluded.items() if v}
    assert excluded == {NOT_SALES: 16, NO_CUSTOMER_LINE: 1, "unparseable date": 1}
    assert led.amounts_excluded[NOT_SALES] == 0.0  # customer, VAT, bank, purchase lines count 0
    assert led.amounts_excluded[NO_CUSTOMER_LINE] == 80.0
    assert led.amounts_excluded["unparseable date"] == 50.0
    assert led.amount_read == 460.0
    assert led.rows_read == led.rows_used + sum(led.rows_excluded.values())
    assert (
        round((led.amount_read - led.amount_used - sum(led.amounts_excluded.values())) * 100) == 0
    )
    assert led.examples[NO_CUSTOMER_LINE] == [18] and led.examples["unparseable date"] == [21]
    assert led.details["format"] == "fec" and led.details["layout"] == "debit/credit"
    assert (
        led.details["entries"] == 8 and led.details["sales_entries"] == 4
    )  # FA005 counts: its date is the line's
    names = dict(zip(ds.customers["customer_id"], ds.customers["name"], strict=True))
    assert names == {"C001": SGH, "C002": "Dupont & Fils"}


def test_reasons_are_the_ledger_s() -> None:
    assert (fec_module.NOT_SALES, fec_module.NO_CUSTOMER_LINE, fec_module.EXCLUDED_BY_CONFIG) == (
        NOT_SALES,
        NO_CUSTOMER_LINE,
        EXCLUDED,
    )


def test_unreadable_amount_on_a_sales_line_only(tmp_path: Path) -> None:
    lines = [
        line("VE", "1", "20240115", "411000", "120,00", aux="C001", piece="FA001"),
        line(
            "VE", "1", "20240115", "707000", credit="12,34,5", piece="FA001"
        ),  # unreadable: excluded, 0
        line("VE", "1", "20240115", "707100", credit="100", piece="FA001"),
        line(
            "VE", "1", "20240115", "445710", credit="n/a", piece="FA001"
        ),  # not a sales line: 0, no reason
    ]
    write(tmp_path, render(lines))
    led = load_dataset(config(tmp_path)).ledger
    assert led.rows_used == 1 and led.amount_used == 100.0
    assert (
        led.rows_excluded["unparseable amount"] == 1
        and led.amounts_excluded["unparseable amount"] == 0.0
    )
    assert led.rows_excluded[NOT_SALES] == 2 and led.amount_read == 100.0


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("2.520,10", 2520.10),
        ("2,520.10", 2520.10),
        ("1.234.567,89", 1234567.89),
        ("2520,10", 2520.10),
    ],
)
def test_thousands_marks_some_software_writes_in_a_fec_are_read(
    tmp_path: Path, written: str, value: float
) -> None:
    """The law forbids them, some software writes them: a mark that groups by three before
    the other one is a thousands mark; one that does not stays unreadable."""
    lines = [
        line("VE", "1", "20240115", "411000", written, aux="C001", piece="FA001"),
        line("VE", "1", "20240115", "707000", credit=written, piece="FA001"),
        line("VE", "2", "20240116", "411000", "1,00", aux="C002", piece="FA002"),
        line("VE", "2", "20240116", "707000", credit="25.20,10", piece="FA002"),
    ]
    write(tmp_path, render(lines))
    ds = load_dataset(config(tmp_path))
    assert ds.transactions["amount"].tolist() == [value]
    assert ds.ledger.rows_excluded["unparseable amount"] == 1


# --------------------------------------------------------------------------------------
# one FEC, written many ways
# --------------------------------------------------------------------------------------
NAME2 = "Œuvres & Cie €"


def base_lines(
    *,
    aux: bool = True,
    piece: bool = True,
    piece_date: bool = True,
    date: str = "20240115",
    amounts: tuple[str, str, str] = ("120,00", "100,00", "20,00"),
) -> list[dict[str, str]]:
    """Two invoices, one credit note; the variants leave out the fields that have a fallback."""
    out = []
    entries = [
        ("VE1", "FA1", date, "411SGH", SGH, *amounts),
        ("VE2", "FA2", "20240220", "411OEU", NAME2, "60,00", "50,00", "10,00"),
    ]
    for number, ref, day, cust, name, ttc, ht, vat in entries:
        kw = {"piece": ref if piece else "", "piece_date": day if piece_date else ""}
        number = number if piece else ref  # without PieceRef, the document is EcritureNum
        entry_date = "20240131" if piece_date else day  # with PieceDate, the entry date is not used
        out += [
            line(
                "VE",
                number,
                entry_date,
                "411000" if aux else cust,
                ttc,
                aux=cust if aux else "",
                aux_name=name,
                **kw,
            ),
            line("VE", number, entry_date, "707000", credit=ht, **kw),
            line("VE", number, entry_date, "445710", credit=vat, **kw),
        ]
    ref, number = ("AV1", "VE3") if piece else ("AV1", "AV1")
    kw = {"piece": ref if piece else "", "piece_date": "20240305" if piece_date else ""}
    entry_date = "20240331" if piece_date else "20240305"
    out += [
        line(
            "VE",
            number,
            entry_date,
            "411000" if aux else "411SGH",
            credit="12,00",
            aux="411SGH" if aux else "",
            aux_name=SGH,
            **kw,
        ),
        line("VE", number, entry_date, "709000", "10,00", **kw),
        line("VE", number, entry_date, "445710", "2,00", **kw),
    ]
    return out


BASE_ROWS = [
    ("411SGH", "2024-01-15", 100.0, "FA1"),
    ("411OEU", "2024-02-20", 50.0, "FA2"),
    ("411SGH", "2024-03-05", -10.0, "AV1"),
]
VARIANTS = {
    "utf8-lf": ({}, {}),
    "utf8-bom": ({}, {"encoding": "utf-8-sig"}),
    "cp1252-crlf": ({"eol": "\r\n"}, {"encoding": "cp1252"}),
    "iso8859-15": ({}, {"encoding": "iso8859-15"}),
    "iso8859-15-crlf-tab": ({"eol": "\r\n", "delimiter": "\t"}, {"encoding": "iso8859-15"}),
    "tab": ({"delimiter": "\t"}, {}),
    "utf16-tab": ({"delimiter": "\t"}, {"encoding": "utf-16"}),
    "utf32": ({}, {"encoding": "utf-32"}),
    "montant-sens-dc": ({"layout": "montant/sens"}, {}),
    "montant-sens-signs": ({"layout": "montant/sens", "sens": ("+1", "-1")}, {}),
    "montant-sens-words": (
        {"layout": "montant/sens", "sens": ("Débit", "crédit")},
        {"encoding": "cp1252"},
    ),
    "extra-field": ({"extra": "CodeEtablissement"}, {}),
    "trailing-separator": ({"trailing": True}, {}),
    "zero-on-the-other-side": ({"zero": True}, {}),
    "zero-montant-sens": ({"zero": True, "layout": "montant/sens"}, {}),
}


@pytest.mark.parametrize("name", list(VARIANTS), ids=list(VARIANTS))
def test_every_way_of_writing_a_fec_gives_the_same_rows(tmp_path: Path, name: str) -> None:
    text_options, file_options = VARIANTS[name]
    write(tmp_path, render(base_lines(), **text_options), **file_options)
    ds = load_dataset(config(tmp_path))
    assert rows(ds) == BASE_ROWS
    assert dict(zip(ds.customers["customer_id"], ds.customers["name"], strict=True)) == {
        "411SGH": SGH,
        "411OEU": NAME2,
    }
    assert ds.ledger.rows_read == 9 and ds.ledger.rows_excluded[NOT_SALES] == 6
    assert (
        ds.ledger.details["encoding"]
        .replace("_", "-")
        .startswith(
            {
                "cp1252": "cp1252",
                "iso8859-15": "iso8859-15",
                "utf-16": "utf-16",
                "utf-32": "utf-32",
            }.get(file_options.get("encoding", ""), "utf-8")
        )
    )


FIELD_VARIANTS = {
    "date-with-time": {"date": "20240115 10:22:01"},
    "date-time-glued": {"date": "20240115102201"},
    "no-compauxnum": {"aux": False},
    "no-pieceref": {"piece": False},
    "no-piecedate": {"piece_date": False},
    "decimal-dot": {"amounts": ("120.00", "100.00", "20")},
}


@pytest.mark.parametrize("name", list(FIELD_VARIANTS), ids=list(FIELD_VARIANTS))
def test_fields_with_a_fallback_or_other_forms_give_the_same_rows(
    tmp_path: Path, name: str
) -> None:
    write(tmp_path, render(base_lines(**FIELD_VARIANTS[name])))
    assert rows(load_dataset(config(tmp_path))) == BASE_ROWS


def test_fec_named_csv_is_read_as_a_fec(tmp_path: Path) -> None:
    write(tmp_path, render(base_lines(), delimiter="\t"), name="ecritures.csv")
    assert rows(load_dataset(config(tmp_path, "ecritures.csv"))) == BASE_ROWS


# --------------------------------------------------------------------------------------
# options: journals, account prefixes
# --------------------------------------------------------------------------------------
JOURNALS = [
    line("VE", "1", "20240115", "411000", "120,00", aux="C1", piece="FA1"),
    line("VE", "1", "20240115", "707000", credit="100,00", piece="FA1"),
    line("VE", "1", "20240115", "445710", credit="20,00", piece="FA1"),
    line(
        "VX", "1", "20240116", "411000", "36,00", aux="C2", piece="EX1"
    ),  # same EcritureNum, other journal
    line("VX", "1", "20240116", "706000", credit="30,00", piece="EX1"),
    line("VX", "1", "20240116", "445710", credit="6,00", piece="EX1"),
    line(
        "VX", "2", "20240117", "706000", credit="5,00", piece="EX2"
    ),  # no customer line, excluded journal
    line("VX", "2", "20240117", "471000", "5,00", piece="EX2"),
]


def test_exclude_journals(tmp_path: Path) -> None:
    write(tmp_path, render(JOURNALS))
    everything = load_dataset(config(tmp_path))
    assert rows(everything) == [
        ("C1", "2024-01-15", 100.0, "FA1"),
        ("C2", "2024-01-16", 30.0, "EX1"),
    ]
    assert everything.ledger.rows_excluded[NO_CUSTOMER_LINE] == 1
    led = load_dataset(
        config(tmp_path, exclude_journals=["vx"])
    ).ledger  # codes compared without case
    assert led.rows_used == 1 and led.amount_used == 100.0
    assert led.rows_excluded[EXCLUDED] == 2 and led.amounts_excluded[EXCLUDED] == 35.0
    assert led.rows_excluded[NO_CUSTOMER_LINE] == 0  # the journal's exclusion wins
    assert led.rows_excluded[NOT_SALES] == 5


def test_every_sales_journal_excluded_says_to_check_the_exclusions(tmp_path: Path) -> None:
    """The bank and VAT lines (not sales) outnumber the sales lines excluded by the config:
    the message points at what left no sale, exclude_journals, not at sales_accounts."""
    write(tmp_path, render(JOURNALS))
    with pytest.raises(InputError) as err:
        load_dataset(config(tmp_path, exclude_journals=["VE", "VX"]))
    message = str(err.value)
    assert "excluded by config" in message
    assert message.endswith("check transactions.fec.exclude_journals and exclude in client.yaml")


def test_custom_account_prefixes(tmp_path: Path) -> None:
    lines = [
        line(
            "VE", "1", "20240115", "416000", "120,00", aux="C1", piece="FA1"
        ),  # doubtful customer account
        line("VE", "1", "20240115", "706100", credit="60,00", piece="FA1"),
        line("VE", "1", "20240115", "707000", credit="40,00", piece="FA1"),
        line("VE", "1", "20240115", "445710", credit="20,00", piece="FA1"),
        line("VE", "2", "20240116", "411000", "12,00", aux="C2", piece="FA2"),
        line("VE", "2", "20240116", "708500", credit="10,00", piece="FA2"),
        line("VE", "2", "20240116", "445710", credit="2,00", piece="FA2"),
    ]
    write(tmp_path, render(lines))
    default = load_dataset(config(tmp_path))
    assert rows(default) == [
        ("C2", "2024-01-16", 10.0, "FA2")
    ]  # 416 is no customer account by default
    assert default.ledger.rows_excluded[NO_CUSTOMER_LINE] == 2
    custom = load_dataset(
        config(tmp_path, sales_accounts=["7061", "708"], customer_accounts=["411", "416"])
    )
    assert rows(custom) == [("C1", "2024-01-15", 60.0, "FA1"), ("C2", "2024-01-16", 10.0, "FA2")]
    assert custom.ledger.rows_excluded[NOT_SALES] == 5  # 707000 is not a sales account here


def test_entry_with_several_customers_uses_the_first_and_warns(tmp_path: Path) -> None:
    lines = [
        line("VE", "1", "20240115", "411000", "60,00", aux="C1", piece="FA1"),
        line("VE", "1", "20240115", "411000", "60,00", aux="C2", piece="FA1"),
        line("VE", "1", "20240115", "707000", credit="100,00", piece="FA1"),
        line("VE", "1", "20240115", "445710", credit="20,00", piece="FA1"),
        # two due dates of one customer: one customer, no warning
        line("VE", "2", "20240116", "411000", "6,00", aux="C3", piece="FA2"),
        line("VE", "2", "20240116", "411000", "6,00", aux="C3", piece="FA2"),
        line("VE", "2", "20240116", "707000", credit="10,00", piece="FA2"),
        line("VE", "2", "20240116", "445710", credit="2,00", piece="FA2"),
    ]
    write(tmp_path, render(lines))
    ds = load_dataset(config(tmp_path))
    assert rows(ds) == [("C1", "2024-01-15", 100.0, "FA1"), ("C3", "2024-01-16", 10.0, "FA2")]
    warning = ds.ledger.warnings[fec_module.W_SEVERAL_CUSTOMERS]
    assert warning["rows"] == 1 and warning["amount"] == 100.0 and warning["examples"] == [3]


# --------------------------------------------------------------------------------------
# refused files
# --------------------------------------------------------------------------------------
def _lines_config(folder: Path, name: str) -> Path:
    path = folder / "client.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "client": "T",
                "transactions": {
                    "path": name,
                    "columns": {
                        "customer_id": "CompAuxNum",
                        "date": "EcritureDate",
                        "amount": "Debit",
                    },
                },
            }
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("delimiter", ["|", "\t", ";"], ids=["pipe", "tab", "semicolon"])
def test_fec_without_format_fec_is_refused(tmp_path: Path, delimiter: str) -> None:
    write(tmp_path, render(SMALL, delimiter=delimiter), name="ecritures.txt")
    with pytest.raises(
        InputError,
        match=r"^ecritures\.txt: this file is a FEC \(accounting entries\), not invoice "
        r'lines; add "format: fec" under transactions in client\.yaml and remove '
        r"transactions\.columns$",
    ):
        load_dataset(load_config(_lines_config(tmp_path, "ecritures.txt")))


def test_fec_without_format_fec_is_refused_by_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, render(SMALL), name="ecritures.txt")
    assert main(["validate", str(_lines_config(tmp_path, "ecritures.txt"))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'add "format: fec" under transactions' in err[0]


def test_invoice_lines_are_not_taken_for_a_fec(tmp_path: Path) -> None:
    assert not looks_like_fec("Code client;Date;Montant HT;Débit\n".encode())
    assert not looks_like_fec(
        b"JournalCode|EcritureNum|CompteNum|Montant\n"
    )  # no Sens, no Debit/Credit
    assert looks_like_fec(b"\xef\xbb\xbfjournal_code|ecriture_num|compte_num|DEBIT|CREDIT\r\n")


def test_missing_fec_fields_are_listed(tmp_path: Path) -> None:
    header = "JournalCode|JournalLib|EcritureDate|CompteLib|Debit|Credit"
    write(tmp_path, header + "\nVE|Ventes|20240101|Clients|1,00|\n")
    with pytest.raises(
        InputError,
        match=r"^FEC\.txt: not a readable FEC: field\(s\) EcritureNum, CompteNum not found "
        r'in the header line; headers are: "JournalCode", "JournalLib", '
        r'"EcritureDate", "CompteLib", "Debit", "Credit"; .*transactions\.format',
    ):
        load_dataset(config(tmp_path))


def test_missing_amount_fields_are_named(tmp_path: Path) -> None:
    header = "JournalCode|EcritureNum|EcritureDate|CompteNum|Debit|Sens"
    write(tmp_path, header + "\nVE|1|20240101|411000|1,00|D\n")
    with pytest.raises(
        InputError, match=r"field\(s\) Debit and Credit \(or Montant and Sens\) not found"
    ):
        load_dataset(config(tmp_path))


def test_fec_without_any_sales_entry(tmp_path: Path) -> None:
    write(tmp_path, render(SMALL[10:17]))  # payment, purchase, opening entry
    with pytest.raises(
        InputError,
        match=r"^FEC\.txt: no sales entry found among 3 entries: no line on an account "
        r"starting with 70 \(sales\).*accounts found: 512… \(2 lines\).*"
        r"set transactions\.fec\.sales_accounts",
    ):
        load_dataset(config(tmp_path))


def test_fec_whose_sales_have_no_customer_line(tmp_path: Path) -> None:
    write(tmp_path, render(SMALL[17:19]))
    with pytest.raises(
        InputError,
        match=r"1 line\(s\) on sales accounts \(70…\) but none in an entry with a customer "
        r"line \(411…\).*transactions\.fec\.customer_accounts",
    ):
        load_dataset(config(tmp_path))


def test_fec_header_only(tmp_path: Path) -> None:
    write(tmp_path, render([]))
    with pytest.raises(InputError, match=r"header line only, no entries"):
        load_dataset(config(tmp_path))


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"], ids=["cp1252", "utf-8"])
def test_malformed_line_is_counted(
    tmp_path: Path, encoding: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = render(base_lines(), eol="\r\n") + "VE|Ventes|Déjà|coupée\r\n"
    write(tmp_path, text, encoding=encoding)
    ds = load_dataset(config(tmp_path))
    assert rows(ds) == BASE_ROWS
    assert ds.ledger.rows_read == 10 and ds.ledger.rows_excluded["malformed line"] == 1
    assert (
        dict(zip(ds.customers["customer_id"], ds.customers["name"], strict=True))["411SGH"] == SGH
    )
    assert ds.ledger.details["encoding"] == encoding  # the file's, though read from a UTF-8 copy
    assert capsys.readouterr().err == ""  # no note from Arrow's row handler


def test_invoice_lines_given_as_a_fec(tmp_path: Path) -> None:
    write(tmp_path, "Code client;Date facture;Montant HT\nC1;01/01/2024;10,00\n")
    with pytest.raises(
        InputError,
        match=r"field\(s\) JournalCode, EcritureNum, EcritureDate, CompteNum, Debit and "
        r"Credit \(or Montant and Sens\) not found in the header line; headers are: "
        r'"Code client", "Date facture", "Montant HT"; .*transactions\.format',
    ):
        load_dataset(config(tmp_path))


# --------------------------------------------------------------------------------------
# the demo's books as a FEC
# --------------------------------------------------------------------------------------
def test_sample_fec_file(tmp_path: Path) -> None:
    config_path = write_sample_fec(tmp_path)
    data = (tmp_path / "FEC.txt").read_bytes()
    header = data.split(b"\r\n", 1)[0].decode("ascii")
    assert header.split("|") == list(FEC_FIELDS)
    data.decode("iso8859-15")
    cfg = load_config(config_path)
    assert cfg.transactions.format == "fec" and not cfg.transactions.columns
    assert not (tmp_path / "factures.csv").exists()
    journals = {ln.split(b"|", 1)[0] for ln in data.split(b"\r\n")[1:] if ln}
    assert journals == {b"AN", b"VE", b"BQ", b"HA"}


def write_sample_fec(folder: Path) -> Path:
    from icpc.datasets.demo import write_sample

    return write_sample(folder, seed=3, customers=120, years=2, fec=True)


def test_demo_fec_gives_the_kpis_of_the_invoice_lines(tmp_path: Path) -> None:
    from icpc.datasets.demo import write_sample
    from icpc.diagnostic import Diagnostic

    as_of = dt.date(2024, 12, 31)
    lines_cfg = load_config(write_sample(tmp_path / "lines", seed=42))
    fec_cfg = load_config(write_sample(tmp_path / "fec", seed=42, fec=True))
    assert lines_cfg.as_of == fec_cfg.as_of == as_of
    lines_diag, fec_diag = Diagnostic.from_config(lines_cfg), Diagnostic.from_config(fec_cfg)
    a, b = lines_diag.kpis_json(), fec_diag.kpis_json()
    no_margin = {"margin", "margin_rate"}  # a FEC has no margin
    assert {k: v for k, v in a["kpis"].items() if k not in no_margin} == {
        k: v for k, v in b["kpis"].items() if k not in no_margin
    }
    assert a["kpis"]["revenue"]["current"] > 0 and a["kpis"]["sales_count"]["current"] > 0
    for block in (
        "period",
        "previous_period",
        "bridge",
        "bridge_retained",
        "decomposition",
        "concentration",
        "segments",
        "early_warning",
    ):
        assert a[block] == b[block], block
    lines_ledger, fec_ledger = lines_diag.dataset.ledger, fec_diag.dataset.ledger
    assert (
        fec_ledger.rows_used == lines_ledger.rows_used
        and fec_ledger.amount_used == lines_ledger.amount_used
    )
    assert fec_ledger.rows_excluded[NOT_SALES] > 0 and fec_ledger.balanced
    # two lines of one invoice at one price are not a repeated line: same duplicates as the CSV
    dup = "exact duplicate lines"
    assert fec_ledger.warnings[dup]["rows"] == lines_ledger.warnings[dup]["rows"] == 3
    assert fec_ledger.details["sales_entries"] == len(
        set(fec_diag.dataset.transactions["invoice_id"])
    )


def test_two_lines_of_one_invoice_at_one_price_are_not_duplicates(tmp_path: Path) -> None:
    lines = [
        line("VE", "1", "20240115", "411000", "240,00", aux="C001", aux_name="A", piece="FA1"),
        line("VE", "1", "20240115", "707000", credit="100,00", piece="FA1", label="Vis"),
        line("VE", "1", "20240115", "707000", credit="100,00", piece="FA1", label="Boulons"),
        line("VE", "1", "20240115", "445710", credit="40,00", piece="FA1"),
        line("VE", "2", "20240116", "411000", "240,00", aux="C001", aux_name="A", piece="FA2"),
        line("VE", "2", "20240116", "707000", credit="100,00", piece="FA2", label="Vis"),
        line("VE", "2", "20240116", "707000", credit="100,00", piece="FA2", label="Vis"),
        line("VE", "2", "20240116", "445710", credit="40,00", piece="FA2"),
    ]
    write(tmp_path, render(lines))
    ds = load_dataset(config(tmp_path))
    assert ds.ledger.warnings["exact duplicate lines"]["rows"] == 1
    assert ds.ledger.warnings["exact duplicate lines"]["examples"] == [7]


def test_stray_windows_byte_in_a_utf8_fec_is_named(tmp_path: Path) -> None:
    good = render(
        [
            line(
                "VE",
                "1",
                "20240115",
                "411000",
                "120,00",
                aux="C001",
                aux_name="Hélène",
                piece="FA1",
            ),
            line("VE", "1", "20240115", "707000", credit="100,00", piece="FA1"),
            line("VE", "1", "20240115", "445710", credit="20,00", piece="FA1"),
        ]
    ).encode("utf-8")
    bad = render(
        [
            line(
                "VE", "2", "20240116", "411000", "60,00", aux="C002", aux_name="Chloé", piece="FA2"
            ),
            line("VE", "2", "20240116", "707000", credit="50,00", piece="FA2"),
            line("VE", "2", "20240116", "445710", credit="10,00", piece="FA2"),
        ]
    ).encode("cp1252")
    (tmp_path / "FEC.txt").write_bytes(good + bad.split(b"\n", 1)[1])
    ds = load_dataset(config(tmp_path))
    names = dict(zip(ds.customers["customer_id"], ds.customers["name"], strict=True))
    assert names == {"C001": "Hélène", "C002": "Chloé"}
    assert ds.ledger.details["encoding"] == "utf-8"
    assert ds.ledger.warnings["bytes not UTF-8, read as Windows-1252"]["rows"] == 1


def test_icpc_sample_fec_writes_a_fec_client(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sample", str(tmp_path / "books"), "--fec"]) == 0
    config_path = Path(capsys.readouterr().out.strip())
    cfg = load_config(config_path)
    assert cfg.transactions.format == "fec"
    assert looks_like_fec(cfg.transactions.path.read_bytes()[:4096])
    assert load_dataset(cfg).ledger.details["format"] == "fec"


# --------------------------------------------------------------------------------------
# invisible characters inside FEC fields: removed, and the lines counted
# --------------------------------------------------------------------------------------
W_INVISIBLE = "invisible characters (zero-width space, BOM) removed from values"
INVISIBLE = {
    "zero-width space": "\u200b",
    "left-to-right mark": "\u200e",
    "BOM": "\ufeff",
    "ctrl-z": "\x1a",
    "bell": "\x07",
}
#: (line of SMALL, field) where a character is planted: the sales line of invoice FA002, its
#: customer line, and the credit note's sales line
PLANTED = [
    (4, "CompteNum"),
    (4, "EcritureNum"),
    (4, "JournalCode"),
    (4, "PieceDate"),
    (4, "EcritureDate"),
    (4, "Credit"),
    (4, "PieceRef"),
    (3, "CompAuxNum"),
    (3, "CompteNum"),
    (3, "EcritureNum"),
    (3, "CompAuxLib"),
    (7, "CompteNum"),
    (8, "Debit"),
]


@pytest.mark.parametrize("char", list(INVISIBLE.values()), ids=list(INVISIBLE))
@pytest.mark.parametrize(("at", "field"), PLANTED, ids=[f"{f}-{i}" for i, f in PLANTED])
@pytest.mark.parametrize("where", ["start", "end", "middle"])
def test_invisible_characters_in_a_fec_field_change_nothing_but_are_counted(
    tmp_path: Path, char: str, at: int, field: str, where: str
) -> None:
    """A zero-width space in an account number made a sales line "not a sales line", in an
    entry number another entry (its sales lines without customer), in a date an unreadable
    date: the FEC reads as without it, and the ledger counts the lines that held one."""
    lines = [dict(ln) for ln in SMALL]
    value = lines[at][field]
    cut = {"start": 0, "end": len(value), "middle": len(value) // 2}[where]
    lines[at][field] = value[:cut] + char + value[cut:]
    write(tmp_path, render(lines))
    ds = load_dataset(config(tmp_path))
    assert rows(ds) == SMALL_ROWS
    names = dict(zip(ds.customers["customer_id"], ds.customers["name"], strict=True))
    assert names == {"C001": SGH, "C002": "Dupont & Fils"}
    led = ds.ledger
    assert led.rows_used == 4 and led.amount_used == 330.0
    assert {k: v for k, v in led.rows_excluded.items() if v} == {
        NOT_SALES: 16,
        NO_CUSTOMER_LINE: 1,
        "unparseable date": 1,
    }
    assert led.warnings[W_INVISIBLE]["rows"] >= 1


def test_a_fec_without_invisible_characters_has_no_such_warning(tmp_path: Path) -> None:
    write(tmp_path, render(SMALL))
    assert W_INVISIBLE not in load_dataset(config(tmp_path)).ledger.warnings


@pytest.mark.parametrize(
    "ending", ["\x1a", "\n\x1a", "\n\x1a\n"], ids=["no-break", "line", "line-nl"]
)
def test_ctrl_z_ending_a_fec_is_no_line(tmp_path: Path, ending: str) -> None:
    """A FEC written by a DOS-era program ends with Ctrl-Z: no line, no part of the last field."""
    write(tmp_path, render(SMALL).rstrip("\n") + ending)
    ds = load_dataset(config(tmp_path))
    assert rows(ds) == SMALL_ROWS
    assert ds.ledger.rows_read == 22 and ds.ledger.rows_excluded.get("malformed line", 0) == 0


def test_an_entry_whose_debits_and_credits_differ_is_set_aside(tmp_path: Path) -> None:
    """A sales credit mistyped (99 999,99 for 200,00): the entry no longer balances, and
    its sales line is no revenue to trust; set aside, counted, named."""
    from icpc.io.common import UNBALANCED_ENTRY

    lines = [
        line("VE", "1", "20240115", "411000", "240,00", aux="C001", aux_name="A", piece="FA1"),
        line("VE", "1", "20240115", "707000", credit="200,00", piece="FA1"),
        line("VE", "1", "20240115", "445710", credit="40,00", piece="FA1"),
        line("VE", "2", "20240116", "411000", "240,00", aux="C002", aux_name="B", piece="FA2"),
        line("VE", "2", "20240116", "707000", credit="99999,99", piece="FA2"),
        line("VE", "2", "20240116", "445710", credit="40,00", piece="FA2"),
        line("VE", "3", "20240117", "411000", "120,01", aux="C002", aux_name="B", piece="FA3"),
        line("VE", "3", "20240117", "707000", credit="100,00", piece="FA3"),
        line("VE", "3", "20240117", "445710", credit="20,00", piece="FA3"),  # one cent off
    ]
    write(tmp_path, render(lines))
    ds = load_dataset(config(tmp_path))
    led = ds.ledger
    assert ds.transactions["amount"].tolist() == [200.0]
    assert led.rows_excluded[UNBALANCED_ENTRY] == 2
    assert led.amounts_excluded[UNBALANCED_ENTRY] == pytest.approx(99999.99 + 100.0)
    assert led.examples[UNBALANCED_ENTRY] == [5, 8] and led.balanced


@pytest.mark.parametrize("seed", range(6))
def test_a_damaged_entry_of_a_generated_fec_takes_only_its_own_lines_out(
    tmp_path: Path, seed: int
) -> None:
    """In the demo's books, one sales line's credit changed: that entry's sales lines, and
    only they, leave the revenue; the rest of the FEC reads as before."""
    import numpy as np

    from icpc.io.common import UNBALANCED_ENTRY

    cfg = load_config(write_sample_fec(tmp_path / "fec"))
    path = cfg.transactions.path
    before = load_dataset(cfg)
    text = path.read_bytes().decode("latin-1")  # every byte kept as it is
    rows_ = text.split("\n")
    sep = "|" if "|" in rows_[0] else "\t"
    head = rows_[0].split(sep)
    at = {name: head.index(name) for name in ("JournalCode", "EcritureNum", "CompteNum", "Credit")}
    sales = [
        i
        for i, r in enumerate(rows_[1:], 1)
        if r and r.split(sep)[at["CompteNum"]].startswith("70")
    ]
    pick = sales[np.random.default_rng(seed).integers(len(sales))]
    cells = rows_[pick].split(sep)
    entry = (cells[at["JournalCode"]], cells[at["EcritureNum"]])
    cells[at["Credit"]] = "99999,99"
    rows_[pick] = sep.join(cells)
    path.write_bytes("\n".join(rows_).encode("latin-1"))
    after = load_dataset(cfg)
    tx = before.transactions
    mine = [
        r
        for r, line_ in enumerate(rows_[1:], 1)
        if line_ and tuple(line_.split(sep)[at[k]] for k in ("JournalCode", "EcritureNum")) == entry
    ]
    lost = tx["source_row"].isin(mine)
    assert after.ledger.rows_excluded[UNBALANCED_ENTRY] == int(lost.sum()) > 0
    assert after.ledger.rows_used == before.ledger.rows_used - int(lost.sum())
    assert after.ledger.amount_used == pytest.approx(
        before.ledger.amount_used - float(tx.loc[lost, "amount"].sum()), abs=0.005
    )
    assert after.ledger.balanced
