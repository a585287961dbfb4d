"""The executive summary (synthèse): headline KPI cards N against N−1 and the key findings.

Empty when there is no revenue at all.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from icpc.analysis.actions import creations_to_check, find_action
from icpc.labels import label, plural
from icpc.report import findings as F
from icpc.report import format as fmt
from icpc.report.sections.common import (
    Out,
    anomaly_finding,
    data_end_warning,
    has_previous,
    same_months,
)
from icpc.report.sections.registry import RenderContext, section
from icpc.report.story import headline
from icpc.report.tables import KpiCard, format_value, kpi_cards, note
from icpc.text import of_name

#: the KPI cards of the summary: (kpis.json key, format, higher is better)
CARDS = (
    ("revenue", "money0", True),
    ("active_customers", "number", True),
    ("average_basket", "money0", True),
    ("purchase_frequency", "decimal2", True),
    ("revenue_per_customer", "money0", True),
    ("sales_count", "number", True),
    ("margin", "money0", True),
    ("margin_rate", "percent", True),
)


@section("executive_summary", order=10, title="Executive summary")
def executive_summary(ctx: RenderContext, out: Out) -> None:
    """Executive summary (synthèse): headline KPI cards N vs N−1 and the key findings."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    kj = ctx.kpis
    blocks = kj.get("kpis", {})
    cards = []
    objectives = (kj.get("objectives") or {}).get("company") or {}
    for key, kind, better in CARDS:
        block = blocks.get(key)
        if isinstance(block, Mapping) and not fmt.is_missing(block.get("current")):
            goal = objectives.get(key)
            cards.append(
                KpiCard(
                    key,
                    block.get("current"),
                    block.get("previous"),
                    block.get("change_pct"),
                    kind=kind,
                    higher_is_better=better,
                    objective=objective_text(goal, kind, lang, cur) if goal else None,
                    objective_met=goal.get("met") if goal else None,
                )
            )
    if not cards:
        return
    colon = " :" if lang == "fr" else ":"
    text = f"{label('current', lang)}{colon} {fmt.period(diag.period.start, diag.period.end, language=lang)}"
    if has_previous(kj):
        prev = diag.previous_period
        text += (
            f" — {label('previous', lang)}{colon} {fmt.period(prev.start, prev.end, language=lang)}"
        )
    warning = data_end_warning(diag, lang)
    if warning:
        out.html(f'<p class="icpc-warning">{html.escape(warning)}</p>')
    lead = headline(diag, lang)
    if lead:
        out.html(f'<p class="icpc-headline">{html.escape(lead)}</p>')
    out.html(note(text), content=False)
    if has_previous(kj) and not same_months(diag):
        out.html(note(label("method.seasonality", lang)), content=False)
    out.html(kpi_cards(cards, language=lang, currency=cur))
    shown = {k for k, _, _ in CARDS}
    if any(g.rule == "retention_below_objective" and g.breached for g in diag.guardrails):
        shown.add("retention_rate")  # the guardrail says it, with the objective
    # the new customers among the creations to check: said beside their objective
    check = find_action(diag.action_plan, "check_creations")
    to_check = int(check.detail.get("new_among", 0)) if check is not None else 0
    others = objectives_line(objectives, shown, lang, cur, to_check=to_check)
    if others:
        out.html(f'<p class="icpc-objectives">{html.escape(others)}</p>')
    line = bridge_line(kj, lang, cur)
    if line:
        out.html(f'<p class="icpc-bridge-line">{html.escape(line)}</p>')
    flag = anomaly_finding(diag)
    breached = guardrail_sentences(diag, lang)
    creations = next(
        (g for g in diag.guardrails if g.rule == "shared_address_creations" and g.breached), None
    )
    if flag and creations and creations.detail.get("salesperson") == flag.get("salesperson"):
        flag = None  # the guardrail says it, below: not twice on one page
    out.sub("sub.findings")
    # said elsewhere, so not here: the revenue change (the headline), the customers and the
    # basket (revenue explained), the lost customers (dynamics), the segment to act on
    # (segments): the summary keeps the findings no other page makes
    said = {
        F.revenue_change(kj, language=lang, currency=cur) if lead else None,
        F.customers_vs_basket(kj, language=lang),
        F.lost_customers(kj, language=lang, currency=cur),
        F.segment_to_act_on(diag.segment_profiles.reset_index(), language=lang),
    }
    out.findings(
        [
            f
            for f in F.executive_summary(
                kj,
                language=lang,
                currency=cur,
                concentration=diag.concentration,  # the dependence, with its amount
                profiles=diag.segment_profiles,
                anomaly=flag,
            )
            if f not in said
        ]
    )
    if breached:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in breached)
        out.html(f'<ul class="icpc-findings findings icpc-guardrails">{items}</ul>')


#: formats of the indicators an objective may target outside the cards
_OBJECTIVE_FORMATS = {
    "revenue": "money0", "margin": "money0", "average_basket": "money0",
    "revenue_per_customer": "money0", "sales_count": "number", "active_customers": "number",
    "purchase_frequency": "decimal2", "margin_rate": "percent",
    "new_customers": "number", "retained_customers": "number", "reactivated_customers": "number",
    "lost_customers": "number", "lost_revenue": "money0", "churn_rate": "percent",
    "retention_rate": "percent",
}  # fmt: skip


