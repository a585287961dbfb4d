"""The preprocessors of the PDF exporter: execute first, then take out what the page must not show.

nbconvert's default order removes the cells tagged ``remove_cell`` before it executes the
notebook; :func:`report_preprocessors` puts the execution (and the output clearing that
must precede it) first, then :class:`StripNoisePreprocessor` — stderr, tracebacks,
JavaScript, accidental reprs and the cover metadata kept out of the page — then the other
preprocessors in nbconvert's order. Used by :class:`icpc.report.exporter.IcpcPDFExporter`,
which re-exports these names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nbconvert.preprocessors import Preprocessor

from icpc.report.meta import META_MIMETYPE, read_metadata

__all__ = [
    "CLEAR_OUTPUT_PREPROCESSOR",
    "EXECUTE_PREPROCESSOR",
    "REMOVE_CELL_TAGS",
    "REMOVE_INPUT_TAGS",
    "REMOVE_OUTPUT_TAGS",
    "StripNoisePreprocessor",
    "report_preprocessors",
]

#: cell tags that drop a whole cell, only its input, only its outputs
REMOVE_CELL_TAGS = ("remove_cell", "remove-cell", "hide", "papermill-error-cell-tag")
REMOVE_INPUT_TAGS = ("remove_input", "remove-input", "hide_input", "hide-input")
REMOVE_OUTPUT_TAGS = ("remove_output", "remove-output", "hide_output", "hide-output")

# an accidental repr left as a cell's last expression: <Figure size …>, <Axes: …>, <… at 0x…>
_NOISE_REPR = re.compile(r"^\s*(<[^>\n]*>\s*)+$|^\s*\[?<matplotlib\.|^\s*Text\(")


class StripNoisePreprocessor(Preprocessor):
    """Remove what must never reach the client's PDF (bruit technique).

    Drops stderr streams (warnings, logs), error outputs (tracebacks), JavaScript and
    widget outputs, accidental object reprs (``<Figure size …>``, ``<Axes: …>``), the
    cover-metadata output (kept in ``resources["icpc_meta"]``) and the cells papermill
    adds on failure. Outputs of cells tagged ``remove_output`` go too.
    """

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Return the cleaned notebook; ``resources["icpc_meta"]`` holds the cover metadata."""
        meta = read_metadata(nb)
        if meta is not None:
            resources["icpc_meta"] = meta
        return super().preprocess(nb, resources)

    def preprocess_cell(
        self, cell: Any, resources: dict[str, Any], index: int
    ) -> tuple[Any, dict[str, Any]]:
        """Filter one cell's outputs."""
        if cell.cell_type != "code":
            return cell, resources
        kept = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
                continue
            if kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                if META_MIMETYPE in data:
                    continue
                if set(data) <= {
                    "application/javascript",
                    "application/vnd.jupyter.widget-view+json",
                    "text/plain",
                }:
                    text = data.get("text/plain", "")
                    if not text.strip() or _NOISE_REPR.search(text) or "text/plain" not in data:
                        continue
            kept.append(output)
        cell.outputs = kept
        return cell, resources


#: nbconvert's execution, and the clearing that must precede it
EXECUTE_PREPROCESSOR = "nbconvert.preprocessors.ExecutePreprocessor"
CLEAR_OUTPUT_PREPROCESSOR = "nbconvert.preprocessors.ClearOutputPreprocessor"


def report_preprocessors(defaults: Sequence[Any]) -> list[Any]:
    """The exporter's preprocessors: execute first, then remove what the page must not show.

    nbconvert's default order (``Exporter.default_preprocessors``) runs
    ``TagRemovePreprocessor`` before ``ExecutePreprocessor``: with ``--execute`` the cells
    tagged ``remove_cell`` — the diagnostic's data load among them — would be dropped
    before the kernel sees them. Here the output clearing (when asked for) and the
    execution (when ``--execute`` enables it) come first, then
    :class:`StripNoisePreprocessor` (it reads the cover metadata, which may sit in a
    hidden cell), then the other preprocessors in nbconvert's order, tag removal first.

    Parameters
    ----------
    defaults : sequence
        nbconvert's default preprocessors (dotted names, classes or instances).

    Returns
    -------
    list
        The same preprocessors in the report's order, with the noise filter added.
    """
    first = [p for p in (CLEAR_OUTPUT_PREPROCESSOR, EXECUTE_PREPROCESSOR) if p in defaults]
    rest = [p for p in defaults if p not in first and p is not StripNoisePreprocessor]
    return [*first, StripNoisePreprocessor, *rest]
