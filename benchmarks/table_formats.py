"""provnews's own commit (snapshot link switch) against Delta Lake (`deltalake`), as the README reports.

usage: python benchmarks/table_formats.py [--batches N]   (needs `pip install deltalake duckdb polars`)

Writes the same N batches (the seed articles' rows, ids renumbered) both ways, every table
of a batch in one commit, then reads them back with pandas, Polars and DuckDB, and shows what
a plain Parquet reader of a Delta table folder sees after a crash between a data file and its
log entry.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.run import run
from pipeline.settings import load_settings
from pipeline.tables import SCHEMAS, TABLES, exclusive, read_columns, to_arrow, write_batch

ROOT = Path(__file__).resolve().parent.parent


def seed_batch(tmp: Path) -> dict[str, list[dict]]:
    run([ROOT / "data" / "raw"], tmp / "seeds", load_settings(), rules_only=True)
    return {t: read_columns(tmp / "seeds", t, SCHEMAS[t].names).to_pylist() for t in TABLES}


def renumbered(batch: dict[str, list[dict]], number: int) -> dict[str, list[dict]]:
    return {t: [dict(r, article_id=f"{r['article_id']}-{number}") if "article_id" in r else r for r in rows]
            for t, rows in batch.items()}


def timed(label: str, action) -> float:
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.3f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=200)
    args = parser.parse_args()
    import deltalake
    import duckdb
    import polars as pl

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        batch = seed_batch(tmp)
        ours, delta = tmp / "provnews", tmp / "delta"
        print(f"{args.batches} batches x {len(TABLES)} tables")

        def write_ours() -> None:
            with exclusive(ours):
                for n in range(args.batches):
                    write_batch(ours, renumbered(batch, n))

        def write_delta() -> None:
            for n in range(args.batches):
                for table, rows in renumbered(batch, n).items():
                    deltalake.write_deltalake(delta / table, to_arrow(table, rows), mode="append")

        print("write")
        ours_s, delta_s = timed("provnews snapshot commits", write_ours), timed("deltalake appends", write_delta)
        print(f"  per batch: provnews {1000 * ours_s / args.batches:.1f} ms, "
              f"deltalake {1000 * delta_s / args.batches:.1f} ms")
        print("read the communes table")
        timed("pandas read_parquet(DIR/communes)", lambda: pq.read_table(ours / "communes").to_pandas())
        timed("DeltaTable(...).to_pandas()", lambda: deltalake.DeltaTable(delta / "communes").to_pandas())
        timed("polars read_parquet(DIR/communes/*.parquet)", lambda: pl.read_parquet(f"{ours}/communes/*.parquet"))
        timed("polars read_delta", lambda: pl.read_delta(str(delta / "communes")))
        timed("duckdb read_parquet glob", lambda: duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{ours}/communes/*.parquet')").fetchall())
        try:
            duckdb.sql(f"SELECT count(*) FROM delta_scan('{delta / 'communes'}')").fetchall()
            print("  duckdb delta_scan: works")
        except duckdb.Error as exc:
            print(f"  duckdb delta_scan: unavailable ({str(exc).splitlines()[0][:100]})")

        # A crash after delta-rs wrote a data file and before it wrote the log entry:
        # the file is there under an ordinary name, and plain Parquet readers count it.
        committed = deltalake.DeltaTable(delta / "communes").to_pyarrow_table().num_rows
        pq.write_table(to_arrow("communes", renumbered(batch, -1)["communes"]),
                       delta / "communes" / "part-00001-uncommitted.parquet")
        glob = duckdb.sql(f"SELECT count(*) FROM read_parquet('{delta}/communes/*.parquet')").fetchall()[0][0]
        print(f"after a crash mid-commit: Delta log {committed} rows, plain Parquet readers {glob} rows")


if __name__ == "__main__":
    main()
