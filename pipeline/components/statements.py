"""Difficulties, recommendations and directions: trigger rules (rules/<label>.yaml) mark a
sentence region, which is split into one item per problem or proposal.

Results: `doc.spans["difficulties"|"recommendations"|"directions"]`, one span per item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from pipeline.rules import Rule, RuleSet, cached_rules
from pipeline.textnorm import fold

LABEL_FILES = {"RECOMMENDATION": "recommendations", "DIRECTION": "directions", "DIFFICULTY": "difficulties"}
PRIORITY = ("RECOMMENDATION", "DIRECTION", "DIFFICULTY")  # one sentence, one kind of statement
CLAUSE_END = re.compile(r";|,\s+(?=(?:which|while|but|although|though|so that|namely|whereas|thereby|thanks)\b)"
                        r"|\.\.\.|…|\s[-–]\s")
CONTINUATION = {"especially", "including", "such", "in", "which", "that", "still", "mainly", "particularly",
                "etc", "of", "for", "to", "with", "from", "by", "as", "due"}
LIST_END = {"with", "but", "however", "although", "while", "so", "thereby", "because", "whereas", "thanks"}
LEAD_WORDS = re.compile(r"^(?:and|or|but|to|at the same time|in addition|also|however|then|namely|as well as)[,:]?\s+",
                        re.IGNORECASE)
MIN_CONTENT_WORDS = 2


@dataclass(frozen=True)
class Item:
    start: int  # character offsets into doc.text
    end: int
    rule_id: str
    label: str


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past spaces, list punctuation, lead conjunctions and trailing '...'."""
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in ",;:-–•·"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.…-–)(" or text[end - 1] == "\""):
            end -= 1
        lead = LEAD_WORDS.match(text[start:end])
        if lead:
            start += lead.end()
        if text[start:end].lower().endswith(" etc"):
            end -= 4
        if (start, end) == before:
            return start, end


def _split_commas(text: str, start: int, end: int, mode: str) -> list[tuple[int, int]]:
    """Commas split items when the next piece starts like a new item (a gerund, a noun phrase)."""
    pieces, last = [], start
    for match in re.finditer(r",\s+(?:and\s+)?", text[start:end]):
        cut, nxt = start + match.start(), start + match.end()
        word = re.match(r"[\w’'-]+", text[nxt:end])
        first = word.group(0).lower() if word else ""
        if mode == "gerunds" and first.endswith("ing") and first not in CONTINUATION:
            pieces.append((last, cut))
            last = nxt
        elif mode == "nouns":
            if first in LIST_END:
                end = cut
                break
            if first and first not in CONTINUATION:
                pieces.append((last, cut))
                last = nxt
    pieces.append((last, end))
    return pieces


def split_items(text: str, start: int, end: int, mode: str) -> list[tuple[int, int]]:
    """One region → item offsets, by the rule's `split` mode."""
    if mode == "never":
        return [(start, end)]
    ellipsis = re.search(r"\.\.\.|…", text[start:end])
    if ellipsis:  # "staff, decentralization... contributing to": the list is over
        end = start + ellipsis.start()
    parts, last = [], start
    for match in re.finditer(r";", text[start:end]):
        parts.append((last, start + match.start()))
        last = start + match.end()
    parts.append((last, end))
    if mode == "semicolons":
        return parts
    return [piece for s, e in parts for piece in _split_commas(text, s, e, mode)]


def clause_bounds(text: str, sent_start: int, sent_end: int, start: int, end: int) -> tuple[int, int]:
    """The comma/semicolon-delimited clause around [start, end) inside its sentence."""
    left = max(text.rfind(c, sent_start, start) for c in ",;:")
    right_candidates = [i for i in (text.find(c, end, sent_end) for c in ",;") if i != -1]
    return (left + 1 if left >= sent_start else sent_start), (min(right_candidates) if right_candidates else sent_end)


