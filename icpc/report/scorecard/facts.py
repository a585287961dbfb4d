"""The figures of one salesperson's scorecard (fiche commercial), read from the diagnostic.

Nothing here is computed afresh in a way that could disagree with the other outputs:
his indicators and his bridge are his row of :attr:`Diagnostic.by_salesperson` (the
``by_salesperson`` block of kpis.json), his activity his rows of
:attr:`Diagnostic.activity`, his slipping customers the early warning's rows that name
him, his lost customers those of :attr:`Diagnostic.dynamics`, his segments the Score3D
segments of the customers attributed to him, his creations to check the plan's rule
(:func:`icpc.analysis.actions.creations_to_check`'s) applied to him. The team median is
the median over the assigned salespeople (not the customers without one).

His creations to check are to be checked with the sales director before anything else:
they are left out of the customers he is asked to call (``to_call``) and of the lost
customers he is asked to win back, and counted apart (``slipping_to_check``).

Example
-------
>>> facts = scorecard_facts(diag, "Hélène Fournier")  # doctest: +SKIP
>>> facts.rank, facts.team_size  # doctest: +SKIP
(1, 6)
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.actions import find_action
from icpc.kpi import UNASSIGNED, Period
from icpc.money import cents

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = [
    "INDICATORS",
    "BRIDGE_STEPS",
    "Indicator",
    "Funnel",
    "MonthPoint",
    "SegmentCount",
    "Customer",
    "ScorecardFacts",
    "salespeople",
    "scorecard_facts",
]

#: the indicators of the scorecard, in order: (key, kind, higher is better)
INDICATORS: tuple[tuple[str, str, bool], ...] = (
    ("revenue", "money", True),
    ("active_customers", "count", True),
    ("new_customers", "count", True),
    ("lost_customers", "count", False),
    ("average_basket", "money", True),
    ("purchase_frequency", "decimal", True),
    ("retention_rate", "percent", True),
)
#: the classes of the revenue bridge N−1 → N, in order (columns ``bridge_<class>``)
BRIDGE_STEPS = ("new", "reactivated", "retained", "lost", "other")
#: at most this many of his slipping customers are named on the page
TOP_SLIPPING = 3


@dataclass(frozen=True)
class Indicator:
    """One indicator of the salesperson: N, N−1 (None when it has none), the team median."""

    key: str
    kind: str  # money, count, decimal, percent
    higher_is_better: bool
    current: float | None
    previous: float | None
    change_pct: float | None
    median: float | None

    @property
    def gap(self) -> float | None:
        """His value minus the team median (None when either is missing), unrounded: the
        page's « Vous − médiane » is the difference of the figures as shown
        (:func:`icpc.report.scorecard.view.shown_gap`), and so is its shading."""
        if self.current is None or self.median is None:
            return None
        return self.current - self.median

    @property
    def below_par(self) -> bool:
        """Worse than the team median (lower, or higher for what should be low)."""
        gap = self.gap
        if gap is None or abs(gap) < 1e-9:
            return False
        return gap < 0 if self.higher_is_better else gap > 0


@dataclass(frozen=True)
class Funnel:
    """His activity in N (and N−1): contacts → calls → completed calls → sales."""

    contacts_received: int
    calls: int
    calls_completed: int
    sales: int
    completion_rate: float | None
    conversion_rate: float | None
    previous: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthPoint:
    """His revenue in one month of N and in the same month of N−1."""

    month: dt.date
    revenue: float
    revenue_previous: float | None


@dataclass(frozen=True)
class SegmentCount:
    """His scored customers in one Score3D segment."""

    segment: str
    customers: int


@dataclass(frozen=True)
class Customer:
    """A customer named on the page (his largest slipping customers)."""

    customer_id: str
    name: str
    amount: float


@dataclass(frozen=True)
class ScorecardFacts:
    """Everything one salesperson's scorecard shows (plain data).

    Attributes
    ----------
    salesperson : str
        His name as in the data.
    rank, team_size : int
        His rank by revenue N (1 = largest) among the ``team_size`` assigned salespeople.
    period, previous_period : icpc.kpi.Period
        N and N−1; ``has_previous`` False when the data do not reach N−1.
    indicators : tuple of Indicator
        :data:`INDICATORS`, in order.
    sales_count : int
        His sales in N.
    revenue, revenue_previous, lost_revenue : float
        His revenue N and N−1 (None without N−1) and the revenue N−1 of his lost customers.
    bridge : dict or None
        His revenue bridge N−1 → N by class (:data:`BRIDGE_STEPS`), None without N−1.
    months : tuple of MonthPoint
        His revenue month by month over N, beside the same months of N−1.
    funnel : Funnel or None
        None without an activity log.
    customers : int
        Customers attributed to him (with a row up to ``as_of``).
    segments : tuple of SegmentCount
        His scored customers by segment, in the rules' order (empty segments left out).
    slipping_count, slipping_value : int, float
        His customers flagged by the early warning, and their value at stake.
    slipping_to_check : int
        How many of them are creations to check (``creations``).
    to_call, to_call_value : int, float
        The others (slipping, not to check): the customers he is asked to call, and their
        value at stake; ``to_call + slipping_to_check == slipping_count``.
    slipping_top : tuple of Customer
        The largest of those to call.
    lost_to_win_back, lost_to_win_back_revenue : int, float
        His lost customers neither slipping (on the call list) nor to check, and their
        revenue N−1.
    lost_left_out : int
        His lost customers left out of ``lost_to_win_back`` (slipping or to check).
    creations, creations_revenue, creations_basket, others_basket
        His creations at shared addresses to check (his burst, when the anomalies flag
        him): how many, their revenue N, their basket against the other customers'.
    top_customers, top_revenue : int, float
        His largest customers (at most five) and their revenue N.
    """

    salesperson: str
    rank: int | None
    team_size: int
    period: Period
    previous_period: Period
    as_of: dt.date
    has_previous: bool
    indicators: tuple[Indicator, ...]
    sales_count: int
    bridge: dict[str, float] | None
    revenue: float
    revenue_previous: float | None
    lost_revenue: float
    months: tuple[MonthPoint, ...]
    funnel: Funnel | None
    customers: int
    segments: tuple[SegmentCount, ...]
    slipping_count: int
    slipping_value: float
    slipping_to_check: int
    to_call: int
    to_call_value: float
    slipping_top: tuple[Customer, ...]
    lost_to_win_back: int
    lost_to_win_back_revenue: float
    lost_left_out: int
    creations: int
    #: his creations to check that are new customers of N (said beside his new customers' objective)
    creations_new: int
    creations_revenue: float
    creations_basket: float | None
    others_basket: float | None
    top_customers: int
    top_revenue: float
    #: his objectives set upfront (kpis.json's ``objectives.by_salesperson``): indicator →
    #: ``{target, actual, attainment, met}``; empty without targets for him
    objectives: dict[str, dict[str, Any]] = field(default_factory=dict)

    def indicator(self, key: str) -> Indicator:
        """The indicator ``key`` of :data:`INDICATORS`."""
        return next(i for i in self.indicators if i.key == key)


def _value(x: Any) -> float | None:
    """A figure as a float, None when missing."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _assigned(diag: Diagnostic) -> pd.DataFrame:
    frame = diag.by_salesperson
    if frame is None:
        return pd.DataFrame()
    return frame.loc[frame.index.astype(str) != UNASSIGNED]


