"""The CLI is thin: it parses arguments, calls the library, and maps errors to exit codes.

These tests patch the library calls (no data, no kernel) and check arguments and exits.
End-to-end runs of the real commands live in tests/test_end_to_end.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from icpc import cli
from icpc.exceptions import ConfigError, InputError, RunError


def fake_module(monkeypatch: pytest.MonkeyPatch, name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("sample", "validate", "kpis", "run", "batch"):
        assert command in out


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"icpc {version('icpc')}\n"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["kpis", "client.yaml", "--nope"], "no such option: --nope"),
        (["kpis"], "missing argument 'CONFIG' (see icpc kpis --help)"),
        (["sample", "out", "--seed", "abc"], "(see icpc sample --help)"),
        (["nope"], "no such command 'nope' (see icpc --help)"),
        (["kpis", "client.yaml", "extra"], "unexpected extra argument"),
    ],
    ids=["unknown-option", "missing-argument", "bad-value", "unknown-command", "extra-argument"],
)
def test_a_usage_error_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("icpc: ") and said in err
    assert err.rstrip().endswith("--help)")


@pytest.mark.parametrize(
    "error",
    [
        ConfigError('client.yaml: unknown key "cliend"; did you mean "client"?'),
        InputError('factures.csv: column "Montant HT" not found'),
    ],
    ids=["config-error", "input-error"],
)
def test_user_errors_print_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception
) -> None:
    def boom(path: Any) -> Any:
        raise error

    fake_module(monkeypatch, "icpc.cleaning", load_dataset=boom)
    monkeypatch.setattr("icpc.config.load_config", boom)
    assert cli.main(["validate", "client.yaml"]) == 2
    err = capsys.readouterr().err
    assert err == f"icpc: {error}\n"


def test_run_error_exits_1_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run_client(config: Any, **kwargs: Any) -> Any:
        raise RunError("section Revenue explained: ZeroDivisionError: division by zero")

    fake_module(monkeypatch, "icpc.run.runner", run_client=run_client)
    assert cli.main(["run", "client.yaml"]) == 1
    assert (
        capsys.readouterr().err
        == "icpc: section Revenue explained: ZeroDivisionError: division by zero\n"
    )


def test_unexpected_errors_keep_their_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def run_client(config: Any, **kwargs: Any) -> Any:
        raise KeyError("bug")

    fake_module(monkeypatch, "icpc.run.runner", run_client=run_client)
    with pytest.raises(KeyError):
        cli.main(["run", "client.yaml"])


def test_kpis_json_passes_as_of_and_prints_the_contract(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    class FakeConfig:
        language = "fr"

        def with_as_of(self, as_of: Any) -> FakeConfig:
            seen["as_of"] = as_of
            return self

    def load_cached_entry(config: Any) -> tuple[str, None]:
        seen["config"], seen["cache"] = config, True
        return "the dataset", None

    class FakeDiagnostic:
        def __init__(self, dataset: Any) -> None:
            seen["dataset"] = dataset

        def kpis_json(self) -> dict[str, Any]:
            return {"client": "Société X", "kpis": {"revenue": {"current": 1.5}}}

        def write_customers_csv(self, path: Path) -> None:
            Path(path).write_text("customer_id\nC1\n", encoding="utf-8")

        def data_end_warning(self) -> str | None:
            return None

        @contextlib.contextmanager
        def background(self, *names: str, inputs: tuple[str, ...] = ()) -> Iterator[None]:
            seen["background"] = names
            yield

    import icpc.run.runner  # noqa: F401  (imported now: it must not keep the fake load_config)

    monkeypatch.setattr(
        "icpc.config.load_config", lambda path: seen.setdefault("path", path) and FakeConfig()
    )
    fake_module(monkeypatch, "icpc.diagnostic", Diagnostic=FakeDiagnostic)
    monkeypatch.setattr("icpc.cleaning.cache.load_cached_entry", load_cached_entry)
    monkeypatch.setattr("icpc.export.outputs_cache.lookup", lambda config, customers: None)
    target = tmp_path / "out" / "customers.csv"
    code = cli.main(
        ["kpis", "c.yaml", "--as-of", "2024-06-30", "--json", "--customers-csv", str(target)]
    )
    assert code == 0
    assert seen["path"] == Path("c.yaml") and seen["as_of"] == dt.date(2024, 6, 30)
    assert seen["cache"] is True  # the cache of cleaned datasets, unless --no-cache
    assert seen["dataset"] == "the dataset" and isinstance(seen["config"], FakeConfig)
    assert json.loads(capsys.readouterr().out) == {
        "client": "Société X",
        "kpis": {"revenue": {"current": 1.5}},
    }
    assert target.read_text(encoding="utf-8") == "customer_id\nC1\n"
    assert seen["background"] == ("warning_rules", "warning_ranking", "alive")
    assert [p.name for p in target.parent.iterdir()] == ["customers.csv"]  # no temp file left


def test_batch_exits_1_when_a_client_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, Any] = {}

    def run_batch(configs: list[Path], **kwargs: Any) -> Any:
        calls.update(kwargs, configs=configs)
        return types.SimpleNamespace(failed=1, done=1, skipped=0)

    fake_module(monkeypatch, "icpc.run.batch", run_batch=run_batch)
    assert (
        cli.main(["batch", "a.yaml", "b.yaml", "--jobs", "2", "--force", "--dask", "tcp://h:8786"])
        == 1
    )
    assert calls == {
        "configs": [Path("a.yaml"), Path("b.yaml")],
        "jobs": 2,
        "out": None,
        "force": True,
        "dask_address": "tcp://h:8786",
        "cache": True,
    }
    assert cli.main(["batch", "a.yaml", "--no-cache"]) == 1
    assert calls["cache"] is False


# --------------------------------------------------------------------------------------
# --as-of: one parser for kpis, run and validate; a bad date blames the option
# --------------------------------------------------------------------------------------
CONFIG = """\
client: "Avoirs et Ventes SARL"
transactions:
  path: factures.csv
  columns: {customer_id: "Code client", date: "Date", amount: "Montant HT"}
