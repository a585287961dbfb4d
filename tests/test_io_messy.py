"""Messy text exports as consultants receive them: every row read right, or refused with the fix.

Each test writes its own file. The invoice lines are always the same four sales, so that
what a shape does to them is easy to see: the rows used must be exactly these, and the
ledger must add up (``rows_read == rows_used + Σ excluded``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from icpc.cleaning import load_dataset
from icpc.config import config_from_dict
from icpc.exceptions import InputError

COLUMNS = {
    "customer_id": "Code client",
    "date": "Date facture",
    "amount": "Montant HT",
    "salesperson": "Commercial",
}
HEADER = ["Code client", "Date facture", "Désignation", "Montant HT", "Commercial"]
#: (customer, date, label, amount, salesperson)
SALES = [
    ("C001", dt.date(2024, 1, 3), "Vis à bois 6×80", 1234.56, "Hélène Dupré"),
    ("C002", dt.date(2024, 2, 29), "Équerre", 0.45, "Éric Müller"),
    ("C001", dt.date(2024, 3, 15), "Cheville", 12.5, "Hélène Dupré"),
    ("C003", dt.date(2024, 12, 31), "Rondelle", -15.75, "Chloé Bérard"),
]


def _fr(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _lines(rows: list[list[str]], delimiter: str = ";") -> list[str]:
    return [delimiter.join(HEADER)] + [delimiter.join(r) for r in rows]


def _sale_cells(decimals: int = 2, amount=None) -> list[list[str]]:
    amount = amount or (lambda v: _fr(v, decimals))
    return [[c, d.strftime("%d/%m/%Y"), label, amount(a), p] for c, d, label, a, p in SALES]


def _write(path: Path, lines: list[str], *, encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


#: the three columns every sales export has
THREE = {"customer_id": "Code client", "date": "Date facture", "amount": "Montant HT"}


def _load(tmp_path: Path, name: str = "factures.csv", columns=COLUMNS, **options):
    cfg = config_from_dict(
        {"client": "T", "transactions": {"path": name, "columns": columns, **options}},
        base_dir=tmp_path,
    )
    return load_dataset(cfg)


def _balanced(ds) -> None:
    led = ds.ledger
    assert led.rows_read == led.rows_used + sum(led.rows_excluded.values())
    assert round(led.amount_read - led.amount_used - sum(led.amounts_excluded.values()), 2) == 0


def _assert_sales(ds, sales=SALES) -> None:
    tx = ds.transactions
    assert tx["customer_id"].astype(str).tolist() == [s[0] for s in sales]
    assert tx["date"].dt.date.tolist() == [s[1] for s in sales]
    np.testing.assert_array_equal(tx["amount"].to_numpy(), [s[3] for s in sales])
    assert tx["salesperson"].astype(str).tolist() == [s[4] for s in sales]
    _balanced(ds)


# --------------------------------------------------------------------------------------
# the matrix of new shapes: encoding x line ending x shape
# --------------------------------------------------------------------------------------
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-32"]
NEWLINES = [("\r\n", "crlf"), ("\n", "lf"), ("\r", "cr")]


def _shape_plain(cells):
    return _lines(cells), {}


def _shape_broken_quote(cells):
    """An opening quote never closed, in a label: the line is read, the rest not swallowed."""
    cells = [list(r) for r in cells]
    cells[1][2] = '"Équerre 90° '
    return _lines(cells), {"unclosed": [3]}


def _shape_three_decimals(cells):
    return _lines(_sale_cells(3, amount=lambda v: f"{v:.3f}")), {}


def _shape_page_breaks(cells):
    """A printed export: the title and the header line again after every two rows."""
    lines = (
        _lines(cells[:2])
        + ["", "Factures - page 2", ";".join(HEADER)]
        + [";".join(r) for r in cells[2:]]
    )
    return lines, {"repeated": 1, "malformed": 1}


SHAPES = [_shape_plain, _shape_broken_quote, _shape_three_decimals, _shape_page_breaks]
MATRIX = list(itertools.product(ENCODINGS, NEWLINES, SHAPES))
IDS = [f"{e}-{n[1]}-{s.__name__[7:]}" for e, n, s in MATRIX]


@pytest.mark.parametrize(("encoding", "newline", "shape"), MATRIX, ids=IDS)
def test_new_shapes_matrix(tmp_path, encoding, newline, shape):
    delimiter = "\t" if encoding == "utf-16" else ";"  # Excel's "Texte Unicode" is UTF-16 and tabs
    lines, expect = shape(_sale_cells())
    if delimiter != ";":
        lines = [ln.replace(";", delimiter) for ln in lines]
    _write(tmp_path / "factures.csv", lines, encoding=encoding, newline=newline[0])
    ds = _load(tmp_path)
    _assert_sales(ds)
    led = ds.ledger
    # the file's encoding, though UTF-16 and UTF-32 are read through a UTF-8 copy
    assert led.details["encoding"] == {"utf-8-sig": "utf-8-sig"}.get(encoding, encoding)
    assert led.rows_excluded.get("repeated header line", 0) == expect.get("repeated", 0)
    assert led.rows_excluded["malformed line"] == expect.get("malformed", 0)
    unclosed = led.warnings.get("lines with an unclosed quote, read without quoting")
    if "unclosed" in expect:
        assert unclosed["rows"] == 1 and unclosed["examples"] == [2]
        assert led.details["unclosed_quote_lines"] == expect["unclosed"]
    else:
        assert unclosed is None


# --------------------------------------------------------------------------------------
# quotes and broken lines
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
@pytest.mark.parametrize("where", [0, 2, 4], ids=["first-field", "label", "last-field"])
def test_unclosed_quote_never_swallows_the_rest(tmp_path, encoding, where):
    cells = [list(r) for r in _sale_cells()]
    cells[0][where] = '"' + cells[0][where]  # first data line: the worst place
    _write(tmp_path / "factures.csv", _lines(cells), encoding=encoding)
    ds = _load(tmp_path)
    assert ds.ledger.rows_read == len(SALES)
    _assert_sales(ds)  # the opening quote that never closes is dropped from the value
    assert ds.ledger.warnings["lines with an unclosed quote, read without quoting"]["rows"] == 1


def test_broken_quote_line_that_cannot_be_read_is_a_malformed_line(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    bad = [
        "C009",
        "05/01/2024",
        '"Boulon; lot',
        "99,00",
        "Luc",
        "en trop",
    ]  # quote and a field too many
    _write(
        tmp_path / "factures.csv",
        _lines(cells[:2]) + [";".join(bad)] + [";".join(r) for r in cells[2:]],
    )
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["malformed line"] == 1
    assert ds.ledger.rows_read == len(SALES) + 1
    assert ds.ledger.details["malformed_lines"] == [4]


def test_two_adjacent_broken_quotes_are_two_lines_not_one_value(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    cells[0][2] = '"Vis'
    cells[1][2] = '"Équerre'
    _write(tmp_path / "factures.csv", _lines(cells))
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.warnings["lines with an unclosed quote, read without quoting"]["rows"] == 2


def test_quoted_values_that_really_span_lines_are_kept_whole(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    cells[1][2] = '"Équerre\nlot de 10; acier"'
    cells[3][2] = '"Rondelle\n\nsuite ""M8"""'
    _write(tmp_path / "factures.csv", _lines(cells), newline="\n")
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert not ds.ledger.warnings.get("lines with an unclosed quote, read without quoting")
    assert ds.ledger.rows_excluded["malformed line"] == 0


def test_every_field_quoted_and_one_quote_broken(tmp_path):
    rows = [[f'"{c}"' for c in r] for r in _sale_cells()]
    rows[2][2] = '"Cheville'
    lines = [";".join(f'"{h}"' for h in HEADER)] + [";".join(r) for r in rows]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    _assert_sales(ds)
    warning = ds.ledger.warnings["lines with an unclosed quote, read without quoting"]
    assert warning["rows"] == 1 and warning["examples"] == [3]
    assert warning["amount"] == 12.5


def test_cp1252_line_with_an_extra_field_is_counted_not_fatal(tmp_path, capfd):
    """Arrow cannot hand a non-UTF-8 malformed line to its row handler: the file is still read."""
    cells = [list(r) for r in _sale_cells()]
    extra = ["C004", "06/01/2024", "Scellement chimique", "10,00", "Hélène Dupré", "en trop"]
    lines = _lines(cells[:3]) + [";".join(extra), ";".join(cells[3])]
    _write(tmp_path / "factures.csv", lines, encoding="cp1252")
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["malformed line"] == 1
    assert ds.ledger.details["encoding"] == "cp1252"  # the file's, though read through a UTF-8 copy
    assert capfd.readouterr().err == ""


def test_cp1252_totals_line_with_too_few_fields(tmp_path):
    cells = _sale_cells()
    lines = _lines(cells) + ["Total général é;1 231,76"]
    _write(tmp_path / "factures.csv", lines, encoding="cp1252")
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["totals line"] == 1


# --------------------------------------------------------------------------------------
# encodings
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("late", [False, True], ids=["in-first-MiB", "after-first-MiB"])
def test_one_cp1252_byte_in_a_utf8_file_repairs_that_value_only(tmp_path, late):
    cells = [list(r) for r in _sale_cells()]
    filler = [["C001", "03/01/2024", "x" * 200, "0,00", "Hélène Dupré"]] * (6000 if late else 0)
    body = [";".join(r).encode("utf-8") for r in [*filler, *cells]]
    stray = ";".join(["C003", "31/12/2024", "Rondelle", "0,00", "Chloé Bérard"]).encode("cp1252")
    data = b"\r\n".join([";".join(HEADER).encode("utf-8"), *body, stray]) + b"\r\n"
    (tmp_path / "factures.csv").write_bytes(data)
    ds = _load(tmp_path)
    people = set(ds.transactions["salesperson"].astype(str))
    assert people == {"Hélène Dupré", "Éric Müller", "Chloé Bérard"}
    assert ds.ledger.details["encoding"] == "utf-8"
    warning = ds.ledger.warnings["bytes not UTF-8, read as Windows-1252"]
    assert warning["rows"] == 1 and warning["examples"] == [len(filler) + len(cells) + 1]
    _balanced(ds)


