"""What every report section shares: loading the diagnostic, the output collector, helpers.

:class:`Out` collects a section's outputs and displays them only when the section has
content; the helpers read the Diagnostic's attributes by their one real name (a renamed
attribute fails loudly, it does not silently drop a section). Data legitimately absent
is tested with what the Diagnostic returns then: ``by_salesperson`` / ``by_region`` /
``activity`` are None when not mapped or not given, ``dataset.customers`` is None
without a customer master, ``anomalies`` frames are empty without one.
"""

from __future__ import annotations

import html
import io
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import pandas as pd

from icpc.analysis.actions import find_action
from icpc.export.context import shown_columns
from icpc.labels import label, section_title
from icpc.report import format as fmt
from icpc.report.tables import findings_list
from icpc.text import typeset, typeset_html

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from icpc.diagnostic import Diagnostic

__all__ = [
    "RASTER_DPI",
    "Out",
    "load_diagnostic",
    "emit",
    "has_rows",
    "has_previous",
    "with_names",
    "columns",
    "display_name",
    "anomaly_finding",
    "anomaly_groups",
    "comparison_lines",
    "data_end_warning",
    "same_months",
]


def load_diagnostic(
    config_path: str | Path,
    *,
    as_of: Any = None,
    language: str | None = None,
    dataset_path: str | Path | None = None,
    cache: bool = True,
) -> Diagnostic:
    """Build the :class:`~icpc.diagnostic.Diagnostic` of a client, with the notebook's overrides.

    Parameters
    ----------
    config_path : str or Path
        The client's YAML config.
    as_of : date or str, optional
        Analysis date overriding the config's (``None`` keeps it).
    language : {"fr", "en"}, optional
        Report language overriding the config's (``None`` keeps it).
    dataset_path : str or Path, optional
        A dataset saved by :func:`icpc.cleaning.save_dataset` (``icpc run`` saves the
        data it loaded and cleaned in the run folder's ``dataset/`` and passes
        ``"dataset"``, relative to the notebook's folder): the data is read from it, not
        from the client's exports. ``None`` loads and cleans the exports named by the
        config (an analyst's notebook, ``explore.ipynb``).
    cache : bool
        With ``dataset_path=None``: the cleaned data from the cache of cleaned datasets
        when ``icpc validate``, ``kpis`` or ``run`` left it there on the same exports
        (:mod:`icpc.cleaning.cache`), else loaded and kept there; False loads the files.

    Returns
    -------
    Diagnostic

    Raises
    ------
    ConfigError
        Unknown language; a saved dataset of another client or cleaned for another
        ``as_of``.
    InputError
        ``dataset_path`` holds no saved dataset; an input file cannot be used.
    """
    from icpc.config import LANGUAGES, load_config
    from icpc.diagnostic import Diagnostic
    from icpc.exceptions import ConfigError

    config = load_config(config_path).with_as_of(as_of or None)
    if language:
        if language not in LANGUAGES:
            raise ConfigError(f"language must be fr or en, found {language!r}")
        config = replace(config, language=language)
    if dataset_path is None:
        return Diagnostic.from_config(config, cache=cache)
    from icpc.cleaning import load_saved_dataset
    from icpc.lazy import load_analyses

    # in icpc run's kernel: the analyses the run computed (the same numbers as kpis.json,
    # not computed twice); anywhere else {} and they are computed here
    return Diagnostic(
        load_saved_dataset(dataset_path, config), analyses=load_analyses(dataset_path)
    )


def emit(obj: Any) -> None:
    """Display one output (HTML, Markdown or figure) in the notebook; figures are then closed."""
    from IPython.display import display

    display(obj)
    _close(obj)


def _close(obj: Any) -> None:
    """Close ``obj`` if it is a matplotlib figure.

    matplotlib is imported by the charts only: a process that builds no chart (``icpc run``
    computing kpis.json while its kernel renders) does not pay for importing pyplot, and
    an object cannot be a figure while matplotlib is not imported.
    """
    figure = sys.modules.get("matplotlib.figure")
    if figure is not None and isinstance(obj, figure.Figure):
        import matplotlib.pyplot as plt

        plt.close(obj)


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def has_rows(frame: pd.DataFrame | None) -> TypeGuard[pd.DataFrame]:
    return frame is not None and len(frame) > 0


def has_previous(kj: Mapping[str, Any]) -> bool:
    prev = (kj.get("kpis", {}).get("revenue") or {}).get("previous")
    return not fmt.is_missing(prev)


