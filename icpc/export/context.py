"""The words and units every output of a run is written in: one context for the PDF and the Excel.

:class:`OutputContext` holds the language, the currency (its symbol as the client reads
it) and the Score3D segment labels — the client's own when its segment rules name them —
so that the report and the sales team's workbook say the same thing. The report's
:class:`~icpc.report.sections.registry.RenderContext` builds on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from icpc.labels import locale_for, segment_label

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = ["OPTIONAL_COLUMNS", "OutputContext", "currency_symbol", "shown_columns"]

#: columns that come from the customer master or an optional mapping: a table of the PDF
#: or a sheet of the workbook shows them only when the data has them
OPTIONAL_COLUMNS = frozenset(
    {"name", "city", "address", "postcode", "siret", "salesperson", "region", "creation_to_check"}
)


def shown_columns(frame: Any, *cols: str, headers_when_empty: bool = False) -> list[str]:
    """The columns of ``cols`` a table shows: every required one (KeyError when missing),
    the optional ones (:data:`OPTIONAL_COLUMNS`) when filled.

    ``headers_when_empty``: an empty frame keeps its optional columns (a sheet with its
    headers and no row, rather than fewer headers).
    """
    missing = [c for c in cols if c not in OPTIONAL_COLUMNS and c not in frame.columns]
    if missing:
        raise KeyError(f"table lacks columns {missing}; found {list(frame.columns)}")
    return [
        c
        for c in cols
        if c not in OPTIONAL_COLUMNS
        or (
            c in frame.columns
            and ((headers_when_empty and frame.empty) or bool(frame[c].notna().any()))
        )
    ]


def currency_symbol(currency: str, language: str = "fr") -> str:
    """The symbol the client reads for ``currency`` (``€``, ``CHF``, ``$``…).

    Example
    -------
    >>> currency_symbol("EUR"), currency_symbol("CHF"), currency_symbol("USD", "en")
    ('€', 'CHF', 'US$')
    """
    from babel.numbers import get_currency_symbol

    return str(get_currency_symbol(currency, locale=locale_for(language)))


@dataclass(frozen=True)
class OutputContext:
    """Language, currency and segment labels of one run's outputs.

    Attributes
    ----------
    language : {"fr", "en"}
    currency : str
        ISO code of the amounts (the config's).
    segment_labels : mapping
        Segment name → label in ``language``: the segment rules' own labels (a client's
        custom rules), else the kit's.
    client, firm, consultant : str
        Who the outputs are for and by whom (the config's ``client`` and ``branding``): the
        report's cover, the workbook's properties.
    """

    language: str
    currency: str
    segment_labels: Mapping[str, str] = field(default_factory=dict)
    client: str = ""
    firm: str = ""
    consultant: str = ""

    @classmethod
    def of(cls, diag: Diagnostic, language: str | None = None) -> OutputContext:
        """The context of ``diag`` in ``language`` (``None``: the config's language)."""
        lang = language or diag.config.language
        labels = {
            rule.name: rule.text("label", lang) if rule.label else segment_label(rule.name, lang)
            for rule in diag.segment_rules
        }
        brand = diag.config.branding
        return cls(
            lang,
            diag.config.currency,
            labels,
            client=diag.config.client,
            firm=brand.firm,
            consultant=brand.consultant,
        )

    def segment(self, name: object) -> str:
        """The label of a segment (a name the rules do not know keeps its name)."""
        return segment_label(str(name), self.language, labels=self.segment_labels)

    @property
    def symbol(self) -> str:
        """The currency's symbol (``€``)."""
        return currency_symbol(self.currency, self.language)
