"""nbconvert exporter of the PDF report: executed notebook → HTML template → WeasyPrint → PDF.

Registered under the ``nbconvert.exporters`` entry point as ``icpc_pdf``, so all work::

    jupyter nbconvert --to icpc_pdf reports/demo/2024-12-31/diagnostic.ipynb
    jupyter nbconvert --execute --to icpc_pdf reports/demo/2024-12-31/diagnostic.ipynb
    python -c "from icpc.report.exporter import notebook_to_pdf; notebook_to_pdf('x.ipynb', 'x.pdf')"

With ``--execute`` the whole notebook runs first — the hidden cells too (the data load is
tagged ``remove_cell``) — and only then is what must not reach the page taken out: the
exporter's preprocessors run nbconvert's execution before the tag removal and the noise
filter (:func:`icpc.report.preprocessors.report_preprocessors`, re-exported here), where
nbconvert's own default order removes the tagged cells before executing.

What reaches the page (rapport PDF): markdown and the outputs of code cells — never code,
prompts, stderr (warnings, logs), tracebacks, JavaScript, nor cells tagged
``remove_cell``; ``remove_input``/``remove_output`` tags are honoured too. The cover
(client, period, date, firm, logo, confidentiality notice) and the running header come
from the metadata output published by :func:`icpc.report.meta.publish`; a table of
contents with page numbers is built from the ``h1``/``h2`` headings of the body
(:mod:`icpc.report.html_layout`).

Template lookup: the ``icpc_pdf`` template folder (``conf.json``, ``index.html.j2``,
``report.css``, optional ``custom.css``) is searched in ``$ICPC_TEMPLATES`` (a folder
holding ``icpc_pdf/``), then in the project's ``templates/`` folder, then in the Jupyter
data paths (``<prefix>/share/jupyter/nbconvert/templates``), where an installed package
can ship it.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import HTMLExporter
from traitlets import Bool, Int, default
from traitlets.config import Config as TraitletsConfig

from icpc.labels import label
from icpc.report.gcpause import gc_paused
from icpc.report.html_layout import (
    headings_with_ids,
    keep_with_next,
    mark_trailing_headings,
    mark_wide_tables,
    toc_html,
)
from icpc.report.preprocessors import CLEAR_OUTPUT_PREPROCESSOR as CLEAR_OUTPUT_PREPROCESSOR
from icpc.report.preprocessors import EXECUTE_PREPROCESSOR as EXECUTE_PREPROCESSOR
from icpc.report.preprocessors import (
    REMOVE_CELL_TAGS,
    REMOVE_INPUT_TAGS,
    REMOVE_OUTPUT_TAGS,
    StripNoisePreprocessor,
    report_preprocessors,
)
from icpc.report.weasy import import_weasyprint
from icpc.text import typeset_html

__all__ = [
    "IcpcPDFExporter",
    "StripNoisePreprocessor",
    "notebook_to_pdf",
    "report_preprocessors",
    "template_dirs",
    "warm_up",
    "TEMPLATE_NAME",
]

#: name of the nbconvert template folder
TEMPLATE_NAME = "icpc_pdf"

_PROJECT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

#: the cover's words, in the catalogue (``cover.<key>``)
_COVER_KEYS = (
    "title",
    "period",
    "previous",
    "as_of",
    "prepared_by",
    "generated",
    "toc",
    "confidential",
)


def template_dirs() -> list[str]:
    """Folders searched for the ``icpc_pdf`` template, first match wins.

    Returns
    -------
    list of str
        ``$ICPC_TEMPLATES`` when set, the project's ``templates/`` when present (a source
        checkout or editable install), then the current directory (nbconvert's default).
    """
    dirs = []
    env = os.environ.get("ICPC_TEMPLATES")
    if env:
        dirs.append(str(Path(env).expanduser().resolve()))
    if (_PROJECT_TEMPLATES / TEMPLATE_NAME).is_dir():
        dirs.append(str(_PROJECT_TEMPLATES))
    dirs.append(os.getcwd())
    return dirs


def _date_text(iso: str | None, language: str) -> str:
    if not iso:
        return ""
    d = dt.date.fromisoformat(str(iso)[:10])
    return f"{d.day:02d}/{d.month:02d}/{d.year}"  # day-first in both report languages


class IcpcPDFExporter(HTMLExporter):
    """Export an executed diagnostic notebook to the client's PDF report (rapport PDF).

    An :class:`~nbconvert.exporters.HTMLExporter` on the ``icpc_pdf`` template (no input,
    no prompts, tag removal on, stderr and tracebacks stripped) whose HTML is laid out by
    WeasyPrint: A4, cover, table of contents, running header, "page X / Y" footer. With
    ``ExecutePreprocessor`` enabled (``jupyter nbconvert --execute``) the notebook is
    executed before any cell is removed (:func:`report_preprocessors`).

    Example
    -------
    >>> pdf_bytes, resources = IcpcPDFExporter().from_filename("diagnostic.ipynb")  # doctest: +SKIP
    """

    export_from_notebook = "icpc PDF report"
    output_mimetype = "application/pdf"

    toc_depth = Int(2, help="Deepest heading level listed in the table of contents (1-3).").tag(
        config=True
    )
    wide_table_columns = Int(
        8, help="Tables with at least this many columns get a smaller font."
    ).tag(config=True)
    keep_html = Bool(
        False, help="Keep the intermediate HTML in resources['icpc_html'] (debugging)."
    ).tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return template_dirs()

    @default("default_preprocessors")
    def _default_preprocessors_default(self) -> list[Any]:
        # nbconvert's own list, reordered (not copied: a preprocessor a later nbconvert adds stays)
        return report_preprocessors(
            HTMLExporter.class_traits()["default_preprocessors"].default() or []
        )

    @default("exclude_input")
    def _default_exclude_input(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _default_exclude_input_prompt(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _default_exclude_output_prompt(self) -> bool:
        return True

    @default("exclude_anchor_links")
    def _default_exclude_anchor_links(self) -> bool:
        return True

    @property
    def default_config(self) -> TraitletsConfig:
        """nbconvert config of this exporter: tag removal and noise filter on, with our tags."""
        c = TraitletsConfig(
            {
                "StripNoisePreprocessor": {"enabled": True},
                "TagRemovePreprocessor": {
                    "enabled": True,
                    "remove_cell_tags": set(REMOVE_CELL_TAGS),
                    "remove_input_tags": set(REMOVE_INPUT_TAGS),
                    "remove_all_outputs_tags": set(REMOVE_OUTPUT_TAGS),
                },
                "CSSHTMLHeaderPreprocessor": {"enabled": False},
            }
        )
        base = super().default_config.copy()
        base.merge(c)
        return base

    # ------------------------------------------------------------------ resources
    def _find_template_file(self, name: str) -> Path | None:
        for base in self.template_paths:
            path = Path(base) / name
            if path.is_file():
                return path
        return None

    def _css(self) -> str:
        parts = []
        for name in ("report.css", "custom.css"):
            path = self._find_template_file(name)
            if path is not None:
                parts.append(path.read_text(encoding="utf-8"))
        return "\n".join(parts)

    @staticmethod
    def _cover(
        meta: Mapping[str, Any] | None, nb: Any, resources: Mapping[str, Any]
    ) -> dict[str, Any]:
        meta = dict(meta or {})
        name = (resources.get("metadata") or {}).get("name") or "diagnostic"
        meta.setdefault("client", nb.metadata.get("title") or name)
        if meta.get("language") not in ("fr", "en"):
            meta["language"] = "fr"
        meta.setdefault("icpc_version", "")
        branding = {"firm": "", "consultant": "", "logo": None, "confidentiality": None}
        branding.update({k: v for k, v in (meta.get("branding") or {}).items() if v is not None})
        meta["branding"] = branding
        return meta

    @staticmethod
    def _labels(meta: Mapping[str, Any]) -> dict[str, Any]:
        lang = meta["language"]
        text = {key: label(f"cover.{key}", lang) for key in _COVER_KEYS}
        out: dict[str, Any] = {"title": text["title"], "toc": text["toc"]}
        period = meta.get("period") or {}
        previous = meta.get("previous_period") or {}
        out["period_line"] = (
            text["period"].format(
                start=_date_text(period["start"], lang), end=_date_text(period["end"], lang)
            )
            if period.get("start") and period.get("end")
            else ""
        )
        out["previous_line"] = (
            text["previous"].format(
                start=_date_text(previous["start"], lang), end=_date_text(previous["end"], lang)
            )
            if previous.get("start") and previous.get("end")
            else ""
        )
        facts = []
        if meta.get("as_of"):
            facts.append((text["as_of"], _date_text(meta["as_of"], lang)))
        brand = meta["branding"]
        who = " — ".join(x for x in (brand.get("consultant"), brand.get("firm")) if x)
        if who:
            facts.append((text["prepared_by"], who))
        if meta.get("generated"):
            facts.append((text["generated"], _date_text(meta["generated"], lang)))
        out["facts"] = facts
        out["confidentiality"] = brand.get("confidentiality") or text["confidential"].format(
            client=meta["client"]
        )
        return out

    # ------------------------------------------------------------------ HTML post-processing
    def postprocess_html(self, text: str, labels: Mapping[str, Any], language: str = "fr") -> str:
        """Add heading ids and the table of contents, tag wide tables and trailing headings
        (:mod:`icpc.report.html_layout`); give the text its typography in ``language``
        (:func:`icpc.text.typeset_html`)."""
        head, sep, body = text.partition('<main class="icpc-body">')
        if not sep:
            return text
        body, toc = headings_with_ids(body, self.toc_depth)
        body = mark_wide_tables(body, self.wide_table_columns)
        body = mark_trailing_headings(body)
        body = keep_with_next(body)
        head = head.replace("<!--icpc:toc-->", toc_html(toc, labels["toc"]))
        # every word the client reads gets its typography, whichever code wrote it
        return typeset_html(head + sep + body, language)

    def _render_html(
        self, nb: Any, resources: dict[str, Any], **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """HTMLExporter's rendering without its BeautifulSoup pass (alt texts, tab stops for
        screen readers in a browser): ~0.2 s saved, nothing of it reaches the PDF."""
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter(
            "highlight_code",
            self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)),
        )
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            ),
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    # ------------------------------------------------------------------ export
    def _preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Run the preprocessors, then put the cover, its labels and the CSS in the resources.

        The cover comes from the metadata :class:`StripNoisePreprocessor` found, so after
        execution when the notebook was executed here.
        """
        nb, resources = super()._preprocess(nb, resources)
        meta = self._cover(resources.get("icpc_meta"), nb, resources)
        resources["icpc"] = meta
        resources["icpc_labels"] = self._labels(meta)
        resources["icpc_css"] = self._css()
        return nb, resources

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        """Convert a notebook to PDF bytes.

        Parameters
        ----------
        nb : NotebookNode
            The executed notebook (not modified), or any notebook when
            ``ExecutePreprocessor`` is enabled.
        resources : dict, optional
            nbconvert resources; ``metadata.path`` is the base for relative image links.
        **kw
            Passed to :meth:`HTMLExporter.from_notebook_node`.

        Returns
        -------
        (bytes, dict)
            The PDF document and the resources (``output_extension`` ``.pdf``,
            ``icpc_meta`` the cover metadata).
        """
        import_weasyprint()
        from weasyprint import HTML

        resources = dict(resources or {})
        # the preprocessors (execution, removals, noise filter) run on a copy of nb, then
        # _preprocess adds the cover
        html_text, resources = self._render_html(nb, resources, **kw)
        html_text = self.postprocess_html(
            html_text, resources["icpc_labels"], resources["icpc"]["language"]
        )
        if self.keep_html:
            resources["icpc_html"] = html_text
        base_url = (resources.get("metadata") or {}).get("path") or os.getcwd()
        with gc_paused():
            pdf = HTML(string=html_text, base_url=str(base_url)).write_pdf()
        resources["output_extension"] = ".pdf"
        return pdf, resources