def _customer_names(diag: Diagnostic) -> pd.Series | None:
    """Customer name by id from the customer master; None without a master or a name column."""
    master = diag.customer_master
    return None if master is None or "name" not in master.columns else master["name"]


def with_names(frame: pd.DataFrame, diag: Diagnostic) -> pd.DataFrame:
    """Bring ``customer_id`` out of the index and add the customer's name when known."""
    out = frame.reset_index() if "customer_id" not in frame.columns else frame.copy()
    names = _customer_names(diag)
    if names is not None and "name" not in out.columns:
        out.insert(1, "name", out["customer_id"].astype(str).map(names))
    return out


def columns(frame: pd.DataFrame, *cols: str) -> list[str]:
    """``cols`` to show (:func:`icpc.export.context.shown_columns`, the workbook's rule)."""
    return shown_columns(frame, *cols)


def display_name(frame: pd.DataFrame) -> pd.Series:
    ids = frame["customer_id"].astype(str)
    if "name" in frame.columns:
        return frame["name"].where(frame["name"].notna(), ids).astype(str) + " (" + ids + ")"
    return ids


class Out:
    """Collects the outputs of one section, displayed only when the section has content."""

    def __init__(self, section: str, language: str, *, title: str | None = None) -> None:
        """``section``'s heading is its label ``section.<key>``; ``title`` when it has none."""
        self.language = language
        try:
            text = section_title(section, language)
        except KeyError:
            if title is None:
                raise
            text = title
        self.items: list[Any] = [heading(text, 1, section)]
        self.content = 0

    def html(self, text: str, *, content: bool = True) -> None:
        if text:
            from IPython.display import HTML

            self.items.append(HTML(typeset_html(text, self.language)))
            self.content += int(content)

    def sub(self, key: str) -> None:
        self.items.append(heading(label(key, self.language), 2))

    def findings(self, sentences: Sequence[str | None]) -> None:
        self.html(findings_list([s for s in sentences if s]))

    def figure(
        self, ax: Any, *, title: bool = True, raster: bool = False, message: str | None = None
    ) -> None:
        """Add a chart. ``raster``: embed it as a 200-dpi PNG instead of SVG.

        ``message``: the chart's title says what it shows (« N au-dessus de N−1 sur 7 mois
        sur 12 »), in place of its plain title; ``title=False`` and no message: no title
        (the sub-heading above already names it).

        Heat maps (hundreds of labelled cells) cost WeasyPrint about a third of the PDF
        time as SVG, for no visible gain in print; line and bar charts stay vector.
        """
        if message:
            from icpc.report.charts.style import _title

            # a long message on two lines: the chart keeps the page's width
            _title(ax, textwrap.fill(typeset(message, self.language), 95))
        elif not title:
            ax.set_title("")
        self.items.append(png(ax.figure) if raster else ax.figure)
        self.content += 1

    def done(self) -> list[Any]:
        if not self.content:
            for item in self.items:
                _close(item)
            return []
        # a sub-heading with nothing after it is dropped
        items = [it for i, it in enumerate(self.items)
                 if not (getattr(it, "_icpc_sub", False) and (i + 1 == len(self.items)
                         or getattr(self.items[i + 1], "_icpc_sub", False)))]  # fmt: skip
        from icpc.report import sections  # the package's emit: the one a caller may replace

        for item in items:
            sections.emit(item)
        return items


#: resolution of the charts embedded as images (print quality)
RASTER_DPI = 200


def png(fig: Figure) -> Any:
    """The figure as a PNG at its printed size (the figure is closed).

    An ``<img>`` whose width is said in millimetres: WeasyPrint leaves HTML's ``width``
    attribute aside (presentational hints), and a 200-dpi PNG would otherwise be printed
    at 96 dpi, twice too wide, then shrunk to the page's width.
    """
    import base64

    from IPython.display import HTML

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=RASTER_DPI)  # the report style crops it ("tight")
    _close(fig)
    data = buffer.getvalue()
    pixels = int.from_bytes(data[16:20], "big")  # PNG header: width of the cropped image
    width_mm = round(pixels / RASTER_DPI * 25.4, 1)
    encoded = base64.b64encode(data).decode("ascii")
    return HTML(
        f'<div class="icpc-chart"><img src="data:image/png;base64,{encoded}" '
        f'style="width: {width_mm}mm" alt=""></div>'
    )


