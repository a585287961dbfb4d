"""Tests of icpc.run.batch: client list, isolation of failures, up-to-date skip, Dask, Ctrl-C.

Most tests inject a light runner (``fake_runner``, below) that writes outputs and a real
manifest the way :func:`icpc.run.runner.run_client` does, so that the batch machinery (worker
processes, skip, failure isolation) is tested in seconds. The tests marked ``notebook``
run the real runner end to end.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from icpc.config import load_config
from icpc.exceptions import ConfigError, InputError
from icpc.export.manifest import MANIFEST_NAME, build_manifest
from icpc.fsutil import atomic_path, atomic_write_text
from icpc.run import backends
from icpc.run import batch as B
from icpc.run.backends import STOP_GRACE_SECONDS

TESTS = Path(__file__).resolve().parent

CONFIG = """\
client: "{name}"
transactions:
  path: factures.csv
  columns: {{customer_id: Code, date: Date, amount: Montant}}
"""


def fake_runner(config_path, *, out=None):
    """Stand-in for run_client: outputs + a real manifest, atomically; fails like it would."""
    config = load_config(config_path)
    source = config.transactions.path
    if not source.is_file():
        raise InputError(
            f"{source.name}: file not found; check transactions.path in {Path(config_path).name}"
        )
    text = source.read_text(encoding="utf-8")
    if "boom" in text:
        raise ValueError("boom in the data")
    run_dir = Path(out) / config.slug / "2024-12-31"
    files = {
        "kpis": atomic_write_text(
            run_dir / "kpis.json", json.dumps({"lines": text.count("\n") - 1})
        ),
        "customers": atomic_write_text(run_dir / "customers.csv", "customer_id\nC1\n"),
    }
    manifest = build_manifest(
        config, parameters={"as_of": "2024-12-31"}, data_quality={}, files=files
    )
    atomic_write_text(run_dir / MANIFEST_NAME, json.dumps(manifest))
    return SimpleNamespace(out_dir=run_dir, files=files, skipped=False, seconds=0.0)


def slow_runner(config_path, *, out=None):
    """Holds a temporary output open for a minute, to be interrupted."""
    config = load_config(config_path)
    with atomic_path(Path(out) / config.slug / "2024-12-31" / "kpis.json") as tmp:
        tmp.write_text("partial", encoding="utf-8")
        (Path(out) / f"{config.slug}.started").write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(60)
    return SimpleNamespace(out_dir=Path(out) / config.slug, files={}, skipped=False, seconds=60.0)


def make_client(root: Path, name: str, data: str = "Code;Date;Montant\nC1;01/02/2024;10\n") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "client.yaml").write_text(CONFIG.format(name=name), encoding="utf-8")
    if data is not None:
        (folder / "factures.csv").write_text(data, encoding="utf-8")
    return folder / "client.yaml"


def by_slug(summary: B.BatchSummary) -> dict[str, B.ClientOutcome]:
    return {(r.slug or r.config.parent.name): r for r in summary.results}


# --------------------------------------------------------------------------------------
# list of clients
# --------------------------------------------------------------------------------------
def test_expand_configs_reads_lists(tmp_path: Path) -> None:
    a = make_client(tmp_path, "a")
    b = make_client(tmp_path, "b")
    listing = tmp_path / "clients.txt"
    listing.write_text(
        "# quarter clients\n\na/client.yaml   # comment\n  b/client.yaml\na/client.yaml\n",
        encoding="utf-8",
    )
    assert B.expand_configs([listing]) == [a.resolve(), b.resolve()]
    assert B.expand_configs([b, listing]) == [b.resolve(), a.resolve()]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        pytest.param(
            "a/client.yaml\nfactures.csv\n",
            r"clients.txt, line 2: 'factures.csv' is not a .yaml",
            id="not-yaml",
        ),
        pytest.param("# nothing\n", "no client config given", id="empty"),
    ],
)
def test_expand_configs_bad_list(tmp_path: Path, content: str, match: str) -> None:
    listing = tmp_path / "clients.txt"
    listing.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        B.expand_configs([listing])


def test_missing_list_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read this list of configs"):
        B.expand_configs([tmp_path / "nope.txt"])


def test_duplicate_slugs_refused_before_start(tmp_path: Path) -> None:
    make_client(tmp_path, "a")
    make_client(tmp_path / "other", "a")
    out = tmp_path / "reports"
    with pytest.raises(ConfigError, match='slug "a" is also the slug of'):
        B.run_batch([tmp_path / "a" / "client.yaml", tmp_path / "other" / "a" / "client.yaml"],
                    jobs=1, out=out, progress=False, runner=fake_runner)  # fmt: skip
    assert not out.exists()


# --------------------------------------------------------------------------------------
# local processes
# --------------------------------------------------------------------------------------
def test_one_broken_client_does_not_stop_the_others(tmp_path: Path) -> None:
    clients = [
        make_client(tmp_path, "good-1"),
        make_client(tmp_path, "missing-data", data=None),
        make_client(tmp_path, "crash", data="Code;Date;Montant\nboom;01/02/2024;1\n"),
        make_client(
            tmp_path, "good-2", data="Code;Date;Montant\nC1;01/02/2024;1\nC2;02/02/2024;2\n"
        ),
    ]
    bad_yaml = tmp_path / "bad-yaml" / "client.yaml"
    bad_yaml.parent.mkdir()
    bad_yaml.write_text("client: [unclosed\n", encoding="utf-8")
    out = tmp_path / "reports"

    summary = B.run_batch([*clients, bad_yaml], jobs=2, out=out, progress=False, runner=fake_runner)

    assert (summary.done, summary.failed, summary.skipped) == (2, 3, 0)
    assert [r.config for r in summary.results] == [p.resolve() for p in [*clients, bad_yaml]]
    got = by_slug(summary)
    assert got["good-1"].status == got["good-2"].status == "done"
    assert json.loads((out / "good-2" / "2024-12-31" / "kpis.json").read_text()) == {"lines": 2}
    assert got["good-1"].out_dir == out / "good-1" / "2024-12-31"
    assert (
        got["missing-data"].error
        == "factures.csv: file not found; check transactions.path in client.yaml"
    )
    assert got["missing-data"].detail is None
    assert got["crash"].error == "ValueError: boom in the data"
    assert "Traceback" in got["crash"].detail
    assert got["bad-yaml"].status == "failed" and "not valid YAML" in got["bad-yaml"].error
    assert not (out / "crash").exists() and not (out / "missing-data").exists()


def test_up_to_date_client_skipped_and_force_redoes(tmp_path: Path) -> None:
    a = make_client(tmp_path, "a")
    b = make_client(tmp_path, "b")
    out = tmp_path / "reports"
    first = B.run_batch([a, b], jobs=2, out=out, progress=False, runner=fake_runner)
    assert (first.done, first.skipped) == (2, 0)
    created = (out / "a" / "2024-12-31" / MANIFEST_NAME).stat().st_mtime_ns

    second = B.run_batch([a, b], jobs=2, out=out, progress=False, runner=fake_runner)
    assert (second.done, second.skipped) == (0, 2)
    assert by_slug(second)["a"].out_dir == out / "a" / "2024-12-31"
    assert (out / "a" / "2024-12-31" / MANIFEST_NAME).stat().st_mtime_ns == created

    # a changed input re-runs that client only
    (tmp_path / "b" / "factures.csv").write_text(
        "Code;Date;Montant\nC9;01/03/2024;5\n", encoding="utf-8"
    )
    third = B.run_batch([a, b], jobs=2, out=out, progress=False, runner=fake_runner)
    assert {k: r.status for k, r in by_slug(third).items()} == {"a": "skipped", "b": "done"}

    forced = B.run_batch([a, b], jobs=1, out=out, force=True, progress=False, runner=fake_runner)
    assert (forced.done, forced.skipped) == (2, 0)
    assert (out / "a" / "2024-12-31" / MANIFEST_NAME).stat().st_mtime_ns != created


def test_progress_display_and_summary_table(tmp_path: Path, capsys) -> None:
    a = make_client(tmp_path, "a")
    broken = make_client(tmp_path, "broken", data=None)
    summary = B.run_batch(
        [a, broken], jobs=1, out=tmp_path / "reports", progress=True, runner=fake_runner
    )
    assert summary.failed == 1
    captured = capsys.readouterr()
    assert "icpc batch: 2 clients" in captured.out
    assert "1 done, 0 up to date, 1 failed." in captured.out
    assert "factures.csv: file not found" in captured.out
    assert (
        "failed: broken: factures.csv: file not found; check transactions.path in client.yaml\n"
        in captured.out
    )
    assert "FAILED" in captured.err  # the per-client line printed above the progress bar


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--jobs must be at least 1, found 0"):
        B.run_batch([make_client(tmp_path, "a")], jobs=0, out=tmp_path / "reports", progress=False)


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    clients = [make_client(tmp_path, f"c{i}") for i in range(4)]
    out = tmp_path / "reports"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        import test_batch
        from icpc.run.batch import run_batch
        run_batch({[str(c) for c in clients]!r}, jobs=2, out={str(out)!r}, progress=False,
                  runner=test_batch.slow_runner)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.started"))) < 2:
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.2)
    workers = [int(p.read_text()) for p in out.glob("*.started")]
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert time.monotonic() - started < STOP_GRACE_SECONDS + 5
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in proc.stderr.read()
    # no half-written output: the temporary files were removed, no final file appeared
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == sorted(
        f"{c.parent.name}.started" for c in clients[:2]
    )
    assert not list(out.rglob("kpis.json"))
    assert not [p for p in out.iterdir() if p.is_dir()]  # the empty client folders were removed
    for pid in workers:  # the worker processes are gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# --------------------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:  # fmt: skip
        yield cluster


def test_dask_batch_on_local_cluster(tmp_path: Path, dask_cluster) -> None:
    clients = [make_client(tmp_path, f"d{i}") for i in range(3)]
    broken = make_client(tmp_path, "broken", data=None)
    out = tmp_path / "reports"
    summary = B.run_batch([*clients, broken], out=out, dask_address=dask_cluster.scheduler_address,
                          progress=False, runner=fake_runner)  # fmt: skip
    assert (summary.done, summary.failed) == (3, 1)
    assert by_slug(summary)["broken"].error.startswith("factures.csv: file not found")
    for i in range(3):
        assert (out / f"d{i}" / "2024-12-31" / "kpis.json").is_file()
    # the work ran in the cluster's worker processes, not here
    assert all(r.seconds >= 0 for r in summary.results)
    again = B.run_batch(clients, out=out, dask_address=dask_cluster.scheduler_address,
                        progress=False, runner=fake_runner)  # fmt: skip
    assert again.skipped == 3


def test_unreachable_scheduler_is_a_config_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(backends, "DASK_CONNECT_TIMEOUT", "1s")
    a = make_client(tmp_path, "a")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        B.run_batch([a], out=tmp_path / "reports", dask_address="tcp://127.0.0.1:9", progress=False,
                    runner=fake_runner)  # fmt: skip


# --------------------------------------------------------------------------------------
# the real run path (papermill kernel, PDF, Excel) on small generated clients
# --------------------------------------------------------------------------------------
def sample_client(root: Path, seed: int, slug: str) -> Path:
    """A small generated client (100 customers, 2 years) with its own slug."""
    from icpc.datasets.demo import write_sample

    config = write_sample(root / slug, seed=seed, customers=100, years=2)
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^slug:.*$", f"slug: {slug}", text), encoding="utf-8")
    return config


@pytest.mark.slow
@pytest.mark.notebook
def test_real_batch_end_to_end(tmp_path: Path, capsys) -> None:
    from icpc import cli
    from icpc.export.manifest import find_up_to_date, fingerprint

    good = [sample_client(tmp_path, seed, f"real-{seed}") for seed in (1, 2)]
    broken = sample_client(tmp_path, 3, "real-broken")
    broken.write_text(
        broken.read_text(encoding="utf-8").replace('"Montant HT"', '"Montant TTC"'),
        encoding="utf-8",
    )
    listing = tmp_path / "clients.txt"
    listing.write_text(
        "".join(f"{p.relative_to(tmp_path)}\n" for p in [*good, broken]), encoding="utf-8"
    )
    out = tmp_path / "reports"

    summary = B.run_batch([listing], jobs=2, out=out, progress=False)

    assert (summary.done, summary.failed, summary.skipped) == (2, 1, 0), summary
    got = by_slug(summary)
    assert "Montant TTC" in got["real-broken"].error and "\n" not in got["real-broken"].error
    assert not (out / "real-broken").exists()
    for config in good:
        outcome = got[load_config(config).slug]
        assert sorted(p.name for p in outcome.out_dir.iterdir()) == [
            "actions.xlsx",
            "customers.csv",
            "dataset",
            "diagnostic.ipynb",
            "diagnostic.pdf",
            "kpis.json",
            "manifest.json",
            "scorecards",
        ]  # fmt: skip (dataset/: the cleaned data the notebook renders from)
        assert outcome.out_dir.parent.parent == out
        manifest = json.loads((outcome.out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        # the salespeople's scorecards, in the manifest: the up-to-date check covers them
        cards = sorted(p.name for p in (outcome.out_dir / "scorecards").iterdir())
        assert cards and [f"scorecards/{c}" for c in cards] == sorted(
            n for n in manifest["files"] if n.startswith("scorecards/")
        )
        assert manifest["fingerprint"] == fingerprint(load_config(config))
        assert manifest["rows"]["rows_read"] > 0
        assert str(tmp_path) not in json.dumps(manifest)
        assert find_up_to_date(load_config(config), out) == outcome.out_dir
    # nothing hidden (staging folders, temporary files) is left behind
    assert not [p for p in out.rglob(".*")]

    # second run through the CLI: both good clients are up to date, the broken one still fails
    capsys.readouterr()
    assert cli.main(["batch", str(listing), "--out", str(out), "--jobs", "2"]) == 1
    printed = capsys.readouterr().out
    assert "0 done, 2 up to date, 1 failed." in printed


@pytest.mark.slow
@pytest.mark.notebook
def test_real_run_on_dask_cluster(tmp_path: Path, dask_cluster) -> None:
    config = sample_client(tmp_path, 4, "real-dask")
    out = tmp_path / "reports"
    summary = B.run_batch(
        [config], out=out, dask_address=dask_cluster.scheduler_address, progress=False
    )
    assert summary.done == 1, summary
    run_dir = summary.results[0].out_dir
    assert (run_dir / "diagnostic.pdf").stat().st_size > 10_000
    assert (run_dir / MANIFEST_NAME).is_file()


def crashing_runner(config_path, *, out=None):
    """Kills its own worker process for the client named "crash" (like the OOM killer)."""
    if load_config(config_path).slug == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    return fake_runner(config_path, out=out)


def test_a_dying_worker_fails_only_its_client(tmp_path: Path) -> None:
    clients = [make_client(tmp_path, name) for name in ("a", "crash", "b", "c")]
    out = tmp_path / "reports"
    summary = B.run_batch(clients, jobs=2, out=out, progress=False, runner=crashing_runner)
    got = by_slug(summary)
    assert {k: r.status for k, r in got.items()} == {
        "a": "done",
        "crash": "failed",
        "b": "done",
        "c": "done",
    }
    assert got["crash"].error.startswith("the worker process running this client died")
    assert (summary.done, summary.failed) == (3, 1)


def finish_then_crash_runner(config_path, *, out=None):
    """ "c" publishes its outputs, then its worker process dies before the result is sent
    back (killed just after the run): the batch loses the result with the pool."""
    result = fake_runner(config_path, out=out)
    if load_config(config_path).slug == "c":
        os.kill(os.getpid(), signal.SIGKILL)
    return result


def test_a_client_whose_result_was_lost_with_its_pool_is_done_not_skipped(tmp_path: Path) -> None:
    clients = [make_client(tmp_path, name) for name in ("a", "c", "old", "b")]
    out = tmp_path / "reports"
    B.run_batch([clients[2]], jobs=1, out=out, progress=False, runner=fake_runner)
    earlier = (out / "old" / "2024-12-31" / "manifest.json").stat().st_mtime_ns
    time.sleep(0.05)
    summary = B.run_batch(clients, jobs=1, out=out, progress=False, runner=finish_then_crash_runner)
    got = by_slug(summary)
    # "c" ran in this batch (its retry found its own outputs); "old" was up to date before
    # the batch (lost with the broken pool too, retried, still an earlier run's outputs)
    assert {k: r.status for k, r in got.items()} == {
        "a": "done",
        "c": "done",
        "old": "skipped",
        "b": "done",
    }
    assert (summary.done, summary.skipped, summary.failed) == (3, 1, 0)
    assert (out / "old" / "2024-12-31" / "manifest.json").stat().st_mtime_ns == earlier


def slow_and_crashing_runner(config_path, *, out=None):
    """ "a" is slow (it is still running when "crash" kills its worker process)."""
    slug = load_config(config_path).slug
    if slug == "a":
        time.sleep(1.5)
    if slug == "crash":
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGKILL)
    return fake_runner(config_path, out=out)


def test_a_client_running_beside_a_crash_is_not_blamed_for_it(tmp_path: Path) -> None:
    clients = [make_client(tmp_path, name) for name in ("a", "crash", "b")]
    summary = B.run_batch(
        clients, jobs=2, out=tmp_path / "reports", progress=False, runner=slow_and_crashing_runner
    )
    assert {k: r.status for k, r in by_slug(summary).items()} == {
        "a": "done",
        "crash": "failed",
        "b": "done",
    }
