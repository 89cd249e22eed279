"""provnews: Vietnam's provincial news about communes, wards and special zones, as tables.

In Python: `pipeline.load_tables(DIR)` reads the tables; `from pipeline.run import run` runs
the pipeline (`pipeline.run` is also the module's name, so it is not re-exported here).
"""
from __future__ import annotations

import os
from typing import Any

__version__ = "0.1.0"

# Arrow's default allocator (mimalloc) keeps what the tables of a committed batch freed, for reuse
# a run never makes: 1,000 articles rules-only peaked at 280 MB with it, 250 MB with the system
# allocator, which gives the memory back (measured). Arrow reads this when it first allocates,
# and its parquet writer does not follow `pyarrow.set_memory_pool`, so it is said here, before
# anything of ours imports pyarrow; a value the user set stays.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def __getattr__(name: str) -> Any:
    """`load_tables` on first use (PEP 562): importing the package stays light."""
    if name == "load_tables":
        from pipeline.tables import load_tables

        return load_tables
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


__all__ = ["__version__", "load_tables"]