def objective_text(goal: Mapping[str, Any], kind: str, lang: str, cur: str) -> str:
    """``Objectif : 2 500 000 € (96 %)``: the target and the share of it reached."""
    value = goal.get("target")
    target = (
        # a large amount read in three figures (1,85 M€); a small one as the card shows it
        fmt.money_reading(value, language=lang, currency=cur)
        if kind.startswith("money") and abs(float(value or 0)) >= 100_000
        else format_value(value, kind, language=lang, currency=cur)
    )
    reached = goal.get("attainment")
    share = fmt.percent(reached, language=lang, decimals=0) if reached is not None else fmt.MISSING
    return label("objective.card", lang).format(target=target, attainment=share)


def objectives_line(
    objectives: Mapping[str, Any],
    shown: set[str],
    lang: str,
    cur: str,
    *,
    key: str = "objective.line",
    to_check: int = 0,
) -> str | None:
    """The objectives of indicators without a card, in one line (None when there are none);
    ``key`` is the line's words (the scorecard's say « Vos objectifs »); ``to_check``, the
    new customers that are creations to check, said beside a new customers' objective."""
    parts = []
    for indicator, goal in objectives.items():
        if indicator in shown:
            continue
        kind = _OBJECTIVE_FORMATS.get(indicator, "number")
        actual = format_value(goal.get("actual"), kind, language=lang, currency=cur)
        target = format_value(goal.get("target"), kind, language=lang, currency=cur)
        verdict = label("objective.met" if goal.get("met") else "objective.missed", lang)
        if indicator == "new_customers" and to_check:
            verdict += plural("objective.to_check", to_check, lang).format(
                n=fmt.number(to_check, language=lang)
            )
        parts.append(
            label("objective.item", lang).format(
                indicator=label(indicator, lang).lower(),
                actual=actual,
                target=target,
                verdict=verdict,
            )
        )
    if not parts:
        return None
    return label(key, lang).format(items=("\u202f; " if lang == "fr" else "; ").join(parts))


def guardrail_sentences(diag: Any, lang: str) -> list[str]:
    """One sentence per breached guardrail (:attr:`Diagnostic.guardrails`), in the rules' order."""
    out = []
    for g in diag.guardrails:
        if not g.breached or g.value is None:
            continue
        key = f"guardrail.breached.{g.rule}"
        pct = lambda v: fmt.percent(v, language=lang, decimals=0)  # noqa: E731
        if g.rule == "customers_up_basket_down":
            text = label(key, lang).format(
                customers=fmt.change(
                    g.detail.get("customers_pct"), language=lang, decimals=0, with_arrow=False
                ),
                basket=pct(abs(g.value)),
                threshold=fmt.change(g.threshold, language=lang, decimals=0, with_arrow=False),
            )
        elif g.rule == "shared_address_creations":
            # the creations in a burst the anomalies flag (the headline's), among these
            burst = set(creations_to_check(diag.action_plan)) & set(g.detail.get("ids", ()))
            flag = anomaly_finding(diag)
            among = ""
            if burst and flag and flag.get("salesperson") == g.detail["salesperson"]:
                among = plural("guardrail.among_burst", len(burst), lang).format(
                    n=fmt.number(len(burst), language=lang),
                    days=fmt.number(flag["days"], language=lang),
                )
            text = label(key, lang).format(
                among=among,
                share=pct(g.value),
                of_salesperson=of_name(g.detail["salesperson"], lang),
                salesperson=g.detail["salesperson"],
                count=fmt.number(g.detail["customers"], language=lang),
                new=fmt.number(g.detail["new_customers"], language=lang),
                threshold=pct(g.threshold),
            )
        elif g.rule == "retention_below_objective":
            what = "objective" if g.detail.get("objective") else "threshold"
            text = label(key, lang).format(
                value=pct(g.value),
                what=label(f"guardrail.what.{what}", lang),
                threshold=pct(g.threshold),
            )
        else:
            text = label(key, lang).format(value=pct(g.value), threshold=pct(g.threshold))
        out.append(text)
    return out


def bridge_line(kj: Mapping[str, Any], lang: str, cur: str) -> str | None:
    """The N−1 → N bridge in one line: revenue N−1, each step, revenue N (None without N−1).

    The steps are kpis.json's ``bridge`` (zero steps left out); they add up to the change.
    """
    bridge = kj.get("bridge") or {}
    revenue = (kj.get("kpis") or {}).get("revenue") or {}
    start, end = revenue.get("previous"), revenue.get("current")
    if not bridge or fmt.is_missing(start) or fmt.is_missing(end):
        return None
    steps = [fmt.money_reading(start, language=lang, currency=cur)]
    for key, value in bridge.items():
        if fmt.is_missing(value) or round(float(value), 2) == 0:
            continue
        amount = fmt.money_reading(abs(float(value)), language=lang, currency=cur)
        sign = "+" if value > 0 else "−"
        # a no-break space: the sign stays with its amount at a line's end
        steps.append(f"{sign}\u00a0{amount} ({label(f'bridge.{key}', lang).lower()})")
    return label("summary.bridge", lang).format(
        steps=" ".join(steps), end=fmt.money_reading(end, language=lang, currency=cur)
    )
