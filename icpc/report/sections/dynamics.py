"""Customer dynamics (dynamique du portefeuille): new, retained, reactivated and lost customers; the quarterly cohorts.

The dynamics need N−1; the lost customers and the cohorts are shown when there are any.
"""

from __future__ import annotations

from icpc.labels import label
from icpc.report import findings as F
from icpc.report import plots as P
from icpc.report.findings import titles as T
from icpc.report.sections.common import Out, columns, has_previous, has_rows, with_names
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table, note


@section("dynamics", order=30, title="Customer dynamics")
def customer_dynamics(ctx: RenderContext, out: Out) -> None:
    """Customer dynamics (dynamique clients): new, retained, reactivated, lost; cohorts."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    kj = ctx.kpis
    k = kj.get("kpis", {})
    if has_previous(kj):
        out.findings(
            [
                F.customer_dynamics(kj, language=lang),
                F.lost_customers(kj, language=lang, currency=cur),
            ]
        )
        out.figure(
            P.customer_dynamics(k, language=lang),
            message=T.active_customers_title(kj, language=lang),
        )
    lost = diag.dynamics.lost
    if has_rows(lost):
        frame = with_names(lost, diag)
        out.sub("sub.lost")
        out.figure(  # a lost customer has a last sale
            P.lost_since(frame, language=lang),
            title=False,
            message=T.lost_title(kj, language=lang),
        )
        cols = columns(
            frame,
            "customer_id",
            "name",
            "salesperson",
            "last_sale",
            "days_since_last_sale",
            "revenue_previous",
        )
        out.html(
            html_table(
                frame[cols],
                language=lang,
                currency=cur,
                max_rows=10,  # the largest; the workbook lists them all
                formats={
                    "last_sale": "date",
                    "days_since_last_sale": "number",
                    "revenue_previous": "money0",
                },
                headers={"revenue_previous": label("revenue_previous", lang)},
            )
        )
    rates = diag.cohorts.rates
    if has_rows(rates) and rates.shape[1] > 1:  # a single quarter of data has no retention to show
        rates = rates.iloc[-12:, :13]
        out.sub("sub.cohorts")
        out.figure(
            P.cohort_heatmap(rates, language=lang),
            title=False,
            raster=True,
            message=T.cohort_title(kj, language=lang),
        )
        if (rates.iloc[:, 0].dropna() < 1).any():  # a first quarter below 100 % needs a word
            out.html(note(label("note.cohort_first_quarter", lang)), content=False)
