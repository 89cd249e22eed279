"""Officials: names (surname rule or the model's PERSON) with an honorific or titles attached.

Results: `doc.spans["officials"]`, one span per mention, `span._.provnews_info` holding
`honorific` and `titles`. The statistical NER alone is wrong here (it tags "Loc Binh" as
PERSON, drops "Doan" from "Doan Thu Ha"), so the rules decide and the model only adds names.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.components.matching import WindowedMatcher
from pipeline.components.titles import OfficialLexicon, group_title, singular, split_title, titles_after, titles_before
from pipeline.components.tokens import doc_words, is_name_text, is_name_token
from pipeline.gazetteer import load_gazetteer
from pipeline.rules import annotations_of, cached_rules
from pipeline.textnorm import fold

MAX_GIVEN_NAMES = 3


@dataclass
class OfficialMention:
    start: int
    end: int
    rule_id: str
    honorific: str | None = None
    titles: list[tuple[int, int]] = field(default_factory=list)
    person: str | None = None  # the full name of the person a short mention ("Mr. Quoc") refers to


def person_of(span: Span) -> str:
    """The full name of the person an official mention refers to ("Mr. Quoc" → "Nguyen Van Quoc")."""
    return (span._.provnews_info or {}).get("person") or span.text


def surname_names(doc: Doc, heads: set[int], lex: OfficialLexicon) -> list[tuple[int, int]]:
    """Spans "Surname Given Names": a known surname and up to three Title-case given names."""
    words = doc_words(doc)
    texts, folded = words.texts, words.folded
    names = []
    i = 0
    while i < len(texts):
        if folded[i] in lex.surnames and is_name_text(texts[i]) and i not in heads:
            end = i + 1
            while (end < len(texts) and end - i <= MAX_GIVEN_NAMES and is_name_text(texts[end])
                   and not texts[end].isdigit() and end not in heads and folded[end] not in lex.not_name):
                end += 1
            if end - i >= 2:
                names.append((i, end))
                i = end
                continue
        i += 1
    return names


def model_names(doc: Doc, heads: set[int], lex: OfficialLexicon) -> list[tuple[int, int]]:
    """PERSON entities, trimmed of honorifics and title words the model swallowed."""
    names = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        start, end = ent.start, ent.end
        while start < end and (start in heads or fold(doc[start].text) in lex.honorifics or not is_name_token(doc[start])):
            start += 1
        while end > start and not is_name_token(doc[end - 1]):
            end -= 1
        if end - start >= 2 and not any(fold(t.text) in lex.not_name or t.i in heads for t in doc[start:end]):
            names.append((start, end))
    return names


def honorific_before(doc: Doc, start: int, lex: OfficialLexicon) -> tuple[str | None, int]:
    """The honorific right before a name ("Comrade", "Mr." or "Mr" "."), and where it starts."""
    words = doc_words(doc)
    i = start - 1
    if i > 0 and words.texts[i] == ".":
        i -= 1
    if i < 0:
        return None, start
    if words.folded[i] in lex.honorifics:  # folded: "Mr." and "Mr" alike
        return words.texts[i], i
    return None, start


def find_officials(doc: Doc, heads: set[int], lex: OfficialLexicon, blocked: set[int]) -> list[OfficialMention]:
    candidates = surname_names(doc, heads, lex)
    taken = {i for s, e in candidates for i in range(s, e)}
    candidates += [(s, e) for s, e in model_names(doc, heads, lex) if not taken & set(range(s, e))]
    mentions = []
    words = doc_words(doc)  # token texts and folds, not Token objects
    for start, end in sorted(candidates):
        key = fold(words.span_text(start, end))
        if key in lex.not_officials or key in lex.places:
            continue
        after_name = end + 1 if end < len(doc) and doc[end].like_num else end  # "Quang Chinh 6 village"
        if after_name < len(doc) and words.folded[after_name] in lex.org_words:
            continue  # "Ha Tinh Provincial People's Committee", "Le Loi Street": a place or a body
        honorific, title_end = honorific_before(doc, start, lex)
        if blocked & set(range(start, end)) and not honorific:
            continue  # "Hoang Van Thu commune" is a place
        after = titles_after(doc, end, heads, lex)
        before = titles_before(doc, title_end, heads, lex, comma_ok=honorific is not None)
        before += group_title(doc, start, heads, lex)
        if after and before:
            rule_id = "titles-around-name"
        elif after:
            rule_id = "name-then-titles"
        elif before:
            rule_id = "titles-then-name"
        elif honorific:
            rule_id = "honorific-name"
        else:
            continue
        mentions.append(OfficialMention(start, end, rule_id, honorific, before + after))
    mentions += later_mentions(doc, mentions, lex)
    return holding_office(doc, mentions, lex)


def later_mentions(doc: Doc, mentions: list[OfficialMention], lex: OfficialLexicon) -> list[OfficialMention]:
    """"Mr. Quoc", "Comrade Van De": an honorific and the last given name(s) of a person the
    article names in full elsewhere (diacritics aside) is that person again."""
    by_suffix: dict[str, str] = {}
    table = doc_words(doc)
    for mention in mentions:
        name = table.span_text(mention.start, mention.end)
        words = fold(name).split()
        for k in range(1, len(words)):
            by_suffix.setdefault(" ".join(words[-k:]), name)
    taken = {i for m in mentions for i in range(m.start, m.end)}
    found = []
    texts = table.texts
    for i, word in enumerate(table.folded):
        if word not in lex.honorifics:
            continue
        start = i + 1 + (i + 1 < len(texts) and texts[i + 1] == ".")
        for size in (2, 1):
            end = start + size
            if end > len(texts) or taken & set(range(start, end)) or not all(map(is_name_text, texts[start:end])):
                continue
            person = by_suffix.get(fold(table.span_text(start, end)))
            if person:
                found.append(OfficialMention(start, end, "later-mention", texts[i], [], person))
                taken |= set(range(start, end))
                break
    return found


def holding_office(doc: Doc, mentions: list[OfficialMention], lex: OfficialLexicon) -> list[OfficialMention]:
    """A person with an honorific but no office anywhere in the article ("Mr. Le Vinh Huynh
    and his wife") is a citizen, not an official; "Comrade" is itself a Party office."""
    words = doc_words(doc)

    def person(m: OfficialMention) -> str:
        return fold(m.person or words.span_text(m.start, m.end))

    officials = {person(m) for m in mentions if m.titles or fold(m.honorific or "") in lex.office_honorifics}
    return [m for m in mentions if person(m) in officials]


class OfficialRecognizer:
    def __init__(self, nlp: Language, rules_dir: str, spans_key: str, communes_key: str):
        self.rules = cached_rules(rules_dir)
        self.lexicon = OfficialLexicon(self.rules)
        self.lexicon.places = set(load_gazetteer().province_by_name)
        self.spans_key = spans_key
        self.communes_key = communes_key
        self.matcher = WindowedMatcher(nlp.vocab, validate=True)
        for rule in self.rules.for_file("officials", annotations_of(nlp.pipe_names)):
            self.matcher.add(rule.id, [rule.token_pattern()])

    def __call__(self, doc: Doc) -> Doc:
        heads = {i for _, s, e in self.matcher(doc) for i in range(s, e)}
        blocked = {i for span in doc.spans.get(self.communes_key, []) for i in range(span.start, span.end)}
        self.set_annotations(doc, find_officials(doc, heads, self.lexicon, blocked), heads)
        return doc

    def set_annotations(self, doc: Doc, mentions: list[OfficialMention], heads: set[int]) -> None:
        spans = []
        for mention in mentions:
            span = Span(doc, mention.start, mention.end, label="OFFICIAL")
            span._.provnews_rule = mention.rule_id
            span._.provnews_info = {
                "person": mention.person or span.text,
                "honorific": mention.honorific,
                "titles": [singular(doc[a:b], self.lexicon) for s, e in mention.titles for a, b in split_title(doc, s, e, heads)],
            }
            spans.append(span)
        doc.spans[self.spans_key] = spans


@Language.factory(
    "provnews_officials",
    assigns=["doc.spans"],
    default_config={"rules_dir": None, "spans_key": "officials", "communes_key": "communes"},
)
def make_official_recognizer(nlp: Language, name: str, *, rules_dir: str | None, spans_key: str,
                             communes_key: str) -> OfficialRecognizer:
    from pipeline.settings import default_rules_dir

    return OfficialRecognizer(nlp, str(rules_dir or default_rules_dir()), spans_key, communes_key)
