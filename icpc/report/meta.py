"""Cover metadata of the PDF report, carried from the notebook to the exporter.

The diagnostic notebook calls :func:`publish` once: it displays a dedicated output of
mimetype :data:`META_MIMETYPE` holding the cover metadata (métadonnées de couverture):
client, period N and N−1, analysis date, currency, language and the consultant's
branding (firm, consultant, logo embedded as a data URI, confidentiality notice). The
exporter (:mod:`icpc.report.exporter`) reads it from the executed notebook to fill the
cover page and the running header, and removes it from the body. The notebook therefore
renders alone with ``jupyter nbconvert --to icpc_pdf executed.ipynb``.

Example
-------
>>> from icpc.report import meta
>>> meta.publish(diag)  # in the notebook (cell tagged remove_input)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from icpc.config import Config
from icpc.exceptions import ConfigError

__all__ = ["META_MIMETYPE", "cover_metadata", "logo_data_uri", "publish", "read_metadata"]

#: mimetype of the display output carrying the cover metadata
META_MIMETYPE = "application/vnd.icpc.meta+json"

_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml",
               ".gif": "image/gif", ".webp": "image/webp"}  # fmt: skip


def logo_data_uri(path: str | Path, *, source: Path | None = None) -> str:
    """Read a logo file into a ``data:`` URI, so the notebook and PDF are self-contained.

    Parameters
    ----------
    path : str or Path
        The logo (logo du cabinet): PNG, JPEG, SVG, GIF or WebP.
    source : Path, optional
        The config file, named in error messages.

    Returns
    -------
    str
        ``data:<mimetype>;base64,<content>``.

    Raises
    ------
    ConfigError
        The file is missing, unreadable or not an image type we can embed.
    """
    p = Path(path)
    where = f"{source}: " if source is not None else ""
    mime = _LOGO_TYPES.get(p.suffix.lower()) or mimetypes.guess_type(p.name)[0]
    if mime is None or not mime.startswith("image/"):
        raise ConfigError(
            f"{where}branding.logo {p.name!r} is not an image the report can embed "
            f"(found suffix {p.suffix!r}); use a .png, .jpg or .svg file"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{where}branding.logo {str(p)!r} cannot be read ({exc.strerror or exc}); "
            "fix branding.logo (paths are relative to the config file) or remove it"
        ) from None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "date"):  # pandas Timestamp
        return value.date().isoformat()
    return str(value)[:10]


def _pair(period: Any) -> dict[str, str | None] | None:
    if period is None:
        return None
    if hasattr(period, "start") and hasattr(period, "end"):  # icpc.kpi.Period
        start, end = period.start, period.end
    else:
        start, end = period
    return {"start": _iso(start), "end": _iso(end)}


def cover_metadata(
    config: Config,
    *,
    as_of: dt.date,
    period: Any = None,
    previous_period: Any = None,
    generated: dt.date | None = None,
) -> dict[str, Any]:
    """Build the cover metadata (métadonnées de couverture) of one diagnostic.

    Parameters
    ----------
    config : Config
        The client config (client name, slug, language, currency, ``branding:`` block).
    as_of : date
        The analysis date (date d'analyse).
    period, previous_period : Period or (date, date), optional
        Period N and period N−1 (:class:`icpc.kpi.Period`, or first and last day).
    generated : date, optional
        Date the report is produced (date d'édition); default: today. Metadata only, no
        figure depends on it.

    Returns
    -------
    dict
        JSON-ready: ``client``, ``slug``, ``language``, ``currency``, ``basis``,
        ``as_of``, ``period`` and ``previous_period`` (``{"start", "end"}`` ISO dates or
        ``None``), ``generated``, ``icpc_version``, ``branding`` (``firm``,
        ``consultant``, ``logo`` as a data URI or ``None``, ``confidentiality`` or
        ``None``).

    Raises
    ------
    ConfigError
        The configured logo cannot be read.
    """
    from icpc.export.manifest import icpc_version

    brand = config.branding
    logo = logo_data_uri(brand.logo, source=config.source) if brand.logo is not None else None
    return {
        "client": config.client,
        "slug": config.slug,
        "language": config.language,
        "currency": config.currency,
        "basis": config.basis,
        "as_of": _iso(as_of),
        "period": _pair(period),
        "previous_period": _pair(previous_period),
        "generated": _iso(generated or dt.date.today()),
        "icpc_version": icpc_version(),
        "branding": {
            "firm": brand.firm,
            "consultant": brand.consultant,
            "logo": logo,
            "confidentiality": brand.confidentiality,
        },
    }


def publish(diag: Any, *, generated: dt.date | None = None) -> None:
    """Display the cover metadata of a diagnostic as a hidden notebook output.

    Call it once in the diagnostic notebook (cell tagged ``remove_input``). In JupyterLab
    the output shows nothing; the PDF exporter reads it for the cover and header.

    Parameters
    ----------
    diag : icpc.diagnostic.Diagnostic
        Provides ``config``, ``as_of``, ``period`` and ``previous_period``.
    generated : date, optional
        Date the report is produced; default today.

    Outside IPython (a plain script) nothing is shown: there is no notebook to carry it.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display

    if not InteractiveShell.initialized():
        return

    data = cover_metadata(
        diag.config,
        as_of=diag.as_of,
        period=getattr(diag, "period", None),
        previous_period=getattr(diag, "previous_period", None),
        generated=generated,
    )
    display({META_MIMETYPE: data}, raw=True, metadata={META_MIMETYPE: {"icpc": "cover"}})


def read_metadata(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the cover metadata published in an executed notebook, or ``None``.

    Parameters
    ----------
    nb : NotebookNode or mapping
        The executed notebook.

    Returns
    -------
    dict or None
        The last :data:`META_MIMETYPE` payload found, else the notebook metadata's
        ``icpc`` entry, else ``None``.
    """
    found = None
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if META_MIMETYPE in data:
                found = data[META_MIMETYPE]
    if found is None:
        found = (nb.get("metadata") or {}).get("icpc")
    return dict(found) if isinstance(found, Mapping) else None
