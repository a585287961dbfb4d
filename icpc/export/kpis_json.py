"""``kpis.json``: every indicator of one diagnostic, machine-readable (docs/outputs.md).

:func:`kpis_json` builds the document from a :class:`~icpc.diagnostic.Diagnostic`: a
header, then one block per entry of :data:`BLOCKS`, in order; a block whose data is
absent (no salesperson mapped, no N−1…) is left out. Money totals are the exact sums
rounded once to the cent; ratios (basket, frequency, revenue per customer, rates,
shares) are never rounded; ``change_pct`` is a fraction, null when the previous value is
0 or unknown; parts of the bridge and of the decomposition are rounded so that they add
up to their total.

To add a block: write ``_block(diag) -> dict | None`` here and put it in :data:`BLOCKS`
at its place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc import kpi
from icpc.export.goals import guardrails_block, objectives_block
from icpc.export.values import jsonable, money, number, round_adding_up

if TYPE_CHECKING:
    from icpc.analysis.follow_up import FollowUp
    from icpc.diagnostic import Diagnostic

__all__ = ["kpis_json", "BLOCKS"]

#: Indicators counted in whole units (ints in kpis.json).
_COUNTS = frozenset({"sales_count", "active_customers"})
#: Indicators that are sums of money (rounded once to the cent); the other ones are ratios.
_SUMS = frozenset({"revenue", "margin"})


def kpis_json(diag: Diagnostic) -> dict[str, Any]:
    """The ``kpis.json`` document of ``diag``: JSON-ready (floats, ints, None; no NaN).

    Parameters
    ----------
    diag : Diagnostic
        The diagnostic (its analyses are computed on first use and cached there).

    Returns
    -------
    dict
        ``client``, ``slug``, ``as_of``, ``currency``, ``basis``, ``period``,
        ``previous_period``, then the blocks of :data:`BLOCKS` that have data.

    Notes
    -----
    Sequential: a caller that wants the slow analyses computed meanwhile says so with
    :meth:`~icpc.diagnostic.Diagnostic.background` (the runner and ``icpc kpis`` do).
    """
    out: dict[str, Any] = {
        "client": diag.config.client,
        "slug": diag.config.slug,
        "as_of": diag.as_of.isoformat(),
        "currency": diag.config.currency,
        "basis": diag.config.basis,
        "period": diag.period.as_json(),
        "previous_period": diag.previous_period.as_json(),
    }
    # the blocks that wait for the background analyses are built last, the others meanwhile
    late = {name: i + 1 for i, name in enumerate(LATE)}
    built = {name: BLOCKS[name](diag) for name in sorted(BLOCKS, key=lambda n: late.get(n, 0))}
    for name in BLOCKS:
        if built[name] is not None or name in ALWAYS:
            out[name] = built[name]
    return out


def _change(current: Any, previous: Any, conv: Callable[[Any], Any]) -> dict[str, Any]:
    """``{current, previous, change, change_pct}`` of one indicator."""
    cur, prev = number(current), number(previous)
    change = None if cur is None or prev is None else cur - prev
    pct = None if change is None or not prev else change / abs(prev)
    return {
        "current": conv(cur),
        "previous": conv(prev),
        "change": conv(change),
        "change_pct": number(pct),
    }


def _count(value: Any) -> int | None:
    return None if number(value) is None else int(value)


def _conv(name: str) -> Callable[[Any], Any]:
    return money if name in _SUMS else _count if name in _COUNTS else number


# --------------------------------------------------------------------------------------
# the blocks
# --------------------------------------------------------------------------------------
def _kpis(diag: Diagnostic) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, row in diag.kpis.iterrows():
        conv = _conv(str(name))
        out[str(name)] = {
            "current": conv(row["current"]),
            "previous": conv(row["previous"]),
            "change": conv(row["change"]),
            "change_pct": number(row["change_pct"]),
        }
    d = diag.dynamics
    out |= {
        "new_customers": d.new_customers,
        "retained_customers": d.retained_customers,
        "reactivated_customers": d.reactivated_customers,
        "lost_customers": d.lost_customers,
        "lost_revenue": money(d.lost_revenue),
        "churn_rate": number(d.churn_rate),
        "retention_rate": number(d.retention_rate),
    }
    return out


def _bridge(diag: Diagnostic) -> dict[str, float]:
    return round_adding_up(diag.bridge.as_dict(), diag.bridge.change)


def _bridge_retained(diag: Diagnostic) -> dict[str, float]:
    b = diag.bridge
    parts = {"frequency": b.retained_frequency, "basket": b.retained_basket}
    return round_adding_up(parts, b.retained_frequency + b.retained_basket)


def _decomposition(diag: Diagnostic) -> dict[str, float]:
    d = diag.decomposition
    return round_adding_up(d.as_dict(), d.change)


def _concentration(diag: Diagnostic) -> dict[str, Any]:
    c = diag.concentration.as_dict()
    return {
        k: money(v) if k.endswith("revenue") else (int(v) if k == "customers" else number(v))
        for k, v in c.items()
    }


def _segments(diag: Diagnostic) -> dict[str, dict[str, Any]]:
    prof = diag.segment_profiles
    return {
        str(name): {"customers": int(row["customers"]), "revenue": money(row["revenue"]) or 0.0}
        for name, row in prof.iterrows()
    }


def _early_warning(diag: Diagnostic) -> dict[str, Any]:
    ew = diag.early_warning
    flagged = ew["early_warning"].to_numpy(dtype=bool)
    out: dict[str, Any] = {
        "flagged": int(flagged.sum()),
        "value_at_stake": money(ew.loc[flagged, "value_at_stake"].sum()) or 0.0,
    }
    backtest = diag.backtest
    if backtest is not None:  # absent without history before the cut-off
        out["backtest"] = backtest.to_dict()
    # the ranking that combines the rules with P(alive), and the three judged at the
    # backtest's cut-off (icpc.analysis.warning_model); the backtest block stays the rules'
    ranking, tested = diag.warning_ranking
    out["ranking"] = {**ranking.to_dict(), "backtest": None if tested is None else tested.to_dict()}
    return out


def _monthly(diag: Diagnostic) -> dict[str, dict[str, Any]] | None:
    """Every calendar month from the first with data to as_of's month."""
    frame = diag.monthly
    if frame is None or not len(frame):
        return None
    return {
        pd.Timestamp(month).strftime("%Y-%m"): {
            "revenue": money(row["revenue"]),
            "sales_count": _count(row["sales_count"]),
            "active_customers": _count(row["active_customers"]),
            "average_basket": number(row["average_basket"]),
            "revenue_12m": money(row["revenue_12m"]),
        }
        for month, row in frame.iterrows()
    }


