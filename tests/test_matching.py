"""The fast matchers find exactly what spaCy's own find, in the same order: the rules mean the
same, only faster (pipeline/components/matching.py)."""
from __future__ import annotations

import json
import random

import pytest
import spacy
from spacy.attrs import NORM
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from pipeline.components.matching import FoldedPhraseMatcher, WindowedMatcher
from pipeline.nlp import line_breaks
from pipeline.rules import cached_rules
from pipeline.settings import load_settings
from pipeline.textnorm import fold_chars

from conftest import FRESH

RULE_FILES = [("difficulties", "recommendations", "directions"), ("communes",), ("officials",)]


@pytest.fixture(scope="module")
def blank():
    nlp = spacy.blank("en")
    nlp.add_pipe("provnews_line_breaks")
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.fixture(scope="module")
def docs(blank) -> list[Doc]:
    """The fresh articles, and random strings of the rules' own words (dense in matches, with
    capitals, numbers and punctuation around them)."""
    texts = [json.loads(line)["text"] for line in (FRESH / "articles.jsonl").open(encoding="utf-8")]
    words = {"Loc", "Binh", "Hoa", "An", ",", ".", ":", "-", "(", ")", "the", "of", "and", "12", "Xa", "such", "as"}
    for rule in cached_rules(str(load_settings().rules_dir)).rules:
        for spec in rule.token_pattern() if not isinstance(rule.pattern, str) else []:
            for value in spec.values():
                for word in value.get("IN", []) if isinstance(value, dict) else [value]:
                    if isinstance(word, str) and " " not in word:
                        words.add(word)
    rng = random.Random(9)
    vocabulary = sorted(words)
    for _ in range(600):
        chosen = [rng.choice(vocabulary) for _ in range(rng.randint(1, 30))]
        texts.append(" ".join(w.capitalize() if rng.random() < 0.25 else w for w in chosen))
    return list(blank.pipe(texts))


@pytest.mark.parametrize("files", RULE_FILES, ids=lambda f: f[0])
def test_windowed_matcher_finds_what_spacy_finds_in_the_same_order(blank, docs, settings, files):
    spacy_matcher, windowed = Matcher(blank.vocab, validate=True), WindowedMatcher(blank.vocab, validate=True)
    for rule in cached_rules(str(settings.rules_dir)).rules:
        if rule.file in files:
            greedy = rule.option("greedy") if rule.file != "communes" else None
            spacy_matcher.add(rule.id, [rule.token_pattern()], greedy=greedy)
            windowed.add(rule.id, [rule.token_pattern()], greedy=greedy)
    found = [spacy_matcher(doc) for doc in docs]
    assert sum(map(len, found)) > 500  # the comparison is not empty
    assert [windowed(doc) for doc in docs] == found
    assert [windowed(doc) for doc in docs] == found  # again, with every word already classified


def test_windowed_matcher_handles_every_operator_and_runs_fewer_tokens(blank):
    patterns = {
        "plus": [{"LOWER": "a"}, {"LOWER": "b", "OP": "+"}, {"LOWER": "c", "OP": "?"}],
        "star": [{"LOWER": {"IN": ["a", "b"]}}, {"IS_ALPHA": True, "OP": "*"}, {"LOWER": "d"}],
        "range": [{"IS_TITLE": True}, {"IS_TITLE": True, "OP": "{1,3}"}, {"TEXT": {"REGEX": "^[0-9]+$"}}],
        "negated": [{"LOWER": "c"}, {"LOWER": "x", "OP": "!"}, {"LOWER": "d"}],
        "optional-first": [{"LOWER": "z", "OP": "?"}, {"LOWER": "d"}],
    }
    rng = random.Random(3)
    vocabulary = ["a", "b", "c", "d", "x", "z", "A", "B", "Hoa", "Binh", "12", ",", "the"]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 25))) for _ in range(400)]
    # Patterns that can start anywhere ("!", an optional first token) make the whole Doc one
    # window; the others alone are windowed, and must agree with spaCy too.
    windowed_only = {k: v for k, v in patterns.items() if k in ("plus", "star", "range")}
    for chosen in (patterns, windowed_only):
        narrower = 0
        for greedy in (None, "LONGEST", "FIRST"):
            spacy_matcher, windowed = Matcher(blank.vocab), WindowedMatcher(blank.vocab)
            for key, pattern in chosen.items():
                spacy_matcher.add(key, [pattern], greedy=greedy)
                windowed.add(key, [pattern], greedy=greedy)
            for doc in blank.pipe(texts):
                assert windowed(doc) == spacy_matcher(doc), (greedy, doc.text)
                narrower += any(end - start < len(doc) for start, end, _ in windowed.regions(doc))
        if chosen is windowed_only:
            assert narrower > 100  # the windows were really used, not the whole Doc each time
    only_starting = WindowedMatcher(blank.vocab)
    only_starting.add("plus", [patterns["plus"]])
    doc = blank("x x x a b b c x x x x")
    assert only_starting.regions(doc) == [(3, 7, frozenset({0}))]  # "a b b c": nothing else is read


