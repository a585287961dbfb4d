"""Score3D: recency, frequency, monetary (RFM) scores, named segments, migration, k-means.

Every function takes the *documents* frame of :func:`icpc.documents.documents` (one row
per invoice or credit note: ``customer_id``, ``date``, ``amount``, optional ``margin``,
``is_sale``) and an explicit ``as_of``; nothing reads the clock.

Tie rule of the scores (:func:`quantile_scores`)
    Customers with the same value always get the same score. Distinct values are sorted
    and cut into ``min(5, number of distinct values)`` consecutive classes whose sizes are
    as close to equal as the ties allow: each cut is placed at the tie boundary nearest to
    an equal share of the customers *still to be classed* (so a big tie, e.g. 60 % of
    customers with one order, makes one big class and the rest is shared evenly). With
    five or more distinct values every score 1-5 is used. With fewer (tiny portfolios,
    or all customers alike) the classes take distinct scores nearest to the middle of the
    quantiles they cover: one class -> 3; two halves -> 2 and 4; four quarters -> 1, 2, 4, 5.

Segments (segments.yaml)
    Rules are data: ranges of R/F (and optionally M) scores, first match wins, with French
    and English labels, a description and a recommended action; see :func:`segment_rules`.

Example
-------
>>> docs = documents(dataset.transactions)  # doctest: +SKIP
>>> scored = score(rfm(docs, as_of="2024-12-31"))  # doctest: +SKIP
>>> scored["segment"] = assign_segments(scored, segment_rules())  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from icpc import columns as C
from icpc.exceptions import ConfigError
from icpc.money import cents, exact

__all__ = [
    "SegmentRule",
    "KMeansResult",
    "RFM_COLUMNS",
    "STATUSES",
    "NOT_SCORED",
    "window_start",
    "rfm",
    "quantile_scores",
    "score",
    "segment_rules",
    "default_segment_rules",
    "assign_segments",
    "segment_profiles",
    "rf_grid",
    "migration",
    "migration_matrix",
    "customer_status",
    "kmeans_segments",
]

#: columns of :func:`rfm`, in order
RFM_COLUMNS = ("first_sale", "last_sale", "recency_days", "frequency", "monetary", "revenue", "scored")
#: values of :func:`customer_status`, in order
STATUSES = ("new", "active", "slipping", "lost")
#: segment of a customer not scored at a date (migration matrix)
NOT_SCORED = "(not scored)"
N_SCORES = 5
SCORE_NAMES = {"r": "r_score", "f": "f_score", "m": "m_score"}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def _ts(date: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(date).normalize()


def window_start(as_of: dt.date | str | pd.Timestamp, months: int) -> pd.Timestamp:
    """First day of the ``months``-month window ending at ``as_of`` (DESIGN.md periods).

    Parameters
    ----------
    as_of : date
        Last day of the window (included).
    months : int
        Length of the window in months.

    Returns
    -------
    Timestamp
        ``(as_of + 1 day) - months``: 2024-12-31 and 12 give 2024-01-01.
    """
    return _ts(as_of) + pd.Timedelta(days=1) - pd.DateOffset(months=int(months))


def _customer_codes(customers: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (0..n-1) and the matching customer ids of a customer_id column."""
    if isinstance(customers.dtype, pd.CategoricalDtype):
        return np.asarray(customers.cat.codes, dtype=np.int64), pd.Index(customers.cat.categories.astype(str))
    codes, uniques = pd.factorize(customers.astype(str))
    return codes.astype(np.int64), pd.Index(uniques)


