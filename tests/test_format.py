"""Exact strings of the French and English formatting (icpc.report.format)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from icpc.report import format as fmt

NNBSP = "\u202f"  # narrow no-break space: French thousands separator (Babel, CLDR)
NBSP = "\u00a0"  # no-break space: before € and %


@pytest.mark.parametrize(
    ("func", "value", "kwargs", "expected"),
    [
        (fmt.money, 1234567.891, {}, f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        (fmt.money, 1234567.891, {"language": "en"}, "€1,234,567.89"),
        (fmt.money, 1234.5, {"decimals": 0}, f"1{NNBSP}234{NBSP}€"),
        (fmt.money, -870.2, {}, f"−870,20{NBSP}€"),
        (fmt.money, -0.004, {}, f"0,00{NBSP}€"),
        (fmt.money, None, {}, "–"),
        (fmt.money, math.nan, {}, "–"),
        (fmt.money_compact, 1234567, {}, f"1,2{NBSP}M{NBSP}€"),
        (fmt.money_compact, 1234567, {"language": "en"}, "€1.2m"),
        (fmt.money_compact, 856000, {}, f"856{NBSP}k{NBSP}€"),
        (fmt.money_compact, 950, {}, f"950{NBSP}€"),
        (fmt.signed_money, 12345, {}, f"+12{NNBSP}345{NBSP}€"),
        (fmt.signed_money, -870.2, {}, f"−870{NBSP}€"),
        (fmt.number, 1234.5, {"decimals": 1}, f"1{NNBSP}234,5"),
        (fmt.number, 1234.5, {"decimals": 1, "language": "en"}, "1,234.5"),
        (fmt.number, 3.6, {"decimals": 2}, "3,60"),
        (fmt.signed_number, 12, {}, "+12"),
        (fmt.number_compact, 15300, {}, f"15,3{NBSP}k"),
        (fmt.percent, 0.125, {}, f"12,5{NBSP}%"),
        (fmt.percent, 0.125, {"language": "en"}, "12.5%"),
        (fmt.percent, 0.5, {"decimals": 0}, f"50{NBSP}%"),
        (fmt.change, 0.125, {}, f"▲{NBSP}+12,5{NBSP}%"),
        (fmt.change, -0.03, {}, f"▼{NBSP}−3,0{NBSP}%"),
        (fmt.change, 0.0001, {}, f"►{NBSP}0,0{NBSP}%"),
        (fmt.change, -0.22, {"language": "en", "decimals": 0}, f"▼{NBSP}−22%"),
        (fmt.change, None, {}, "–"),
        (fmt.points, 0.023, {}, f"+2,3{NBSP}pts"),
        (fmt.date, dt.date(2024, 12, 31), {}, "31/12/2024"),
        (fmt.date, pd.Timestamp("2024-01-05"), {"language": "en"}, "05/01/2024"),
        (fmt.date, "2024-12-31", {}, "31/12/2024"),
        (fmt.date, pd.NaT, {}, "–"),
        (fmt.month, dt.date(2024, 1, 5), {}, "janvier 2024"),
        (fmt.month, dt.date(2024, 1, 5), {"abbreviated": True}, "janv. 2024"),
        (fmt.month, dt.date(2024, 1, 5), {"language": "en"}, "January 2024"),
        (fmt.days, 45, {}, f"45{NBSP}jours"),
        (fmt.days, 1, {"language": "en"}, "1 day"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_exact_strings(func, value, kwargs, expected):
    assert func(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "du 01/01/2024 au 31/12/2024"), ("en", "from 01/01/2024 to 31/12/2024")],
    ids=["fr", "en"],
)
def test_period(language, expected):
    assert fmt.period(dt.date(2024, 1, 1), dt.date(2024, 12, 31), language=language) == expected


def test_arrows_follow_the_sign():
    assert [fmt.arrow(v) for v in (0.2, -0.2, 0.0)] == [
        fmt.ARROW_UP,
        fmt.ARROW_DOWN,
        fmt.ARROW_FLAT,
    ]
    assert fmt.arrow(0.004, tolerance=0.005) == fmt.ARROW_FLAT


def test_arrows_are_in_dejavu_sans():
    # the PDF font must have the glyphs, or the arrows print as boxes
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont("DejaVu Sans"))
    charmap = font.get_charmap()
    for arrow in (fmt.ARROW_UP, fmt.ARROW_DOWN, fmt.ARROW_FLAT, "−"):
        assert ord(arrow) in charmap


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="use fr or en"):
        fmt.money(1.0, language="de")
