"""Tests of the PDF exporter (icpc.report.exporter) and the cover metadata (icpc.report.meta).

A small notebook is built by hand with nbformat — markdown, an HTML table, an SVG chart,
a stderr warning, an error traceback, a code cell, a ``remove_cell`` cell, a leftover
``<Axes>`` repr, the cover-metadata output — rendered to PDF, and the PDF's text is read
back with pypdf. One test (marked ``notebook``) lets ``jupyter nbconvert --execute`` run an
unexecuted notebook whose hidden cell defines what a visible cell shows.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader
from traitlets.config import Config as TraitletsConfig

from icpc.config import config_from_dict
from icpc.exceptions import ConfigError
from icpc.report.exporter import IcpcPDFExporter, notebook_to_pdf
from icpc.report.meta import META_MIMETYPE, cover_metadata, logo_data_uri, read_metadata

CLIENT = "Distribution Martin SAS"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="160" viewBox="0 0 400 160">'
    '<rect x="5" y="5" width="390" height="150" fill="#777"/>'
    '<text x="30" y="90" font-size="28">Graphique mensuel</text></svg>'
)
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _meta(language: str = "fr") -> dict:
    return {
        "client": CLIENT,
        "slug": "distribution-martin",
        "language": language,
        "currency": "EUR",
        "as_of": "2024-12-31",
        "period": {"start": "2024-01-01", "end": "2024-12-31"},
        "previous_period": {"start": "2023-01-01", "end": "2023-12-31"},
        "generated": "2025-01-15",
        "branding": {
            "firm": "Cabinet Conseil",
            "consultant": "Jeanne Dupont",
            "logo": None,
            "confidentiality": None,
        },
    }


def _table(ncols: int, nrows: int) -> str:
    head = "".join(f"<th>Colonne {j}</th>" for j in range(ncols))
    rows = "".join(
        "<tr>"
        + "".join(f'<td class="num">{i * 10 + j}\u202f234,56\u00a0€</td>' for j in range(ncols))
        + "</tr>"
        for i in range(nrows)
    )
    return f'<table class="icpc-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def build_notebook(meta: dict | None) -> nbformat.NotebookNode:
    """A small executed-looking diagnostic notebook with every kind of output."""
    cells = [
        new_code_cell("config_path = 'client.yaml'", metadata={"tags": ["parameters"]}),
    ]
    if meta is not None:
        cells.append(
            new_code_cell(
                "meta.publish(diag)",
                metadata={"tags": ["remove_input"]},
                outputs=[new_output("display_data", data={META_MIMETYPE: meta})],
            )
        )
    cells += [
        new_code_cell(
            "import warnings\nshow_kpi_table(diag)",
            outputs=[
                new_output(
                    "display_data",
                    data={"text/html": '<h1 id="icpc-executive_summary">Synthèse</h1>'},
                ),
                new_output(
                    "display_data",
                    data={"text/markdown": "Le chiffre d'affaires progresse de 12,5\u00a0%."},
                ),
                new_output("stream", name="stderr", text="UserWarning: noisy library warning\n"),
                new_output("display_data", data={"text/html": _table(2, 3)}),
            ],
        ),
        new_markdown_cell("Une phrase d'un analyste.\n\n## Évolution mensuelle"),
        new_code_cell(
            "plot_monthly(diag)",
            outputs=[
                new_output(
                    "display_data",
                    data={"image/svg+xml": SVG, "text/plain": "<Figure size 640x480 with 1 Axes>"},
                )
            ],
        ),
        new_code_cell(
            "plot_png(diag)",
            outputs=[
                new_output("display_data", data={"image/png": base64.b64encode(PNG_1PX).decode()})
            ],
        ),
        new_code_cell(
            "ax",
            outputs=[
                new_output("execute_result", data={"text/plain": "<Axes: >"}, execution_count=4)
            ],
        ),
        new_code_cell(
            "secret_debug_cell()",
            metadata={"tags": ["remove_cell"]},
            outputs=[new_output("stream", name="stdout", text="REMOVED CELL OUTPUT\n")],
        ),
        new_code_cell(
            "1/0",
            outputs=[
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=["Traceback (most recent call last)", "ZeroDivisionError"],
                )
            ],
        ),
        # a section heading displayed by code, as icpc.report.sections does
        new_code_cell(
            "sections.data_quality(diag)",
            outputs=[
                new_output(
                    "display_data", data={"text/html": '<h1 id="icpc-data_quality">Méthode</h1>'}
                ),
                new_output(
                    "display_data", data={"text/html": "<p>Descriptif, pas une prévision.</p>"}
                ),
            ],
        ),
        new_code_cell(
            "wide_table(diag)",
            outputs=[new_output("display_data", data={"text/html": _table(15, 12)})],
        ),
    ]
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def french_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fr")
    nb_path = folder / "diagnostic.ipynb"
    nbformat.write(build_notebook(_meta("fr")), nb_path)
    return notebook_to_pdf(nb_path, folder / "diagnostic.pdf")


def test_pdf_has_cover_with_client_period_firm_and_notice(french_pdf: Path) -> None:
    cover = _pages(french_pdf)[0]
    assert CLIENT in cover
    assert "Diagnostic commercial".upper() in cover.upper()
    assert "du 01/01/2024 au 31/12/2024" in cover
    assert "31/12/2024" in cover and "Cabinet Conseil" in cover and "Jeanne Dupont" in cover
    assert "Document confidentiel" in cover
    assert "page " not in cover  # no footer on the cover


def test_pdf_shows_markdown_tables_and_svg_text(french_pdf: Path) -> None:
    text = "\n".join(_pages(french_pdf))
    for expected in (
        "Synthèse",
        "Évolution mensuelle",
        "Méthode",
        "12,5",
        "Colonne 14",
        "Graphique mensuel",
    ):
        assert expected in text


@pytest.mark.parametrize(
    "forbidden",
    [
        "show_kpi_table",
        "import warnings",
        "UserWarning",
        "Traceback",
        "ZeroDivisionError",
        "secret_debug_cell",
        "REMOVED CELL OUTPUT",
        "<Axes",
        "<Figure",
        "In [",
        "Out[",
        "config_path",
        "meta.publish",
    ],
    ids=[
        "code",
        "import",
        "stderr",
        "traceback",
        "error",
        "removed-code",
        "removed-output",
        "axes-repr",
        "figure-repr",
        "in-prompt",
        "out-prompt",
        "parameters",
        "meta-call",
    ],
)
def test_pdf_has_no_code_prompts_or_noise(french_pdf: Path, forbidden: str) -> None:
    assert forbidden not in "\n".join(_pages(french_pdf))


def test_every_page_after_cover_has_header_and_page_x_of_y(french_pdf: Path) -> None:
    pages = _pages(french_pdf)
    assert len(pages) >= 2  # the cover (with the contents), then the sections
    for number, text in enumerate(pages[1:], start=2):
        assert f"page {number} / {len(pages)}" in text
        assert CLIENT in text  # running header


def test_no_blank_page(french_pdf: Path) -> None:
    for number, text in enumerate(_pages(french_pdf)[1:], start=2):
        body = [
            line
            for line in text.split("\n")
            if line.strip() and CLIENT not in line and not re.search(r"page \d+ / \d+", line)
        ]
        assert body, f"page {number} is blank"


def test_table_of_contents_gives_the_right_pages(french_pdf: Path) -> None:
    """The contents are on the cover: the sections (h1) with their pages, not the sub-sections."""
    pages = _pages(french_pdf)
    toc = pages[0]
    assert "SOMMAIRE" in toc.upper() and CLIENT in toc  # the cover
    for title in ("Synthèse", "Méthode"):
        match = re.search(rf"{title}[ .]*?(\d+)\s*$", toc, re.M)
        assert match, f"{title} missing from the contents: {toc!r}"
        page = int(match.group(1))
        body = pages[page - 1].split("\n")
        assert any(line.strip().startswith(title) for line in body), (title, page)
    assert "Évolution mensuelle" not in toc  # a sub-section (h2)


def test_the_summary_opens_a_page_and_the_sections_follow_on(french_pdf: Path) -> None:
    pages = _pages(french_pdf)

    def first_page(title: str) -> int:
        return next(
            i
            for i, text in enumerate(pages[1:], start=1)
            if any(line.strip().startswith(title) for line in text.split("\n"))
        )

    synthese, monthly, method = (
        first_page("Synthèse"),
        first_page("Évolution mensuelle"),
        first_page("Méthode"),
    )
    assert synthese == 1  # the first page after the cover
    assert synthese == monthly == method  # short sections flow on: no page half empty


def test_english_labels(tmp_path: Path) -> None:
    pdf = notebook_to_pdf(build_notebook(_meta("en")), tmp_path / "en.pdf")
    pages = _pages(pdf)
    assert "COMMERCIAL DIAGNOSTIC" in pages[0].upper()
    assert "from 01/01/2024 to 31/12/2024" in pages[0]
    assert "Confidential document" in pages[0]
    assert "CONTENTS" in pages[0].upper()  # on the cover
    assert f"page 2 / {len(pages)}" in pages[1]


def test_without_metadata_the_notebook_name_is_the_title(tmp_path: Path) -> None:
    nb_path = tmp_path / "quarterly-review.ipynb"
    nbformat.write(build_notebook(None), nb_path)
    pdf = notebook_to_pdf(nb_path, tmp_path / "out.pdf")
    pages = _pages(pdf)
    assert "quarterly-review" in pages[0]
    assert "Synthèse" in "\n".join(pages)


def test_wide_tables_get_smaller_type_and_narrow_ones_do_not() -> None:
    exporter = IcpcPDFExporter(keep_html=True)
    _, resources = exporter.from_notebook_node(build_notebook(_meta()))
    html = resources["icpc_html"]
    tables = re.findall(r"<table[^>]*>", html)
    assert any("icpc-wide-14" in t for t in tables)
    assert any("icpc-wide" not in t for t in tables)
    assert "@page" in html and "A4" in html


def test_custom_css_and_template_folder_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from icpc.report.exporter import _PROJECT_TEMPLATES, TEMPLATE_NAME

    own = tmp_path / "firm-templates"
    shutil.copytree(_PROJECT_TEMPLATES / TEMPLATE_NAME, own / TEMPLATE_NAME)
    (own / TEMPLATE_NAME / "custom.css").write_text(
        ".kpi-value { color: #123456; }", encoding="utf-8"
    )
    monkeypatch.setenv("ICPC_TEMPLATES", str(own))
    exporter = IcpcPDFExporter(keep_html=True)
    assert exporter.extra_template_basedirs[0] == str(own.resolve())
    _, resources = exporter.from_notebook_node(build_notebook(_meta()))
    html = resources["icpc_html"]
    assert html.index("size: A4") < html.index("#123456")  # report.css, then custom.css


def test_exporter_does_not_modify_the_notebook() -> None:
    nb = build_notebook(_meta())
    before = nbformat.writes(nb)
    IcpcPDFExporter().from_notebook_node(nb)
    assert nbformat.writes(nb) == before


def test_execution_comes_before_the_removals() -> None:
    # nbconvert's default order removes the tagged cells, then executes: the data load
    # (tagged remove_cell) would never run under `jupyter nbconvert --execute`
    exporter = IcpcPDFExporter(config=TraitletsConfig({"ExecutePreprocessor": {"enabled": True}}))
    order = [type(p).__name__ for p in exporter._preprocessors]
    assert (
        order.index("ExecutePreprocessor")
        < order.index("StripNoisePreprocessor")
        < order.index("TagRemovePreprocessor")
    )
    assert order.index("ClearOutputPreprocessor") < order.index("ExecutePreprocessor")
    assert exporter._preprocessors[order.index("ExecutePreprocessor")].enabled
    assert (
        not IcpcPDFExporter()._preprocessors[order.index("ExecutePreprocessor")].enabled
    )  # only when asked
    names = {
        p if isinstance(p, str) else f"{p.__module__}.{p.__name__}"
        for p in exporter.default_preprocessors
    }
    assert (
        set(HTMLExporter.class_traits()["default_preprocessors"].default()) <= names
    )  # none dropped
    assert order.count("StripNoisePreprocessor") == 1


def test_exporter_config_turns_tag_removal_on() -> None:
    cfg = IcpcPDFExporter().default_config
    assert cfg.TagRemovePreprocessor.enabled is True
    assert "remove_cell" in cfg.TagRemovePreprocessor.remove_cell_tags
    assert "remove_input" in cfg.TagRemovePreprocessor.remove_input_tags
    assert "remove_output" in cfg.TagRemovePreprocessor.remove_all_outputs_tags
    exporter = IcpcPDFExporter()
    assert (
        exporter.exclude_input and exporter.exclude_input_prompt and exporter.exclude_output_prompt
    )
    assert exporter.output_mimetype == "application/pdf" and exporter.file_extension == ".pdf"


# ------------------------------------------------------------------ cover metadata
def _config(tmp_path: Path, **branding: object):
    return config_from_dict(
        {
            "client": CLIENT,
            "transactions": {
                "path": "f.csv",
                "columns": {"customer_id": "c", "date": "d", "amount": "a"},
            },
            "branding": branding,
        },
        base_dir=tmp_path,
    )


def test_cover_metadata_embeds_the_logo_and_periods(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(PNG_1PX)
    import datetime as dt

    cfg = _config(tmp_path, firm="Cabinet Conseil", consultant="Jeanne Dupont", logo="logo.png")
    meta = cover_metadata(
        cfg,
        as_of=dt.date(2024, 12, 31),
        period=(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        previous_period=(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        generated=dt.date(2025, 1, 15),
    )
    assert meta["branding"]["logo"].startswith("data:image/png;base64,")
    assert base64.b64decode(meta["branding"]["logo"].split(",", 1)[1]) == PNG_1PX
    assert meta["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert meta["as_of"] == "2024-12-31" and meta["generated"] == "2025-01-15"
    assert meta["client"] == CLIENT and meta["language"] == "fr"


def test_cover_metadata_accepts_period_objects(tmp_path: Path) -> None:
    import datetime as dt

    from icpc.kpi import period_bounds

    period, previous = period_bounds(dt.date(2011, 12, 9), 6)
    meta = cover_metadata(
        _config(tmp_path), as_of=dt.date(2011, 12, 9), period=period, previous_period=previous
    )
    assert meta["period"] == {"start": "2011-06-10", "end": "2011-12-09"}
    assert meta["previous_period"]["end"] == "2011-06-09"
    assert meta["branding"]["logo"] is None


def test_pdf_file_is_readable_like_any_new_file(french_pdf: Path) -> None:
    import os

    mask = os.umask(0)
    os.umask(mask)
    assert french_pdf.stat().st_mode & 0o777 == 0o666 & ~mask


def test_logo_on_the_cover(tmp_path: Path) -> None:
    meta = _meta()
    meta["branding"]["logo"] = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    _, resources = IcpcPDFExporter(keep_html=True).from_notebook_node(build_notebook(meta))
    assert 'class="icpc-cover-logo" src="data:image/png;base64,' in resources["icpc_html"]


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [("missing.png", None, "cannot be read"), ("logo.txt", b"hello", "not an image")],
    ids=["missing", "not-an-image"],
)
def test_bad_logo_is_a_config_error(
    tmp_path: Path, name: str, content: bytes | None, match: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(ConfigError, match=match):
        logo_data_uri(tmp_path / name)


def test_read_metadata_finds_the_published_output() -> None:
    assert read_metadata(build_notebook(_meta()))["client"] == CLIENT
    assert read_metadata(build_notebook(None)) is None


@pytest.mark.slow
def test_jupyter_nbconvert_to_icpc_pdf(tmp_path: Path) -> None:
    nb_path = tmp_path / "executed.ipynb"
    nbformat.write(build_notebook(_meta()), nb_path)
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "icpc_pdf", str(nb_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    pages = _pages(tmp_path / "executed.pdf")
    assert CLIENT in pages[0] and f"page 2 / {len(pages)}" in pages[1]
    assert "Traceback" not in "\n".join(pages)


@pytest.mark.notebook
def test_jupyter_nbconvert_execute_runs_hidden_cells_then_removes_them(tmp_path: Path) -> None:
    # the hidden cell defines what the visible one prints and publishes the cover, like the
    # diagnostic's data load; the notebook has no outputs yet
    hidden = (
        "from IPython.display import display\n"
        f"display({{{META_MIMETYPE!r}: {_meta()!r}}}, raw=True)\n"
        "hidden_total = 6 * 7  # HIDDEN-CODE"
    )
    nb = new_notebook(
        cells=[
            new_code_cell(hidden, metadata={"tags": ["remove_cell"]}),
            new_markdown_cell("# Synthèse"),
            new_code_cell("print(f'Total visible {hidden_total}')"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nb_path = tmp_path / "fresh.ipynb"
    nbformat.write(nb, nb_path)
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--execute", "--to", "icpc_pdf", str(nb_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    pages = _pages(tmp_path / "fresh.pdf")
    text = "\n".join(pages)
    assert "Total visible 42" in text
    for forbidden in ("hidden_total", "HIDDEN-CODE", "display(", "NameError", "Traceback"):
        assert forbidden not in text
    assert (
        CLIENT in pages[0] and "Cabinet Conseil" in pages[0]
    )  # the cover the hidden cell published
    assert "Synthèse" in pages[0]  # the contents, on the cover


@pytest.mark.parametrize("filler_mm", [182, 186, 190], ids=["182mm", "186mm", "190mm"])
def test_heading_is_never_left_alone_at_the_bottom_of_a_page(filler_mm: int) -> None:
    # with these fillers the sub-heading fits at the bottom of the page but the chart
    # after it does not (checked: with "h2 { break-after: auto }" they split)
    nb = new_notebook(
        cells=[
            new_code_cell(
                "meta.publish(diag)",
                outputs=[new_output("display_data", data={META_MIMETYPE: _meta()})],
            ),
            new_markdown_cell("# Section"),
            new_code_cell(
                "filler()",
                outputs=[
                    new_output(
                        "display_data",
                        data={"text/html": f'<div style="height:{filler_mm}mm">Remplissage</div>'},
                    )
                ],
            ),
            new_code_cell(
                "heading()",
                outputs=[
                    new_output("display_data", data={"text/html": "<h2>Sous-titre isolé</h2>"})
                ],
            ),
            new_code_cell(
                "plot()", outputs=[new_output("display_data", data={"image/svg+xml": SVG})]
            ),
        ]
    )
    pdf, _ = IcpcPDFExporter().from_notebook_node(nb)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages][1:]  # after the cover
    heading_page = next(i for i, t in enumerate(pages) if "Sous-titre isolé" in t)
    chart_page = next(i for i, t in enumerate(pages) if "Graphique mensuel" in t)
    assert heading_page == chart_page


def test_long_table_repeats_its_header_on_every_page() -> None:
    nb = new_notebook(
        cells=[
            new_code_cell(
                "meta.publish(diag)",
                outputs=[new_output("display_data", data={META_MIMETYPE: _meta()})],
            ),
            new_markdown_cell("# Clients"),
            new_code_cell(
                "table()", outputs=[new_output("display_data", data={"text/html": _table(4, 120)})]
            ),
        ]
    )
    pdf, _ = IcpcPDFExporter().from_notebook_node(nb)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages][1:]  # after the cover
    assert len(pages) >= 2
    for text in pages:
        assert "Colonne 3" in text  # header repeated
    assert (
        sum(text.count("234,56") for text in pages) == 120 * 4
    )  # every cell once: no row lost or cut


@pytest.mark.parametrize("enabled", [True, False], ids=["collector-on", "collector-off"])
def test_garbage_collector_paused_while_drawing_then_as_it_was(enabled: bool) -> None:
    import gc

    from icpc.report.gcpause import gc_paused

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with pytest.raises(RuntimeError, match="drawing failed"), gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("drawing failed")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_warm_up_renders_a_notebook_then_the_report_as_usual(tmp_path: Path) -> None:
    from icpc.report.exporter import warm_up

    exporter = warm_up()
    nb = new_notebook(cells=[new_markdown_cell("# Synthèse\n\nTexte.")])
    pdf = notebook_to_pdf(nb, tmp_path / "r.pdf", exporter=exporter)
    assert "Synthèse" in "".join(page.extract_text() for page in PdfReader(pdf).pages)


def _fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a new interpreter (WeasyPrint not imported yet), its output captured."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


_LOADED = (
    "import os, sys\n"
    "maps = open(f'/proc/{os.getpid()}/maps').read().split()\n"
    "names = ('libpango', 'libgobject', 'libharfbuzz', 'libfontconfig')\n"
    "print(sorted({p for p in maps if p.startswith('/') and os.path.basename(p).startswith(names)}))\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the ldconfig cache is Linux's")
def test_weasyprint_imported_without_gcc_or_ld_and_the_same_libraries() -> None:
    """The library cache alone: no gcc nor ld run (~17 ms a name), the libraries loaded
    those WeasyPrint's own search loads, find_library given back as it was."""
    fast = _fresh_python(
        "import ctypes.util as u, sys\n"
        "whole = u.find_library\n"
        "def refuse(name): raise AssertionError(f'gcc searched {name}')\n"
        "u._findLib_gcc = u._findLib_ld = refuse\n"
        "from icpc.report.weasy import import_weasyprint\n"
        "import_weasyprint()\n"
        "assert 'weasyprint.text.ffi' in sys.modules and u.find_library is whole\n"
        "u._findLib_gcc = u._findLib_ld = None\n" + _LOADED
    )
    whole = _fresh_python("import weasyprint\n" + _LOADED)
    assert fast.returncode == 0, fast.stderr
    assert whole.returncode == 0, whole.stderr
    assert fast.stdout == whole.stdout
    assert "libpango" in fast.stdout


