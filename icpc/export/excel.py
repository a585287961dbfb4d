"""The Excel workbook of action lists (``actions.xlsx``): a working tool for the sales team.

The sheets and what they list are :mod:`icpc.export.sheets` (« À appeler » first, one
sheet per salesperson, the lost customers to win back, the creations to check, by
region, monthly figures, « Lisez-moi », the ledger last). This module writes them: every
sheet is an Excel table (header row with filters, a grey style that prints), the header
row and the customer columns frozen, the report's headers and currency, dates
dd/mm/yyyy; printed on A4 landscape, one page wide, the header row repeated, pages
numbered. The columns the team fills in (« Date d'appel », « Résultat », « Prochaine
étape ») are light yellow: a date check on the first, a drop-down list of outcomes on
the second, on every row and on spare rows below.

Example
-------
>>> write_actions_xlsx(diag, "reports/demo/2024-12-31/actions.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc.export.context import OutputContext
from icpc.export.sheets import (
    FILL_IN,
    actions_sheets,
    readme_notes,
    salesperson_sheet,
    sheet_name,
)
from icpc.fsutil import atomic_path
from icpc.labels import column_labels, label, value_label
from icpc.sentences_workbook import OUTCOMES

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = [
    "COLUMN_FORMATS",
    "SPARE_ROWS",
    "TABLE_STYLE",
    "sheet_name",
    "actions_sheets",
    "money_format",
    "outcomes",
    "salesperson_sheet",
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
    "month": "mm/yyyy",
}
#: column → kind of :data:`_NUMBER_FORMATS`
COLUMN_FORMATS: dict[str, str] = {
    "revenue": "money", "revenue_previous": "money", "monetary": "money", "value_at_stake": "money",
    "lost_revenue": "money", "amount": "money", "revenue_recent": "money", "revenue_year_before": "money",
    "basket": "money", "margin": "money", "last_order": "money", "average_basket": "money",
    "revenue_12m": "money", "revenue_history": "money",
    "frequency": "integer", "recency_days": "integer", "days_since_last_sale": "integer", "rows": "integer",
    "r_score": "integer", "f_score": "integer", "m_score": "integer", "rank": "integer", "group_size": "integer",
    "usual_interval_days": "integer", "sales_count": "integer", "active_customers": "integer",
    "new_customers": "integer", "lost_customers": "integer", "to_call": "integer",
    "overdue_ratio": "decimal", "purchase_frequency": "decimal",
    "trend_change": "percent", "share": "percent", "p_alive": "percent", "warning_score": "percent", "revenue_share": "percent", "revenue_change_pct": "percent",
    "first_sale": "date", "last_sale": "date", "created_at": "date", "created": "date", "call_date": "date",
    "month": "month",
}  # fmt: skip
#: columns whose header is another label than the column's own (the PDF's headers)
_HEADERS = {"revenue_change_pct": "change_pct", "share": "revenue_share_n"}
#: text wrapped in a column at most this wide (characters): a call list of some twenty
#: columns prints on the width of one A4 page
_WRAPPED = {"reason": 28, "action": 30, "creation_to_check": 28, "usual_products": 26,
            "usual_families": 24, "next_step": 22, "purpose": 100, "name": 24, "contact": 18,
            "email": 24, "address": 24, "segment": 16, "salesperson": 16, "region": 16,
            "outcome": 20}  # fmt: skip
#: widest column otherwise
_MAX_WIDTH = 32
#: a header's words are wrapped at this width at most
_HEADER_WORD = 14
#: rows below a call list where the fill-in columns keep their check and their list
SPARE_ROWS = 50
#: a neutral table style: grey header and bands, readable printed in grey
TABLE_STYLE = "Table Style Light 15"
#: the fill-in columns' colour (light yellow; a light grey when printed in grey)
_FILL_COLOUR = "#FFF2CC"
_CODED = ("status", "reason", "match", "bridge_class", "list")


def outcomes(language: str = "fr") -> list[str]:
    """The drop-down list of the « Résultat » column, in ``language``."""
    return [label(f"outcome.{key}", language) for key in OUTCOMES]


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


def _headers(frame: pd.DataFrame, language: str) -> list[str]:
    """The columns' labels, unique (an Excel table refuses two equal headers)."""
    labels = column_labels(frame.columns, language)
    if "revenue" in labels and "revenue_previous" in labels:
        labels["revenue"] = label("revenue_current", language)
    for col, key in _HEADERS.items():
        if col in labels:
            labels[col] = label(key, language)
    out: list[str] = []
    for col in frame.columns:
        text, i = str(labels[col]), 2
        while text in out:
            text, i = f"{labels[col]} ({i})", i + 1
        out.append(text)
    return out