def test_a_cp1252_file_is_still_read_as_cp1252(tmp_path):
    _write(tmp_path / "factures.csv", _lines(_sale_cells()), encoding="cp1252")
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.details["encoding"] == "cp1252"
    assert "bytes not UTF-8, read as Windows-1252" not in ds.ledger.warnings


def test_huge_first_cell_is_not_taken_for_headers_only(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    cells[0][2] = "x" * (3 << 20)  # a 3-MB label on the first data line
    _write(tmp_path / "factures.csv", _lines(cells))
    _assert_sales(_load(tmp_path))


# --------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (["0.450", "12.500", "3.250", "1.125"], [0.45, 12.5, 3.25, 1.125]),
        (["0.450", "12.500", "3.250", "1234.567"], [0.45, 12.5, 3.25, 1234.567]),
        (["12.500", "1500", "2.250", "7"], [12.5, 1500.0, 2.25, 7.0]),
        (["1.234.567,89", "12,5", "0,45", "-3"], [1234567.89, 12.5, 0.45, -3.0]),
        (["1 234,56", "1\u202f000,00", "0,450", "12,500"], [1234.56, 1000.0, 0.45, 12.5]),
        (["1,234.56", "12.5", "1,000,000.00", "0.45"], [1234.56, 12.5, 1e6, 0.45]),
        # 1,234,567 can only group thousands: the file's 2,345 is then 2 345, not 2.345
        (["1,234,567", "2,345", "12,000", "3"], [1234567.0, 2345.0, 12000.0, 3.0]),
        (["1.234.567", "2.345", "12.000", "3"], [1234567.0, 2345.0, 12000.0, 3.0]),
        (["1,234,567", "2,345.5", "12,000", "0.45"], [1234567.0, 2345.5, 12000.0, 0.45]),
    ],
    ids=[
        "three-decimals-lone-zero",
        "three-decimals-dot",
        "dot-and-plain-thousands",
        "thousands-dots",
        "french",
        "english",
        "two-groups-thousands-commas",
        "two-groups-thousands-dots",
        "two-groups-thousands-commas-decimal-dot",
    ],
)
def test_number_formats_are_read_exactly(tmp_path, amounts, expected):
    it = iter(amounts)
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path)
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), expected)
    _balanced(ds)


def test_ambiguous_thousands_dot_is_refused_with_the_fix(tmp_path):
    it = iter(["12.500", "1.250", "3.000", "450"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    with pytest.raises(
        InputError,
        match=r'factures\.csv: amounts such as "12\.500" can be read two ways.*'
        r'decimal: "\.".*transactions in client\.yaml',
    ):
        _load(tmp_path)
    it = iter(["12.500", "1.250", "3.000", "450"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path, decimal=".")
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [12.5, 1.25, 3.0, 450.0])
    ds = _load(tmp_path, decimal=",")
    np.testing.assert_array_equal(
        ds.transactions["amount"].to_numpy(), [12500.0, 1250.0, 3000.0, 450.0]
    )


def test_ambiguous_thousands_comma_is_refused_with_the_fix(tmp_path):
    """Whole amounts with thousands commas ("21,231" beside "876") read as well with three
    decimals: refused, not read as 21.231 (a French default would divide them by 1 000)."""
    amounts = ["21,231", "3,904", "876", "1,250"]
    it = iter(amounts)
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    with pytest.raises(
        InputError,
        match=r'factures\.csv: amounts such as "21,231" can be read two ways \(21231 with a '
        r'thousands comma, or 21\.231 with three decimals\).*decimal: ",".*decimal: "\."',
    ):
        _load(tmp_path)
    it = iter(amounts)
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path, decimal=".")
    np.testing.assert_array_equal(
        ds.transactions["amount"].to_numpy(), [21231.0, 3904.0, 876.0, 1250.0]
    )
    ds = _load(tmp_path, decimal=",")
    np.testing.assert_array_equal(
        ds.transactions["amount"].to_numpy(), [21.231, 3.904, 876.0, 1.25]
    )


def test_three_decimals_with_a_comma_beside_plain_thousands_are_decimals(tmp_path):
    """ "12,500" beside an amount of 1 000 or more written plain: not a thousands group."""
    it = iter(["12,500", "1500", "2,250", "7"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path)
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [12.5, 1500.0, 2.25, 7.0])


@pytest.mark.parametrize(
    ("decimal", "amounts", "found"),
    [
        (",", ["1234.56", "12.5", "0.45", "3"], "1234.56"),
        (".", ["1234,56", "12,5", "0,45", "3"], "1234,56"),
    ],
    ids=["comma-set-on-dots", "dot-set-on-commas"],
)
def test_configured_decimal_that_the_file_contradicts_is_refused(tmp_path, decimal, amounts, found):
    it = iter(amounts)
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    with pytest.raises(
        InputError, match=rf'decimal is "\{decimal}" but amounts are written .*"{found}"'
    ):
        _load(tmp_path, decimal=decimal)


def test_a_dot_that_does_not_group_by_three_is_not_dropped(tmp_path):
    """With a thousands dot, "12.50" is not 1250: it is counted as unparseable."""
    it = iter(["1.234,56", "12.50", "1.000", "3,5"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path)
    assert ds.ledger.rows_excluded["unparseable amount"] == 1
    assert ds.ledger.examples["unparseable amount"] == [2]
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [1234.56, 1000.0, 3.5])


# --------------------------------------------------------------------------------------
# columns and dates
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    "second", ["Montant HT", " montant ht ", "MONTANT  HT"], ids=["same", "spaces-case", "upper"]
)
def test_two_columns_of_the_mapped_name_are_refused(tmp_path, encoding, second):
    delimiter = "\t" if encoding == "utf-16" else ";"
    header = ["Code client", "Date facture", "Montant HT", "Commercial", second]
    lines = [
        delimiter.join(header),
        delimiter.join(["C001", "03/01/2024", "120,00", "Luc", "100,00"]),
    ]
    _write(tmp_path / "factures.csv", lines, encoding=encoding)
    with pytest.raises(
        InputError,
        match=r'column "Montant HT" appears 2 times \(columns 3 and 5\).*'
        r"transactions\.columns\.amount is ambiguous",
    ):
        _load(tmp_path)


def test_two_digit_years_are_read(tmp_path):
    it = iter(SALES)
    cells = [[c, d.strftime("%d/%m/%y"), lab, _fr(a), p] for c, d, lab, a, p in it]
    _write(tmp_path / "factures.csv", _lines(cells))
    _assert_sales(_load(tmp_path))


def test_iso_date_times_with_offsets_keep_the_written_day(tmp_path):
    stamps = [
        "2024-01-03T00:30:00+01:00",
        "2024-02-29T23:59:59-05:00",
        "2024-03-15T00:00:00Z",
        "2024-12-31 00:00:00.000+01:00",
    ]
    it = iter(stamps)
    cells = [[c, next(it), lab, _fr(a), p] for c, _, lab, a, p in SALES]
    _write(tmp_path / "factures.csv", _lines(cells))
    _assert_sales(_load(tmp_path))


def test_scientific_notation_codes_are_excluded_and_named(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    extra = [
        ["4,00123E+11", "05/01/2024", "Vis", "10,00", "Luc"],
        ["4,00123E+11", "06/01/2024", "Vis", "20,00", "Luc"],
    ]
    _write(tmp_path / "factures.csv", _lines(cells + extra))
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["customer id in scientific notation"] == 2
    assert ds.ledger.amounts_excluded["customer id in scientific notation"] == 30.0
    assert ds.ledger.examples["customer id in scientific notation"] == [5, 6]


def test_only_scientific_notation_codes_say_how_to_export_them(tmp_path):
    lines = [
        ";".join(HEADER),
        "4,00123E+11;05/01/2024;Vis;10,00;Luc",
        "4,00124E+11;05/01/2024;Vis;10,00;Luc",
    ]
    _write(tmp_path / "factures.csv", lines)
    with pytest.raises(
        InputError,
        match=r"no usable rows.*2 customer id in scientific notation.*"
        r"export the customer codes as text",
    ):
        _load(tmp_path)


def test_repeated_header_lines_reason_is_listed_only_when_present(tmp_path):
    _write(tmp_path / "factures.csv", _lines(_sale_cells()))
    ds = _load(tmp_path)
    assert "repeated header line" not in ds.ledger.rows_excluded
    assert "customer id in scientific notation" not in ds.ledger.rows_excluded


# --------------------------------------------------------------------------------------
# property: an amount is read exactly, or the file is refused; never a silent change
# --------------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: (decimal mark, thousands separator) pairs found in real exports
STYLES = [
    (",", ""),
    (",", " "),
    (",", "\u00a0"),
    (",", "\u202f"),
    (",", "."),
    (".", ""),
    (".", ","),
]


def _written(units: int, decimals: int, decimal: str, thousands: str) -> str:
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**decimals)
    groups = f"{whole:,}".split(",")
    return f"{sign}{thousands.join(groups)}{decimal}{frac:0{decimals}d}"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    units=st.lists(st.integers(-(10**10), 10**10), min_size=1, max_size=12),
    style=st.sampled_from(STYLES),
    decimals=st.sampled_from([2, 3]),
)
def test_amounts_are_exact_or_refused(tmp_path, units, style, decimals):
    decimal, thousands = style
    texts = [_written(u, decimals, decimal, thousands) for u in units]
    lines = [";".join(["Code client", "Date facture", "Montant HT"])]
    lines += [f"C{i};03/01/2024;{t}" for i, t in enumerate(texts)]
    path = tmp_path / "factures.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    try:
        ds = _load(tmp_path, columns=THREE)
    except InputError as exc:  # refused: only when the marks can be read two ways
        assert "can be read two ways" in str(exc) or "no usable rows" in str(exc), str(exc)
        return
    got = dict(
        zip(ds.transactions["customer_id"].astype(str), ds.transactions["amount"], strict=True)
    )
    for i, u in enumerate(units):
        assert round(got[f"C{i}"] * 10**decimals) == u, (texts[i], got[f"C{i}"])


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("03-janv.-24", dt.date(2024, 1, 3)),
        ("3 janvier 2024", dt.date(2024, 1, 3)),
        ("15-Mar-2024", dt.date(2024, 3, 15)),
        ("1er mai 2024", dt.date(2024, 5, 1)),
        ("Mardi 5 mars 2024", dt.date(2024, 3, 5)),
        ("Tue, 5 Mar 2024", dt.date(2024, 3, 5)),
        ("12/déc./2023", dt.date(2023, 12, 12)),
        ("29-FÉVR.-2024", dt.date(2024, 2, 29)),
        ("45293", dt.date(2024, 1, 2)),
        ("20240131", dt.date(2024, 1, 31)),
        ("31012024", dt.date(2024, 1, 31)),
    ],
    ids=lambda v: str(v),
)
def test_dates_with_month_names_serials_and_compact_digits(written, day):
    from icpc.io import parse_dates
    from icpc.io.detect import _detect_date_formats

    col = pa.chunked_array([[written]])
    dates, bad = parse_dates(col, formats=_detect_date_formats([written], "auto"))
    assert not bad.any() and dates[0] == np.datetime64(day, "ns")


