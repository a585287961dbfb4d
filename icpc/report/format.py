"""French (and English) formatting of money, numbers, percentages and dates, through Babel.

Every figure the report shows goes through this module, so the PDF reads
``1 234 567,89 €``, ``12,5 %`` and ``31/12/2024`` in French (Babel's narrow no-break
space ``\\u202f`` groups thousands, a no-break space ``\\xa0`` precedes ``€`` and ``%``)
and ``€1,234,567.89``, ``12.5%`` and ``31/12/2024`` in English (British conventions:
day-first dates). Missing values (``None``, NaN) print as an en dash ``–``.

Example
-------
>>> money(1234567.891, language="fr")
'1\\u202f234\\u202f567,89\\xa0€'
>>> percent(0.125, language="fr")
'12,5\\xa0%'
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import pandas as pd
from babel.dates import format_date
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)

from icpc.kpi import as_date
from icpc.labels import LOCALES, locale_for
from icpc.text import MINUS

__all__ = [
    "LOCALES",
    "MISSING",
    "ARROW_UP",
    "ARROW_DOWN",
    "ARROW_FLAT",
    "locale_for",
    "is_missing",
    "money",
    "money_compact",
    "signed_money",
    "number",
    "number_compact",
    "signed_number",
    "percent",
    "change",
    "points",
    "arrow",
    "date",
    "month",
    "period",
    "days",
]

#: what a missing value prints as
MISSING = "–"
#: trend arrows (present in DejaVu Sans, the report font)
ARROW_UP = "▲"
ARROW_DOWN = "▼"
ARROW_FLAT = "►"


def is_missing(value: Any) -> bool:
    """Tell whether a value is missing (``None``, NaN, ``pd.NA``, ``NaT``)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        value = float(value)
    return float(value)


def _minus(text: str) -> str:
    """Babel writes a hyphen; the report prints the minus sign (−)."""
    return text.replace("-", MINUS)


def _clean_zero(value: float, decimals: int) -> float:
    # -0.004 rounds to "-0,00": show 0 without a sign
    return 0.0 if round(value, decimals) == 0 else value


def money(value: Any, *, language: str = "fr", currency: str = "EUR", decimals: int = 2) -> str:
    """Format an amount of money (montant) in the report language.

    Parameters
    ----------
    value : float
        The amount, in currency units.
    language : str
        ``fr`` or ``en``.
    currency : str
        ISO code (``EUR``).
    decimals : int
        Digits after the decimal separator (2 = cents, 0 = whole units).

    Returns
    -------
    str
        e.g. ``1 234 567,89 €`` (fr), ``€1,234,567.89`` (en); ``–`` when missing.
    """
    if is_missing(value):
        return MISSING
    loc = locale_for(language)
    v = _clean_zero(_num(value), decimals)
    if decimals == 2:
        return _minus(format_currency(v, currency, locale=loc))
    from babel import Locale

    pattern = Locale.parse(loc).currency_formats["standard"].pattern.split(";")[0]
    pattern = pattern.replace("#,##0.00", "#,##0" + ("." + "0" * decimals if decimals else ""))
    return _minus(
        format_currency(
            round(v, decimals), currency, locale=loc, format=pattern, currency_digits=False
        )
    )


def money_compact(
    value: Any, *, language: str = "fr", currency: str = "EUR", decimals: int = 1
) -> str:
    """Format an amount in compact form for charts and headlines (``1,2 M €``, ``850 k€``-style).

    Parameters
    ----------
    value : float
        The amount.
    language, currency : str
        As in :func:`money`.
    decimals : int
        Maximum digits after the separator of the compact figure.

    Returns
    -------
    str
        e.g. ``1,2 M €`` (fr), ``€1.2m`` (en), ``950 €`` below a thousand.
    """
    if is_missing(value):
        return MISSING
    v = _num(value)
    loc = locale_for(language)
    if abs(v) < 1000:
        return money(v, language=language, currency=currency, decimals=0)
    return _minus(format_compact_currency(v, currency, locale=loc, fraction_digits=decimals))


def money_reading(
    value: Any, *, language: str = "fr", currency: str = "EUR", signed: bool = False
) -> str:
    """An amount in a sentence, rounded for reading: three significant figures from a
    thousand (``173,4 k€``, ``1,78 M€``), exact euros below; ``signed`` adds ``+``.

    Tables and machine outputs keep the exact amounts.

    Example
    -------
    >>> money_reading(1775935.97), money_reading(-266374, signed=True), money_reading(950)
    ('1,78\u00a0M\u00a0€', '−266,4\u00a0k\u00a0€', '950\u00a0€')
    """
    if is_missing(value):
        return MISSING
    v = _num(value)
    text = money_compact(
        v, language=language, currency=currency, decimals=2 if abs(v) >= 1e6 else 1
    )
    return "+" + text if signed and v > 0 else text


def signed_money(
    value: Any, *, language: str = "fr", currency: str = "EUR", decimals: int = 0
) -> str:
    """Format a change of money with an explicit sign (``+12 345 €``, ``−870 €``).

    Parameters
    ----------
    value : float
        The change.
    language, currency, decimals
        As in :func:`money`.

    Returns
    -------
    str
        The amount with ``+`` when positive; ``–`` when missing.
    """
    if is_missing(value):
        return MISSING
    v = _clean_zero(_num(value), decimals)
    text = money(v, language=language, currency=currency, decimals=decimals)
    return "+" + text if v > 0 else text


