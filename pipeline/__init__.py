"""provnews: Vietnam's provincial news about communes, wards and special zones, as tables.

In Python: `pipeline.load_tables(DIR)` reads the tables; `from pipeline.run import run` runs
the pipeline (`pipeline.run` is also the module's name, so it is not re-exported here).
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`load_tables` on first use (PEP 562): importing the package stays light."""
    if name == "load_tables":
        from pipeline.tables import load_tables

        return load_tables
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


__all__ = ["__version__", "load_tables"]