@pytest.mark.parametrize(
    "written",
    [
        "31-févr.-2024",
        "2024013",
        "20240230",
        "30/02/24",
        "2024-02-30T10:00:00Z",
        "12345",
        "demain",
        "mars 2024",
    ],
)
def test_impossible_or_partial_dates_are_unreadable_not_moved(written):
    from icpc.io import parse_dates

    dates, bad = parse_dates(pa.chunked_array([[written]]))
    assert bad.all() and np.isnat(dates).all()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_without_bom_is_read(tmp_path, encoding):
    _write(
        tmp_path / "factures.csv",
        [ln.replace(";", "\t") for ln in _lines(_sale_cells())],
        encoding=encoding,
    )
    _assert_sales(_load(tmp_path))


@pytest.mark.parametrize(
    ("head", "what"),
    [
        ("<html><body><table><tr><td>Code client</td></tr></table></body></html>", "a web page"),
        ("\ufeff<!DOCTYPE html>\n<html><table></table></html>", "a web page"),
        (
            '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
            "an XML spreadsheet",
        ),
    ],
    ids=["html", "html-doctype-bom", "xml-2003"],
)
def test_markup_saved_as_excel_is_refused_with_the_fix(tmp_path, head, what):
    (tmp_path / "factures.xls").write_text(head, encoding="utf-8")
    with pytest.raises(
        InputError,
        match=rf"factures\.xls: this is {what}.* saved under a \.xls name.*save it as \.xlsx",
    ):
        _load(tmp_path, name="factures.xls")


