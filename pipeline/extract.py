"""Annotated Doc → table rows. The only place where spaCy results become plain records."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.attribution import Attribution
from pipeline.components.officials import person_of
from pipeline.components.tokens import doc_text
from pipeline.gazetteer import Gazetteer, load_gazetteer
from pipeline.offices import OfficeParser
from pipeline.records import Article
from pipeline.rules import RuleSet
from pipeline.textnorm import canonical_honorific, fold, name_key, word_alternation

Rows = dict[str, list[dict[str, Any]]]
THE_LOCALITY = re.compile(r"(?:the )?(?:commune|ward|locality)", re.IGNORECASE)


class Categorizer:
    """The category with the most keywords in the item (whole words, folded; a keyword inside a
    longer one of another category does not count); a tie goes to the category listed first.
    The rule that found the item adds one keyword's weight to its `category` option: "bridges,
    culverts, state works, and transportation systems were seriously damaged", found by a damage
    word, is storm damage though it names roads and bridges. An item with no keyword (and no
    such rule) takes its sentence's ("..., yet it currently has only one" in a sentence about
    civil servants); "other" when neither has one. An item with an `overriding` keyword takes
    that keyword's category whatever else it names: flood damage to a road is flood damage."""

    def __init__(self, rules: RuleSet):
        self.patterns: list[tuple[str, re.Pattern[str], frozenset[str] | None]] = []
        for name, keywords in (rules.lexicon("categories", "categories") or {}).items():
            folded = [fold(k) for k in keywords]
            # A keyword matches whole folded words, so only where its first word is; an empty
            # keyword (all punctuation) matches anywhere: None, always searched.
            firsts = frozenset(k.split(" ")[0] for k in folded) if all(folded) else None
            # longest first: at a place, "school facilities" is tried before "school"
            self.patterns.append((name, word_alternation(sorted(folded, key=len, reverse=True)), firsts))
        self.leans = {rule.id: rule.option("category") for rule in rules.rules if rule.option("category")}
        self.overriding = [(name, word_alternation(sorted((fold(k) for k in keywords), key=len, reverse=True)))
                           for name, keywords in (rules.lexicon("categories", "overriding") or {}).items() if keywords]

    def __call__(self, text: str, sentence: str = "", rule_id: str | None = None) -> str:
        lean = self.leans.get(rule_id) if rule_id else None
        folded_text = fold(text)
        for name, pattern in self.overriding:
            if pattern.search(folded_text):
                return name
        for words, weighted in ((text, lean), (sentence, None)):
            folded = folded_text if words is text else fold(words)
            present = set(folded.split(" "))
            counts = self._counts(folded, present)
            hits = [(counts.get(rank, 0) + (name == weighted), -rank, name)
                    for rank, (name, _, _) in enumerate(self.patterns)]
            count, _, name = max(hits, default=(0, 0, "other"))
            if count:
                return name
        return "other"

    def _counts(self, folded: str, present: set[str]) -> dict[int, int]:
        """Keyword occurrences per category (by rank). A keyword inside a longer one of another
        category is not counted: "school facilities" is about schools, not about offices'
        "facilities". No regex search for a category none of whose keywords' first words is in
        the text (most categories, for most items)."""
        found: list[tuple[int, int, int]] = []
        for rank, (_, pattern, firsts) in enumerate(self.patterns):
            if firsts is None or not firsts.isdisjoint(present):
                found += [(m.start(), -m.end(), rank) for m in pattern.finditer(folded)]
        counts: dict[int, int] = {}
        cover_start, cover_end, cover_rank = -1, -1, -1  # the match reaching furthest so far
        for start, negative_end, rank in sorted(found):  # by start, the longest first
            end = -negative_end
            if end <= cover_end and rank != cover_rank and end - start < cover_end - cover_start:
                continue
            counts[rank] = counts.get(rank, 0) + 1
            if end > cover_end:
                cover_start, cover_end, cover_rank = start, end, rank
        return counts


def _sentence(span: Span) -> Span:
    return span.doc[span.start].sent


def _text(span: Span) -> str:
    """`span.text`, cut from the Doc's text made once (`doc_text`): spaCy joins the span's
    tokens, a Token object each, at every call, and the rows ask for every item's sentence."""
    return doc_text(span.doc)[span.start_char:span.end_char]


