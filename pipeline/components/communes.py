"""Commune mentions: rule patterns (rules/communes.yaml) plus gazetteer names of the article's
province, each linked to the 2025 gazetteer. Results: `doc.spans["communes"]`."""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import asdict, dataclass, replace
from weakref import ref

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.components.matching import FoldedPhraseMatcher, WindowedMatcher
from pipeline.components.tokens import doc_text, doc_words, is_name_text, starts_sentence
from pipeline.gazetteer import MERGER_DATE, Gazetteer, load_gazetteer
from pipeline.linking import OUT_OF_CONTEXT_SCORE, Link, candidate_provinces, legacy_link, link_mention
from pipeline.memo import RecentCache
from pipeline.province import (HOST_WEIGHT, article_provinces, host_provinces, local_province, text_province_scores,
                               url_province_scores)
from pipeline.rules import RuleSet, annotations_of, cached_rules
from pipeline.settings import LinkSettings
from pipeline.textnorm import CACHE_ENTRIES, fold

GAZETTEER_RULE = "gazetteer-name"
# Capitalised words that start a sentence or a list but are not part of a name. Not spaCy's
# stop words: "A" (A Lưới), "My" (Mỹ Hưng) and "Do" (Đồ Sơn) begin unit names.
LEADING_WORDS = frozenset(
    "the in at of on for from to with like by this that these those each every all both and or new old former "
    "as under including namely while when after before during since besides also meanwhile".split()
)
MAX_NAME_TOKENS = 5
TITLE_WEIGHT = HOST_WEIGHT + 1  # a title's province over a paper's province the article does not name
LINKS_KEPT = CACHE_ENTRIES  # commune links remembered, per generation (`RecentCache`)
# Vietnamese type words as written (with their own diacritics or none at all).
VIETNAMESE_TYPE_WORDS = {"xa": {"xa", "xã"}, "phuong": {"phuong", "phường"}}
LIST_JOINERS = {",", "and", "&", ";", "commune", "communes", "ward", "wards", "(", ")"}
ROUTE_DASHES = {"-", "–"}  # "Ben Luc–Long Thanh Expressway": a route between two places (an em dash is punctuation)


@dataclass(frozen=True)
class MentionCandidate:
    start: int  # token offsets of the name only
    end: int
    rule_id: str
    division_type: str | None = None
    legacy_hint: bool = False
    needs_gazetteer: bool = False  # list items and bare names: drop if the gazetteer does not know them
    district_name: bool = False  # a bare name that is also a former district of the province


class CommuneLexicon:
    def __init__(self, rules: RuleSet, province_names: set[str] = frozenset(),
                 former_provinces: set[str] = frozenset()):
        self.province_names = province_names
        self.former_provinces = former_provinces
        lex = lambda name: [fold(w) if not w.startswith("(") else w.lower()  # noqa: E731
                            for w in rules.lexicon("communes", name, [])]
        self.keywords: dict[str, str] = {fold(k): v for k, v in rules.lexicon("communes", "keywords").items()}
        # A keyword can start only on a token whose fold is a keyword or its first words.
        self.keyword_starts = {" ".join(k.split(" ")[:n]) for k in self.keywords for n in range(1, k.count(" ") + 2)}
        self.not_after = set(lex("not_commune_after"))
        self.not_before = set(lex("not_commune_before"))
        self.legacy_before = set(lex("legacy_before"))
        self.legacy_after = set(lex("legacy_after"))
        self.descriptors = set(lex("descriptors"))


NO_KEYWORD: tuple[str | None, int] = (None, 0)
_KEYWORDS: list = [None, None, None]  # the last Doc (a weak reference), its lexicon, its keyword table


def _keyword_table(doc: Doc, lex: CommuneLexicon) -> dict[int, tuple[str, int]]:
    """Token → (division type, token length) of the commune keyword starting there, for the
    tokens where one does: made once per Doc (the rules ask about the same tokens many times)."""
    last_doc, last_lex, table = _KEYWORDS
    words = doc_words(doc)
    if last_doc is not None and last_doc() is doc and last_lex is lex and table[0] is words:
        return table[1]
    folded, found = words.folded, {}
    for i, one in enumerate(folded):
        if one not in lex.keyword_starts:
            continue
        two = f"{one} {folded[i + 1]}" if i + 1 < len(folded) else ""
        if two in lex.keywords:
            found[i] = (lex.keywords[two], 2)
        elif one in VIETNAMESE_TYPE_WORDS and words.texts[i].lower() not in VIETNAMESE_TYPE_WORDS[one]:
            continue  # "Xá Nhè" is a name, not "Xã Nhè"
        elif one in lex.keywords:
            found[i] = (lex.keywords[one], 1)
    _KEYWORDS[:] = [ref(doc), lex, (words, found)]
    return found