def _quarter(start: pd.Period, offset: int = 0) -> str:
    q = start + offset
    return f"{q.year}-Q{q.quarter}"


def _cohorts(diag: Diagnostic) -> dict[str, dict[str, Any]] | None:
    """Customers by quarter of first sale; ``active[q]``: those active in quarter q."""
    c = diag.cohorts
    if c.sizes is None or not len(c.sizes):
        return None
    out: dict[str, dict[str, Any]] = {}
    for label, size in c.sizes.items():
        start = pd.Period(str(label), freq="Q")
        row = c.counts.loc[label] if label in c.counts.index else pd.Series(dtype=float)
        active = {_quarter(start, int(k)): int(v) for k, v in row.items() if pd.notna(v)}
        out[str(label)] = {"size": int(size), "active": active}
    return out


def _by_group(
    frame: pd.DataFrame | None, table: pd.DataFrame, column: str
) -> dict[str, dict[str, Any]] | None:
    if frame is None or not len(frame):
        return None
    customers = (
        table[column].astype("object").where(table[column].notna(), kpi.UNASSIGNED).value_counts()
    )
    out: dict[str, dict[str, Any]] = {}
    for name, row in frame.iterrows():
        block: dict[str, Any] = {
            key: _change(row[key], row.get(f"{key}_previous"), _conv(key))
            for key in ("revenue", "active_customers", "sales_count", "average_basket")
        }
        if "margin" in row.index:
            block["margin"] = _change(row["margin"], row.get("margin_previous"), money)
        block |= {
            "new_customers": _count(row.get("new_customers")),
            "lost_customers": _count(row.get("lost_customers")),
            "lost_revenue": money(row.get("lost_revenue")),
            "customers": int(customers.get(name, 0)),
            "share": number(row.get("share")),
            "rank": _count(row.get("rank")),
        }
        out[str(name)] = block
    return out


