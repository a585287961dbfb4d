"""The revenue bridge N−1 → N by customer class, and the three-factor LMDI decomposition.

The class contributions add up exactly to the revenue change; the LMDI (log-mean Divisia)
effects of customers × frequency × basket too (docs/definitions.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc.analysis.customers import CLASSES, _round

__all__ = ["Decomposition", "lmdi_decomposition", "decompose_revenue", "Bridge", "revenue_bridge"]


def _logmean(a: float, b: float) -> float:
    """Logarithmic mean L(a, b) = (a - b) / (ln a - ln b), L(a, a) = a."""
    la, lb = math.log(a), math.log(b)
    if a == b or la == lb:  # equal, or a few ulps apart: L(a, b) -> (a + b) / 2
        return (a + b) / 2
    return (a - b) / (la - lb)


@dataclass(frozen=True)
class Decomposition:
    """Three-factor split of the revenue change (décomposition clients × fréquence × panier).

    ``customers + frequency + basket == change``; ``method`` is ``"lmdi"`` or, when a
    factor is 0 or negative in one period, ``"all to customers"``.
    """

    customers: float
    frequency: float
    basket: float
    change: float
    method: str

    def as_dict(self) -> dict[str, float]:
        """``{"customers", "frequency", "basket"}``."""
        return {"customers": self.customers, "frequency": self.frequency, "basket": self.basket}


def lmdi_decomposition(
    current: tuple[float, float, float], previous: tuple[float, float, float]
) -> Decomposition:
    """Additive LMDI split of a revenue change into customers, frequency and basket effects.

    With revenue R = customers × frequency × basket and L the logarithmic mean,
    effect_X = L(R_N, R_N-1) · ln(X_N / X_N-1). The basket effect is computed as the
    change minus the two others (equal to its LMDI formula, which sums exactly).

    Parameters
    ----------
    current, previous : (customers, sales_count, revenue)
        Active customers, sales and revenue of N and N-1 (NaN counts as 0).

    Returns
    -------
    Decomposition
        When any of the six figures is <= 0 (e.g. no N-1 data, or every customer lost)
        the logarithms are undefined: the whole change goes to the customers effect and
        ``method`` is ``"all to customers"``, so the sum still equals the change.
    """
    c1, s1, r1 = (0.0 if math.isnan(x) else float(x) for x in current)
    c0, s0, r0 = (0.0 if math.isnan(x) else float(x) for x in previous)
    change = r1 - r0
    if min(c1, s1, r1, c0, s0, r0) <= 0:
        return Decomposition(change, 0.0, 0.0, change, "all to customers")
    w = _logmean(r1, r0)
    e_customers = w * math.log(c1 / c0)
    e_frequency = w * math.log((s1 / c1) / (s0 / c0))
    return Decomposition(
        e_customers, e_frequency, change - e_customers - e_frequency, change, "lmdi"
    )


def decompose_revenue(table: pd.DataFrame) -> Decomposition:
    """Three-factor decomposition of the N-1 → N revenue change from a customer table.

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods` (or a subset).

    Returns
    -------
    Decomposition
        See :func:`lmdi_decomposition`.
    """

    def figures(suffix: str) -> tuple[float, float, float]:
        return (
            float(table["active" + suffix].sum()),
            float(table["sales_count" + suffix].sum()),
            float(_round(np.asarray(table["revenue" + suffix].sum()))),
        )

    return lmdi_decomposition(figures(""), figures("_previous"))


@dataclass(frozen=True)
class Bridge:
    """Revenue bridge N-1 → N by customer class (pont de chiffre d'affaires).

    ``classes``: index :data:`CLASSES`, columns ``customers``, ``revenue_previous``,
    ``revenue``, ``contribution`` (Σ revenue N − revenue N-1 of the class's customers);
    contributions add up to ``change``. ``retained_frequency`` + ``retained_basket`` =
    the retained customers' contribution.
    """

    revenue_previous: float
    revenue: float
    change: float
    classes: pd.DataFrame
    retained_frequency: float
    retained_basket: float
    retained_method: str

    def as_dict(self) -> dict[str, float]:
        """``{class: contribution}`` in :data:`CLASSES` order."""
        return {k: float(v) for k, v in self.classes["contribution"].items()}


def revenue_bridge(table: pd.DataFrame) -> Bridge:
    """Revenue bridge N-1 → N: what each class of customers added or removed.

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods` (or a subset).

    Returns
    -------
    Bridge
        The retained customers' change is split with the two-factor LMDI (sales count ×
        basket, the count of retained customers being the same in both periods):
        frequency effect = L(R_N, R_N-1) · ln(S_N / S_N-1), basket effect = the rest.
        When undefined (no retained sales in a period), all of it is the basket effect.
    """
    klass = table["bridge_class"].cat.codes.to_numpy()
    r1 = table["revenue"].to_numpy()
    r0 = table["revenue_previous"].to_numpy()
    k = len(CLASSES)
    count = np.bincount(klass, minlength=k)
    sum1 = _round(np.bincount(klass, weights=r1, minlength=k))
    sum0 = _round(np.bincount(klass, weights=r0, minlength=k))
    classes = pd.DataFrame(
        {
            "customers": count,
            "revenue_previous": sum0,
            "revenue": sum1,
            "contribution": sum1 - sum0,
        },
        index=pd.Index(CLASSES, name="class"),
    )
    ret = klass == CLASSES.index("retained")
    s1 = float(table["sales_count"].to_numpy()[ret].sum())
    s0 = float(table["sales_count_previous"].to_numpy()[ret].sum())
    rr1, rr0 = float(sum1[2]), float(sum0[2])
    ret_change = rr1 - rr0
    if min(s1, s0, rr1, rr0) > 0:
        freq = _logmean(rr1, rr0) * math.log(s1 / s0)
        method = "lmdi"
    else:
        freq, method = 0.0, "all to basket"
    revenue1 = float(_round(np.asarray(r1.sum())))
    revenue0 = float(_round(np.asarray(r0.sum())))
    return Bridge(
        revenue_previous=revenue0,
        revenue=revenue1,
        change=revenue1 - revenue0,
        classes=classes,
        retained_frequency=freq,
        retained_basket=ret_change - freq,
        retained_method=method,
    )
