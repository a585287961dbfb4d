"""Every chart returns Axes and draws on small synthetic data, with French-formatted axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from icpc.report import plots as P  # noqa: E402

RNG = np.random.default_rng(0)
MONTHS = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
MONTHLY = pd.DataFrame({"month": MONTHS, "revenue": np.linspace(80_000, 150_000, len(MONTHS))})
SEGMENTS = ["Champions", "Loyal", "At risk", "Lost"]


def _drawn(ax: Axes) -> int:
    return len(ax.patches) + len(ax.lines) + len(ax.collections) + len(ax.images)


CHARTS = {
    "monthly_revenue": lambda ax: P.monthly_revenue(MONTHLY, start="2024-01-01", ax=ax),
    "rolling_revenue": lambda ax: P.rolling_revenue(MONTHLY, ax=ax),
    "bridge_waterfall": lambda ax: P.bridge_waterfall(
        {"new": 180_000, "reactivated": 40_000, "retained": -90_000, "lost": -210_000, "other": 0},
        start=1_500_000, end=1_420_000, ax=ax),
    "decomposition": lambda ax: P.decomposition({"customers": 220_000, "frequency": -40_000, "basket": -260_000}, ax=ax),
    "customer_dynamics": lambda ax: P.customer_dynamics(
        {"retained_customers": 300, "lost_customers": 80, "new_customers": 120, "reactivated_customers": 25}, ax=ax),
    "lost_since": lambda ax: P.lost_since(pd.DataFrame({"last_sale": pd.date_range("2023-01-01", periods=30, freq="11D")}), ax=ax),
    "cohort_heatmap": lambda ax: P.cohort_heatmap(
        pd.DataFrame([[1.0, 0.5, 0.4], [1.0, 0.6, np.nan]], index=["2024-Q1", "2024-Q2"], columns=[0, 1, 2]), ax=ax),
    "segment_sizes": lambda ax: P.segment_sizes(
        pd.DataFrame({"segment": SEGMENTS, "customers": [40, 80, 60, 200], "revenue": [8e5, 5e5, 2e5, 2e4]}), ax=ax),
    "rf_heatmap": lambda ax: P.rf_heatmap(pd.DataFrame({"r_score": RNG.integers(1, 6, 200), "f_score": RNG.integers(1, 6, 200)}), ax=ax),
    "migration_heatmap": lambda ax: P.migration_heatmap(pd.DataFrame(RNG.integers(0, 20, (4, 4)), index=SEGMENTS, columns=SEGMENTS), ax=ax),
    "early_warning_bars": lambda ax: P.early_warning_bars(
        pd.DataFrame({"customer": [f"Client {i}" for i in range(30)], "value_at_stake": np.arange(30) * 1000.0}), ax=ax),
    "pareto_curve": lambda ax: P.pareto_curve(pd.Series(RNG.pareto(1.2, 300) * 1000), ax=ax),
    "salesperson_comparison": lambda ax: P.salesperson_comparison(
        pd.DataFrame({"salesperson": ["A", "B"], "revenue_current": [5e5, 4e5], "revenue_previous": [4.5e5, 4.2e5]}), ax=ax),
    "activity_funnel": lambda ax: P.activity_funnel(
        {"contacts_received": 1200, "calls": 3400, "calls_completed": 1800, "sales": 420}, ax=ax),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CHARTS), ids=list(CHARTS))
def test_chart_draws_on_given_axes(name):
    fig, ax = plt.subplots()
    try:
        out = CHARTS[name](ax)
        assert out is ax
        assert _drawn(ax) > 0
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", list(CHARTS), ids=list(CHARTS))
def test_chart_makes_an_a4_wide_figure_when_no_axes(name):
    ax = CHARTS[name](None)
    try:
        assert isinstance(ax, Axes)
        width_cm = ax.figure.get_size_inches()[0] * 2.54
        # the R×F grid is five by five cells: two thirds of the width
        assert width_cm == pytest.approx(10.5 if name == "rf_heatmap" else P.PAGE_WIDTH_CM)
        ax.figure.canvas.draw()  # renders without error
    finally:
        plt.close(ax.figure)


def _tick_texts(ax: Axes, axis: str) -> list[str]:
    ax.figure.canvas.draw()
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in ticks if t.get_text()]


def test_money_axis_in_french():
    ax = P.monthly_revenue(MONTHLY, start="2024-01-01")
    try:
        labels = _tick_texts(ax, "y")
        assert any(t.endswith("k\u00a0€") for t in labels), labels
        months = _tick_texts(ax, "x")
        assert months[0] == "janv. 2024" and months[-1] == "déc. 2024"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["N−1", "N"]
    finally:
        plt.close(ax.figure)


def test_english_axes():
    ax = P.monthly_revenue(MONTHLY, start="2024-01-01", language="en")
    try:
        assert _tick_texts(ax, "x")[0] == "Jan 2024"
        assert any(t.startswith("€") for t in _tick_texts(ax, "y"))
    finally:
        plt.close(ax.figure)


def test_pareto_marks_the_share_of_the_top_20_percent():
    ax = P.pareto_curve(pd.Series([800.0, 50.0, 50.0, 50.0, 50.0]))
    try:
        texts = [t.get_text() for t in ax.texts]
        assert "80\u00a0%" in texts  # the first customer of five is the top 20 %: 800 / 1000
    finally:
        plt.close(ax.figure)
    ax = P.pareto_curve(pd.Series([50.0] * 6 + [700.0]))  # top 20 % of 7 = the first 2 customers
    try:
        assert "75\u00a0%" in [t.get_text() for t in ax.texts]
    finally:
        plt.close(ax.figure)


def test_bridge_bars_land_on_the_end_revenue():
    bridge = {"new": 100.0, "lost": -300.0}
    ax = P.bridge_waterfall(bridge, start=1000.0, end=800.0)
    try:
        bars = ax.patches
        assert len(bars) == 4
        # the lost bar starts at 800 and is 300 high: the waterfall closes on revenue N
        assert bars[2].get_y() == pytest.approx(800.0)
        assert bars[2].get_height() == pytest.approx(300.0)
        assert bars[3].get_height() == pytest.approx(800.0)
        assert bars[2].get_hatch() == "//"  # a loss reads as a loss in grey too
    finally:
        plt.close(ax.figure)


def _lightness(color: str) -> float:
    r, g, b = to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_is_readable_in_grey():
    pairs = [
        ("current", "previous"),
        ("positive", "negative"),
        ("current", "accent"),
        ("current", "positive_light"),  # retained and new customers, side by side
    ]
    for a, b in pairs:
        assert abs(_lightness(P.COLORS[a]) - _lightness(P.COLORS[b])) > 0.2, (a, b)
    seq = [_lightness(c) for c in P.SEQUENCE[:3]]
    assert seq == sorted(seq)  # dark to light
    assert len(set(P.HATCHES)) == len(P.HATCHES)


def test_setup_notebook_sets_svg_font_and_silences_warnings():
    import warnings

    with warnings.catch_warnings(), matplotlib.rc_context():
        P.setup_notebook()
        assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
        assert any(f[0] == "ignore" and f[2] is Warning for f in warnings.filters)


def test_rolling_revenue_draws_the_analysis_figures_from_a_full_year_only():
    months = pd.date_range("2022-01-01", periods=15, freq="MS")
    revenue = pd.Series(range(1, 16), dtype=float)
    frame = pd.DataFrame(
        {"month": months, "revenue": revenue, "revenue_12m": revenue.rolling(12).sum()}
    )  # NaN for the first 11 months
    ax = P.rolling_revenue(frame, month_col="month")
    ys = ax.lines[0].get_ydata()
    assert list(ys) == [78.0, 90.0, 102.0, 114.0]  # 1 + … + 12, then the window moves


def test_the_waterfall_zooms_on_a_small_change_and_says_so():
    import matplotlib.pyplot as plt

    from icpc.labels import label
    from icpc.report.charts.revenue import bridge_waterfall

    small = {
        "new": 196_450.67,
        "reactivated": 35_092.72,
        "retained": 82_378.86,
        "lost": -305_633.65,
    }
    ax = bridge_waterfall(small, start=1_767_647.37, end=1_775_935.97)
    low, _ = ax.get_ylim()
    assert 1_000_000 < low < 1_767_647.37  # below every step, above zero
    assert ax.get_ylabel() == label("chart.axis_not_zero", "fr")
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "1\u202f767\u202f647\xa0€" and texts[-1] == "1\u202f775\u202f936\xa0€"
    plt.close(ax.figure)
    big = {"new": 900_000.0, "lost": -100_000.0}
    ax = bridge_waterfall(big, start=1_000_000.0, end=1_800_000.0)
    assert ax.get_ylim()[0] == 0 and ax.get_ylabel() == ""
    plt.close(ax.figure)


def test_a_count_too_small_for_its_segment_is_written_after_the_bar():
    import matplotlib.pyplot as plt

    from icpc.report.charts.customers import customer_dynamics

    counts = {"retained_customers": 229, "lost_customers": 31, "new_customers": 102,
              "reactivated_customers": 6}  # fmt: skip
    fig, ax = plt.subplots()
    customer_dynamics(counts, ax=ax, language="fr")
    six = next(t for t in ax.texts if t.get_text() == "6")
    end = 229 + 102 + 6  # the current year's bar ends after the reactivated customers
    assert six.get_position()[0] > end and six.get_ha() == "left"
    assert ax.get_xlim()[1] > six.get_position()[0]  # inside the axes
    inside = next(t for t in ax.texts if t.get_text() == "102")
    assert inside.get_ha() == "center"
    plt.close(fig)


def test_the_customer_bars_tell_every_group_apart_in_grey():
    """Retained (navy) and new customers (green) sit side by side in the bar of N: in grey
    each segment differs from its neighbours by lightness or by hatch."""
    import matplotlib.pyplot as plt

    from icpc.report.charts.customers import customer_dynamics

    counts = {"retained_customers": 200, "lost_customers": 30, "new_customers": 90,
              "reactivated_customers": 6}  # fmt: skip
    ax = customer_dynamics(counts)
    try:
        looks = [
            (bars.patches[0].get_facecolor(), bars.patches[0].get_hatch()) for bars in ax.containers
        ]
        seen = [(round(_lightness(c[:3]), 1), h or "") for c, h in looks]
        assert len(set(seen)) == len(seen) == 4, seen
        # the two dark groups of the bar of N: one lighter by a fifth of the scale at least
        (retained, _), _, (new, new_hatch), _ = looks
        assert abs(_lightness(retained[:3]) - _lightness(new[:3])) > 0.2 and new_hatch
    finally:
        plt.close(ax.figure)
