"""Findings on revenue: its change N−1 → N and its driver, customers against basket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from icpc.report import format as fmt
from icpc.report.findings.common import (
    _FACTOR_EN,
    _FACTOR_FR,
    NOTABLE_CHANGE,
    _block,
    _colon,
    _money,
    _num,
    _ok,
    _pct,
)


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
            f"à {_money(cur, language, currency)} ({fmt.money_reading(delta, language=language, currency=currency, signed=True)})."
        )
    else:
        verb = "grew" if delta > 0 else "fell"
        head = (
            f"Revenue {verb} by {_pct(pct, language)}, from {_money(prev, language, currency)} "
            f"to {_money(cur, language, currency)} ({fmt.money_reading(delta, language=language, currency=currency, signed=True)})."
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
        tail = f" Premier facteur{_colon(language)} {word} {_FACTOR_FR[main]} ({fmt.money_reading(main_value, language=language, currency=currency, signed=True)})"
        if opposite:
            k = max(opposite, key=lambda x: abs(opposite[x]))
            word2 = "la hausse" if opposite[k] > 0 else "la baisse"
            agree = "compense" if abs(opposite[k]) > abs(main_value) else "ne compense qu'en partie"
            tail += f", que {word2} {_FACTOR_FR[k]} ({fmt.money_reading(opposite[k], language=language, currency=currency, signed=True)}) {agree}"
        return head + tail + "."
    word = "a higher" if main_value > 0 else "a lower"
    tail = f" Main driver: {word} {_FACTOR_EN[main]} ({fmt.money_reading(main_value, language=language, currency=currency, signed=True)})"
    if opposite:
        k = max(opposite, key=lambda x: abs(opposite[x]))
        word2 = "a higher" if opposite[k] > 0 else "a lower"
        agree = "more than offset by" if abs(opposite[k]) > abs(main_value) else "partly offset by"
        tail += f", {agree} {word2} {_FACTOR_EN[k]} ({fmt.money_reading(opposite[k], language=language, currency=currency, signed=True)})"
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
