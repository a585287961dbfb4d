"""Findings (constats): sentences written from the numbers, in French or English.

Each function reads figures (the ``kpis.json`` dictionary of
:meth:`icpc.diagnostic.Diagnostic.kpis_json`, or a small frame) and returns one sentence,
or ``None`` when the data does not support it (missing N−1, change too small to
comment, nothing flagged…). The report never prints a sentence the numbers do not back.

Example
-------
>>> kpis = {"kpis": {"active_customers": {"change_pct": 0.18},
...                  "average_basket": {"change_pct": -0.22},
...                  "revenue": {"change_pct": -0.08}}}
>>> customers_vs_basket(kpis, language="fr")
"Le nombre de clients progresse de 18\\xa0% mais le panier moyen recule de 22\\xa0%\\xa0: la croissance du portefeuille ne se traduit pas en chiffre d'affaires."
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from icpc.labels import segment_label
from icpc.report import format as fmt

__all__ = [
    "NOTABLE_CHANGE",
    "TOP_CUSTOMER_RISK",
    "TOP20_RISK",
    "ACTION_SEGMENTS",
    "revenue_change",
    "customers_vs_basket",
    "customer_dynamics",
    "lost_customers",
    "early_warning",
    "concentration",
    "segment_to_act_on",
    "salesperson_anomaly",
    "salesperson_spread",
    "conversion_above_100",
    "executive_summary",
]

#: a relative change smaller than this (5 %) is not commented as a rise or a fall
NOTABLE_CHANGE = 0.05
#: share of revenue of the first customer from which the dependency is called a risk
TOP_CUSTOMER_RISK = 0.10
#: share of revenue of the top 20 % of customers from which concentration is called high
TOP20_RISK = 0.80
#: segments whose customers need an action to be kept, in order of priority
ACTION_SEGMENTS = ("Can't lose them", "At risk", "About to sleep", "Need attention")

_FACTOR_FR = {"customers": "du nombre de clients", "frequency": "de la fréquence d'achat",
              "basket": "du panier moyen"}  # fmt: skip
_FACTOR_EN = {
    "customers": "number of customers",
    "frequency": "purchase frequency",
    "basket": "average basket",
}


def _block(kpis: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = kpis.get("kpis", {}).get(key)
    return value if isinstance(value, Mapping) else {}


def _value(kpis: Mapping[str, Any], key: str) -> Any:
    return kpis.get("kpis", {}).get(key)


def _num(value: Any) -> float | None:
    """The value as a float, or None when missing."""
    return None if fmt.is_missing(value) else float(value)


def _ok(value: Any) -> bool:
    return not fmt.is_missing(value)


def _pct(value: float, language: str) -> str:
    """Absolute value of a change as a percentage: 0 decimals from 10 %, else 1."""
    v = abs(float(value))
    return fmt.percent(v, language=language, decimals=0 if v >= 0.095 else 1)


def _money(value: float, language: str, currency: str) -> str:
    return fmt.money(value, language=language, currency=currency, decimals=0)


def _colon(language: str) -> str:
    return "\u00a0:" if language == "fr" else ":"


def revenue_change(
    kpis: Mapping[str, Any], *, language: str = "fr", currency: str = "EUR"
) -> str | None:
    """Sentence on the revenue change N−1 → N and its main driver (LMDI decomposition).

    Parameters
    ----------
    kpis : mapping
        The kpis.json dictionary (``kpis.revenue`` and, when present, ``decomposition``).
    language, currency : str
        Formatting.

    Returns
    -------
    str or None
        None without a revenue N−1 (nothing to compare).
    """
    rev = _block(kpis, "revenue")
    cur, prev, pct = (
        _num(rev.get("current")),
        _num(rev.get("previous")),
        _num(rev.get("change_pct")),
    )
    if cur is None or prev is None or pct is None or round(prev, 2) == 0:
        return None
    delta = cur - prev
    fr = language == "fr"
    if abs(pct) < 0.005:
        shown = fmt.change(pct, language=language, with_arrow=False)
        head = (
            f"Le chiffre d'affaires est stable à {_money(cur, language, currency)} ({shown} par rapport à N−1)."
            if fr
            else f"Revenue is flat at {_money(cur, language, currency)} ({shown} on N−1)."
        )
    elif fr:
        verb = "progresse" if delta > 0 else "recule"
        head = (
            f"Le chiffre d'affaires {verb} de {_pct(pct, language)}, de {_money(prev, language, currency)} "
            f"à {_money(cur, language, currency)} ({fmt.signed_money(delta, language=language, currency=currency)})."
        )
    else:
        verb = "grew" if delta > 0 else "fell"
        head = (
            f"Revenue {verb} by {_pct(pct, language)}, from {_money(prev, language, currency)} "
            f"to {_money(cur, language, currency)} ({fmt.signed_money(delta, language=language, currency=currency)})."
        )
    effects = {k: float(v) for k, v in (kpis.get("decomposition") or {}).items()
               if k in _FACTOR_FR and _ok(v)}  # fmt: skip
    if not effects or abs(pct) < 0.005:
        return head
    main = max(effects, key=lambda k: abs(effects[k]))
    main_value = effects[main]
    if round(main_value, 0) == 0:
        return head
    opposite = {
        k: v
        for k, v in effects.items()
        if np.sign(v) == -np.sign(main_value) and abs(v) >= 0.25 * abs(main_value)
    }
    if fr:
        word = "la hausse" if main_value > 0 else "la baisse"
        tail = f" Premier facteur{_colon(language)} {word} {_FACTOR_FR[main]} ({fmt.signed_money(main_value, language=language, currency=currency)})"
        if opposite:
            k = max(opposite, key=lambda x: abs(opposite[x]))
            word2 = "la hausse" if opposite[k] > 0 else "la baisse"
            agree = "compense" if abs(opposite[k]) > abs(main_value) else "ne compense qu'en partie"
            tail += f", que {word2} {_FACTOR_FR[k]} ({fmt.signed_money(opposite[k], language=language, currency=currency)}) {agree}"
        return head + tail + "."
    word = "a higher" if main_value > 0 else "a lower"
    tail = f" Main driver: {word} {_FACTOR_EN[main]} ({fmt.signed_money(main_value, language=language, currency=currency)})"
    if opposite:
        k = max(opposite, key=lambda x: abs(opposite[x]))
        word2 = "a higher" if opposite[k] > 0 else "a lower"
        agree = "more than offset by" if abs(opposite[k]) > abs(main_value) else "partly offset by"
        tail += f", {agree} {word2} {_FACTOR_EN[k]} ({fmt.signed_money(opposite[k], language=language, currency=currency)})"
    return head + tail + "."


def customers_vs_basket(kpis: Mapping[str, Any], *, language: str = "fr") -> str | None:
    """Sentence contrasting the change in customers with the change in average basket.

    Only when they move in opposite directions by at least :data:`NOTABLE_CHANGE` each
    (e.g. a prospecting bonus that multiplies customers while the basket collapses).

    Parameters
    ----------
    kpis : mapping
        The kpis.json dictionary (``active_customers``, ``average_basket``, ``revenue``).
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    str or None
    """
    c = _num(_block(kpis, "active_customers").get("change_pct"))
    b = _num(_block(kpis, "average_basket").get("change_pct"))
    r = _num(_block(kpis, "revenue").get("change_pct"))
    if c is None or b is None:
        return None
    fr = language == "fr"
    if c >= NOTABLE_CHANGE and b <= -NOTABLE_CHANGE:
        if fr:
            if r is not None and r > 0.005:
                end = (
                    "la croissance du portefeuille ne se traduit qu'en partie en chiffre d'affaires"
                )
            else:
                end = "la croissance du portefeuille ne se traduit pas en chiffre d'affaires"
            return (
                f"Le nombre de clients progresse de {_pct(c, language)} mais le panier moyen recule de "
                f"{_pct(b, language)}{_colon(language)} {end}."
            )
        end = (
            "the larger portfolio only partly shows in revenue"
            if r is not None and r > 0.005
            else "the larger portfolio does not translate into revenue"
        )
        return (
            f"The number of customers grew by {_pct(c, language)} but the average basket fell by "
            f"{_pct(b, language)}: {end}."
        )
    if c <= -NOTABLE_CHANGE and b >= NOTABLE_CHANGE:
        if fr:
            return (
                f"Le nombre de clients recule de {_pct(c, language)} mais le panier moyen progresse de "
                f"{_pct(b, language)}{_colon(language)} chaque client achète davantage, mais le portefeuille se réduit."
            )
        return (
            f"The number of customers fell by {_pct(c, language)} but the average basket grew by "
            f"{_pct(b, language)}: each customer buys more, but the portfolio is shrinking."
        )
    return None


def customer_dynamics(kpis: Mapping[str, Any], *, language: str = "fr") -> str | None:
    """Sentence on the customers won and kept: new, reactivated, retention rate.

    Parameters
    ----------
    kpis : mapping
        The kpis.json dictionary.
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    str or None
        None when there were no active customers in N−1 and no new customers.
    """
    new = _num(_value(kpis, "new_customers"))
    react = _num(_value(kpis, "reactivated_customers"))
    retention = _num(_value(kpis, "retention_rate"))
    if new is None:
        return None
    n = lambda v: fmt.number(v, language=language)  # noqa: E731
    fr = language == "fr"
    parts = []
    if fr:
        parts.append(
            f"{n(new)} nouveau{'x' if new > 1 else ''} client{'s' if new > 1 else ''} en N"
        )
        if react is not None and react > 0:
            parts[-1] += (
                f" et {n(react)} ancien{'s' if react > 1 else ''} client{'s' if react > 1 else ''} réactivé{'s' if react > 1 else ''}"
            )
        text = parts[0]
        if retention is not None:
            text += f". {fmt.percent(retention, language=language)} des clients de N−1 ont de nouveau acheté en N"
        return text[0].upper() + text[1:] + "."
    text = f"{n(new)} new customer{'s' if new != 1 else ''} in N"
    if react is not None and react > 0:
        text += f" and {n(react)} former customer{'s' if react != 1 else ''} reactivated"
    if retention is not None:
        text += f". {fmt.percent(retention, language=language)} of the customers of N−1 bought again in N"
    return text + "."


def lost_customers(
    kpis: Mapping[str, Any], *, language: str = "fr", currency: str = "EUR"
) -> str | None:
    """Sentence on the lost customers (clients perdus), the churn rate and the revenue lost.

    Parameters
    ----------
    kpis : mapping
        The kpis.json dictionary (``lost_customers``, ``churn_rate``, ``lost_revenue``).
    language, currency : str
        Formatting.

    Returns
    -------
    str or None
        None when no customer was lost.
    """
    lost = _num(_value(kpis, "lost_customers"))
    if lost is None or lost <= 0:
        return None
    churn = _num(_value(kpis, "churn_rate"))
    revenue = _num(_value(kpis, "lost_revenue"))
    n = fmt.number(lost, language=language)
    if language == "fr":
        who = (
            "client actif en N−1 n'a rien acheté"
            if lost == 1
            else "clients actifs en N−1 n'ont rien acheté"
        )
        text = f"{n} {who} en N"
        if churn is not None:
            text += f" (taux d'attrition de {fmt.percent(churn, language=language)})"
        if revenue is not None and revenue > 0:
            text += f"{_colon(language)} {'il représentait' if lost == 1 else 'ils représentaient'} {_money(revenue, language, currency)} de chiffre d'affaires en N−1"
        return text + "."
    who = (
        "customer active in N−1 bought nothing"
        if lost == 1
        else "customers active in N−1 bought nothing"
    )
    text = f"{n} {who} in N"
    if churn is not None:
        text += f" (churn rate {fmt.percent(churn, language=language)})"
    if revenue is not None and revenue > 0:
        text += f"; they accounted for {_money(revenue, language, currency)} of revenue in N−1"
    return text + "."


def early_warning(
    kpis: Mapping[str, Any], *, language: str = "fr", currency: str = "EUR"
) -> str | None:
    """Sentence on the customers slipping away (décrochage) and the value at stake.

    Parameters
    ----------
    kpis : mapping
        The kpis.json dictionary (``early_warning.flagged``, ``early_warning.value_at_stake``).
    language, currency : str
        Formatting.

    Returns
    -------
    str or None
        None when nobody is flagged.
    """
    block = kpis.get("early_warning") or {}
    flagged = _num(block.get("flagged"))
    if flagged is None or flagged <= 0:
        return None
    value = _num(block.get("value_at_stake"))
    n = fmt.number(flagged, language=language)
    if language == "fr":
        text = (
            f"{n} client décroche de son rythme d'achat habituel"
            if flagged == 1
            else f"{n} clients décrochent de leur rythme d'achat habituel"
        )
        if value is not None and value > 0:
            text += (
                f"{_colon(language)} {'il pèse' if flagged == 1 else 'ils pèsent'} {_money(value, language, currency)} "
                "de chiffre d'affaires sur les 12 derniers mois, à sécuriser en priorité"
            )
        return text + "."
    text = f"{n} customer{'s are' if flagged != 1 else ' is'} slipping away from their usual buying rhythm"
    if value is not None and value > 0:
        text += (
            f"; {_money(value, language, currency)} of revenue over the last 12 months is at stake"
        )
    return text + "."


def _shares(revenue: pd.Series) -> tuple[float, float, int] | None:
    values = np.sort(revenue.to_numpy(dtype=float))[::-1]
    values = values[values > 0]
    if len(values) == 0:
        return None
    total = values.sum()
    top_n = max(1, int(np.ceil(0.2 * len(values))))
    return float(values[:top_n].sum() / total), float(values[0] / total), len(values)


def concentration(revenue: pd.Series, *, language: str = "fr") -> str | None:
    """Sentence on revenue concentration: share of the top 20 % of customers and of the first one.

    Parameters
    ----------
    revenue : Series
        Revenue of period N per customer (customers with revenue ≤ 0 are left out).
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    str or None
        None with fewer than 5 customers (a share of "20 %" means nothing then). The
        dependency on the first customer is named a risk from :data:`TOP_CUSTOMER_RISK`,
        the concentration called high from :data:`TOP20_RISK`.
    """
    shares = _shares(revenue)
    if shares is None or shares[2] < 5:
        return None
    top20, top1, _ = shares
    p = lambda v: fmt.percent(v, language=language, decimals=0)  # noqa: E731
    if language == "fr":
        text = f"Les 20\u00a0% de clients les plus importants réalisent {p(top20)} du chiffre d'affaires"
        if top20 >= TOP20_RISK:
            text += ", une concentration forte"
        if top1 >= TOP_CUSTOMER_RISK:
            text += f"{_colon(language)} le premier client pèse à lui seul {p(top1)}, une dépendance à surveiller"
        return text + "."
    text = f"The top 20% of customers make {p(top20)} of revenue"
    if top20 >= TOP20_RISK:
        text += ", a high concentration"
    if top1 >= TOP_CUSTOMER_RISK:
        text += f"; the first customer alone weighs {p(top1)}, a dependency to watch"
    return text + "."


def segment_to_act_on(profiles: pd.DataFrame, *, language: str = "fr") -> str | None:
    """Sentence naming the Score3D segment to act on first, with its recommended action.

    The segment is, among :data:`ACTION_SEGMENTS` with customers, the one carrying the
    most revenue.

    Parameters
    ----------
    profiles : DataFrame
        Segment profiles: index = segment name (or a ``segment`` column), columns
        ``customers``, ``revenue``, ``revenue_share``, optional ``label`` and ``action``
        (as :func:`icpc.analysis.score3d.segment_profiles` returns).
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    str or None
        None when none of these segments has customers.
    """
    frame = profiles.set_index("segment") if "segment" in profiles.columns else profiles
    candidates = frame.loc[frame.index.isin(ACTION_SEGMENTS)]
    candidates = candidates.loc[candidates["customers"].fillna(0) > 0]
    if candidates.empty:
        return None
    name = candidates["revenue"].astype(float).idxmax()
    row = candidates.loc[name]
    shown = (
        str(row["label"])
        if "label" in row.index and _ok(row["label"])
        else segment_label(str(name), language)
    )
    n = fmt.number(row["customers"], language=language)
    share = _num(row.get("revenue_share"))
    action = row.get("action") if "action" in row.index else None
    if language == "fr":
        text = f"Segment à traiter en premier{_colon(language)} « {shown} », {n} client{'s' if row['customers'] > 1 else ''}"
        if share is not None:
            text += f" et {fmt.percent(share, language=language)} du chiffre d'affaires de tout l'historique (pas seulement de N)"
        if _ok(action) and str(action).strip():
            text += f". Action recommandée{_colon(language)} {_lower_first(str(action).strip().rstrip('.'))}"
        return text + "."
    text = f"Segment to act on first: “{shown}”, {n} customer{'s' if row['customers'] != 1 else ''}"
    if share is not None:
        text += f" and {fmt.percent(share, language=language)} of the revenue of the whole history (not only N)"
    if _ok(action) and str(action).strip():
        text += f". Recommended action: {str(action).strip().rstrip('.')}"
    return text + "."


def salesperson_anomaly(
    flag: Mapping[str, Any], *, language: str = "fr", currency: str = "EUR"
) -> str | None:
    """Sentence on a salesperson who created many customers sharing an address.

    Parameters
    ----------
    flag : mapping
        One flagged salesperson: ``salesperson``, ``customers`` (clustered customers they
        created), optional ``days`` (span of the creations), ``basket`` (average basket of
        those customers) and ``basket_others`` (of the other customers).
    language, currency : str
        Formatting.

    Returns
    -------
    str or None
        None when the mapping names no salesperson or no customer.
    """
    who, count = flag.get("salesperson"), _num(flag.get("customers"))
    if not _ok(who) or count is None or count <= 0:
        return None
    n = fmt.number(count, language=language)
    days = _num(flag.get("days"))
    basket, others = _num(flag.get("basket")), _num(flag.get("basket_others"))
    if language == "fr":
        text = f"{who} a créé {n} clients partageant une adresse avec d'autres clients"
        if days is not None:
            text += f" en {fmt.days(days, language=language)}"
        if basket is not None and others is not None:
            text += (
                f"{_colon(language)} leur panier moyen est de {_money(basket, language, currency)}, "
                f"contre {_money(others, language, currency)} pour les autres clients"
            )
        return text + " — à vérifier (une prime de prospection pourrait l'expliquer)."
    text = f"{who} created {n} customers sharing an address with other customers"
    if days is not None:
        text += f" within {fmt.days(days, language=language)}"
    if basket is not None and others is not None:
        text += f"; their average basket is {_money(basket, language, currency)}, against {_money(others, language, currency)} for the others"
    return text + " — to be checked (a prospecting bonus might explain it)."


def salesperson_spread(
    table: pd.DataFrame,
    *,
    name_col: str = "salesperson",
    change_col: str = "change_pct",
    language: str = "fr",
) -> str | None:
    """Sentence naming the salespeople with the best and the worst revenue change.

    Parameters
    ----------
    table : DataFrame
        One row per salesperson with ``name_col`` and ``change_col`` (fraction; NaN
        without N−1).
    name_col, change_col : str
        Column names.
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    str or None
        None with fewer than two salespeople with a change, or when they differ by less
        than :data:`NOTABLE_CHANGE`.
    """
    data = table[[name_col, change_col]].dropna()
    if len(data) < 2:
        return None
    best = data.loc[data[change_col].astype(float).idxmax()]
    worst = data.loc[data[change_col].astype(float).idxmin()]
    if float(best[change_col]) - float(worst[change_col]) < NOTABLE_CHANGE:
        return None
    b = fmt.change(best[change_col], language=language, decimals=0, with_arrow=False)
    w = fmt.change(worst[change_col], language=language, decimals=0, with_arrow=False)
    if language == "fr":
        return (
            f"Les évolutions de chiffre d'affaires vont de {w} ({worst[name_col]}) à {b} ({best[name_col]}) "
            "selon le commercial."
        )
    return f"Revenue changes range from {w} ({worst[name_col]}) to {b} ({best[name_col]}) across salespeople."


def conversion_above_100(rates: pd.Series, *, language: str = "fr") -> str | None:
    """Sentence explaining a conversion rate (taux de transformation) above 100 %.

    The rate is sales / completed calls (docs/definitions.md); the sales include orders that came
    without a call, so it can exceed 100 %, which a reader would question.

    Parameters
    ----------
    rates : Series
        Conversion rate per salesperson (fractions; NaN without completed calls).
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    str or None
        None when no rate exceeds 100 %.
    """
    values = rates.to_numpy(dtype=float)
    if not (values[~np.isnan(values)] > 1).any():
        return None
    if language == "fr":
        return (
            "Le taux de transformation rapporte toutes les ventes aux appels aboutis\u00a0: il dépasse "
            "100\u00a0% quand une partie des ventes arrive sans appel préalable (commandes spontanées, "
            "contacts entrants)."
        )
    return (
        "The conversion rate divides all sales by the completed calls: it exceeds 100% when some sales "
        "come without a prior call (unsolicited orders, inbound contacts)."
    )


def executive_summary(
    kpis: Mapping[str, Any],
    *,
    language: str = "fr",
    currency: str = "EUR",
    revenue_by_customer: pd.Series | None = None,
    profiles: pd.DataFrame | None = None,
    anomaly: Mapping[str, Any] | None = None,
) -> list[str]:
    """The findings of the executive summary (synthèse), only those the data supports.

    Parameters
    ----------
    kpis : mapping
        The kpis.json dictionary.
    language, currency : str
        Formatting.
    revenue_by_customer : Series, optional
        Revenue of N per customer (concentration).
    profiles : DataFrame, optional
        Score3D segment profiles (segment to act on).
    anomaly : mapping, optional
        The most suspicious salesperson (:func:`salesperson_anomaly`).

    Returns
    -------
    list of str
        In order: revenue change and driver, customers vs basket, lost customers, early
        warning, concentration, segment to act on, salesperson anomaly.
    """
    sentences = [
        revenue_change(kpis, language=language, currency=currency),
        customers_vs_basket(kpis, language=language),
        lost_customers(kpis, language=language, currency=currency),
        early_warning(kpis, language=language, currency=currency),
        concentration(revenue_by_customer, language=language)
        if revenue_by_customer is not None
        else None,
        segment_to_act_on(profiles, language=language)
        if profiles is not None and len(profiles)
        else None,
        salesperson_anomaly(anomaly, language=language, currency=currency) if anomaly else None,
    ]
    return [s for s in sentences if s]


def _lower_first(text: str) -> str:
    # French: no capital after a colon (unless the word is all capitals, e.g. "SAV")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