def _customer_column(frame: pd.DataFrame) -> int:
    """Index of the column naming the customer (name, else id, else the first column)."""
    for col in ("name", "customer_id"):
        if col in frame.columns:
            return int(list(frame.columns).index(col))
    return 0


def _footer(text: str) -> str:
    return text.replace("&", "&&")


def write_sheets(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    language: str = "fr",
    currency_symbol: str = "€",
    properties: Mapping[str, str] | None = None,
    notes: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
    footer: str = "",
) -> Path:
    """Write frames to an xlsx workbook: one Excel table per sheet, frozen, formatted, printable.

    Parameters
    ----------
    sheets : mapping
        Sheet name → frame with canonical column names (translated through
        :mod:`icpc.labels`; formats from :data:`COLUMN_FORMATS`). The first sheet is the
        one Excel opens on.
    path : str or Path
        The workbook; written atomically.
    language : {"fr", "en"}
        Language of the headers, of yes/no cells, of the outcomes' list and the footer.
    currency_symbol : str
        The amounts' symbol (:attr:`icpc.export.context.OutputContext.symbol`).
    properties : mapping, optional
        The workbook's document properties (``title``, ``author``, ``company``…).
    notes : mapping, optional
        Sheet name → (lines above its table, lines below it).
    footer : str
        Left part of the printed footer (the client); the pages' numbers are on the right.

    Returns
    -------
    Path
        ``path``.

    Notes
    -----
    Every sheet: its table's header row and the columns up to the customer's (``name``,
    else ``customer_id``, else the first) are frozen; A4 landscape, fit to one page
    wide, header row repeated on every page. The fill-in columns (:data:`FILL_IN`) are
    light yellow; ``call_date`` accepts dates only and ``outcome`` offers
    :func:`outcomes`, on the table's rows and :data:`SPARE_ROWS` more.
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
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        title = book.add_format({"bold": True, "font_size": 13})
        text = book.add_format({"text_wrap": True, "valign": "top"})
        codes = {**_NUMBER_FORMATS, "money": money_format(currency_symbol, language)}
        styles: dict[tuple[str | None, bool, bool], Any] = {}

        def style(kind: str | None, wrap: bool = False, fill: bool = False) -> Any:
            key = (kind, wrap, fill)
            if key not in styles:
                spec: dict[str, Any] = {"valign": "top"}
                if kind:
                    spec["num_format"] = codes[kind]
                if wrap:
                    spec["text_wrap"] = True
                if fill:
                    spec |= {"bg_color": _FILL_COLOUR, "border": 1, "border_color": "#BFBFBF"}
                styles[key] = book.add_format(spec)
            return styles[key]

        taken: set[str] = set()
        for number, (name, frame) in enumerate(sheets.items(), start=1):
            ws = book.add_worksheet(sheet_name(name, taken))
            before, after = (notes or {}).get(name, ((), ()))
            top = len(before) + 1 if before else 0  # the table's header row
            widths = _write_table(ws, frame, top, number, language, currency_symbol, header, style)
            if before:  # a page to read (« Lisez-moi »): its lines span the columns
                ws.freeze_panes(top + 1, 0)
            below = top + max(len(frame), 1) + 2
            last = below + len(after) - 1 if after else top + max(len(frame), 1)
            ws.print_area(0, 0, last, max(len(widths) - 1, 0))  # not the spare rows
            lines = [(i, t) for i, t in enumerate(before)]
            lines += [(below + i, t) for i, t in enumerate(after)]
            for row, line in lines:  # across the table's width, wrapped: nothing is cut
                first = row in (0, below)
                fmt = title if first else text
                if len(widths) > 1:
                    ws.merge_range(row, 0, row, len(widths) - 1, line, fmt)
                else:
                    ws.write(row, 0, line, fmt)
                if not first:
                    ws.set_row(row, 15 * _lines(line, sum(widths) - 2) + 2)
            _print_setup(ws, top, footer, language)
            if number == 1:
                ws.activate()
        book.close()
        tmp.chmod(0o644)  # a temporary file is private (0600); the workbook is a normal output
    return target


def _write_table(
    ws: Any,
    frame: pd.DataFrame,
    top: int,
    number: int,
    language: str,
    symbol: str,
    header: Any,
    style: Any,
) -> list[float]:
    """``frame`` as an Excel table whose header row is ``top``; returns the columns' widths."""
    headers = _headers(frame, language)
    rows = max(len(frame), 1)  # a table has at least one row
    empty = bool(frame.attrs.get("empty"))
    lines = 1  # of the tallest header
    widths: list[float] = []
    for j, col in enumerate(frame.columns):
        values = _cell_values(frame[col], language)
        kind = COLUMN_FORMATS.get(str(col))
        if kind is None and pd.api.types.is_datetime64_any_dtype(values):
            kind = "date"
        fill = col in FILL_IN
        wrap = str(col) in _WRAPPED
        cell = style(kind, wrap, fill)
        if pd.api.types.is_datetime64_any_dtype(values):
            data = [None if pd.isna(v) else v.to_pydatetime() for v in values]
        else:
            data = [
                None if _missing(v) else (v.item() if isinstance(v, np.generic) else v)
                for v in values
            ]
        for i, v in enumerate(data):
            if v is None:
                if fill:
                    ws.write_blank(top + 1 + i, j, None, cell)
            else:
                ws.write(top + 1 + i, j, v, cell)
        shown = [] if empty else [len(_shown(v, kind, symbol)) for v in data[:500]]
        width = max([min(len(w), _HEADER_WORD) for w in str(headers[j]).split()] + shown + [6])
        if fill:
            width = max(width, 20 if col == "outcome" else 12)
        width = min(width, _WRAPPED.get(str(col), _MAX_WIDTH)) + 2
        lines = max(lines, _lines(str(headers[j]), width - 2))
        ws.set_column(j, j, width)  # the fill-in colour on the table's rows, not the column
        widths.append(width)
    if len(frame.columns):
        ws.add_table(
            top,
            0,
            top + rows,
            len(frame.columns) - 1,
            {
                "name": f"Table{number}",
                "style": TABLE_STYLE,
                "columns": [{"header": h, "header_format": header} for h in headers],
            },
        )
        ws.set_row(top, 15 * lines + 3)
        _validations(ws, frame, top, rows, language)
    ws.freeze_panes(top + 1, _customer_column(frame) + 1 if len(frame.columns) else 0)
    return widths


