"""The Excel workbook of action lists (``actions.xlsx``) for the sales team.

One sheet per use, French headers (English with ``language: en``): customers with their
Score3D scores, segment, status and salesperson; customers to call (early warning);
lost customers; one sheet per salesperson (their customers, ranked by revenue N);
anomalies (customers sharing an address or a SIRET); data quality (the ledger). Every
sheet has a frozen, filterable header row, number / date / percentage formats and
column widths fitted to the content.

Example
-------
>>> write_actions_xlsx(diag, "reports/demo/2024-12-31/actions.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc.analysis.actions import creations_to_check
from icpc.export.context import OutputContext, shown_columns
from icpc.fsutil import atomic_path
from icpc.labels import column_labels, label, reason_label, value_label

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = [
    "COLUMN_FORMATS",
    "sheet_name",
    "actions_sheets",
    "money_format",
    "write_actions_xlsx",
    "write_sheets",
]

#: Excel number format of each kind (format codes are locale-independent: Excel shows
#: ``1 234,56 €`` on a French system)
_NUMBER_FORMATS = {
    "money": '#,##0.00 "€";-#,##0.00 "€"',
    "integer": "#,##0",
    "decimal": "#,##0.0",
    "percent": "0.0%",
    "date": "dd/mm/yyyy",
}
#: column → kind of :data:`_NUMBER_FORMATS`
COLUMN_FORMATS: dict[str, str] = {
    "revenue": "money", "revenue_previous": "money", "monetary": "money", "value_at_stake": "money",
    "lost_revenue": "money", "amount": "money", "revenue_recent": "money", "revenue_year_before": "money",
    "basket": "money", "margin": "money",
    "frequency": "integer", "recency_days": "integer", "days_since_last_sale": "integer", "rows": "integer",
    "r_score": "integer", "f_score": "integer", "m_score": "integer", "rank": "integer", "group_size": "integer",
    "usual_interval_days": "integer",
    "overdue_ratio": "decimal",
    "trend_change": "percent", "share": "percent", "revenue_share": "percent",
    "first_sale": "date", "last_sale": "date", "created_at": "date", "created": "date",
}  # fmt: skip

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """Make a valid, unique Excel sheet name: no ``[]:*?/\\``, at most 31 characters.

    Parameters
    ----------
    name : str
        The wanted name.
    taken : set of str, optional
        Names already used (compared case-insensitively, as Excel does); the result
        is added to it.

    Returns
    -------
    str
        e.g. ``"Ventes 2024-Q1"`` for ``"Ventes 2024/Q1"``; ``"Dupont (2)"`` when
        ``"Dupont"`` is taken; ``"Feuille"`` for an empty name.
    """
    clean = _FORBIDDEN.sub("-", str(name)).strip().strip("'").strip() or "Feuille"
    clean = clean[:31]
    taken = taken if taken is not None else set()
    lowered = {t.lower() for t in taken}
    candidate, i = clean, 2
    while candidate.lower() in lowered:
        suffix = f" ({i})"
        candidate = clean[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(candidate)
    return candidate


# ----------------------------------------------------------------------------------------
# sheet contents
# ----------------------------------------------------------------------------------------
def _master(diag: Diagnostic) -> pd.DataFrame | None:
    """The customer master indexed by ``customer_id`` (str); None without one."""
    master = diag.customer_master
    return None if master is None else master.drop(columns=["customer_id"])


def _with_master(
    frame: pd.DataFrame, diag: Diagnostic, cols: tuple[str, ...] = ("name", "city")
) -> pd.DataFrame:
    """``frame`` (a ``customer_id`` column) with ``cols`` of the customer master, those it has."""
    master = _master(diag)
    if master is None:
        return frame
    keep = [
        c for c in cols if c in master.columns and c not in frame.columns
    ]  # mapped or not in the config
    return frame.join(master[keep], on="customer_id") if keep else frame


def _ids_out(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``customer_id`` index as a str column."""
    out = frame.reset_index()
    out["customer_id"] = out["customer_id"].astype(str)
    return out


def _customers(diag: Diagnostic) -> pd.DataFrame:
    """:meth:`Diagnostic.customers_table` (scores, segment, status, early warning, name and city
    included), empty columns left out, by decreasing revenue N."""
    table = diag.customers_table()
    # the sales team sees the richer status: "slipping" (the early warning) stays shown as such
    status = diag.status.reindex(table["customer_id"].to_numpy())
    table["status"] = status.where(status.notna(), table["status"].to_numpy()).to_numpy()
    order = ["customer_id", "name", "city", "salesperson", "region", "segment", "status", "r_score", "f_score",
             "m_score", "first_sale", "last_sale", "recency_days", "frequency", "monetary", "revenue",
             "revenue_previous", "usual_interval_days", "overdue_ratio", "early_warning", "value_at_stake",
             "duplicate_group"]  # fmt: skip
    # name and city only with a customer master giving them; salesperson, region… empty when not mapped
    cols = [c for c in order if c in table.columns and not table[c].isna().all()]
    return table[cols].sort_values("revenue", ascending=False, kind="stable")


