"""The project's set-up files agree with each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge names that differ from PyPI names, and conda-only entries
CONDA_TO_PYPI = {"distributed": "dask"}
CONDA_ONLY = {"python", "pip", "pango"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pip_deps = {_name(d) for d in pyproject["project"]["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_deps = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    conda_deps = {CONDA_TO_PYPI.get(d, d) for d in conda_deps} - CONDA_ONLY
    assert conda_deps == pip_deps


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci
    assert "make test" in readme and "make demo" in readme


def test_reports_and_environments_are_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "reports/*" in ignored and "!reports/.gitkeep" in ignored
    assert ".venv/" in ignored


def test_nbconvert_exporter_is_registered() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    exporters = pyproject["project"]["entry-points"]["nbconvert.exporters"]
    assert exporters["icpc_pdf"] == "icpc.report.exporter:IcpcPDFExporter"
