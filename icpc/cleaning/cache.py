"""The cache of cleaned datasets (cache des données nettoyées), in the user's cache folder.

``icpc validate``, ``icpc kpis``, ``icpc run`` and the notebooks that load from a config
each read and clean the same exports. The first one keeps what it cleaned — the frames and
the ledgers, written by :func:`~icpc.cleaning.save_dataset` — and the next ones read that
back instead, when nothing that shapes it has changed (:func:`dataset_key`): the content of
every input file, the config's loading settings, the code.

Where: ``$ICPC_CACHE_DIR``, else ``$XDG_CACHE_HOME/icpc``, else ``~/.cache/icpc``
(:func:`cache_dir`), created private to the user (it holds client data), with a
``CACHEDIR.TAG`` so that backup tools leave it out::

    <cache>/datasets/<client>/<key>/   transactions.arrow, customers.arrow, activity.arrow,
                                       dataset.json, used (its time: the last use),
                                       kpis-*.json, customers-*.csv (what ``icpc kpis``
                                       computed from it: :mod:`icpc.export.outputs_cache`)

``<client>`` is a hash of the client's slug and its config file's resolved path: two clients
never share an entry, even with identical files, and no client's name appears in a file
name. ``<key>`` is :func:`dataset_key`.

Safe with several processes at once: an entry is written to a temporary folder beside it
and renamed into place, so a reader sees a whole entry or none; when two processes store
the same entry, the second keeps the first's and discards its own. An entry that cannot be
read (truncated, removed meanwhile, an older format) is a miss: it is removed and the files
are loaded again — never an error for the user. An error of the files (``InputError``) is
never cached. After each store, the least recently used entries go until the cache holds
at most ``$ICPC_CACHE_MAX_BYTES`` (default 2 GiB, :func:`max_bytes`). ``ICPC_NO_CACHE=1``
(or ``--no-cache``) bypasses it.

Example
-------
>>> from icpc.config import load_config
>>> from icpc.cleaning import load_dataset
>>> ds = load_dataset(load_config("data_samples/demo/client.yaml"), cache=True)  # doctest: +SKIP
>>> usage().entries  # doctest: +SKIP
1
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icpc.cleaning import dataset as _dataset
from icpc.cleaning.dataset import DATASET_FILE, Dataset
from icpc.config import Config, FileSpec
from icpc.exceptions import ConfigError
from icpc.fsutil import sha256_file

__all__ = [
    "CLEANING_FIELDS",
    "DEFAULT_MAX_BYTES",
    "CacheUsage",
    "cache_dir",
    "cache_enabled",
    "clear",
    "dataset_key",
    "entry_folder",
    "load_cached",
    "load_cached_entry",
    "max_bytes",
    "trim",
    "usage",
]

#: environment variables: the folder, the switch that turns the cache off, its size limit
ENV_DIR, ENV_OFF, ENV_MAX = "ICPC_CACHE_DIR", "ICPC_NO_CACHE", "ICPC_CACHE_MAX_BYTES"
DEFAULT_MAX_BYTES = 2 * 1024**3
#: the fields of :class:`~icpc.config.Config` that :func:`~icpc.cleaning.load_dataset`
#: reads (tests/test_cache.py checks the list): the others (language, thresholds,
#: segments, objectives, branding…) only shape the outputs, and changing them keeps the
#: entry; ``source`` is in the key through the client's folder and the config's path
CLEANING_FIELDS = (
    "transactions",
    "customers",
    "activity",
    "exclude",
    "as_of",
    "currency",
    "source",
)
#: the layout of an entry; another value makes every earlier entry a miss
_FORMAT, _VERSION = "icpc-dataset-cache", 1
_DATASETS = "datasets"
_STAMP = "used"
#: temporary and trash folders left by a process that died are removed after this long
_STALE_SECONDS = 3600.0
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by icpc (the cleaned data of its clients).\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
_OFF_VALUES = {"", "0", "false", "no", "off"}
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}

_log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# where, whether, how much
# --------------------------------------------------------------------------------------
def cache_dir() -> Path:
    """Return the cache folder: ``$ICPC_CACHE_DIR``, else ``$XDG_CACHE_HOME/icpc``, else ``~/.cache/icpc``.

    An empty variable counts as unset; so does a relative ``XDG_CACHE_HOME`` (the XDG
    specification asks to ignore it). The folder is not created here.

    Returns
    -------
    Path
    """
    own = os.environ.get(ENV_DIR, "")
    if own:
        return Path(own).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "icpc"
    return Path.home() / ".cache" / "icpc"


def cache_enabled() -> bool:
    """False when ``$ICPC_NO_CACHE`` is set to anything but ``""``, ``0``, ``false``, ``no``, ``off``."""
    return os.environ.get(ENV_OFF, "").strip().lower() in _OFF_VALUES


def max_bytes() -> int:
    """Return the size limit of the cache: ``$ICPC_CACHE_MAX_BYTES``, default 2 GiB.

    The value is a number of bytes, or a number with a binary unit: ``500M``, ``2G``,
    ``1.5GiB`` (K, M, G, T; 1K = 1024 bytes). ``0`` keeps nothing.

    Raises
    ------
    ConfigError
        The variable is not a size.
    """
    text = os.environ.get(ENV_MAX, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", text.lower())
    if match is None:
        raise ConfigError(
            f"{ENV_MAX}={text!r} is not a size; write it in bytes or with a unit "
            "(e.g. 500M or 2G), or unset it for the default (2G)"
        )
    return int(float(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class CacheUsage:
    """What the cache holds (``icpc cache info``), or what :func:`clear` removed.

    Attributes
    ----------
    folder : Path
        :func:`cache_dir`.
    entries : int
        Cleaned datasets.
    bytes : int
        Their size on disk.
    max_bytes : int
        The size limit (:func:`max_bytes`).
    enabled : bool
        False when ``ICPC_NO_CACHE`` turns it off.
    """

    folder: Path
    entries: int
    bytes: int
    max_bytes: int
    enabled: bool


# --------------------------------------------------------------------------------------
# the key
# --------------------------------------------------------------------------------------
def _canonical(value: Any) -> Any:
    """A JSON-ready, order-independent form of a config value (dataclasses, mappings, paths)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "__type__": type(value).__name__,
            **{f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _specs(config: Config) -> list[FileSpec]:
    specs = [config.transactions, config.customers, config.activity]
    return [spec for spec in specs if spec is not None]


def _config_path(config: Config) -> str:
    assert config.source is not None
    return str(Path(config.source).resolve())


def dataset_key(config: Config) -> str:
    """Return the key of a config's cleaned dataset: what decides that an entry can be used.

    A SHA-256 over, as canonical JSON: the cache's format version and the saved dataset's;
    the code version (:func:`icpc.export.manifest.code_version`: icpc's version and a hash
    of its code, notebooks and templates) and the versions of the packages the manifest
    records (pandas, pyarrow…); the client's slug and its config file's resolved path;
    the config's :data:`CLEANING_FIELDS` (every file spec with its path, format, columns,
    encoding, separators, date format, ``drop_duplicates``, FEC options, activity types;
    the exclusions; ``as_of``); and the SHA-256 of every input file's bytes.

    The files are hashed on every call, never trusted from their size and date: a file
    touched but identical keeps its entry, and one edited with the same size and date
    (a copy that keeps dates, a clock on a network share) misses. SHA-256 reads about
    1.8 GB/s here (0.14 s for a 2-million-line CSV of 256 MB).

    Parameters
    ----------
    config : Config
        Read from a file (``config.source``).

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    OSError
        An input file cannot be read (the load then says why).
    """
    from icpc.export.manifest import code_version, package_versions  # one code version

    payload = {
        "format": _FORMAT,
        "version": _VERSION,
        "dataset_version": _dataset._VERSION,
        "code": code_version(),
        "packages": package_versions(),
        "client": config.slug,
        "config_path": _config_path(config),
        "cleaning": {name: _canonical(getattr(config, name)) for name in CLEANING_FIELDS},
        "inputs": [[spec.key, sha256_file(spec.path)] for spec in _specs(config)],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _client_folder(config: Config) -> Path:
    """``<cache>/datasets/<client>``: a hash of the slug and the config's path, no name in clear."""
    text = f"{config.slug}\0{_config_path(config)}"
    return cache_dir() / _DATASETS / hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _stats(config: Config) -> list[tuple[int, ...]]:
    """What changes when an input file is written: inode, size, modification and change times."""
    out: list[tuple[int, ...]] = []
    for spec in _specs(config):
        st = os.stat(spec.path)
        out.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return out


# --------------------------------------------------------------------------------------
# the load
# --------------------------------------------------------------------------------------
def load_cached(config: Config) -> Dataset:
    """The cleaned dataset of a config, from the cache when it holds it, else loaded and kept.

    :func:`~icpc.cleaning.load_dataset` with ``cache=True`` calls it.

    Parameters
    ----------
    config : Config
        The validated client config.

    Returns
    -------
    Dataset
        The same frames (dtypes, categories and their order), ``as_of`` and ledgers as
        :func:`~icpc.cleaning.load_dataset`; ``config`` is the one given.

    Raises
    ------
    InputError
        As :func:`~icpc.cleaning.load_dataset` (an error is never cached).
    ConfigError
        ``ICPC_CACHE_MAX_BYTES`` is not a size.

    Notes
    -----
    Not used (the files are loaded as without it) when ``ICPC_NO_CACHE`` is set, when
    the config was not read from a file (no stable identity for its folder), or when an
    input file cannot be read (the load says why). A dataset whose files changed while
    they were read is not kept. The cache failing to write (a full disk, a read-only
    folder) prints one warning line; the command goes on.
    """
    return load_cached_entry(config)[0]


def load_cached_entry(config: Config) -> tuple[Dataset, Path | None]:
    """:func:`load_cached`, with the entry that holds the dataset now (None: not kept).

    The entry's name is the :func:`dataset_key` of the very files the dataset was cleaned
    from, so what is computed from the dataset can be kept beside it
    (:mod:`icpc.export.outputs_cache`) without hashing the files again.
    """
    if not cache_enabled() or config.source is None:
        return _dataset.load_dataset(config), None
    limit = max_bytes()  # a bad value stops the command before the load
    try:
        before = _stats(config)
        key = dataset_key(config)
    except OSError:  # a missing or unreadable file: the loader's own message
        return _dataset.load_dataset(config), None
    folder = _client_folder(config)
    entry = folder / key
    dataset = _read_entry(entry, config)
    if dataset is not None:
        return dataset, entry
    dataset = _dataset.load_dataset(config)
    try:
        unchanged = _stats(config) == before
    except OSError:
        unchanged = False
    if unchanged and _store(dataset, folder, key, limit):
        return dataset, entry
    return dataset, None


def entry_folder(config: Config) -> Path | None:
    """The folder of the entry of a config's cleaned dataset, when the cache holds it.

    None when the cache is off (``ICPC_NO_CACHE``), the config was not read from a file,
    an input file cannot be read, or there is no such entry. Hashes the input files
    (:func:`dataset_key`); marks the entry as just used.

    Raises
    ------
    ConfigError
        ``ICPC_CACHE_MAX_BYTES`` is not a size (as :func:`load_cached`: a bad value stops
        the command whether or not the cache holds the entry).
    """
    if not cache_enabled() or config.source is None:
        return None
    max_bytes()
    try:
        entry = _client_folder(config) / dataset_key(config)
    except OSError:
        return None
    if not (entry / DATASET_FILE).is_file():
        return None
    with contextlib.suppress(OSError):
        (entry / _STAMP).touch()
    return entry


def _read_entry(entry: Path, config: Config) -> Dataset | None:
    """The dataset of an entry, or None (absent; unreadable, then removed)."""
    if not (entry / DATASET_FILE).is_file():
        return None
    try:
        dataset = _dataset.load_saved_dataset(entry, config)
    except Exception:  # truncated, removed meanwhile, another format: a miss, never an error
        _remove(entry)
        return None
    with contextlib.suppress(OSError):
        (entry / _STAMP).touch()  # its time is the last use (least recently used goes first)
    return dataset


def _ensure_root(root: Path) -> None:
    """Create the cache folder, private to the user, with its ``CACHEDIR.TAG``."""
    if not root.is_dir():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    tag = root / "CACHEDIR.TAG"
    if not tag.exists():
        with contextlib.suppress(OSError):
            tag.write_text(_TAG, encoding="utf-8")
    (root / _DATASETS).mkdir(mode=0o700, exist_ok=True)


def _store(dataset: Dataset, folder: Path, key: str, limit: int) -> bool:
    """Write an entry atomically (temporary folder, then rename), then keep the cache under
    ``limit``; True when the entry is in the cache afterwards."""
    entry = folder / key
    try:
        _ensure_root(cache_dir())
        folder.mkdir(mode=0o700, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        try:
            _dataset.save_dataset(dataset, tmp, frame_format="arrow")
            (tmp / _STAMP).touch()
            try:
                os.rename(tmp, entry)
            except OSError:
                if not (entry / DATASET_FILE).is_file():
                    raise
                # another process stored the same entry first: its copy stays, ours goes
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _evict(limit, keep=entry)
        return (entry / DATASET_FILE).is_file()
    except Exception as exc:  # the command goes on without the cache
        _log.warning(
            "icpc: warning: the cleaned data could not be kept in the cache (%s: %s); "
            "the next command loads the files again (see `icpc cache info`, ICPC_NO_CACHE)",
            type(exc).__name__,
            exc,
        )
        return False


# --------------------------------------------------------------------------------------
# size limit, clear, info
# --------------------------------------------------------------------------------------
def _remove(path: Path) -> None:
    """Remove a folder: renamed first (a reader sees all of it or nothing), then deleted."""
    trash = path.with_name(f".trash-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        os.rename(path, trash)
    except OSError:  # gone already (another process), or never there
        return
    shutil.rmtree(trash, ignore_errors=True)


def _folder_bytes(folder: Path) -> int:
    total = 0
    for item in folder.iterdir():
        with contextlib.suppress(OSError):
            total += item.stat().st_size
    return total


def _stale(path: Path, now: float) -> bool:
    """A temporary or trash folder older than :data:`_STALE_SECONDS` (its process died)."""
    try:
        return now - path.stat().st_mtime > _STALE_SECONDS
    except OSError:
        return False


def _entries() -> list[tuple[int, int, Path]]:
    """Every entry as ``(last use in ns, bytes, path)``; leftovers of dead processes removed."""
    root = cache_dir()
    datasets = root / _DATASETS
    found: list[tuple[int, int, Path]] = []
    if not datasets.is_dir():
        return found
    now = time.time()
    for folder in (root, datasets):  # what clear() or a client's clear() was removing
        for trash in folder.glob(".trash-*"):
            if _stale(trash, now):
                shutil.rmtree(trash, ignore_errors=True)
    for client in datasets.iterdir():
        if client.name.startswith(".") or not client.is_dir():
            continue
        for entry in client.iterdir():
            try:
                if entry.name.startswith("."):  # being written or removed by some process
                    if _stale(entry, now):
                        shutil.rmtree(entry, ignore_errors=True)
                    continue
                stamp = entry / _STAMP
                used = (stamp if stamp.exists() else entry).stat().st_mtime_ns
                found.append((used, _folder_bytes(entry), entry))
            except OSError:  # removed meanwhile
                continue
    return found


def _evict(limit: int, *, keep: Path) -> None:
    """Remove the least recently used entries until the cache holds at most ``limit`` bytes.

    ``keep`` (the entry just stored) goes last, and only when it alone is over the limit.
    """
    entries = sorted(_entries())
    total = sum(size for _, size, _ in entries)
    for _, size, entry in entries:
        if total <= limit:
            return
        if entry == keep:
            continue
        _remove(entry)
        total -= size
    if total > limit:
        _remove(keep)


def trim(keep: Path) -> None:
    """Keep the cache under its size limit after files were added to the entry ``keep``
    (which goes last, as after a store)."""
    _evict(max_bytes(), keep=keep)


def usage() -> CacheUsage:
    """Return what the cache holds: its folder, entries, bytes, limit and whether it is on."""
    entries = _entries()
    return CacheUsage(
        folder=cache_dir(),
        entries=len(entries),
        bytes=sum(size for _, size, _ in entries),
        max_bytes=max_bytes(),
        enabled=cache_enabled(),
    )


def clear(config: Config | None = None) -> CacheUsage:
    """Remove every entry of the cache, or only a client's (``icpc cache clear [CONFIG]``).

    Parameters
    ----------
    config : Config, optional
        Only this client's entries (its config file's).

    Returns
    -------
    CacheUsage
        What was removed: ``entries`` and ``bytes`` freed.
    """
    if config is not None and config.source is None:  # never cached (see load_cached)
        removed: list[tuple[int, int, Path]] = []
    else:
        client = _client_folder(config) if config is not None else None
        removed = [e for e in _entries() if client is None or e[2].parent == client]
        target = client if client is not None else cache_dir() / _DATASETS
        if target.is_dir():
            _remove(target)
    return CacheUsage(
        folder=cache_dir(),
        entries=len(removed),
        bytes=sum(size for _, size, _ in removed),
        max_bytes=max_bytes(),
        enabled=cache_enabled(),
    )
