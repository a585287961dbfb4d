"""The rows of the workbook's call lists: one customer each, with what a salesperson needs.

Who (name, contact, phone, e-mail), why to call in words (the early warning's rules, a
lost customer's silence, a fall of revenue N), the last purchase and its amount, the
average basket, the revenues, the usual products, the suggested action (the segment's
in the segment rules, a win-back call, or a check first for a creation to check; on the
call list, the call's own action for the segments not to spend sales time on,
:data:`NO_SALES_TIME`) and the empty columns the team fills in (:data:`FILL_IN`). A
creation to check says what this customer shares, with how many of his group
(:func:`icpc.analysis.call_list.shared_keys`). Used by :mod:`icpc.export.sheets`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.actions import creations_to_check, find_action
from icpc.analysis.call_list import shared_keys
from icpc.analysis.warning_model import LOGISTIC
from icpc.export.context import OutputContext
from icpc.labels import label, locale_for, plural
from icpc.text import typeset

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = ["FILL_IN", "NO_SALES_TIME", "Facts", "customer_rows", "day", "facts"]

#: the columns the sales team fills in (date called, outcome from a list, next step)
FILL_IN = ("call_date", "outcome", "next_step")
#: the master's columns a call list shows when the data has them
_CONTACT = (C.NAME, C.CONTACT, C.PHONE, C.EMAIL)
#: the segments whose rule in icpc/segments.yaml says to spend no sales time on them, by
#: their key (``Lost``, « Inactifs »: « Ne pas y consacrer de temps commercial… »;
#: ``Hibernating``, « En hibernation »: « … ne pas mobiliser les commerciaux »): on the call
#: lists, where the early warning or a falling revenue sends a salesperson, they get the
#: call's action (``do.call``) instead; a client's own rules of these keys alike
NO_SALES_TIME = frozenset({"Lost", "Hibernating"})
#: the segments whose action assumes a customer buying well (thank him, sell him more,
#: welcome him): on a call list, where he slips away or buys less, he gets the call's
#: action instead, not one his list contradicts
BUYING_WELL = frozenset({"Champions", "Loyal", "Potential loyalists", "New", "Promising"})
#: … both get the call's action there
_CALL_INSTEAD = NO_SALES_TIME | BUYING_WELL


@dataclass(frozen=True)
class Facts:
    """What every customer row needs, computed once for the workbook."""

    diag: Diagnostic
    lang: str
    words: OutputContext
    to_check: frozenset[str]  # the plan's creations to check
    grouped: frozenset[str]  # the customers sharing an address or a SIRET with others
    win_back: frozenset[str]  # the plan's lost customers to win back (priority)
    creations: Mapping[str, str]  # … and why, in words
    products: pd.Series | None  # id -> "A, B, C"
    products_column: str | None  # usual_products | usual_families
    contact: tuple[str, ...]  # the master's columns shown
    salesperson: bool  # a salesperson column with a value


def _num(value: float, lang: str) -> str:
    """A whole number as the language writes it (« 1 234 »); « – » when unknown."""
    return _whole(int(round(value)), lang) if np.isfinite(value) else "–"


@functools.lru_cache(maxsize=8192)
def _whole(n: int, lang: str) -> str:
    # Babel is slow (~60 µs a call) and the workbook says the same days and counts again
    # and again: each is formatted once
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=locale_for(lang)))


def day(value: Any) -> str:
    """A date as the workbook's words write it (``31/12/2024``)."""
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def _days(n: float, lang: str) -> str:
    return plural("why.days", round(n), lang).format(n=_num(n, lang))


