"""A scorecard's words and shapes: the facts formatted for the page (no layout here).

:func:`card_view` turns :class:`~icpc.report.scorecard.facts.ScorecardFacts` and his
priorities into a plain dict of strings and percentages that the Jinja template
``templates/icpc_scorecard/scorecard.html.j2`` lays out: numbers in the report's format
(:mod:`icpc.report.format`), words from the catalogue (:mod:`icpc.sentences_scorecard`),
the bridge as floating bars and his months as a tiny SVG, both readable in grey.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from babel.dates import format_date

from icpc.export.context import OutputContext
from icpc.export.excel import salesperson_sheet
from icpc.labels import label, locale_for, plural
from icpc.report import format as fmt
from icpc.report.scorecard.facts import BRIDGE_STEPS, Indicator, ScorecardFacts
from icpc.report.scorecard.priorities import Priority
from icpc.report.sections.summary import objectives_line

__all__ = ["card_view", "ordinal", "shorten", "shown", "shown_gap", "worse_shown"]

#: a name longer than this is cut on the page (the file and the metadata keep it whole)
NAME_CHARS = 60
#: a customer name in a sentence
CUSTOMER_CHARS = 32
#: at most this many segments listed; the others are summed in one line
MAX_SEGMENTS = 11


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ordinal(n: int, language: str) -> str:
    """``1er``, ``2e``, ``21e`` (``1st``, ``2nd``, ``11th``, ``21st``).

    Example
    -------
    >>> [ordinal(n, "fr") for n in (1, 2, 21)], [ordinal(n, "en") for n in (1, 12, 23)]
    (['1er', '2e', '21e'], ['1st', '12th', '23rd'])
    """
    last = n % 10 if n % 100 not in (11, 12, 13) else 0
    key = "1" if n == 1 else (f"x{last}" if last in (1, 2, 3) else "n")
    return label(f"scorecard.ordinal.{key}", language).format(n=n)


def _value(ind: Indicator, value: float | None, w: OutputContext) -> str:
    lang = w.language
    if ind.kind == "money":
        return fmt.money(value, language=lang, currency=w.currency, decimals=0)
    if ind.kind == "count":
        return fmt.number(value, language=lang)
    if ind.kind == "decimal":
        return fmt.number(value, language=lang, decimals=2)
    return fmt.percent(value, language=lang)


#: digits after the separator of each kind of indicator as :func:`_value` shows it (the
#: percentages in percent: ``87,0 %``)
SHOWN_DECIMALS = {"money": 0, "count": 0, "decimal": 2, "percent": 1}


def shown(kind: str, value: float | None) -> Decimal | None:
    """``value`` as the table shows it (:func:`_value`), exactly: the same rounding as
    :mod:`icpc.report.format` (a percentage in percent, ``0.8696`` → ``87.0``).

    Example
    -------
    >>> shown("percent", 0.8695652), shown("decimal", 7.4444), shown("money", 655.58)
    (Decimal('87.0'), Decimal('7.44'), Decimal('656'))
    """
    if value is None:
        return None
    decimals = SHOWN_DECIMALS[kind]
    if kind == "percent":  # Babel's rounding of the percentage: half to even, of str(value)
        return Decimal(str(value)).scaleb(2).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN)
    return Decimal(str(round(value, decimals))).quantize(Decimal(1).scaleb(-decimals))


def shown_gap(ind: Indicator) -> Decimal | None:
    """His value minus the team median, both as the table shows them: the column adds up
    for a reader (87,0 % − 86,3 % is +0,7 pts, whatever the unrounded rates say)."""
    current, median = shown(ind.kind, ind.current), shown(ind.kind, ind.median)
    if current is None or median is None:
        return None
    return current - median


def worse_shown(ind: Indicator) -> bool:
    """Worse than the median by the gap the table shows (a gap shown as 0 is not worse)."""
    gap = shown_gap(ind)
    if gap is None or gap == 0:
        return False
    return gap < 0 if ind.higher_is_better else gap > 0


def _gap(ind: Indicator, w: OutputContext) -> str:
    lang, exact = w.language, shown_gap(ind)
    gap = None if exact is None else float(exact)
    if ind.kind == "money":
        return fmt.signed_money(gap, language=lang, currency=w.currency)
    if ind.kind == "count":
        return fmt.signed_number(gap, language=lang)
    if ind.kind == "decimal":
        return fmt.signed_number(gap, language=lang, decimals=2)
    return fmt.points(None if gap is None else gap / 100, language=lang)


def _indicator_rows(facts: ScorecardFacts, w: OutputContext) -> list[dict[str, Any]]:
    lang = w.language
    rows = []
    for ind in facts.indicators:
        name = (
            label("scorecard.purchase_frequency", lang)
            if ind.key == "purchase_frequency"
            else label(ind.key, lang)
        )
        rows.append(
            {
                "label": name,
                "current": _value(ind, ind.current, w),
                "previous": _value(ind, ind.previous, w),
                "change": fmt.change(ind.change_pct, language=lang),
                "median": _value(ind, ind.median, w),
                "gap": _gap(ind, w),
                "bad": worse_shown(ind),
            }
        )
    return rows


def _bridge(facts: ScorecardFacts, w: OutputContext) -> dict[str, Any] | None:
    """The waterfall N−1 → N as floating bars (``left``, ``width`` in % of the track).

    When the changes are small beside the totals, the axis starts above zero (the
    totals' bars are drawn cut, and the note says from which amount), so that the
    steps can be seen; the amounts are printed anyway.
    """
    if facts.bridge is None or facts.revenue_previous is None:
        return None
    lang, cur = w.language, w.currency
    start, end = facts.revenue_previous, facts.revenue
    steps = [(k, facts.bridge.get(k, 0.0)) for k in BRIDGE_STEPS]
    steps = [(k, v) for k, v in steps if k != "other" or abs(v) >= 0.005]
    levels = [start]
    for _, v in steps:
        levels.append(levels[-1] + v)
    lo, hi = min(levels + [end]), max(levels + [end])
    cut = lo > 0 and hi > 0 and (hi - lo) < 0.5 * hi
    base = lo - 0.35 * (hi - lo) if cut else min(0.0, lo)
    span = max(hi - base, 1e-9)

    def bar(a: float, b: float) -> tuple[float, float]:
        lo_, hi_ = sorted((max(a, base), max(b, base)))
        left = (lo_ - base) / span * 100
        if hi_ - lo_ < 0.005:  # a class that changed nothing: no bar
            return round(left, 2), 0.0
        return round(left, 2), round(max((hi_ - lo_) / span * 100, 0.6), 2)

    def total(key: str, value: float) -> dict[str, Any]:
        left, width = bar(base, value)
        return {"label": label(key, lang), "left": left, "width": width,
                "kind": "total", "cut": cut,
                "amount": fmt.money(value, language=lang, currency=cur, decimals=0)}  # fmt: skip

    rows = [total("bridge.start", start)]
    level = start
    for k, v in steps:
        left, width = bar(level, level + v)
        rows.append(
            {
                "label": label(f"bridge.{k}", lang),
                "left": left,
                "width": width,
                "kind": "up" if v >= 0 else "down",
                "cut": False,
                "amount": fmt.signed_money(v, language=lang, currency=cur),
            }
        )
        level += v
    rows.append(total("bridge.end", end))
    note = (
        label("scorecard.bridge_cut", lang).format(
            amount=fmt.money_reading(base, language=lang, currency=cur)
        )
        if cut
        else ""
    )
    return {"rows": rows, "cut": note}


def _months_svg(facts: ScorecardFacts, w: OutputContext) -> dict[str, Any] | None:
    """His months of N (dark bars) beside those of N−1 (light bars), as a tiny SVG."""
    points = facts.months
    if not points:
        return None
    lang = w.language
    values = [p.revenue for p in points] + [p.revenue_previous or 0.0 for p in points]
    top = max(max(values), 0.0)
    width, height, base = 300.0, 84.0, 70.0
    slot = width / len(points)
    pair = facts.has_previous
    bar = slot * (0.36 if pair else 0.6)
    parts = [
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#555" stroke-width="0.6"/>'
    ]
    for i, p in enumerate(points):
        x0 = i * slot + (slot - (2 * bar if pair else bar)) / 2
        if pair:
            h = (max(p.revenue_previous or 0.0, 0.0) / top * (base - 4)) if top else 0.0
            parts.append(
                f'<rect x="{x0:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                'fill="#c8c8c8" stroke="#8a8a8a" stroke-width="0.4"/>'
            )
            x0 += bar
        h = (max(p.revenue, 0.0) / top * (base - 4)) if top else 0.0
        parts.append(
            f'<rect x="{x0:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#333"/>'
        )
        initial = format_date(p.month, "MMMMM", locale=locale_for(lang))
        parts.append(
            f'<text x="{i * slot + slot / 2:.1f}" y="{height - 3}" font-size="8" '
            f'text-anchor="middle" fill="#333">{initial}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'class="sc-months-svg">{"".join(parts)}</svg>'
    )
    return {
        "svg": svg,
        "max": label("scorecard.months_max", lang).format(
            amount=fmt.money_reading(top, language=lang, currency=w.currency)
        ),
        "previous": pair,
    }


def _funnel(facts: ScorecardFacts, w: OutputContext) -> dict[str, Any] | None:
    f = facts.funnel
    if f is None:
        return None
    lang = w.language
    stages = [("contacts_received", f.contacts_received), ("calls", f.calls),
              ("calls_completed", f.calls_completed), ("sales", f.sales)]  # fmt: skip
    previous = {"contacts_received": "contacts_received", "calls": "calls",
                "calls_completed": "calls_completed", "sales": "sales_count"}  # fmt: skip
    top = max((v for _, v in stages), default=0)
    rows = [
        {
            "label": label(key, lang),
            "value": fmt.number(v, language=lang),
            "width": round(v / top * 100, 2) if top else 0.0,
            "previous": label("scorecard.funnel_previous", lang).format(
                n=fmt.number(f.previous.get(previous[key]), language=lang)
            )
            if facts.has_previous and previous[key] in f.previous
            else "",
        }
        for key, v in stages
    ]
    empty = f.contacts_received == f.calls == f.calls_completed == 0
    return {
        "rows": rows,
        "empty": label("scorecard.funnel_empty", lang) if empty else "",
        "rates": ""
        if empty
        else label("scorecard.funnel_rates", lang).format(
            completion=fmt.percent(f.completion_rate, language=lang),
            conversion=fmt.percent(f.conversion_rate, language=lang),
        ),
    }


def _health(facts: ScorecardFacts, w: OutputContext) -> dict[str, Any]:
    """The state of his portfolio: counts and shares (the euros are in the priorities)."""
    lang = w.language

    def share(n: float, of: float | None) -> str:
        return fmt.percent(n / of if of else None, language=lang)

    lines = [plural("scorecard.customers", facts.customers, lang).format(n=facts.customers)]
    if facts.slipping_count:
        n, k = facts.slipping_count, facts.slipping_to_check
        key = "scorecard.slipping_all_to_check" if k == n else "scorecard.slipping_to_check"
        lines.append(
            plural("scorecard.slipping", n, lang).format(
                n=fmt.number(n, language=lang),
                share=share(n, facts.customers),
                to_check=plural(key, k, lang).format(n=fmt.number(k, language=lang)) if k else "",
            )
        )
    else:
        lines.append(label("scorecard.slipping_none", lang))
    lost = facts.indicator("lost_customers")
    if facts.has_previous and lost.current:
        active = facts.indicator("active_customers").previous
        lines.append(
            plural("scorecard.lost", lost.current, lang).format(
                n=fmt.number(lost.current, language=lang), share=share(lost.current, active)
            )
        )
    if facts.creations:
        lines.append(
            plural("scorecard.creations", facts.creations, lang).format(
                n=fmt.number(facts.creations, language=lang),
                share=share(facts.creations, facts.customers),
            )
        )
    segs = list(facts.segments)
    listed, rest = segs[:MAX_SEGMENTS], segs[MAX_SEGMENTS:]
    most = max((s.customers for s in segs), default=0)
    segments = [
        {"label": w.segment(s.segment), "n": fmt.number(s.customers, language=lang),
         "width": round(s.customers / most * 100, 2) if most else 0.0}
        for s in listed
    ]  # fmt: skip
    if rest:
        n = sum(s.customers for s in rest)
        segments.append({"label": label("scorecard.segments_more", lang),
                         "n": fmt.number(n, language=lang), "width": round(n / most * 100, 2)})  # fmt: skip
    # the attributed customers Score3D does not score (net revenue not positive): counted,
    # so that the segments and « N clients vous sont attribués » add up
    unscored = facts.customers - sum(s.customers for s in segs)
    return {"lines": lines, "segments": segments,
            "segments_none": label("scorecard.segments_none", lang),
            "segments_unscored": plural("scorecard.segments_unscored", unscored, lang).format(
                n=fmt.number(unscored, language=lang)) if segs and unscored > 0 else None}  # fmt: skip


def _slipping_top(facts: ScorecardFacts, w: OutputContext) -> str:
    """The largest of the customers he is asked to call, named, with their value at stake."""
    if not facts.slipping_top:
        return ""
    lang, cur = w.language, w.currency
    names = ", ".join(
        f"{shorten(c.name, CUSTOMER_CHARS)} ({fmt.money_reading(c.amount, language=lang, currency=cur)})"
        for c in facts.slipping_top
    )
    return plural("scorecard.slipping_top", len(facts.slipping_top), lang).format(names=names)


def _priority(p: Priority, facts: ScorecardFacts, w: OutputContext) -> dict[str, str]:
    """One priority: its sentence (``text``) and, for the calls, the first to call (``sub``)."""
    lang, cur = w.language, w.currency
    amount = fmt.money_reading(p.amount, language=lang, currency=cur)

    def money(v: Any) -> str:
        return fmt.money(v, language=lang, currency=cur, decimals=0)

    if p.code in ("raise_basket", "raise_frequency"):
        if p.code == "raise_basket":
            value, median = money(p.detail["value"]), money(p.detail["median"])
        else:
            value = fmt.number(p.detail["value"], language=lang, decimals=2)
            median = fmt.number(p.detail["median"], language=lang, decimals=2)
        text = label(f"scorecard.priority.{p.code}", lang).format(
            value=value, median=median, amount=amount
        )
        return {"text": text, "sub": ""}
    words = {"n": fmt.number(p.count, language=lang), "amount": amount}
    key = f"scorecard.priority.{p.code}"
    left_out = int(p.detail.get("left_out") or 0)
    if p.code in ("call_slipping", "win_back_lost") and left_out:
        key += "_except"
        phrase = (
            "scorecard.left_out_to_check"
            if p.code == "call_slipping"
            else "scorecard.left_out_lost"
        )
        words["left_out"] = plural(phrase, left_out, lang).format(
            n=fmt.number(left_out, language=lang)
        )
    if p.code == "check_creations":
        basket, others = p.detail.get("basket"), p.detail.get("others")
        words["basket"] = (
            label("scorecard.creations_basket", lang).format(
                basket=money(basket), others=money(others)
            )
            if others is not None
            else label("scorecard.creations_basket_alone", lang).format(basket=money(basket))
        )
    if p.code == "secure_top":
        words["share"] = fmt.percent(p.detail.get("share"), language=lang, decimals=0)
    text = plural(key, p.count, lang).format(**words)
    return {"text": text, "sub": _slipping_top(facts, w) if p.code == "call_slipping" else ""}


def card_view(
    facts: ScorecardFacts,
    priorities: tuple[Priority, ...],
    words: OutputContext,
    sheet: str | None = None,
) -> dict[str, Any]:
    """What the template shows of one scorecard, every figure formatted.

    Parameters
    ----------
    facts : ScorecardFacts
        His figures.
    priorities : tuple of Priority
        :func:`~icpc.report.scorecard.priorities.priorities` of ``facts``.
    words : OutputContext
        Language, currency, segment labels, client.
    sheet : str, optional
        His sheet's name in actions.xlsx (:func:`icpc.export.sheets.salesperson_sheets`).

    Returns
    -------
    dict
        ``name``, ``title``, ``client_line``, ``period_line``, ``rank``, ``headline``,
        ``indicators`` (rows), ``bridge`` (rows or None), ``months`` (SVG or None),
        ``funnel`` (or None), ``health`` (``lines``, ``segments``), ``priorities``
        (``text`` and ``sub``, the first customers to call, for each), ``sheet``,
        ``footer`` and the section titles.
    """
    lang, cur = words.language, words.currency

    def d(x: Any) -> str:
        return fmt.date(x, language=lang)

    p, q = facts.period, facts.previous_period
    period_line = (
        label("scorecard.period_line", lang).format(
            start=d(p.start), end=d(p.end), pstart=d(q.start), pend=d(q.end)
        )
        if facts.has_previous
        else label("scorecard.period_only", lang).format(start=d(p.start), end=d(p.end))
    )
    rank = (
        label("scorecard.rank", lang).format(n=facts.team_size, rank=ordinal(facts.rank, lang))
        if facts.rank is not None
        else fmt.MISSING
    )
    phrase = (
        plural("scorecard.rank_phrase", facts.team_size, lang).format(
            n=facts.team_size, rank=ordinal(facts.rank, lang)
        )
        if facts.rank is not None
        else fmt.MISSING
    )
    revenue = fmt.money_reading(facts.revenue, language=lang, currency=cur)
    if facts.revenue <= 0 and facts.customers:
        previous = fmt.money_reading(facts.revenue_previous, language=lang, currency=cur)
        headline = (
            label("scorecard.headline_no_sale", lang).format(previous=previous)
            if facts.has_previous
            else label("scorecard.headline_no_sale_no_previous", lang)
        )
    elif facts.has_previous:
        headline = label("scorecard.headline", lang).format(
            revenue=revenue,
            change=fmt.change(
                facts.indicator("revenue").change_pct, language=lang, with_arrow=False
            ),
            rank=phrase,
        )
    else:
        headline = label("scorecard.headline_no_previous", lang).format(
            revenue=revenue, rank=phrase
        )
    # his sheet, as the workbook names it (given by the caller, who knows the other names)
    sheet = sheet or salesperson_sheet(facts.salesperson, lang)
    n = len(priorities)
    note_key = (
        "scorecard.indicators_note"
        if facts.has_previous
        else "scorecard.indicators_note_no_previous"
    )
    return {
        "language": lang,
        "name": shorten(facts.salesperson, NAME_CHARS),
        "long_name": len(facts.salesperson) > 28,
        "full_name": facts.salesperson,
        "title": label("scorecard.title", lang),
        "client_line": label("scorecard.client_line", lang).format(
            client=words.client, as_of=d(facts.as_of)
        ),
        "period_line": period_line,
        "rank_label": label("scorecard.rank_label", lang),
        "rank": rank,
        "headline": headline,
        "indicators_title": label("scorecard.indicators", lang),
        "cols": {
            "indicator": label("scorecard.col.indicator", lang),
            "current": label("current", lang),
            "previous": label("previous", lang),
            "change": label("change_pct", lang),
            "median": label("scorecard.col.median", lang),
            "gap": label("scorecard.col.gap", lang),
        },
        "indicators": _indicator_rows(facts, words),
        "indicators_note": label(note_key, lang).format(n=facts.team_size),
        "objectives": objectives_line(
            facts.objectives,
            set(),
            lang,
            cur,
            key="scorecard.objectives",
            to_check=facts.creations_new,
        ),
        "bridge_title": label("scorecard.bridge", lang),
        "bridge": _bridge(facts, words),
        "bridge_note": label("scorecard.bridge_note", lang),
        "no_previous": label("scorecard.no_previous", lang),
        "months_title": label("scorecard.months", lang),
        "months": _months_svg(facts, words),
        "legend_current": label("current", lang),
        "legend_previous": label("previous", lang),
        "funnel_title": label("scorecard.funnel", lang),
        "funnel": _funnel(facts, words),
        "health_title": label("scorecard.health", lang),
        "health": _health(facts, words),
        "segments_title": label("scorecard.segments", lang),
        "priorities_title": label(f"scorecard.priorities.{min(max(n, 1), 3)}", lang),
        "priorities": [_priority(x, facts, words) for x in priorities],
        "priorities_none": label("scorecard.priorities_none", lang),
        "sheet": label("scorecard.sheet", lang).format(sheet=sheet),
        "footer": label("scorecard.footer", lang).format(as_of=d(facts.as_of)),
        "confidential": words.client,
    }
