"""The ``objectives`` and ``guardrails`` blocks of client.yaml: targets and guardrails set upfront.

``objectives`` gives targets company-wide (any indicator of kpis.json's ``kpis`` block) and
per salesperson (the indicators of its ``by_salesperson`` block)::

    objectives:
      revenue: 2500000
      churn_rate: 0.08            # a rate is a fraction: 0.08 for 8 %
      by_salesperson: {"Martin": {revenue: 600000, new_customers: 10}}

``guardrails`` overrides the default guardrail rules (:data:`GUARDRAIL_DEFAULTS`): a rule's
``threshold`` (and ``min_customers`` where it has one), or ``false`` to turn it off::

    guardrails:
      customers_up_basket_down: {threshold: -0.10}
      top3_dependence: false

Everything is checked when the config is read; salesperson names are checked against the
data when the diagnostic is computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from icpc.config_values import mapping, show, text, unknown_keys, where_name
from icpc.exceptions import ConfigError

__all__ = [
    "COMPANY_OBJECTIVES",
    "SALESPERSON_OBJECTIVES",
    "LOWER_IS_BETTER",
    "RATES",
    "Objectives",
    "GuardrailRule",
    "GUARDRAIL_DEFAULTS",
    "parse_objectives",
    "parse_guardrails",
]

#: indicators a company-wide objective may target (kpis.json's ``kpis`` keys)
COMPANY_OBJECTIVES = (
    "revenue", "margin", "margin_rate", "sales_count", "active_customers", "average_basket",
    "purchase_frequency", "revenue_per_customer", "new_customers", "retained_customers",
    "reactivated_customers", "lost_customers", "lost_revenue", "churn_rate", "retention_rate",
)  # fmt: skip
#: indicators a salesperson's objective may target (kpis.json's ``by_salesperson`` keys)
SALESPERSON_OBJECTIVES = (
    "revenue", "margin", "sales_count", "active_customers", "average_basket",
    "new_customers", "lost_customers", "lost_revenue",
)  # fmt: skip
#: met when the actual value is at most the target
LOWER_IS_BETTER = frozenset({"churn_rate", "lost_customers", "lost_revenue"})
#: fractions: a target above 1 is a percentage written as such (8 for 8 %)
RATES = frozenset({"churn_rate", "retention_rate", "margin_rate"})


@dataclass(frozen=True)
class Objectives:
    """Targets set upfront: indicator → target, company-wide and per salesperson."""

    company: Mapping[str, float] = field(default_factory=dict)
    by_salesperson: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.company or self.by_salesperson)


@dataclass(frozen=True)
class GuardrailRule:
    """One guardrail (pare-feu): a rule key, its threshold, whether it is on."""

    rule: str
    threshold: float
    #: the fewest customers the rule needs to speak (0: none)
    min_customers: int = 0
    enabled: bool = True


#: the default guardrails (docs/definitions.md, "Objectives, guardrails, follow-up")
GUARDRAIL_DEFAULTS: tuple[GuardrailRule, ...] = (
    # more active customers while the average basket fell by at least 5 %
    GuardrailRule("customers_up_basket_down", threshold=-0.05),
    # a salesperson's new customers of N at shared addresses or SIRET: a share of at least 25 %
    GuardrailRule("shared_address_creations", threshold=0.25, min_customers=3),
    # retention under its objective (or under 70 % without one)
    GuardrailRule("retention_below_objective", threshold=0.70),
    # the three largest customers make at least 30 % of revenue N (10 active customers at least)
    GuardrailRule("top3_dependence", threshold=0.30, min_customers=10),
)
_RULES = {r.rule: r for r in GUARDRAIL_DEFAULTS}


def _target(value: Any, key: str, indicator: str, source: Path | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(
            f'{where_name(source)}: "{key}" must be a number (the target), found {show(value)}'
        )
    if value < 0:
        raise ConfigError(f'{where_name(source)}: "{key}" must be 0 or more, found {show(value)}')
    if indicator in RATES and value > 1:
        raise ConfigError(
            f'{where_name(source)}: "{key}" is a rate, written as a fraction, found {show(value)}; '
            f"write {value / 100:g} for {value:g} %"
        )
    return float(value)


def _targets(
    raw: Mapping[str, Any], allowed: tuple[str, ...], prefix: str, source: Path | None
) -> Mapping[str, float]:
    unknown_keys(raw, set(allowed), prefix, source)
    return {str(k): _target(v, f"{prefix}{k}", str(k), source) for k, v in raw.items()}


def parse_objectives(raw: Any, source: Path | None, *, has_salesperson: bool) -> Objectives:
    """The ``objectives`` block (absent: no objectives).

    Raises
    ------
    ConfigError
        An unknown indicator (with the closest valid one), a target that is not a number
        of 0 or more, a rate written as a percentage, per-salesperson targets without a
        salesperson column.
    """
    block = dict(mapping(raw, "objectives", source))
    per = mapping(block.pop("by_salesperson", None), "objectives.by_salesperson", source)
    if per and not has_salesperson:
        raise ConfigError(
            f'{where_name(source)}: "objectives.by_salesperson" needs a salesperson column; '
            "map it in transactions.columns.salesperson (or remove the per-salesperson targets)"
        )
    company = _targets(block, COMPANY_OBJECTIVES, "objectives.", source)
    by_sp: dict[str, Mapping[str, float]] = {}
    for name, targets in per.items():
        who = text(name, "objectives.by_salesperson", source)
        key = f"objectives.by_salesperson.{who}"
        by_sp[who] = _targets(
            mapping(targets, key, source), SALESPERSON_OBJECTIVES, key + ".", source
        )
    return Objectives(company=company, by_salesperson=dict(by_sp))


def parse_guardrails(raw: Any, source: Path | None) -> tuple[GuardrailRule, ...]:
    """The default guardrails with the overrides of the ``guardrails`` block.

    Raises
    ------
    ConfigError
        An unknown rule (with the closest one), an override that is neither ``false``
        nor a mapping of ``threshold`` / ``min_customers``, a non-finite threshold.
    """
    block = mapping(raw, "guardrails", source)
    unknown_keys(block, set(_RULES), "guardrails.", source)
    rules = dict(_RULES)
    for name, value in block.items():
        key = f"guardrails.{name}"
        rule = rules[name]
        if value is False:
            rules[name] = replace(rule, enabled=False)
            continue
        if value is True or value is None:
            continue
        over = mapping(value, key, source)
        unknown_keys(over, {"threshold", "min_customers", "enabled"}, key + ".", source)
        threshold = over.get("threshold", rule.threshold)
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or not math.isfinite(threshold)
        ):
            raise ConfigError(
                f'{where_name(source)}: "{key}.threshold" must be a number, found {show(threshold)}'
            )
        minimum = over.get("min_customers", rule.min_customers)
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
            raise ConfigError(
                f'{where_name(source)}: "{key}.min_customers" must be a whole number of 0 or more, found {show(minimum)}'
            )
        enabled = over.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(
                f'{where_name(source)}: "{key}.enabled" must be true or false, found {show(enabled)}'
            )
        rules[name] = replace(
            rule, threshold=float(threshold), min_customers=minimum, enabled=enabled
        )
    return tuple(rules[r.rule] for r in GUARDRAIL_DEFAULTS)
