"""The executive summary (synthèse): headline KPI cards N against N−1 and the key findings.

Empty when there is no revenue at all.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from icpc.labels import label
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
from icpc.report.tables import KpiCard, kpi_cards, note

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
    for key, kind, better in CARDS:
        block = blocks.get(key)
        if isinstance(block, Mapping) and not fmt.is_missing(block.get("current")):
            cards.append(
                KpiCard(
                    key,
                    block.get("current"),
                    block.get("previous"),
                    block.get("change_pct"),
                    kind=kind,
                    higher_is_better=better,
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
    line = bridge_line(kj, lang, cur)
    if line:
        out.html(f'<p class="icpc-bridge-line">{html.escape(line)}</p>')
    flag = anomaly_finding(diag)
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
