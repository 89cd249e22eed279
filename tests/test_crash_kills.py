"""Real runs killed (SIGKILL) at random moments: before any re-run, pandas and DuckDB reading the
folder see whole committed batches only; after a re-run the tables equal a clean run's."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from pipeline.run import run
from pipeline.settings import load_settings
from pipeline import commits
from pipeline.tables import TABLES, read_signatures

from readers import KEY, duckdb_view, only_committed_articles, pandas_view, rows

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "corpus"
KILLS = 20
KILLS_PER_FOLDER = 3  # then a fresh folder: a nearly finished run would end before its kill
SEED = 8


def _start(inputs: list[Path], out: Path, settings) -> int:
    """A run in a forked process (the model and gazetteer already loaded: kills come quickly)."""
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 0
        try:
            run(inputs, out, settings, rules_only=True)
        except BaseException:
            traceback.print_exc()  # the test says the run failed; this says why
            code = 1
        os._exit(code)
    return pid


def _finish(pid: int, limit: float = 300) -> int:
    """The run's exit (minus the signal that killed it); a run that hangs fails the test, not CI."""
    deadline = time.monotonic() + limit
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"a run did not end within {limit:.0f} s")
        time.sleep(0.01)


def _timings(inputs: list[Path], out: Path, settings) -> tuple[float, float]:
    """Seconds until a run's first commit and until its end (start-up differs between machines)."""
    started = time.monotonic()
    pid = _start(inputs, out, settings)
    first = out / ".provnews" / "snapshots" / "00000001"
    while not first.exists():
        if os.waitpid(pid, os.WNOHANG)[0] or time.monotonic() - started > 300:
            pytest.fail("a run ended or stalled before its first commit")
        time.sleep(0.002)
    first_commit = time.monotonic() - started
    assert _finish(pid) == 0
    return first_commit, time.monotonic() - started


def _committed_part_of(clean: dict[str, list[tuple]], articles: set[str]) -> dict[str, list[tuple]]:
    """The clean run's rows of these articles: what a whole set of committed batches holds."""
    def belongs(row: tuple, table: str) -> bool:
        return dict(row)[KEY.get(table, "article_id")] in articles
    return {t: [r for r in clean[t] if belongs(r, t)] for t in TABLES if t not in KEY}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_kills_at_random_moments(corpus_path, tmp_path):
    inputs = tmp_path / "some.jsonl"
    inputs.write_text("".join(corpus_path.read_text("utf-8").splitlines(keepends=True)[:6]), encoding="utf-8")
    settings = load_settings(nlp={"articles_per_part": 1})
    run([inputs], tmp_path / "clean", settings, rules_only=True)
    clean = {t: rows(tmp_path / "clean", t) for t in TABLES}
    first_commit, duration = _timings([inputs], tmp_path / "timed", settings)

    rng = random.Random(SEED)
    folders: list[Path] = []
    kills = committed_seen = in_folder = 0
    out = None
    attempts = 0
    while kills < KILLS:
        attempts += 1
        assert attempts <= 5 * KILLS, f"only {kills} of {attempts} runs were killed before they ended"
        if out is None or in_folder == KILLS_PER_FOLDER:
            out, in_folder = tmp_path / f"killed{len(folders)}", 0
            folders.append(out)
        pid = _start([inputs], out, settings)
        time.sleep(rng.uniform(0.8 * first_commit, duration))  # mostly while batches commit
        os.kill(pid, signal.SIGKILL)
        code = _finish(pid)
        if code != -signal.SIGKILL:
            assert code == 0, f"a run failed (exit {code}) instead of ending or being killed"
            out = None  # the run ended before the kill: the next kills go to a new folder
            continue
        kills += 1
        in_folder += 1
        view = pandas_view(out)
        assert view == duckdb_view(out), kills
        assert only_committed_articles(view), (kills, view)
        committed = set(view["articles"])
        signed = {i for ids, _ in read_signatures(out, commits.committed(out)) for i in ids}
        assert signed == committed, kills  # the stored duplicate index and the tables never disagree
        committed_seen = max(committed_seen, len(committed))
        whole = _committed_part_of(clean, committed)
        assert {t: rows(out, t) for t in whole} == whole, kills  # whole batches: every row of them
    assert committed_seen >= 2  # some kills came after commits, not all during start-up
    for out in folders:
        assert _finish(_start([inputs], out, settings)) == 0
        assert {t: rows(out, t) for t in TABLES} == clean, out


def _processes_naming(text: str) -> list[int]:
    """Processes whose command line names `text` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes end with their run on Linux")
@pytest.mark.parametrize("kill, group", [(signal.SIGTERM, False), (signal.SIGKILL, False), (signal.SIGTERM, True)],
                         ids=["SIGTERM", "SIGKILL", "SIGTERM-to-the-group"])
def test_a_killed_multiprocess_run_leaves_no_worker_and_no_lock(tmp_path, kill, group):
    """Review: killing the main process of an `--n-process 2` run left its workers waiting
    forever, and holding the folder's lock ("another provnews run is writing these tables")."""
    inputs = [SETS / name / "articles.jsonl" for name in ("fresh", "blind4", "blind6", "blind7", "blind9")]
    config = tmp_path / "small.toml"
    config.write_text("[nlp]\narticles_per_part = 1\n", encoding="utf-8")
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "pipeline", "run", *map(str, inputs), "--out", str(out), "--rules-only",
               "--n-process", "2", "--config", str(config)]
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    first = out / ".provnews" / "snapshots" / "00000001"
    deadline = time.monotonic() + 300
    while not first.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if group:  # a service manager's stop: every process of the run at once
        os.killpg(process.pid, kill)
    else:
        process.send_signal(kill)
    if kill == signal.SIGTERM:  # stopped as Ctrl-C stops it, with its line, while it was committing
        assert process.wait(60) == 128 + kill
        text = log.read_text()
        assert "provnews: stopped (SIGTERM); committed batches are kept" in text and "Traceback" not in text, text
    else:
        assert process.wait(60) == -kill  # killed while it was committing, not after it ended
    deadline = time.monotonic() + 30
    while _processes_naming(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_naming(str(out)) == []
    summary = run(inputs, out, load_settings(), rules_only=True)  # not "another provnews run is writing"
    assert summary.counts["articles"] > 0
