"""Run the diagnostic for many clients: local worker processes or a Dask cluster.

:func:`run_batch` (``icpc batch``) runs :func:`icpc.run.runner.run_client` once per client
config (traitement par lots):

* each client runs in a worker process — local processes (``--jobs N``) or tasks on a
  Dask distributed cluster (``--dask tcp://scheduler:8786``), whose workers write to the
  shared ``out`` folder;
* one failing client never stops the others: its one-line reason is reported and the
  summary counts it (the CLI then exits 1);
* a client whose config, input files and code are unchanged since its last successful run
  (:func:`icpc.export.manifest.find_up_to_date`) is skipped unless ``force``;
* two configs with the same slug are refused before anything starts (they would write the
  same folder);
* Ctrl-C cancels the clients not started and stops the running ones; the runner writes
  atomically, so no half-written output remains.

Example
-------
>>> summary = run_batch(["clients.txt"], jobs=2, out="reports")  # doctest: +SKIP
>>> summary.failed  # doctest: +SKIP
0
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from icpc.exceptions import ConfigError, IcpcError
from icpc.run.backends import BACKENDS, _default_jobs
from icpc.run.display import _Display, _print_summary
from icpc.run.outcome import BatchSummary, ClientOutcome, _one_line

__all__ = ["CONFIG_SUFFIXES", "expand_configs", "run_batch"]


#: suffixes read as a client config; any other file is a list of config paths
CONFIG_SUFFIXES = (".yaml", ".yml")


#: a comment in a list of configs: a whole line starting with #, or `` # ...`` after a path
_COMMENT = re.compile(r"(^\s*#.*$)|(\s+#.*$)")


def expand_configs(configs: Iterable[str | Path]) -> list[Path]:
    """Turn the command-line arguments into the list of client configs.

    Parameters
    ----------
    configs : iterable of path
        YAML configs (``.yaml``/``.yml``) or text files listing one config path per line
        (blank lines and ``#`` comments ignored; relative paths are relative to the list).

    Returns
    -------
    list of Path
        Absolute config paths, in order, each once (a config listed twice runs once).

    Raises
    ------
    ConfigError
        No config given, or a list file that cannot be read.
    """
    found: list[Path] = []
    for item in configs:
        path = Path(item).expanduser()
        if path.suffix.lower() in CONFIG_SUFFIXES:
            found.append(path.resolve())
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{path}: cannot read this list of configs ({type(exc).__name__}); give client .yaml files "
                "or a text file with one config path per line"
            ) from None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = _COMMENT.sub("", raw).strip()
            if not line:
                continue
            entry = Path(line).expanduser()
            if entry.suffix.lower() not in CONFIG_SUFFIXES:
                raise ConfigError(
                    f"{path.name}, line {number}: {line!r} is not a .yaml config; list one client config path per line"
                )
            found.append(
                (path.parent / entry).resolve() if not entry.is_absolute() else entry.resolve()
            )
    unique = list(dict.fromkeys(found))
    if not unique:
        raise ConfigError(
            "no client config given; pass client .yaml files or a text file listing them"
        )
    return unique


def _slugs(paths: Sequence[Path]) -> tuple[dict[Path, str], dict[Path, ClientOutcome]]:
    """Read every config (cheap): slugs of the valid ones, failures of the others.

    Raises ConfigError when two configs share a slug (they would write the same folder).
    """
    from icpc.config import load_config

    slugs: dict[Path, str] = {}
    broken: dict[Path, ClientOutcome] = {}
    owner: dict[str, Path] = {}
    for path in paths:
        try:
            slug = load_config(path).slug
        except IcpcError as exc:
            broken[path] = ClientOutcome(path, None, "failed", error=_one_line(exc))
            continue
        if slug in owner:
            raise ConfigError(
                f'{path}: slug "{slug}" is also the slug of {owner[slug]}; two clients cannot write the same '
                'output folder: give one of them another "slug:" in its config'
            )
        owner[slug] = path
        slugs[path] = slug
    return slugs, broken


def _clean_interrupted(out_root: Path, slugs: Iterable[str]) -> None:
    """Remove what stopped clients left: hidden ``.*.tmp`` staging files/folders, empty folders.

    Only the folders of this batch's clients that did not finish are touched; published
    outputs (never hidden, never ``.tmp``) are left alone.
    """
    for slug in slugs:
        folder = out_root / slug
        if not folder.is_dir():
            continue
        for leftover in [*folder.glob(".*.tmp"), *folder.glob("*/.*.tmp")]:
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        for sub in [*folder.iterdir(), folder]:
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()


def run_batch(
    configs: Iterable[str | Path],
    *,
    jobs: int | None = None,
    out: str | Path | None = None,
    force: bool = False,
    dask_address: str | None = None,
    progress: bool = True,
    runner: Callable[..., Any] | None = None,
    cache: bool = True,
) -> BatchSummary:
    """Run the diagnostic of many clients (traitement par lots), isolating failures.

    Parameters
    ----------
    configs : iterable of path
        Client YAML configs, or text files listing one config path per line.
    jobs : int, optional
        Local worker processes (default: the number of usable cores); ignored with Dask.
    out : path, optional
        Folder holding the client folders (``reports/`` by default), as for ``icpc run``.
        Made absolute, so that Dask workers on shared storage write to the same place.
    force : bool
        Also run the clients that are up to date.
    dask_address : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): each client becomes a task on
        that cluster instead of a local process.
    progress : bool
        Show a progress bar and print the summary table.
    runner : callable, optional
        Replaces :func:`icpc.run.runner.run_client` (tests); must be picklable by reference.
    cache : bool
        Each client's cleaned data from the cache of cleaned datasets when it holds it
        (:mod:`icpc.cleaning.cache`, in the workers' user cache folder); False
        (``--no-cache``) loads every client's files and keeps nothing.

    Returns
    -------
    BatchSummary
        One :class:`ClientOutcome` per client in input order, with counts ``failed``,
        ``skipped``, ``done``.

    Raises
    ------
    ConfigError
        No config, an unreadable list, two configs with the same slug, or an unreachable
        Dask scheduler — before any client runs.
    KeyboardInterrupt
        On Ctrl-C, after pending clients are cancelled and running ones stopped.
    """
    start = time.perf_counter()
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, found {jobs}")
    paths = expand_configs(configs)
    if not cache and runner is None:
        from functools import partial

        from icpc.run.runner import run_client

        runner = partial(run_client, force=force, cache=False)  # as run_one's own, uncached
    out_root = (
        str(Path(out).expanduser().resolve()) if out is not None else str(Path("reports").resolve())
    )
    slugs, broken = _slugs(paths)
    outcomes: dict[Path, ClientOutcome] = dict(broken)
    n_jobs = max(1, min(jobs or _default_jobs(), len(slugs) or 1))
    display = _Display(len(paths), progress)
    interrupted = False
    with display:
        for outcome in broken.values():
            display.finished(outcome)
        try:
            if slugs and dask_address:
                BACKENDS["dask"](slugs, address=dask_address, out=out_root, force=force, runner=runner,
                          display=display, outcomes=outcomes)  # fmt: skip
            elif slugs:
                BACKENDS["local"](slugs, jobs=n_jobs, out=out_root, force=force, runner=runner,
                           display=display, outcomes=outcomes)  # fmt: skip
        except KeyboardInterrupt:
            interrupted = True
    results = [outcomes.get(p) or ClientOutcome(p, slugs.get(p), "cancelled") for p in paths]
    if (
        interrupted and not dask_address
    ):  # a cluster's running tasks finish (atomically) on their own
        _clean_interrupted(
            Path(out_root), [r.slug for r in results if r.status == "cancelled" and r.slug]
        )
    count = {
        s: sum(r.status == s for r in results) for s in ("done", "skipped", "failed", "cancelled")
    }
    summary = BatchSummary(
        results=results,
        failed=count["failed"],
        skipped=count["skipped"],
        done=count["done"],
        cancelled=count["cancelled"],
        seconds=time.perf_counter() - start,
        interrupted=interrupted,
    )
    if progress:
        _print_summary(summary)
    if interrupted:
        raise KeyboardInterrupt
    return summary
