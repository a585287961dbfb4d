"""Tests of icpc.export.manifest: manifest content, fingerprint, up-to-date detection."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from icpc.config import load_config
from icpc.export import manifest as M
from icpc.fsutil import sha256_file

FACTURES = "Code;Date;Montant\nC1;01/02/2024;10,5\n"
CLIENTS = "Code;Nom\nC1;Dupont\n"
CONFIG = """\
client: "Client Test"
slug: client-test
transactions:
  path: data/factures.csv
  columns: {customer_id: Code, date: Date, amount: Montant}
customers:
  path: data/clients.csv
  columns: {customer_id: Code, name: Nom}
"""


@pytest.fixture
def client_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "clients" / "test"
    (folder / "data").mkdir(parents=True)
    (folder / "client.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "data" / "factures.csv").write_text(FACTURES, encoding="utf-8")
    (folder / "data" / "clients.csv").write_text(CLIENTS, encoding="utf-8")
    return folder


def _write_run(config, out_root: Path, as_of: str = "2024-02-01") -> Path:
    """Write fake outputs and their manifest the way the runner does."""
    run_dir = out_root / config.slug / as_of
    run_dir.mkdir(parents=True)
    files = {}
    for name in ("kpis.json", "customers.csv"):
        (run_dir / name).write_text(f"content of {name}\n", encoding="utf-8")
        files[name.split(".")[0]] = run_dir / name
    data_quality = {
        "rows_read": 1, "rows_used": 1, "rows_excluded": {}, "amount_read": 10.5,
        "files": {"transactions": {"path": "factures.csv", "rows_read": 1, "rows_used": 1, "rows_excluded": {}},
                  "customers": {}},
    }  # fmt: skip
    params = {
        "config_path": str(config.source.resolve()),
        "output_dir": str(run_dir.resolve()),
        "as_of": as_of,
    }
    manifest = M.build_manifest(config, parameters=params, data_quality=data_quality, files=files)
    (run_dir / M.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def test_manifest_content(client_dir: Path, tmp_path: Path) -> None:
    config = load_config(client_dir / "client.yaml")
    run_dir = _write_run(config, tmp_path / "reports")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["config"] == {
        "path": "client.yaml",
        "sha256": sha256_file(client_dir / "client.yaml"),
    }
    assert manifest["inputs"] == [
        {"key": "transactions", "path": "data/factures.csv",
         "sha256": sha256_file(client_dir / "data" / "factures.csv"), "bytes": len(FACTURES.encode())},
        {"key": "customers", "path": "data/clients.csv",
         "sha256": sha256_file(client_dir / "data" / "clients.csv"), "bytes": len(CLIENTS.encode())},
    ]  # fmt: skip
    assert manifest["rows"] == {
        "rows_read": 1, "rows_used": 1, "rows_excluded": {},
        "files": {"transactions": {"rows_read": 1, "rows_used": 1, "rows_excluded": {}}},
    }  # fmt: skip
    assert manifest["files"] == {
        "customers.csv": sha256_file(run_dir / "customers.csv"),
        "kpis.json": sha256_file(run_dir / "kpis.json"),
    }
    assert manifest["as_of"] == "2024-02-01"
    assert manifest["icpc_version"] == M.icpc_version()
    assert manifest["code_version"].startswith(M.icpc_version() + "+")
    assert manifest["fingerprint"] == M.fingerprint(config)
    assert {"python", "pandas", "numpy", "pyarrow"} <= set(manifest["packages"])
    assert dt.datetime.fromisoformat(manifest["created"]).tzinfo is not None
    # no absolute path anywhere: parameters are made relative to the config or output folder
    assert manifest["parameters"] == {
        "config_path": "client.yaml",
        "output_dir": ".",
        "as_of": "2024-02-01",
    }
    assert str(tmp_path) not in json.dumps(manifest)


def test_duplicate_output_names_rejected(client_dir: Path, tmp_path: Path) -> None:
    config = load_config(client_dir / "client.yaml")
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "kpis.json").write_text(sub, encoding="utf-8")
    with pytest.raises(ValueError, match="two output files are named kpis.json"):
        M.build_manifest(config, parameters={}, data_quality={},
                         files={"a": tmp_path / "a" / "kpis.json", "b": tmp_path / "b" / "kpis.json"})  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda d: (d / "data" / "factures.csv").write_text(
                "Code;Date;Montant\nC1;01/02/2024;11\n"
            ),
            id="transactions",
        ),
        pytest.param(
            lambda d: (d / "data" / "clients.csv").write_text("Code;Nom\nC1;Durand\n"),
            id="customers",
        ),
        pytest.param(
            lambda d: (d / "client.yaml").write_text(CONFIG + "period_months: 6\n"), id="config"
        ),
    ],
)
def test_fingerprint_changes_with_any_input(client_dir: Path, change) -> None:
    before = M.fingerprint(load_config(client_dir / "client.yaml"))
    assert M.fingerprint(load_config(client_dir / "client.yaml")) == before  # stable
    change(client_dir)
    assert M.fingerprint(load_config(client_dir / "client.yaml")) != before


def test_fingerprint_depends_on_forced_as_of(client_dir: Path) -> None:
    config = load_config(client_dir / "client.yaml")
    assert M.fingerprint(config.with_as_of("2024-01-31")) != M.fingerprint(config)


def test_fingerprint_changes_with_code(client_dir: Path, monkeypatch) -> None:
    config = load_config(client_dir / "client.yaml")
    before = M.fingerprint(config)
    monkeypatch.setattr(M, "_cached_code_version", lambda: "0.1.0+edited")
    assert M.fingerprint(config) != before


def test_code_version_covers_package_notebooks_templates() -> None:
    labels = [label for label, _ in M._code_files()]
    assert "icpc/export/manifest.py" in labels
    assert "icpc/config.py" in labels
    assert not any("__pycache__" in label for label in labels)
    project = Path(M.__file__).resolve().parents[2]
    for nb in (project / "notebooks").glob("*.ipynb"):
        assert "notebooks/" + nb.name in labels
    assert M.code_version(refresh=True) == M.code_version()


def test_find_up_to_date(client_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    config = load_config(client_dir / "client.yaml")
    assert M.find_up_to_date(config, out) is None  # never run
    run_dir = _write_run(config, out)
    assert M.find_up_to_date(config, out) == run_dir

    # a damaged output makes the run stale
    (run_dir / "kpis.json").write_text("edited by hand\n", encoding="utf-8")
    assert M.find_up_to_date(config, out) is None


def test_find_up_to_date_ignores_other_runs(client_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    config = load_config(client_dir / "client.yaml")
    run_dir = _write_run(config, out)
    # an unreadable manifest and a foreign folder are ignored, not errors
    (out / config.slug / "broken").mkdir()
    (out / config.slug / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert M.find_up_to_date(config, out) == run_dir
    # a missing listed file makes the run stale
    (run_dir / "customers.csv").unlink()
    assert M.find_up_to_date(config, out) is None


def test_find_up_to_date_after_input_change(client_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    config = load_config(client_dir / "client.yaml")
    _write_run(config, out)
    (client_dir / "data" / "factures.csv").write_text(
        "Code;Date;Montant\nC1;01/02/2024;99\n", encoding="utf-8"
    )
    assert M.find_up_to_date(load_config(client_dir / "client.yaml"), out) is None


def test_manifest_listing_escaping_names_is_not_trusted(client_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    config = load_config(client_dir / "client.yaml")
    run_dir = _write_run(config, out)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {"../../clients/test/client.yaml": sha256_file(client_dir / "client.yaml")}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert M.find_up_to_date(config, out) is None


def test_staged_files_with_final_out_dir(client_dir: Path, tmp_path: Path) -> None:
    """The runner stages files in a hidden folder, then renames them into the run folder."""
    config = load_config(client_dir / "client.yaml")
    run_dir = tmp_path / "reports" / "client-test" / "2024-02-01"
    staging = run_dir.parent / ".2024-02-01.x.tmp"
    staging.mkdir(parents=True)
    (staging / "kpis.json").write_text("{}", encoding="utf-8")
    params = {"config_path": str(client_dir / "client.yaml"), "output_dir": str(run_dir)}
    manifest = M.build_manifest(config, parameters=params, data_quality={}, files={"kpis": staging / "kpis.json"},
                                as_of=dt.date(2024, 2, 1), out_dir=run_dir)  # fmt: skip
    assert manifest["parameters"] == {"config_path": "client.yaml", "output_dir": "."}
    assert manifest["as_of"] == "2024-02-01"
    assert manifest["files"] == {"kpis.json": sha256_file(staging / "kpis.json")}


def _write_run_with_scorecards(config, out_root: Path) -> Path:
    """A run folder whose manifest lists files of a subfolder, as the runner's scorecards."""
    run_dir = out_root / config.slug / "2024-02-01"
    (run_dir / "scorecards").mkdir(parents=True)
    (run_dir / "kpis.json").write_text("{}", encoding="utf-8")
    (run_dir / "scorecards" / "anne.pdf").write_bytes(b"%PDF anne")
    files = {"kpis.json": run_dir / "kpis.json",
             "scorecards/anne.pdf": run_dir / "scorecards" / "anne.pdf"}  # fmt: skip
    manifest = M.build_manifest(config, parameters={"as_of": "2024-02-01"}, data_quality={},
                                files=files, folder=run_dir)  # fmt: skip
    (run_dir / M.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def test_files_of_a_subfolder_are_listed_by_their_path_in_the_run_folder(
    client_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    config = load_config(client_dir / "client.yaml")
    run_dir = _write_run_with_scorecards(config, out)
    manifest = json.loads((run_dir / M.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["files"] == {
        "kpis.json": sha256_file(run_dir / "kpis.json"),
        "scorecards/anne.pdf": sha256_file(run_dir / "scorecards" / "anne.pdf"),
    }
    assert M.find_up_to_date(config, out) == run_dir
    (run_dir / "scorecards" / "anne.pdf").write_bytes(b"%PDF edited")  # a damaged scorecard
    assert M.find_up_to_date(config, out) is None


def test_a_file_outside_the_run_folder_is_refused(client_dir: Path, tmp_path: Path) -> None:
    config = load_config(client_dir / "client.yaml")
    (tmp_path / "run").mkdir()
    (tmp_path / "elsewhere.pdf").write_bytes(b"x")
    with pytest.raises(ValueError, match="not in the run folder"):
        M.build_manifest(config, parameters={}, data_quality={},
                         files={"x": tmp_path / "elsewhere.pdf"}, folder=tmp_path / "run")  # fmt: skip


@pytest.mark.parametrize(
    "name",
    ["../kpis.json", "scorecards/../../kpis.json", "scorecards//anne.pdf", "./kpis.json",
     "/etc/passwd", "scorecards\\anne.pdf", ""],
    ids=["parent", "parent-inside", "empty-part", "dot", "absolute", "backslash", "empty"],
)  # fmt: skip
def test_a_listed_path_leaving_the_run_folder_is_not_trusted(
    client_dir: Path, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "reports"
    config = load_config(client_dir / "client.yaml")
    run_dir = _write_run_with_scorecards(config, out)
    manifest = json.loads((run_dir / M.MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["files"][name] = sha256_file(run_dir / "kpis.json")
    (run_dir / M.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    assert M.find_up_to_date(config, out) is None
