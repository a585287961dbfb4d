"""icpc — the commercial diagnostic kit (diagnostic commercial, indicateurs ICPC).

The public API, for analysts and scripts::

    import icpc

    cfg = icpc.load_config("client.yaml")
    diag = icpc.Diagnostic.from_config(cfg)      # every analysis, computed once on first use
    diag.kpis.loc["revenue", "current"]
    icpc.kpis_json(diag)                         # the kpis.json document
    icpc.run_client("client.yaml")               # the full diagnostic: PDF, Excel, kpis.json

Importing ``icpc`` loads nothing heavy: each name is imported on first use. The layers,
and where each indicator is defined and tested: docs/architecture.md.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("icpc")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

#: public name -> module that defines it
_API = {
    "load_config": "icpc.config",
    "Config": "icpc.config",
    "read_table": "icpc.io",
    "parse_table": "icpc.io",
    "load_dataset": "icpc.cleaning",
    "Dataset": "icpc.cleaning",
    "Ledger": "icpc.cleaning",
    "Diagnostic": "icpc.diagnostic",
    "kpis_json": "icpc.export",
    "customers_table": "icpc.export",
    "write_customers_csv": "icpc.export",
    "period_bounds": "icpc.periods",
    "run_client": "icpc.run",
    "run_batch": "icpc.run",
    "write_sample": "icpc.datasets.demo",
    "IcpcError": "icpc.exceptions",
    "ConfigError": "icpc.exceptions",
    "InputError": "icpc.exceptions",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'icpc' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