def test_typographic_minus_is_a_minus(tmp_path):
    it = iter(["1 234,56", "0,45", "12,50", "\u221215,75"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    _assert_sales(_load(tmp_path))


def test_ids_written_as_decimals_are_whole_numbers_padded_like_the_others(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    cells[0][0], cells[1][0], cells[2][0], cells[3][0] = "00042", "42.0", "1001,00", "01001"
    _write(tmp_path / "factures.csv", _lines(cells))
    ds = _load(tmp_path)
    assert ds.transactions["customer_id"].astype(str).tolist() == [
        "00042",
        "00042",
        "01001",
        "01001",
    ]
    assert (
        ds.ledger.warnings["customer ids written as decimals (42.0), read as whole numbers"]["rows"]
        == 2
    )
    assert ds.ledger.warnings["customer ids stored as numbers, zero-padded"]["examples"] == [2, 3]


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_salvaged_line_after_blank_and_malformed_lines_names_the_right_row(tmp_path, newline):
    cells = [list(r) for r in _sale_cells()]
    cells[3][2] = '"Rondelle'  # the broken quote, on the last sale
    lines = _lines(cells[:2]) + [
        "",
        "C9;01/01/2024;trop;de;champs;ici",
        ";".join(cells[2]),
        "",
        ";".join(cells[3]),
    ]
    _write(tmp_path / "factures.csv", lines, newline=newline)
    ds = _load(tmp_path)
    _assert_sales(ds)
    warning = ds.ledger.warnings["lines with an unclosed quote, read without quoting"]
    assert warning["rows"] == 1 and warning["amount"] == -15.75
    assert ds.ledger.rows_excluded["malformed line"] == 1


def test_unclosed_quote_on_the_last_line_without_a_line_break(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    cells[3][4] = '"' + cells[3][4]
    (tmp_path / "factures.csv").write_bytes("\r\n".join(_lines(cells)).encode("utf-8"))
    ds = _load(tmp_path)
    assert ds.transactions["salesperson"].astype(str).tolist()[-1] == "Chloé Bérard"
    assert ds.ledger.rows_read == len(SALES)


@pytest.mark.parametrize(
    ("broken", "salvaged"),
    [
        (
            ['C2;Ecran 24";01/02/2024;"20,00'],
            1,
        ),  # an inch mark, then a quote that opens a field and never closes
        (
            ['C2;"Vis 6x80;01/02/2024;20,00', 'C3;Ecran 24";01/02/2024;30,00'],
            1,
        ),  # two broken lines in a row
        (['C2;"Vis 6x80;01/02/2024;20,00', 'C3;"Ecran;01/02/2024;30,00'], 2),
    ],
    ids=["inch-then-open", "open-then-inch", "two-opens"],
)
def test_broken_quotes_never_take_another_line(tmp_path, broken, salvaged):
    lines = [
        "Client;Lib;Date;Montant",
        "C1;a;01/02/2024;10,00",
        *broken,
        "C4;a;01/02/2024;40,00",
        "C5;a;01/02/2024;50,00",
    ]
    (tmp_path / "factures.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = _load(tmp_path, columns={"customer_id": "Client", "date": "Date", "amount": "Montant"})
    expected = {"C1": 10.0, "C2": 20.0, "C3": 30.0, "C4": 40.0, "C5": 50.0}
    got = dict(
        zip(ds.transactions["customer_id"].astype(str), ds.transactions["amount"], strict=True)
    )
    assert got == {k: v for k, v in expected.items() if k in got} and len(got) == len(lines) - 1
    assert ds.ledger.rows_read == len(lines) - 1 and ds.ledger.rows_excluded["malformed line"] == 0
    assert (
        ds.ledger.warnings["lines with an unclosed quote, read without quoting"]["rows"] == salvaged
    )


def test_a_dot_after_the_sample_in_a_decimal_comma_file_is_not_a_decimal(tmp_path):
    lines = ["Code client;Date facture;Montant HT"] + [
        f"C{i};03/01/2024;{'1500' if i % 2 else '12,50'}" for i in range(2100)
    ]
    lines.append("X1;03/01/2024;1.234")  # after the 2,000 rows the formats are read from
    (tmp_path / "factures.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = _load(tmp_path, columns=THREE)
    assert ds.ledger.rows_excluded["unparseable amount"] == 1
    assert ds.ledger.examples["unparseable amount"] == [2101]


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (["12.5", "1,000", "2,000", "3"], [12.5, 1000.0, 2000.0, 3.0]),
        (["12,5", "1.000", "2.000", "3"], [12.5, 1000.0, 2000.0, 3.0]),
    ],
    ids=["dot-decimal-comma-thousands", "comma-decimal-dot-thousands"],
)
def test_one_mark_decides_the_other(tmp_path, amounts, expected):
    it = iter(amounts)
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    np.testing.assert_array_equal(_load(tmp_path).transactions["amount"].to_numpy(), expected)


@pytest.mark.parametrize(
    ("options", "amounts", "message"),
    [
        ({}, ["12.5", "3,5", "1", "2"], "written with both decimal marks"),
        (
            {"decimal": ",", "thousands": ","},
            ["12,5", "3", "1", "2"],
            'decimal and thousands are both ","',
        ),
    ],
    ids=["both-decimal", "same-mark"],
)
def test_contradictory_marks_are_refused(tmp_path, options, amounts, message):
    it = iter(amounts)
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    with pytest.raises(InputError, match=message):
        _load(tmp_path, **options)


def test_month_first_dates_past_the_sample_are_refused_with_the_fix(tmp_path):
    lines = ["Code client;Date facture;Montant HT"]
    lines += [
        f"C{i};{(i % 12) + 1:02d}/{(i % 9) + 1:02d}/2024;10,00" for i in range(2100)
    ]  # day and month <= 12
    lines += ["X1;03/25/2024;10,00"]  # only month first
    (tmp_path / "factures.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r'date values such as "03/25/2024" are written month first.*'
        r'transactions\.date_format: "%m/%d/%Y"',
    ):
        _load(tmp_path, columns=THREE)
    ds = _load(tmp_path, columns=THREE, date_format="%m/%d/%Y")
    assert ds.ledger.rows_used == 2101 and ds.transactions["date"].iloc[-1] == np.datetime64(
        "2024-03-25", "ns"
    )


@pytest.mark.parametrize("placeholder", ["01/01/2500", "31/12/9999", "01/01/9999", "12/11/3000"])
@pytest.mark.parametrize("rows", [3, 2100], ids=["small", "past-the-sample"])
def test_far_future_day_first_dates_are_no_month_first_evidence(tmp_path, placeholder, rows):
    """A placeholder date beyond the dates that can be held (31/12/9999), day and month
    both at most 12 or not, is a day-first date: no refusal telling to read the file
    month first (which would break 15/02/2024); its row is set aside, counted."""
    lines = ["Code client;Date facture;Montant HT"]
    lines += [f"C{i};{(i % 28) + 1:02d}/{(i % 12) + 1:02d}/2024;10,00" for i in range(rows)]
    lines += ["C0;15/02/2024;10,00", f"X1;{placeholder};7,00"]
    (tmp_path / "factures.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = _load(tmp_path, columns=THREE)
    led = ds.ledger
    assert led.rows_used == rows + 1 and led.rows_read == rows + 2
    assert sum(led.rows_excluded.values()) == 1 and led.balanced
    assert ds.transactions["date"].max() <= np.datetime64("2024-12-31", "ns")


def test_utf8_lines_in_a_cp1252_file_are_read_as_utf8(tmp_path):
    cells = [list(r) for r in _sale_cells()]
    body = [";".join(r).encode("cp1252") for r in cells]
    pasted = ";".join(["C002", "01/03/2024", "Équerre", "0,45", "Éric Müller"]).encode("utf-8")
    data = b"\r\n".join([";".join(HEADER).encode("cp1252"), *body, *body, pasted]) + b"\r\n"
    (tmp_path / "factures.csv").write_bytes(data)
    ds = _load(tmp_path)
    assert ds.ledger.details["encoding"] == "cp1252"
    assert set(ds.transactions["salesperson"].astype(str)) == {
        "Hélène Dupré",
        "Éric Müller",
        "Chloé Bérard",
    }
    warning = ds.ledger.warnings["UTF-8 characters in a Windows-1252 file, read as UTF-8"]
    assert warning["rows"] == 1 and warning["examples"] == [9]


def test_repeated_header_in_capitals_is_a_repeated_header(tmp_path):
    lines = (
        _lines(_sale_cells()[:2])
        + [";".join(h.upper() for h in HEADER)]
        + [";".join(r) for r in _sale_cells()[2:]]
    )
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["repeated header line"] == 1


def test_header_on_two_lines_is_matched_and_shown_on_one(tmp_path):
    lines = ['Code client;Date facture;"Montant\nHT";Commercial', "C1;03/01/2024;10,00;Luc"]
    (tmp_path / "factures.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        _load(tmp_path, columns={**THREE, "region": "Secteur"})
    assert (
        "\n" not in str(err.value)
        and '"Montant HT"' in str(err.value)
        and 'column "Secteur" not found' in str(err.value)
    )


@pytest.mark.parametrize(
    ("code", "damaged"),
    [("4,00123E+11", True), ("4.00123E-05", True), ("12E3", False), ("12E001", False)],
)
def test_only_excel_scientific_notation_is_a_damaged_code(tmp_path, code, damaged):
    lines = [";".join(HEADER), f"{code};05/01/2024;Vis;10,00;Luc", "C1;05/01/2024;Vis;20,00;Luc"]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    assert ds.ledger.rows_excluded.get("customer id in scientific notation", 0) == (
        1 if damaged else 0
    )


@pytest.mark.parametrize("written", ["- 1 234,56", "1 234,56 -", "( 1 234,56 )", "-\u00a01 234,56"])
def test_a_sign_apart_from_its_number_still_holds(tmp_path, written):
    it = iter([written, "0,45", "12,50", "-15,75"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    assert _load(tmp_path).transactions["amount"].tolist()[0] == -1234.56


@pytest.mark.parametrize(
    "label", ["Sous-total client Dupont", "Total client C001", "SOUS TOTAUX mars"]
)
def test_totals_lines_naming_a_customer(tmp_path, label):
    lines = _lines(_sale_cells()) + [f"{label};31/12/2024;;1 231,76;"]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["totals line"] == 1


# --------------------------------------------------------------------------------------
# a trailing delimiter on the data lines only, or on the header line only
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
@pytest.mark.parametrize("where", ["rows", "header", "rows-twice"])
def test_trailing_delimiter_on_one_side_only(tmp_path, encoding, delimiter, where):
    cells = _sale_cells()
    if delimiter == ",":
        cells = [[c.replace(",", ".") if i == 3 else c for i, c in enumerate(r)] for r in cells]
    header = delimiter.join(HEADER)
    rows = [delimiter.join(r) for r in cells]
    if where == "rows":
        rows = [r + delimiter for r in rows]
    elif where == "rows-twice":
        rows = [r + delimiter * 2 for r in rows]
    else:
        header += delimiter
    _write(tmp_path / "factures.csv", [header, *rows], encoding=encoding)
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["malformed line"] == 0


def test_a_row_without_the_trailing_delimiter_of_the_others_is_a_malformed_line(tmp_path):
    """The width of most rows wins; the odd row is counted and named, not guessed."""
    rows = [";".join(r) + (";" if i != 1 else "") for i, r in enumerate(_sale_cells())]
    _write(tmp_path / "factures.csv", [";".join(HEADER), *rows])
    ds = _load(tmp_path)
    _balanced(ds)
    assert ds.ledger.rows_read == len(SALES)
    assert ds.ledger.rows_excluded["malformed line"] == 1
    _assert_sales(ds, [s for i, s in enumerate(SALES) if i != 1])


def test_an_extra_filled_column_without_header_is_not_taken_for_a_trailing_delimiter(tmp_path):
    rows = [";".join(r) + (";x" if i == 1 else "") for i, r in enumerate(_sale_cells())]
    _write(tmp_path / "factures.csv", [";".join(HEADER), *rows])
    ds = _load(tmp_path)
    _balanced(ds)
    assert ds.ledger.rows_excluded["malformed line"] == 1
    assert ds.ledger.rows_used == len(SALES) - 1


def test_lines_mostly_malformed_are_refused_not_counted(tmp_path):
    """Most lines with a field more than the header: not a few damaged lines but an export
    whose header lacks a column; refused with the counts, not read as a few rows."""
    rows = [";".join(r) + (";x" if i != 1 else "") for i, r in enumerate(_sale_cells())]
    _write(tmp_path / "factures.csv", [";".join(HEADER), *rows])
    with pytest.raises(
        InputError,
        match=r"factures\.csv: 3 lines do not split into the header's 5 fields with the "
        r'delimiter ";", against 1 that do \(the first has 6\); export the file again',
    ):
        _load(tmp_path)


@pytest.mark.parametrize("other", ["\t", ",", "|"], ids=["tab", "comma", "pipe"])
def test_an_export_that_changes_delimiter_half_way_is_refused(tmp_path, other):
    """The first lines with ";", the rest with another delimiter: more lines malformed than
    read. Refused, naming the other delimiter, instead of a diagnostic on a third of the data."""
    body = [r for _ in range(5) for r in _sale_cells()]
    third = len(body) // 3
    lines = [";".join(HEADER)] + [";".join(r) for r in body[:third]]
    lines += [other.join(r) for r in body[third:]]
    _write(tmp_path / "factures.csv", lines)
    named = {"\t": "tab"}.get(other, other)
    # a comma file's decimal commas split its amounts too: the other delimiter is not named
    said = (
        r"\(the first has 1\)" if other == "," else rf'they split with "{re.escape(named)}" instead'
    )
    with pytest.raises(InputError, match=r"lines do not split into the header's 5 fields.*" + said):
        _load(tmp_path)


FEC_FIELDS = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|"
    "CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|"
    "Montantdevise|Idevise"
).split("|")


def _fec_entry(k: int) -> list[list[str]]:
    """One balanced sales entry: the customer's debit, the sale and the VAT credits."""
    day = f"202401{(k % 28) + 1:02d}"
    head = ["VE", "Ventes", str(k), day]
    tail = [f"FA{k}", day, f"Facture {k}"]
    return [
        [
            *head,
            "411000",
            "Clients",
            f"C{k % 7}",
            f"Client {k % 7}",
            *tail,
            "120,00",
            "0,00",
            "",
            "",
            "",
            "",
            "",
        ],
        [*head, "706000", "Ventes", "", "", *tail, "0,00", "100,00", "", "", "", "", ""],
        [*head, "445710", "TVA", "", "", *tail, "0,00", "20,00", "", "", "", "", ""],
    ]


@pytest.mark.parametrize(
    ("first", "then"), [("|", "\t"), ("\t", "|")], ids=["pipe-then-tab", "tab-then-pipe"]
)
def test_a_fec_that_changes_delimiter_half_way_is_refused(tmp_path, first, then):
    """Half the FEC's lines with one delimiter, half with the other: its sales lines would
    lose their customer line, the revenue a large part. Refused, naming the delimiter."""
    rows = [r for k in range(1, 101) for r in _fec_entry(k)]
    lines = [first.join(FEC_FIELDS)] + [first.join(r) for r in rows[:261]]
    lines += [then.join(r) for r in rows[261:]]
    _write(tmp_path / "FEC.txt", lines, newline="\n")
    cfg = config_from_dict(
        {"client": "T", "transactions": {"path": "FEC.txt", "format": "fec"}}, base_dir=tmp_path
    )
    named = {"\t": "tab"}.get(then, then)
    with pytest.raises(
        InputError,
        match=rf'FEC\.txt: 39 lines do not split.*they split with "{re.escape(named)}" instead',
    ):
        load_dataset(cfg)
    _write(
        tmp_path / "FEC.txt", [first.join(FEC_FIELDS)] + [first.join(r) for r in rows], newline="\n"
    )
    assert load_dataset(cfg).ledger.rows_read == len(rows)


@pytest.mark.parametrize("mark", ["'", "\u2019"], ids=["apostrophe", "typographic"])
@pytest.mark.parametrize("decimal", [",", "."])
def test_apostrophes_group_thousands(tmp_path, mark, decimal):
    """Swiss exports group thousands with an apostrophe: 1'234,56 is 1 234,56; one that
    does not group by three is not a number, and is counted."""
    written = iter(
        [
            f"1{mark}234{decimal}56",
            f"0{decimal}45",
            f"1{mark}250{mark}000{decimal}50",
            f"12{mark}34{decimal}5",
        ]
    )
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(written))))
    ds = _load(tmp_path)
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [1234.56, 0.45, 1250000.5])
    assert ds.ledger.rows_excluded["unparseable amount"] == 1
    assert ds.ledger.examples["unparseable amount"] == [4]  # the fourth row
    _balanced(ds)


@pytest.mark.parametrize(
    "amounts",
    [
        ["1,234.56", "12,50", "3,20", "7.5"],  # two each way
        ["1.234,56", "1,234.56", "3", "4"],  # one each way, both with two marks
        ["1 234,56", "12.5", "0.45", "3,5"],  # two each way, one mark each
    ],
    ids=["two-each", "tie-of-two-marks", "one-mark-each"],
)
def test_a_file_mixing_decimal_marks_is_refused_with_the_fix(tmp_path, amounts):
    it = iter(amounts)
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    with pytest.raises(InputError, match="written with both decimal marks") as err:
        _load(tmp_path)
    assert 'set decimal: "." or decimal: ","' in str(err.value)
    assert str(err.value).startswith("factures.csv: ")


def test_one_value_against_the_others_is_a_damaged_cell_not_a_refusal(tmp_path):
    """The mark most values say decides; the one value that says the other is counted."""
    it = iter(["1,234.56", "0.45", "12.5", "3,5"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path)
    np.testing.assert_array_equal(ds.transactions["amount"].to_numpy(), [1234.56, 0.45, 12.5])
    assert ds.ledger.rows_excluded["unparseable amount"] == 1
    _balanced(ds)


def test_thousands_commas_against_decimal_commas_is_refused(tmp_path):
    it = iter(["1,234,567", "2,345,678", "12,5", "3,25"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    with pytest.raises(InputError, match="written with both decimal marks"):
        _load(tmp_path)


def _dated(tmp_path, written, **options):
    it = iter(written)
    cells = [[c, next(it), label, _fr(a), p] for c, _d, label, a, p in SALES]
    _write(tmp_path / "factures.csv", _lines(cells))
    return _load(tmp_path, **options)


def test_a_date_format_the_dates_contradict_is_refused_not_applied(tmp_path):
    """Month first on a day-first file read 05/03/2024 as 3 May: refused, with the fix."""
    written = ["05/03/2024", "25/03/2024", "11/02/2024", "28/12/2024"]
    with pytest.raises(InputError) as err:
        _dated(tmp_path, written, date_format="%m/%d/%Y")
    message = str(err.value)
    assert message.startswith('factures.csv: dates such as "05/03/2024" read as other days under')
    assert 'set transactions.date_format: "%d/%m/%Y"' in message


def test_a_date_format_is_applied_when_the_dates_allow_it(tmp_path):
    """Every day at most 12: both orders read them; the config says which."""
    ds = _dated(
        tmp_path, ["05/03/2024", "01/02/2024", "11/02/2024", "12/12/2024"], date_format="%m/%d/%Y"
    )
    assert ds.transactions["date"].dt.date.tolist() == [
        dt.date(2024, 5, 3),
        dt.date(2024, 1, 2),
        dt.date(2024, 11, 2),
        dt.date(2024, 12, 12),
    ]


def test_a_date_format_with_one_damaged_date_counts_it(tmp_path):
    ds = _dated(
        tmp_path, ["2024-01-03", "2024-02-29", "hier", "2024-12-31"], date_format="%Y-%m-%d"
    )
    assert ds.ledger.rows_excluded["unparseable date"] == 1
    _balanced(ds)


@pytest.mark.parametrize("written", ["1,23E+05", "1,23e+5", "2E-02"])
def test_amounts_in_scientific_notation_are_read_and_named(tmp_path, written):
    """A spreadsheet showed 123 456,78 as 1,23E+05 and the export saved what it showed:
    the value read is kept, and the row is listed so someone checks it."""
    it = iter([written, "0,45", "12,50", "-15,75"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path)
    assert ds.ledger.rows_used == 4
    warning = ds.ledger.warnings[
        "amounts written in scientific notation (1,23E+05), digits maybe lost"
    ]
    assert (warning["rows"], warning["examples"]) == (1, [1])
    assert warning["amount"] == float(written.replace(",", "."))
    _balanced(ds)


def test_amounts_with_eur_are_not_taken_for_scientific_notation(tmp_path):
    it = iter(["1 234,56 EUR", "0,45 EUR", "12,50 €", "-15,75"])
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: next(it))))
    ds = _load(tmp_path)
    assert not any("scientific" in w for w in ds.ledger.warnings)
    np.testing.assert_array_equal(
        ds.transactions["amount"].to_numpy(), [1234.56, 0.45, 12.5, -15.75]
    )


@pytest.mark.parametrize(
    ("french", "dotted", "refused"), [(30, 2, True), (100, 2, False), (100, 1, False)]
)
def test_a_few_values_with_the_other_mark_are_damaged_cells_many_are_a_mix(
    tmp_path, french, dotted, refused
):
    """Two values or more with the other decimal mark, and 5 % of the values that say
    one: a mix of formats, refused with the counts; fewer: damaged cells, counted."""
    lines = [";".join(HEADER)]
    lines += [f"C{i};03/01/2024;Vis;1.234,56;Luc" for i in range(french)]
    lines += [f"D{i};03/01/2024;Vis;12.5;Luc" for i in range(dotted)]
    _write(tmp_path / "factures.csv", lines)
    if refused:
        with pytest.raises(InputError) as err:
            _load(tmp_path)
        assert f"{dotted} with a decimal dot" in str(err.value)
        assert f"{french} with a decimal comma" in str(err.value)
        return
    ds = _load(tmp_path)
    assert ds.ledger.rows_used == french
    assert ds.ledger.rows_excluded["unparseable amount"] == dotted
    _balanced(ds)


# --------------------------------------------------------------------------------------
# NUL bytes in a text export: damage, refused with their line (never inside a value)
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
@pytest.mark.parametrize("where", ["head", "far"], ids=["in-the-sample", "after-the-sample"])
@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_nul_bytes_in_a_text_export_are_refused_with_their_line(tmp_path, encoding, where, newline):
    """A customer code with an invisible NUL is another customer: never read silently,
    wherever it is (the first MiB is the sample the formats are detected on)."""
    cells = [list(r) for r in _sale_cells()]
    padding = [
        ["C009", "05/01/2024", "x" * 60, "1,00", "Léa"]
        for _ in range(30_000 if where == "far" else 5)
    ]
    rows = cells[:2] + padding + cells[2:]
    third = 2 + len(padding)  # the third sale: on line third + 2 of the file (the header first)
    rows[third][0] = "C0\x0001"
    rows[third][2] += "\x00\x00"
    damaged = third + 2
    path = _write(tmp_path / "factures.csv", _lines(rows), encoding=encoding, newline=newline)
    with pytest.raises(InputError) as info:
        _load(tmp_path)
    message = str(info.value)
    assert message.startswith(
        f"factures.csv: 3 NUL bytes (\\x00, invisible) in the text, the first on line {damaged}:"
    )
    assert "tr -d '\\000' < factures.csv > fixed.csv" in message
    assert "\n" not in message
    assert path.stat().st_size > (1 << 20) or where == "head"


def test_nul_bytes_in_a_fec_are_refused_with_their_line(tmp_path):
    lines = [
        "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|"
        "CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|"
        "Montantdevise|Idevise",
        "VE|Ventes|1|20240115|411000|Clients|411SGH|SGH|FA1|20240115|Facture|120,00|0,00||||||",
        "VE|Ventes|1|20240115|706000|Ventes|||FA1|20240115|Fac\x00ture|0,00|100,00||||||",
    ]
    _write(tmp_path / "FEC.txt", lines, newline="\n")
    cfg = config_from_dict(
        {"client": "T", "transactions": {"path": "FEC.txt", "format": "fec"}}, base_dir=tmp_path
    )
    with pytest.raises(
        InputError,
        match=r"^FEC\.txt: 1 NUL byte \(\\x00, invisible\) in the text, the first on line 3:",
    ):
        load_dataset(cfg)


@pytest.mark.parametrize(
    "content",
    [bytes(range(256)) * 64, b"PK\x03\x04" + b"\x00" * 5000, b"\x00" * 10 + b"a;b\n" * 100],
    ids=["random-bytes", "zip-like", "nul-padded"],
)
def test_binary_content_named_as_csv_is_still_binary(tmp_path, content):
    (tmp_path / "factures.csv").write_bytes(content)
    with pytest.raises(InputError, match="not a text table|NUL byte|not a CSV|Excel|binary"):
        _load(tmp_path)


# --------------------------------------------------------------------------------------
# invisible characters inside values: removed, and the rows counted
# --------------------------------------------------------------------------------------
INVISIBLES = {
    "zero-width-space": "\u200b",
    "zero-width-non-joiner": "\u200c",
    "zero-width-joiner": "\u200d",
    "left-to-right-mark": "\u200e",
    "right-to-left-mark": "\u200f",
    "word-joiner": "\u2060",
    "bom": "\ufeff",
}
#: control characters old software leaves (an xlsx cannot hold them: text files and Parquet)
CONTROLS = {
    "ctrl-z": "\x1a",
    "bell": "\x07",
    "escape": "\x1b",
    "backspace": "\x08",
    "del": "\x7f",
}
#: control characters that stand for a space or a line break: a space between words
SPACING = {"vertical-tab": "\x0b", "form-feed": "\x0c", "unit-separator": "\x1f"}
W_INVISIBLE = "invisible characters (zero-width space, BOM) removed from values"


def _write_as(path_csv: Path, cells: list[list[str]], kind: str) -> str:
    """The sales as ``kind`` (csv, parquet, xlsx), all text cells; the file's name."""
    if kind == "csv":
        _write(path_csv, _lines(cells))
        return path_csv.name
    table = pa.table({h: [r[i] for r in cells] for i, h in enumerate(HEADER)})
    if kind == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path_csv.with_suffix(".parquet"))
        return path_csv.with_suffix(".parquet").name
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in cells:
        sheet.append(row)
    book.save(path_csv.with_suffix(".xlsx"))
    return path_csv.with_suffix(".xlsx").name


@pytest.mark.parametrize(
    ("kind", "char"),
    [
        *((k, c) for k in ("csv", "parquet", "xlsx") for c in INVISIBLES.values()),
        *((k, c) for k in ("csv", "parquet") for c in [*CONTROLS.values(), *SPACING.values()]),
    ],
    ids=[
        *(f"{k}-{n}" for k in ("csv", "parquet", "xlsx") for n in INVISIBLES),
        *(f"{k}-{n}" for k in ("csv", "parquet") for n in [*CONTROLS, *SPACING]),
    ],
)
def test_invisible_characters_do_not_make_another_customer(tmp_path, char, kind):
    """``C001`` and ``C001`` + a zero-width space print the same: one customer, and the
    ledger counts the rows that held such a character (wherever it was in the value)."""
    cells = [list(r) for r in _sale_cells()]
    cells[2][0] = cells[2][0] + char  # the second sale of C001
    cells[1][0] = char + cells[1][0]
    if char in SPACING.values():  # between the words of a salesperson's name
        cells[3][4] = cells[3][4].replace(" ", char)
    else:  # inside a salesperson's name
        cells[3][4] = cells[3][4][:3] + char + cells[3][4][3:]
    cells[3][3] += char  # after an amount
    cells[1][1] = char + cells[1][1]  # before a date
    name = _write_as(tmp_path / "factures.csv", cells, kind)
    ds = _load(tmp_path, name)
    _assert_sales(ds)  # the ids and names without the character; the ledger balanced
    assert ds.transactions["customer_id"].nunique() == 3
    warning = ds.ledger.warnings[W_INVISIBLE]
    assert warning["rows"] == 3 and warning["examples"] == [2, 3, 4]  # data rows, 1-based
    assert warning["amount"] == pytest.approx(SALES[1][3] + SALES[2][3] + SALES[3][3])


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize(
    "ending",
    ["\x1a", "\r\n\x1a", "\r\n\x1a\r\n", "\r\n\x1a\x1a"],
    ids=["no-break", "line", "line-nl", "two"],
)
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_ctrl_z_ending_a_dos_file_is_no_line(tmp_path, ending, newline, encoding):
    """A DOS program ends its files with Ctrl-Z: on a line of its own it is no line (like a
    blank one: not a malformed line), after the last value it is no part of it (the last
    salesperson was another one)."""
    text = newline.join(_lines(_sale_cells())) + ending.replace("\r\n", newline)
    (tmp_path / "factures.csv").write_bytes(text.encode(encoding))
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_read == len(SALES)
    assert not any(ds.ledger.rows_excluded.values())


def test_form_feeds_between_pages_are_no_lines(tmp_path):
    """A report printed to a file: a form feed on its own line, or before the header
    repeated on each page; the repeated header is counted as such, the form feed is none."""
    rows = [";".join(r) for r in _sale_cells()]
    header = ";".join(HEADER)
    lines = [header, *rows[:2], "\x0c", header, rows[2], "\x0c" + header, rows[3]]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    _assert_sales(ds)
    excluded = {k: v for k, v in ds.ledger.rows_excluded.items() if v}
    assert excluded == {"repeated header line": 2}


def test_text_with_typographic_characters_is_left_as_it_is(tmp_path):
    """Apostrophes, dashes, ellipses and narrow no-break spaces (three bytes in UTF-8,
    like the invisible ones) are no invisible characters: no warning."""
    cells = [list(r) for r in _sale_cells()]
    written = "Hélène l’Ancre – équipe… 1\u202f000\tx"  # a tab inside is kept
    cells[0][4] = written
    _write(tmp_path / "factures.csv", _lines(cells))
    ds = _load(tmp_path)
    assert W_INVISIBLE not in ds.ledger.warnings
    assert ds.transactions["salesperson"].astype(str).tolist()[0] == written
    _balanced(ds)


# --------------------------------------------------------------------------------------
# values written as Excel text formulas, ="00123": the text inside is the value
# --------------------------------------------------------------------------------------
W_FORMULA_TEXT = 'values written as Excel text formulas (="…"), read as their text'
#: which cells an export wraps: the codes only (to keep leading zeros), or every cell
WRAPPED = {
    "codes": {0},
    "codes and salespeople": {0, 4},
    "dates": {1},
    "amounts": {3},
    "every cell": {0, 1, 2, 3, 4},
}


def _formula(value: str) -> str:
    return '="' + value.replace('"', '""') + '"'


def _csv_cell(value: str, delimiter: str) -> str:
    """A cell as a spreadsheet writes it: quoted when it holds a quote or the delimiter."""
    if '"' in value or delimiter in value:
        return '"' + value.replace('"', '""') + '"'
    return value


@pytest.mark.parametrize("wrapped", list(WRAPPED), ids=list(WRAPPED))
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_excel_text_formulas_are_read_as_their_text(tmp_path, wrapped, delimiter, encoding):
    rows = []
    for cells in _sale_cells():
        if delimiter == ",":
            cells = [cells[0], cells[1], cells[2], cells[3].replace(",", "."), cells[4]]
        rows.append(
            delimiter.join(
                _csv_cell(_formula(c) if j in WRAPPED[wrapped] else c, delimiter)
                for j, c in enumerate(cells)
            )
        )
    _write(tmp_path / "factures.csv", [delimiter.join(HEADER), *rows], encoding=encoding)
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.warnings[W_FORMULA_TEXT]["rows"] == len(SALES)
    assert ds.ledger.warnings[W_FORMULA_TEXT]["examples"] == [1, 2, 3, 4]


def test_excel_text_formulas_keep_leading_zeros_and_quotes(tmp_path):
    """``="00123"`` is the code 00123 — the customer file's, unwrapped or not — and a
    quote doubled inside is one quote (the label Vis "inox"); only the wrapped rows count."""
    label = _csv_cell(_formula('Vis "inox"'), ";")  # "=""Vis """"inox"""""""
    lines = [
        "Code client;Date facture;Désignation;Montant HT;Commercial",
        f'="00123";03/01/2024;{label};10,00;Hélène Dupré',
        "00123;04/01/2024;Vis;5,00;Hélène Dupré",
        '="00045";05/01/2024;Vis;2,50;Hélène Dupré',
    ]
    _write(tmp_path / "factures.csv", lines)
    _write(
        tmp_path / "clients.csv",
        ["Code client;Raison sociale", '="00123";Société A', "00045;Société B"],
    )
    cfg = config_from_dict(
        {
            "client": "T",
            "transactions": {
                "path": "factures.csv",
                "columns": {**COLUMNS, "product": "Désignation"},
            },
            "customers": {
                "path": "clients.csv",
                "columns": {"customer_id": "Code client", "name": "Raison sociale"},
            },
        },
        base_dir=tmp_path,
    )
    ds = load_dataset(cfg)
    assert ds.transactions["customer_id"].astype(str).tolist() == ["00123", "00123", "00045"]
    assert ds.transactions["product"].astype(str).tolist()[0] == 'Vis "inox"'
    names = dict(zip(ds.customers["customer_id"], ds.customers["name"], strict=True))
    assert names == {"00123": "Société A", "00045": "Société B"}
    assert ds.ledger.warnings[W_FORMULA_TEXT] == {"rows": 2, "amount": 12.5, "examples": [1, 3]}


@pytest.mark.parametrize("label", ["=A1+B1", '= "x"', '="unclosed', 'x="1"', "=", '=""'])
def test_text_that_is_no_text_formula_is_left_as_written(tmp_path, label):
    """Only a whole cell ``="…"`` is a text formula; anything else is a value as written
    (``=""`` is the empty text: an empty label)."""
    lines = [
        "Code client;Date facture;Désignation;Montant HT;Commercial",
        f"C001;03/01/2024;{_csv_cell(label, ';')};10,00;Hélène Dupré",
    ]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path, columns={**COLUMNS, "product": "Désignation"})
    product = ds.transactions["product"].astype(object).tolist()[0]
    if label == '=""':
        assert product is None or product != product or product == ""
        assert ds.ledger.warnings[W_FORMULA_TEXT]["rows"] == 1
    else:
        assert product == label.strip()
        assert W_FORMULA_TEXT not in ds.ledger.warnings


# --------------------------------------------------------------------------------------
# null markers and spreadsheet errors in text cells: no value, counted
# --------------------------------------------------------------------------------------
W_NULL_MARKERS = "null markers and spreadsheet errors (NULL, #N/A) read as empty"
MARKERS = ["NULL", "null", "(null)", "\\N", "nan", "N/A", "#N/A", "#REF!", "#VALEUR!",
           "#VALUE!", "#NOM?", "#DIV/0!", "#NULL!", "#NOMBRE!", "Err:502", "(vide)", "(blank)"]  # fmt: skip


@pytest.mark.parametrize("kind", ["csv", "parquet", "xlsx"])
@pytest.mark.parametrize("marker", MARKERS)
def test_a_null_marker_or_a_spreadsheet_error_is_no_customer_and_no_salesperson(
    tmp_path, marker, kind
):
    """``#N/A`` in the customer column is no customer called « #N/A » (all such rows one
    fake customer): a missing customer id; ``NULL`` as salesperson is none (no scorecard
    « NULL »); the rows are counted."""
    cells = [list(r) for r in _sale_cells()]
    cells.insert(2, [marker, "05/03/2024", "Vis", "10,00", "Hélène Dupré"])  # no customer
    cells[0][4] = f" {marker} "  # no salesperson
    name = _write_as(tmp_path / "factures.csv", cells, kind)
    ds = _load(tmp_path, name)
    tx = ds.transactions
    assert tx["customer_id"].astype(str).tolist() == [s[0] for s in SALES]
    assert tx["salesperson"].isna().tolist() == [True, False, False, False]
    led = ds.ledger
    assert led.rows_excluded["missing customer id"] == 1
    assert led.amounts_excluded["missing customer id"] == 10.0
    assert led.warnings[W_NULL_MARKERS]["rows"] == 1  # the used row; the other is excluded
    _balanced(ds)


@pytest.mark.parametrize(
    "value", ["Nantes", "NULLARD SA", "#8 vis", "Financement", "N/A bis", "Nan Hua", "-", "?"]
)
def test_values_that_merely_contain_a_marker_are_values(tmp_path, value):
    cells = [list(r) for r in _sale_cells()]
    cells[0][4] = value
    cells[1][0] = value
    _write(tmp_path / "factures.csv", _lines(cells))
    ds = _load(tmp_path)
    assert ds.transactions["salesperson"].astype(str).tolist()[0] == value
    assert ds.transactions["customer_id"].astype(str).tolist()[1] == value
    assert W_NULL_MARKERS not in ds.ledger.warnings


@pytest.mark.parametrize("kind", ["csv", "parquet", "xlsx", "typed-parquet"])
@pytest.mark.parametrize("huge", ["1e308", "9e15", "1,5E+300", "-1e13", "1e400"])
def test_an_amount_no_invoice_line_can_have_is_set_aside_not_summed(tmp_path, kind, huge):
    """1e308 (an overflow once summed), 9e15, −1e13: a damaged cell, not an amount. The
    row is counted as an unparseable amount, the totals stay finite and exact, and the
    ledger (JSON without infinities) adds up."""
    import json

    from icpc.cleaning.ledger import BAD_AMOUNT

    cells = _sale_cells()
    cells[1][3] = huge
    if kind == "typed-parquet":
        import pyarrow.parquet as pq

        value = float(huge.replace(",", "."))
        amounts = [1234.56, value, 12.5, -15.75]
        table = pa.table({h: [r[i] for r in cells] for i, h in enumerate(HEADER)})
        table = table.set_column(3, HEADER[3], pa.array(amounts, pa.float64()))
        pq.write_table(table, tmp_path / "factures.parquet")
        name = "factures.parquet"
    else:
        name = _write_as(tmp_path / "factures.csv", cells, kind)
    ds = _load(tmp_path, name=name, decimal=",")
    led = ds.ledger
    assert led.rows_excluded.get(BAD_AMOUNT) == 1 and led.rows_used == len(SALES) - 1
    assert led.amount_used == pytest.approx(1234.56 + 12.5 - 15.75)
    _balanced(ds)
    json.dumps(ds.data_quality(), allow_nan=False)


def test_a_few_lines_with_another_delimiter_are_counted_not_refused(tmp_path):
    """Two lines in a thousand written with tabs: damaged lines, counted in the ledger."""
    body = [r for _ in range(250) for r in _sale_cells()]
    lines = [";".join(HEADER)] + [
        ("\t" if i in (10, 500) else ";").join(r) for i, r in enumerate(body)
    ]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    assert ds.ledger.rows_excluded["malformed line"] == 2
    _balanced(ds)


# --------------------------------------------------------------------------------------
# two exports pasted one below the other, the second with its columns in another order
# --------------------------------------------------------------------------------------
#: every other order of the header (the mapped columns moved, or an unmapped one among them)
OTHER_ORDERS = [list(p) for p in itertools.permutations(HEADER) if list(p) != HEADER]


@pytest.mark.parametrize("writing", [str, str.upper, str.lower], ids=["as-is", "upper", "lower"])
@pytest.mark.parametrize("k", range(0, len(OTHER_ORDERS), 7))
def test_a_second_header_in_another_order_is_refused_with_the_fix(tmp_path, k, writing):
    order = OTHER_ORDERS[k]
    at = 1 + k % 3  # after 1, 2 or 3 sales
    cells = _sale_cells()
    moved = [[dict(zip(HEADER, r, strict=True))[h] for h in order] for r in cells[at:]]
    lines = _lines(cells[:at]) + [";".join(map(writing, order))] + [";".join(r) for r in moved]
    _write(tmp_path / "factures.csv", lines)
    with pytest.raises(InputError) as err:
        _load(tmp_path)
    msg = str(err.value)
    assert msg.startswith(
        f"factures.csv: row {at + 1} repeats the header with its columns in another order"
    )
    assert "two exports pasted" in msg and "\n" not in msg


@pytest.mark.parametrize("k", range(0, len(OTHER_ORDERS), 29))
def test_a_second_header_in_another_order_is_refused_in_a_workbook(tmp_path, k):
    import openpyxl

    order = OTHER_ORDERS[k]
    cells = _sale_cells()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(cells[0])
    sheet.append(order)
    for r in cells[1:]:
        sheet.append([dict(zip(HEADER, r, strict=True))[h] for h in order])
    book.save(tmp_path / "factures.xlsx")
    with pytest.raises(InputError, match=r"^factures\.xlsx: row 2 repeats the header"):
        _load(tmp_path, name="factures.xlsx")


def test_a_second_header_in_the_same_order_is_still_a_repeated_header_line(tmp_path):
    cells = _sale_cells()
    lines = (
        _lines(cells[:2]) + [";".join(h.upper() for h in HEADER)] + [";".join(r) for r in cells[2:]]
    )
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["repeated header line"] == 1


def test_a_sale_whose_cells_happen_to_be_header_words_is_not_refused(tmp_path):
    header = ["Code", "Date", "Montant", "Libellé"]
    lines = [";".join(header), "C001;03/01/2024;10,00;Montant", "C002;04/01/2024;5,00;Date"]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path, columns={"customer_id": "Code", "date": "Date", "amount": "Montant"})
    assert ds.ledger.rows_used == 2


@pytest.mark.parametrize("as_of", ["2023-06-30", "2023-12-31"])
def test_every_row_after_as_of_says_which_date_to_move(tmp_path, as_of):
    _write(tmp_path / "factures.csv", _lines(_sale_cells()))
    cfg = config_from_dict(
        {
            "client": "T",
            "as_of": as_of,
            "transactions": {"path": "factures.csv", "columns": COLUMNS},
        },
        base_dir=tmp_path,
    )
    with pytest.raises(InputError) as err:
        load_dataset(cfg)
    assert str(err.value) == (
        "factures.csv: no usable rows (of 4 read: 4 after as_of) (rows 1, 2, 3, 4); "
        "set a later as_of in client.yaml, or pass a later --as-of"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_second_export_pasted_with_its_byte_order_mark(tmp_path, encoding):
    cells = _sale_cells()
    lines = _lines(cells[:2]) + ["\ufeff" + ";".join(HEADER)] + [";".join(r) for r in cells[2:]]
    _write(tmp_path / "factures.csv", lines, encoding=encoding)
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["repeated header line"] == 1
    order = HEADER[::-1]
    moved = [[dict(zip(HEADER, r, strict=True))[h] for h in order] for r in cells[2:]]
    lines = _lines(cells[:2]) + ["\ufeff" + ";".join(order)] + [";".join(r) for r in moved]
    _write(tmp_path / "factures.csv", lines, encoding=encoding)
    with pytest.raises(
        InputError, match=r"^factures\.csv: row 3 repeats the header with its columns"
    ):
        _load(tmp_path)


# --------------------------------------------------------------------------------------
# an old Mac's "CSV (Macintosh)": Mac Roman, recognised by where its accents fall
# --------------------------------------------------------------------------------------
MAC_HEADER = ["Code client", "Date facture", "Désignation", "Montant HT", "Commercial"]
MAC_SALES = [
    ["C001", "03/01/2024", "Vis à bois", "1234,56", "Hélène Dupré"],
    ["C002", "29/02/2024", "Équerre", "0,45", "Éric Müller"],
    ["C001", "15/03/2024", "Cheville", "12,50", "Hélène Dupré"],
    ["C003", "31/12/2024", "Rondelle • lot", "-15,75", "Chloé Bérard"],
]


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
@pytest.mark.parametrize("encoding", ["mac_roman", "cp1252"])
def test_mac_roman_and_windows_files_read_their_accents(tmp_path, encoding, newline):
    lines = [";".join(MAC_HEADER)] + [";".join(r) for r in MAC_SALES]
    _write(tmp_path / "factures.csv", lines, encoding=encoding, newline=newline)
    columns = {**COLUMNS, "product": "Désignation"}
    ds = _load(tmp_path, columns=columns)
    assert ds.transactions["salesperson"].astype(str).tolist() == [r[4] for r in MAC_SALES]
    assert ds.transactions["product"].astype(str).tolist() == [r[2] for r in MAC_SALES]
    assert ds.ledger.details["encoding"] == encoding
    _balanced(ds)


@pytest.mark.parametrize(
    "label",
    ["Prix 12 € – l’unité", "Škoda Žilina", "“Offre” … ‰ — ™", "Ž", "Ouvrage ŽŽ"],
)
def test_windows_text_without_french_accents_is_not_taken_for_mac_roman(tmp_path, label):
    rows = [[c, d, label, a, "Luc"] for c, d, _, a, _ in MAC_SALES]
    lines = [";".join(MAC_HEADER)] + [";".join(r) for r in rows]
    _write(tmp_path / "factures.csv", lines, encoding="cp1252")
    ds = _load(tmp_path, columns={**COLUMNS, "product": "Désignation"})
    assert ds.ledger.details["encoding"] == "cp1252"
    assert set(ds.transactions["product"].astype(str)) == {label}


# --------------------------------------------------------------------------------------
# a totals line labelled in another column than the customer's or the first
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("label", ["Total", "TOTAL GÉNÉRAL :", "Sous-total client C001", "total"])
@pytest.mark.parametrize("column", [1, 2, 4], ids=["date", "label", "salesperson"])
def test_a_totals_line_labelled_in_another_column_is_a_totals_line(tmp_path, label, column):
    cells = _sale_cells()
    total = ["", "", "", _fr(sum(s[3] for s in SALES)), ""]
    total[column] = label
    lines = _lines(cells[:2]) + [";".join(total)] + [";".join(r) for r in cells[2:]]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path, columns={**COLUMNS, "product": "Désignation"})
    _assert_sales(ds)
    assert ds.ledger.rows_excluded["totals line"] == 1
    assert ds.ledger.rows_excluded["missing customer id"] == 0
    assert ds.ledger.details["totals_stated"] == round(sum(s[3] for s in SALES), 2)


def test_a_customer_or_product_named_total_stays_a_sale(tmp_path):
    cells = _sale_cells()
    cells[1][2] = "Total"  # a product, with its customer
    cells[2][4] = "TOTAL"  # a salesperson so named, with the customer
    _write(tmp_path / "factures.csv", _lines(cells))
    ds = _load(tmp_path, columns={**COLUMNS, "product": "Désignation"})
    assert ds.ledger.rows_used == 4 and ds.ledger.rows_excluded["totals line"] == 0
    lines = _lines(cells) + [";;Vis;10,00;Luc"]  # no customer, no totals label: missing id
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path, columns={**COLUMNS, "product": "Désignation"})
    assert ds.ledger.rows_excluded["missing customer id"] == 1


