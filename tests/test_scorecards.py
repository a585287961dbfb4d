"""The salesperson's scorecard (icpc.report.scorecard): figures worked out by hand, read
back from each PDF's text; one page each; file names; no N−1, no activity, English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.diagnostic import Diagnostic
from icpc.export.excel import salesperson_sheet
from icpc.money import cents
from icpc.report import format as fmt
from icpc.report.scorecard import (
    file_names,
    priorities,
    salespeople,
    scorecard_facts,
    write_scorecards,
)

pypdf = pytest.importorskip("pypdf")

AS_OF = dt.date(2024, 12, 31)

# N = 2024, N−1 = 2023. By hand:
#   Anne   A1 retained 1000 → 1500; A2 lost 800 (2023); A3 new 600 (2024).
#          N 2100, N−1 1800, 2 active, 2 sales, basket 1050, frequency 1, retention 1/2.
#   Bruno  B1 retained 500 → 300 + 300; B2 retained 400 → 200; B3 retained, 100 on the
#          10th of each month from 01/2023 to 03/2024, then nothing: slipping (rhythm
#          30 days, 9 months late), value at stake = its last 12 months = 300.
#          N 800 + 300 = 1100, N−1 900 + 1200 = 2100, 3 active, 6 sales, basket 183.33,
#          frequency 2, retention 3/3.
#   Chloé  C1 new 5000 (2024). N 5000, N−1 0, 1 active, 1 sale, retention undefined.
#   U1     50 in 2024 without a salesperson: no scorecard, not in the medians.
# Ranks by revenue N: Chloé 1, Anne 2, Bruno 3. Medians over the three: revenue 2100,
# basket median(1050, 183.33, 5000) = 1050, frequency median(1, 2, 1) = 1,
# active median(2, 3, 1) = 2, retention median(0.5, 1) = 0.75.
ROWS = [
    ("A1", "2023-03-01", 1000.0, "FA1", "Anne"),
    ("A1", "2024-03-01", 1500.0, "FA2", "Anne"),
    ("A2", "2023-05-01", 800.0, "FA3", "Anne"),
    ("A3", "2024-06-01", 600.0, "FA4", "Anne"),
    ("B1", "2023-02-01", 500.0, "FB1", "Bruno"),
    ("B1", "2024-02-01", 300.0, "FB2", "Bruno"),
    ("B1", "2024-09-01", 300.0, "FB3", "Bruno"),
    ("B2", "2023-04-01", 400.0, "FB4", "Bruno"),
    ("B2", "2024-04-01", 200.0, "FB5", "Bruno"),
    *[
        ("B3", f"{2023 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-10", 100.0, f"FB3-{m}", "Bruno")
        for m in range(1, 16)
    ],
    ("C1", "2024-01-15", 5000.0, "FC1", "Chloé"),
    ("U1", "2024-05-05", 50.0, "FU1", None),
]


def make_activity(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "salesperson", "kind"])
    return pd.DataFrame(
        {
            "date": pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
            "salesperson": pd.Categorical(frame["salesperson"]),
            "kind": pd.Categorical(frame["kind"]),
        }
    )


#: Anne's activity in N: 10 contacts, 5 calls not completed + 3 completed = 8 calls
ACTIVITY = (
    [("2024-02-01", "Anne", "contact_received")] * 10
    + [("2024-03-01", "Anne", "call")] * 5
    + [("2024-03-02", "Anne", "call_completed")] * 3
    + [("2023-03-02", "Anne", "call_completed")] * 4
)


def diag_of(rows=ROWS, *, activity=None, **extra) -> Diagnostic:
    return Diagnostic.from_frames(
        make_config(**extra), make_tx(rows), as_of=AS_OF, activity=activity
    )


def text_of(path: Path) -> str:
    """A PDF's text, its no-break spaces and word joiners read as plain spaces."""
    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u2060", "").replace("\u202f", " ").replace("\xa0", " ").split())


def plain(text: str) -> str:
    """A formatted figure as :func:`text_of` reads it."""
    return " ".join(text.replace("\u2060", "").replace("\u202f", " ").replace("\xa0", " ").split())


def pages(path: Path) -> int:
    return len(pypdf.PdfReader(path).pages)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    diag = diag_of(activity=make_activity(ACTIVITY))
    return write_scorecards(diag, tmp_path_factory.mktemp("cards") / "scorecards")