def commune_rows(doc: Doc, article_id: str) -> list[dict[str, Any]]:
    gazetteer = load_gazetteer()  # cached: the same object the linker used
    rows = []
    for span in doc.spans.get("communes", []):
        link = span._.provnews_link or {}
        latitude, longitude = gazetteer.coordinates(link.get("ward_code"), link.get("legacy_code"))
        rows.append({
            "article_id": article_id, "mention": _text(span), "start_char": span.start_char, "end_char": span.end_char,
            "ward_code": link.get("ward_code"), "ward_name": link.get("ward_name"),
            "division_type": link.get("division_type"), "province_code": link.get("province_code"),
            "province_name": link.get("province_name"), "score": float(link.get("score", 0.0)),
            "method": link.get("method", "unresolved"), "legacy_name": link.get("legacy_name"),
            "legacy_code": link.get("legacy_code"), "becomes_code": link.get("becomes_code"),
            "becomes_name": link.get("becomes_name"), "ambiguous": bool(link.get("ambiguous", False)),
            "rule_id": span._.provnews_rule, "latitude": latitude, "longitude": longitude,
        })
    return rows


def official_rows(doc: Doc, article_id: str, offices: OfficeParser) -> list[dict[str, Any]]:
    """One row per person per article: the full name, first mention's offsets, titles from
    every mention ("Mr. Quoc" later on is the same person, counted in n_mentions)."""
    people: dict[str, dict[str, Any]] = {}
    for span in sorted(doc.spans.get("officials", []), key=lambda s: (s._.provnews_rule == "later-mention", s.start)):
        info = span._.provnews_info or {}
        name = person_of(span)
        key = name_key(name)
        row = people.get(key)
        if row is None:
            row = people[key] = {
                "article_id": article_id, "name": name, "name_key": key, "honorific": None, "titles": [],
                "start_char": span.start_char, "end_char": span.end_char, "rule_id": span._.provnews_rule,
                "n_mentions": 0,
            }
        add_mentions(row, canonical_honorific(info.get("honorific")), info.get("titles", []))
    for row in people.values():
        row["organization"], row["level"] = offices(row["titles"])
    return list(people.values())


def add_mentions(row: dict[str, Any], honorific: str | None, titles: list[str], mentions: int = 1) -> None:
    """More mentions of a person already in `row`: counts add up, the first honorific stays,
    new titles join (diacritics or not, a title is listed once)."""
    row["n_mentions"] += mentions
    row["honorific"] = row["honorific"] or honorific
    known = {fold(t) for t in row["titles"]}
    added = []
    for title in titles:
        if fold(title) not in known:
            known.add(fold(title))
            added.append(title)
    row["titles"] = row["titles"] + added


def _ward_for(span: Span, communes: list[Span], only_code: str | None) -> str | None:
    sentence = _sentence(span)
    for commune in communes:
        code = (commune._.provnews_link or {}).get("ward_code")
        if code and sentence.start <= commune.start < sentence.end:
            return code
    return only_code


def _proposer(before: str, officials: list[Span], item: Span, attribution: Attribution) -> str | None:
    """A named official before the request, else the nearest group that asks ("Local voters")."""
    sentence = _sentence(item)
    named = [o for o in officials if sentence.start <= o.start and o.end_char <= sentence.start_char + len(before)]
    if named:
        return person_of(named[-1])
    return attribution.last_proposer(before)


