"""Data quality and method: the ledger of the rows read, the anomalies, the method and the definitions.

Always has content: the method.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from icpc.analysis.warning_model import LOGISTIC
from icpc.cleaning.id_match import EXCLUSIONS_NOT_FOUND, WHERE_NOT_FOUND
from icpc.cleaning.ledger import AFTER_AS_OF, NO_AMOUNT
from icpc.export.context import OutputContext
from icpc.labels import DEFINITIONS, label, plural, reason_label
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

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic


def _ledger_table(quality: Mapping[str, Any], lang: str, cur: str) -> str:
    excluded = quality.get("rows_excluded") or {}
    amounts = quality.get("amounts_excluded") or {}
    rows = [
        (label("rows_read", lang), quality.get("rows_read"), quality.get("amount_read")),
        (label("rows_used", lang), quality.get("rows_used"), quality.get("amount_used")),
    ]
    rows += [
        ("— " + _reason(r, lang), n, None if r in NO_AMOUNT else amounts.get(r))
        for r, n in excluded.items()
        if n
    ]
    frame = pd.DataFrame(rows, columns=["item", "rows", "amount"])
    return html_table(
        frame,
        language=lang,
        currency=cur,
        max_rows=None,
        formats={"rows": "number", "amount": "money"},
        headers={"item": ""},
    )


def _takeaway(quality: Mapping[str, Any], lang: str, cur: str) -> str:
    """How many rows the analysis uses of those read, and what the others weigh."""
    read, used = int(quality.get("rows_read") or 0), int(quality.get("rows_used") or 0)
    number = lambda n: fmt.number(n, language=lang)  # noqa: E731
    if used >= read:
        return label("quality.takeaway_all", lang).format(read=number(read))
    amounts = quality.get("amounts_excluded") or {}
    later = int((quality.get("rows_excluded") or {}).get(AFTER_AS_OF) or 0)
    # rows dated after the analysis date are not lost data: said apart, not as rejects
    rejected = read - used - later
    amount = sum(float(v or 0) for k, v in amounts.items() if k != AFTER_AS_OF)
    values = {
        "read": number(read),
        "used": number(used),
        "excluded": number(rejected),
        "amount": fmt.money_reading(amount, language=lang, currency=cur),  # a sentence: rounded
        "later": number(later),
    }
    if not later:
        return label("quality.takeaway", lang).format(**values)
    if not rejected:
        return label("quality.takeaway_later", lang).format(**values)
    return label("quality.takeaway_later_and_excluded", lang).format(**values)


def _other_files(quality: Mapping[str, Any], lang: str) -> str | None:
    """The customer file's and the activity log's warnings, one line (None when none):
    what someone should correct in those files."""
    parts = []
    for key, block in (quality.get("files") or {}).items():
        if key == "transactions":
            continue
        found = [
            label("note.file_warning", lang).format(
                reason=_reason(name, lang), rows=fmt.number(w["rows"], language=lang)
            )
            for name, w in (block.get("warnings") or {}).items()
            if w.get("rows")
        ]
        if found:
            parts.append(
                label("note.file_warnings", lang).format(
                    file=block.get("path", key), warnings=", ".join(found)
                )
            )
    return " ".join(parts) or None


def _reason(reason: str, lang: str) -> str:
    return reason_label(reason, lang)


@section("data_quality", order=80, title="Data quality and method")
def data_quality(ctx: RenderContext, out: Out) -> None:
    """Data quality and method (qualité des données et méthode): ledger, exclusions, anomalies, definitions."""
    diag, lang = ctx.diag, ctx.language
    cur = ctx.currency
    quality = diag.dataset.data_quality()
    out.findings([_takeaway(quality, lang, cur)])
    out.sub("sub.ledger")
    out.html(_ledger_table(quality, lang, cur))
    notes = [label("note.rows_kept", lang).format(reason=_reason(name, lang),
                                                  rows=fmt.number(block["rows"], language=lang))
             for name, block in quality["warnings"].items() if block["rows"]]  # fmt: skip
    if notes:
        text = (" ; " if lang == "fr" else "; ").join(notes)
        out.html(note(text[:1].upper() + text[1:] + "."))
    other = _other_files(quality, lang)
    if other:
        out.html(note(other))
    tx_block = (quality.get("files") or {}).get("transactions") or quality
    missing = (tx_block.get("details") or {}).get(EXCLUSIONS_NOT_FOUND)
    if missing:
        codes = ", ".join(f"« {c} »" if lang == "fr" else f"“{c}”" for c in missing)
        out.html(note(plural("note.exclusions_not_found", len(missing), lang).format(codes=codes)))
    for col, values in ((tx_block.get("details") or {}).get(WHERE_NOT_FOUND) or {}).items():
        quoted = ", ".join(f"« {v} »" if lang == "fr" else f"“{v}”" for v in values)
        text = plural("note.where_not_found", len(values), lang)
        out.html(note(text.format(values=quoted, rule=f"exclude.where.{col}")))
    groups = anomaly_groups(diag)
    if groups is not None:
        out.sub("sub.anomalies")
        # the finding itself is the summary's (said once); here, the groups behind it
        flag = anomaly_finding(diag)
        counts = {
            "groups": fmt.number(len(groups), language=lang),
            "customers": fmt.number(int(groups["customers"].sum()), language=lang),
        }
        created = _created_by(diag, flag["salesperson"]) if flag else 0
        total = int(groups["customers"].sum())
        key = (
            "note.anomaly_groups_plain"
            if not created
            else "note.anomaly_groups_all"
            if created >= total
            else "note.anomaly_groups"
        )
        out.html(
            note(
                label(key, lang).format(
                    **counts,
                    created=fmt.number(created, language=lang),
                    salesperson=flag["salesperson"] if flag else "",
                )
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
    t = diag.config.thresholds
    thresholds = label("method.thresholds", lang).format(
        recent=fmt.number(t.lost_after_days, language=lang),
        ratio=fmt.number(t.overdue_ratio, language=lang, decimals=1),
        min=fmt.number(t.min_purchases_for_rhythm, language=lang),
        months=fmt.number(t.trend_months, language=lang),
        fall=fmt.percent(t.trend_fall, language=lang, decimals=0),
    )
    lines = [label("method.descriptive", lang), *comparison_lines(diag, lang), thresholds]
    tested = backtest_sentence(diag, lang)
    if tested:
        lines.append(tested)
        ranked = ranking_sentence(diag, lang)
        if ranked:
            lines.append(ranked)
    out.html("".join(f"<p>{html.escape(s)}</p>" for s in lines))
    out.sub("sub.segment_rules")
    rules = f"<p>{html.escape(label('method.segment_rules', lang))}</p>{_rules_table(diag, lang)}"
    out.html(f'<div class="icpc-keep">{rules}</div>')
    out.sub("sub.definitions")
    colon = " : " if lang == "fr" else ": "
    absent = _absent_terms(ctx)
    terms = [
        f"<strong>{html.escape(label(k, lang))}</strong>{colon}"
        f"{html.escape(tfr if lang == 'fr' else ten)}"
        for k, tfr, ten in DEFINITIONS
        if k not in absent
    ]
    # two columns read down, as rows of two terms: a page may break between rows (CSS
    # columns would balance the same, at a third of the PDF's layout time)
    half = (len(terms) + 1) // 2
    rows = "".join(
        f"<tr><td>{left}</td><td>{right}</td></tr>"
        for left, right in zip(
            terms[:half], [*terms[half:], *[""] * (2 * half - len(terms))], strict=True
        )
    )
    out.html(f'<table class="icpc-definitions"><tbody>{rows}</tbody></table>')


def _absent_terms(ctx: RenderContext) -> set[str]:
    """Glossary terms this report does not use: the margin's without a margin column, the
    calls' without an activity log."""
    absent = set()
    if fmt.is_missing(((ctx.kpis.get("kpis") or {}).get("margin") or {}).get("current")):
        absent |= {"margin", "margin_rate"}
    activity = ctx.diag.activity
    if activity is None or len(activity) == 0:
        absent |= {"completion_rate", "conversion_rate"}
    return absent