# ---------------------------------------------------------------------- the figures
def test_the_facts_are_the_by_salesperson_block_and_the_hand_worked_figures() -> None:
    diag = diag_of()
    assert salespeople(diag) == ["Chloé", "Anne", "Bruno"]  # by rank, no "(unassigned)"
    anne = scorecard_facts(diag, "Anne")
    block = diag.kpis_json()["by_salesperson"]["Anne"]
    assert anne.revenue == block["revenue"]["current"] == 2100.0
    assert anne.revenue_previous == block["revenue"]["previous"] == 1800.0
    assert (anne.rank, anne.team_size) == (block["rank"], 3) == (2, 3)
    revenue = anne.indicator("revenue")
    assert revenue.median == 2100.0 and revenue.change_pct == pytest.approx(300 / 1800)
    basket = anne.indicator("average_basket")
    assert basket.current == 1050.0 and basket.median == 1050.0 and not basket.below_par
    assert anne.indicator("purchase_frequency").median == 1.0
    assert anne.indicator("active_customers").median == 2.0
    retention = anne.indicator("retention_rate")
    assert retention.current == 0.5 and retention.median == 0.75 and retention.below_par
    assert anne.indicator("new_customers").current == block["new_customers"] == 1
    assert anne.indicator("lost_customers").current == block["lost_customers"] == 1
    assert anne.indicator("lost_customers").median == 0.0  # median(1, 0, 0)
    assert anne.bridge == {"new": 600.0, "reactivated": 0.0, "retained": 500.0,
                           "lost": -800.0, "other": 0.0}  # fmt: skip
    assert sum(anne.bridge.values()) == pytest.approx(anne.revenue - anne.revenue_previous)
    assert [m.revenue for m in anne.months if m.revenue] == [1500.0, 600.0]
    assert sum(m.revenue for m in anne.months) == anne.revenue
    assert sum(m.revenue_previous or 0 for m in anne.months) == anne.revenue_previous
    assert anne.funnel is None  # no activity log
    bruno = scorecard_facts(diag, "Bruno")
    assert (bruno.slipping_count, bruno.slipping_value) == (1, 300.0)
    flagged = diag.early_warning.loc[diag.early_warning["early_warning"]]
    assert list(flagged.index) == ["B3"] and flagged["value_at_stake"].sum() == 300.0
    assert bruno.indicator("average_basket").current == pytest.approx(1100 / 6)
    assert bruno.indicator("retention_rate").current == 1.0
    chloe = scorecard_facts(diag, "Chloé")
    assert chloe.rank == 1 and chloe.indicator("retention_rate").current is None
    with pytest.raises(KeyError, match="unassigned"):
        scorecard_facts(diag, "(unassigned)")


def test_priorities_are_his_own_ranked_by_the_euros_at_stake() -> None:
    diag = diag_of()
    bruno = priorities(scorecard_facts(diag, "Bruno"))
    # basket 183.33 below the median 1050: (1050 − 1100/6) × 6 sales = 6300 − 1100 = 5200
    assert [(p.code, p.amount, p.count) for p in bruno] == [
        ("raise_basket", 5200.0, 6),
        ("call_slipping", 300.0, 1),
        ("secure_top", 1100.0, 3),  # fills the list, last: B1 600 + B3 300 + B2 200
    ]
    anne = priorities(scorecard_facts(diag, "Anne"))
    assert [(p.code, p.amount, p.count) for p in anne] == [
        ("win_back_lost", 800.0, 1),
        ("secure_top", 2100.0, 2),
    ]
    chloe = priorities(scorecard_facts(diag, "Chloé"))
    assert [(p.code, p.amount) for p in chloe] == [("secure_top", 5000.0)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Q", []), ("S", [("raise_basket", 90.0)])],
    ids=["1-percent-below", "9-percent-below"],
)
def test_a_gap_to_the_median_is_a_priority_only_when_material(name, expected) -> None:
    # one sale each: baskets 1000, 980, 1100, 900; median 990. Q is 1 % below it, S 9 %:
    # (990 − 900) × 1 sale = 90
    rows = [(c, "2024-05-01", v, f"F{c}", c) for c, v in
            (("P", 1000.0), ("Q", 980.0), ("R", 1100.0), ("S", 900.0))]  # fmt: skip
    facts = scorecard_facts(diag_of(rows), name)
    assert facts.indicator("average_basket").median == 990.0
    assert facts.indicator("average_basket").below_par  # shaded in the table either way
    found = [(p.code, p.amount) for p in priorities(facts) if p.code != "secure_top"]
    assert found == expected


