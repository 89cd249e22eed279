"""The README's table schema is the tables' schema, and its reader recipes (pandas, Polars,
DuckDB, `pipeline.load_tables`) read the same rows."""
from __future__ import annotations

import re

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import pipeline
from pipeline.tables import SCHEMAS

from conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
TYPES = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(),
         "date": pa.date32(), "list of string": pa.list_(pa.string()),
         "timestamp (UTC)": pa.timestamp("us", tz="UTC")}


def documented_columns() -> dict[str, list[tuple[str, str, str]]]:
    """table → [(column, type, meaning)] from the README's "### Columns" section."""
    section = README[README.index("### Columns"):]
    section = section[:re.search(r"\n##+ ", section).start()]  # up to the next heading ("### Categories")
    tables: dict[str, list[tuple[str, str, str]]] = {}
    current = None
    for line in section.splitlines():
        heading = re.match(r"\*\*(\w+)\*\* — ", line)
        if heading:
            current = tables.setdefault(heading.group(1), [])
        elif current is not None and line.startswith("| ") and not line.startswith(("| column", "| ---")):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            current.append((cells[0], cells[1], cells[2]))
    return tables


def test_readme_lists_every_column_of_every_table():
    documented = documented_columns()
    assert set(documented) == set(SCHEMAS)
    for table, schema in SCHEMAS.items():
        assert [c for c, _, _ in documented[table]] == schema.names, table
        for (column, type_name, meaning), field in zip(documented[table], schema):
            assert TYPES.get(type_name) == field.type, f"{table}.{column}: README says {type_name!r}, table has {field.type}"
            assert meaning, f"{table}.{column} has no meaning in the README"


def test_readme_explains_the_values_people_ask_about():
    communes = {c: m for c, _, m in documented_columns()["communes"]}
    assert "`unresolved`" in communes["method"] and "`legacy`" in communes["method"]
    assert "2025 unit it went into" in communes["becomes_code"]
    assert "gazetteer" in communes["latitude"]
    for form in ("`id`", "`u` + 16 hex digits", "`t` + the `text_hash`"):
        assert form in README[README.index("### Columns"):], form


def readme_recipe() -> str:
    section = README[README.index("### Reading them"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_recipe_runs(sample_run):
    code = readme_recipe().replace('DIR = Path("data/processed")', f"DIR = Path({str(sample_run)!r})")
    assert str(sample_run) in code
    namespace: dict = {}
    exec(compile(code, "README.md recipe", "exec"), namespace)  # its assert compares the four readers
    assert len(namespace["communes"]) > 100


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_every_reader_gives_the_same_rows(sample_run, table):
    loaded = pipeline.load_tables(sample_run)[table]
    with_pandas = pd.read_parquet(sample_run / table)
    with_polars = pl.read_parquet(sample_run / table / "*.parquet")
    ((with_duckdb,),) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{sample_run}/{table}/*.parquet')").fetchall()
    assert len(loaded) == len(with_pandas) == with_polars.height == with_duckdb
    assert len(loaded) > 0 or table == "errors"  # the sample inputs all give articles or copies
    assert with_polars.columns == list(with_pandas.columns) == SCHEMAS[table].names
