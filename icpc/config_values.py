"""Checks of single client.yaml values, each with its one-line message (see :mod:`icpc.config`).

Every message names the file and the key, echoes what was found through :func:`show` (cut
to a few dozen characters: a pasted 30-MB value never fills a message) and says how to
fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from icpc.exceptions import ConfigError, shorten

__all__ = [
    "SUPPORTED_SUFFIXES",
    "MAX_TEXT",
    "MAX_PATH",
    "where_name",
    "show",
    "unknown_keys",
    "mapping",
    "text",
    "ids",
    "whole_number",
    "fraction",
    "positive_number",
    "parse_date",
    "date_value",
    "input_path",
]

SUPPORTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")
#: longest text value (a name, a header, an id); a path may be longer
MAX_TEXT = 1000
MAX_PATH = 4096
#: table files listed when a path names a folder
_FOLDER_LISTED = 5


def where_name(source: Path | None) -> str:
    """The name messages start with: the config file's name, or ``config`` for a dict."""
    return source.name if source is not None else "config"


def show(value: Any, limit: int = 80) -> str:
    """A value as echoed in a message: on one line, cut past ``limit`` characters.

    Text is quoted (``'abc'``), anything else shown as its ``repr``; what is cut says how
    long it was, so that a 30-MB value never fills a message.
    """
    if isinstance(value, str):
        return (
            repr(value)
            if len(value) <= limit
            else repr(value[:limit]) + f"… ({len(value)} characters)"
        )
    shown = repr(value)
    return shown if len(shown) <= limit else shown[:limit] + f"… ({len(shown)} characters)"


def unknown_keys(
    found: Mapping[str, Any], allowed: set[str], block: str, source: Path | None
) -> None:
    """Refuse a key of ``found`` not in ``allowed``, suggesting the closest valid key.

    Parameters
    ----------
    found : mapping
        The block as written.
    allowed : set of str
        Its valid keys.
    block : str
        Its dotted prefix for messages (``transactions.``), empty at the top level.
    source : Path or None
        The config file, for messages.

    Raises
    ------
    ConfigError
        On the first unknown key.
    """
    for key in found:
        if key not in allowed:
            name = str(key)
            close = (
                difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
                if len(name) < 100
                else []
            )
            hint = (
                f'did you mean "{close[0]}"?'
                if close
                else "valid keys are: " + ", ".join(sorted(allowed))
            )
            shown = name if len(name) <= 60 else show(name, 60)
            raise ConfigError(f'{where_name(source)}: unknown key "{block}{shown}"; {hint}')


