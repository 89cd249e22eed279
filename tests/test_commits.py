"""The output folder: never someone else's files touched, never half a batch visible, one line
for every way writing can fail. Readers are pandas and DuckDB on the folder itself."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import cli, commits
from pipeline.errors import OutputError
from pipeline.run import run
from pipeline.tables import SCHEMAS, TABLES, exclusive, read_columns, write_batch

from conftest import RAW, ROOT
from readers import duckdb_view, only_committed_articles, pandas_view, rows

FOREIGN = pa.table({"user_column": [1, 2, 3]})


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory, settings) -> Path:
    """A real run of data/raw into a folder holding only a hidden file (as data/processed does)."""
    out = tmp_path_factory.mktemp("seeds")
    (out / ".gitkeep").write_text("")
    summary = run([RAW], out, settings)
    assert summary.counts["articles"] == 2
    return out


def _copy(out: Path, to: Path) -> Path:
    shutil.copytree(out, to, symlinks=True)
    return to


def _cli(argv: list[str], capsys) -> tuple[int, list[str]]:
    code = cli.main(argv)
    return code, capsys.readouterr().err.strip().splitlines()


def test_hidden_files_are_left_alone(seeds_out):
    assert (seeds_out / ".gitkeep").exists()
    assert commits.is_own(seeds_out)
    assert pandas_view(seeds_out) == duckdb_view(seeds_out)
    assert sorted(set(pandas_view(seeds_out)["articles"])) == ["seed-lamdong-truong-xuan", "seed-langson-survey"]


def test_a_folder_of_someone_elses_files_is_refused_and_kept(tmp_path, capsys):
    out = tmp_path / "theirs"
    (out / "communes").mkdir(parents=True)
    pq.write_table(FOREIGN, out / "communes" / "part-0001.parquet")
    before = (out / "communes" / "part-0001.parquet").read_bytes()
    code, err = _cli(["run", str(RAW), "--out", str(out)], capsys)
    assert code == 2
    assert len(err) == 1 and "not a provnews tables folder and not empty (holds 'communes')" in err[0]
    assert (out / "communes" / "part-0001.parquet").read_bytes() == before
    assert sorted(os.listdir(out)) == ["communes"]  # not even a lock file was written


def test_a_foreign_part_among_the_tables_is_one_line_and_kept(seeds_out, tmp_path, capsys):
    out = _copy(seeds_out, tmp_path / "out")
    pq.write_table(FOREIGN, out / "articles" / "part-from-elsewhere.parquet")
    code, err = _cli(["run", str(RAW), "--out", str(out), "--rules-only"], capsys)
    assert code == 2, err
    assert len(err) == 1
    assert "articles/part-from-elsewhere.parquet: a file provnews did not write is among the committed parts" in err[0]
    assert (out / "articles" / "part-from-elsewhere.parquet").exists()


def test_a_part_changed_or_removed_by_hand_is_one_line(seeds_out, tmp_path, capsys):
    out = _copy(seeds_out, tmp_path / "changed")
    part = next((out / "articles").glob("part-*.parquet"))
    pq.write_table(FOREIGN, part)  # same name, other content
    code, err = _cli(["run", str(RAW), "--out", str(out), "--rules-only"], capsys)
    assert code == 2 and len(err) == 1 and "changed since provnews wrote it" in err[0]
    part.unlink()
    code, err = _cli(["run", str(RAW), "--out", str(out), "--rules-only"], capsys)
    assert code == 2 and len(err) == 1 and "a committed part is missing" in err[0]


def test_a_folder_copied_with_its_links_followed_is_one_line_and_kept(seeds_out, tmp_path, capsys):
    """`cp -rL` or shutil.copytree's default turns the commit link into a folder: refused before
    anything is written, and the same folder copied with its links works."""
    out = tmp_path / "followed"
    shutil.copytree(seeds_out, out)  # symlinks followed
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    code, err = _cli(["run", str(RAW), "--out", str(out), "--rules-only"], capsys)
    assert code == 2 and len(err) == 1, err
    assert "current is a folder, not the link provnews commits with" in err[0] and "cp -a" in err[0]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    code, err = _cli(["run", str(RAW), "--out", str(_copy(seeds_out, tmp_path / "kept")), "--rules-only"], capsys)
    assert code == 0, err


def _batches(seeds_out: Path) -> tuple[dict, dict]:
    """The seed run's rows split into two batches: the Lạng Sơn article (and errors), then Lâm Đồng
    (with the copies of it)."""
    first, second = {}, {}
    for table in TABLES:
        table_rows = read_columns(seeds_out, table, SCHEMAS[table].names).to_pylist()
        owner = lambda r: r.get("article_id", r.get("kept_article_id"))  # noqa: E731
        second[table] = [r for r in table_rows if owner(r) == "seed-lamdong-truong-xuan"]
        first[table] = [r for r in table_rows if owner(r) != "seed-lamdong-truong-xuan"]
    return first, second


class Killed(BaseException):
    """Stands for SIGKILL: no `except`/cleanup of ours runs, the files stay as they are."""


FS_CALLS = ("mkdir", "link", "symlink", "replace", "fsync", "unlink", "rmdir")


def _commit_killed_at(out: Path, batch: dict, step: int | None, monkeypatch) -> int:
    """Commit `batch`, killed just before its `step`-th file-system call; return the calls made."""
    calls = 0
    for name in FS_CALLS:
        real = getattr(os, name)

        def counted(*args, _real=real, **kwargs):
            nonlocal calls
            if calls == step:
                raise Killed
            calls += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(os, name, counted)
    try:
        write_batch(out, batch)
    except Killed:
        pass
    finally:
        monkeypatch.undo()
    return calls


def test_a_kill_at_any_step_of_a_commit_shows_all_or_nothing(seeds_out, tmp_path, monkeypatch):
    first, second = _batches(seeds_out)
    base = tmp_path / "base"
    with exclusive(base):
        write_batch(base, first)
    before = pandas_view(base)
    counted = _copy(base, tmp_path / "count")
    with exclusive(counted):
        steps = _commit_killed_at(counted, second, None, monkeypatch)
    after = pandas_view(counted)
    assert before != after and steps > 20
    for step in range(steps):
        out = _copy(base, tmp_path / f"kill{step}")
        with exclusive(out):
            _commit_killed_at(out, second, step, monkeypatch)
        seen = pandas_view(out)
        assert seen == duckdb_view(out), step
        assert seen in (before, after), step  # the whole batch or none of it
        assert only_committed_articles(seen), step
        with exclusive(out):  # the next start clears what the kill left
            if seen == before:
                write_batch(out, second)
        assert pandas_view(out) == after, step
        snapshots = sorted(p.name for p in (out / ".provnews" / "snapshots").iterdir())
        assert len(snapshots) <= 2 and not (out / ".provnews" / "current.new").exists(), (step, snapshots)


def test_disk_full_mid_commit_is_one_line_and_keeps_earlier_batches(seeds_out, tmp_path, monkeypatch, capsys):
    out = _copy(seeds_out, tmp_path / "full")
    before = {t: rows(out, t) for t in TABLES}
    real_write = pq.write_table
    written = []

    def disk_full_on_third_table(table, where, **kwargs):
        written.append(where)
        if len(written) == 3:
            where.write(b"PAR1 half a file")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", disk_full_on_third_table)
    record = json.loads((RAW / "01-seeds.jsonl").read_text("utf-8").splitlines()[0])
    record.update(id="updated", text="\n".join(f"{line} Updated." for line in record["text"].split("\n")))
    (tmp_path / "new.jsonl").write_text(json.dumps(record), encoding="utf-8")
    code, err = _cli(["run", str(tmp_path / "new.jsonl"), "--out", str(out), "--rules-only"], capsys)
    assert code == 3
    assert [line for line in err if line.startswith("provnews: error")] == [
        f"provnews: error: {out}: writing a batch failed (No space left on device); the tables keep the 1 "
        "batches committed before it: fix the cause and run again to continue"]
    assert "Traceback" not in "\n".join(err)
    assert {t: rows(out, t) for t in TABLES} == before
    assert pandas_view(out) == duckdb_view(out)
    assert not (out / ".provnews" / "snapshots" / "00000002").exists()  # the staged batch went


def _can_mount() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of `size` mounted at `folder` (skips where tests may not mount)."""
    folder.mkdir()
    if not _can_mount() or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                          capture_output=True).returncode != 0:
        pytest.skip("this machine does not let tests mount a tmpfs (needs root on Linux)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_disk_full_on_a_real_small_disk(seeds_out, corpus_path, tmp_path):
    some = tmp_path / "some.jsonl"
    some.write_text("".join(corpus_path.read_text("utf-8").splitlines(keepends=True)[:4]), encoding="utf-8")
    with small_disk(tmp_path / "disk", "3m") as disk:
        out = _copy(seeds_out, disk / "out")
        before = {t: rows(out, t) for t in TABLES}
        (disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(disk).free - 40_000))
        cmd = [sys.executable, "-m", "pipeline", "run", str(some), "--out", str(out), "--rules-only"]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        assert "writing a batch failed (No space left on device); the tables keep the 1 batches" in result.stderr
        assert {t: rows(out, t) for t in TABLES} == before
        assert only_committed_articles(duckdb_view(out))
        (disk / "filler").unlink()
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert result.returncode == 0, result.stderr
        assert len(pandas_view(out)["articles"]) == 2 + 4  # the seeds, then the four new ones


