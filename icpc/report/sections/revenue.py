"""Revenue explained (le chiffre d’affaires expliqué): what moved it, the monthly trend, the N−1 → N bridge and the three-factor decomposition.

The bridge and the decomposition need N−1.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from icpc.labels import label
from icpc.report import findings as F
from icpc.report import format as fmt
from icpc.report import plots as P
from icpc.report.findings import titles as T
from icpc.report.sections.common import Out, has_previous
from icpc.report.sections.registry import RenderContext, section


@section("revenue", order=20, title="Revenue explained")
def revenue_explained(ctx: RenderContext, out: Out) -> None:
    """Revenue explained (le chiffre d'affaires expliqué): trend, bridge, three-factor decomposition."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    kj = ctx.kpis
    # the revenue's change is the headline's, and its indicators the summary's tiles: the
    # section opens with what moved it
    out.findings(
        [
            F.customers_vs_basket(kj, language=lang)
            or F.revenue_change(kj, language=lang, currency=cur)
        ]
    )
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
        ),
        message=T.monthly_title(
            kj,
            start=diag.period.start,
            previous_start=diag.previous_period.start,
            months=diag.months,
            language=lang,
        )
        if has_previous(kj)
        else None,
    )
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
                message=T.bridge_title(kj, language=lang, currency=cur),
            )
        decomposition = kj.get("decomposition")
        if decomposition:
            out.sub("sub.decomposition")
            out.figure(
                P.decomposition(decomposition, language=lang, currency=cur),
                title=False,
                message=T.decomposition_title(kj, language=lang, currency=cur),
            )
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
                    own=fmt.money_reading(own, language=lang, currency=cur, signed=True),
                    overall=fmt.money_reading(overall, language=lang, currency=cur, signed=True),
                    own_verb=label("mix.up" if own > 0 else "mix.down", lang),
                    overall_verb=label("mix.up" if overall > 0 else "mix.down", lang),
                )
            )
    return [label("mix.intro", lang), *out] if out else []