def facts(diag: Diagnostic, lang: str) -> Facts:
    """What every row of the workbook needs, computed once."""
    master = diag.customer_master
    contact = tuple(
        c
        for c in _CONTACT
        if master is not None and c in master.columns and master[c].notna().any()
    )
    table = diag.table
    products = diag.usual_products
    joined, column = None, None
    if products is not None:
        item = C.PRODUCT if C.PRODUCT in products.columns else C.PRODUCT_FAMILY
        column = "usual_products" if item == C.PRODUCT else "usual_families"
        joined = products.groupby(C.CUSTOMER_ID, sort=False)[item].agg(", ".join)
    to_check = creations_to_check(diag.action_plan)
    grouped: frozenset[str] = frozenset()
    if diag.dataset.customers is not None:  # no address to compare without a master
        members = diag.anomalies.customers
        grouped = frozenset(members.index[members["duplicate_group"].notna()].astype(str))
    win_back = find_action(diag.action_plan, "win_back_lost")
    return Facts(
        diag=diag,
        lang=lang,
        words=OutputContext.of(diag, lang),
        to_check=to_check,
        grouped=grouped,
        win_back=frozenset(win_back.customers) if win_back is not None else frozenset(),
        creations=_creation_reasons(diag, lang, to_check),
        products=joined,
        products_column=column,
        contact=contact,
        salesperson=C.SALESPERSON in table.columns and bool(table[C.SALESPERSON].notna().any()),
    )


def _segment_actions(diag: Diagnostic, lang: str) -> dict[str, str]:
    """Segment → its action in the segment rules (the PDF's segments table)."""
    return {rule.name: typeset(rule.text("action", lang), lang) for rule in diag.segment_rules}


def _reason_call(
    rhythm: bool,
    trend: bool,
    interval: float,
    recency: float,
    change: float,
    months: int,
    lang: str,
) -> str:
    """Why the early warning flags a customer: its rule(s), in words."""
    late = fall = ""
    if rhythm:
        every = plural("why.every", round(interval), lang).format(n=_num(interval, lang))
        late = label("why.rhythm", lang).format(every=every, days=_days(recency, lang))
    if trend:
        fall = label("why.trend", lang).format(months=months, pct=_num(-100 * change, lang))
    if rhythm and trend:  # one sentence, joined as the language joins two facts
        return label("why.rhythm_and_trend", lang).format(rhythm=late, trend=fall)
    return late or fall


def _reason_falling(revenue: float, previous: float, lang: str) -> str:
    if round(revenue, 2) <= 0:
        return label("why.nothing_in_n", lang)
    pct = 100 * (previous - revenue) / previous
    if round(pct) < 1:  # not « down 0 % »: a fall of a few euros on a large customer
        return label("why.falling_slightly", lang)
    return label("why.falling", lang).format(pct=_num(pct, lang))


def _shared(row: Any, lang: str) -> str:
    """What one grouped customer shares, with how many, and his group's size, in words."""
    parts = [
        plural(f"why.same_{key}", int(row[f"same_{key}"]), lang).format(
            n=_num(int(row[f"same_{key}"]), lang)
        )
        for key in ("address", "siret")
        if int(row[f"same_{key}"]) > 0
    ]
    shared = label("why.and", lang).join(parts)
    return label("why.group", lang).format(shared=shared, n=_num(int(row["group_size"]), lang))


def _creation_reasons(diag: Diagnostic, lang: str, to_check: frozenset[str]) -> dict[str, str]:
    """The plan's creations to check → why, in words: what this customer shares, with how
    many of his group, who created him when, in a series of how many."""
    action = find_action(diag.action_plan, "check_creations")
    if action is None:
        return {}
    shares = shared_keys(diag.anomalies.customers)
    members = shares.loc[shares.index.isin(to_check)]
    # the series: the plan's creations, all of them sharing an address, none, or some
    by_address = (members["same_address"].to_numpy() > 0).tolist()
    series = "address" if all(by_address) else "siret" if not any(by_address) else "mixed"
    created = diag.anomalies.customers["created"]
    created = pd.Series(created.to_numpy(), index=created.index.astype(str))
    out = {}
    for cid, row in members.iterrows():
        who = label("why.created_by", lang).format(
            salesperson=action.detail["salesperson"],
            date=day(created[str(cid)]),
            n=_num(action.detail["created"], lang),
            series=label(f"why.series.{series}", lang),
        )
        out[str(cid)] = f"{_shared(row, lang)}, {who}"
    return out


