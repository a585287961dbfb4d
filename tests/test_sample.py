"""Tests of the demo client generator (icpc.datasets.demo): files, determinism and the planted story.

The story is checked with plain pandas on the generated frames, independently of the
analysis modules, with the definitions of docs/definitions.md (documents, net revenue rounded to the cent).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from icpc.cli import main
from icpc.config import load_config
from icpc.datasets.demo import generate_sample, write_sample
from icpc.datasets.story import CUSTOMER_HEADERS, FAMILIES, TRANSACTION_HEADERS
from icpc.exceptions import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data_samples" / "demo"
DEMO_FILES = ("client.yaml", "factures.csv", "clients.xlsx", "activite.csv")
AS_OF = pd.Timestamp("2024-12-31")
N = (pd.Timestamp("2024-01-01"), AS_OF)
N1 = (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-31"))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_sample(out, seed=42, demo=True)
    return out


@pytest.fixture(scope="module", params=[42, 7, 2024], ids=["seed42", "seed7", "seed2024"])
def story(request: pytest.FixtureRequest) -> dict:
    """A sample and its documents, computed as docs/definitions.md says, with pandas."""
    sample = generate_sample(seed=request.param)
    tx = sample.transactions.rename(
        columns={
            "Code client": "c",
            "Date facture": "d",
            "N° facture": "i",
            "Montant HT": "a",
            "Type": "t",
        }
    )
    usable = tx.dropna(subset=["c", "d", "a"])
    docs = (
        usable.groupby(["c", "i"], observed=True).agg(d=("d", "min"), a=("a", "sum")).reset_index()
    )
    docs["a"] = docs["a"].round(2)
    return {
        "sample": sample,
        "truth": sample.truth,
        "lines": usable,
        "docs": docs,
        "sales": docs[docs["a"] > 0],
    }


def _in(frame: pd.DataFrame, period: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    return frame[(frame["d"] >= period[0]) & (frame["d"] <= period[1])]


def _period(story: dict, period: tuple[pd.Timestamp, pd.Timestamp]) -> dict:
    lines, sales = _in(story["lines"], period), _in(story["sales"], period)
    net = lines.groupby("c").a.sum().round(2)
    active = set(net[net > 0].index)
    first_sale = story["sales"].groupby("c").d.min()
    new = {c for c in active if period[0] <= first_sale[c] <= period[1]}
    revenue = lines["a"].sum()
    return {
        "revenue": revenue,
        "active": active,
        "new": new,
        "basket": revenue / len(sales),
        "net": net,
    }


def normalise_address(text: str) -> str:
    """Lower case, no accents, no punctuation, common abbreviations spelt out."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    abbreviations = {
        "r": "rue",
        "av": "avenue",
        "bd": "boulevard",
        "pl": "place",
        "ch": "chemin",
        "all": "allee",
    }
    return " ".join(abbreviations.get(w, w) for w in words)


# --------------------------------------------------------------------------------------
# determinism
# --------------------------------------------------------------------------------------
def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = write_sample(tmp_path / "a", seed=5, customers=150).parent
    second = write_sample(tmp_path / "b", seed=5, customers=150).parent
    other = write_sample(tmp_path / "c", seed=6, customers=150).parent
    for name in DEMO_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "factures.csv").read_bytes() != (other / "factures.csv").read_bytes()


def test_committed_demo_is_the_generator_output(demo_dir: Path) -> None:
    for name in DEMO_FILES:
        assert (DEMO / name).read_bytes() == (demo_dir / name).read_bytes(), (
            f"data_samples/demo/{name} is stale: regenerate with "
            "write_sample('data_samples/demo', seed=42, demo=True, force=True)"
        )


def test_demo_folder_is_small() -> None:
    assert sum(p.stat().st_size for p in DEMO.iterdir()) < 4_000_000


