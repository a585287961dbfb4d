"""Sales team (équipe commerciale): figures per salesperson and per region, the activity funnel when a log is given.

Empty without salesperson, region or activity data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from icpc.kpi import UNASSIGNED
from icpc.labels import label
from icpc.report import findings as F
from icpc.report import plots as P
from icpc.report.findings import titles as T
from icpc.report.sections.common import Out, has_rows
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic


def _activity_current(diag: Diagnostic) -> pd.DataFrame | None:
    """Activity per salesperson in period N (:attr:`Diagnostic.activity` rows of ``current``).

    None without an activity log, or when the log and the sales name no salesperson.
    """
    activity = diag.activity
    if not has_rows(activity):
        return None
    return activity.xs("current", level="period").reset_index()


def _activity_totals(frame: pd.DataFrame) -> dict[str, float]:
    """Funnel stages summed over the salespeople; sales left out when unknown (no salesperson column)."""
    stages = {"contacts_received": "contacts_received", "calls": "calls", "calls_completed": "calls_completed",
              "sales": "sales_count"}  # fmt: skip
    totals = {
        stage: float(frame[col].sum()) for stage, col in stages.items() if frame[col].notna().any()
    }
    return totals if any(totals.values()) else {}


@section("sales_team", order=70, title="Sales team")
def sales_team(ctx: RenderContext, out: Out) -> None:
    """Sales team (équipe commerciale): per salesperson and region, activity funnel when given."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    for key, column, table in (
        ("sub.by_salesperson", "salesperson", diag.by_salesperson),
        ("sub.by_region", "region", diag.by_region),
    ):
        # None when the column is not mapped; a single "(unassigned)" row when mapped but empty
        if table is None or (table.index == UNASSIGNED).all():
            continue
        frame = table.reset_index()
        frame[column] = frame[column].astype(str)
        if column == "salesperson":  # the section's takeaway, before its first table
            out.findings(
                [
                    F.salesperson_spread(
                        frame, change_col="revenue_change_pct", name_col=column, language=lang
                    )
                ]
            )
        out.sub(key)
        if column == "salesperson":  # the regions' table is enough
            ax = P.salesperson_comparison(
                frame.rename(columns={"revenue": "revenue_current"}),
                name_col=column,
                previous_col="revenue_previous",
                language=lang,
                currency=cur,
            )
            out.figure(
                ax, title=False, message=T.salesperson_title(frame, language=lang, currency=cur)
            )
        cols = [
            column,
            "revenue",
            "revenue_change_pct",
            "share",
            "active_customers",
            "average_basket",
            "purchase_frequency",
            "new_customers",
            "lost_customers",
        ]
        out.html(
            html_table(
                frame.sort_values("revenue", ascending=False)[cols],
                language=lang,
                currency=cur,
                max_rows=25,
                formats={
                    "revenue": "money0",
                    "revenue_change_pct": "change",
                    "share": "percent",
                    "active_customers": "number",
                    "average_basket": "money0",
                    "purchase_frequency": "decimal2",
                    "new_customers": "number",
                    "lost_customers": "number",
                },
                headers={
                    "revenue": label("revenue_current", lang),
                    "revenue_change_pct": label("change_pct", lang),
                    "share": label("revenue_share_n", lang),
                },
            )
        )
    act = _activity_current(diag)
    totals = _activity_totals(act) if act is not None else {}
    if act is not None and totals:
        out.sub("sub.funnel")
        out.findings([F.conversion_above_100(act["conversion_rate"], language=lang)])
        # the stages are not nested (sales without a call, calls without a contact): a table,
        # not a funnel chart
        # the calls made beside the completed ones: the completion rate is theirs to check
        cols = ["salesperson", "contacts_received", "calls", "calls_completed", "completion_rate"]
        if act["sales_count"].notna().any():  # NaN when the transactions have no salesperson column
            cols += ["sales_count", "conversion_rate", "revenue_per_completed_call"]
        out.html(
            html_table(
                act[cols],
                language=lang,
                currency=cur,
                max_rows=25,
                formats={
                    "completion_rate": "percent",
                    "conversion_rate": "percent",
                    "revenue_per_completed_call": "money0",
                    "contacts_received": "number",
                    "calls": "number",
                    "calls_completed": "number",
                    "sales_count": "number",
                },
                headers={
                    "revenue_per_completed_call": label("revenue_per_call", lang),
                    "sales_count": label("sales", lang),
                },
            )
        )
