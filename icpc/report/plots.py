"""The report's charts (:mod:`icpc.report.charts`), under the name the notebooks use.

Loaded on first use, as :mod:`icpc.report.charts` is: importing this module does not
import matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from icpc.report import charts as _charts

if TYPE_CHECKING:
    from icpc.report.charts import *  # noqa: F403

__all__ = list(_charts.__all__)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_charts, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