# --------------------------------------------------------------------------------------
# the files parse with the French conventions
# --------------------------------------------------------------------------------------
def test_factures_csv_is_a_french_export(demo_dir: Path) -> None:
    path = demo_dir / "factures.csv"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # cp1252, as exported by a Windows ERP
    assert raw.startswith(";".join(TRANSACTION_HEADERS).encode("cp1252") + b"\r\n")
    assert (
        "Date facture;N° facture;Code article;Désignation;Famille;Quantité;Montant HT;Marge".encode(
            "cp1252"
        )
        in raw
    )
    assert (
        "Câble R2V 3G2,5 mm²".encode("cp1252") in raw
    )  # a comma inside a field, not the separator
    assert b"\r\n" in raw
    sample = generate_sample(seed=42)
    text = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    assert tuple(text.columns) == TRANSACTION_HEADERS
    assert text.iloc[-1, 0] == "Total général"
    body = text.iloc[:-1]
    assert len(body) == len(sample.transactions)
    truth = sample.truth
    # customer codes: strings with their leading zeros, three rows without a code
    codes = body["Code client"]
    assert codes.str.fullmatch(r"C\d{5}").sum() == len(body) - 3
    assert (codes == "").sum() == truth["dirty_rows"]["missing_customer"] == 3
    # dates dd/mm/yyyy; the two planted impossible dates do not parse
    dates = pd.to_datetime(body["Date facture"], format="%d/%m/%Y", errors="coerce")
    assert (
        sorted(np.flatnonzero(dates.isna().to_numpy()).tolist())
        == truth["dirty_positions"]["bad_date"]
    )
    assert set(body["Date facture"].iloc[truth["dirty_positions"]["bad_date"]]) == {
        "31/02/2024",
        "??",
    }
    assert dates.min() >= pd.Timestamp("2022-01-01") and dates.max() == AS_OF
    # decimal comma; text in two amounts
    amounts = pd.to_numeric(body["Montant HT"].str.replace(",", ".", regex=False), errors="coerce")
    assert (
        sorted(np.flatnonzero(amounts.isna().to_numpy()).tolist())
        == truth["dirty_positions"]["text_amount"]
    )
    np.testing.assert_array_equal(amounts.to_numpy(), sample.transactions["Montant HT"].to_numpy())
    assert (amounts < 0).sum() == (body["Type"] == "Avoir").sum() > 0
    total = float(text.iloc[-1]["Montant HT"].replace(",", "."))
    assert total == pytest.approx(amounts.sum(), abs=0.01)
    # exact duplicate lines, each right after its original
    assert body.duplicated().sum() == truth["dirty_rows"]["duplicate"] == 3
    for pos in truth["dirty_positions"]["duplicate"]:
        assert body.iloc[pos].equals(body.iloc[pos - 1])
    # several lines per invoice; credit notes refer to invoices of the same customer
    assert body.groupby("N° facture").size().mean() > 2
    refs = body[(body["Type"] == "Avoir") & (body["Réf. facture"] != "")]
    invoices = body[body["Type"] == "Facture"].drop_duplicates("N° facture").set_index("N° facture")
    assert len(refs) > 0
    assert (
        invoices.loc[refs["Réf. facture"], "Code client"].to_numpy()
        == refs["Code client"].to_numpy()
    ).all()


def test_read_with_pandas_french_options(demo_dir: Path) -> None:
    frame = pd.read_csv(
        demo_dir / "factures.csv", sep=";", encoding="cp1252", decimal=",", skipfooter=1, engine="python",
        dtype={"Code client": str}, na_values=["N/A", "#VALEUR!"],
    )  # fmt: skip
    assert frame["Marge"].dtype == np.float64
    assert frame["Montant HT"].dtype == np.float64
    assert frame["Code client"].dropna().str.startswith("C0").all()


