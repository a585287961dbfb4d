"""The FEC reader (Fichier des Écritures Comptables): the sales lines of an accounting export.

Every French company can export its books as a FEC (article A47 A-1 of the LPF): one line
per accounting line, 18 fixed fields (``JournalCode … Debit Credit … Idevise``, or
``Montant`` + ``Sens`` in place of ``Debit`` / ``Credit``), ``|`` or tab separated.
:func:`read_fec` turns it into the canonical invoice lines the cleaning expects:

* an *entry* is ``JournalCode`` + ``EcritureNum``; its *sales lines* are on an account
  starting with one of ``transactions.fec.sales_accounts`` (class 70: 709 rebates net the
  sales), its *customer line* on one of ``customer_accounts`` (411);
* an entry with a sales line and a customer line, in a journal not excluded, is a
  document: its sales lines are used, amount ``Credit − Debit`` (excl. VAT), customer
  ``CompAuxNum`` of the first customer line (its ``CompteNum`` when empty), document
  ``PieceRef`` (else ``EcritureNum``), date ``PieceDate`` (else ``EcritureDate``);
* every other line is pre-assigned a ledger reason (``not a sales line``, ``sales entry
  without customer``, ``excluded by config``), so that each FEC line lands in one bucket.

Everything is vectorised: text columns are read as bytes by Arrow, dictionary-encoded,
and only their distinct values are decoded, stripped and matched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from icpc import columns as C
from icpc.config import FileSpec
from icpc.exceptions import InputError, shorten
from icpc.io.common import (
    _SAMPLE_ROWS,
    _SPACES,
    EXCLUDED_BY_CONFIG,
    INVISIBLE_RE,
    NO_CUSTOMER_LINE,
    NOT_SALES,
    UNBALANCED_ENTRY,
    W_INVISIBLE,
    W_NOT_UTF8,
    RawTable,
    _present,
    finish_table,
    has_invisible,
    normalize_header,
    strip_invisible,
)
from icpc.io.dates import _days_from_civil
from icpc.io.decoding import _decode_column
from icpc.io.detect import _looks_binary
from icpc.io.fec_layout import (
    _LAYOUTS,
    _OPTIONAL,
    _REQUIRED,
    FEC_FIELDS,
    _encoding,
    _header,
    _layout,
    _missing_fields_error,
    fec_refusal,
    looks_like_fec,
)
from icpc.io.text import _cells, malformed_refusal, open_text
from icpc.io.values import parse_amounts
from icpc.money import cents, exact

__all__ = ["read_fec", "looks_like_fec", "fec_refusal", "FEC_FIELDS"]

W_SEVERAL_CUSTOMERS = "sales entries with several customers"
#: ``Sens`` values (folded): debit lines count ``-Montant`` in ``Credit − Debit``
_DEBIT_SENS = frozenset({"d", "debit", "+1", "1"})
_CREDIT_SENS = frozenset({"c", "credit", "-1"})
#: dates: AAAAMMJJ with an optional time (the legal form), then ISO and dd/mm/yyyy
_TIME = r"(?:[ T]?\d{1,2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?"
_DATE_PATTERNS = (
    rf"^(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}}){_TIME}$",
    rf"^(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}}){_TIME}$",
    rf"^(?P<d>\d{{2}})/(?P<m>\d{{2}})/(?P<y>\d{{4}}){_TIME}$",
)
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


@dataclass(frozen=True)
class _Coded:
    """A text column as int64 codes (-1 = empty) over distinct, stripped, non-empty values."""

    codes: np.ndarray
    values: pa.Array
    #: rows whose bytes were not UTF-8 in a UTF-8 file (read as Windows-1252), or None
    repaired: np.ndarray | None = None
    #: rows whose value held invisible characters (zero-width space, BOM…), removed; or None
    invisible: np.ndarray | None = None

    def column(self) -> pa.ChunkedArray:
        """The column as ``dictionary<string>`` (null where empty)."""
        indices = pa.array(self.codes.astype(np.int32), mask=self.codes < 0)
        return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, self.values)])

    def take(self, rows: np.ndarray) -> _Coded:
        """The values of ``rows`` (-1: empty)."""
        return _Coded(np.where(rows >= 0, np.r_[self.codes, -1][rows], -1), self.values)


def _coded(col: pa.ChunkedArray | None, n: int, encoding: str) -> _Coded:
    """Dictionary-encode a column read as bytes; decode and strip its distinct values only
    (spaces around, and the invisible characters anywhere: an account number ``706000``
    with a zero-width space is still a sales account)."""
    if col is None:
        return _Coded(np.full(n, -1, np.int64), pa.array([], pa.string()))
    enc = pc.dictionary_encode(col.combine_chunks())
    decoded, repaired_values = _decode_column(
        pa.chunked_array([enc.dictionary], enc.dictionary.type), encoding
    )
    text = decoded.combine_chunks()
    if pa.types.is_dictionary(text.type):
        text = text.cast(pa.string())
    invisible_values = None
    if has_invisible(pa.chunked_array([text], text.type)):
        invisible_values = _matches(text, INVISIBLE_RE)
        text = strip_invisible(text)
    again = pc.dictionary_encode(pc.utf8_trim_whitespace(text))
    values = again.dictionary
    remap = np.asarray(again.indices.to_numpy(zero_copy_only=False), np.int64)
    keep = np.asarray(pc.not_equal(values, "").to_numpy(zero_copy_only=False), bool)
    if not keep.all():
        renumber = np.where(keep, np.cumsum(keep) - 1, -1)
        remap, values = renumber[remap], values.filter(pa.array(keep))
    indices = np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64)
    codes = np.r_[remap, -1][indices]
    repaired = repaired_values[indices] if repaired_values is not None else None
    invisible = invisible_values[indices] if invisible_values is not None else None
    return _Coded(codes, values, repaired, invisible)


def _matches(text: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Which values match a regex (False where null), as a numpy mask."""
    found = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), bool)


