"""What ``icpc kpis`` computed, kept beside the cleaned dataset it came from.

The cache of cleaned datasets (:mod:`icpc.cleaning.cache`) saves the second command the
load; the analyses still take most of the time on a large client. So ``icpc kpis`` also
keeps its outputs in the dataset's entry, and the next ``icpc kpis`` on the same files
with the same config prints them back without loading or computing anything::

    <entry>/kpis-<key>.json       {"format", "version", "warning", "customers_sha256",
                                   "kpis": the kpis.json document}
    <entry>/customers-<key>.csv   customers.csv, when it was asked for

``<key>`` (:func:`outputs_key`) is a SHA-256 of the entry's own key — the content of every
input file, the loading settings, the code version and the package versions — and of the
*whole* config (thresholds, segments, objectives, language, ``as_of``…): any change to
what can shape a figure is another key. The follow-up of earlier diagnostics is not part of
``icpc kpis`` (only ``icpc run`` reads them), so nothing outside the config and its files
shapes these outputs.

Only JSON and CSV text is kept, never code or pickles: reading an entry cannot execute
anything. Files are written beside their final name and renamed into place, so a reader
sees a whole file or none; a file that does not read back (truncated, another format, a
customers.csv whose SHA-256 differs) is a miss and the command computes again. They live
and go with their entry: the size limit, ``icpc cache clear`` and ``--no-cache`` /
``ICPC_NO_CACHE`` apply to them as to the dataset.

Example
-------
>>> from icpc.config import load_config
>>> config = load_config("data_samples/demo/client.yaml")  # doctest: +SKIP
>>> kept = lookup(config, customers=False)  # doctest: +SKIP
>>> kept is None or sorted(kept.kpis)[:2]  # doctest: +SKIP
['activity', 'alerts']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icpc.cleaning import cache
from icpc.config import Config
from icpc.fsutil import atomic_path, atomic_write_text, sha256_file

__all__ = ["Kept", "keep", "lookup", "outputs_key"]

#: the layout of a kept file; another value makes every earlier one a miss
_FORMAT, _VERSION = "icpc-kpis-outputs", 1

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kept:
    """The outputs of an earlier ``icpc kpis`` on the same files and config.

    Attributes
    ----------
    kpis : dict
        The kpis.json document, as it was printed.
    warning : str or None
        The console warning that run printed (the data ending before ``as_of``).
    customers : Path or None
        The kept customers.csv (None when it was not asked for).
    """

    kpis: dict[str, Any]
    warning: str | None
    customers: Path | None

    def copy_customers(self, target: str | Path) -> None:
        """Write the kept customers.csv to ``target`` (atomically)."""
        assert self.customers is not None
        with atomic_path(target) as tmp:
            shutil.copyfile(self.customers, tmp)


def outputs_key(entry: Path, config: Config) -> str:
    """The key of the outputs of ``config`` computed from the dataset of ``entry``.

    Parameters
    ----------
    entry : Path
        The dataset's cache entry (its name is :func:`~icpc.cleaning.cache.dataset_key`).
    config : Config
        The whole config, ``as_of`` included.

    Returns
    -------
    str
        32 hex digits.
    """
    payload = {
        "format": _FORMAT,
        "version": _VERSION,
        "dataset": entry.name,
        "config": cache._canonical(config),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _files(entry: Path, config: Config) -> tuple[Path, Path]:
    key = outputs_key(entry, config)
    return entry / f"kpis-{key}.json", entry / f"customers-{key}.csv"


def lookup(config: Config, *, customers: bool) -> Kept | None:
    """The outputs an earlier ``icpc kpis`` kept for these files and this config, or None.

    Parameters
    ----------
    config : Config
        Read from a file; ``as_of`` set as the command will use it.
    customers : bool
        customers.csv is wanted too: without it kept, a miss.

    Returns
    -------
    Kept or None
        None when the cache is off, holds no dataset for these files, or holds no (whole)
        outputs for this config.
    """
    entry = cache.entry_folder(config)
    if entry is None:
        return None
    kpis_file, csv_file = _files(entry, config)
    try:
        document = json.loads(kpis_file.read_text(encoding="utf-8"))
        if document.get("format") != _FORMAT or document.get("version") != _VERSION:
            return None
        kpis, warning, digest = document["kpis"], document["warning"], document["customers_sha256"]
        if not isinstance(kpis, dict) or not (warning is None or isinstance(warning, str)):
            return None
        if customers and (digest is None or sha256_file(csv_file) != digest):
            return None
    except (OSError, ValueError, KeyError, AttributeError):  # absent, truncated, another layout
        return None
    return Kept(kpis=kpis, warning=warning, customers=csv_file if customers else None)


def keep(
    entry: Path | None,
    config: Config,
    kpis: dict[str, Any],
    *,
    warning: str | None,
    customers: Path | None,
) -> None:
    """Keep what ``icpc kpis`` computed in the dataset's entry (a failure is only logged).

    Parameters
    ----------
    entry : Path or None
        :func:`~icpc.cleaning.cache.load_cached_entry`'s entry: the one that holds the
        dataset these outputs were computed from. None: nothing is kept.
    config : Config
        As given to :func:`lookup`.
    kpis : dict
        The kpis.json document (JSON-ready).
    warning : str or None
        The console warning printed with it.
    customers : Path, optional
        The customers.csv written, to keep a copy of.
    """
    if entry is None:
        return
    kpis_file, csv_file = _files(entry, config)
    try:
        digest = None
        if customers is not None:
            with atomic_path(csv_file) as tmp:
                shutil.copyfile(customers, tmp)
            digest = sha256_file(csv_file)
        elif kpis_file.is_file():  # an earlier run kept customers.csv too: keep it usable
            with contextlib.suppress(OSError, ValueError, KeyError, AttributeError):
                earlier = json.loads(kpis_file.read_text(encoding="utf-8"))
                if earlier.get("customers_sha256") and csv_file.is_file():
                    digest = earlier["customers_sha256"]
        document = {
            "format": _FORMAT,
            "version": _VERSION,
            "warning": warning,
            "customers_sha256": digest,
            "kpis": kpis,
        }
        atomic_write_text(kpis_file, json.dumps(document, ensure_ascii=False, allow_nan=False))
        cache.trim(entry)
    except Exception as exc:  # the entry removed meanwhile, a full disk: the command goes on
        _log.warning(
            "icpc: warning: the indicators could not be kept in the cache (%s: %s); "
            "the next icpc kpis computes them again",
            type(exc).__name__,
            exc,
        )
