"""Where a statement starts and ends in a sentence's text: clauses, lists and the words that
join or cut them. Plain string work on character offsets, so it is tested without a model
(`verbs`, the offsets of tokens the tagger calls verbs, is empty then).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

CLAUSE_END = re.compile(r";|,\s+(?=(?:which|while|but|although|though|so that|namely|whereas|thereby|thanks)\b)"
                        r"|,\s+(?=and\s+(?:the|a|an|its|their|many|some)\b)|,\s+(?=[A-ZĐ])"
                        # "For communes facing difficulties in X, it is necessary to ...": a new clause
                        r"|,\s+(?=(?:it|there)\s+(?:is|are|was|were)\b)"
                        r"|\.\.\.|…|\s[-–]\s")
CONTINUATION = {"especially", "including", "such", "in", "which", "that", "still", "mainly", "particularly",
                "etc", "of", "for", "to", "with", "from", "by", "as", "due"}
LIST_END = {"with", "but", "however", "although", "while", "so", "thereby", "because", "whereas", "thanks"}
LEAD_WORDS = re.compile(r"^(?:and|or|but|to|that|at the same time|in addition|also|however|then|namely|as well as)[,:]?(?:\s+|$)",
                        re.IGNORECASE)
RELATIVE_START = re.compile(r"\s*(?:which|who|that)\b", re.IGNORECASE)
# Reporting participles: ", noting that X" opens what is said next (CLAUSE_OPENER), it does not
# say more of the noun before it as ", including X" does (EXTENDER).
REPORTING_ING = r"noting|saying|adding|stressing|stating|explaining|emphasi[sz]ing"
CLAUSE_OPENER = re.compile(rf"\b(?:said|says|acknowledged|noted|{REPORTING_ING}|stated|shared(?=\s+that|:)|reported|admitted|added|found that|but|while|"
                           r"although|though|whereas|and(?=\s+(?:the|its|their|many|some|most|lack|lacks|lacked|have|has|had|do|does|did|"
                           r"cannot|can|must)\b))\b\s*(?:that\s+)?",
                           re.IGNORECASE)
# "... lacks 12 civil servants and the headquarters is degraded": two clauses.
AND_CLAUSE = re.compile(r"\s+and\s+(?=(?:the|its|their|many|some|most|lack|lacks|lacked|have|has|had|is|are|was|"
                        r"were|do|does|did|cannot|can|must)\b)", re.IGNORECASE)
# Words that open examples of what comes before them ("lacking staff, especially in land").
EXAMPLE_WORDS = r"(?:such as|including|especially|particularly)"
# ", many of whom have to work part-time" says more of the noun before it, as "including" does.
EXTENDER = re.compile(rf",\s+(?!(?:{REPORTING_ING})\b)"
                      r"(?:including|especially|particularly|mainly|with|\w+ing|"
                      r"(?:many|some|most|all|several|half|none) of whom)\b", re.IGNORECASE)
# "lacking 10 officials, including: Head of ..., Head of ...": the colon opens the examples.
EXAMPLES_COLON = re.compile(rf"\b(?:{EXAMPLE_WORDS}|namely)\s*$", re.IGNORECASE)
# A clause that cannot stand alone joins the clause on its left (see join_left).
JOIN_LEFT = re.compile(r"\s*(?:so|thus|therefore|hence)\b(?!\s+(?:that|as)\b)", re.IGNORECASE)
# "X, Y, and Z are limited in area": the list is the subject.
LIST_SUBJECT = re.compile(r"\s*(?:and|or)\s+(?:[\w’'-]+\s+){0,4}?(?:are|is|were|was|have|has|had|do|does|did|"
                          r"remain|remains)\b", re.IGNORECASE)
LIST_SEGMENT_WORDS = 5
# ", ensuring the effective operation of ...": what a proposal is for, not another proposal.
AIM_PARTICIPLES = {"ensuring", "creating", "serving", "helping", "contributing", "enabling", "making", "allowing",
                   "facilitating", "meeting", "avoiding"}
GERUND_OBJECT = re.compile(r"\b(?:on|in|for|of|at|by|about)\s+\w+ing\b", re.IGNORECASE)
PURPOSE = re.compile(r"\s(?:in order |so as )?to\s+", re.IGNORECASE)
# An example list opened inside an item ("such as", "especially in the fields of"): its commas are
# the examples', not the item list's.
EXAMPLES_OPENED = re.compile(rf"\b{EXAMPLE_WORDS}\b", re.IGNORECASE)
# A photo caption is a sentence of the report though it has no full stop ("... - Photo: VGP/LS",
# "(Photos by Minh Hoa)"); its credit is no part of an item. An item can end at the credit's
# colon, so a capitalised "Photo" at the very end is a credit too.
PHOTO_CREDIT = re.compile(r"[(*]?\b(?:Photo|Photos|Photograph|PHOTO|Ảnh)\b\s*(?::|by\b|$)")
# A proposal's piece that lists what is asked for ("..., including the expansion of X road, ...").
EXAMPLES_START = re.compile(r"including[:\s]+", re.IGNORECASE)
PREPOSITIONS = {"on", "in", "at", "by", "for", "with", "to", "from", "of", "about"}
# ... or what a locality asks the level above to attend to ("pay attention to investing in X,
# erosion control, the upgrading of historical sites").
ATTENTION_TO = re.compile(r"\bpay(?:s|ing)?\s+(?:more\s+|special\s+|due\s+)?attention\s+to\s+", re.IGNORECASE)
# Between proposals: a comma, with "and", "and that" or "as well as to" ("opens": these start a
# new proposal whatever follows); " and that" alone. Between noun phrases: a comma, with "and".
VERB_SEPARATORS = re.compile(r",\s+(?:(?P<opens>and\s+that\s+|as\s+well\s+as\s+to\s+)|and\s+|as\s+well\s+as\s+)?"
                             r"|(?P<opens2>\s+and\s+that\s+)")
NOUN_SEPARATORS = re.compile(r",\s+(?:and\s+)?")
AND_JOINT = re.compile(r"\s+and\s+")
WORD_AT = re.compile(r"\s*([\w’'-]+)")
# A reporting verb (or a clause-joining "and") before the clause: what follows is a statement of
# its own, the speaker is not part of it.
REPORTED = re.compile(r"\b(?:said|says|stated|noted|reported|shared|added|acknowledged|admitted|explained|"
                      r"emphasized|emphasised|stressed|affirmed|informed|that|and)\s*$", re.IGNORECASE)
SUBJECTLESS = re.compile(r"\s*(?:is|are|was|were|has|have|had|does|do|did|no longer|can|cannot|could|will|would|"
                         r"remains?|remained)\b", re.IGNORECASE)
OPENING_WORDS = re.compile(r"(?:(?:and|or|but|also|still|there|is|are|was|were)\s+)+", re.IGNORECASE)
SUBORDINATOR = re.compile(r"^\s*(?:though|although|while|whereas|but|and|which|that)\b", re.IGNORECASE)
MAX_JOINS = 3
# An adverbial lead-in belongs to the clause after it.
LEAD_PHRASE = re.compile(r"\s*(?:with|given|due to|because of|owing to)\b", re.IGNORECASE)


@lru_cache(maxsize=None)
def _marks(marks: str) -> re.Pattern[str]:
    """Clause marks among `marks`; a comma or colon between digits is part of a number or a time
    ("2,562 hectares", "10:00"), no mark."""
    plain = re.escape(marks.replace(",", "").replace(":", ""))
    numeric = re.escape("".join(m for m in marks if m in ",:"))
    parts = ([f"[{plain}]"] if plain else []) + ([rf"(?<!\d)[{numeric}]|[{numeric}](?!\d)"] if numeric else [])
    return re.compile("|".join(parts))


def mark_offsets(text: str, start: int, end: int, marks: str = ",;:") -> list[int]:
    """Offsets of the clause marks in [start, end)."""
    return [m.start() for m in _marks(marks).finditer(text, start, end)]


def after_last_mark(text: str, start: int, end: int, marks: str = ",;:") -> int:
    """Where the clause ending at `end` begins: just after the last clause mark in [start, end),
    else at `start`."""
    found = mark_offsets(text, start, end, marks)
    return found[-1] + 1 if found else start


def first_mark(text: str, start: int, end: int, marks: str = ",;:") -> int:
    """The offset of the first clause mark in [start, end), or -1."""
    found = _marks(marks).search(text, start, end)
    return found.start() if found else -1


def trim_item(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past spaces, list punctuation, lead conjunctions, trailing '...' and
    a photo credit."""
    credit = PHOTO_CREDIT.search(text, start, end)
    if credit:
        end = credit.start()
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in ",;:-–•·"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.…-–)(" or text[end - 1] == "\""):
            if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
                break  # the bracket closes one the item opened: "(US$2.5 million)"
            end -= 1
        lead = LEAD_WORDS.match(text[start:end])
        if lead:
            start += lead.end()
        if text[start:end].lower().endswith(" etc"):
            end -= 4
        if (start, end) == before:
            return start, end