def test_clients_xlsx_has_a_title_line_and_text_postcodes(demo_dir: Path) -> None:
    top = pd.read_excel(
        demo_dir / "clients.xlsx", header=None, nrows=3, dtype=str, engine="calamine"
    )
    assert top.iloc[0, 0].startswith("Fichier clients")
    master = pd.read_excel(
        demo_dir / "clients.xlsx", sheet_name="Clients", header=2, dtype=str, engine="calamine"
    )
    assert tuple(master.columns) == CUSTOMER_HEADERS
    assert len(master) == 400 and master["Code"].is_unique
    assert master["Code"].str.fullmatch(r"C\d{5}").all()
    assert master["CP"].str.fullmatch(r"\d{5}").all()
    assert master["CP"].str.startswith("0").any()  # leading zeros kept (Nice 06000, Laon 02000)
    assert master["SIRET"].dropna().str.fullmatch(r"\d{14}").all()
    created = pd.read_excel(demo_dir / "clients.xlsx", header=2, engine="calamine")["Date création"]
    assert created.dtype.kind == "M" and created.max() <= AS_OF


def test_activite_csv_is_utf8_with_three_types(demo_dir: Path) -> None:
    log = pd.read_csv(demo_dir / "activite.csv", encoding="utf-8", dtype=str)
    assert tuple(log.columns) == ("Date", "Commercial", "Type", "Client")
    assert set(log["Type"]) == {"Contact entrant", "Appel sortant", "Appel abouti"}
    when = pd.to_datetime(log["Date"], format="%d/%m/%Y %H:%M")
    assert when.max() <= AS_OF + pd.Timedelta(days=1)
    assert "Hélène Fournier" in set(log["Commercial"])
    assert log["Client"].isna().any() and log["Client"].dropna().str.fullmatch(r"C\d{5}").all()


def test_client_yaml_is_a_valid_config(demo_dir: Path) -> None:
    config = load_config(demo_dir / "client.yaml")
    assert config.client == "Distribution Martin SAS"
    assert config.as_of == dt.date(2024, 12, 31) and config.period_months == 12
    assert all(path.is_file() for path in config.input_files)
    assert config.customers is not None and config.customers.columns["postcode"] == "CP"
    assert config.branding.firm and config.branding.consultant
    assert generate_sample(seed=42).config["transactions"]["columns"]["invoice_id"] == "N° facture"


# --------------------------------------------------------------------------------------
# the planted story holds
# --------------------------------------------------------------------------------------
def test_more_new_customers_lower_basket_flat_revenue(story: dict) -> None:
    now, before = _period(story, N), _period(story, N1)
    assert len(now["new"]) >= 1.5 * len(before["new"])
    assert len(now["active"]) > len(before["active"])
    assert now["basket"] < 0.97 * before["basket"]
    assert abs(now["revenue"] / before["revenue"] - 1) < 0.10
    # the bonus explains the new customers: most bonus customers are new in N
    bonus_new = now["new"] & set(story["truth"]["bonus_customers"])
    assert len(bonus_new) >= 0.9 * len(story["truth"]["bonus_customers"])


def test_big_customers_lost_in_previous_period(story: dict) -> None:
    lost = story["truth"]["lost_big"]
    before = _period(story, N1)
    assert 5 <= len(lost) <= 10
    in_n = _in(story["lines"], N)
    assert not in_n["c"].isin(lost).any()
    assert set(lost) <= before["active"]
    top_quartile = before["net"][before["net"] > 0].quantile(0.75)
    assert (before["net"][lost] >= top_quartile).all()


def test_regular_customers_slipping_away(story: dict) -> None:
    slipping = story["truth"]["slipping"]
    assert 15 <= len(slipping) <= 25
    sales = story["sales"][story["sales"]["c"].isin(slipping)]
    count = sales.groupby("c").size()
    last = sales.groupby("c").d.max()
    assert (count.reindex(slipping) >= 6).all()
    silence = (AS_OF - last).dt.days
    assert silence.between(91, 183).all()
    assert not story["lines"][
        story["lines"]["c"].isin(slipping) & (story["lines"]["d"] > AS_OF - pd.Timedelta(days=90))
    ].shape[0]


