"""Read and check a client config (``client.yaml``) into a frozen :class:`Config`.

The YAML contract is the one of ``DESIGN.md`` ("The client config"). Paths are relative
to the YAML file. Every problem is a :class:`~icpc.exceptions.ConfigError` whose message
names the file, the key, what was found and how to fix it; a misspelled key gets the
closest valid key as a suggestion.

Example
-------
>>> from icpc.config import load_config
>>> cfg = load_config("data_samples/demo/client.yaml")  # doctest: +SKIP
>>> cfg.period_months
12
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from icpc import columns as C
from icpc.exceptions import ConfigError, shorten

__all__ = [
    "Config",
    "FileSpec",
    "FecOptions",
    "ActivitySpec",
    "Exclusions",
    "Thresholds",
    "Branding",
    "load_config",
    "config_from_dict",
    "slugify",
]

LANGUAGES = ("fr", "en")
BASES = ("revenue", "margin")
SUPPORTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")


@dataclass(frozen=True)
class FecOptions:
    """How to read a FEC (``transactions.fec``): account prefixes and journals left out.

    ``sales_accounts``: prefixes of the sales accounts (class 70 by default, so 709
    rebates net the sales); ``customer_accounts``: prefixes of the customer accounts
    (411); ``exclude_journals``: journal codes whose entries are not used.
    """

    sales_accounts: tuple[str, ...] = ("70",)
    customer_accounts: tuple[str, ...] = ("411",)
    exclude_journals: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    """How to read one input file and map its headers to canonical columns.

    ``columns`` maps a canonical name (``customer_id``, ``date``…) to the client's header.
    ``"auto"`` means detected from the file.
    """

    path: Path
    columns: Mapping[str, str]
    sheet: str | int | None = None
    encoding: str = "auto"
    delimiter: str = "auto"
    decimal: str = "auto"
    thousands: str | None = "auto"
    date_format: str = "auto"
    drop_duplicates: bool = False
    #: the config key this spec came from (``transactions``, ``customers``, ``activity``)
    key: str = "transactions"
    #: ``lines`` (invoice lines, mapped by ``columns``) or ``fec`` (transactions only)
    format: str = "lines"
    fec: FecOptions = field(default_factory=FecOptions)


@dataclass(frozen=True)
class ActivitySpec(FileSpec):
    """An activity log: a :class:`FileSpec` plus the values of its ``type`` column."""

    types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Exclusions:
    """Customers kept out of the analysis (ledger reason ``excluded by config``)."""

    customers: tuple[str, ...] = ()
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    """Thresholds of the status view and of the early warning, with their defaults."""

    lost_after_days: int = 365
    overdue_ratio: float = 2.0
    min_purchases_for_rhythm: int = 3
    #: months compared by the trend rule (last ``trend_months`` vs the same a year before)
    trend_months: int = 6
    #: the trend rule flags a fall of at least this fraction (0.5 = revenue halved)
    trend_fall: float = 0.5
    #: customers whose first sale is at most this many days old count as "new" in the status view
    new_within_days: int = 90


@dataclass(frozen=True)
class Branding:
    """The consultant's firm as shown on the cover of the report."""

    firm: str = ""
    consultant: str = ""
    logo: Path | None = None
    confidentiality: str | None = None


@dataclass(frozen=True)
class Config:
    """A validated client config. Build it with :func:`load_config`."""

    client: str
    slug: str
    transactions: FileSpec
    as_of: dt.date | None = None
    period_months: int = 12
    language: str = "fr"
    currency: str = "EUR"
    basis: str = "revenue"
    customers: FileSpec | None = None
    activity: ActivitySpec | None = None
    exclude: Exclusions = field(default_factory=Exclusions)
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: optional override of the Score3D segment rules (see :mod:`icpc.segmentation`)
    segments: tuple[Mapping[str, Any], ...] | None = None
    #: optional window (months) of history used for Score3D; None = all history
    rfm_window_months: int | None = None
    branding: Branding = field(default_factory=Branding)
    #: the YAML file this config was read from (None when built from a dict)
    source: Path | None = None

    def with_as_of(self, as_of: dt.date | str | None) -> Config:
        """Return a copy with another analysis date (``None`` keeps the current one)."""
        if as_of is None:
            return self
        return replace(self, as_of=_date(as_of, "as_of", self.source))

    @property
    def input_files(self) -> tuple[Path, ...]:
        """Every input file of this config (for hashes and up-to-date checks)."""
        specs = [self.transactions, self.customers, self.activity]
        return tuple(s.path for s in specs if s is not None)


