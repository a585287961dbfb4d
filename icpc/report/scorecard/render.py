"""Lay out every salesperson's scorecard in one WeasyPrint document, write one PDF per page.

One HTML document holds all the cards (one A4 page each), so WeasyPrint sets up its fonts
and lays out once; each page is then written to its own file
(``document.copy([page]).write_pdf(...)``). A card that would not fit its page is laid
out again in a compact style, then with its longest lists cut, so that every scorecard
is exactly one page whatever the data.

Template lookup: ``icpc_scorecard/`` (``scorecard.html.j2``, ``scorecard.css``) in the
folders of :func:`icpc.report.exporter.template_dirs`, then in the Jupyter data paths; the
report's ``icpc_pdf/report.css`` (and its ``custom.css``, if any) come first, so the
scorecards share the report's fonts and look.

Example
-------
>>> written = write_scorecards(diag, "reports/demo/2024-12-31/scorecards")  # doctest: +SKIP
>>> sorted(written)  # doctest: +SKIP
['helene-fournier.pdf', 'julien-marchetti.pdf', ...]
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icpc.exceptions import RunError
from icpc.export.context import OutputContext
from icpc.export.sheets import salesperson_sheets
from icpc.labels import label
from icpc.report.gcpause import gc_paused
from icpc.report.scorecard.facts import ScorecardFacts, salespeople, scorecard_facts
from icpc.report.scorecard.files import file_names
from icpc.report.scorecard.priorities import priorities
from icpc.report.scorecard.view import card_view
from icpc.text import typeset_html

if TYPE_CHECKING:
    from weasyprint.document import Document

    from icpc.diagnostic import Diagnostic

__all__ = ["TEMPLATE_NAME", "scorecard_html", "render_scorecards", "write_scorecards"]

#: the template folder of the scorecards
TEMPLATE_NAME = "icpc_scorecard"
#: what a card drops, step by step, when it does not fit its page
_SHRINK = ("compact", "short")


def _template_dir(name: str) -> Path:
    from icpc.report.exporter import template_dirs

    dirs = [Path(d) for d in template_dirs()]
    try:
        from jupyter_core.paths import jupyter_path

        dirs += [Path(p) for p in jupyter_path("nbconvert", "templates")]
    except ImportError:  # pragma: no cover - jupyter_core comes with nbconvert
        pass
    for base in dirs:
        if (base / name).is_dir():
            return base / name
    raise RunError(  # an installation's problem: one line, exit 1, like a missing notebook
        f"template folder {name}/ not found in {', '.join(map(str, dirs))}; "
        "reinstall icpc or set ICPC_TEMPLATES to a folder holding it"
    )


def _css() -> str:
    report = _template_dir("icpc_pdf")
    own = _template_dir(TEMPLATE_NAME)
    parts = [report / "report.css", own / "scorecard.css", report / "custom.css"]
    return "\n".join(p.read_text(encoding="utf-8") for p in parts if p.is_file())


def scorecard_html(cards: list[dict[str, Any]], *, language: str, title: str = "") -> str:
    """The HTML of the cards (:func:`~icpc.report.scorecard.view.card_view`), one per page."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(_template_dir(TEMPLATE_NAME))),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    page = env.get_template("scorecard.html.j2").render(
        cards=cards, css=_css(), language=language, title=title
    )
    return typeset_html(page, language)


def _shrink(card: dict[str, Any], step: str) -> dict[str, Any]:
    """The card in a tighter form: ``compact`` type, then ``short`` lists (six segments,
    no customer named under the calls)."""
    out = dict(card, compact=True)
    if step == "short":
        health = dict(out["health"])
        health["segments"] = health["segments"][:6]
        out["health"] = health
        out["priorities"] = [dict(p, sub="") for p in out["priorities"][:3]]
    return out


def _pages_per_card(document: Document, n: int) -> list[list[Any]]:
    """The pages of each card, found by the card's anchor (``sc-<i>``)."""
    starts: dict[int, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("sc-") and anchor[3:].isdigit():
                starts.setdefault(int(anchor[3:]) - 1, number)
    bounds = [starts.get(i, len(document.pages)) for i in range(n)] + [len(document.pages)]
    return [document.pages[bounds[i] : max(bounds[i + 1], bounds[i])] for i in range(n)]


def _layout(cards: list[dict[str, Any]], language: str, title: str) -> Document:
    from icpc.report.weasy import import_weasyprint

    import_weasyprint()
    from weasyprint import HTML

    return HTML(string=scorecard_html(cards, language=language, title=title)).render()


def render_scorecards(
    diag: Diagnostic, *, language: str | None = None
) -> list[tuple[ScorecardFacts, Document]]:
    """Every assigned salesperson's scorecard, each a one-page WeasyPrint document.

    Parameters
    ----------
    diag : Diagnostic
        With a salesperson column mapped (else the list is empty).
    language : str, optional
        ``fr`` or ``en``; default the config's.

    Returns
    -------
    list of (ScorecardFacts, Document)
        By rank, one page each.
    """
    words = OutputContext.of(diag, language)
    lang = words.language
    names = salespeople(diag)
    if not names:
        return []
    facts = [scorecard_facts(diag, name) for name in names]
    sheets = salesperson_sheets(diag, words.language)
    cards = [card_view(f, priorities(f), words, sheets.get(f.salesperson)) for f in facts]
    title = label("scorecard.title", lang)
    document = _layout(cards, lang, title)
    pages = _pages_per_card(document, len(cards))
    for step in _SHRINK:
        over = [i for i, p in enumerate(pages) if len(p) != 1]
        if not over:
            break
        retry = _layout([_shrink(cards[i], step) for i in over], lang, title)
        for i, got in zip(over, _pages_per_card(retry, len(over)), strict=True):
            pages[i] = got
    out = []
    for f, card_pages in zip(facts, pages, strict=True):
        one = card_pages[:1]  # still too long after shrinking: the first page, never two
        meta = copy.copy(document.metadata)
        meta.title = f"{title} — {f.salesperson}"
        meta.authors = [a for a in (words.firm, words.consultant) if a]
        doc = type(document)(
            one, meta, document.url_fetcher, document.font_config,
            document.color_profiles, document.output_intent,
        )  # fmt: skip
        out.append((f, doc))
    return out


def write_scorecards(
    diag: Diagnostic, folder: str | Path, *, language: str | None = None
) -> dict[str, Path]:
    """Write ``<folder>/<slug of the name>.pdf`` for every assigned salesperson.

    Parameters
    ----------
    diag : Diagnostic
        The diagnostic; without a salesperson column nothing is written and the folder is
        not created.
    folder : path
        The scorecards' folder (``scorecards/`` of the run's staging folder).
    language : str, optional
        Default the config's.

    Returns
    -------
    dict
        File name → path, by rank.
    """
    with gc_paused():  # WeasyPrint's many short-lived objects (see gc_paused)
        rendered = render_scorecards(diag, language=language)
        if not rendered:
            return {}
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        names = file_names([f.salesperson for f, _ in rendered], language or diag.config.language)
        mask = os.umask(0)
        os.umask(mask)
        out: dict[str, Path] = {}
        for f, doc in rendered:
            path = folder / names[f.salesperson]
            doc.write_pdf(path)
            os.chmod(path, 0o666 & ~mask)
            out[path.name] = path
    return out
