"""The sections of the diagnostic report, one function each, called by the notebook.

Each function takes a :class:`icpc.diagnostic.Diagnostic`, displays its heading (in the
config language), findings, charts (SVG in the notebook) and tables through
``IPython.display``, and returns the list of what it displayed. A section whose data is
absent (no activity log, no salesperson column, no N−1…) displays **nothing**, not even
its heading, and returns an empty list.

The Diagnostic is read through a few small adapters (``_attr`` and friends) so that a
section only needs the attributes listed in ``docs/CONTRACTS.md``; the figures of the
summary come from ``kpis_json()``, the contract the PDF and kpis.json share.

Example
-------
>>> from icpc.report import sections
>>> diag = sections.load_diagnostic("client.yaml")  # doctest: +SKIP
>>> sections.executive_summary(diag)  # doctest: +SKIP
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeGuard

import matplotlib.pyplot as plt
import pandas as pd

from icpc.report import findings as F
from icpc.report import format as fmt
from icpc.report import plots as P
from icpc.report.labels import (
    DEFINITIONS,
    label,
    reason_label,
    section_title,
    segment_label,
    value_label,
)
from icpc.report.tables import KpiCard, findings_list, format_value, html_table, kpi_cards, note

__all__ = [
    "SECTIONS",
    "load_diagnostic",
    "emit",
    "executive_summary",
    "revenue_explained",
    "customer_dynamics",
    "segments",
    "early_warning",
    "concentration",
    "sales_team",
    "data_quality",
    "all_sections",
]


def load_diagnostic(config_path: str | Path, *, as_of: Any = None, language: str | None = None) -> Any:
    """Build the :class:`~icpc.diagnostic.Diagnostic` of a client, with the notebook's overrides.

    Parameters
    ----------
    config_path : str or Path
        The client's YAML config.
    as_of : date or str, optional
        Analysis date overriding the config's (``None`` keeps it).
    language : {"fr", "en"}, optional
        Report language overriding the config's (``None`` keeps it).

    Returns
    -------
    Diagnostic
    """
    from icpc.config import LANGUAGES, load_config
    from icpc.diagnostic import Diagnostic
    from icpc.exceptions import ConfigError

    config = load_config(config_path).with_as_of(as_of or None)
    if language:
        if language not in LANGUAGES:
            raise ConfigError(f"language must be fr or en, found {language!r}")
        config = replace(config, language=language)
    return Diagnostic.from_config(config)


def emit(obj: Any) -> None:
    """Display one output (HTML, Markdown or figure) in the notebook; figures are then closed."""
    from IPython.display import display

    display(obj)
    if isinstance(obj, plt.Figure):
        plt.close(obj)


# ----------------------------------------------------------------------------------------
# adapters: read the Diagnostic without computing what it does not offer
# ----------------------------------------------------------------------------------------
def _attr(diag: Any, name: str) -> Any:
    """``diag.<name>`` when the Diagnostic defines it, else None (never hides errors inside)."""
    if name in getattr(diag, "__dict__", {}) or getattr(type(diag), name, None) is not None:
        return getattr(diag, name)
    return None


def _first(diag: Any, *names: str) -> Any:
    for name in names:
        value = _attr(diag, name)
        if value is not None:
            return value
    return None


def _has_rows(frame: Any) -> TypeGuard[pd.DataFrame]:
    return isinstance(frame, pd.DataFrame) and len(frame) > 0


def _language(diag: Any, language: str | None) -> str:
    return language or diag.config.language


def _currency(diag: Any) -> str:
    return getattr(diag.config, "currency", "EUR")


_KPIS_CACHE: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _kpis(diag: Any) -> dict[str, Any]:
    """``diag.kpis_json()``, computed once per diagnostic (the diagnostic is not modified)."""
    try:
        return _KPIS_CACHE[diag]
    except (KeyError, TypeError):
        pass
    kj = dict(diag.kpis_json())
    ew = _attr(diag, "early_warning")
    if "early_warning" not in kj and isinstance(ew, pd.DataFrame) and "early_warning" in ew.columns:
        flagged = ew.loc[ew["early_warning"].astype(bool)]
        kj["early_warning"] = {"flagged": len(flagged), "value_at_stake": round(float(flagged["value_at_stake"].sum()), 2)}
    try:
        _KPIS_CACHE[diag] = kj
    except TypeError:  # pragma: no cover - an object that cannot be weakly referenced
        pass
    return kj


def _period(diag: Any, name: str) -> tuple[Any, Any] | None:
    value = _attr(diag, name)
    if value is None:
        return None
    if hasattr(value, "start") and hasattr(value, "end"):
        return value.start, value.end
    return tuple(value)  # type: ignore[return-value]


def _has_previous(kj: Mapping[str, Any]) -> bool:
    prev = (kj.get("kpis", {}).get("revenue") or {}).get("previous")
    return not fmt.is_missing(prev)


def _customer_names(diag: Any) -> pd.Series | None:
    master = getattr(getattr(diag, "dataset", None), "customers", None)
    if not _has_rows(master) or "name" not in master.columns:
        return None
    names = master.set_index(master["customer_id"].astype(str))["name"]
    return names[~names.index.duplicated()]


def _with_names(frame: pd.DataFrame, diag: Any) -> pd.DataFrame:
    """Bring ``customer_id`` out of the index and add the customer's name when known."""
    out = frame.reset_index() if "customer_id" not in frame.columns else frame.copy()
    if "customer_id" not in out.columns and "index" in out.columns:
        out = out.rename(columns={"index": "customer_id"})
    names = _customer_names(diag)
    if names is not None and "name" not in out.columns:
        out.insert(1, "name", out["customer_id"].astype(str).map(names))
    return out


