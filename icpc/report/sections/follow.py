"""Since the last diagnostic (depuis le dernier diagnostic): the headline indicators across
the client's diagnostics, and what became of the customers flagged last time.

Shown only when ``icpc run`` found an earlier diagnostic of the client (kpis.json's
``follow_up`` block).
"""

from __future__ import annotations

import html

import pandas as pd

from icpc.analysis.follow_up import CLASSES
from icpc.labels import label, plural
from icpc.report import format as fmt
from icpc.report.sections.common import Out
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table

__all__ = ["follow_up"]

#: the table's row of a class whose key would read as a plural form (``.other``)
_ROWS = {"other": "follow.row.rest"}


@section("follow_up", order=17, title="Since the last diagnostic")
def follow_up(ctx: RenderContext, out: Out) -> None:
    """Since the last diagnostic: indicators across diagnostics, the flagged customers' fate."""
    lang, cur = ctx.language, ctx.currency
    block = ctx.kpis.get("follow_up")
    if not block:
        return
    then = block["flagged_then"]
    previous = fmt.date(pd.Timestamp(block["previous_as_of"]).date(), language=lang)
    if then["customers"]:
        revenue = fmt.money_reading(then["revenue_recovered"], language=lang, currency=cur)
        # each class agrees with its own count; empty classes are left out, the recovered
        # ones always said
        pieces = [
            plural(f"follow.fate.{k}", then[k], lang).format(
                n=fmt.number(then[k], language=lang), revenue=revenue
            )
            for k in CLASSES
            if then[k] or k == "recovered"
        ]
        fate = (
            ", ".join(pieces[:-1]) + label("follow.and", lang) + pieces[-1]
            if len(pieces) > 1
            else pieces[0]
        )
        lead = plural("follow.lead", then["customers"], lang).format(
            date=previous, n=fmt.number(then["customers"], language=lang), fate=fate
        )
    else:
        lead = label("follow.none_flagged", lang).format(date=previous)
    out.html(f'<p class="icpc-takeaway">{html.escape(lead)}</p>')
    out.sub("sub.follow_history")
    rows = pd.DataFrame(block["history"])
    rows["as_of"] = [fmt.date(pd.Timestamp(d).date(), language=lang) for d in rows["as_of"]]
    out.html(
        html_table(
            rows,
            language=lang,
            currency=cur,
            max_rows=None,
            formats={
                "revenue": "money0",
                "active_customers": "number",
                "average_basket": "money0",
                "new_customers": "number",
                "lost_customers": "number",
            },
            headers={"as_of": label("follow.as_of", lang)},
            classes=("icpc-follow",),
        )
    )
    if then["customers"]:
        out.sub("sub.follow_flagged")
        fate = pd.DataFrame(
            {
                "class": [label(_ROWS.get(k, f"follow.row.{k}"), lang) for k in CLASSES],
                "customers": [then[k] for k in CLASSES],
            }
        )
        fate["share"] = fate["customers"] / then["customers"]
        fate = fate.loc[fate["customers"] > 0]  # a class nobody is in says nothing
        out.html(
            html_table(
                fate,
                language=lang,
                currency=cur,
                max_rows=None,
                formats={"customers": "number", "share": "percent0"},
                headers={
                    "class": label("follow.header.class", lang),
                    "customers": label("follow.header.customers", lang),
                    "share": label("follow.header.share", lang),
                },
                classes=("icpc-follow-fate",),
            )
        )
