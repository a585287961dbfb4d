"""One load per run: the cleaned dataset saved for the notebook, read back identical; the
kernel renders from it, never from the client's exports; the PDF shows kpis.json's figures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import icpc.cleaning.dataset as dataset_mod
from icpc.cleaning import Dataset, Ledger, load_dataset, load_saved_dataset, save_dataset
from icpc.config import config_from_dict, load_config
from icpc.exceptions import ConfigError, InputError

FRAMES = ("transactions", "customers", "activity")


def _assert_same(saved: Dataset, back: Dataset) -> None:
    for name in FRAMES:
        frame, other = getattr(saved, name), getattr(back, name)
        if frame is None:
            assert other is None, name
            continue
        pd.testing.assert_frame_equal(frame, other, check_exact=True, check_categorical=True)
        assert list(frame.dtypes.astype(str)) == list(other.dtypes.astype(str)), name
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):  # same categories, same order
                assert frame[column].cat.categories.equals(other[column].cat.categories), column
                assert frame[column].cat.categories.dtype == other[column].cat.categories.dtype, (
                    column
                )
        assert type(frame.index) is type(other.index), name
    assert back.as_of == saved.as_of
    assert back.ledgers == saved.ledgers
    assert back.ledger == saved.ledger
    assert back.data_quality() == saved.data_quality()


# ------------------------------------------------------------------ save / load, the demo
def test_demo_dataset_comes_back_identical(tmp_path: Path, demo_config: Path) -> None:
    config = load_config(demo_config)
    dataset = load_dataset(config)
    folder = save_dataset(dataset, tmp_path / "dataset")
    assert sorted(p.name for p in folder.iterdir()) == [
        "activity.parquet",
        "customers.parquet",
        "dataset.json",
        "transactions.parquet",
    ]
    back = load_saved_dataset(folder, config)
    _assert_same(dataset, back)
    assert back.config is config
    assert back.ledger is back.ledgers["transactions"]
    described = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    assert described["as_of"] == "2024-12-31"
    assert described["config_path"] == str(demo_config.resolve())
    assert set(described["ledgers"]) == {"transactions", "customers", "activity"}


def test_demo_ledgers_round_trip_through_json(demo_config: Path) -> None:
    dataset = load_dataset(load_config(demo_config))
    for key, ledger in dataset.ledgers.items():
        text = json.dumps(ledger.to_dict())
        assert Ledger.from_dict(json.loads(text), key=key) == ledger
        assert Ledger.from_dict({"key": key, **json.loads(text)}) == ledger


def test_ledger_from_dict_needs_key_and_counts() -> None:
    block = {
        "path": "f.csv",
        "rows_read": 1,
        "rows_used": 1,
        "rows_excluded": {},
        "amount_read": 1.5,
        "amount_used": 1.5,
        "amounts_excluded": {},
    }
    assert Ledger.from_dict(block, key="transactions").warnings == {}
    with pytest.raises(ValueError, match="key"):
        Ledger.from_dict(block)
    with pytest.raises(ValueError, match="rows_used"):
        Ledger.from_dict({k: v for k, v in block.items() if k != "rows_used"}, key="transactions")


# ------------------------------------------------------------------ save / load, every optional column
def _write(path: Path, lines: list[str]) -> None:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


@pytest.fixture
def full_client(tmp_path: Path):
    """A small client with every optional column of the three files, and missing values in them."""
    folder = tmp_path / "client"
    folder.mkdir()
    _write(
        folder / "factures.csv",
        [
            "Code;Date;Facture;Montant;Marge;Commercial;Secteur;Type",
            "0042;03/01/2023;F1;1 234,56;100,00;Amélie;Nord;Facture",
            "0042;03/01/2023;F1;10,00;;Amélie;Nord;Facture",  # no margin
            "0043;05/02/2023;F2;-50,00;-5,00;Luc;;Avoir",  # no region
            "0044;06/03/2024;;20,00;2,00;;Sud;",  # no invoice, salesperson or type
            "0045;07/04/2024;F4;30,00;x;Luc;Sud;Facture",  # unparseable margin
            "0042;08/05/2024;F5;99,99;9,99;Amélie;Nord;Facture",
            "0046;09/06/2024;F6;abc;1;Luc;Sud;Facture",  # unparseable amount (ledger)
            ";09/06/2024;F7;5,00;1;Luc;Sud;Facture",  # missing customer id (ledger)
            "Total général;;;1 349,55;;;;",
        ],
    )
    _write(
        folder / "clients.csv",
        [
            "Code;Nom;Adresse;CP;Ville;Création;SIRET;Commercial;Secteur",
            "0042;Alpha SARL;1 rue A;01000;Bourg;01/01/2020;12345678901234;Amélie;Nord",
            "0043;Beta;;;Lyon;;;Luc;",
            "0044;;2 rue B;75001;Paris;pas une date;;;Sud",
            "0045;Delta;3 rue C;13001;Marseille;15/06/2021;98765432109876;Luc;Sud",
            "0099;Sans achat;;;;;;;",
        ],
    )
    _write(
        folder / "activite.csv",
        [
            "Date;Commercial;Type;Client",
            "02/01/2024 09:00;Amélie;Appel sortant;0042",
            "03/01/2024 10:30;Luc;Appel abouti;",
            "04/01/2024 11:00;Luc;Contact entrant;0045",
            "05/01/2024 11:00;Luc;Visite;0045",  # unknown type (ledger)
        ],
    )
    raw = {
        "client": "Client Complet",
        "transactions": {
            "path": "factures.csv",
            "columns": {
                "customer_id": "Code",
                "date": "Date",
                "invoice_id": "Facture",
                "amount": "Montant",
                "margin": "Marge",
                "salesperson": "Commercial",
                "region": "Secteur",
                "document_type": "Type",
            },
        },
        "customers": {
            "path": "clients.csv",
            "columns": {
                "customer_id": "Code",
                "name": "Nom",
                "address": "Adresse",
                "postcode": "CP",
                "city": "Ville",
                "created_at": "Création",
                "siret": "SIRET",
                "salesperson": "Commercial",
                "region": "Secteur",
            },
        },
        "activity": {
            "path": "activite.csv",
            "columns": {
                "date": "Date",
                "salesperson": "Commercial",
                "type": "Type",
                "customer_id": "Client",
            },
            "types": {
                "call": ["Appel sortant"],
                "call_completed": ["Appel abouti"],
                "contact_received": ["Contact entrant"],
            },
        },
    }
    return config_from_dict(raw, base_dir=folder)


def test_every_optional_column_comes_back_identical(
    tmp_path: Path, full_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = load_dataset(full_client)
    tx, cust, act = dataset.transactions, dataset.customers, dataset.activity
    assert cust is not None and act is not None
    assert {"invoice_id", "margin", "salesperson", "region", "document_type"} <= set(tx.columns)
    assert {
        "name",
        "address",
        "postcode",
        "city",
        "created_at",
        "siret",
        "salesperson",
        "region",
    } <= set(cust.columns)
    assert "customer_id" in act.columns
    # the dtypes the contract names, with missing values in them
    assert isinstance(tx["customer_id"].dtype, pd.CategoricalDtype)
    assert (
        str(tx["date"].dtype) == "datetime64[ns]"
        and str(cust["created_at"].dtype) == "datetime64[ns]"
    )
    assert str(tx["amount"].dtype) == "float64" and tx["margin"].isna().any()
    assert str(cust["name"].dtype) == "str" and str(act["kind"].dtype) == "str"
    assert (
        cust["created_at"].isna().any()
        and cust["address"].isna().any()
        and tx["region"].isna().any()
    )
    monkeypatch.setattr(
        dataset_mod, "_ROW_GROUP_ROWS", 2
    )  # several row groups: categories still in order
    back = load_saved_dataset(save_dataset(dataset, tmp_path / "dataset"), full_client)
    _assert_same(dataset, back)
    for ledger in dataset.ledgers.values():
        assert Ledger.from_dict(json.loads(json.dumps(ledger.to_dict())), key=ledger.key) == ledger


def test_categories_keep_their_order_and_unused_ones(
    tmp_path: Path, full_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = load_dataset(full_client)
    tx = dataset.transactions.copy()
    reordered = list(reversed(tx["customer_id"].cat.categories)) + ["unused"]
    tx["customer_id"] = tx["customer_id"].cat.set_categories(pd.Index(reordered, dtype="str"))
    dataset = Dataset(**{**dataset.__dict__, "transactions": tx})
    monkeypatch.setattr(dataset_mod, "_ROW_GROUP_ROWS", 2)
    back = load_saved_dataset(save_dataset(dataset, tmp_path / "dataset"), full_client)
    assert list(back.transactions["customer_id"].cat.categories) == reordered
    pd.testing.assert_frame_equal(tx, back.transactions, check_exact=True)


def test_optional_frames_absent_and_stale_files_removed(tmp_path: Path, full_client) -> None:
    dataset = load_dataset(full_client)
    folder = save_dataset(dataset, tmp_path / "dataset")
    bare = Dataset(**{**dataset.__dict__, "customers": None, "activity": None})
    save_dataset(bare, folder)  # over the earlier one
    assert sorted(p.name for p in folder.iterdir()) == ["dataset.json", "transactions.parquet"]
    back = load_saved_dataset(folder, full_client)
    assert back.customers is None and back.activity is None
    _assert_same(bare, back)


def test_saved_dataset_refuses_another_client_or_date(tmp_path: Path, full_client) -> None:
    from dataclasses import replace

    folder = save_dataset(load_dataset(full_client), tmp_path / "dataset")
    with pytest.raises(InputError, match="no saved dataset"):
        load_saved_dataset(tmp_path / "nothing", full_client)
    with pytest.raises(ConfigError, match="slug"):
        load_saved_dataset(folder, replace(full_client, client="Autre", slug="autre"))
    with pytest.raises(ConfigError, match="as_of"):
        load_saved_dataset(folder, full_client.with_as_of("2024-01-31"))
    same_date = load_saved_dataset(
        folder, full_client.with_as_of(load_saved_dataset(folder, full_client).as_of)
    )
    assert same_date.as_of == load_saved_dataset(folder, full_client).as_of


# ------------------------------------------------------------------ the notebook's load cell
def test_load_diagnostic_reads_the_saved_dataset_not_the_exports(
    tmp_path: Path, demo_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icpc.diagnostic import Diagnostic
    from icpc.report import sections

    config = load_config(demo_config)
    expected = Diagnostic(load_dataset(config)).kpis_json()
    save_dataset(load_dataset(config), tmp_path / "dataset")

    def no_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the exports were read")

    monkeypatch.setattr(dataset_mod, "read_table", no_read)
    monkeypatch.chdir(tmp_path)  # dataset_path is relative to the notebook's folder
    diag = sections.load_diagnostic(demo_config, as_of="2024-12-31", dataset_path="dataset")
    assert diag.kpis_json() == expected
    english = sections.load_diagnostic(
        demo_config, language="en", dataset_path=tmp_path / "dataset"
    )
    assert english.config.language == "en" and english.as_of == diag.as_of
    with pytest.raises(
        AssertionError, match="exports were read"
    ):  # without it, the exports are read
        sections.load_diagnostic(demo_config)


# ------------------------------------------------------------------ a whole run
def _text(value: str) -> str:
    """PDF text and formatted figures compared with every kind of space as one space."""
    return " ".join(value.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.mark.notebook
@pytest.mark.slow
def test_run_renders_kpis_json_figures_from_the_saved_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel never reads the exports (they are gone when it runs), the PDF shows
    kpis.json's figures, and the executed notebook re-runs from its own folder once moved."""
    import papermill as pm
    from pypdf import PdfReader

    import icpc.run.runner as runner
    from icpc.datasets.demo import write_sample
    from icpc.report import format as fmt

    config_path = write_sample(tmp_path / "client", customers=100, years=2)
    config = load_config(config_path)
    inputs = [p for p in config.input_files if p.is_file()]
    assert inputs
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    real_execute = runner._execute

    def execute_without_inputs(*args: object, **kwargs: object) -> float:
        for path in inputs:  # the parent has loaded them; the kernel must not need them
            shutil.move(path, hidden / path.name)
        return real_execute(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_execute", execute_without_inputs)
    result = runner.run_client(config_path, out=tmp_path / "reports")
    assert not any(p.exists() for p in inputs)  # the notebook ran without them

    out_dir = result.out_dir
    kpis = json.loads((out_dir / "kpis.json").read_text(encoding="utf-8"))
    executed = nbformat.read(out_dir / "diagnostic.ipynb", as_version=4)
    assert executed.metadata.papermill.parameters["dataset_path"] == "dataset"
    assert (out_dir / "dataset" / "dataset.json").is_file()

    def figures(k: dict) -> list[str]:
        return [
            fmt.money(k["kpis"]["revenue"]["current"], decimals=0),  # the summary's card and table
            fmt.money(k["data_quality"]["amount_used"]),  # the ledger, to the cent
            fmt.money(k["data_quality"]["amount_read"]),
            fmt.number(k["data_quality"]["rows_read"]),
        ]

    pdf_text = _text(
        "\n".join(page.extract_text() for page in PdfReader(out_dir / "diagnostic.pdf").pages)
    )
    for figure in figures(kpis):
        assert _text(figure) in pdf_text, figure

    # the run folder moved, the exports still gone: its notebook re-runs with its own parameters
    moved = tmp_path / "elsewhere" / "run"
    shutil.move(str(out_dir), moved)
    pm.execute_notebook(
        str(moved / "diagnostic.ipynb"),
        str(moved / "rerun.ipynb"),
        kernel_name="python3",
        cwd=str(moved),
        progress_bar=False,
    )
    rerun = nbformat.read(moved / "rerun.ipynb", as_version=4)
    html = "".join(
        str(o.get("data", {}).get("text/html", ""))
        for c in rerun.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert _text(figures(kpis)[0]) in _text(html)