def actions_sheets(diag: Diagnostic, *, language: str | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of ``actions.xlsx`` as frames (canonical column names), in workbook order.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Language of the sheet names and of the segment labels; default the config's.

    Returns
    -------
    dict
        Sheet name → frame. Always ``customers``; ``at risk``, ``lost``, one per
        salesperson, ``anomalies`` (with a customer master, even when no cluster is
        found) and ``ledger`` when the data has them.
    """
    lang = language or diag.config.language
    words = OutputContext.of(diag, lang)  # the report's words: the same segment labels
    sheets: dict[str, pd.DataFrame] = {}
    customers = _customers(diag)
    if "segment" in customers.columns:
        customers["segment"] = customers["segment"].map(
            lambda s: words.segment(s) if pd.notna(s) else s
        )
    sheets[label("sheet.customers", lang)] = customers

    ew = diag.early_warning
    flagged = _ids_out(ew.loc[ew["early_warning"].to_numpy(dtype=bool)]).sort_values(
        "rank", kind="stable"
    )
    flagged = _with_master(flagged, diag)
    to_check = creations_to_check(diag.action_plan)
    if to_check:  # shared-address creations are marked in the call list, not mixed in silently
        flagged["creation_to_check"] = (
            flagged["customer_id"].isin(to_check).map({True: label("yes", lang), False: ""})
        )
    cols = _columns(
        flagged,
        "rank",
        "customer_id",
        "name",
        "city",
        "salesperson",
        "last_sale",
        "recency_days",
        "usual_interval_days",
        "overdue_ratio",
        "trend_change",
        "reason",
        "value_at_stake",
        "creation_to_check",
    )
    sheets[label("sheet.at_risk", lang)] = flagged[cols]

    lost = _with_master(_ids_out(diag.dynamics.lost), diag)
    cols = _columns(
        lost,
        "customer_id",
        "name",
        "city",
        "salesperson",
        "region",
        "last_sale",
        "days_since_last_sale",
        "revenue_previous",
    )
    sheets[label("sheet.lost", lang)] = lost[cols]

    if "salesperson" in customers.columns and customers["salesperson"].notna().any():
        sp = (
            customers["salesperson"]
            .astype("str")
            .where(customers["salesperson"].notna(), label("sheet.no_salesperson", lang))
        )
        for name in sorted(sp.unique()):
            mine = customers.loc[(sp == name).to_numpy()].drop(columns=["salesperson"])
            mine = (
                mine.sort_values("revenue", ascending=False, kind="stable")
                if "revenue" in mine.columns
                else mine
            )
            mine.insert(0, "rank", np.arange(1, len(mine) + 1))
            sheets[label("sheet.salesperson_prefix", lang) + str(name)] = mine

    if diag.dataset.customers is not None:
        # without a customer master there is no address to compare: no sheet rather than an empty one
        clusters = diag.anomalies.customers
        clusters = _ids_out(clusters.loc[clusters["duplicate_group"].notna()]).sort_values(
            ["duplicate_group", "customer_id"]
        )
        clusters = _with_master(clusters, diag, ("name", "address", "postcode", "city", "siret"))
        cols = _columns(
            clusters,
            "duplicate_group",
            "group_size",
            "match",
            "customer_id",
            "name",
            "address",
            "postcode",
            "city",
            "siret",
            "salesperson",
            "created",
            "revenue",
            "basket",
        )
        sheets[label("sheet.anomalies", lang)] = clusters[cols]

    sheets[label("sheet.ledger", lang)] = _ledger(diag.dataset.data_quality(), lang)
    return sheets


def _columns(frame: pd.DataFrame, *cols: str) -> list[str]:
    """``cols`` of a sheet (:func:`icpc.export.context.shown_columns`, headers kept when empty)."""
    return shown_columns(frame, *cols, headers_when_empty=True)


def _ledger(quality: Mapping[str, Any], lang: str) -> pd.DataFrame:
    excluded = quality.get("rows_excluded") or {}
    amounts = quality.get("amounts_excluded") or {}
    rows = [
        (label("rows_read", lang), quality.get("rows_read"), quality.get("amount_read")),
        (label("rows_used", lang), quality.get("rows_used"), quality.get("amount_used")),
    ]
    rows += [
        (f"{label('rows_excluded', lang)} — {reason_label(r, lang)}", n, amounts.get(r))
        for r, n in excluded.items()
    ]
    for name, block in quality["warnings"].items():
        rows.append((reason_label(name, lang), block["rows"], block.get("amount")))
    return pd.DataFrame(rows, columns=["reason", "rows", "amount"])


# ----------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------
_CODED = ("status", "reason", "match", "bridge_class")


def _cell_values(series: pd.Series, lang: str) -> pd.Series:
    if series.name in _CODED:
        return series.astype(object).map(
            lambda v: v if _missing(v) else value_label(str(series.name), v, lang)
        )
    if pd.api.types.is_bool_dtype(series) or (
        series.dtype == object and series.dropna().map(type).eq(bool).all() and series.notna().any()
    ):
        return series.map(lambda v: "" if pd.isna(v) else label("yes" if v else "no", lang))
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(object)
    return series


def money_format(symbol: str = "€", language: str = "fr") -> str:
    """Excel's number format of an amount in ``symbol``, placed as the language writes it.

    Example
    -------
    >>> money_format("€"), money_format("£", "en")
    ('#,##0.00 "€";-#,##0.00 "€"', '"£"#,##0.00;-"£"#,##0.00')
    """
    quoted = '"' + symbol.replace('"', "") + '"'
    if language == "fr":
        return f"#,##0.00 {quoted};-#,##0.00 {quoted}"
    return f"{quoted}#,##0.00;-{quoted}#,##0.00"


def write_sheets(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    language: str = "fr",
    currency_symbol: str = "€",
    properties: Mapping[str, str] | None = None,
) -> Path:
    """Write frames to an xlsx workbook: translated headers, frozen header, filters, formats, widths.

    Parameters
    ----------
    sheets : mapping
        Sheet name → frame with canonical column names (translated through
        :mod:`icpc.labels`; formats from :data:`COLUMN_FORMATS`).
    path : str or Path
        The workbook; written atomically.
    language : {"fr", "en"}
        Language of the headers and of yes/no cells.
    currency_symbol : str
        The amounts' symbol (:attr:`icpc.export.context.OutputContext.symbol`).
    properties : mapping, optional
        The workbook's document properties (``title``, ``author``, ``company``…).

    Returns
    -------
    Path
        ``path``.
    """
    import xlsxwriter

    target = Path(path)
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "nan_inf_to_errors": True,
                "remove_timezone": True,
                "default_date_format": _NUMBER_FORMATS["date"],
            },
        )
        if properties:
            book.set_properties(dict(properties))
        header = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#D9D9D9"}
        )
        codes = {**_NUMBER_FORMATS, "money": money_format(currency_symbol, language)}
        formats = {k: book.add_format({"num_format": v}) for k, v in codes.items()}
        taken: set[str] = set()
        for name, frame in sheets.items():
            ws = book.add_worksheet(sheet_name(name, taken))
            headers = column_labels(frame.columns, language)
            if "revenue" in headers and "revenue_previous" in headers:
                headers["revenue"] = label("revenue_current", language)
            for j, col in enumerate(frame.columns):
                values = _cell_values(frame[col], language)
                kind = COLUMN_FORMATS.get(str(col))
                if kind is None and pd.api.types.is_datetime64_any_dtype(values):
                    kind = "date"
                cell_format = formats.get(kind) if kind else None
                ws.write(0, j, headers[col], header)
                if pd.api.types.is_datetime64_any_dtype(values):
                    data = [None if pd.isna(v) else v.to_pydatetime() for v in values]
                else:
                    data = [
                        None if _missing(v) else (v.item() if isinstance(v, np.generic) else v)
                        for v in values
                    ]
                ws.write_column(1, j, data, cell_format)
                width = max(
                    [len(str(headers[col]))]
                    + [len(_shown(v, kind, currency_symbol)) for v in data[:500]]
                )
                ws.set_column(j, j, min(max(width + 2, 8), 50), cell_format)
            ws.freeze_panes(1, 0)
            if len(frame.columns):
                ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
            ws.set_row(0, 30)
        book.close()
        tmp.chmod(0o644)  # a temporary file is private (0600); the workbook is a normal output
    return target


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _shown(value: Any, kind: str | None, symbol: str = "€") -> str:
    if value is None:
        return ""
    if kind == "date":
        return "00/00/0000"
    if kind == "money" and isinstance(value, (int, float)):
        return f"{value:,.2f} {symbol}"
    return str(value)


def write_actions_xlsx(diag: Diagnostic, path: str | Path, *, language: str | None = None) -> Path:
    """Write the action-list workbook ``actions.xlsx`` of a diagnostic.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    path : str or Path
        Where to write it (atomically).
    language : {"fr", "en"}, optional
        Headers' language; default the config's.

    Returns
    -------
    Path
        ``path``.
    """
    words = OutputContext.of(diag, language)
    title = label("cover.title", words.language)
    return write_sheets(
        actions_sheets(diag, language=words.language),
        path,
        language=words.language,
        currency_symbol=words.symbol,
        # the report's words: its title, the client, the consultant and the firm
        properties={
            "title": f"{title} — {words.client}",
            "author": words.consultant,
            "company": words.firm,
        },
    )