# --------------------------------------------------------------------------------------
# RFM values
# --------------------------------------------------------------------------------------
def rfm(
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    basis: str = "revenue",
    window_months: int | None = None,
) -> pd.DataFrame:
    """Recency, frequency and monetary value (récence, fréquence, montant) per customer.

    Parameters
    ----------
    documents : DataFrame
        Output of :func:`icpc.documents.documents` (``customer_id``, ``date``, ``amount``,
        ``is_sale``, and ``margin`` when ``basis="margin"``).
    as_of : date
        Analysis date; later documents are ignored.
    basis : {"revenue", "margin"}
        What ``monetary`` measures: net revenue, or net margin (missing margins count 0).
    window_months : int, optional
        Only the documents of the last ``window_months`` months count; None = all history.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (str): one row per customer with at least one sale document
        in the window. Columns ``first_sale``, ``last_sale`` (dates of the first and last
        sale document), ``recency_days`` (days from the last sale to ``as_of``),
        ``frequency`` (number of sale documents), ``monetary`` (exact net revenue or
        margin), ``revenue`` (exact net revenue), ``scored`` (net revenue > 0 to the cent:
        the customers that :func:`score` ranks, on their monetary value in cents).
    """
    if basis not in ("revenue", "margin"):
        raise ValueError(f"basis must be 'revenue' or 'margin', not {basis!r}")
    end = _ts(as_of)
    dates = documents[C.DATE]
    keep = (dates <= end).to_numpy()
    if window_months is not None:
        keep = keep & (dates >= window_start(end, window_months)).to_numpy()
    codes, ids = _customer_codes(documents[C.CUSTOMER_ID])
    codes = codes[keep]
    n = len(ids)
    amount = documents[C.AMOUNT].to_numpy(dtype=float)[keep]
    revenue = exact(np.bincount(codes, weights=amount, minlength=n))
    if basis == "margin":
        margin = np.nan_to_num(documents[C.MARGIN].to_numpy(dtype=float)[keep])
        monetary = exact(np.bincount(codes, weights=margin, minlength=n))
    else:
        monetary = revenue
    sale = documents["is_sale"].to_numpy(dtype=bool)[keep]
    sale_codes = codes[sale]
    frequency = np.bincount(sale_codes, minlength=n)
    day = dates.to_numpy(dtype="datetime64[ns]")[keep][sale].astype("datetime64[D]").astype(np.int64)
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, sale_codes, day)
    np.maximum.at(last, sale_codes, day)
    has_sale = frequency > 0
    end_day = int(np.datetime64(end.date(), "D").astype(np.int64))
    out = pd.DataFrame(
        {
            "first_sale": first[has_sale].astype("datetime64[D]").astype("datetime64[ns]"),
            "last_sale": last[has_sale].astype("datetime64[D]").astype("datetime64[ns]"),
            "recency_days": (end_day - last[has_sale]).astype(np.int64),
            "frequency": frequency[has_sale].astype(np.int64),
            "monetary": monetary[has_sale],
            "revenue": revenue[has_sale],
            "scored": cents(revenue[has_sale]) > 0,
        },
        index=pd.Index(ids[has_sale], name=C.CUSTOMER_ID),
    )
    return out


# --------------------------------------------------------------------------------------
# scores
# --------------------------------------------------------------------------------------
def _class_scores(midpoints: np.ndarray, n_scores: int) -> np.ndarray:
    """Distinct increasing scores nearest to the ideal ones (``midpoint * n + 0.5``)."""
    ideal = midpoints * n_scores + 0.5
    best: tuple[float, tuple[int, ...]] | None = None
    for combo in itertools.combinations(range(1, n_scores + 1), len(midpoints)):
        cost = float(np.abs(np.asarray(combo) - ideal).sum())
        if best is None or cost < best[0] - 1e-12:
            best = (cost, combo)
    assert best is not None
    return np.asarray(best[1])


