"""Concentration: the Pareto curve, the share of the top customers, the dependency on the first ones.

Empty without active customers in N.
"""

from __future__ import annotations

import pandas as pd

from icpc.labels import label
from icpc.report import findings as F
from icpc.report import format as fmt
from icpc.report import plots as P
from icpc.report.findings import titles as T
from icpc.report.sections.common import Out, columns, with_names
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table


@section("concentration", order=60, title="Concentration")
def concentration(ctx: RenderContext, out: Out) -> None:
    """Concentration: Pareto curve, share of the top customers, dependency on the first ones."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    conc = diag.concentration
    revenue = conc.pareto["revenue"]  # customers with revenue > 0 in N only
    if revenue.empty:
        return
    # the dependence on the first three is the summary's finding and the top 20 %'s share
    # the chart's title; here, who the first customers are
    top = with_names(conc.pareto.head(10).reset_index(), diag)
    if len(revenue) >= 10:
        first = top.iloc[0]
        name = (
            first["name"]
            if "name" in top.columns and isinstance(first["name"], str)
            else first["customer_id"]
        )
        out.findings(
            [
                label("dependence.top10", lang).format(
                    top10=fmt.percent(conc.top10_share, language=lang),
                    name=name,
                    top1=fmt.percent(conc.top1_share, language=lang),
                )
            ]
        )
    else:
        out.findings([F.concentration(revenue, language=lang)])
    out.figure(
        P.pareto_curve(revenue, language=lang),
        title=False,
        message=T.pareto_title(ctx.kpis, language=lang),
    )
    rows = [
        (label("top1_share", lang), fmt.percent(conc.top1_share, language=lang)),
        (label("top5_share", lang), fmt.percent(conc.top5_share, language=lang)),
        (label("top10_share", lang), fmt.percent(conc.top10_share, language=lang)),
        (label("top_20_share", lang), fmt.percent(conc.top20_share, language=lang)),
        (label("revenue_without_top3", lang),
         fmt.money(conc.revenue_without_top3, language=lang, currency=cur, decimals=0)),
        (label("herfindahl", lang), fmt.number(conc.herfindahl, language=lang, decimals=3)),
    ]  # fmt: skip
    out.html(
        html_table(
            pd.DataFrame(rows, columns=["indicator", "value"]),
            language=lang,
            max_rows=None,
            formats={"value": lambda v: v},
            headers={"indicator": "", "value": ""},
            classes=("icpc-compact",),
            numeric=("value",),
        )
    )
    out.sub("sub.top_customers")
    cols = columns(top, "rank", "customer_id", "name", "revenue", "share", "cumulative_share")
    out.html(
        html_table(
            top[cols],
            language=lang,
            currency=cur,
            max_rows=10,
            formats={
                "rank": "number",
                "revenue": "money0",
                "share": "percent",
                "cumulative_share": "percent",
            },
        )
    )
