"""The report's charts (:mod:`icpc.report.charts`), under the name the notebooks use."""

from __future__ import annotations

from icpc.report.charts import *  # noqa: F403
from icpc.report.charts import __all__ as __all__