def quantile_scores(values: Sequence[float] | np.ndarray | pd.Series, *, higher_is_better: bool = True, n_scores: int = N_SCORES) -> np.ndarray:
    """Scores 1..n (quintiles) that keep ties together and stay balanced.

    Parameters
    ----------
    values : array-like of float
        One value per customer (no NaN).
    higher_is_better : bool
        False for recency (fewer days since the last sale = better = higher score).
    n_scores : int
        Number of classes (5 for Score3D).

    Returns
    -------
    ndarray of int8
        The score of each value. Equal values share a score; higher (better) values never
        get a lower score; classes are as equal in size as ties allow (see the module
        docstring for the exact rule); with at least ``n_scores`` distinct values, every
        score is used.

    Example
    -------
    >>> quantile_scores([1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 9]).tolist()
    [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5]
    >>> quantile_scores([1, 2]).tolist()  # two halves: the middle of each half
    [2, 4]
    """
    v = np.asarray(values, dtype=float)
    n = len(v)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    if np.isnan(v).any():
        raise ValueError("quantile_scores: values contain NaN")
    if not higher_is_better:
        v = -v
    uniq, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    n_groups = len(uniq)
    k = min(n_scores, n_groups)
    cum = np.cumsum(counts)  # customers with a value <= uniq[i]
    if k == n_groups:
        group_class = np.arange(n_groups)
    else:
        cuts: list[int] = []  # class c ends after the tie group cuts[c]
        prev = -1
        for j in range(1, k):
            done = cum[prev] if prev >= 0 else 0
            target = done + (n - done) / (k - j + 1)
            i = int(np.searchsorted(cum, target))
            if i > 0 and abs(cum[i - 1] - target) <= abs(cum[min(i, n_groups - 1)] - target):
                i -= 1
            i = min(max(i, prev + 1), n_groups - 1 - (k - j))
            cuts.append(i)
            prev = i
        group_class = np.searchsorted(np.asarray(cuts), np.arange(n_groups), side="left")
    if k == n_scores:
        class_score = np.arange(1, n_scores + 1)
    else:
        class_end = np.zeros(k)
        np.maximum.at(class_end, group_class, cum)
        class_start = np.concatenate([[0.0], class_end[:-1]])
        class_score = _class_scores((class_start + class_end) / 2 / n, n_scores)
    return class_score[group_class][inverse].astype(np.int8)


def score(rfm_frame: pd.DataFrame) -> pd.DataFrame:
    """Add the Score3D scores (notes R, F, M from 1 to 5) to the scored customers.

    Parameters
    ----------
    rfm_frame : DataFrame
        Output of :func:`rfm`.

    Returns
    -------
    DataFrame
        The rows with ``scored`` true, with the :func:`rfm` columns plus ``r_score``
        (recency reversed: 5 = most recent), ``f_score``, ``m_score`` (int8, 1-5), by
        :func:`quantile_scores`.
    """
    out = rfm_frame.loc[rfm_frame["scored"]].copy()
    out["r_score"] = quantile_scores(out["recency_days"].to_numpy(), higher_is_better=False)
    out["f_score"] = quantile_scores(out["frequency"].to_numpy())
    out["m_score"] = quantile_scores(cents(out["monetary"].to_numpy()))  # equal cents, equal scores
    return out


# --------------------------------------------------------------------------------------
# segment rules
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SegmentRule:
    """One Score3D segment: score ranges (both ends included) and its texts.

    ``label``, ``description`` and ``action`` map a language (``fr``, ``en``) to text.
    """

    name: str
    r: tuple[int, int] = (1, N_SCORES)
    f: tuple[int, int] = (1, N_SCORES)
    m: tuple[int, int] = (1, N_SCORES)
    label: Mapping[str, str] | None = None
    description: Mapping[str, str] | None = None
    action: Mapping[str, str] | None = None

    def text(self, what: str, language: str = "fr") -> str:
        """The ``label``/``description``/``action`` in ``language`` (the label defaults to the name)."""
        texts = getattr(self, what) or {}
        default = self.name if what == "label" else ""
        return str(texts.get(language) or texts.get("en") or texts.get("fr") or default)


_RULE_KEYS = {"name", "r", "f", "m", "label", "description", "action"}


def _rule_range(value: Any, where: str) -> tuple[int, int]:
    if value is None:
        return (1, N_SCORES)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value, value]
    ok = (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) and int(x) == x for x in value)
    )
    if not ok or not 1 <= value[0] <= value[1] <= N_SCORES:
        raise ConfigError(
            f"{where} must be a score 1-{N_SCORES} or a range [low, high] with 1 <= low <= high <= {N_SCORES}, "
            f"found {value!r}"
        )
    return (int(value[0]), int(value[1]))


