"""The sheets of the sales team's workbook (``actions.xlsx``): what each lists, in the report's words.

Frames with canonical column names (the writer, :mod:`icpc.export.excel`, translates the
headers through :mod:`icpc.labels`), in workbook order:

- « À appeler »: the early warning's customers, by value at stake (the plan's
  ``call_slipping``): who, how to reach them, why to call (the reason in words), their
  last order, usual basket and products, the suggested action, and the columns to log
  the call; the plan's creations to check are marked with the reason;
- « Com. <name> », one per salesperson (sorted by name; customers without salesperson
  stay in « À appeler » only): his customers to call, his lost customers the plan asks to
  win back, then his customers whose revenue N fell below N−1 (the ``list`` column,
  :func:`icpc.analysis.call_list.work_lists`);
- « Clients à reconquérir »: every lost customer not on the call list, largest revenue
  N−1 first, the plan's ``win_back_lost`` marked ``priority``;
- « Créations à vérifier » (with a customer master): the customers sharing an address or a
  SIRET, by group, each with what he shares (``match``: his address, his SIRET or both,
  :func:`icpc.analysis.call_list.shared_keys`), the plan's ``check_creations`` marked with
  the reason;
- « Par secteur » (region mapped), « Chiffres mensuels », « Lisez-moi », the ledger.

A sheet whose input is absent (no salesperson column, no customer master, no region) is
not written; a sheet whose input is there but that finds nothing keeps its table, with
one row saying so. Optional columns (name, contact, phone, e-mail, salesperson, usual
products) are shown when the data has them, the same on every sheet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from icpc import columns as C
from icpc.analysis.call_list import shared_keys
from icpc.analysis.groups import UNASSIGNED
from icpc.analysis.warning_model import LOGISTIC
from icpc.cleaning.ledger import NO_AMOUNT
from icpc.export.call_rows import FILL_IN, Facts, customer_rows, day, facts
from icpc.export.context import OutputContext
from icpc.labels import label, reason_label
from icpc.money import exact

if TYPE_CHECKING:
    from icpc.diagnostic import Diagnostic

__all__ = [
    "salesperson_sheets",
    "FILL_IN",
    "actions_sheets",
    "readme_notes",
    "salesperson_sheet",
    "sheet_name",
]

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """Make a valid, unique Excel sheet name: no ``[]:*?/\\``, at most 31 characters.

    Parameters
    ----------
    name : str
        The wanted name.
    taken : set of str, optional
        Names already used (compared case-insensitively, as Excel does); the result
        is added to it.

    Returns
    -------
    str
        e.g. ``"Ventes 2024-Q1"`` for ``"Ventes 2024/Q1"``; ``"Dupont (2)"`` when
        ``"Dupont"`` is taken; ``"Feuille"`` for an empty name.
    """
    clean = _FORBIDDEN.sub("-", str(name)).strip().strip("'").strip() or "Feuille"
    clean = clean[:31]
    taken = taken if taken is not None else set()
    lowered = {t.lower() for t in taken}
    candidate, i = clean, 2
    while candidate.lower() in lowered:
        suffix = f" ({i})"
        candidate = clean[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(candidate)
    return candidate


def salesperson_sheet(salesperson: str, language: str = "fr") -> str:
    """The name of a salesperson's sheet, as the workbook writes it (« Com. Martin »).

    Example
    -------
    >>> salesperson_sheet("Martin"), salesperson_sheet("Martin", "en")
    ('Com. Martin', 'Rep Martin')
    """
    return sheet_name(label("sheet.salesperson_prefix", language) + str(salesperson))


def _money_columns(diag: Diagnostic, *, stake: bool = True) -> list[str]:
    """The amounts of a call list: value at stake (the 12 months' revenue, the ranking),
    revenue N when N is not those 12 months, revenue N−1."""
    cols = ["last_sale", "last_order", "basket"]
    cols += ["value_at_stake"] if stake else []
    cols += ["revenue"] if stake and diag.months != 12 else []
    return [*cols, "revenue_previous"]


def _ordered(frame: pd.DataFrame, first: Sequence[str], f: Facts, money: list[str]) -> list[str]:
    cols = [*first, C.CUSTOMER_ID, *f.contact]
    cols += [C.SALESPERSON] if f.salesperson and C.SALESPERSON not in first else []
    cols += ["segment", "reason", "p_alive", "warning_score", *money]
    cols += [f.products_column] if f.products_column else []
    cols += ["action"] + (["creation_to_check"] if f.to_check else []) + list(FILL_IN)
    return [c for c in cols if c in frame.columns]


def _nothing(columns: Sequence[str], message: str) -> pd.DataFrame:
    """A table with one row saying there is nothing to list (in the customer column)."""
    frame = pd.DataFrame({c: [None] for c in columns})
    frame[C.CUSTOMER_ID if C.CUSTOMER_ID in frame.columns else columns[0]] = [message]
    frame.attrs["empty"] = True  # the writer fits the widths to the headers
    return frame


def _call_sheet(f: Facts) -> pd.DataFrame:
    lists = f.diag.work_lists
    call = lists.loc[lists["list"] == "call"]
    rows = customer_rows(f, call[C.CUSTOMER_ID].tolist(), ["call"] * len(call))
    rows.insert(0, "rank", call["rank"].to_numpy())
    cols = _ordered(rows, ["rank"], f, _money_columns(f.diag))
    return rows[cols] if len(rows) else _nothing(cols, label("empty.call", f.lang))


def _salespeople(diag: Diagnostic) -> list[str]:
    """The salespeople with a sheet, in the workbook's order (by name, case aside)."""
    people = diag.by_salesperson
    if people is None:
        return []
    return sorted((str(p) for p in people.index if str(p) != UNASSIGNED), key=str.casefold)


def salesperson_sheets(diag: Diagnostic, language: str = "fr") -> dict[str, str]:
    """Salesperson → the name of his sheet exactly as the workbook writes it: valid and
    unique after « À appeler » (« Com. MARTIN (2) » when « Com. Martin » came first), for
    the PDF's plan and the scorecards to point to it."""
    taken: set[str] = set()
    sheet_name(label("sheet.at_risk", language), taken)
    prefix = label("sheet.salesperson_prefix", language)
    return {name: sheet_name(prefix + name, taken) for name in _salespeople(diag)}


def _salesperson_sheets(f: Facts) -> dict[str, pd.DataFrame]:
    if not f.salesperson:
        return {}
    names = _salespeople(f.diag)
    if not names:
        return {}
    lists = f.diag.work_lists
    rows = customer_rows(f, lists[C.CUSTOMER_ID].tolist(), lists["list"].tolist())
    rows.insert(0, "list", lists["list"].to_numpy())
    rows.insert(1, "rank", lists["rank"].to_numpy())
    first = ["list", "rank"]
    if f.win_back:  # the plan's lost customers to win back, marked as on « Clients à reconquérir »
        kinds = lists["list"].to_numpy()
        ids = lists[C.CUSTOMER_ID].astype(str).to_numpy()
        rows.insert(
            2,
            "priority",
            [k == "win_back" and c in f.win_back for k, c in zip(kinds, ids, strict=True)],
        )
        first.append("priority")
    owner = lists[C.SALESPERSON].astype(str).to_numpy()
    cols = [c for c in _ordered(rows, first, f, _money_columns(f.diag))
            if c != C.SALESPERSON]  # fmt: skip
    sheets = {}
    for name in names:
        mine = rows.loc[owner == name, cols].reset_index(drop=True)
        mine["rank"] = mine.groupby("list", sort=False).cumcount().to_numpy() + 1
        key = label("sheet.salesperson_prefix", f.lang) + name  # made valid with the others
        sheets[key] = mine if len(mine) else _nothing(cols, label("empty.salesperson", f.lang))
    return sheets


def _win_back_sheet(f: Facts) -> pd.DataFrame:
    lost = f.diag.dynamics.lost
    lists = f.diag.work_lists
    called = set(lists.loc[lists["list"] == "call", C.CUSTOMER_ID])
    if lost is None:
        lost = pd.DataFrame(columns=["revenue_previous"])
    frame = pd.DataFrame(
        {
            C.CUSTOMER_ID: lost.index.astype(str),
            "revenue_previous": lost["revenue_previous"].to_numpy(dtype=float),
        }
    )
    frame = frame.loc[~frame[C.CUSTOMER_ID].isin(called)]
    frame = frame.sort_values(
        ["revenue_previous", C.CUSTOMER_ID], ascending=[False, True], kind="stable"
    )
    ids = frame[C.CUSTOMER_ID].tolist()
    rows = customer_rows(f, ids, ["win_back"] * len(ids))
    rows.insert(0, "rank", np.arange(1, len(rows) + 1))
    rows.insert(1, "priority", [cid in f.win_back for cid in ids])
    # no value at stake nor revenue N: a lost customer has none
    cols = _ordered(rows, ["rank", "priority"], f, _money_columns(f.diag, stake=False))
    # the early warning's risk and BG/NBD's probability are for customers still buying
    # (none for a lost one); a creation to check may concern none of them: no column left
    # empty on every row
    optional = ("warning_score", "p_alive", "creation_to_check")
    cols = [c for c in cols if c not in optional or rows[c].notna().any()]
    return rows[cols] if len(rows) else _nothing(cols, label("empty.win_back", f.lang))


def _creations_sheet(f: Facts) -> pd.DataFrame | None:
    diag = f.diag
    if diag.dataset.customers is None:
        return None  # without a customer master there is no address to compare: no sheet
    members = diag.anomalies.customers
    grouped = members.loc[members["duplicate_group"].notna()]
    grouped = grouped.reset_index().sort_values(["duplicate_group", C.CUSTOMER_ID], kind="stable")
    grouped[C.CUSTOMER_ID] = grouped[C.CUSTOMER_ID].astype(str)
    # the link is this customer's (his address, his SIRET or both), not his group's: a group
    # links customers sharing an address or a SIRET, and one may share only one of them
    shares = shared_keys(members)["shares"]
    grouped["match"] = shares.reindex(grouped[C.CUSTOMER_ID]).to_numpy(dtype=object)
    master = diag.customer_master
    assert master is not None
    place = [c for c in (C.ADDRESS, C.POSTCODE, C.CITY, C.SIRET) if c in master.columns
             and master[c].notna().any()]  # fmt: skip
    for col in (*f.contact, *place):
        grouped[col] = master[col].reindex(grouped[C.CUSTOMER_ID]).to_numpy(dtype=object)
    check = f.creations
    grouped["creation_to_check"] = [check.get(c) for c in grouped[C.CUSTOMER_ID]]
    grouped["action"] = [
        label("do.check_first" if c in check else "do.check_group", f.lang)
        for c in grouped[C.CUSTOMER_ID]
    ]
    cols = ["duplicate_group", "group_size", "match", C.CUSTOMER_ID, *f.contact, *place]
    cols += [C.SALESPERSON] if grouped[C.SALESPERSON].notna().any() else []
    grouped = grouped.rename(columns={"revenue": "revenue_history"})  # all the history's
    cols += ["created", "revenue_history", "basket", "creation_to_check", "action"]
    if not len(grouped):
        return _nothing(cols, label("empty.creations", f.lang))
    return grouped[cols]


def _region_sheet(f: Facts) -> pd.DataFrame | None:
    regions = f.diag.by_region
    if regions is None or (regions.index.astype(str) == UNASSIGNED).all():
        return None  # not mapped, or mapped and empty: the PDF shows no table either
    frame = regions.reset_index()
    frame[C.REGION] = frame[C.REGION].astype(str).replace(UNASSIGNED, label("unassigned", f.lang))
    ew = f.diag.early_warning
    flagged = ew.loc[ew["early_warning"].to_numpy(dtype=bool)]
    region = flagged[C.REGION]
    by = region.astype(object).where(region.notna(), UNASSIGNED).astype(str).to_numpy()
    counts = pd.Series(1, index=by).groupby(level=0).sum()
    stake = pd.Series(flagged["value_at_stake"].to_numpy(float), index=by).groupby(level=0).sum()
    key = regions.index.astype(str)
    frame["to_call"] = counts.reindex(key, fill_value=0).to_numpy(dtype=np.int64)
    frame["value_at_stake"] = exact(stake.reindex(key, fill_value=0.0).to_numpy())
    cols = [C.REGION, "revenue", "revenue_previous", "revenue_change_pct", "share",
            "active_customers", "average_basket", "purchase_frequency", "new_customers",
            "lost_customers", "lost_revenue", "to_call", "value_at_stake"]  # fmt: skip
    return frame.sort_values("revenue", ascending=False, kind="stable")[cols]


def _monthly_sheet(f: Facts) -> pd.DataFrame:
    monthly = f.diag.monthly.reset_index()
    cols = ["month", "revenue", "sales_count", "active_customers", "average_basket", "revenue_12m"]
    frame = monthly[cols].copy()
    if "complete" in monthly.columns and not monthly["complete"].astype(bool).all():
        frame["month_complete"] = monthly["complete"].astype(bool).to_numpy()
    return frame


def _ledger(quality: Mapping[str, Any], lang: str) -> pd.DataFrame:
    excluded = quality.get("rows_excluded") or {}
    amounts = quality.get("amounts_excluded") or {}
    rows = [
        (label("rows_read", lang), quality.get("rows_read"), quality.get("amount_read")),
        (label("rows_used", lang), quality.get("rows_used"), quality.get("amount_used")),
    ]
    rows += [
        (
            f"{label('rows_excluded', lang)} — {reason_label(r, lang)}",
            n,
            None if r in NO_AMOUNT else amounts.get(r),
        )
        for r, n in excluded.items()
    ]
    for name, block in quality["warnings"].items():
        rows.append(
            (
                f"{label('rows_kept_warning', lang)} — {reason_label(name, lang)}",
                block["rows"],
                block.get("amount"),
            )
        )
    return pd.DataFrame(rows, columns=["reason", "rows", "amount"])


def _sheets(diag: Diagnostic, language: str | None) -> dict[str, tuple[str, pd.DataFrame]]:
    lang = language or diag.config.language
    f = facts(diag, lang)
    found: list[tuple[str, str, str, pd.DataFrame]] = [  # name, kind, salesperson, frame
        (label("sheet.at_risk", lang), "call", "", _call_sheet(f))
    ]
    prefix = label("sheet.salesperson_prefix", lang)
    for name, frame in _salesperson_sheets(f).items():
        found.append((name, "salesperson", name[len(prefix) :], frame))
    found.append((label("sheet.win_back", lang), "win_back", "", _win_back_sheet(f)))
    for kind, maybe in (("creations", _creations_sheet(f)), ("by_region", _region_sheet(f))):
        if maybe is not None:
            found.append((label(f"sheet.{kind}", lang), kind, "", maybe))
    found.append((label("sheet.monthly", lang), "monthly", "", _monthly_sheet(f)))
    found.append((label("sheet.readme", lang), "readme", "", pd.DataFrame()))
    found.append(
        (label("sheet.ledger", lang), "ledger", "", _ledger(diag.dataset.data_quality(), lang))
    )
    taken: set[str] = set()
    names = [sheet_name(name, taken) for name, *_ in found]  # as Excel will show them
    readme = pd.DataFrame(
        {
            "sheet": names,
            "purpose": [
                label(f"readme.purpose.{kind}", lang).format(salesperson=person)
                for _, kind, person, _ in found
            ],
        }
    )
    return {
        name: (kind, readme if kind == "readme" else frame)
        for name, (_, kind, _, frame) in zip(names, found, strict=True)
    }


def actions_sheets(diag: Diagnostic, *, language: str | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of ``actions.xlsx`` as frames (canonical column names), in workbook order.

    Parameters
    ----------
    diag : Diagnostic
        The client's diagnostic.
    language : {"fr", "en"}, optional
        Language of the sheet names, the words and the segment labels; default the config's.

    Returns
    -------
    dict
        Sheet name → frame: « À appeler », one per salesperson, « Clients à reconquérir »,
        « Créations à vérifier » (with a customer master), « Par secteur » (region mapped),
        « Chiffres mensuels », « Lisez-moi », the ledger (module docstring).
    """
    return {name: frame for name, (_, frame) in _sheets(diag, language).items()}


def readme_notes(diag: Diagnostic, *, language: str | None = None) -> tuple[list[str], list[str]]:
    """The « Lisez-moi » sheet's lines above its table (client, date, period, author) and
    below it (how to use the workbook)."""
    lang = language or diag.config.language
    words = OutputContext.of(diag, lang)
    before = [
        label("readme.title", lang).format(client=words.client, date=day(diag.as_of)),
    ]
    n, prev = diag.period, diag.previous_period
    if diag.has_previous:
        before.append(
            label("readme.period", lang).format(
                start=day(n.start),
                end=day(n.end),
                previous_start=day(prev.start),
                previous_end=day(prev.end),
            )  # fmt: skip
        )
    else:
        before.append(label("readme.period_alone", lang).format(start=day(n.start), end=day(n.end)))
    who = ", ".join(w for w in (words.consultant, words.firm) if w)
    if who:
        before.append(label("readme.by", lang).format(who=who))
    after = [label("readme.how", lang)]
    after += [label(f"readme.how.{k}", lang) for k in ("order", "fill", "filter")]
    after.append(label("readme.how.amounts", lang).format(symbol=words.symbol))
    if diag.p_alive.notna().any():  # the call lists show it (icpc.export.call_rows)
        after.append(label("readme.how.p_alive", lang))
    if diag.warning_ranking[0].model == LOGISTIC:  # so do they the ranking's risk
        months = diag.config.thresholds.backtest_months
        after.append(label("readme.how.warning_score", lang).format(months=months))
    return before, after
