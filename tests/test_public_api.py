"""The package's public API: ``import icpc`` is light, every public name resolves."""

from __future__ import annotations

import subprocess
import sys

import icpc


def test_version_and_every_public_name():
    assert icpc.__version__.count(".") >= 2
    for name in icpc.__all__:
        assert getattr(icpc, name) is not None, name


def test_import_is_light():
    code = "import sys, icpc; print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