def _keyword_at(doc: Doc, i: int, lex: CommuneLexicon) -> tuple[str | None, int]:
    """(division type, token length) of a commune keyword starting at token i."""
    return _keyword_table(doc, lex).get(i, NO_KEYWORD)


def _legacy_context(doc: Doc, start: int, end: int, lex: CommuneLexicon) -> bool:
    """"the former X", "old X commune", "X commune (old)"."""
    words = doc_words(doc)
    before = set(words.folded[max(0, start - 2): start])
    after = words.span_text(end, end + 4).lower().replace(" ", "")  # "commune(old)" once spaces go
    return bool(before & lex.legacy_before) or any(marker in after for marker in lex.legacy_after)


def trim_name(doc: Doc, start: int, end: int, lex: CommuneLexicon) -> tuple[int, int, str | None]:
    """Strip keywords, 'of', Vietnamese type words and leading function words off a match."""
    division = None
    words = doc_words(doc)
    texts, folded = words.texts, words.folded
    while start < end:
        kind, size = _keyword_at(doc, start, lex)
        if kind:
            division, start = division or kind, start + size
        elif texts[start].lower() in LEADING_WORDS or not is_name_text(texts[start]):
            start += 1
        else:
            break
    while end > start:
        kind, size = None, 0
        for width in (2, 1):
            if end - width >= start:
                k, s = _keyword_at(doc, end - width, lex)
                if k and s == width:
                    kind, size = k, s
                    break
        if kind:
            division, end = division or kind, end - size
        elif not is_name_text(texts[end - 1]) or (division and folded[end - 1] in lex.descriptors):
            end -= 1  # "Thanh An Island Commune": the island is no part of the name
        else:
            break
    return start, end, division


def _list_item_after(doc: Doc, i: int) -> tuple[int, int]:
    texts = doc_words(doc).texts
    end = i
    while end < len(texts) and end - i < MAX_NAME_TOKENS and is_name_text(texts[end]):
        end += 1
    return i, end


def expand_list(doc: Doc, index: int, direction: int, lex: CommuneLexicon) -> list[tuple[int, int, bool]]:
    """Names in a list starting at token `index` going forward (1) or backward (-1):
    "Loc Binh, Mau Son, and old Khuat Xa". Returns (start, end, legacy_hint) per name."""
    items: list[tuple[int, int, bool]] = []
    texts = doc_words(doc).texts
    i = index
    separators = {",", "and", "&"}
    if direction > 0:
        while i < len(doc):
            legacy = False
            while i < len(doc) and texts[i].lower() in separators | {"old", "former", "the"}:
                legacy = legacy or texts[i].lower() in {"old", "former"}
                i += 1
            start, end = _list_item_after(doc, i)
            if end == start:
                break
            kind, size = _keyword_at(doc, end, lex)
            items.append((start, end, legacy or _legacy_context(doc, start, end, lex)))
            i = end + size
            if i < len(doc) and texts[i] == "(":  # "Hai Yen commune (old)"
                while i < len(doc) and texts[i] != ")":
                    i += 1
                i += 1
            if i >= len(doc) or texts[i].lower() not in separators:
                break
    else:
        while i >= 0:
            kind, size = None, 0
            for width in (2, 1):
                k, s = _keyword_at(doc, i - width + 1, lex) if i - width + 1 >= 0 else (None, 0)
                if k and s == width:
                    kind, size = k, s
                    break
            if kind:
                i -= size
            end = i + 1
            start = end
            while start > 0 and end - start < MAX_NAME_TOKENS and is_name_text(texts[start - 1]):
                start -= 1
            if start == end:
                break
            legacy = start > 0 and texts[start - 1].lower() in {"old", "former"}
            items.append((start, end, legacy or _legacy_context(doc, start, end, lex)))
            i = start - 1 - (1 if legacy else 0)
            if i < 0 or texts[i].lower() not in separators:
                break
            while i >= 0 and texts[i].lower() in separators:
                i -= 1
    return items


