"""The optional contact and product columns: customers' phone, e-mail and contact person;
the lines' product, product family and quantity — read from every format, damaged values
counted in the ledger, nothing else changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icpc import columns as C
from icpc.cleaning import load_dataset
from icpc.config import config_from_dict
from icpc.exceptions import ConfigError

TX = {
    "customer_id": "Code client",
    "date": "Date",
    "amount": "Montant HT",
    "product": "Article",
    "product_family": "Famille",
    "quantity": "Quantité",
}
MASTER = {
    "customer_id": "Code",
    "name": "Raison sociale",
    "phone": "Téléphone",
    "email": "E-mail",
    "contact": "Interlocuteur",
}
LINES = pd.DataFrame(
    {
        "Code client": ["C1", "C1", "C2", "C2", "C3"],
        "Date": ["03/01/2024", "03/01/2024", "05/02/2024", "06/02/2024", "07/03/2024"],
        "Montant HT": ["100,00", "100,00", "250,50", "-20,00", "80,00"],
        "Article": ["Vis inox M6", "Écrou M6", "Vis inox M6", "Vis inox M6", ""],
        "Famille": ["Visserie", "Visserie", "Visserie", "Visserie", "Outillage"],
        "Quantité": ["10", "10", "2,5", "douze", ""],
    }
)
CUSTOMERS = pd.DataFrame(
    {
        "Code": ["C1", "C2", "C3"],
        "Raison sociale": ["Alpha", "Bêta", "Gamma"],
        "Téléphone": ["01 23 45 67 89", "+33 6 12 34 56 78", ""],
        "E-mail": ["achats@alpha.fr", "bêta chez gmail", "  compta@gamma.fr  "],
        "Interlocuteur": ["Mme Lefèvre", "", "M. N’Diaye"],
    }
)


def _config(tmp_path: Path, tx_path: str, master_path: str | None = None, **tx_extra):
    raw = {
        "client": "Test",
        "as_of": "2024-12-31",
        "transactions": {"path": tx_path, "columns": TX, **tx_extra},
    }
    if master_path:
        raw["customers"] = {"path": master_path, "columns": MASTER}
    return config_from_dict(raw, base_dir=tmp_path)


def _write(frame: pd.DataFrame, path: Path) -> str:
    if path.suffix == ".csv":
        frame.to_csv(path, sep=";", index=False, encoding="utf-8")
    elif path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path.name


@pytest.fixture(params=[".csv", ".xlsx", ".parquet"])
def dataset(request, tmp_path):
    suffix = request.param
    lines = LINES
    if suffix != ".csv":  # typed formats carry numbers, not French text
        lines = LINES.assign(
            **{
                "Montant HT": [100.0, 100.0, 250.5, -20.0, 80.0],
                "Quantité": ["10", "10", "2.5", "douze", None],
            }
        )
    tx = _write(lines, tmp_path / f"lignes{suffix}")
    master = _write(CUSTOMERS, tmp_path / f"clients{suffix}")
    return load_dataset(_config(tmp_path, tx, master))


def test_product_columns_are_read_as_labels_and_quantity_as_numbers(dataset):
    tx = dataset.transactions
    assert list(tx[C.PRODUCT].astype(object).where(tx[C.PRODUCT].notna(), None)) == [
        "Vis inox M6",
        "Écrou M6",
        "Vis inox M6",
        "Vis inox M6",
        None,
    ]
    assert isinstance(tx[C.PRODUCT].dtype, pd.CategoricalDtype)
    assert isinstance(tx[C.PRODUCT_FAMILY].dtype, pd.CategoricalDtype)
    assert list(tx[C.PRODUCT_FAMILY].astype(str)) == ["Visserie"] * 4 + ["Outillage"]
    q = tx[C.QUANTITY].to_numpy()
    assert q[:3].tolist() == [10.0, 10.0, 2.5]
    assert np.isnan(q[3]) and np.isnan(q[4])  # unreadable, and empty


def test_an_unreadable_quantity_keeps_its_row_and_is_counted(dataset):
    led = dataset.ledger
    assert led.rows_used == 5  # the amount is what matters: no row is lost for a quantity
    bad = led.warnings["unparseable quantity"]
    assert (bad["rows"], bad["amount"], bad["examples"]) == (
        1,
        -20.0,
        [4],
    )  # "douze"; empty is not bad


def test_lines_differing_only_by_product_are_not_duplicates(dataset):
    # rows 1 and 2: same customer, date and amount, two products
    assert dataset.ledger.warnings["exact duplicate lines"]["rows"] == 0


def test_contact_columns_are_kept_as_written_and_bad_emails_counted(dataset):
    master = dataset.customers.set_index(C.CUSTOMER_ID)
    assert master.loc["C1", C.PHONE] == "01 23 45 67 89"
    assert master.loc["C2", C.PHONE] == "+33 6 12 34 56 78"
    assert master.loc["C3", C.CONTACT] == "M. N’Diaye"
    assert master.loc["C3", C.EMAIL] == "compta@gamma.fr"  # stripped
    assert master.loc["C2", C.EMAIL] == "bêta chez gmail"  # kept, and counted
    assert pd.isna(master.loc["C3", C.PHONE])  # an empty cell is no phone number
    warn = dataset.ledgers["customers"].warnings["e-mails that are not an address"]
    assert (warn["rows"], warn["examples"]) == (1, [2])


def test_the_new_columns_change_no_figure(tmp_path):
    """The same lines without the new columns give the same ledger and the same kpis."""
    from icpc.diagnostic import Diagnostic

    with_cols = _write(LINES, tmp_path / "avec.csv")
    bare = LINES.drop(columns=["Article", "Famille", "Quantité"]).drop(index=1)
    plain = _write(bare, tmp_path / "sans.csv")
    cols = {k: v for k, v in TX.items() if k in ("customer_id", "date", "amount")}
    raw = {"client": "T", "as_of": "2024-12-31", "transactions": {"path": plain, "columns": cols}}
    a = Diagnostic(load_dataset(_config(tmp_path, with_cols)))
    b = Diagnostic(load_dataset(config_from_dict(raw, base_dir=tmp_path)))
    # row 2 differs from row 1 only by its product: without the column it is a duplicate,
    # so it is dropped here to compare like with like
    assert a.kpis.loc["revenue", "current"] == pytest.approx(
        b.kpis.loc["revenue", "current"] + 100.0
    )
    assert a.kpis.loc["active_customers", "current"] == b.kpis.loc["active_customers", "current"]


def test_a_column_name_that_is_not_a_column_is_refused(tmp_path):
    raw = {
        "client": "T",
        "transactions": {"path": "x.csv", "columns": {**TX, "colour": "Couleur"}},
    }
    with pytest.raises(ConfigError, match="colour"):
        config_from_dict(raw, base_dir=tmp_path)


def test_a_mapped_header_missing_from_the_file_names_it(tmp_path):
    from icpc.exceptions import InputError

    tx = _write(LINES.drop(columns=["Quantité"]), tmp_path / "lignes.csv")
    with pytest.raises(InputError, match="Quantité"):
        load_dataset(_config(tmp_path, tx))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.integers(-50_000, 500_000),
            st.one_of(st.none(), st.integers(0, 999), st.sampled_from(["n/a", "1 2 3", "x"])),
            st.sampled_from(["", "A", "B", "Câble"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_ledger_adds_up_and_counts_each_unreadable_quantity(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("q")
    frame = pd.DataFrame(
        {
            "Code client": [f"K{c}" for c, *_ in rows],
            "Date": "15/06/2024",
            "Montant HT": [f"{a / 100:.2f}".replace(".", ",") for _, a, *_ in rows],
            "Article": [p for *_, p in rows],
            "Famille": "F",
            "Quantité": ["" if q is None else str(q) for _, _, q, _ in rows],
        }
    )
    ds = load_dataset(_config(folder, _write(frame, folder / "l.csv")))
    led = ds.ledger
    assert led.rows_read == led.rows_used + sum(led.rows_excluded.values())
    assert led.rows_used == len(rows)  # a quantity never excludes a row
    unreadable = [i + 1 for i, (_, _, q, _) in enumerate(rows) if isinstance(q, str)]
    warn = led.warnings["unparseable quantity"]
    assert warn["rows"] == len(unreadable)
    assert warn.get("examples", []) == unreadable[:5]
    readable = [float(q) for _, _, q, _ in rows if isinstance(q, int)]
    assert np.nansum(ds.transactions[C.QUANTITY].to_numpy()) == pytest.approx(sum(readable))
