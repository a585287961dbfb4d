"""The sales team's work lists (listes de travail): whom to call, whom to win back, whose revenue fell.

Frames in, frames out, no words: the workbook (:mod:`icpc.export.sheets`) words them.

- :func:`work_lists`: one row per customer on a list — ``call`` (the early warning's
  flagged customers, by value at stake: the plan's ``call_slipping``), ``win_back`` (the
  plan's lost customers to win back, largest revenue N−1 first: ``win_back_lost``) and
  ``falling`` (revenue N below revenue N−1, on neither list before: the customers of the
  plan's ``salesperson_gap``, the largest fall first). A customer is on one list at most.
- :func:`last_orders`: the date and amount of each customer's last order, and his usual
  basket (panier habituel).
- :func:`usual_products`: each customer's top products (or families) by revenue over
  the 12 months up to his last purchase.
- :func:`shared_keys`: what each customer of a duplicate group shares with the others of
  it — his address with how many, his SIRET with how many (a group links customers by an
  address *or* a SIRET: a member may share only one of them, with few of the others).

Example
-------
>>> lists = work_lists(early_warning=diag.early_warning, table=diag.table,
...                    win_back=("C042",))  # doctest: +SKIP
>>> lists.loc[lists["list"] == "call", "customer_id"].head(20)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.score3d import _customer_codes
from icpc.money import cents, exact

__all__ = [
    "LISTS",
    "SHARED_KEYS_COLUMNS",
    "WORK_LIST_COLUMNS",
    "last_orders",
    "shared_keys",
    "usual_products",
    "work_lists",
]

#: the lists, in the order a salesperson works them
LISTS = ("call", "win_back", "falling")
#: output columns of :func:`work_lists`, in order
WORK_LIST_COLUMNS = (C.CUSTOMER_ID, "list", "rank", C.SALESPERSON)
#: output columns of :func:`shared_keys`, in order
SHARED_KEYS_COLUMNS = ("duplicate_group", "group_size", "same_address", "same_siret", "shares")
#: products shown per customer by :func:`usual_products`
TOP_PRODUCTS = 3
#: months of purchases :func:`usual_products` looks at, up to the customer's last purchase
PRODUCT_MONTHS = 12


def _by_id(series: pd.Series) -> pd.Series:
    return pd.Series(series.to_numpy(dtype=object), index=series.index.astype(str))


def work_lists(
    *,
    early_warning: pd.DataFrame,
    table: pd.DataFrame,
    win_back: Sequence[str] = (),
    lost: Sequence[str] = (),
) -> pd.DataFrame:
    """The customers to call, to win back and whose revenue fell, one list each.

    Parameters
    ----------
    early_warning : DataFrame
        :func:`icpc.analysis.warning.early_warning` (``early_warning``, ``rank``).
    table : DataFrame
        :func:`icpc.analysis.customers.customer_periods` (``revenue``,
        ``revenue_previous``, optional ``salesperson``).
    win_back : sequence of str
        The lost customers to win back first, in order (the plan's ``win_back_lost`` action).
    lost : sequence of str
        Every lost customer (:attr:`Dynamics.lost`): those not called nor in ``win_back``
        follow on the list to win back, largest revenue N−1 first, so that a salesperson
        finds all his lost customers there, not some among the falls.

    Returns
    -------
    DataFrame
        RangeIndex, columns :data:`WORK_LIST_COLUMNS`: ``customer_id`` (str), ``list``
        (``call``, ``win_back``, ``falling``), ``rank`` (1… within the list: value at
        stake for ``call``, the plan's order for ``win_back``, the fall in revenue
        ``revenue_previous − revenue`` for ``falling``, ties by id), ``salesperson``
        (None when unknown or not mapped). Lists in :data:`LISTS` order.

    Example
    -------
    >>> lists = work_lists(early_warning=ew, table=table)  # doctest: +SKIP
    """
    flagged = early_warning.loc[early_warning["early_warning"].to_numpy(dtype=bool)]
    call = [str(c) for c in flagged.sort_values("rank", kind="stable").index]
    called = set(call)
    back = list(dict.fromkeys(str(c) for c in win_back if str(c) not in called))
    ids = table.index.astype(str)
    revenue = cents(table["revenue"].to_numpy(dtype=float))
    previous = cents(np.nan_to_num(table["revenue_previous"].to_numpy(dtype=float)))
    others = pd.Index([str(c) for c in lost]).difference(pd.Index([*called, *back]))
    if len(others):  # the other lost customers, largest revenue N−1 first
        was = pd.Series(previous, index=ids).reindex(others).fillna(0.0)
        order = pd.DataFrame({"id": others, "previous": was.to_numpy()})
        order = order.sort_values(["previous", "id"], ascending=[False, True], kind="stable")
        back += order["id"].tolist()
    taken = called | set(back)
    fell = (revenue < previous) & ~ids.isin(list(taken))  # a hash lookup (np.isin sorts text)
    falls = pd.DataFrame({"customer_id": ids[fell], "fall": (previous - revenue)[fell]})
    falls = falls.sort_values(["fall", "customer_id"], ascending=[False, True], kind="stable")
    falling = falls["customer_id"].tolist()
    parts = [(name, members) for name, members in zip(LISTS, (call, back, falling), strict=True)]
    out = pd.DataFrame(
        {
            C.CUSTOMER_ID: [c for _, members in parts for c in members],
            "list": [name for name, members in parts for _ in members],
            "rank": np.concatenate([np.arange(1, len(m) + 1, dtype=np.int64) for _, m in parts]),
        }
    )
    people = (
        _by_id(table[C.SALESPERSON]) if C.SALESPERSON in table.columns else pd.Series(dtype=object)
    )
    values = people.reindex(out[C.CUSTOMER_ID]).to_numpy(dtype=object)
    out[C.SALESPERSON] = [None if pd.isna(v) else v for v in values]
    return out[list(WORK_LIST_COLUMNS)]


def last_orders(documents: pd.DataFrame, stats: pd.DataFrame) -> pd.DataFrame:
    """Each customer's last order and usual basket (dernière commande, panier habituel).

    Parameters
    ----------
    documents : DataFrame
        :func:`icpc.analysis.documents.documents` up to ``as_of`` (``customer_id``,
        ``date``, ``amount``, ``is_sale``).
    stats : DataFrame
        :func:`icpc.analysis.score3d.rfm` over the whole history (``revenue``: net
        revenue, ``frequency``: sale documents), index ``customer_id`` (str).

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str), one row per customer with a sale: ``last_sale`` (date
        of his last sale document), ``last_order`` (total of his sale documents of that
        day, exact), ``basket`` (his average basket: net revenue / sale documents over
        the whole history, as the anomalies' basket).

    Example
    -------
    >>> last_orders(diag.documents, diag.rfm_history).loc["C042", "last_order"]  # doctest: +SKIP
    """
    sales = documents.loc[documents["is_sale"].to_numpy(dtype=bool)]
    ids = sales[C.CUSTOMER_ID].astype(str).to_numpy()
    dates = sales[C.DATE].to_numpy(dtype="datetime64[ns]")
    frame = pd.DataFrame({"id": ids, "date": dates, "amount": sales[C.AMOUNT].to_numpy(float)})
    last = frame.groupby("id", sort=False)["date"].max()
    on_last = frame.loc[frame["date"].to_numpy() == last.reindex(frame["id"]).to_numpy()]
    amount = on_last.groupby("id", sort=False)["amount"].sum()
    out = pd.DataFrame({"last_sale": last, "last_order": exact(amount.reindex(last.index))})
    out.index.name = C.CUSTOMER_ID
    sold = stats["frequency"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        basket = np.where(sold > 0, stats["revenue"].to_numpy(dtype=float) / sold, np.nan)
    out["basket"] = pd.Series(basket, index=stats.index.astype(str)).reindex(out.index)
    return out


def usual_products(
    transactions: pd.DataFrame,
    last_sale: pd.Series,
    *,
    months: int = PRODUCT_MONTHS,
    top: int = TOP_PRODUCTS,
) -> pd.DataFrame | None:
    """Each customer's usual products (produits habituels): his ``top`` by net revenue.

    Over the ``months`` months up to his last purchase (``(last_sale + 1 day) − months``
    to ``last_sale``), so that a customer to win back shows what he used to buy. The
    products when ``product`` is mapped and filled, else the families
    (``product_family``); None when neither is.

    Parameters
    ----------
    transactions : DataFrame
        Canonical invoice lines up to ``as_of`` (``customer_id``, ``date``, ``amount``,
        optional ``product``, ``product_family``).
    last_sale : Series
        Date of each customer's last sale, index ``customer_id`` (str)
        (:func:`last_orders`).
    months, top : int
        The window and the number of products per customer.

    Returns
    -------
    DataFrame or None
        RangeIndex, columns ``customer_id`` (str), ``rank`` (1 = his largest), then
        ``product`` or ``product_family`` (the column used), ``revenue`` (net, exact, > 0);
        customers by id, each one's products by decreasing revenue (ties by name).

    Example
    -------
    >>> usual_products(diag.transactions, orders["last_sale"]).head(3)  # doctest: +SKIP
    """
    column = next(
        (
            c
            for c in (C.PRODUCT, C.PRODUCT_FAMILY)
            if c in transactions.columns and transactions[c].notna().any()
        ),
        None,
    )
    if column is None:
        return None
    # on the customers' integer codes: no text per line (millions of them)
    codes, names = _customer_codes(transactions[C.CUSTOMER_ID])
    last = pd.Series(last_sale.to_numpy(dtype="datetime64[ns]"), index=last_sale.index.astype(str))
    start = last + pd.Timedelta(days=1) - pd.DateOffset(months=int(months))
    at = np.append(last.index.get_indexer(names), -1)[codes]  # code −1 (none) → −1
    dates = transactions[C.DATE].to_numpy(dtype="datetime64[ns]")
    item = transactions[column]
    found = at >= 0
    inside = found & item.notna().to_numpy()
    inside &= dates >= np.where(found, start.to_numpy()[at], np.datetime64("NaT"))
    inside &= dates <= np.where(found, last.to_numpy()[at], np.datetime64("NaT"))
    lines = pd.DataFrame(
        {
            C.CUSTOMER_ID: names.to_numpy(dtype=object)[codes[inside]],
            column: item[inside].astype(str).to_numpy(dtype=object),
            "revenue": transactions[C.AMOUNT].to_numpy(dtype=float)[inside],
        }
    )
    sums = lines.groupby([C.CUSTOMER_ID, column], sort=False)["revenue"].sum().reset_index()
    sums["revenue"] = exact(sums["revenue"].to_numpy())
    sums = sums.loc[cents(sums["revenue"].to_numpy()) > 0]
    sums = sums.sort_values(
        [C.CUSTOMER_ID, "revenue", column], ascending=[True, False, True], kind="stable"
    )
    sums["rank"] = sums.groupby(C.CUSTOMER_ID, sort=False).cumcount() + 1
    out = sums.loc[sums["rank"] <= top, [C.CUSTOMER_ID, "rank", column, "revenue"]]
    return out.reset_index(drop=True)


def shared_keys(customers: pd.DataFrame) -> pd.DataFrame:
    """What each grouped customer shares with the others of his group (ce qu'il partage).

    A duplicate group links customers sharing an address key *or* a SIRET key with at
    least one other member (:func:`icpc.analysis.anomalies.duplicate_groups`): a member
    may share his address with some, his SIRET with others, or only one of them. Two
    customers with one key are always in one group, so the counts are within his group.

    Parameters
    ----------
    customers : DataFrame
        :attr:`icpc.analysis.anomalies.Anomalies.customers`: index ``customer_id``,
        ``address_key``, ``siret_key`` (normalised, null when unknown),
        ``duplicate_group`` (null when alone), ``group_size``.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str), one row per customer in a group, in ``customers``'
        order; columns :data:`SHARED_KEYS_COLUMNS`: ``duplicate_group``, ``group_size``,
        ``same_address`` (other customers with his address key, 0 when none or unknown),
        ``same_siret`` (the same for his SIRET key), ``shares`` (``address``, ``siret``
        or ``address+siret``: what he shares, with at least one other).

    Example
    -------
    >>> shared_keys(diag.anomalies.customers).loc["C00321"]  # doctest: +SKIP
    duplicate_group           D0001
    group_size                   14
    same_address                 13
    same_siret                    0
    shares                  address
    """
    grouped = customers.loc[customers["duplicate_group"].notna().to_numpy()]
    out = pd.DataFrame(
        {
            "duplicate_group": grouped["duplicate_group"].astype(str).to_numpy(dtype=object),
            "group_size": grouped["group_size"].to_numpy(dtype=np.int64),
        },
        index=pd.Index(grouped.index.astype(str), name=C.CUSTOMER_ID),
    )
    for column, key in (("same_address", "address_key"), ("same_siret", "siret_key")):
        # every customer of a key is counted, grouped or not (a shared key makes a group)
        codes, _ = pd.factorize(customers[key].to_numpy(dtype=object), use_na_sentinel=True)
        counts = np.bincount(codes[codes >= 0], minlength=int(codes.max(initial=-1)) + 1)
        counts = np.r_[counts, 1]  # code -1 (no key) reads the last: himself alone
        mine = codes[customers["duplicate_group"].notna().to_numpy()]
        out[column] = (counts[mine] - 1).astype(np.int64)
    kinds = np.array([None, "address", "siret", "address+siret"], dtype=object)
    shares = (out["same_address"].to_numpy() > 0) + 2 * (out["same_siret"].to_numpy() > 0)
    out["shares"] = kinds[shares]
    return out[list(SHARED_KEYS_COLUMNS)]
