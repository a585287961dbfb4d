"""The demo's invoice lines and activity log: purchase rhythms, invoices, planted dirty rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc.datasets.customers import _group_rank, _month_index, _to_workday, _weekday, _year
from icpc.datasets.story import (
    ACTIVITY_TYPES,
    BONUS_SALESPERSON,
    CREDIT_TYPE,
    DIRTY_TEXT,
    FAMILIES,
    H_AMOUNT,
    H_CUSTOMER,
    H_DATE,
    H_FAMILY,
    H_INVOICE,
    H_ITEM,
    H_LABEL,
    H_MARGIN,
    H_QUANTITY,
    H_REF,
    H_REGION,
    H_SALESPERSON,
    H_TYPE,
    INVOICE_TYPE,
    ITEM_CODES,
    ITEM_LABELS,
    K_BASE,
    K_CANCELLED,
    K_PROSPECT,
    MONTH_BASKET,
    MONTH_KEEP,
    N_DUPLICATES,
    PRICE_GROWTH,
    SALESPEOPLE,
)

__all__ = []


def _purchase_events(rng: np.random.Generator, cust: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Purchase dates per customer: a rhythm grid anchored on the last purchase, jittered.

    Returns (customer position, day number) arrays, one element per purchase (invoice).
    """
    kind = cust["kind"].to_numpy()
    interval = cust["interval"].to_numpy()
    start, end = cust["start"].to_numpy(), cust["end"].to_numpy()
    steady = cust["steady"].to_numpy()
    active = kind != K_PROSPECT
    count = np.where(active, np.floor((end - start) / interval).astype(np.int64) + 1, 0)
    pos = np.repeat(np.arange(len(cust)), count)
    k = _group_rank(pos)
    sd = np.where(steady, 0.06, 0.22)[pos] * interval[pos]
    jitter = np.where(k == 0, 0.0, rng.normal(0.0, 1.0, size=len(pos)) * sd)
    days = np.rint(end[pos] - k * interval[pos] + jitter).astype(np.int64)
    days = _to_workday(np.minimum(days, end[pos]))
    # the last purchase may move back to a Friday, but never before the customer existed
    created = cust["created"].to_numpy()
    lower = np.where(k == 0, np.maximum(created[pos], start[pos] - 2), start[pos])
    keep = days >= lower
    # seasonality and irregularity thin the purchases (never the last one, never the steady)
    p_keep = MONTH_KEEP[_month_index(days)] * np.where(kind[pos] == K_BASE, 0.92, 1.0)
    thin = (k > 0) & ~steady[pos] & (rng.random(len(pos)) > p_keep)
    keep &= ~thin
    return pos[keep], days[keep]


def _lines_per_invoice(rng: np.random.Generator, n_invoices: int, lam: float) -> np.ndarray:
    return 1 + rng.poisson(lam, size=n_invoices)


def _split_cents(
    rng: np.random.Generator, total_cents: np.ndarray, n_lines: np.ndarray
) -> np.ndarray:
    """Split invoice totals (cents) into line amounts that add up exactly."""
    inv = np.repeat(np.arange(len(n_lines)), n_lines)
    weights = rng.exponential(1.0, size=len(inv))
    share = weights / np.bincount(inv, weights=weights)[inv]
    cents = np.floor(share * total_cents[inv]).astype(np.int64)
    rest = total_cents - np.bincount(inv, weights=cents, minlength=len(n_lines)).astype(np.int64)
    first = np.r_[0, np.cumsum(n_lines)[:-1]]
    cents[first] += rest
    return cents


def _invoice_numbers(
    prefix: str, days: np.ndarray, order_key: np.ndarray
) -> tuple[np.ndarray, pa.Array]:
    """Chronological numbers per year: ``FA2024-00001`` (``order_key`` breaks same-day ties).

    Returns the rank of each document in numbering order and its number (Arrow strings).
    """
    n = len(days)
    order = np.lexsort((order_key, days))
    years = _year(days[order])
    seq = _group_rank(years) + 1
    width = max(5, len(str(int(seq.max())))) if n else 5
    numbers = pc.binary_join_element_wise(
        pa.scalar(prefix),
        pc.cast(pa.array(years), pa.string()),
        pa.scalar("-"),
        pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), width, "0"),
        "",
    )
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank, pc.take(numbers, pa.array(rank))


