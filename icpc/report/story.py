"""The headline of the report: one sentence that makes the point, written from the numbers.

The revenue change N−1 → N, its largest driver and what offsets it (the three-factor
decomposition), then, when the plan of action holds creations to check, how many of the
new customers they are and what the average basket does without them.

Example
-------
>>> headline(diag, "fr")  # doctest: +SKIP
'Le chiffre d’affaires est stable à 1,78 M€ (+0,5 %) : la hausse du nombre de clients…'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from icpc.analysis.actions import find_action
from icpc.labels import label
from icpc.report import format as fmt

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = ["creations_effect", "headline"]

#: a change within this fraction of N−1 reads as stable
STABLE = 0.01


def creations_effect(diag: Diagnostic) -> dict[str, Any] | None:
    """The creations to check against the new customers and the average basket.

    None when the plan of action has no creations to check. Else ``created``,
    ``new_among``, ``new_total`` and ``basket_change`` / ``basket_change_without``: the
    change of the average basket N−1 → N with and without those customers' sales of N.
    """
    action = find_action(diag.action_plan, "check_creations")
    if action is None:
        return None
    table = diag.table
    ids = table.index.astype(str).isin(action.customers)
    revenue, sales = float(table["revenue"].sum()), int(table["sales_count"].sum())
    theirs_rev = float(table.loc[ids, "revenue"].sum())
    theirs_sales = int(table.loc[ids, "sales_count"].sum())
    prev_rev, prev_sales = (
        float(table["revenue_previous"].sum()),
        int(table["sales_count_previous"].sum()),
    )
    if not (sales and prev_sales and sales > theirs_sales):
        return None
    before = prev_rev / prev_sales
    return {
        "created": len(action.customers),
        "new_among": int(action.detail["new_among"]),
        "new_total": int(action.detail["new_total"]),
        "basket_change": revenue / sales / before - 1,
        "basket_change_without": (revenue - theirs_rev) / (sales - theirs_sales) / before - 1,
    }


def _effect(name: str, value: float, language: str, currency: str) -> str:
    sign = "up" if value > 0 else "down"
    amount = fmt.money_compact(value, language=language, currency=currency)
    if value > 0:
        amount = "+" + amount
    return label(f"headline.{name}.{sign}", language).format(amount=amount)


def headline(diag: Diagnostic, language: str) -> str | None:
    """The sentence that opens the summary; None without a revenue N−1 to compare with."""
    kj = diag.kpis_json()
    rev = kj["kpis"]["revenue"]
    if rev.get("previous") in (None, 0) or rev.get("change_pct") is None:
        return None
    cur = diag.config.currency
    pct = rev["change_pct"]
    trend = "stable" if abs(pct) < STABLE else ("up" if pct > 0 else "down")
    text = label(f"headline.revenue.{trend}", language).format(
        revenue=fmt.money_compact(
            rev["current"],
            language=language,
            currency=cur,
            decimals=2 if abs(rev["current"]) >= 1e6 else 1,
        ),  # fmt: skip
        change=fmt.change(pct, language=language, with_arrow=False),
        pct=fmt.percent(abs(pct), language=language),
    )
    parts = {k: v for k, v in (kj.get("decomposition") or {}).items() if v}
    if parts:
        ranked = sorted(parts.items(), key=lambda kv: -abs(kv[1]))
        main, main_value = ranked[0]
        against = [(k, v) for k, v in ranked[1:] if (v > 0) != (main_value > 0)]
        along = [(k, v) for k, v in ranked[1:] if (v > 0) == (main_value > 0)]
        words = [_effect(main, main_value, language, cur)]
        words += [_effect(k, v, language, cur) for k, v in along]
        driver = label("headline.and", language).join(words)
        if against:
            offset = label("headline.and", language).join(
                _effect(k, v, language, cur) for k, v in against
            )
            against_size = sum(abs(v) for _, v in against)
            side_wins = abs(main_value) + sum(abs(v) for _, v in along) >= against_size
            winner, loser = (driver, offset) if side_wins else (offset, driver)
            plural = (len(words) if side_wins else len(against)) > 1
            verb = "offsets" if trend == "stable" else "outweighs"
            key = f"headline.{verb}" + (".plural" if plural else "")
            text += label(key, language).format(driver=winner, offset=loser)
        else:
            text += label("headline.driven", language).format(driver=driver)
    effect = creations_effect(diag)
    if effect is not None:
        key = "headline.creations" + ("" if effect["new_among"] == effect["created"] else ".some")
        text += " " + label(key, language).format(
            created=fmt.number(effect["created"], language=language),
            new_among=fmt.number(effect["new_among"], language=language),
            new_total=fmt.number(effect["new_total"], language=language),
            without=fmt.change(
                effect["basket_change_without"], language=language, with_arrow=False
            ),
            with_=fmt.change(effect["basket_change"], language=language, with_arrow=False),
        )
    return text
