"""Findings on revenue: its change N−1 → N and its driver, customers against basket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from icpc.labels import label
from icpc.report import format as fmt
from icpc.report.findings.common import (
    FACTORS,
    NOTABLE_CHANGE,
    _block,
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
    money = lambda v: _money(v, language, currency)  # noqa: E731
    signed = lambda v: fmt.money_reading(v, language=language, currency=currency, signed=True)  # noqa: E731
    if abs(pct) < 0.005:
        shown = fmt.change(pct, language=language, with_arrow=False)
        head = label("finding.revenue.flat", language).format(amount=money(cur), change=shown)
    else:
        head = label("finding.revenue.moved", language).format(
            verb=label("finding.verb.up" if delta > 0 else "finding.verb.down", language),
            pct=_pct(pct, language),
            previous=money(prev),
            current=money(cur),
            delta=signed(delta),
        )
    effects = {k: float(v) for k, v in (kpis.get("decomposition") or {}).items()
               if k in FACTORS and _ok(v)}  # fmt: skip
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

    def change(value: float) -> str:
        return label("finding.change.up" if value > 0 else "finding.change.down", language)

    def factor(key: str) -> str:
        return label(f"finding.factor.{key}", language)

    tail = label("finding.driver", language).format(
        change=change(main_value), factor=factor(main), amount=signed(main_value)
    )
    if opposite:
        k = max(opposite, key=lambda x: abs(opposite[x]))
        more = abs(opposite[k]) > abs(main_value)
        tail += label("finding.driver.offset", language).format(
            change=change(opposite[k]),
            factor=factor(k),
            amount=signed(opposite[k]),
            agree=label("finding.offset.more" if more else "finding.offset.part", language),
        )
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
    if c >= NOTABLE_CHANGE and b <= -NOTABLE_CHANGE:
        end = "finding.portfolio.partly" if r is not None and r > 0.005 else "finding.portfolio.not"
        return label("finding.customers_up_basket_down", language).format(
            customers=_pct(c, language), basket=_pct(b, language), end=label(end, language)
        )
    if c <= -NOTABLE_CHANGE and b >= NOTABLE_CHANGE:
        return label("finding.customers_down_basket_up", language).format(
            customers=_pct(c, language), basket=_pct(b, language)
        )
    return None
