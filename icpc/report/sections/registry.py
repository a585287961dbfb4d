"""The registry of report sections and the context every section renders from.

A section is one function ``render(ctx, out)`` decorated with :func:`section`: it reads
the figures from ``ctx`` (the diagnostic, the language, the currency, kpis.json's
contract) and adds its findings, charts and tables to ``out``. The decorator registers it
under its key and order, and returns the public function the notebook calls,
``name(diag, *, language=None) -> list`` (what it displayed; empty when it had nothing
to show, heading included).

Example
-------
>>> from icpc.report.sections.registry import RenderContext, section
>>> @section("toy", order=999, title="Toy")
... def toy(ctx, out):
...     out.html("<p>hello</p>")
>>> toy.section.key, toy.section.order, toy.section.title
('toy', 999, 'Toy')
>>> unregister("toy")
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from icpc.export.context import OutputContext

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic
    from icpc.report.sections.common import Out

__all__ = ["RenderContext", "Section", "section", "registered", "unregister", "all_sections"]

_KPIS_CACHE: weakref.WeakKeyDictionary[Diagnostic, dict[str, Any]] = weakref.WeakKeyDictionary()


def kpis_of(diag: Diagnostic) -> dict[str, Any]:
    """``diag.kpis_json()``, computed once per diagnostic (the diagnostic is not modified)."""
    if diag not in _KPIS_CACHE:
        _KPIS_CACHE[diag] = diag.kpis_json()
    return _KPIS_CACHE[diag]


@dataclass(frozen=True)
class RenderContext:
    """What a section renders from: the diagnostic and the words it is written in.

    Attributes
    ----------
    diag : Diagnostic
        The client's diagnostic (every analysis, computed once on first use).
    language : {"fr", "en"}
        The report's language (the config's unless the notebook overrides it).
    currency : str
        ISO code of the amounts (the config's).
    words : OutputContext
        The words shared with the workbook (segment labels, the currency's symbol).
    """

    diag: Diagnostic
    language: str
    currency: str

    @classmethod
    def of(cls, diag: Diagnostic, language: str | None = None) -> RenderContext:
        """The context of ``diag`` in ``language`` (``None``: the config's language)."""
        return cls(diag, language or diag.config.language, diag.config.currency)

    @property
    def kpis(self) -> dict[str, Any]:
        """kpis.json's content, the contract the PDF and the machine outputs share."""
        return kpis_of(self.diag)

    @property
    def fr(self) -> bool:
        return self.language == "fr"

    @functools.cached_property
    def words(self) -> OutputContext:
        """Language, currency and segment labels, shared with the Excel workbook (once)."""
        return OutputContext.of(self.diag, self.language)


@dataclass(frozen=True)
class Section:
    """One registered section: its key (heading ``section.<key>``, anchor ``icpc-<key>``),
    its place in the report, its English title and the public function."""

    key: str
    order: int
    title: str
    function: Callable[..., list[Any]]


_REGISTRY: dict[str, Section] = {}


def section(
    key: str, *, order: int, title: str
) -> Callable[[Callable[[RenderContext, Out], None]], Callable[..., list[Any]]]:
    """Register a section renderer under ``key`` at ``order``; return its public function.

    Parameters
    ----------
    key : str
        The section's id: its heading is the label ``section.<key>``.
    order : int
        Its place in the report (sections are shown by increasing order).
    title : str
        Its English title (the notebook cell's ``metadata.icpc.section``).

    Raises
    ------
    ValueError
        ``key`` or ``order`` already taken by another section.
    """

    def register(render: Callable[[RenderContext, Out], None]) -> Callable[..., list[Any]]:
        from icpc.report.sections.common import Out

        @functools.wraps(render)
        def public(diag: Diagnostic, *, language: str | None = None) -> list[Any]:
            ctx = RenderContext.of(diag, language)
            out = Out(key, ctx.language, title=title)
            render(ctx, out)
            return out.done()

        for other in _REGISTRY.values():
            if other.key == key or other.order == order:
                raise ValueError(
                    f"section {key!r} (order {order}) collides with {other.key!r} "
                    f"(order {other.order}); choose another key or order"
                )
        entry = Section(key, order, title, public)
        public.section = entry  # type: ignore[attr-defined]
        _REGISTRY[key] = entry
        return public

    return register


def registered() -> tuple[Section, ...]:
    """The registered sections, in report order."""
    return tuple(sorted(_REGISTRY.values(), key=lambda s: s.order))


def unregister(key: str) -> None:
    """Remove a section (tests that register a toy section clean up with it)."""
    _REGISTRY.pop(key, None)


def all_sections(diag: Diagnostic, *, language: str | None = None) -> dict[str, list[Any]]:
    """Display every section in order (for :mod:`explore` notebooks); returns outputs per title."""
    return {s.title: s.function(diag, language=language) for s in registered()}
