"""Parquet tables: one folder per table (`DIR/<table>/part-*.parquet`), read with
`pandas.read_parquet(DIR / "communes")`, DuckDB `read_parquet('DIR/communes/*.parquet')`,
Polars or `pyarrow.dataset.dataset(DIR / "communes")`.

Each batch adds one part file to every table, committed all at once (see `pipeline.commits`):
whatever reads the folder, even after a crash, sees whole committed batches and nothing else.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__, commits
from pipeline.dedupe.hashed import stable_hashes
from pipeline.dedupe.minhash import FINGERPRINT, NUM_PERM
from pipeline.errors import OutputError

if TYPE_CHECKING:  # pandas only for readers of the tables: a run does not pay for its import
    import pandas as pd

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
        ("article_id", STR), ("text", STR), ("ward_code", STR), ("official_name_key", STR), ("sentence", STR),
        ("start_char", INT), ("end_char", INT), ("rule_id", STR),
    ]),
    "errors": pa.schema([("source", STR), ("stage", STR), ("message", STR), ("at", pa.timestamp("us", tz="UTC"))]),
    "duplicates": pa.schema([
        ("source", STR), ("url", STR), ("skipped_id", STR), ("kept_article_id", STR), ("similarity", FLOAT),
        ("reason", STR), ("at", pa.timestamp("us", tz="UTC")),
    ]),
}
TABLES = tuple(SCHEMAS)
# provnews's own state, committed with every batch but given no reader link (`commits.readable`):
# the MinHash signature of every article kept, so the duplicate index is never rebuilt from texts.
STATE_SCHEMAS: dict[str, pa.Schema] = {
    "_minhash": pa.schema([("article_id", STR), ("signature", pa.list_(pa.uint32(), NUM_PERM)),
                           ("id_hash64", INT), ("text_hash64", INT),  # `stable_hash` of article_id, text_hash
                           ("raw_hash64", INT)]),  # `clean.raw_hash` of the record it was made from (null: not known)
}
COMMITTED = TABLES + tuple(STATE_SCHEMAS)


def _schema(table: str) -> pa.Schema:
    if table in STATE_SCHEMAS:
        return STATE_SCHEMAS[table].with_metadata({"provnews_version": __version__, "provnews_table": table,
                                                   "provnews_minhash": FINGERPRINT})
    return SCHEMAS[table].with_metadata({"provnews_version": __version__, "provnews_table": table})


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = _schema(table)
    if table == "_minhash":
        values = pa.array(np.concatenate([row["signature"] for row in rows]) if rows else [], pa.uint32())
        signatures = pa.FixedSizeListArray.from_arrays(values, NUM_PERM)
        return pa.table([pa.array([row["article_id"] for row in rows], STR), signatures,
                         pa.array(stable_hashes(row["article_id"] for row in rows), INT),
                         pa.array(stable_hashes(row["text_hash"] for row in rows), INT),
                         pa.array([row.get("raw_hash") for row in rows], INT)], schema=schema)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    if table == "articles":
        columns["published"] = [_as(date, v) for v in columns["published"]]
        columns["fetched_at"] = [_as(datetime, v) for v in columns["fetched_at"]]
    return pa.table(columns, schema=schema)


def _as(kind: type[date], value: str | date | None) -> date | None:
    """A date or time given as ISO 8601 text (as `clean.iso_date` and `clean.utc_timestamp`
    make them) or already as one."""
    if value is None or value == "":
        return None
    return kind.fromisoformat(value) if isinstance(value, str) else value


def _write_part(table: pa.Table, path: Path, compression: str) -> None:
    with open(path, "wb") as handle:
        pq.write_table(table, handle, compression=compression)
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def exclusive(out: str | Path) -> Iterator[commits.Snapshot]:
    """Own the output folder for one run: one writer, crash leftovers removed, the state checked."""
    with commits.writing(Path(out), COMMITTED) as snapshot:
        yield snapshot


def write_batch(out: str | Path, rows: dict[str, list[dict[str, Any]]], compression: str = "zstd",
                made_with: dict[str, str] | None = None) -> str:
    """Commit one batch to every table (and the state) at once (inside `exclusive`); return its part name.
    `made_with` (`provnews_rules`, `provnews_model`) goes into each part's metadata: which rules and
    model made its rows."""
    arrays = {table: to_arrow(table, rows.get(table, [])) for table in COMMITTED}
    if made_with:
        arrays = {table: array.replace_schema_metadata({**(array.schema.metadata or {}),
                                                        **{k.encode(): v.encode() for k, v in made_with.items()}})
                  for table, array in arrays.items()}
    snapshot = commits.commit(Path(out), COMMITTED, lambda table, path: _write_part(arrays[table], path, compression))
    return f"part-{snapshot.sequence:08d}.parquet"


def last_made_with(out: str | Path, snapshot: commits.Snapshot | None = None) -> dict[str, str]:
    """`made_with` of the last committed articles part (empty before any, or for parts written
    before provnews recorded it)."""
    parts = committed_parts(out, "articles", snapshot)
    if not parts:
        return {}
    try:
        metadata = pq.read_schema(parts[-1]).metadata or {}
    except (OSError, pa.ArrowInvalid):
        return {}
    return {key.decode(): value.decode() for key, value in metadata.items()
            if key in (b"provnews_rules", b"provnews_model")}


def _part_batches(path: Path, table: str, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """A part's rows in record batches, in the table's current schema: a column the part was
    written without (an older version) is null. Read with `pyarrow.parquet`, not
    `pyarrow.dataset`, whose import loads pandas: 0.3 s at every start of a run."""
    schema = _columns_schema(table, columns)
    with pq.ParquetFile(path) as handle:
        present = set(handle.schema_arrow.names)
        for batch in handle.iter_batches(columns=[c for c in columns if c in present]):
            yield pa.record_batch([_as_type(batch.column(c), schema.field(c).type) if c in present
                                   else pa.nulls(batch.num_rows, schema.field(c).type) for c in columns],
                                  schema=schema)


def _as_type(column: pa.Array, wanted: pa.DataType) -> pa.Array:
    """Cast only when a part's type differs: a cast loads `pyarrow.compute` (0.1 s at start-up)."""
    return column if column.type == wanted else column.cast(wanted)


