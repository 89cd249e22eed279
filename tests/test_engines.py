"""Every engine gives the rows of one process: worker processes (--n-process 2) and Dask workers
(--engine dask on a LocalCluster); the input planned in partitions is read as a whole."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.partitions import plan_partitions, read_partition
from pipeline.run import run
from pipeline.settings import load_settings
from pipeline.sources import iter_records
from pipeline.tables import TABLES, load_tables

from conftest import FRESH, RAW


def _inputs(tmp_path: Path) -> list[Path]:
    """A JSONL file larger than a partition, loose files, a bad line, a missing file."""
    lines = (FRESH / "articles.jsonl").read_text("utf-8").splitlines()[:24]
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(lines[:12] + ["{broken"] + lines[12:]) + "\n", encoding="utf-8")
    loose = tmp_path / "loose"
    loose.mkdir()
    for i, line in enumerate(lines[:3]):
        (loose / f"{i}.txt").write_text(json.loads(line)["text"].replace("commune", "ward"), encoding="utf-8")
    return [big, loose, RAW, tmp_path / "missing.jsonl"]


def _record_key(record) -> tuple:
    return tuple(getattr(record, name, None) for name in ("source", "id", "url", "text", "html", "message"))


@pytest.mark.parametrize("target", [2_000, 20_000, 10**9])
def test_partitions_hold_every_record_in_order(tmp_path, target):
    inputs = _inputs(tmp_path)
    partitions = list(plan_partitions(inputs, target))
    assert [_record_key(r) for p in partitions for r in read_partition(p)] == [_record_key(r) for r in iter_records(inputs)]
    ranges = [p for p in partitions if p.end is not None]
    assert (len(ranges) > 1) == (target < 30_000)  # the large file is cut in line ranges only when large
    assert all(p.records is not None for p in partitions if p.end is not None)


def _tables(out: Path) -> dict[str, list[tuple]]:
    """Every table's rows in the order they were committed, without timestamps."""
    frames = load_tables(out)
    return {t: [tuple(map(repr, row)) for row in frames[t].drop(columns=["at", "fetched_at"], errors="ignore")
                .itertuples(index=False)] for t in TABLES}


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> tuple[list[Path], dict]:
    tmp = tmp_path_factory.mktemp("engines")
    inputs = _inputs(tmp)
    out = tmp / "one"
    settings = load_settings(engine={"partition_bytes": 8192}, nlp={"articles_per_part": 7})
    summary = run(inputs, out, settings, rules_only=True, progress=False)
    assert summary.counts["articles"] >= 20 and summary.failed == 2  # the broken line, the missing file
    return inputs, _tables(out)


def test_worker_processes_give_the_rows_of_one_process(one_process, tmp_path):
    inputs, expected = one_process
    settings = load_settings(engine={"partition_bytes": 8192}, nlp={"articles_per_part": 7, "n_process": 2})
    summary = run(inputs, tmp_path / "two", settings, rules_only=True, progress=False)
    assert summary.failed == 2
    assert _tables(tmp_path / "two") == expected


def test_dask_workers_give_the_rows_of_one_process(one_process, tmp_path, capsys):
    pytest.importorskip("distributed")
    inputs, expected = one_process
    settings = tmp_path / "settings.toml"
    settings.write_text("[engine]\npartition_bytes = 8192\n[nlp]\narticles_per_part = 7\nn_process = 2\n")
    code = main(["run", *map(str, inputs), "--out", str(tmp_path / "dask"), "--rules-only", "--engine", "dask",
                 "--config", str(settings)])
    assert code == 1  # inputs failed (the broken line, the missing file), as with one process
    assert _tables(tmp_path / "dask") == expected
    assert "inputs failed: 2 " in capsys.readouterr().out


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    code = main(["run", str(RAW), "--out", str(tmp_path / "out"), "--rules-only", "--engine", "dask",
                 "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "cannot be reached" in err[0], err
    assert not (tmp_path / "out" / "articles").exists()


def test_progress_bar_counts_articles_and_errors(tmp_path, capsys):
    inputs = _inputs(tmp_path)
    run(inputs, tmp_path / "out", load_settings(), rules_only=True, progress=True)
    bar = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()
    last = [line for line in bar if line.startswith("provnews:")][-1]
    total = sum(1 for _ in iter_records(inputs))
    assert f"{total}/{total}" in last and "errors=2" in last, last
    assert any(line.startswith("skipped ") for line in bar)  # the reasons are printed above the bar
    run(inputs, tmp_path / "out", load_settings(), rules_only=True, progress=True)  # all known now
    bar = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()
    last = [line for line in bar if line.startswith("provnews:")][-1]
    assert f"{total}/{total}" in last, last  # what is already in the tables counts as done


def test_a_worker_that_dies_is_one_clear_error_not_a_hang():
    """A worker killed (out of memory, by hand) must not leave the run waiting for ever."""
    import os
    import signal

    from pipeline.engines import ProcessEngine
    from pipeline.errors import WorkerError

    engine = ProcessEngine(load_settings(), rules_only=True, workers=2)
    try:
        assert engine.pool.submit(os.getpid).result(timeout=120)  # the workers are up
        for process in list(engine.pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        with pytest.raises(WorkerError, match="a worker process died"):
            engine.extract(None, [], []).result()
        with pytest.raises(WorkerError, match="a worker process died"):  # the pool known broken by now
            engine.extract(None, [], []).result()
    finally:
        engine.close()


def test_closing_waits_for_the_pools_manager_thread():
    """The interpreter's exit hook wakes the pool's manager thread without a lock; if that thread
    is still closing its pipe then, a stopped run prints an "OSError: Bad file descriptor"
    traceback after its last line (seen in CI on a SIGTERM to the run's process group). `close`
    must wait for the thread, which `shutdown` lets go of."""
    import os

    from pipeline.engines import ProcessEngine

    engine = ProcessEngine(load_settings(), rules_only=True, workers=1)
    assert engine.pool.submit(os.getpid).result(timeout=120)  # the manager thread is started
    manager = engine.pool._executor_manager_thread
    waited: list[float | None] = []
    join = manager.join
    manager.join = lambda timeout=None: (waited.append(timeout), join(timeout))[1]
    engine.close()
    assert waited and not manager.is_alive()  # waited for, not merely ended by luck


@pytest.mark.parametrize("chosen, expected", [(None, "system"), ("jemalloc", "jemalloc"), ("mimalloc", "mimalloc")])
def test_arrow_allocates_from_the_system_unless_told_otherwise(chosen, expected):
    """Arrow's own allocator keeps the memory of committed tables (about 30 MB of a 280 MB run);
    the system one gives it back. A pool the user chose stays. Checked in a fresh interpreter:
    Arrow reads the choice once, at its first allocation."""
    import os
    import subprocess
    import sys

    import pyarrow as pa

    if chosen and not hasattr(pa, f"{chosen}_memory_pool"):
        pytest.skip(f"this pyarrow has no {chosen} pool")
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen:
        environment["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    probe = ("import pipeline.tables, pyarrow.parquet as pq, pyarrow as pa, io; "
             "pq.write_table(pa.table({'a': [1]}), io.BytesIO()); print(pa.default_memory_pool().backend_name)")
    shown = subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == expected