def customer_rows(f: Facts, ids: Sequence[str], kinds: Sequence[str]) -> pd.DataFrame:
    """One row per customer of ``ids`` (``kinds``: its list, ``call``, ``win_back`` or
    ``falling``): contact, reason in words, last order, basket, revenues, products, action."""
    diag, lang = f.diag, f.lang
    ids = [str(i) for i in ids]
    out = pd.DataFrame({C.CUSTOMER_ID: ids})
    master = diag.customer_master
    for col in f.contact:
        assert master is not None
        out[col] = master[col].reindex(ids).to_numpy(dtype=object)
    table = diag.table.set_axis(diag.table.index.astype(str), axis=0).reindex(ids)
    if f.salesperson:
        out[C.SALESPERSON] = table[C.SALESPERSON].to_numpy(dtype=object)
    segments = diag.segments.set_axis(diag.segments.index.astype(str)).reindex(ids)
    out["segment"] = [None if pd.isna(s) else f.words.segment(s) for s in segments]
    # BG/NBD's probability that he still buys here (icpc.analysis.bgnbd); no column when
    # the model could not be fitted on this client
    alive = diag.p_alive
    if alive.notna().any():
        # not on a customer to win back: BG/NBD gives 100 % to one who bought once, long
        # ago, which would contradict the list he is on (the report's lost customers)
        lost = np.array([kind == "win_back" for kind in kinds], bool)
        out["p_alive"] = np.where(lost, np.nan, alive.reindex(ids).to_numpy(dtype=float))
    # the early warning's ranking (icpc.analysis.warning_model): a probability only when
    # learnt on the client's history, so no column otherwise
    if diag.warning_ranking[0].model == LOGISTIC:
        out["warning_score"] = diag.warning_score.reindex(ids).to_numpy(dtype=float)
    ew = diag.early_warning.reindex(ids)
    orders = diag.last_orders.reindex(ids)
    recency = (pd.Timestamp(diag.as_of) - orders["last_sale"]).dt.days
    months = diag.config.thresholds.trend_months
    revenue = table["revenue"].to_numpy(dtype=float)
    previous = table["revenue_previous"].to_numpy(dtype=float)
    rhythm, trend = ew["rhythm_flag"].to_numpy(), ew["trend_flag"].to_numpy()
    interval = ew["usual_interval_days"].to_numpy(dtype=float)
    late, change = (
        ew["recency_days"].to_numpy(dtype=float),
        ew["trend_change"].to_numpy(dtype=float),
    )
    days = recency.to_numpy(dtype=float)
    reasons = [
        _reason_call(bool(rhythm[i]), bool(trend[i]), interval[i], late[i], change[i], months, lang)
        if kind == "call"
        else label("why.lost", lang).format(days=_days(days[i], lang))
        if kind == "win_back"
        else _reason_falling(revenue[i], previous[i], lang)
        for i, kind in enumerate(kinds)
    ]
    out["reason"] = reasons
    out["last_sale"] = orders["last_sale"].to_numpy()
    out["last_order"] = orders["last_order"].to_numpy()
    out["basket"] = orders["basket"].to_numpy()
    # what is at stake: the revenue of the last 12 months a customer still buying could
    # take away; for a lost one (none in those months), the revenue N−1 winning him back
    # would bring back, as the plan counts it
    stake = ew["value_at_stake"].to_numpy(dtype=float)
    back = np.array([kind == "win_back" for kind in kinds], bool)
    out["value_at_stake"] = np.where(back, np.nan_to_num(previous), stake)
    out["revenue"] = table["revenue"].to_numpy()
    out["revenue_previous"] = table["revenue_previous"].to_numpy()
    if f.products is not None and f.products_column is not None:
        out[f.products_column] = f.products.reindex(ids).to_numpy(dtype=object)
    actions = _segment_actions(diag, lang)
    check = f.creations
    linked = label("do.check_group_first", lang).format(sheet=label("sheet.creations", lang))
    out["action"] = [
        label("do.check_first", lang)
        if cid in check
        # linked to other records (the creations' sheet says to check them): first that
        else linked
        if cid in f.grouped
        else label("do.win_back_priority" if cid in f.win_back else "do.win_back", lang)
        if kind == "win_back"
        else label("do.call", lang)
        # not « do not call » nor « thank them » on a list that sends a salesperson to a
        # customer slipping away or buying less
        if kind in ("call", "falling") and str(s) in _CALL_INSTEAD
        else actions.get(str(s), "") or label("do.call", lang)
        for cid, kind, s in zip(ids, kinds, segments, strict=True)
    ]
    if f.to_check:  # the column only when the plan has creations to check
        out["creation_to_check"] = [check.get(cid) for cid in ids]
    for col in FILL_IN:
        out[col] = None
    return out
