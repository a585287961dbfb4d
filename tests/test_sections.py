"""Report sections on a real Diagnostic of synthetic data; HTML tables; the notebook contract."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from IPython.display import Image  # noqa: E402
from report_data import make_diagnostic  # noqa: E402

from icpc.labels import label, section_title  # noqa: E402
from icpc.report import sections as S  # noqa: E402
from icpc.report.tables import KpiCard, html_table, kpi_cards  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "diagnostic.ipynb"
EXPLORE = ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture
def shown(monkeypatch):
    """Collect what the sections display instead of sending it to a notebook."""
    items: list = []

    def emit(obj):
        items.append(obj)
        if isinstance(obj, plt.Figure):
            plt.close(obj)

    monkeypatch.setattr(S, "emit", emit)
    return items


@pytest.fixture(scope="module")
def diag_fr():
    return make_diagnostic(language="fr")


def _html(items) -> str:
    return html.unescape(
        "\n".join(i.data for i in items if isinstance(getattr(i, "data", None), str))
    )


def _figures(items) -> int:
    """Charts shown: matplotlib figures (SVG) and heat maps embedded as PNG images."""
    return sum(
        isinstance(i, (plt.Figure, Image)) or "data:image/png" in (getattr(i, "data", None) or "")
        for i in items
    )


# ---------------------------------------------------------------- sections with data
@pytest.mark.parametrize(("title", "func"), S.SECTIONS, ids=[t for t, _ in S.SECTIONS])
def test_every_section_shows_its_heading_first(diag_fr, shown, title, func):
    out = func(diag_fr)
    assert out and out == shown
    assert out[0].data.startswith("<h1")
    assert "Traceback" not in _html(out)


#: every heading each section shows on the demo-like data (tests/report_data.py): the
#: section's own (the anchor of the table of contents), then its sub-headings in order.
#: A renamed Diagnostic attribute now fails here instead of silently dropping a block.
EXPECTED_HEADINGS = {
    "executive_summary": ("executive_summary", ["sub.findings"]),
    "action_plan": ("action_plan", []),
    "follow_up": ("follow_up", ["sub.follow_history", "sub.follow_flagged"]),
    "revenue_explained": ("revenue", ["sub.monthly", "sub.bridge", "sub.decomposition"]),
    "customer_dynamics": ("dynamics", ["sub.lost", "sub.cohorts"]),
    "segments": ("segments", ["sub.rf_grid", "sub.segment_profiles", "sub.migration"]),
    "early_warning": ("early_warning", []),
    "concentration": ("concentration", ["sub.top_customers"]),
    "sales_team": ("sales_team", ["sub.by_salesperson", "sub.by_region", "sub.funnel"]),
    "data_quality": (
        "data_quality",
        ["sub.ledger", "sub.anomalies", "sub.method", "sub.segment_rules", "sub.definitions"],
    ),
}


def _headings(items, level: int) -> list[str]:
    text = "\n".join(i.data for i in items if isinstance(getattr(i, "data", None), str))
    return [html.unescape(h) for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", text)]


@pytest.mark.parametrize(("title", "func"), S.SECTIONS, ids=[t for t, _ in S.SECTIONS])
def test_every_section_shows_all_its_headings_on_demo_like_data(diag_fr, shown, title, func):
    section, subs = EXPECTED_HEADINGS[func.__name__]
    out = func(diag_fr)
    assert _headings(out, 1) == [section_title(section, "fr")]
    assert f'id="icpc-{section}"' in out[0].data
    assert _headings(out, 2) == [label(k, "fr") for k in subs]


def test_anomaly_finding_names_the_flagged_salesperson(shown):
    diag = make_diagnostic(burst=True)
    S.executive_summary(diag)
    S.data_quality(diag)
    text = _html(shown)
    # said once, in the summary: 6 customers created in 6 days, basket 20 €; the anomalies
    # sub-section shows the groups behind it and counts the salesperson's creations
    assert (
        text.count(
            "Dupont a créé 6 clients partageant une adresse avec d’autres clients en 6\u00a0jours"
        )
        == 1
    )
    assert "leur panier moyen est de 20\u00a0€" in text
    assert "créés par Dupont" in text


def test_conversion_sentence_only_when_a_rate_exceeds_100_percent(shown):
    sentence = "Le taux de transformation rapporte toutes les ventes aux appels aboutis"
    above = make_diagnostic()  # 400 log rows: more sales than completed calls, as on the demo
    assert (above.activity.xs("current", level="period")["conversion_rate"] > 1).any()
    S.sales_team(above)
    assert sentence in _html(shown)
    shown.clear()
    below = make_diagnostic(activity_rows=5000)
    assert (below.activity.xs("current", level="period")["conversion_rate"] <= 1).all()
    S.sales_team(below)
    text = _html(shown)
    assert "Des contacts aux ventes" in text and sentence not in text


def test_executive_summary_cards_and_findings(diag_fr, shown):
    S.executive_summary(diag_fr)
    text = _html(shown)
    assert "<h1" in text and "Synthèse" in text
    assert text.count('class="kpi-card ') >= 6
    assert "▲" in text or "▼" in text
    revenue = diag_fr.kpis_json()["kpis"]["revenue"]["current"]
    from icpc.report.format import money

    assert money(revenue, decimals=0) in text  # the headline revenue in French format
    assert 'class="icpc-findings' in text and "Ce qu’il faut retenir" in text


def test_revenue_section_has_trend_bridge_and_decomposition(diag_fr, shown):
    S.revenue_explained(diag_fr)
    assert _figures(shown) == 3  # monthly, bridge, decomposition
    assert "Clients × fréquence × panier" in _html(shown)


def test_english_headings(shown):
    diag = make_diagnostic(language="en")
    S.customer_dynamics(diag)
    text = _html(shown)
    assert "Customer dynamics" in text and "Lost customers" in text


def test_language_override(diag_fr, shown):
    S.concentration(diag_fr, language="en")
    assert "Revenue concentration" in _html(shown)


# ---------------------------------------------------------------- sections without data
def test_sales_team_shows_nothing_without_salesperson(shown):
    diag = make_diagnostic(salesperson=False)
    assert S.sales_team(diag) == []
    assert shown == []


def test_sales_team_without_activity_log_has_no_funnel(shown):
    S.sales_team(make_diagnostic(activity=False))
    text = _html(shown)
    assert "Par commercial" in text
    assert "Des contacts aux ventes" not in text


def test_activity_funnel_when_a_log_is_given(diag_fr, shown):
    S.sales_team(diag_fr)
    text = _html(shown)
    assert "Des contacts aux ventes" in text
    # the calls made beside the completed ones: the completion rate can be checked
    i = text.index("Des contacts aux ventes")
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", text[i:])[:5]
    assert headers[1:4] == ["Contacts reçus", "Appels passés", "Appels aboutis"], headers


@pytest.mark.parametrize(
    ("func", "options"),
    [
        (S.sales_team, {"salesperson": False}),  # by_salesperson, by_region, activity are None
        (
            S.customer_dynamics,
            {"since": "2024-10-01"},
        ),  # no N−1, no one lost, a single cohort quarter
        (S.concentration, {"until": "2023-12-31"}),
    ],  # no revenue in N: empty Pareto
    ids=["sales-team-no-salesperson", "dynamics-one-quarter", "concentration-no-revenue-in-N"],
)
def test_sections_without_data_display_nothing(shown, func, options):
    assert func(make_diagnostic(**options)) == []
    assert shown == []


def test_no_customer_master_no_anomalies_subsection(shown):
    S.data_quality(make_diagnostic(customers=False))
    text = _html(shown)
    assert "Registre des données" in text
    assert "partageant une adresse" not in text
    assert "n’en est pas une" in text  # descriptive, not a forecast


def test_anomalies_listed_with_customer_master(diag_fr, shown):
    S.data_quality(diag_fr)
    text = _html(shown)
    assert "Clients partageant une adresse" in text
    assert "3 rue des Lilas" in text


# ---------------------------------------------------------------- tables
def test_html_table_formats_translates_and_truncates():
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(25)],
            "revenue": [1234.5] * 25,
            "share": [0.125] * 25,
        }
    )
    text = html_table(frame, formats={"revenue": "money", "share": "percent"}, max_rows=20)
    assert text.startswith('<table class="icpc-table">')
    assert "<th>Code client</th>" in text
    assert '<th class="num" style="white-space: normal">Chiffre d’affaires</th>' in text
    assert '<td class="num">1\u202f234,50\u00a0€</td>' in text
    assert '<td class="num">12,5\u00a0%</td>' in text
    assert text.count("<tr>") == 1 + 20  # header + 20 rows, no index column
    assert "… et 5 autres" in text
    assert "… and 5 more" in html_table(frame, max_rows=20, language="en")


def test_kpi_cards_arrows_and_mood():
    text = kpi_cards(
        [
            KpiCard("revenue", 1100.0, 1000.0, 0.1, kind="money0"),
            KpiCard("churn_rate", 0.2, 0.1, 1.0, kind="percent", higher_is_better=False),
        ]
    )
    assert "1\u202f100\u00a0€" in text and "N−1\u00a0: 1\u202f000\u00a0€" in text
    assert 'class="kpi-change up good"' in text and 'class="kpi-change up bad"' in text
    assert "▲\u00a0+10,0\u00a0%" in text


# ---------------------------------------------------------------- notebooks
def test_notebook_parameters_match_what_the_runner_passes():
    import papermill as pm

    params = pm.inspect_notebook(str(NOTEBOOK))
    assert list(params) == ["config_path", "as_of", "language", "output_dir", "dataset_path"]


def test_runner_parameters_are_accepted_by_the_notebook(tmp_path):
    runner = pytest.importorskip("icpc.run.runner")
    import datetime as dt

    import papermill as pm

    from icpc.config import config_from_dict

    cfg = config_from_dict({"client": "X", "transactions": {"path": "f.csv", "columns": {
        "customer_id": "a", "date": "b", "amount": "c"}}}, source=tmp_path / "client.yaml")  # fmt: skip
    passed = runner.notebook_parameters(cfg, as_of=dt.date(2024, 12, 31), out_dir=tmp_path)
    assert set(passed) == set(pm.inspect_notebook(str(NOTEBOOK)))


@pytest.mark.parametrize("path", [NOTEBOOK, EXPLORE], ids=["diagnostic", "explore"])
def test_notebooks_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_diagnostic_notebook_cells_name_their_section_and_call_icpc():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.tags
    titles = [c.metadata["icpc"]["section"] for c in code]
    assert all(titles)
    assert [t for t, _ in S.SECTIONS] == [t for t in titles if t in dict(S.SECTIONS)]
    body = "\n".join(c.source for c in code)
    assert "def " not in body and "class " not in body  # thin: no logic in the notebook
    assert "meta.publish(diag)" in body and "setup_notebook()" in body
    json.dumps(nb)  # plain JSON


@pytest.mark.notebook
@pytest.mark.slow
def test_notebook_executes_on_the_demo(tmp_path):
    pytest.importorskip("icpc.cleaning")
    import papermill as pm

    demo = ROOT / "data_samples" / "demo" / "client.yaml"
    out = tmp_path / "executed.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"config_path": str(demo), "language": "en"},
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", [])
    )
    for title in (
        "Executive summary",
        "Revenue explained",
        "Score3D segments",
        "Data quality and method",
    ):
        assert title in text
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.notebook
@pytest.mark.slow
def test_explore_notebook_executes_on_the_demo(tmp_path):
    pytest.importorskip("icpc.cleaning")
    import papermill as pm

    demo = ROOT / "data_samples" / "demo" / "client.yaml"
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(EXPLORE),
        str(out),
        parameters={"config_path": str(demo)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(EXPLORE.parent),
    )
    nb = nbformat.read(out, as_version=4)
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    assert any("image/svg+xml" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_rates_change_in_points():
    text = kpi_cards([KpiCard("margin_rate", 0.275, 0.268, 0.026, kind="percent")])
    assert "▲\u00a0+0,7\u00a0pts" in text and "+2,6" not in text


@pytest.mark.parametrize(
    "options",
    [{"since": "2024-01-01"}, {"n_customers": 1}],
    ids=["young-company-without-N-1", "single-customer"],
)
def test_edge_cases_render_without_error(shown, options):
    diag = make_diagnostic(**options)
    outputs = S.all_sections(diag)
    assert outputs["Executive summary"] and outputs["Data quality and method"]
    text = _html(shown)
    assert "Traceback" not in text
    assert not re.search(r"\bnan\b|\binf\b", text, re.IGNORECASE)  # missing figures print as "–"
    if "since" in options:
        assert "N−1 :" not in _html(outputs["Executive summary"])  # no N−1 to compare with
        assert (
            "Du chiffre d'affaires N−1 au chiffre d'affaires N" not in text
        )  # no bridge without N−1


def test_heat_maps_are_png_at_their_printed_size(diag_fr):
    """Heat maps are embedded as 200-dpi PNG (cheap for the PDF), printed at the figure's
    width in millimetres (WeasyPrint ignores HTML's width attribute)."""
    import base64

    out = S.segments(diag_fr)
    images = [i for i in out if "data:image/png;base64," in (getattr(i, "data", None) or "")]
    assert len(images) == 2, "the R×F grid and the migration are shown as images"
    for image in images:
        found = re.search(
            r'src="data:image/png;base64,([^"]+)" style="width: ([\d.]+)mm"', image.data
        )
        assert found
        data = base64.b64decode(found.group(1))
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = int.from_bytes(data[16:20], "big")
        assert float(found.group(2)) == pytest.approx(pixels / S.RASTER_DPI * 25.4, abs=0.05)
        assert 80 < float(found.group(2)) <= 170  # within the A4 text width


def test_short_tables_are_kept_on_one_page_long_ones_may_break():
    from icpc.report.tables import SHORT_TABLE_ROWS

    short = html_table(pd.DataFrame({"x": range(SHORT_TABLE_ROWS)}), max_rows=None)
    long = html_table(pd.DataFrame({"x": range(SHORT_TABLE_ROWS + 1)}), max_rows=None)
    cut = html_table(pd.DataFrame({"x": range(40)}), max_rows=5)  # 5 rows shown
    assert 'class="icpc-table icpc-short"' in short and "icpc-short" in cut
    assert "icpc-short" not in long
    css = (ROOT / "templates" / "icpc_pdf" / "report.css").read_text(encoding="utf-8")
    assert re.search(r"table\.icpc-short[^{]*\{[^}]*break-inside:\s*avoid", css)


def test_the_glossary_defines_only_the_terms_of_this_report(shown):
    S.data_quality(make_diagnostic(activity=False))
    without = _html(shown)
    assert "Glossaire" in without and "Taux de transformation" not in without
    shown.clear()
    S.data_quality(make_diagnostic())
    assert "Taux de transformation" in _html(shown)


def test_names_stay_on_one_line_unless_too_long_for_the_page():
    from icpc.report.tables import NO_WRAP_CHARS

    long_name = "Société Coopérative Agricole du Haut-Languedoc et des Cévennes"
    assert len(long_name) > NO_WRAP_CHARS
    table = html_table(pd.DataFrame({"name": ["Nathalie Roussel", long_name], "x": [1, 2]}))
    assert '<td class="icpc-nowrap">Nathalie Roussel</td>' in table
    assert f"<td>{long_name}</td>" in table  # may wrap: the table never runs past the page


def test_the_call_list_marks_a_creation_to_check(shown):
    from icpc.analysis.actions import Action

    diag = make_diagnostic()
    ew = diag.early_warning
    flagged = ew.loc[ew["early_warning"].astype(bool)].sort_values(
        "value_at_stake", ascending=False
    )
    first = str(flagged.index[0])
    # the plan says the first customer to call is one of the shared-address creations
    diag.__dict__["action_plan"] = (
        Action(
            "check_creations", 100.0, (first,), "sales_director", "anomalies", {"salesperson": "X"}
        ),
    )
    S.early_warning(diag)
    text = _html(shown)
    assert "Création à vérifier" in text
    assert text.count(">oui</td>") == 1
    shown.clear()
    diag.__dict__["action_plan"] = ()
    S.early_warning(diag)
    assert "Création à vérifier" not in _html(shown)  # no empty column


def test_rows_after_the_analysis_date_are_not_called_rejects():
    from icpc.report.sections.quality import _takeaway

    base = {"rows_read": 100, "rows_used": 90}
    later = {
        **base,
        "rows_excluded": {"after as_of": 10},
        "amounts_excluded": {"after as_of": 855.0},
    }
    text = _takeaway(later, "fr", "EUR")
    assert "les 10 autres sont datées après la date d’analyse" in text and "écartées" not in text
    both = {
        **base,
        "rows_excluded": {"after as_of": 8, "unparseable date": 2},
        "amounts_excluded": {"after as_of": 855.0, "unparseable date": 337.0},
    }
    text = _takeaway(both, "fr", "EUR")
    assert "8 sont datées après la date d’analyse" in text
    assert "les 2 écartées pour un défaut pèsent 337\u00a0€" in text  # the later rows' 855 € apart
    plain = {
        **base,
        "rows_excluded": {"unparseable date": 10},
        "amounts_excluded": {"unparseable date": 5.0},
    }
    assert "les 10 écartées pèsent 5\u00a0€" in _takeaway(plain, "fr", "EUR")


def test_the_other_files_warnings_are_said_in_the_method_section():
    from icpc.report.sections.quality import _other_files

    quality = {
        "files": {
            "transactions": {"path": "f.csv", "warnings": {"credit notes": {"rows": 3}}},
            "customers": {
                "path": "clients.xlsx",
                "warnings": {
                    "e-mails that are not an address": {"rows": 2},
                    "customers without transactions": {"rows": 12},
                    "unparseable created_at": {"rows": 0},
                },
            },
        }
    }
    assert _other_files(quality, "fr") == (
        "Dans clients.xlsx\u202f: courriels qui ne sont pas une adresse (2), clients sans facture (12)."
    )
    assert _other_files({"files": {"transactions": {"warnings": {}}}}, "fr") is None


def test_the_quality_notes_say_all_when_one_salesperson_created_every_grouped_customer():
    """On the demo, the 51 customers sharing an address or a SIRET were all created by one
    salesperson: « tous créés par », not « dont 51 créés par »; the kept rows' note ends
    with its full stop."""
    from icpc.config import load_config
    from icpc.diagnostic import Diagnostic

    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    text = _html(S.data_quality(Diagnostic.from_config(load_config(demo)), language="fr"))
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    assert "clients partageant une adresse ou un SIRET, tous créés par Julien Marchetti" in text
    assert "dont 51 créés" not in text
    assert re.search(r"lignes conservées\.</p>", text)
