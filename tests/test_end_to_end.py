"""What a user runs: the installed ``icpc`` command on the demo client, bad input as a user
would hand it over, and the README's commands. Each test starts a real process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data_samples" / "demo" / "client.yaml"
ICPC = Path(sys.executable).with_name("icpc")


def icpc(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [str(ICPC)] if ICPC.exists() else [sys.executable, "-m", "icpc.cli"]
    return subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def test_validate_json_on_the_demo_client_accounts_for_every_row() -> None:
    done = icpc("validate", DEMO, "--json")
    assert done.returncode == 0, done.stderr
    quality = json.loads(done.stdout)
    assert quality["rows_read"] == quality["rows_used"] + sum(quality["rows_excluded"].values())
    # the demo's planted dirty rows are excluded under their own names
    for reason in ("missing customer id", "unparseable amount", "unparseable date", "totals line"):
        assert quality["rows_excluded"][reason] > 0, reason
    assert quality["warnings"]["exact duplicate lines"]["rows"] > 0


def test_kpis_json_tells_the_demo_story(tmp_path: Path) -> None:
    customers_csv = tmp_path / "customers.csv"
    done = icpc("kpis", DEMO, "--json", "--customers-csv", customers_csv)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    k = result["kpis"]
    assert result["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert result["previous_period"] == {"start": "2023-01-01", "end": "2023-12-31"}
    # more customers, lower basket, flat revenue: the prospecting bonus
    assert k["active_customers"]["change_pct"] > 0.15
    assert k["average_basket"]["change_pct"] < -0.05
    assert abs(k["revenue"]["change_pct"]) < 0.05
    assert k["new_customers"] > 80 and k["lost_customers"] > 0
    # the identities of docs/definitions.md, on the published figures
    assert (
        k["active_customers"]["current"]
        == k["new_customers"] + k["retained_customers"] + k["reactivated_customers"]
    )
    assert k["active_customers"]["previous"] == k["retained_customers"] + k["lost_customers"]
    assert sum(result["bridge"].values()) == pytest.approx(k["revenue"]["change"], abs=0.011)
    assert sum(result["decomposition"].values()) == pytest.approx(k["revenue"]["change"], abs=0.011)
    table = pd.read_csv(customers_csv, dtype={"customer_id": str})
    assert table["customer_id"].str.match(r"^C\d{5}$").all()  # leading zeros kept
    assert table["customer_id"].is_unique
    scored = table[table["segment"].notna()]
    segments = result["segments"]
    assert sum(s["customers"] for s in segments.values()) == len(scored)


def test_as_of_option_moves_the_periods() -> None:
    done = icpc("kpis", DEMO, "--json", "--as-of", "2024-06-30")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["as_of"] == "2024-06-30"
    assert result["period"] == {"start": "2023-07-01", "end": "2024-06-30"}


def write_client(folder: Path, csv_text: str, columns: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ventes.csv").write_text(csv_text, encoding="cp1252")
    config = folder / "client.yaml"
    config.write_text(
        f'client: "Client Test"\ntransactions:\n  path: ventes.csv\n  columns: {columns}\n',
        encoding="utf-8",
    )
    return config


GOOD_COLUMNS = '{customer_id: "Code", date: "Date", amount: "Montant HT"}'


@pytest.mark.parametrize(
    ("csv_text", "columns", "message"),
    [
        pytest.param(
            "Code;Date;Montant\nC1;03/01/2024;12,50\n",
            GOOD_COLUMNS,
            r'ventes\.csv: column "Montant HT" not found.*"Code", "Date", "Montant".*transactions\.columns\.amount',
            id="missing-column",
        ),
        pytest.param("", GOOD_COLUMNS, r"ventes\.csv.*empty", id="empty-file"),
        pytest.param(
            "Code;Date;Montant HT\n",
            GOOD_COLUMNS,
            r"ventes\.csv.*(no data|headers only|no rows)",
            id="headers-only",
        ),
        pytest.param(
            "Code;Date;Montant HT\nC1;??;abc\n;03/01/2024;1,00\n",
            GOOD_COLUMNS,
            r"ventes\.csv: no usable rows.*1 missing customer id.*1 unparseable date",
            id="all-rows-unusable",
        ),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(
    tmp_path: Path, csv_text: str, columns: str, message: str
) -> None:
    config = write_client(tmp_path / "client", csv_text, columns)
    done = icpc("validate", config)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert re.search(message, lines[0], flags=re.IGNORECASE), lines[0]


def test_missing_input_file_and_bad_config_exit_2(tmp_path: Path) -> None:
    config = write_client(
        tmp_path / "client", "Code;Date;Montant HT\nC1;03/01/2024;1,00\n", GOOD_COLUMNS
    )
    (tmp_path / "client" / "ventes.csv").unlink()
    done = icpc("kpis", config, "--json")
    assert done.returncode == 2 and "ventes.csv" in done.stderr and "Traceback" not in done.stderr
    config.write_text(config.read_text() + "period_month: 6\n", encoding="utf-8")
    done = icpc("kpis", config)
    assert done.returncode == 2
    assert 'did you mean "period_months"' in done.stderr


def test_sample_is_deterministic_through_the_cli(tmp_path: Path) -> None:
    for name in ("a", "b"):
        done = icpc("sample", tmp_path / name, "--seed", "5", "--customers", "150")
        assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "client.yaml" in files
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_readme_commands_are_makefile_targets() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    commands = set(re.findall(r"^make ([a-z-]+)", readme, flags=re.MULTILINE))
    assert {"demo", "test"} <= commands
    assert commands <= targets
    for target in ("demo", "test"):
        dry = subprocess.run(["make", "-n", target], capture_output=True, text=True, cwd=ROOT)
        assert dry.returncode == 0, dry.stderr
    assert (
        "icpc run data_samples/demo/client.yaml"
        in subprocess.run(["make", "-n", "demo"], capture_output=True, text=True, cwd=ROOT).stdout
    )


@pytest.mark.slow
@pytest.mark.notebook
def test_run_on_a_generated_client_writes_every_output(tmp_path: Path) -> None:
    done = icpc("sample", tmp_path / "client", "--seed", "11", "--customers", "120")
    assert done.returncode == 0, done.stderr
    config = Path(done.stdout.strip())
    done = icpc("run", config, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    out_dir = Path(done.stdout.strip().splitlines()[-1])
    assert out_dir.parent.parent == tmp_path / "out"
    names = {p.name for p in out_dir.iterdir()}
    assert {
        "diagnostic.ipynb",
        "diagnostic.pdf",
        "actions.xlsx",
        "kpis.json",
        "customers.csv",
        "manifest.json",
    } <= names
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(out_dir / "diagnostic.pdf").pages)
    kpis = json.loads((out_dir / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["client"] in text
    assert "Traceback" not in text and "import " not in text
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == kpis["as_of"]
    # one scorecard per salesperson, one page each, listed in the manifest with its hash
    from icpc.fsutil import sha256_file
    from icpc.report.scorecard import file_names

    people = [p for p in kpis["by_salesperson"] if p != "(unassigned)"]
    expected = sorted(file_names(people).values())
    assert sorted(p.name for p in (out_dir / "scorecards").iterdir()) == expected
    for name in expected:
        path = out_dir / "scorecards" / name
        assert manifest["files"][f"scorecards/{name}"] == sha256_file(path)
        card = PdfReader(path)
        assert len(card.pages) == 1
        assert kpis["client"] in card.pages[0].extract_text()
