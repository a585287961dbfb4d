"""Customer ids that a typed file stored as numbers keep the form of the client's other ids.

Excel stores ``00042`` as the number 42 in some cells and as the text ``"00042"`` in
others; a Parquet column of integer ids has lost its zeros everywhere. Read as they are,
one customer becomes two, and the codes no longer match the customer file.
:func:`harmonise_ids` looks at the ids written as *text* in every file of the client: when
those made only of digits and starting with a zero all have one width, the ids that came
from numeric cells and are shorter are padded with zeros to that width (a ledger warning
counts and names the rows). When such text ids have several widths, the right padding
cannot be told: the load stops with the fix (format the column as text and export again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc import columns as C
from icpc.exceptions import InputError
from icpc.io.common import W_DECIMAL_IDS, W_PADDED_IDS, RawTable, _present
from icpc.io.values import parse_text

__all__ = ["harmonise_ids"]


def harmonise_ids(
    raws: Mapping[str, RawTable], *, config_name: str = "client.yaml"
) -> dict[str, RawTable]:
    """Pad the numeric-cell customer ids of each file to the width of the zero-padded text ids.

    Parameters
    ----------
    raws : mapping of config key to RawTable
        The files of one client as read (transactions, customers, activity).
    config_name : str
        For messages.

    Returns
    -------
    dict of str to RawTable
        The same tables; those with padded ids are copies with the new ``customer_id``
        column, a ``flagged`` warning and ``details["ids_padded_to"]``.

    Raises
    ------
    InputError
        Ids stored as numbers while the text ids are zero-padded to several widths.
    """
    raws = {key: _whole_numbers(raw) for key, raw in raws.items()}
    numeric = {
        key: raw.numeric_cells[C.CUSTOMER_ID]
        for key, raw in raws.items()
        if C.CUSTOMER_ID in raw.columns
        and C.CUSTOMER_ID in raw.numeric_cells
        and raw.numeric_cells[C.CUSTOMER_ID].any()
    }
    if not numeric:
        return dict(raws)
    widths: dict[int, str] = {}
    for key, raw in raws.items():
        if C.CUSTOMER_ID not in raw.columns:
            continue
        col = raw.columns[C.CUSTOMER_ID]
        as_text = numeric.get(key)
        if as_text is not None:
            col = col.filter(pa.array(~as_text))
        distinct = pc.unique(parse_text(_distinct(col))).drop_null()
        zero_led = distinct.filter(
            pc.fill_null(pc.match_substring_regex(distinct, r"^0\d+$"), False)
        )
        for w in np.unique(np.asarray(pc.utf8_length(zero_led).to_numpy(zero_copy_only=False))):
            example = zero_led.filter(pc.equal(pc.utf8_length(zero_led), int(w)))[0].as_py()
            widths.setdefault(int(w), f'"{example}" ({raw.path.name})')
    if not widths:
        return dict(raws)
    if len(widths) > 1:
        key, mask = next(iter(numeric.items()))
        name = raws[key].path.name
        shown = ", ".join(f"{w} digits as {ex}" for w, ex in sorted(widths.items()))
        raise InputError(
            f"{name}: {int(mask.sum())} customer ids are stored as numbers (their leading zeros lost), and the "
            f"ids written as text are zero-padded to several widths ({shown}), so the padding cannot be told; "
            "format the customer-code column as text in the spreadsheet and export it again"
        )
    width = next(iter(widths))
    out = dict(raws)
    for key, mask in numeric.items():
        raw = raws[key]
        ids = parse_text(raw.columns[C.CUSTOMER_ID]).combine_chunks()
        short = pc.fill_null(
            pc.and_(pc.match_substring_regex(ids, r"^\d+$"), pc.less(pc.utf8_length(ids), width)),
            False,
        )
        pad = np.asarray(short.to_numpy(zero_copy_only=False), bool) & mask
        if not pad.any():
            continue
        padded = pc.if_else(pa.array(pad), pc.utf8_lpad(ids, width, "0"), ids)
        out[key] = replace(
            raw,
            columns={**raw.columns, C.CUSTOMER_ID: pa.chunked_array([padded])},
            flagged={**raw.flagged, W_PADDED_IDS: pad},
            details={**raw.details, "ids_padded_to": width},
        )
    return out


def _whole_numbers(raw: RawTable) -> RawTable:
    """Text ids a spreadsheet wrote as decimals (``42.0``, ``00042,00``) become whole numbers.

    They are then numeric cells like Excel's (padded with the others); a warning counts them.
    """
    col = raw.columns.get(C.CUSTOMER_ID)
    if col is None or not (
        pa.types.is_string(col.type)
        or pa.types.is_large_string(col.type)
        or pa.types.is_dictionary(col.type)
    ):
        return raw
    if not _present(
        pa.chunked_array([_distinct(col)]) if pa.types.is_dictionary(col.type) else col, (".", ",")
    ):
        return raw  # one look at the bytes: the usual file has no id with a dot or a comma
    ids = parse_text(col).combine_chunks()
    decimal = np.asarray(
        pc.fill_null(pc.match_substring_regex(ids, r"^\d+[.,]0{1,2}$"), False).to_numpy(
            zero_copy_only=False
        ),
        bool,
    )
    if not decimal.any():
        return raw
    whole = pc.replace_substring_regex(
        ids, r"^0*(\d+?)[.,]0{1,2}$", r"\1"
    )  # a number has no leading zeros
    whole = pc.if_else(pa.array(decimal), whole, ids)
    numeric = raw.numeric_cells.get(C.CUSTOMER_ID)
    return replace(
        raw,
        columns={**raw.columns, C.CUSTOMER_ID: pa.chunked_array([whole])},
        numeric_cells={
            **raw.numeric_cells,
            C.CUSTOMER_ID: decimal | (numeric if numeric is not None else False),
        },
        flagged={**raw.flagged, W_DECIMAL_IDS: decimal},
    )


def _distinct(col: pa.ChunkedArray) -> pa.Array:
    """The distinct values of a text column (a dictionary column's dictionary, unified)."""
    if pa.types.is_dictionary(col.type):
        col = col.unify_dictionaries()
        return col.chunks[0].dictionary if col.num_chunks else pa.array([], col.type.value_type)
    return pc.unique(col.combine_chunks())