def mapping(value: Any, key: str, source: Path | None) -> Mapping[str, Any]:
    """``value`` as a mapping (None gives an empty one); anything else is refused.

    Raises
    ------
    ConfigError
        When ``value`` is a list, a text or a number.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            f'{where_name(source)}: "{key}" must be a mapping (key: value lines), found {type(value).__name__} {show(value)}'
        )
    return value


def text(
    value: Any, key: str, source: Path | None, *, allow_empty: bool = False, limit: int = MAX_TEXT
) -> str:
    """``value`` as stripped text (a number counts as its digits).

    Parameters
    ----------
    value : Any
        As written.
    key : str
        Its dotted key, for messages.
    source : Path or None
        The config file, for messages.
    allow_empty : bool
        Whether empty text is accepted.
    limit : int
        Longest text accepted (a pasted file is not a name).

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        A yes/no value, null, a list or mapping, empty or far too long text.
    """
    if isinstance(value, (bool, list, tuple, set, Mapping)) or value is None:
        raise ConfigError(f'{where_name(source)}: "{key}" must be text, found {show(value)}')
    result = str(value).strip()
    if not result and not allow_empty:
        raise ConfigError(f'{where_name(source)}: "{key}" is empty; give a value')
    if len(result) > limit:
        raise ConfigError(
            f'{where_name(source)}: "{key}" is far too long ({len(result)} characters, starting '
            f"{show(result[:40])}); give at most {limit} characters"
        )
    return result


def ids(values: Any, key: str, source: Path | None, *, what: str = "code") -> tuple[str, ...]:
    """Ids or codes of a list key, as text: a plain whole number counts as its digits.

    ``read_yaml`` has already refused the numbers YAML reads from an id (``00042`` → 34)
    and yes/no values, with the text as written; this is the same rule for values given
    as Python objects (:func:`icpc.config.config_from_dict`).

    Parameters
    ----------
    values : Any
        A list of ids, or one id.
    key : str
        Its dotted key, for messages.
    source : Path or None
        The config file, for messages.
    what : str
        What an item is (``id``, ``code``, ``value``), for messages.

    Returns
    -------
    tuple of str

    Raises
    ------
    ConfigError
        Null (the key or an item), a yes/no value, a decimal number, a nested list.
    """
    where = where_name(source)
    if values is None:
        raise ConfigError(
            f'{where}: "{key}" is empty (null); give the {what}s as a list, e.g. ["A1", "B2"]'
        )
    out: list[str] = []
    for value in values if isinstance(values, (list, tuple)) else [values]:
        if value is None:
            raise ConfigError(
                f'{where}: "{key}" holds an empty item (null, ~ or a bare "-"); remove it or write the {what} in quotes'
            )
        if isinstance(value, bool):
            raise ConfigError(
                f"{where}: {key}: {str(value).lower()} is a yes/no value, not a {what}; write the {what} in quotes, "
                'e.g. ["NO"]'
            )
        if isinstance(value, float):
            raise ConfigError(
                f"{where}: {key}: {show(value)} is a number, not a {what}; write the {what} in quotes as it is "
                'written in the file, e.g. ["0.50"]'
            )
        out.append(str(value) if isinstance(value, int) else text(value, key, source))
    return tuple(out)


#: the most months a period, window or horizon may span (ten years): more reaches back
#: before any sales ledger, and past the dates the analyses can count
MAX_MONTHS = 120
#: the most days a threshold in days may be (a century)
MAX_DAYS = 36_525
#: the analysis dates (as_of) the config and the command line accept
AS_OF_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))


def whole_number(
    value: Any, key: str, source: Path | None, *, minimum: int = 1, maximum: int | None = None
) -> int:
    """``value`` as an int of at least ``minimum`` and at most ``maximum`` (``12`` or ``12.0``).

    Raises
    ------
    ConfigError
        Text, a yes/no value, a fraction, an infinite number, or out of bounds.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or int(value) != value
    ):
        raise ConfigError(
            f'{where_name(source)}: "{key}" must be a whole number, found {show(value)}'
        )
    if value < minimum:
        raise ConfigError(
            f'{where_name(source)}: "{key}" must be at least {minimum}, found {show(value)}'
        )
    if maximum is not None and value > maximum:
        unit = {MAX_MONTHS: " (ten years)", MAX_DAYS: " (a century)"}.get(maximum, "")
        raise ConfigError(
            f'{where_name(source)}: "{key}" must be at most {maximum}{unit}, found {show(value)}'
        )
    return int(value)