def number(value: Any, *, language: str = "fr", decimals: int = 0) -> str:
    """Format a number (nombre) with the locale's grouping and decimal separator.

    Parameters
    ----------
    value : float
        The number.
    language : str
        ``fr`` or ``en``.
    decimals : int
        Exact digits after the separator.

    Returns
    -------
    str
        e.g. ``1 234`` or ``2,35`` (fr), ``1,234`` or ``2.35`` (en).
    """
    if is_missing(value):
        return MISSING
    v = _clean_zero(_num(value), decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _minus(format_decimal(round(v, decimals), format=pattern, locale=locale_for(language)))


def number_compact(value: Any, *, language: str = "fr", decimals: int = 1) -> str:
    """Format a number in compact form (``1,2 M``, ``15 k``), for chart axes."""
    if is_missing(value):
        return MISSING
    v = _num(value)
    if abs(v) < 1000:
        return number(v, language=language, decimals=0)
    return _minus(format_compact_decimal(v, locale=locale_for(language), fraction_digits=decimals))


def signed_number(value: Any, *, language: str = "fr", decimals: int = 0) -> str:
    """Format a change of a count with an explicit sign (``+12``, ``−3``)."""
    if is_missing(value):
        return MISSING
    v = _clean_zero(_num(value), decimals)
    text = number(v, language=language, decimals=decimals)
    return "+" + text if v > 0 else text


def percent(fraction: Any, *, language: str = "fr", decimals: int = 1) -> str:
    """Format a fraction as a percentage (pourcentage): 0.125 → ``12,5 %``.

    Parameters
    ----------
    fraction : float
        The fraction (0.125 = 12.5 %).
    language : str
        ``fr`` or ``en``.
    decimals : int
        Exact digits after the separator.

    Returns
    -------
    str
        ``12,5 %`` (fr, no-break space), ``12.5%`` (en); ``–`` when missing.
    """
    if is_missing(fraction):
        return MISSING
    from babel import Locale

    loc = locale_for(language)
    v = _clean_zero(_num(fraction), decimals + 2)
    pattern = Locale.parse(loc).percent_formats[None].pattern.split(";")[0]
    if decimals:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return _minus(format_percent(v, format=pattern, locale=loc))


def arrow(value: Any, *, tolerance: float = 0.0) -> str:
    """Return ▲, ▼ or ► for a positive, negative or (within ``tolerance``) null change."""
    if is_missing(value):
        return ""
    v = _num(value)
    if v > tolerance:
        return ARROW_UP
    if v < -tolerance:
        return ARROW_DOWN
    return ARROW_FLAT


def change(
    fraction: Any, *, language: str = "fr", decimals: int = 1, with_arrow: bool = True
) -> str:
    """Format a relative change (évolution) with its sign and arrow: ``▲ +12,5 %``.

    Parameters
    ----------
    fraction : float
        The change as a fraction (``change_pct`` of kpis.json).
    language : str
        ``fr`` or ``en``.
    decimals : int
        Digits after the separator.
    with_arrow : bool
        Prefix ▲ / ▼ / ► (a change that rounds to 0 gets ►).

    Returns
    -------
    str
        e.g. ``▲ +12,5 %``, ``▼ −3,0 %``, ``► 0,0 %`` (no-break space after the arrow); ``–`` when missing (no N−1 value).
    """
    if is_missing(fraction):
        return MISSING
    v = _clean_zero(_num(fraction), decimals + 2)
    text = percent(v, language=language, decimals=decimals)
    if v > 0:
        text = "+" + text
    return f"{arrow(v)}\u00a0{text}" if with_arrow else text


def points(delta: Any, *, language: str = "fr", decimals: int = 1) -> str:
    """Format a change of a rate in percentage points: 0.023 → ``+2,3 pts`` (``+2.3 pts``)."""
    if is_missing(delta):
        return MISSING
    v = _clean_zero(_num(delta) * 100, decimals)
    text = number(v, language=language, decimals=decimals)
    unit = "\u00a0pts" if language == "fr" else " pts"
    return ("+" if v > 0 else "") + text + unit


def date(value: Any, *, language: str = "fr") -> str:
    """Format a date day-first: ``31/12/2024`` (both languages; British English is day-first)."""
    if is_missing(value):
        return MISSING
    return format_date(as_date(value), "dd/MM/y", locale=locale_for(language))


def month(value: Any, *, language: str = "fr", abbreviated: bool = False) -> str:
    """Format the month of a date: ``janvier 2024`` (``janv. 2024`` abbreviated; ``January 2024``)."""
    if is_missing(value):
        return MISSING
    pattern = "MMM y" if abbreviated else "MMMM y"
    return format_date(as_date(value), pattern, locale=locale_for(language))


def period(start: Any, end: Any, *, language: str = "fr") -> str:
    """Format a period: ``du 01/01/2024 au 31/12/2024`` (``from 01/01/2024 to 31/12/2024``)."""
    a, b = date(start, language=language), date(end, language=language)
    return f"du {a} au {b}" if language == "fr" else f"from {a} to {b}"


def days(value: Any, *, language: str = "fr") -> str:
    """Format a number of days: ``1 jour``, ``45 jours`` (``1 day``, ``45 days``)."""
    if is_missing(value):
        return MISSING
    n = round(_num(value))
    word = (
        ("jour" if abs(n) <= 1 else "jours")
        if language == "fr"
        else ("day" if abs(n) == 1 else "days")
    )
    return (
        f"{number(n, language=language)}\u00a0{word}"
        if language == "fr"
        else f"{number(n, language=language)} {word}"
    )
