"""Early warning (clients en décrochage): the customers to call first, with the revenue at stake.

A note when nobody is flagged.
"""

from __future__ import annotations

from icpc.analysis.actions import creations_to_check
from icpc.labels import label, value_label
from icpc.report import format as fmt
from icpc.report.sections.common import Out, columns, display_name, with_names
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table, note

#: rows of the call list in the report: the first to call; the workbook lists them all
SHOWN = 12


@section("early_warning", order=50, title="Early warning")
def early_warning(ctx: RenderContext, out: Out) -> None:
    """Early warning (clients en décrochage): customers to call first, with the value at stake.

    Shows the outputs displayed (empty when the early warning could not be computed; a
        note when nobody is flagged).
    """
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    ew = diag.early_warning
    flagged = ew.loc[ew["early_warning"].to_numpy(dtype=bool)]
    if flagged.empty:
        out.html(note(label("note.nobody_slipping", lang)))
        return
    # the count and the amount at stake are the summary's finding; here, what the table holds
    frame = with_names(flagged.sort_values("value_at_stake", ascending=False), diag)
    shown = min(len(frame), SHOWN)
    stake = frame["value_at_stake"].astype(float)
    words = {
        "shown": fmt.number(shown, language=lang),
        "n": fmt.number(len(frame), language=lang),
        "top": fmt.money_reading(stake.iloc[:shown].sum(), language=lang, currency=cur),
        "total": fmt.money_reading(stake.sum(), language=lang, currency=cur),
        "sheet": label("sheet.at_risk", lang),
    }
    key = "early_warning.takeaway" if len(frame) > shown else "early_warning.takeaway_all"
    out.findings([label(key, lang).format(**words)])
    frame = frame.assign(customer=display_name(frame))
    frame["reason"] = frame["reason"].map(lambda r: value_label("reason", r, lang))
    # shared-address creations on the call list are marked, not silently mixed in
    to_check = creations_to_check(diag.action_plan)
    frame["creation_to_check"] = [
        label("yes", lang) if str(c) in to_check else None for c in frame["customer_id"]
    ]
    cols = columns(
        frame.head(SHOWN),  # a column the rows shown leave empty is left out
        "customer_id",
        "name",
        "salesperson",
        "last_sale",
        "usual_interval_days",
        "overdue_ratio",
        "reason",
        "value_at_stake",
        "creation_to_check",
    )
    out.html(
        html_table(
            frame[cols],
            language=lang,
            currency=cur,
            max_rows=SHOWN,
            formats={
                "last_sale": "date",
                "usual_interval_days": "number",
                "overdue_ratio": "decimal1",
                "value_at_stake": "money0",
            },
        )
    )