def test_weasyprint_found_by_the_whole_search_when_the_cache_fails() -> None:
    """Libraries the cache does not know: the import starts again with the whole search,
    and WeasyPrint's installation advice from the first try is not printed."""
    done = _fresh_python(
        "import ctypes.util as u\n"
        "def broken(name): raise OSError('no cache')\n"
        "u._findSoname_ldconfig = broken\n"
        "import cffi.api\n"
        "real = cffi.api._load_backend_lib\n"
        "tries = []\n"
        "def load(backend, name, flags):\n"
        "    tries.append(name)\n"
        "    if u.find_library is broken: raise OSError('cache only: not found')\n"
        "    return real(backend, name, flags)\n"
        "cffi.api._load_backend_lib = load\n"
        "from icpc.report.weasy import import_weasyprint\n"
        "import_weasyprint()\n"
        "import weasyprint.text.ffi\n"
        "assert u.find_library is not broken\n"
        "print('loaded after', len(tries), 'tries')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("loaded after"), done.stdout  # no advice printed
    assert "could not import" not in done.stdout + done.stderr


# --------------------------------------------------------------------------------------
# a heading and the findings before their chart are not left at the foot of a page
# --------------------------------------------------------------------------------------
def _html_out(html: str):
    return new_output("display_data", data={"text/html": html})


def _chart(title: str, height_mm: int) -> str:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="150mm" height="{height_mm}mm" '
        f'viewBox="0 0 150 {height_mm}"><rect width="150" height="{height_mm}" fill="#ccc"/>'
        f'<text x="10" y="10" style="font-size: 6px">{title}</text></svg>'
    )
    return base64.b64encode(svg.encode()).decode()


