"""Outputs appear atomically, with the usual permissions, and nothing is left on failure."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from icpc.fsutil import atomic_path, atomic_write_text, sha256_file


def test_atomic_write_publishes_with_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = atomic_write_text(tmp_path / "sub" / "kpis.json", '{"a": 1}')
    finally:
        os.umask(old)
    assert target.read_text() == '{"a": 1}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["kpis.json"]


def test_failure_leaves_target_untouched_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "customers.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half-writ")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["customers.csv"]


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # more than one chunk
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
