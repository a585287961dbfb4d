"""Read and check a client config (``client.yaml``) into a frozen :class:`Config`.

The keys and their rules are described in ``docs/CONFIG.md``. Paths are relative to the
YAML file. Every problem is a :class:`~icpc.exceptions.ConfigError` whose message names
the file, the key, what was found (cut to a few dozen characters) and how to fix it; a
misspelled key gets the closest valid key as a suggestion. The file itself is read by
:func:`icpc.config_yaml.read_yaml` (size, aliases, ids that YAML would read as numbers);
the input blocks (transactions, customers, activity) are checked by
:func:`icpc.config_inputs.file_spec`.

Example
-------
>>> from icpc.config import load_config
>>> cfg = load_config("data_samples/demo/client.yaml")  # from the repository's folder
>>> cfg.period_months
12
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from icpc import columns as C
from icpc.config_goals import parse_guardrails, parse_objectives
from icpc.config_inputs import FORMATS as FORMATS  # the values of transactions.format
from icpc.config_inputs import file_spec
from icpc.config_types import (
    ActivitySpec,
    Branding,
    Config,
    Exclusions,
    FecOptions,
    FileSpec,
    Thresholds,
)
from icpc.config_values import (
    MAX_DAYS,
    MAX_MONTHS,
    SUPPORTED_SUFFIXES,
    date_value,
    fraction,
    ids,
    mapping,
    parse_date,
    positive_number,
    show,
    text,
    unknown_keys,
    where_name,
    whole_number,
)
from icpc.config_yaml import read_yaml
from icpc.exceptions import ConfigError
from icpc.periods import COMPARISONS

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
    "parse_date",
    "slugify",
    "TEXT_KEYS",
    "SUPPORTED_SUFFIXES",
]

LANGUAGES = ("fr", "en")
BASES = ("revenue", "margin")
#: where client.yaml holds ids, codes and headers, always text (``*``: any key); see config_yaml
TEXT_KEYS: tuple[tuple[str, ...], ...] = (
    ("exclude", "customers"),
    ("exclude", "where", "*"),
    ("transactions", "fec", "sales_accounts"),
    ("transactions", "fec", "customer_accounts"),
    ("transactions", "fec", "exclude_journals"),
    ("activity", "types", "*"),
    ("transactions", "columns", "*"),
    ("customers", "columns", "*"),
    ("activity", "columns", "*"),
)


# --------------------------------------------------------------------------------------
# key schema: what each block accepts (the input blocks: icpc.config_inputs)
# --------------------------------------------------------------------------------------
_TOP_KEYS = {
    "client", "slug", "as_of", "period_months", "language", "currency", "basis", "compare",
    "transactions", "customers", "activity", "exclude", "thresholds", "segments",
    "rfm_window_months", "branding", "objectives", "guardrails",
}  # fmt: skip
_THRESHOLD_KEYS = set(Thresholds.__dataclass_fields__)
_BRANDING_KEYS = set(Branding.__dataclass_fields__)
_EXCLUDE_KEYS = {"customers", "where"}


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


def config_from_dict(
    raw: Mapping[str, Any], *, base_dir: Path | str = ".", source: Path | None = None
) -> Config:
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
    raw = mapping(raw, "the config", source)
    unknown_keys(raw, _TOP_KEYS, "", source)
    if "client" not in raw:
        raise ConfigError(
            f'{where_name(source)}: "client" is missing; give the client\'s display name'
        )
    client = text(raw["client"], "client", source)
    slug_src = raw.get("slug") or client
    slug = slugify(text(slug_src, "slug", source))
    if not slug:
        raise ConfigError(
            f'{where_name(source)}: cannot make a folder name from {show(slug_src)}; set "slug" (letters, digits, -)'
        )
    if "transactions" not in raw:
        raise ConfigError(
            f'{where_name(source)}: "transactions" is missing; describe the invoice-lines export (path, columns)'
        )
    transactions = file_spec(raw["transactions"], "transactions", base, source)
    customers = (
        file_spec(raw["customers"], "customers", base, source) if raw.get("customers") else None
    )
    activity = None
    if raw.get("activity"):
        spec = file_spec(raw["activity"], "activity", base, source)
        assert isinstance(spec, ActivitySpec)
        activity = spec
    language = text(raw.get("language", "fr"), "language", source).lower()
    if language not in LANGUAGES:
        raise ConfigError(
            f'{where_name(source)}: "language" must be fr or en, found {show(language)}'
        )
    basis = text(raw.get("basis", "revenue"), "basis", source).lower()
    if basis not in BASES:
        raise ConfigError(
            f'{where_name(source)}: "basis" must be revenue or margin, found {show(basis)}'
        )
    if basis == "margin" and transactions.format == "fec":
        raise ConfigError(
            f'{where_name(source)}: "basis: margin" cannot be used with "transactions.format: fec": a FEC holds '
            'the sales amounts, not the margin; use "basis: revenue"'
        )
    if basis == "margin" and C.MARGIN not in transactions.columns:
        raise ConfigError(
            f'{where_name(source)}: "basis: margin" needs a margin column; '
            'add transactions.columns.margin (the header of the margin column) or use "basis: revenue"'
        )
    compare = text(raw.get("compare", "previous_period"), "compare", source).lower()
    if compare not in COMPARISONS:
        raise ConfigError(
            f'{where_name(source)}: "compare" must be previous_period (the months just before N) '
            f"or previous_year (the same months one year before), found {show(compare)}"
        )
    currency = text(raw.get("currency", "EUR"), "currency", source).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigError(
            f'{where_name(source)}: "currency" must be a 3-letter ISO code such as EUR, found {show(currency)}'
        )
    as_of = (
        date_value(raw["as_of"], "as_of", source)
        if raw.get("as_of") not in (None, "", "auto")
        else None
    )

    exclude = _exclusions(raw.get("exclude"), transactions, customers, source)

    th_raw = mapping(raw.get("thresholds"), "thresholds", source)
    unknown_keys(th_raw, _THRESHOLD_KEYS, "thresholds.", source)
    defaults = Thresholds()
    thresholds = Thresholds(
        lost_after_days=whole_number(
            th_raw.get("lost_after_days", defaults.lost_after_days),
            "thresholds.lost_after_days",
            source,
            maximum=MAX_DAYS,
        ),
        overdue_ratio=positive_number(
            th_raw.get("overdue_ratio", defaults.overdue_ratio), "thresholds.overdue_ratio", source
        ),
        min_purchases_for_rhythm=whole_number(
            th_raw.get("min_purchases_for_rhythm", defaults.min_purchases_for_rhythm),
            "thresholds.min_purchases_for_rhythm",
            source,
            minimum=2,
        ),
        trend_months=whole_number(
            th_raw.get("trend_months", defaults.trend_months),
            "thresholds.trend_months",
            source,
            maximum=MAX_MONTHS,
        ),
        trend_fall=fraction(
            th_raw.get("trend_fall", defaults.trend_fall), "thresholds.trend_fall", source
        ),
        new_within_days=whole_number(
            th_raw.get("new_within_days", defaults.new_within_days),
            "thresholds.new_within_days",
            source,
            maximum=MAX_DAYS,
        ),
        backtest_months=whole_number(
            th_raw.get("backtest_months", defaults.backtest_months),
            "thresholds.backtest_months",
            source,
            minimum=1,
            maximum=MAX_MONTHS,
        ),
    )

    segments = raw.get("segments")
    if segments is not None:
        if not isinstance(segments, list) or not all(isinstance(s, Mapping) for s in segments):
            raise ConfigError(
                f'{where_name(source)}: "segments" must be a list of rules (name, r, f, ...), found {type(segments).__name__}'
            )
        segments = tuple(dict(s) for s in segments)
        from icpc.analysis.score3d import segment_rules

        segment_rules(segments, source=source)  # checked now, not at the first analysis

    br_raw = mapping(raw.get("branding"), "branding", source)
    unknown_keys(br_raw, _BRANDING_KEYS, "branding.", source)
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
    months = whole_number(raw.get("period_months", 12), "period_months", source, maximum=MAX_MONTHS)
    if compare == "previous_year" and months > 12:
        raise ConfigError(
            f'{where_name(source)}: "compare: previous_year" needs "period_months" of 12 or less '
            f"(N−1 would overlap N), found {months}; use compare: previous_period"
        )
    return Config(
        client=client,
        slug=slug,
        transactions=transactions,
        as_of=as_of,
        period_months=months,
        language=language,
        currency=currency,
        basis=basis,
        compare=compare,
        customers=customers,
        activity=activity,
        exclude=exclude,
        thresholds=thresholds,
        segments=segments,
        rfm_window_months=whole_number(window, "rfm_window_months", source, maximum=MAX_MONTHS)
        if window is not None
        else None,
        branding=branding,
        objectives=parse_objectives(
            raw.get("objectives"),
            source,
            has_salesperson=C.SALESPERSON in transactions.columns
            or bool(customers and C.SALESPERSON in customers.columns),
        ),
        guardrails=parse_guardrails(raw.get("guardrails"), source),
        source=source,
    )


def _exclusions(
    raw: Any, transactions: FileSpec, customers: FileSpec | None, source: Path | None
) -> Exclusions:
    """The ``exclude`` block: customer ids, and values of mapped columns (all text)."""
    file_name = where_name(source)
    block = mapping(raw, "exclude", source)
    unknown_keys(block, _EXCLUDE_KEYS, "exclude.", source)
    customer_ids = block.get("customers")
    if customer_ids is not None and not isinstance(customer_ids, list):
        raise ConfigError(
            f'{file_name}: "exclude.customers" must be a list of customer ids, found {show(customer_ids)}; '
            'write it as ["C0042", "C0043"]'
        )
    where_raw = mapping(block.get("where"), "exclude.where", source)
    fec = transactions.format == "fec"
    mapped = set(customers.columns) if customers else set()
    mapped |= {C.CUSTOMER_ID} if fec else set(transactions.columns)
    where: dict[str, tuple[str, ...]] = {}
    for col, values in where_raw.items():
        name = str(col) if len(str(col)) <= 40 else show(str(col), 40)
        if col not in mapped:
            if fec:
                also = (
                    f", or map {name} in the customers block (customers.columns.{name})"
                    if col in C.CUSTOMER_COLUMNS
                    else ""
                )
                raise ConfigError(
                    f'{file_name}: "exclude.where.{name}" cannot be used with "transactions.format: fec": '
                    f"a FEC gives only the customer of each entry; use exclude.customers or "
                    f"exclude.where.customer_id{also}"
                )
            raise ConfigError(
                f'{file_name}: "exclude.where.{name}" names a column that is not mapped; '
                "mapped columns are: " + ", ".join(sorted(mapped))
            )
        what = "id" if col == C.CUSTOMER_ID else "value"
        where[str(col)] = ids(values, f"exclude.where.{name}", source, what=what)
    return Exclusions(
        customers=ids(customer_ids or [], "exclude.customers", source, what="id"), where=where
    )


def load_config(path: str | Path) -> Config:
    """Read and validate a client config file.

    Parameters
    ----------
    path : str or Path
        The ``client.yaml`` file (at most 1 MB).

    Returns
    -------
    Config
        Frozen; input paths resolved relative to the YAML file.

    Raises
    ------
    ConfigError
        File missing, too large or not YAML, a YAML trap of
        :func:`icpc.config_yaml.read_yaml`, or any problem of :func:`config_from_dict`.
    """
    p = Path(path)
    try:
        p = p.expanduser()
    except RuntimeError:  # "~someone" without a home directory: the path as written
        pass
    if p.is_dir():
        hint = (
            f"; give {p / 'client.yaml'}"
            if (p / "client.yaml").is_file()
            else "; give the path of the client's YAML file"
        )
        raise ConfigError(f"{p}: is a folder, not a config file{hint}")
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found; give the path of the client's YAML file")
    raw = read_yaml(p, text_keys=TEXT_KEYS)
    if raw is None:
        raise ConfigError(
            f"{p.name}: the config file is empty; start from data_samples/demo/client.yaml"
        )
    return config_from_dict(raw, base_dir=p.resolve().parent, source=p)