def find_rule_mentions(doc: Doc, matcher: WindowedMatcher, modes: dict[str, str], lex: CommuneLexicon,
                       former: frozenset[str] | set[str] = frozenset()) -> list[MentionCandidate]:
    """Names the rules find; a name in a list of former units (`former` rules: "the merger of
    A, B and C") that is a former province is the province."""
    found: list[MentionCandidate] = []
    words = doc_words(doc)  # token texts and folds, not Token objects
    for match_id, start, end in matcher(doc):
        rule_id = doc.vocab.strings[match_id]
        mode = modes[rule_id]
        if mode == "span":
            if end < len(doc) and doc[end].like_num:
                continue  # "Hai An Ward 1": a numbered placeholder in a plan, not a unit
            # "Phuong" and "Xa" are also given names ("Nguyen Thi Phuong Lan", "Photo: Phuong Hang"):
            # after a name they are part of it, and otherwise the gazetteer must know what follows.
            vietnamese_type = words.folded[start] in VIETNAMESE_TYPE_WORDS
            if vietnamese_type and start > 0 and is_name_text(words.texts[start - 1]):
                continue
            s, e, division = trim_name(doc, start, end, lex)
            if e > s and e - s <= MAX_NAME_TOKENS:
                found.append(MentionCandidate(s, e, rule_id, division, _legacy_context(doc, s, e, lex),
                                              needs_gazetteer=vietnamese_type))
            continue
        division, _ = _keyword_at(doc, start, lex)
        if mode == "list_before" and end < len(doc) and doc[end].like_num:
            continue  # "Hai An Ward 1"
        if mode == "list_after" and end < len(doc) and doc[end].text == ",":
            continue  # "after merging from 5 communes, Ba Tri commune ...": a count, then a new clause
        direction, index = (1, end) if mode == "list_after" else (-1, start - 1)
        # "the former communes of A, B and C", "merged from the former A, B and C": all former.
        whole_list_legacy = _legacy_context(doc, start, end, lex)
        items = expand_list(doc, index, direction, lex)
        if items and items[0 if direction > 0 else -1][2]:  # the first name in reading order
            whole_list_legacy = True
        for s, e, legacy in items:
            s, e, own_division = trim_name(doc, s, e, lex)
            own_division = own_division or _keyword_at(doc, e, lex)[0]  # "... wards and My Tho commune"
            if e < len(doc) and words.folded[e] in lex.not_after:
                continue  # "Vinh Lap and Thanh Cuong communes of Thanh Ha district"
            key = fold(words.span_text(s, e))
            if key in lex.province_names or ((legacy or whole_list_legacy or rule_id in former)
                                             and key in lex.former_provinces):
                continue  # "communes of Lao Cai", "communes of former Bac Kan", "the merger of Ben Tre": provinces
            if e > s:
                found.append(MentionCandidate(s, e, rule_id, own_division or division, legacy or whole_list_legacy,
                                              needs_gazetteer=True))
    return found


def _on_a_route(doc: Doc, start: int, end: int) -> bool:
    """"Ben Luc–Long Thanh Expressway": a name joined by a dash to another name."""
    texts = doc_words(doc).texts
    before = start > 1 and texts[start - 1] in ROUTE_DASHES and is_name_text(texts[start - 2])
    after = end + 1 < len(texts) and texts[end] in ROUTE_DASHES and is_name_text(texts[end + 1])
    return before or after


