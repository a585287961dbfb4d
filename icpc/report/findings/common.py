"""What the findings share: thresholds, reading kpis.json, formatting a figure in a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from icpc.report import format as fmt

NOTABLE_CHANGE = 0.05
#: share of revenue of the first customer from which the dependency is called a risk
TOP_CUSTOMER_RISK = 0.10
#: share of revenue of the top 20 % of customers from which concentration is called high
TOP20_RISK = 0.80
#: segments whose customers need an action to be kept, in order of priority
ACTION_SEGMENTS = ("Can't lose them", "At risk", "About to sleep", "Need attention")

#: the factors of the revenue decomposition (their words: ``finding.factor.<key>``)
FACTORS = ("customers", "frequency", "basket")


def _block(kpis: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = kpis.get("kpis", {}).get(key)
    return value if isinstance(value, Mapping) else {}


def _value(kpis: Mapping[str, Any], key: str) -> Any:
    return kpis.get("kpis", {}).get(key)


def _num(value: Any) -> float | None:
    """The value as a float, or None when missing."""
    return None if fmt.is_missing(value) else float(value)


def _ok(value: Any) -> bool:
    return not fmt.is_missing(value)


def _pct(value: float, language: str) -> str:
    """Absolute value of a change as a percentage: 0 decimals from 10 %, else 1."""
    v = abs(float(value))
    return fmt.percent(v, language=language, decimals=0 if v >= 0.095 else 1)


def _money(value: float, language: str, currency: str) -> str:
    """An amount in a sentence, rounded for reading (« 173,4 k€ », « 1,78 M€ »; exact below 1 000): the
    tables and the machine outputs carry the exact amounts."""
    return fmt.money_reading(value, language=language, currency=currency)