def test_bonus_clusters_share_a_normalised_address(story: dict) -> None:
    sample, truth = story["sample"], story["truth"]
    master = sample.customers.set_index("Code")
    clusters = truth["bonus_clusters"]
    assert len(clusters) >= 4 and all(len(c) >= 2 for c in clusters)
    assert sum(len(c) for c in clusters) >= 0.8 * len(truth["bonus_customers"])
    written_ways = 0
    for cluster in clusters:
        rows = master.loc[cluster]
        assert rows["Adresse"].map(normalise_address).nunique() == 1, rows["Adresse"].tolist()
        assert rows["CP"].nunique() == 1
        written_ways += rows["Adresse"].nunique()
    assert written_ways > 2 * len(clusters)  # the same place is written in several ways
    others = master.drop(index=[c for cl in clusters for c in cl])
    assert others["Adresse"].map(normalise_address).str.cat(others["CP"]).is_unique
    # created in a few months of N, all by the same salesperson, with small baskets
    window = pd.to_datetime(truth["bonus_window"])
    created = master.loc[truth["bonus_customers"], "Date création"]
    assert created.between(window[0], window[1]).all() and window[1] - window[0] < pd.Timedelta(
        days=190
    )
    lines = story["lines"]
    seller = lines[lines["c"].isin(truth["bonus_customers"])]["Commercial"].unique().tolist()
    assert seller == [truth["bonus_salesperson"]]
    sales = story["sales"]
    assert (
        sales[sales["c"].isin(truth["bonus_customers"])]["a"].median() < 0.5 * sales["a"].median()
    )
    # some of them also share a SIRET
    assert master.loc[truth["bonus_customers"], "SIRET"].dropna().duplicated().any()


def test_fully_cancelled_customers_net_to_zero(story: dict) -> None:
    cancelled = story["truth"]["fully_cancelled"]
    assert len(cancelled) >= 2
    lines = story["lines"][story["lines"]["c"].isin(cancelled)]
    assert set(lines["c"]) == set(cancelled)
    net = lines.groupby("c")["a"].sum()
    assert (net.round(2) == 0).all()
    assert (lines.groupby("c")["t"].agg(set).map(lambda s: s == {"Facture", "Avoir"})).all()
    credits = lines[lines["t"] == "Avoir"]
    assert credits["Réf. facture"].isin(lines["i"]).all()


def test_dirty_rows_are_where_the_truth_says(story: dict) -> None:
    tx, truth = story["sample"].transactions, story["truth"]
    pos = truth["dirty_positions"]
    assert truth["dirty_rows"] == {
        "duplicate": 3,
        "missing_customer": 3,
        "text_amount": 2,
        "bad_date": 2,
        "total_line": 1,
    }
    assert tx["Code client"].isna().to_numpy().nonzero()[0].tolist() == pos["missing_customer"]
    assert tx["Montant HT"].isna().to_numpy().nonzero()[0].tolist() == pos["text_amount"]
    assert tx["Date facture"].isna().to_numpy().nonzero()[0].tolist() == pos["bad_date"]
    assert tx.duplicated().to_numpy().nonzero()[0].tolist() == pos["duplicate"]


def test_prospects_never_bought(story: dict) -> None:
    prospects = story["truth"]["prospects"]
    assert prospects and not story["sample"].transactions["Code client"].isin(prospects).any()
    assert set(prospects) <= set(story["sample"].customers["Code"])


# --------------------------------------------------------------------------------------
# options: scale, format, CLI, bad options
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lines", [20_000, 60_000], ids=["20k", "60k"])
def test_lines_option_gives_roughly_the_requested_count(lines: int) -> None:
    sample = generate_sample(seed=1, lines=lines)
    assert abs(len(sample.transactions) / lines - 1) < 0.10
    assert len(sample.customers) >= lines / 60


def test_customers_and_years_options() -> None:
    sample = generate_sample(seed=3, customers=250, years=2)
    assert len(sample.customers) == 250
    assert sample.transactions["Date facture"].min() >= pd.Timestamp("2023-01-01")


