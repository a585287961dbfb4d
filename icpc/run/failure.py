"""Which section of the notebook failed, in one readable line (the failure report)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["failure_section"]


_ERROR_CELL_TAG = "papermill-error-cell-tag"


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S | re.I)


_TAGS = re.compile(r"<[^>]+>")


_SECTION_CALL = re.compile(r"\bsections\.([a-z_]+)\s*\(")


#: report-section functions whose label key differs from their name (icpc.labels)
_SECTION_KEYS = {"revenue_explained": "revenue", "customer_dynamics": "dynamics"}


def _heading_of_cell(cell: Mapping[str, Any]) -> str | None:
    """The last heading a cell shows: markdown source, or markdown/HTML outputs."""
    found: str | None = None
    if cell.get("cell_type") == "markdown":
        for match in _MD_HEADING.finditer(cell.get("source", "")):
            found = match.group(2)
        return found
    for output in cell.get("outputs", []) or []:
        data = output.get("data") or {}
        text = data.get("text/markdown")
        if isinstance(text, list):
            text = "".join(text)
        if text:
            for match in _MD_HEADING.finditer(text):
                found = match.group(2)
        html_text = data.get("text/html")
        if isinstance(html_text, list):
            html_text = "".join(html_text)
        if html_text:
            for match in _HTML_HEADING.finditer(html_text):
                found = _TAGS.sub("", match.group(2)).strip() or found
    return found


def _section_title(key: str, language: str) -> str:
    """The report heading of a section key (``segments`` → « Segments Score3D »), else the key."""
    try:
        from icpc.labels import section_title

        return section_title(_SECTION_KEYS.get(key, key), language)
    except (ImportError, KeyError, ValueError):
        return key


def failure_section(
    nb: Mapping[str, Any], *, language: str = "fr"
) -> tuple[str | None, dict[str, str] | None]:
    """Find the failing cell of an executed notebook and the section it belongs to.

    In order: the failing cell's ``metadata.icpc.section`` (a title, or a section key
    such as ``segments`` translated to its heading); the report section the cell calls
    (``sections.segments(diag)``); a heading the cell displayed before failing; the
    nearest heading above it (markdown cells, or headings displayed by code cells).

    Parameters
    ----------
    nb : NotebookNode or mapping
        A notebook executed by Papermill (its error cells are ignored).
    language : str
        Language of the section titles (``fr`` or ``en``).

    Returns
    -------
    (str or None, dict or None)
        The section title (``None`` when nothing names it) and ``{"ename", "evalue"}``
        of the first error output (``None`` when the notebook has no error).
    """
    cells = [
        c
        for c in nb.get("cells", [])
        if _ERROR_CELL_TAG not in (c.get("metadata", {}).get("tags") or [])
    ]
    failing, error = None, None
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                failing, error = (
                    index,
                    {"ename": output.get("ename", ""), "evalue": output.get("evalue", "")},
                )
                break
        if (
            failing is None
            and (cell.get("metadata", {}).get("papermill") or {}).get("exception") is True
        ):
            failing = index
        if failing is not None:
            break
    if failing is None:
        return None, None
    cell = cells[failing]
    section = (cell.get("metadata", {}).get("icpc") or {}).get("section")
    if section:
        return _section_title(str(section), language), error
    source = cell.get("source", "")
    calls = _SECTION_CALL.findall("".join(source) if isinstance(source, list) else source)
    if len(calls) == 1:
        return _section_title(calls[0], language), error
    for cell in reversed(cells[: failing + 1]):
        section = (cell.get("metadata", {}).get("icpc") or {}).get("section")
        if section:
            return _section_title(str(section), language), error
        heading = _heading_of_cell(cell)
        if heading:
            return heading.strip(), error
    return None, error


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
