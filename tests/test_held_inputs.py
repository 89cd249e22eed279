"""An input exactly as an earlier run read it, when that run made an article of it, is not
cleaned again: a re-run over a growing raw store costs a hash per page it has seen. Every engine
skips it (its workers are given the hashes once); a changed input is cleaned as before."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.clean import raw_hash
from pipeline.records import RawRecord
from pipeline.run import run
from pipeline.settings import load_settings
from pipeline.tables import load_tables

from conftest import RAW

# Settings under which cleaning refuses every article: an input cleaned again shows as an error.
REFUSING = {"clean": {"min_chars": 500_000}}


def _pages(tmp_path: Path) -> Path:
    """Two distinct articles, one a web page (trafilatura's work) and one plain text."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("02-lamdong-truong-xuan.txt", "05-langson-survey.html"):
        shutil.copy(RAW / name, folder / name)
    return folder


@pytest.mark.parametrize("engine,n_process", [("local", 1), ("local", 2), ("dask", 2)])
def test_inputs_the_tables_hold_are_not_cleaned_again(tmp_path, engine, n_process):
    if engine == "dask":
        pytest.importorskip("distributed")
    pages, out = _pages(tmp_path), tmp_path / "out"
    first = run([pages], out, load_settings(nlp={"n_process": n_process}), rules_only=True, engine=engine)
    assert first.counts["articles"] == 2 and first.failed == 0
    again = run([pages], out, load_settings(nlp={"n_process": n_process}, **REFUSING), rules_only=True,
                engine=engine)
    # cleaned again, both would now be "too short" errors: they are counted as held instead
    assert again.skipped_known == 2 and again.failed == 0 and not any(again.counts.values())
    assert load_tables(out)["errors"].empty


def test_a_changed_input_is_cleaned_again(tmp_path):
    """Same id, another text: cleaned, and refused as an id collision, as before."""
    text = (RAW / "02-lamdong-truong-xuan.txt").read_text("utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a1", "text": text}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run([source], out, load_settings(), rules_only=True).counts["articles"] == 1
    source.write_text(json.dumps({"id": "a1", "text": text + "\nA line added later."}) + "\n", encoding="utf-8")
    again = run([source], out, load_settings(), rules_only=True)
    assert again.skipped_known == 0 and again.failed == 1
    assert "id collision" in again.error_lines[0]


def test_the_raw_hash_follows_what_decides_the_article():
    page = RawRecord(source="a.html", url="https://example.org/a", html="<p>Text</p>", title="A")
    moved = RawRecord(source="b/a.html", url="https://example.org/a", html="<p>Text</p>", title="B",
                      fetched_at="2026-12-02T10:00:00Z")
    assert raw_hash(page) == raw_hash(moved)  # where and when it was read, and its title, do not count
    assert raw_hash(page) != raw_hash(RawRecord(source="a.html", url="https://example.org/b", html="<p>Text</p>"))
    assert raw_hash(page) != raw_hash(RawRecord(source="a.html", url="https://example.org/a", text="<p>Text</p>"))
    assert raw_hash(page) != raw_hash(RawRecord(source="a.html", id="x", url="https://example.org/a", html="<p>Text</p>"))
    # two records with other ids cannot agree by moving a separator from one field to the next
    assert raw_hash(RawRecord(source="x", id="a", url="b\x1fc", text="T")) != \
        raw_hash(RawRecord(source="x", id="a\x1fb", url="c", text="T"))


def test_a_dask_worker_that_restarts_is_given_the_held_inputs(tmp_path):
    """A worker lost mid-run (Dask reruns its tasks on a new one) still skips the inputs held."""
    pytest.importorskip("distributed")
    from pipeline.dedupe.hashed import SortedHashes
    from pipeline.engines import DaskEngine
    from pipeline.partitions import plan_partitions
    from pipeline.records import HeldRecord
    from pipeline.sources import iter_records

    pages = _pages(tmp_path)
    settings = load_settings()
    held = SortedHashes([raw_hash(record) for record in iter_records([pages]) if str(record.source).endswith(".html")])
    engine = DaskEngine(settings, rules_only=True, address=None, workers=1)
    try:
        engine.hold(held)
        engine.client.restart()  # every worker replaced
        cleaned = [item for _, part in engine.clean(plan_partitions([pages], settings.engine.partition_bytes))
                   for item in part]
    finally:
        engine.close()
    assert sorted(type(item).__name__ for item in cleaned) == ["Article", "HeldRecord"]
    assert [item.source for item in cleaned if isinstance(item, HeldRecord)][0].endswith("05-langson-survey.html")
