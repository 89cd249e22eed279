"""Linked folders are read (without looping), and the exit status says how the run went:
0 all processed (or known, or duplicates), 1 some inputs failed, 2 usage error."""
from __future__ import annotations

import os

import pytest

from pipeline import cli
from pipeline.sources import expand_inputs
from pipeline.records import ErrorRecord

from conftest import RAW


def _cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def linked_inputs(tmp_path):
    """An input folder whose articles sit behind links: a linked folder, a loop, a broken link."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "archive").symlink_to(RAW, target_is_directory=True)
    (folder / "archive-again").symlink_to(RAW, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    return folder


def test_linked_folders_are_followed_once_and_broken_links_reported(linked_inputs):
    items = list(expand_inputs([linked_inputs]))
    files = [i for i in items if not isinstance(i, ErrorRecord)]
    assert [p.name for p in files] == sorted(p.name for p in RAW.iterdir() if not p.name.startswith("."))
    assert all(p.parent == linked_inputs / "archive" for p in files)
    errors = [(e.source, e.message) for e in items if isinstance(e, ErrorRecord)]
    assert errors == [(str(linked_inputs / "gone.txt"),
                       f"broken symbolic link (to {str(linked_inputs.parent / 'nowhere.txt')!r}, which does not exist)")]


def test_a_run_through_links_reads_the_articles_and_exits_1_for_the_broken_one(linked_inputs, tmp_path, capsys):
    code, out, err = _cli(["run", str(linked_inputs), "--out", str(tmp_path / "out"), "--rules-only"], capsys)
    assert code == 1
    assert "articles: 2 new" in out and "inputs failed: 1 (1 new rows in errors" in out
    assert f"skipped {linked_inputs / 'gone.txt'}: broken symbolic link" in err
    (linked_inputs / "gone.txt").unlink()
    code, out, err = _cli(["run", str(linked_inputs), "--out", str(tmp_path / "out"), "--rules-only"], capsys)
    assert code == 0, err  # everything is in the tables already
    assert "articles: 0 new, 2 already in the tables" in out


def test_exit_0_when_every_input_was_processed_or_a_duplicate(tmp_path, capsys):
    code, out, err = _cli(["run", str(RAW), "--out", str(tmp_path / "out"), "--rules-only"], capsys)
    assert code == 0, err
    assert "articles: 2 new, 0 already in the tables" in out
    assert "duplicates skipped: 4 (4 new rows in duplicates" in out and "inputs failed: 0" in out


def test_tables_inside_the_input_folder_are_not_read_back_as_input(tmp_path, capsys):
    """Review: with `--out in/tables`, every later run read the tables' Parquet files as inputs
    that failed ("unknown extension '.parquet'"), 8 more errors rows a run."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seeds.jsonl").write_bytes((RAW / "01-seeds.jsonl").read_bytes())
    for _ in range(2):
        code, out, err = _cli(["run", str(folder), "--out", str(folder / "tables"), "--rules-only"], capsys)
        assert code == 0, err
        assert "inputs failed: 0 (0 new rows in errors, 0 recorded before)" in out
    assert "articles: 0 new, 2 already in the tables" in out
    code, out, err = _cli(["run", str(folder / "tables"), "--out", str(tmp_path / "other"), "--rules-only"], capsys)
    assert code == 1 and "a folder of provnews tables (an --out), not input" in out + err


def test_a_failure_met_again_under_another_spelling_of_its_path_is_written_once(tmp_path, capsys, monkeypatch):
    """Review: `run in`, `run /abs/in` and `cd in; run .` wrote the same failures three times."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.jsonl").write_text('{"id": "x1", "text": 5}\nnot json\n', encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    for spelling in ("in", str(folder), "./in/../in"):
        code, text, _ = _cli(["run", spelling, "--out", str(out), "--rules-only"], capsys)
        assert code == 1
    assert "inputs failed: 2 (0 new rows in errors, 2 recorded before)" in text
    monkeypatch.chdir(folder)
    code, text, _ = _cli(["run", ".", "--out", str(out), "--rules-only"], capsys)
    assert "inputs failed: 2 (0 new rows in errors, 2 recorded before)" in text
    import pandas as pd
    assert sorted(pd.read_parquet(out / "errors")["source"]) == [f"{folder / 'bad.jsonl'}:1", f"{folder / 'bad.jsonl'}:2"]


def test_exit_1_when_an_input_is_missing_or_every_input_failed(tmp_path, capsys):
    missing = tmp_path / "no-such.jsonl"
    code, out, err = _cli(["run", str(RAW / "01-seeds.jsonl"), str(missing), "--out", str(tmp_path / "a"),
                           "--rules-only"], capsys)
    assert code == 1
    assert f"skipped {missing}: no such file or folder" in err and "articles: 2 new" in out
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00garbage")
    code, out, err = _cli(["run", str(tmp_path / "empty"), str(tmp_path / "bad.txt"), "--out", str(tmp_path / "b"),
                           "--rules-only"], capsys)
    assert code == 1
    assert f"skipped {tmp_path / 'empty'}: the folder holds no input files" in err
    assert "articles: 0 new" in out and "inputs failed: 2" in out


def test_a_known_failure_still_fails_the_rerun(tmp_path, capsys):
    """A re-run with the broken input still there is not a success, though its error row exists."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("")
    for new, before in ((1, 0), (0, 1)):
        code, out, err = _cli(["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--rules-only"], capsys)
        assert code == 1 and f"inputs failed: 1 ({new} new rows in errors, {before} recorded before)" in out
        assert f"skipped {tmp_path / 'in' / 'empty.txt'}: empty file" in err  # said again, though recorded


def test_exit_2_for_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", "--out", str(tmp_path)])  # no input
    assert exited.value.code == 2 and "the following arguments are required: inputs" in capsys.readouterr().err
    (tmp_path / "bad.toml").write_text("[nlp]\nbatch_size = 0\n[link]\nfuzzy_threshold = 101\n")
    code, _, err = _cli(["run", str(RAW), "--out", str(tmp_path / "o"), "--config", str(tmp_path / "bad.toml")],
                        capsys)
    assert code == 2 and err.strip().splitlines() == [
        f"provnews: error: {tmp_path / 'bad.toml'} [nlp] batch_size must be >= 1, got 0; "
        f"{tmp_path / 'bad.toml'} [link] fuzzy_threshold must be a rapidfuzz ratio, 1 to 100, got 101"]
    assert not os.path.exists(tmp_path / "o")


def test_version(capsys):
    from pipeline import __version__

    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out == f"provnews {__version__}\n"