def starts_verb(text: str, at: int, end: int, verbs: frozenset[int]) -> bool:
    """Whether the words at `at` begin a verb phrase: a tagged verb, an -ing form, or an
    adverb then one ("effectively implementing")."""
    word = re.match(r"[\w’'-]+", text[at:end])
    if not word:
        return False
    first = word.group(0).lower()
    if at in verbs or (first.endswith("ing") and first not in CONTINUATION):
        return True
    if first.endswith("ly"):
        nxt = re.match(r"\s+", text[at + len(first):end])
        return bool(nxt) and starts_verb(text, at + len(first) + nxt.end(), end, verbs)
    return False


def _purpose_opened(text: str, start: int, end: int, verbs: frozenset[int]) -> bool:
    """Whether a purpose ("to" + a tagged verb) opens after the first words of [start, end): the
    verbs listed after it are the purpose's, not further proposals."""
    for match in PURPOSE.finditer(text, start, end):
        if text[start:match.start()].strip() and match.end() in verbs:
            return True
    return False


def _finite_proposal(text: str, start: int, end: int, verbs: frozenset[int]) -> bool:
    """Whether [start, end) is a proposal told with a base-form verb ("strengthen digital data
    sharing", "the National Assembly direct ..."), not an item of a gerund list: an -ing phrase
    after it is its aim or result."""
    words = list(re.finditer(r"[\w’'-]+", text[start:end]))
    if not words or words[0].group(0).lower().endswith("ing") or words[0].group(0).lower() in {"be", "been"} \
            or GERUND_OBJECT.search(text, start, end):
        return False  # "continue to focus on investing in X, supplementing Y": a gerund list; "[must] be done well"
    return any(start + w.start() in verbs and not w.group(0).lower().endswith("ing") for w in words)