def _coalesce(first: _Coded, second: _Coded) -> _Coded:
    """``first`` where not empty, else ``second``, over one dictionary of distinct values."""
    enc = pc.dictionary_encode(pa.concat_arrays([first.values, second.values]))
    remap = np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64)
    a = np.r_[remap[: len(first.values)], -1][first.codes]
    b = np.r_[remap[len(first.values) :], -1][second.codes]
    return _Coded(np.where(a >= 0, a, b), enc.dictionary)


def _starts_with(values: pa.Array, prefixes: Sequence[str]) -> np.ndarray:
    """Which distinct values start with one of ``prefixes`` (as a bool array)."""
    hit = np.zeros(len(values), bool)
    for prefix in prefixes:
        if prefix.strip():
            got = pc.starts_with(values, prefix.strip())
            hit |= np.asarray(pc.fill_null(got, False).to_numpy(zero_copy_only=False), bool)
    return hit


def _per_row(codes: np.ndarray, per_value: np.ndarray, empty: Any) -> np.ndarray:
    """``per_value[codes]``, ``empty`` where the code is -1."""
    return np.r_[per_value, np.asarray([empty], per_value.dtype)][codes]


def _dates(values: pa.Array) -> np.ndarray:
    """Days since 1970 of each distinct date text (AAAAMMJJ[ time], else ISO, dd/mm/yyyy); -1 if unreadable."""
    days = np.full(len(values), -1, np.int64)
    for pattern in _DATE_PATTERNS:
        todo = np.flatnonzero(days < 0)
        if not len(todo):
            break
        parts = pc.extract_regex(values.take(pa.array(todo)), pattern)
        valid = np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), bool)
        if not valid.any():
            continue
        y, m, d = (np.asarray(pc.cast(pc.fill_null(pc.struct_field(parts, [k]), "0"), pa.int64())
                              .to_numpy(zero_copy_only=False)) for k in ("y", "m", "d"))  # fmt: skip
        valid &= (m >= 1) & (m <= 12) & (y >= 1678) & (y <= 2261)
        month = np.where(valid, m, 1)
        leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
        valid &= (d >= 1) & (d <= _MONTH_DAYS[month - 1] + ((month == 2) & leap))
        days[todo[valid]] = _days_from_civil(y[valid], m[valid], d[valid])
    return days


