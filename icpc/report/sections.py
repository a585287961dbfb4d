"""The sections of the diagnostic report, one function each, called by the notebook.

Each function takes a :class:`icpc.diagnostic.Diagnostic`, displays its heading (in the
config language), findings, charts (SVG in the notebook) and tables through
``IPython.display``, and returns the list of what it displayed. A section whose data is
absent (no activity log, no salesperson column, no N−1…) displays **nothing**, not even
its heading, and returns an empty list.

Each section reads the Diagnostic's attributes by their one real name (a renamed
attribute fails loudly, it does not silently drop a section). Data legitimately absent
is tested with what the Diagnostic returns then: ``by_salesperson`` / ``by_region`` /
``activity`` are None when not mapped or not given, ``dataset.customers`` is None
without a customer master, ``anomalies`` frames are empty without one. The figures of
the summary come from ``kpis_json()``, the contract the PDF and kpis.json share.

Example
-------
>>> from icpc.report import sections
>>> diag = sections.load_diagnostic("client.yaml")  # doctest: +SKIP
>>> sections.executive_summary(diag)  # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import matplotlib.pyplot as plt
import pandas as pd

from icpc.kpi import UNASSIGNED
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

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

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


def load_diagnostic(
    config_path: str | Path,
    *,
    as_of: Any = None,
    language: str | None = None,
    dataset_path: str | Path | None = None,
) -> Diagnostic:
    """Build the :class:`~icpc.diagnostic.Diagnostic` of a client, with the notebook's overrides.

    Parameters
    ----------
    config_path : str or Path
        The client's YAML config.
    as_of : date or str, optional
        Analysis date overriding the config's (``None`` keeps it).
    language : {"fr", "en"}, optional
        Report language overriding the config's (``None`` keeps it).
    dataset_path : str or Path, optional
        A dataset saved by :func:`icpc.cleaning.save_dataset` (``icpc run`` saves the
        data it loaded and cleaned in the run folder's ``dataset/`` and passes
        ``"dataset"``, relative to the notebook's folder): the data is read from it, not
        from the client's exports. ``None`` loads and cleans the exports named by the
        config (an analyst's notebook, ``explore.ipynb``).

    Returns
    -------
    Diagnostic

    Raises
    ------
    ConfigError
        Unknown language; a saved dataset of another client or cleaned for another
        ``as_of``.
    InputError
        ``dataset_path`` holds no saved dataset; an input file cannot be used.
    """
    from icpc.config import LANGUAGES, load_config
    from icpc.diagnostic import Diagnostic
    from icpc.exceptions import ConfigError

    config = load_config(config_path).with_as_of(as_of or None)
    if language:
        if language not in LANGUAGES:
            raise ConfigError(f"language must be fr or en, found {language!r}")
        config = replace(config, language=language)
    if dataset_path is None:
        return Diagnostic.from_config(config)
    from icpc.cleaning import load_saved_dataset

    return Diagnostic(load_saved_dataset(dataset_path, config))


def emit(obj: Any) -> None:
    """Display one output (HTML, Markdown or figure) in the notebook; figures are then closed."""
    from IPython.display import display

    display(obj)
    if isinstance(obj, plt.Figure):
        plt.close(obj)


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def _has_rows(frame: pd.DataFrame | None) -> TypeGuard[pd.DataFrame]:
    return frame is not None and len(frame) > 0


def _language(diag: Diagnostic, language: str | None) -> str:
    return language or diag.config.language


_KPIS_CACHE: weakref.WeakKeyDictionary[Diagnostic, dict[str, Any]] = weakref.WeakKeyDictionary()


def _kpis(diag: Diagnostic) -> dict[str, Any]:
    """``diag.kpis_json()``, computed once per diagnostic (the diagnostic is not modified)."""
    if diag not in _KPIS_CACHE:
        _KPIS_CACHE[diag] = diag.kpis_json()
    return _KPIS_CACHE[diag]


def _has_previous(kj: Mapping[str, Any]) -> bool:
    prev = (kj.get("kpis", {}).get("revenue") or {}).get("previous")
    return not fmt.is_missing(prev)


def _customer_names(diag: Diagnostic) -> pd.Series | None:
    """Customer name by id from the customer master; None without a master or a name column."""
    master = diag.customer_master
    return None if master is None or "name" not in master.columns else master["name"]


def _with_names(frame: pd.DataFrame, diag: Diagnostic) -> pd.DataFrame:
    """Bring ``customer_id`` out of the index and add the customer's name when known."""
    out = frame.reset_index() if "customer_id" not in frame.columns else frame.copy()
    names = _customer_names(diag)
    if names is not None and "name" not in out.columns:
        out.insert(1, "name", out["customer_id"].astype(str).map(names))
    return out


#: columns a table shows only when the data has them (customer master, salesperson / region mapped)
_OPTIONAL_COLUMNS = frozenset({"name", "salesperson", "region", "address", "city"})


def _columns(frame: pd.DataFrame, *cols: str) -> list[str]:
    """``cols`` to show: all required (a KeyError if missing), the optional ones when filled."""
    missing = [c for c in cols if c not in _OPTIONAL_COLUMNS and c not in frame.columns]
    if missing:
        raise KeyError(f"report table lacks columns {missing}; found {list(frame.columns)}")
    return [
        c
        for c in cols
        if c not in _OPTIONAL_COLUMNS or (c in frame.columns and frame[c].notna().any())
    ]


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

    def figure(self, ax: Any, *, title: bool = True, raster: bool = False) -> None:
        """Add a chart. ``raster``: embed it as a 200-dpi PNG instead of SVG.

        Heat maps (hundreds of labelled cells) cost WeasyPrint about a third of the PDF
        time as SVG, for no visible gain in print; line and bar charts stay vector.
        """
        if not title:  # the sub-heading above already says it
            ax.set_title("")
        self.items.append(_png(ax.figure) if raster else ax.figure)
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


#: resolution of the charts embedded as images (print quality)
RASTER_DPI = 200


def _png(fig: plt.Figure) -> Any:
    """The figure as a PNG display object at its printed size (the figure is closed)."""
    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=RASTER_DPI)  # the report style crops it ("tight")
    plt.close(fig)
    data = buffer.getvalue()
    pixels = int.from_bytes(data[16:20], "big")  # PNG header: width of the cropped image
    return Image(
        data=data, format="png", width=round(pixels * 96 / RASTER_DPI)
    )  # printed size kept


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


def _anomaly_finding(diag: Diagnostic) -> dict[str, Any] | None:
    """The flagged salesperson with the most customers created in a burst, for :func:`F.salesperson_anomaly`."""
    people = diag.anomalies.salespeople
    flagged = people.loc[people["flagged"].astype(bool)]
    if flagged.empty:
        return None
    row = flagged.sort_values("burst_customers", ascending=False, kind="stable").iloc[0]
    days = None
    if not (fmt.is_missing(row["burst_start"]) or fmt.is_missing(row["burst_end"])):
        days = (pd.Timestamp(row["burst_end"]) - pd.Timestamp(row["burst_start"])).days + 1
    return {"salesperson": row["salesperson"], "customers": row["burst_customers"], "days": days,
            "basket": row["basket_burst"], "basket_others": row["basket_others"]}  # fmt: skip


def executive_summary(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    kj = _kpis(diag)
    out = _Out("executive_summary", lang)
    blocks = kj.get("kpis", {})
    cards = []
    for key, kind, better in _CARDS:
        block = blocks.get(key)
        if isinstance(block, Mapping) and not fmt.is_missing(block.get("current")):
            cards.append(
                KpiCard(
                    key,
                    block.get("current"),
                    block.get("previous"),
                    block.get("change_pct"),
                    kind=kind,
                    higher_is_better=better,
                )
            )
    if not cards:
        return out.done()
    colon = " :" if lang == "fr" else ":"
    text = f"{label('current', lang)}{colon} {fmt.period(diag.period.start, diag.period.end, language=lang)}"
    if _has_previous(kj):
        prev = diag.previous_period
        text += (
            f" — {label('previous', lang)}{colon} {fmt.period(prev.start, prev.end, language=lang)}"
        )
    out.html(note(text), content=False)
    out.html(kpi_cards(cards, language=lang, currency=cur))
    flag = _anomaly_finding(diag)
    out.sub("sub.findings")
    out.findings(
        F.executive_summary(
            kj,
            language=lang,
            currency=cur,
            revenue_by_customer=diag.concentration.pareto["revenue"],
            profiles=diag.segment_profiles,
            anomaly=flag,
        )
    )
    return out.done()


def _indicator_table(kj: Mapping[str, Any], lang: str, cur: str) -> str:
    kinds = dict((k, kind) for k, kind, _ in _CARDS)
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


def revenue_explained(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    kj = _kpis(diag)
    out = _Out("revenue", lang)
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
    if _has_previous(kj):
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
    return out.done()


def customer_dynamics(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    kj = _kpis(diag)
    out = _Out("dynamics", lang)
    k = kj.get("kpis", {})
    if _has_previous(kj):
        out.findings(
            [
                F.customer_dynamics(kj, language=lang),
                F.lost_customers(kj, language=lang, currency=cur),
            ]
        )
        out.figure(P.customer_dynamics(k, language=lang))
    lost = diag.dynamics.lost
    if _has_rows(lost):
        frame = _with_names(lost, diag)
        out.sub("sub.lost")
        out.figure(
            P.lost_since(frame, language=lang), title=False
        )  # a lost customer has a last sale
        cols = _columns(
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
                max_rows=15,
                formats={
                    "last_sale": "date",
                    "days_since_last_sale": "number",
                    "revenue_previous": "money0",
                },
                headers={"revenue_previous": label("revenue_previous", lang)},
            )
        )
    rates = diag.cohorts.rates
    if _has_rows(rates) and rates.shape[1] > 1:  # a single quarter of data has no retention to show
        rates = rates.iloc[-12:, :13]
        out.sub("sub.cohorts")
        out.figure(P.cohort_heatmap(rates, language=lang), title=False, raster=True)
    return out.done()


def segments(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    out = _Out("segments", lang)
    prof = diag.segment_profiles
    if prof["customers"].sum() == 0:
        return out.done()
    frame = prof.reset_index()
    labels = dict(zip(frame["segment"].astype(str), frame["label"], strict=True))
    out.findings([F.segment_to_act_on(frame, language=lang)])
    shown = frame.loc[frame["customers"] > 0]
    out.figure(P.segment_sizes(shown, labels=labels, language=lang), title=False)
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
    ]
    out.html(
        html_table(
            table[cols],
            language=lang,
            currency=cur,
            max_rows=None,
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
                "mean_recency_days": label("mean_recency", lang),
            },
        )
    )
    out.html(
        html_table(
            table[["segment", "description", "action"]],
            language=lang,
            max_rows=None,
            classes=("icpc-actions",),
        )
    )
    out.sub("sub.rf_grid")
    out.figure(P.rf_heatmap(diag.scores, language=lang), title=False, raster=True)
    mig = diag.migration
    if _has_rows(mig):
        matrix = diag.migration_matrix
        matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
        if matrix.size:
            out.sub("sub.migration")
            out.figure(
                P.migration_heatmap(matrix, labels=labels, language=lang), title=False, raster=True
            )
    return out.done()


def early_warning(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    out = _Out("early_warning", lang)
    ew = diag.early_warning
    flagged = ew.loc[ew["early_warning"].to_numpy(dtype=bool)]
    if flagged.empty:
        out.html(
            note(
                "Aucun client ne décroche de son rythme d'achat habituel à la date d'analyse."
                if lang == "fr"
                else "No customer is slipping away from their usual buying rhythm at the analysis date."
            )
        )
        return out.done()
    kj = _kpis(diag)
    out.findings([F.early_warning(kj, language=lang, currency=cur)])
    frame = _with_names(flagged.sort_values("value_at_stake", ascending=False), diag)
    frame = frame.assign(customer=_display_name(frame))
    out.figure(P.early_warning_bars(frame, language=lang, currency=cur))
    frame["reason"] = frame["reason"].map(lambda r: value_label("reason", r, lang))
    cols = _columns(
        frame,
        "customer_id",
        "name",
        "salesperson",
        "last_sale",
        "usual_interval_days",
        "overdue_ratio",
        "reason",
        "value_at_stake",
    )
    out.html(
        html_table(
            frame[cols],
            language=lang,
            currency=cur,
            max_rows=25,
            formats={
                "last_sale": "date",
                "usual_interval_days": "number",
                "overdue_ratio": "decimal1",
                "value_at_stake": "money0",
            },
        )
    )
    return out.done()


def concentration(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    out = _Out("concentration", lang)
    conc = diag.concentration
    revenue = conc.pareto["revenue"]  # customers with revenue > 0 in N only
    if revenue.empty:
        return out.done()
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
    top = _with_names(conc.pareto.head(10).reset_index(), diag)
    cols = _columns(top, "rank", "customer_id", "name", "revenue", "share", "cumulative_share")
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
    return out.done()


def _activity_current(diag: Diagnostic) -> pd.DataFrame | None:
    """Activity per salesperson in period N (:attr:`Diagnostic.activity` rows of ``current``).

    None without an activity log, or when the log and the sales name no salesperson.
    """
    activity = diag.activity
    if not _has_rows(activity):
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


def sales_team(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    out = _Out("sales_team", lang)
    for key, column, table in (
        ("sub.by_salesperson", "salesperson", diag.by_salesperson),
        ("sub.by_region", "region", diag.by_region),
    ):
        # None when the column is not mapped; a single "(unassigned)" row when mapped but empty
        if table is None or (table.index == UNASSIGNED).all():
            continue
        frame = table.reset_index()
        frame[column] = frame[column].astype(str)
        out.sub(key)
        if column == "salesperson":
            out.findings(
                [
                    F.salesperson_spread(
                        frame, change_col="revenue_change_pct", name_col=column, language=lang
                    )
                ]
            )
        ax = P.salesperson_comparison(
            frame.rename(columns={"revenue": "revenue_current"}),
            name_col=column,
            previous_col="revenue_previous",
            language=lang,
            currency=cur,
        )
        out.figure(ax, title=False)
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
                    "share": label("revenue_share", lang),
                },
            )
        )
    act = _activity_current(diag)
    totals = _activity_totals(act) if act is not None else {}
    if act is not None and totals:
        out.sub("sub.funnel")
        out.findings([F.conversion_above_100(act["conversion_rate"], language=lang)])
        out.figure(P.activity_funnel(totals, language=lang), title=False)
        cols = ["salesperson", "contacts_received", "calls_completed", "completion_rate"]
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
                    "calls_completed": "number",
                    "sales_count": "number",
                },
                headers={
                    "revenue_per_completed_call": label("revenue_per_call", lang),
                    "sales_count": label("sales", lang),
                },
            )
        )
    return out.done()


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


