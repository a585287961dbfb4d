"""The plan of action (plan d'action): what to do on Monday, who does it, the euros at stake.

Right after the summary: three to five actions from :attr:`Diagnostic.action_plan`, the
largest amount first, each with its owner, the customers concerned, the amount and the
workbook sheet that lists them. Empty when no analysis finds anything to act on.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from icpc.analysis.actions import Action
from icpc.export.sheets import salesperson_sheet, salesperson_sheets
from icpc.labels import label
from icpc.report import format as fmt
from icpc.report.sections.common import Out
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table, note
from icpc.text import of_name


def action_sentence(action: Action, language: str, currency: str) -> str:
    """The action in words, with the numbers of its analysis (amounts rounded for reading)."""
    d = action.detail

    def money(value: float) -> str:
        return fmt.money_compact(value, language=language, currency=currency)

    words = {
        "n": fmt.number(len(action.customers), language=language),
        "amount": money(action.amount),
        "top_salesperson": d.get("top_salesperson", ""),
        "of_top_salesperson": of_name(d.get("top_salesperson", ""), language),
        "top_amount": money(d["top_amount"]) if "top_amount" in d else "",
        "salesperson": d.get("salesperson", ""),
        "pct": fmt.percent(abs(d.get("change_pct", 0.0)), language=language, decimals=0),
        "share": fmt.percent(d.get("share", 0.0), language=language, decimals=0),
        "new_among": fmt.number(d.get("new_among", 0), language=language),
        "new_total": fmt.number(d.get("new_total", 0), language=language),
        "basket": money(d.get("basket", 0.0)),
        "basket_others": money(d.get("basket_others", 0.0)),
    }
    if action.code == "win_back_lost":
        words["share"] = fmt.percent(
            action.amount / d["lost_revenue"], language=language, decimals=0
        )
    key = f"action.{action.code}"
    if action.code == "call_slipping" and not d:
        key += ".no_salesperson"
    return label(key, language).format(**words)


def owner_text(action: Action, language: str) -> str:
    text = label(f"owner.{action.owner}", language)
    if action.code == "salesperson_gap":
        text = label("owner.with", language).format(
            owner=text, salesperson=action.detail["salesperson"]
        )
    return text


def sheet_text(action: Action, language: str, sheets: Mapping[str, str] | None = None) -> str:
    """The workbook sheet listing the action's customers (empty when none does)."""
    if not action.sheet:
        return ""
    if action.sheet == "salesperson":  # as the workbook names it
        name = action.detail["salesperson"]
        return (sheets or {}).get(name) or salesperson_sheet(name, language)
    return label(f"sheet.{action.sheet}", language)


@section("action_plan", order=15, title="Action plan")
def action_plan(ctx: RenderContext, out: Out) -> None:
    """Plan of action (plan d'action): the actions ranked by euros at stake."""
    lang, cur = ctx.language, ctx.currency
    plan = ctx.diag.action_plan
    if not plan:
        return
    intro = note(
        label("action.takeaway", lang).format(
            n=fmt.number(len(plan), language=lang),
            first=fmt.money_compact(plan[0].amount, language=lang, currency=cur),
        )
    )
    frame = pd.DataFrame(
        {
            "rank": range(1, len(plan) + 1),
            "action": [action_sentence(a, lang, cur) for a in plan],
            "owner": [owner_text(a, lang) for a in plan],
            "customers": [len(a.customers) for a in plan],
            "amount": [a.amount for a in plan],
            "sheet": [sheet_text(a, lang, salesperson_sheets(ctx.diag, lang)) for a in plan],
        }
    )
    table = html_table(
        frame,
        language=lang,
        currency=cur,
        max_rows=None,
        formats={"rank": "number", "customers": "number", "amount": "money"},
        headers={
            "rank": "",
            "action": label("action.header.action", lang),
            "owner": label("action.header.owner", lang),
            "customers": label("action.header.customers", lang),
            "amount": label("action.header.amount", lang),
            "sheet": label("action.header.sheet", lang),
        },
        classes=("icpc-actions", "icpc-plan"),
    )
    # one block: the sentence, the table and what the amounts are stay on one page
    parts = (" ; " if lang == "fr" else "; ").join(
        label(f"action.amount.{a.code}", lang) for a in plan
    )  # only the amounts this plan shows
    amounts = note(label("action.amount_note", lang).format(parts=parts))
    out.html(f'<div class="icpc-keep">{intro}{table}{amounts}</div>')