def find_gazetteer_mentions(doc: Doc, phrase_matcher: FoldedPhraseMatcher, gazetteer: Gazetteer,
                            province: str | None, lex: CommuneLexicon) -> list[MentionCandidate]:
    """Bare names of the article province's units, where the text shows them as a whole name."""
    if province is None:
        return []
    names = gazetteer.names_by_province.get(province, {})
    old_days = before_merger(doc)
    districts = gazetteer.districts_by_province.get(province, set())
    found = []
    words = doc_words(doc)  # token texts and folds, not Token objects
    texts, folded = words.texts, words.folded
    for _, start, end in phrase_matcher(doc):
        key = fold(words.span_text(start, end))
        if key in gazetteer.province_by_name:
            continue  # "Phu Tho" alone is the province far more often than the ward
        if not all(map(is_name_text, texts[start:end])):
            continue
        if start > 0 and is_name_text(texts[start - 1]) and not (starts_sentence(doc[start - 1]) and doc[start - 1].is_stop):
            continue  # part of a longer name ("Le Tien Chau", "Hoa Binh Lake")
        has_next = end < len(doc)
        division, size = _keyword_at(doc, end, lex)
        if division and end + size < len(doc) and doc[end + size].like_num:
            continue  # "Hai An Ward 1": a numbered placeholder
        if has_next and is_name_text(texts[end]) and not division:
            continue
        if has_next and folded[end] in lex.not_after:
            continue
        if start > 0 and folded[start - 1] in lex.not_before:
            continue
        if _on_a_route(doc, start, end):
            continue
        district_name = not division and key in districts
        if old_days and district_name:
            continue  # "departments of Son Duong, Yen Son": districts in a pre-merger article
        legacy = _legacy_context(doc, start, end, lex)
        in_2025 = key in names
        in_legacy = any(o.new_province_code == province for o in gazetteer.legacy_by_name.get(key, ()))
        if in_2025 or (legacy and in_legacy):
            found.append(MentionCandidate(start, end, GAZETTEER_RULE, division, legacy, needs_gazetteer=True,
                                          district_name=district_name))
    return found


def drop_lone_districts(doc: Doc, mentions: list[MentionCandidate]) -> list[MentionCandidate]:
    """A bare name that a former district also bore ("especially in Dien Chau, Yen Thanh and Quynh
    Luu", "a voter from Dong Da") is read as the district, unless it stands in a list with a
    commune that is no district name ("four communes: An Hoa, An Lao, An Vinh and An Toan")."""
    if not any(m.district_name for m in mentions):
        return mentions
    ordered = sorted(mentions, key=lambda m: (m.start, m.end))
    groups = [0]
    for before, mention in zip(ordered, ordered[1:]):
        groups.append(groups[-1] + (not _list_neighbours(doc, before, mention)))
    communes_in = {group for group, m in zip(groups, ordered) if not m.district_name}
    return [m for group, m in zip(groups, ordered) if not m.district_name or group in communes_in]


def _list_neighbours(doc: Doc, left: MentionCandidate, right: MentionCandidate) -> bool:
    """Two names separated only by commas, "and", or a commune keyword of the first."""
    if right.start < left.end:
        return True
    between = doc[left.end:right.start]
    return len(between) <= 3 and all(t.lower_ in LIST_JOINERS for t in between)


def before_merger(doc: Doc) -> bool:
    """Whether the article is dated before the two-level model (1 July 2025)."""
    published = doc._.provnews_published
    return bool(published) and str(published) < MERGER_DATE


def province_context(doc: Doc, mentions: list[MentionCandidate], rules: RuleSet, gazetteer: Gazetteer) -> list[str]:
    """The newspaper's province and those named in the title and text (`article_provinces`); failing
    those, the province that explains the most commune names. A host that the text does not
    back gives way to a province that explains more of the names: a Ho Chi Minh City paper (or
    a page citing one) reports on Thái Nguyên too."""
    named = text_province_scores(doc_text(doc), rules)
    titled = text_province_scores(doc._.provnews_title or "", rules) + url_province_scores(doc._.provnews_url, rules)
    hosts = host_provinces(doc._.provnews_hosts or [], rules)
    # A title that names a province, when neither title nor text names the paper's own, says
    # what the article is about ("Flash floods in Nghe An ..." in a Ho Chi Minh City paper);
    # otherwise the title counts as the text does.
    unbacked = bool(hosts) and not set(hosts) & (set(named) | set(titled))
    for code, score in titled.items():
        named[code] += TITLE_WEIGHT if unbacked else score
    if named:
        return article_provinces(named, doc._.provnews_hosts or [], rules)
    votes: Counter[str] = Counter()
    # a name inside a longer mention ("Thanh" in "Dong Thanh") is no name of its own
    outer = [m for m in mentions if not any(o.start <= m.start and m.end <= o.end and (o.start, o.end) != (m.start, m.end)
                                            for o in mentions)]
    for name in {fold(doc[m.start:m.end].text) for m in outer}:
        for code in candidate_provinces(name, gazetteer):
            votes[code] += 1
    ranked = votes.most_common(2)
    best = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
    if best is None or (hosts and votes[best] <= votes[hosts[0]]):
        return hosts
    return [best] + [code for code in hosts if code != best]