def clause_after_list(text: str, start: int, end: int, clause_marks: frozenset[int]) -> int:
    """Where a list of noun phrases starting at `start` gives way to a clause: the comma before
    the first piece with a subject or a verb with a tense (`clause_marks`, offsets) after its
    first word ("especially the impact of Covid-19, the ward has overcome ..."), else `end`.
    Without a parser nothing is known to open a clause."""
    commas = [at - start for at in mark_offsets(text, start, end, ",")]
    for cut, nxt in zip(commas, commas[1:] + [end - start]):
        piece_start = start + cut + 1
        if RELATIVE_START.match(text, piece_start):
            continue  # ", which has affected ...": says more of the item before it
        first = WORD_AT.match(text, piece_start)
        after_first = first.end() if first else piece_start
        if any(after_first <= at < start + nxt for at in clause_marks):
            return start + cut
    return end


def _split_commas(text: str, start: int, end: int, mode: str, verbs: frozenset[int]) -> list[tuple[int, int]]:
    """Commas (and "and" before a new verb phrase) split items when the next piece starts like
    a new item: a verb phrase for `verbs`, a noun phrase for `nouns`."""
    pieces, last = [], start
    separators = VERB_SEPARATORS if mode == "verbs" else NOUN_SEPARATORS
    for match in separators.finditer(text, start, end):
        cut, nxt = match.start(), match.end()
        word = WORD_AT.match(text, nxt, end)
        first = word.group(1).lower() if word else ""
        if mode == "verbs":
            opens = bool(match.group("opens") or match.group("opens2"))  # "..., and that", "..., as well as to"
            if not first.endswith("ing") and not opens and _purpose_opened(text, last, cut, verbs):
                continue  # "study the boundaries to expand the space, create more room, ...": one purpose
            if first in AIM_PARTICIPLES and _finite_proposal(text, last, cut, verbs):
                continue  # "strengthen data sharing, ensuring the effective operation ...": its aim
            if opens or starts_verb(text, nxt, end, verbs):
                pieces.append((last, cut))
                last = nxt
        elif mode == "nouns":
            if first in LIST_END:
                end = cut
                break
            if EXAMPLES_OPENED.search(text, last, cut):
                continue  # "lacking personnel in fields such as health, education, construction": one item
            if first and first not in CONTINUATION:
                pieces.append((last, cut))
                last = nxt
    pieces.append((last, end))
    return pieces