def salespeople(diag: Diagnostic) -> list[str]:
    """The salespeople who get a scorecard: the assigned ones of ``by_salesperson``, by rank.

    Empty when no salesperson column is mapped; the customers without a salesperson
    (``(unassigned)``) get none.
    """
    frame = _assigned(diag)
    if frame.empty:
        return []
    order = frame.assign(_name=frame.index.astype(str)).sort_values(["rank", "_name"])
    return [str(name) for name in order.index]


def _retention(frame: pd.DataFrame) -> pd.Series:
    """Retained / active in N−1, per salesperson (the KPI's definition, on his customers)."""
    prev = frame["active_customers_previous"].astype(float)
    return frame["retained_customers"].astype(float) / prev.where(prev > 0)


def _median(values: pd.Series) -> float | None:
    return _value(values.astype(float).median()) if values.notna().any() else None


def _indicators(frame: pd.DataFrame, name: str, has_previous: bool) -> tuple[Indicator, ...]:
    row = frame.loc[name]
    retention = _retention(frame)
    out = []
    for key, kind, higher in INDICATORS:
        if key == "retention_rate":
            column = retention
            current, previous, change = _value(retention.loc[name]), None, None
        elif key in ("new_customers", "lost_customers"):  # N−1 → N already
            column = frame[key]
            current, previous, change = _value(row[key]), None, None
        else:
            column = frame[key]
            current = _value(row[key])
            previous = _value(row[f"{key}_previous"]) if has_previous else None
            change = _value(row[f"{key}_change_pct"]) if has_previous else None
        if not has_previous and key in ("lost_customers", "retention_rate"):
            current, median = None, None  # no N−1: nobody can be lost or retained
        else:
            median = _median(column)
        out.append(Indicator(key, kind, higher, current, previous, change, median))
    return tuple(out)


def _his_codes(diag: Diagnostic, name: str) -> np.ndarray:
    table = diag.table
    mine = (table[C.SALESPERSON].astype(str) == name).to_numpy() & table[
        C.SALESPERSON
    ].notna().to_numpy()
    return np.asarray(table.index.codes)[mine]


