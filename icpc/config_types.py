"""The frozen shape of a client config: :class:`Config` and the blocks it holds.

Built and checked by :func:`icpc.config.load_config` (``docs/CONFIG.md``); every other
module reads these, never the YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from icpc.config_goals import GUARDRAIL_DEFAULTS, GuardrailRule, Objectives
from icpc.config_values import date_value

__all__ = [
    "Config",
    "FileSpec",
    "FecOptions",
    "ActivitySpec",
    "Exclusions",
    "Thresholds",
    "Branding",
]


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
    #: the early warning's backtest: applied this many months before as_of, judged on them
    backtest_months: int = 6


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
    #: what N−1 is: previous_period (the m months just before N) or previous_year
    compare: str = "previous_period"
    customers: FileSpec | None = None
    activity: ActivitySpec | None = None
    exclude: Exclusions = field(default_factory=Exclusions)
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: optional override of the Score3D segment rules (see :mod:`icpc.analysis.score3d`)
    segments: tuple[Mapping[str, Any], ...] | None = None
    #: optional window (months) of history used for Score3D; None = all history
    rfm_window_months: int | None = None
    branding: Branding = field(default_factory=Branding)
    #: targets set upfront (objectifs), company-wide and per salesperson
    objectives: Objectives = field(default_factory=Objectives)
    #: the guardrail rules (pare-feux): the defaults with the config's overrides
    guardrails: tuple[GuardrailRule, ...] = GUARDRAIL_DEFAULTS
    #: the YAML file this config was read from (None when built from a dict)
    source: Path | None = None

    def with_as_of(self, as_of: dt.date | str | None) -> Config:
        """Return a copy with another analysis date (``None`` keeps the current one)."""
        if as_of is None:
            return self
        return replace(self, as_of=date_value(as_of, "as_of", self.source))

    @property
    def input_files(self) -> tuple[Path, ...]:
        """Every input file of this config (for hashes and up-to-date checks)."""
        specs = [self.transactions, self.customers, self.activity]
        return tuple(s.path for s in specs if s is not None)
