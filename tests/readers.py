"""What other tools see in an output folder: pandas and DuckDB reading `DIR/<table>` directly,
as the README tells users to, without provnews's own `load_tables`."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from pipeline.tables import TABLES

# The column that says which input or article a row belongs to, where it is not `article_id`.
KEY = {"errors": "source", "duplicates": "kept_article_id"}


def _has_parts(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.parquet"))


def pandas_view(out: Path) -> dict[str, list[str]]:
    """Per table, the sorted article ids (sources for errors) that `pd.read_parquet` returns."""
    view = {}
    for table in TABLES:
        folder = out / table
        column = KEY.get(table, "article_id")
        view[table] = sorted(pd.read_parquet(folder, columns=[column])[column]) if _has_parts(folder) else []
    return view


@cache
def _duckdb() -> duckdb.DuckDBPyConnection:
    """One connection with one thread: tests fork runs from this process, and no pool of DuckDB
    worker threads should be alive (one per connection) when they do."""
    return duckdb.connect(config={"threads": 1})


def duckdb_view(out: Path) -> dict[str, list[str]]:
    """The same through DuckDB's `read_parquet('DIR/<table>/*.parquet')`."""
    view = {}
    for table in TABLES:
        folder = out / table
        column = KEY.get(table, "article_id")
        query = f"SELECT {column} FROM read_parquet('{folder}/*.parquet')"
        view[table] = sorted(r[0] for r in _duckdb().sql(query).fetchall()) if _has_parts(folder) else []
    return view


def only_committed_articles(view: dict[str, list[str]]) -> bool:
    """Every row of every table belongs to an article that is in `articles` (a duplicates row: its
    kept article)."""
    articles = set(view["articles"])
    return all(set(ids) <= articles for table, ids in view.items() if table != "errors")


def rows(out: Path, table: str) -> list[tuple]:
    """Every row of a table as read from its folder, sorted, without the error timestamp."""
    result = []
    for row in pq.read_table(out / table).to_pylist() if _has_parts(out / table) else []:
        row.pop("at", None)
        result.append(tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(row.items())))
    return sorted(result, key=repr)
