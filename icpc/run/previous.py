"""The client's earlier diagnostics, for the follow-up (depuis le dernier diagnostic).

``icpc run`` looks in the client's own folder of the output root (``reports/<slug>/``)
for the run folders dated before this as_of (``YYYY-MM-DD`` folders holding a
``kpis.json``), or takes the one named by ``--previous DIR``. Only that client's folder
is read: another client's report is never opened. The latest gives the customers its
early warning flagged (its ``customers.csv``); every one gives its headline figures.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from icpc.analysis.follow_up import HEADLINE, Earlier
from icpc.exceptions import InputError

__all__ = ["find_earlier", "read_earlier"]

_RUN_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")


def _headline(kpis: dict[str, Any]) -> dict[str, Any]:
    blocks = kpis.get("kpis") or {}
    out = {}
    for key in HEADLINE:
        value = blocks.get(key)
        out[key] = value.get("current") if isinstance(value, dict) else value
    return out


def _flagged(path: Path) -> tuple[str, ...]:
    try:
        table = pd.read_csv(
            path, dtype=str, keep_default_na=False, usecols=["customer_id", "early_warning"]
        )
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: the earlier diagnostic's customers.csv cannot be read for the follow-up "
            f"({str(exc).splitlines()[0][:120]}); restore it from that run, or give another "
            "folder with --previous"
        ) from None
    flags = table["early_warning"].str.strip().str.lower()
    bad = ~flags.isin(["true", "false"])
    if bad.any():
        raise InputError(
            f"{path}: early_warning must be true or false, found {table['early_warning'][bad].iloc[0]!r} "
            f"on {int(bad.sum())} rows; restore the file from that run"
        )
    return tuple(table.loc[(flags == "true").to_numpy(), "customer_id"].str.strip())


def read_earlier(folder: Path, *, slug: str, flagged: bool = True) -> Earlier:
    """One earlier run folder as :class:`Earlier`.

    Raises
    ------
    InputError
        No or unreadable ``kpis.json``, a diagnostic of another client (its slug), or, with
        ``flagged``, a missing or damaged ``customers.csv``.
    """
    path = folder / "kpis.json"
    try:
        kpis = json.loads(path.read_text(encoding="utf-8"))
        as_of = dt.date.fromisoformat(str(kpis["as_of"]))
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(
            f"{folder}: not a diagnostic to follow up (no readable kpis.json with its as_of); "
            "give the folder of an earlier icpc run, e.g. reports/<slug>/2024-06-30"
        ) from None
    if kpis.get("slug") != slug:
        raise InputError(
            f"{folder}: a diagnostic of another client (slug {kpis.get('slug')!r}, this one is "
            f"{slug!r}); give an earlier run of this client"
        )
    found = _flagged(folder / "customers.csv") if flagged else ()
    return Earlier(as_of=as_of, headline=_headline(kpis), flagged=found)


def find_earlier(
    client_dir: Path, *, as_of: dt.date, slug: str, previous: Path | None = None
) -> tuple[Earlier, ...]:
    """The earlier diagnostics of this client, oldest first; the last has its flagged customers.

    Parameters
    ----------
    client_dir : Path
        ``<output root>/<slug>``: the only folder searched.
    as_of : date
        This run's date: only earlier folders count.
    slug : str
        The client's slug (a kpis.json of another slug is refused).
    previous : Path, optional
        ``--previous DIR``: the diagnostic to follow up, wherever it is.

    Raises
    ------
    InputError
        ``previous`` is not an earlier diagnostic of this client; a run folder of the
        client's folder is damaged (its kpis.json or customers.csv).
    """
    folders = []
    if client_dir.is_dir():
        folders = sorted(
            p
            for p in client_dir.iterdir()
            if p.is_dir() and _RUN_FOLDER.fullmatch(p.name) and p.name < as_of.isoformat()
            and (p / "kpis.json").is_file()
        )  # fmt: skip
    runs = {f.resolve(): read_earlier(f, slug=slug, flagged=False) for f in folders}
    latest: Path | None = folders[-1].resolve() if folders else None
    if previous is not None:
        latest = previous.resolve()
        chosen = read_earlier(latest, slug=slug, flagged=False)
        if chosen.as_of >= as_of:
            raise InputError(
                f"{previous}: its as_of {chosen.as_of.isoformat()} is not before this run's "
                f"{as_of.isoformat()}; give an earlier diagnostic to follow up"
            )
        runs[latest] = chosen
    if latest is None:
        return ()
    runs[latest] = read_earlier(latest, slug=slug, flagged=True)
    by_date = {e.as_of: e for path, e in runs.items() if path != latest}
    by_date[runs[latest].as_of] = runs[latest]  # the one followed up wins its date
    cut = runs[latest].as_of
    return tuple(by_date[d] for d in sorted(by_date) if d <= cut)
