"""Commercial indicators (ICPC): periods, customer dynamics, revenue bridge, decomposition.

Definitions are those of DESIGN.md ("Definitions"). Everything rests on one per-customer
table, :func:`customer_periods`, computed once with ``np.bincount`` on integer customer
codes (no Python loop per customer); every indicator is a sum or a ratio over it, so the
identities hold by construction:

- ``active(N) = new + retained + reactivated``, ``active(N-1) = retained + lost``;
- the revenue bridge adds up to ``revenue(N) - revenue(N-1)``;
- ``revenue = active_customers × purchase_frequency × average_basket``;
- the three-factor LMDI decomposition sums to the revenue change.

Money is exact to the cent (:mod:`icpc.money`): a customer's revenue in a period is
rounded to 2 decimals before it is compared with 0 (a customer fully cancelled by credit
notes is not active), and every total (period revenue, a group's revenue) is the exact
sum of the rows' amounts, rounded once at the end.

Rules chosen where DESIGN.md is silent (also in the docstrings below):

- *No N-1 data* (no row dated before the start of N): N-1 figures are null (NaN here,
  ``null`` in kpis.json); the bridge and the decomposition explain the whole revenue of N
  (previous revenue taken as 0).
- *LMDI undefined* (a factor is 0 or negative in one period, e.g. no N-1 sales): the whole
  change is attributed to the customers effect (the business gained or lost all its
  customers); frequency and basket effects are 0. Same rule for the retained customers'
  split: when undefined, the whole change goes to the basket effect.
- ``change_pct`` is ``change / |previous|``; NaN when previous is 0 or undefined.
- Customers without salesperson / region are grouped under :data:`UNASSIGNED`, which
  takes no rank and does not count in the team average.

Example
-------
>>> from icpc.kpi import period_bounds
>>> n, n1 = period_bounds("2024-12-31", 12)
>>> n.start, n1.start
(datetime.date(2024, 1, 1), datetime.date(2023, 1, 1))
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.cleaning import customer_attribution as _attribution
from icpc.cleaning import last_rows
from icpc.documents import documents as make_documents
from icpc.money import cents, exact

__all__ = [
    "Period",
    "period_bounds",
    "as_date",
    "add_months",
    "customer_periods",
    "customer_attribution",
    "has_previous_data",
    "period_indicators",
    "Dynamics",
    "customer_dynamics",
    "Bridge",
    "revenue_bridge",
    "Decomposition",
    "lmdi_decomposition",
    "decompose_revenue",
    "CustomerMonths",
    "customer_months",
    "monthly_series",
    "Cohorts",
    "cohort_table",
    "Concentration",
    "concentration",
    "by_group",
    "CLASSES",
    "INDICATORS",
    "UNASSIGNED",
]

#: Classes of the revenue bridge, in display order.
CLASSES = ("new", "reactivated", "retained", "lost", "other")
#: Period indicators, in display order (``margin*`` only when margin is mapped).
INDICATORS = (
    "revenue", "margin", "margin_rate", "sales_count", "active_customers",
    "average_basket", "purchase_frequency", "revenue_per_customer",
)  # fmt: skip
#: Label of customers without salesperson / region in :func:`by_group`.
UNASSIGNED = "(unassigned)"
#: Money indicators (rounded to the cent in kpis.json).
MONEY = frozenset({"revenue", "margin", "average_basket", "revenue_per_customer"})

_DAY_NS = 86_400 * 10**9
_DENSE_LIMIT = 10_000_000  # cells of a dense customer × month array per chunk


# --------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """A period of analysis (période), both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return (self.end - self.start).days + 1

    def as_json(self) -> dict[str, str]:
        """``{"start": ISO date, "end": ISO date}``."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def as_date(value: dt.date | str | pd.Timestamp | np.datetime64) -> dt.date:
    """The calendar day of a date-like value (times dropped; text must be ISO, ``YYYY-MM-DD…``).

    ISO only, never a guess: ``"03/01/2024"`` is refused rather than read month-first.
    """
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    return dt.date.fromisoformat(str(value)[:10])


def add_months(date: dt.date, months: int) -> dt.date:
    """Move a date by whole months, clamping the day to the end of the target month.

    Parameters
    ----------
    date : date
        Starting date.
    months : int
        Months to add (negative to go back).

    Returns
    -------
    date
        E.g. 2024-03-31 minus 1 month is 2024-02-29.
    """
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(date.day, last))


def period_bounds(as_of: dt.date | str, months: int) -> tuple[Period, Period]:
    """Periods N and N-1 (période N et N-1) for an analysis date.

    N runs from ``(as_of + 1 day) - months`` to ``as_of``, both included; N-1 is the
    ``months`` months just before N, by the same rule. Month arithmetic clamps to the end
    of the month.

    Parameters
    ----------
    as_of : date or ISO string
        The analysis date (date d'arrêté).
    months : int
        Length of each period in months (``period_months``).

    Returns
    -------
    (Period, Period)
        N and N-1. ``as_of`` 2024-12-31, 12 months: N = 2024-01-01…2024-12-31,
        N-1 = 2023-01-01…2023-12-31; ``as_of`` 2011-12-09, 6 months:
        N = 2011-06-10…2011-12-09.
    """
    end = as_date(as_of)
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    start = add_months(end + dt.timedelta(days=1), -months)
    previous_start = add_months(start, -months)
    return Period(start, end), Period(previous_start, start - dt.timedelta(days=1))


def _day(date: dt.date) -> int:
    return int(np.datetime64(date, "D").astype(np.int64))


def _day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a datetime column (times dropped)."""
    return np.asarray(dates, dtype="datetime64[ns]").view(np.int64) // _DAY_NS


@dataclass(frozen=True)
class Prepared:
    """Integer arrays of the transactions and documents up to ``as_of``, computed once.

    Every analysis of this module accepts ``prepared=`` to skip this work. ``codes`` are
    the customer category codes, ``day`` days since 1970-01-01; ``doc_*`` are the same
    for the documents (``doc_sale``: total > 0).
    """

    as_of: dt.date
    transactions: pd.DataFrame
    documents: pd.DataFrame
    n_customers: int
    codes: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    doc_codes: np.ndarray
    doc_day: np.ndarray
    doc_sale: np.ndarray
    day_min: int
    month_lut: np.ndarray

    def month(self, day: np.ndarray) -> np.ndarray:
        """Month numbers (year × 12 + month − 1) of day numbers within the data."""
        return self.month_lut[day - self.day_min]


def prepare(
    transactions: pd.DataFrame, *, as_of: dt.date | str, documents: pd.DataFrame | None = None
) -> Prepared:
    """Compute the integer arrays shared by the analyses (rows after ``as_of`` dropped).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions.
    as_of : date
        Analysis date.
    documents : DataFrame, optional
        ``icpc.documents.documents`` of the same rows, when already computed.

    Returns
    -------
    Prepared
    """
    as_of = as_date(as_of)
    tx = _upto(transactions, as_of)
    if tx is not transactions:
        documents = None
    docs = make_documents(tx) if documents is None else documents
    day = _day_numbers(tx[C.DATE])
    doc_day = _day_numbers(docs[C.DATE])
    day_min = int(day.min()) if len(day) else _day(as_of)
    span = np.arange(day_min, _day(as_of) + 1, dtype=np.int64)
    lut = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return Prepared(
        as_of=as_of,
        transactions=tx,
        documents=docs,
        n_customers=len(tx[C.CUSTOMER_ID].cat.categories),
        codes=np.asarray(tx[C.CUSTOMER_ID].cat.codes, dtype=np.int64),
        day=day,
        amount=np.asarray(tx[C.AMOUNT], dtype=np.float64),
        doc_codes=np.asarray(docs[C.CUSTOMER_ID].cat.codes, dtype=np.int64),
        doc_day=doc_day,
        doc_sale=np.asarray(docs["is_sale"], dtype=bool),
        day_min=day_min,
        month_lut=lut,
    )


def _upto(transactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The rows dated on or before ``as_of`` (the frame itself when all are)."""
    if len(transactions) == 0:
        return transactions
    limit = np.datetime64(as_of, "D") + np.timedelta64(1, "D")
    dates = np.asarray(transactions[C.DATE], dtype="datetime64[ns]")
    if dates.max() < limit:
        return transactions
    return transactions.loc[dates < limit].reset_index(drop=True)


def has_previous_data(transactions: pd.DataFrame, *, as_of: dt.date | str, months: int) -> bool:
    """Whether any row is dated before the start of N (else N-1 figures are null).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions.
    as_of : date
        Analysis date.
    months : int
        Period length in months.

    Returns
    -------
    bool
    """
    if len(transactions) == 0:
        return False
    current, _ = period_bounds(as_of, months)
    first = np.asarray(transactions[C.DATE], dtype="datetime64[D]").min()
    return bool(first < np.datetime64(current.start, "D"))


# --------------------------------------------------------------------------------------
# the per-customer table
# --------------------------------------------------------------------------------------
def _round(values: np.ndarray) -> np.ndarray:
    return cents(values)  # half a cent away from zero, once at the end (icpc.money)


def customer_attribution(transactions: pd.DataFrame) -> pd.DataFrame:
    """Salesperson and region of each customer (attribution commerciale).

    DESIGN.md's rule: the values of the customer's most recent row (latest date; ties:
    highest ``source_row``, else the latest position), so reorganisations don't split a
    customer. The one implementation is :func:`icpc.cleaning.customer_attribution`
    (vectorised); this name is kept for the KPI API.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (customers with at least one row), columns ``salesperson``
        and ``region`` (those present in the input; category, may be null).
    """
    return _attribution(transactions)


def _last_rows(tx: pd.DataFrame, codes: np.ndarray, day: np.ndarray, n: int) -> np.ndarray:
    """Position of each customer's most recent row (:func:`icpc.cleaning.last_rows`)."""
    return last_rows(tx, codes, day, n)


def customer_periods(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str,
    months: int,
    documents: pd.DataFrame | None = None,
    attribution: pd.DataFrame | None = None,
    prepared: Prepared | None = None,
) -> pd.DataFrame:
    """Per-customer figures of periods N and N-1 (tableau client × période).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (rows after ``as_of`` are ignored).
    as_of : date
        Analysis date.
    months : int
        Period length in months.
    documents : DataFrame, optional
        ``icpc.documents.documents(transactions)``, when already computed.
    attribution : DataFrame, optional
        ``customer_attribution(transactions)``, when already computed.
    prepared : Prepared, optional
        :func:`prepare` of the same transactions, when already computed.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (``CategoricalIndex`` with the input's categories, so
        ``table.index.codes`` are the customer codes; every customer with a row up to
        ``as_of``), columns:
        ``revenue``, ``revenue_previous`` (exact net revenue, :func:`icpc.money.exact`), ``margin``,
        ``margin_previous`` (when mapped), ``sales_count``, ``sales_count_previous``
        (documents dated in the period with a total > 0), ``active``,
        ``active_previous`` (net revenue > 0), ``first_sale``, ``last_sale`` (dates of the
        first and last sale document up to ``as_of``; NaT if none), ``total_revenue``,
        ``total_sales`` (whole history up to ``as_of``), ``bridge_class`` (one of
        :data:`CLASSES`), then ``salesperson`` / ``region`` when mapped (attribution
        rule of DESIGN.md).
    """
    as_of = as_date(as_of)
    current, previous = period_bounds(as_of, months)
    pr = prepare(transactions, as_of=as_of, documents=documents) if prepared is None else prepared
    tx = pr.transactions
    n = pr.n_customers
    codes = pr.codes
    d_prev, d_cur = _day(previous.start), _day(current.start)

    def slot_key(cust: np.ndarray, day: np.ndarray) -> np.ndarray:
        # customer * 3 + slot, slot 0 = before N-1, 1 = N-1, 2 = N (built in place)
        key = cust * 3
        key += day >= d_prev
        key += day >= d_cur
        return key

    key = slot_key(codes, pr.day)
    rev = np.bincount(key, weights=pr.amount, minlength=3 * n).reshape(n, 3)

    scodes, sday = pr.doc_codes[pr.doc_sale], pr.doc_day[pr.doc_sale]
    sales = np.bincount(slot_key(scodes, sday), minlength=3 * n).reshape(n, 3)
    present = np.bincount(pr.doc_codes, minlength=n) > 0  # every row is in a document
    big = np.iinfo(np.int64).max
    first = np.full(n, big, dtype=np.int64)
    np.minimum.at(first, scodes, sday)
    last = np.full(n, -big, dtype=np.int64)
    np.maximum.at(last, scodes, sday)
    has_sale = first != big

    revenue, revenue_prev = exact(rev[:, 2]), exact(rev[:, 1])
    active, active_prev = cents(revenue) > 0, cents(revenue_prev) > 0
    new = active & ~active_prev & has_sale & (first >= _day(current.start))
    retained = active & active_prev
    reactivated = active & ~active_prev & ~new
    lost = active_prev & ~active
    klass = np.full(n, 4, dtype=np.int8)  # other
    klass[new], klass[reactivated], klass[retained], klass[lost] = 0, 1, 2, 3

    def dates(values: np.ndarray) -> np.ndarray:
        out = np.where(has_sale, values, 0).astype("datetime64[D]").astype("datetime64[ns]")
        out[~has_sale] = np.datetime64("NaT")
        return out

    cols: dict[str, object] = {"revenue": revenue, "revenue_previous": revenue_prev}
    if C.MARGIN in tx.columns:
        margin = np.asarray(tx[C.MARGIN], dtype=np.float64)
        if np.isnan(margin).any():
            margin = np.nan_to_num(margin, nan=0.0)
        mrg = np.bincount(key, weights=margin, minlength=3 * n).reshape(n, 3)
        cols["margin"], cols["margin_previous"] = exact(mrg[:, 2]), exact(mrg[:, 1])
    cols |= {
        "sales_count": sales[:, 2],
        "sales_count_previous": sales[:, 1],
        "active": active,
        "active_previous": active_prev,
        "first_sale": dates(first),
        "last_sale": dates(last),
        "total_revenue": exact(rev.sum(axis=1)),
        "total_sales": sales.sum(axis=1),
        "bridge_class": pd.Categorical.from_codes(klass, categories=list(CLASSES)),
    }
    index = pd.CategoricalIndex(
        pd.Categorical.from_codes(np.arange(n), dtype=tx[C.CUSTOMER_ID].dtype), name=C.CUSTOMER_ID
    )
    table = pd.DataFrame(cols, index=index)
    attr_cols = [c for c in (C.SALESPERSON, C.REGION) if c in tx.columns]
    if attr_cols:
        if attribution is None:
            last_row = _last_rows(tx, codes, pr.day, n)
            for col in attr_cols:
                cc = np.asarray(tx[col].cat.codes, dtype=np.int64)
                vals = np.full(n, -1, dtype=np.int64)
                has_row = last_row >= 0
                vals[has_row] = cc[last_row[has_row]]
                table[col] = pd.Categorical.from_codes(vals, dtype=tx[col].dtype)
        else:
            for col in attr_cols:
                table[col] = attribution[col].reindex(table.index)
    return table.loc[present] if not present.all() else table


# --------------------------------------------------------------------------------------
# period indicators
# --------------------------------------------------------------------------------------
def _ratio(num: float, den: float) -> float:
    return num / den if den and not math.isnan(den) and not math.isnan(num) else math.nan


def _period_values(table: pd.DataFrame, suffix: str, with_margin: bool) -> dict[str, float]:
    revenue = float(_round(np.asarray(table["revenue" + suffix].sum())))
    sales = float(table["sales_count" + suffix].sum())
    active = float(table["active" + suffix].sum())
    out = {"revenue": revenue}
    if with_margin:
        margin = float(_round(np.asarray(table["margin" + suffix].sum())))
        out |= {"margin": margin, "margin_rate": _ratio(margin, revenue)}
    out |= {
        "sales_count": sales,
        "active_customers": active,
        "average_basket": _ratio(revenue, sales),
        "purchase_frequency": _ratio(sales, active),
        "revenue_per_customer": _ratio(revenue, active),
    }
    return out


def _change(current: float, previous: float) -> tuple[float, float]:
    change = current - previous
    pct = change / abs(previous) if previous and not math.isnan(previous) else math.nan
    return change, pct


def period_indicators(table: pd.DataFrame, *, has_previous: bool = True) -> pd.DataFrame:
    """Period indicators of N and N-1 with their change (indicateurs de période).

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods` (or a subset of its rows, e.g. one salesperson's).
    has_previous : bool
        False when the data has no N-1 (young company): N-1 figures are NaN (null).

    Returns
    -------
    DataFrame
        Index: ``revenue`` (chiffre d'affaires), ``margin`` and ``margin_rate`` (marge,
        taux de marge; when mapped), ``sales_count`` (nombre de ventes),
        ``active_customers`` (clients actifs), ``average_basket`` (panier moyen),
        ``purchase_frequency`` (fréquence d'achat), ``revenue_per_customer`` (CA par
        client). Columns ``current``, ``previous``, ``change``, ``change_pct`` (fraction,
        ``change / |previous|``; NaN when previous is 0 or NaN). Undefined ratios
        (division by 0) are NaN.
    """
    with_margin = "margin" in table.columns
    cur = _period_values(table, "", with_margin)
    prev = _period_values(table, "_previous", with_margin)
    rows = []
    for name, value in cur.items():
        p = prev[name] if has_previous else math.nan
        change, pct = _change(value, p)
        rows.append((name, value, p, change, pct))
    frame = pd.DataFrame(rows, columns=["indicator", "current", "previous", "change", "change_pct"])
    return frame.set_index("indicator")


# --------------------------------------------------------------------------------------
# customer dynamics
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dynamics:
    """Customer dynamics N-1 → N (dynamique clients).

    ``lists`` maps each class of :data:`CLASSES` but ``other`` to its customer ids;
    ``lost`` details the lost customers (clients perdus) and ``lost_by_month`` counts them
    by month of their last sale ("since when").
    """

    active_current: int
    active_previous: int
    new_customers: int
    retained_customers: int
    reactivated_customers: int
    lost_customers: int
    lost_revenue: float
    churn_rate: float
    retention_rate: float
    lists: dict[str, pd.Index]
    lost: pd.DataFrame
    lost_by_month: pd.DataFrame


def customer_dynamics(table: pd.DataFrame, *, as_of: dt.date | str) -> Dynamics:
    """New, retained, reactivated and lost customers (nouveaux, fidélisés, réactivés, perdus).

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods`.
    as_of : date
        Analysis date (for the days since the last sale).

    Returns
    -------
    Dynamics
        Counts, ``lost_revenue`` (CA perdu: N-1 revenue of the lost customers),
        ``churn_rate`` (taux d'attrition = lost / active(N-1)) and ``retention_rate``
        (taux de fidélisation = retained / active(N-1)), NaN when active(N-1) is 0.
        ``lost``: index ``customer_id``, columns ``revenue_previous``, ``last_sale``,
        ``days_since_last_sale``, ``salesperson``/``region`` when mapped; sorted by
        ``revenue_previous`` descending. ``lost_by_month``: index ``month`` (first day of
        the month of the last sale), columns ``customers``, ``revenue_previous``.
    """
    as_of = as_date(as_of)
    klass = table["bridge_class"]
    counts = klass.value_counts()
    active_prev = int(table["active_previous"].sum())
    is_lost = (klass == "lost").to_numpy()
    lost_cols = ["revenue_previous", "last_sale"] + [
        c for c in (C.SALESPERSON, C.REGION) if c in table.columns
    ]
    lost = table.loc[is_lost, lost_cols]
    days = (pd.Timestamp(as_of) - lost["last_sale"]).dt.days
    lost = lost.assign(days_since_last_sale=days.astype("Float64").astype("float64"))
    lost = lost[["revenue_previous", "last_sale", "days_since_last_sale"] + lost_cols[2:]]
    lost = lost.sort_values(["revenue_previous", "last_sale"], ascending=[False, True], kind="stable")
    month = lost["last_sale"].dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    by_month = (
        lost.assign(month=month)
        .groupby("month", sort=True)
        .agg(customers=("revenue_previous", "size"), revenue_previous=("revenue_previous", "sum"))
    )
    by_month["revenue_previous"] = _round(by_month["revenue_previous"].to_numpy())
    lost_revenue = float(_round(np.asarray(lost["revenue_previous"].sum())))
    retained = int(counts.get("retained", 0))
    n_lost = int(counts.get("lost", 0))
    return Dynamics(
        active_current=int(table["active"].sum()),
        active_previous=active_prev,
        new_customers=int(counts.get("new", 0)),
        retained_customers=retained,
        reactivated_customers=int(counts.get("reactivated", 0)),
        lost_customers=n_lost,
        lost_revenue=lost_revenue,
        churn_rate=_ratio(n_lost, active_prev),
        retention_rate=_ratio(retained, active_prev),
        lists={k: table.index[(klass == k).to_numpy()] for k in CLASSES[:4]},
        lost=lost,
        lost_by_month=by_month,
    )


# --------------------------------------------------------------------------------------
# revenue bridge and decomposition
# --------------------------------------------------------------------------------------
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
    return Decomposition(e_customers, e_frequency, change - e_customers - e_frequency, change, "lmdi")


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
        {"customers": count, "revenue_previous": sum0, "revenue": sum1, "contribution": sum1 - sum0},
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


# --------------------------------------------------------------------------------------
# customer × month aggregates: monthly series and cohorts
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerMonths:
    """Net revenue of each (customer, month) with rows, sorted by customer then month.

    ``month`` is a month number (year × 12 + month − 1); ``first_month``/``last_month``
    bound the data (the last is the month of ``as_of``).
    """

    customer: np.ndarray
    month: np.ndarray
    revenue: np.ndarray
    first_month: int
    last_month: int
    n_customers: int


def _month_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    m = np.asarray(dates, dtype="datetime64[M]").astype(np.int64)
    return m + 1970 * 12


def customer_months(
    transactions: pd.DataFrame, *, as_of: dt.date | str, prepared: Prepared | None = None
) -> CustomerMonths:
    """Net revenue per customer and calendar month (CA client × mois), sparse.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (rows after ``as_of`` ignored).
    as_of : date
        Analysis date.
    prepared : Prepared, optional
        :func:`prepare` of the same transactions, when already computed.

    Returns
    -------
    CustomerMonths
        Only (customer, month) pairs with a non-zero sum. Built with dense
        ``np.bincount`` over blocks of customers (no hash, no sort).
    """
    as_of = as_date(as_of)
    pr = prepare(transactions, as_of=as_of) if prepared is None else prepared
    n = pr.n_customers
    last_month = as_of.year * 12 + as_of.month - 1
    if len(pr.day) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return CustomerMonths(empty, empty, np.zeros(0), last_month, last_month, n)
    codes = pr.codes
    first_month = int(pr.month_lut[0])
    rel = pr.month(pr.day)
    rel -= first_month
    width = last_month - first_month + 1
    amount = pr.amount
    block = max(1, _DENSE_LIMIT // width)
    parts_c, parts_m, parts_v = [], [], []
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        if lo == 0 and hi == n:
            key, w = codes * width, amount
            key += rel
        else:
            sel = (codes >= lo) & (codes < hi)
            key, w = (codes[sel] - lo) * width + rel[sel], amount[sel]
        dense = np.bincount(key, weights=w, minlength=(hi - lo) * width)
        nz = np.flatnonzero(dense)
        parts_c.append(nz // width + lo)
        parts_m.append(nz % width + first_month)
        parts_v.append(dense[nz])
    return CustomerMonths(
        np.concatenate(parts_c), np.concatenate(parts_m), np.concatenate(parts_v),
        first_month, last_month, n,
    )  # fmt: skip


def _month_start(month_numbers: np.ndarray) -> pd.DatetimeIndex:
    m = (np.asarray(month_numbers, dtype=np.int64) - 1970 * 12).astype("datetime64[M]")
    return pd.DatetimeIndex(m.astype("datetime64[ns]"), name="month")


def _changes(a: np.ndarray) -> np.ndarray:
    """Boolean mask: True where ``a`` differs from the previous element (and at 0)."""
    out = np.empty(len(a), dtype=bool)
    if len(a):
        out[0] = True
        np.not_equal(a[1:], a[:-1], out=out[1:])
    return out


def _rolling_active(cm: CustomerMonths, window: int, *, dense: bool | None = None) -> np.ndarray:
    """Customers with net revenue > 0 over the ``window`` months ending at each month.

    Dense per block of customers (cumulative sums along months) when the customer × month
    grid is at least 1/8 filled, else by window-entry / window-exit events.
    """
    width = cm.last_month - cm.first_month + 1
    nnz = len(cm.customer)
    if nnz == 0:
        return np.zeros(width, dtype=np.int64)
    rel = cm.month - cm.first_month
    n = cm.n_customers
    if dense is None:
        dense = n * width <= 8 * nnz
    if dense:
        counts = np.zeros(width, dtype=np.int64)
        block = max(1, _DENSE_LIMIT // width)
        bounds = np.searchsorted(cm.customer, np.arange(0, n + block, block))
        for lo, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            if a == b:
                continue
            first = lo * block
            rows = int(cm.customer[b - 1]) - first + 1
            grid = np.zeros((rows, width + 1))
            grid.reshape(-1)[(cm.customer[a:b] - first) * (width + 1) + rel[a:b] + 1] = cm.revenue[a:b]
            np.cumsum(grid, axis=1, out=grid)
            sums = grid[:, 1:].copy()
            if width > window:
                sums[:, window:] -= grid[:, 1 : width + 1 - window]
            counts += (_round(sums) > 0).sum(axis=0)
        return counts
    span = width + window
    # +revenue when a month enters the window, -revenue when it leaves; both halves are
    # sorted by (customer, time), so the stable sort is a cheap merge.
    ev_key = np.concatenate([cm.customer * span + rel, cm.customer * span + rel + window])
    ev_val = np.concatenate([cm.revenue, -cm.revenue])
    order = np.argsort(ev_key, kind="stable")
    ev_key, ev_val = ev_key[order], ev_val[order]
    starts = np.flatnonzero(_changes(ev_key))
    key = ev_key[starts]
    val = np.add.reduceat(ev_val, starts)
    cust = key // span
    t = key % span
    total = np.cumsum(val)
    first_of_cust = _changes(cust)
    group_start = np.maximum.accumulate(np.where(first_of_cust, np.arange(len(val)), 0))
    running = total - (total - val)[group_start]  # window sum until the customer's next event
    is_active = _round(running) > 0
    nxt = np.empty_like(t)
    nxt[:-1] = t[1:]
    nxt[np.flatnonzero(first_of_cust)[1:] - 1] = span
    nxt[-1] = span
    diff = np.zeros(span + 1, dtype=np.int64)
    np.add.at(diff, t[is_active], 1)
    np.add.at(diff, nxt[is_active], -1)
    return np.cumsum(diff)[:width]


def monthly_series(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str,
    documents: pd.DataFrame | None = None,
    months: CustomerMonths | None = None,
    window: int = 12,
    prepared: Prepared | None = None,
) -> pd.DataFrame:
    """Monthly series and rolling 12 months (séries mensuelles, cumul glissant 12 mois).

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (rows after ``as_of`` ignored).
    as_of : date
        Analysis date; the last month is the month of ``as_of``.
    documents : DataFrame, optional
        ``icpc.documents.documents(transactions)`` when already computed.
    months : CustomerMonths, optional
        :func:`customer_months` when already computed.
    window : int
        Months of the rolling window (12).
    prepared : Prepared, optional
        :func:`prepare` of the same transactions, when already computed.

    Returns
    -------
    DataFrame
        Index ``month`` (first day of each month, from the first row's month to the
        month of ``as_of``; months without rows included with 0), columns ``revenue``
        (CA), ``sales_count``, ``active_customers`` (net revenue in the month > 0),
        ``average_basket`` (NaN without sales), the same four with suffix ``_12m`` over
        the ``window`` months ending at that month (NaN for the first ``window - 1``
        months of the data), and ``complete`` (False for the month of ``as_of`` when
        ``as_of`` is not its last day).
    """
    as_of = as_date(as_of)
    pr = prepare(transactions, as_of=as_of, documents=documents) if prepared is None else prepared
    cm = customer_months(pr.transactions, as_of=as_of, prepared=pr) if months is None else months
    width = cm.last_month - cm.first_month + 1
    rel = cm.month - cm.first_month
    revenue = _round(np.bincount(rel, weights=cm.revenue, minlength=width))
    active = np.bincount(rel[_round(cm.revenue) > 0], minlength=width)
    smonth = pr.month(pr.doc_day[pr.doc_sale]) - cm.first_month
    sales = np.bincount(smonth, minlength=width).astype(np.int64)
    frame = pd.DataFrame(
        {"revenue": revenue, "sales_count": sales, "active_customers": active},
        index=_month_start(np.arange(cm.first_month, cm.last_month + 1)),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["average_basket"] = np.where(sales > 0, revenue / np.maximum(sales, 1), np.nan)
    roll = frame[["revenue", "sales_count"]].rolling(window, min_periods=window).sum()
    frame["revenue_12m"] = _round(roll["revenue"].to_numpy())
    frame["sales_count_12m"] = roll["sales_count"]
    act12 = _rolling_active(cm, window).astype(np.float64)
    act12[: window - 1] = np.nan
    frame["active_customers_12m"] = act12
    with np.errstate(divide="ignore", invalid="ignore"):
        s12 = frame["sales_count_12m"].to_numpy()
        frame["average_basket_12m"] = np.where(s12 > 0, frame["revenue_12m"].to_numpy() / s12, np.nan)
    month_end = add_months(dt.date(as_of.year, as_of.month, 1), 1) - dt.timedelta(days=1)
    frame["complete"] = True
    if as_of != month_end:
        frame.iloc[-1, frame.columns.get_loc("complete")] = False
    return frame


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
        return Cohorts(pd.Series([], index=empty, dtype="int64", name="customers"), pd.DataFrame(index=empty))
    q0 = int(first_q[valid].min())
    n_coh = last_q - q0 + 1
    # (customer, quarter) sums: contiguous runs in the (customer, month)-sorted arrays
    q = months.month // 3
    key = months.customer * (last_q + 1) + q
    if len(key):
        starts = np.flatnonzero(_changes(key))
        qsum = np.add.reduceat(months.revenue, starts)
        qcust, qq = months.customer[starts], q[starts]
        act = _round(qsum) > 0
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


# --------------------------------------------------------------------------------------
# concentration
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Concentration:
    """Dependency on the largest customers in N (concentration du portefeuille).

    Shares are fractions of the revenue of the customers with revenue > 0 in N (so they
    add up to 1 and the Herfindahl index is well defined). ``revenue_without_top3`` is
    revenue N (all customers) minus the top 3 customers' revenue.
    """

    customers: int
    top20_share: float
    top1_share: float
    top5_share: float
    top10_share: float
    herfindahl: float
    top3_revenue: float
    revenue_without_top3: float
    pareto: pd.DataFrame

    def as_dict(self) -> dict[str, float | int]:
        """The scalar figures."""
        return {
            "customers": self.customers,
            "top20_share": self.top20_share,
            "top1_share": self.top1_share,
            "top5_share": self.top5_share,
            "top10_share": self.top10_share,
            "herfindahl": self.herfindahl,
            "top3_revenue": self.top3_revenue,
            "revenue_without_top3": self.revenue_without_top3,
        }


def concentration(table: pd.DataFrame) -> Concentration:
    """Pareto curve, top-customer shares and Herfindahl index of revenue N.

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods`.

    Returns
    -------
    Concentration
        ``top20_share``: share of the top ⌈20 % × customers⌉ customers; ``pareto``: one
        row per active customer by decreasing revenue, index ``rank`` (1…), columns
        ``customer_id``, ``revenue``, ``share``, ``cumulative_share``, ``customer_share``
        (rank / customers). NaN shares when no customer has revenue > 0.
    """
    rev = table["revenue"].to_numpy()
    pos = rev > 0
    order = np.argsort(-rev[pos], kind="stable")
    values = rev[pos][order]
    ids = table.index[pos][order]
    n = len(values)
    total = float(values.sum())
    share = values / total if total > 0 else np.full(n, np.nan)
    cum = np.cumsum(share)

    def top(k: int) -> float:
        return float(cum[min(k, n) - 1]) if n else math.nan

    pareto = pd.DataFrame(
        {
            C.CUSTOMER_ID: ids,
            "revenue": values,
            "share": share,
            "cumulative_share": cum,
            "customer_share": np.arange(1, n + 1) / max(n, 1),
        },
        index=pd.RangeIndex(1, n + 1, name="rank"),
    )
    top3 = float(_round(np.asarray(values[:3].sum())))
    revenue = float(_round(np.asarray(rev.sum())))
    return Concentration(
        customers=n,
        top20_share=top(math.ceil(0.2 * n)),
        top1_share=top(1),
        top5_share=top(5),
        top10_share=top(10),
        herfindahl=float(np.sum(share**2)) if n and total > 0 else math.nan,
        top3_revenue=top3,
        revenue_without_top3=float(_round(np.asarray(revenue - top3))),
        pareto=pareto,
    )


# --------------------------------------------------------------------------------------
# by salesperson / region
# --------------------------------------------------------------------------------------
_ADDITIVE = ("revenue", "margin", "sales_count", "active_customers")


def by_group(table: pd.DataFrame, column: str, *, has_previous: bool = True) -> pd.DataFrame:
    """Period indicators and revenue bridge per salesperson or region (par commercial, secteur).

    Customers are attributed by DESIGN.md's rule (the ``salesperson`` / ``region`` column
    of :func:`customer_periods`: those of their most recent row).

    Parameters
    ----------
    table : DataFrame
        :func:`customer_periods`, with ``column``.
    column : str
        ``"salesperson"`` or ``"region"``.
    has_previous : bool
        False when the data has no N-1 (previous figures NaN).

    Returns
    -------
    DataFrame
        Index ``column`` (label; :data:`UNASSIGNED` for customers without one), one row
        per group, columns: for each indicator X of :func:`period_indicators`: ``X``,
        ``X_previous``, ``X_change``, ``X_change_pct``; then ``share`` (of revenue N),
        ``rank`` (by revenue N, 1 = largest; NaN for unassigned), ``X_gap`` for each
        indicator (X minus the team average: the mean over assigned groups for revenue,
        margin, sales and customers; the company-wide ratio for ratios); the dynamics
        counts ``new_customers``, ``retained_customers``, ``reactivated_customers``,
        ``lost_customers``, ``lost_revenue``; and the bridge ``bridge_new``…
        ``bridge_other`` (adding up to ``revenue_change``).
    """
    labels = table[column]
    if UNASSIGNED not in labels.cat.categories:
        labels = labels.cat.add_categories([UNASSIGNED])
    labels = labels.fillna(UNASSIGNED)
    with_margin = "margin" in table.columns
    sums = ["revenue", "revenue_previous", "sales_count", "sales_count_previous", "active", "active_previous"]
    if with_margin:
        sums += ["margin", "margin_previous"]
    work = table[sums].copy()
    klass = table["bridge_class"]
    for k in CLASSES:
        is_k = (klass == k).to_numpy()
        work[f"n_{k}"] = is_k.astype(np.int64)
        work[f"bridge_{k}"] = np.where(is_k, table["revenue"] - table["revenue_previous"], 0.0)
    work["lost_revenue"] = np.where((klass == "lost").to_numpy(), table["revenue_previous"], 0.0)
    g = work.groupby(labels.to_numpy(), observed=True, sort=True).sum()
    g.index = pd.Index(g.index.astype("str"), name=column)
    g = g.rename(columns={"active": "active_customers", "active_previous": "active_customers_previous"})

    def values(suffix: str) -> dict[str, pd.Series]:
        rev = pd.Series(_round(g["revenue" + suffix].to_numpy()), index=g.index)
        sales = g["sales_count" + suffix].astype(np.float64)
        active = g["active_customers" + suffix].astype(np.float64)
        out = {"revenue": rev}
        if with_margin:
            mrg = pd.Series(_round(g["margin" + suffix].to_numpy()), index=g.index)
            out |= {"margin": mrg, "margin_rate": mrg / rev.where(rev != 0)}
        out |= {
            "sales_count": sales,
            "active_customers": active,
            "average_basket": rev / sales.where(sales != 0),
            "purchase_frequency": sales / active.where(active != 0),
            "revenue_per_customer": rev / active.where(active != 0),
        }
        return out

    cur, prev = values(""), values("_previous")
    out = pd.DataFrame(index=g.index)
    for name, value in cur.items():
        p = prev[name] if has_previous else pd.Series(np.nan, index=g.index)
        change = value - p
        out[name] = value
        out[name + "_previous"] = p
        out[name + "_change"] = change
        out[name + "_change_pct"] = change / p.abs().where(p != 0)
    total = float(out["revenue"].sum())
    out["share"] = out["revenue"] / total if total else np.nan
    assigned = out.index != UNASSIGNED
    out["rank"] = out["revenue"].where(assigned).rank(ascending=False, method="min")
    team = period_indicators(table, has_previous=has_previous)["current"]
    for name in cur:
        if name in _ADDITIVE:
            avg = out.loc[assigned, name].mean() if assigned.any() else np.nan
        else:
            avg = team[name]
        out[name + "_gap"] = out[name] - avg
    out["new_customers"] = g["n_new"]
    out["retained_customers"] = g["n_retained"]
    out["reactivated_customers"] = g["n_reactivated"]
    out["lost_customers"] = g["n_lost"]
    out["lost_revenue"] = _round(g["lost_revenue"].to_numpy())
    for k in CLASSES:
        out[f"bridge_{k}"] = _round(g[f"bridge_{k}"].to_numpy())
    return out