def statement_rows(doc: Doc, article_id: str, categorize: Categorizer, attribution: Attribution) -> Rows:
    communes = list(doc.spans.get("communes", []))
    codes = {(c._.provnews_link or {}).get("ward_code") for c in communes} - {None}
    only_code = next(iter(codes)) if len(codes) == 1 else None
    officials = sorted(doc.spans.get("officials", []), key=lambda s: s.start_char)
    starts = [s.start_char for s in officials]
    rows: Rows = {"difficulties": [], "recommendations": [], "directions": []}
    text = doc_text(doc)
    for span in doc.spans.get("difficulties", []):
        item, sentence_text = _text(span), _text(_sentence(span))
        rows["difficulties"].append({
            "article_id": article_id, "text": item,
            "category": categorize(item, sentence_text, span._.provnews_rule),
            "ward_code": _ward_for(span, communes, only_code), "sentence": sentence_text,
            "start_char": span.start_char, "end_char": span.end_char, "rule_id": span._.provnews_rule,
        })
    only_name = next(((c._.provnews_link or {}).get("ward_name") for c in communes
                     if (c._.provnews_link or {}).get("ward_code") == only_code), None) if only_code else None
    last_proposer: str | None = None
    first_item: dict[int, int] = {}  # sentence start → where its first proposal starts
    for span in doc.spans.get("recommendations", []):
        first_item.setdefault(_sentence(span).start, span.start_char)
    for span in doc.spans.get("recommendations", []):
        sentence = _sentence(span)
        sentence_text = _text(sentence)
        before = text[sentence.start_char: first_item[sentence.start]]
        addressee = attribution.addressee_in(text, sentence.start_char, sentence.end_char, span.start_char)
        # The proposing commune stands before the request; a commune inside the item is its object.
        proposing = [c for c in communes if sentence.start <= c.start and c.end_char <= span.start_char]
        link = (proposing[0]._.provnews_link or {}) if proposing else {}
        ward = link.get("ward_code") or (None if proposing else only_code)
        proposer = (link.get("ward_name") or proposing[0].text) if proposing else _proposer(before, officials, span, attribution)
        if proposer is None and attribution.pronoun.search(before):
            proposer = last_proposer  # "They also requested ...": whoever asked before
        if only_name and proposer and THE_LOCALITY.fullmatch(proposer):
            proposer = only_name  # "The ward requested ..." in an article about one ward
        last_proposer = proposer or last_proposer
        rows["recommendations"].append({
            "article_id": article_id, "text": _text(span),
            "category": categorize(_text(span), sentence_text, span._.provnews_rule),
            "proposer": proposer, "addressee": addressee, "ward_code": ward,
            "sentence": sentence_text, "start_char": span.start_char, "end_char": span.end_char,
            "rule_id": span._.provnews_rule,
        })
    for span in doc.spans.get("directions", []):
        index = bisect_right(starts, span.start_char) - 1
        speaker = officials[index] if index >= 0 else (officials[0] if officials else None)
        rows["directions"].append({
            "article_id": article_id, "text": _text(span), "ward_code": _ward_for(span, communes, only_code),
            "official_name_key": name_key(person_of(speaker)) if speaker is not None else None,
            "sentence": _text(_sentence(span)), "start_char": span.start_char, "end_char": span.end_char,
            "rule_id": span._.provnews_rule,
        })
    return rows


def article_row(article: Article, doc: Doc, gazetteer: Gazetteer) -> dict[str, Any]:
    provinces = doc._.provnews_provinces or []
    province = gazetteer.provinces.get(provinces[0]) if provinces else None
    return {
        "article_id": article.article_id, "url": article.url, "source_url": article.source_url,
        "site": article.site, "title": article.title, "published": article.published,
        "province_code": province.code if province else None, "province_name": province.name if province else None,
        "language": article.language, "text": article.text, "n_chars": len(article.text),
        "text_hash": article.text_hash, "source": article.source,
        "fetched_at": article.fetched_at,
    }


@dataclass(frozen=True)
class Readers:
    """What turns an annotated Doc into rows, built once per process from the rules."""

    categorize: Categorizer
    offices: OfficeParser
    attribution: Attribution
    gazetteer: Gazetteer

    @classmethod
    def from_rules(cls, rules: RuleSet, gazetteer: Gazetteer) -> Readers:
        return cls(Categorizer(rules), OfficeParser(rules), Attribution(rules), gazetteer)


def doc_to_rows(article: Article, doc: Doc, readers: Readers) -> Rows:
    rows: Rows = {
        "articles": [article_row(article, doc, readers.gazetteer)],
        "communes": commune_rows(doc, article.article_id),
        "officials": official_rows(doc, article.article_id, readers.offices),
    }
    rows.update(statement_rows(doc, article.article_id, readers.categorize, readers.attribution))
    return rows