def _sens_sign(values: pa.Array) -> np.ndarray:
    """Sign of ``Montant`` in ``Credit − Debit`` per distinct ``Sens`` value (NaN if unknown)."""
    folded = [normalize_header(v) for v in values.to_pylist()]
    return np.array(
        [-1.0 if f in _DEBIT_SENS else 1.0 if f in _CREDIT_SENS else np.nan for f in folded]
    )


def _no_sales_error(
    name: str, accounts: _Coded, is_sales: np.ndarray, fec: Any, n_entries: int, config_name: str
) -> InputError:
    """No entry has both a sales line and a customer line: say what was looked for and found."""
    prefix = pc.utf8_slice_codeunits(accounts.values, 0, 3)
    counts = np.bincount(accounts.codes[accounts.codes >= 0], minlength=len(accounts.values))
    by_prefix: dict[str, int] = {}
    for p, k in zip(prefix.to_pylist(), counts.tolist(), strict=True):
        by_prefix[p] = by_prefix.get(p, 0) + k
    top = sorted(by_prefix, key=lambda p: (-by_prefix[p], p))[:12]
    seen = ", ".join(f"{p}… ({by_prefix[p]} lines)" for p in top) or "none"
    sales = "/".join(fec.sales_accounts)
    customers = "/".join(fec.customer_accounts)
    if is_sales.any():
        what = (
            f"{int(is_sales.sum())} line(s) on sales accounts ({sales}…) but none in an entry with a customer line "
            f"({customers}…)"
        )
    else:
        what = f"no line on an account starting with {sales} (sales) in an entry with a {customers} line (customer)"
    return InputError(
        f"{name}: no sales entry found among {n_entries} entries: {shorten(what, 200)}; accounts found: "
        f"{shorten(seen, 300)}; set transactions.fec.sales_accounts (and transactions.fec.customer_accounts) in "
        f"{config_name} to the prefixes of the client's sales (and customer) accounts"
    )


