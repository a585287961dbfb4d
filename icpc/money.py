"""Money to the cent: totals are rounded once, at the end; decisions look at cents.

Line amounts may carry three or four decimals (computed discounts). A total — a period's
revenue, a customer's monetary value, a segment's or a salesperson's revenue — is the
exact sum of the rows' amounts, rounded once when it is shown: values already rounded per
document or per customer are never summed again. Whether an amount counts as positive (a
sale, an active customer) is decided on its value rounded to the cent, so that a customer
whose purchases were cancelled by credit notes is not active, whatever floating-point
noise the sum carries.

Example
-------
>>> import numpy as np
>>> exact(np.array([0.1 + 0.2, 1.23456]))
array([0.3    , 1.23456])
>>> cents(np.array([0.1 + 0.2 - 0.3, 2.675, -0.005]))
array([ 0.  ,  2.68, -0.01])
"""

from __future__ import annotations

import numpy as np

__all__ = ["exact", "cents", "positive_cents"]


def exact(values: np.ndarray) -> np.ndarray:
    """Sums kept exact: the binary noise of adding floats removed, ``-0.0`` as ``0.0``.

    Amounts carry at most four decimals, so a sum is a multiple of 0.0001. The noise of
    adding a few hundred floats grows with the sum (``10942433.899999997`` for
    10 942 433,90), so the sum is rounded to the micro-unit below a million, to the fourth
    decimal below a billion, and to the cent above: at each size the noise stays well
    under half of the step.
    """
    arr = np.asarray(values, dtype=np.float64)
    out = np.asarray(np.round(arr, 6))
    big = np.abs(arr) >= 1e6
    if big.any():  # the few large sums only
        large = arr[big]
        out[big] = np.where(np.abs(large) < 1e9, np.round(large, 4), np.round(large, 2))
    out = out + 0.0
    return out if np.ndim(values) else out[()]


def cents(values: np.ndarray | float) -> np.ndarray:
    """Values rounded to the cent, half away from zero (for decisions and display).

    The value is first taken to the micro-unit, which removes the binary noise of a sum
    (``335.725`` is stored as 335.72499999…), then rounded as an accountant does: a half
    cent goes up in magnitude (335.725 → 335.73, −0.005 → −0.01). ``-0.0`` becomes ``0.0``.
    """
    micros = np.round(np.asarray(values, dtype=np.float64) * 1e6)
    whole = np.floor((np.abs(micros) + 5000) / 10000)
    return np.copysign(whole, micros) / 100 + 0.0


def positive_cents(values: np.ndarray | float) -> np.ndarray:
    """``cents(values) > 0`` (a sale, an active customer), in two passes instead of eight.

    A value is more than zero once rounded to the cent exactly when its micro-units, as
    :func:`cents` takes them, reach half a cent (5 000): ``0.005`` is a sale, ``0.00499``
    is not, a negative value never is, NaN is not.
    """
    return np.asarray(np.round(np.asarray(values, dtype=np.float64) * 1e6) >= 5000)
