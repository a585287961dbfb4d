"""Chart titles that say the chart's message, from kpis.json's figures.

Each function returns the title or None when the figures do not support one (the chart
then keeps its plain title). The words are the catalogue's (``title.*`` in
:mod:`icpc.sentences`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from icpc.labels import label
from icpc.periods import add_months
from icpc.report import format as fmt

__all__ = [
    "active_customers_title",
    "bridge_title",
    "cohort_title",
    "decomposition_title",
    "lost_title",
    "migration_title",
    "monthly_title",
    "pareto_title",
    "rf_title",
    "salesperson_title",
]


def _month_keys(start: dt.date, months: int) -> list[str]:
    """kpis.json's ``monthly`` keys (``YYYY-MM``) of the ``months`` months from ``start``."""
    return [f"{add_months(start, i):%Y-%m}" for i in range(months)]


def monthly_title(
    kj: Mapping[str, Any], *, start: dt.date, previous_start: dt.date, months: int, language: str
) -> str | None:
    """« N au-dessus de N−1 sur 7 mois sur 12 »: the months of N above the same month of N−1."""
    monthly = kj.get("monthly") or {}
    now, before = _month_keys(start, months), _month_keys(previous_start, months)
    if not all(k in monthly for k in now + before):
        return None
    above = sum(
        float(monthly[a].get("revenue") or 0) > float(monthly[b].get("revenue") or 0)
        for a, b in zip(now, before, strict=True)
    )
    return label("title.monthly", language).format(
        above=fmt.number(above, language=language), months=fmt.number(months, language=language)
    )


def active_customers_title(kj: Mapping[str, Any], *, language: str) -> str | None:
    """« 337 clients actifs contre 260 : 108 gagnés (nouveaux et réactivés), 31 perdus »."""
    k = kj.get("kpis") or {}
    active = k.get("active_customers") or {}
    now, before = active.get("current"), active.get("previous")
    won = [k.get("new_customers"), k.get("reactivated_customers")]
    lost = k.get("lost_customers")
    if any(fmt.is_missing(v) for v in (now, before, lost, *won)):
        return None
    n = lambda v: fmt.number(v, language=language)  # noqa: E731
    return label("title.active_customers", language).format(
        now=n(now), before=n(before), won=n(sum(won)), lost=n(lost)
    )


def lost_title(kj: Mapping[str, Any], *, language: str) -> str | None:
    """« 12 des 31 clients perdus ont acheté pour la dernière fois au T4 2023 »."""
    quarters = kj.get("lost_by_quarter") or {}
    counts = {q: int(v.get("customers") or 0) for q, v in quarters.items()}
    total = sum(counts.values())
    if total == 0 or len(counts) < 2:
        return None
    most = max(counts.values())
    tied = sorted(q for q, n in counts.items() if n == most)

    def name(q: str) -> str:
        year, quarter = q.split("-Q")
        return label("title.quarter", language).format(q=quarter, year=year)

    if len(tied) > 2:  # no quarter stands out: the title says so rather than pick one
        return label("title.lost_spread", language).format(
            total=fmt.number(total, language=language),
            quarters=fmt.number(len(counts), language=language),
        )
    words = {
        "n": fmt.number(most, language=language),
        "total": fmt.number(total, language=language),
    }
    if len(tied) == 2:
        return label("title.lost_two", language).format(
            first=name(tied[0]), second=name(tied[1]), **words
        )
    return label("title.lost", language).format(quarter=name(tied[0]), **words)


def pareto_title(kj: Mapping[str, Any], *, language: str) -> str | None:
    """« 20 % des clients font 51 % du CA N »."""
    share = (kj.get("concentration") or {}).get("top20_share")
    if fmt.is_missing(share):
        return None
    return label("title.pareto", language).format(
        share=fmt.percent(share, language=language, decimals=0)
    )


def cohort_title(kj: Mapping[str, Any], *, language: str, after: int = 4) -> str | None:
    """« Un an après leur premier achat, 62 % des clients d'une cohorte achètent encore »
    (median over the cohorts old enough, share of each cohort active ``after`` quarters on)."""
    cohorts = kj.get("cohorts") or {}
    shares = []
    for block in cohorts.values():
        size, active = block.get("size") or 0, list((block.get("active") or {}).values())
        if size and len(active) > after:
            shares.append(active[after] / size)
    if len(shares) < 2:
        return None
    shares.sort()
    mid = len(shares) // 2
    median = shares[mid] if len(shares) % 2 else (shares[mid - 1] + shares[mid]) / 2
    return label("title.cohorts", language).format(
        share=fmt.percent(median, language=language, decimals=0)
    )


