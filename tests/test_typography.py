"""Typography of what the client reads: ’, the narrow no-break space of French punctuation
and guillemets, the true minus sign; checked on the text and on the demo's PDF."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icpc.text import MINUS, NNBSP, typeset, typeset_html


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("le chiffre d'affaires", "fr", "le chiffre d’affaires"),
        ("customer's basket", "en", "customer’s basket"),
        ("Date d'analyse : 31/12/2024", "fr", f"Date d’analyse{NNBSP}: 31/12/2024"),
        ("N−1\u00a0: 260 ; à voir !", "fr", f"N−1{NNBSP}: 260{NNBSP}; à voir{NNBSP}!"),
        ("Pourquoi? Action: appeler", "fr", f"Pourquoi{NNBSP}? Action{NNBSP}: appeler"),
        ("« À risque »", "fr", f"«{NNBSP}À risque{NNBSP}»"),
        ("«À risque»", "fr", f"«{NNBSP}À risque{NNBSP}»"),
        # a figure keeps its unit on its line (« 100 % », « 12 € »)
        (
            "baisse (-80 000 €), ▼ -3,0 %",
            "fr",
            f"baisse ({MINUS}80 000\u00a0€), ▼ {MINUS}3,0\u00a0%",
        ),
        ("sous 100 % : 20 % des clients", "fr", f"sous 100\u00a0%{NNBSP}: 20\u00a0% des clients"),
        ("fell by -€80,000", "en", f"fell by {MINUS}\u2060€80,000"),  # joined: no break
        ("(−€266.4k) and +€54.2k", "en", "(−\u2060€266.4k) and +\u2060€54.2k"),
        # left alone: dates, times, ranges, N-1, English punctuation
        ("du 2024-01-01 à 12:30, pages 3-4, N-1", "fr", "du 2024-01-01 à 12:30, pages 3-4, N-1"),
        ("Analysis date: 31/12/2024; done!", "en", "Analysis date: 31/12/2024; done!"),
    ],
)
def test_typeset(text: str, language: str, expected: str) -> None:
    assert typeset(text, language) == expected


@given(st.text(alphabet="ab 'é:;!?«»-12,\u00a0\u202f", max_size=30), st.sampled_from(["fr", "en"]))
def test_typeset_is_idempotent_and_keeps_the_words(text: str, language: str) -> None:
    once = typeset(text, language)
    assert typeset(once, language) == once
    strip = lambda s: re.sub(r"[\s\u202f\u2060]", "", s.replace("’", "'").replace(MINUS, "-"))  # noqa: E731
    assert strip(once) == strip(text)


def test_typeset_html_leaves_tags_attributes_css_and_svg_alone() -> None:
    markup = (
        "<style>td { color: red; }</style><p class='x' title=\"a : b\">d&#x27;abord : "
        "R&amp;D ; -5</p><svg><text>d'un : -1</text></svg>"
    )
    assert typeset_html(markup, "fr") == (
        "<style>td { color: red; }</style><p class='x' title=\"a : b\">"
        f"d’abord{NNBSP}: R&amp;D{NNBSP}; {MINUS}5</p><svg><text>d'un : -1</text></svg>"
    )


# ------------------------------------------------------------------------- on the PDF
@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's report in French and in English (``icpc run``)."""
    from dataclasses import replace

    from icpc.config import load_config
    from icpc.run.runner import run_client

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    reports = {}
    for language in ("fr", "en"):
        out = tmp_path_factory.mktemp(f"typo-{language}")
        result = run_client(replace(load_config(demo), language=language), out=out)
        reports[language] = result.out_dir / "diagnostic.pdf"
    return reports


@pytest.fixture(scope="module")
def demo_pdfs(demo_reports: dict[str, Path]) -> dict[str, str]:
    """The text of the demo's report in French and in English."""
    from pypdf import PdfReader

    return {
        language: "\n".join(page.extract_text() for page in PdfReader(path).pages)
        for language, path in demo_reports.items()
    }


def _filled_heights(pdf: Path) -> list[float]:
    """For each page, how far down its text area the content goes (0 = blank, 1 = full)."""
    import subprocess
    import tempfile

    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-gray", "-r", "30", str(pdf), f"{folder}/p"], check=True)
        heights = []
        for image in sorted(Path(folder).glob("p-*.pgm")):
            pixels = np.asarray(Image.open(image))
            rows = pixels.shape[0]
            # the text area: below the running header, above the footer (A4: 297 mm)
            body = pixels[round(rows * 24 / 297) : round(rows * 276 / 297)]
            inked = np.nonzero((body < 200).any(axis=1))[0]
            heights.append((inked.max() + 1) / len(body) if len(inked) else 0.0)
    return heights


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_report_fits_in_twelve_pages_none_mostly_blank(
    demo_reports: dict[str, Path], language: str
) -> None:
    from pypdf import PdfReader

    pdf = demo_reports[language]
    assert len(PdfReader(pdf).pages) <= 12
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is needed to look at the pages")
    heights = _filled_heights(pdf)
    # every page but the last is at least half filled (the cover is laid out on its own)
    assert all(h >= 0.5 for h in heights[1:-1]), heights


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_report_has_no_straight_apostrophe_and_no_hyphen_for_minus(
    demo_pdfs: dict[str, str], language: str
) -> None:
    text = demo_pdfs[language]
    assert "'" not in text
    assert "’" in text
    assert not re.findall(r"(?<![\w.,\-])-\s?\d", text), "a hyphen used as a minus sign"
    assert MINUS in text
    assert not re.findall(r".{0,20}[+−]$", text, re.M), "a sign left alone at a line's end"


@pytest.mark.notebook
@pytest.mark.slow
def test_french_punctuation_and_guillemets_take_a_narrow_no_break_space(
    demo_pdfs: dict[str, str],
) -> None:
    text = demo_pdfs["fr"]
    assert not re.findall(r".{0,20}[ \u00a0][:;!?]", text)
    assert not re.findall(r".{0,20}[^\s\u202f\d/][;!?](?=\s)", text)
    assert len(re.findall(f"{NNBSP}[:;]", text)) > 20
    assert "«" in text and not re.findall(r"«(?!\u202f)|(?<!\u202f)»", text)
    assert "Recence" not in text and "Récence" in text


@pytest.mark.notebook
@pytest.mark.slow
def test_the_english_report_reads_as_english(demo_pdfs: dict[str, str]) -> None:
    text = demo_pdfs["en"]
    french = [w for w in ("Synthèse", "chiffre d", "Clients ", " les ", " des ", " et ", " du ",
                          "Qualité", "Récence", "«", NNBSP + ":")  # fmt: skip
              if w in text]  # fmt: skip
    assert french == []


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr", "en"])
def test_nothing_is_said_twice(demo_pdfs: dict[str, str], language: str) -> None:
    """No sentence of the report (past the cover and contents) appears twice."""
    # the running header (client, section) and footer (confidentiality, page) of every
    # page are not sentences of the report
    running = {"Distribution Martin SAS"}
    body = [
        line
        for line in demo_pdfs[language].split("\n")
        if line.strip() not in running
        and not re.search(r"(Document confidentiel|Confidential document).*page \d+ / \d+$", line)
    ]
    text = re.sub(r"\s+", " ", " ".join(body))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 40]
    # a sentence may follow a heading (no full stop before it): look for it anywhere
    tails = {s.split(" ", 4)[-1] for s in sentences if len(s) > 60}
    repeated = sorted(s for s in tails if text.count(s) > 1)
    assert repeated == []
