"""The follow-up (depuis le dernier diagnostic): the customers flagged last time, each in one
class, the headline indicators across diagnostics, and the earlier runs found on disk."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from test_diagnostic import make_config
from test_kpi import make_tx

from icpc.analysis.follow_up import Earlier
from icpc.diagnostic import Diagnostic
from icpc.exceptions import InputError
from icpc.run.previous import find_earlier, read_earlier

AS_OF = dt.date(2024, 12, 31)
THEN = dt.date(2024, 6, 30)


def _monthly(customer, days, amount=100.0):
    return [(customer, d, amount, f"{customer}-{d}", "Marie") for d in days]


# Flagged at the diagnostic of 30/06/2024: R, L, S2, O, X.
#   R bought again on 15/09 (250) and 01/10 (−50 credit note): recovered, 200 since.
#   L last bought on 01/06/2023: lost now (over 365 days).
#   S2 monthly January–May 2024, silent since: flagged again now (rhythm).
#   O one sale on 20/05, nothing since, not lost, not flagged now (too few dates): other.
#   X is not in the data any more (excluded since): other, with no revenue.
#   N, new in November, was not flagged then.
ROWS = [
    *_monthly("R", ["2024-01-10", "2024-02-10", "2024-03-10"]),
    ("R", "2024-09-15", 250.0, "R-9", "Marie"),
    ("R", "2024-10-01", -50.0, "R-AV", "Marie"),
    *_monthly("L", ["2023-04-01", "2023-05-01", "2023-06-01"]),
    *_monthly("S2", [f"2024-0{m}-05" for m in range(1, 6)]),
    *_monthly("O", ["2024-05-20"]),
    *_monthly("N", ["2024-11-02", "2024-12-02", "2024-12-20"]),
]
EARLIER = (
    Earlier(dt.date(2023, 12, 31), {"revenue": 1000.0, "active_customers": 3}),
    Earlier(THEN, {"revenue": 800.0, "active_customers": 4}, flagged=("R", "L", "S2", "O", "X")),
)


def _diag(earlier=EARLIER):
    return Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of=AS_OF).with_earlier(earlier)


def test_each_flagged_customer_in_one_class_with_the_revenue_recovered():
    fu = _diag().follow_up
    assert fu.previous_as_of == THEN
    assert fu.counts == {"recovered": 1, "lost": 1, "still_flagged": 1, "other": 2}
    assert fu.customers.loc["R", "class"] == "recovered"
    assert fu.customers.loc["S2", "class"] == "still_flagged"
    assert fu.revenue_recovered == 200.0  # 250 − 50, dated after the earlier as_of


def test_the_block_lists_history_oldest_first_then_this_diagnostic():
    block = _diag().kpis_json()["follow_up"]
    assert block["previous_as_of"] == "2024-06-30"
    assert [h["as_of"] for h in block["history"]] == ["2023-12-31", "2024-06-30", "2024-12-31"]
    now = block["history"][-1]
    # 2024: R 300 + 250 − 50, S2 500, O 100, N 300
    assert now["revenue"] == 1400.0 and now["active_customers"] == 4
    assert block["flagged_then"] == {
        "customers": 5, "recovered": 1, "lost": 1, "still_flagged": 1, "other": 2,
        "revenue_recovered": 200.0,
    }  # fmt: skip


def test_without_an_earlier_diagnostic_the_block_is_null():
    kj = Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of=AS_OF).kpis_json()
    assert "follow_up" in kj and kj["follow_up"] is None
    later = (Earlier(dt.date(2025, 6, 30), {}, flagged=("R",)),)
    assert _diag(later).kpis_json()["follow_up"] is None  # only earlier diagnostics count


def test_the_section_says_it_in_words():
    from icpc.report import sections

    shown = sections.follow_up(_diag())
    text = " ".join(str(getattr(x, "data", x)) for x in shown)
    assert "Depuis le dernier diagnostic" in text
    assert "Au diagnostic du 30/06/2024, 5 clients décrochaient" in text.replace("\u202f", " ")
    assert (
        "1 a racheté depuis (200 € de CA), 1 est perdu, 1 décroche encore et 2 autres."
        in text.replace("\u202f", " ").replace("\xa0", " ")
    )  # each verb agrees with its own count
    assert (
        sections.follow_up(Diagnostic.from_frames(make_config(), make_tx(ROWS), as_of=AS_OF)) == []
    )


# --- the earlier runs on disk -----------------------------------------------------------
def _run_folder(root: Path, slug: str, as_of: str, flagged=("A",), revenue=1.0) -> Path:
    folder = root / slug / as_of
    folder.mkdir(parents=True)
    kpis = {
        "slug": slug,
        "as_of": as_of,
        "kpis": {"revenue": {"current": revenue}, "new_customers": 2},
    }
    (folder / "kpis.json").write_text(json.dumps(kpis), encoding="utf-8")
    rows = "customer_id,early_warning\n" + "".join(
        f"{c},{'true' if c in flagged else 'false'}\n" for c in ("A", "B", "C")
    )
    (folder / "customers.csv").write_text(rows, encoding="utf-8")
    return folder


def test_find_earlier_reads_only_this_clients_earlier_runs(tmp_path):
    _run_folder(tmp_path, "acme", "2023-12-31", flagged=("B",), revenue=5.0)
    _run_folder(tmp_path, "acme", "2024-06-30", flagged=("A", "C"))
    _run_folder(tmp_path, "acme", "2024-12-31")  # this run's own date: not earlier
    _run_folder(tmp_path, "other", "2024-09-30")  # another client: never read
    (tmp_path / "acme" / "2024-03-31").mkdir()  # an unfinished folder: no kpis.json
    found = find_earlier(tmp_path / "acme", as_of=AS_OF, slug="acme")
    assert [e.as_of for e in found] == [dt.date(2023, 12, 31), THEN]
    assert found[-1].flagged == ("A", "C") and found[0].flagged == ()
    assert found[0].headline["revenue"] == 5.0 and found[0].headline["new_customers"] == 2
    assert find_earlier(tmp_path / "nobody", as_of=AS_OF, slug="nobody") == ()


def test_previous_names_the_run_followed_up(tmp_path):
    _run_folder(tmp_path, "acme", "2024-06-30", flagged=("A",))
    elsewhere = _run_folder(tmp_path / "archive", "acme", "2024-03-31", flagged=("B", "C"))
    found = find_earlier(tmp_path / "acme", as_of=AS_OF, slug="acme", previous=elsewhere)
    assert found[-1].as_of == dt.date(2024, 3, 31) and found[-1].flagged == ("B", "C")
    assert [e.as_of for e in found] == [dt.date(2024, 3, 31)]  # the later one is not history


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("other_slug", "a diagnostic of another client"),
        ("no_kpis", "not a diagnostic to follow up"),
        ("bad_flag", "early_warning must be true or false"),
        ("no_csv", "customers.csv cannot be read"),
        ("not_earlier", "is not before this run"),
    ],
)
def test_a_bad_previous_is_refused_with_the_fix(tmp_path, damage, message):
    folder = _run_folder(tmp_path, "other" if damage == "other_slug" else "acme",
                         "2025-03-31" if damage == "not_earlier" else "2024-06-30")  # fmt: skip
    if damage == "no_kpis":
        (folder / "kpis.json").unlink()
    elif damage == "bad_flag":
        (folder / "customers.csv").write_text(
            "customer_id,early_warning\nA,oui\n", encoding="utf-8"
        )
    elif damage == "no_csv":
        (folder / "customers.csv").unlink()
    with pytest.raises(InputError, match=message):
        find_earlier(tmp_path / "acme", as_of=AS_OF, slug="acme", previous=folder)


def test_read_earlier_keeps_ids_as_text(tmp_path):
    folder = _run_folder(tmp_path, "acme", "2024-06-30")
    (folder / "customers.csv").write_text(
        "customer_id,early_warning\n00042,true\n42,false\n", encoding="utf-8"
    )
    assert read_earlier(folder, slug="acme").flagged == ("00042",)