def _clause_end(text: str, start: int, sent_end: int) -> int:
    found = CLAUSE_END.search(text, start, sent_end)
    return found.start() if found else sent_end


class StatementRecognizer:
    def __init__(self, nlp: Language, rules_dir: str):
        self.rules: RuleSet = cached_rules(rules_dir)
        self.by_id: dict[str, Rule] = {}
        self.matcher = Matcher(nlp.vocab, validate=True)
        for stem in LABEL_FILES.values():
            for rule in self.rules.for_file(stem):
                self.matcher.add(rule.id, [rule.token_pattern()])
                self.by_id[rule.id] = rule
        self.cancel = {stem: {fold(w) for w in self.rules.lexicon(stem, "cancel_before", [])} for stem in LABEL_FILES.values()}
        self.generic = {stem: {fold(w) for w in self.rules.lexicon(stem, "generic_words", [])} for stem in LABEL_FILES.values()}

    def _content_words(self, text: str, stem: str) -> list[str]:
        return [w for w in fold(text).split() if w not in self.generic[stem] and len(w) > 2]

    def find_items(self, doc: Doc) -> list[Item]:
        text = doc.text
        matches_by_sentence: dict[int, list[tuple[Rule, int, int]]] = {}
        for match_id, start, end in sorted(self.matcher(doc), key=lambda m: (m[1], m[2])):
            rule = self.by_id[doc.vocab.strings[match_id]]
            stem = LABEL_FILES[rule.label]
            if start > 0 and fold(doc[start - 1].text) in self.cancel[stem]:
                continue
            sentence = doc[start].sent
            matches_by_sentence.setdefault(sentence.start, []).append((rule, start, end))
        items: list[Item] = []
        for sent_start, matches in matches_by_sentence.items():
            sentence = doc[sent_start].sent
            labels = {rule.label for rule, _, _ in matches}
            label = next(lab for lab in PRIORITY if lab in labels)
            used_rules: set[str] = set()
            seen: set[tuple[int, int]] = set()
            covered_until = -1
            for rule, start, end in matches:
                if rule.label != label:
                    continue
                mode = rule.option("mode", "after")
                s_char, e_char = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
                if mode != "clause" and (rule.id in used_rules or s_char < covered_until):
                    continue
                if mode == "after":
                    region = (e_char, sentence.end_char)
                elif mode == "from_match":
                    region = (s_char, _clause_end(text, e_char, sentence.end_char))
                else:
                    region = clause_bounds(text, sentence.start_char, sentence.end_char, s_char, e_char)
                if region[0] < covered_until:
                    continue
                used_rules.add(rule.id)
                if mode != "clause":
                    covered_until = region[1]
                for piece in split_items(text, *region, rule.option("split", "semicolons")):
                    s, e = _trim(text, *piece)
                    minimum = 1 if rule.option("split") == "nouns" else MIN_CONTENT_WORDS
                    if e > s and (s, e) not in seen and len(self._content_words(text[s:e], LABEL_FILES[label])) >= minimum:
                        seen.add((s, e))
                        items.append(Item(s, e, rule.id, label))
        return items

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.find_items(doc))
        return doc

    def set_annotations(self, doc: Doc, items: list[Item]) -> None:
        groups: dict[str, list[Span]] = {stem: [] for stem in LABEL_FILES.values()}
        for item in items:
            span = doc.char_span(item.start, item.end, label=item.label, alignment_mode="expand")
            if span is None:
                continue
            span._.provnews_rule = item.rule_id
            groups[LABEL_FILES[item.label]].append(span)
        for key, spans in groups.items():
            doc.spans[key] = spans


@Language.factory("provnews_statements", assigns=["doc.spans"], default_config={"rules_dir": None})
def make_statement_recognizer(nlp: Language, name: str, *, rules_dir: str | None) -> StatementRecognizer:
    from pipeline.settings import default_rules_dir

    return StatementRecognizer(nlp, str(rules_dir or default_rules_dir()))
