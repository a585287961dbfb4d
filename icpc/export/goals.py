"""kpis.json's ``objectives`` and ``guardrails`` blocks (docs/outputs.md).

``objectives``: for each indicator given a target, ``actual`` is the kpis.json value
(``current`` for a period indicator), ``attainment`` = actual / target (None when the
target is 0), ``met`` = actual ≥ target (≤ for churn_rate, lost_customers, lost_revenue;
None when actual is None); per salesperson, the actual is his ``by_salesperson`` value.
``guardrails``: one object per enabled rule (:mod:`icpc.analysis.guardrails`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from icpc.config_goals import LOWER_IS_BETTER
from icpc.config_values import where_name
from icpc.exceptions import InputError
from icpc.export.values import number
from icpc.labels import label

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = ["objective_entry", "objectives_block", "guardrails_block"]


def _actual(block: Mapping[str, Any], key: str) -> float | None:
    value = block.get(key)
    if isinstance(value, Mapping):
        value = value.get("current")
    return None if value is None else float(value)


def objective_entry(key: str, target: float, actual: float | None) -> dict[str, Any]:
    """``{target, actual, attainment, met}`` of one indicator.

    Example
    -------
    >>> objective_entry("churn_rate", 0.08, 0.1)
    {'target': 0.08, 'actual': 0.1, 'attainment': 1.25, 'met': False}
    """
    lower = key in LOWER_IS_BETTER
    return {
        "target": target,
        "actual": actual,
        "attainment": None if actual is None or target == 0 else actual / target,
        "met": None if actual is None else (actual <= target if lower else actual >= target),
    }


def objectives_block(
    diag: Diagnostic, kpis: Mapping[str, Any], by_salesperson: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The ``objectives`` block; None when client.yaml sets none.

    Raises
    ------
    InputError
        A salesperson of ``objectives.by_salesperson`` who is not in the data (with the
        closest name and the salespeople found).
    """
    objectives = diag.config.objectives
    if not objectives:
        return None
    out: dict[str, Any] = {
        "company": {
            key: objective_entry(key, target, _actual(kpis, key))
            for key, target in objectives.company.items()
        }
    }
    if objectives.by_salesperson:
        people = {k: v for k, v in (by_salesperson or {}).items() if k != "(unassigned)"}
        per: dict[str, Any] = {}
        for name, targets in objectives.by_salesperson.items():
            if name not in people:
                raise _unknown_salesperson(diag, name, sorted(people))
            per[name] = {
                key: objective_entry(key, target, _actual(people[name], key))
                for key, target in targets.items()
            }
        out["by_salesperson"] = per
    return out


def _unknown_salesperson(diag: Diagnostic, name: str, known: list[str]) -> InputError:
    close = difflib.get_close_matches(name.casefold(), [k.casefold() for k in known], n=1)
    shown = ", ".join(known[:12]) + (" …" if len(known) > 12 else "") if known else "none"
    fix = (
        f'did you mean "{next(k for k in known if k.casefold() == close[0])}"?'
        if close
        else "write the name as in the data"
    )
    return InputError(
        f'{where_name(diag.config.source)}: objectives.by_salesperson "{name}" is not a salesperson '
        f"of the data (salespeople found: {shown}); {fix}"
    )


def guardrails_block(diag: Diagnostic) -> list[dict[str, Any]]:
    """The ``guardrails`` block: one object per enabled rule, labelled in the report's language."""
    lang = diag.config.language
    return [
        {
            "rule": g.rule,
            "label": label(f"guardrail.{g.rule}", lang),
            "value": number(g.value),
            "threshold": g.threshold,
            "breached": bool(g.breached),
        }
        for g in diag.guardrails
    ]
