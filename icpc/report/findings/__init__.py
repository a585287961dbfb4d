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
>>> print(customers_vs_basket(kpis, language="fr"))
Le nombre de clients progresse de 18 % mais le panier moyen recule de 22 % : la croissance du portefeuille ne se traduit pas en chiffre d’affaires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from icpc.report.findings.common import (
    ACTION_SEGMENTS,
    NOTABLE_CHANGE,
    TOP20_RISK,
    TOP_CUSTOMER_RISK,
)
from icpc.report.findings.customers import (
    concentration,
    customer_dynamics,
    dependence,
    early_warning,
    lost_customers,
    segment_to_act_on,
)
from icpc.report.findings.revenue import customers_vs_basket, revenue_change
from icpc.report.findings.team import conversion_above_100, salesperson_anomaly, salesperson_spread

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
    "dependence",
    "segment_to_act_on",
    "salesperson_anomaly",
    "salesperson_spread",
    "conversion_above_100",
    "executive_summary",
]

#: the top 20 %'s sentence (the name ``concentration`` is also executive_summary's argument)
_concentration_sentence = concentration


def executive_summary(
    kpis: Mapping[str, Any],
    *,
    language: str = "fr",
    currency: str = "EUR",
    revenue_by_customer: pd.Series | None = None,
    profiles: pd.DataFrame | None = None,
    anomaly: Mapping[str, Any] | None = None,
    concentration: Any = None,
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
    concentration : icpc.kpi.Concentration, optional
        When given, the dependence on the first customers (:func:`dependence`, with its
        amount) instead of the top 20 %'s share.

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
        dependence(concentration, language=language, currency=currency)
        if concentration is not None
        else _concentration_sentence(revenue_by_customer, language=language)
        if revenue_by_customer is not None
        else None,
        segment_to_act_on(profiles, language=language)
        if profiles is not None and len(profiles)
        else None,
        salesperson_anomaly(anomaly, language=language, currency=currency) if anomaly else None,
    ]
    return [s for s in sentences if s]
