"""A salesperson's three personal priorities, from his own figures, ranked by the euros at stake.

=====================  ==========================================  ===========================
priority               when                                        amount (€)
=====================  ==========================================  ===========================
``call_slipping``      customers of his the early warning flags,   their value at stake
                       his creations to check left out             (revenue of the last 12
                                                                   months)
``win_back_lost``      his lost customers not on the call list     their revenue N−1
                       and not creations to check
``check_creations``    the anomalies flag his creations at shared  their revenue N
                       addresses (the plan's rule, for him)
``raise_basket``       his average basket is below the team        (median − his basket) ×
                       median by 5 % of it or more                 his sales N
``raise_frequency``    his purchase frequency is below the team    (median − his frequency) ×
                       median by 5 % of it or more                 his active customers × his
                                                                   basket
``secure_top``         fewer than three of the above: his largest  their revenue N
                       customers (at most five)
=====================  ==========================================  ===========================

The first three are customers to act on, with money he has or had: they are chosen
first. A customer is in one of them at most: his creations to check are checked with the
sales director first, so neither called (``detail["left_out"]``: how many slipping
customers were left out for that) nor won back. The gaps to the median are what he could make, a reading of averages: they fill
the places left. They are ranked by their amount; ``secure_top``, which fills a list still
short (what he keeps rather than what he can win or lose), comes last.

Example
-------
>>> [p.code for p in priorities(facts)]  # doctest: +SKIP
['call_slipping', 'win_back_lost', 'raise_basket']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from icpc.money import cents
from icpc.report.scorecard.facts import ScorecardFacts

__all__ = ["Priority", "priorities", "PRIORITIES"]

#: how many priorities a scorecard shows
PRIORITIES = 3
#: a gap to the team median is a priority from this share of the median (5 %): a basket
#: of 855 € against 862 € is shaded in the table, it is not something to work on
MATERIAL_GAP = 0.05


@dataclass(frozen=True)
class Priority:
    """One personal priority: a code (the scorecard words it), its amount, its count."""

    code: str
    amount: float
    count: int
    detail: dict[str, Any] = field(default_factory=dict)


def _material(value: float | None, median: float | None) -> bool:
    """Below the median by at least :data:`MATERIAL_GAP` of it."""
    if value is None or median is None or median <= 0:
        return False
    return (median - value) >= MATERIAL_GAP * median


def _below_median(facts: ScorecardFacts) -> list[Priority]:
    out = []
    basket = facts.indicator("average_basket")
    if (
        basket.below_par
        and basket.current is not None
        and basket.median is not None
        and _material(basket.current, basket.median)
    ):
        amount = float(cents((basket.median - basket.current) * facts.sales_count))
        out.append(
            Priority(
                "raise_basket",
                amount,
                facts.sales_count,
                {"value": basket.current, "median": basket.median},
            )
        )
    freq = facts.indicator("purchase_frequency")
    active = facts.indicator("active_customers").current or 0
    if (
        freq.below_par
        and freq.current is not None
        and freq.median is not None
        and basket.current is not None
        and _material(freq.current, freq.median)
    ):
        amount = float(cents((freq.median - freq.current) * active * basket.current))
        out.append(
            Priority(
                "raise_frequency",
                amount,
                int(active),
                {"value": freq.current, "median": freq.median},
            )
        )
    return out


def _largest(found: list[Priority], n: int) -> list[Priority]:
    """The ``n`` largest priorities with an amount above zero."""
    kept = sorted((p for p in found if p.amount > 0), key=lambda p: -p.amount)
    return kept[: max(n, 0)]


def priorities(facts: ScorecardFacts, *, limit: int = PRIORITIES) -> tuple[Priority, ...]:
    """His personal priorities, the largest amount first (at most ``limit``).

    Parameters
    ----------
    facts : ScorecardFacts
        :func:`~icpc.report.scorecard.facts.scorecard_facts`.
    limit : int
        How many.

    Returns
    -------
    tuple of Priority
        The largest amount first, each above zero (``secure_top``, when there, last).
        His customers to act on come first (slipping and not to check, lost, creations
        to check: money he has or had); the gaps to the team
        median (basket, frequency: money he could make) fill the places they leave, then
        his largest customers (``secure_top``).
    """
    concrete = []
    if facts.to_call:
        concrete.append(
            Priority(
                "call_slipping",
                facts.to_call_value,
                facts.to_call,
                {"left_out": facts.slipping_to_check},
            )
        )
    if facts.lost_to_win_back:
        concrete.append(
            Priority(
                "win_back_lost",
                facts.lost_to_win_back_revenue,
                facts.lost_to_win_back,
                {"left_out": facts.lost_left_out},
            )
        )
    if facts.creations:
        concrete.append(
            Priority(
                "check_creations",
                facts.creations_revenue,
                facts.creations,
                {"basket": facts.creations_basket, "others": facts.others_basket},
            )
        )
    chosen = _largest(concrete, limit)
    chosen += _largest(_below_median(facts), limit - len(chosen))
    ranked = sorted(chosen, key=lambda p: -p.amount)
    if len(ranked) < limit and facts.top_customers and facts.top_revenue > 0:
        share = facts.top_revenue / facts.revenue if facts.revenue > 0 else None
        ranked.append(  # last: what he keeps, not what he can win or lose
            Priority("secure_top", facts.top_revenue, facts.top_customers, {"share": share})
        )
    return tuple(ranked)