def _display_name(frame: pd.DataFrame) -> pd.Series:
    ids = frame["customer_id"].astype(str)
    if "name" in frame.columns:
        return frame["name"].where(frame["name"].notna(), ids).astype(str) + " (" + ids + ")"
    return ids


class _Out:
    """Collects the outputs of one section, displayed only when the section has content."""

    def __init__(self, section: str, language: str) -> None:
        self.language = language
        self.items: list[Any] = [_heading(section_title(section, language), 1, section)]
        self.content = 0

    def html(self, text: str, *, content: bool = True) -> None:
        if text:
            from IPython.display import HTML

            self.items.append(HTML(text))
            self.content += int(content)

    def sub(self, key: str) -> None:
        self.items.append(_heading(label(key, self.language), 2))

    def findings(self, sentences: Sequence[str | None]) -> None:
        self.html(findings_list([s for s in sentences if s]))

    def figure(self, ax: Any, *, title: bool = True) -> None:
        if not title:  # the sub-heading above already says it
            ax.set_title("")
        self.items.append(ax.figure)
        self.content += 1

    def done(self) -> list[Any]:
        if not self.content:
            for item in self.items:
                if isinstance(item, plt.Figure):
                    plt.close(item)
            return []
        # a sub-heading with nothing after it is dropped
        items = [it for i, it in enumerate(self.items)
                 if not (getattr(it, "_icpc_sub", False) and (i + 1 == len(self.items)
                         or getattr(self.items[i + 1], "_icpc_sub", False)))]  # fmt: skip
        for item in items:
            emit(item)
        return items


def _heading(text: str, level: int, anchor: str | None = None) -> Any:
    from IPython.display import HTML

    ident = f' id="icpc-{anchor}"' if anchor else ""
    obj = HTML(f"<h{level}{ident}>{html.escape(text)}</h{level}>")
    obj._icpc_sub = level > 1  # type: ignore[attr-defined]
    return obj


# ----------------------------------------------------------------------------------------
# sections
# ----------------------------------------------------------------------------------------
_CARDS = (
    ("revenue", "money0", True),
    ("active_customers", "number", True),
    ("average_basket", "money0", True),
    ("purchase_frequency", "decimal2", True),
    ("revenue_per_customer", "money0", True),
    ("sales_count", "number", True),
    ("margin", "money0", True),
    ("margin_rate", "percent", True),
)


def _concentration_revenue(diag: Any) -> pd.Series | None:
    conc = _attr(diag, "concentration")
    pareto = getattr(conc, "pareto", None)
    if _has_rows(pareto) and "revenue" in pareto.columns:
        return pareto["revenue"]
    return None