def data_quality(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
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
    cur = diag.config.currency
    out = _Out("data_quality", lang)
    quality = diag.dataset.data_quality()
    out.sub("sub.ledger")
    out.html(_ledger_table(quality, lang, cur))
    notes = [f"{_reason(name, lang)}{' :' if lang == 'fr' else ':'} {fmt.number(block['rows'], language=lang)} "
             + ("lignes conservées" if lang == "fr" else "rows kept")
             for name, block in quality["warnings"].items() if block["rows"]]  # fmt: skip
    if notes:
        out.html(note(" ; ".join(notes) if lang == "fr" else "; ".join(notes)))
    groups = _anomaly_groups(diag)
    if groups is not None:
        out.sub("sub.anomalies")
        flag = _anomaly_finding(diag)
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
        cols = _columns(
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
    as_of = fmt.date(diag.as_of, language=lang)
    period = fmt.period(diag.period.start, diag.period.end, language=lang)
    lines = [label("method.descriptive", lang),
             f"Date d'analyse : {as_of} ; période N {period}, comparée aux mêmes mois de l'année précédente (N−1)."
             if fr else f"Analysis date: {as_of}; period N {period}, compared with the same months of the year before (N−1)."]  # fmt: skip
    out.html("".join(f"<p>{html.escape(s)}</p>" for s in lines))
    out.sub("sub.definitions")
    defs = "".join(
        f"<li><strong>{html.escape(label(k, lang))}</strong>{' : ' if fr else ': '}"
        f"{html.escape(tfr if fr else ten)}</li>"
        for k, tfr, ten in DEFINITIONS
    )
    out.html(f'<ul class="icpc-definitions">{defs}</ul>')
    return out.done()


def _anomaly_groups(diag: Diagnostic) -> pd.DataFrame | None:
    """One row per address / SIRET cluster, largest first, with the address of its first customer.

    None without a cluster (``anomalies.groups`` is empty, always so without a customer master).
    """
    groups = diag.anomalies.groups
    if groups.empty:
        return None
    groups = groups.sort_values(
        ["customers", "duplicate_group"], ascending=[False, True], kind="stable"
    )
    master = diag.customer_master  # clusters come from the master, so it is there
    if master is None:
        return None
    keep = [c for c in ("address", "city") if c in master.columns]  # mapped or not in the config
    if keep:
        members = diag.anomalies.customers
        first = _ids_out(members.loc[members["duplicate_group"].notna()]).drop_duplicates(
            "duplicate_group"
        )
        first = first.join(master[keep], on="customer_id")
        groups = groups.join(first.set_index("duplicate_group")[keep], on="duplicate_group")
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


def all_sections(diag: Diagnostic, *, language: str | None = None) -> dict[str, list[Any]]:
    """Display every section in order (for :mod:`explore` notebooks); returns outputs per section."""
    return {title: func(diag, language=language) for title, func in SECTIONS}
