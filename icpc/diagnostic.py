"""One client's diagnostic at one date: every analysis computed once, shared by all outputs.

:class:`Diagnostic` wraps a loaded :class:`~icpc.cleaning.Dataset`. Each analysis is a
cached property (:class:`analysis`) computed on first use and reused by the notebook, the Excel
writer and ``kpis.json`` (:meth:`Diagnostic.kpis_json`).

Adding an analysis (e.g. Score3D segments, early warning):

1. add an ``@analysis`` property computing it from ``self.dataset`` / ``self.table``;
2. for a kpis.json block, add a builder in :mod:`icpc.export.kpis_json` and put it in
   its ``BLOCKS`` at its place in the contract's order (docs/outputs.md).

Example
-------
>>> from icpc.config import load_config
>>> diag = Diagnostic.from_config(load_config("data_samples/demo/client.yaml"))
>>> float(diag.kpis.loc["revenue", "current"])
1775935.97
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc import kpi, lazy
from icpc.analysis import anomalies as anomalies_mod
from icpc.analysis import call_list, warning
from icpc.analysis import score3d as segmentation
from icpc.analysis.actions import Action, action_plan, find_action
from icpc.analysis.activity import activity_summary
from icpc.analysis.anomalies import Anomalies
from icpc.analysis.backtest import Backtest
from icpc.analysis.bgnbd import BGNBD
from icpc.analysis.follow_up import HEADLINE, Earlier, FollowUp, follow_up
from icpc.analysis.guardrails import Guardrail, evaluate_guardrails
from icpc.analysis.no_sale import no_sale_error
from icpc.analysis.score3d import KMeansResult, SegmentRule
from icpc.analysis.warning_model import Ranking, RankingBacktest, _warning_ranking
from icpc.lazy import analysis

if TYPE_CHECKING:
    from icpc.cleaning import Dataset
    from icpc.config import Config

__all__ = ["Diagnostic", "analysis"]


class Diagnostic:
    """All analyses of one client at one date (diagnostic commercial).

    Parameters
    ----------
    dataset : Dataset
        ``icpc.cleaning.load_dataset(config)``: canonical transactions (every row dated
        on or before ``as_of``), optional customers and activity, the ledger.
    analyses : mapping, optional
        Analyses already computed on this very dataset, by name (``icpc run`` hands its
        own to the notebook's kernel: :func:`icpc.lazy.load_analyses`). Taken as they are:
        they must come from this dataset and this code.

    Attributes
    ----------
    dataset, config, as_of
        The inputs.
    period, previous_period : icpc.kpi.Period
        N and N-1 (docs/definitions.md).

    Raises
    ------
    AnalysisError
        When no sale (document with a positive total) is dated on or before ``as_of``.
    """

    def __init__(
        self,
        dataset: Dataset,
        analyses: Mapping[str, Any] | None = None,
        *,
        earlier: tuple[Earlier, ...] = (),
    ) -> None:
        known = set(lazy.analysis_names(type(self)))
        #: the client's earlier diagnostics (the runner finds them): the follow-up's input
        self.earlier = tuple(earlier)
        self.__dict__.update({k: v for k, v in (analyses or {}).items() if k in known})
        self.dataset = dataset
        self.config: Config = dataset.config
        self.as_of: dt.date = dataset.as_of
        self.months: int = self.config.period_months
        self.period, self.previous_period = kpi.period_bounds(
            self.as_of, self.months, self.config.compare
        )
        # no sale document up to as_of (a customer's first sale is his first one): from
        # the customer table when given, else from the documents (the table is then
        # computed while the early warning's worker starts, see BACKGROUND in icpc.run)
        sold = (
            self.table["first_sale"].notna().any()
            if "table" in self.__dict__
            else bool(np.asarray(self.prepared.doc_sale).any())
        )
        if not sold:
            raise no_sale_error(self.dataset)

    @property
    def data_end(self) -> dt.date:
        """Date of the last row used (on or before ``as_of``)."""
        return kpi.as_date(self.transactions[C.DATE].max())

    #: days without any row before ``as_of`` from which the report warns that N is cut short
    DATA_END_WARNING_DAYS = 31

    def data_end_warning(self) -> str | None:
        """One line for the console when :attr:`data_end_gap` is set, else None."""
        days = self.data_end_gap
        if days is None:
            return None
        return (
            f"warning: {Path(self.config.transactions.path).name}: the data ends on "
            f"{self.data_end.isoformat()}, {days} days before as_of {self.as_of.isoformat()}; "
            "period N is cut short (the report opens with this warning)"
        )

    @property
    def data_end_gap(self) -> int | None:
        """Days from the last row used to ``as_of`` when more than
        :attr:`DATA_END_WARNING_DAYS` (an ``as_of`` past the data: N is cut short), else None."""
        days = (self.as_of - self.data_end).days
        return days if days > self.DATA_END_WARNING_DAYS else None

    @classmethod
    def from_config(cls, config: Config, *, cache: bool = False) -> Diagnostic:
        """Load the client's data (:func:`icpc.cleaning.load_dataset`) and wrap it;
        ``cache``: from the cache of cleaned datasets when it holds them
        (:mod:`icpc.cleaning.cache`; ``icpc kpis`` and the notebooks ask for it)."""
        from icpc.cleaning import load_dataset

        return cls(load_dataset(config, cache=cache))

    @classmethod
    def from_frames(
        cls,
        config: Config,
        transactions: pd.DataFrame,
        *,
        as_of: dt.date | str,
        customers: pd.DataFrame | None = None,
        activity: pd.DataFrame | None = None,
    ) -> Diagnostic:
        """A diagnostic of canonical frames (tests, notebooks): no file is read.

        Parameters
        ----------
        config : Config
            The client config (thresholds, period, basis…; its files are not read).
        transactions : DataFrame
            Canonical transactions (docs/CONTRACTS.md): ``customer_id`` (category), ``date``
            (datetime64[ns]), ``amount``, optional columns, ``source_row``.
        as_of : date
            The analysis date; rows after it are left out, as the cleaning does.
        customers, activity : DataFrame, optional
            Canonical customer master and activity log.

        Returns
        -------
        Diagnostic
            Its ledger counts every row of ``transactions`` as used (or after ``as_of``).
        """
        from icpc.cleaning import Dataset, Ledger
        from icpc.cleaning.ledger import AFTER_AS_OF

        day = pd.Timestamp(as_of).normalize()
        after = (transactions[C.DATE] > day).to_numpy()
        bucket = after.astype(np.int64)
        rows = (
            transactions[C.SOURCE_ROW].to_numpy()
            if C.SOURCE_ROW in transactions.columns
            else np.arange(1, len(transactions) + 1)
        )
        ledger = Ledger.from_buckets(
            key="transactions",
            path=Path(config.transactions.path).name,
            reasons=(AFTER_AS_OF,),
            bucket=bucket,
            amounts=transactions[C.AMOUNT].to_numpy(dtype=float),
            source_row=rows,
        )
        kept = transactions.loc[~after].reset_index(drop=True)
        return cls(
            Dataset(
                config=config,
                as_of=day.date(),
                transactions=kept,
                customers=customers,
                activity=activity,
                ledger=ledger,
                ledgers={"transactions": ledger},
            )
        )

    # ---- inputs ----------------------------------------------------------------------
    @property
    def transactions(self) -> pd.DataFrame:
        """The canonical transactions used."""
        return self.dataset.transactions

    @analysis
    def prepared(self) -> kpi.Prepared:
        """Integer arrays shared by the KPI analyses (:func:`icpc.kpi.prepare`)."""
        return kpi.prepare(self.transactions, as_of=self.as_of)

    @analysis
    def documents(self) -> pd.DataFrame:
        """Documents (pièces) up to ``as_of`` (:func:`icpc.analysis.documents.documents`)."""
        return self.prepared.documents

    @analysis
    def table(self) -> pd.DataFrame:
        """Per-customer figures of N and N-1 (:func:`icpc.kpi.customer_periods`)."""
        return kpi._customer_periods(self.prepared, months=self.months, compare=self.config.compare)

    @analysis
    def has_previous(self) -> bool:
        """Whether the data reaches before N (else N-1 figures are null)."""
        return kpi.has_previous_data(
            self.transactions, as_of=self.as_of, months=self.months, compare=self.config.compare
        )

    # ---- ICPC analyses ---------------------------------------------------------------
    @analysis
    def kpis(self) -> pd.DataFrame:
        """Period indicators N / N-1 (:func:`icpc.kpi.period_indicators`)."""
        return kpi.period_indicators(self.table, has_previous=self.has_previous)

    @analysis
    def dynamics(self) -> kpi.Dynamics:
        """New, retained, reactivated, lost customers (:func:`icpc.kpi.customer_dynamics`)."""
        return kpi.customer_dynamics(self.table, as_of=self.as_of)

    @analysis
    def bridge(self) -> kpi.Bridge:
        """Revenue bridge N-1 → N (:func:`icpc.kpi.revenue_bridge`)."""
        return kpi.revenue_bridge(self.table)

    @analysis
    def decomposition(self) -> kpi.Decomposition:
        """Customers × frequency × basket split of the change (:func:`icpc.kpi.decompose_revenue`)."""
        return kpi.decompose_revenue(self.table)

    @analysis
    def customer_months(self) -> kpi.CustomerMonths:
        """Net revenue per (customer, month) (:func:`icpc.kpi.customer_months`)."""
        return kpi._customer_months(self.prepared)

    @analysis
    def monthly(self) -> pd.DataFrame:
        """Monthly series and rolling 12 months (:func:`icpc.kpi.monthly_series`)."""
        return kpi._monthly_series(self.prepared, self.customer_months)

    @analysis
    def cohorts(self) -> kpi.Cohorts:
        """Cohort retention by quarter of first sale (:func:`icpc.kpi.cohort_table`)."""
        return kpi.cohort_table(self.table, self.customer_months)

    @analysis
    def concentration(self) -> kpi.Concentration:
        """Pareto, top shares, Herfindahl of revenue N (:func:`icpc.kpi.concentration`)."""
        return kpi.concentration(self.table)

    @analysis
    def by_salesperson(self) -> pd.DataFrame | None:
        """Indicators and bridge per salesperson (None when not mapped)."""
        if C.SALESPERSON not in self.table.columns:
            return None
        return kpi.by_group(self.table, C.SALESPERSON, has_previous=self.has_previous)

    @analysis
    def by_region(self) -> pd.DataFrame | None:
        """Indicators and bridge per region (None when not mapped)."""
        if C.REGION not in self.table.columns:
            return None
        return kpi.by_group(self.table, C.REGION, has_previous=self.has_previous)

    @analysis
    def activity(self) -> pd.DataFrame | None:
        """Contacts, calls, conversion per salesperson (None without an activity log)."""
        log = self.dataset.activity
        if log is None:
            return None
        return activity_summary(
            log, self.table, as_of=self.as_of, months=self.months, compare=self.config.compare
        )

    # ---- Score3D, early warning, anomalies --------------------------------------------
    @analysis
    def segment_rules(self) -> tuple[SegmentRule, ...]:
        """Score3D segment rules: ``segments:`` of client.yaml, else ``icpc/segments.yaml``."""
        return segmentation.segment_rules(self.config.segments, source=self.config.source)

    @analysis
    def rfm(self) -> pd.DataFrame:
        """Recency, frequency, monetary per customer with a sale (:func:`icpc.analysis.score3d.rfm`).

        On ``config.basis`` and over ``config.rfm_window_months`` (all history when None).
        """
        return segmentation.rfm(
            self.documents,
            as_of=self.as_of,
            basis=self.config.basis,
            window_months=self.config.rfm_window_months,
        )

    @analysis
    def rfm_history(self) -> pd.DataFrame:
        """As :attr:`rfm` over the whole history (first and last sale ever, for the status)."""
        if self.config.rfm_window_months is None:
            return self.rfm
        return segmentation.rfm(self.documents, as_of=self.as_of, basis=self.config.basis)

    @analysis
    def scores(self) -> pd.DataFrame:
        """Scored customers: :attr:`rfm` columns, ``r_score``, ``f_score``, ``m_score``, ``segment``."""
        scored = segmentation.score(self.rfm)
        scored["segment"] = segmentation.assign_segments(scored, self.segment_rules)
        return scored

    @analysis
    def segments(self) -> pd.Series:
        """Score3D segment of each scored customer (categorical, rule order)."""
        return self.scores["segment"]

    @analysis
    def segment_profiles(self) -> pd.DataFrame:
        """Profile and action per segment (:func:`icpc.analysis.score3d.segment_profiles`)."""
        return segmentation.segment_profiles(
            self.scores, self.segment_rules, language=self.config.language
        )

    @analysis
    def rf_grid(self) -> pd.DataFrame:
        """Customers and mean monetary value per R x F cell (:func:`icpc.analysis.score3d.rf_grid`)."""
        return segmentation.rf_grid(self.scores)

    @analysis
    def migration(self) -> pd.DataFrame:
        """Moves between segments from the end of N-1 to ``as_of`` (:func:`icpc.analysis.score3d.migration`)."""
        return segmentation._migration(
            self.documents, as_of=self.as_of, period_months=self.months,
            compare=self.config.compare, rules=self.segment_rules,
            basis=self.config.basis, window_months=self.config.rfm_window_months, current=self.scores,
        )  # fmt: skip

    @analysis
    def migration_matrix(self) -> pd.DataFrame:
        """:attr:`migration` as a from × to matrix of customers (:func:`icpc.analysis.score3d.migration_matrix`)."""
        return segmentation.migration_matrix(self.migration)

    @analysis
    def customer_master(self) -> pd.DataFrame | None:
        """The customer master indexed by ``customer_id`` (str), one row per customer; None without one.

        The one join of the master for the report, the Excel and customers.csv (the
        cleaning already kept one row per id).
        """
        master = self.dataset.customers
        if master is None:
            return None
        out = master.set_axis(
            pd.Index(master[C.CUSTOMER_ID].astype("str"), name=C.CUSTOMER_ID), axis=0
        )
        return out[~out.index.duplicated(keep="first")]

    @analysis
    def kmeans(self) -> KMeansResult:
        """K-means alternative to the rules, k by silhouette (:func:`icpc.analysis.score3d.kmeans_segments`)."""
        return segmentation.kmeans_segments(self.scores, language=self.config.language)

    @analysis
    def attribution(self) -> pd.DataFrame:
        """Salesperson and region of each customer (most recent invoice), from :attr:`table`."""
        cols = [c for c in (C.SALESPERSON, C.REGION) if c in self.table.columns]
        out = self.table[cols].copy()
        out.index = out.index.astype("str")
        return out

    @analysis
    def early_warning(self) -> pd.DataFrame:
        """Early-warning table, flagged first by value at stake (:func:`icpc.analysis.warning.early_warning`)."""
        return warning.with_attribution(self.warning_rules[0], self.attribution)

    @analysis
    def warning_rules(self) -> tuple[pd.DataFrame, warning.SaleDates]:
        """:attr:`early_warning` without its salesperson and region (the rules and the
        ranking do not read them: computed on the documents alone, before the customer
        table), and the distinct sale dates it read, from which the ranking's BG/NBD
        inputs at as_of come (not sorted out of the documents again)."""
        return warning._early_warning(
            self.documents, pd.Timestamp(self.as_of).normalize(), self.config.thresholds, None
        )

    @analysis
    def backtest(self) -> Backtest | None:
        """The early warning applied ``backtest_months`` before as_of, judged on what followed
        (:func:`icpc.analysis.backtest.early_warning_backtest`); None without that history."""
        # the ranking rebuilt the documents, the rules and the outcome at the cut-off:
        # the rules' backtest is read from them (early_warning_backtest's figures)
        tested = self.warning_ranking[1]
        return None if tested is None else tested.rules_backtest

    @analysis
    def warning_ranking(self) -> tuple[Ranking, RankingBacktest | None]:
        """The early warning's ranking (rules with P(alive), fitted on this client's history)
        and its backtest against each signal alone
        (:func:`icpc.analysis.warning_model.warning_ranking`)."""
        # the documents at the earlier dates come from the grouping of the lines up to as_of
        # and the rules at as_of are the early warning's (its background worker runs it first)
        return _warning_ranking(
            self.prepared.history,
            pd.Timestamp(self.as_of),
            self.config.thresholds,
            *self.warning_rules,
        )

    @property
    def warning_score(self) -> pd.Series:
        """``warning_score`` per eligible customer (:attr:`warning_ranking`)."""
        return self.warning_ranking[0].scores

    @analysis
    def alive(self) -> tuple[BGNBD | None, pd.Series]:
        """The BG/NBD model fitted on this client and each customer's P(alive)
        (:func:`icpc.analysis.bgnbd.alive_table`)."""
        ranking = self.warning_ranking[0]  # its fit at as_of is this one
        assert ranking.p_alive is not None
        return ranking.bgnbd, ranking.p_alive

    @property
    def p_alive(self) -> pd.Series:
        """P(alive) per customer with a sale (NaN when the model cannot be fitted)."""
        return self.alive[1]

    @analysis
    def guardrails(self) -> tuple[Guardrail, ...]:
        """The guardrails of the config, evaluated (:func:`icpc.analysis.guardrails.evaluate_guardrails`)."""
        has_master = self.dataset.customers is not None
        return evaluate_guardrails(
            self.config.guardrails,
            kpis=self.kpis,
            table=self.table,
            retention_rate=self.dynamics.retention_rate if self.has_previous else None,
            clusters=self.anomalies.customers if has_master else None,
            objectives=self.config.objectives,
        )

    def with_earlier(self, earlier: tuple[Earlier, ...]) -> Diagnostic:
        """This diagnostic, following up ``earlier`` (its follow-up computed anew); returns self."""
        self.earlier = tuple(earlier)
        self.__dict__.pop("follow_up", None)
        return self

    @analysis
    def follow_up(self) -> FollowUp | None:
        """What became of the last diagnostic (:func:`icpc.analysis.follow_up.follow_up`);
        None without an earlier diagnostic in :attr:`earlier`."""
        if not self.earlier:
            return None
        return follow_up(
            self.earlier,
            as_of=self.as_of,
            headline=self.headline(),
            transactions=self.transactions,
            documents=self.documents,
            status=self.status,
            flagged_now=self.early_warning["early_warning"],
        )

    def headline(self) -> dict[str, Any]:
        """The figures followed across diagnostics (:data:`icpc.analysis.follow_up.HEADLINE`):
        N's values, as kpis.json gives them."""
        from icpc.export.kpis_json import BLOCKS

        blocks = BLOCKS["kpis"](self)  # kpis.json's own values (not the whole file: it holds this)
        out = {}
        for key in HEADLINE:
            value = blocks.get(key)
            out[key] = value.get("current") if isinstance(value, Mapping) else value
        return out

    @analysis
    def status(self) -> pd.Series:
        """Status new / active / slipping / lost of each customer with a sale."""
        th = self.config.thresholds
        return segmentation.customer_status(
            self.rfm_history, as_of=self.as_of, lost_after_days=th.lost_after_days,
            new_within_days=th.new_within_days, slipping=self.early_warning["early_warning"],
        )  # fmt: skip

    @analysis
    def anomalies(self) -> Anomalies:
        """Address / SIRET duplicate groups and suspicious creations (:func:`icpc.analysis.anomalies.anomalies`)."""
        return anomalies_mod._anomalies(
            self.dataset.customers,
            self.documents,
            as_of=self.as_of,
            attribution=self.attribution,
            stats=self.rfm_history,
        )

    @analysis
    def action_plan(self) -> tuple[Action, ...]:
        """The plan of action, largest amount first (:func:`icpc.analysis.actions.action_plan`)."""
        return action_plan(
            early_warning=self.early_warning,
            lost=self.dynamics.lost,
            anomalies=self.anomalies,
            table=self.table,
            by_salesperson=self.by_salesperson,
            concentration=self.concentration,
            has_previous=self.has_previous,
        )

    # ---- the sales team's work lists (actions.xlsx) ------------------------------------
    @analysis
    def work_lists(self) -> pd.DataFrame:
        """Customers to call, to win back, whose revenue fell (:func:`icpc.analysis.call_list.work_lists`)."""
        win_back = find_action(self.action_plan, "win_back_lost")
        lost = self.dynamics.lost
        return call_list.work_lists(
            early_warning=self.early_warning,
            table=self.table,
            win_back=win_back.customers if win_back is not None else (),
            lost=lost.index.astype(str).tolist() if lost is not None else (),
        )

    @analysis
    def last_orders(self) -> pd.DataFrame:
        """Last order and usual basket per customer (:func:`icpc.analysis.call_list.last_orders`)."""
        return call_list.last_orders(self.documents, self.rfm_history)

    @analysis
    def usual_products(self) -> pd.DataFrame | None:
        """Top products (or families) per customer; None when neither is mapped
        (:func:`icpc.analysis.call_list.usual_products`)."""
        return call_list.usual_products(self.transactions, self.last_orders["last_sale"])

    # ---- per-customer table ----------------------------------------------------------

    # ---- kpis.json -------------------------------------------------------------------

    # ---- concurrency, decided by the caller (icpc.run, the CLI) ------------------------
    @contextmanager
    def background(self, *names: str, inputs: tuple[str, ...] = ()) -> Iterator[None]:
        """Compute the analyses ``names`` on one worker thread while the caller goes on.

        ``inputs`` (analyses that ``names`` and the caller both need) are computed first,
        here, so that no analysis is computed by two threads. Reading one of ``names``
        in the block waits for the worker; leaving the block waits for it too, and raises
        its exception, if any. Analyses already computed are not started again.

        Example
        -------
        >>> from icpc.config import load_config
        >>> diag = Diagnostic.from_config(load_config("data_samples/demo/client.yaml"))
        >>> with diag.background("early_warning", inputs=("documents", "attribution")):
        ...     document = diag.kpis_json()  # the early warning is computed meanwhile
        >>> "early_warning" in diag.__dict__
        True
        """
        with lazy.background(self, names, inputs):
            yield

    # ---- the machine outputs (icpc.export) -------------------------------------------
    # shortcuts to the exports, which sit above the facade (imported when called)
    def kpis_json(self) -> dict[str, Any]:
        """The ``kpis.json`` document (:func:`icpc.export.kpis_json`)."""
        from icpc.export import kpis_json

        return kpis_json(self)

    def customers_table(self) -> pd.DataFrame:
        """The ``customers.csv`` table (:func:`icpc.export.customers_table`)."""
        from icpc.export import customers_table

        return customers_table(self)

    def write_customers_csv(self, path: str | Path) -> None:
        """Write ``customers.csv`` (:func:`icpc.export.write_customers_csv`)."""
        from icpc.export import write_customers_csv

        write_customers_csv(self, path)