"""
# three sales; two of them after 2024-01-31
INVOICES = "Code client;Date;Montant HT\nC1;2024-01-10;100,00\nC2;2024-02-10;200,00\nC3;2024-03-10;300,00\n"


def write_client(folder: Path) -> Path:
    (folder / "factures.csv").write_text(INVOICES, encoding="utf-8")
    config = folder / "client.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


@pytest.mark.parametrize("command", ["kpis", "run", "validate"], ids=["kpis", "run", "validate"])
@pytest.mark.parametrize(
    "value",
    ["2024-02-30", "31/13/2024", "tomorrow", "2024-12-31T00:00"],
    ids=["feb-30", "month-13", "word", "datetime"],
)
def test_a_bad_as_of_names_the_option_not_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    config = write_client(tmp_path)
    assert cli.main([command, str(config), "--as-of", value]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"icpc: --as-of {value} is not a valid date; write it as YYYY-MM-DD (e.g. 2024-12-31)\n"
    )
    assert captured.out == ""


@pytest.mark.parametrize("command", ["kpis", "validate"])
@pytest.mark.parametrize("value", ["1600-01-01", "2262-04-12"])
def test_an_as_of_out_of_range_names_the_option_and_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    config = write_client(tmp_path)
    assert cli.main([command, str(config), "--as-of", value]) == 2
    assert capsys.readouterr().err == (
        f"icpc: --as-of {value} is out of range; give a date between 1900-01-01 and 2199-12-31\n"
    )


def test_the_last_as_of_of_the_range_runs_every_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The widest windows at the range's ends: no date arithmetic overflows."""
    config = write_client(tmp_path)
    config.write_text(
        CONFIG + "period_months: 120\nrfm_window_months: 120\n"
        "thresholds: {lost_after_days: 36525, new_within_days: 36525, trend_months: 120, "
        "backtest_months: 120}\n",
        encoding="utf-8",
    )
    assert cli.main(["kpis", str(config), "--as-of", "2199-12-31", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kpis"]["revenue"]["current"] == 0.0  # N: 2190-2199, no sale then
    assert cli.main(["kpis", str(config), "--as-of", "2024-12-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["revenue"]["current"] == 600.0


def test_a_huge_as_of_is_cut_in_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_client(tmp_path)
    assert cli.main(["kpis", str(config), "--as-of", "9" * 100_000]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and len(err) < 200 and "--as-of" in err and "100000 characters" in err
    )


def test_validate_applies_as_of(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_client(tmp_path)
    assert cli.main(["validate", str(config), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["rows_used"] == 3 and before["rows_excluded"]["after as_of"] == 0
    assert cli.main(["validate", str(config), "--as-of", "2024-01-31", "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["rows_used"] == 1 and after["rows_excluded"]["after as_of"] == 2
    assert after["amounts_excluded"]["after as_of"] == 500.0


def test_validate_as_of_overrides_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_client(tmp_path)
    config.write_text(CONFIG + "as_of: 2024-12-31\n", encoding="utf-8")
    assert cli.main(["validate", str(config), "--as-of", "2024-02-10", "--json"]) == 0
    assert (
        json.loads(capsys.readouterr().out)["rows_excluded"]["after as_of"] == 1
    )  # only 2024-03-10


def test_run_passes_the_parsed_date(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def run_client(config: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return types.SimpleNamespace(out_dir=tmp_path)

    fake_module(monkeypatch, "icpc.run.runner", run_client=run_client)
    assert cli.main(["run", "client.yaml", "--as-of", "31/12/2024"]) == 0  # the config's formats
    assert seen["as_of"] == dt.date(2024, 12, 31)
    assert cli.main(["run", "client.yaml"]) == 0
    assert seen["as_of"] is None and seen["cache"] is True
    assert cli.main(["run", "client.yaml", "--no-cache"]) == 0
    assert seen["cache"] is False


@pytest.mark.parametrize("csv", [False, True], ids=["json-only", "with-customers-csv"])
def test_kpis_fits_bg_nbd_only_for_customers_csv(tmp_path: Path, capsys, monkeypatch, csv) -> None:
    from icpc.diagnostic import Diagnostic

    asked: list[tuple[str, ...]] = []
    real = Diagnostic.background

    def spy(self, *names, inputs=()):
        asked.append(names)
        return real(self, *names, inputs=inputs)

    monkeypatch.setattr(Diagnostic, "background", spy)
    demo = Path(__file__).resolve().parents[1] / "data_samples" / "demo" / "client.yaml"
    extra = ["--customers-csv", str(tmp_path / "c.csv")] if csv else []
    assert cli.main(["kpis", str(demo), "--json", *extra]) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["revenue"]["current"] > 0
    assert ("alive" in asked[0]) is csv


def _console(code: str, tmp_path: Path) -> Any:
    """Run ``code`` then :func:`icpc.cli.console` in a fresh interpreter."""
    import os
    import subprocess

    script = f"import sys\n{code}\nfrom icpc.cli import console\nconsole()\n"
    # buffered output, as from a terminal's shell (PYTHONUNBUFFERED would hide a lost buffer)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
        env=env, timeout=120,
    )  # fmt: skip


def test_console_keeps_the_exit_code_and_runs_the_exit_handlers(tmp_path: Path) -> None:
    # the fast exit skips the interpreter's teardown, not what was registered to run at exit
    done = _console(
        "import atexit, pathlib\n"
        "atexit.register(lambda: pathlib.Path('handler-ran').write_text('yes'))\n"
        "sys.argv = ['icpc', 'kpis', 'missing.yaml']",
        tmp_path,
    )
    assert done.returncode == 2
    assert "missing.yaml" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "handler-ran").read_text() == "yes"


def test_console_flushes_buffered_output_before_ending(tmp_path: Path) -> None:
    # printed but still in the buffer when the command returns: it reaches the pipe whole
    done = _console(
        "import icpc.cli\n"
        "def main():\n"
        "    sys.stdout.write('x' * 300_000)\n"
        "    sys.stdout.write('end')\n"
        "    sys.stderr.write('done')\n"
        "    return 0\n"
        "icpc.cli.main = main",
        tmp_path,
    )
    assert done.returncode == 0
    assert done.stdout == "x" * 300_000 + "end" and done.stderr == "done"


def test_console_waits_for_a_thread_still_working(tmp_path: Path) -> None:
    # a thread left running by a command (none is today) finishes its work, as without
    # the fast exit
    done = _console(
        "import icpc.cli, pathlib, threading, time\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        "    pathlib.Path('thread-done').write_text('yes')\n"
        "def main():\n"
        "    threading.Thread(target=late).start()\n"
        "    return 3\n"
        "icpc.cli.main = main",
        tmp_path,
    )
    assert done.returncode == 3
    assert (tmp_path / "thread-done").read_text() == "yes"


def test_only_a_run_starts_the_kernel_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    from icpc.run import kernel

    started: list[bool] = []
    monkeypatch.setattr(kernel, "prestart", lambda: started.append(True))
    monkeypatch.setattr(kernel, "discard_prestarted", lambda: None)
    for args in (["run", "--help"], ["run", "a.yaml", "-h"], ["kpis", "--help"], ["--help"], []):
        cli.main(args)
        assert not started, args
    assert cli._starts_a_run(["run", "a.yaml"]) and cli._starts_a_run(["run"])


@pytest.mark.notebook
def test_a_usage_error_stops_the_kernel_started_for_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``icpc run`` starts its kernel before it reads its command line: when that line is
    wrong, the kernel is stopped and its folder removed (no process left behind)."""
    from jupyter_core.utils import run_sync

    from icpc.run import kernel

    threads: list[Any] = []
    start = kernel.KernelThread.start.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        kernel.KernelThread, "start",
        classmethod(lambda cls, folder: threads.append(start(cls, folder)) or threads[-1]),
    )  # fmt: skip
    assert cli.main(["run", "client.yaml", "--no-such-option"]) == 2
    assert "--no-such-option" in capsys.readouterr().err
    assert len(threads) == 1 and kernel.take_prestarted() is None
    assert not threads[0].folder.exists()
    assert not run_sync(threads[0].kernel.result().is_alive)()
