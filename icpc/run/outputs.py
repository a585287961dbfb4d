"""A run's outputs: their names, their folder, their atomic publication, the guide to them.

:func:`icpc.run.runner.run_client` writes every output to a hidden staging folder beside
the run folder ``<out or reports>/<slug>/<as_of>/`` (:func:`output_dir`), then renames
each one into place (:func:`_publish`, and :func:`_publish_folder` for the dataset and the
scorecards), the manifest last; :func:`outputs_guide` is what ``icpc run`` prints at the
end. The names stay importable from :mod:`icpc.run.runner`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from icpc.config import Config

__all__ = [
    "OUTPUT_FILES",
    "FAILED_NOTEBOOK",
    "DATASET_DIR",
    "SCORECARDS_DIR",
    "output_dir",
    "outputs_guide",
]


#: output file of each kind, in a run folder
OUTPUT_FILES = {
    "notebook": "diagnostic.ipynb",
    "pdf": "diagnostic.pdf",
    "excel": "actions.xlsx",
    "kpis": "kpis.json",
    "customers": "customers.csv",
    "manifest": "manifest.json",
}


FAILED_NOTEBOOK = "diagnostic.failed.ipynb"


#: folder of a run folder holding the cleaned dataset the notebook reads
#: (:func:`icpc.cleaning.save_dataset`); also the notebook's ``dataset_path``
DATASET_DIR = "dataset"

#: folder of a run folder holding one PDF per salesperson (:mod:`icpc.report.scorecard`),
#: listed in the manifest as ``scorecards/<name>.pdf``
SCORECARDS_DIR = "scorecards"


def output_dir(config: Config, as_of: dt.date, out: str | Path | None = None) -> Path:
    """Return the run folder ``<out or reports>/<slug>/<as_of>/`` (not created).

    Parameters
    ----------
    config : Config
        Gives the slug.
    as_of : date
        The analysis date actually used.
    out : path, optional
        Replaces ``reports/`` (relative to the working directory).

    Returns
    -------
    Path
        Absolute folder path.
    """
    return _client_dir(config, out) / as_of.isoformat()


def _client_dir(config: Config, out: str | Path | None) -> Path:
    """``<out or reports>/<slug>/`` (absolute): where the run folders and their staging go."""
    root = Path(out) if out is not None else Path("reports")
    return (root / config.slug).resolve()


def _missing_dirs(folder: Path) -> list[Path]:
    """The folders ``folder.mkdir(parents=True)`` would create, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(
        json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


def _publish_folder(staged: Path, target: Path, trash: Path) -> Path | None:
    """Rename a staged folder into the run folder; an earlier one goes to ``trash`` first.

    Two renames (a folder cannot replace a non-empty one): for a moment the folder is
    absent, never half-written. ``trash`` (in the staging folder) is removed with it.
    Without a staged folder, an earlier one is removed all the same and None is returned.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.replace(target, trash)
    if not staged.exists():
        return None
    os.replace(staged, target)
    return target


def _publish(staging: Path, out_dir: Path, names: list[str]) -> dict[str, Path]:
    """Rename each staged file into the run folder (one atomic rename per file)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mask = os.umask(0)
    os.umask(mask)
    files = {}
    for name in names:
        os.chmod(staging / name, 0o666 & ~mask)  # temporary files are private (0600)
        os.replace(staging / name, out_dir / name)
        files[name] = out_dir / name
    return files


#: the files of a run in the order to open them, with their label in the catalogue
_GUIDE = ("pdf", "excel", "kpis", "customers", "notebook", "manifest")


def outputs_guide(out_dir: Path, language: str = "fr") -> list[str]:
    """What ``icpc run`` wrote, in the order to open it, in the report's language.

    Example
    -------
    >>> print("\\n".join(outputs_guide(Path("reports/x/2024-12-31"), "en")))  # doctest: +ELLIPSIS
    Files written in reports/x/2024-12-31 (open the first one first):
      diagnostic.pdf     the report for the managing director
      actions.xlsx       ...
    """
    from icpc.labels import label

    width = max(len(OUTPUT_FILES[k]) for k in _GUIDE) + 3
    lines = [label("run.files", language).format(folder=out_dir)]
    lines += [f"  {OUTPUT_FILES[k]:<{width}}{label(f'run.file.{k}', language)}" for k in _GUIDE]
    if (out_dir / SCORECARDS_DIR).is_dir():  # after the workbook: the sales team's
        folder = f"{SCORECARDS_DIR}/"
        lines.insert(3, f"  {folder:<{width}}{label('run.file.scorecards', language)}")
    return lines
