"""Which reader reads a file: a small registry, and :func:`read_table`, the one verb."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from icpc.config import FileSpec
from icpc.exceptions import InputError
from icpc.io.common import _MAGIC, _SAMPLE_BYTES, RawTable
from icpc.io.detect import _looks_binary
from icpc.io.excel import read_excel
from icpc.io.fec import fec_refusal, looks_like_fec, read_fec
from icpc.io.parquet import read_parquet
from icpc.io.text import read_text

__all__ = ["read_table", "READERS"]


def read_table(spec: FileSpec, *, config_name: str = "client.yaml") -> RawTable:
    """Read the file of ``spec`` into its mapped columns (lecture d'un export).

    Parameters
    ----------
    spec : FileSpec
        Path, column mapping and format options (``auto`` = detected).
    config_name : str
        The config file's name, for messages ("fix transactions.columns.amount in …").

    Returns
    -------
    RawTable
        The mapped columns under canonical names, one row per data row.

    Raises
    ------
    InputError
        Missing, empty, binary or unreadable file; wrong sheet; a mapped column not
        found (the message lists the headers found and the config key to fix); a header
        but no data rows; a FEC given without ``format: fec`` (read as invoice lines, it
        would count the customer debits, VAT included).
    """
    path = Path(spec.path)
    if not path.exists():
        raise InputError(
            f"{path.name}: file not found at {path}; check {spec.key}.path in {config_name}"
        )
    if path.is_dir():
        raise InputError(
            f"{path.name}: is a folder, not a file; check {spec.key}.path in {config_name}"
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path.name}: the file is empty (0 bytes); export the {spec.key} again")
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    if spec.format == "fec":  # a FEC is .txt or .csv: the config says what it is, not the name
        return READERS["fec"](spec, path, head, config_name)
    kind = _kind(path, head)
    disguised = _markup(head) if kind == "text" else None
    if disguised is not None:
        raise InputError(
            f"{path.name}: this is {disguised} saved under a {path.suffix or 'text'} name, not a table file; "
            f"open it in Excel and save it as .xlsx (or export the {spec.key} as CSV)"
        )
    if kind == "text" and looks_like_fec(head):
        raise fec_refusal(spec, path, config_name)
    if kind not in READERS:
        raise InputError(
            f"{path.name}: this is a {kind} file, not a table; export the {spec.key} as CSV, Excel or Parquet"
        )
    return READERS[kind](spec, path, head, config_name)


def _markup(head: bytes) -> str | None:
    """What an ERP's "Excel" export that is really markup is: a web page, an XML spreadsheet."""
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "a web page (HTML)"
    if (
        start.startswith(b"<?xml")
        and b"urn:schemas-microsoft-com:office:spreadsheet" in head[:65536]
    ):
        return "an XML spreadsheet (Excel 2003)"
    return None


def _kind(path: Path, head: bytes) -> str:
    """The reader of a file: by its first bytes, else by its name's ending; text by default
    (``fec`` is chosen by the config, never from the file)."""
    kind = next((k for magic, k in _MAGIC.items() if head.startswith(magic)), None)
    suffix = path.suffix.lower()
    if kind is None and suffix in (".xlsx", ".xlsm", ".xls") and _looks_binary(head):
        kind = suffix.lstrip(".")
    if kind is None and suffix in (".parquet", ".pq") and _looks_binary(head):
        kind = "parquet"
    if kind in ("xlsx", "xlsm"):
        kind = "xlsx"
    return kind or "text"


Reader = Callable[[FileSpec, Path, bytes, str], RawTable]

#: file kind -> reader(spec, path, first MiB, config name); each returns a :class:`RawTable`
READERS: dict[str, Reader] = {
    "text": lambda spec, path, head, name: read_text(spec, path, head, name),
    "xlsx": lambda spec, path, head, name: read_excel(spec, path, "xlsx", name),
    "xls": lambda spec, path, head, name: read_excel(spec, path, "xls", name),
    "parquet": lambda spec, path, head, name: read_parquet(spec, path, name),
    "fec": lambda spec, path, head, name: read_fec(spec, path, head, name),
}
