"""Commercial indicators (ICPC): periods, customer dynamics, revenue bridge, decomposition.

Definitions: docs/definitions.md. Everything rests on one per-customer
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

Rules chosen where the design is silent (also in the docstrings below):

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

The code lives in :mod:`icpc.periods` and :mod:`icpc.analysis` (one module per analysis);
this module is the indicators' public API, so that ``from icpc import kpi`` gives them all.
"""

from __future__ import annotations

from icpc.analysis.bridge import (
    Bridge,
    Decomposition,
    decompose_revenue,
    lmdi_decomposition,
    revenue_bridge,
)
from icpc.analysis.cohorts import Cohorts, cohort_table
from icpc.analysis.concentration import Concentration, concentration
from icpc.analysis.customers import (
    CLASSES,
    customer_attribution,
    customer_periods,
    has_previous_data,
)
from icpc.analysis.customers import Prepared as Prepared  # the arrays the analyses share
from icpc.analysis.customers import _customer_periods as _customer_periods  # given Prepared
from icpc.analysis.customers import prepare as prepare
from icpc.analysis.dynamics import Dynamics, customer_dynamics
from icpc.analysis.groups import UNASSIGNED, by_group
from icpc.analysis.indicators import INDICATORS, MONEY, period_indicators
from icpc.analysis.monthly import CustomerMonths, customer_months, monthly_series
from icpc.analysis.monthly import _customer_months as _customer_months  # given Prepared
from icpc.analysis.monthly import _monthly_series as _monthly_series  # given Prepared
from icpc.analysis.monthly import _rolling_active as _rolling_active
from icpc.periods import Period, add_months, as_date, period_bounds

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
    "MONEY",
]
