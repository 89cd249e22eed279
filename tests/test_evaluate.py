"""`provnews evaluate`: the reference scorer's numbers, per-rule counts, each miss and extra
with its rule and sentence, two runs compared."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.cli import main
from pipeline.errors import ConfigError
from pipeline.evaluate import NO_RULE, compare, evaluate, per_rule, report
from pipeline.run import run
from pipeline.tables import load_tables

from conftest import FRESH, RAW, ROOT

ARTICLE = "seed-lamdong-truong-xuan"
# Gold for one seed article, written so that each outcome occurs: matched items, an item the
# pipeline came near ("deforestation, especially pine forests, still occurs": Dice 0.18),
# and items nothing came near.
HITS = {"uneven quality of staff": "uneven quality of staff",
        "degraded headquarters": "degraded headquarters and working equipment",
        "software errors happen often": "electronic software often has errors"}
NEAR = "illegal deforestation by outsiders and lack of forest rangers"
FAR = "floods cut the road to the village"
GOLD = {
    "id": ARTICLE,
    "communes": [{"mention": "Truong Xuan", "ward_code": "24730", "ward_name": "Trường Xuân"},
                 {"mention": "Loc Binh", "ward_code": "06529", "ward_name": "Lộc Bình"}],
    "officials": [{"name": "Ha Thi Hanh", "titles": ["member of the Provincial Party Standing Committee"]},
                  {"name": "Nguyen Van Tam", "titles": []}],
    "difficulties": [*HITS, NEAR, FAR],
    "recommendations": [],
}


@pytest.fixture(scope="module")
def seed(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("seed-run")
    run([RAW / "01-seeds.jsonl"], out, settings, rules_only=True)
    gold = tmp_path_factory.mktemp("seed-gold")
    (gold / f"{ARTICLE}.json").write_text(json.dumps(GOLD), "utf-8")
    return gold, out


def test_per_rule_counts_each_outcome(seed):
    gold, out = seed
    rows = load_tables(out)["difficulties"]
    rows = rows[rows["article_id"] == ARTICLE]
    expected: Counter = Counter()
    for text, rule in zip(rows["text"], rows["rule_id"]):
        expected[(rule, "tp" if text in HITS.values() else "fp")] += 1
    near_rule = rows.loc[rows["text"].str.startswith("deforestation"), "rule_id"].item()
    expected[(near_rule, "near")] += 1
    expected[(NO_RULE, "near")] += 1

    counts = [r for r in per_rule(evaluate(gold, out).items) if r.table == "difficulties"]
    got = Counter({(r.rule_id, what): n for r in counts
                   for what, n in (("tp", r.tp), ("fp", r.fp), ("near", r.near_misses)) if n})
    assert got == expected
    assert counts[-1].rule_id == NO_RULE  # the misses no rule came near come last


def test_errors_name_the_rule_and_the_sentence(seed):
    gold, out = seed
    lines = report(gold, out, errors=True).splitlines()
    rule = load_tables(out)["difficulties"].query("text.str.startswith('deforestation')")["rule_id"].iloc[0]
    near = lines.index(f"difficulties: {ARTICLE}: missed {NEAR!r} "
                       f"(nearest 'deforestation, especially pine forests, still occurs' [{rule}])")
    assert "pine forests" in lines[near + 1] and lines[near + 1].startswith("    sentence: ")
    far = lines.index(f"difficulties: {ARTICLE}: missed {FAR!r} (no prediction came near)")
    assert lines[far + 1] == "    sentence: (not found in the article text)"
    extra = next(i for i, line in enumerate(lines) if line.startswith(f"difficulties: {ARTICLE}: extra 'small area"))
    assert lines[extra].endswith(f"[{rule}]") and "small area that does not meet working needs" in lines[extra + 1]
    assert f"communes: {ARTICLE}: missed \"06529 Lộc Bình ('Loc Binh')\" (no prediction came near)" in lines
    assert f"officials: {ARTICLE}: missed 'Nguyen Van Tam' (no prediction came near)" in lines


def test_cli_errors_alias_and_json(seed, capsys):
    gold, out = seed
    assert main(["evaluate", str(gold), str(out), "--errors"]) == 0
    with_errors = capsys.readouterr().out
    assert main(["evaluate", str(gold), str(out), "--show-errors"]) == 0
    assert capsys.readouterr().out == with_errors
    assert main(["evaluate", str(gold), str(out), "--json", "--errors"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["difficulties"]["tp"] == len(HITS) and data["difficulties"]["gold"] == len(GOLD["difficulties"])
    assert {e["gold"] for e in data["errors"] if e["outcome"] == "missed" and e["table"] == "difficulties"} == {NEAR, FAR}
    assert sum(r["tp"] for r in data["per_rule"] if r["table"] == "difficulties") == len(HITS)


def test_a_run_against_itself_changes_nothing(seed):
    gold, out = seed
    ours = evaluate(gold, out)
    for change in compare(ours, ours):
        assert change.f1_change == 0
        assert not (change.gained or change.lost or change.new_extras or change.gone_extras)


def test_runs_scored_on_different_gold_are_not_compared(seed, tmp_path):
    gold, out = seed
    other = tmp_path / "gold"
    other.mkdir()
    (other / "x.json").write_text(json.dumps({**GOLD, "id": "seed-langson-survey"}), "utf-8")
    with pytest.raises(ConfigError, match="different gold"):
        compare(evaluate(gold, out), evaluate(other, out))


def test_fresh_set_numbers_are_the_reference_scorers(fresh_rules_only, reference_scorer):
    reference, reference_errors = reference_scorer.score(reference_scorer.load_gold(FRESH / "gold"), fresh_rules_only)
    ours = evaluate(FRESH / "gold", fresh_rules_only)
    assert {table: ours.scores[table] for table in reference} == reference
    assert ours.errors == reference_errors


def test_directions_are_scored_as_the_statements_are_beside_the_reference_tables(fresh_rules_only, reference_scorer):
    """score.py leaves directions out; evaluate scores them the same way, without adding to the
    reference's error lines, so a researcher sees what a change to rules/directions.yaml does."""
    reference, _ = reference_scorer.score(reference_scorer.load_gold(FRESH / "gold"), fresh_rules_only)
    assert "directions" not in reference
    ours = evaluate(FRESH / "gold", fresh_rules_only)
    gold = [json.loads(path.read_text("utf-8")) for path in (FRESH / "gold").glob("*.json")]
    directions = ours.scores["directions"]
    assert directions["gold"] == sum(len(g.get("directions", [])) for g in gold) > 0
    assert 0 < directions["tp"] <= directions["predicted"]
    assert not [line for line in ours.errors if line.startswith("directions")]
    misses = [i for i in ours.items if i.table == "directions" and i.outcome == "missed"]
    assert len(misses) == directions["gold"] - directions["tp"]
    assert all(i.sentence for i in ours.items if i.table == "directions" and i.outcome == "extra")
    assert any(line.startswith("directions") and "not in score.py" for line in ours.lines())