def read_fec(spec: FileSpec, path: Path, head: bytes, config_name: str) -> RawTable:
    """Read a FEC into canonical invoice lines, one row per FEC line (lecture d'un FEC).

    Parameters
    ----------
    spec : FileSpec
        The transactions spec (``format: fec``; ``fec`` options, ``encoding``,
        ``delimiter``, ``decimal``).
    path : Path
        The FEC file.
    head : bytes
        Its first MiB.
    config_name : str
        The config file's name, for messages.

    Returns
    -------
    RawTable
        ``customer_id``, ``date`` (``date32``: AAAAMMJJ with or without a time, null when
        unreadable), ``amount`` (float64, ``Credit − Debit`` on sales lines, 0 on the
        others, NaN when unreadable), ``invoice_id`` and ``name`` (``CompAuxLib``) per FEC
        line; ``excluded`` pre-assigns ``not a sales line``, ``sales entry without
        customer`` and ``excluded by config``; ``flagged`` the sales lines of entries
        whose customer lines name several customers.

    Raises
    ------
    InputError
        Binary or empty file, FEC fields missing from the header line (the message lists
        what was found), no entry line, no sales entry at all (the message says which
        accounts were looked for and which were found).
    """
    name = path.name
    if _looks_binary(head):
        raise InputError(
            f"{name}: not a text file (binary content); a FEC is a text file with | or tab separated "
            f'fields: export the FEC again, or remove "format: fec" from transactions in {config_name}'
        )
    encoding = _encoding(head, spec, name)
    file_encoding = encoding  # the ledger's: UTF-16 and UTF-32 are then read as UTF-8
    source, encoding, text_enc, lines, decoded = open_text(
        path, head, encoding, what="the FEC", config_key="transactions", config_name=config_name
    )
    hline, delimiter, cells, found = _header(decoded, spec)
    layout = _layout(found)
    if layout is None or any(f not in found for f in _REQUIRED):
        raise _missing_fields_error(name, cells, found, config_name)
    data_lines = [t for _, t in decoded[hline + 1 :] if t.strip()]
    if not data_lines:
        raise InputError(
            f"{name}: header line only, no entries (header on line {hline + 1}); export the FEC with its lines"
        )

    quoted = all(c.strip().startswith('"') for c in cells if c.strip())
    counts = [
        len(_cells(t, delimiter) if quoted else t.split(delimiter))
        for t in data_lines[:_SAMPLE_ROWS]
    ]
    n_fields = max(set(counts), key=counts.count)  # the usual count: a trailing extra field is fine
    if n_fields < len(cells) and any(c.strip() for c in cells[n_fields:]):
        n_fields = len(cells)
    names = [f"c{i}" for i in range(n_fields)]
    wanted = {
        f: found[f]
        for f in (*_REQUIRED, *_OPTIONAL, *_LAYOUTS[layout], "EcritureLib")
        if f in found and found[f] < n_fields
    }
    malformed = [0]
    offset = lines[hline + 1][0]
    decode_as = encoding
    examples: list[str] = []  # the first malformed line's text
    read = _parser(
        names, [names[i] for i in wanted.values()], delimiter, quoted, malformed, examples
    )
    try:
        try:  # no row handler first: Arrow hands a bad line to it as UTF-8 text, which may fail
            table = read(
                pa.BufferReader(source) if source is not None else pa.memory_map(str(path)),
                offset,
                False,
            )
        except pa.ArrowInvalid:
            # malformed lines: read again, counting them, from a UTF-8 copy (only such files pay)
            data = source if source is not None else path.read_bytes()
            table = read(
                pa.BufferReader(data.decode(text_enc, errors="replace").encode("utf-8")),
                len(data[:offset].decode(text_enc, errors="replace").encode("utf-8")),
                True,
            )
            decode_as = "utf-8"
    except pa.ArrowInvalid as exc:
        msg = shorten(str(exc).splitlines()[0], 200)
        raise InputError(f"{name}: cannot be read as a FEC ({msg}); check transactions.delimiter and "
                         f"transactions.encoding in {config_name}") from None  # fmt: skip
    n = table.num_rows
    if n == 0:
        raise InputError(f"{name}: no line splits into the header's {n_fields} fields ({malformed[0]} lines); "
                         f"check transactions.delimiter in {config_name}")  # fmt: skip
    refusal = malformed_refusal(
        name, malformed[0], n, n_fields, delimiter, examples, "transactions", config_name
    )
    if refusal is not None:
        raise refusal

    done: dict[str, _Coded] = {}

    def coded(field: str) -> _Coded:
        if field not in done:  # each field is decoded once
            done[field] = _coded(
                table.column(names[wanted[field]]) if field in wanted else None, n, decode_as
            )
        return done[field]

    journal, number, account = coded("JournalCode"), coded("EcritureNum"), coded("CompteNum")
    fec = spec.fec
    # entries: JournalCode + EcritureNum, as one integer key
    key = (journal.codes + 1) * (len(number.values) + 1) + (number.codes + 1)
    uniq, entry = np.unique(key, return_inverse=True)
    n_entries = len(uniq)
    sales_value = _starts_with(account.values, fec.sales_accounts)
    is_sales = _per_row(account.codes, sales_value, False)
    is_cust = _per_row(
        account.codes, _starts_with(account.values, fec.customer_accounts) & ~sales_value, False
    )
    # the entry's customer line: its first line on a customer account
    cust_rows = np.flatnonzero(is_cust)
    entries_with, first = np.unique(entry[cust_rows], return_index=True)
    first_line = np.full(n_entries, -1, np.int64)
    first_line[entries_with] = cust_rows[first]
    line_first = first_line[entry]
    has_cust = line_first >= 0
    if not (is_sales & has_cust).any():
        raise _no_sales_error(name, account, is_sales, fec, n_entries, config_name)
    customer = _coalesce(coded("CompAuxNum"), account)
    entry_customer = customer.take(line_first)
    differs = is_cust & (customer.codes != entry_customer.codes)
    several = np.zeros(n_entries, bool)
    several[entry[differs]] = True
    excluded_journals = {normalize_header(j) for j in fec.exclude_journals}
    journal_out = np.array(
        [normalize_header(v) in excluded_journals for v in journal.values.to_pylist()], bool
    )
    excluded = _per_row(journal.codes, journal_out, False) & is_sales
    used = is_sales & has_cust & ~excluded

    amount, invisible = _amounts(table, names, wanted, layout, spec, decode_as, n)
    unbalanced = _unbalanced(amount, entry, n_entries)
    amount[~is_sales] = 0.0
    dates = _coalesce(coded("PieceDate"), coded("EcritureDate"))
    day = _per_row(dates.codes, _dates(dates.values), -1)
    label = coded("EcritureLib")
    names_ = coded("CompAuxLib")
    invoice = _coalesce(coded("PieceRef"), number)
    repaired = np.zeros(n, bool)
    for t in done.values():
        if t.repaired is not None:
            repaired |= t.repaired
        if t.invisible is not None:
            invisible |= t.invisible
    # the name and customer a sales line takes from its entry's customer line
    repaired |= (line_first >= 0) & repaired[np.maximum(line_first, 0)]
    invisible |= (line_first >= 0) & invisible[np.maximum(line_first, 0)]
    columns = {
        C.LINE_KEY: _line_key(entry, account.codes, label.codes),
        C.CUSTOMER_ID: entry_customer.column(),
        C.DATE: pa.chunked_array(
            [pc.cast(pa.array(day.astype(np.int32), mask=day < 0), pa.date32())]
        ),
        C.AMOUNT: pa.chunked_array([pa.array(amount, pa.float64())]),
        C.INVOICE_ID: invoice.column(),
        C.NAME: names_.take(line_first).column(),
    }
    return finish_table(
        spec,
        path,
        columns=columns,
        headers=cells,
        found={},
        first_column=None,
        n_rows=n,
        formats=(",", _SPACES, ("%Y%m%d",)),
        details={
            "format": "fec",
            "encoding": file_encoding,
            "delimiter": delimiter,
            "layout": layout,
            "header_line": hline + 1,
            "entries": n_entries,
            "sales_entries": int(np.count_nonzero(np.bincount(entry[used], minlength=n_entries))),
        },
        malformed=malformed[0],
        excluded={
            NOT_SALES: ~is_sales,
            NO_CUSTOMER_LINE: is_sales & ~has_cust & ~excluded,
            UNBALANCED_ENTRY: is_sales & unbalanced[entry] & ~excluded,
            EXCLUDED_BY_CONFIG: excluded,
        },
        flagged={
            W_SEVERAL_CUSTOMERS: used & several[entry],
            **({W_NOT_UTF8: repaired} if repaired.any() else {}),
            **({W_INVISIBLE: invisible} if invisible.any() else {}),
        },
    )