def test_read_only_out_is_one_line(seeds_out, tmp_path):
    """Root ignores file modes, so as root the folder is a read-only mount; otherwise mode 555."""
    with ExitStack() as stack:
        if os.geteuid() == 0:
            parent = stack.enter_context(small_disk(tmp_path / "ro", "5m"))
        else:
            parent = tmp_path / "ro"
            parent.mkdir()
        fresh = parent / "fresh"
        fresh.mkdir()
        own = _copy(seeds_out, parent / "own")
        if os.geteuid() == 0:
            subprocess.run(["mount", "-o", "remount,ro", str(parent)], check=True)
        else:
            for folder, _, _ in os.walk(parent):
                os.chmod(folder, 0o555)
            stack.callback(lambda: [os.chmod(f, 0o755) for f, _, _ in os.walk(parent)])
        for out in (fresh, own):
            result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(RAW), "--out", str(out),
                                     "--rules-only"], capture_output=True, text=True, cwd=ROOT, timeout=300)
            assert result.returncode == 2, result.stderr
            assert result.stderr.startswith(f"provnews: error: {out}: cannot write the tables here (")
            assert len(result.stderr.strip().splitlines()) == 1
        assert pandas_view(own) == pandas_view(seeds_out)


def test_one_writer_per_output_folder(tmp_path, settings):
    with exclusive(tmp_path):
        with pytest.raises(OutputError, match="another provnews run is writing these tables"):
            run([RAW / "01-seeds.jsonl"], tmp_path, settings)