# ---------------------------------------------------------------------- the pages
def test_every_assigned_salesperson_gets_one_page_named_after_him(written) -> None:
    assert sorted(written) == ["anne.pdf", "bruno.pdf", "chloe.pdf"]
    for path in written.values():
        assert pages(path) == 1, path.name
        assert path.parent.name == "scorecards"


def test_annes_scorecard_reads_her_figures_in_french(written) -> None:
    text = text_of(written["anne.pdf"])
    assert "FICHE DU COMMERCIAL" in text and "Anne" in text  # the kicker is set in capitals
    assert "2e sur 3" in text and "au 2e rang des 3 commerciaux" in text
    assert plain(fmt.money(2100, decimals=0)) in text  # revenue N, and the team median
    assert plain(fmt.money(1800, decimals=0)) in text  # revenue N−1
    assert plain(fmt.change(300 / 1800)) in text  # ▲ +16,7 %
    assert "Médiane de l’équipe" in text
    assert plain(fmt.percent(0.5)) in text and plain(fmt.percent(0.75)) in text
    assert plain(fmt.points(-0.25)) in text  # retention 50 % against a median of 75 %
    assert "Du 01/01/2024 au 31/12/2024".lower() in text.lower()
    # the bridge
    for amount in (600, 500, -800):
        assert plain(fmt.signed_money(amount)) in text
    # health and priorities
    assert "Aucun client en décrochage" in text
    # the health block counts and shares (lost: of her 2 customers active in N−1, the
    # complement of her retention rate); the euros are in the priorities
    assert f"1 client perdu (actif en N−1, plus en N), soit {plain(fmt.percent(0.5))} de vos " \
        "clients actifs en N−1." in text  # fmt: skip
    assert "de CA N−1" not in text and text.count("acheté 800 €") == 1
    assert "Vos deux priorités" in text
    assert "Reprenez contact avec votre client perdu : il vous avait acheté 800 € en N−1" in text
    assert "Soignez vos 2 premiers clients : " + plain(fmt.money_reading(2100)) in text
    assert "votre feuille « Com. Anne » dans actions.xlsx" in text  # as the workbook names it
    assert salesperson_sheet("Anne", "fr") == "Com. Anne"
    assert "(unassigned)" not in text


def test_bruno_is_told_of_his_slipping_customer_and_his_basket(written) -> None:
    text = text_of(written["bruno.pdf"])
    assert "3e sur 3" in text
    assert f"1 client en décrochage, soit {plain(fmt.percent(1 / 3))} de vos clients." in text
    assert "300 € en jeu" not in text  # the euros once, in the call
    assert "À appeler : B3 (300 €)." in text  # named under the call
    assert "Appelez votre client en décrochage : 300 € de CA sur 12 mois en jeu" in text
    median, basket = plain(fmt.money(1050, decimals=0)), plain(fmt.money(1100 / 6, decimals=0))
    assert f"Relevez votre panier moyen ({basket}, médiane de l’équipe {median})" in text
    assert plain(fmt.money_reading(5200)) + " de CA en plus" in text
    assert text.index("Relevez") < text.index("Appelez") < text.index("Soignez")  # by €


def test_the_activity_funnel_shows_only_with_an_activity_log(written, tmp_path: Path) -> None:
    text = text_of(written["anne.pdf"])
    assert "Des contacts aux ventes (N)" in text
    assert "Contacts reçus 10" in text and "Appels passés 8" in text
    assert "Appels aboutis 3" in text and "N−1 : 4" in text
    assert plain(fmt.percent(3 / 8)) in text and plain(fmt.percent(2 / 3)) in text
    # Bruno is in the sales but not in the log: told so, not a funnel of zeros
    assert "Aucune activité enregistrée à votre nom" in text_of(written["bruno.pdf"])
    bare = write_scorecards(diag_of(), tmp_path / "scorecards")
    assert "Des contacts aux ventes" not in text_of(bare["anne.pdf"])


