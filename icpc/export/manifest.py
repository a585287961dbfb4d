"""Run manifest (``manifest.json``) and the up-to-date check of a client run.

Each run of :func:`icpc.run.runner.run_client` writes a ``manifest.json`` next to its outputs
(the *manifeste d'exécution*): what went in (config and input files with their SHA-256),
how many rows were read and used, the notebook parameters, the package versions, and the
SHA-256 of every output file. It also records a **fingerprint**: one hash over the config
file, every input file and the code version. A later batch skips a client whose last run
has the same fingerprint and whose outputs are still intact (:func:`find_up_to_date`),
without loading any data.

Paths are written relative to the config file's folder (inputs) or to the run folder
(outputs), never as absolute paths, so a manifest shows nothing of other clients' folders.

Example
-------
>>> from icpc.config import load_config
>>> cfg = load_config("data_samples/demo/client.yaml")  # doctest: +SKIP
>>> fingerprint(cfg)  # doctest: +SKIP
'3f1c...'
>>> find_up_to_date(cfg, "reports")  # doctest: +SKIP
PosixPath('reports/demo/2024-12-31')
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from icpc.config import Config
from icpc.fsutil import sha256_file

__all__ = [
    "MANIFEST_NAME",
    "PACKAGES",
    "build_manifest",
    "code_version",
    "find_up_to_date",
    "fingerprint",
    "icpc_version",
    "input_records",
    "package_versions",
]

#: file name of the manifest in a run folder
MANIFEST_NAME = "manifest.json"

#: the distributions whose versions are recorded (the ones that shape the outputs)
PACKAGES: tuple[str, ...] = (
    "pandas", "numpy", "pyarrow", "pyyaml", "matplotlib", "scikit-learn",
    "papermill", "nbformat", "nbconvert", "ipykernel", "weasyprint", "openpyxl",
    "xlsxwriter", "python-calamine", "babel", "dask", "distributed",
)  # fmt: skip

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # icpc/
_PROJECT_DIR = _PACKAGE_DIR.parent
#: suffixes of package files that shape the outputs (code, rules, templates, styles)
_CODE_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".ipynb", ".css", ".j2", ".tpl", ".html", ".svg"}


def icpc_version() -> str:
    """Return the installed version of icpc (``0+unknown`` when not installed)."""
    try:
        return metadata.version("icpc")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Return ``{distribution: version}`` for the main dependencies, plus ``python``.

    A distribution that is not installed is left out (not an error).
    """
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _code_files() -> list[tuple[str, Path]]:
    """Files whose content defines the code version, as ``(label, path)`` sorted by label."""
    found: dict[str, Path] = {}
    for path in _PACKAGE_DIR.rglob("*"):
        if "__pycache__" in path.parts or not path.is_file() or path.suffix not in _CODE_SUFFIXES:
            continue
        found["icpc/" + path.relative_to(_PACKAGE_DIR).as_posix()] = path
    notebooks = _PROJECT_DIR / "notebooks"
    if notebooks.is_dir():
        for path in notebooks.glob("*.ipynb"):
            found["notebooks/" + path.name] = path
    templates = _PROJECT_DIR / "templates"
    if templates.is_dir():
        for path in templates.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found["templates/" + path.relative_to(templates).as_posix()] = path
    return sorted(found.items())


