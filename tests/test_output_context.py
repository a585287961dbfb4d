"""The PDF and the Excel workbook speak the same words: the client's segment labels, its currency."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import openpyxl  # noqa: E402
import pytest  # noqa: E402

from icpc.config import load_config  # noqa: E402
from icpc.diagnostic import Diagnostic  # noqa: E402
from icpc.export.context import OutputContext  # noqa: E402
from icpc.export.excel import write_actions_xlsx  # noqa: E402
from icpc.labels import label  # noqa: E402

RULES = (
    {"name": "Top", "r": [4, 5], "f": [4, 5], "label": {"fr": "Piliers", "en": "Pillars"}},
    {"name": "Asleep", "r": [1, 2], "label": {"fr": "Endormis", "en": "Asleep"}},
    {"name": "Rest", "label": {"fr": "Les autres", "en": "The others"}},
)


DEMO = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"


@pytest.fixture(scope="module")
def custom() -> Diagnostic:
    cfg = replace(load_config(DEMO), segments=RULES, currency="CHF")
    return Diagnostic.from_config(cfg)


def _section_text(items: list) -> str:
    return html_lib.unescape(
        " ".join(i.data for i in items if isinstance(getattr(i, "data", None), str))
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_custom_segment_labels_are_the_same_in_the_pdf_and_the_workbook(
    custom: Diagnostic, tmp_path: Path, language: str
) -> None:
    from icpc.report import sections as S

    words = OutputContext.of(custom, language)
    index = 0 if language == "fr" else 1
    expected = {r["name"]: list(r["label"].values())[index] for r in RULES}
    assert dict(words.segment_labels) == expected

    book = openpyxl.load_workbook(
        write_actions_xlsx(custom, tmp_path / "a.xlsx", language=language)
    )
    sheet = book[label("sheet.at_risk", language)]  # the call list
    header = [c.value for c in sheet[1]]
    column = header.index(label("segment", language))
    in_workbook = {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} - {None}
    assert in_workbook and in_workbook <= set(expected.values())

    shown = _section_text(S.segments(custom, language=language))
    for segment in in_workbook:
        assert segment in shown
    assert "Champions" not in shown and "Réguliers" not in shown  # the kit's own labels


def test_the_currency_reaches_both(custom: Diagnostic, tmp_path: Path) -> None:
    from icpc.report import sections as S

    assert OutputContext.of(custom).symbol == "CHF"
    book = openpyxl.load_workbook(write_actions_xlsx(custom, tmp_path / "a.xlsx"))
    sheet = book[label("sheet.at_risk", "fr")]
    header = [c.value for c in sheet[1]]
    money = sheet.cell(row=2, column=header.index(label("value_at_stake", "fr")) + 1)
    assert '"CHF"' in money.number_format and "€" not in money.number_format
    summary = _section_text(S.executive_summary(custom))
    assert re.search(r"\d\s?CHF", summary) and "€" not in summary


def test_the_workbook_carries_the_reports_title_client_and_consultant(
    custom: Diagnostic, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(write_actions_xlsx(custom, tmp_path / "a.xlsx"))
    cfg = custom.config
    assert book.properties.title == f"{label('cover.title', 'fr')} — {cfg.client}"
    assert book.properties.creator == cfg.branding.consultant