def test_without_previous_period_no_comparison_is_made(tmp_path: Path) -> None:
    rows = [r for r in ROWS if r[1] >= "2024"]
    written = write_scorecards(diag_of(rows), tmp_path / "scorecards")
    text = text_of(written["anne.pdf"])
    assert pages(written["anne.pdf"]) == 1
    assert "Pas de données N−1" in text and "comparée à N−1" not in text
    assert "par rapport à N−1" not in text and "(actif en N−1, plus en N)" not in text
    assert "Clients perdus – – – – –" in text  # the row stays, with nothing to say
    assert plain(fmt.money(2100, decimals=0)) in text and "2e sur 3" in text


def test_english_scorecards(tmp_path: Path) -> None:
    written = write_scorecards(diag_of(language="en"), tmp_path / "scorecards")
    text = text_of(written["anne.pdf"])
    assert "SALESPERSON SCORECARD" in text and "2nd of 3" in text
    assert plain(fmt.money(2100, language="en", decimals=0)) in text  # €2,100
    assert "Team median" in text and "Your two priorities" in text
    assert f"your sheet “{salesperson_sheet('Anne', 'en')}” in actions.xlsx" in text
    assert "FICHE" not in text and "Médiane" not in text


def test_no_salesperson_column_no_scorecards(tmp_path: Path) -> None:
    tx = make_tx([r[:4] + ("x",) for r in ROWS]).drop(columns="salesperson")
    raw = make_config()
    diag = Diagnostic.from_frames(raw, tx, as_of=AS_OF)
    assert diag.by_salesperson is None and salespeople(diag) == []
    assert write_scorecards(diag, tmp_path / "scorecards") == {}
    assert not (tmp_path / "scorecards").exists()


# ---------------------------------------------------------------------- file names
@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Hélène Fournier"], {"Hélène Fournier": "helene-fournier.pdf"}),
        (
            ["Jean Dupont", "jean-dupont", "JEAN  DUPONT"],
            {
                "JEAN  DUPONT": "jean-dupont.pdf",
                "Jean Dupont": "jean-dupont-2.pdf",
                "jean-dupont": "jean-dupont-3.pdf",
            },
        ),  # fmt: skip
        (["???", "!!!"], {"!!!": "commercial.pdf", "???": "commercial-2.pdf"}),
        (["x", "X", "x 2"], {"X": "x.pdf", "x": "x-2.pdf", "x 2": "x-2-2.pdf"}),
    ],
    ids=["accents", "collisions", "no-letter", "suffix-taken"],
)
def test_file_names_are_distinct_slugs(names: list[str], expected: dict[str, str]) -> None:
    assert file_names(names) == expected


def test_colliding_names_get_their_own_file(tmp_path: Path) -> None:
    rows = [
        ("K1", "2024-02-01", 300.0, "F1", "Jean Dupont"),
        ("K2", "2024-03-01", 200.0, "F2", "jean-dupont"),
        ("K3", "2024-04-01", 100.0, "F3", "???"),
    ]
    written = write_scorecards(diag_of(rows), tmp_path / "scorecards")
    assert sorted(written) == ["commercial.pdf", "jean-dupont-2.pdf", "jean-dupont.pdf"]
    # sorted names: "???" < "Jean Dupont" < "jean-dupont"
    first, second = text_of(written["jean-dupont.pdf"]), text_of(written["jean-dupont-2.pdf"])
    assert "Jean Dupont" in first and "1er sur 3" in first
    assert "jean-dupont" in second and "2e sur 3" in second
    assert "3e sur 3" in text_of(written["commercial.pdf"])


# ---------------------------------------------------------------------- one page whatever
def _crowded_rows(seed: int = 7) -> list[tuple]:
    """Many customers, every segment, a very long name, one salesperson whose customers all
    left before N, an unassigned customer, credit notes."""
    rng = np.random.default_rng(seed)
    people = ["Marie-Christine de La Tour d’Auvergne-Lauraguais " * 3, "Zoé", "Paul", "Lou"]
    rows = []
    n = 0
    for c in range(400):
        who = people[c % len(people)]
        k = int(rng.integers(1, 25))
        start = dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1300)))
        for _ in range(k):
            day = start + dt.timedelta(days=int(rng.integers(0, 700)))
            if day > AS_OF:
                continue
            n += 1
            rows.append((f"C{c:04d}", day.isoformat(), float(rng.gamma(2.0, 300.0)), f"F{n}", who))
    # Gone: both his customers bought in 2022-2023 only
    rows += [("G1", "2022-05-01", 900.0, "G1", "Gone"), ("G2", "2023-06-01", 400.0, "G2", "Gone")]
    rows += [("G2", "2023-07-01", -100.0, "G3", "Gone"), ("U9", "2024-01-01", 10.0, "U9", None)]
    return rows