def _findings(n: int) -> str:
    items = "".join(f"<li>Constat numéro {i + 1} sur les clients.</li>" for i in range(n))
    return f'<ul class="icpc-findings findings">{items}</ul>'


@pytest.mark.parametrize("findings", [1, 2, 3])
def test_a_heading_and_its_findings_go_with_the_chart_they_introduce(tmp_path, findings):
    """A page filled to its last fifth, then a heading, two findings and a chart too tall
    for what is left: the heading and the findings open the next page with the chart."""
    cells = [
        new_code_cell(
            "sections.filler(diag)",
            outputs=[_html_out('<div style="height: 205mm">Remplissage</div>')],
        ),
        new_code_cell(
            "sections.dynamics(diag)",
            outputs=[
                _html_out('<h1 id="icpc-dynamics">Dynamique du portefeuille</h1>'),
                _html_out(_findings(findings)),
                new_output(
                    "display_data",
                    data={
                        "image/svg+xml": base64.b64decode(
                            _chart("Graphique des clients", 90)
                        ).decode()
                    },
                ),  # fmt: skip
            ],
        ),
    ]
    nb = new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    nb.cells.insert(
        0,
        new_code_cell(
            "meta.publish(diag)",
            metadata={"tags": ["remove_input"]},
            outputs=[new_output("display_data", data={META_MIMETYPE: _meta("fr")})],
        ),
    )
    path = tmp_path / "diagnostic.ipynb"
    nbformat.write(nb, path)
    pages = _pages(notebook_to_pdf(path, tmp_path / "diagnostic.pdf"))
    heading = [i for i, p in enumerate(pages) if "Dynamique du portefeuille" in p and "page" in p]
    chart = [i for i, p in enumerate(pages) if "Graphique des clients" in p]
    first = [i for i, p in enumerate(pages) if "Constat numéro 1" in p]
    assert chart and heading[-1] == chart[0] == first[0], (heading, first, chart)