def _unbalanced(amount: np.ndarray, entry: np.ndarray, n_entries: int) -> np.ndarray:
    """The entries whose lines' credits minus debits do not add up to 0 at the cent: an
    entry of the books always balances, so one that does not is damaged (a figure mistyped,
    a line lost), and its sales lines are no revenue to trust. An entry with an unreadable
    amount is not judged (that line is counted as such)."""
    readable = ~np.isnan(amount)
    total = np.bincount(entry[readable], weights=amount[readable], minlength=n_entries)
    unreadable = np.bincount(entry[~readable], minlength=n_entries) > 0
    return (cents(exact(total)) != 0) & ~unreadable


def _line_key(entry: np.ndarray, account: np.ndarray, label: np.ndarray) -> pa.ChunkedArray:
    """What tells two FEC lines of one amount apart: entry, account and label, as one code.

    The duplicate screen compares it with the other columns, so that two lines of one
    invoice at the same price (two products) are not taken for a repeated line.
    """
    # one int64 per line (entries, accounts and labels are each fewer than 2**21 here)
    a, b = int(account.max(initial=-1)) + 2, int(label.max(initial=-1)) + 2
    key = (entry.astype(np.int64) * a + (account + 1)) * b + (label + 1)
    codes = pd.factorize(key)[0].astype(np.int32)
    values = pa.array(np.arange(int(codes.max()) + 1 if len(codes) else 0).astype(str), pa.string())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array(codes), values)])