def test_every_salespersons_figures_are_his_block_of_kpis_json() -> None:
    diag = diag_of(_crowded_rows())
    blocks = diag.kpis_json()["by_salesperson"]
    ew = diag.early_warning.loc[diag.early_warning["early_warning"]]
    for name in salespeople(diag):
        facts, block = scorecard_facts(diag, name), blocks[name]
        assert (facts.revenue, facts.revenue_previous) == (
            block["revenue"]["current"],
            block["revenue"]["previous"],
        )
        assert facts.rank == block["rank"] and facts.customers == block["customers"]
        assert facts.lost_revenue == block["lost_revenue"]
        for key in ("active_customers", "average_basket"):
            assert facts.indicator(key).current == pytest.approx(block[key]["current"])
        for key in ("new_customers", "lost_customers"):
            assert facts.indicator(key).current == block[key]
        mine = ew.loc[ew["salesperson"].astype(str) == name, "value_at_stake"]
        assert (facts.slipping_count, facts.slipping_value) == (len(mine), cents(mine.sum()))
        assert sum(m.revenue for m in facts.months) == pytest.approx(facts.revenue, abs=0.01)
        if facts.bridge is not None:
            assert sum(facts.bridge.values()) == pytest.approx(
                facts.revenue - facts.revenue_previous, abs=0.02
            )


def test_every_scorecard_is_one_page_whatever_the_data(tmp_path: Path) -> None:
    diag = diag_of(_crowded_rows(), activity=make_activity(ACTIVITY))
    names = salespeople(diag)
    assert "Gone" in names and "(unassigned)" not in names and len(names) == 5
    segments = {s.segment for n in names for s in scorecard_facts(diag, n).segments}
    assert len(segments) >= 8  # a crowded segments list
    written = write_scorecards(diag, tmp_path / "scorecards")
    assert len(written) == 5
    for name, path in written.items():
        assert pages(path) == 1, name
    gone = text_of(written["gone.pdf"])
    assert "Aucune vente en N" in gone and "5e sur 5" in gone
    # G1 left before N−1 (class "other"); G2 bought 400 − 100 in N−1, nothing in N: lost
    assert "1 client perdu (actif en N−1, plus en N), soit 100,0 % de vos clients actifs" in gone
    assert "Reprenez contact avec votre client perdu : il vous avait acheté 300 € en N−1" in gone
    long = next(p for n, p in written.items() if n.startswith("marie-christine"))
    assert "Marie-Christine de La Tour" in text_of(long)
    assert len(next(n for n in written if n.startswith("marie"))) <= 84  # slug cut at 80


@pytest.mark.parametrize(
    ("extra_css", "compact"),
    [
        (".sc-card:not(.sc-compact) p.sc-headline { margin-bottom: 230mm; }", True),
        ("p.sc-headline { margin-bottom: 230mm; }", False),
    ],
    ids=["fits-compact", "never-fits"],
)
def test_a_card_too_long_for_its_page_is_laid_out_again_and_stays_one_page(
    tmp_path: Path, monkeypatch, extra_css: str, compact: bool
) -> None:
    from icpc.report.scorecard import render

    css = render._css()
    monkeypatch.setattr(render, "_css", lambda: css + extra_css)
    laid_out: list[int] = []
    layout = render._layout

    def counting(cards, language, title):
        document = layout(cards, language, title)
        laid_out.append(len(document.pages))
        return document

    monkeypatch.setattr(render, "_layout", counting)
    written = write_scorecards(diag_of(), tmp_path / "scorecards")
    assert laid_out[0] == 6  # three cards, each pushed onto a second page
    assert len(laid_out) == (2 if compact else 3)  # compact fits; else compact, then short
    for path in written.values():
        assert pages(path) == 1  # never two pages, whatever happens
    text = text_of(written["anne.pdf"])
    assert "Anne" in text and "2e sur 3" in text
    # compact: the whole card on its page; never fitting: its first page only
    assert ("Vos deux priorités" in text) is compact


