"""The PDF report's HTML laid out for the page: heading ids, table of contents, wide tables.

:meth:`icpc.report.exporter.IcpcPDFExporter.postprocess_html` runs these on the body of
the rendered template before WeasyPrint draws it: every ``h1``/``h2`` heading gets an id
and an entry of the table of contents (whose page numbers WeasyPrint fills in), a table
with many columns gets the classes of a smaller font, and a markdown cell ending with a
heading is marked so that its heading stays on the page of what follows.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["headings_with_ids", "toc_html", "mark_wide_tables", "mark_trailing_headings"]

_HEADING = re.compile(r"<h([1-6])((?:\s[^>]*)?)>(.*?)</h\1>", re.S)
_TABLE_OPEN = re.compile(r"<table\b([^>]*)>")
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[hd]\b([^>]*)>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def headings_with_ids(body: str, depth: int) -> tuple[str, list[dict[str, Any]]]:
    """Give every heading down to level ``depth`` an id; list them for the table of contents.

    A heading keeps its own id; one without gets ``icpc-section-<n>``. Headings without
    text are left alone.

    Returns
    -------
    (str, list of dict)
        The body, and one ``{"level", "id", "text"}`` per heading, in order.

    Example
    -------
    >>> headings_with_ids("<h1>Synthèse</h1><h3>Détail</h3>", 2)
    ('<h1 id="icpc-section-1">Synthèse</h1><h3>Détail</h3>', [{'level': 1, 'id': 'icpc-section-1', 'text': 'Synthèse'}])
    """
    toc: list[dict[str, Any]] = []
    counter = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal counter
        level, attrs, inner = int(match.group(1)), match.group(2), match.group(3)
        if level > depth:
            return match.group(0)
        text = html.unescape(_TAGS.sub("", inner)).replace("¶", "").strip()
        if not text:
            return match.group(0)
        counter += 1
        found = re.search(r'\sid="([^"]*)"', attrs)
        if found:
            anchor = html.unescape(found.group(1))
        else:
            anchor = f"icpc-section-{counter}"
            attrs = f'{attrs} id="{anchor}"'
        toc.append({"level": level, "id": anchor, "text": text})
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING.sub(fix, body), toc


def toc_html(toc: list[dict[str, Any]], title: str) -> str:
    """The table of contents of :func:`headings_with_ids`' entries ("" when there are none)."""
    if not toc:
        return ""
    top = min(e["level"] for e in toc)
    items = "\n".join(
        f'<li class="icpc-toc-level{e["level"] - top + 1}"><a href="#{html.escape(e["id"], quote=True)}">'
        f"{html.escape(e['text'])}</a></li>"
        for e in toc
    )
    return f'<nav class="icpc-toc">\n<h1 class="icpc-toc-title">{html.escape(title)}</h1>\n<ol>\n{items}\n</ol>\n</nav>'


def mark_wide_tables(body: str, min_columns: int) -> str:
    """Add ``icpc-wide-8``, ``-11``, ``-14`` to tables with at least that many columns.

    The columns are counted on a table's first row (``colspan`` included); a table with
    fewer than ``min_columns`` columns is left alone.

    Example
    -------
    >>> mark_wide_tables("<table><tr>" + "<td>1</td>" * 9 + "</tr></table>", 8)[:31]
    '<table class="icpc-wide-8"><tr>'
    """
    pieces = []
    pos = 0
    for match in _TABLE_OPEN.finditer(body):
        row = _ROW.search(body, match.end())
        ncols = 0
        if row is not None:
            for cell in _CELL.finditer(row.group(1)):
                span = re.search(r'colspan="?(\d+)', cell.group(1))
                ncols += int(span.group(1)) if span else 1
        attrs = match.group(1)
        sizes = [n for n in (8, 11, 14) if ncols >= max(n, min_columns)]
        if sizes:
            cls = " ".join(f"icpc-wide-{n}" for n in sizes)
            found = re.search(r'\sclass="([^"]*)"', attrs)
            if found:
                attrs = attrs[: found.start(1)] + found.group(1) + " " + cls + attrs[found.end(1) :]
            else:
                attrs = f'{attrs} class="{cls}"'
        pieces.append(body[pos : match.start()])
        pieces.append(f"<table{attrs}>")
        pos = match.end()
    pieces.append(body[pos:])
    return "".join(pieces)


def mark_trailing_headings(body: str) -> str:
    """Mark a markdown cell ending with a heading (``icpc-heading-last``): the stylesheet
    keeps it on the page of what follows."""
    return re.sub(
        r'<div class="icpc-md([^"]*)">((?:(?!<div class="icpc-md).)*?</h[1-6]>\s*)</div>',
        r'<div class="icpc-md icpc-heading-last\1">\2</div>',
        body,
        flags=re.S,
    )


_CHILD = '<div class="jp-OutputArea-child">'
_AREA = '<div class="jp-OutputArea jp-Cell-outputArea">'
_HEADING_OUT = re.compile(r'\s*<div class="jp-RenderedHTMLCommon[^>]*>\s*<h[1-4][ >]')
_NOTE_OUT = re.compile(
    r'\s*<div class="jp-RenderedHTMLCommon[^>]*>\s*<p class="icpc-note">[^<]*</p>\s*</div>'
)
_FINDINGS_OUT = re.compile(r'\s*<div class="jp-RenderedHTMLCommon[^>]*>\s*<ul class="icpc-findings')
_FIGURE_OUT = re.compile(
    r'\s*<div class="(?:jp-RenderedSVG|jp-RenderedImage|jp-RenderedHTMLCommon[^"]*"[^>]*>\s*'
    r'(?:<table|<div class="icpc-table-wrap|<img))'
)
#: findings of at most this many items stay with the chart or table they introduce
SHORT_FINDINGS = 3


def keep_with_next(body: str) -> str:
    """Keep a heading, a note right after it, and two or three findings that introduce a
    chart or a table, on the page of what follows (``icpc-keep-next`` on their output box,
    where the page break is decided, and the findings unbroken): not left at the foot of
    the page before it. A longer list of findings may still continue on the next page."""
    parts = body.split(_CHILD)  # parts[i], i >= 1: an output, up to the next one
    # an output's next one is in its cell unless a new output area opens in between
    nexts = [
        parts[i + 1] if i + 1 < len(parts) and _AREA not in parts[i] else ""
        for i in range(len(parts))
    ]
    heading = [i > 0 and bool(_HEADING_OUT.match(p)) for i, p in enumerate(parts)]
    out = [parts[0]]
    for i in range(1, len(parts)):
        content, nxt = parts[i], nexts[i]
        after_heading = heading[i - 1] and nexts[i - 1] is content
        short = (
            _FINDINGS_OUT.match(content)
            and content.split("</ul>", 1)[0].count("<li") <= SHORT_FINDINGS
            and _FIGURE_OUT.match(nxt)
        )
        if short:
            content = content.replace(
                '<ul class="icpc-findings', '<ul class="icpc-short-list icpc-findings', 1
            )
        keep = (
            heading[i]
            or short
            or (after_heading and _NOTE_OUT.match(content) and _FIGURE_OUT.match(nxt))
        )
        out.append((_KEEP if keep else _CHILD) + content)
    return "".join(out)


_KEEP = '<div class="jp-OutputArea-child icpc-keep-next">'
