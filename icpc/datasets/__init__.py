"""The demo client (client de démonstration): a synthetic company with a planted story.

:func:`write_sample` writes its config and exports (``icpc sample DIR``), as invoice
lines (CSV, Parquet) or as the accounting FEC (``--fec``, :mod:`icpc.datasets.fec`).
"""

from __future__ import annotations

from icpc.datasets.demo import generate_sample, write_sample
from icpc.datasets.story import Sample

__all__ = ["Sample", "generate_sample", "write_sample"]
