"""JSON-ready values for the machine outputs: floats or None, money rounded once, parts adding up."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from icpc.money import cents

__all__ = ["number", "money", "jsonable", "round_adding_up"]


def number(value: Any) -> float | None:
    """A Python float, or None for NaN / None / ±inf."""
    if value is None or value is pd.NaT:
        return None
    x = float(value)
    return None if math.isnan(x) or math.isinf(x) else x


def money(value: Any) -> float | None:
    """A Python float rounded to the cent (None for NaN); ``-0.0`` becomes ``0.0``."""
    x = number(value)
    return None if x is None else float(cents(x))


def jsonable(value: Any) -> Any:
    """Turn numpy / pandas scalars and containers into JSON-ready Python values."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return number(value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return None if pd.isna(value) else value.isoformat()[:10]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def round_adding_up(values: Mapping[str, float], total: float) -> dict[str, float]:
    """Round parts to the cent so that they still add up to ``total`` rounded to the cent.

    The rounding residual (a cent or two at most) goes to the part of largest magnitude.

    Parameters
    ----------
    values : mapping
        Parts whose exact sum is ``total``.
    total : float
        Their sum.

    Returns
    -------
    dict
        Same keys, values in whole cents adding up to ``round(total, 2)``.
    """
    cents = {k: round(float(v) * 100) for k, v in values.items()}
    if not cents:
        return {}
    residual = round(float(total) * 100) - sum(cents.values())
    if residual:
        largest = max(cents, key=lambda k: abs(float(values[k])))
        cents[largest] += residual
    return {k: c / 100 + 0.0 for k, c in cents.items()}