def test_parquet_format_has_typed_columns(tmp_path: Path) -> None:
    config_path = write_sample(tmp_path, seed=4, customers=150, fmt="parquet")
    schema = pq.read_schema(tmp_path / "factures.parquet")
    assert str(schema.field("Date facture").type) == "date32[day]"
    assert str(schema.field("Montant HT").type) == "double"
    assert str(schema.field("Code client").type) == "string"
    assert not (tmp_path / "factures.csv").exists()
    config = load_config(config_path)
    assert config.transactions.path.name == "factures.parquet"
    frame = pd.read_parquet(tmp_path / "factures.parquet")
    assert frame["Code client"].dropna().str.startswith("C0").all()


def test_parquet_format_writes_the_customer_master_as_parquet(tmp_path: Path) -> None:
    from icpc.cleaning import load_dataset

    pq_config = load_config(write_sample(tmp_path / "pq", seed=4, customers=150, fmt="parquet"))
    xlsx_config = load_config(write_sample(tmp_path / "csv", seed=4, customers=150))
    assert pq_config.customers is not None and pq_config.customers.path.name == "clients.parquet"
    assert not (tmp_path / "pq" / "clients.xlsx").exists()
    schema = pq.read_schema(tmp_path / "pq" / "clients.parquet")
    assert str(schema.field("CP").type) == "string"
    assert str(schema.field("Date création").type) == "date32[day]"
    from_parquet = load_dataset(pq_config).customers
    from_xlsx = load_dataset(xlsx_config).customers
    assert from_parquet is not None and from_xlsx is not None
    pd.testing.assert_frame_equal(from_parquet, from_xlsx)


def test_addresses_are_distinct_at_any_scale() -> None:
    from icpc.datasets.customers import _addresses

    rng = np.random.default_rng(0)
    n = 400_000  # more places than the 1-150 street numbers allow
    region = rng.integers(0, 5, size=n)
    parts = _addresses(rng, n, region)
    key = pd.DataFrame({**parts, "region": region})
    assert not key.duplicated().any()


