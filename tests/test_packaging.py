"""The project's set-up files agree with each other.

pyproject.toml says what icpc needs; environment.yml (conda) lists the same; the lock
(requirements.lock, what ``make install`` installs) pins every one of them at a version
pyproject.toml allows; the Makefile installs from the lock and reinstalls when it changes.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"

# conda-forge names that differ from PyPI names, and conda-only entries
CONDA_TO_PYPI = {"distributed": "dask"}
CONDA_ONLY = {"python", "pip", "pango", "harfbuzz"}
# the extras of pyproject.toml that environment.yml installs from conda-forge (dev: by pip)
CONDA_EXTRAS = ("lab",)
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _makefile_extras() -> list[str]:
    found = re.search(r"^EXTRAS\s*:?=\s*(\S+)\s*$", (ROOT / "Makefile").read_text(), re.M)
    assert found, "the Makefile names the extras of the lock (EXTRAS := ...)"
    return found.group(1).split(",")


def _locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = PINNED.match(line.strip())
        assert match, f"not pinned as name==version: {line!r}"
        pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    pyproject = _pyproject()
    pip_deps = {_name(d) for d in pyproject["project"]["dependencies"]}
    for extra in CONDA_EXTRAS:
        pip_deps |= {_name(d) for d in pyproject["project"]["optional-dependencies"][extra]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_deps = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    conda_deps = {CONDA_TO_PYPI.get(d, d) for d in conda_deps} - CONDA_ONLY
    assert conda_deps == pip_deps
    assert "jupyterlab" in conda_deps


def test_jupyterlab_is_installed_by_make_install() -> None:
    extras = _makefile_extras()
    optional = _pyproject()["project"]["optional-dependencies"]
    assert "lab" in extras and "dev" in extras
    assert set(extras) <= set(optional)
    assert "jupyterlab" in {_name(d) for d in optional["lab"]}


def test_lock_pins_every_package_and_leaves_the_project_out() -> None:
    text = LOCK.read_text()
    assert text.startswith("#") and "make lock" in text.split("\n", 1)[0]  # says how it is made
    pins = _locked()  # every line name==version
    assert "icpc" not in pins
    assert len(pins) == len(
        [line for line in text.splitlines() if line and not line.startswith("#")]
    )  # no twice


def test_lock_satisfies_every_requirement_of_pyproject() -> None:
    pyproject = _pyproject()
    wanted = [Requirement(d) for d in pyproject["project"]["dependencies"]]
    for extra in _makefile_extras():
        wanted += [Requirement(d) for d in pyproject["project"]["optional-dependencies"][extra]]
    pins = _locked()
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pins, (
            f"{req} is in pyproject.toml but not in requirements.lock: run make lock"
        )
        assert req.specifier.contains(Version(pins[name]), prereleases=True), (
            f"requirements.lock has {name}=={pins[name]}, pyproject.toml asks {req}: run make lock"
        )
        for extra in req.extras:  # dask[distributed] brings distributed
            try:
                needs = importlib.metadata.requires(req.name) or []
            except importlib.metadata.PackageNotFoundError:
                continue
            for line in needs:
                sub = Requirement(line)
                if (
                    sub.marker is not None
                    and sub.marker.evaluate({"extra": extra})
                    and not sub.marker.evaluate({"extra": ""})
                ):
                    assert canonicalize_name(sub.name) in pins, (
                        f"{sub.name} ({req}) missing from the lock"
                    )


def _dry_run(folder: Path, lock_mtime: int) -> str:
    """``make -n .venv/.installed`` in a copy of the set-up files, the stamp at t=2000."""
    stamp = folder / ".venv" / ".installed"
    os.utime(folder / "pyproject.toml", (1000, 1000))
    os.utime(folder / "requirements.lock", (lock_mtime, lock_mtime))
    os.utime(stamp, (2000, 2000))
    done = subprocess.run(
        ["make", "-n", ".venv/.installed"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_install_installs_from_the_lock_and_reinstalls_when_it_changes(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".installed").touch()
    assert "pip install" not in _dry_run(tmp_path, lock_mtime=1500)  # up to date
    commands = _dry_run(tmp_path, lock_mtime=3000)  # the lock changed after the install
    lock_install = commands.index("pip install --quiet -r requirements.lock")
    project_install = commands.index("pip install --quiet --no-deps -e .")
    assert lock_install < project_install
    assert "pip check" in commands[project_install:]


def test_make_lock_freezes_a_fresh_venv() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lock:\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "a make lock target"
    body = recipe.group(1)
    assert "-m venv" in body and "mktemp -d" in body  # a fresh temporary venv, not .venv/
    assert "pip install --quiet -e '.[$(EXTRAS)]'" in body
    assert "pip freeze --exclude-editable" in body


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