def _parser(
    names: list[str],
    columns: list[str],
    delimiter: str,
    quoted: bool,
    malformed: list[int],
    examples: list[str] | None = None,
) -> Any:
    """A function reading the FEC lines from a source and an offset: ``columns`` as bytes;
    with ``handle``, lines with another number of fields are skipped and counted in
    ``malformed[0]`` (else they make Arrow raise)."""

    def on_invalid(row: Any) -> str:
        if normalize_header(row.text or ""):  # else nothing visible (Ctrl-Z, form feed): no line
            malformed[0] += 1
            if examples is not None and not examples:
                examples.append(row.text or "")
        return "skip"

    def read(src: Any, offset: int, handle: bool) -> pa.Table:
        src.seek(offset)
        return pacsv.read_csv(
            src,
            read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"' if quoted else False,
                                             double_quote=quoted, invalid_row_handler=on_invalid if handle else None),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns, column_types=dict.fromkeys(columns, pa.binary()),
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip

    return read


def _amounts(
    table: pa.Table,
    names: list[str],
    wanted: dict[str, int],
    layout: str,
    spec: FileSpec,
    encoding: str,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``Credit − Debit`` of each line (empty cells are 0; NaN where a cell is unreadable),
    and the lines whose amounts held invisible characters (removed: read as without them)."""
    invisible = np.zeros(n, bool)

    def number(field: str) -> tuple[np.ndarray, np.ndarray]:
        nonlocal invisible
        if field not in wanted:
            return np.full(n, np.nan), np.zeros(n, bool)
        text = _decode_column(table.column(names[wanted[field]]), encoding)[0]
        if pa.types.is_dictionary(text.type):
            text = text.cast(pa.string())
        if has_invisible(text):
            invisible |= _matches(text, INVISIBLE_RE)
            text = strip_invisible(text)
        # a FEC has no thousands separator (the law says so): a dot or a comma is the
        # decimal mark. Some software writes them anyway (2.520,10, 2,520.10): in a value
        # with both marks, the first one groups digits by three and goes
        both_marks = len(_present(text, (".", ","))) == 2  # one look at the bytes first
        for mark, last in ((".", ","), (",", ".")) if both_marks else ():
            m, d = re.escape(mark), re.escape(last)
            grouped = pc.fill_null(  # a group never follows a lone 0 (0.500,00 is no number)
                pc.match_substring_regex(
                    text, rf"^\s*[+-]?[1-9][0-9]{{0,2}}({m}[0-9]{{3}})+{d}[0-9]*\s*$"
                ),
                False,
            )
            if pc.any(grouped).as_py():
                text = pc.if_else(grouped, pc.replace_substring(text, mark, ""), text)
        decimal = "." if spec.decimal == "." else ","
        text = pc.replace_substring(text, "," if decimal == "." else ".", decimal)
        return parse_amounts(text, decimal=decimal, thousands=_SPACES)

    if layout == "debit/credit":
        (debit, bad_debit), (credit, bad_credit) = number("Debit"), number("Credit")
        amount = np.nan_to_num(credit) - np.nan_to_num(debit)
        amount[bad_debit | bad_credit] = np.nan
        return amount, invisible
    value, bad = number("Montant")
    sens = _coded(table.column(names[wanted["Sens"]]) if "Sens" in wanted else None, n, encoding)
    sign = _per_row(sens.codes, _sens_sign(sens.values), np.nan)
    if sens.invisible is not None:
        invisible |= sens.invisible
    amount = np.where(np.isnan(value) & ~bad, 0.0, value * sign)
    amount[bad] = np.nan
    return amount, invisible
