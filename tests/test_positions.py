"""Label lookups on Arrow strings (icpc.analysis.positions): get_indexer's answer, faster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icpc.analysis.positions import positions, take

# customer ids as exports hold them: codes, digits, accents, spaces, empty text
_ID = st.text(alphabet="AZaz09 éÉ-_/.", min_size=0, max_size=6)


def _index(values: list[str], dtype: str) -> pd.Index:
    return pd.Index(np.array(values, dtype=object), dtype=dtype)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_ID, unique=True, max_size=40),
    st.lists(_ID, max_size=40),
    st.sampled_from(["str", "string[pyarrow]", object]),
    st.sampled_from(["str", "string[pyarrow]", object]),
)
def test_positions_are_get_indexers(
    of: list[str], labels: list[str], of_dtype, labels_dtype
) -> None:
    haystack, needles = _index(of, of_dtype), _index(labels, labels_dtype)
    got = positions(needles, haystack)
    assert got.dtype == np.intp
    np.testing.assert_array_equal(got, haystack.get_indexer(needles))


def test_positions_of_a_series_and_of_missing_labels() -> None:
    of = pd.Index(["C1", "C2", "C3"], dtype="str")
    labels = pd.Series(["C3", None, "C9", "C1"], dtype="str")
    assert positions(labels, of).tolist() == [2, -1, -1, 0]
    assert positions(pd.Index([], dtype="str"), of).tolist() == []
    assert positions(labels, pd.Index([], dtype="str")).tolist() == [-1, -1, -1, -1]


def test_non_text_indexes_fall_back_to_get_indexer() -> None:
    of = pd.Index([10, 20, 30])
    assert positions(pd.Index([30, 5]), of).tolist() == [2, -1]
    with pytest.raises(pd.errors.InvalidIndexError):  # get_indexer's own refusal
        positions(pd.Index([1]), pd.Index([1, 1]))


def test_take_fills_what_was_not_found_even_from_nothing() -> None:
    at = np.array([1, -1, 0])
    assert take(np.array([1.5, 2.5]), at, np.nan).tolist()[::2] == [2.5, 1.5]
    assert np.isnan(take(np.array([1.5, 2.5]), at, np.nan)[1])
    assert take(np.array(["a", "b"], dtype=object), at, None).tolist() == ["b", None, "a"]
    assert take(np.array([], dtype=object), at, None).tolist() == [None, None, None]
    assert np.isnan(take(np.array([]), at, np.nan)).all()