# --------------------------------------------------------------------------------------
# key schema: what each block accepts
# --------------------------------------------------------------------------------------
_TOP_KEYS = {
    "client", "slug", "as_of", "period_months", "language", "currency", "basis",
    "transactions", "customers", "activity", "exclude", "thresholds", "segments",
    "rfm_window_months", "branding",
}  # fmt: skip
_FILE_KEYS = {
    "path", "sheet", "encoding", "delimiter", "decimal", "thousands", "date_format",
    "drop_duplicates", "columns",
}  # fmt: skip
_TRANSACTION_KEYS = _FILE_KEYS | {"format", "fec"}
_FEC_KEYS = set(FecOptions.__dataclass_fields__)
FORMATS = ("lines", "fec")
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
_THRESHOLD_KEYS = set(Thresholds.__dataclass_fields__)
_BRANDING_KEYS = set(Branding.__dataclass_fields__)
_EXCLUDE_KEYS = {"customers", "where"}


def _where(source: Path | None) -> str:
    return source.name if source is not None else "config"


def _unknown_keys(found: Mapping[str, Any], allowed: set[str], block: str, source: Path | None) -> None:
    for key in found:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else "valid keys are: " + ", ".join(sorted(allowed))
            raise ConfigError(f'{_where(source)}: unknown key "{block}{key}"; {hint}')


def _mapping(value: Any, key: str, source: Path | None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            f'{_where(source)}: "{key}" must be a mapping (key: value lines), found {type(value).__name__} {value!r}'
        )
    return value


def _str(value: Any, key: str, source: Path | None, *, allow_empty: bool = False) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise ConfigError(f'{_where(source)}: "{key}" must be text, found {value!r}')
    text = str(value).strip()
    if not text and not allow_empty:
        raise ConfigError(f'{_where(source)}: "{key}" is empty; give a value')
    return text


