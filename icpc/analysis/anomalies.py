"""Anomalies: customers that are one place or one firm, and suspicious bursts of creations.

A prospecting bonus can fill the customer file with "new customers" who are the same
household or firm at one address (the cleaning lady, the niece...). This module

1. normalises addresses (:func:`icpc.analysis.addresses.normalise_address`: case,
   accents, punctuation, common abbreviations, ``bis``/``ter``, postcode) into a key
   "number street postcode";
2. groups customers sharing an address key or a SIRET (or, as an option, a SIREN) into
   clusters: connected components of the customer-key graph
   (a vectorised union-find, :func:`_components`), so A~B by address and B~C by
   SIRET puts A, B and C in one group (:func:`duplicate_groups`);
3. flags a salesperson who created many clustered customers in a short time, with small
   baskets, and shows the basket of those customers against the others
   (:func:`suspicious_creations`).

Example
-------
>>> normalise_address(pd.Series(["12, R. de l'Église"]), pd.Series(["75002"])).tolist()
['12 rue eglise 75002']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.addresses import ABBREVIATIONS, normalise_address, normalise_siret
from icpc.analysis.positions import positions

__all__ = [
    "ABBREVIATIONS",
    "Anomalies",
    "normalise_address",
    "normalise_siret",
    "duplicate_groups",
    "suspicious_creations",
    "anomalies",
]


def _components(u: np.ndarray, v: np.ndarray, size: int) -> np.ndarray:
    """Connected components of an undirected graph given by its edges ``u``–``v``.

    Vectorised union-find (hook each root onto the smaller root of an edge, then
    compress paths fully), a few rounds for real graphs; each node's label is the
    smallest node of its component. Only the partition matters to the callers. Replaces
    ``scipy.sparse.csgraph.connected_components``, whose import alone costs ~0.25 s.
    """
    parent = np.arange(size, dtype=np.int64)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    while len(u):
        pu, pv = parent[u], parent[v]  # roots (paths are compressed)
        differ = pu != pv
        if not differ.any():
            break
        pu, pv = pu[differ], pv[differ]
        u, v = u[differ], v[differ]  # edges inside one tree never matter again
        # parent[x] <= x always holds, so hooking a root onto a smaller root makes no cycle
        np.minimum.at(parent, np.maximum(pu, pv), np.minimum(pu, pv))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def duplicate_groups(
    customers: pd.DataFrame, *, siren: bool = False, prefix: str = "D"
) -> pd.DataFrame:
    """Group customers sharing a normalised address or a SIRET (doublons, clients liés).

    Parameters
    ----------
    customers : DataFrame
        Customer master: ``customer_id`` and any of ``address``, ``postcode``, ``city``,
        ``siret``.
    siren : bool
        Match on the SIREN (first 9 digits) instead of the whole SIRET.
    prefix : str
        Prefix of the group ids.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str), one row per customer of the master. Columns
        ``address_key``, ``siret_key``, ``duplicate_group`` (e.g. "D0001", null when the
        customer shares nothing; groups numbered by size, then first customer id),
        ``group_size`` (1 when alone), ``match`` ("address", "siret",
        "address+siret" — what links the group; null when alone).
    """
    ids = customers[C.CUSTOMER_ID].astype("str").to_numpy()
    n = len(ids)
    get = customers.get
    addr = (
        normalise_address(customers[C.ADDRESS], get(C.POSTCODE), get(C.CITY))
        if C.ADDRESS in customers.columns
        else pd.Series(pd.NA, index=customers.index, dtype="str")
    )
    sir = (
        normalise_siret(customers[C.SIRET], siren=siren)
        if C.SIRET in customers.columns
        else pd.Series(pd.NA, index=customers.index, dtype="str")
    )
    # bipartite graph: customers 0..n-1, then one node per distinct key
    addr_codes, addr_uniques = pd.factorize(addr.to_numpy(), use_na_sentinel=True)
    sir_codes, _ = pd.factorize(sir.to_numpy(), use_na_sentinel=True)
    rows = np.r_[np.flatnonzero(addr_codes >= 0), np.flatnonzero(sir_codes >= 0)]
    cols = np.r_[n + addr_codes[addr_codes >= 0], n + len(addr_uniques) + sir_codes[sir_codes >= 0]]
    size = n + len(addr_uniques) + int(sir_codes.max(initial=-1)) + 1
    component = _components(rows, cols, size)
    comp = component[:n]
    comp_size = np.bincount(comp, minlength=component.max() + 1)[comp]
    grouped = comp_size > 1
    out = pd.DataFrame(
        {
            "address_key": addr.to_numpy(),
            "siret_key": sir.to_numpy(),
            "group_size": comp_size.astype(np.int64),
        },
        index=pd.Index(ids, name=C.CUSTOMER_ID),
    )
    group = np.full(n, None, dtype=object)
    match = np.full(n, None, dtype=object)
    if grouped.any():
        # number the groups by size (descending), then smallest customer id
        gpos = np.flatnonzero(grouped)
        order = np.lexsort((ids[gpos], -comp_size[gpos]))
        comps_in_order = pd.unique(comp[gpos][order])
        rank = np.zeros(component.max() + 1, dtype=np.int64)
        rank[comps_in_order] = np.arange(1, len(comps_in_order) + 1)
        width = max(4, len(str(len(comps_in_order))))
        group[gpos] = np.char.add(
            prefix, np.char.zfill(rank[comp[gpos]].astype(str), width)
        ).astype(object)
        # what links each group: a key shared by two of its customers (a key's customers
        # are always in one component)
        n_comp = component.max() + 1
        by_addr = np.zeros(n_comp, dtype=bool)
        by_sir = np.zeros(n_comp, dtype=bool)
        for codes, flag in ((addr_codes, by_addr), (sir_codes, by_sir)):
            has = codes >= 0
            shared = np.zeros(n, dtype=bool)
            shared[has] = np.bincount(codes[has])[codes[has]] > 1
            flag[comp[shared]] = True
        kinds = np.array(["", "address", "siret", "address+siret"], dtype=object)
        match[gpos] = kinds[by_addr[comp[gpos]].astype(int) + 2 * by_sir[comp[gpos]].astype(int)]
    group = pd.Series(group, index=out.index, dtype="str")
    match = pd.Series(match, index=out.index, dtype="str")
    out["duplicate_group"] = group
    out["match"] = match
    return out[["address_key", "siret_key", "duplicate_group", "group_size", "match"]]


def suspicious_creations(
    customers: pd.DataFrame,
    *,
    window_days: int = 90,
    min_customers: int = 5,
    basket_ratio: float = 0.5,
) -> pd.DataFrame:
    """Salespeople who created many clustered customers in a short time with small baskets.

    Parameters
    ----------
    customers : DataFrame
        Index ``customer_id``; columns ``duplicate_group`` (null when alone),
        ``salesperson``, ``created`` (creation date: master ``created_at``, else first
        sale), ``revenue`` (net, up to ``as_of``) and ``sales`` (sale documents).
    window_days : int
        Length of the "short time" (days).
    min_customers : int
        A salesperson is flagged from this many clustered customers created within
        ``window_days``...
    basket_ratio : float
        ... when their average basket (panier moyen) is at most this fraction of the
        basket of the customers in no group.

    Returns
    -------
    DataFrame
        One row per salesperson with clustered customers, most created in a window first.
        Columns ``salesperson``, ``clustered_customers`` (all, any date), ``burst_customers``
        (most clustered customers created within ``window_days``), ``burst_start``,
        ``burst_end`` (creation dates of the first and last of them), ``burst_groups``
        (distinct groups among them), ``basket_burst`` (their average basket),
        ``basket_others`` (average basket of the customers in no group, the whole
        portfolio), ``basket_ratio`` (burst / others), ``flagged``.
    """
    cols = ["salesperson", "clustered_customers", "burst_customers", "burst_start", "burst_end",
            "burst_groups", "basket_burst", "basket_others", "basket_ratio", "flagged"]  # fmt: skip
    in_group = customers["duplicate_group"].notna().to_numpy()
    others = customers.loc[~in_group]
    sales_others = others["sales"].sum()
    basket_others = others["revenue"].sum() / sales_others if sales_others else np.nan
    clustered = customers.loc[
        in_group
        & customers["salesperson"].notna().to_numpy()
        & customers["created"].notna().to_numpy()
    ]
    if clustered.empty:
        return pd.DataFrame(columns=cols)
    sp_codes, sp_names = pd.factorize(clustered["salesperson"].astype("str"))
    day = clustered["created"].to_numpy().astype("datetime64[D]").astype(np.int64)
    span = int(day.max() - day.min()) + window_days + 1
    key = sp_codes.astype(np.int64) * span + (day - day.min())
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    # customers of the same salesperson created in [day_i, day_i + window_days)
    count = np.searchsorted(key_sorted, key_sorted + window_days, side="left") - np.arange(
        len(key_sorted)
    )
    sp_sorted = sp_codes[order]
    best = pd.DataFrame({"sp": sp_sorted, "count": count, "pos": np.arange(len(order))})
    best = best.sort_values(["sp", "count", "pos"], ascending=[True, False, True]).drop_duplicates(
        "sp"
    )
    start_key = key_sorted[best["pos"].to_numpy()]
    burst_start_of_sp = np.full(len(sp_names), -1, dtype=np.int64)
    burst_start_of_sp[best["sp"].to_numpy()] = start_key
    sk = burst_start_of_sp[sp_sorted]
    in_burst_sorted = (key_sorted >= sk) & (key_sorted < sk + window_days)
    burst = clustered.iloc[order[in_burst_sorted]]
    g_burst = burst.groupby(sp_sorted[in_burst_sorted])
    out = pd.DataFrame(
        {
            "salesperson": np.asarray(sp_names, dtype=object),
            "clustered_customers": np.bincount(sp_codes, minlength=len(sp_names)),
            "burst_customers": g_burst.size()
            .reindex(range(len(sp_names)), fill_value=0)
            .to_numpy(),
            "burst_start": g_burst["created"].min().reindex(range(len(sp_names))).to_numpy(),
            "burst_end": g_burst["created"].max().reindex(range(len(sp_names))).to_numpy(),
            "burst_groups": g_burst["duplicate_group"]
            .nunique()
            .reindex(range(len(sp_names)))
            .to_numpy(),
        }
    )
    rev = g_burst["revenue"].sum().reindex(range(len(sp_names))).to_numpy()
    sales = g_burst["sales"].sum().reindex(range(len(sp_names))).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["basket_burst"] = np.where(sales > 0, rev / sales, np.nan)
    out["basket_others"] = basket_others
    out["basket_ratio"] = out["basket_burst"] / basket_others if basket_others else np.nan
    small = (out["basket_ratio"] <= basket_ratio) | (out["basket_burst"].isna())
    out["flagged"] = (out["burst_customers"] >= min_customers) & small
    out = out.sort_values(["flagged", "burst_customers"], ascending=[False, False], kind="stable")
    return out[cols].reset_index(drop=True)


@dataclass(frozen=True)
class Anomalies:
    """Result of :func:`anomalies`.

    ``customers``: one row per customer of the master (:func:`duplicate_groups` columns
    plus ``salesperson``, ``created``, ``revenue``, ``sales``, ``basket``);
    ``groups``: one row per duplicate group (``duplicate_group``, ``customers``,
    ``match``, ``revenue``, ``sales``, ``basket``, ``salespeople``, ``first_created``,
    ``last_created``); ``salespeople``: :func:`suspicious_creations`.
    """

    customers: pd.DataFrame
    groups: pd.DataFrame
    salespeople: pd.DataFrame

    @property
    def flagged_salespeople(self) -> list[str]:
        """Names of the flagged salespeople."""
        sp = self.salespeople
        return sp.loc[sp["flagged"], "salesperson"].astype(str).tolist() if len(sp) else []


def anomalies(
    customers: pd.DataFrame | None,
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    attribution: pd.DataFrame | None = None,
    siren: bool = False,
    window_days: int = 90,
    min_customers: int = 5,
    basket_ratio: float = 0.5,
) -> Anomalies:
    """Duplicate customers (address / SIRET clusters) and suspicious creations (anomalies).

    Parameters
    ----------
    customers : DataFrame or None
        Customer master (``customer_id``, optional ``address``, ``postcode``, ``city``,
        ``siret``, ``created_at``, ``salesperson``). None: no master, nothing to group.
    documents : DataFrame
        Output of :func:`icpc.analysis.documents.documents` (for baskets and first sales).
    as_of : date
        Analysis date; later documents are ignored.
    attribution : DataFrame, optional
        :func:`icpc.cleaning.customer_attribution`; the salesperson of a customer when the
        master has none.
    siren, window_days, min_customers, basket_ratio
        See :func:`duplicate_groups` and :func:`suspicious_creations`.

    Returns
    -------
    Anomalies
    """
    return _anomalies(
        customers,
        documents,
        as_of=as_of,
        attribution=attribution,
        siren=siren,
        window_days=window_days,
        min_customers=min_customers,
        basket_ratio=basket_ratio,
        stats=None,
    )


def _anomalies(
    customers: pd.DataFrame | None,
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    stats: pd.DataFrame | None,
    attribution: pd.DataFrame | None = None,
    siren: bool = False,
    window_days: int = 90,
    min_customers: int = 5,
    basket_ratio: float = 0.5,
) -> Anomalies:
    """:func:`anomalies`, given ``stats``: the :func:`icpc.analysis.score3d.rfm` of
    ``documents`` at ``as_of`` over the whole history (any basis) when already computed
    (the Diagnostic's), else None (computed here when there is a customer master)."""
    from icpc.analysis.score3d import rfm

    empty_groups = pd.DataFrame(columns=["duplicate_group", "customers", "match", "revenue", "sales", "basket",
                                         "salespeople", "first_created", "last_created"])  # fmt: skip
    if customers is None or len(customers) == 0:
        cust = pd.DataFrame(
            columns=["address_key", "siret_key", "duplicate_group", "group_size", "match"]
        )
        cust.index.name = C.CUSTOMER_ID
        return Anomalies(
            cust,
            empty_groups,
            suspicious_creations(
                pd.DataFrame(
                    columns=["duplicate_group", "salesperson", "created", "revenue", "sales"]
                )
            ),
        )
    master = customers.drop_duplicates(C.CUSTOMER_ID, keep="last").reset_index(drop=True)
    out = duplicate_groups(master, siren=siren)  # same row order as master
    stats = stats if stats is not None else rfm(documents, as_of=as_of)
    # one positional indexer per source frame (string-index reindexing is the slow part)
    at = positions(out.index, stats.index)
    found = at >= 0
    revenue = np.where(found, stats["revenue"].to_numpy()[at], 0.0)
    sales = np.where(found, stats["frequency"].to_numpy()[at], 0)
    first_sale = np.where(found, stats["first_sale"].to_numpy()[at], np.datetime64("NaT"))
    created = (
        master[C.CREATED_AT].to_numpy(dtype="datetime64[ns]")
        if C.CREATED_AT in master.columns
        else np.full(len(out), np.datetime64("NaT"), dtype="datetime64[ns]")
    )
    created = np.where(np.isnat(created), first_sale, created)
    salesperson = np.full(len(out), None, dtype=object)
    if attribution is not None and C.SALESPERSON in attribution.columns:
        pos = positions(out.index, attribution.index.astype(str))
        values = attribution[C.SALESPERSON].to_numpy(dtype=object)
        salesperson = np.asarray(np.where(pos >= 0, values[pos], None), dtype=object)
    if C.SALESPERSON in master.columns:
        own = master[C.SALESPERSON].to_numpy(dtype=object)
        salesperson = np.where(pd.isna(own), salesperson, own)
    out["salesperson"] = salesperson
    out["created"] = created
    out["revenue"] = revenue
    out["sales"] = sales.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["basket"] = np.where(sales > 0, revenue / sales, np.nan)
    flagged = suspicious_creations(
        out, window_days=window_days, min_customers=min_customers, basket_ratio=basket_ratio
    )
    grouped = out[out["duplicate_group"].notna()]
    if grouped.empty:
        return Anomalies(out, empty_groups, flagged)
    g = grouped.groupby("duplicate_group")
    groups = pd.DataFrame(
        {
            "customers": g.size(),
            "match": g["match"].first(),
            "revenue": g["revenue"].sum().round(2),
            "sales": g["sales"].sum(),
            "first_created": g["created"].min(),
            "last_created": g["created"].max(),
        }
    )
    groups["basket"] = groups["revenue"] / groups["sales"].where(groups["sales"] > 0)
    pairs = grouped[["duplicate_group", "salesperson"]].dropna().astype("str").drop_duplicates()
    pairs = pairs.sort_values(["duplicate_group", "salesperson"])
    groups["salespeople"] = (
        pairs.groupby("duplicate_group")["salesperson"]
        .agg(", ".join)
        .reindex(groups.index)
        .fillna("")
    )
    groups = groups.reset_index()[empty_groups.columns]
    return Anomalies(out, groups, flagged)