def _verb_list_items(text: str, start: int, end: int, verbs: frozenset[int]) -> list[tuple[int, int]]:
    """Proposals split at commas, then the last of a gerund list and the examples a piece lists."""
    pieces = _split_commas(text, start, end, "verbs", verbs)
    if len(pieces) > 1:
        pieces[-1:] = _last_gerund_item(text, pieces, verbs)
    return [item for piece in pieces for item in _listed_examples(text, *piece, verbs)]


def _listed_examples(text: str, start: int, end: int, verbs: frozenset[int]) -> list[tuple[int, int]]:
    """A proposal's piece that lists what is asked for gives one item a phrase: opened by
    "including" ("funding for upgrades, including the expansion of X road, resettlement for Y"),
    after "pay attention to" ("the city pay attention to investing in X, erosion control, the
    upgrading of historical sites"), or a list of noun phrases with no verb ("called for clearer
    classification of land purposes, fair land valuation, and support policies for people").
    Bare nouns ("including roads, schools and clinics") stay one item: single words say too
    little to stand alone; a clause after a comma ("..., and on that basis propose ...") is no
    listed thing."""
    opener = EXAMPLES_START.match(text, start, end)
    attention = None if opener else ATTENTION_TO.search(text, start, end)
    if opener:
        list_start = opener.end()
    elif attention:
        list_start = attention.end()
    elif _nominal_list(text, start, end, verbs):
        list_start = start
    else:
        return [(start, end)]
    items = _split_commas(text, list_start, end, "nouns", verbs)
    if any(s in verbs or WORD_AT.match(text, s).group(1).lower() in PREPOSITIONS for s, _ in items[1:]):
        return [(start, end)]
    if not opener:  # "the city pay attention to investing in X": the request's words stay with its first item
        items[0] = (start, items[0][1])
    if len(items) < 2 or any(len(text[s:e].split()) < 2 for s, e in items):
        return [(start, end)]
    return items


def _nominal_list(text: str, start: int, end: int, verbs: frozenset[int]) -> bool:
    """Whether [start, end) begins with a noun phrase list: no verb (tagged, or an -ing word) up to
    its first comma, and a comma to list at. Without a tagger nothing is known to be a verb."""
    comma = first_mark(text, start, end, ",")
    if comma == -1 or not verbs:
        return False
    return not any(start <= at < comma for at in verbs) and not _gerund_start(text, start)


def _last_gerund_item(text: str, pieces: list[tuple[int, int]], verbs: frozenset[int]) -> list[tuple[int, int]]:
    """In a list of -ing phrases joined by commas ("increasing budget investment, upgrading
    infrastructure, promoting staff training and applying electronic storage technology") a bare
    "and" before one more -ing verb joins the list's last item, not the words of one item: the
    first "and" only, after a verb with its object ("upgrading and renovating roads" is one
    item), before a word the tagger calls a verb ("for inter-level and boarding schools" is one)."""
    if not all(_gerund_start(text, s) for s, _ in pieces):
        return pieces[-1:]
    start, end = pieces[-1]
    joint = AND_JOINT.search(text, start, end)
    if joint and joint.end() in verbs and _gerund_start(text, joint.end()) \
            and len(text[start:joint.start()].split()) > 1:
        return [(start, joint.start()), (joint.end(), end)]
    return pieces[-1:]


def _gerund_start(text: str, at: int) -> bool:
    """Whether the word at `at` is an -ing form that can open a proposal ("upgrading roads"),
    not one that continues a phrase ("including", "according")."""
    word = WORD_AT.match(text, at)
    return bool(word) and word.group(1).lower().endswith("ing") and word.group(1).lower() not in CONTINUATION