def heading(text: str, level: int, anchor: str | None = None) -> Any:
    from IPython.display import HTML

    ident = f' id="icpc-{anchor}"' if anchor else ""
    obj = HTML(f"<h{level}{ident}>{html.escape(text)}</h{level}>")
    obj._icpc_sub = level > 1  # type: ignore[attr-defined]
    return obj


# ----------------------------------------------------------------------------------------
# sections
# ----------------------------------------------------------------------------------------
def same_months(diag: Diagnostic) -> bool:
    """Whether N−1 covers the same months of the year as N (no seasonal effect in the change)."""
    return diag.config.compare == "previous_year" or diag.months % 12 == 0


def comparison_lines(diag: Diagnostic, language: str) -> list[str]:
    """The sentences that say what N and N−1 are, true for the run's parameters.

    The analysis date and N; what N−1 covers (the same months a year earlier, or the
    months just before N); the seasonality caveat when N and N−1 are not the same months.
    """
    d = lambda value: fmt.date(value, language=language)  # noqa: E731
    n, n1 = diag.period, diag.previous_period
    lines = [
        label("method.period", language).format(as_of=d(diag.as_of), start=d(n.start), end=d(n.end))
    ]
    if diag.months == 12 or diag.config.compare == "previous_year":
        lines.append(
            label("method.compare.previous_year", language).format(start=d(n1.start), end=d(n1.end))
        )
    else:
        lines.append(
            label("method.compare.previous_period", language).format(
                start=d(n1.start), end=d(n1.end), months=fmt.number(diag.months, language=language)
            )
        )
    if not same_months(diag):
        lines.append(label("method.seasonality", language))
    return lines  # fmt: skip


def data_end_warning(diag: Diagnostic, language: str) -> str | None:
    """The warning the report opens with when the data stops well before ``as_of``, else None."""
    days = diag.data_end_gap
    if days is None:
        return None
    d = lambda value: fmt.date(value, language=language)  # noqa: E731
    return label("warning.data_end", language).format(
        last=d(diag.data_end), days=fmt.number(days, language=language), as_of=d(diag.as_of)
    )


def anomaly_finding(diag: Diagnostic) -> dict[str, Any] | None:
    """The flagged salesperson with the most customers created in a burst, for :func:`icpc.report.findings.salesperson_anomaly`."""
    people = diag.anomalies.salespeople
    flagged = people.loc[people["flagged"].astype(bool)]
    if flagged.empty:
        return None
    row = flagged.sort_values("burst_customers", ascending=False, kind="stable").iloc[0]
    days = None
    if not (fmt.is_missing(row["burst_start"]) or fmt.is_missing(row["burst_end"])):
        days = (pd.Timestamp(row["burst_end"]) - pd.Timestamp(row["burst_start"])).days + 1
    # what those creations brought in N: the plan of action's amount for them
    action = find_action(diag.action_plan, "check_creations")
    revenue = None
    if action is not None and action.detail.get("salesperson") == str(row["salesperson"]):
        revenue = action.amount
    return {"salesperson": row["salesperson"], "customers": row["burst_customers"], "days": days,
            "start": row["burst_start"], "end": row["burst_end"], "revenue": revenue,
            "basket": row["basket_burst"], "basket_others": row["basket_others"]}  # fmt: skip


def anomaly_groups(diag: Diagnostic) -> pd.DataFrame | None:
    """One row per address / SIRET cluster, largest first, with the address of its first customer.

    None without a cluster (``anomalies.groups`` is empty, always so without a customer master).
    """
    groups = diag.anomalies.groups
    if groups.empty:
        return None
    groups = groups.sort_values(
        ["customers", "duplicate_group"], ascending=[False, True], kind="stable"
    )
    master = diag.customer_master  # clusters come from the master, so it is there
    if master is None:
        return None
    keep = [c for c in ("address", "city") if c in master.columns]  # mapped or not in the config
    if keep:
        members = diag.anomalies.customers
        first = _ids_out(members.loc[members["duplicate_group"].notna()]).drop_duplicates(
            "duplicate_group"
        )
        first = first.join(master[keep], on="customer_id")
        groups = groups.join(first.set_index("duplicate_group")[keep], on="duplicate_group")
    return groups


def _ids_out(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index() if "customer_id" not in frame.columns else frame.copy()
    out["customer_id"] = out["customer_id"].astype(str)
    return out
