"""The Excel reader (.xlsx, .xlsm, .xls), through calamine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError, shorten
from icpc.io.common import (
    _HEADER_SEARCH_LINES,
    _LATE_HEADER_LINES,
    _SAMPLE_ROWS,
    DATE_COLUMNS,
    NUMERIC_COLUMNS,
    W_MERGED_CELLS,
    RawTable,
    _match_headers,
    _missing_columns_error,
    duplicate_headers_error,
    finish_table,
    normalize_header,
)
from icpc.io.detect import date_formats_of, number_format

__all__ = ["read_excel"]


def read_excel(spec: FileSpec, path: Path, kind: str, config_name: str) -> RawTable:
    name = path.name
    # calamine (Rust) reads .xlsx about 15 times faster than openpyxl (178,000 customers:
    # ~1.5 s instead of ~20 s); pandas converts its cells exactly as openpyxl's
    engine = "calamine"  # .xls too: pandas deprecates xlrd
    try:
        book = pd.ExcelFile(path, engine=engine)
        sheets = list(book.sheet_names)
    except Exception as exc:  # any reader failure means the same thing to the user
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(
            f"{name}: cannot be read as an Excel file ({reason}); open it in Excel and save it again as .xlsx, or export CSV"
        ) from None
    listed = ", ".join(f'"{s}"' for s in sheets)
    sheet: str | int
    if spec.sheet is None:
        sheet = 0
    elif (
        isinstance(spec.sheet, int) and str(spec.sheet) in sheets
    ):  # sheet: 2024, a sheet named "2024"
        named = sheets.index(str(spec.sheet))
        if 0 <= spec.sheet < len(sheets) and named != spec.sheet:
            raise InputError(
                f'{name}: {spec.key}.sheet {spec.sheet} can be the sheet named "{spec.sheet}" or sheet number '
                f'{spec.sheet} ("{sheets[spec.sheet]}"); write sheet: "{spec.sheet}" (quoted) for the name, or the '
                f"other sheet's name, in {config_name}"
            )
        sheet = named
    elif isinstance(spec.sheet, int):
        if not 0 <= spec.sheet < len(sheets):
            raise InputError(
                f"{name}: no sheet number {spec.sheet} (sheets are numbered from 0); sheets are: {listed}; fix {spec.key}.sheet in {config_name}"
            )
        sheet = spec.sheet
    else:
        if spec.sheet in sheets:
            sheet = spec.sheet
        else:
            folded = {normalize_header(s): s for s in sheets}
            if normalize_header(spec.sheet) not in folded:
                raise InputError(
                    f'{name}: no sheet "{spec.sheet}"; sheets are: {listed}; fix {spec.key}.sheet in {config_name}'
                )
            sheet = folded[normalize_header(spec.sheet)]
    try:
        try:
            frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
        except Exception as exc:
            raise InputError(
                f"{name}: sheet {sheet!r} cannot be read ({shorten(str(exc), 120)}); save the file again as .xlsx"
            ) from None
        sheet_name = sheets[sheet] if isinstance(sheet, int) else sheet
        merged = _merged_down(book, sheet_name)
        if frame.empty or frame.dropna(how="all").empty:
            raise InputError(
                f'{name}: sheet "{sheet_name}" is empty; check {spec.key}.sheet in {config_name} (sheets: {listed})'
            )
        hrow, headers, found = _header_row(frame, spec)
        if len(found) == len(spec.columns) and spec.sheet is None and len(sheets) > 1:
            # the first sheet read by default: another one with the same columns (a sheet a
            # year, a month) would be left out without a word
            also = _sheets_with_headers(book, sheets, sheet_name, spec)
            if also:
                both = ", ".join(f'"{s}"' for s in [sheet_name, *also])
                raise InputError(
                    f"{name}: sheets {both} all hold the mapped columns, and only one sheet is "
                    f"read; put the lines on one sheet (one export), or set {spec.key}.sheet to "
                    f"the sheet to read, in {config_name}"
                )
        if len(found) < len(spec.columns):
            others = _sheets_with_headers(book, sheets, sheet_name, spec) if len(sheets) > 1 else []
            elsewhere = others[0] if others else None
            if elsewhere is not None:
                raise InputError(
                    f'{name}: the mapped columns are not on sheet "{sheet_name}" but on sheet "{elsewhere}"; '
                    f'set {spec.key}.sheet: "{elsewhere}" in {config_name} (sheets are: {listed})'
                )
            error = _missing_columns_error(spec, headers, found, config_name)
            raise InputError(
                f'{error} (sheet "{sheet_name}"; the file\'s sheets are: {listed}; '
                f"set {spec.key}.sheet to the sheet that holds them)"
            )
    finally:
        book.close()
    duplicate = duplicate_headers_error(spec, headers, name, config_name)
    if duplicate is not None:
        raise duplicate
    filled = _fill_merged(frame, merged, found, hrow, headers, name, sheet_name)
    body = frame.iloc[hrow + 1 :]
    body = body.loc[~body.isna().all(axis=1)]
    flagged: dict[str, np.ndarray] = {}
    if filled.any() and filled[body.index.to_numpy()].any():
        flagged[W_MERGED_CELLS] = filled[body.index.to_numpy()]
    if body.empty:
        raise InputError(
            f'{name}: headers only, no data rows (sheet "{sheet_name}", header on row {hrow + 1}); export the {spec.key} with its rows'
        )
    for canon, j in found.items():
        if canon in NUMERIC_COLUMNS and body.iloc[:, j].isna().all():
            formula = _formula_below(path, sheet_name, hrow, j) if kind != "xls" else None
            if formula is not None:
                raise InputError(
                    f'{name}: column "{headers[j]}" ({canon}) holds formulas ({shorten(formula, 40)}) '
                    f'whose values were never saved (sheet "{sheet_name}"); open the workbook in Excel '
                    "and save it, so the values are stored, or export CSV"
                )
    text_cells = [
        str(v)
        for canon in (C.AMOUNT, C.MARGIN, C.QUANTITY)
        if canon in found
        for v in body.iloc[:, found[canon]].head(_SAMPLE_ROWS)
        if isinstance(v, str)
    ]
    decimal, thousands = number_format(text_cells, spec, None, name, config_name)
    cols = {canon: _excel_column(body.iloc[:, j], canon, decimal) for canon, j in found.items()}
    date_texts = [
        v
        for canon in (C.DATE, C.CREATED_AT)
        if canon in found
        for v in body.iloc[:, found[canon]].head(_SAMPLE_ROWS)
        if isinstance(v, str)
    ]
    # cells Excel holds as text timestamps are read too when a date_format is given
    timestamps = ("%Y-%m-%d %H:%M:%S",) if spec.date_format != "auto" else ()
    date_formats = (*date_formats_of(date_texts, spec, name, config_name, timestamps), *timestamps)
    numeric_cells: dict[str, np.ndarray] = {}
    if C.CUSTOMER_ID in found:  # ids Excel stores as numbers (00042 -> 42): cleaning pads them
        cells = body.iloc[:, found[C.CUSTOMER_ID]].tolist()
        numeric = np.fromiter(
            (
                isinstance(v, (int, float, np.integer, np.floating))
                and not isinstance(v, bool)
                and v == v
                for v in cells
            ),
            bool,
            len(cells),
        )
        if numeric.any():
            numeric_cells[C.CUSTOMER_ID] = numeric
    return finish_table(
        spec,
        path,
        columns=cols,
        headers=headers,
        found=found,
        first_column=_excel_column(body.iloc[:, 0], "first", decimal),
        n_rows=len(body),
        formats=(decimal, thousands, date_formats),
        details={"format": kind, "sheet": sheet_name, "header_line": hrow + 1},
        numeric_cells=numeric_cells,
        flagged=flagged,
    )


def _formula_below(path: Path, sheet: str, header_row: int, column: int) -> str | None:
    """The first formula under the header of ``column`` (0-based, as in the frame), None
    when its first cells hold none. Read with openpyxl on this error path only: calamine
    gives a formula cell without a saved value as empty."""
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            ws = book[sheet]
            first = header_row + 2  # 1-based, the row after the header
            for (cell,) in ws.iter_rows(
                min_row=first, max_row=first + 20, min_col=column + 1, max_col=column + 1
            ):
                value = getattr(cell, "value", None)
                if isinstance(value, str) and value.startswith("="):
                    return value
        finally:
            book.close()
    except Exception:  # not readable by openpyxl: the usual message stands
        return None
    return None


def _merged_down(book: pd.ExcelFile, sheet: str) -> list[tuple[int, int, int]]:
    """The sheet's ranges merged down one column, as (first row, last row, column), rows
    and columns 0-based as in the frame read (calamine reads from A1). Titles merged
    across columns are not listed. Empty with another engine or without ranges (.xls)."""
    if book.engine != "calamine":  # the ranges are read from calamine's sheet
        return []
    try:
        ranges = book.book.get_sheet_by_name(sheet).merged_cell_ranges or []
    except Exception:  # a format without merged ranges: nothing to fill
        return []
    return [(r0, r1, c0) for (r0, c0), (r1, c1) in ranges if c0 == c1 and r1 > r0]


def _fill_merged(
    frame: pd.DataFrame,
    merged: list[tuple[int, int, int]],
    found: dict[str, int],
    hrow: int,
    headers: list[str],
    name: str,
    sheet: str,
) -> np.ndarray:
    """Give each data row of a range merged down a mapped column the range's value.

    Excel keeps a merged range's value in its first cell only, and shows it on every row:
    a customer code, a date or a salesperson merged over invoice lines belongs to each
    line. An amount, margin or quantity merged over lines is refused: it is one figure
    for several lines (an invoice total?), and repeating it would multiply it. Returns the
    frame rows so filled (in place, one pass per column).
    """
    filled = np.zeros(len(frame), bool)
    by_column = {j: canon for canon, j in found.items()}
    for r0, r1, col in merged:
        canon = by_column.get(col)
        if canon is None or r0 <= hrow or r0 >= len(frame):  # unmapped, or the header's
            continue
        if canon in NUMERIC_COLUMNS:
            letter = _column_letter(col)
            raise InputError(
                f'{name}: column "{headers[col]}" ({canon}) has cells merged over several rows '
                f'({letter}{r0 + 1}:{letter}{r1 + 1}, sheet "{sheet}"): one figure for several '
                "lines; unmerge them and give each line its own amount, or export CSV"
            )
    for col, canon in by_column.items():
        spans = [
            (r0, min(r1, len(frame) - 1))
            for r0, r1, c in merged
            if c == col and hrow < r0 < len(frame)
        ]
        if not spans or canon in NUMERIC_COLUMNS:
            continue
        source = np.arange(len(frame))
        for r0, r1 in spans:
            source[r0 + 1 : r1 + 1] = r0
        values = frame.iloc[:, col].to_numpy(dtype=object).copy()
        empty = pd.isna(values)
        take = empty & (source != np.arange(len(frame))) & ~pd.isna(values[source])
        if take.any():
            values[take] = values[source[take]]
            frame.iloc[:, col] = values
            filled |= take
    return filled


def _column_letter(index: int) -> str:
    """Excel's letters of a 0-based column number (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_row(frame: pd.DataFrame, spec: FileSpec) -> tuple[int, list[str], dict[str, int]]:
    """The row (of the first 60) holding the most mapped headers, its cells and the matches;
    further down (to :data:`_LATE_HEADER_LINES`), the first row naming them all."""
    best = (-1, 0)
    for i in range(min(_LATE_HEADER_LINES, len(frame))):
        cells = frame.iloc[i].tolist()
        n = len(
            _match_headers(
                [c if isinstance(c, str) else ("" if pd.isna(c) else str(c)) for c in cells],
                spec.columns,
            )
        )
        if n > best[0] and (i < _HEADER_SEARCH_LINES or n == len(spec.columns)):
            best = (n, i)  # below the first rows, only a row naming every column counts
        if best[0] == len(spec.columns):
            break
    hrow = best[1]
    headers = ["" if pd.isna(c) else str(c) for c in frame.iloc[hrow].tolist()]
    return hrow, headers, _match_headers(headers, spec.columns)


