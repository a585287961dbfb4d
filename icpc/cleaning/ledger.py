"""The data-quality ledger (registre de qualité): one bucket per row, reasons, warnings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from icpc import columns as C
from icpc.cleaning.encoding import _rows, _scientific
from icpc.exceptions import InputError
from icpc.io import ParsedTable
from icpc.io.common import (
    EMPTY_LINE,
    EXCLUDED_BY_CONFIG,
    NO_CUSTOMER_LINE,
    NOT_SALES,
    REPEATED_HEADER,
    UNBALANCED_ENTRY,
    W_DECIMAL_IDS,
    W_FORMULA_TEXT,
    W_INVISIBLE,
    W_MERGED_CELLS,
    W_NOT_UTF8,
    W_NULL_MARKERS,
    W_PADDED_IDS,
    W_SCIENTIFIC_AMOUNTS,
    W_UNCLOSED_QUOTE,
    W_UTF8_IN_8BIT,
)
from icpc.money import cents as money_cents

__all__ = ["Ledger", "TRANSACTION_REASONS", "CUSTOMER_REASONS", "ACTIVITY_REASONS"]

MALFORMED = "malformed line"
TOTALS = "totals line"
MISSING_ID = "missing customer id"
BAD_DATE = "unparseable date"
BAD_AMOUNT = "unparseable amount"
DUPLICATE = "duplicate"
UNKNOWN_TYPE = "unknown activity type"
EXCLUDED = EXCLUDED_BY_CONFIG
AFTER_AS_OF = "after as_of"
#: the reasons whose rows count 0 in the amounts by construction (no amount read, or none
#: that is a sale): their amount is no figure to show, « — » rather than « 0,00 € »
NO_AMOUNT = frozenset({MALFORMED, TOTALS, BAD_AMOUNT, NOT_SALES})
DAMAGED_ID = "customer id in scientific notation"

TRANSACTION_REASONS: tuple[str, ...] = (
    MALFORMED,
    TOTALS,
    MISSING_ID,
    BAD_DATE,
    BAD_AMOUNT,
    DUPLICATE,
    EXCLUDED,
    AFTER_AS_OF,
)
CUSTOMER_REASONS: tuple[str, ...] = (MALFORMED, TOTALS, MISSING_ID, DUPLICATE, EXCLUDED)
ACTIVITY_REASONS: tuple[str, ...] = (
    MALFORMED,
    TOTALS,
    BAD_DATE,
    UNKNOWN_TYPE,
    EXCLUDED,
    AFTER_AS_OF,
)

W_DUPLICATES = "exact duplicate lines"
W_ZERO = "zero amounts"
W_CREDIT = "credit notes"
W_FAR = "dates far from the rest"
W_INVOICE = "invoices whose lines disagree on customer"
W_MARGIN = "unparseable margin"
#: listed only when some used lines have an empty margin cell (their margin counts 0)
W_NO_MARGIN = "lines without margin"
W_QUANTITY = "unparseable quantity"
W_CREATED = "unparseable created_at"
W_EMAIL = "e-mails that are not an address"
W_NO_TRANSACTIONS = "customers without transactions"
W_NOT_IN_MASTER = "transaction customers missing from master"

#: reasons a file has only when they apply (a reader's own, damaged ids), in the order they
#: are tested, right after totals lines; listed in the ledger only for such files
OPTIONAL_REASONS: tuple[str, ...] = (
    EMPTY_LINE, REPEATED_HEADER, NOT_SALES, NO_CUSTOMER_LINE, UNBALANCED_ENTRY, DAMAGED_ID,
)  # fmt: skip
#: warnings readers set (re-exported for the docs and tests)
READER_WARNINGS: tuple[str, ...] = (
    W_NOT_UTF8,
    W_UTF8_IN_8BIT,
    W_UNCLOSED_QUOTE,
    W_PADDED_IDS,
    W_DECIMAL_IDS,
    W_SCIENTIFIC_AMOUNTS,
    W_MERGED_CELLS,
    W_INVISIBLE,
    W_FORMULA_TEXT,
    W_NULL_MARKERS,
)

#: the far-date rule (see the module docstring)
FAR_BEFORE = np.datetime64("1990-01-01", "ns")
FAR_DAYS = 3652
_EXAMPLES = 5
_HINTS = {
    TOTALS: "",
    MALFORMED: "check {key}.delimiter",
    MISSING_ID: "check {key}.columns.customer_id",
    BAD_DATE: "check {key}.columns.date and {key}.date_format",
    BAD_AMOUNT: "check {key}.columns.amount and {key}.decimal",
    DUPLICATE: "check {key}.drop_duplicates",
    UNKNOWN_TYPE: "check activity.types",
    EXCLUDED: "check exclude",
    AFTER_AS_OF: "",  # see _unusable_error
    REPEATED_HEADER: "",
    EMPTY_LINE: "",
    NOT_SALES: "check transactions.fec.sales_accounts",
    NO_CUSTOMER_LINE: "check transactions.fec.customer_accounts",
    UNBALANCED_ENTRY: "export the FEC again from the accounting software (an entry whose "
    "debits and credits differ is damaged)",
    DAMAGED_ID: "export the customer codes as text (Excel wrote them as numbers in scientific notation, "
    "e.g. 4,00123E+11)",
}


def file_reasons(base: Sequence[str], present: Iterable[str]) -> tuple[str, ...]:
    """The ledger reasons of one file: ``base``, with the optional ones ``present`` after totals lines.

    Parameters
    ----------
    base : sequence of str
        The reasons every file of its kind has (:data:`TRANSACTION_REASONS`…).
    present : iterable of str
        Reasons that apply to this file (a reader's ``excluded`` keys, damaged ids).

    Returns
    -------
    tuple of str
        In the order they are tested; the first that applies to a row wins.
    """
    present = [r for r in dict.fromkeys(present) if r not in base]
    if not present:
        return tuple(base)
    ordered = [r for r in OPTIONAL_REASONS if r in present] + [
        r for r in present if r not in OPTIONAL_REASONS
    ]
    at = list(base).index(TOTALS) + 1
    return (*base[:at], *ordered, *base[at:])


# --------------------------------------------------------------------------------------
# the ledger
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ledger:
    """Data-quality ledger of one input file (registre de qualité des données).

    Every row read is either used or excluded for one reason; ``rows_read ==
    rows_used + sum(rows_excluded.values())`` and ``amount_read == amount_used +
    sum(amounts_excluded.values())`` exactly: each bucket's amount is the exact sum of its
    rows rounded once to the cent, and ``amount_read`` is the sum of these (so it can differ
    from the file's rounded total by half a cent per bucket, never more).

    Attributes
    ----------
    key, path : the config key (``transactions``…) and the file name.
    rows_read, rows_used : int
    rows_excluded : dict of reason to rows
    amount_read, amount_used : float
    amounts_excluded : dict of reason to amount (0 for rows without a readable amount)
    warnings : dict of warning to ``{"rows": int, "amount": float}`` (rows kept)
    examples : dict of reason or warning to up to five source row numbers
    details : what :mod:`icpc.io` detected (encoding, delimiter, header line…)
    """

    key: str
    path: str
    rows_read: int
    rows_used: int
    rows_excluded: dict[str, int]
    amount_read: float
    amount_used: float
    amounts_excluded: dict[str, float]
    warnings: dict[str, dict[str, Any]] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_buckets(
        cls,
        *,
        key: str,
        path: str,
        reasons: Sequence[str],
        bucket: np.ndarray,
        amounts: np.ndarray | None,
        source_row: np.ndarray,
        extra_rows: Mapping[str, int] | None = None,
        warnings: Mapping[str, dict[str, Any]] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Ledger:
        """Build a ledger from one bucket code per row (0 = used, i = ``reasons[i-1]``).

        Parameters
        ----------
        key : str
            Config key of the file.
        path : str
            File name shown in messages.
        reasons : sequence of str
            Exclusion reasons, in bucket-code order starting at 1.
        bucket : numpy.ndarray of int
            One code per row read.
        amounts : numpy.ndarray of float or None
            Amount of each row (NaN counts 0); None for files without amounts.
        source_row : numpy.ndarray of int
            Row numbers, for the examples.
        extra_rows : mapping, optional
            Rows not in ``bucket`` (e.g. malformed lines) per reason; amount 0.
        warnings : mapping, optional
            Warning -> ``{"rows", "amount", ...}``.
        details : mapping, optional
            Detection details from :mod:`icpc.io`.

        Returns
        -------
        Ledger
        """
        k = len(reasons) + 1
        counts = np.bincount(bucket, minlength=k)
        cents: np.ndarray
        if amounts is None:
            cents = np.zeros(k)
        else:
            # each bucket's exact total, rounded once to the cent (never a sum of rounded rows)
            totals = _bucket_totals(bucket, amounts, k)
            cents = np.round(money_cents(totals) * 100.0)
        extra = dict(extra_rows or {})
        rows_excluded = {
            r: int(counts[i + 1]) + int(extra.get(r, 0)) for i, r in enumerate(reasons)
        }
        amounts_excluded = {r: float(cents[i + 1]) / 100.0 for i, r in enumerate(reasons)}
        examples = {}
        for i, r in enumerate(reasons):
            if counts[i + 1]:
                examples[r] = [
                    int(x) for x in source_row[np.flatnonzero(bucket == i + 1)[:_EXAMPLES]]
                ]
        return cls(
            key=key,
            path=path,
            rows_read=int(counts.sum()) + sum(int(v) for v in extra.values()),
            rows_used=int(counts[0]),
            rows_excluded=rows_excluded,
            amount_read=float(cents.sum()) / 100.0,
            amount_used=float(cents[0]) / 100.0,
            amounts_excluded=amounts_excluded,
            warnings={w: dict(v) for w, v in (warnings or {}).items()},
            examples=examples,
            details=dict(details or {}),
        )

    def with_warnings(self, warnings: Mapping[str, dict[str, Any]]) -> Ledger:
        """Return a copy with more warnings (same counts)."""
        from dataclasses import replace

        return replace(
            self, warnings={**self.warnings, **{w: dict(v) for w, v in warnings.items()}}
        )

    @property
    def balanced(self) -> bool:
        """Whether rows and amounts add up (always true for a ledger built from buckets)."""
        rows_ok = self.rows_read == self.rows_used + sum(self.rows_excluded.values())
        total = self.amount_used + sum(self.amounts_excluded.values())
        return rows_ok and round(self.amount_read - total, 2) == 0

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready block of ``kpis.json`` ``data_quality.files[key]``."""
        return {
            "path": self.path,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_excluded": dict(self.rows_excluded),
            "amount_read": round(self.amount_read, 2),
            "amount_used": round(self.amount_used, 2),
            "amounts_excluded": {k: round(v, 2) for k, v in self.amounts_excluded.items()},
            "warnings": {k: dict(v) for k, v in self.warnings.items()},
            "examples": {k: list(v) for k, v in self.examples.items()},
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, key: str | None = None) -> Ledger:
        """Rebuild a ledger from :meth:`to_dict` (also after a JSON round trip).

        ``Ledger.from_dict(json.loads(json.dumps(ledger.to_dict())), key=ledger.key)``
        equals ``ledger``: amounts are whole cents, which :meth:`to_dict`'s rounding to
        two decimals keeps as they are, and the dicts keep their order.

        Parameters
        ----------
        data : mapping
            The ``to_dict()`` block: ``path``, ``rows_read``, ``rows_used``,
            ``rows_excluded``, ``amount_read``, ``amount_used``, ``amounts_excluded`` and
            optionally ``warnings``, ``examples``, ``details`` (and ``key``).
        key : str, optional
            The config key (``transactions``…); default ``data["key"]``.

        Returns
        -------
        Ledger

        Raises
        ------
        ValueError
            A required entry is missing, or no key is given.
        """
        key = key if key is not None else data.get("key")
        if key is None:
            raise ValueError("a ledger needs its config key: pass key= or give data['key']")
        missing = [
            k
            for k in (
                "path",
                "rows_read",
                "rows_used",
                "rows_excluded",
                "amount_read",
                "amount_used",
                "amounts_excluded",
            )
            if k not in data
        ]
        if missing:
            raise ValueError(f"ledger {key!r}: missing {', '.join(missing)}")
        return cls(
            key=str(key),
            path=str(data["path"]),
            rows_read=int(data["rows_read"]),
            rows_used=int(data["rows_used"]),
            rows_excluded={str(r): int(n) for r, n in data["rows_excluded"].items()},
            amount_read=float(data["amount_read"]),
            amount_used=float(data["amount_used"]),
            amounts_excluded={str(r): float(v) for r, v in data["amounts_excluded"].items()},
            warnings={str(w): dict(v) for w, v in (data.get("warnings") or {}).items()},
            examples={str(r): [int(x) for x in v] for r, v in (data.get("examples") or {}).items()},
            details=dict(data.get("details") or {}),
        )


def _bucket_totals(bucket: np.ndarray, amounts: np.ndarray, k: int) -> np.ndarray:
    """``np.bincount(bucket, nan_to_num(amounts, nan=0.0), minlength=k)``, without the copy.

    A bucket holds a NaN (or an infinity) exactly when its sum is not finite: only those
    buckets are summed again, on their own rows, NaN as 0. Each bucket's sum adds its rows
    in row order from 0.0 either way, so the totals are the same to the bit.
    """
    totals = np.bincount(bucket, weights=amounts, minlength=k)
    for b in np.flatnonzero(~np.isfinite(totals)):
        rows = np.flatnonzero(bucket == b)
        weights = np.nan_to_num(amounts[rows], nan=0.0)
        totals[b] = np.bincount(np.zeros(len(rows), np.intp), weights=weights, minlength=1)[0]
    return totals


class _Buckets:
    """One bucket code per row: 0 = used, ``i`` = ``reasons[i - 1]``; the first reason wins.

    The mechanism behind "every row in exactly one bucket": a row already excluded keeps
    its reason when a later rule also matches it. ``codes`` feeds :meth:`Ledger.from_buckets`.
    """

    def __init__(self, reasons: Sequence[str], n: int) -> None:
        self.reasons = tuple(reasons)
        self._code = {r: i + 1 for i, r in enumerate(reasons)}
        self.codes = np.zeros(n, np.int8)

    def assign(self, mask: np.ndarray, reason: str) -> None:
        """Put the rows of ``mask`` that are still unassigned in ``reason``.

        An optional reason the file does not list (see :func:`file_reasons`) may be
        assigned an empty mask.
        """
        if not mask.any():  # the usual case for most reasons: no pass over the codes
            return
        self.codes[(self.codes == 0) & mask] = self._code[reason]


def _warn(
    mask: np.ndarray, amounts: np.ndarray | None, source_row: np.ndarray, **extra: Any
) -> dict[str, Any]:
    rows = int(mask.sum())
    amount = 0.0
    if amounts is not None and rows:
        amount = float(money_cents(np.nan_to_num(amounts[mask]).sum()))
    out: dict[str, Any] = {"rows": rows, "amount": amount}
    out.update(extra)
    if rows:
        out["examples"] = [int(x) for x in source_row[np.flatnonzero(mask)[:_EXAMPLES]]]
    return out


def _unusable_error(ledger: Ledger, key: str, config_name: str) -> InputError:
    parts = [
        f"{n} {r}" for r, n in sorted(ledger.rows_excluded.items(), key=lambda kv: -kv[1]) if n
    ]
    counted = dict(ledger.rows_excluded)
    if any(n for r, n in counted.items() if r != NOT_SALES):
        # a FEC's bank, VAT and customer lines are no sales by nature: the other reasons
        # say why its sales lines went
        counted.pop(NOT_SALES, None)
    top = max(counted, key=lambda r: counted[r])
    hint = _HINTS.get(top, "").format(key=key)
    if top == EXCLUDED and ledger.details.get("format") == "fec":
        hint = f"check {key}.fec.exclude_journals and exclude"
    examples = ledger.examples.get(top)
    where = f" (rows {', '.join(map(str, examples))})" if examples else ""
    fix = f"; {hint} in {config_name}" if hint else ""
    if top == AFTER_AS_OF:  # the date may come from the config or from the command line
        fix = f"; set a later as_of in {config_name}, or pass a later --as-of"
    return InputError(
        f"{ledger.path}: no usable rows (of {ledger.rows_read} read: {', '.join(parts)}){where}{fix}"
    )


def open_buckets(parsed: ParsedTable, base: Sequence[str]) -> tuple[_Buckets, np.ndarray]:
    """The buckets of one parsed file, with the reasons every file tests first assigned.

    Totals lines, then the reader's own exclusions (a FEC's ``not a sales line``, repeated
    header lines). Also returns the rows whose customer id is damaged (scientific
    notation), for the caller to assign where its reasons order it.

    Parameters
    ----------
    parsed : ParsedTable
        The file, parsed.
    base : sequence of str
        The reasons of its kind (:data:`TRANSACTION_REASONS`…).

    Returns
    -------
    buckets : _Buckets
    damaged : numpy.ndarray of bool
    """
    n = parsed.n_rows
    cust = parsed.codes.get(C.CUSTOMER_ID)
    damaged = _rows(cust[0], _scientific(cust[1])) if cust is not None else np.zeros(n, bool)
    reasons = file_reasons(base, [*parsed.raw.excluded, *([DAMAGED_ID] if damaged.any() else [])])
    buckets = _Buckets(reasons, n)
    buckets.assign(parsed.totals, TOTALS)
    for reason, rows in parsed.raw.excluded.items():
        buckets.assign(rows, reason)
    return buckets, damaged


def reader_warnings(
    parsed: ParsedTable, used: np.ndarray, amounts: np.ndarray | None
) -> dict[str, dict[str, Any]]:
    """The warnings of the values the reader repaired or found damaged, on the rows used."""
    return {
        w: _warn(used & rows, amounts, parsed.source_row) for w, rows in parsed.raw.flagged.items()
    }
