"""Cohorts (cohortes): customers by quarter of first sale, and how many stay active."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc.analysis.monthly import CustomerMonths, _changes, _month_numbers
from icpc.money import positive_cents

__all__ = ["Cohorts", "cohort_table"]


@dataclass(frozen=True)
class Cohorts:
    """Cohort retention (rétention par cohorte): customers by quarter of first sale.

    ``sizes``: customers per cohort (index ``cohort``, e.g. ``"2023-Q1"``); ``counts``:
    index ``cohort``, columns 0, 1, 2… = quarters after the cohort's quarter, value =
    customers of the cohort with net revenue > 0 in that quarter (NaN for quarters after
    ``as_of``'s quarter).
    """

    sizes: pd.Series
    counts: pd.DataFrame

    @property
    def rates(self) -> pd.DataFrame:
        """``counts`` divided by the cohort size (fractions)."""
        return self.counts.div(self.sizes.replace(0, np.nan), axis=0)


def cohort_table(table: pd.DataFrame, months: CustomerMonths) -> Cohorts:
    """Cohort retention table: customers by quarter of first sale × later quarters.

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods` of the same transactions (its ``CategoricalIndex``
        gives the customer codes; ``first_sale`` the cohort).
    months : CustomerMonths
        :func:`customer_months` of the same transactions.

    Returns
    -------
    Cohorts
        Quarter 0 counts the cohort's customers active (net revenue > 0) in their first
        quarter — slightly below the size when a credit note cancelled a first sale.
    """
    n = months.n_customers
    first_q = np.full(n, -1, dtype=np.int64)
    codes = np.asarray(table.index.codes, dtype=np.int64)
    fs = table["first_sale"]
    ok = fs.notna().to_numpy()
    first_q[codes[ok]] = _month_numbers(fs[ok]) // 3
    last_q = months.last_month // 3
    valid = first_q >= 0
    if not valid.any():
        empty = pd.Index([], name="cohort", dtype="str")
        return Cohorts(
            pd.Series([], index=empty, dtype="int64", name="customers"), pd.DataFrame(index=empty)
        )
    q0 = int(first_q[valid].min())
    n_coh = last_q - q0 + 1
    # (customer, quarter) sums: contiguous runs in the (customer, month)-sorted arrays
    q = months.month // 3
    key = months.customer * (last_q + 1) + q
    if len(key):
        starts = np.flatnonzero(_changes(key))
        qsum = np.add.reduceat(months.revenue, starts)
        qcust, qq = months.customer[starts], q[starts]
        act = positive_cents(qsum)
        qcust, qq = qcust[act], qq[act]
        coh = first_q[qcust]
        keep = coh >= 0
        offset = qq[keep] - coh[keep]
        coh_rel = coh[keep] - q0
        keep2 = offset >= 0
        counts = np.bincount(coh_rel[keep2] * n_coh + offset[keep2], minlength=n_coh * n_coh)
    else:
        counts = np.zeros(n_coh * n_coh, dtype=np.int64)
    counts = counts.reshape(n_coh, n_coh).astype(np.float64)
    sizes = np.bincount(first_q[valid] - q0, minlength=n_coh)
    rows = np.arange(n_coh)[:, None]
    counts[rows + np.arange(n_coh)[None, :] > n_coh - 1] = np.nan
    labels = [f"{(q0 + i) // 4}-Q{(q0 + i) % 4 + 1}" for i in range(n_coh)]
    index = pd.Index(labels, name="cohort")
    keep_rows = sizes > 0
    counts_df = pd.DataFrame(counts, index=index, columns=pd.RangeIndex(n_coh, name="quarter"))
    return Cohorts(
        pd.Series(sizes, index=index, name="customers")[keep_rows],
        counts_df.loc[keep_rows],
    )