# --------------------------------------------------------------------------------------
# blank rows a spreadsheet saved as ';;;;': empty lines, not sales without customer
# --------------------------------------------------------------------------------------
EMPTY = "empty line (nothing in the columns read)"


#: (delimiter, what an empty cell holds): never the delimiter itself
BLANKS = [(d, b) for d in (";", ",", "\t", "|") for b in ("", " ", "  \t") if d not in b]


@pytest.mark.parametrize(("delimiter", "blank"), BLANKS)
def test_rows_of_empty_cells_are_empty_lines(tmp_path, delimiter, blank):
    cells = _sale_cells(amount=lambda v: f"{v:.2f}") if delimiter == "," else _sale_cells()
    empty = delimiter.join([blank] * len(HEADER))
    rows = [delimiter.join(r) for r in cells]
    lines = [delimiter.join(HEADER), empty, rows[0], rows[1], empty, empty, rows[2], rows[3], empty]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.rows_excluded[EMPTY] == 4
    assert ds.ledger.rows_excluded["missing customer id"] == 0
    assert ds.ledger.examples[EMPTY] == [1, 4, 5, 8]


def test_a_row_with_a_value_is_not_an_empty_line(tmp_path):
    cells = _sale_cells()
    lines = _lines(cells) + [";;;12,00;", ";;;;Luc", ";01/02/2024;;;"]
    _write(tmp_path / "factures.csv", lines)
    ds = _load(tmp_path)
    assert EMPTY not in ds.ledger.rows_excluded
    assert ds.ledger.rows_excluded["missing customer id"] == 3
    _balanced(ds)


