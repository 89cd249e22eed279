"""The two seed articles, end to end through `provnews run`, read back with pandas."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.run import run
from pipeline.tables import SCHEMAS, load_tables

from conftest import RAW, ROOT

LANGSON_CODES = {"06529", "06541", "06526", "06601", "06577", "06607", "06565"}


@pytest.fixture(scope="module")
def tables(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("processed")
    summary = run([RAW], out, settings)
    return out, summary, load_tables(out)


def _rows(tables, name, article_id):
    df = tables[2][name]
    return df[df["article_id"] == article_id]


def test_every_input_format_comes_through_once(tables):
    out, summary, t = tables
    assert sorted(t["articles"]["article_id"]) == ["seed-lamdong-truong-xuan", "seed-langson-survey"]
    assert summary.duplicates == 4  # the .txt and .html copies are recognised as the same articles
    assert t["errors"].empty and summary.failed == 0  # skipped copies are not errors
    copies = t["duplicates"].set_index("source")
    assert sorted(copies.index) == sorted(str(RAW / name) for name in (
        "02-lamdong-truong-xuan.txt", "03-langson-survey.txt", "04-lamdong-truong-xuan.html", "05-langson-survey.html"))
    assert copies.loc[str(RAW / "03-langson-survey.txt"), "kept_article_id"] == "seed-langson-survey"
    assert copies.loc[str(RAW / "03-langson-survey.txt"), "reason"] == "same text"
    page = copies.loc[str(RAW / "05-langson-survey.html")]  # trafilatura's text of the page adds a line
    assert page["kept_article_id"] == "seed-langson-survey" and page["reason"] == "near copy"
    assert 0.9 < page["similarity"] < 1 and page["skipped_id"].startswith("t")


def test_langson_communes_and_official(tables):
    communes = _rows(tables, "communes", "seed-langson-survey")
    assert set(communes["ward_code"]) == LANGSON_CODES
    assert set(communes["province_name"]) == {"Lạng Sơn"}
    assert "Lộc Bình" in set(communes["ward_name"])
    officials = _rows(tables, "officials", "seed-langson-survey")
    assert list(officials["name_key"]) == ["doan thu ha"]
    assert list(officials.iloc[0]["titles"]) == [
        "Member of the Provincial Party Committee Standing Committee",
        "Head of the Provincial Party Committee's Internal Affairs Committee",
    ]
    recommendations = _rows(tables, "recommendations", "seed-langson-survey")
    texts = " | ".join(recommendations["text"])
    assert "supplementing funding for purchasing equipment" in texts
    assert "organizing specialized training courses for officials in charge of new fields" in texts
    assert len(recommendations) >= 4


def test_lamdong_commune_official_and_statements(tables):
    communes = _rows(tables, "communes", "seed-lamdong-truong-xuan")
    assert set(communes["ward_code"]) == {"24730"}
    assert set(communes["division_type"]) == {"xã"}
    officials = _rows(tables, "officials", "seed-lamdong-truong-xuan")
    assert list(officials["name_key"]) == ["ha thi hanh"]
    assert list(officials.iloc[0]["titles"]) == [
        "member of the Provincial Party Standing Committee",
        "Vice Chairman of the Provincial Vietnam Fatherland Front Committee",
    ]
    difficulties = list(_rows(tables, "difficulties", "seed-lamdong-truong-xuan")["text"])
    assert difficulties == [
        "uneven quality of staff",
        "degraded headquarters and working equipment",
        "small area that does not meet working needs",
        "some administrative procedures do not have processes on online public services",
        "electronic software often has errors",
        "deforestation, especially pine forests, still occurs",
    ]
    recommendations = _rows(tables, "recommendations", "seed-lamdong-truong-xuan")
    assert len(recommendations) == 3
    assert recommendations.iloc[1]["text"].startswith("decentralize and delegate authority")
    assert set(recommendations["proposer"]) == {"Trường Xuân"}


def test_directions_name_their_commune_and_sentence(tables):
    directions = _rows(tables, "directions", "seed-lamdong-truong-xuan")
    assert len(directions) >= 3 and set(directions["ward_code"]) == {"24730"}
    assert all(row.text in row.sentence for row in directions.itertuples())


def test_offsets_point_into_the_clean_text(tables):
    t = tables[2]
    texts = dict(zip(t["articles"]["article_id"], t["articles"]["text"]))
    for name in ("communes", "difficulties", "recommendations", "directions"):
        column = "mention" if name == "communes" else "text"
        for row in t[name].itertuples():
            assert texts[row.article_id][row.start_char:row.end_char] == getattr(row, column)


def test_trailers_removed_and_source_url_kept(tables):
    articles = tables[2]["articles"].set_index("article_id")
    row = articles.loc["seed-langson-survey"]
    assert row["source_url"] == "https://baolangson.vn/khao-sat-kiem-tra-tinh-hinh-hoat-dong-chinh-quyen-cap-xa-5054962.html"
    assert "Comment (0)" not in row["text"] and "Source:" not in row["text"]
    assert row["province_code"] == "20"


def test_schema_and_layout(tables):
    out = tables[0]
    for name, schema in SCHEMAS.items():
        df = pd.read_parquet(out / name)
        assert list(df.columns) == schema.names
        import pyarrow.parquet as pq

        part = next((out / name).glob("part-*.parquet"))
        assert pq.read_schema(part).metadata[b"provnews_version"]


def test_rerun_changes_nothing(tables, settings):
    out = tables[0]
    before = {p.name for p in out.rglob("*.parquet")}
    summary = run([RAW], out, settings)
    assert summary.counts["articles"] == 0 and summary.counts["errors"] == summary.counts["duplicates"] == 0
    assert summary.duplicates == 4 and summary.skipped_known == 2  # what this run saw, though nothing is new
    assert {p.name for p in out.rglob("*.parquet")} == before


def test_rules_only_mode_finds_the_same_communes(tmp_path, settings, tables):
    summary = run([RAW / "01-seeds.jsonl"], tmp_path, settings, rules_only=True)
    assert summary.counts["articles"] == 2
    fast = load_tables(tmp_path)["communes"]
    full = tables[2]["communes"]
    assert set(fast["ward_code"]) == set(full["ward_code"])


def test_the_readme_shows_what_make_run_prints(tables):
    """The README's `make run` output is this run's summary, so it cannot drift as rules change."""
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme[readme.index("`make run` prints"):].split("```")[1].strip().splitlines()
    assert block[1:] == tables[1].lines()[1:]  # the first line names the output folder


def test_parts_written_before_a_column_came_read_it_as_empty(tmp_path, settings):
    """Columns are only ever added: a part written without one (an older provnews) reads as
    empty there, the parts written after keep theirs (README: Reading the tables)."""
    import pyarrow.parquet as pq

    from pipeline.tables import committed_parts

    out = tmp_path / "out"
    run([RAW / "02-lamdong-truong-xuan.txt"], out, settings, rules_only=True)
    run([RAW / "03-langson-survey.txt"], out, settings, rules_only=True)
    older = committed_parts(out, "directions")[0]  # as an older provnews wrote it
    old_rows = pq.read_table(older)
    old_ids = set(old_rows.column("article_id").to_pylist())
    pq.write_table(old_rows.drop_columns(["ward_code", "sentence"]), older)
    directions = load_tables(out)["directions"]
    first = directions["article_id"].isin(old_ids)
    assert first.sum() == old_rows.num_rows and (~first).any()
    assert directions.loc[first, ["ward_code", "sentence"]].isna().all().all()
    assert directions.loc[~first, "sentence"].notna().all()