def _columns_schema(table: str, columns: list[str]) -> pa.Schema:
    return pa.schema([_schema(table).field(c) for c in columns])


def committed_parts(out: str | Path, table: str, snapshot: commits.Snapshot | None = None) -> list[Path]:
    """Part files of the committed batches: exactly what readers of `DIR/<table>` see."""
    snapshot = snapshot or commits.committed(Path(out))
    return snapshot.part_paths(table) if snapshot else []


def _read_error(out: Path, table: str, exc: Exception) -> OutputError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return OutputError(f"{Path(out) / table}: a committed part cannot be read ({reason}); "
                       "write the tables again into a new --out")


def scan_columns(out: str | Path, table: str, columns: list[str],
                 snapshot: commits.Snapshot | None = None) -> Iterator[pa.RecordBatch]:
    """Committed rows in record batches, so start-up memory does not grow with the archive."""
    parts = committed_parts(out, table, snapshot)
    if parts:
        try:
            for path in parts:
                yield from _part_batches(path, table, columns)
        except (pa.ArrowException, OSError) as exc:
            raise _read_error(Path(out), table, exc) from None


def read_columns(out: str | Path, table: str, columns: list[str],
                 snapshot: commits.Snapshot | None = None) -> pa.Table:
    parts = committed_parts(out, table, snapshot)
    if not parts:
        return _schema(table).empty_table().select(columns)
    try:
        return pa.Table.from_batches([batch for path in parts for batch in _part_batches(path, table, columns)],
                                     schema=_columns_schema(table, columns))
    except (pa.ArrowException, OSError) as exc:
        raise _read_error(Path(out), table, exc) from None


@dataclass(frozen=True)
class SignaturePart:
    """A committed `_minhash` part as start-up reads it. Parts written before the hashes were
    stored have `id_hashes`/`text_hashes` None and their ids as strings instead."""

    name: str
    signatures: np.ndarray  # one row an article (uint32)
    id_hashes: np.ndarray | None  # `stable_hash` of article_id, text_hash (int64)
    text_hashes: np.ndarray | None
    article_ids: list[str] | None
    raw_hashes: np.ndarray  # `clean.raw_hash` of the records, where stored (int64; none in older parts)


