"""Revenue explained (le chiffre d’affaires expliqué): the indicators, the monthly trend, the N−1 → N bridge and the three-factor decomposition.

The bridge and the decomposition need N−1.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from icpc.labels import label
from icpc.report import findings as F
from icpc.report import format as fmt
from icpc.report import plots as P
from icpc.report.sections.common import Out, has_previous
from icpc.report.sections.registry import RenderContext, section
from icpc.report.sections.summary import CARDS
from icpc.report.tables import format_value, html_table


def _indicator_table(kj: Mapping[str, Any], lang: str, cur: str) -> str:
    kinds = dict((k, kind) for k, kind, _ in CARDS)
    rows = []
    for key, block in kj.get("kpis", {}).items():
        if isinstance(block, Mapping) and key in kinds:
            rows.append(
                (
                    label(key, lang),
                    block.get("current"),
                    block.get("previous"),
                    block.get("change_pct"),
                    kinds[key],
                )
            )
    if not rows:
        return ""
    frame = pd.DataFrame(rows, columns=["indicator", "current", "previous", "change_pct", "kind"])
    # a rate changes in percentage points, not in percent of itself
    change_text = [
        (f"{fmt.arrow(round(c - p, 3))}\u00a0{fmt.points(c - p, language=lang)}"
         if k == "percent" and not (fmt.is_missing(c) or fmt.is_missing(p)) else fmt.change(pct, language=lang))
        for c, p, pct, k in zip(frame["current"], frame["previous"], frame["change_pct"], frame["kind"], strict=True)
    ]  # fmt: skip
    frame["change_pct"] = change_text
    for col in ("current", "previous"):
        frame[col] = [
            format_value(v, k, language=lang, currency=cur)
            for v, k in zip(frame[col].tolist(), frame["kind"].tolist(), strict=True)
        ]
    as_is = lambda v: v  # noqa: E731  (already formatted, per row)
    return html_table(
        frame.drop(columns="kind"),
        language=lang,
        currency=cur,
        formats={"current": as_is, "previous": as_is, "change_pct": as_is},
        numeric=("current", "previous", "change_pct"),
        headers={
            "indicator": "",
            "current": label("current", lang),
            "previous": label("previous", lang),
        },
        classes=("icpc-kpi-table",),
        max_rows=None,
    )


@section("revenue", order=20, title="Revenue explained")
def revenue_explained(ctx: RenderContext, out: Out) -> None:
    """Revenue explained (le chiffre d'affaires expliqué): trend, bridge, three-factor decomposition."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    kj = ctx.kpis
    out.findings(
        [
            F.revenue_change(kj, language=lang, currency=cur),
            F.customers_vs_basket(kj, language=lang),
        ]
    )
    out.html(_indicator_table(kj, lang, cur))
    frame = diag.monthly.reset_index()  # one row per month from the first sale: never empty
    out.sub("sub.monthly")
    out.figure(
        P.monthly_revenue(
            frame,
            start=diag.period.start,
            months=diag.months,
            month_col="month",
            language=lang,
            currency=cur,
        )
    )
    if len(frame) >= 13:
        out.figure(P.rolling_revenue(frame, month_col="month", language=lang, currency=cur))
    if has_previous(kj):
        bridge = dict(kj.get("bridge") or {})
        rev = kj["kpis"]["revenue"]
        retained = kj.get("bridge_retained") or {}
        if "retained" in bridge and {"frequency", "basket"} <= set(retained):
            bridge = {
                ("retained_frequency" if k == "retained" else k): v for k, v in bridge.items()
            }
            items = list(bridge.items())
            at = [k for k, _ in items].index("retained_frequency")
            items[at] = ("retained_frequency", retained["frequency"])
            items.insert(at + 1, ("retained_basket", retained["basket"]))
            bridge = dict(items)
        if bridge:
            out.sub("sub.bridge")
            out.figure(
                P.bridge_waterfall(
                    bridge, start=rev["previous"], end=rev["current"], language=lang, currency=cur
                ),
                title=False,
            )
        decomposition = kj.get("decomposition")
        if decomposition:
            out.sub("sub.decomposition")
            out.figure(P.decomposition(decomposition, language=lang, currency=cur), title=False)
            mix = mix_effects(kj, lang, cur)
            if mix:  # the intro, then one sentence per factor of opposite signs
                out.html(f"<p>{html.escape(mix[0])}</p>")
                out.findings(mix[1:])


def mix_effects(kj: Mapping[str, Any], lang: str, cur: str) -> list[str]:
    """A sentence per factor whose sign differs between the bridge and the decomposition.

    The bridge measures the retained customers' own frequency and basket; the
    decomposition measures them over all customers, so the customers won and lost weigh
    in (composition, or mix, effect): both can be true with opposite signs.
    """
    retained, decomposition = kj.get("bridge_retained") or {}, kj.get("decomposition") or {}
    out = []
    for factor in ("frequency", "basket"):
        own, overall = retained.get(factor), decomposition.get(factor)
        if own is None or overall is None or round(own, 2) == 0 or round(overall, 2) == 0:
            continue
        if (own > 0) != (overall > 0):
            out.append(
                label(f"mix.{factor}", lang).format(
                    own=fmt.signed_money(own, language=lang, currency=cur),
                    overall=fmt.signed_money(overall, language=lang, currency=cur),
                    own_verb=label("mix.up" if own > 0 else "mix.down", lang),
                    overall_verb=label("mix.up" if overall > 0 else "mix.down", lang),
                )
            )
    return [label("mix.intro", lang), *out] if out else []
