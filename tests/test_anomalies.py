"""Tests of icpc.analysis.anomalies: address normalisation, duplicate groups, suspicious creations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from icpc.analysis.anomalies import (
    _components,
    anomalies,
    duplicate_groups,
    normalise_address,
    normalise_siret,
    suspicious_creations,
)
from icpc.analysis.documents import documents

# (address A, postcode A, address B, postcode B, same place?)
PAIRS = [
    ("12 rue de la Paix", "75002", "12, R. de la Paix", "75002", True),
    ("12 rue de la Paix", "75002", "12 RUE DE LA PAIX", "75002", True),
    ("12 Rue de la Paix 75002 Paris", None, "12 rue de la paix", "75002", True),
    ("5 place de l'Église", "69001", "5 pl. de l Eglise", "69001", True),
    ("3 avenue Émile Zola", "13001", "3 Av. Emile Zola", "13001", True),
    ("8 Bd Voltaire", "75011", "8 boulevard  Voltaire", "75011", True),
    ("1 ch. des Vignes", "33000", "1 Chemin des Vignes", "33000", True),
    ("7 imp. des Lilas", "44000", "7 Impasse des Lilas", "44000", True),
    ("3 rue St-Jean", "31000", "3 rue Saint Jean", "31000", True),
    ("12 bis rue Pasteur", "59000", "12bis, rue Pasteur", "59000", True),
    ("12 bis rue Pasteur", "59000", "12 B rue Pasteur", "59000", True),
    ("  4   allée des Acacias ", "06000", "4 all. des acacias", "06000", True),
    ("10 rue Carnot", "1000", "10 rue Carnot", "01000", True),
    ("12 bis rue Pasteur", "59000", "12 rue Pasteur", "59000", False),
    ("12 ter rue Pasteur", "59000", "12 bis rue Pasteur", "59000", False),
    ("12 rue de la Paix", "75002", "12 rue de la Paix", "75003", False),
    ("12 rue de la Paix", "75002", "21 rue de la Paix", "75002", False),
    ("10 avenue Foch", "75016", "100 avenue Foch", "75016", False),
    ("3 rue du Moulin", "21000", "3 chemin du Moulin", "21000", False),
    ("3 place Carnot", "21000", "3 rue Carnot", "21000", False),
    ("5 rue Victor Hugo", "69001", "5 rue Hugo", "69001", False),
]
PAIR_IDS = [
    "r-dot", "case", "postcode-in-text", "pl-apostrophe-accent", "av-accent", "bd-spaces", "ch", "imp",
    "st-saint", "bis-glued", "bis-b", "allee-spaces", "postcode-zero", "bis-vs-none", "ter-vs-bis",
    "other-postcode", "other-number", "10-vs-100", "rue-vs-chemin", "place-vs-rue", "missing-word",
]  # fmt: skip


@pytest.mark.parametrize(("a", "cp_a", "b", "cp_b", "same"), PAIRS, ids=PAIR_IDS)
def test_address_pairs(a, cp_a, b, cp_b, same):
    keys = normalise_address(pd.Series([a, b]), pd.Series([cp_a, cp_b], dtype="str"))
    assert keys.notna().all()
    assert (keys.iloc[0] == keys.iloc[1]) is same, keys.tolist()


@pytest.mark.parametrize(
    "empty", [None, "", "   ", ",;"], ids=["null", "empty", "spaces", "punctuation"]
)
def test_empty_address_has_no_key(empty):
    assert normalise_address(pd.Series([empty], dtype="str"), pd.Series(["75002"])).isna().all()


@pytest.mark.parametrize(
    ("raw", "siren", "expected"),
    [
        ("123 456 789 00012", False, "12345678900012"),
        ("123456789", False, None),
        ("123456789", True, "123456789"),
        ("123 456 789 00012", True, "123456789"),
        ("00000000000000", False, None),
        ("n/a", False, None),
    ],
    ids=["spaces", "siren-only", "siren-mode", "siret-to-siren", "zeros", "text"],
)
def test_normalise_siret(raw, siren, expected):
    out = normalise_siret(pd.Series([raw], dtype="str"), siren=siren).iloc[0]
    assert (pd.isna(out) and expected is None) or out == expected


MASTER = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C", "D", "E", "F", "G"],
        "address": ["12 rue de la Paix", "12, R. de la Paix", "1 rue Carnot", "9 av Foch",
                    "9 avenue Foch", "3 rue Neuve", None],
        "postcode": ["75002", "75002", "75003", "75016", "75016", "69001", None],
        "siret": ["11111111100011", "", "22222222200022", "", "", "22222222200022", "33333333300033"],
    }
)  # fmt: skip


def test_duplicate_groups_connected_components():
    out = duplicate_groups(MASTER)
    group = out["duplicate_group"]
    # A~B by address; C~F by SIRET; D~E by address; G alone
    assert group["A"] == group["B"] and group["C"] == group["F"] and group["D"] == group["E"]
    assert len({group["A"], group["C"], group["D"]}) == 3
    assert pd.isna(group["G"]) and out.loc["G", "group_size"] == 1
    assert out.loc["C", "match"] == "siret" and out.loc["A", "match"] == "address"
    assert group.dropna().str.match(r"^D\d{4}$").all()


def _reference_components(u, v, size):
    """Components by breadth-first search over an adjacency list (the slow, obvious way)."""
    adjacency = [[] for _ in range(size)]
    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        adjacency[a].append(b)
        adjacency[b].append(a)
    label = [-1] * size
    for start in range(size):
        if label[start] < 0:
            label[start], todo = start, [start]
            while todo:
                for nxt in adjacency[todo.pop()]:
                    if label[nxt] < 0:
                        label[nxt] = start
                        todo.append(nxt)
    return np.array(label)


@pytest.mark.parametrize(
    ("size", "edges", "chain"),
    [(1, 0, False), (50, 30, False), (2000, 1500, False), (3000, 2500, True), (500, 0, True)],
    ids=["single", "sparse", "dense", "long-chain", "chain-only"],
)
def test_components_match_breadth_first_search(size, edges, chain):
    rng = np.random.default_rng(size + edges)
    u = rng.integers(0, size, edges)
    v = rng.integers(0, size, edges)
    if chain:  # a path visiting the nodes in random order: worst case for label propagation
        path = rng.permutation(size)
        u, v = np.r_[u, path[:-1]], np.r_[v, path[1:]]
    got = _components(u, v, size)
    expected = _reference_components(u, v, size)
    # same partition, each labelled by its smallest node
    assert np.array_equal(got, expected)


def test_duplicate_groups_are_transitive():
    master = pd.DataFrame(
        {"customer_id": ["A", "B", "C"], "address": ["1 rue X", "1 r. X", "5 rue Y"],
         "postcode": ["75001"] * 3, "siret": ["", "44444444400044", "44444444400044"]}
    )  # fmt: skip
    out = duplicate_groups(master)
    assert out["duplicate_group"].nunique() == 1 and (out["group_size"] == 3).all()
    assert out.loc["A", "match"] == "address+siret"


def test_siren_option_links_establishments_of_one_firm():
    master = pd.DataFrame(
        {"customer_id": ["A", "B"], "siret": ["55555555500011", "55555555500029"]}
    )
    assert duplicate_groups(master)["duplicate_group"].isna().all()
    assert duplicate_groups(master, siren=True)["duplicate_group"].nunique() == 1


def _creations(n_burst: int, basket: float, spread_days: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    burst = pd.DataFrame(
        {
            "duplicate_group": [f"D{i // 3:04d}" for i in range(n_burst)],
            "salesperson": "Julien",
            "created": pd.Timestamp("2024-03-01")
            + pd.to_timedelta(rng.integers(0, spread_days, n_burst), unit="D"),
            "revenue": basket,
            "sales": 1,
        }
    )
    others = pd.DataFrame(
        {
            "duplicate_group": [None] * 50,
            "salesperson": ["Alice", "Julien"] * 25,
            "created": pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(50) * 30, unit="D"),
            "revenue": 5000.0,
            "sales": 10,
        }
    )
    out = pd.concat([burst, others], ignore_index=True)
    out.index = pd.Index([f"C{i}" for i in range(len(out))], name="customer_id")
    return out


@pytest.mark.parametrize(
    ("n_burst", "basket", "spread_days", "flagged"),
    [(12, 120.0, 60, True), (12, 600.0, 60, False), (12, 120.0, 900, False), (3, 120.0, 30, False)],
    ids=["burst-small-baskets", "normal-baskets", "spread-over-years", "too-few"],
)
def test_suspicious_creations(n_burst, basket, spread_days, flagged):
    out = suspicious_creations(
        _creations(n_burst, basket, spread_days), window_days=90, min_customers=5
    )
    row = out.set_index("salesperson").loc["Julien"]
    assert bool(row["flagged"]) is flagged
    assert row["basket_others"] == pytest.approx(500.0)
    if spread_days <= 90:
        assert row["burst_customers"] == n_burst and row["basket_burst"] == pytest.approx(basket)


def test_anomalies_end_to_end_with_master_and_documents():
    tx = pd.DataFrame(
        {
            "customer_id": pd.Categorical(["A", "B", "C", "D", "E", "F"]),
            "date": pd.to_datetime(["2024-01-05"] * 6),
            "amount": [100.0, 50.0, 1000.0, 10.0, 20.0, 30.0],
            "salesperson": pd.Categorical(["Bob"] * 6),
        }
    )
    master = MASTER.assign(created_at=pd.to_datetime(["2024-01-01"] * 3 + [None] * 4))
    result = anomalies(master, documents(tx), as_of="2024-12-31")
    cust = result.customers
    assert cust.loc["D", "created"] == pd.Timestamp("2024-01-05")  # no created_at: first sale
    assert cust.loc["A", "basket"] == 100.0 and cust.loc["G", "sales"] == 0
    groups = result.groups.set_index("duplicate_group")
    assert groups["customers"].sum() == 6 and groups["revenue"].sum() == pytest.approx(1210.0)
    assert anomalies(None, documents(tx), as_of="2024-12-31").groups.empty