def test_only_short_findings_before_a_chart_or_table_are_kept_with_it():
    from icpc.report.html_layout import keep_with_next

    def child(html: str) -> str:
        return (
            '<div class="jp-OutputArea-child">\n\n<div class="jp-RenderedHTMLCommon '
            f'jp-RenderedHTML jp-OutputArea-output " data-mime-type="text/html">\n{html}\n'
            "</div>\n\n</div>\n"
        )

    area = '<div class="jp-OutputArea jp-Cell-outputArea">\n'
    table = "<table><tr><td>1</td></tr></table>"
    marked = lambda body: body.count("icpc-keep-next")  # noqa: E731
    assert marked(keep_with_next(area + child("<h2>Titre</h2>") + child(table))) == 1
    assert marked(keep_with_next(area + child(_findings(2)) + child(table))) == 1
    assert "icpc-short-list" in keep_with_next(area + child(_findings(3)) + child(table))
    assert marked(keep_with_next(area + child(_findings(4)) + child(table))) == 0  # may break
    assert marked(keep_with_next(area + child(_findings(2)) + child("<p>Texte</p>"))) == 0
    # the last findings of a cell: the next cell's output is no chart of theirs
    assert marked(keep_with_next(area + child(_findings(2)) + area + child(table))) == 0
    note = '<p class="icpc-note">6 groupes partageant une adresse.</p>'
    assert marked(keep_with_next(area + child("<h2>T</h2>") + child(note) + child(table))) == 2
    assert marked(keep_with_next(area + child(table) + child(note) + child(table))) == 0
