"""Fuzzed inputs: whatever a file holds, each input ends in rows (an article, or a duplicates
row) or in exactly one clear `errors` row, never in a traceback.

Hypothesis drives the readers and the cleaner (fast, many cases); a seeded set of hostile
files goes through `provnews run` end to end."""
from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from pipeline.clean import CleanError, clean_record
from pipeline.records import ErrorRecord, RawRecord
from pipeline.settings import load_settings
from pipeline.sources import JSONL_KEYS, read_file
from pipeline.tables import load_tables

from conftest import RAW, ROOT

SUFFIXES = [".txt", ".html", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz"]
CLEAN = load_settings().clean
SEED_TEXT = json.loads((RAW / "01-seeds.jsonl").read_text("utf-8").splitlines()[0])["text"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10)
records = st.dictionaries(st.sampled_from(sorted(JSONL_KEYS)), json_values | st.just(SEED_TEXT), max_size=6)


def _outcomes(path: Path) -> list[RawRecord | ErrorRecord]:
    """Every record of a file, each cleaned: the readers and the cleaner raise nothing else."""
    items = list(read_file(path))
    assert items, path  # nothing at all would be a silent loss
    for item in items:
        assert isinstance(item, (RawRecord, ErrorRecord))
        if isinstance(item, ErrorRecord):
            assert item.message and "\n" not in item.message and "Traceback" not in item.message
            continue
        try:
            clean_record(item, CLEAN)
        except CleanError as exc:
            assert str(exc) and "\n" not in str(exc)
    return items


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_under_any_name(tmp_path, data, suffix):
    _outcomes(_write(tmp_path / f"case{suffix}", data))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(records, min_size=1, max_size=5), packed=st.booleans())
def test_jsonl_records_of_any_shape_give_one_outcome_each(tmp_path, lines, packed):
    body = "\n".join(json.dumps(line) for line in lines).encode() + b"\n"
    path = _write(tmp_path / ("case.jsonl.gz" if packed else "case.jsonl"), gzip.compress(body) if packed else body)
    items = _outcomes(path)
    assert [item.source for item in items] == [f"{path}:{n}" for n in range(1, len(lines) + 1)]


