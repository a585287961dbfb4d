"""Findings on customers: dynamics, lost customers, early warning, concentration, the heaviest segment to win back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from icpc.labels import label, plural, segment_label
from icpc.report import format as fmt
from icpc.report.findings.common import (
    ACTION_SEGMENTS,
    TOP20_RISK,
    TOP_CUSTOMER_RISK,
    _money,
    _num,
    _ok,
    _value,
)
from icpc.text import after_colon


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
    text = plural("finding.new", new, language).format(n=n(new))
    if react is not None and react > 0:
        text += plural("finding.reactivated", react, language).format(n=n(react))
    if retention is not None:
        rate = fmt.percent(retention, language=language)
        text += label("finding.retention", language).format(rate=rate)
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
    text = plural("finding.lost", lost, language).format(n=fmt.number(lost, language=language))
    if churn is not None:
        text += label("finding.churn", language).format(rate=fmt.percent(churn, language=language))
    if revenue is not None and revenue > 0:
        text += plural("finding.lost_revenue", lost, language).format(
            amount=_money(revenue, language, currency)
        )
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
    text = plural("finding.slipping", flagged, language).format(n=n)
    if value is not None and value > 0:
        text += plural("finding.slipping_value", flagged, language).format(
            amount=_money(value, language, currency)
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
    text = label("finding.concentration", language).format(share=p(top20))
    if top20 >= TOP20_RISK:
        text += label("finding.concentration.high", language)
    if top1 >= TOP_CUSTOMER_RISK:
        text += label("finding.concentration.first", language).format(share=p(top1))
    return text + "."


def dependence(concentration: Any, *, language: str = "fr", currency: str = "EUR") -> str | None:
    """« Le premier client pèse 2,8 % du CA N et les trois premiers 6,1 % : sans eux, le CA N
    serait de 1,67 M€ » — the dependence on the first customers, with its amount.

    Parameters
    ----------
    concentration : icpc.kpi.Concentration
        The concentration analysis (shares of the active customers' revenue N).
    language, currency : str
        Formatting.

    Returns
    -------
    str or None
        None with fewer than 5 active customers.
    """
    pareto = getattr(concentration, "pareto", None)
    if pareto is None or len(pareto) < 5:
        return None
    total = float(pareto["revenue"].sum())
    if total <= 0:
        return None
    return label("dependence.takeaway", language).format(
        top1=fmt.percent(concentration.top1_share, language=language),
        top3=fmt.percent(concentration.top3_revenue / total, language=language),
        without=fmt.money_reading(
            concentration.revenue_without_top3, language=language, currency=currency
        ),
    )


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
    # not a priority (the plan of action is the one list of priorities): the heaviest
    # segment to win back, its weight and its action
    text = plural("finding.segment", row["customers"], language).format(segment=shown, n=n)
    if share is not None:
        text += label("finding.segment.share", language).format(
            share=fmt.percent(share, language=language)
        )
    if _ok(action) and str(action).strip():
        words = after_colon(str(action).strip().rstrip("."), language)
        text += label("finding.segment.action", language).format(action=words)
    return text + "."
