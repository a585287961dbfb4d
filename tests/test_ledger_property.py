"""Property test: on random dirty exports, every row ends in exactly one ledger bucket.

The generator knows what each line is (valid, missing id, bad date, text amount, totals
line, excluded customer, far date, exact copy of an earlier line…), so the test checks
the ledger against an oracle: the counts per reason, the amounts in cents, and the exact
set of source rows used — nothing lost, nothing counted twice.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icpc.cleaning import load_dataset
from icpc.config import config_from_dict
from icpc.exceptions import InputError

COLUMNS = {
    "customer_id": "Code client",
    "date": "Date facture",
    "invoice_id": "N° facture",
    "amount": "Montant HT",
    "salesperson": "Commercial",
}
KINDS = [
    "valid",
    "valid",
    "valid",
    "missing id",
    "bad date",
    "bad amount",
    "empty amount",
    "totals",
    "excluded",
    "far",
    "copy",
]
START = dt.date(2021, 1, 1)


def _amount(cents: int, thousands: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", thousands) + f",{frac:02d}"


row = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 60),  # customer number
    st.integers(0, 3 * 365),  # day offset
    st.integers(-50_000, 5_000_000),  # amount in cents
    st.sampled_from(["Amélie", "Luc", "Éric", ""]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, min_size=1, max_size=40),
    drop_duplicates=st.booleans(),
    as_of_offset=st.one_of(st.none(), st.integers(0, 3 * 365)),
    thousands=st.sampled_from(["", " ", "\u00a0"]),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]),
)
def test_ledger_identity_on_random_dirty_inputs(
    rows, drop_duplicates, as_of_offset, thousands, encoding
):
    lines: list[str] = []
    expected: list[str] = []  # the bucket of each line (reason, or "used")
    cents_read = 0
    valid: list[tuple[str, dt.date, int, str]] = []  # (line, date, cents, bucket) of valid lines
    as_of = START + dt.timedelta(days=as_of_offset) if as_of_offset is not None else None
    for i, (kind, cust, offset, cents, person) in enumerate(rows, start=1):
        day = START + dt.timedelta(days=offset)
        if kind == "copy" and valid:
            line, day, cents, _ = valid[i % len(valid)]
            lines.append(line)
            expected.append(("duplicate", day, cents))
            cents_read += cents
            continue
        kind = "valid" if kind == "copy" else kind
        cid, date_text, amount_text = (
            f"{cust:05d}",
            day.strftime("%d/%m/%Y"),
            _amount(cents, thousands),
        )
        if kind == "missing id":
            cid = ""
        elif kind == "bad date":
            date_text = "31/02/2023"
        elif kind == "bad amount":
            amount_text = "voir avoir"
        elif kind == "empty amount":
            amount_text = ""
        elif kind == "totals":
            cid, date_text = "Total général", ""
        elif kind == "excluded":
            cid = "EXCL"
        elif kind == "far":
            day = dt.date(1985, 6, 1)
            date_text = day.strftime("%d/%m/%Y")
        line = ";".join([cid, date_text, f"F{i}", amount_text, person])
        lines.append(line)
        counts_amount = kind not in ("bad amount", "empty amount", "totals")
        cents_read += cents if counts_amount else 0
        bucket = {
            "missing id": "missing customer id",
            "bad date": "unparseable date",
            "bad amount": "unparseable amount",
            "empty amount": "unparseable amount",
            "totals": "totals line",
            "excluded": "excluded by config",
        }.get(kind, "valid")
        expected.append((bucket, day, cents))
        if bucket == "valid" and kind == "valid":
            valid.append((line, day, cents, bucket))

    # as_of: configured, or the last date of the candidate rows that are not far dates
    # (when only far dates are left, they are the pool)
    candidates = [
        d for b, d, _ in expected if b == "valid" or (b == "duplicate" and not drop_duplicates)
    ]
    pool = [d for d in candidates if d.year > 1990] or candidates
    effective = as_of or (max(pool) if pool else None)
    final = []
    for bucket, day, cents in expected:
        if bucket == "duplicate":
            bucket = "duplicate" if drop_duplicates else "valid"
        if bucket == "valid":
            bucket = "after as_of" if effective is not None and day > effective else "used"
        final.append((bucket, cents))

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text = "\r\n".join(["Export", ";".join(COLUMNS.values()), *lines]) + "\r\n"
        (folder / "factures.csv").write_bytes(text.encode(encoding))
        raw = {
            "client": "P",
            "transactions": {
                "path": "factures.csv",
                "columns": COLUMNS,
                "drop_duplicates": drop_duplicates,
            },
            "exclude": {"customers": ["EXCL"]},
        }
        if as_of is not None:
            raw["as_of"] = as_of.isoformat()
        cfg = config_from_dict(raw, base_dir=folder)
        n_used = sum(b == "used" for b, _ in final)
        if n_used == 0:
            with pytest.raises(InputError, match="no usable rows"):
                load_dataset(cfg)
            return
        ds = load_dataset(cfg)

    led = ds.ledger
    assert led.rows_read == len(lines)
    assert led.rows_read == led.rows_used + sum(led.rows_excluded.values())
    assert (
        round((led.amount_read - led.amount_used - sum(led.amounts_excluded.values())) * 100) == 0
    )
    assert round(led.amount_read * 100) == cents_read
    for reason, count in led.rows_excluded.items():
        assert count == sum(b == reason for b, _ in final), reason
        assert round(led.amounts_excluded[reason] * 100) == sum(
            c
            for b, c in final
            if b == reason and reason not in ("unparseable amount", "totals line")
        ), reason
    used_rows = ds.transactions["source_row"].tolist()
    assert len(used_rows) == len(set(used_rows)) == led.rows_used  # nothing counted twice
    assert set(used_rows) == {
        i for i, (b, _) in enumerate(final, start=1) if b == "used"
    }  # nothing lost
    assert round(ds.transactions["amount"].sum() * 100) == sum(c for b, c in final if b == "used")
    assert ds.as_of == effective


# --------------------------------------------------------------------------------------
# the same property on random FECs (format: fec)
# --------------------------------------------------------------------------------------
FEC_HEADER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|"
    "PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise"
)
ACCOUNTS = [
    "411000",
    "411000",
    "707000",
    "707000",
    "709000",
    "706100",
    "445710",
    "512000",
    "607000",
    "401000",
    "471000",
]
fec_line = st.tuples(
    st.sampled_from(ACCOUNTS),
    st.integers(-500_000, 5_000_000),  # Credit - Debit in cents
    st.sampled_from(["ok", "ok", "ok", "bad date", "bad amount"]),
    st.integers(0, 5),  # customer code (CompAuxNum; 0 = empty: the account is the customer)
)
fec_entry = st.tuples(
    st.sampled_from(["VE", "VE", "VT", "BQ", "OD"]),
    st.integers(0, 3 * 365),  # day offset
    st.lists(fec_line, min_size=1, max_size=6),
    st.sampled_from([True, True, True, False]),  # balanced by a VAT line, as the books are
)


def _fec_amount(cents: int, layout: str) -> list[str]:
    text = f"{abs(cents) // 100},{abs(cents) % 100:02d}"
    if layout == "montant/sens":
        return [text, "C" if cents >= 0 else "D"]
    return ["", text] if cents >= 0 else [text, ""]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(fec_entry, min_size=1, max_size=25),
    excluded_journals=st.sampled_from([[], ["OD"], ["VT", "OD"]]),
    layout=st.sampled_from(["debit/credit", "montant/sens"]),
    delimiter=st.sampled_from(["|", "\t"]),
    encoding=st.sampled_from(["utf-8", "iso8859-15", "utf-8-sig"]),
    as_of_offset=st.one_of(st.none(), st.integers(0, 3 * 365)),
)
def test_ledger_identity_on_random_fecs(
    entries, excluded_journals, layout, delimiter, encoding, as_of_offset
):
    header = (
        FEC_HEADER
        if layout == "debit/credit"
        else FEC_HEADER.replace("Debit|Credit", "Montant|Sens")
    )
    lines: list[str] = []
    oracle: list[tuple[str, dt.date, int]] = []  # bucket, date, cents of each FEC line
    for number, (journal, offset, entry_lines, balance) in enumerate(entries, start=1):
        day = START + dt.timedelta(days=offset)
        if balance:
            entry_lines = [*entry_lines, ("445710", -sum(c for _, c, *_ in entry_lines), "ok", 0)]
        has_customer = any(account.startswith("411") for account, *_ in entry_lines)
        # an entry whose amounts are all readable balances, or its sales lines are set aside
        unbalanced = (
            all(damage != "bad amount" for _, _, damage, _ in entry_lines)
            and sum(c for _, c, *_ in entry_lines) != 0
        )
        for account, cents, damage, customer in entry_lines:
            date_text = "2023023" if damage == "bad date" else day.strftime("%Y%m%d")
            amount = _fec_amount(cents, layout)
            if damage == "bad amount":
                amount = ["1,2,3", "C"] if layout == "montant/sens" else ["", "1,2,3"]
            aux = f"C{customer}" if customer and account.startswith("411") else ""
            cells = [
                journal,
                "Journal",
                str(number),
                date_text,
                account,
                "Compte",
                aux,
                "Hélène €" if aux else "",
                f"P{number}",
                "",
                "Libellé",
                *amount,
                "",
                "",
                date_text,
                "",
                "",
            ]
            lines.append(delimiter.join(cells))
            sales = account.startswith("70")
            if not sales:
                bucket = "not a sales line"
            elif journal in excluded_journals:
                bucket = "excluded by config"
            elif not has_customer:
                bucket = "sales entry without customer"
            elif unbalanced:
                bucket = "unbalanced entry (debits differ from credits)"
            else:
                bucket = {"bad date": "unparseable date", "bad amount": "unparseable amount"}.get(
                    damage, "valid"
                )
            counted = sales and damage != "bad amount"
            oracle.append((bucket, day, cents if counted else 0))
    if not any(
        account.startswith("70") and any(a.startswith("411") for a, *_ in ls)
        for _, _, ls, _ in entries
        for account, *_ in ls
    ):
        expect_error = "no sales entry found"
    else:
        expect_error = None
    as_of = START + dt.timedelta(days=as_of_offset) if as_of_offset is not None else None
    valid_days = [d for b, d, _ in oracle if b == "valid"]
    effective = as_of or (max(valid_days) if valid_days else None)
    final = [
        ("after as_of" if b == "valid" and d > effective else "used" if b == "valid" else b, c)
        for b, d, c in oracle
    ]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "FEC.txt").write_bytes(
            ("\r\n".join([header.replace("|", delimiter), *lines]) + "\r\n").encode(encoding)
        )
        raw = {
            "client": "P",
            "transactions": {
                "path": "FEC.txt",
                "format": "fec",
                "fec": {"exclude_journals": excluded_journals},
            },
        }
        if as_of is not None:
            raw["as_of"] = as_of.isoformat()
        cfg = config_from_dict(raw, base_dir=folder)
        if expect_error is None and not any(b == "used" for b, _ in final):
            expect_error = "no usable rows"
        if expect_error is not None:
            with pytest.raises(InputError, match=expect_error):
                load_dataset(cfg)
            return
        ds = load_dataset(cfg)

    led = ds.ledger
    assert led.rows_read == len(lines)
    assert led.rows_read == led.rows_used + sum(led.rows_excluded.values())
    assert (
        round((led.amount_read - led.amount_used - sum(led.amounts_excluded.values())) * 100) == 0
    )
    assert round(led.amount_read * 100) == sum(c for _, c in final)
    for reason, count in led.rows_excluded.items():
        assert count == sum(b == reason for b, _ in final), reason
        assert round(led.amounts_excluded[reason] * 100) == sum(
            c for b, c in final if b == reason
        ), reason
    used_rows = ds.transactions["source_row"].tolist()
    assert len(used_rows) == len(set(used_rows)) == led.rows_used
    assert set(used_rows) == {i for i, (b, _) in enumerate(final, start=1) if b == "used"}
    assert round(ds.transactions["amount"].sum() * 100) == sum(c for b, c in final if b == "used")
    assert ds.as_of == effective