def _rule_texts(value: Any, where: str) -> Mapping[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"fr": value, "en": value}
    if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
        unknown = set(value) - {"fr", "en"}
        if unknown:
            raise ConfigError(f"{where} has unknown language(s) {sorted(unknown)}; use fr and en")
        return {str(k): v for k, v in value.items()}
    raise ConfigError(f"{where} must be a text or {{fr: ..., en: ...}}, found {value!r}")


def segment_rules(raw: Sequence[Mapping[str, Any]] | None = None, *, source: str | Path | None = None) -> tuple[SegmentRule, ...]:
    """Validate segment rules (the ``segments:`` list of client.yaml), or return the defaults.

    Parameters
    ----------
    raw : list of mappings, optional
        Rules with keys ``name`` (required, unique), ``r``, ``f``, ``m`` (a score or a
        ``[low, high]`` range; missing = any), ``label``, ``description``, ``action``
        (text or ``{fr:, en:}``). None gives the default rules of ``segments.yaml``.
    source : path, optional
        The file the rules come from, for messages.

    Returns
    -------
    tuple of SegmentRule
        In order; the first matching rule wins.

    Raises
    ------
    ConfigError
        On an unknown key, a missing or repeated name, a bad range, or rules that leave
        some (r, f, m) scores without a segment.
    """
    if raw is None:
        return default_segment_rules()
    where = Path(source).name if source is not None else "config"
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence) or not raw:
        raise ConfigError(f'{where}: "segments" must be a non-empty list of rules (name, r, f), found {raw!r}')
    rules: list[SegmentRule] = []
    for i, item in enumerate(raw, start=1):
        at = f'{where}: "segments" rule {i}'
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at} must be a mapping (name, r, f, label, action), found {item!r}")
        unknown = set(item) - _RULE_KEYS
        if unknown:
            raise ConfigError(f"{at} has unknown key(s) {sorted(map(str, unknown))}; valid keys are {sorted(_RULE_KEYS)}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f'{at} has no "name"; give each segment a name')
        name = name.strip()
        if any(r.name == name for r in rules):
            raise ConfigError(f'{at}: the name "{name}" is used twice; segment names must be unique')
        at = f'{where}: "segments" rule "{name}"'
        rules.append(
            SegmentRule(
                name=name,
                r=_rule_range(item.get("r"), f"{at} r"),
                f=_rule_range(item.get("f"), f"{at} f"),
                m=_rule_range(item.get("m"), f"{at} m"),
                label=_rule_texts(item.get("label"), f"{at} label"),
                description=_rule_texts(item.get("description"), f"{at} description"),
                action=_rule_texts(item.get("action"), f"{at} action"),
            )
        )
    grid = np.array(list(itertools.product(range(1, N_SCORES + 1), repeat=3)))
    seg = _match(grid[:, 0], grid[:, 1], grid[:, 2], tuple(rules))
    missing = grid[seg < 0]
    if len(missing):
        shown = ", ".join(f"(r={a}, f={b}, m={c})" for a, b, c in missing[:5])
        raise ConfigError(
            f'{where}: "segments" leave {len(missing)} score combination(s) without a segment, e.g. {shown}; '
            "add a last rule without r/f/m ranges to catch every remaining customer"
        )
    return tuple(rules)


@cache
def default_segment_rules() -> tuple[SegmentRule, ...]:
    """The default Score3D rules (``icpc/segments.yaml``): the 11 usual segments."""
    text = resources.files("icpc").joinpath("segments.yaml").read_text(encoding="utf-8")
    return segment_rules(yaml.safe_load(text), source="segments.yaml")


def _match(r: np.ndarray, f: np.ndarray, m: np.ndarray, rules: tuple[SegmentRule, ...]) -> np.ndarray:
    """Index of the first matching rule per customer (-1 when none matches)."""
    out = np.full(len(r), -1, dtype=np.int64)
    for i, rule in enumerate(rules):  # a loop over the rules, not over customers
        hit = (
            (out < 0)
            & (r >= rule.r[0]) & (r <= rule.r[1])
            & (f >= rule.f[0]) & (f <= rule.f[1])
            & (m >= rule.m[0]) & (m <= rule.m[1])
        )  # fmt: skip
        out[hit] = i
    return out


def assign_segments(scores: pd.DataFrame, rules: Sequence[SegmentRule] | None = None) -> pd.Series:
    """Segment (segment Score3D) of each scored customer: the first matching rule.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score` (``r_score``, ``f_score``, ``m_score``).
    rules : sequence of SegmentRule, optional
        From :func:`segment_rules`; default rules when None.

    Returns
    -------
    Series
        Categorical (categories = rule names, in rule order), same index as ``scores``.
    """
    rules = tuple(rules) if rules is not None else default_segment_rules()
    idx = _match(
        scores["r_score"].to_numpy(), scores["f_score"].to_numpy(), scores["m_score"].to_numpy(), rules
    )
    if (idx < 0).any():  # rules from segment_rules() cover every score; others may not
        raise ConfigError("segment rules leave some customers without a segment; end them with a catch-all rule")
    names = [r.name for r in rules]
    return pd.Series(pd.Categorical.from_codes(idx, categories=names), index=scores.index, name="segment")


# --------------------------------------------------------------------------------------
# segment views
# --------------------------------------------------------------------------------------
def segment_profiles(
    segmented: pd.DataFrame, rules: Sequence[SegmentRule] | None = None, *, language: str = "fr"
) -> pd.DataFrame:
    """Profile of each segment (profil des segments): size, revenue, mean R/F/M, basket.

    Parameters
    ----------
    segmented : DataFrame
        Output of :func:`score` with a ``segment`` column (:func:`assign_segments`).
    rules : sequence of SegmentRule, optional
        The rules used (for the order, labels and actions); default rules when None.
    language : {"fr", "en"}
        Language of ``label``, ``description`` and ``action``.

    Returns
    -------
    DataFrame
        Index ``segment`` (every rule, in rule order, empty ones included). Columns
        ``label``, ``customers``, ``share`` (of customers), ``revenue``, ``revenue_share``,
        ``monetary``, ``mean_recency_days``, ``mean_frequency``, ``mean_monetary``,
        ``basket`` (average basket, panier moyen: revenue / sale documents),
        ``description``, ``action``. Shares are fractions; means are NaN for an empty
        segment.
    """
    rules = tuple(rules) if rules is not None else default_segment_rules()
    names = [r.name for r in rules]
    seg = segmented["segment"].astype(pd.CategoricalDtype(names))
    g = segmented.groupby(seg, observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size().astype(np.int64),
            "revenue": g["revenue"].sum().round(2),
            "monetary": g["monetary"].sum().round(2),
            "mean_recency_days": g["recency_days"].mean(),
            "mean_frequency": g["frequency"].mean(),
            "mean_monetary": g["monetary"].mean(),
            "sales": g["frequency"].sum(),
        }
    ).reindex(names)
    out.index.name = "segment"
    total_customers = out["customers"].sum()
    total_revenue = out["revenue"].sum()
    out["share"] = out["customers"] / total_customers if total_customers else np.nan
    out["revenue_share"] = out["revenue"] / total_revenue if total_revenue else np.nan
    out["basket"] = out["revenue"] / out["sales"].where(out["sales"] > 0)
    out["label"] = [r.text("label", language) for r in rules]
    out["description"] = [r.text("description", language) for r in rules]
    out["action"] = [r.text("action", language) for r in rules]
    cols = ["label", "customers", "share", "revenue", "revenue_share", "monetary", "mean_recency_days",
            "mean_frequency", "mean_monetary", "basket", "description", "action"]  # fmt: skip
    return out[cols]