#: a chart's parts for the warm-up: SVG text, path, hatch pattern; a 1-pixel PNG
_WARM_UP_SVG = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="20pt" height="10pt" viewBox="0 0 20 10">'
    b'<defs><pattern id="h" patternUnits="userSpaceOnUse" width="72" height="72">'
    b'<path d="M 0 72 L 72 0" style="stroke: #333333"/></pattern></defs>'
    b'<path d="M 0 0 L 5 5 z" style="fill: url(#h)"/>'
    b'<text x="10" y="8" style="font-size: 8px; font-family: \'DejaVu Sans\'; '
    b'text-anchor: middle">a</text></svg>'
).decode("ascii")
_WARM_UP_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg+M8AAAICAQB7CYF4AAAAAElFTkSuQmCC"
)


def warm_up(exporter: IcpcPDFExporter | None = None) -> IcpcPDFExporter:
    """Prepare an exporter: compile the templates, load Pango and the report fonts.

    The first WeasyPrint document of a process pays ~1 s of set-up (fontconfig, Pango,
    font files), and the first notebook ~0.15 s more (the notebook schema's validator, the
    ``lab`` templates the report's template extends, the preprocessors); the runner calls this
    while the notebook's kernel works, so the PDF step itself only lays out and draws.

    Parameters
    ----------
    exporter : IcpcPDFExporter, optional
        The exporter to prepare; a new one by default.

    Returns
    -------
    IcpcPDFExporter
        The prepared exporter, to pass to :func:`notebook_to_pdf`.
    """
    import_weasyprint()
    from weasyprint import HTML

    exporter = exporter or IcpcPDFExporter()
    exporter.template  # noqa: B018 (compiles the Jinja template)
    # a two-cell notebook, read back (schema validation) and rendered to HTML, not to PDF
    tiny = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# a"),
            nbformat.v4.new_code_cell(
                outputs=[nbformat.v4.new_output("display_data", data={"text/html": "<p>a</p>"})]
            ),
        ]
    )
    tiny = nbformat.reads(nbformat.writes(tiny), as_version=4)
    html_text, resources = exporter._render_html(
        tiny, {"metadata": {"path": os.getcwd(), "name": "warm-up"}}
    )
    exporter.postprocess_html(html_text, resources["icpc_labels"], resources["icpc"]["language"])
    sample = (
        f"<html><head><style>{exporter._css()}</style></head><body><p class='icpc-cover-client'>Aé €</p>"
        "<table class='icpc-table icpc-wide-14'><tr><th>a</th><td class='num'>1 234,56 €</td></tr>"
        "</table><h1>Synthèse <b>b</b> <i>i</i></h1>"
        f'<img src="data:image/svg+xml;base64,{_WARM_UP_SVG}"><img src="data:image/png;base64,{_WARM_UP_PNG}">'
        "</body></html>"
    )
    HTML(string=sample).write_pdf()
    return exporter


def notebook_to_pdf(
    nb_or_path: Any, pdf_path: str | Path, *, exporter: IcpcPDFExporter | None = None
) -> Path:
    """Render an executed notebook to the PDF report, written atomically.

    Parameters
    ----------
    nb_or_path : NotebookNode or str or Path
        The executed notebook, or its ``.ipynb`` file.
    pdf_path : str or Path
        Where to write the PDF (written to a temporary name, then renamed).
    exporter : IcpcPDFExporter, optional
        A configured or warmed-up exporter (:func:`warm_up`); a new one by default.

    Returns
    -------
    Path
        ``pdf_path``.
    """
    from icpc.fsutil import atomic_write_bytes

    if isinstance(nb_or_path, (str, Path)):
        source = Path(nb_or_path)
        nb = nbformat.read(source, as_version=4)
        folder, name = str(source.resolve().parent), source.stem
    else:
        nb = nb_or_path
        folder, name = str(Path(pdf_path).resolve().parent), Path(pdf_path).stem
    exporter = exporter or IcpcPDFExporter()
    pdf, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": folder, "name": name}})
    target = atomic_write_bytes(pdf_path, pdf)
    # the temporary file was private (0600): give the PDF the usual permissions (umask)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(target, 0o666 & ~mask)
    return target
