"""``compare``: N−1 as the months just before N or as the same months a year before; the
method says which (and warns of seasonality); an ``as_of`` past the data is said."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc import cli
from icpc.diagnostic import Diagnostic
from icpc.exceptions import ConfigError
from icpc.periods import add_months, period_bounds
from icpc.report.sections.common import comparison_lines, data_end_warning

# ------------------------------------------------------------------------- the periods


def test_previous_year_is_the_same_months_a_year_before():
    n, n1 = period_bounds("2024-03-31", 3, "previous_year")
    assert (n.start, n.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert (n1.start, n1.end) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    _, before = period_bounds("2024-03-31", 3)
    assert (before.start, before.end) == (dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    n, n1 = period_bounds("2024-02-29", 1, "previous_year")  # leap day: February a year before
    assert (n1.start, n1.end) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))


@given(st.dates(dt.date(2001, 1, 1), dt.date(2090, 12, 31)), st.integers(1, 12))
def test_previous_year_periods(as_of, months):
    n, n1 = period_bounds(as_of, months, "previous_year")
    assert n1.end < n.start  # never overlaps N
    # a year earlier, to the day but for the 29th of February (the day after as_of moves)
    assert abs((n1.start - add_months(n.start, -12)).days) <= 1
    assert abs((n1.end - add_months(n.end, -12)).days) <= 1
    if months == 12:  # identical to the preceding period
        assert (n, n1) == period_bounds(as_of, 12, "previous_period")


def test_compare_is_checked_when_the_config_is_read():
    assert make_config().compare == "previous_period"
    assert make_config(compare="previous_year").compare == "previous_year"
    with pytest.raises(ConfigError, match=r'"compare" must be previous_period .* found .lastyear'):
        make_config(compare="lastyear")
    with pytest.raises(ConfigError, match=r"needs \"period_months\" of 12 or less.*found 18"):
        make_config(compare="previous_year", period_months=18)
    with pytest.raises(ValueError, match="at most 12 months"):
        period_bounds("2024-12-31", 18, "previous_year")


# ------------------------------------------------------------- a hand-worked quarter
#: as_of 2024-03-31, N = Q1 2024. previous_year: N−1 = Q1 2023; previous_period: Q4 2023.
QUARTER = [
    ("A", "2023-02-10", 100.0, "F1", "Paul"),  # Q1 2023
    ("A", "2024-02-10", 150.0, "F2", "Paul"),
    ("B", "2023-11-15", 80.0, "F3", "Paul"),  # Q4 2023: between the two N−1
    ("B", "2024-01-20", 60.0, "F4", "Paul"),
    ("C", "2023-03-05", 200.0, "F5", "Marie"),  # Q1 2023 only
    ("D", "2024-03-01", 40.0, "F6", "Marie"),  # first sale in N
]


def _quarter(compare: str) -> Diagnostic:
    cfg = make_config(period_months=3, compare=compare)
    return Diagnostic.from_frames(cfg, make_tx(QUARTER), as_of="2024-03-31")


def test_previous_year_figures_by_hand():
    diag = _quarter("previous_year")
    doc = diag.kpis_json()
    assert doc["previous_period"] == {"start": "2023-01-01", "end": "2023-03-31"}
    k = doc["kpis"]
    assert (k["revenue"]["current"], k["revenue"]["previous"]) == (250.0, 300.0)
    classes = diag.table["bridge_class"].astype(str).to_dict()
    assert classes == {"A": "retained", "B": "reactivated", "C": "lost", "D": "new"}
    bridge = {"new": 40.0, "reactivated": 60.0, "retained": 50.0, "lost": -200.0, "other": 0.0}
    assert doc["bridge"] == bridge
    assert k["lost_customers"] == 1 and k["new_customers"] == 1
    # the migration reads the same N−1: its revenue adds up to kpis.json's
    assert diag.migration["revenue_previous"].sum() == pytest.approx(300.0)


def test_previous_period_figures_by_hand():
    diag = _quarter("previous_period")
    doc = diag.kpis_json()
    assert doc["previous_period"] == {"start": "2023-10-01", "end": "2023-12-31"}
    assert doc["kpis"]["revenue"]["previous"] == 80.0
    classes = diag.table["bridge_class"].astype(str).to_dict()
    assert classes == {"A": "reactivated", "B": "retained", "C": "other", "D": "new"}
    assert diag.migration["revenue_previous"].sum() == pytest.approx(80.0)


# ------------------------------------------------------------------- what the report says
def test_the_method_says_what_n_minus_1_is_and_warns_of_seasonality():
    fr = comparison_lines(_quarter("previous_period"), "fr")
    assert "N−1, du 01/10/2023 au 31/12/2023, couvre les 3 mois qui précèdent N." in fr
    assert any("saisonnalité" in line for line in fr)
    year = comparison_lines(_quarter("previous_year"), "fr")
    assert any("mêmes mois un an plus tôt" in line and "01/01/2023" in line for line in year)
    assert not any("saisonnalité" in line for line in year)
    en = comparison_lines(_quarter("previous_period"), "en")
    assert any("seasonality" in line for line in en) and not any("mois" in line for line in en)
    twelve = Diagnostic.from_frames(make_config(), make_tx(QUARTER), as_of="2024-03-31")
    assert not any("saisonnalité" in line for line in comparison_lines(twelve, "fr"))


def test_the_summary_notes_seasonality_only_when_the_months_differ(monkeypatch):
    from icpc.report import sections

    shown: list = []
    monkeypatch.setattr(sections, "emit", shown.append)
    text = "".join(o.data for o in sections.executive_summary(_quarter("previous_period")))
    assert "saisonnalité" in text
    text = "".join(o.data for o in sections.executive_summary(_quarter("previous_year")))
    assert "saisonnalité" not in text


def test_an_as_of_past_the_data_is_said_in_the_report_and_on_the_console(
    monkeypatch, tmp_path, capsys
):
    from icpc.report import sections

    late = Diagnostic.from_frames(make_config(), make_tx(QUARTER), as_of="2024-09-30")
    assert late.data_end == dt.date(2024, 3, 1) and late.data_end_gap == 213
    warning = data_end_warning(late, "fr")
    assert warning == (
        "Attention\u202f: les données s’arrêtent le 01/03/2024, 213 jours avant la date "
        "d’analyse (30/09/2024)\u202f; les chiffres de la période N n’en couvrent qu’une partie."
    )
    monkeypatch.setattr(sections, "emit", lambda obj: None)
    out = sections.executive_summary(late)
    assert 'class="icpc-warning"' in out[1].data  # the first thing after the heading
    on_time = Diagnostic.from_frames(make_config(), make_tx(QUARTER), as_of="2024-03-31")
    assert on_time.data_end_gap is None and data_end_warning(on_time, "fr") is None
    assert on_time.data_end_warning() is None
    assert "213 days before as_of 2024-09-30" in late.data_end_warning()


def test_icpc_kpis_prints_the_data_end_warning(demo_config, capsys):
    assert cli.main(["kpis", str(demo_config), "--as-of", "2025-06-30", "--json"]) == 0
    captured = capsys.readouterr()
    assert (
        "warning: factures.csv: the data ends on 2024-12-31, 181 days before as_of" in captured.err
    )
    assert json.loads(captured.out)["as_of"] == "2025-06-30"


@pytest.mark.notebook
@pytest.mark.slow
def test_icpc_run_past_the_data_opens_the_report_with_the_warning(demo_config, tmp_path, capsys):
    from pypdf import PdfReader

    assert cli.main(["run", str(demo_config), "--as-of", "2025-06-30", "--out", str(tmp_path)]) == 0
    assert (
        "the data ends on 2024-12-31, 181 days before as_of 2025-06-30" in capsys.readouterr().err
    )
    pdf = next(tmp_path.rglob("diagnostic.pdf"))
    summary = PdfReader(pdf).pages[1].extract_text()  # the cover (with the contents), the summary
    assert "les données s’arrêtent le 31/12/2024, 181 jours avant la date d’analyse" in summary
