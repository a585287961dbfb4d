"""Moved to :mod:`icpc.labels` (the words are shared by the PDF, the Excel and the console)."""

from icpc.labels import *  # noqa: F403
from icpc.labels import __all__  # noqa: F401