def _validations(ws: Any, frame: pd.DataFrame, top: int, rows: int, language: str) -> None:
    """A date check on ``call_date``, the outcomes' list on ``outcome``, spare rows included."""
    cols = list(frame.columns)
    last = top + rows + SPARE_ROWS
    if "call_date" in cols:
        j = cols.index("call_date")
        ws.data_validation(
            top + 1, j, last, j,
            {"validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
             "maximum": dt.date(2100, 12, 31), "error_message": label("call_date.error", language)},
        )  # fmt: skip
    if "outcome" in cols:
        j = cols.index("outcome")
        ws.data_validation(
            top + 1, j, last, j,
            {"validate": "list", "source": outcomes(language),
             "error_message": label("outcome.error", language)},
        )  # fmt: skip


def _print_setup(ws: Any, top: int, footer: str, language: str) -> None:
    """A4 landscape, one page wide, the header row on every page, numbered pages."""
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(f"&L{_footer(footer)}&R{label('footer.page', language)}")


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _shown(value: Any, kind: str | None, symbol: str = "€") -> str:
    """``value`` about as Excel shows it (for the column's width)."""
    if value is None:
        return ""
    if kind == "date":
        return "00/00/0000"
    if kind == "month":
        return "00/0000"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind == "money":
            return f"{value:,.2f} {symbol}"
        if kind == "percent":
            return f"{100 * value:,.1f}%"
        if kind == "decimal":
            return f"{value:,.1f}"
        if kind == "integer":
            return f"{value:,.0f}"
    return str(value)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped at ``width`` characters (a header's height)."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, 0
        used += (1 if used else 0) + len(word)
        while used > width:
            lines, used = lines + 1, used - int(width)
    return lines


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
    readme = label("sheet.readme", words.language)
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
        notes={readme: readme_notes(diag, language=words.language)},
        footer=words.client,
    )
