"""Shared fixtures: paths are built from this file, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

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
