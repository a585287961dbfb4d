"""Findings on customers: dynamics, lost customers, early warning, concentration, the heaviest segment to win back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from icpc.labels import segment_label
from icpc.report import format as fmt
from icpc.report.findings.common import (
    ACTION_SEGMENTS,
    TOP20_RISK,
    TOP_CUSTOMER_RISK,
    _colon,
    _lower_first,
    _money,
    _num,
    _ok,
    _value,
)


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
        text = f"Les 20\u00a0% de clients les plus importants réalisent {p(top20)} du chiffre d'affaires N"
        if top20 >= TOP20_RISK:
            text += ", une concentration forte"
        if top1 >= TOP_CUSTOMER_RISK:
            text += f"{_colon(language)} le premier client pèse à lui seul {p(top1)}, une dépendance à surveiller"
        return text + "."
    text = f"The top 20% of customers make {p(top20)} of revenue N"
    if top20 >= TOP20_RISK:
        text += ", a high concentration"
    if top1 >= TOP_CUSTOMER_RISK:
        text += f"; the first customer alone weighs {p(top1)}, a dependency to watch"
    return text + "."


def segment_to_act_on(profiles: pd.DataFrame, *, language: str = "fr") -> str | None:
    """Sentence naming the heaviest Score3D segment to win back, with its recommended action.

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
        # not a priority (the plan of action is the one list of priorities): the heaviest
        # segment to win back, its weight and its action
        text = f"Parmi les segments à reconquérir, « {shown} » pèse le plus{_colon(language)} {n} client{'s' if row['customers'] > 1 else ''}"
        if share is not None:
            text += f" et {fmt.percent(share, language=language)} du chiffre d'affaires de tout l'historique (pas seulement de N)"
        if _ok(action) and str(action).strip():
            text += f". Action recommandée{_colon(language)} {_lower_first(str(action).strip().rstrip('.'))}"
        return text + "."
    text = f"Of the segments to win back, “{shown}” weighs most: {n} customer{'s' if row['customers'] != 1 else ''}"
    if share is not None:
        text += f" and {fmt.percent(share, language=language)} of the revenue of the whole history (not only N)"
    if _ok(action) and str(action).strip():
        text += f". Recommended action: {str(action).strip().rstrip('.')}"
    return text + "."
