"""provnews: Vietnam's provincial news about communes, wards and special zones, as tables."""
from __future__ import annotations

__version__ = "0.1.0"


def run(*args, **kwargs):
    """`pipeline.run.run`: inputs → tables (imported lazily: spaCy is slow to import)."""
    from pipeline.run import run as _run

    return _run(*args, **kwargs)


def load_tables(*args, **kwargs):
    """`pipeline.tables.load_tables`: the tables of an output folder as DataFrames."""
    from pipeline.tables import load_tables as _load

    return _load(*args, **kwargs)


__all__ = ["__version__", "load_tables", "run"]
