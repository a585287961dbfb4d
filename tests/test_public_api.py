"""The package's public API: ``import icpc`` is light, every public name resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_kpis_side_of_a_run_does_not_import_matplotlib():
    """``icpc run``'s own process writes kpis.json, the workbook and the scorecards while
    its kernel draws: importing what it uses must not import matplotlib (0.7 s of CPU)."""
    code = (
        "import sys, icpc.run.runner, icpc.report.sections, icpc.report.sections.registry, "
        "icpc.report.scorecard, icpc.export.excel, icpc.report.exporter; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_charts_load_on_first_use():
    import importlib

    from icpc.report import charts, plots

    assert plots.__all__ == charts.__all__
    for name in charts.__all__:
        value = getattr(plots, name)
        module = importlib.import_module(f"icpc.report.charts.{charts._MODULES[name]}")
        assert value is getattr(module, name) is getattr(charts, name), name
    assert set(charts.__all__) <= set(dir(plots))
    for module in (charts, plots):
        with pytest.raises(AttributeError, match="no_such_chart"):
            module.no_such_chart  # noqa: B018


def test_run_starts_its_kernel_before_importing_pandas(tmp_path):
    """``icpc run`` starts the notebook's kernel first thing, before it parses its command
    line: importing pyarrow, pandas and the config before it (0.4 s) would delay the kernel
    the notebook waits for."""
    code = (
        "import sys, icpc.run.kernel as k\n"
        "def prestart():\n"
        "    print('pandas' in sys.modules, 'icpc.io' in sys.modules, 'pyarrow' in sys.modules)\n"
        "    raise SystemExit(0)\n"
        "k.prestart = prestart\n"
        "from icpc.cli import main\n"
        f"main(['run', {str(tmp_path / 'client.yaml')!r}])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
