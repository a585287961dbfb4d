"""The input blocks of ``client.yaml`` (transactions, customers, activity) checked into a :class:`FileSpec`.

Each block names an export: its path (relative to the YAML file), how to read it
(sheet, encoding, delimiter, decimal mark, thousands separator, date format, duplicate
lines) and the headers of its columns; the transactions may instead be the accounting
FEC (``format: fec``, whose fields are fixed: no columns, :class:`FecOptions`), and the
activity log maps its type values to the kinds of contact (:class:`ActivitySpec`).
Called by :func:`icpc.config.config_from_dict`; every problem is a
:class:`~icpc.exceptions.ConfigError` naming the key, what was found and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from icpc import columns as C
from icpc.config_types import ActivitySpec, FecOptions, FileSpec
from icpc.config_values import ids, input_path, mapping, show, text, unknown_keys, where_name
from icpc.exceptions import ConfigError, shorten
from icpc.text import fold

__all__ = ["FORMATS", "file_spec"]

#: values of ``transactions.format``: invoice lines (the default) or the accounting FEC
FORMATS = ("lines", "fec")

# key schema: what each input block accepts
_FILE_KEYS = {
    "path", "sheet", "encoding", "delimiter", "decimal", "thousands", "date_format",
    "drop_duplicates", "columns",
}  # fmt: skip
_TRANSACTION_KEYS = _FILE_KEYS | {"format", "fec"}
_FEC_KEYS = set(FecOptions.__dataclass_fields__)
_ACTIVITY_KEYS = _FILE_KEYS | {"types"}
_COLUMN_KEYS = {
    "transactions": set(C.TRANSACTION_COLUMNS),
    "customers": set(C.CUSTOMER_COLUMNS),
    "activity": set(C.ACTIVITY_COLUMNS),
}
_REQUIRED_COLUMNS = {
    "transactions": C.TRANSACTION_REQUIRED,
    "customers": C.CUSTOMER_REQUIRED,
    "activity": C.ACTIVITY_REQUIRED,
}


#: a date format names the day, the month and the year with strptime directives
_DATE_DIRECTIVES = re.compile(r"(?=.*%[yYG])(?:(?=.*%[de])(?=.*%[mbB])|(?=.*%j))")


def file_spec(raw: Any, key: str, base: Path, source: Path | None) -> FileSpec:
    """Check the input block ``key`` (``transactions``, ``customers`` or ``activity``).

    Parameters
    ----------
    raw : Any
        The block as parsed from the YAML.
    key : str
        Its key in client.yaml.
    base : Path
        Folder that a relative ``path`` is relative to.
    source : Path, optional
        The YAML file, for messages.

    Returns
    -------
    FileSpec
        An :class:`ActivitySpec` for ``activity``.

    Raises
    ------
    ConfigError
        On a missing or unknown key, a wrong value, a file that cannot be used.
    """
    block = mapping(raw, key, source)
    allowed = {"activity": _ACTIVITY_KEYS, "transactions": _TRANSACTION_KEYS}.get(key, _FILE_KEYS)
    for fec_key in ("format", "fec"):
        if fec_key in block and fec_key not in allowed:
            raise ConfigError(
                f'{where_name(source)}: unknown key "{key}.{fec_key}"; only the transactions can be read from a '
                f"FEC (transactions.format: fec) — remove {fec_key} from the {key} block"
            )
    unknown_keys(block, allowed, f"{key}.", source)
    fmt = text(block.get("format", "lines"), f"{key}.format", source).lower()
    if fmt not in FORMATS:
        raise ConfigError(
            f'{where_name(source)}: "{key}.format" must be lines (invoice lines, the default) or fec '
            f"(a fichier des écritures comptables), found {show(fmt)}"
        )
    if fmt != "fec" and block.get("fec"):
        raise ConfigError(
            f'{where_name(source)}: "{key}.fec" is only read with "{key}.format: fec"; '
            "add format: fec, or remove the fec block"
        )
    fec = _fec_options(block.get("fec"), source)
    if "path" not in block:
        raise ConfigError(
            f'{where_name(source)}: "{key}.path" is missing; give the file name of the {key} export'
        )
    path = input_path(block["path"], key, base, source)
    cols = mapping(block.get("columns"), f"{key}.columns", source)
    if fmt == "fec" and cols:
        raise ConfigError(
            f'{where_name(source)}: "{key}.columns" is not used with "format: fec" (the FEC\'s columns are fixed '
            "by law); remove the columns block"
        )
    unknown_keys(cols, _COLUMN_KEYS[key], f"{key}.columns.", source)
    if fmt == "lines" and not cols and key == "transactions":
        raise ConfigError(
            f'{where_name(source)}: "transactions.columns" is missing; map the headers of '
            f"{shorten(path.name, 60)} (customer_id, date, amount: the headers of the file), or add "
            '"format: fec" if the file is the accounting FEC'
        )
    for required in _REQUIRED_COLUMNS[key] if fmt == "lines" else ():
        if required not in cols or cols[required] in (None, ""):
            raise ConfigError(
                f'{where_name(source)}: "{key}.columns.{required}" is missing; '
                f"give the header of the {required} column in {shorten(path.name, 60)}"
            )
    columns = {
        k: text(v, f"{key}.columns.{k}", source) for k, v in cols.items() if v not in (None, "")
    }
    sheet = block.get("sheet")
    if sheet is not None and not isinstance(sheet, (str, int)):
        raise ConfigError(
            f'{where_name(source)}: "{key}.sheet" must be a sheet name or index, found {show(sheet)}'
        )
    delimiter = block.get("delimiter", "auto")
    if delimiter not in ("auto", ",", ";", "\t", "|", "tab"):
        raise ConfigError(
            f'{where_name(source)}: "{key}.delimiter" must be auto, ",", ";", "\\t" or "|", found {show(delimiter)}'
        )
    delimiter = "\t" if delimiter == "tab" else delimiter
    decimal = block.get("decimal", "auto")
    if decimal not in ("auto", ",", "."):
        raise ConfigError(
            f'{where_name(source)}: "{key}.decimal" must be auto, "," or ".", found {show(decimal)}'
        )
    thousands = block.get("thousands", "auto")
    if thousands in (None, "none", "", False):
        thousands = None
    elif thousands not in ("auto", " ", ".", ",", "\u00a0", "\u202f", "'"):
        raise ConfigError(
            f'{where_name(source)}: "{key}.thousands" must be auto, " ", ".", "," or none, found {show(thousands)}'
        )
    date_format = text(block.get("date_format", "auto"), f"{key}.date_format", source)
    if date_format != "auto" and not _DATE_DIRECTIVES.search(date_format):
        raise ConfigError(
            f'{where_name(source)}: "{key}.date_format" must be auto or a format naming the day '
            f'(%d), the month (%m or %b) and the year (%Y or %y), such as "%d/%m/%Y", found {show(date_format)}'
        )
    drop = block.get("drop_duplicates", False)
    if not isinstance(drop, bool):
        raise ConfigError(
            f'{where_name(source)}: "{key}.drop_duplicates" must be true or false, found {show(drop)}'
        )
    common: dict[str, Any] = dict(
        path=path,
        columns=columns,
        sheet=sheet,
        encoding=text(block.get("encoding", "auto"), f"{key}.encoding", source),
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        date_format=date_format,
        drop_duplicates=drop,
        key=key,
    )
    if key == "transactions":
        common.update(format=fmt, fec=fec)
    if key != "activity":
        return FileSpec(**common)
    types_raw = mapping(block.get("types"), "activity.types", source)
    unknown_keys(types_raw, set(C.ACTIVITY_KINDS), "activity.types.", source)
    types: dict[str, tuple[str, ...]] = {}
    for kind in C.ACTIVITY_KINDS:
        values = types_raw.get(kind, [])
        if isinstance(values, Mapping):
            raise ConfigError(
                f'{where_name(source)}: "activity.types.{kind}" must be a list of values, found {show(values)}'
            )
        types[kind] = (
            ids(values, f"activity.types.{kind}", source, what="value")
            if values is not None
            else ()
        )
    _one_type_each(types, source)
    if not any(types.values()):
        raise ConfigError(
            f'{where_name(source)}: "activity.types" is empty; list the values of the type column, '
            'e.g. call_completed: ["Appel abouti"]'
        )
    return ActivitySpec(**common, types=types)


def _fec_options(raw: Any, source: Path | None) -> FecOptions:
    block = mapping(raw, "transactions.fec", source)
    unknown_keys(block, _FEC_KEYS, "transactions.fec.", source)
    defaults = FecOptions()
    values: dict[str, tuple[str, ...]] = {}
    for name in sorted(_FEC_KEYS):
        items = block.get(name, getattr(defaults, name))
        if isinstance(items, Mapping):
            raise ConfigError(
                f'{where_name(source)}: "transactions.fec.{name}" must be a list, found {show(items)}'
            )
        values[name] = ids(items, f"transactions.fec.{name}", source) if items is not None else ()
    for name in ("customer_accounts", "sales_accounts"):
        if not values[name]:
            raise ConfigError(
                f'{where_name(source)}: "transactions.fec.{name}" is empty; give account prefixes, '
                f'e.g. ["{getattr(defaults, name)[0]}"]'
            )
    return FecOptions(**values)


def _one_type_each(types: dict[str, tuple[str, ...]], source: Any) -> None:
    """Refuse a value listed under two types (compared as the log is read: case and
    accents aside): a row would be counted as one of them, silently."""

    seen: dict[str, tuple[str, str]] = {}
    for kind, values in types.items():
        for value in values:
            first = seen.setdefault(fold(value), (kind, value))
            if first[0] != kind:
                also = (
                    " (a completed call counts as a call made too: list it under call_completed only)"
                    if {first[0], kind} == {"call", "call_completed"}
                    else ""
                )
                raise ConfigError(
                    f'{where_name(source)}: "{value}" is listed under activity.types.{first[0]} and '
                    f"activity.types.{kind}; a value of the type column is one type{also}, remove it "
                    "from one of them"
                )
