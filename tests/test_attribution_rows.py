"""Each customer's most recent row (the attribution rule), packed in one key or not."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from icpc import columns as C
from icpc.cleaning.attribution import _last_rows, _packed_last_rows, last_rows

rows_strategy = st.lists(
    st.tuples(
        st.integers(0, 6),  # customer code (some codes get no row)
        st.integers(-3, 3),  # day: few days, so that days tie
        st.integers(0, 5),  # source row: repeats, so that tie-breaks tie too
        st.booleans(),  # an invoice line
    ),
    max_size=60,
)


def _arrays(rows):
    codes = np.array([r[0] for r in rows], dtype=np.int64)
    day = np.array([19_000 + r[1] for r in rows], dtype=np.int64)
    tie = np.array([r[2] for r in rows], dtype=np.int64)
    among = np.array([r[3] for r in rows], dtype=bool)
    return codes, day, tie, among


@settings(max_examples=200, deadline=None)
@given(rows_strategy, st.booleans())
def test_the_packed_key_picks_the_rows_the_rule_picks(rows, invoices_only):
    """Invoice lines first (a customer without any: his lines), then the latest day, then
    the highest source row, then the latest position: the one-pass packed key and the
    general path give the same row for every customer (-1 without rows)."""
    codes, day, tie, among = _arrays(rows)
    chosen = among if invoices_only else None
    packed = _packed_last_rows(codes, day, tie, 8, chosen)
    assert packed is not None
    np.testing.assert_array_equal(packed, _last_rows(codes, day, tie, 8, chosen))


@given(rows_strategy.filter(lambda rows: len(rows) >= 2))
def test_what_does_not_pack_takes_the_general_path(rows):
    """Source rows from 2**40 on, or days more than 2**21 apart, do not fit the key:
    last_rows gives the general path's rows."""
    codes, day, tie, among = _arrays(rows)
    for big_tie, wide in ((True, False), (False, True)):
        t = tie + (1 << 40) if big_tie else tie
        d = day.copy()
        if wide:
            d[0] = day[1:].max() - (1 << 21)
        assert _packed_last_rows(codes, d, t, 8, among) is None
        frame = pd.DataFrame({C.SOURCE_ROW: t})
        np.testing.assert_array_equal(
            last_rows(frame, codes, d, 8, among), _last_rows(codes, d, t, 8, among)
        )


def test_an_invoice_beats_a_later_credit_note_and_source_rows_break_ties():
    # customer 0: invoice on day 10 (rows 0, 1: source rows 5 and 7), credit note day 12
    # customer 1: credit notes only (days 3 and 4: the later one)
    # customer 2: no row
    codes = np.array([0, 0, 0, 1, 1], dtype=np.int64)
    day = np.array([10, 10, 12, 3, 4], dtype=np.int64)
    among = np.array([True, True, False, False, False])
    frame = pd.DataFrame({C.SOURCE_ROW: [5, 7, 9, 1, 2]})
    assert last_rows(frame, codes, day, 3, among).tolist() == [1, 4, -1]
    assert last_rows(frame, codes, day, 3).tolist() == [2, 4, -1]
