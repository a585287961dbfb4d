"""The workbook's work lists, last orders and usual products, on hand-typed frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from icpc.analysis.call_list import last_orders, usual_products, work_lists


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