def rf_grid(segmented: pd.DataFrame) -> pd.DataFrame:
    """The R x F grid (grille R x F): customers and mean monetary value per cell.

    Parameters
    ----------
    segmented : DataFrame
        Output of :func:`score` (``r_score``, ``f_score``, ``monetary``).

    Returns
    -------
    DataFrame
        25 rows, one per (``r_score``, ``f_score``) from (1, 1) to (5, 5); columns
        ``r_score``, ``f_score``, ``customers`` (0 for an empty cell), ``mean_monetary``
        (NaN for an empty cell), ``monetary`` (total). Pivot it for a heat map:
        ``grid.pivot(index="r_score", columns="f_score", values="customers")``.
    """
    cell = (segmented["r_score"].astype(np.int64) - 1) * N_SCORES + (segmented["f_score"].astype(np.int64) - 1)
    g = segmented["monetary"].groupby(cell.to_numpy())
    full = np.arange(N_SCORES * N_SCORES)
    customers = g.size().reindex(full, fill_value=0).to_numpy()
    total = g.sum().reindex(full, fill_value=0.0).to_numpy()
    return pd.DataFrame(
        {
            "r_score": full // N_SCORES + 1,
            "f_score": full % N_SCORES + 1,
            "customers": customers.astype(np.int64),
            "mean_monetary": np.where(customers > 0, total / np.maximum(customers, 1), np.nan),
            "monetary": exact(total),
        }
    )


