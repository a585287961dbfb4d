"""The workbook's work lists, last orders and usual products, on hand-typed frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from icpc.analysis.call_list import last_orders, shared_keys, usual_products, work_lists


def _ew(flagged: dict[str, int]) -> pd.DataFrame:
    ids = ["A", "B", "C", "D", "E"]
    return pd.DataFrame(
        {
            "early_warning": [c in flagged for c in ids],
            "rank": pd.array([flagged.get(c) for c in ids], dtype="Int64"),
        },
        index=pd.Index(ids, name="customer_id"),
    )


TABLE = pd.DataFrame(
    {
        "revenue": [100.0, 0.0, 50.0, 0.0, 80.0],
        "revenue_previous": [200.0, 300.0, 50.004, 40.0, 90.0],
        "salesperson": pd.Categorical(["Paul", "Paul", None, "Anne", "Anne"]),
    },
    index=pd.CategoricalIndex(["A", "B", "C", "D", "E"], name="customer_id"),
)


def test_work_lists_one_list_a_customer_in_the_order_to_work_them():
    out = work_lists(early_warning=_ew({"A": 1}), table=TABLE, win_back=("A", "B"))
    expected = pd.DataFrame(
        {
            "customer_id": ["A", "B", "D", "E"],
            "list": ["call", "win_back", "falling", "falling"],
            "rank": np.array([1, 1, 1, 2], dtype=np.int64),
            "salesperson": ["Paul", "Paul", "Anne", "Anne"],
        }
    )
    # A is called, not won back; C's fall is below the cent; D fell by 40, E by 10
    pdt.assert_frame_equal(out, expected)


def test_every_lost_customer_is_to_win_back_the_plan_s_first():
    """B is the plan's; D, lost too, follows on the list to win back (not among the falls),
    then the falls; a lost customer already called stays called."""
    out = work_lists(
        early_warning=_ew({"A": 1}), table=TABLE, win_back=("B",), lost=("D", "B", "A")
    )
    assert out["customer_id"].tolist() == ["A", "B", "D", "E"]
    assert out["list"].tolist() == ["call", "win_back", "win_back", "falling"]
    assert out["rank"].tolist() == [1, 1, 2, 1]
    many = work_lists(early_warning=_ew({}), table=TABLE, lost=("D", "B"))
    assert many["customer_id"].tolist()[:2] == ["B", "D"]  # largest revenue N−1 first


def test_work_lists_without_salesperson_column():
    out = work_lists(early_warning=_ew({}), table=TABLE.drop(columns=["salesperson"]))
    assert out["list"].tolist() == ["falling"] * 4 and out["salesperson"].isna().all()
    assert out["customer_id"].tolist() == ["B", "A", "D", "E"]  # largest fall first


def _documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.Categorical(["A", "A", "A", "B", "A"]),
            "date": pd.to_datetime(
                ["2024-01-05", "2024-03-01", "2024-03-01", "2024-02-01", "2024-03-10"]
            ),  # fmt: skip
            "amount": [100.0, 40.125, 10.0, 70.0, -20.0],
            "is_sale": [True, True, True, True, False],
        }
    )


def test_last_orders_the_sale_documents_of_the_last_sale_day_and_the_basket():
    stats = pd.DataFrame(
        {"revenue": [130.125, 70.0], "frequency": [3, 1]}, index=pd.Index(["A", "B"])
    )
    out = last_orders(_documents(), stats)
    assert out.loc["A", "last_sale"] == pd.Timestamp("2024-03-01")  # the credit note is no sale
    assert out.loc["A", "last_order"] == pytest.approx(50.125)  # two invoices that day
    assert out.loc["A", "basket"] == pytest.approx(130.125 / 3)
    assert out.loc["B", "last_order"] == 70.0


def _lines(**columns) -> pd.DataFrame:
    base = {
        "customer_id": pd.Categorical(["A"] * 5 + ["B"]),
        "date": pd.to_datetime(
            ["2023-01-01", "2024-02-01", "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01"]
        ),  # fmt: skip
        "amount": [999.0, 10.0, 30.0, 20.0, -5.0, 7.0],
    }
    return pd.DataFrame(base | columns)


def test_usual_products_the_largest_over_the_12_months_up_to_the_last_purchase():
    tx = _lines(product=pd.Categorical(["Old", "Vis", "Colle", "Vis", "Gants", "Vis"]))
    last = pd.Series(pd.to_datetime(["2024-03-01", "2024-03-01"]), index=["A", "B"])
    out = usual_products(tx, last, top=2)
    expected = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B"],
            "rank": np.array([1, 2, 1]),
            "product": ["Colle", "Vis", "Vis"],
            "revenue": [30.0, 30.0, 7.0],
        }
    )
    # "Old" is older than 12 months before A's last purchase; "Gants" nets to nothing; the
    # tie between Colle and Vis (30 each) goes by name
    pdt.assert_frame_equal(out, expected, check_dtype=False)


def test_usual_products_falls_back_on_families_and_is_none_without_either():
    last = pd.Series(pd.to_datetime(["2024-03-01", "2024-03-01"]), index=["A", "B"])
    tx = _lines(product=pd.Categorical([None] * 6), product_family=pd.Categorical(["F"] * 6))
    out = usual_products(tx, last)
    assert out is not None and "product_family" in out.columns and "product" not in out.columns
    assert usual_products(_lines(), last) is None


def test_shared_keys_what_each_member_shares_not_what_links_his_group():
    """A~B~C by address, C~D by SIRET: one group of four linked by « address+siret », yet A
    shares only his address (with 2), D only his SIRET (with 1); E is alone, F's SIRET is
    his own and his address unknown."""
    customers = pd.DataFrame(
        {
            "address_key": ["1 rue a", "1 rue a", "1 rue a", "2 rue b", "3 rue c", None],
            "siret_key": ["11111111100011", None, "22222222200022", "22222222200022", None,
                          "33333333300033"],
            "duplicate_group": ["D0001"] * 4 + [None, None],
            "group_size": [4, 4, 4, 4, 1, 1],
            "match": ["address+siret"] * 4 + [None, None],
        },
        index=pd.Index(["A", "B", "C", "D", "E", "F"], name="customer_id"),
    )  # fmt: skip
    expected = pd.DataFrame(
        {
            "duplicate_group": ["D0001"] * 4,
            "group_size": np.array([4, 4, 4, 4], dtype=np.int64),
            "same_address": np.array([2, 2, 2, 0], dtype=np.int64),
            "same_siret": np.array([0, 0, 1, 1], dtype=np.int64),
            "shares": ["address", "address", "address+siret", "siret"],
        },
        index=pd.Index(["A", "B", "C", "D"], name="customer_id"),
    )
    pdt.assert_frame_equal(shared_keys(customers), expected)


def test_shared_keys_of_a_master_without_groups_is_empty():
    customers = pd.DataFrame(
        {"address_key": ["1 rue a"], "siret_key": [None], "duplicate_group": [None],
         "group_size": [1]},
        index=pd.Index(["A"], name="customer_id"),
    )  # fmt: skip
    out = shared_keys(customers)
    assert out.empty and list(out.columns) == [
        "duplicate_group", "group_size", "same_address", "same_siret", "shares",
    ]  # fmt: skip