def backtest_sentence(diag: Diagnostic, lang: str) -> str | None:
    """The early warning's backtest in one sentence (:attr:`Diagnostic.backtest`); None
    without history before the cut-off or without a customer the rule watched."""
    bt = diag.backtest
    if bt is None or not bt.eligible:
        return None
    within = plural("method.backtest.within", bt.months, lang).format(
        n=fmt.number(bt.months, language=lang)
    )
    values = {
        "cutoff": fmt.date(bt.cutoff, language=lang),
        "flagged": fmt.number(bt.flagged, language=lang),
        "not_returned": fmt.number(bt.not_returned, language=lang),
        "precision": fmt.percent(bt.precision, language=lang, decimals=0),
        "base_rate": fmt.percent(bt.base_rate, language=lang, decimals=0),
        "eligible": fmt.number(bt.eligible, language=lang),
        "within": within,
    }
    if bt.flagged == 0:
        return label("method.backtest.none", lang).format(**values)
    if bt.flagged == 1:
        outcome = label("method.backtest.gone" if bt.not_returned else "method.backtest.back", lang)
        return label("method.backtest.one", lang).format(outcome=outcome, **values)
    return label("method.backtest.other", lang).format(**values)


def ranking_sentence(diag: Diagnostic, lang: str) -> str | None:
    """The rules, P(alive) and their combination judged on as many customers at the
    backtest's cut-off (:attr:`Diagnostic.warning_ranking`); None when the combined ranking
    could not be learnt then or is not given now, or the rules flagged no one."""
    ranking, tested = diag.warning_ranking
    bt = diag.backtest
    if (
        bt is None
        or tested is None
        or not tested.customers
        or tested.model != LOGISTIC
        or ranking.model != LOGISTIC
    ):
        return None
    shown = {
        key: fmt.percent(getattr(tested, key), language=lang, decimals=0)
        for key in ("combined", "rules", "p_alive")
    }
    same = len(set(shown.values())) == 1
    return label("method.ranking.same" if same else "method.ranking", lang).format(
        k=fmt.number(tested.customers, language=lang),
        cutoff=fmt.date(bt.cutoff, language=lang),
        column=label("warning_score", lang),
        **shown,
    )