def test_empty_rows_of_a_workbook_are_no_rows(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for i, (c, d, label, a, p) in enumerate(SALES):
        sheet.append([c, d, label, a, p])
        if i == 1:
            sheet.append(["", None, "   ", None, ""])  # cells typed empty, or spaces
    book.save(tmp_path / "factures.xlsx")
    ds = _load(tmp_path, name="factures.xlsx")
    _assert_sales(ds)
    # a workbook's blank row is no row at all (as a blank line of a text file)
    assert ds.ledger.rows_read == 4 and ds.ledger.rows_excluded["missing customer id"] == 0


def test_a_file_of_empty_lines_only_says_so(tmp_path):
    _write(tmp_path / "factures.csv", [";".join(HEADER), ";;;;", ";;;;"])
    with pytest.raises(InputError, match=r"no usable rows \(of 2 read: 2 empty line"):
        _load(tmp_path)


# --------------------------------------------------------------------------------------
# a long preamble: the header further down than the first 60 lines
# --------------------------------------------------------------------------------------
def _preamble(n: int) -> list[str]:
    return ["Rapport des ventes"] + [f"Paramètre {i};valeur {i};" for i in range(n - 1)]


@pytest.mark.parametrize("above", [59, 60, 61, 200, 999])
def test_a_header_under_a_long_preamble_is_found(tmp_path, above):
    _write(tmp_path / "factures.csv", _preamble(above) + _lines(_sale_cells()))
    ds = _load(tmp_path)
    _assert_sales(ds)
    assert ds.ledger.details["header_line"] == above + 1


def test_a_partial_header_far_down_is_not_taken(tmp_path):
    partial = "Code client;Date facture;Montant"  # "Montant HT" missing: not the header
    lines = _preamble(80) + [partial] + _lines(_sale_cells())[1:]
    _write(tmp_path / "factures.csv", lines)
    with pytest.raises(InputError, match=r'column "Code client" not found'):
        _load(tmp_path)


def test_a_header_beyond_the_search_is_not_found(tmp_path):
    _write(tmp_path / "factures.csv", _preamble(1000) + _lines(_sale_cells()))
    with pytest.raises(InputError, match=r"not found"):
        _load(tmp_path)


@pytest.mark.parametrize("above", [10, 75, 400])
def test_a_workbook_header_under_a_long_preamble_is_found(tmp_path, above):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Rapport des ventes"])
    for i in range(above - 1):
        sheet.append([f"Paramètre {i}", f"valeur {i}"])
    sheet.append(HEADER)
    for row in SALES:
        sheet.append(list(row))
    book.save(tmp_path / "factures.xlsx")
    ds = _load(tmp_path, name="factures.xlsx")
    _assert_sales(ds)


# --------------------------------------------------------------------------------------
# amounts written with their currency: read when it is the config's, else refused
# --------------------------------------------------------------------------------------
#: (mark, a currency it can be)
MARKS = [("€", "EUR"), ("EUR", "EUR"), ("$", "USD"), ("$", "CAD"), ("USD", "USD"), ("£", "GBP"), ("GBP", "GBP"), ("CHF", "CHF")]  # fmt: skip
WRITINGS_OF = {
    "suffix": lambda n, m: f"{n} {m}",
    "suffix glued": lambda n, m: f"{n}{m}",
    "prefix": lambda n, m: f"{m} {n}",
    "prefix glued": lambda n, m: f"{m}{n}",
}


def _currency_config(tmp_path, currency):
    return config_from_dict(
        {
            "client": "T",
            "currency": currency,
            "transactions": {"path": "factures.csv", "columns": COLUMNS},
        },
        base_dir=tmp_path,
    )


@pytest.mark.parametrize("decimal", [",", "."])
@pytest.mark.parametrize("writing", list(WRITINGS_OF))
@pytest.mark.parametrize(("mark", "currency"), MARKS)
def test_amounts_with_the_configs_currency_are_read(tmp_path, mark, currency, writing, decimal):
    group = "\u202f" if decimal == "," else ","

    def text(v: float) -> str:
        whole, cents = f"{abs(v):.2f}".split(".")
        number = f"{int(whole):,}".replace(",", group) + decimal + cents
        return ("-" if v < 0 else "") + WRITINGS_OF[writing](number, mark)

    cells = _sale_cells(amount=text)
    _write(tmp_path / "factures.csv", _lines(cells, delimiter=";"))
    ds = load_dataset(_currency_config(tmp_path, currency))
    _assert_sales(ds)
    assert ds.ledger.details["currency_written"] == [
        {"€": "EUR", "$": "$", "£": "GBP"}.get(mark, mark)
    ]


@pytest.mark.parametrize(("mark", "currency"), [("$", "EUR"), ("USD", "EUR"), ("£", "EUR"), ("€", "USD"), ("$", "GBP"), ("CHF", "EUR")])  # fmt: skip
def test_amounts_in_another_currency_than_the_configs_are_refused(tmp_path, mark, currency):
    _write(tmp_path / "factures.csv", _lines(_sale_cells(amount=lambda v: f"{_fr(v)} {mark}")))
    with pytest.raises(InputError) as err:
        load_dataset(_currency_config(tmp_path, currency))
    msg = str(err.value)
    assert msg.startswith("factures.csv: the amounts are written in ")
    assert f"client.yaml says currency: {currency}; set currency: " in msg and "\n" not in msg


@pytest.mark.parametrize("pair", [("€", "$"), ("EUR", "£"), ("$", "CHF"), ("GBP", "USD")])
def test_amounts_in_two_currencies_are_refused(tmp_path, pair):
    marks = [pair[i % 2] for i in range(len(SALES))]
    cells = _sale_cells()
    for row, mark in zip(cells, marks, strict=True):
        row[3] = f"{row[3]} {mark}"
    _write(tmp_path / "factures.csv", _lines(cells))
    with pytest.raises(
        InputError, match=r"^factures\.csv: the amounts are written in several currencies"
    ):
        _load(tmp_path)


def test_a_dollar_sign_and_usd_are_one_currency(tmp_path):
    cells = _sale_cells()
    cells[0][3], cells[1][3] = f"$ {cells[0][3]}", f"{cells[1][3]} USD"
    _write(tmp_path / "factures.csv", _lines(cells))
    ds = load_dataset(_currency_config(tmp_path, "USD"))
    _assert_sales(ds)


@pytest.mark.parametrize("mark", ["$", "€", "CHF"])
def test_whole_amounts_with_a_comma_and_a_currency_are_refused_not_a_traceback(tmp_path, mark):
    lines = [
        "Code client;Date facture;Montant HT",
        f"C001;03/01/2024;21,231 {mark}",
        f"C002;04/01/2024;876 {mark}",
    ]
    _write(tmp_path / "factures.csv", lines)
    with pytest.raises(InputError, match=r"can be read two ways .*21\.231 with three decimals"):
        _load(tmp_path, columns=THREE)


@pytest.mark.parametrize("currency", ["USD", "EUR"])
def test_a_spreadsheet_error_naming_no_currency_is_no_currency(tmp_path, currency):
    cells = _sale_cells(amount=lambda v: f"{v:.2f}")
    cells[1][3] = "#VALEUR!"  # holds "EUR", names no currency: an unparseable amount
    cells[2][3] = "#CADRE"  # and "CAD"
    _write(tmp_path / "factures.csv", _lines(cells))
    ds = load_dataset(_currency_config(tmp_path, currency))
    assert "currency_written" not in ds.ledger.details
    assert ds.ledger.rows_excluded["unparseable amount"] == 2
    _balanced(ds)