PACKED = gzip.compress("".join(json.dumps({"id": f"a{n}", "text": SEED_TEXT[:300] + str(n)}) + "\n"
                              for n in range(20)).encode())


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kept=st.integers(min_value=1, max_value=len(PACKED) - 1))
def test_a_gzip_cut_short_is_one_error_after_the_lines_before_it(tmp_path, kept):
    items = _outcomes(_write(tmp_path / "cut.jsonl.gz", PACKED[:kept]))
    assert isinstance(items[-1], ErrorRecord) and "cannot read file" in items[-1].message
    assert all(isinstance(item, RawRecord) for item in items[:-1])


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def hostile_files(folder: Path, seed: int = 8) -> list[str]:
    """The seeded set, written into `folder`; returns the inputs it holds (files, `file:line`)."""
    rng = random.Random(seed)
    noise = lambda n: bytes(rng.getrandbits(8) for _ in range(n))  # noqa: E731
    text = SEED_TEXT.strip()
    good = json.dumps({"id": "good", "text": text})
    lines = [text.encode()[:100] + b"\xff", b"[" * 100_000, b'{"a":' * 3000 + b"1" + b"}" * 3000,
             json.dumps({"id": "huge", "text": "word " * 300_000}).encode(), b'{"id": 1' + b"9" * 5000 + b"}"]
    for record in [{"id": "", "text": ""}, {"text": "   "}, {"html": ""}, {"text": 42}, {"text": ["a"]},
                   {"title": {"a": 1}, "text": text}, {"date": 20250101, "text": text}, {"url": 5, "text": text},
                   {"id": 5, "text": text + " Five."}, {"id": [1, 2], "text": text}, {"id": {"a": 1}, "text": text},
                   {"id": True, "text": text}, {"id": 1.5, "text": text}, {"html": 3},
                   {"id": "nul", "text": text + "\u0000"}, {"id": "sep", "text": text.replace(". ", ".\u2028", 5)},
                   {"id": "marks", "text": "\u0301" * 300 + text}, {"id": "divs", "html": "<p>" + "<div>" * 3000 + text},
                   {"id": "zero-width", "text": "\u200b".join(text[:3000])}, {"id": "bad-url", "url": "http://[::1", "text": text},
                   "a string", 17, None, [1, 2]]:
        lines.append(json.dumps(record).encode())
    files = {
        "random.txt": noise(3000), "random.html": noise(3000), "random.jsonl": noise(3000).replace(b"\n", b" "),
        "random.jsonl.gz": noise(3000), "random.warc": noise(3000), "random.warc.gz": gzip.compress(noise(3000)),
        "cut.jsonl.gz": gzip.compress((good + "\n").encode() * 3)[:-30],
        "not-utf8.txt": text.encode()[:500] + b"\xff\xfe\xfa" + text.encode()[500:],
        "fields.jsonl": b"\n".join(lines) + b"\n",
        "one-huge-line.txt": b"x" * 1_200_000,
        "long-word.txt": (text + " " + "a" * 300_000).encode(),
        "nested.html": ("<div>" * 50_000 + text + "</div>" * 50_000).encode(),
        "script-only.html": b"<html><script>" + text.encode() + b"</script></html>",
        "empty.jsonl": b"",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    inputs = [name for name in files if name not in ("fields.jsonl", "random.jsonl")]
    # a gzip cut short: the whole lines before the cut, then the file's error
    return inputs + [f"fields.jsonl:{n}" for n in range(1, len(lines) + 1)] + [
        "random.jsonl:1", "cut.jsonl.gz:1", "cut.jsonl.gz:2"]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "in").mkdir()
    inputs = hostile_files(folder / "in")
    out = folder / "out"
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder / "in"), "--out", str(out),
                             "--rules-only"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    return folder / "in", inputs, result, load_tables(out)


def test_hostile_files_end_in_rows_or_one_error_each(hostile_run):
    folder, inputs, result, tables = hostile_run
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    outcomes: dict[str, list[str]] = {}
    for table in ("articles", "duplicates", "errors"):
        for source in tables[table]["source"]:
            name = source.removeprefix(f"{folder}/").split("@")[0]  # a WARC record is file@offset
            outcomes.setdefault(name, []).append(table)
    assert sorted(outcomes) == sorted(inputs)
    assert all(len(kinds) == 1 for kinds in outcomes.values()), {s: k for s, k in outcomes.items() if len(k) > 1}
    assert outcomes["cut.jsonl.gz:1"] == ["articles"] and outcomes["cut.jsonl.gz:2"] == ["duplicates"]
    assert outcomes["cut.jsonl.gz"] == ["errors"]
    for message in tables["errors"]["message"]:
        assert "\n" not in message and "Traceback" not in message
    stderr_lines = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(stderr_lines) == len(tables["errors"])  # one line each on stderr too


def test_wrong_types_in_jsonl_fields_are_named(hostile_run):
    folder, _, _, tables = hostile_run
    errors = dict(zip(tables["errors"]["source"], tables["errors"]["message"]))
    line = {n: errors.get(f"{folder / 'fields.jsonl'}:{n}") for n in range(1, 40)}
    assert line[1] == "not UTF-8 (invalid byte at offset 100)"
    assert line[2] == line[3] == "unreadable JSON line (nested too deeply)"
    assert line[5].startswith("unreadable JSON line (Exceeds the limit (4300 digits)")
    assert line[9] == "field 'text' must be a string, got a number"
    assert line[11] == "field 'title' must be a string, got an object"
    assert line[15] == "field 'id' must be a string or an integer, got an array"
    assert line[17] == "field 'id' must be a string or an integer, got true/false"
    assert line[18] == "field 'id' must be a string or an integer, got a number (1.5)"
    copies = tables["duplicates"].set_index("source")
    assert copies.loc[f"{folder / 'fields.jsonl'}:14", "skipped_id"] == "5"  # an integer id is its digits