def _sheets_with_headers(
    book: pd.ExcelFile, sheets: list[str], current: str, spec: FileSpec
) -> list[str]:
    """The other sheets whose top rows hold every mapped header, in the book's order."""
    out = []
    for other in sheets:
        if other == current:
            continue
        try:
            top = pd.read_excel(
                book, sheet_name=other, header=None, dtype=object, nrows=_HEADER_SEARCH_LINES
            )
        except Exception:  # an unreadable other sheet says nothing about this one
            continue
        if not top.empty and len(_header_row(top, spec)[2]) == len(spec.columns):
            out.append(str(other))
    return out


def _excel_column(values: pd.Series, canon: str, decimal: str) -> pa.ChunkedArray:
    """Convert one Excel column (object cells) to arrow: typed when its cells agree."""
    try:  # the usual text column (text cells and empty ones): one Arrow conversion, no Python loop
        return pa.chunked_array(
            [pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)]
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    cells = values.tolist()
    present = [
        v
        for v in cells
        if v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NaT
    ]
    is_num = [
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        for v in present
    ]
    is_date = [isinstance(v, (dt.date, pd.Timestamp, np.datetime64)) for v in present]
    if present and all(is_date) and canon not in NUMERIC_COLUMNS:
        return pa.chunked_array(
            [pa.array(pd.to_datetime(pd.Series(cells, dtype=object), errors="coerce"))]
        )
    if present and all(is_num) and (canon in NUMERIC_COLUMNS or canon in DATE_COLUMNS):
        return pa.chunked_array(
            [
                pa.array(
                    [float(v) if v is not None and v == v else None for v in cells], pa.float64()
                )
            ]
        )

    def text(v: Any) -> str | None:
        if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            s = str(int(v)) if float(v).is_integer() else repr(float(v))
            return s.replace(".", ",") if decimal == "," and canon in NUMERIC_COLUMNS else s
        if isinstance(v, (dt.datetime, pd.Timestamp)):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, dt.date):
            return v.strftime("%Y-%m-%d")
        return str(v)

    return pa.chunked_array([pa.array([text(v) for v in cells], pa.string())])