def _text(
    dictionary: tuple[str, ...] | np.ndarray | pa.Array,
    idx: np.ndarray,
    valid: np.ndarray | None = None,
) -> pd.api.extensions.ExtensionArray:
    """``dictionary[idx]`` as a pandas text array, built in Arrow (no Python string objects)."""
    if not isinstance(dictionary, pa.Array):
        dictionary = pa.array(list(dictionary), pa.string())
    taken = pc.take(dictionary, pa.array(idx, mask=None if valid is None else ~valid))
    return pd.array(taken, dtype="str")


def _items(rng: np.random.Generator, n: int) -> np.ndarray:
    """Catalogue item of each line: a few best sellers, a long tail (Zipf-like)."""
    weights = 1.0 / (np.arange(len(ITEM_CODES)) + 4.0)
    popularity = rng.permutation(len(ITEM_CODES))
    cumulative = np.cumsum(weights / weights.sum())
    rank = np.searchsorted(cumulative, rng.random(n), side="right").clip(max=len(ITEM_CODES) - 1)
    return popularity[rank]


def _transactions(
    rng: np.random.Generator,
    cust: pd.DataFrame,
    *,
    item_rng: np.random.Generator,
    quantity_rng: np.random.Generator,
    lines: int | None,
    hist_start: int,
    as_of: int,
    reorg_day: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Invoice and credit-note lines (clean), sorted as in an ERP export."""
    pos, days = _purchase_events(rng, cust)
    n_inv = len(pos)
    lam = 2.0 if lines is None else float(np.clip(lines / max(n_inv, 1) / 1.02 - 1.0, 0.0, 40.0))
    years_in = (days - hist_start) / 365.25
    month = _month_index(days)
    basket = cust["basket"].to_numpy()[pos] * rng.lognormal(-0.06, 0.35, size=n_inv)
    basket *= MONTH_BASKET[month] * (1 + PRICE_GROWTH) ** years_in
    total = np.maximum(np.rint(basket * 100), 500).astype(np.int64)
    n_lines = _lines_per_invoice(rng, n_inv, lam)
    line_inv = np.repeat(np.arange(n_inv), n_lines)
    cents = _split_cents(rng, total, n_lines)
    kind = cust["kind"].to_numpy()

    # credit notes: a partial one (one line returned or discounted) on ~3 % of invoices,
    # and every invoice of a "fully cancelled" customer cancelled line by line
    cancelled_inv = kind[pos] == K_CANCELLED
    eligible = (kind[pos] == K_BASE) & (rng.random(n_inv) < 0.03)
    credit_delay = rng.integers(3, 46, size=n_inv)
    eligible &= days + credit_delay <= as_of
    first_line = np.r_[0, np.cumsum(n_lines)[:-1]]
    part_inv = np.flatnonzero(eligible)
    part_line = first_line[part_inv] + rng.integers(0, n_lines[part_inv])
    fraction = np.where(
        rng.random(len(part_inv)) < 0.5, 1.0, rng.uniform(0.05, 0.3, size=len(part_inv))
    )
    part_cents = -np.maximum(np.rint(cents[part_line] * fraction), 1).astype(np.int64)
    full_inv = np.flatnonzero(cancelled_inv)
    full_lines = np.flatnonzero(cancelled_inv[line_inv])
    credit_inv = np.r_[part_inv, full_inv]  # invoice each credit note refers to
    credit_days = np.minimum(days[credit_inv] + credit_delay[credit_inv], as_of)
    credit_line_inv = np.r_[part_inv, line_inv[full_lines]]  # per credit-note line
    credit_cents = np.r_[part_cents, -cents[full_lines]]
    credit_doc = np.r_[
        np.arange(len(part_inv)), len(part_inv) + np.searchsorted(full_inv, line_inv[full_lines])
    ]
    has_ref = np.r_[rng.random(len(part_inv)) < 0.75, np.ones(len(full_inv), dtype=bool)]

    inv_rank, inv_numbers = _invoice_numbers("FA", days, pos)
    cn_rank, cn_numbers = _invoice_numbers("AV", credit_days, pos[credit_inv])
    # assemble all lines
    doc_day = np.r_[days[line_inv], credit_days[credit_doc]]
    doc_cust = np.r_[pos[line_inv], pos[credit_line_inv]]
    amount = np.r_[cents, credit_cents]
    number = np.r_[line_inv, n_inv + credit_doc]  # index into the invoices then credit notes
    doc_rank = np.r_[inv_rank[line_inv], cn_rank[credit_doc]]
    is_credit = np.r_[np.zeros(len(cents), dtype=bool), np.ones(len(credit_cents), dtype=bool)]
    ref = np.r_[np.zeros(len(cents), dtype=np.int64), credit_line_inv]
    ref_valid = np.r_[np.zeros(len(cents), dtype=bool), has_ref[credit_doc]]
    rate = cust["margin_rate"].to_numpy()[doc_cust] + rng.normal(0.0, 0.03, size=len(amount))
    margin = np.rint(amount * np.clip(rate, 0.02, 0.6)).astype(np.int64)
    # salesperson of the line: the customer's, except the Île-de-France customers that
    # changed hands at the reorganisation (their older lines carry the former salesperson)
    sp = cust["salesperson"].to_numpy()[doc_cust]
    idf_sp = [i for i, (_, r) in enumerate(SALESPEOPLE) if r == "Île-de-France"]
    reassigned_cust = np.flatnonzero(
        (cust["salesperson"].to_numpy() == idf_sp[0]) & (cust["kind"].to_numpy() == K_BASE)
        & (cust["start"].to_numpy() < reorg_day) & (cust["end"].to_numpy() > reorg_day)
        & (rng.random(len(cust)) < 0.25)
    )  # fmt: skip
    moved = np.isin(doc_cust, reassigned_cust)
    former = moved & (doc_day < reorg_day)
    sp = np.where(former, idf_sp[1], sp)
    # reported: the customers with lines under both salespeople
    reassigned_cust = np.intersect1d(doc_cust[former], doc_cust[moved & ~former])
    # ERP order: by date, then by number ("AV..." credit notes before "FA..." invoices)
    order = np.lexsort((doc_rank, ~is_credit, doc_day))
    sp_names = tuple(s for s, _ in SALESPEOPLE)
    sp_regions = tuple(r for _, r in SALESPEOPLE)
    ids = cust["customer_id"].to_numpy()
    item = np.r_[_items(item_rng, len(cents)), np.zeros(len(credit_cents), dtype=np.int64)]
    item[len(cents) :] = item[: len(cents)][np.r_[part_line, full_lines]]  # the line credited
    item = item[order]
    # quantities from their own stream: a credit note returns the quantity of its line, or
    # none when it is a discount on the price
    quantity = np.r_[
        quantity_rng.geometric(0.22, size=len(cents)), np.zeros(len(credit_cents), dtype=np.int64)
    ]
    returned = np.r_[fraction == 1.0, np.ones(len(full_lines), dtype=bool)]
    quantity[len(cents) :] = np.where(
        returned, -quantity[: len(cents)][np.r_[part_line, full_lines]], 0
    )
    quantity = quantity[order]
    family_of = np.array([list(FAMILIES).index(code.split("-")[0]) for code in ITEM_CODES])
    frame = pd.DataFrame({
        H_CUSTOMER: _text(pa.array(ids, pa.string()), doc_cust[order]),
        H_DATE: pd.to_datetime(doc_day[order].astype("datetime64[D]")).astype("datetime64[ns]"),
        H_INVOICE: _text(pa.concat_arrays([inv_numbers, cn_numbers]), number[order]),
        H_ITEM: pd.Categorical.from_codes(item, categories=pd.Index(ITEM_CODES, dtype="str")),
        H_LABEL: pd.Categorical.from_codes(item, categories=pd.Index(ITEM_LABELS, dtype="str")),
        H_FAMILY: pd.Categorical.from_codes(family_of[item], categories=pd.Index(list(FAMILIES.values()), dtype="str")),
        H_QUANTITY: quantity.astype(np.float64),
        H_AMOUNT: amount[order] / 100.0,
        H_MARGIN: margin[order] / 100.0,
        H_SALESPERSON: _text(sp_names, sp[order]),
        H_REGION: _text(sp_regions, sp[order]),
        H_TYPE: _text((INVOICE_TYPE, CREDIT_TYPE), is_credit[order].astype(np.int64)),
        H_REF: _text(inv_numbers, ref[order], ref_valid[order]),
    })  # fmt: skip
    return frame, {"reassigned": sorted(ids[reassigned_cust].tolist()), "lines_per_invoice": lam}


def _plant_dirty_rows(
    rng: np.random.Generator, tx: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Insert the dirty rows (copies of random invoice lines, each spoilt one way)."""
    n = len(tx)
    invoices = np.flatnonzero((tx[H_TYPE] == INVOICE_TYPE).to_numpy())
    kinds = ["duplicate"] * N_DUPLICATES + [k for k, v in DIRTY_TEXT.items() for _ in v]
    source = np.sort(rng.choice(invoices, size=len(kinds), replace=False))
    kinds_arr = np.array(kinds, dtype=object)[rng.permutation(len(kinds))]
    after = np.r_[np.arange(n) * 2, source * 2 + 1]  # a copy goes right after its original
    order = np.argsort(after, kind="stable")
    extra = pd.DataFrame(tx.iloc[source].to_dict("list"))
    extra = extra.astype(tx.dtypes.to_dict())
    is_missing = kinds_arr == "missing_customer"
    is_amount = kinds_arr == "text_amount"
    is_date = kinds_arr == "bad_date"
    extra[H_CUSTOMER] = extra[H_CUSTOMER].where(~is_missing)
    extra[H_AMOUNT] = extra[H_AMOUNT].where(~is_amount)
    extra[H_MARGIN] = extra[H_MARGIN].where(~is_amount)
    extra[H_DATE] = extra[H_DATE].where(~is_date)
    combined = pd.concat([tx, extra], ignore_index=True).take(order).reset_index(drop=True)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    extra_pos = position[n:]
    dirty = {k: sorted(extra_pos[kinds_arr == k].tolist()) for k in ("duplicate", *DIRTY_TEXT)}
    return combined, dirty


def _activity(
    rng: np.random.Generator,
    cust: pd.DataFrame,
    *,
    hist_start: int,
    as_of: int,
    bonus_window: tuple[int, int],
) -> pd.DataFrame:
    """Contacts received, outbound calls and completed calls per salesperson and working day."""
    days = np.arange(hist_start, as_of + 1)
    days = days[_weekday(days) < 5]
    n_sp = len(SALESPEOPLE)
    grid_sp = np.repeat(np.arange(n_sp), len(days))
    grid_day = np.tile(days, n_sp)
    in_bonus = (
        (grid_sp == BONUS_SALESPERSON)
        & (grid_day >= bonus_window[0])
        & (grid_day < bonus_window[1])
    )
    contacts = rng.poisson(0.8, size=len(grid_day))
    calls = rng.poisson(np.where(in_bonus, 4.0, 2.2))
    completed = rng.binomial(calls, np.where(in_bonus, 0.4, 0.6))
    counts = np.c_[contacts, calls, completed]
    kind = np.repeat(np.tile(np.arange(3), len(grid_day)), counts.ravel())
    cell = np.repeat(np.repeat(np.arange(len(grid_day)), 3), counts.ravel())
    sp = grid_sp[cell]
    minute = rng.integers(8 * 60 + 30, 18 * 60, size=len(cell))
    when = grid_day[cell].astype("datetime64[D]").astype("datetime64[m]") + minute.astype(
        "timedelta64[m]"
    )
    # the customer concerned: one of the salesperson's customers (unknown for some contacts)
    cust_sp = cust["salesperson"].to_numpy()
    by_sp = np.argsort(cust_sp, kind="stable")
    first = np.searchsorted(cust_sp[by_sp], np.arange(n_sp))
    size = np.bincount(cust_sp, minlength=n_sp)
    pick = by_sp[
        np.minimum(first[sp] + (rng.random(len(sp)) * size[sp]).astype(np.int64), len(by_sp) - 1)
    ]
    client = cust["customer_id"].to_numpy()[pick].astype(object)
    client[(kind == 0) & (rng.random(len(kind)) < 0.25)] = None
    order = np.lexsort((kind, sp, when))
    types = np.array(
        [ACTIVITY_TYPES[k] for k in ("contact_received", "call", "call_completed")], dtype=object
    )
    sp_names = np.array([s for s, _ in SALESPEOPLE], dtype=object)
    return pd.DataFrame({
        "Date": pd.to_datetime(when[order]).astype("datetime64[ns]"),
        "Commercial": pd.array(sp_names[sp[order]], dtype="str"),
        "Type": pd.array(types[kind[order]], dtype="str"),
        "Client": pd.array(client[order], dtype="str"),
    })  # fmt: skip
