"""Data quality and method: the ledger of the rows read, the anomalies, the method and the definitions.

Always has content: the method.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from icpc.labels import DEFINITIONS, label, reason_label
from icpc.report import findings as F
from icpc.report import format as fmt
from icpc.report.sections.common import (
    Out,
    anomaly_finding,
    anomaly_groups,
    columns,
    comparison_lines,
)
from icpc.report.sections.registry import RenderContext, section
from icpc.report.tables import html_table, note


def _ledger_table(quality: Mapping[str, Any], lang: str, cur: str) -> str:
    excluded = quality.get("rows_excluded") or {}
    amounts = quality.get("amounts_excluded") or {}
    rows = [
        (label("rows_read", lang), quality.get("rows_read"), quality.get("amount_read")),
        (label("rows_used", lang), quality.get("rows_used"), quality.get("amount_used")),
    ]
    rows += [("— " + _reason(r, lang), n, amounts.get(r)) for r, n in excluded.items() if n]
    frame = pd.DataFrame(rows, columns=["item", "rows", "amount"])
    return html_table(
        frame,
        language=lang,
        currency=cur,
        max_rows=None,
        formats={"rows": "number", "amount": "money"},
        headers={"item": ""},
    )


def _reason(reason: str, lang: str) -> str:
    return reason_label(reason, lang)


@section("data_quality", order=80, title="Data quality and method")
def data_quality(ctx: RenderContext, out: Out) -> None:
    """Data quality and method (qualité des données et méthode): ledger, exclusions, anomalies, definitions."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    quality = diag.dataset.data_quality()
    out.sub("sub.ledger")
    out.html(_ledger_table(quality, lang, cur))
    notes = [f"{_reason(name, lang)}{' :' if lang == 'fr' else ':'} {fmt.number(block['rows'], language=lang)} "
             + ("lignes conservées" if lang == "fr" else "rows kept")
             for name, block in quality["warnings"].items() if block["rows"]]  # fmt: skip
    if notes:
        text = " ; ".join(notes) if lang == "fr" else "; ".join(notes)
        out.html(note(text[:1].upper() + text[1:]))
    groups = anomaly_groups(diag)
    if groups is not None:
        out.sub("sub.anomalies")
        flag = anomaly_finding(diag)
        out.findings([F.salesperson_anomaly(flag, language=lang, currency=cur) if flag else None])
        n_groups, n_customers = len(groups), int(groups["customers"].sum())
        out.html(
            note(
                f"{fmt.number(n_groups, language=lang)} groupes, {fmt.number(n_customers, language=lang)} clients "
                "partageant une adresse ou un SIRET ; la liste complète est dans le classeur Excel (onglet Anomalies)."
                if lang == "fr"
                else f"{fmt.number(n_groups, language=lang)} groups, {fmt.number(n_customers, language=lang)} customers "
                "sharing an address or a SIRET; the full list is in the Excel workbook (Anomalies sheet)."
            )
        )
        cols = columns(
            groups,
            "duplicate_group",
            "customers",
            "address",
            "city",
            "salespeople",
            "first_created",
            "last_created",
            "basket",
        )
        out.html(
            html_table(
                groups[cols],
                language=lang,
                currency=cur,
                max_rows=15,
                formats={
                    "customers": "number",
                    "first_created": "date",
                    "last_created": "date",
                    "basket": "money0",
                },
                headers={
                    "customers": label("group_size", lang),
                    "salespeople": label("salesperson", lang),
                    "first_created": label("first_created", lang),
                    "last_created": label("last_created", lang),
                },
            )
        )
    out.sub("sub.method")
    fr = lang == "fr"
    lines = [label("method.descriptive", lang), *comparison_lines(diag, lang)]
    out.html("".join(f"<p>{html.escape(s)}</p>" for s in lines))
    out.sub("sub.definitions")
    defs = "".join(
        f"<li><strong>{html.escape(label(k, lang))}</strong>{' : ' if fr else ': '}"
        f"{html.escape(tfr if fr else ten)}</li>"
        for k, tfr, ten in DEFINITIONS
    )
    out.html(f'<ul class="icpc-definitions">{defs}</ul>')