def test_the_scorecard_has_the_reports_typography(written) -> None:
    raw = "\n".join(p.extract_text() for p in pypdf.PdfReader(written["bruno.pdf"]).pages)
    assert "'" not in raw  # d’affaires, l’équipe
    assert "\u202f:" in raw and "«\u202f" in raw  # narrow no-break spaces of French
    assert "−" in raw and not any(f" -{d}" in raw for d in "0123456789")  # true minus
    assert "31/12/2024" in raw and "2024-12-31" not in raw


def test_a_salesperson_column_with_no_name_gives_no_scorecard(tmp_path: Path) -> None:
    diag = diag_of([r[:4] + (None,) for r in ROWS])
    assert list(diag.by_salesperson.index) == ["(unassigned)"]
    assert salespeople(diag) == [] and write_scorecards(diag, tmp_path / "scorecards") == {}
    assert not (tmp_path / "scorecards").exists()


@pytest.mark.parametrize(
    ("n", "fr", "en"),
    [(1, "1er", "1st"), (2, "2e", "2nd"), (3, "3e", "3rd"), (4, "4e", "4th"),
     (11, "11e", "11th"), (12, "12e", "12th"), (21, "21e", "21st"), (22, "22e", "22nd"),
     (101, "101e", "101st"), (111, "111e", "111th")],
    ids=lambda v: str(v),
)  # fmt: skip
def test_ranks_are_ordinals_of_the_language(n: int, fr: str, en: str) -> None:
    from icpc.report.scorecard.view import ordinal

    assert (ordinal(n, "fr"), ordinal(n, "en")) == (fr, en)


def test_his_objectives_are_on_his_card_and_equal_kpis_json(tmp_path: Path) -> None:
    diag = diag_of(objectives={"by_salesperson": {"Anne": {"revenue": 2000, "lost_customers": 0}}})
    facts = scorecard_facts(diag, "Anne")
    block = diag.kpis_json()["objectives"]["by_salesperson"]["Anne"]
    assert facts.objectives == block
    assert block["revenue"] == {"target": 2000.0, "actual": 2100.0, "attainment": 1.05, "met": True}
    assert block["lost_customers"]["met"] is False  # A2 lost; lower is better
    cards = write_scorecards(diag, tmp_path / "scorecards")
    anne = text_of(cards["anne.pdf"])
    assert (
        "Vos objectifs : chiffre d’affaires 2 100 € pour un objectif de 2 000 € (atteint) ; "
        "clients perdus 1 pour un objectif de 0 (non atteint)." in anne
    )
    assert pages(cards["anne.pdf"]) == 1
    assert "objectifs" not in text_of(cards["bruno.pdf"])  # no target for him


# ---------------------------------------------------------------------- the demo (review)
DEMO_CONFIG = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"


@pytest.fixture(scope="module")
def demo() -> Diagnostic:
    from icpc.config import load_config

    return Diagnostic.from_config(load_config(DEMO_CONFIG))


@pytest.fixture(scope="module")
def demo_cards(demo, tmp_path_factory) -> dict[str, str]:
    written = write_scorecards(demo, tmp_path_factory.mktemp("demo") / "scorecards")
    assert all(pages(p) == 1 for p in written.values())
    return {name: text_of(path) for name, path in written.items()}


def test_the_call_leaves_out_the_creations_he_must_check_first(demo, demo_cards) -> None:
    from icpc.analysis.actions import creations_to_check

    to_check = creations_to_check(demo.action_plan)  # the plan's check_creations
    ew = demo.early_warning
    mine = ew.loc[ew["early_warning"] & (ew["salesperson"].astype(str) == "Julien Marchetti")]
    checked = mine.index.astype(str).isin(to_check)
    assert (len(mine), int(checked.sum())) == (34, 21)  # the reviewer's figures
    facts = scorecard_facts(demo, "Julien Marchetti")
    assert (facts.slipping_count, facts.slipping_to_check, facts.to_call) == (34, 21, 13)
    assert facts.to_call_value == cents(mine.loc[~checked, "value_at_stake"].sum())
    assert not {c.customer_id for c in facts.slipping_top} & to_check  # named to call
    assert facts.creations == len(to_check) == 42
    call = next(p for p in priorities(facts) if p.code == "call_slipping")
    assert (call.count, call.amount) == (13, facts.to_call_value)
    text = demo_cards["julien-marchetti.pdf"]
    amount = plain(fmt.money_reading(facts.to_call_value))
    assert (
        f"Appelez vos 13 clients en décrochage (hors vos 21 créations à vérifier), les plus "
        f"gros d’abord : {amount} de CA sur 12 mois en jeu." in text
    )
    assert "Appelez vos 34" not in text
    share = plain(fmt.percent(34 / facts.customers))
    assert f"34 clients en décrochage, soit {share} de vos clients, dont 21 créations à " \
        "vérifier." in text  # fmt: skip
    assert "Vérifiez avec la direction commerciale vos 42 créations" in text
    # nobody else has creations to check: his colleagues' calls count all their slipping
    helene = scorecard_facts(demo, "Hélène Fournier")
    assert helene.slipping_to_check == 0 and helene.to_call == helene.slipping_count
    assert "hors vos" not in demo_cards["helene-fournier.pdf"]


