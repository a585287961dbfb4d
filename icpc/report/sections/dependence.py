"""Concentration: the Pareto curve, the share of the top customers, the dependency on the first ones.

Empty without active customers in N.
"""

from __future__ import annotations

import pandas as pd

from icpc.report import findings as F
from icpc.report import format as fmt
from icpc.report import plots as P
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
    out.findings([F.concentration(revenue, language=lang)])
    out.figure(P.pareto_curve(revenue, language=lang), title=False)
    fr = lang == "fr"
    rows = [
        ("Part du premier client" if fr else "Share of the first customer", fmt.percent(conc.top1_share, language=lang)),
        ("Part des 5 premiers clients" if fr else "Share of the top 5 customers", fmt.percent(conc.top5_share, language=lang)),
        ("Part des 10 premiers clients" if fr else "Share of the top 10 customers", fmt.percent(conc.top10_share, language=lang)),
        ("Part des 20 % premiers clients" if fr else "Share of the top 20% of customers", fmt.percent(conc.top20_share, language=lang)),
        ("CA sans les 3 premiers clients" if fr else "Revenue without the top 3 customers",
         fmt.money(conc.revenue_without_top3, language=lang, currency=cur, decimals=0)),
        ("Indice de Herfindahl" if fr else "Herfindahl index", fmt.number(conc.herfindahl, language=lang, decimals=3)),
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
    top = with_names(conc.pareto.head(10).reset_index(), diag)
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