def _profiles(diag: Any) -> pd.DataFrame | None:
    prof = _first(diag, "segment_profiles", "profiles", "segments")
    if _has_rows(prof) and {"customers", "revenue"} <= set(prof.columns):
        return prof
    return None


def _anomaly_flags(diag: Any) -> pd.DataFrame | None:
    anomalies = _attr(diag, "anomalies")
    for name in ("salespeople", "suspicious_salespeople", "flagged_salespeople"):
        frame = getattr(anomalies, name, None)
        if _has_rows(frame):
            return frame.reset_index() if "salesperson" not in frame.columns else frame
    return None


def _anomaly_finding(diag: Any) -> dict[str, Any] | None:
    flags = _anomaly_flags(diag)
    if flags is None:
        return None
    if "flagged" in flags.columns:
        flags = flags.loc[flags["flagged"].astype(bool)]
    if flags.empty:
        return None
    count_col = next((c for c in ("burst_customers", "clustered_customers", "customers") if c in flags.columns), None)
    if count_col is None:
        return None
    row = flags.sort_values(count_col, ascending=False).iloc[0]
    days = None
    if {"burst_start", "burst_end"} <= set(row.index) and not fmt.is_missing(row["burst_start"]):
        days = (pd.Timestamp(row["burst_end"]) - pd.Timestamp(row["burst_start"])).days + 1
    pick = lambda *names: next((row[n] for n in names if n in row.index), None)  # noqa: E731
    return {"salesperson": row["salesperson"], "customers": row[count_col], "days": days,
            "basket": pick("basket_burst", "basket"), "basket_others": pick("basket_others")}  # fmt: skip