def _created_by(diag: Diagnostic, salesperson: Any) -> int:
    """Customers in an address / SIRET group whose salesperson is ``salesperson``."""
    members = diag.anomalies.customers
    if "salesperson" not in members.columns:
        return 0
    grouped = members.loc[members["duplicate_group"].notna()]
    return int((grouped["salesperson"].astype(str) == str(salesperson)).sum())


def _rules_table(diag: Diagnostic, lang: str) -> str:
    """The Score3D rules in their order of application: segment, scores, what it means."""

    def scores(letter: str, bounds: tuple[int, int]) -> str | None:
        low, high = bounds
        if (low, high) == (1, 5):
            return None
        # no-break space and word joiners: « R 3–4 » never wraps inside
        return f"{letter}\u00a0{low}" if low == high else f"{letter}\u00a0{low}\u2060–\u2060{high}"

    words = OutputContext.of(diag, lang)
    rows = []
    for rule in diag.segment_rules:
        parts = [p for p in (scores("R", rule.r), scores("F", rule.f), scores("M", rule.m)) if p]
        rows.append(
            (
                words.segment(rule.name),
                ", ".join(parts) or label("method.any", lang),
                rule.text("description", lang),
            )
        )
    frame = pd.DataFrame(rows, columns=["segment", "rule", "description"])
    return html_table(
        frame, language=lang, max_rows=None, headers={"rule": label("method.rule", lang)}
    )
