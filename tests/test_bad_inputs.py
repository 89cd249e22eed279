"""Bad inputs: one clear line naming the file, a row in errors, the other articles still come."""
from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.tables import load_tables

from conftest import RAW, ROOT


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (folder / "binary.jsonl").write_bytes(b"\x00\x01\n\x02PK\n\x03\x04\n" * 50)  # one error, not 150 (review)
    good = (RAW / "01-seeds.jsonl").read_text("utf-8").splitlines()[0]
    (folder / "records.jsonl").write_text(good + "\n{not json\n", encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"whatever")
    (folder / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    return folder


def _copy_of_rules(tmp_path):
    """The shipped rules folder copied to tmp_path/rules, for a test to spoil one file of it."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for f in (ROOT / "rules").glob("*.yaml"):
        (rules / f.name).write_text(f.read_text("utf-8"), encoding="utf-8")
    return rules


def test_cli_reports_each_bad_input_and_keeps_going(bad_folder, tmp_path):
    out = tmp_path / "tables"
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(bad_folder), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 1, result.stderr  # some inputs failed; the good one is in
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    expect = {
        "empty.txt": "empty file",
        "binary.txt": "binary file",
        "binary.jsonl:1": "binary data, not JSON lines",
        "records.jsonl:2": "broken JSON line",
        "notes.docx": "unknown extension",
        "nav.html": "no article text",
    }
    for name, reason in expect.items():
        assert any(name in line and reason in line for line in lines), (name, lines)
    tables = load_tables(out)
    assert list(tables["articles"]["article_id"]) == ["seed-lamdong-truong-xuan"]
    assert len(tables["errors"]) == len(expect)


def test_missing_input_and_bad_rules_are_one_line(tmp_path):
    rules = _copy_of_rules(tmp_path)
    text = (rules / "officials.yaml").read_text("utf-8").replace("  - id: prime-minister\n    label: TITLE",
                                                                  "  - id: prime-minister\n    lable: TITLE")
    (rules / "officials.yaml").write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(RAW), "--out", str(tmp_path / "o"),
                             "--rules", str(rules)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 2
    # the file of the rules folder in use, not the shipped rules/officials.yaml
    assert f"[{rules / 'officials.yaml'}: rule 'prime-minister'] unknown key 'lable'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o" / "articles").exists()


def test_rules_check_names_the_files_of_the_folder_it_checks(tmp_path):
    (tmp_path / "my-rules").mkdir()
    for f in (ROOT / "rules").glob("*.yaml"):
        (tmp_path / "my-rules" / f.name).write_text(f.read_text("utf-8"), encoding="utf-8")
    (tmp_path / "my-rules" / "sources.yaml").unlink()
    result = subprocess.run([sys.executable, "-m", "pipeline", "rules", "check", "--rules", "my-rules"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 1 and "[my-rules/sources.yaml] file missing" in result.stdout


def test_a_lexicon_value_that_is_not_text_is_named(tmp_path):
    """YAML reads `no`, `on` and `2` as a boolean or a number: in a mapping's values as in its keys."""
    from pipeline.errors import RuleError
    from pipeline.rules import load_rules

    rules = _copy_of_rules(tmp_path)
    path = rules / "officials.yaml"
    path.write_text(path.read_text("utf-8").replace("members: member,", "members: no,"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"officials.yaml\] lexicon 'group_heads': entries must be strings, got \[False\]"):
        load_rules(rules)


def test_a_rule_option_that_is_not_a_list_of_words_is_named(tmp_path):
    """`not_followed_by: areas` (no list), `not_preceded_by: [no]` (YAML reads a boolean) and an
    entry of two words (compared with one token) are refused with the file and the rule."""
    from pipeline.errors import RuleError
    from pipeline.rules import load_rules

    rules = _copy_of_rules(tmp_path)
    path = rules / "difficulties.yaml"
    original = path.read_text("utf-8")
    path.write_text(original.replace("    not_followed_by: [areas,", "    not_followed_by: areas\n    unused: [areas,", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match=r"difficulties.yaml.*damage-words.*not_followed_by must be a list, got 'areas'"):
        load_rules(rules)
    path.write_text(original.replace("not_preceded_by: [so, as, by, thus]", "not_preceded_by: [so, no]", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match=r"difficulties.yaml.*far-away.*not_preceded_by: entries must be words, got \[False\]"):
        load_rules(rules)
    path.write_text(original.replace("not_preceded_by: [so, as, by, thus]", "not_preceded_by: [so far, as]", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match=r"far-away.*not_preceded_by: each entry is compared with one token, got \['so far'\]"):
        load_rules(rules)


@pytest.mark.parametrize("pattern, reason", [
    ('[{TEXT: {REGEX: "([unclosed"}}]', r"a REGEX that does not compile: unterminated character set"),
    ('[{LOWER: prime, OP: "{2,1}"}]', r"refused by spaCy's Matcher: \[E011\] Unknown operator: '\{2,1\}'"),
    ("[{_: {foo: 1}}]", r"token 0: no token attribute _.foo is registered"),
])
def test_a_pattern_the_matcher_would_refuse_is_named_at_load(tmp_path, pattern, reason):
    """Review: these passed spaCy's schema, then crashed `rules check` with a traceback, or (an
    unregistered `_` attribute) turned every article of a run into an errors row."""
    from pipeline.errors import RuleError
    from pipeline.rules import load_rules

    rules = _copy_of_rules(tmp_path)
    path = rules / "officials.yaml"
    path.write_text(path.read_text("utf-8").replace("    pattern: prime minister\n", f"    pattern: {pattern}\n", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match=rf"officials.yaml: rule 'prime-minister'\] invalid token pattern: {reason}"):
        load_rules(rules)


def test_a_rules_file_provnews_does_not_read_is_named(tmp_path):
    """Review: a researcher's own `rules/mine.yaml` was skipped without a word."""
    from pipeline.errors import RuleError
    from pipeline.rules import load_rules

    rules = _copy_of_rules(tmp_path)
    (rules / "mine.yaml").write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"mine.yaml\] not a rules file provnews reads; put its rules into the file of "
                                        r"their kind \(communes.yaml, "):
        load_rules(rules)


def test_a_rule_category_that_categories_yaml_lacks_is_named(tmp_path):
    from pipeline.errors import RuleError
    from pipeline.rules import load_rules

    rules = _copy_of_rules(tmp_path)
    path = rules / "difficulties.yaml"
    text = path.read_text("utf-8")
    at = text.index("  - id: damage-words\n")
    assert "    category: environment_disasters\n" in text[at:]
    broken = text[:at] + text[at:].replace("    category: environment_disasters\n", "    category: disasters\n", 1)
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(RuleError, match=r"difficulties.yaml: rule 'damage-words'\] category 'disasters' is not one of "
                                        r"categories.yaml: environment_disasters, "):
        load_rules(rules)


MODEL_RULES = """
  - id: imperative-strengthen
    label: DIRECTION
    mode: from_match
    split: verbs
    pattern:
      - {IS_SENT_START: true, TAG: VB, LOWER: strengthen}
    examples:
      match: ["Strengthen coordination between departments and branches."]
      no_match: ["Coordination between departments and branches was strengthened."]

  - id: lemma-reinforce
    label: DIRECTION
    mode: from_match
    split: verbs
    pattern:
      - {IS_SENT_START: true, LEMMA: reinforce, POS: VERB}
    examples:
      match: ["Reinforce the dikes before the storm."]
"""


def test_a_rule_that_reads_the_models_tags_or_lemmas_works_with_the_model_and_is_left_out_without(tmp_path, settings):
    """A researcher may write TAG, POS or LEMMA patterns, as spaCy's Matcher takes them. spaCy
    refuses them on a Doc without that annotation: `rules check` runs their examples with the
    model, a full run keeps the model parts they need, and a --rules-only run leaves them out
    and says so, instead of a traceback."""
    from dataclasses import replace

    from pipeline.rules_check import check_rules
    from pipeline.run import run

    rules = _copy_of_rules(tmp_path)
    path = rules / "directions.yaml"
    path.write_text(path.read_text("utf-8").replace("\nrules:\n", "\nrules:\n" + MODEL_RULES, 1), encoding="utf-8")
    mine = replace(settings, rules_dir=rules)
    assert check_rules(mine) == []
    text = ("Voters of Tan Hoa commune met the chairman of the commune People's Committee for the whole morning.\n"
            "Strengthen coordination between departments and branches of Tan Hoa commune.\n"
            "Reinforce the dikes of Tan Hoa commune before the storm.")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    run([tmp_path / "a.txt"], tmp_path / "full", mine)
    found = load_tables(tmp_path / "full")["directions"]
    assert set(found["rule_id"]) >= {"imperative-strengthen", "lemma-reinforce"}
    said: list[str] = []
    run([tmp_path / "a.txt"], tmp_path / "fast", mine, rules_only=True, report=said.append)
    assert not set(load_tables(tmp_path / "fast")["directions"]["rule_id"]) & {"imperative-strengthen", "lemma-reinforce"}
    assert any("--rules-only leaves out 2 rule(s)" in line and "imperative-strengthen (TAG)" in line
               and "lemma-reinforce (LEMMA, POS)" in line for line in said)


def test_rules_check_applies_followed_by_verb_to_the_examples(tmp_path, settings):
    """A rule's no_match example that only `followed_by_verb` keeps out ("to" as a preposition)
    passes `rules check`, and fails once the option is taken away."""
    from dataclasses import replace

    from pipeline.rules_check import check_rules

    rules = _copy_of_rules(tmp_path)
    path = rules / "directions.yaml"
    example = ("Immediately after successfully holding the 1st Congress, term 2025 - 2030, the Commune Party "
               "Committee directed the dissemination and propaganda of the Resolution to cadres, party members and "
               "people in many appropriate forms.")
    text = path.read_text("utf-8")
    anchor = '      no_match: ["Members of the task force inspected'
    assert anchor in text
    path.write_text(text.replace(anchor, f'      no_match: [{example!r},\n                 "Members of the task force inspected', 1),
                    encoding="utf-8")
    mine = replace(settings, rules_dir=rules)
    assert check_rules(mine) == []
    text = path.read_text("utf-8")
    at = text.index("  - id: requested-to\n")
    path.write_text(text[:at] + text[at:].replace("    followed_by_verb: true\n", "", 1), encoding="utf-8")
    assert any("rule 'requested-to'] matches its no_match example" in p for p in check_rules(mine))
