"""Score3D segments: sizes and revenue shares, profiles and actions, the R×F grid, the migration since N−1.

Empty when no customer is scored.
"""

from __future__ import annotations

import datetime as dt

from icpc.labels import label, segment_label
from icpc.report import findings as F
from icpc.report import plots as P
from icpc.report.findings import titles as T
from icpc.report.sections.common import Out, has_rows
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table


@section("segments", order=40, title="Score3D segments")
def segments(ctx: RenderContext, out: Out) -> None:
    """Score3D segments: the R×F grid, profiles and actions, migration."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    prof = diag.segment_profiles
    if prof["customers"].sum() == 0:
        return
    frame = prof.reset_index()
    # the segment labels of the workbook too (the client's own rules name theirs)
    labels = dict(ctx.words.segment_labels)
    frame = frame.assign(label=[ctx.words.segment(s) for s in frame["segment"].astype(str)])
    # its action is in the table below: not said twice
    out.findings([F.segment_to_act_on(frame.drop(columns="action"), language=lang)])
    shown = frame.loc[frame["customers"] > 0]
    # the grid first: small, it fills the page the section starts on, and the table of
    # tall rows after it stays whole
    out.sub("sub.rf_grid")
    out.figure(
        P.rf_heatmap(diag.scores, language=lang),
        title=False,
        raster=True,
        message=T.rf_title(diag.scores.loc[diag.scores["scored"].astype(bool)], language=lang),
    )
    # one table: the segment's weight, profile and action (what each segment means is in
    # the method's table of rules)
    out.sub("sub.segment_profiles")
    table = shown.assign(
        segment=[segment_label(s, lang, labels=labels) for s in shown["segment"].astype(str)]
    )
    cols = [
        "segment",
        "customers",
        "share",
        "revenue_share",
        "mean_recency_days",
        "mean_frequency",
        "basket",
        "action",
    ]
    out.html(
        html_table(
            table[cols],
            language=lang,
            currency=cur,
            max_rows=None,
            classes=("icpc-actions", "icpc-segments"),
            formats={
                "customers": "number",
                "share": "percent0",
                "revenue_share": "percent0",
                "mean_recency_days": "number",
                "mean_frequency": "decimal1",
                "basket": "money0",
            },
            headers={
                "share": label("customers_share", lang),
                "revenue_share": label("revenue_share_history", lang),
                "mean_recency_days": label("mean_recency", lang),
            },
        )
    )
    mig = diag.migration
    if has_rows(mig):
        matrix = diag.migration_matrix
        matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
        if matrix.size:
            out.sub("sub.migration")
            out.figure(
                P.migration_heatmap(matrix, labels=labels, language=lang),
                title=False,
                raster=True,
                message=T.migration_title(
                    matrix,
                    language=lang,
                    start=diag.period.start - dt.timedelta(days=1),  # kpis.json's migration.from
                    end=diag.as_of,
                ),
            )