_WHO = {"new", "reactivated", "retained", "lost"}


def bridge_title(kj: Mapping[str, Any], *, language: str, currency: str = "EUR") -> str | None:
    """« Les clients perdus (−305,6 k€) pèsent plus que les nouveaux clients (+196,5 k€) »:
    the largest loss of the bridge against its largest gain."""
    steps = {k: float(v) for k, v in (kj.get("bridge") or {}).items()
             if k in _WHO and not fmt.is_missing(v)}  # fmt: skip
    gains = {k: v for k, v in steps.items() if v > 0}
    losses = {k: v for k, v in steps.items() if v < 0}
    if not gains or not losses:
        return None
    gain, loss = max(gains, key=gains.__getitem__), min(losses, key=losses.__getitem__)
    more = abs(losses[loss]) > gains[gain]
    total_gain, total_loss = sum(gains.values()), sum(losses.values())
    # the pair's verdict must be the whole bridge's: the largest gain beats the largest loss,
    # yet the losses together win (or the reverse) — the title says "in part"
    key = "title.bridge.more" if more else "title.bridge.less"
    if not more and total_gain + total_loss < 0 and len(losses) > 1:
        key = "title.bridge.less_partly"
    elif more and total_gain + total_loss > 0 and len(gains) > 1:
        key = "title.bridge.more_partly"
    amount = lambda v: fmt.money_reading(v, language=language, currency=currency, signed=True)  # noqa: E731
    text = label(key, language).format(
        gain=label(f"title.who.{gain}", language),
        gain_amount=amount(gains[gain]),
        loss=label(f"title.who.{loss}", language),
        loss_amount=amount(losses[loss]),
        gains_amount=amount(total_gain),
        losses_amount=amount(total_loss),
    )
    return text[:1].upper() + text[1:]


def decomposition_title(
    kj: Mapping[str, Any], *, language: str, currency: str = "EUR"
) -> str | None:
    """« Clients +459,6 k€, fréquence −266,4 k€, panier −184,9 k€ = variation du CA +8,3 k€ »."""
    effects = kj.get("decomposition") or {}
    keys = ("customers", "frequency", "basket")
    if any(fmt.is_missing(effects.get(k)) for k in keys):
        return None
    amount = lambda v: fmt.money_reading(v, language=language, currency=currency, signed=True)  # noqa: E731
    values = {k: float(effects[k]) for k in keys}
    return label("title.decomposition", language).format(
        **{k: amount(v) for k, v in values.items()}, total=amount(sum(values.values()))
    )


def rf_title(scores: Any, *, language: str) -> str | None:
    """« 33 clients au meilleur score (R 5, F 5), 29 au plus bas (R 1, F 1) »."""
    if scores is None or not {"r_score", "f_score"} <= set(scores.columns) or scores.empty:
        return None
    r, f = scores["r_score"], scores["f_score"]
    n = lambda v: fmt.number(int(v), language=language)  # noqa: E731
    return label("title.rf", language).format(
        top=n(((r == 5) & (f == 5)).sum()), bottom=n(((r == 1) & (f == 1)).sum())
    )


def migration_title(
    matrix: Any,
    *,
    language: str,
    start: Any = None,
    end: Any = None,
    outside: str = "(not scored)",
) -> str | None:
    """« 41 % des clients notés au 31/12/2023 et au 31/12/2024 sont restés dans leur segment »."""
    inside = matrix.drop(index=outside, errors="ignore").drop(columns=outside, errors="ignore")
    total = float(inside.to_numpy().sum())
    if total == 0:
        return None
    same = sum(float(inside.loc[s, s]) for s in inside.index if s in inside.columns)
    return label("title.migration", language).format(
        share=fmt.percent(same / total, language=language, decimals=0),
        start=fmt.date(start, language=language),
        end=fmt.date(end, language=language),
    )


def salesperson_title(frame: Any, *, language: str, currency: str = "EUR") -> str | None:
    """« Hélène Fournier en tête avec 385,6 k€ de CA N (21,7 %) »."""
    if frame is None or frame.empty or "revenue" not in frame.columns:
        return None
    best = frame.sort_values("revenue", ascending=False, kind="stable").iloc[0]
    share = best.get("share")
    return label("title.salesperson", language).format(
        name=best["salesperson"],
        amount=fmt.money_reading(best["revenue"], language=language, currency=currency),
        share=fmt.percent(share, language=language) if not fmt.is_missing(share) else "–",
    )
