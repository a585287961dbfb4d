"""Text columns read as bytes, decoded: UTF-8 as is, one-byte encodings in one pass, stray bytes repaired.

The text and FEC readers hand Arrow's bytes to :func:`_decode_column`: an ASCII or valid
UTF-8 column costs nothing; a Windows-1252 or ISO-8859 column is transcoded through a
byte → UTF-8 table, vectorised (:func:`_transcode_8bit`); a value that is not UTF-8 in a
UTF-8 file is read as Windows-1252 on its own, and a UTF-8 value pasted into a one-byte
export as UTF-8 (:func:`_utf8_among_8bit`), each counted for the ledger's warning.
"""

from __future__ import annotations

import codecs

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icpc.io.common import _is_ascii


def _decode_column(
    col: pa.ChunkedArray, encoding: str
) -> tuple[pa.ChunkedArray, np.ndarray | None]:
    """Decode a column read as bytes: ASCII or valid UTF-8 zero-cost, else per distinct value.

    In a UTF-8 file, a value whose bytes are not UTF-8 (one Windows-1252 byte in an
    otherwise UTF-8 export) is read as Windows-1252 on its own; the other values stay
    UTF-8. Returns the column and the rows so repaired (None when there are none).
    """
    utf8 = encoding.replace("_", "-") in ("utf-8", "utf-8-sig", "utf8")
    if utf8 or _is_ascii(col):
        try:
            return col.cast(pa.string()), None
        except pa.ArrowInvalid:  # a stray cp1252 byte in a UTF-8 file: value by value below
            pass
    encoded = pc.dictionary_encode(col.combine_chunks())
    values = encoded.dictionary.to_pylist() if utf8 or _one_byte(encoding) is None else []
    if utf8:
        text, repaired = (
            zip(*(_decode_utf8(v) for v in values), strict=True) if values else ((), ())
        )
        bad_values = np.asarray(repaired, bool)
    else:
        fast = _transcode_8bit(encoded.dictionary, encoding)
        if fast is not None:  # one vectorised pass, no Python string per value
            return _utf8_among_8bit(encoded, fast)
        text = tuple(_decode_bytes(v, encoding) for v in values)
        bad_values = np.zeros(len(values), bool)
    indices = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False))
    rows = (indices >= 0) & bad_values[np.maximum(indices, 0)] if bad_values.any() else None
    if len(set(text)) == len(text):  # keep it encoded: cleaning needs the codes anyway
        return pa.chunked_array(
            [pa.DictionaryArray.from_arrays(encoded.indices, pa.array(text, pa.string()))]
        ), rows
    return pa.chunked_array([pc.take(pa.array(text, pa.string()), encoded.indices)]), rows


def _byte_table(encoding: str) -> tuple[np.ndarray, np.ndarray] | None:
    """For a one-byte encoding: the UTF-8 bytes of each of the 256 bytes (padded to 3) and their lengths.

    A byte the encoding leaves undefined (5 of cp1252's) is read as Latin-1, as before.
    """
    try:
        codecs.lookup(encoding)
    except LookupError:
        return None
    table = np.zeros((256, 3), np.uint8)
    lengths = np.zeros(256, np.int64)
    for b in range(256):
        try:
            char = bytes([b]).decode(encoding)
        except UnicodeDecodeError:
            char = bytes([b]).decode("latin-1")
        if len(char) != 1:
            return None  # not a one-byte encoding
        utf8 = char.encode("utf-8")
        table[b, : len(utf8)] = np.frombuffer(utf8, np.uint8)
        lengths[b] = len(utf8)
    return table, lengths


#: encodings whose bytes each stand for one character, with their byte -> UTF-8 table
_UTF8_OF_BYTE: dict[str, tuple[np.ndarray, np.ndarray] | None] = {
    name: _byte_table(name)
    for name in ("cp1252", "latin-1", "iso8859-15", "iso8859-1", "mac-roman")
}


def _utf8_among_8bit(
    encoded: pa.DictionaryArray, text: pa.Array
) -> tuple[pa.ChunkedArray, np.ndarray | None]:
    """Values of a one-byte-encoded file that are really UTF-8 (``HÃ©lÃ¨ne``) read as UTF-8.

    A value whose bytes hold a multi-byte UTF-8 sequence and decode as UTF-8 came from a
    UTF-8 source pasted into a Windows-1252 export: it is read as UTF-8, so one salesperson
    stays one; the rows are returned for the ledger's warning.
    """
    values = encoded.dictionary
    offsets = np.frombuffer(values.buffers()[1], np.int32)[
        values.offset : values.offset + len(values) + 1
    ]
    data = values.buffers()[2]
    high = (
        np.flatnonzero(np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]] >= 0xC2) + offsets[0]
        if data is not None
        else np.zeros(0, np.int64)
    )
    candidates = np.unique(np.searchsorted(offsets, high, side="right") - 1) if len(high) else high
    fixed: dict[int, str] = {}
    for i, raw in zip(
        candidates.tolist(), pc.take(values, pa.array(candidates)).to_pylist(), strict=True
    ):
        try:
            as_utf8 = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(ord(ch) > 127 for ch in as_utf8):
            fixed[i] = as_utf8
    if not fixed:
        return pa.chunked_array([pa.DictionaryArray.from_arrays(encoded.indices, text)]), None
    strings = text.to_pylist()
    for i, value in fixed.items():
        strings[i] = value
    bad_values = np.zeros(len(strings), bool)
    bad_values[list(fixed)] = True
    indices = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False))
    rows = (indices >= 0) & bad_values[np.maximum(indices, 0)]
    repaired = pa.array(strings, pa.string())
    if len(set(strings)) == len(strings):
        return pa.chunked_array([pa.DictionaryArray.from_arrays(encoded.indices, repaired)]), rows
    return pa.chunked_array([pc.take(repaired, encoded.indices)]), rows


def _one_byte(encoding: str) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        return _UTF8_OF_BYTE.get(codecs.lookup(encoding).name)
    except LookupError:
        return None


def _transcode_8bit(values: pa.Array, encoding: str) -> pa.Array | None:
    """Binary values in a one-byte encoding (cp1252, ISO-8859-15…) as UTF-8 text, vectorised."""
    tables = _one_byte(encoding)
    if (
        tables is None
        or values.null_count
        or not (pa.types.is_binary(values.type) or pa.types.is_string(values.type))
    ):
        return None
    table, lengths = tables
    n = len(values)
    offsets = np.frombuffer(values.buffers()[1], np.int32)[values.offset : values.offset + n + 1]
    data_buffer = values.buffers()[2]
    data = (
        np.frombuffer(data_buffer, np.uint8)[offsets[0] : offsets[-1]]
        if data_buffer is not None
        else np.zeros(0, np.uint8)
    )
    widths = lengths[data]
    out = table[data][np.arange(3) < widths[:, None]]
    ends = np.concatenate([[0], np.cumsum(widths)])
    new_offsets = ends[offsets - offsets[0]].astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(out.tobytes()))


def _decode_utf8(value: bytes) -> tuple[str, bool]:
    try:
        return value.decode("utf-8"), False
    except UnicodeDecodeError:
        return _decode_bytes(value, "cp1252"), True


def _decode_bytes(value: bytes, encoding: str) -> str:
    try:
        return value.decode(encoding)
    except UnicodeDecodeError:
        return value.decode("latin-1")