def test_cli_sample_writes_the_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["sample", str(tmp_path / "out"), "--seed", "3", "--customers", "150", "--years", "2"]
    )
    assert code == 0
    assert capsys.readouterr().out.strip().endswith("client.yaml")
    assert all((tmp_path / "out" / name).is_file() for name in DEMO_FILES)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"years": 1}, "--years"),
        ({"customers": 10}, "--customers"),
        ({"lines": 10}, "--lines"),
        ({"fmt": "xls"}, "--format"),
    ],
    ids=["one-year", "ten-customers", "ten-lines", "xls-format"],
)
def test_impossible_options_raise_a_clear_error(
    tmp_path: Path, options: dict, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        write_sample(tmp_path, **options)


# --------------------------------------------------------------------------------------
# texture: reorganisation, seasonality, activity during the bonus
# --------------------------------------------------------------------------------------
def test_reassigned_customers_changed_salesperson_once(story: dict) -> None:
    lines = story["lines"].sort_values("d", kind="stable")
    reassigned = story["truth"]["reassigned"]
    assert reassigned
    for customer in reassigned:
        sellers = lines.loc[lines["c"] == customer, "Commercial"]
        changes = (sellers != sellers.shift()).sum() - 1
        assert sellers.nunique() == 2 and changes == 1, sellers.tolist()
    others = lines[~lines["c"].isin(reassigned)].groupby("c")["Commercial"].nunique()
    assert (others == 1).all()


def test_august_is_quiet(story: dict) -> None:
    sales = story["sales"]
    per_month = sales.groupby(sales["d"].dt.month).size()
    assert per_month[8] < 0.75 * per_month.drop(8).mean()


def test_bonus_salesperson_calls_more_during_the_bonus(story: dict) -> None:
    log = story["sample"].activity
    truth = story["truth"]
    window = pd.to_datetime(truth["bonus_window"])
    mine = log[(log["Commercial"] == truth["bonus_salesperson"]) & (log["Type"] == "Appel sortant")]
    days = mine["Date"].dt.normalize()
    during = days.between(window[0], window[1])
    rate_during = during.sum() / days[during].nunique()
    rate_else = (~during).sum() / days[~during].nunique()
    assert rate_during > 1.4 * rate_else


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_demo_maps_contacts_products_and_quantities(tmp_path: Path, fmt: str) -> None:
    from icpc.cleaning import load_dataset

    config = load_config(write_sample(tmp_path, seed=7, customers=150, fmt=fmt))
    assert config.customers is not None
    assert {"phone", "email", "contact"} <= set(config.customers.columns)
    assert {"product", "product_family", "quantity"} <= set(config.transactions.columns)
    ds = load_dataset(config)
    tx = ds.transactions
    assert tx["product_family"].notna().all() and tx["product"].notna().all()
    assert set(tx["product_family"].astype(str)) <= set(FAMILIES.values())
    q = tx["quantity"].to_numpy()
    credit = (tx["amount"] < 0).to_numpy()
    assert (q[~credit] >= 1).all() and (q[credit] <= 0).all()  # a credit note returns goods or none
    master = ds.customers
    phones = master["phone"].dropna()
    assert phones.str.fullmatch(r"0\d( \d\d){4}").all() and len(phones) > 0.85 * len(master)
    truth = generate_sample(seed=7, customers=150).truth
    warned = ds.ledgers["customers"].warnings["e-mails that are not an address"]["rows"]
    assert warned == len(truth["bad_emails"]) <= 0.05 * len(master)
    # every other e-mail is an address, and the contact persons have a title
    assert (
        master["email"].dropna().str.contains("@").sum() == master["email"].notna().sum() - warned
    )
    assert master["contact"].dropna().str.match(r"(Mme|M\.) ").all()


# --------------------------------------------------------------------------------------
# a sample never lands on the demo, nor on a folder someone edited
# --------------------------------------------------------------------------------------
def test_a_sample_is_not_the_demo_unless_asked(tmp_path: Path) -> None:
    sample = load_config(write_sample(tmp_path / "s", seed=42, customers=150))
    assert (sample.client, sample.slug) == ("Client échantillon 42", "client-echantillon-42")
    demo = load_config(write_sample(tmp_path / "d", seed=42, customers=150, demo=True))
    assert (demo.client, demo.slug) == ("Distribution Martin SAS", "distribution-martin")
    title = pd.read_excel(
        tmp_path / "s" / "clients.xlsx", header=None, nrows=1, engine="openpyxl"
    ).iloc[0, 0]
    assert "Client échantillon 42" in title  # the customer file names the same company


def test_a_rerun_replaces_its_own_files_but_not_an_edited_one(tmp_path: Path) -> None:
    folder = tmp_path / "client"
    write_sample(folder, seed=5, customers=150)
    write_sample(folder, seed=6, customers=150)  # its own, unedited files: replaced
    assert "seed 6" in (folder / "client.yaml").read_text(encoding="utf-8")
    config = folder / "client.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# my notes\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(ConfigError, match=r"client\.yaml: exists and was edited since.*--force"):
        write_sample(folder, seed=7, customers=150)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing touched
    write_sample(folder, seed=7, customers=150, force=True)
    assert "seed 7" in config.read_text(encoding="utf-8")


def test_a_file_it_did_not_write_stops_it(tmp_path: Path) -> None:
    (tmp_path / "factures.csv").write_text("Code;Date;Montant\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="was not written by icpc sample"):
        write_sample(tmp_path, seed=5, customers=150)
    assert (tmp_path / "factures.csv").read_text(encoding="utf-8") == "Code;Date;Montant\n"


def test_cli_sample_refuses_with_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "client.yaml").write_text("client: Mon client\n", encoding="utf-8")
    code = main(["sample", str(tmp_path), "--seed", "3", "--customers", "150", "--years", "2"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--force" in err
    assert (
        main(
            [
                "sample",
                str(tmp_path),
                "--seed",
                "3",
                "--customers",
                "150",
                "--years",
                "2",
                "--force",
            ]
        )
        == 0
    )
