"""Shared fixtures: paths are built from this file, never from the working directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# never the user's cache of cleaned datasets (~/.cache/icpc): a session folder, and a fresh
# one for each test below (an entry of one test never serves another)
os.environ["ICPC_CACHE_DIR"] = tempfile.mkdtemp(prefix="icpc-test-cache-")
for _name in ("ICPC_NO_CACHE", "ICPC_CACHE_MAX_BYTES"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DEMO = ROOT / "data_samples" / "demo"


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture
def demo_config() -> Path:
    """The demo client's config file (committed in data_samples/demo)."""
    return DEMO / "client.yaml"


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test's own cache of cleaned datasets (ICPC_CACHE_DIR), empty at its start."""
    folder = tmp_path_factory.mktemp("icpc-cache")
    monkeypatch.setenv("ICPC_CACHE_DIR", str(folder))
    return folder
