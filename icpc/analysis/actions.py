"""The plan of action (plan d'action): three to five actions ranked by the euros at stake.

Each action comes from one analysis and carries what the report and the workbook need:
a code (the report words it), the owner, the customers concerned, the amount to protect
or win back, and the workbook sheet that lists them. Amounts are the analyses' own sums,
exact to the cent.

=====================  =============================================  ==================
action                 customers and amount                           owner
=====================  =============================================  ==================
``call_slipping``      customers the early warning flags; the sum of  each salesperson,
                       their value at stake                           for his customers
``win_back_lost``      the lost customers not on the call list        sales director
                       making 80 % of their lost revenue (at most
                       20); their revenue N−1
``check_creations``    the customers a flagged salesperson created    sales director
                       at shared addresses in his burst; their
                       revenue N (to be checked, not a verdict)
``salesperson_gap``    the salesperson whose revenue fell most; his   sales director,
                       fall                                           with him
``secure_top``         the 5 largest customers when they make 25 %    managing director
                       of revenue N or more (10 customers at least);
                       their revenue N
=====================  =============================================  ==================

Example
-------
>>> [a.code for a in diag.action_plan]  # doctest: +SKIP
['call_slipping', 'win_back_lost', 'salesperson_gap', 'check_creations']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc.analysis.groups import UNASSIGNED
from icpc.money import cents

if TYPE_CHECKING:
    from icpc.analysis.anomalies import Anomalies
    from icpc.analysis.concentration import Concentration

__all__ = [
    "Action",
    "action_plan",
    "find_action",
    "creations_to_check",
    "MAX_ACTIONS",
    "LOST_SHARE",
    "TOP_SHARE",
]

#: at most this many actions, the largest amounts first
MAX_ACTIONS = 5
#: the lost customers to win back: those making this share of the lost revenue…
LOST_SHARE = 0.8
#: … and at most this many
LOST_MAX = 20
#: the top-5 customers are an action when they make at least this share of revenue N…
TOP_SHARE = 0.25
#: … among at least this many customers with revenue (five of five is no dependency)
TOP_MIN_CUSTOMERS = 10


@dataclass(frozen=True)
class Action:
    """One action of the plan.

    Attributes
    ----------
    code : str
        ``call_slipping``, ``win_back_lost``, ``check_creations``, ``salesperson_gap``,
        ``secure_top`` (the report words it).
    amount : float
        Euros to protect or win back (or at stake), exact to the cent.
    customers : tuple of str
        The customers concerned (ids), largest amount first.
    owner : str
        ``salespeople`` (each for his own customers), ``sales_director`` or
        ``managing_director``.
    sheet : str
        The workbook sheet listing them: ``at_risk`` (« À appeler »), ``win_back``,
        ``creations``, ``salesperson`` (the salesperson's own sheet), or empty when no
        sheet lists them (the top customers: the report's concentration section does).
    detail : dict
        The numbers the sentence needs (a salesperson's name, a count, a rate).
    """

    code: str
    amount: float
    customers: tuple[str, ...]
    owner: str
    sheet: str
    detail: dict[str, Any] = field(default_factory=dict)


def find_action(plan: tuple[Action, ...], code: str) -> Action | None:
    """The action ``code`` of the plan (each code is there once at most), else None."""
    return next((a for a in plan if a.code == code), None)


def creations_to_check(plan: tuple[Action, ...]) -> frozenset[str]:
    """The customers of the plan's creations to check (shared-address creations): the
    call lists mark them, the summary and the report's story speak of them."""
    action = find_action(plan, "check_creations")
    return frozenset(action.customers) if action is not None else frozenset()


def _ids(index: pd.Index) -> tuple[str, ...]:
    return tuple(str(i) for i in index)


def _call_slipping(ew: pd.DataFrame) -> Action | None:
    flagged = ew.loc[ew["early_warning"].to_numpy(dtype=bool)]
    if flagged.empty:
        return None
    flagged = flagged.sort_values("value_at_stake", ascending=False, kind="stable")
    detail: dict[str, Any] = {}
    if "salesperson" in flagged.columns and flagged["salesperson"].notna().any():
        by_person = flagged.groupby("salesperson", observed=True)["value_at_stake"].sum()
        top = by_person.sort_values(ascending=False, kind="stable")
        detail = {"top_salesperson": str(top.index[0]), "top_amount": float(cents(top.iloc[0]))}
    return Action("call_slipping", float(cents(flagged["value_at_stake"].sum())),
                  _ids(flagged.index), "salespeople", "at_risk", detail)  # fmt: skip


def _win_back_lost(lost: pd.DataFrame | None, called: frozenset[str]) -> Action | None:
    if lost is None or lost.empty:
        return None
    lost = lost.loc[~lost.index.astype(str).isin(called)]  # already on the call list
    if lost.empty:
        return None
    lost = lost.sort_values("revenue_previous", ascending=False, kind="stable")
    revenue = lost["revenue_previous"].to_numpy(dtype=float)
    total = revenue.sum()
    if total <= 0:
        return None
    # the fewest customers reaching LOST_SHARE of the lost revenue, at most LOST_MAX
    reach = int(np.searchsorted(np.cumsum(revenue), LOST_SHARE * total - 1e-9) + 1)
    keep = lost.iloc[: min(reach, LOST_MAX)]
    return Action("win_back_lost", float(cents(keep["revenue_previous"].sum())), _ids(keep.index),
                  "sales_director", "win_back", {"lost_customers": len(lost),
                  "lost_revenue": float(cents(total))})  # fmt: skip


def _check_creations(anomalies: Anomalies, table: pd.DataFrame) -> Action | None:
    people = anomalies.salespeople
    flagged = people.loc[people["flagged"].astype(bool)] if len(people) else people
    if flagged.empty:
        return None
    row = flagged.sort_values("burst_customers", ascending=False, kind="stable").iloc[0]
    members = anomalies.customers
    created = pd.to_datetime(members["created"])
    burst = members.loc[
        members["duplicate_group"].notna().to_numpy()
        & (members["salesperson"].astype(str) == str(row["salesperson"])).to_numpy()
        & (created >= pd.Timestamp(row["burst_start"])).to_numpy()
        & (created <= pd.Timestamp(row["burst_end"])).to_numpy()
    ]
    if burst.empty:
        return None
    new = table["bridge_class"].astype(str)
    new_ids = set(new.index[new.to_numpy() == "new"].astype(str))
    by_id = pd.Series(table["revenue"].to_numpy(dtype=float), index=table.index.astype(str))
    revenue_n = by_id.reindex(burst.index.astype(str), fill_value=0.0)
    return Action(
        "check_creations",
        float(cents(revenue_n.sum())),  # what they brought in N (their history is in the sheet)
        _ids(revenue_n.sort_values(ascending=False, kind="stable").index),
        "sales_director",
        "creations",
        {
            "salesperson": str(row["salesperson"]),
            "created": len(burst),
            "new_among": len(new_ids & set(_ids(burst.index))),
            "new_total": len(new_ids),
            "basket": float(row["basket_burst"]),
            "basket_others": float(row["basket_others"]),
        },
    )


def _salesperson_gap(
    by_salesperson: pd.DataFrame | None, table: pd.DataFrame, has_previous: bool
) -> Action | None:
    if by_salesperson is None or not has_previous or len(by_salesperson) < 2:
        return None
    change = by_salesperson["revenue_change"].astype(float)
    change = change.loc[change.index.astype(str) != UNASSIGNED].dropna()  # a person to meet
    if change.empty:
        return None
    worst = change.idxmin()
    if not change.loc[worst] < 0:
        return None
    mine = table.loc[table["salesperson"].astype(str).to_numpy() == str(worst)]
    fallen = mine.loc[(mine["revenue"] < mine["revenue_previous"]).to_numpy()]
    fallen = fallen.assign(fall=fallen["revenue_previous"] - fallen["revenue"]).sort_values(
        "fall", ascending=False, kind="stable"
    )
    return Action("salesperson_gap", float(cents(-change.loc[worst])), _ids(fallen.index),
                  "sales_director", "salesperson",
                  {"salesperson": str(worst),
                   "change_pct": float(by_salesperson.loc[worst, "revenue_change_pct"])})  # fmt: skip


def _secure_top(conc: Concentration) -> Action | None:
    if len(conc.pareto) < TOP_MIN_CUSTOMERS or not conc.top5_share >= TOP_SHARE:
        return None
    top = conc.pareto.head(5)
    return Action("secure_top", float(cents(top["revenue"].sum())),
                  tuple(str(c) for c in top["customer_id"]), "managing_director", "",
                  {"share": float(conc.top5_share)})  # fmt: skip


def action_plan(
    *,
    early_warning: pd.DataFrame,
    lost: pd.DataFrame | None,
    anomalies: Anomalies,
    table: pd.DataFrame,
    by_salesperson: pd.DataFrame | None,
    concentration: Concentration,
    has_previous: bool,
) -> tuple[Action, ...]:
    """The plan of action: at most :data:`MAX_ACTIONS`, the largest amount first.

    An action is proposed only when its analysis finds something (customers flagged, lost,
    created in a burst, a salesperson's fall, a dependency) with an amount above zero.

    Parameters
    ----------
    early_warning : DataFrame
        :func:`icpc.analysis.warning.early_warning`.
    lost : DataFrame or None
        The lost customers (``Dynamics.lost``: ``revenue_previous`` by customer).
    anomalies : Anomalies
        :func:`icpc.analysis.anomalies.anomalies`.
    table : DataFrame
        :func:`icpc.analysis.customers.customer_periods` (``bridge_class``,
        ``salesperson``, revenue N and N−1).
    by_salesperson : DataFrame or None
        :func:`icpc.analysis.groups.by_group` by salesperson (None when not mapped).
    concentration : Concentration
        :func:`icpc.analysis.concentration.concentration`.
    has_previous : bool
        Whether the data reaches N−1 (a salesperson's fall needs it).
    """
    call = _call_slipping(early_warning)
    found = (
        call,
        _win_back_lost(lost, frozenset(call.customers) if call else frozenset()),
        _check_creations(anomalies, table),
        _salesperson_gap(by_salesperson, table, has_previous),
        _secure_top(concentration),
    )
    actions = sorted((a for a in found if a is not None and a.amount > 0), key=lambda a: -a.amount)
    return tuple(actions[:MAX_ACTIONS])
