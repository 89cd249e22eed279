"""Inputs and situations that must end in an error row or one clear line, never a traceback."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from pipeline.errors import ConfigError
from pipeline.run import run
from pipeline.settings import Settings, load_settings

from conftest import RAW, ROOT


@pytest.fixture(scope="module")
def seed_record() -> dict:
    return json.loads((RAW / "01-seeds.jsonl").read_text("utf-8").splitlines()[0])


def test_bad_records_do_not_sink_the_batch(tmp_path, settings, seed_record):
    good = json.dumps(seed_record, ensure_ascii=False)
    lone_surrogate = json.dumps(dict(seed_record, id="s", text=seed_record["text"] + "\ud800"))
    nested = "[" * 100_000
    other = dict(seed_record, text=seed_record["text"].replace("Truong Xuan", "Loc Binh") + " A different ending.")
    collision = json.dumps(dict(other, id=seed_record["id"]), ensure_ascii=False)
    (tmp_path / "in.jsonl").write_text("\n".join([lone_surrogate, nested, good, collision]) + "\n", encoding="utf-8")
    (tmp_path / "fake.jsonl.gz").write_bytes(gzip.compress(b"x" * 1000)[:10] + b"\0" * 30)
    summary = run([tmp_path / "in.jsonl", tmp_path / "fake.jsonl.gz"], tmp_path / "out", settings)
    messages = " | ".join(summary.error_lines)
    assert summary.counts["articles"] == 1
    assert "in.jsonl:1: invalid Unicode" in messages
    assert "in.jsonl:2: unreadable JSON line" in messages
    assert "in.jsonl:4: id collision" in messages
    assert "fake.jsonl.gz: cannot read file" in messages


def test_bad_settings_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="cannot read settings file"):
        load_settings(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[tables]\ncompression = "foo"\n')
    with pytest.raises(ConfigError, match=r"\[tables\] compression must be one of: .* got 'foo'"):
        load_settings(bad)
    bad.write_text('[link]\nfuzzy = 3\ncandidates = "5"\n[clean]\nmax_chars = 10\n[nlp]\nn_process = -1\n[extra]\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(bad)
    assert str(raised.value).split("; ") == [  # every problem at once, each named
        f"{bad} [link]: unknown setting 'fuzzy' (allowed: candidates, fuzzy_threshold, fuzzy_unique_min_chars, "
        "fuzzy_unique_threshold)",
        f"{bad} [link] candidates: expected int, got '5'",
        f"{bad}: unknown section [extra] (allowed: clean, dedupe, engine, fetch, link, nlp, tables)",
        f"{bad} [nlp] n_process must be >= 0 (0 = one per core), got -1",
        f"{bad} [clean] max_chars must be more than min_chars (200), got 10",
    ]
    bad.write_text("nlp = 5\n")  # review: this said "unknown section [nlp] (allowed: ..., nlp, ...)"
    with pytest.raises(ConfigError, match=rf"{bad}: nlp must be a section \(\[nlp\] and its settings below it\), got 5"):
        load_settings(bad)


def test_shipped_defaults_are_the_code_defaults():
    """settings.toml documents the defaults; the dataclasses carry them where no file is read
    (spaCy factory configs). They must not drift apart."""
    assert load_settings() == Settings()


def test_unknown_model_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(RAW), "--out", str(tmp_path),
                             "--model", "no_such_model"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 2
    assert "spaCy model 'no_such_model' cannot be loaded" in result.stderr
    assert "Traceback" not in result.stderr