@functools.lru_cache(maxsize=1)
def _cached_code_version() -> str:
    digest = hashlib.sha256()
    for label, path in _code_files():
        digest.update(label.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{icpc_version()}+{digest.hexdigest()[:16]}"


def code_version(*, refresh: bool = False) -> str:
    """Return the code version: icpc's version plus a hash of its code, notebooks and templates.

    The hash covers the package's ``.py`` files (and its YAML rules and styles),
    ``notebooks/*.ipynb`` and everything under ``templates/``, so editing any of them
    makes earlier runs out of date. Computed once per process unless ``refresh``.

    Parameters
    ----------
    refresh : bool
        Recompute instead of returning the cached value (tests that edit code).

    Returns
    -------
    str
        ``"<version>+<16 hex digits>"``, e.g. ``"0.1.0+3f1c2a9b0d4e5f60"``.
    """
    if refresh:
        _cached_code_version.cache_clear()
    return _cached_code_version()


def _relative(path: Path, base: Path | None) -> str:
    """``path`` relative to ``base`` (POSIX separators), else its bare name."""
    if base is None:
        return path.name
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.name


def _config_dir(config: Config) -> Path | None:
    return config.source.resolve().parent if config.source is not None else None


def _specs(config: Config) -> list[tuple[str, Path]]:
    pairs = [
        ("transactions", config.transactions),
        ("customers", config.customers),
        ("activity", config.activity),
    ]
    return [(key, spec.path) for key, spec in pairs if spec is not None]


def input_records(config: Config) -> list[dict[str, Any]]:
    """Describe every input file of a config: key, relative path, SHA-256 and size.

    Parameters
    ----------
    config : Config
        The client config (its input paths are absolute).

    Returns
    -------
    list of dict
        One ``{"key", "path", "sha256", "bytes"}`` per input (fichier d'entrée), in the
        order transactions, customers, activity; ``path`` relative to the config's folder.
        A missing file has ``sha256`` and ``bytes`` set to ``None`` (the run will fail on
        it with a clear message; the fingerprint then never matches a successful run).
    """
    base = _config_dir(config)
    records = []
    for key, path in _specs(config):
        exists = path.is_file()
        records.append(
            {
                "key": key,
                "path": _relative(path, base),
                "sha256": sha256_file(path) if exists else None,
                "bytes": path.stat().st_size if exists else None,
            }
        )
    return records


def _config_digest(config: Config) -> str:
    if config.source is not None and Path(config.source).is_file():
        return sha256_file(config.source)
    # built from a dict: hash its validated content instead
    return hashlib.sha256(repr(config).encode("utf-8")).hexdigest()


def _fingerprint(
    config_sha: str, inputs: list[dict[str, Any]], as_of: dt.date | None, code: str
) -> str:
    payload = {
        "config": config_sha,
        "inputs": [[r["key"], r["sha256"]] for r in inputs],
        "as_of": as_of.isoformat() if as_of is not None else "auto",
        "code": code,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def fingerprint(config: Config) -> str:
    """Return the fingerprint (empreinte) of a client run: what decides if it is up to date.

    One SHA-256 over the config file's bytes, every input file's SHA-256 (with its key),
    the analysis date when it is forced (``config.as_of``; ``"auto"`` otherwise — then it
    follows from the data, which is hashed) and :func:`code_version`. No data is loaded.

    Parameters
    ----------
    config : Config
        The client config, with any ``as_of`` override applied (``config.with_as_of``).

    Returns
    -------
    str
        64 hex digits.
    """
    return _fingerprint(_config_digest(config), input_records(config), config.as_of, code_version())


def _rows(data_quality: Mapping[str, Any]) -> dict[str, Any]:
    """The row counts of a ``data_quality`` block (no paths, no amounts)."""
    rows: dict[str, Any] = {
        key: data_quality[key]
        for key in ("rows_read", "rows_used", "rows_excluded")
        if key in data_quality
    }
    files = data_quality.get("files") or {}
    per_file = {
        key: {k: block[k] for k in ("rows_read", "rows_used", "rows_excluded") if k in block}
        for key, block in files.items()
        if isinstance(block, Mapping) and block
    }
    if per_file:
        rows["files"] = per_file
    return rows


def _portable(value: Any, bases: list[Path]) -> Any:
    """Make absolute paths in a parameter value relative (to the first base containing them)."""
    if isinstance(value, Mapping):
        return {k: _portable(v, bases) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_portable(v, bases) for v in value]
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str) and value and os.path.isabs(value):
        path = Path(value).resolve()
        for base in bases:
            if path == base or base in path.parents:
                return path.relative_to(base).as_posix() or "."
        return path.name
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def build_manifest(
    config: Config,
    *,
    parameters: Mapping[str, Any],
    data_quality: Mapping[str, Any],
    files: Mapping[str, Path],
    as_of: dt.date | str | None = None,
    out_dir: str | Path | None = None,
    folder: str | Path | None = None,
) -> dict[str, Any]:
    """Build the ``manifest.json`` content (manifeste d'exécution) of one client run.

    Parameters
    ----------
    config : Config
        The client config, with any ``as_of`` override applied.
    parameters : mapping
        The papermill parameters passed to the notebook. Absolute paths in them are made
        relative to the config's folder or to the output folder, else reduced to a name.
    data_quality : mapping
        ``Dataset.data_quality()``; only the row counts are kept.
    files : mapping of str to Path
        The output files already written (not the manifest itself). Each is recorded under
        its file name (``diagnostic.pdf``…) with its SHA-256; they must share one folder —
        unless ``folder`` is given.
    as_of : date or str, optional
        The analysis date used; default ``parameters["as_of"]``, else ``config.as_of``.
    out_dir : path, optional
        The run folder the files are published to, when they are written (staged)
        elsewhere first; parameters naming it are recorded as ``"."``.
    folder : path, optional
        The folder the files are written in (the run folder, or its staging folder): each
        file is recorded under its path relative to it, so that files of a subfolder are
        listed too (``scorecards/helene-fournier.pdf``). Files outside it are refused.

    Returns
    -------
    dict
        JSON-ready: ``icpc_version``, ``code_version``, ``fingerprint``, ``created`` (UTC,
        ISO 8601), ``client``, ``slug``, ``config`` (``path``, ``sha256``), ``inputs``
        (``key``, ``path``, ``sha256``, ``bytes``), ``rows``, ``parameters``, ``as_of``,
        ``packages``, ``files`` (``{file name: sha256}``; ``{path in the folder: sha256}``
        with ``folder``).

    Raises
    ------
    ValueError
        Two output files with the same name, or a file outside ``folder``.
    """
    config_sha = _config_digest(config)
    inputs = input_records(config)
    code = code_version()
    out_files: dict[str, str] = {}
    out_dirs: set[Path] = set()
    base = Path(folder).resolve() if folder is not None else None
    for path in files.values():
        path = Path(path)
        if base is None:
            name = path.name
        elif base in path.resolve().parents:
            name = path.resolve().relative_to(base).as_posix()
        else:
            raise ValueError(f"output file {path} is not in the run folder {base}")
        if name in out_files:
            raise ValueError(
                f"two output files are named {name}; names must be unique in a run folder"
            )
        out_files[name] = sha256_file(path)
        out_dirs.add(base if base is not None else path.resolve().parent)
    if as_of is None:
        as_of = parameters.get("as_of") or config.as_of
    if isinstance(as_of, (dt.date, dt.datetime)):
        as_of = as_of.isoformat()[:10]
    bases = [Path(out_dir).resolve()] if out_dir is not None else []
    bases += sorted(out_dirs) + ([d] if (d := _config_dir(config)) is not None else [])
    return {
        "icpc_version": icpc_version(),
        "code_version": code,
        "fingerprint": _fingerprint(config_sha, inputs, config.as_of, code),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017 (3.10)
        "client": config.client,
        "slug": config.slug,
        "config": {
            "path": config.source.name if config.source is not None else None,
            "sha256": config_sha,
        },
        "inputs": inputs,
        "rows": _rows(data_quality),
        "parameters": {k: _portable(v, bases) for k, v in parameters.items()},
        "as_of": as_of,
        "packages": package_versions(),
        "files": dict(sorted(out_files.items())),
    }


def _inside(name: str) -> bool:
    """A listed name is a path inside the run folder: relative, no ``..``, no empty part."""
    parts = name.split("/")
    return (
        bool(name)
        and "\\" not in name
        and not Path(name).is_absolute()
        and all(p not in ("", ".", "..") for p in parts)
    )


def _intact(folder: Path, listed: Mapping[str, str]) -> bool:
    for name, digest in listed.items():
        if not isinstance(name, str) or not _inside(name):
            return False
        path = folder / name
        if not path.is_file() or sha256_file(path) != digest:
            return False
    return True


def find_up_to_date(config: Config, out_root: str | Path | None = None) -> Path | None:
    """Return the folder of an earlier run that is still valid, or ``None``.

    Scans ``<out_root>/<slug>/*/manifest.json`` for a manifest whose fingerprint equals
    :func:`fingerprint` of ``config`` and whose listed output files all exist with their
    recorded SHA-256 (à jour = nothing changed since). The data are never loaded: the
    fingerprint needs only file hashes.

    Parameters
    ----------
    config : Config
        The client config, with any ``as_of`` override applied.
    out_root : path, optional
        The folder holding the client folders (``reports/`` by default, ``--out``).

    Returns
    -------
    Path or None
        The most recent matching run folder (by ``created``), or ``None`` when none matches.
    """
    root = Path(out_root) if out_root is not None else Path("reports")
    client_dir = root / config.slug
    if not client_dir.is_dir():
        return None
    wanted = fingerprint(config)
    matches: list[tuple[str, Path]] = []
    for manifest_path in client_dir.glob(f"*/{MANIFEST_NAME}"):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(manifest, dict) or manifest.get("fingerprint") != wanted:
            continue
        listed = manifest.get("files")
        if not isinstance(listed, dict) or not listed:
            continue
        if _intact(manifest_path.parent, listed):
            matches.append((str(manifest.get("created", "")), manifest_path.parent))
    if not matches:
        return None
    return max(matches)[1]