def _segmented(
    documents: pd.DataFrame, as_of: pd.Timestamp, rules: tuple[SegmentRule, ...], basis: str, window_months: int | None
) -> pd.DataFrame:
    scored = score(rfm(documents, as_of=as_of, basis=basis, window_months=window_months))
    scored["segment"] = assign_segments(scored, rules)
    return scored


def _period_revenue(documents: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    dates = documents[C.DATE]
    inside = ((dates >= start) & (dates <= end)).to_numpy()
    codes, ids = _customer_codes(documents[C.CUSTOMER_ID])
    total = np.bincount(codes[inside], weights=documents[C.AMOUNT].to_numpy(dtype=float)[inside], minlength=len(ids))
    return pd.Series(exact(total), index=pd.Index(ids, name=C.CUSTOMER_ID))


def migration(
    documents: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    period_months: int = 12,
    rules: Sequence[SegmentRule] | None = None,
    basis: str = "revenue",
    window_months: int | None = None,
    current: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Migration between segments (migration des segments) from the end of N-1 to ``as_of``.

    Scores and segments are computed afresh at both dates (the earlier one is the last
    day of period N-1: ``as_of - period_months``), each on the history known then.

    Parameters
    ----------
    documents : DataFrame
        Output of :func:`icpc.documents.documents`.
    as_of : date
        Analysis date (end of period N).
    period_months : int
        Length of the periods.
    rules : sequence of SegmentRule, optional
        Segment rules; defaults when None.
    basis, window_months
        As in :func:`rfm`.
    current : DataFrame, optional
        The segmented customers at ``as_of`` if already computed (saves one pass).

    Returns
    -------
    DataFrame
        One row per (``from_segment``, ``to_segment``) pair with customers, including
        :data:`NOT_SCORED` for customers not scored at one of the dates. Columns
        ``from_segment``, ``to_segment``, ``customers``, ``revenue_previous`` (their
        revenue in period N-1), ``revenue_current`` (in period N). Pivot with
        :func:`migration_matrix`.
    """
    rules = tuple(rules) if rules is not None else default_segment_rules()
    end = _ts(as_of)
    start_n = window_start(end, period_months)
    prev_end = start_n - pd.Timedelta(days=1)
    start_prev = window_start(prev_end, period_months)
    now = current if current is not None else _segmented(documents, end, rules, basis, window_months)
    before = _segmented(documents, prev_end, rules, basis, window_months)
    order = [NOT_SCORED] + [r.name for r in rules]
    both = pd.DataFrame(
        {
            "from_segment": before["segment"].astype(str),
            "to_segment": now["segment"].astype(str),
        }
    ).fillna(NOT_SCORED)
    both["revenue_previous"] = _period_revenue(documents, start_prev, prev_end).reindex(both.index, fill_value=0.0)
    both["revenue_current"] = _period_revenue(documents, start_n, end).reindex(both.index, fill_value=0.0)
    out = (
        both.groupby(["from_segment", "to_segment"], sort=False)
        .agg(customers=("revenue_current", "size"), revenue_previous=("revenue_previous", "sum"),
             revenue_current=("revenue_current", "sum"))
        .reset_index()
    )  # fmt: skip
    for col in ("from_segment", "to_segment"):
        out[col] = pd.Categorical(out[col], categories=order)
    out[["revenue_previous", "revenue_current"]] = out[["revenue_previous", "revenue_current"]].round(2)
    return out.sort_values(["from_segment", "to_segment"]).reset_index(drop=True)


def migration_matrix(migration_frame: pd.DataFrame, value: str = "customers") -> pd.DataFrame:
    """Pivot :func:`migration` into a from x to matrix of ``value`` (0 where nobody moved).

    Parameters
    ----------
    migration_frame : DataFrame
        Output of :func:`migration`.
    value : {"customers", "revenue_previous", "revenue_current"}
        The figure in the cells.

    Returns
    -------
    DataFrame
        Rows ``from_segment``, columns ``to_segment``, every segment of the categories.
    """
    cats = migration_frame["from_segment"].cat.categories
    return (
        migration_frame.pivot_table(index="from_segment", columns="to_segment", values=value,
                                    aggfunc="sum", fill_value=0, observed=False)
        .reindex(index=cats, columns=cats, fill_value=0)
    )  # fmt: skip


# --------------------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------------------
def customer_status(
    customers: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    lost_after_days: int = 365,
    new_within_days: int = 90,
    slipping: pd.Series | None = None,
) -> pd.Series:
    """Status of each customer (statut : nouveau, actif, en décrochage, perdu).

    Parameters
    ----------
    customers : DataFrame
        Index ``customer_id``; columns ``first_sale`` (first sale ever) and ``last_sale``
        (e.g. :func:`rfm` over the whole history).
    as_of : date
        Analysis date.
    lost_after_days : int
        ``thresholds.lost_after_days``: no sale for longer than this = lost.
    new_within_days : int
        ``thresholds.new_within_days``: first sale at most this many days before ``as_of`` = new.
    slipping : Series of bool, optional
        The early-warning flag (:func:`icpc.warning.early_warning`), by customer id.

    Returns
    -------
    Series
        Categorical with categories :data:`STATUSES`, first match wins: ``lost`` (recency
        > ``lost_after_days``), ``slipping`` (flagged by the early warning), ``new``,
        ``active``.
    """
    end = _ts(as_of)
    recency = (end - customers["last_sale"]).dt.days.to_numpy()
    since_first = (end - customers["first_sale"]).dt.days.to_numpy()
    flagged = (
        slipping.reindex(customers.index, fill_value=False).to_numpy(dtype=bool)
        if slipping is not None
        else np.zeros(len(customers), dtype=bool)
    )
    code = np.select(
        [recency > lost_after_days, flagged, since_first <= new_within_days], [3, 2, 0], default=1
    )
    return pd.Series(pd.Categorical.from_codes(code, categories=list(STATUSES)), index=customers.index, name="status")


# --------------------------------------------------------------------------------------
# k-means
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KMeansResult:
    """K-means segmentation of the scored customers (for analysts).

    ``labels``: cluster (1..k, 1 = the cluster with the most revenue) per customer;
    ``profiles``: one row per cluster (see :func:`kmeans_segments`); ``silhouettes``:
    silhouette score per k tried.
    """

    k: int
    labels: pd.Series
    profiles: pd.DataFrame
    silhouettes: Mapping[int, float]


_KMEANS_WORDS = {
    "fr": {
        "recency_days": ("récents", "anciens"),
        "frequency": ("fréquents", "occasionnels"),
        "monetary": ("gros montants", "petits montants"),
        "average": "dans la moyenne",
    },
    "en": {
        "recency_days": ("recent", "lapsed"),
        "frequency": ("frequent", "occasional"),
        "monetary": ("high value", "low value"),
        "average": "average",
    },
}


def kmeans_segments(
    scored: pd.DataFrame,
    *,
    k_range: Sequence[int] = range(2, 9),
    random_state: int = 0,
    sample_size: int = 2000,
    language: str = "fr",
) -> KMeansResult:
    """K-means clusters on log-scaled RFM, k chosen by silhouette (alternative to the rules).

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`score` or :func:`rfm` (``recency_days``, ``frequency``,
        ``monetary``, ``revenue``).
    k_range : sequence of int
        Numbers of clusters tried.
    random_state : int
        Seed of the k-means and of the silhouette sample.
    sample_size : int
        k is chosen on a random sample of at most this many customers (the silhouette is
        quadratic in their number); the chosen model is then refined on all customers.
    language : {"fr", "en"}
        Language of the ``description`` column.

    Returns
    -------
    KMeansResult
        ``profiles`` columns: ``customers``, ``share``, ``revenue``, ``revenue_share``,
        ``median_recency_days``, ``median_frequency``, ``median_monetary``,
        ``description`` (e.g. "récents · fréquents · gros montants": each median compared
        with the median of all customers, within a factor 1.5 = average). With fewer
        than 3 distinct customers, one cluster (k = 1).
    """
    from threadpoolctl import threadpool_limits

    # one thread: on three features OpenMP threads only contend (10x slower on a busy machine)
    with threadpool_limits(limits=1):
        return _kmeans(scored, k_range=k_range, random_state=random_state, sample_size=sample_size,
                       language=language)  # fmt: skip


def _kmeans(
    scored: pd.DataFrame, *, k_range: Sequence[int], random_state: int, sample_size: int, language: str
) -> KMeansResult:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    cols = ["recency_days", "frequency", "monetary"]
    x = np.column_stack(
        [np.log1p(np.clip(scored[c].to_numpy(dtype=float), 0, None)) for c in cols]
    )
    std = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    n_distinct = len(np.unique(x, axis=0)) if len(x) else 0
    ks = [k for k in k_range if 2 <= k < n_distinct]
    silhouettes: dict[int, float] = {}
    centers: dict[int, np.ndarray] = {}
    if ks:
        rng = np.random.default_rng(random_state)
        sample = rng.choice(len(x), size=min(sample_size, len(x)), replace=False)
        xs = x[sample]
        for k in ks:
            model = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit(xs)
            if len(np.unique(model.labels_)) > 1:
                silhouettes[k] = float(silhouette_score(xs, model.labels_))
                centers[k] = model.cluster_centers_
    if silhouettes:
        best_k = max(silhouettes, key=lambda k: (round(silhouettes[k], 6), -k))
        # all customers, starting from the centres found on the sample
        raw = KMeans(n_clusters=best_k, init=centers[best_k], n_init=1).fit_predict(x)
    else:
        best_k, raw = 1, np.zeros(len(x), dtype=np.int64)
    revenue = scored["revenue"].to_numpy(dtype=float)
    rev_by = np.bincount(raw, weights=revenue, minlength=best_k)
    order = np.argsort(-rev_by, kind="stable")
    relabel = np.empty(best_k, dtype=np.int64)
    relabel[order] = np.arange(1, best_k + 1)
    labels = pd.Series(relabel[raw], index=scored.index, name="cluster")
    g = scored.groupby(labels.to_numpy())
    prof = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum().round(2),
            "median_recency_days": g["recency_days"].median(),
            "median_frequency": g["frequency"].median(),
            "median_monetary": g["monetary"].median(),
        }
    )
    prof.index.name = "cluster"
    prof["share"] = prof["customers"] / max(len(scored), 1)
    total = prof["revenue"].sum()
    prof["revenue_share"] = prof["revenue"] / total if total else np.nan
    words = _KMEANS_WORDS.get(language, _KMEANS_WORDS["en"])
    parts = []
    for col, med in (("recency_days", "median_recency_days"), ("frequency", "median_frequency"),
                     ("monetary", "median_monetary")):  # fmt: skip
        overall = max(float(scored[col].median()), 1e-9) if len(scored) else 1.0
        ratio = prof[med].to_numpy(dtype=float) / overall
        good, bad = words[col]
        if col == "recency_days":  # fewer days = better
            good, bad = bad, good
        parts.append(np.where(ratio >= 1.5, good, np.where(ratio <= 1 / 1.5, bad, "")))
    desc = [" · ".join(w for w in trio if w) or words["average"] for trio in zip(*parts, strict=True)]
    prof["description"] = desc
    prof = prof[["customers", "share", "revenue", "revenue_share", "median_recency_days",
                 "median_frequency", "median_monetary", "description"]]  # fmt: skip
    return KMeansResult(k=best_k, labels=labels, profiles=prof, silhouettes=silhouettes)
