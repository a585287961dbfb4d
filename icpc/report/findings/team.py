"""Findings on the sales team: a salesperson's creations to check, the spread of changes, conversion above 100 %."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from icpc.labels import label
from icpc.report import format as fmt
from icpc.report.findings.common import (
    NOTABLE_CHANGE,
    _money,
    _num,
    _ok,
)


def salesperson_anomaly(
    flag: Mapping[str, Any], *, language: str = "fr", currency: str = "EUR"
) -> str | None:
    """Sentence on a salesperson who created many customers sharing an address.

    Parameters
    ----------
    flag : mapping
        One flagged salesperson: ``salesperson``, ``customers`` (clustered customers they
        created), optional ``days`` (span of the creations), ``basket`` (average basket of
        those customers) and ``basket_others`` (of the other customers); optional ``start``
        and ``end``, the first and last of those creations (said with ``days``); optional
        ``revenue``, what those customers brought in N.
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
    revenue = _num(flag.get("revenue"))
    start, end = flag.get("start"), flag.get("end")
    span = ""
    if not (fmt.is_missing(start) or fmt.is_missing(end)):
        span = label("finding.anomaly.span", language).format(
            start=fmt.date(start, language=language), end=fmt.date(end, language=language)
        )
    text = label("finding.anomaly", language).format(who=who, n=n)
    if days is not None:
        text += label("finding.anomaly.days", language).format(
            days=fmt.days(days, language=language), span=span
        )
    if basket is not None and others is not None:
        text += label("finding.anomaly.basket", language).format(
            basket=_money(basket, language, currency), others=_money(others, language, currency)
        )
    if revenue is not None:
        text += label("finding.anomaly.revenue", language).format(
            amount=_money(revenue, language, currency)
        )
    return text + label("finding.anomaly.check", language)


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
    return label("finding.spread", language).format(
        worst=w, worst_name=worst[name_col], best=b, best_name=best[name_col]
    )


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
    return label("finding.conversion_above_100", language)
