"""DataFrame → clean HTML tables and KPI cards for the PDF report.

Tables have translated headers, no index, numbers formatted in the report language and
right-aligned (class ``num``), and at most ``max_rows`` rows followed by a line
« … et 12 autres ». The CSS of ``templates/`` styles these classes:

- ``table.icpc-table`` (``th``/``td``; ``td.num`` and ``th.num`` right-aligned, ``tr.more``
  the "and N more" line, ``tr.total`` a total line);
- ``div.kpi-cards`` holding ``div.kpi-card`` (``.kpi-label``, ``.kpi-value``,
  ``.kpi-previous``, ``.kpi-change`` with ``up``/``down``/``flat`` and ``good``/``bad``);
- ``ul.icpc-findings`` (also ``findings``: sentences of the findings), ``p.icpc-note`` (small notes).

Example
-------
>>> html = html_table(frame, formats={"revenue": "money"}, language="fr")  # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from icpc.labels import column_labels, label
from icpc.report import format as fmt

__all__ = [
    "FORMATS",
    "NUMERIC_FORMATS",
    "KpiCard",
    "format_value",
    "html_table",
    "kpi_cards",
    "findings_list",
    "note",
]

Formatter = Callable[..., str]

#: named cell formats: name -> function(value, language=..., currency=...)
FORMATS: dict[str, Formatter] = {
    "money": lambda v, language, currency: fmt.money(v, language=language, currency=currency),
    "money0": lambda v, language, currency: fmt.money(
        v, language=language, currency=currency, decimals=0
    ),
    "money_compact": lambda v, language, currency: fmt.money_compact(
        v, language=language, currency=currency
    ),
    "signed_money": lambda v, language, currency: fmt.signed_money(
        v, language=language, currency=currency
    ),
    "number": lambda v, language, currency: fmt.number(v, language=language),
    "decimal1": lambda v, language, currency: fmt.number(v, language=language, decimals=1),
    "decimal2": lambda v, language, currency: fmt.number(v, language=language, decimals=2),
    "signed_number": lambda v, language, currency: fmt.signed_number(v, language=language),
    "percent": lambda v, language, currency: fmt.percent(v, language=language),
    "percent0": lambda v, language, currency: fmt.percent(v, language=language, decimals=0),
    "change": lambda v, language, currency: fmt.change(v, language=language),
    "points": lambda v, language, currency: fmt.points(v, language=language),
    "date": lambda v, language, currency: fmt.date(v, language=language),
    "month": lambda v, language, currency: fmt.month(v, language=language),
    "days": lambda v, language, currency: fmt.number(v, language=language),
    "bool": lambda v, language, currency: (
        fmt.MISSING if fmt.is_missing(v) else label("yes" if v else "no", language)
    ),
    "text": lambda v, language, currency: "" if fmt.is_missing(v) else str(v),
}
#: formats whose cells are right-aligned
NUMERIC_FORMATS = frozenset(FORMATS) - {"text", "bool", "date", "month"}


def format_value(
    value: Any, kind: str | Formatter, *, language: str = "fr", currency: str = "EUR"
) -> str:
    """Format one value with a named format of :data:`FORMATS` or a callable.

    Parameters
    ----------
    value : Any
        The value.
    kind : str or callable
        A key of :data:`FORMATS`, or ``f(value) -> str``.
    language, currency : str
        Formatting.

    Returns
    -------
    str
        The text of the cell (not escaped).
    """
    if callable(kind):
        return kind(value)
    try:
        formatter = FORMATS[kind]
    except KeyError:
        raise ValueError(
            f"unknown cell format {kind!r}; use one of {', '.join(sorted(FORMATS))}"
        ) from None
    return formatter(value, language, currency)


def _default_kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "number"
    if pd.api.types.is_float_dtype(series):
        return "decimal1"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def _more_text(n: int, language: str) -> str:
    count = fmt.number(n, language=language)
    if language == "fr":
        return f"… et {count} autre" + ("s" if n > 1 else "")
    return f"… and {count} more"


#: columns of names (segments, customers, salespeople, regions): a name up to
#: :data:`NO_WRAP_CHARS` characters stays on one line (a longer one may wrap, so that a
#: table never runs past the page)
NO_WRAP = frozenset({"segment", "name", "salesperson", "region", "customer", "commercial"})
NO_WRAP_CHARS = 28

#: tables of at most this many rows are kept on one page (class ``icpc-short``)
SHORT_TABLE_ROWS = 12


def html_table(
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, str | Formatter] | None = None,
    headers: Mapping[str, str] | None = None,
    language: str = "fr",
    currency: str = "EUR",
    max_rows: int | None = 20,
    total: Mapping[str, Any] | None = None,
    caption: str | None = None,
    classes: Sequence[str] = (),
    numeric: Sequence[str] = (),
    keep_together: bool | None = None,
) -> str:
    """Render a DataFrame as an HTML table for the report (no index, formatted cells).

    Parameters
    ----------
    frame : DataFrame
        The rows to show, in order; the index is not shown.
    formats : mapping, optional
        Column → format name of :data:`FORMATS` (``money``, ``percent``, ``date``…) or a
        callable; other columns get a format from their dtype.
    headers : mapping, optional
        Column → header text; other columns get their label from
        :mod:`icpc.labels` (or keep their name).
    language, currency : str
        Formatting.
    max_rows : int, optional
        Rows shown at most; the rest is summed up in a line « … et N autres ».
    total : mapping, optional
        Values of a final "Total" line (column → raw value, formatted like the column).
    caption : str, optional
        A caption above the table.
    classes : sequence of str
        Extra CSS classes of the ``<table>``.
    numeric : sequence of str
        Columns to right-align whatever their format (e.g. already formatted figures).
    keep_together : bool, optional
        Keep the table on one page (class ``icpc-short``). By default, when it shows at most
        :data:`SHORT_TABLE_ROWS` rows; pass False for a table of few but tall rows (long
        texts), which would otherwise leave half a page blank before it.

    Returns
    -------
    str
        ``<table class="icpc-table …">…</table>``.
    """
    formats = dict(formats or {})
    names = column_labels(frame.columns, language)
    names.update(headers or {})
    kinds = {c: formats.get(c) or _default_kind(frame[c]) for c in frame.columns}
    right = {c: (not callable(k) and k in NUMERIC_FORMATS) or (callable(k) and pd.api.types.is_numeric_dtype(frame[c]))
             or c in numeric
             for c, k in kinds.items()}  # fmt: skip
    shown = frame if max_rows is None else frame.iloc[:max_rows]
    # a short table is kept on one page (no orphaned tail of a few rows)
    if keep_together is None:
        keep_together = len(shown) <= SHORT_TABLE_ROWS
    short = ["icpc-short"] if keep_together else []
    cls = " ".join(["icpc-table", *classes, *short])
    parts = [f'<table class="{html.escape(cls)}">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    for c in frame.columns:
        # headers of figures may wrap (cells of figures never do): long French headers fit the page
        attr = ' class="num" style="white-space: normal"' if right[c] else ""
        parts.append(f"<th{attr}>{html.escape(str(names[c]))}</th>")
    parts.append("</tr></thead><tbody>")
    columns = list(frame.columns)
    cells = {
        c: [
            format_value(v, kinds[c], language=language, currency=currency)
            for v in shown[c].tolist()
        ]
        for c in columns
    }
    for i in range(len(shown)):
        parts.append("<tr>")
        for c in columns:
            text = cells[c][i]
            if right[c]:
                attr = ' class="num"'
            elif c in NO_WRAP and len(text) <= NO_WRAP_CHARS:
                attr = ' class="icpc-nowrap"'
            else:
                attr = ""
            parts.append(f"<td{attr}>{html.escape(text)}</td>")
        parts.append("</tr>")
    hidden = len(frame) - len(shown)
    if hidden > 0:
        parts.append(
            f'<tr class="more"><td colspan="{len(columns)}">{html.escape(_more_text(hidden, language))}</td></tr>'
        )
    if total is not None:
        parts.append('<tr class="total">')
        for j, c in enumerate(columns):
            attr = ' class="num"' if right[c] else ""
            if c in total:
                text = format_value(total[c], kinds[c], language=language, currency=currency)
            else:
                text = label("total", language) if j == 0 else ""
            parts.append(f"<td{attr}>{html.escape(text)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


@dataclass(frozen=True)
class KpiCard:
    """One headline figure: value of N, value of N−1 and the change between them.

    ``higher_is_better`` colours the change (good/bad); ``kind`` is a format of :data:`FORMATS`.
    A rate (``kind="percent"``) shows its change in percentage points (``+0,7 pts``), not
    as a relative change.
    """

    key: str
    current: float | None
    previous: float | None = None
    change_pct: float | None = None
    kind: str = "number"
    higher_is_better: bool = True
    #: the objective set upfront, as a line ("Objectif : 2,5 M€ (96 %)"), and whether it is met
    objective: str | None = None
    objective_met: bool | None = None


def kpi_cards(cards: Iterable[KpiCard], *, language: str = "fr", currency: str = "EUR") -> str:
    """Render headline KPI cards (N, N−1 and the change with an arrow) as HTML.

    Parameters
    ----------
    cards : iterable of KpiCard
        The figures, in display order.
    language, currency : str
        Formatting.

    Returns
    -------
    str
        ``<div class="kpi-cards">`` with one ``<div class="kpi-card">`` per figure.
    """
    parts = ['<div class="kpi-cards">']
    prev_word = label("previous", language)
    for card in cards:
        value = format_value(card.current, card.kind, language=language, currency=currency)
        parts.append(f'<div class="kpi-card kpi-{html.escape(card.key)}">')
        parts.append(f'<div class="kpi-label">{html.escape(label(card.key, language))}</div>')
        parts.append(f'<div class="kpi-value">{html.escape(value)}</div>')
        if not fmt.is_missing(card.previous):
            prev = format_value(card.previous, card.kind, language=language, currency=currency)
            sep = "\u00a0: " if language == "fr" else ": "
            parts.append(f'<div class="kpi-previous">{html.escape(prev_word + sep + prev)}</div>')
        rate = card.kind in ("percent", "percent0")
        change: float | None = None
        if (
            rate
            and card.previous is not None
            and card.current is not None
            and not (fmt.is_missing(card.previous) or fmt.is_missing(card.current))
        ):
            change = float(card.current) - float(card.previous)
            text = f"{fmt.arrow(round(change, 3))}\u00a0{fmt.points(change, language=language)}"
        elif card.change_pct is not None and not fmt.is_missing(card.change_pct):
            change = float(card.change_pct)
            text = fmt.change(change, language=language)
        if change is not None:
            direction = {fmt.ARROW_UP: "up", fmt.ARROW_DOWN: "down"}.get(
                fmt.arrow(round(change, 3)), "flat"
            )
            mood = (
                ""
                if direction == "flat"
                else (" good" if (direction == "up") == card.higher_is_better else " bad")
            )
            parts.append(f'<div class="kpi-change {direction}{mood}">{html.escape(text)}</div>')
        if card.objective:
            met = {True: " met", False: " missed"}.get(card.objective_met, "")  # type: ignore[arg-type]
            parts.append(f'<div class="kpi-objective{met}">{html.escape(card.objective)}</div>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def findings_list(sentences: Iterable[str]) -> str:
    """Render findings as an HTML list (``<ul class="icpc-findings findings">``); empty string when none."""
    items = [f"<li>{html.escape(s)}</li>" for s in sentences if s]
    return '<ul class="icpc-findings findings">' + "".join(items) + "</ul>" if items else ""


def note(text: str) -> str:
    """Render a short note (``<p class="icpc-note">``)."""
    return f'<p class="icpc-note">{html.escape(text)}</p>'