def _int(value: Any, key: str, source: Path | None, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ConfigError(f'{_where(source)}: "{key}" must be a whole number, found {value!r}')
    if value < minimum:
        raise ConfigError(f'{_where(source)}: "{key}" must be at least {minimum}, found {value!r}')
    return int(value)


def _float(value: Any, key: str, source: Path | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f'{_where(source)}: "{key}" must be a number, found {value!r}')
    if value <= 0:
        raise ConfigError(f'{_where(source)}: "{key}" must be positive, found {value!r}')
    return float(value)


def _date(value: Any, key: str, source: Path | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ConfigError(
        f'{_where(source)}: "{key}" is not a valid date, found {value!r}; '
        "write it as YYYY-MM-DD (e.g. 2024-12-31)"
    )


def slugify(text: str) -> str:
    """Turn a client name into a safe folder name (ASCII letters, digits and ``-`` only).

    Example
    -------
    >>> slugify("Distribution Martin SAS")
    'distribution-martin-sas'
    >>> slugify("../../etc/Ça & Co")
    'etc-ca-co'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-")


def _file_spec(raw: Any, key: str, base: Path, source: Path | None) -> FileSpec:
    block = _mapping(raw, key, source)
    allowed = {"activity": _ACTIVITY_KEYS, "transactions": _TRANSACTION_KEYS}.get(key, _FILE_KEYS)
    _unknown_keys(block, allowed, f"{key}.", source)
    fmt = _str(block.get("format", "lines"), f"{key}.format", source).lower()
    if fmt not in FORMATS:
        raise ConfigError(f'{_where(source)}: "{key}.format" must be lines or fec, found {_short(fmt)!r}')
    fec = _fec_options(block.get("fec"), source)
    if "path" not in block:
        raise ConfigError(f'{_where(source)}: "{key}.path" is missing; give the file name of the {key} export')
    path = Path(_str(block["path"], f"{key}.path", source)).expanduser()
    if not path.is_absolute():
        path = (base / path).resolve()
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ConfigError(
            f'{_where(source)}: "{key}.path" {path.name} has an unsupported type "{path.suffix}"; '
            "use .csv/.txt, .xlsx/.xls or .parquet"
        )
    cols = _mapping(block.get("columns"), f"{key}.columns", source)
    if fmt == "fec" and cols:
        raise ConfigError(
            f'{_where(source)}: "{key}.columns" is not used with "format: fec" (the FEC\'s columns are fixed '
            "by law); remove the columns block"
        )
    _unknown_keys(cols, _COLUMN_KEYS[key], f"{key}.columns.", source)
    for required in _REQUIRED_COLUMNS[key] if fmt == "lines" else ():
        if required not in cols or cols[required] in (None, ""):
            raise ConfigError(
                f'{_where(source)}: "{key}.columns.{required}" is missing; '
                f"give the header of the {required} column in {path.name}"
            )
    columns = {k: _str(v, f"{key}.columns.{k}", source) for k, v in cols.items() if v not in (None, "")}
    sheet = block.get("sheet")
    if sheet is not None and not isinstance(sheet, (str, int)):
        raise ConfigError(f'{_where(source)}: "{key}.sheet" must be a sheet name or index, found {sheet!r}')
    delimiter = block.get("delimiter", "auto")
    if delimiter not in ("auto", ",", ";", "\t", "|", "tab"):
        raise ConfigError(
            f'{_where(source)}: "{key}.delimiter" must be auto, ",", ";", "\\t" or "|", found {delimiter!r}'
        )
    delimiter = "\t" if delimiter == "tab" else delimiter
    decimal = str(block.get("decimal", "auto"))
    if decimal not in ("auto", ",", "."):
        raise ConfigError(f'{_where(source)}: "{key}.decimal" must be auto, "," or ".", found {decimal!r}')
    thousands = block.get("thousands", "auto")
    if thousands in (None, "none", "", False):
        thousands = None
    elif thousands not in ("auto", " ", ".", ",", "\u00a0", "\u202f", "'"):
        raise ConfigError(
            f'{_where(source)}: "{key}.thousands" must be auto, " ", ".", "," or none, found {thousands!r}'
        )
    drop = block.get("drop_duplicates", False)
    if not isinstance(drop, bool):
        raise ConfigError(f'{_where(source)}: "{key}.drop_duplicates" must be true or false, found {drop!r}')
    common: dict[str, Any] = dict(
        path=path,
        columns=columns,
        sheet=sheet,
        encoding=_str(block.get("encoding", "auto"), f"{key}.encoding", source),
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        date_format=_str(block.get("date_format", "auto"), f"{key}.date_format", source),
        drop_duplicates=drop,
        key=key,
    )
    if key == "transactions":
        common.update(format=fmt, fec=fec)
    if key != "activity":
        return FileSpec(**common)
    types_raw = _mapping(block.get("types"), "activity.types", source)
    _unknown_keys(types_raw, set(C.ACTIVITY_KINDS), "activity.types.", source)
    types: dict[str, tuple[str, ...]] = {}
    for kind in C.ACTIVITY_KINDS:
        values = types_raw.get(kind, [])
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise ConfigError(f'{_where(source)}: "activity.types.{kind}" must be a list of values, found {values!r}')
        types[kind] = tuple(str(v) for v in values)
    if not any(types.values()):
        raise ConfigError(
            f'{_where(source)}: "activity.types" is empty; list the values of the type column, '
            'e.g. call_completed: ["Appel abouti"]'
        )
    return ActivitySpec(**common, types=types)


def _fec_options(raw: Any, source: Path | None) -> FecOptions:
    block = _mapping(raw, "transactions.fec", source)
    _unknown_keys(block, _FEC_KEYS, "transactions.fec.", source)
    defaults = FecOptions()
    values: dict[str, tuple[str, ...]] = {}
    for name in _FEC_KEYS:
        items = block.get(name, getattr(defaults, name))
        if isinstance(items, (str, int)) and not isinstance(items, bool):
            items = [items]
        if not isinstance(items, (list, tuple)):
            raise ConfigError(f'{_where(source)}: "transactions.fec.{name}" must be a list, found {_short(items)!r}')
        values[name] = tuple(_str(v, f"transactions.fec.{name}", source) for v in items)
    for name in ("sales_accounts", "customer_accounts"):
        if not values[name]:
            raise ConfigError(f'{_where(source)}: "transactions.fec.{name}" is empty; give account prefixes, e.g. ["70"]')
    return FecOptions(**values)


def _short(value: Any, limit: int = 80) -> Any:
    """A value as shown in a message: text longer than ``limit`` characters is cut."""
    return shorten(value, limit) if isinstance(value, str) else value


def config_from_dict(raw: Mapping[str, Any], *, base_dir: Path | str = ".", source: Path | None = None) -> Config:
    """Validate a parsed config mapping into a :class:`Config`.

    Parameters
    ----------
    raw : mapping
        The parsed YAML.
    base_dir : path
        Folder that relative input paths are relative to.
    source : path, optional
        The YAML file, for messages.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        On a missing or unknown key, a wrong type, an impossible date or value.
    """
    base = Path(base_dir)
    raw = _mapping(raw, "the config", source)
    _unknown_keys(raw, _TOP_KEYS, "", source)
    if "client" not in raw:
        raise ConfigError(f'{_where(source)}: "client" is missing; give the client\'s display name')
    client = _str(raw["client"], "client", source)
    slug_src = raw.get("slug") or client
    slug = slugify(_str(slug_src, "slug", source))
    if not slug:
        raise ConfigError(f'{_where(source)}: cannot make a folder name from {slug_src!r}; set "slug" (letters, digits, -)')
    if "transactions" not in raw:
        raise ConfigError(f'{_where(source)}: "transactions" is missing; describe the invoice-lines export (path, columns)')
    transactions = _file_spec(raw["transactions"], "transactions", base, source)
    customers = _file_spec(raw["customers"], "customers", base, source) if raw.get("customers") else None
    activity = None
    if raw.get("activity"):
        spec = _file_spec(raw["activity"], "activity", base, source)
        assert isinstance(spec, ActivitySpec)
        activity = spec
    language = _str(raw.get("language", "fr"), "language", source).lower()
    if language not in LANGUAGES:
        raise ConfigError(f'{_where(source)}: "language" must be fr or en, found {language!r}')
    basis = _str(raw.get("basis", "revenue"), "basis", source).lower()
    if basis not in BASES:
        raise ConfigError(f'{_where(source)}: "basis" must be revenue or margin, found {basis!r}')
    if basis == "margin" and C.MARGIN not in transactions.columns:
        raise ConfigError(
            f'{_where(source)}: "basis: margin" needs a margin column; '
            'add transactions.columns.margin (the header of the margin column) or use "basis: revenue"'
        )
    currency = _str(raw.get("currency", "EUR"), "currency", source).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigError(f'{_where(source)}: "currency" must be a 3-letter ISO code such as EUR, found {currency!r}')
    as_of = _date(raw["as_of"], "as_of", source) if raw.get("as_of") not in (None, "", "auto") else None

    excl_raw = _mapping(raw.get("exclude"), "exclude", source)
    _unknown_keys(excl_raw, _EXCLUDE_KEYS, "exclude.", source)
    ids = excl_raw.get("customers") or []
    if not isinstance(ids, list):
        raise ConfigError(f'{_where(source)}: "exclude.customers" must be a list of customer ids, found {ids!r}')
    where_raw = _mapping(excl_raw.get("where"), "exclude.where", source)
    mapped = set(transactions.columns) | (set(customers.columns) if customers else set())
    where: dict[str, tuple[str, ...]] = {}
    for col, values in where_raw.items():
        if col not in mapped:
            raise ConfigError(
                f'{_where(source)}: "exclude.where.{col}" names a column that is not mapped; '
                "mapped columns are: " + ", ".join(sorted(mapped))
            )
        vals = values if isinstance(values, list) else [values]
        where[str(col)] = tuple(str(v) for v in vals)
    exclude = Exclusions(customers=tuple(str(i) for i in ids), where=where)

    th_raw = _mapping(raw.get("thresholds"), "thresholds", source)
    _unknown_keys(th_raw, _THRESHOLD_KEYS, "thresholds.", source)
    defaults = Thresholds()
    thresholds = Thresholds(
        lost_after_days=_int(th_raw.get("lost_after_days", defaults.lost_after_days), "thresholds.lost_after_days", source),
        overdue_ratio=_float(th_raw.get("overdue_ratio", defaults.overdue_ratio), "thresholds.overdue_ratio", source),
        min_purchases_for_rhythm=_int(
            th_raw.get("min_purchases_for_rhythm", defaults.min_purchases_for_rhythm),
            "thresholds.min_purchases_for_rhythm",
            source,
            minimum=2,
        ),
        trend_months=_int(th_raw.get("trend_months", defaults.trend_months), "thresholds.trend_months", source),
        trend_fall=_float(th_raw.get("trend_fall", defaults.trend_fall), "thresholds.trend_fall", source),
        new_within_days=_int(th_raw.get("new_within_days", defaults.new_within_days), "thresholds.new_within_days", source),
    )

    segments = raw.get("segments")
    if segments is not None:
        if not isinstance(segments, list) or not all(isinstance(s, Mapping) for s in segments):
            raise ConfigError(
                f'{_where(source)}: "segments" must be a list of rules (name, r, f, ...), found {type(segments).__name__}'
            )
        segments = tuple(dict(s) for s in segments)

    br_raw = _mapping(raw.get("branding"), "branding", source)
    _unknown_keys(br_raw, _BRANDING_KEYS, "branding.", source)
    logo = br_raw.get("logo")
    logo_path = None
    if logo:
        logo_path = Path(str(logo)).expanduser()
        if not logo_path.is_absolute():
            logo_path = (base / logo_path).resolve()
    branding = Branding(
        firm=str(br_raw.get("firm", "") or ""),
        consultant=str(br_raw.get("consultant", "") or ""),
        logo=logo_path,
        confidentiality=br_raw.get("confidentiality"),
    )
    window = raw.get("rfm_window_months")
    return Config(
        client=client,
        slug=slug,
        transactions=transactions,
        as_of=as_of,
        period_months=_int(raw.get("period_months", 12), "period_months", source),
        language=language,
        currency=currency,
        basis=basis,
        customers=customers,
        activity=activity,
        exclude=exclude,
        thresholds=thresholds,
        segments=segments,
        rfm_window_months=_int(window, "rfm_window_months", source) if window is not None else None,
        branding=branding,
        source=source,
    )


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so an impossible date gets our own message."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_config(path: str | Path) -> Config:
    """Read and validate a client config file.

    Parameters
    ----------
    path : str or Path
        The ``client.yaml`` file.

    Returns
    -------
    Config
        Frozen; input paths resolved relative to the YAML file.

    Raises
    ------
    ConfigError
        File missing or not YAML, or any problem of :func:`config_from_dict`.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found; give the path of the client's YAML file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = p.read_text(encoding="cp1252")
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{p.name}: not valid YAML{where} ({problem}); check indentation and quotes") from None
    if raw is None:
        raise ConfigError(f"{p.name}: the config file is empty; start from data_samples/demo/client.yaml")
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{p.name}: the config must be a mapping of keys (client:, transactions:, ...), found {type(raw).__name__}")
    return config_from_dict(raw, base_dir=p.resolve().parent, source=p)