def positive_number(value: Any, key: str, source: Path | None) -> float:
    """``value`` as a finite float above 0.

    Raises
    ------
    ConfigError
        Text, a yes/no value, an infinite or NaN number, zero or less.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f'{where_name(source)}: "{key}" must be a number, found {show(value)}')
    if value <= 0:
        raise ConfigError(f'{where_name(source)}: "{key}" must be positive, found {show(value)}')
    return float(value)


def fraction(value: Any, key: str, source: Path | None) -> float:
    """``value`` as a share above 0 and at most 1 (0.5: a half).

    Raises
    ------
    ConfigError
        What :func:`positive_number` refuses, or more than 1; a percentage written as a
        whole number (``50``) gets the fraction to write instead (``0.5``).
    """
    number = positive_number(value, key, source)
    if number > 1:
        whole = number <= 100 and number.is_integer()  # a percentage: 50 for a half
        hint = f"; for {show(value)} %, write {number / 100:g}" if whole else ""
        raise ConfigError(
            f'{where_name(source)}: "{key}" must be a fraction between 0 and 1 '
            f"(0.5 for a half), found {show(value)}{hint}"
        )
    return number


def parse_date(value: Any) -> dt.date | None:
    """A date from a date object or text (``YYYY-MM-DD``, ``DD/MM/YYYY``, ``DD.MM.YYYY``).

    Parameters
    ----------
    value : date, datetime or str
        What the user wrote.

    Returns
    -------
    date or None
        None when ``value`` is not a possible date (``2024-02-30``, ``tomorrow``).

    Example
    -------
    >>> parse_date("31/12/2024")
    datetime.date(2024, 12, 31)
    >>> parse_date("2024-02-30") is None
    True
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) > 10:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def date_value(value: Any, key: str, source: Path | None) -> dt.date:
    """``value`` as a date (see :func:`parse_date`).

    Raises
    ------
    ConfigError
        An impossible date (``2024-02-30``) or text that is no date.
    """
    date = parse_date(value)
    if date is None:
        raise ConfigError(
            f'{where_name(source)}: "{key}" is not a valid date, found {show(value)}; '
            "write it as YYYY-MM-DD (e.g. 2024-12-31)"
        )
    low, high = AS_OF_RANGE
    if not low <= date <= high:
        raise ConfigError(
            f'{where_name(source)}: "{key}" must be between {low.isoformat()} and '
            f"{high.isoformat()}, found {date.isoformat()}"
        )
    return date


def input_path(value: Any, key: str, base: Path, source: Path | None) -> Path:
    """The input file of ``<key>.path``, resolved against ``base``; a folder is refused.

    A path that does not exist passes when its suffix is a supported one: the reader
    says the file is missing, with the folder it looked in.

    Parameters
    ----------
    value : Any
        The path as written.
    key : str
        The config block (``transactions``, ``customers``, ``activity``).
    base : Path
        The config's folder; relative paths are relative to it.
    source : Path or None
        The config file, for messages.

    Returns
    -------
    Path
        Absolute.

    Raises
    ------
    ConfigError
        A folder (its table files are listed), or a suffix that no reader supports.
    """
    written = text(value, f"{key}.path", source, limit=MAX_PATH)
    path = Path(written)
    try:
        path = path.expanduser()
    except RuntimeError:  # "~someone" without a home directory: the path as written
        pass
    if not path.is_absolute():
        path = (base / path).resolve()
    try:
        is_dir = path.is_dir()
    except OSError:  # e.g. a name too long for the file system
        is_dir = False
    if is_dir:
        raise ConfigError(_folder_message(path, written.rstrip("/\\") or written, key, source))
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ConfigError(
            f'{where_name(source)}: "{key}.path" {shorten(path.name, 60)} has an unsupported type '
            f'"{shorten(path.suffix, 20)}"; use .csv/.txt, .xlsx/.xls or .parquet'
        )
    return path


def _folder_message(folder: Path, written: str, key: str, source: Path | None) -> str:
    """What to say when ``<key>.path`` names a folder: the table files it holds."""
    names: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for number, entry in enumerate(entries):
                if number >= 10_000:
                    break
                if Path(entry.name).suffix.lower() in SUPPORTED_SUFFIXES and entry.is_file():
                    names.append(entry.name)
    except OSError:
        pass
    names.sort(key=str.lower)
    shown = written if len(written) <= 60 else show(written, 60)
    head = f'{where_name(source)}: {key}.path "{shown}" is a folder, not a file'
    if not names:
        return f"{head}; it holds no table file (.csv/.txt, .xlsx/.xls, .parquet); give the path of the {key} export"
    listed = ", ".join(n if len(n) <= 40 else show(n, 40) for n in names[:_FOLDER_LISTED])
    if len(names) > _FOLDER_LISTED:
        listed += f" and {len(names) - _FOLDER_LISTED} more"
    example = f"{shown}/{names[0]}" if len(names[0]) <= 40 else f"{shown}/<file name>"
    return f"{head}; it holds {listed}; give the file's name, e.g. {example}"