def test_the_wording_when_some_or_all_slipping_customers_are_to_check() -> None:
    from dataclasses import replace

    from icpc.export.context import OutputContext
    from icpc.report.scorecard.view import card_view

    diag = diag_of()
    bruno = scorecard_facts(diag, "Bruno")  # B3 slipping, 300 €
    words = OutputContext.of(diag)
    # his only slipping customer is a creation to check: no call, told in the health block
    only = replace(bruno, slipping_to_check=1, to_call=0, to_call_value=0.0, slipping_top=())
    assert "call_slipping" not in [p.code for p in priorities(only)]
    card = card_view(only, priorities(only), words)
    lines = [plain(line) for line in card["health"]["lines"]]
    assert "1 client en décrochage, soit 33,3 % de vos clients : une création à vérifier." in lines
    # one of his three lost customers is a creation to check, two are to win back
    some = replace(bruno, lost_to_win_back=2, lost_to_win_back_revenue=500.0, lost_left_out=1)
    card = card_view(some, priorities(some), words)
    assert any(
        "vos 2 clients perdus (hors 1 autre, à appeler ou à vérifier)" in plain(p["text"])
        for p in card["priorities"]
    )


@pytest.mark.parametrize(
    ("kind", "higher", "current", "median", "gap", "bad"),
    [
        ("percent", True, 0.8695652, 0.8633540, "+0,7 pts", False),  # Julien: 87,0 − 86,3
        ("percent", True, 0.8285714, 0.8633540, "−3,4 pts", True),  # Nathalie: 82,9 − 86,3
        ("decimal", True, 7.4444444, 7.4183007, "+0,02", False),  # Karim: 7,44 − 7,42
        ("percent", True, 0.86301, 0.86340, "0,0 pts", False),  # both 86,3 %: not worse
        ("decimal", True, 7.4151, 7.4183, "0,00", False),  # both 7,42
        ("money", True, 655.5757, 861.8655, "−206 €", True),  # 656 − 862, not −206,29
        ("count", False, 6.0, 5.5, "0", False),  # lost: 6 against a median shown as 6
        ("count", False, 6.0, 4.5, "+2", True),  # 4,5 is shown 4 (half to even)
    ],
    ids=["julien-retention", "nathalie-retention", "karim-frequency", "zero-shown-percent",
         "zero-shown-decimal", "basket", "lost-even-median", "lost-half-down"],
)  # fmt: skip
def test_the_gap_to_the_median_is_the_difference_of_the_figures_shown(
    kind: str, higher: bool, current: float, median: float, gap: str, bad: bool
) -> None:
    from dataclasses import replace

    from icpc.export.context import OutputContext
    from icpc.report.scorecard.facts import Indicator
    from icpc.report.scorecard.view import card_view

    diag = diag_of()
    anne = scorecard_facts(diag, "Anne")
    key = {"percent": "retention_rate", "decimal": "purchase_frequency",
           "money": "average_basket", "count": "lost_customers"}[kind]  # fmt: skip
    ind = Indicator(key, kind, higher, current, None, None, median)
    facts = replace(anne, indicators=tuple(ind if i.key == key else i for i in anne.indicators))
    card = card_view(facts, priorities(facts), OutputContext.of(diag))
    row = card["indicators"][[i.key for i in facts.indicators].index(key)]
    assert (plain(row["gap"]), row["bad"]) == (gap, bad)


def test_the_demo_gaps_add_up_on_the_page(demo_cards) -> None:
    assert "87,0 % – – 86,3 % +0,7 pts" in demo_cards["julien-marchetti.pdf"]
    assert "82,9 % – – 86,3 % −3,4 pts" in demo_cards["nathalie-roussel.pdf"]
    assert "7,44 6,95 ▲ +7,1 % 7,42 +0,02" in demo_cards["karim-haddad.pdf"]


