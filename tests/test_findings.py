"""Findings sentences written from constructed numbers, in French and English."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from icpc.report import findings as F
from icpc.text import typeset

NBSP = "\u00a0"
NNBSP = "\u202f"


def _fr(text: str) -> str:
    """The French typography the catalogue gives its sentences (’, narrow no-break spaces)."""
    return typeset(text, "fr")


def kpis(**over):
    base = {
        "kpis": {
            "revenue": {"current": 1_420_000.0, "previous": 1_500_000.0, "change": -80_000.0, "change_pct": -80_000 / 1_500_000},
            "active_customers": {"current": 590, "previous": 500, "change": 90, "change_pct": 0.18},
            "average_basket": {"current": 780.0, "previous": 1000.0, "change": -220.0, "change_pct": -0.22},
            "new_customers": 120, "retained_customers": 445, "reactivated_customers": 25,
            "lost_customers": 55, "lost_revenue": 456_789.4, "churn_rate": 0.11, "retention_rate": 0.89,
        },
        "decomposition": {"customers": 220_000.0, "frequency": -40_000.0, "basket": -260_000.0},
        "early_warning": {"flagged": 37, "value_at_stake": 234_567.0},
    }  # fmt: skip
    for key, value in over.items():
        if key in base["kpis"]:
            base["kpis"][key] = value
        else:
            base[key] = value
    return base


def test_customers_up_basket_down_fr():
    assert F.customers_vs_basket(kpis(), language="fr") == _fr(
        f"Le nombre de clients progresse de 18{NBSP}% mais le panier moyen recule de 22{NBSP}%{NBSP}: "
        "la croissance du portefeuille ne se traduit pas en chiffre d'affaires."
    )


def test_customers_up_basket_down_en():
    assert F.customers_vs_basket(kpis(), language="en") == (
        "The number of customers grew by 18% but the average basket fell by 22%: "
        "the larger portfolio does not translate into revenue."
    )


def test_customers_up_basket_down_with_revenue_growth_says_partly():
    k = kpis(revenue={"current": 1.1, "previous": 1.0, "change": 0.1, "change_pct": 0.1})
    assert _fr("ne se traduit qu'en partie") in F.customers_vs_basket(k, language="fr")


@pytest.mark.parametrize(
    ("customers", "basket"),
    [(0.18, 0.02), (0.03, -0.22), (0.10, 0.10), (None, -0.22)],
    ids=["basket-flat", "customers-flat", "same-direction", "no-previous"],
)
def test_customers_vs_basket_silent_when_not_supported(customers, basket):
    k = kpis(active_customers={"change_pct": customers}, average_basket={"change_pct": basket})
    assert F.customers_vs_basket(k, language="fr") is None


def test_customers_down_basket_up():
    k = kpis(active_customers={"change_pct": -0.12}, average_basket={"change_pct": 0.3})
    assert F.customers_vs_basket(k, language="fr").startswith(
        f"Le nombre de clients recule de 12{NBSP}% mais le panier moyen progresse de 30{NBSP}%"
    )


def test_revenue_change_names_the_main_driver_and_the_offset():
    fr = F.revenue_change(kpis(), language="fr")
    assert fr == _fr(
        f"Le chiffre d'affaires recule de 5,3{NBSP}%, de 1,5{NBSP}M{NBSP}€ à 1,42{NBSP}M{NBSP}€ "
        f"(−80{NBSP}k{NBSP}€). Premier facteur{NBSP}: la baisse du panier moyen (−260{NBSP}k{NBSP}€), "
        f"que la hausse du nombre de clients (+220{NBSP}k{NBSP}€) ne compense qu'en partie."
    )
    en = F.revenue_change(kpis(), language="en")
    assert en == (
        "Revenue fell by 5.3%, from €1.5m to €1.42m (−€80k). Main driver: a lower average "
        "basket (−€260k), partly offset by a higher number of customers (+€220k)."
    )


def test_revenue_change_without_previous_is_silent():
    k = kpis(revenue={"current": 100.0, "previous": None, "change": None, "change_pct": None})
    assert F.revenue_change(k) is None


def test_revenue_change_without_opposite_factor():
    k = kpis(
        decomposition={"customers": 90_000.0, "frequency": 5_000.0, "basket": 5_000.0},
        revenue={
            "current": 1_100_000.0,
            "previous": 1_000_000.0,
            "change": 100_000.0,
            "change_pct": 0.1,
        },
    )
    text = F.revenue_change(k, language="fr")
    assert text.endswith(
        _fr(f"Premier facteur{NBSP}: la hausse du nombre de clients (+90{NBSP}k{NBSP}€).")
    )
    assert "compense" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            f"55 clients actifs en N−1 n'ont rien acheté en N (taux d'attrition de 11,0{NBSP}%){NBSP}: "
            f"ils représentaient 456,8{NBSP}k{NBSP}€ de chiffre d'affaires en N−1.",
        ),
        (
            "en",
            "55 customers active in N−1 bought nothing in N (churn rate 11.0%); "
            "they accounted for €456.8k of revenue in N−1.",
        ),
    ],
    ids=["fr", "en"],
)
def test_lost_customers(language, expected):
    assert F.lost_customers(kpis(), language=language) == typeset(expected, language)


def test_no_lost_customer_no_sentence():
    assert F.lost_customers(kpis(lost_customers=0)) is None


def test_early_warning_sentence_and_silence():
    assert F.early_warning(kpis(), language="fr") == _fr(
        f"37 clients décrochent de leur rythme d'achat habituel{NBSP}: ils pèsent 234,6{NBSP}k{NBSP}€ "
        "de chiffre d'affaires sur les 12 derniers mois, à sécuriser en priorité."
    )
    assert F.early_warning(kpis(early_warning={"flagged": 0, "value_at_stake": 0.0})) is None


def test_concentration_flags_a_dependency_only_when_there_is_one():
    # 10 customers: the first makes half of revenue
    dependent = pd.Series([900.0] + [100.0] * 9)
    text = F.concentration(dependent, language="fr")
    assert text == _fr(
        f"Les 20{NBSP}% de clients les plus importants réalisent 56{NBSP}% du chiffre d'affaires N"
        f"{NBSP}: le premier client pèse à lui seul 50{NBSP}%, une dépendance à surveiller."
    )
    even = pd.Series(np.full(20, 100.0))
    assert F.concentration(even, language="en") == "The top 20% of customers make 20% of revenue N."
    assert F.concentration(pd.Series([5.0, 3.0])) is None  # too few customers to speak of 20 %


def test_segment_to_act_on_picks_the_action_segment_with_most_revenue():
    prof = pd.DataFrame(
        {
            "customers": [100, 10, 58, 0],
            "revenue": [9e5, 1e5, 3e5, 0.0],
            "revenue_share": [0.6, 0.05, 0.18, 0.0],
            "label": ["Champions", "À ne pas perdre", "À risque", "À surveiller"],
            "action": ["Récompenser.", "Appeler.", "Relancer par une offre personnalisée.", "-"],
        },
        index=pd.Index(
            ["Champions", "Can't lose them", "At risk", "Need attention"], name="segment"
        ),
    )
    assert F.segment_to_act_on(prof, language="fr") == _fr(
        f"Parmi les segments à reconquérir, « À risque » pèse le plus{NBSP}: 58 clients et 18,0{NBSP}% du chiffre d'affaires de tout l'historique (pas seulement de N). "
        f"Action recommandée{NBSP}: relancer par une offre personnalisée."
    )
    assert F.segment_to_act_on(prof.loc[["Champions"]]) is None


def test_salesperson_anomaly():
    flag = {
        "salesperson": "Durand",
        "customers": 14,
        "days": 90,
        "basket": 120.0,
        "basket_others": 840.0,
    }
    assert F.salesperson_anomaly(flag, language="en") == (
        "Durand created 14 customers sharing an address with other customers within 90 days; "
        "their average basket is €120, against €840 for the others (over the whole history) "
        "— to be checked (a "
        "prospecting bonus might explain it)."
    )
    assert F.salesperson_anomaly(flag, language="fr").endswith(
        _fr("— à vérifier (une prime de prospection pourrait l'expliquer).")
    )  # worded as something to check, not a verdict
    assert F.salesperson_anomaly({"salesperson": None, "customers": 3}) is None


def test_salesperson_spread():
    table = pd.DataFrame({"salesperson": ["A", "B", "C"], "change_pct": [0.12, -0.3, np.nan]})
    assert F.salesperson_spread(table, language="fr") == _fr(
        f"Les évolutions de chiffre d'affaires vont de −30{NBSP}% (B) à +12{NBSP}% (A) selon le commercial."
    )
    assert F.salesperson_spread(table.iloc[:1]) is None


def test_executive_summary_only_supported_sentences():
    full = F.executive_summary(
        kpis(), language="fr", revenue_by_customer=pd.Series([900.0] + [100.0] * 9)
    )
    assert len(full) == 5
    assert full[0].startswith(_fr("Le chiffre d'affaires recule"))
    young = {"kpis": {"revenue": {"current": 10.0, "previous": None, "change_pct": None},
                      "active_customers": {"change_pct": None}, "average_basket": {"change_pct": None},
                      "lost_customers": 0}}  # fmt: skip
    assert F.executive_summary(young, language="en") == []


def test_flat_revenue_still_shows_the_change():
    k = kpis(
        revenue={
            "current": 1_005_000.0,
            "previous": 1_000_000.0,
            "change": 5_000.0,
            "change_pct": 0.004,
        }
    )
    assert F.revenue_change(k, language="fr") == _fr(
        f"Le chiffre d'affaires est stable à 1{NBSP}M{NBSP}€ (+0,4{NBSP}% par rapport à N−1)."
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            f"120 nouveaux clients en N et 25 anciens clients réactivés. 89,0{NBSP}% des clients de N−1 ont de "
            "nouveau acheté en N.",
        ),
        (
            "en",
            "120 new customers in N and 25 former customers reactivated. 89.0% of the customers of N−1 bought "
            "again in N.",
        ),
    ],
    ids=["fr", "en"],
)
def test_customer_dynamics(language, expected):
    assert F.customer_dynamics(kpis(), language=language) == typeset(expected, language)


def test_customer_dynamics_singular_and_without_previous():
    k = kpis(new_customers=1, reactivated_customers=0, retention_rate=None)
    assert F.customer_dynamics(k, language="fr") == "1 nouveau client en N."


@pytest.mark.parametrize(
    ("rates", "language", "expected"),
    [
        (
            [0.8, 1.08, np.nan],
            "fr",
            f"Le taux de transformation rapporte toutes les ventes aux appels aboutis{NBSP}: "
            f"il dépasse 100{NBSP}% quand une partie des ventes arrive sans appel préalable "
            "(commandes spontanées, contacts entrants).",
        ),
        (
            [1.53],
            "en",
            "The conversion rate divides all sales by the completed calls: it exceeds 100% when some "
            "sales come without a prior call (unsolicited orders, inbound contacts).",
        ),
        ([0.8, 1.0, np.nan], "fr", None),  # exactly 100 % needs no explanation
        ([np.nan, np.nan], "en", None),  # no completed call at all
        ([], "fr", None),
    ],
    ids=["fr-one-above", "en-above", "at-most-100", "all-nan", "no-salesperson"],
)
def test_conversion_above_100(rates, language, expected):
    assert F.conversion_above_100(pd.Series(rates, dtype=float), language=language) == (
        typeset(expected, language) if expected else expected
    )


def test_chart_titles_say_the_message_from_the_figures():
    import datetime as dt

    from icpc.report.findings import titles as T

    monthly = {f"2023-{m:02d}": {"revenue": 100.0} for m in range(1, 13)}
    monthly |= {f"2024-{m:02d}": {"revenue": 150.0 if m <= 7 else 50.0} for m in range(1, 13)}
    title = T.monthly_title(
        {"monthly": monthly},
        start=dt.date(2024, 1, 1),
        previous_start=dt.date(2023, 1, 1),
        months=12,
        language="fr",
    )
    assert title == _fr("N au-dessus de N−1 sur 7 mois sur 12")
    missing = {"monthly": {k: v for k, v in monthly.items() if k != "2023-05"}}
    assert T.monthly_title(missing, start=dt.date(2024, 1, 1),
                           previous_start=dt.date(2023, 1, 1), months=12, language="fr") is None  # fmt: skip

    lost = {"lost_by_quarter": {"2023-Q3": {"customers": 4}, "2023-Q4": {"customers": 9}}}
    assert T.lost_title(lost, language="en") == "9 of the 13 lost customers last bought in Q4 2023"
    assert T.lost_title({"lost_by_quarter": {}}, language="en") is None

    k = kpis()
    assert T.active_customers_title(k, language="en") == (
        "590 active customers against 500 in N−1 (145 won, 55 lost)"
    )
    cohorts = {f"2022-Q{q}": {"size": 10, "active": {str(i): a for i, a in enumerate([10, 8, 7, 6, s, 4])}}
               for q, s in zip((1, 2, 3), (6, 5, 4), strict=True)}  # fmt: skip
    assert T.cohort_title({"cohorts": cohorts}, language="en") == (
        "After a year, 50% of a cohort’s customers still buy (median)"
    )


def test_the_migration_title_names_its_two_dates():
    import datetime as dt

    from icpc.report.findings import titles as T

    matrix = pd.DataFrame(
        [[3, 1, 0], [2, 4, 1], [5, 0, 0]],
        index=["Champions", "At risk", "(not scored)"],
        columns=["Champions", "At risk", "(not scored)"],
    )
    # scored on both dates: 3 + 1 + 2 + 4 = 10, of whom 7 stayed (3 Champions, 4 At risk)
    fr = T.migration_title(
        matrix, language="fr", start=dt.date(2023, 12, 31), end=dt.date(2024, 12, 31)
    )
    assert (
        fr
        == "70\u00a0% des clients notés au 31/12/2023 et au 31/12/2024 sont restés dans leur segment"
    )
    en = T.migration_title(
        matrix, language="en", start=dt.date(2023, 12, 31), end=dt.date(2024, 12, 31)
    )
    assert (
        en == "70% of the customers scored on 31/12/2023 and on 31/12/2024 stayed in their segment"
    )


def test_the_lost_title_never_picks_one_of_tied_quarters():
    from icpc.report.findings import titles as T

    def block(*counts):
        quarters = ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
        return {
            "lost_by_quarter": {q: {"customers": n} for q, n in zip(quarters, counts, strict=False)}
        }

    assert T.lost_title(block(5, 5, 3, 5), language="fr") == (
        "Les 18 clients perdus ont acheté pour la dernière fois sur 4 trimestres"
    )
    assert T.lost_title(block(5, 5, 3), language="fr") == (
        "5 des 13 clients perdus ont acheté pour la dernière fois au T1 2023, autant au T2 2023"
    )
    assert T.lost_title(block(2, 7, 3), language="fr") == (
        "7 des 12 clients perdus ont acheté pour la dernière fois au T2 2023"
    )


def test_the_bridge_title_agrees_with_the_whole_bridge():
    from icpc.report.findings import titles as T

    def title(**bridge):
        return T.bridge_title({"bridge": bridge}, language="fr")

    # the 30/06 demo's case: new customers beat the retained's fall, but not all the falls
    assert title(new=164_000.0, retained=-118_300.0, lost=-98_400.0) == (
        "Les nouveaux clients (+164\u00a0k\u00a0€) ne compensent qu’en partie les baisses "
        "(−216,7\u00a0k\u00a0€ en tout)"
    )
    assert title(new=164_000.0, retained=-118_300.0).startswith("Les nouveaux clients (+164")
    assert "compensent les clients fidélisés" in title(new=164_000.0, retained=-118_300.0)
    assert title(new=100_000.0, reactivated=90_000.0, lost=-150_000.0) == (
        "Les clients perdus (−150\u00a0k\u00a0€) pèsent moins que les hausses (+190\u00a0k\u00a0€ en tout)"
    )
    assert "pèsent plus que" in title(new=100_000.0, lost=-150_000.0)