def test_folded_phrase_matcher_matches_the_folded_twin_and_leaves_norms_alone(blank, docs):
    names = ["Lộc Bình", "Mẫu Sơn", "Hoà An", "Tân An", "Đồng Đăng", "an binh", "Xã Hoa"]
    folded = FoldedPhraseMatcher(blank.vocab)
    folded.add("UNIT", names, blank.tokenizer)
    twin_matcher = PhraseMatcher(blank.vocab, attr="ORTH")
    twin_matcher.add("UNIT", list(blank.tokenizer.pipe(sorted({fold_chars(n) for n in names}))))
    extra = list(blank.pipe(["Lộc Bình and LOC BINH, loc binh; Lộc  Bình", "Hoà An and Hoa An commune, Tân Ấn"]))
    total = 0
    for doc in docs[:80] + extra:
        norms = doc.to_array(NORM)
        twin = Doc(doc.vocab, words=[fold_chars(t.text) for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        found = folded(doc)
        assert found == twin_matcher(twin)
        assert (doc.to_array(NORM) == norms).all()
        total += len(found)
    assert total >= 5


def test_gazetteer_phrases_are_the_tokens_the_tokenizer_makes_of_them(nlp):
    """The phrases go in as token ids, word by word: the same tokens as the tokenizer makes of
    each whole phrase, for every name of the gazetteer and for names with odd spacing."""
    from pipeline.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    names = sorted({u.name for u in gazetteer.units.values()} | {o.name for o in gazetteer.legacy})
    names += ["Ia H'Drai", "Phường 12", "Đắk R’Lấp", "Cư M'gar", "Lộc  Bình", " Hoa An", "Xã\tHoa", "Ea-Kar", "No. 5"]
    folded = FoldedPhraseMatcher(nlp.vocab)
    folded.add("UNIT", names, nlp.tokenizer)
    added = folded._matcher.__reduce__()[1][1]  # spaCy's pickled form: (vocab, phrases by key, …)
    expected = {tuple(t.orth for t in doc) for doc in nlp.tokenizer.pipe(sorted({fold_chars(n) for n in names}))}
    assert added["UNIT"] == {e for e in expected if e}
    assert len(expected) > 7000


def test_line_breaks_marks_what_the_token_loop_marked(blank):
    def token_loop(doc: Doc) -> Doc:  # the component as it was written first
        for token in doc[1:]:
            prev = doc[token.i - 1]
            if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
                token.is_sent_start = True
            elif (prev.is_alpha or prev.like_num) and not token.is_space:
                token.is_sent_start = False
        return doc

    texts = [json.loads(line)["text"] for line in (FRESH / "articles.jsonl").open(encoding="utf-8")]
    texts += ["", "a", "Headline\nBody text 12 here.\n\n  \nNext Cô Tô", "x\n"]
    for text in texts:
        expected = [t.is_sent_start for t in token_loop(blank.make_doc(text))]
        assert [t.is_sent_start for t in line_breaks(blank.make_doc(text))] == expected
