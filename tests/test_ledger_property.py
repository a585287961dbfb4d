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

COLUMNS = {"customer_id": "Code client", "date": "Date facture", "invoice_id": "N° facture",
           "amount": "Montant HT", "salesperson": "Commercial"}
KINDS = ["valid", "valid", "valid", "missing id", "bad date", "bad amount", "empty amount", "totals", "excluded",
         "far", "copy"]
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
def test_ledger_identity_on_random_dirty_inputs(rows, drop_duplicates, as_of_offset, thousands, encoding):
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
        cid, date_text, amount_text = f"{cust:05d}", day.strftime("%d/%m/%Y"), _amount(cents, thousands)
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
        bucket = {"missing id": "missing customer id", "bad date": "unparseable date",
                  "bad amount": "unparseable amount", "empty amount": "unparseable amount",
                  "totals": "totals line", "excluded": "excluded by config"}.get(kind, "valid")
        expected.append((bucket, day, cents))
        if bucket == "valid" and kind == "valid":
            valid.append((line, day, cents, bucket))

    # as_of: configured, or the last date of the candidate rows that are not far dates
    # (when only far dates are left, they are the pool)
    candidates = [d for b, d, _ in expected if b == "valid" or (b == "duplicate" and not drop_duplicates)]
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
        raw = {"client": "P", "transactions": {"path": "factures.csv", "columns": COLUMNS,
                                               "drop_duplicates": drop_duplicates},
               "exclude": {"customers": ["EXCL"]}}
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
    assert round((led.amount_read - led.amount_used - sum(led.amounts_excluded.values())) * 100) == 0
    assert round(led.amount_read * 100) == cents_read
    for reason, count in led.rows_excluded.items():
        assert count == sum(b == reason for b, _ in final), reason
        assert round(led.amounts_excluded[reason] * 100) == sum(
            c for b, c in final if b == reason and reason not in ("unparseable amount", "totals line")), reason
    used_rows = ds.transactions["source_row"].tolist()
    assert len(used_rows) == len(set(used_rows)) == led.rows_used  # nothing counted twice
    assert set(used_rows) == {i for i, (b, _) in enumerate(final, start=1) if b == "used"}  # nothing lost
    assert round(ds.transactions["amount"].sum() * 100) == sum(c for b, c in final if b == "used")
    assert ds.as_of == effective