def test_each_part_records_the_rules_and_model_that_made_it(tmp_path, settings):
    """Review: a re-run into the same folder with other rules (or the full model after a
    rules-only run) mixed their rows without a trace; now each part says, and the run notes it."""
    from pipeline.rules import rules_fingerprint

    out = tmp_path / "out"
    notes: list[str] = []
    run([RAW / "01-seeds.jsonl"], out, settings, rules_only=True, report=notes.append)
    assert not [n for n in notes if n.startswith("note:")]
    edited = tmp_path / "rules"
    shutil.copytree(settings.rules_dir, edited)
    path = edited / "difficulties.yaml"
    path.write_text(path.read_text("utf-8").replace("generic_words: [", "generic_words: [tiny, ", 1), "utf-8")
    from pipeline.settings import load_settings
    run([RAW / "02-lamdong-truong-xuan.txt"], out, load_settings(rules_dir=edited), rules_only=True,
        report=notes.append)
    first, second = rules_fingerprint(settings.rules_dir), rules_fingerprint(edited)
    assert first != second
    assert [n for n in notes if n.startswith("note:")] == [
        f"note: {out} holds rows made with rules {first} and model rules-only; this run adds rows made with rules "
        f"{second} and model rules-only (each part file records its own; give a new --out to keep them apart)"]
    parts = sorted((out / "articles").glob("part-*.parquet"))
    made = [{k: v for k, v in pq.read_schema(p).metadata.items() if k in (b"provnews_rules", b"provnews_model")}
            for p in parts]
    assert made == [{b"provnews_rules": first.encode(), b"provnews_model": b"rules-only"},
                    {b"provnews_rules": second.encode(), b"provnews_model": b"rules-only"}]


def test_parts_written_before_a_column_existed_read_with_it_empty(seeds_out, tmp_path, monkeypatch, settings):
    """Tables kept across an upgrade that added a column: its older parts read with the column
    empty (null), the newer with its values, and a run goes on adding to them."""
    first, second = _batches(seeds_out)
    older = pa.schema([field for field in SCHEMAS["communes"] if field.name not in ("latitude", "longitude")])
    out = tmp_path / "upgraded"
    with exclusive(out):
        monkeypatch.setitem(SCHEMAS, "communes", older)
        write_batch(out, first)
        monkeypatch.undo()
        write_batch(out, second)
    read = read_columns(out, "communes", ["article_id", "latitude"]).to_pylist()
    assert len(read) == len(first["communes"]) + len(second["communes"])
    assert all(row["latitude"] is None for row in read[:len(first["communes"])])
    assert any(row["latitude"] is not None for row in read[len(first["communes"]):])
    summary = run([RAW], out, settings)
    assert summary.counts["articles"] == 0  # both seeds are there already: read, not written again
