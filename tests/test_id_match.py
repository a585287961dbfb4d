"""Customer codes that the customer file or the activity log writes otherwise than the
invoices (case, spaces, leading zeros): matched when unambiguous, else left as written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icpc.cleaning import load_dataset
from icpc.cleaning.id_match import (
    W_IDS_MATCHED,
    WHERE_NOT_FOUND,
    id_keys,
    match_ids,
    where_not_found,
)
from icpc.config import config_from_dict

W_MISSING = "transaction customers missing from master"
W_WITHOUT = "customers without transactions"

#: how another screen of the software writes the invoices' codes
WRITINGS = {
    "lower case": str.lower,
    "upper case": str.upper,
    "a space inside": lambda c: c[:1] + " " + c[1:],
    "spaces removed": lambda c: c.replace(" ", ""),
    "zero-padded": lambda c: c.zfill(8) if c.isdigit() else c,
    "zeros dropped": lambda c: c.lstrip("0") or "0" if c.isdigit() else c,
}
#: the invoices' codes, of each usual shape
CODES = {
    "letters and digits": ["C001", "C002", "C010", "D001"],
    "digits, padded": ["000123", "000045", "000007", "001000"],
    "digits": ["123", "45", "7", "1000"],
    "with a space": ["FR 01", "FR 02", "BE 01", "FR 10"],
}


@pytest.mark.parametrize("codes", list(CODES.values()), ids=list(CODES))
@pytest.mark.parametrize("writing", list(WRITINGS), ids=list(WRITINGS))
def test_codes_written_otherwise_are_matched_one_to_one(codes, writing):
    other = [WRITINGS[writing](c) for c in codes]
    mapping = match_ids(pd.Index(codes), pd.Index(other))
    expected = {o: c for o, c in zip(other, codes, strict=True) if o != c}
    assert mapping == expected


def test_exact_matches_are_kept_and_only_the_others_rewritten():
    mapping = match_ids(pd.Index(["C001", "C002", "C003"]), pd.Index(["C001", "c002", "X9"]))
    assert mapping == {"c002": "C002"}


@pytest.mark.parametrize(
    ("invoiced", "other"),
    [
        (["C001", "c001"], ["C 001"]),  # two invoice customers share the key: which one?
        (["C001"], ["c001", "C 001"]),  # two master customers share it
        (["C001"], ["C001", "c001"]),  # the invoice code has its exact match already
        (["123", "0123"], ["00123"]),  # 123 and 0123 invoiced: two customers
        (["C1"], ["C001"]),  # zeros inside a code that is not digits only: another code
        (["A-01"], ["A01"]),  # a hyphen is part of the code
    ],
)
def test_ambiguous_or_different_codes_are_left_as_written(invoiced, other):
    assert match_ids(pd.Index(invoiced), pd.Index(other)) == {}


_code = st.text(alphabet="abcAB01 -", min_size=1, max_size=5).filter(lambda s: s.strip())


@settings(max_examples=300, deadline=None)
@given(st.lists(_code, unique=True, max_size=12), st.lists(_code, unique=True, max_size=12))
def test_matching_is_one_to_one_between_codes_of_one_key(invoiced, other):
    mapping = match_ids(pd.Index(invoiced), pd.Index(other))
    keys_i = (
        dict(zip(invoiced, id_keys(pd.Index(invoiced)).to_pylist(), strict=True))
        if invoiced
        else {}
    )
    keys_o = dict(zip(other, id_keys(pd.Index(other)).to_pylist(), strict=True)) if other else {}
    assert len(set(mapping.values())) == len(mapping)  # never two codes onto one customer
    for code, target in mapping.items():
        assert code not in invoiced and target not in other  # only codes without an exact match
        assert keys_o[code] == keys_i[target]
        assert list(keys_i.values()).count(keys_i[target]) == 1
        assert list(keys_o.values()).count(keys_o[code]) == 1


# --------------------------------------------------------------------------------------
# a client whose customer file and activity log write the codes in lower case
# --------------------------------------------------------------------------------------
def _client(folder: Path, master: list[str], activity: list[str] | None = None, **extra):
    (folder / "factures.csv").write_text(
        "Code client;Date;Montant\n"
        "C001;03/01/2024;100,00\n"
        "C002;04/01/2024;50,00\n"
        "C001;05/02/2024;25,50\n"
        "C003;06/03/2024;10,00\n",
        encoding="utf-8",
    )
    (folder / "clients.csv").write_text("\n".join(master) + "\n", encoding="utf-8")
    raw = {
        "client": "T",
        "as_of": "2024-12-31",
        "transactions": {
            "path": "factures.csv",
            "columns": {"customer_id": "Code client", "date": "Date", "amount": "Montant"},
        },
        "customers": {
            "path": "clients.csv",
            "columns": {"customer_id": "Code", "name": "Nom", "region": "Secteur"},
        },
        **extra,
    }
    if activity is not None:
        (folder / "activite.csv").write_text("\n".join(activity) + "\n", encoding="utf-8")
        raw["activity"] = {
            "path": "activite.csv",
            "columns": {
                "date": "Date",
                "salesperson": "Commercial",
                "type": "Type",
                "customer_id": "Client",
            },
            "types": {"call": ["Appel"]},
        }
    return config_from_dict(raw, base_dir=folder)


MASTER = ["Code;Nom;Secteur", "c001;Martin SA;Nord", "c002;Dupont;Sud", "c003;Durand;Nord"]


def test_a_master_in_lower_case_gives_its_names_and_says_so(tmp_path):
    ds = load_dataset(_client(tmp_path, MASTER))
    names = dict(zip(ds.customers["customer_id"], ds.customers["name"], strict=True))
    assert names == {"C001": "Martin SA", "C002": "Dupont", "C003": "Durand"}
    warnings = ds.ledgers["customers"].warnings
    assert warnings[W_IDS_MATCHED] == {"rows": 3, "amount": 0.0, "customers": 3}
    assert warnings[W_MISSING]["rows"] == 0 and warnings[W_WITHOUT]["rows"] == 0
    assert ds.ledger.rows_used == 4 and ds.ledger.amount_used == 185.5


def test_a_master_rule_still_excludes_the_invoices_of_codes_written_otherwise(tmp_path):
    ds = load_dataset(_client(tmp_path, MASTER, exclude={"where": {"region": ["Sud"]}}))
    assert ds.transactions["customer_id"].astype(str).tolist() == ["C001", "C001", "C003"]
    assert ds.ledger.rows_excluded["excluded by config"] == 1
    assert ds.ledger.amounts_excluded["excluded by config"] == 50.0


def test_a_master_written_as_invoiced_has_no_such_warning(tmp_path):
    master = [line.replace("c00", "C00") for line in MASTER]
    ds = load_dataset(_client(tmp_path, master))
    assert W_IDS_MATCHED not in ds.ledgers["customers"].warnings


def test_an_ambiguous_master_is_left_as_written(tmp_path):
    """``c001`` and ``C 001`` in the master could each be the invoices' C001: neither is
    taken for it, and the warnings count what stays unmatched."""
    master = [*MASTER, "C 001;Martin bis;Nord"]
    ds = load_dataset(_client(tmp_path, master))
    ids = set(ds.customers["customer_id"])
    assert {"c001", "C 001", "C002", "C003"} <= ids
    warnings = ds.ledgers["customers"].warnings
    assert warnings[W_IDS_MATCHED]["customers"] == 2  # c002, c003
    assert warnings[W_MISSING] == {"rows": 2, "amount": 125.5, "customers": 1}


def test_activity_log_codes_written_otherwise_are_the_invoiced_customers(tmp_path):
    activity = [
        "Date;Commercial;Type;Client",
        "10/01/2024;Luc;Appel;c001",
        "11/01/2024;Luc;Appel;C002",
        "12/01/2024;Luc;Appel; c003 ",
        "13/01/2024;Luc;Appel;c003",
    ]
    ds = load_dataset(_client(tmp_path, MASTER, activity))
    assert ds.activity["customer_id"].astype(str).tolist() == ["C001", "C002", "C003", "C003"]
    assert ds.ledgers["activity"].warnings[W_IDS_MATCHED]["rows"] == 3


def _validate_says(tmp_path, capsys, columns: str, exclude: str) -> str:
    """What ``icpc validate`` prints (spaces folded) for factures.csv with ``columns`` mapped
    and the ``exclude`` block."""
    from icpc.cli import main

    (tmp_path / "client.yaml").write_text(
        "client: T\nas_of: 2024-12-31\n"
        f"transactions:\n  path: factures.csv\n  columns: {columns}\nexclude:\n  {exclude}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(tmp_path / "client.yaml")]) == 0
    return " ".join(capsys.readouterr().out.split())


# --------------------------------------------------------------------------------------
# exclude.customers typed by hand: found as the files write them, or said to be in none
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["c002", "C 002", "C002", " c002 "])
def test_a_customer_to_exclude_typed_otherwise_is_excluded_everywhere(tmp_path, typed):
    activity = [
        "Date;Commercial;Type;Client",
        "10/01/2024;Luc;Appel;c002",
        "11/01/2024;Luc;Appel;C001",
    ]
    ds = load_dataset(_client(tmp_path, MASTER, activity, exclude={"customers": [typed.strip()]}))
    assert "C002" not in set(ds.transactions["customer_id"].astype(str))
    assert ds.ledger.rows_excluded["excluded by config"] == 1
    assert ds.ledger.amounts_excluded["excluded by config"] == 50.0
    assert set(ds.customers["customer_id"]) == {"C001", "C003"}
    assert ds.activity["customer_id"].astype(str).tolist() == ["C001"]
    assert "exclude_customers_not_found" not in ds.ledger.details


def test_a_customer_to_exclude_in_no_file_is_named_not_ignored(tmp_path, capsys):

    cfg = _client(tmp_path, MASTER, exclude={"customers": ["C002", "ZZ999", "Q1"]})
    ds = load_dataset(cfg)
    assert ds.ledger.rows_excluded["excluded by config"] == 1
    assert ds.ledger.details["exclude_customers_not_found"] == ["ZZ999", "Q1"]
    quality = ds.data_quality()
    assert quality["files"]["transactions"]["details"]["exclude_customers_not_found"] == [
        "ZZ999",
        "Q1",
    ]
    out = _validate_says(
        tmp_path,
        capsys,
        '{customer_id: "Code client", date: "Date", amount: "Montant"}',
        "customers: [ZZ999]",
    )
    assert "exclude.customers: ZZ999 in no file, nothing excluded for it; check the code" in out


def test_the_report_says_which_customers_to_exclude_are_in_no_file(tmp_path):
    import html

    from icpc.diagnostic import Diagnostic
    from icpc.report import sections

    ds = load_dataset(_client(tmp_path, MASTER, exclude={"customers": ["ZZ999"]}))
    items = sections.data_quality(Diagnostic(ds), language="fr")
    text = html.unescape(
        " ".join(i.data for i in items if isinstance(getattr(i, "data", None), str))
    ).replace("\u202f", " ")  # typeset: narrow no-break spaces inside the quotes
    assert "Le client à exclure « ZZ999 » (exclude.customers) ne figure dans aucun fichier" in text
    items = sections.data_quality(
        Diagnostic(load_dataset(_client(tmp_path, MASTER))), language="fr"
    )
    text = " ".join(i.data for i in items if isinstance(getattr(i, "data", None), str))
    assert "exclude.customers" not in text


# --------------------------------------------------------------------------------------
# exclude.where values that no file holds: named, not silently excluding nothing
# --------------------------------------------------------------------------------------
def test_where_values_in_no_file_are_named_by_column(tmp_path):
    where = {"region": ["sud", "Nrod", "Est"], "customer_id": ["c003", "ZZ9"]}
    ds = load_dataset(_client(tmp_path, MASTER, exclude={"where": {"region": ["sud", "Nrod"]}}))
    assert ds.transactions["customer_id"].astype(str).tolist() == ["C001", "C001", "C003"]
    assert ds.ledger.details[WHERE_NOT_FOUND] == {"region": ["Nrod"]}
    assert ds.data_quality()["files"]["transactions"]["details"][WHERE_NOT_FOUND] == {
        "region": ["Nrod"]
    }
    ds = load_dataset(_client(tmp_path, MASTER, exclude={"where": where}))
    assert ds.transactions["customer_id"].astype(str).tolist() == ["C001", "C001"]
    assert ds.ledger.details[WHERE_NOT_FOUND] == {"region": ["Nrod", "Est"], "customer_id": ["ZZ9"]}
    ds = load_dataset(_client(tmp_path, MASTER, exclude={"where": {"region": [" sUD "]}}))
    assert WHERE_NOT_FOUND not in ds.ledger.details
    assert ds.ledger.rows_excluded["excluded by config"] == 1


def test_a_where_value_found_in_the_invoices_only_is_found(tmp_path):
    _client(tmp_path, MASTER)  # writes clients.csv
    (tmp_path / "factures.csv").write_text(
        "Code client;Date;Montant;Agence\n"
        "C001;03/01/2024;100,00;Lyon\n"
        "C002;04/01/2024;50,00;Paris\n"
        "C004;05/01/2024;20,00;Lyon\n",
        encoding="utf-8",
    )
    raw = {
        "client": "T",
        "as_of": "2024-12-31",
        "transactions": {
            "path": str(tmp_path / "factures.csv"),
            "columns": {
                "customer_id": "Code client",
                "date": "Date",
                "amount": "Montant",
                "region": "Agence",
            },
        },
        "customers": {
            "path": str(tmp_path / "clients.csv"),
            "columns": {"customer_id": "Code", "name": "Nom", "region": "Secteur"},
        },
        "exclude": {"where": {"region": ["paris", "Nord", "Marseille"]}},
    }
    ds = load_dataset(config_from_dict(raw, source=tmp_path / "client.yaml"))
    assert ds.ledger.details[WHERE_NOT_FOUND] == {"region": ["Marseille"]}
    assert ds.ledger.rows_excluded["excluded by config"] == 2  # C002 (Paris), C001 (Nord)


@given(
    held=st.lists(st.sampled_from(["Nord", "Sud", "Île-de-France", "EST", "ouest"]), max_size=5),
    wanted=st.lists(
        st.sampled_from(["nord", "SUD", "ile de france", "Est", "Centre", "Ouest ", "Nrod"]),
        min_size=1,
        max_size=6,
    ),
)
def test_where_not_found_is_the_values_no_file_holds_folded(held, wanted):
    import pyarrow as pa

    from icpc.text import fold

    out = where_not_found({"region": wanted}, {"region": [pa.array(held, pa.string())]})
    missing = [v for v in wanted if all(fold(v) != fold(h) for h in held)]
    assert out == ({"region": missing} if missing else {})


def test_the_console_and_the_report_name_the_where_values_in_no_file(tmp_path, capsys):
    import html

    from icpc.diagnostic import Diagnostic
    from icpc.report import sections

    (tmp_path / "factures.csv").write_text(
        "Code client;Date;Montant;Secteur\nC001;03/01/2024;100,00;Nord\n", encoding="utf-8"
    )
    out = _validate_says(
        tmp_path,
        capsys,
        '{customer_id: "Code client", date: "Date", amount: "Montant", region: Secteur}',
        "where: {region: [Nrod, Sdu]}",
    )
    assert (
        "exclude.where.region: Nrod, Sdu in no file, nothing excluded for them; "
        "check the spelling of each" in out
    )
    ds = load_dataset(_client(tmp_path, MASTER, exclude={"where": {"region": ["Nrod"]}}))
    items = sections.data_quality(Diagnostic(ds), language="fr")
    text = html.unescape(
        " ".join(i.data for i in items if isinstance(getattr(i, "data", None), str))
    ).replace("\u202f", " ")
    assert (
        "La valeur à exclure « Nrod » (exclude.where.region) ne figure dans aucun fichier : "
        "rien n’a été exclu pour elle" in text
    )
    items = sections.data_quality(Diagnostic(ds), language="en")
    text = html.unescape(
        " ".join(i.data for i in items if isinstance(getattr(i, "data", None), str))
    )
    assert "The value to exclude “Nrod” (exclude.where.region) is in no file" in text