def _by_salesperson(diag: Diagnostic) -> dict[str, dict[str, Any]] | None:
    from icpc import columns as C

    return _by_group(diag.by_salesperson, diag.table, C.SALESPERSON)


def _by_region(diag: Diagnostic) -> dict[str, dict[str, Any]] | None:
    from icpc import columns as C

    return _by_group(diag.by_region, diag.table, C.REGION)


def _lost_by_quarter(diag: Diagnostic) -> dict[str, dict[str, Any]] | None:
    """The lost customers (KPI definition) by quarter of their last sale, with their revenue N−1."""
    lost = diag.dynamics.lost
    if not diag.has_previous or lost is None or not len(lost):
        return None
    quarters = pd.PeriodIndex(pd.to_datetime(lost["last_sale"]), freq="Q")
    out: dict[str, dict[str, Any]] = {}
    for q in sorted(set(quarters)):
        inside = np.asarray(quarters == q)
        out[_quarter(q)] = {
            "customers": int(inside.sum()),
            "revenue_previous": money(lost["revenue_previous"].to_numpy()[inside].sum()),
        }
    return out


def _migration(diag: Diagnostic) -> dict[str, Any] | None:
    """Customers by segment at ``as_of − m months`` (rows) and at ``as_of`` (columns)."""
    moves = diag.migration
    if moves is None or not len(moves):
        return None
    matrix: dict[str, dict[str, int]] = {}
    for row in moves.itertuples(index=False):
        matrix.setdefault(str(row.from_segment), {})[str(row.to_segment)] = int(row.customers)
    start = diag.period.start - dt.timedelta(days=1)
    return {"from": start.isoformat(), "to": diag.as_of.isoformat(), "matrix": matrix}


def _follow_up(diag: Diagnostic) -> dict[str, Any] | None:
    """Since the last diagnostic (null without one)."""
    fu: FollowUp | None = diag.follow_up
    return None if fu is None else fu.as_dict()


def _data_quality(diag: Diagnostic) -> dict[str, Any] | None:
    return jsonable(diag.dataset.data_quality())


#: the blocks that read what the runner and ``icpc kpis`` compute in the background (the
#: early warning and its ranking) or the anomalies: built after the others, in this order,
#: so that the main thread computes the others and the anomalies while the worker computes
#: the ranking, instead of waiting for it (8M lines: 5 s of the main thread's work hidden)
LATE = ("guardrails", "follow_up", "early_warning")
#: blocks written even when empty (null): a reader tells "no earlier diagnostic" from an old file
ALWAYS = frozenset({"follow_up"})
#: the blocks after the header, in the contract's order: name -> builder (None = left out)
BLOCKS: dict[str, Callable[[Diagnostic], Any]] = {
    "kpis": _kpis,
    "bridge": _bridge,
    "bridge_retained": _bridge_retained,
    "decomposition": _decomposition,
    "concentration": _concentration,
    "segments": _segments,
    "early_warning": _early_warning,
    "monthly": _monthly,
    "cohorts": _cohorts,
    "by_salesperson": _by_salesperson,
    "by_region": _by_region,
    "lost_by_quarter": _lost_by_quarter,
    "migration": _migration,
    "objectives": lambda diag: objectives_block(diag, _kpis(diag), _by_salesperson(diag)),
    "guardrails": guardrails_block,
    "follow_up": _follow_up,
    "data_quality": _data_quality,
}
