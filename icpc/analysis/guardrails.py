"""Guardrails (pare-feux): rules set upfront that say when a figure crosses a line.

Rules are data (:data:`icpc.config_goals.GUARDRAIL_DEFAULTS`, overridden by
``guardrails:`` in client.yaml); each is evaluated to a value, its threshold and whether
it is breached (docs/definitions.md, "Objectives, guardrails, follow-up"):

==============================  ==========================================================
rule                            value, and breached when
==============================  ==========================================================
``customers_up_basket_down``    the average basket's change N−1 → N; breached when active
                                customers rose while the basket fell to the threshold or
                                below (default −5 %)
``shared_address_creations``    the largest share, among salespeople, of their new
                                customers of N that sit in an address / SIRET cluster;
                                breached at the threshold or above (default 25 %) for a
                                salesperson with at least ``min_customers`` such customers
``retention_below_objective``   the retention rate; breached under the objective
                                (``objectives.retention_rate``), or under the threshold
                                without one (default 70 %)
``top3_dependence``             the share of the three largest customers in the revenue N
                                of the active customers; breached at the threshold or above
                                (default 30 %), with at least ``min_customers`` active
                                customers (default 10)
==============================  ==========================================================

A rule whose figure cannot be computed (no N−1, no customer master…) has value None and is
not breached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.positions import positions
from icpc.config_goals import GuardrailRule, Objectives

__all__ = ["Guardrail", "evaluate_guardrails"]


@dataclass(frozen=True)
class Guardrail:
    """One guardrail evaluated: its figure, its threshold, whether it is breached."""

    rule: str
    value: float | None
    threshold: float
    breached: bool
    #: what the report's sentence needs (the salesperson, the counts…)
    detail: dict[str, Any] = field(default_factory=dict)


def _pct(kpis: pd.DataFrame, name: str) -> float | None:
    if name not in kpis.index:
        return None
    value = kpis.loc[name, "change_pct"]
    return None if pd.isna(value) else float(value)


def _basket(rule: GuardrailRule, kpis: pd.DataFrame) -> Guardrail:
    customers, basket = _pct(kpis, "active_customers"), _pct(kpis, "average_basket")
    breached = (
        customers is not None and basket is not None and customers > 0 and basket <= rule.threshold
    )
    return Guardrail(rule.rule, basket, rule.threshold, breached, {"customers_pct": customers})


def _creations(
    rule: GuardrailRule, table: pd.DataFrame, clusters: pd.DataFrame | None
) -> Guardrail:
    if (
        clusters is None
        or C.SALESPERSON not in table.columns
        or "duplicate_group" not in clusters.columns
    ):
        return Guardrail(rule.rule, None, rule.threshold, False)
    new = table.loc[(table["bridge_class"] == "new").to_numpy()]
    grouped = clusters.index[clusters["duplicate_group"].notna().to_numpy()].astype(str)
    ids = new.index.astype(str)
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "salesperson": new[C.SALESPERSON].astype(object).to_numpy(),
            "clustered": positions(ids, grouped) >= 0,
        }
    ).dropna(subset=["salesperson"])
    if frame.empty:
        return Guardrail(rule.rule, None, rule.threshold, False)
    per = frame.groupby("salesperson", sort=True)["clustered"].agg(["sum", "size"])
    per["share"] = per["sum"] / per["size"]
    per = per.sort_values(["share", "sum"], ascending=False, kind="stable")
    top = per.index[0]
    count, size, share = (
        int(per.iloc[0]["sum"]),
        int(per.iloc[0]["size"]),
        float(per.iloc[0]["share"]),
    )
    breached = share >= rule.threshold and count >= rule.min_customers
    mine = frame.loc[(frame["salesperson"] == top).to_numpy() & frame["clustered"].to_numpy()]
    detail = {
        "salesperson": str(top),
        "customers": count,
        "new_customers": size,
        "ids": tuple(sorted(mine["customer_id"])),
    }
    return Guardrail(rule.rule, share, rule.threshold, breached, detail)


def _retention(rule: GuardrailRule, retention: float | None, objectives: Objectives) -> Guardrail:
    target = objectives.company.get("retention_rate")
    threshold = float(target) if target is not None else rule.threshold
    value = None if retention is None or np.isnan(retention) else float(retention)
    breached = value is not None and value < threshold
    return Guardrail(rule.rule, value, threshold, breached, {"objective": target is not None})


def _top3(rule: GuardrailRule, table: pd.DataFrame) -> Guardrail:
    revenue = table["revenue"].to_numpy(dtype=float)
    active = np.sort(revenue[np.round(revenue, 2) > 0])[::-1]
    if not len(active):
        return Guardrail(rule.rule, None, rule.threshold, False)
    share = float(active[:3].sum() / active.sum())
    breached = share >= rule.threshold and len(active) >= rule.min_customers
    return Guardrail(rule.rule, share, rule.threshold, breached, {"customers": int(len(active))})


def evaluate_guardrails(
    rules: tuple[GuardrailRule, ...],
    *,
    kpis: pd.DataFrame,
    table: pd.DataFrame,
    retention_rate: float | None,
    clusters: pd.DataFrame | None,
    objectives: Objectives,
) -> tuple[Guardrail, ...]:
    """Evaluate the enabled guardrails, in the rules' order.

    Parameters
    ----------
    rules : tuple of GuardrailRule
        ``config.guardrails``.
    kpis : DataFrame
        :func:`icpc.analysis.indicators.period_indicators` (``change_pct`` per indicator).
    table : DataFrame
        :func:`icpc.kpi.customer_periods` (``revenue``, ``bridge_class``, ``salesperson``).
    retention_rate : float or None
        The retention rate (:class:`icpc.analysis.dynamics.Dynamics`).
    clusters : DataFrame or None
        The anomalies' customers (``duplicate_group`` by customer id); None without a
        customer master.
    objectives : Objectives
        The retention objective, when set, is the retention rule's threshold.
    """
    out = []
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.rule == "customers_up_basket_down":
            out.append(_basket(rule, kpis))
        elif rule.rule == "shared_address_creations":
            out.append(_creations(rule, table, clusters))
        elif rule.rule == "retention_below_objective":
            out.append(_retention(rule, retention_rate, objectives))
        elif rule.rule == "top3_dependence":
            out.append(_top3(rule, table))
    return tuple(out)
