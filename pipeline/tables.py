"""Parquet tables: one folder per table (`DIR/<table>/part-*.parquet`), read with
`pandas.read_parquet(DIR / "communes")` or `pyarrow.dataset.dataset(DIR / "communes")`.

Each batch writes one part file per table under the same name, the `articles` part last: it
is the commit marker. A part in another table without its `articles` twin is the leftover of
a crash and is removed before the next run, so a crash never leaves half a batch behind.
Every file is written to a temporary name, flushed, and renamed into place (atomic on POSIX);
readers (`load_tables`) only see committed batches, and a lock keeps a second run out.
"""
from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.errors import ConfigError

STR, INT, FLOAT, BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()
SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema([
        ("article_id", STR), ("url", STR), ("source_url", STR), ("site", STR), ("title", STR),
        ("published", pa.date32()), ("province_code", STR), ("province_name", STR), ("language", STR),
        ("text", STR), ("n_chars", INT), ("text_hash", STR), ("source", STR),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
    ]),
    "communes": pa.schema([
        ("article_id", STR), ("mention", STR), ("start_char", INT), ("end_char", INT), ("ward_code", STR),
        ("ward_name", STR), ("division_type", STR), ("province_code", STR), ("province_name", STR),
        ("score", FLOAT), ("method", STR), ("legacy_name", STR), ("legacy_code", STR), ("becomes_code", STR),
        ("becomes_name", STR), ("ambiguous", BOOL),
        ("rule_id", STR),
        ("latitude", FLOAT), ("longitude", FLOAT),
    ]),
    "officials": pa.schema([
        ("article_id", STR), ("name", STR), ("name_key", STR), ("honorific", STR), ("titles", pa.list_(STR)),
        ("start_char", INT), ("end_char", INT), ("rule_id", STR), ("n_mentions", INT), ("organization", STR),
        ("level", STR),
    ]),
    "difficulties": pa.schema([
        ("article_id", STR), ("text", STR), ("category", STR), ("ward_code", STR), ("sentence", STR),
        ("start_char", INT), ("end_char", INT), ("rule_id", STR),
    ]),
    "recommendations": pa.schema([
        ("article_id", STR), ("text", STR), ("category", STR), ("proposer", STR), ("addressee", STR),
        ("ward_code", STR), ("sentence", STR), ("start_char", INT), ("end_char", INT), ("rule_id", STR),
    ]),
    "directions": pa.schema([
        ("article_id", STR), ("text", STR), ("official_name_key", STR), ("start_char", INT), ("end_char", INT),
        ("rule_id", STR),
    ]),
    "errors": pa.schema([("source", STR), ("stage", STR), ("message", STR), ("at", pa.timestamp("us", tz="UTC"))]),
}
TABLES = tuple(SCHEMAS)
COMMIT_TABLE = "articles"


def _schema(table: str) -> pa.Schema:
    return SCHEMAS[table].with_metadata({"provnews_version": __version__, "provnews_table": table})


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = _schema(table)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    if table == "articles":
        columns["published"] = [pd.Timestamp(v).date() if v else None for v in columns["published"]]
        columns["fetched_at"] = [pd.Timestamp(v).to_pydatetime() if v else None for v in columns["fetched_at"]]
    return pa.table(columns, schema=schema)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(table: pa.Table, path: Path, compression: str) -> None:
    """Temporary file, flushed to disk, renamed into place: a reader sees all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as handle:
        pq.write_table(table, handle, compression=compression)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """One writer per output folder: a second `provnews run` on it fails at once, clearly."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"{out}: another provnews run is writing these tables; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_part_name() -> str:
    return f"part-{uuid.uuid4().hex[:16]}.parquet"


def write_batch(out: Path, rows: dict[str, list[dict[str, Any]]], compression: str = "zstd") -> str:
    """Write one batch to every table; `articles` last, as the commit marker."""
    name = new_part_name()
    for table in (*[t for t in TABLES if t != COMMIT_TABLE], COMMIT_TABLE):
        _write_atomic(to_arrow(table, rows.get(table, [])), Path(out) / table / name, compression)
    return name


def recover(out: Path) -> list[Path]:
    """Remove temporary files and parts of batches that never committed; return what went."""
    out = Path(out)
    committed = {p.name for p in (out / COMMIT_TABLE).glob("part-*.parquet")}
    removed = []
    for table in TABLES:
        folder = out / table
        for path in list(folder.glob(".*.tmp")) + [p for p in folder.glob("part-*.parquet")
                                                    if table != COMMIT_TABLE and p.name not in committed]:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def committed_parts(out: Path, table: str) -> list[Path]:
    """Part files of batches that committed (their `articles` part exists): what readers see."""
    committed = {p.name for p in (Path(out) / COMMIT_TABLE).glob("part-*.parquet")}
    return sorted(p for p in (Path(out) / table).glob("part-*.parquet") if p.name in committed)


def scan_columns(out: Path, table: str, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """Committed rows in record batches, so start-up memory does not grow with the archive."""
    parts = committed_parts(out, table)
    if parts:
        yield from ds.dataset([str(p) for p in parts], format="parquet", schema=_schema(table)).to_batches(columns=columns)


def read_columns(out: Path, table: str, columns: list[str]) -> pa.Table:
    parts = committed_parts(out, table)
    if not parts:
        return _schema(table).empty_table().select(columns)
    return ds.dataset([str(p) for p in parts], format="parquet", schema=_schema(table)).to_table(columns=columns)


def load_tables(out: str | Path, tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """Every table as a pandas DataFrame (empty, with its columns, when nothing was written)."""
    return {t: read_columns(Path(out), t, _schema(t).names).to_pandas() for t in tables}