def executive_summary(diag: Any, *, language: str | None = None) -> list[Any]:
    """Executive summary (synthèse): headline KPI cards N vs N−1 and the key findings.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed (empty when there is no revenue at all).
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    kj = _kpis(diag)
    out = _Out("executive_summary", lang)
    blocks = kj.get("kpis", {})
    cards = []
    for key, kind, better in _CARDS:
        block = blocks.get(key)
        if isinstance(block, Mapping) and not fmt.is_missing(block.get("current")):
            cards.append(KpiCard(key, block.get("current"), block.get("previous"), block.get("change_pct"),
                                 kind=kind, higher_is_better=better))
    if not cards:
        return out.done()
    period = _period(diag, "period")
    previous = _period(diag, "previous_period")
    if period:
        text = f"{label('current', lang)} : {fmt.period(*period, language=lang)}" if lang == "fr" else \
            f"{label('current', lang)}: {fmt.period(*period, language=lang)}"
        if previous and _has_previous(kj):
            text += f" — {label('previous', lang)}{' :' if lang == 'fr' else ':'} {fmt.period(*previous, language=lang)}"
        out.html(note(text), content=False)
    out.html(kpi_cards(cards, language=lang, currency=cur))
    flag = _anomaly_finding(diag)
    out.sub("sub.findings")
    out.findings(F.executive_summary(kj, language=lang, currency=cur, revenue_by_customer=_concentration_revenue(diag),
                                     profiles=_profiles(diag), anomaly=flag))
    return out.done()


def _indicator_table(kj: Mapping[str, Any], lang: str, cur: str) -> str:
    kinds = dict((k, kind) for k, kind, _ in _CARDS)
    rows = []
    for key, block in kj.get("kpis", {}).items():
        if isinstance(block, Mapping) and key in kinds:
            rows.append((label(key, lang), block.get("current"), block.get("previous"), block.get("change_pct"), kinds[key]))
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
        frame[col] = [format_value(v, k, language=lang, currency=cur)
                      for v, k in zip(frame[col].tolist(), frame["kind"].tolist(), strict=True)]
    as_is = lambda v: v  # noqa: E731  (already formatted, per row)
    return html_table(frame.drop(columns="kind"), language=lang, currency=cur,
                      formats={"current": as_is, "previous": as_is, "change_pct": as_is},
                      numeric=("current", "previous", "change_pct"),
                      headers={"indicator": "", "current": label("current", lang), "previous": label("previous", lang)},
                      classes=("icpc-kpi-table",), max_rows=None)


def revenue_explained(diag: Any, *, language: str | None = None) -> list[Any]:
    """Revenue explained (le chiffre d'affaires expliqué): trend, bridge, three-factor decomposition.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed.
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    kj = _kpis(diag)
    out = _Out("revenue", lang)
    out.findings([F.revenue_change(kj, language=lang, currency=cur), F.customers_vs_basket(kj, language=lang)])
    out.html(_indicator_table(kj, lang, cur))
    monthly = _attr(diag, "monthly")
    period = _period(diag, "period")
    if _has_rows(monthly) and "revenue" in monthly.columns and period is not None:
        frame = monthly.reset_index()
        month_col = "month" if "month" in frame.columns else frame.columns[0]
        out.sub("sub.monthly")
        months = int(getattr(diag.config, "period_months", 12))
        out.figure(P.monthly_revenue(frame, start=period[0], months=months, month_col=month_col,
                                     language=lang, currency=cur))
        if len(frame) >= 13:
            out.figure(P.rolling_revenue(frame, month_col=month_col, language=lang, currency=cur))
    if _has_previous(kj):
        bridge = dict(kj.get("bridge") or {})
        rev = kj["kpis"]["revenue"]
        retained = kj.get("bridge_retained") or {}
        if "retained" in bridge and {"frequency", "basket"} <= set(retained):
            bridge = {("retained_frequency" if k == "retained" else k): v for k, v in bridge.items()}
            items = list(bridge.items())
            at = [k for k, _ in items].index("retained_frequency")
            items[at] = ("retained_frequency", retained["frequency"])
            items.insert(at + 1, ("retained_basket", retained["basket"]))
            bridge = dict(items)
        if bridge:
            out.sub("sub.bridge")
            out.figure(P.bridge_waterfall(bridge, start=rev["previous"], end=rev["current"], language=lang, currency=cur), title=False)
        decomposition = kj.get("decomposition")
        if decomposition:
            out.sub("sub.decomposition")
            out.figure(P.decomposition(decomposition, language=lang, currency=cur), title=False)
    return out.done()


def customer_dynamics(diag: Any, *, language: str | None = None) -> list[Any]:
    """Customer dynamics (dynamique clients): new, retained, reactivated, lost; cohorts.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed (empty without N−1: no dynamics to show).
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    kj = _kpis(diag)
    out = _Out("dynamics", lang)
    k = kj.get("kpis", {})
    if _has_previous(kj):
        out.findings([F.customer_dynamics(kj, language=lang), F.lost_customers(kj, language=lang, currency=cur)])
        out.figure(P.customer_dynamics(k, language=lang))
    dyn = _attr(diag, "dynamics")
    lost = getattr(dyn, "lost", None)
    if _has_rows(lost):
        frame = _with_names(lost, diag)
        out.sub("sub.lost")
        if "last_sale" in frame.columns and frame["last_sale"].notna().any():
            out.figure(P.lost_since(frame.dropna(subset=["last_sale"]), language=lang), title=False)
        cols = [c for c in ("customer_id", "name", "salesperson", "last_sale", "days_since_last_sale", "revenue_previous")
                if c in frame.columns]  # fmt: skip
        out.html(html_table(frame[cols], language=lang, currency=cur, max_rows=15,
                            formats={"last_sale": "date", "days_since_last_sale": "number", "revenue_previous": "money0"},
                            headers={"revenue_previous": label("revenue_previous", lang)}))
    cohorts = _attr(diag, "cohorts")
    rates = getattr(cohorts, "rates", cohorts if isinstance(cohorts, pd.DataFrame) else None)
    if _has_rows(rates) and rates.shape[1] > 1:
        rates = rates.iloc[-12:, :13]
        out.sub("sub.cohorts")
        out.figure(P.cohort_heatmap(rates, language=lang), title=False)
    return out.done()


def segments(diag: Any, *, language: str | None = None) -> list[Any]:
    """Score3D segments: sizes and revenue share, R×F grid, profiles and actions, migration.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed (empty when no customer is scored).
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    out = _Out("segments", lang)
    prof = _profiles(diag)
    if prof is None or prof["customers"].sum() == 0:
        return out.done()
    frame = prof.reset_index() if "segment" not in prof.columns else prof.copy()
    labels = dict(zip(frame["segment"].astype(str), frame["label"], strict=True)) if "label" in frame.columns else None
    out.findings([F.segment_to_act_on(frame, language=lang)])
    shown = frame.loc[frame["customers"] > 0]
    out.figure(P.segment_sizes(shown, labels=labels, language=lang), title=False)
    out.sub("sub.segment_profiles")
    table = shown.assign(segment=[segment_label(s, lang, labels=labels) for s in shown["segment"].astype(str)])
    cols = [c for c in ("segment", "customers", "share", "revenue_share", "mean_recency_days", "mean_frequency",
                        "basket") if c in table.columns]  # fmt: skip
    out.html(html_table(table[cols], language=lang, currency=cur, max_rows=None,
                        formats={"customers": "number", "share": "percent0", "revenue_share": "percent0",
                                 "mean_recency_days": "number", "mean_frequency": "decimal1", "basket": "money0"},
                        headers={"share": label("customers_share", lang), "mean_recency_days": label("mean_recency", lang)}))
    texts = [c for c in ("description", "action") if c in table.columns]
    if texts:
        out.html(html_table(table[["segment", *texts]], language=lang, max_rows=None, classes=("icpc-actions",)))
    scores = _first(diag, "scores", "segmented")
    if _has_rows(scores) and {"r_score", "f_score"} <= set(scores.columns):
        out.sub("sub.rf_grid")
        out.figure(P.rf_heatmap(scores, language=lang), title=False)
    mig = _attr(diag, "migration")
    if _has_rows(mig) and {"from_segment", "to_segment", "customers"} <= set(mig.columns):
        matrix = mig.pivot_table(index="from_segment", columns="to_segment", values="customers", aggfunc="sum",
                                 fill_value=0, observed=True)
        matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
        if matrix.size:
            out.sub("sub.migration")
            out.figure(P.migration_heatmap(matrix, labels=labels, language=lang), title=False)
    return out.done()


def early_warning(diag: Any, *, language: str | None = None) -> list[Any]:
    """Early warning (clients en décrochage): customers to call first, with the value at stake.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed (empty when the early warning could not be computed; a
        note when nobody is flagged).
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    out = _Out("early_warning", lang)
    ew = _attr(diag, "early_warning")
    if not isinstance(ew, pd.DataFrame) or "early_warning" not in ew.columns:
        return out.done()
    flagged = ew.loc[ew["early_warning"].astype(bool)]
    if flagged.empty:
        out.html(note("Aucun client ne décroche de son rythme d'achat habituel à la date d'analyse." if lang == "fr"
                      else "No customer is slipping away from their usual buying rhythm at the analysis date."))
        return out.done()
    kj = _kpis(diag)
    out.findings([F.early_warning(kj, language=lang, currency=cur)])
    frame = _with_names(flagged.sort_values("value_at_stake", ascending=False), diag)
    frame = frame.assign(customer=_display_name(frame))
    out.figure(P.early_warning_bars(frame, language=lang, currency=cur))
    if "reason" in frame.columns:
        frame["reason"] = frame["reason"].map(lambda r: value_label("reason", r, lang))
    cols = [c for c in ("customer_id", "name", "salesperson", "last_sale", "usual_interval_days", "overdue_ratio",
                        "reason", "value_at_stake") if c in frame.columns]  # fmt: skip
    out.html(html_table(frame[cols], language=lang, currency=cur, max_rows=25,
                        formats={"last_sale": "date", "usual_interval_days": "number", "overdue_ratio": "decimal1",
                                 "value_at_stake": "money0"}))
    return out.done()


def concentration(diag: Any, *, language: str | None = None) -> list[Any]:
    """Concentration: Pareto curve, share of the top customers, dependency on the first ones.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed (empty without active customers in N).
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    out = _Out("concentration", lang)
    revenue = _concentration_revenue(diag)
    if revenue is None or (revenue > 0).sum() == 0:
        return out.done()
    out.findings([F.concentration(revenue, language=lang)])
    out.figure(P.pareto_curve(revenue, language=lang), title=False)
    conc = _attr(diag, "concentration")
    if hasattr(conc, "as_dict"):
        fig = conc.as_dict()
        fr = lang == "fr"
        rows = [
            ("Part du premier client" if fr else "Share of the first customer", fmt.percent(fig.get("top1_share"), language=lang)),
            ("Part des 5 premiers clients" if fr else "Share of the top 5 customers", fmt.percent(fig.get("top5_share"), language=lang)),
            ("Part des 10 premiers clients" if fr else "Share of the top 10 customers", fmt.percent(fig.get("top10_share"), language=lang)),
            ("Part des 20 % premiers clients" if fr else "Share of the top 20% of customers", fmt.percent(fig.get("top20_share"), language=lang)),
            ("CA sans les 3 premiers clients" if fr else "Revenue without the top 3 customers",
             fmt.money(fig.get("revenue_without_top3"), language=lang, currency=cur, decimals=0)),
            ("Indice de Herfindahl" if fr else "Herfindahl index", fmt.number(fig.get("herfindahl"), language=lang, decimals=3)),
        ]  # fmt: skip
        out.html(html_table(pd.DataFrame(rows, columns=["indicator", "value"]), language=lang, max_rows=None,
                            formats={"value": lambda v: v}, headers={"indicator": "", "value": ""},
                            classes=("icpc-compact",), numeric=("value",)))
    pareto = getattr(conc, "pareto", None)
    if _has_rows(pareto):
        out.sub("sub.top_customers")
        top = _with_names(pareto.head(10).reset_index(), diag)
        cols = [c for c in ("rank", "customer_id", "name", "revenue", "share", "cumulative_share") if c in top.columns]
        out.html(html_table(top[cols], language=lang, currency=cur, max_rows=10,
                            formats={"rank": "number", "revenue": "money0", "share": "percent", "cumulative_share": "percent"}))
    return out.done()


def _activity_current(activity: Any) -> pd.DataFrame | None:
    """Activity per salesperson for period N (rows of the ``current`` period when indexed by period)."""
    frame = activity if isinstance(activity, pd.DataFrame) else getattr(activity, "by_salesperson", None)
    if not _has_rows(frame):
        return None
    if isinstance(frame.index, pd.MultiIndex) and "period" in frame.index.names:
        if "current" not in frame.index.get_level_values("period"):
            return None
        frame = frame.xs("current", level="period")
    frame = frame.reset_index() if "salesperson" not in frame.columns else frame
    return frame.rename(columns={"sales_count": "sales"})


def _activity_totals(frame: pd.DataFrame) -> dict[str, float]:
    stages = [c for c in ("contacts_received", "calls", "calls_completed", "sales") if c in frame.columns]
    totals = {c: float(frame[c].fillna(0).sum()) for c in stages}
    return totals if any(totals.values()) else {}


def sales_team(diag: Any, *, language: str | None = None) -> list[Any]:
    """Sales team (équipe commerciale): per salesperson and region, activity funnel when given.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed (empty without salesperson, region or activity data).
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    out = _Out("sales_team", lang)
    for key, attr in (("sub.by_salesperson", "by_salesperson"), ("sub.by_region", "by_region")):
        table = _attr(diag, attr)
        if not _has_rows(table) or "revenue" not in table.columns:
            continue
        column = "salesperson" if attr == "by_salesperson" else "region"
        frame = table.reset_index() if column not in table.columns else table.copy()
        frame = frame.rename(columns={frame.columns[0]: column}) if column not in frame.columns else frame
        frame[column] = frame[column].astype(str)
        if len(frame) == 1 and frame[column].iloc[0] in ("", "nan", "None"):
            continue
        out.sub(key)
        if attr == "by_salesperson":
            out.findings([F.salesperson_spread(frame.rename(columns={"revenue_change_pct": "change_pct"}),
                                               name_col=column, language=lang)])
        ax = P.salesperson_comparison(frame.rename(columns={"revenue": "revenue_current"}), name_col=column,
                                      previous_col="revenue_previous" if "revenue_previous" in frame.columns else None,
                                      language=lang, currency=cur)
        out.figure(ax, title=False)
        cols = [c for c in (column, "revenue", "revenue_change_pct", "share", "active_customers", "average_basket",
                            "purchase_frequency", "new_customers", "lost_customers") if c in frame.columns]  # fmt: skip
        out.html(html_table(frame.sort_values("revenue", ascending=False)[cols], language=lang, currency=cur,
                            max_rows=25,
                            formats={"revenue": "money0", "revenue_change_pct": "change", "share": "percent",
                                     "active_customers": "number", "average_basket": "money0",
                                     "purchase_frequency": "decimal2", "new_customers": "number",
                                     "lost_customers": "number"},
                            headers={"revenue": label("revenue_current", lang),
                                     "revenue_change_pct": label("change_pct", lang),
                                     "share": label("revenue_share", lang)}))
    act = _activity_current(_attr(diag, "activity"))
    totals = _activity_totals(act) if act is not None else {}
    if act is not None and totals:
        out.sub("sub.funnel")
        out.figure(P.activity_funnel(totals, language=lang), title=False)
        cols = [c for c in ("salesperson", "contacts_received", "calls_completed", "completion_rate", "sales",
                            "conversion_rate", "revenue_per_completed_call") if c in act.columns]  # fmt: skip
        out.html(html_table(act[cols], language=lang, currency=cur, max_rows=25,
                            formats={"completion_rate": "percent", "conversion_rate": "percent",
                                     "revenue_per_completed_call": "money0", "contacts_received": "number",
                                     "calls": "number", "calls_completed": "number", "sales": "number"},
                            headers={"revenue_per_completed_call": label("revenue_per_call", lang)}))
    return out.done()


def _ledger_table(quality: Mapping[str, Any], lang: str, cur: str) -> str:
    excluded = quality.get("rows_excluded") or {}
    amounts = quality.get("amounts_excluded") or {}
    rows = [(label("rows_read", lang), quality.get("rows_read"), quality.get("amount_read")),
            (label("rows_used", lang), quality.get("rows_used"), quality.get("amount_used"))]
    rows += [("— " + _reason(r, lang), n, amounts.get(r)) for r, n in excluded.items() if n]
    frame = pd.DataFrame(rows, columns=["item", "rows", "amount"])
    return html_table(frame, language=lang, currency=cur, max_rows=None, formats={"rows": "number", "amount": "money"},
                      headers={"item": ""})


def _reason(reason: str, lang: str) -> str:
    return reason_label(reason, lang)


def data_quality(diag: Any, *, language: str | None = None) -> list[Any]:
    """Data quality and method (qualité des données et méthode): ledger, exclusions, anomalies, definitions.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Overrides the config language.

    Returns
    -------
    list
        The outputs displayed (this section always has content: the method).
    """
    lang = _language(diag, language)
    cur = _currency(diag)
    out = _Out("data_quality", lang)
    dataset = getattr(diag, "dataset", None)
    quality = dataset.data_quality() if dataset is not None and hasattr(dataset, "data_quality") else None
    if quality:
        out.sub("sub.ledger")
        out.html(_ledger_table(quality, lang, cur))
        warnings_ = quality.get("warnings") or {}
        notes = []
        for name, block in warnings_.items():
            rows = block.get("rows", 0) if isinstance(block, Mapping) else block
            if rows:
                notes.append(f"{_reason(name, lang)}{' :' if lang == 'fr' else ':'} {fmt.number(rows, language=lang)} "
                             + ("lignes conservées" if lang == "fr" else "rows kept"))
        if notes:
            out.html(note(" ; ".join(notes) if lang == "fr" else "; ".join(notes)))
    groups = _anomaly_groups(diag)
    if groups is not None:
        out.sub("sub.anomalies")
        flag = _anomaly_finding(diag)
        out.findings([F.salesperson_anomaly(flag, language=lang, currency=cur) if flag else None])
        n_groups, n_customers = len(groups), int(groups["customers"].sum())
        out.html(note(f"{fmt.number(n_groups, language=lang)} groupes, {fmt.number(n_customers, language=lang)} clients "
                      "partageant une adresse ou un SIRET ; la liste complète est dans le classeur Excel (onglet Anomalies)."
                      if lang == "fr" else
                      f"{fmt.number(n_groups, language=lang)} groups, {fmt.number(n_customers, language=lang)} customers "
                      "sharing an address or a SIRET; the full list is in the Excel workbook (Anomalies sheet)."))
        cols = [c for c in ("duplicate_group", "customers", "address", "city", "salespeople", "first_created",
                            "last_created", "basket") if c in groups.columns]  # fmt: skip
        out.html(html_table(groups[cols], language=lang, currency=cur, max_rows=15,
                            formats={"customers": "number", "first_created": "date", "last_created": "date",
                                     "basket": "money0"},
                            headers={"customers": label("group_size", lang), "salespeople": label("salesperson", lang),
                                     "first_created": label("first_created", lang),
                                     "last_created": label("last_created", lang)}))
    out.sub("sub.method")
    as_of = getattr(diag, "as_of", None)
    period = _period(diag, "period")
    fr = lang == "fr"
    lines = [label("method.descriptive", lang)]
    if as_of is not None and period is not None:
        lines.append((f"Date d'analyse : {fmt.date(as_of, language=lang)} ; période N {fmt.period(*period, language=lang)}, "
                      "comparée aux mêmes mois de l'année précédente (N−1).") if fr else
                     (f"Analysis date: {fmt.date(as_of, language=lang)}; period N {fmt.period(*period, language=lang)}, "
                      "compared with the same months of the year before (N−1)."))  # fmt: skip
    out.html("".join(f"<p>{html.escape(s)}</p>" for s in lines))
    out.sub("sub.definitions")
    defs = "".join(f"<li><strong>{html.escape(label(k, lang))}</strong>{' : ' if fr else ': '}"
                   f"{html.escape(tfr if fr else ten)}</li>" for k, tfr, ten in DEFINITIONS)
    out.html(f'<ul class="icpc-definitions">{defs}</ul>')
    return out.done()


def _anomaly_groups(diag: Any) -> pd.DataFrame | None:
    """One row per address / SIRET cluster, largest first, with the address of its first customer."""
    anomalies = _attr(diag, "anomalies")
    groups = getattr(anomalies, "groups", None)
    if not _has_rows(groups) or "duplicate_group" not in groups.columns:
        return None
    groups = groups.sort_values(["customers", "duplicate_group"], ascending=[False, True], kind="stable")
    members = getattr(anomalies, "customers", None)
    master = getattr(getattr(diag, "dataset", None), "customers", None)
    if _has_rows(members) and _has_rows(master) and "address" in master.columns:
        first = _ids_out(members.loc[members["duplicate_group"].notna()]).drop_duplicates("duplicate_group")
        lookup = master.assign(customer_id=master["customer_id"].astype(str)).drop_duplicates("customer_id")
        keep = [c for c in ("address", "city") if c in lookup.columns]
        first = first.join(lookup.set_index("customer_id")[keep], on="customer_id")
        groups = groups.join(first.set_index("duplicate_group")[keep], on="duplicate_group")
    if "salespeople" in groups.columns:
        groups = groups.assign(salespeople=groups["salespeople"].map(
            lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v))
    return groups


def _ids_out(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index() if "customer_id" not in frame.columns else frame.copy()
    out["customer_id"] = out["customer_id"].astype(str)
    return out


#: the report sections in order: (English title, function)
SECTIONS: tuple[tuple[str, Callable[..., list[Any]]], ...] = (
    ("Executive summary", executive_summary),
    ("Revenue explained", revenue_explained),
    ("Customer dynamics", customer_dynamics),
    ("Score3D segments", segments),
    ("Early warning", early_warning),
    ("Concentration", concentration),
    ("Sales team", sales_team),
    ("Data quality and method", data_quality),
)


def all_sections(diag: Any, *, language: str | None = None) -> dict[str, list[Any]]:
    """Display every section in order (for :mod:`explore` notebooks); returns outputs per section."""
    return {title: func(diag, language=language) for title, func in SECTIONS}