def test_the_health_block_counts_and_the_priorities_carry_the_euros(demo, demo_cards) -> None:
    from icpc.export.context import OutputContext
    from icpc.report.scorecard.view import card_view

    words = OutputContext.of(demo)
    for name in salespeople(demo):
        facts = scorecard_facts(demo, name)
        card = card_view(facts, priorities(facts), words)
        assert card["health"]["lines"] and not any("€" in x for x in card["health"]["lines"])
    text = demo_cards["julien-marchetti.pdf"]
    facts = scorecard_facts(demo, "Julien Marchetti")
    # each fact once: the lost customers' revenue, the creations' basket, the slipping total
    assert text.count(plain(fmt.money_reading(facts.lost_revenue))) == 1
    assert text.count(plain(fmt.money(facts.creations_basket, decimals=0))) == 1
    assert plain(fmt.money_reading(facts.slipping_value)) not in text  # 61,7 k €: his
    # slipping customers are counted in the health block, the call values those to call
    assert "6 clients perdus (actifs en N−1, plus en N), soit 13,0 % de vos clients actifs" in text
    assert "87,0 %" in text  # 13,0 % lost + 87,0 % retained: his customers active in N−1
    assert "42 créations de clients à des adresses partagées, à vérifier, soit" in text
    assert "panier moyen de 166 € contre 888 € pour les clients sans adresse partagée" in text


def test_the_creations_on_a_card_are_the_plans_and_the_workbooks() -> None:
    """The scorecard names the creations to check of the plan (those the workbook marks),
    for the salesperson the plan names, and none for the others."""
    from report_data import make_diagnostic

    from icpc.analysis.actions import creations_to_check, find_action

    diag = make_diagnostic(burst=True)
    action = find_action(diag.action_plan, "check_creations")
    assert action is not None
    for name in salespeople(diag):
        facts = scorecard_facts(diag, name)
        if name == action.detail["salesperson"]:
            assert facts.creations == action.detail["created"]
            assert facts.creations_new == action.detail["new_among"]
            assert facts.creations_revenue == action.amount
        else:
            assert (facts.creations, facts.creations_new) == (0, 0)
    assert set(creations_to_check(diag.action_plan)) == set(action.customers)


def test_scorecards_are_drawn_with_the_collector_paused_then_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import types

    from icpc.report.scorecard import render

    states: list[bool] = []

    class Doc:
        def write_pdf(self, path: Path) -> None:
            states.append(gc.isenabled())
            Path(path).write_bytes(b"%PDF-")

    def fake_render(diag: object, *, language: str | None = None) -> list[object]:
        states.append(gc.isenabled())
        return [(types.SimpleNamespace(salesperson=n), Doc()) for n in ("Amélie", "Luc")]

    monkeypatch.setattr(render, "render_scorecards", fake_render)
    diag = types.SimpleNamespace(config=types.SimpleNamespace(language="fr"))
    assert gc.isenabled()
    out = render.write_scorecards(diag, tmp_path / "cards")  # type: ignore[arg-type]
    assert states == [False, False, False] and gc.isenabled() and len(out) == 2


def test_the_segments_and_the_customers_attributed_add_up_on_every_scorecard():
    """« N clients vous sont attribués »: the segments listed plus those without one (net
    purchases not positive, not scored) make N, and the page says how many have none."""
    from pathlib import Path

    from icpc.config import load_config
    from icpc.diagnostic import Diagnostic
    from icpc.export.context import OutputContext
    from icpc.report.scorecard.facts import salespeople, scorecard_facts
    from icpc.report.scorecard.view import _health

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    diag = Diagnostic.from_config(load_config(demo))
    seen_unscored = 0
    words = OutputContext.of(diag, "fr")
    for name in salespeople(diag):
        facts = scorecard_facts(diag, name)
        scored = sum(s.customers for s in facts.segments)
        health = _health(facts, words)
        note = health["segments_unscored"]
        if scored < facts.customers:
            seen_unscored += 1
            n = facts.customers - scored
            assert note.startswith(f"Et {n} client") and "sans segment" in note
        else:
            assert note is None
    assert seen_unscored  # the demo has customers whose only sale a credit note cancelled