class CommuneRecognizer:
    """Finds commune mentions, links them, stores them in `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, rules_dir: str, spans_key: str, link_settings: LinkSettings):
        self.rules = cached_rules(rules_dir)
        self.gazetteer = load_gazetteer()
        self.lexicon = CommuneLexicon(self.rules, {p.folded for p in self.gazetteer.provinces.values()},
                                      set(self.gazetteer.province_by_name))
        self.spans_key = spans_key
        self.link_settings = link_settings
        self.links: RecentCache[tuple, Link] = RecentCache(LINKS_KEPT)  # link_mention's answers (a pure function of its arguments)
        self.matcher = WindowedMatcher(nlp.vocab, validate=True)
        self.modes: dict[str, str] = {}
        self.not_commune: set[str] = set()
        self.former: set[str] = set()  # rules whose names are pre-merger units ("merged from A and B")
        for rule in self.rules.for_file("communes", annotations_of(nlp.pipe_names)):
            self.matcher.add(rule.id, [rule.token_pattern()], greedy=rule.option("greedy"))
            self.modes[rule.id] = rule.option("mode", "span")
            if rule.option("former"):
                self.former.add(rule.id)
            if rule.label == "NOT_COMMUNE":
                self.not_commune.add(rule.id)
        self.phrase_matcher = FoldedPhraseMatcher(nlp.vocab)
        self.phrase_matcher.add("UNIT", sorted(self._all_names()), nlp.tokenizer)

    def _all_names(self) -> set[str]:
        names = {u.name.lower() for u in self.gazetteer.units.values()}
        names |= {o.name.lower() for o in self.gazetteer.legacy}
        return {n for n in names if len(n) > 2}

    def __call__(self, doc: Doc) -> Doc:
        found = find_rule_mentions(doc, self.matcher, self.modes, self.lexicon, self.former)
        # NOT_COMMUNE rules name what is something else ("Districts: Hong Bang, Ngo Quyen").
        blocked = {i for m in found if m.rule_id in self.not_commune for i in range(m.start, m.end)}
        mentions = [replace(m, legacy_hint=True) if m.rule_id in self.former else m
                    for m in found if m.rule_id not in self.not_commune]
        provinces = province_context(doc, mentions, self.rules, self.gazetteer)
        doc._.provnews_provinces = provinces
        bare = find_gazetteer_mentions(doc, self.phrase_matcher, self.gazetteer,
                                       provinces[0] if provinces else None, self.lexicon)
        mentions += [m for m in bare if not blocked & set(range(m.start, m.end))]
        mentions = drop_lone_districts(doc, mentions)
        self.set_annotations(doc, self.link(doc, mentions, provinces))
        return doc

    def link(self, doc: Doc, mentions: list[MentionCandidate], provinces: list[str]) -> list[tuple[MentionCandidate, Link]]:
        """Two passes: 2025 names first, then former names, preferring successors named in the article."""
        def resolve(mention: MentionCandidate, context: tuple[str, ...], prefer: frozenset[str]) -> Link:
            text = words.span_text(mention.start, mention.end)
            key = (text, context, mention.division_type, mention.legacy_hint, prefer, old_days)
            link = self.links.get(key)
            if link is None:  # the same names come back article after article: linked once
                link = self.links.put(key, link_mention(text, self.gazetteer, list(context), self.link_settings,
                                                        mention.division_type, mention.legacy_hint, prefer, old_days))
            return link

        def mention_context(mention: MentionCandidate) -> tuple[str, ...]:
            """The article's provinces, after the one the mention names for itself ("Hanoi's Huong
            Son Commune" in a Thái Nguyên story)."""
            last = mention.end - 1
            start, end = words.starts[mention.start], words.starts[last] + len(words.texts[last])
            own = local_province(text_of_doc, start, end, self.rules)
            if own is None or article_context[:1] == (own,):
                return article_context
            return (own,) + tuple(code for code in article_context if code != own)

        words = doc_words(doc)
        text_of_doc = doc_text(doc)
        article_context = tuple(provinces)

        old_days = before_merger(doc)

        contexts = [mention_context(m) for m in mentions]  # read once: both passes use it
        first = [(m, resolve(m, context, frozenset())) for m, context in zip(mentions, contexts)]
        named = frozenset(link.ward_code for _, link in first if link.ward_code)
        linked = []
        for (mention, link), context in zip(first, contexts):
            if link.method == "legacy":
                link = resolve(mention, context, named)
            if mention.needs_gazetteer and (link.method in {"unresolved", "fuzzy"} or link.score == OUT_OF_CONTEXT_SCORE):
                continue  # a list item or bare name only a unit of another province bears: not one here
            linked.append((mention, link))
        return self.agree_with_successors(doc, linked)

    def agree_with_successors(self, doc: Doc, linked: list[tuple[MentionCandidate, Link]]) -> list[tuple[MentionCandidate, Link]]:
        """Names listed with the former units of a merger are former units too: in "merged from
        Hung Linh, Long Xa, Thong Tan and Xuan Lam communes" Xuan Lam is the old commune that went
        into the same new one, not the 2025 Xuan Lam elsewhere in the province."""
        if not doc.has_annotation("SENT_START"):
            return linked
        if not any(link.method == "legacy" and link.becomes_code for _, link in linked):
            return linked  # no former unit named: nothing to agree with (most articles; no sentences read)
        words = doc_words(doc)
        starts = [sentence.start for sentence in doc.sents]  # `token.sent` walks the Doc at each call
        sentence_of = [starts[bisect_right(starts, mention.start) - 1] for mention, _ in linked]
        successors: dict[int, set[str]] = {}
        for sentence, (_, link) in zip(sentence_of, linked):
            if link.method == "legacy" and link.becomes_code:
                successors.setdefault(sentence, set()).add(link.becomes_code)
        if not successors:
            return linked
        agreed = []
        for sentence, (mention, link) in zip(sentence_of, linked):
            merged_into = successors.get(sentence, set())
            if link.method in {"exact", "folded"} and merged_into and link.ward_code not in merged_into:
                key = fold(words.span_text(mention.start, mention.end))
                olds = [o for o in self.gazetteer.legacy_by_name.get(key, ()) if set(o.new_codes) & merged_into]
                link = legacy_link(olds, self.gazetteer, frozenset(merged_into)) or link
            agreed.append((mention, link))
        return agreed

    def set_annotations(self, doc: Doc, linked: list[tuple[MentionCandidate, Link]]) -> None:
        # Rule matches win over bare gazetteer names; among rules, the longest span wins.
        ranked = sorted(linked, key=lambda pair: pair[0].rule_id == GAZETTEER_RULE)
        by_span: dict[tuple[int, int], tuple[MentionCandidate, Link]] = {}
        for mention, link in ranked:
            by_span.setdefault((mention.start, mention.end), (mention, link))
        spans = []
        for (start, end), (mention, link) in by_span.items():
            span = Span(doc, start, end, label="COMMUNE")
            span._.provnews_rule = mention.rule_id
            span._.provnews_link = dict(vars(link))  # a dict: Docs cross process boundaries (asdict copies deep: slow)
            spans.append(span)
        kept = filter_spans(spans)
        doc.spans[self.spans_key] = sorted(kept, key=lambda s: s.start)


@Language.factory(
    "provnews_communes",
    assigns=["doc.spans", "doc._.provnews_provinces"],
    default_config={"rules_dir": None, "spans_key": "communes", **asdict(LinkSettings())},
)
def make_commune_recognizer(nlp: Language, name: str, *, rules_dir: str | None, spans_key: str,
                            fuzzy_threshold: int, candidates: int, fuzzy_unique_threshold: int,
                            fuzzy_unique_min_chars: int) -> CommuneRecognizer:
    from pipeline.settings import default_rules_dir

    link = LinkSettings(fuzzy_threshold, candidates, fuzzy_unique_threshold, fuzzy_unique_min_chars)
    return CommuneRecognizer(nlp, str(rules_dir or default_rules_dir()), spans_key, link)