def split_items(text: str, start: int, end: int, mode: str, verbs: frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """One region → item offsets, by the rule's `split` mode (`verbs` holds the character
    offsets of tokens the tagger calls verbs; empty without a model)."""
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
    if mode == "verbs":
        return [piece for s, e in parts for piece in _verb_list_items(text, s, e, verbs)]
    return [piece for s, e in parts for piece in _split_commas(text, s, e, mode, verbs)]


def clause_bounds(text: str, sent_start: int, sent_end: int, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): between commas/semicolons, after a reporting verb or a
    contrast ("acknowledged many communes lack ...", "... but is short of"), with a relative
    clause joined to what it describes and trailing ", including/with/requiring ..." kept."""
    left = after_last_mark(text, sent_start, start)
    left = _outside_brackets(text, sent_start, left, start)
    if RELATIVE_START.match(text, left) and left > sent_start:
        left = after_last_mark(text, sent_start, left - 1)
    cut = None
    for opener in CLAUSE_OPENER.finditer(text, left, end):  # up to `end`: a lookahead may see the trigger
        if opener.start() < start:
            cut = opener
    if cut is not None:
        left = min(cut.end(), start)
    right = end
    if LEAD_PHRASE.match(text, left):  # "With no official housing available, over 60 staff commute ..."
        following = first_mark(text, end, sent_end, ",;")
        if following != -1 and text[following] == ",":
            right = following + 1
    while True:
        stop = first_mark(text, right, sent_end)
        stops = [stop] if stop != -1 else []
        joined = AND_CLAUSE.search(text, right, sent_end)
        if joined:
            stops.append(joined.start())
        right = min(stops) if stops else sent_end
        if right < sent_end and text[right] == "," and text.count("(", left, right) > text.count(")", left, right):
            close = text.find(")", right, sent_end)  # "2,562 hectares (in Tan Phu, Tan Hoa communes) of rice"
            if close != -1:
                right = close + 1
                continue
        if right < sent_end and text[right] == "," and EXTENDER.match(text, right):
            right += 1
            continue
        if right < sent_end and text[right] == ":" and EXAMPLES_COLON.search(text, left, right):
            semicolon = text.find(";", right, sent_end)  # the examples run to the end of the sentence,
            right = semicolon if semicolon != -1 else sent_end  # or of the list item they belong to
        return left, right


def _outside_brackets(text: str, sent_start: int, left: int, start: int) -> int:
    """A comma inside brackets is no clause boundary: "Students of Dak Plo (Dak Plo commune,
    Quang Ngai) have had to ..." is one clause from "Students"."""
    close = text.find(")", left, start)
    if close == -1 or "(" in text[left:close]:
        return left
    opening = text.rfind("(", sent_start, left)
    if opening == -1:
        return left
    return after_last_mark(text, sent_start, opening)


def join_left(text: str, sent_start: int, left: int, right: int, trigger: int,
              thin: Callable[[str], bool], generic: Callable[[str], bool], dependent: Callable[[int], bool]) -> int:
    """Move a clause's start left over commas while it cannot stand alone: a consequence
    (", causing delays"), a predicate without its subject (", no longer meets the scale"), or a
    thin remark without a subject of its own (", though rather cramped", "but they were not
    complete"). A clause with its own subject or opened by its trigger ("no housing, no offices")
    stays as it is; a generic remark ("some communes still face challenges") stays, to be dropped."""
    for _ in range(MAX_JOINS):
        before = text[sent_start:left].rstrip()
        if not before or before[-1] in ";:" or REPORTED.search(before):
            return left
        clause = text[left:right]
        if LIST_SUBJECT.match(clause):
            return _list_start(text, sent_start, left)
        stripped = clause.lstrip()
        lead = OPENING_WORDS.match(stripped)
        first = left + len(clause) - len(stripped) + (lead.end() if lead else 0)
        remark = SUBORDINATOR.sub("", clause, count=1)
        thin_remark = thin(remark) and trigger > first and dependent(first) and not generic(remark)
        if not (JOIN_LEFT.match(clause) or SUBJECTLESS.match(clause) or thin_remark):
            return left
        left = after_last_mark(text, sent_start, max(sent_start, left - 1))
    return left


def _list_start(text: str, sent_start: int, left: int) -> int:
    """The start of the comma list that ends at `left`: short segments only."""
    while left > sent_start:
        start = after_last_mark(text, sent_start, max(sent_start, left - 1), ",")
        if len(text[start:left].split()) > LIST_SEGMENT_WORDS or ";" in text[start:left]:
            return left
        left = start
    return left


def clause_end(text: str, start: int, sent_end: int) -> int:
    found = CLAUSE_END.search(text, start, sent_end)
    return found.start() if found else sent_end
