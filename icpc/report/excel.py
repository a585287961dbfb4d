"""Moved to :mod:`icpc.export.excel` (the workbook is an export, beside kpis.json)."""

from icpc.export.excel import *  # noqa: F403
from icpc.export.excel import __all__  # noqa: F401