def read_signatures(out: str | Path, snapshot: commits.Snapshot | None) -> Iterator[tuple[list[str], np.ndarray]]:
    """The stored MinHash signatures, part by part: (article ids, one signature a row)."""
    for path in committed_parts(out, "_minhash", snapshot):
        read = _signature_part(Path(out), path, ["article_id", "signature"])
        if read is not None:
            yield read.column("article_id").to_pylist(), _matrix(read)


def signature_parts(out: str | Path, snapshot: commits.Snapshot | None) -> Iterator[SignaturePart]:
    """Each committed `_minhash` part, without its ids when their hashes were stored. A part made
    with other MinHash settings (see its `provnews_minhash`) is skipped: its articles are signed
    again from their text."""
    for path in committed_parts(out, "_minhash", snapshot):
        read = _signature_part(Path(out), path, ["signature", "id_hash64", "text_hash64", "raw_hash64"])
        if read is None:
            continue
        raw = _present_int64(read.column("raw_hash64"))
        if read.column("id_hash64").null_count or read.column("text_hash64").null_count:
            ids = _signature_part(Path(out), path, ["article_id"]).column("article_id").to_pylist()
            yield SignaturePart(path.name, _matrix(read), None, None, ids, raw)
        else:
            yield SignaturePart(path.name, _matrix(read), _int64(read.column("id_hash64")),
                                _int64(read.column("text_hash64")), None, raw)


def read_signature_part(out: str | Path, name: str) -> tuple[list[str], np.ndarray]:
    """One committed `_minhash` part, by name, from the current snapshot (a part keeps its name
    from commit to commit): what the duplicate index reads back for a candidate."""
    read = _current_signature_part(Path(out), name, ["article_id", "signature"])
    return read.column("article_id").to_pylist(), _matrix(read)


def read_signature_part_ids(out: str | Path, name: str) -> list[str]:
    """The ids of one committed `_minhash` part, by name (what an exact copy's row needs)."""
    return _current_signature_part(Path(out), name, ["article_id"]).column("article_id").to_pylist()


def _current_signature_part(out: Path, name: str, columns: list[str]) -> pa.Table:
    read = _signature_part(out, commits.current_part(out, "_minhash", name), columns)
    if read is None:
        raise OutputError(f"{out / '_minhash'}: part {name} was replaced while this run was writing")
    return read


def committed_row_count(out: str | Path, table: str, snapshot: commits.Snapshot | None) -> int:
    """Rows committed in a table, from the parts' footers (no column read)."""
    try:
        total = 0
        for path in committed_parts(out, table, snapshot):
            with pq.ParquetFile(path) as handle:
                total += handle.metadata.num_rows
        return total
    except (pa.ArrowException, OSError) as exc:
        raise _read_error(Path(out), table, exc) from None


def _signature_part(out: Path, path: Path, columns: list[str]) -> pa.Table | None:
    """These columns of a `_minhash` part (null where the part predates one), or None when its
    signatures were made with other MinHash settings."""
    try:
        with pq.ParquetFile(path) as handle:
            if (handle.schema_arrow.metadata or {}).get(b"provnews_minhash") != FINGERPRINT.encode():
                return None
        return pa.Table.from_batches(list(_part_batches(path, "_minhash", columns)), schema=_columns_schema("_minhash", columns))
    except (pa.ArrowException, OSError) as exc:
        raise _read_error(out, "_minhash", exc) from None


def _matrix(part: pa.Table) -> np.ndarray:
    return part.column("signature").combine_chunks().flatten().to_numpy().reshape(-1, NUM_PERM)


def _int64(column: pa.ChunkedArray) -> np.ndarray:
    return column.combine_chunks().to_numpy()


def _present_int64(column: pa.ChunkedArray) -> np.ndarray:
    """The values that are not null, read through the validity bitmap (`pyarrow.compute` would
    take 0.1 s to import at start-up)."""
    if not column.null_count:
        return _int64(column)
    if column.null_count == len(column):
        return np.empty(0, np.int64)
    array = column.combine_chunks()
    validity, data = array.buffers()[0], array.buffers()[1]
    end = array.offset + len(array)
    valid = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")[array.offset:end].astype(bool)
    return np.frombuffer(data, np.int64)[array.offset:end][valid]


def load_tables(out: str | Path, tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """Every table as a pandas DataFrame (empty, with its columns, when nothing was written),
    all from the same committed state even while a run is writing."""
    snapshot = commits.committed(Path(out))
    return {t: read_columns(out, t, _schema(t).names, snapshot).to_pandas() for t in tables}
