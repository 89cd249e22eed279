"""Long articles: processed in pieces with offsets into the whole text, or refused early."""
from __future__ import annotations

import json

import pytest

from pipeline.chunks import text_pieces
from pipeline.run import run
from pipeline.settings import load_settings
from pipeline.tables import load_tables

from conftest import RAW

OFFSET_TABLES = ("communes", "officials", "difficulties", "recommendations", "directions")


def test_pieces_cover_the_text_and_cut_at_paragraphs_then_sentences():
    text = "First paragraph. It has two sentences.\n\nSecond one is here. And more words follow on."
    assert text_pieces(text, 1000) == [(0, len(text))]
    pieces = text_pieces(text, 60)
    assert [text[s:e] for s, e in pieces] == ["First paragraph. It has two sentences.\n\n",
                                              "Second one is here. And more words follow on."]
    sentences = text_pieces("One two three. Four five six. Seven eight nine. Ten.", 32)
    assert sentences == [(0, 30), (30, 52)]  # after ". ", not inside a word
    unbroken = "x" * 250
    assert text_pieces(unbroken, 100) == [(0, 100), (100, 200), (200, 250)]


def test_an_article_in_pieces_gives_the_rows_of_its_halves(tmp_path, seeds):
    record = seeds["seed-langson-survey"]
    (tmp_path / "one.jsonl").write_text(json.dumps(record), encoding="utf-8")
    run([tmp_path / "one.jsonl"], tmp_path / "one", load_settings())
    one = load_tables(tmp_path / "one")
    text = one["articles"].iloc[0]["text"]  # clean: the raw record ends with a 'Source:' trailer
    doubled = dict(record, id="doubled", text=text + "\n\n" + record["text"])
    (tmp_path / "two.jsonl").write_text(json.dumps(doubled), encoding="utf-8")
    # Pieces of at most len(text) + 2 characters: the cut falls between the two copies.
    run([tmp_path / "two.jsonl"], tmp_path / "two", load_settings(nlp={"chunk_chars": len(text) + 2}))
    two = load_tables(tmp_path / "two")
    full = two["articles"].iloc[0]["text"]
    assert full == text + "\n\n" + text and two["articles"].iloc[0]["province_name"] == "Lạng Sơn"
    for table in OFFSET_TABLES:
        frame = two[table]
        if table == "communes":
            assert all(full[s:e] == m for s, e, m in zip(frame["start_char"], frame["end_char"], frame["mention"]))
        if table == "officials":
            assert list(frame["n_mentions"]) == [2 * n for n in one[table]["n_mentions"]]
            continue
        starts = sorted(one[table]["start_char"])
        assert sorted(frame["start_char"]) == sorted(starts + [s + len(text) + 2 for s in starts]), table
    assert len(one["communes"]) >= 7 and len(one["recommendations"]) >= 4 and len(one["officials"]) == 1


def test_a_text_too_long_to_be_an_article_is_refused_early(tmp_path):
    paragraph = (RAW / "02-lamdong-truong-xuan.txt").read_text("utf-8")
    (tmp_path / "dump.txt").write_text("\n".join([paragraph] * 400), encoding="utf-8")  # 1.2 million characters
    summary = run([tmp_path / "dump.txt", RAW / "01-seeds.jsonl"], tmp_path / "out", load_settings(),
                  rules_only=True)
    assert summary.failed == 1 and summary.counts["articles"] == 2
    assert summary.error_lines == [f"{tmp_path / 'dump.txt'}: too long to be an article (1,234,399 characters > "
                                   "[clean] max_chars 1,000,000); raise max_chars in a settings file to process "
                                   "it in pieces"]


@pytest.mark.parametrize("chunk_chars", [999])
def test_pieces_must_be_of_a_sensible_size(chunk_chars):
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="chunk_chars must be >= 1000"):
        load_settings(nlp={"chunk_chars": chunk_chars})


def test_a_person_in_two_pieces_is_one_row_with_the_office_of_all_titles():
    from pipeline.chunks import merge_pieces
    from pipeline.offices import OfficeParser
    from pipeline.rules import cached_rules

    offices = OfficeParser(cached_rules(str(load_settings().rules_dir)))
    first = ["Member of the Provincial Party Standing Committee"]
    second = ["Chairman of the People's Committee of Dong Dang commune"]
    person = {"article_id": "a", "name": "Nguyễn Văn A", "name_key": "nguyen van a", "rule_id": "title-before"}

    def rows(titles: list[str], honorific: str | None, start: int) -> dict:
        organization, level = offices(titles)
        return {"articles": [{"article_id": "a", "province_code": None}],
                "officials": [dict(person, titles=titles, honorific=honorific, n_mentions=1, start_char=start,
                                   end_char=start + 12, organization=organization, level=level)]}

    merged = merge_pieces([(0, rows(first, None, 5)), (1000, rows(second, "Mr.", 7))], offices)
    [row] = merged["officials"]
    assert row["titles"] == first + second and row["n_mentions"] == 2 and row["honorific"] == "Mr."
    assert (row["start_char"], row["end_char"]) == (5, 17)  # the first mention, in the whole text
    assert (row["organization"], row["level"]) == offices(first + second)
    assert (row["organization"], row["level"]) != offices(first)  # read again, not the first piece's