def test_per_rule_counts_add_up_to_the_scores(fresh_rules_only):
    ours = evaluate(FRESH / "gold", fresh_rules_only)
    counts = per_rule(ours.items)
    for table in ("communes", "officials", "difficulties", "recommendations", "directions"):
        rows = [r for r in counts if r.table == table]
        scores = ours.scores[table]
        assert sum(r.tp for r in rows) == scores["tp"]
        assert sum(r.tp + r.fp for r in rows) == scores["predicted"]
        assert sum(r.near_misses for r in rows) == scores["gold"] - scores["tp"]
    ranked = [r for r in counts if r.rule_id != NO_RULE]
    assert [r.wrong for r in ranked] == sorted((r.wrong for r in ranked), reverse=True)


def test_missing_tables_folder_is_one_line(seed, tmp_path, capsys):
    gold, out = seed
    assert main(["evaluate", str(gold), str(out), "--baseline", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"provnews: error: {tmp_path / 'nowhere'}: no such tables folder"]


def test_evaluate_refuses_a_folder_provnews_did_not_write_and_a_gold_file_of_the_wrong_shape(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text('{"id": "a", "communes": []}', encoding="utf-8")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="not a tables folder written by `provnews run`"):
        evaluate(gold, tmp_path / "empty")
    (gold / "b.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError, match="b.json: not a gold annotation file"):
        evaluate(gold, tmp_path / "empty")


def test_evaluate_sets_runs_and_scores_each_set_as_evaluate_does(settings, tmp_path, capsys):
    from pipeline.evaluate.sets import change_lines, gold_sets, lines, score_sets

    names = {s.name for s in gold_sets()}
    assert {"fresh", "holdout", "blind8"} <= names
    chosen = [s for s in gold_sets() if s.name == "blind8"]
    results = score_sets(chosen, settings, tmp_path / "sets")
    assert results["blind8"] == evaluate(chosen[0].gold, tmp_path / "sets" / "blind8").scores
    assert lines(results)[1].startswith("blind8") and f"{results['blind8']['difficulties']['f1']:.3f}" in lines(results)[1]
    # a folder that already holds a set is refused (a run there would skip its articles), by name
    with pytest.raises(ConfigError, match="blind8: already exists"):
        score_sets(chosen, settings, tmp_path / "sets")
    assert main(["evaluate-sets", "--only", "no-such-set"]) == 2
    assert "no gold set named no-such-set" in capsys.readouterr().err
    # against a baseline saved by --json: each F1 before -> now, marked + / - / unchanged
    baseline = json.loads(json.dumps(results))
    baseline["blind8"]["difficulties"]["f1"] -= 0.1
    baseline["blind8"]["officials"]["f1"] += 0.1
    row = change_lines(results, baseline)[1]
    now = results["blind8"]
    assert f"-> {now['difficulties']['f1']:.3f} +" in row and f"-> {now['officials']['f1']:.3f} -" in row
    assert f"-> {now['communes']['f1']:.3f}  " in row
    assert "not in the baseline" in change_lines(results, {})[1]
    # a baseline saved before directions were scored still compares the other tables
    older = {name: {k: v for k, v in scores.items() if k != "directions"} for name, scores in baseline.items()}
    row = change_lines(results, older)[1]
    assert f"-> {now['difficulties']['f1']:.3f} +" in row and row.endswith("(not in the baseline)")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert main(["evaluate-sets", "--only", "blind8", "--baseline", str(bad)]) == 2
    assert "bad.json: not the JSON that `provnews evaluate-sets --json` writes" in capsys.readouterr().err


@pytest.mark.parametrize("content, problem", [
    ('{"id": "a", "communes": "Chau Thanh"}', r"'communes' must be a list"),
    ('{"id": "a", "officials": [{"titles": ["Chairman"]}]}', r"officials\[0\]: an object with 'name' is expected"),
    ('{"id": "a", "communes": [{"mention": "Tan An"}]}', r"communes\[0\]: an object with 'ward_code' is expected"),
    ('{"id": "a", "difficulties": [5, null]}', r"'difficulties' must be a list of phrases, got \[5, None\]"),
])
def test_a_gold_list_of_the_wrong_shape_is_named_not_scored(tmp_path, content, problem):
    """Review: these crashed `evaluate` (TypeError, KeyError) or, for statements that are not
    phrases, were counted as gold items and skewed the scores without a word."""
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"a.json: not a gold annotation file \({problem}"):
        evaluate(gold, tmp_path / "tables")


def test_agreement_of_two_readers_of_the_same_articles(capsys, tmp_path):
    """Blind sets 18 and 19 were annotated twice, by readers who saw neither the rules nor each
    other's files: the figures the README quotes as the ceiling for the rules."""
    from pipeline.evaluate.agreement import agreement

    sets = ROOT / "tests" / "corpus"
    scores = agreement(sets / "blind18" / "gold", sets / "blind18" / "second")
    assert scores["articles"] == {"shared": 21, "first_only": 0, "second_only": 0}
    assert (scores["difficulties"]["tp"], scores["difficulties"]["predicted"], scores["difficulties"]["gold"]) == (38, 51, 46)
    same = agreement(sets / "blind19" / "gold", sets / "blind19" / "gold")
    assert all(same[t]["f1"] == 1.0 for t in ("difficulties", "recommendations", "directions"))
    assert main(["agreement", str(sets / "blind19" / "gold"), str(sets / "blind19" / "second")]) == 0
    assert "difficulties     F1=0.907" in capsys.readouterr().out
    (tmp_path / "x.json").write_text('{"id": "x"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="annotate no article in common"):
        agreement(sets / "blind19" / "gold", tmp_path)
