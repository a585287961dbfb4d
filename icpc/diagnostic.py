"""One client's diagnostic at one date: every analysis computed once, shared by all outputs.

:class:`Diagnostic` wraps a loaded :class:`~icpc.cleaning.Dataset`. Each analysis is a
``functools.cached_property`` computed on first use and reused by the notebook, the Excel
writer and ``kpis.json`` (:meth:`Diagnostic.kpis_json`).

Adding an analysis (e.g. Score3D segments, early warning):

1. add a ``cached_property`` computing it from ``self.dataset`` / ``self.table``;
2. add a ``_json_<name>`` method returning its JSON-ready block (use :func:`money`,
   :func:`number` and :func:`jsonable`), and put ``<name>`` in :attr:`Diagnostic.JSON_BLOCKS`
   at its place in the DESIGN.md order.

Example
-------
>>> from icpc.config import load_config
>>> diag = Diagnostic.from_config(load_config("data_samples/demo/client.yaml"))  # doctest: +SKIP
>>> diag.kpis.loc["revenue", "current"]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc import anomalies as anomalies_mod
from icpc import columns as C
from icpc import kpi, segmentation, warning
from icpc.activity import activity_summary
from icpc.anomalies import Anomalies
from icpc.exceptions import AnalysisError
from icpc.money import cents
from icpc.segmentation import KMeansResult, SegmentRule

if TYPE_CHECKING:
    from icpc.cleaning import Dataset
    from icpc.config import Config

__all__ = ["Diagnostic", "money", "number", "jsonable", "round_adding_up"]

#: Columns of ``customers.csv`` (DESIGN.md), in order; extras may follow.
CUSTOMERS_CSV_COLUMNS = (
    "customer_id", "first_sale", "last_sale", "recency_days", "frequency", "monetary", "r_score", "f_score",
    "m_score", "segment", "status", "usual_interval_days", "overdue_ratio", "early_warning", "value_at_stake",
    "salesperson", "region", "duplicate_group",
)  # fmt: skip

#: Indicators counted in whole units (ints in kpis.json).
_COUNTS = frozenset({"sales_count", "active_customers"})


# --------------------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------
# the diagnostic
# --------------------------------------------------------------------------------------
class Diagnostic:
    """All analyses of one client at one date (diagnostic commercial).

    Parameters
    ----------
    dataset : Dataset
        ``icpc.cleaning.load_dataset(config)``: canonical transactions (every row dated
        on or before ``as_of``), optional customers and activity, the ledger.

    Attributes
    ----------
    dataset, config, as_of
        The inputs.
    period, previous_period : icpc.kpi.Period
        N and N-1 (DESIGN.md rule).

    Raises
    ------
    AnalysisError
        When no sale (document with a positive total) is dated on or before ``as_of``.
    """

    #: blocks of :meth:`kpis_json` after the header, in order; each ``name`` is produced by
    #: the method ``_json_<name>`` (a block that returns None is left out).
    JSON_BLOCKS: tuple[str, ...] = (
        "kpis",
        "bridge",
        "bridge_retained",
        "decomposition",
        "concentration",
        "segments",
        "early_warning",
        "data_quality",
    )

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.config: Config = dataset.config
        self.as_of: dt.date = dataset.as_of
        self.months: int = self.config.period_months
        self.period, self.previous_period = kpi.period_bounds(self.as_of, self.months)
        if not self.table["first_sale"].notna().any():
            raise self._no_sale_error()

    def _no_sale_error(self) -> AnalysisError:
        """Why no sale is dated on or before ``as_of``, with the fix that applies.

        Rows after ``as_of``: a later date may reach the sales. Otherwise the file holds no
        sale at all: every row used is a credit note or zero (the amount column, or an
        export of the credit notes only), or the credit notes cancel every invoice.
        """

        def rows(n: int) -> str:
            return f"{n} row" + ("" if n == 1 else "s")

        ledger = getattr(self.dataset, "ledger", None)  # None: a dataset without its ledger
        where = Path(self.config.transactions.path).name
        used = len(self.transactions)
        after = int(ledger.rows_excluded.get("after as_of", 0)) if ledger is not None else 0
        if ledger is None or after > 0:
            later = f", {rows(after)} dated after it" if after else ""
            return AnalysisError(
                f"{where}: as_of {self.as_of.isoformat()} is before the first sale "
                f"(no invoice with a positive total is dated on or before it, {rows(used)} used{later}); "
                "set a later as_of in the config or pass --as-of YYYY-MM-DD"
            )
        credit = int(ledger.warnings.get("credit notes", {}).get("rows", 0))
        zero = int(ledger.warnings.get("zero amounts", {}).get("rows", 0))
        total = f"{abs(ledger.amount_used):,.2f}"
        if self.config.language == "fr":
            total = total.replace(",", " ").replace(".", ",")
        total = ("-" if ledger.amount_used < 0 else "") + f"{total} {self.config.currency}"
        counts = f"credit notes: {rows(credit)}, zero amounts: {rows(zero)}, total {total}"
        fec = self.config.transactions.format == "fec"
        if credit + zero >= used:
            check = (
                "check transactions.fec.sales_accounts (the sales accounts, class 70), or export the whole FEC"
                if fec else
                "check that transactions.columns.amount is the net amount with sales positive, "
                "or export the invoices too"
            )
            return AnalysisError(
                f"{where}: no sale to analyse: the {rows(used)} used are all credit notes or zero amounts "
                f"({counts}); {check}"
            )
        check = "transactions.fec.sales_accounts" if fec else (
            "transactions.columns.amount and transactions.columns.invoice_id"
        )
        return AnalysisError(
            f"{where}: no sale to analyse: no document of the {rows(used)} used has a positive total, "
            f"the credit notes cancel the invoices ({counts}); check {check}"
        )

    @classmethod
    def from_config(cls, config: Config) -> Diagnostic:
        """Load the client's data (:func:`icpc.cleaning.load_dataset`) and wrap it."""
        from icpc.cleaning import load_dataset

        return cls(load_dataset(config))

    # ---- inputs ----------------------------------------------------------------------
    @property
    def transactions(self) -> pd.DataFrame:
        """The canonical transactions used."""
        return self.dataset.transactions

    @cached_property
    def prepared(self) -> kpi.Prepared:
        """Integer arrays shared by the KPI analyses (:func:`icpc.kpi.prepare`)."""
        return kpi.prepare(self.transactions, as_of=self.as_of)

    @cached_property
    def documents(self) -> pd.DataFrame:
        """Documents (pièces) up to ``as_of`` (:func:`icpc.documents.documents`)."""
        return self.prepared.documents

    @cached_property
    def table(self) -> pd.DataFrame:
        """Per-customer figures of N and N-1 (:func:`icpc.kpi.customer_periods`)."""
        return kpi.customer_periods(
            self.transactions, as_of=self.as_of, months=self.months, prepared=self.prepared
        )

    @cached_property
    def has_previous(self) -> bool:
        """Whether the data reaches before N (else N-1 figures are null)."""
        return kpi.has_previous_data(self.transactions, as_of=self.as_of, months=self.months)

    # ---- ICPC analyses ---------------------------------------------------------------
    @cached_property
    def kpis(self) -> pd.DataFrame:
        """Period indicators N / N-1 (:func:`icpc.kpi.period_indicators`)."""
        return kpi.period_indicators(self.table, has_previous=self.has_previous)

    @cached_property
    def dynamics(self) -> kpi.Dynamics:
        """New, retained, reactivated, lost customers (:func:`icpc.kpi.customer_dynamics`)."""
        return kpi.customer_dynamics(self.table, as_of=self.as_of)

    @cached_property
    def bridge(self) -> kpi.Bridge:
        """Revenue bridge N-1 → N (:func:`icpc.kpi.revenue_bridge`)."""
        return kpi.revenue_bridge(self.table)

    @cached_property
    def decomposition(self) -> kpi.Decomposition:
        """Customers × frequency × basket split of the change (:func:`icpc.kpi.decompose_revenue`)."""
        return kpi.decompose_revenue(self.table)

    @cached_property
    def customer_months(self) -> kpi.CustomerMonths:
        """Net revenue per (customer, month) (:func:`icpc.kpi.customer_months`)."""
        return kpi.customer_months(self.transactions, as_of=self.as_of, prepared=self.prepared)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """Monthly series and rolling 12 months (:func:`icpc.kpi.monthly_series`)."""
        return kpi.monthly_series(
            self.transactions, as_of=self.as_of, months=self.customer_months, prepared=self.prepared
        )

    @cached_property
    def cohorts(self) -> kpi.Cohorts:
        """Cohort retention by quarter of first sale (:func:`icpc.kpi.cohort_table`)."""
        return kpi.cohort_table(self.table, self.customer_months)

    @cached_property
    def concentration(self) -> kpi.Concentration:
        """Pareto, top shares, Herfindahl of revenue N (:func:`icpc.kpi.concentration`)."""
        return kpi.concentration(self.table)

    @cached_property
    def by_salesperson(self) -> pd.DataFrame | None:
        """Indicators and bridge per salesperson (None when not mapped)."""
        if C.SALESPERSON not in self.table.columns:
            return None
        return kpi.by_group(self.table, C.SALESPERSON, has_previous=self.has_previous)

    @cached_property
    def by_region(self) -> pd.DataFrame | None:
        """Indicators and bridge per region (None when not mapped)."""
        if C.REGION not in self.table.columns:
            return None
        return kpi.by_group(self.table, C.REGION, has_previous=self.has_previous)

    @cached_property
    def activity(self) -> pd.DataFrame | None:
        """Contacts, calls, conversion per salesperson (None without an activity log)."""
        log = getattr(self.dataset, "activity", None)
        if log is None:
            return None
        return activity_summary(log, self.table, as_of=self.as_of, months=self.months)

    # ---- Score3D, early warning, anomalies --------------------------------------------
    @cached_property
    def segment_rules(self) -> tuple[SegmentRule, ...]:
        """Score3D segment rules: ``segments:`` of client.yaml, else ``icpc/segments.yaml``."""
        return segmentation.segment_rules(self.config.segments, source=self.config.source)

    @cached_property
    def rfm(self) -> pd.DataFrame:
        """Recency, frequency, monetary per customer with a sale (:func:`icpc.segmentation.rfm`).

        On ``config.basis`` and over ``config.rfm_window_months`` (all history when None).
        """
        return segmentation.rfm(
            self.documents, as_of=self.as_of, basis=self.config.basis, window_months=self.config.rfm_window_months
        )

    @cached_property
    def rfm_history(self) -> pd.DataFrame:
        """As :attr:`rfm` over the whole history (first and last sale ever, for the status)."""
        if self.config.rfm_window_months is None:
            return self.rfm
        return segmentation.rfm(self.documents, as_of=self.as_of, basis=self.config.basis)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Scored customers: :attr:`rfm` columns, ``r_score``, ``f_score``, ``m_score``, ``segment``."""
        scored = segmentation.score(self.rfm)
        scored["segment"] = segmentation.assign_segments(scored, self.segment_rules)
        return scored

    @cached_property
    def segments(self) -> pd.Series:
        """Score3D segment of each scored customer (categorical, rule order)."""
        return self.scores["segment"]

    @cached_property
    def segment_profiles(self) -> pd.DataFrame:
        """Profile and action per segment (:func:`icpc.segmentation.segment_profiles`)."""
        return segmentation.segment_profiles(self.scores, self.segment_rules, language=self.config.language)

    @cached_property
    def rf_grid(self) -> pd.DataFrame:
        """Customers and mean monetary value per R x F cell (:func:`icpc.segmentation.rf_grid`)."""
        return segmentation.rf_grid(self.scores)

    @cached_property
    def migration(self) -> pd.DataFrame:
        """Moves between segments from the end of N-1 to ``as_of`` (:func:`icpc.segmentation.migration`)."""
        return segmentation.migration(
            self.documents, as_of=self.as_of, period_months=self.months, rules=self.segment_rules,
            basis=self.config.basis, window_months=self.config.rfm_window_months, current=self.scores,
        )  # fmt: skip

    @cached_property
    def kmeans(self) -> KMeansResult:
        """K-means alternative to the rules, k by silhouette (:func:`icpc.segmentation.kmeans_segments`)."""
        return segmentation.kmeans_segments(self.scores, language=self.config.language)

    @cached_property
    def attribution(self) -> pd.DataFrame:
        """Salesperson and region of each customer (most recent row), from :attr:`table`."""
        cols = [c for c in (C.SALESPERSON, C.REGION) if c in self.table.columns]
        out = self.table[cols].copy()
        out.index = out.index.astype("str")
        return out

    @cached_property
    def early_warning(self) -> pd.DataFrame:
        """Early-warning table, flagged first by value at stake (:func:`icpc.warning.early_warning`)."""
        return warning.early_warning(
            self.documents, as_of=self.as_of, thresholds=self.config.thresholds, attribution=self.attribution
        )

    @cached_property
    def status(self) -> pd.Series:
        """Status new / active / slipping / lost of each customer with a sale."""
        th = self.config.thresholds
        return segmentation.customer_status(
            self.rfm_history, as_of=self.as_of, lost_after_days=th.lost_after_days,
            new_within_days=th.new_within_days, slipping=self.early_warning["early_warning"],
        )  # fmt: skip

    @cached_property
    def anomalies(self) -> Anomalies:
        """Address / SIRET duplicate groups and suspicious creations (:func:`icpc.anomalies.anomalies`)."""
        return anomalies_mod.anomalies(
            self.dataset.customers, self.documents, as_of=self.as_of, attribution=self.attribution,
            stats=self.rfm_history,
        )

    def _json_segments(self) -> dict[str, dict[str, Any]]:
        prof = self.segment_profiles
        return {
            str(name): {"customers": int(row["customers"]), "revenue": money(row["revenue"]) or 0.0}
            for name, row in prof.iterrows()
        }

    def _json_early_warning(self) -> dict[str, Any]:
        ew = self.early_warning
        flagged = ew["early_warning"].to_numpy(dtype=bool)
        return {"flagged": int(flagged.sum()), "value_at_stake": money(ew.loc[flagged, "value_at_stake"].sum()) or 0.0}

    def _with_score3d(self, base: pd.DataFrame, anomalies: Future[Anomalies] | None = None) -> pd.DataFrame:
        """Complete :meth:`customers_table`: DESIGN.md's customers.csv columns in order, then extras.

        Rows: customers with at least one sale up to ``as_of``. ``frequency`` and
        ``monetary`` are the Score3D values (``basis``, ``rfm_window_months``; 0 without a
        sale in the window); scores and segment are empty for customers not scored (net
        revenue <= 0); ``name``, ``address``, ``postcode``, ``city`` follow when the
        customer master gives them, then ``revenue``, ``revenue_previous``, ``bridge_class``.
        ``anomalies``: :attr:`anomalies` being computed elsewhere (else computed here).
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        out = base.loc[base["first_sale"].notna()].reset_index(drop=True)
        ids = pd.Index(out[C.CUSTOMER_ID].astype("str"))

        ids_arrow = pa.array(ids.to_numpy(dtype=object), pa.string())

        def locate(frame: pd.DataFrame | pd.Series) -> np.ndarray:
            # position of each id in ``frame`` (-1: absent), one hash lookup per distinct
            # index (rfm, scores, status and the early warning often share theirs)
            key = id(frame)
            if key not in positions:
                index = frame.index
                same = next((pos for other, pos in indexes if other is index or other.equals(index)), None)
                if same is not None:
                    positions[key] = same
                elif index.dtype == "str" and index.is_unique:  # Arrow's hash lookup: ~5x pandas'
                    found = pc.index_in(ids_arrow, value_set=pa.array(index.array, pa.string()))
                    positions[key] = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)
                else:
                    positions[key] = index.get_indexer(ids)
                indexes.append((index, positions[key]))
            return positions[key]

        def take(frame: pd.DataFrame | pd.Series, col: str | None, fill: Any) -> np.ndarray:
            # positional take (no reindex per column)
            pos = locate(frame)
            values = (frame if col is None else frame[col]).to_numpy(dtype=object if fill is None else None)
            return np.where(pos >= 0, values[pos] if len(values) else fill, fill)

        def take_text(frame: pd.DataFrame | pd.Series, col: str | None) -> pd.api.extensions.ExtensionArray:
            # text column -> ``str`` array, null where absent, without Python objects
            pos = locate(frame)
            series = frame if col is None else frame[col]
            if series.dtype != "str" or not len(series):
                return pd.array(take(frame, col, None), dtype="str")
            values = pa.array(series.array, pa.string())
            picked = pc.take(values, pa.array(pos, mask=pos < 0))
            return pd.array(picked, dtype="str")

        positions: dict[int, np.ndarray] = {}
        indexes: list[tuple[pd.Index, np.ndarray]] = []
        out["frequency"] = take(self.rfm, "frequency", 0).astype("int64")
        out["monetary"] = take(self.rfm, "monetary", 0.0).astype(float)
        for col in ("r_score", "f_score", "m_score"):
            out[col] = pd.array(take(self.scores, col, -1), dtype="Int64")
            out.loc[out[col] < 0, col] = pd.NA
        out["recency_days"] = pd.array(out["recency_days"], dtype="Int64")
        out["segment"] = pd.array(take(self.scores, "segment", None), dtype="str")
        out["status"] = pd.array(take(self.status, None, None), dtype="str")
        ew = self.early_warning
        out["usual_interval_days"] = take(ew, "usual_interval_days", np.nan).astype(float)
        out["overdue_ratio"] = np.round(take(ew, "overdue_ratio", np.nan).astype(float), 3)
        out["early_warning"] = take(ew, "early_warning", False).astype(bool)
        out["value_at_stake"] = take(ew, "value_at_stake", 0.0).astype(float)
        extras: list[str] = []
        master = self.dataset.customers
        if master is not None:
            m = master.drop_duplicates(C.CUSTOMER_ID, keep="last")
            m = m.set_axis(pd.Index(m[C.CUSTOMER_ID].astype("str")), axis=0)
            for col in (C.NAME, C.ADDRESS, C.POSTCODE, C.CITY):
                if col in m.columns:
                    out[col] = take_text(m, col)
                    extras.append(col)
        groups = (anomalies.result() if anomalies is not None else self.anomalies).customers
        out["duplicate_group"] = (
            pd.array(take(groups, "duplicate_group", None), dtype="str") if "duplicate_group" in groups.columns else None
        )
        extras += [c for c in ("revenue", "revenue_previous", "bridge_class") if c in out.columns]
        return out[list(CUSTOMERS_CSV_COLUMNS) + extras]

    # ---- per-customer table ----------------------------------------------------------
    def customers_table(self) -> pd.DataFrame:
        """One row per customer with any row up to ``as_of`` (base of ``customers.csv``).

        Returns
        -------
        DataFrame
            RangeIndex, columns ``customer_id``, ``first_sale``, ``last_sale``,
            ``recency_days`` (days from the last sale to ``as_of``), ``frequency`` (sale
            documents up to ``as_of``), ``monetary`` (net revenue up to ``as_of``),
            ``salesperson``, ``region`` (empty when not mapped), ``revenue``,
            ``revenue_previous``, ``bridge_class``. The Score3D, early-warning and
            anomaly modules add their columns (scores, segment, status…).

        Notes
        -----
        When :attr:`anomalies` is not computed yet, a worker thread computes it while
        the other columns are built (its inputs :attr:`documents`, :attr:`attribution`
        and :attr:`rfm_history` are computed first, here, so that no cached property is
        computed by two threads); the thread is joined before returning and its
        exception, if any, is raised here.
        """
        if "anomalies" in self.__dict__:  # already computed (cached_property)
            return self._customers_table(None)
        _ = (self.documents, self.attribution, self.rfm_history)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-anomalies") as worker:
            return self._customers_table(worker.submit(lambda: self.anomalies))

    def _customers_table(self, anomalies: Future[Anomalies] | None) -> pd.DataFrame:
        """Body of :meth:`customers_table`; ``anomalies`` as in :meth:`_with_score3d`."""
        t = self.table
        out = pd.DataFrame({C.CUSTOMER_ID: t.index.astype("str")})
        out["first_sale"] = t["first_sale"].to_numpy()
        out["last_sale"] = t["last_sale"].to_numpy()
        recency = (pd.Timestamp(self.as_of) - t["last_sale"]).dt.days
        out["recency_days"] = recency.astype("Int64").to_numpy()
        out["frequency"] = t["total_sales"].to_numpy()
        out["monetary"] = t["total_revenue"].to_numpy()
        for col in (C.SALESPERSON, C.REGION):
            out[col] = t[col].to_numpy() if col in t.columns else None
        out["revenue"] = t["revenue"].to_numpy()
        out["revenue_previous"] = t["revenue_previous"].to_numpy()
        out["bridge_class"] = t["bridge_class"].astype("str").to_numpy()
        return self._with_score3d(out, anomalies)

    def write_customers_csv(self, path: str | Path) -> None:
        """Write :meth:`customers_table` as UTF-8 CSV (comma, ISO dates, true/false).

        Written by Arrow's CSV writer (about 15 times faster than ``DataFrame.to_csv`` on
        100,000 customers): text values are quoted, empty cells are nulls; the header
        line holds the plain column names.
        """
        import pyarrow as pa
        import pyarrow.csv as pacsv

        table = pa.Table.from_pandas(self.customers_table(), preserve_index=False)
        columns = [
            col.cast(pa.date32()) if pa.types.is_timestamp(col.type) else col for col in table.columns
        ]
        table = pa.table(columns, names=table.column_names)
        with open(path, "wb") as fh:  # header unquoted (plain names), then the rows
            fh.write((",".join(table.column_names) + "\n").encode("utf-8"))
            pacsv.write_csv(table, fh, pacsv.WriteOptions(delimiter=",", include_header=False))

    # ---- kpis.json -------------------------------------------------------------------
    def kpis_json(self) -> dict[str, Any]:
        """The ``kpis.json`` contract of DESIGN.md: JSON-ready (floats/ints/None, no NaN).

        Money is rounded to the cent; ``change_pct`` is a fraction, null when the
        previous value is 0 or unknown; N-1 figures are null without N-1 data.

        Notes
        -----
        When :attr:`early_warning` is not computed yet, a worker thread computes it
        while the blocks before it are built (its inputs :attr:`documents` and
        :attr:`attribution` are computed first, here; the thread is joined before its
        block and on return, and its exception, if any, is raised here).
        """
        if "early_warning" in self.__dict__:  # already computed (cached_property)
            return self._kpis_json(None)
        _ = (self.documents, self.attribution)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="icpc-warning") as worker:
            return self._kpis_json(worker.submit(lambda: self.early_warning))

    def _kpis_json(self, early_warning: Future[pd.DataFrame] | None) -> dict[str, Any]:
        """Body of :meth:`kpis_json`; ``early_warning``: :attr:`early_warning` being computed."""
        out: dict[str, Any] = {
            "client": self.config.client,
            "slug": self.config.slug,
            "as_of": self.as_of.isoformat(),
            "currency": self.config.currency,
            "basis": self.config.basis,
            "period": self.period.as_json(),
            "previous_period": self.previous_period.as_json(),
        }
        for name in self.JSON_BLOCKS:
            if name == "early_warning" and early_warning is not None:
                early_warning.result()  # computed by the worker: wait for it before reading it
            block = getattr(self, f"_json_{name}")()
            if block is not None:
                out[name] = block
        return out

    def _json_kpis(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, row in self.kpis.iterrows():
            if name in kpi.MONEY:
                conv: Any = money
            elif name in _COUNTS:
                conv = lambda v: None if number(v) is None else int(v)  # noqa: E731
            else:
                conv = number
            out[str(name)] = {
                "current": conv(row["current"]),
                "previous": conv(row["previous"]),
                "change": conv(row["change"]),
                "change_pct": number(row["change_pct"]),
            }
        d = self.dynamics
        out |= {
            "new_customers": d.new_customers,
            "retained_customers": d.retained_customers,
            "reactivated_customers": d.reactivated_customers,
            "lost_customers": d.lost_customers,
            "lost_revenue": money(d.lost_revenue),
            "churn_rate": number(d.churn_rate),
            "retention_rate": number(d.retention_rate),
        }
        return out

    def _json_bridge(self) -> dict[str, float]:
        return round_adding_up(self.bridge.as_dict(), self.bridge.change)

    def _json_bridge_retained(self) -> dict[str, float]:
        b = self.bridge
        parts = {"frequency": b.retained_frequency, "basket": b.retained_basket}
        return round_adding_up(parts, b.retained_frequency + b.retained_basket)

    def _json_decomposition(self) -> dict[str, float]:
        d = self.decomposition
        return round_adding_up(d.as_dict(), d.change)

    def _json_concentration(self) -> dict[str, Any]:
        c = self.concentration.as_dict()
        return {
            k: money(v) if k.endswith("revenue") else (int(v) if k == "customers" else number(v))
            for k, v in c.items()
        }

    def _json_data_quality(self) -> dict[str, Any] | None:
        quality = getattr(self.dataset, "data_quality", None)
        return None if quality is None else jsonable(quality())