def _months(diag: Diagnostic, name: str) -> tuple[MonthPoint, ...]:
    """His revenue per calendar month of N, beside the months of N−1 at the same place."""
    cm = diag.customer_months
    codes = _his_codes(diag, name)
    keep = np.isin(cm.customer, codes)
    month, revenue = cm.month[keep], cm.revenue[keep]

    def number(d: dt.date) -> int:
        return d.year * 12 + d.month - 1

    start, end = number(diag.period.start), number(diag.period.end)
    p_end = number(diag.previous_period.end)
    sums = pd.Series(revenue).groupby(month).sum() if len(month) else pd.Series(dtype=float)
    out = []
    for i, m in enumerate(range(start, end + 1)):
        pm = p_end - (end - start) + i
        prev = float(sums.get(pm, 0.0)) if diag.has_previous else None
        out.append(MonthPoint(dt.date(m // 12, m % 12 + 1, 1), float(sums.get(m, 0.0)), prev))
    return tuple(out)


def _funnel(diag: Diagnostic, name: str) -> Funnel | None:
    activity = diag.activity
    if activity is None or not len(activity):
        return None
    people = activity.index.get_level_values(0).astype(str)
    if name not in set(people):
        return Funnel(0, 0, 0, 0, None, None)
    cur = activity.loc[(name, "current")]
    prev = activity.loc[(name, "previous")]

    def count(x: Any) -> int:
        v = _value(x)
        return int(v) if v is not None else 0

    stages = ("contacts_received", "calls", "calls_completed", "sales_count")
    return Funnel(
        count(cur["contacts_received"]),
        count(cur["calls"]),
        count(cur["calls_completed"]),
        count(cur["sales_count"]),
        _value(cur["completion_rate"]),
        _value(cur["conversion_rate"]),
        {s: count(prev[s]) for s in stages},
    )


def _segments(diag: Diagnostic, name: str) -> tuple[SegmentCount, ...]:
    scores = diag.scores
    attribution = diag.attribution
    if C.SALESPERSON not in attribution.columns or scores.empty:
        return ()
    who = attribution[C.SALESPERSON].reindex(scores.index.astype(str))
    mine = scores["segment"].loc[(who.astype(str) == name).to_numpy() & who.notna().to_numpy()]
    counts = mine.value_counts(sort=False)
    order = [rule.name for rule in diag.segment_rules]
    order += [str(s) for s in counts.index if str(s) not in order]
    by_name = {str(k): int(v) for k, v in counts.items()}
    return tuple(SegmentCount(s, by_name[s]) for s in order if by_name.get(s, 0) > 0)


def _customer_name(diag: Diagnostic, customer_id: str) -> str:
    master = diag.customer_master
    if master is not None and C.NAME in master.columns and customer_id in master.index:
        value = master.at[customer_id, C.NAME]
        if isinstance(value, str) and value.strip():
            return value.strip()
    return customer_id


def _slipping(
    diag: Diagnostic, name: str, to_check: frozenset[str]
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[Customer, ...]]:
    """His slipping customers, the largest first; those of them to call (not to check);
    the largest of those to call, named."""
    ew = diag.early_warning
    if C.SALESPERSON not in ew.columns:
        return ew.iloc[:0], ew.iloc[:0], ()
    mine = ew.loc[
        ew["early_warning"].to_numpy(dtype=bool)
        & (ew[C.SALESPERSON].astype(str) == name).to_numpy()
        & ew[C.SALESPERSON].notna().to_numpy()
    ].sort_values("value_at_stake", ascending=False, kind="stable")
    to_call = mine.loc[~mine.index.astype(str).isin(to_check)]
    top = tuple(
        Customer(str(i), _customer_name(diag, str(i)), float(v))
        for i, v in to_call["value_at_stake"].head(TOP_SLIPPING).items()
    )
    return mine, to_call, top


def _lost_to_win_back(diag: Diagnostic, name: str, left_out: set[str]) -> tuple[int, float, int]:
    """His lost customers not in ``left_out`` (on the call list, to check), their revenue
    N−1, and how many of his lost customers were left out."""
    lost = diag.dynamics.lost
    if lost is None or lost.empty or C.SALESPERSON not in lost.columns:
        return 0, 0.0, 0
    his = lost.loc[
        (lost[C.SALESPERSON].astype(str) == name).to_numpy()
        & lost[C.SALESPERSON].notna().to_numpy()
    ]
    mine = his.loc[~his.index.astype(str).isin(left_out)]
    return len(mine), float(cents(mine["revenue_previous"].sum())), len(his) - len(mine)


@dataclass(frozen=True)
class _Creations:
    """His creations to check (:func:`_creations`)."""

    count: int = 0
    revenue: float = 0.0
    basket: float | None = None
    others: float | None = None
    customers: frozenset[str] = frozenset()
    #: those of them that are new customers of N
    new: int = 0


def _creations(diag: Diagnostic, name: str) -> _Creations:
    """His creations to check: the plan's ``check_creations`` when he is the salesperson it
    names (its customers are :func:`icpc.analysis.actions.creations_to_check`, those the
    workbook marks), none otherwise: the scorecard, the plan and the workbook agree."""
    action = find_action(diag.action_plan, "check_creations")
    if action is None or action.detail.get("salesperson") != name:
        return _Creations()
    return _Creations(
        int(action.detail["created"]),
        float(action.amount),
        _value(action.detail.get("basket")),
        _value(action.detail.get("basket_others")),
        frozenset(action.customers),
        int(action.detail.get("new_among", 0)),
    )


def _top(diag: Diagnostic, name: str, size: int = 5) -> tuple[int, float]:
    table = diag.table
    mine = table.loc[
        (table[C.SALESPERSON].astype(str) == name).to_numpy()
        & table[C.SALESPERSON].notna().to_numpy()
    ]
    top = mine["revenue"].loc[mine["revenue"] > 0].sort_values(ascending=False).head(size)
    return len(top), float(cents(top.sum()))


def scorecard_facts(diag: Diagnostic, salesperson: str) -> ScorecardFacts:
    """The figures of ``salesperson``'s scorecard (fiche commercial).

    Parameters
    ----------
    diag : Diagnostic
        With a salesperson column mapped.
    salesperson : str
        One of :func:`salespeople` (an assigned salesperson of ``by_salesperson``).

    Returns
    -------
    ScorecardFacts

    Raises
    ------
    KeyError
        ``salesperson`` is not an assigned salesperson of the diagnostic.
    """
    frame = _assigned(diag)
    if frame.empty or salesperson not in set(frame.index.astype(str)):
        raise KeyError(f"no salesperson {salesperson!r} in the diagnostic")
    frame = frame.set_axis(frame.index.astype(str), axis=0)
    row = frame.loc[salesperson]
    has_previous = bool(diag.has_previous)
    created = _creations(diag, salesperson)
    slipping, to_call, top_slipping = _slipping(diag, salesperson, created.customers)
    lost_n, lost_revenue, lost_left_out = _lost_to_win_back(
        diag, salesperson, set(slipping.index.astype(str)) | created.customers
    )
    top_n, top_revenue = _top(diag, salesperson)
    customers = int(
        (
            (diag.table[C.SALESPERSON].astype(str) == salesperson)
            & diag.table[C.SALESPERSON].notna()
        ).sum()
    )
    bridge = (
        {k: float(row[f"bridge_{k}"]) for k in BRIDGE_STEPS if f"bridge_{k}" in row.index}
        if has_previous
        else None
    )
    rank = _value(row["rank"])
    return ScorecardFacts(
        salesperson=salesperson,
        rank=int(rank) if rank is not None else None,
        team_size=len(frame),
        period=diag.period,
        previous_period=diag.previous_period,
        as_of=diag.as_of,
        has_previous=has_previous,
        indicators=_indicators(frame, salesperson, has_previous),
        sales_count=int(_value(row["sales_count"]) or 0),
        bridge=bridge,
        revenue=float(row["revenue"]),
        revenue_previous=_value(row["revenue_previous"]) if has_previous else None,
        lost_revenue=float(_value(row["lost_revenue"]) or 0.0),
        months=_months(diag, salesperson),
        funnel=_funnel(diag, salesperson),
        customers=customers,
        segments=_segments(diag, salesperson),
        slipping_count=len(slipping),
        slipping_value=float(cents(slipping["value_at_stake"].sum())),
        slipping_to_check=len(slipping) - len(to_call),
        to_call=len(to_call),
        to_call_value=float(cents(to_call["value_at_stake"].sum())),
        slipping_top=top_slipping,
        lost_to_win_back=lost_n,
        lost_to_win_back_revenue=lost_revenue,
        lost_left_out=lost_left_out,
        creations=created.count,
        creations_new=created.new,
        creations_revenue=created.revenue,
        creations_basket=created.basket,
        others_basket=created.others,
        top_customers=top_n,
        top_revenue=top_revenue,
        objectives=_objectives(diag, salesperson),
    )


def _objectives(diag: Diagnostic, name: str) -> dict[str, dict[str, Any]]:
    """His entries of kpis.json's ``objectives`` block (kpis.json itself, computed once per
    diagnostic for the report and the scorecards)."""
    if name not in diag.config.objectives.by_salesperson:
        return {}
    from icpc.report.sections.registry import kpis_of

    block = (kpis_of(diag).get("objectives") or {}).get("by_salesperson") or {}
    return dict(block.get(name) or {})
