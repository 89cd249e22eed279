"""Difficulties, recommendations and directions: trigger rules (rules/<label>.yaml) mark a
sentence region, which is split into one item per problem or proposal.

Results: `doc.spans["difficulties"|"recommendations"|"directions"]`, one span per item.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.components.clauses import (PHOTO_CREDIT, clause_after_list, clause_bounds, clause_end, first_mark,
                                         join_left, split_items, starts_verb, trim_item)
from pipeline.components.matching import WindowedMatcher
from pipeline.components.officials import person_of
from pipeline.components.tokens import doc_text, doc_words
from pipeline.rules import Rule, RuleSet, annotations_of, cached_rules
from pipeline.textnorm import FUNCTION_WORDS, dice, fold, name_key, word_alternation

LABEL_FILES = {"RECOMMENDATION": "recommendations", "DIRECTION": "directions", "DIFFICULTY": "difficulties"}
PRIORITY = ("RECOMMENDATION", "DIRECTION", "DIFFICULTY")  # who claims a sentence region first
MIN_CONTENT_WORDS = 2
RESTATED_AT = 0.5  # content-word Dice above which a later item restates an earlier one
VERB_TAGS = {"VB", "VBG"}  # base form and gerund: how proposals and instructions begin
# What opens or goes on with a noun phrase: by the tagger's tags, else by these function words.
NOUN_PHRASE_TAGS = {"DT", "PDT", "PRP", "PRP$", "NN", "NNS", "NNP", "NNPS", "CD", "WDT", "WP", "IN", "CC", "POS"}
NOUN_PHRASE_WORDS = {"the", "a", "an", "this", "these", "its", "their", "and", "or", "of", "in", "at", "on", "for",
                     ",", "'s", "’s"}
FINITE_TAGS = {"VBD", "VBZ", "VBP", "MD"}  # a verb with a tense: a clause, not a noun phrase
ADDRESSEE_CLOSERS = {"to", "should", "would", "will", "could", "must", "can", "shall"}
CANCEL_WINDOW = 4
NEGATIONS = {"not", "yet", "never", "n't", "n’t"}
WORD = re.compile(r"[\w’']+")
QUOTE_REACH = 3  # words between a quotation mark and a trigger for it to be a quoted term
OPEN_QUOTES = {'"', "“", "‘"}
CLOSE_QUOTES = {'"', "”", "’"}
HYPHENS = {"-", "‐", "‑"}
OTHER_PARTY = {"with", "before", "toward", "towards"}  # "talks with the Chairman": whom the speaker addresses
PRONOUN_REACH = 3  # sentences back to find who "he"/"she"/"they" is
SUBJECT_DEPS = {"nsubj", "nsubjpass"}  # a subject: a clause of its own
# The tags a pronoun's earlier subject must have to be whom it stands for ("voters ...; they").
PRONOUN_NUMBER = {"they": {"NNS", "NNPS"}, "he": {"NN", "NNP"}, "she": {"NN", "NNP"}}
ADDRESSEE_REACH = 6  # words between a request verb and the "to" of its addressee
CLAUSE_PUNCT = {",", ";", ":", ".", "!", "?"}
REMEDY_PREPOSITIONS = {"to", "for", "of", "in"}
COPULAS = {"is", "are", "was", "were", "remain", "remains", "remained", "be", "been"}  # verbs without a tagger
# An item ending on one of these was cut before its verb ("the ward was | requested to").
AUXILIARIES = frozenset({"was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "will", "would",
                         "shall", "should", "can", "could", "may", "might", "must"})
HEADLINE_WORDS = 25
# A clause opened by one of these has no subject of its own (the tagger's view, or these words without a model).
DEPENDENT_TAGS = {"PRP", "RB", "JJ", "IN", "RBR", "JJR"}
DEPENDENT_WORDS = {"they", "it", "he", "she", "though", "although", "while", "which", "rather", "very", "quite",
                   "still", "even", "yet", "also"}
THIN_CLAUSE = 3  # fewer content words than this: a remark, not a statement on its own


@dataclass(frozen=True)
class Item:
    start: int  # character offsets into doc.text
    end: int
    rule_id: str
    label: str


def quoted(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens [start, end) sit inside a short quotation ("bottlenecks", “Three lacks”)."""
    opening = next((doc[i] for i in range(start - 1, max(-1, start - 1 - QUOTE_REACH), -1)
                    if doc[i].text in OPEN_QUOTES), None)
    if opening is None:
        return False
    closing = next((doc[i] for i in range(end, min(len(doc), end + QUOTE_REACH)) if doc[i].text in CLOSE_QUOTES), None)
    inner = doc[opening.i + 1: closing.i] if closing is not None else None
    return inner is not None and not any(t.is_punct for t in inner)


def speaker_in(words: list[str], leader: set[str], local: set[str]) -> str | None:
    """The kind of the last speaker word: "Chairman of Hoa Binh Ward People's Committee" is local.
    Words in a phrase of the other party, up to its punctuation ("During her discussion with the
    Chairman, a resident said ..."), name whom the speaker talks to, not the speaker."""
    kind = None
    other_party = False
    for word in words:
        if word in OTHER_PARTY:
            other_party = True
        elif other_party:
            other_party = bool(word)  # folded punctuation is empty: the phrase ends
        elif word in leader:
            kind = "leader"
        elif word in local:
            kind = "local"
    return kind


def _subject_of(doc: Doc, at: int) -> tuple[int, int] | None:
    """Token span of the subject of the verb at token `at` (or of the verb it is coordinated
    with: "... and recommended that"), by the dependency parse; None without one."""
    if at >= len(doc) or not doc.has_annotation("DEP"):
        return None
    verb = doc[at]
    for _ in range(3):
        subjects = [child for child in verb.children if child.dep_ in SUBJECT_DEPS]
        if subjects:
            return subjects[0].left_edge.i, subjects[0].right_edge.i + 1
        if verb.dep_ not in {"conj", "xcomp", "advcl"} or verb.head is verb:
            return None
        verb = verb.head
    return None


def _has_subject(sentence: Span) -> bool:
    """Whether the parse gives the sentence's main verb, or its first word, a subject: then it is
    no imperative. False without a parse."""
    first = sentence[0]
    return any(child.dep_ in SUBJECT_DEPS for child in sentence.root.children) or \
        any(token.dep_ in SUBJECT_DEPS for token in (first, *first.ancestors))


def _unquoted_words(tokens: Span) -> list[str]:
    """Folded words outside quotations: a quoted remark ("I went down to the village, the
    comrades said ...") tells what someone said, not who is speaking now."""
    words, inside = [], False
    for token in tokens:
        text = token.text
        if text in OPEN_QUOTES | CLOSE_QUOTES:
            attached = token.i > 0 and not token.doc[token.i - 1].whitespace_  # 'asleep"' closes
            closing = text in CLOSE_QUOTES and (text != '"' or attached)
            if closing and not inside:
                words = []  # the quote opened in an earlier sentence: all so far was quoted
            inside = not closing
            continue
        if not inside:
            words.append(fold(text))
    return words if not inside else [fold(t.text) for t in tokens]  # an unclosed quote: take all


def _is_dependent(doc: Doc, at: int) -> bool:
    token = doc.char_span(at, at + 1, alignment_mode="expand")
    if token is None or not len(token):
        return False
    first = token[0]
    return first.tag_ in DEPENDENT_TAGS if first.tag_ else first.lower_ in DEPENDENT_WORDS


def verb_offsets(sentence: Span, tags: set[str]) -> frozenset[int]:
    """Character offsets of the sentence's tokens tagged as one of `tags` (none without a tagger)."""
    return frozenset(t.idx for t in sentence if t.tag_ in tags)


def noun_phrase_follows(doc: Doc, end: int) -> bool:
    """Whether the word after a match opens or goes on with a noun phrase, so that the match
    did not reach a verb: "directed the dissemination of the Resolution to | cadres" used "to"
    as a preposition, "requested that the Party Committee | and the political system ..." is
    still naming who. By the tag (adverbs and adjectives pass: the tagger reads "to urgently
    complete" and "to complete" so), else, without a tagger, by the function words."""
    if end >= len(doc):
        return False
    if doc.has_annotation("TAG"):
        return doc[end].tag_ in NOUN_PHRASE_TAGS
    return doc[end].lower_ in NOUN_PHRASE_WORDS


def verb_missing_after(doc: Doc, end: int, rule: Rule) -> bool:
    """A `followed_by_verb` rule's match that a noun phrase follows: it did not reach a verb."""
    return bool(rule.option("followed_by_verb")) and noun_phrase_follows(doc, end)


def clause_offsets(sentence: Span) -> frozenset[int]:
    """Character offsets of the tokens that show a clause: a subject, a verb with a tense or an
    auxiliary ("have proactively overcome", which the tagger may call VB); none without a parser."""
    return frozenset(t.idx for t in sentence
                     if t.dep_ in SUBJECT_DEPS or t.tag_ in FINITE_TAGS or (t.dep_ and t.lower_ in AUXILIARIES))


def _in_name(doc: Doc, start: int) -> bool:
    """A trigger written with a capital after a capitalised word, inside a sentence, is part of a
    name: "Quang Minh Tuan Company Limited", "Mr. Hoang Van Thin", "the Poor Credit Department"."""
    if start == 0 or doc[start].is_sent_start or not doc[start].text[:1].isupper():
        return False
    before = doc[start - 1]
    return before.text[:1].isupper() and before.is_alpha and not before.is_sent_start


def _person_words(text: str, start: int, end: int) -> set[str]:
    """The words of text[start:end] as written, contractions split ("I’m" gives "I")."""
    return {part for word in WORD.findall(text, start, end) for part in re.split(r"[’']", word) if part}


def _token_word(token: Token) -> str:
    """A token as the rules' word lists hold it (folded when loaded): folded, or as written for
    punctuation ("-")."""
    return fold(token.text) or token.text


def context_cancels(doc: Doc, start: int, end: int, rule: Rule) -> bool:
    """The rule's `not_preceded_by` word right before the match, or `not_followed_by` word right
    after it ("the proposed agenda", "flooded areas"). The word before a hyphen joined to the
    match is the word before it ("anti-flooding": "anti")."""
    before = rule.option("not_preceded_by")
    if before and start > 0:
        previous = start - 1
        if previous > 0 and doc[previous].text in HYPHENS and not doc[previous].whitespace_ \
                and not doc[previous - 1].whitespace_:
            previous -= 1
        if _token_word(doc[previous]) in before:
            return True
    after = rule.option("not_followed_by")
    return bool(after) and end < len(doc) and _token_word(doc[end]) in after


def _negated_after(doc: Doc, i: int) -> bool:
    """Whether a negation follows word i: "could not be processed" reports what failed, where
    "can cause landslides" only says what may happen."""
    return i + 1 < len(doc) and doc[i + 1].lower_ in NEGATIONS


def _acts_on(doc: Doc, remedy: int, trigger: int) -> bool:
    """Whether the trigger is in what a remedy noun acts on ("offers support to landslide-affected
    residents", "correction of errors"): a preposition right after the noun, and no verb between
    it and the trigger. "Support for residents remains limited" reports a problem of the support."""
    if remedy + 1 >= trigger or doc[remedy + 1].lower_ not in REMEDY_PREPOSITIONS:
        return False
    return not any(token.pos_ in ("VERB", "AUX") or token.lower_ in COPULAS for token in doc[remedy + 2:trigger])


def _person_key(span: Span) -> str:
    return name_key(person_of(span))


def is_headline(text: str, sentence: Span) -> bool:
    """A short line without a full stop, on a line of its own: a headline or caption, whose
    words come again in the body."""
    raw = text[sentence.start_char:sentence.end_char]  # `sentence.text` rebuilds it from Tokens
    body = raw.strip()
    # The last line is not a headline: truncated articles stop mid-sentence.
    line_end = (raw.rstrip(" ").endswith("\n")
                or text[sentence.end_char:sentence.end_char + 3].lstrip(" ").startswith("\n"))
    return (line_end and len(body.split()) <= HEADLINE_WORDS and not PHOTO_CREDIT.search(body)
            and not body.endswith((".", "!", "?", ":", ";", "\"", "”", "…")))


def is_question(text: str, sentence: Span) -> bool:
    """A question ("Would the reception of documents be delayed?") asks whether there is a
    problem; it states none."""
    return text[sentence.start_char:sentence.end_char].rstrip(" \n\"”’'").endswith("?")


class StatementRecognizer:
    def __init__(self, nlp: Language, rules_dir: str):
        self.rules: RuleSet = cached_rules(rules_dir)
        self.by_id: dict[str, Rule] = {}
        self.matcher = WindowedMatcher(nlp.vocab, validate=True)
        annotations = annotations_of(nlp.pipe_names)  # rules reading what the pipeline lacks stay out
        for stem in LABEL_FILES.values():
            for rule in self.rules.for_file(stem, annotations):
                self.matcher.add(rule.id, [rule.token_pattern()], greedy=rule.option("greedy"))
                self.by_id[rule.id] = rule
        self.cancel = {stem: {fold(w) for w in self.rules.lexicon(stem, "cancel_before", [])} for stem in LABEL_FILES.values()}
        self.cancel_next = {stem: {fold(w) for w in self.rules.lexicon(stem, "cancel_just_before", [])}
                            for stem in LABEL_FILES.values()}
        self.hypothetical = {stem: {fold(w) for w in self.rules.lexicon(stem, "hypothetical_words", [])}
                             for stem in LABEL_FILES.values()}
        self.remedies = {stem: {fold(w) for w in self.rules.lexicon(stem, "remedy_nouns", [])}
                         for stem in LABEL_FILES.values()}
        self.cancel_after = {stem: [fold(w) for w in self.rules.lexicon(stem, "cancel_just_after", [])]
                             for stem in LABEL_FILES.values()}
        # tokens after a trigger to read: the longest phrase, with room for punctuation ("near-poor")
        self.after_reach = {stem: 2 * max((len(p.split()) for p in phrases), default=0)
                            for stem, phrases in self.cancel_after.items()}
        self.generic = {stem: {fold(w) for w in self.rules.lexicon(stem, "generic_words", [])} for stem in LABEL_FILES.values()}
        self.not_start = {stem: [fold(w).split() for w in self.rules.lexicon(stem, "not_item_start", [])]
                          for stem in LABEL_FILES.values()}
        self.frames = {stem: word_alternation(self.rules.lexicon(stem, "frame_patterns", []), escape=False,
                                              flags=re.IGNORECASE) for stem in LABEL_FILES.values()}
        self.concessive = {stem: [fold(w).split() for w in self.rules.lexicon(stem, "concessive_openers", [])]
                           for stem in LABEL_FILES.values()}
        self.circumstance = {stem: {fold(w) for w in self.rules.lexicon(stem, "circumstance_openers", [])}
                             for stem in LABEL_FILES.values()}
        self.tallies = {stem: word_alternation(self.rules.lexicon(stem, "tally_patterns", []), escape=False,
                                               flags=re.IGNORECASE) for stem in LABEL_FILES.values()}
        self.responders = {stem: [fold(w).split() for w in self.rules.lexicon(stem, "responder_openers", [])]
                           for stem in LABEL_FILES.values()}
        self.settled = {stem: [fold(w).split() for w in self.rules.lexicon(stem, "settled_phrases", [])]
                        for stem in LABEL_FILES.values()}
        self.first_person = {stem: set(self.rules.lexicon(stem, "first_person_words", [])) for stem in LABEL_FILES.values()}
        self.speakers = {kind: {fold(w) for w in self.rules.lexicon("recommendations", f"{kind}_words", [])}
                         for kind in ("leader", "local")}
        self.pronouns = {fold(w) for w in self.rules.lexicon("recommendations", "pronouns", [])}
        self.lower_addressees = {fold(w) for w in self.rules.lexicon("recommendations", "lower_addressees", [])}
        central = self.rules.lexicon("recommendations", "central_addressees", [])
        # an entry written with a capital counts only so written ("the Government", not a
        # commune's "the government"); the others in any case
        self.central_addressees = {fold(w) for w in central if not w[:1].isupper()}
        self.central_names = {w for w in central if w[:1].isupper()}
        self.own_level = {fold(w) for w in self.rules.lexicon("recommendations", "own_level_words", [])}
        self.central_speakers = {fold(w) for w in self.rules.lexicon("recommendations", "central_speakers", [])}
        self.locality_subjects = {fold(w) for w in self.rules.lexicon("recommendations", "locality_subjects", [])}

    def _content_words(self, text: str, stem: str) -> list[str]:
        """Words that say what the problem or proposal is: not generic, not a function word, not
        a name after the first word ("Representatives of Hiep Phuoc commune raised difficulties
        in implementing the model" names no problem)."""
        words = [w for i, raw in enumerate(text.split()) if not (i and raw[:1].isupper()) for w in fold(raw).split()]
        return [w for w in words if w not in self.generic[stem] and w not in FUNCTION_WORDS and len(w) > 2]

    def _settled(self, words: list[str], stem: str) -> bool:
        """The item says the problem is gone or shrinking ("many bottlenecks have been gradually
        resolved", "poor households decreased by 24", "have not encountered significant
        obstacles"), unless a negation turns it back ("have not been resolved")."""
        for phrase in self.settled[stem]:
            size = len(phrase)
            if size and phrase[0] not in words:
                continue  # most phrases are absent: one scan in C instead of a slice per word
            for i in range(len(words) - size + 1):
                if words[i:i + size] == phrase and not NEGATIONS & set(words[max(0, i - 2):i]):
                    return True
        return False

    def _cancelled(self, doc: Doc, start: int, end: int, rule: Rule) -> bool:
        """A cancelling word just before the trigger ("overcome difficulties"), a phrase right
        after it that makes it a name for a group ("poor households"), or a trigger in scare
        quotes (the term "bottlenecks", the “Three lacks”): a word mentioned, not a problem
        stated. A list that follows ("reported difficulties such as: ...") is never cancelled."""
        stem = LABEL_FILES[rule.label]
        words = doc_words(doc)  # token texts and folds, not Token objects
        if start > 0 and words.folded[start - 1] in self.cancel_next[stem]:
            return True
        if _in_name(doc, start):
            return True
        if context_cancels(doc, start, end, rule):
            return True
        if self.cancel_after[stem]:
            following = fold(words.span_text(end, end + self.after_reach[stem]))
            if any(following == phrase or following.startswith(phrase + " ") for phrase in self.cancel_after[stem]):
                return True
        if rule.option("mode", "after") == "after":
            return False
        if quoted(doc, start, end):
            return True
        for i in range(start - 1, max(0, start - CANCEL_WINDOW) - 1, -1):
            text, word = words.texts[i], words.folded[i]
            if text in CLAUSE_PUNCT:  # a cancelling word reaches no further than its own clause
                return False
            if word in self.cancel[stem] or text in self.cancel[stem]:
                return True
            if word in self.hypothetical[stem] and not _negated_after(doc, i):
                return True
            if word in self.remedies[stem] and _acts_on(doc, i, start):
                return True
        return False

    def _speaker_rejects(self, doc: Doc, sentence: Span, start: int, end: int, rule: Rule,
                         people: list[tuple[int, str | None]]) -> bool:
        """Who speaks decides the label: a locality's request is a recommendation, the same
        words from a visiting leader are a direction (rules/recommendations.yaml lexicons)."""
        if rule.label == "RECOMMENDATION" and self._addressed_down(doc, sentence, end):
            return True
        wanted = rule.option("speaker", "not_leader" if rule.label == "RECOMMENDATION" else "any")
        if wanted in ("any", "previous"):  # "previous": checked against the sentence before (find_items)
            return False
        if wanted == "not_leader" and self._addressed_up(doc, start, end) \
                and not self._central_speaker(doc, sentence, start):
            return False
        speaker = self._speaker(doc, sentence, start, people)
        return speaker == "leader" if wanted == "not_leader" else speaker != "local"

    def _central_speaker(self, doc: Doc, sentence: Span, start: int) -> bool:
        """Whether a central leader asks ("Deputy Prime Minister X requested the Ministry of
        Agriculture to ..."): to a ministry, that is an instruction. The subject of the request
        verb when the parser gives one, else the words of the sentence before the trigger."""
        subject = _subject_of(doc, start)
        left, right = subject if subject else (sentence.start, start)
        return bool({fold(t.text) for t in doc[left:right]} & self.central_speakers)

    def _addressed_up(self, doc: Doc, start: int, end: int) -> bool:
        """The trigger names a central addressee ("proposed that the Ministry of Agriculture"):
        a province asking the centre makes a recommendation, whoever speaks for it."""
        words = {fold(token.text) for token in doc[start:end]}
        central = words & self.central_addressees or {t.text for t in doc[start:end]} & self.central_names
        return bool(central) and not words & self.own_level

    def _addressed_down(self, doc: Doc, sentence: Span, end: int) -> bool:
        """"requested Cam Duong ward to assess ...", "asked localities to ...": whoever asks a
        commune or ward to act speaks from above it, so this is an instruction."""
        for token in doc[end: min(end + ADDRESSEE_REACH, sentence.end)]:
            if token.lower_ == "to":
                return any(fold(t.text) in self.lower_addressees for t in doc[end:token.i])
            if token.is_punct:
                return False
        return False

    def _office_kind(self, titles: list[str]) -> str | None:
        """A person with an office in a commune or ward speaks for the locality ("Muong Khuong
        Commune Party Secretary"); one with only higher offices is a leader."""
        words = [set(fold(title).split()) for title in titles]
        if any(title & self.speakers["local"] for title in words):
            return "local"
        return "leader" if any(title & self.speakers["leader"] for title in words) else None

    def _people(self, doc: Doc) -> list[tuple[int, str | None]]:
        """Each official mention's first token and the kind of office of the person, from all
        his mentions ("Mr. Tuan" later on has the titles given with the full name): once a Doc."""
        officials = list(doc.spans.get("officials", []))
        titles: dict[str, list[str]] = {}
        for person in officials:
            titles.setdefault(_person_key(person), []).extend((person._.provnews_info or {}).get("titles", []))
        kinds = {key: self._office_kind(offices) for key, offices in titles.items()}
        return [(person.start, kinds[_person_key(person)]) for person in officials]

    def _speaker(self, doc: Doc, sentence: Span, start: int, people: list[tuple[int, str | None]]) -> str | None:
        """'leader' or 'local': the grammatical subject of the request verb when the parser gives
        one ("Regarding the Ward Party Congress, Mr. Kien requested ...": Mr. Kien speaks, not the
        ward); else the office of the last official named before the trigger, else the last
        speaker word; a pronoun subject ("She suggested ...") takes the speaker of an earlier
        clause of its sentence ("voters were concerned ...; they requested"), else of the
        sentences before it."""
        for _ in range(PRONOUN_REACH + 1):
            subject = _subject_of(doc, start)
            if subject is None:
                break
            left, right = subject
            if right - left == 1 and fold(doc[left].text) in self.pronouns:
                earlier = [kind for first, kind in people if sentence.start <= first < left]
                if earlier:  # "Mr. Ngoc praised ...; at the same time, he requested ..."
                    return earlier[-1]
                kind = self._earlier_subject_kind(doc, sentence, left)
                if kind:  # "voters were concerned about ...; they requested that ..."
                    return kind
                if sentence.start == 0:
                    return None
                sentence = doc[sentence.start - 1].sent
                start = sentence.root.i  # where that sentence's subject hangs
                continue
            named = [kind for first, kind in people if left <= first < right]
            if named:
                return named[-1]
            words = _unquoted_words(doc[left:right])
            if words and set(words) <= self.locality_subjects:
                return "local"
            if self._named_locality(doc[left:right]):
                return "local"
            return speaker_in(words, self.speakers["leader"], self.speakers["local"])
        return self._speaker_by_words(doc, sentence, min(start, sentence.end), people)

    def _earlier_subject_kind(self, doc: Doc, sentence: Span, pronoun: int) -> str | None:
        """The speaker kind of the nearest earlier subject of the pronoun's sentence that agrees
        with it in number ("voters" for "they", not "the provincial chairman" of a clause between),
        leaving out subjects of relative clauses ("rhetoric that exploits ..."); None when that
        subject names no speaker (the sentences before decide then)."""
        wanted = PRONOUN_NUMBER.get(doc[pronoun].lower_)
        for subject in reversed(doc[sentence.start:pronoun]):
            if subject.dep_ not in SUBJECT_DEPS or subject.head.dep_ == "relcl":
                continue
            if wanted is not None and subject.tag_ not in wanted:
                continue
            words = _unquoted_words(doc[subject.left_edge.i:min(subject.right_edge.i + 1, pronoun)])
            return speaker_in(words, self.speakers["leader"], self.speakers["local"])
        return None

    def _named_locality(self, subject: Span) -> bool:
        """"Quang Tri province", "Thu Dau Mot city": a named province or city (its name's words
        capitalised, then a locality word) asks the level above, as "the city" does."""
        common = {fold(t.text) for t in subject if not t.is_punct and (t.lower_ == "the" or not t.text[:1].isupper())}
        named = any(t.text[:1].isupper() and t.lower_ != "the" for t in subject)
        return named and common <= self.locality_subjects and bool(common - {"the"})

    def _speaker_by_words(self, doc: Doc, sentence: Span, start: int, people: list[tuple[int, str | None]]) -> str | None:
        """Without a parse: the office of the last official named before the trigger, else the
        last speaker word; a pronoun takes the speaker of the sentences before."""
        for _ in range(PRONOUN_REACH + 1):
            words = _unquoted_words(doc[sentence.start:start])
            named = [kind for first, kind in people if sentence.start <= first < start]
            found = named[-1] if named else None
            found = found or speaker_in(words, self.speakers["leader"], self.speakers["local"])
            if found or not self.pronouns & set(words) or sentence.start == 0:
                return found
            sentence = doc[sentence.start - 1].sent
            start = sentence.end
        return None

    def find_items(self, doc: Doc) -> list[Item]:
        by_sentence: dict[int, list[tuple[Rule, int, int]]] = {}
        people = self._people(doc)
        sentences = list(doc.sents)  # `token.sent` walks the Doc to find its sentence each time
        starts = [sentence.start for sentence in sentences]
        for match_id, start, end in sorted(self.matcher(doc), key=lambda m: (m[1], m[2])):
            rule = self.by_id[doc.vocab.strings[match_id]]
            sentence = sentences[bisect_right(starts, start) - 1]
            if not self._cancelled(doc, start, end, rule) and \
                    not self._speaker_rejects(doc, sentence, start, end, rule, people) and \
                    not verb_missing_after(doc, end, rule):
                if not is_headline(doc_text(doc), sentence) and not is_question(doc_text(doc), sentence):
                    by_sentence.setdefault(sentence.start, []).append((rule, start, end))
        items: list[Item] = []
        previous: tuple[int, set[str]] = (-2, set())  # the last sentence with matches, and its labels
        for sent_start, matches in by_sentence.items():  # in text order
            index = bisect_right(starts, sent_start) - 1
            sentence = sentences[index]
            follows = previous[1] if previous[0] == index - 1 else set()
            matches = [m for m in matches if m[0].option("speaker") != "previous"
                       or (m[0].label in follows and self._goes_on_with_verb(doc, sentence, m[0], m[2]))]
            found = self._sentence_items(doc, sentence, matches)
            previous = (index, {item.label for item in found})
            items += found
        return self._without_restatements(doc_text(doc), items)

    @staticmethod
    def _goes_on_with_verb(doc: Doc, sentence: Span, rule: Rule, end: int) -> bool:
        """A rule with `speaker: previous` reads a sentence that goes on with the statement before
        it ("... proposed that the Ministry open training courses. At the same time, promptly
        issue national standards ..."): it must open with a verb, having no subject of its own.
        A `from_match` rule's words are that verb ("Strengthen coordination ..."), and the model
        often tags a sentence's first word wrong ("Focus" as a noun): its words decide, unless the
        parse shows a subject there or for the sentence ("Support from the province reached ...",
        "Research shows that ...")."""
        if rule.option("mode") == "from_match":
            return not _has_subject(sentence)
        if end >= sentence.end:
            return False
        return starts_verb(doc_text(doc), doc[end].idx, sentence.end_char,
                           verb_offsets(sentence, VERB_TAGS | {"VBP"}))  # "promptly issue": VBP

    def _without_restatements(self, text: str, items: list[Item]) -> list[Item]:
        """Articles restate a problem (lead, body, quote): keep its first statement only. Numbers
        count here ("short of 15 personnel" / "lacks 15 staff members")."""
        kept: list[tuple[Item, set[str]]] = []
        for item in sorted(items, key=lambda i: i.start):
            words = {w for w in fold(text[item.start:item.end]).split() if w not in FUNCTION_WORDS}
            if any(other.label == item.label and dice(words, seen) >= RESTATED_AT for other, seen in kept):
                continue
            kept.append((item, words))
        return [item for item, _ in kept]

    def _regions(self, doc: Doc, sentence: Span, rule: Rule, start: int, end: int,
                 cap: int, clauses: frozenset[int] | None) -> list[tuple[int, int]]:
        """Where the statement of a match lies, best guess first: a clause joined to its subject,
        else the clause alone (when the joined one would swallow a neighbouring statement).
        `clauses`: the sentence's `clause_offsets` (None without a tagger: no list end is known)."""
        text = doc_text(doc)
        s_char, e_char = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
        mode = rule.option("mode", "after")
        if mode == "after":
            end_char = sentence.end_char
            if rule.option("ends_at_clause") or self._opens_concession(text, sentence, s_char, rule):
                # "despite difficulties, especially X, Y, the ward has ..."
                end_char = clause_after_list(text, e_char, end_char, clauses or frozenset())
            regions = [(e_char, end_char)]
        elif mode == "from_match":
            regions = [(s_char, clause_end(text, e_char, sentence.end_char))]
        else:
            left, right = clause_bounds(text, sentence.start_char, sentence.end_char, s_char, e_char)
            stem = LABEL_FILES[rule.label]
            joined = join_left(text, sentence.start_char, left, right, s_char,
                               thin=lambda clause: len(self._content_words(clause, stem)) < THIN_CLAUSE,
                               generic=lambda clause: not self._content_words(clause, stem),
                               dependent=lambda at: _is_dependent(doc, at))
            regions = [(joined, right), (left, right)] if joined != left else [(left, right)]
        return [(a, min(b, max(cap, e_char))) for a, b in regions]

    @staticmethod
    def _names_addressee(doc: Doc, sentence: Span, rule: Rule, end: int) -> bool:
        """A request whose trigger ends at its addressee, with the asked-for action right after
        ("hoped the Party and State will | continue training officials"): the item starts after
        it, where a shorter trigger from the same word ("hoped") would take the addressee in.
        Not "requested provincial | approval", where the last word belongs to what is asked."""
        if rule.label != "RECOMMENDATION" or end >= sentence.end:
            return False
        return doc[end - 1].lower_ in ADDRESSEE_CLOSERS or starts_verb(
            doc_text(doc), doc[end].idx, sentence.end_char, verb_offsets(sentence, VERB_TAGS | {"VBP"}))

    def _sentence_items(self, doc: Doc, sentence: Span, matches: list[tuple[Rule, int, int]]) -> list[Item]:
        """Recommendations claim their regions first, then directions, then difficulties: a trigger
        inside a claimed region is part of that statement; a region stops at a stronger trigger."""
        text = doc_text(doc)
        verbs = verb_offsets(sentence, VERB_TAGS)
        clauses = clause_offsets(sentence) if doc.has_annotation("TAG") else None
        claimed: list[tuple[int, int]] = []
        items: list[Item] = []
        for rank, label in enumerate(PRIORITY):
            stronger = [doc[s].idx for r, s, _ in matches if PRIORITY.index(r.label) < rank]
            stem = LABEL_FILES[label]
            regions: list[tuple[int, int]] = []
            used_rules: set[str] = set()
            seen: set[tuple[int, int]] = set()
            # Lists and spans first, then single clauses; of two requests read from the same word,
            # the one that names the addressee first (_names_addressee).
            ordered = sorted((m for m in matches if m[0].label == label),
                             key=lambda m: (m[0].option("mode", "after") == "clause", m[1],
                                            -m[2] if self._names_addressee(doc, sentence, m[0], m[2]) else 0))
            for rule, start, end in ordered:
                s_char = doc[start].idx
                mode = rule.option("mode", "after")
                if any(a <= s_char < b for a, b in claimed + regions) or (mode != "clause" and rule.id in used_rules):
                    continue
                if mode == "clause" and any(a > s_char and first_mark(text, s_char, a, ",;") == -1 for a, _ in claimed):
                    continue  # "those whose expertise is not yet suitable need to study": one instruction
                cap = min((i for i in stronger if i > s_char), default=sentence.end_char)
                free = [r for r in self._regions(doc, sentence, rule, start, end, cap, clauses)
                        if not any(a < r[1] and r[0] < b for a, b in regions)]
                if not free:
                    continue
                region = free[0]
                found = [item for item in self._region_items(text, region, rule, stem, verbs, clauses)
                         if (item.start, item.end) not in seen]
                if not found:
                    continue  # nothing concrete here: leave the region to weaker statements
                used_rules.add(rule.id)
                # The trigger and the items belong to the statement; what follows the last item
                # (", citing degraded facilities") is left to weaker statements, and so is, in a
                # list of problems, what lies between its items (a piece cut at ", while the
                # staff is still thin"). A proposal keeps its gaps: the reasons given with it
                # ("..., saying it is cramped, and ...") are no problems of their own.
                if label == "DIFFICULTY":
                    first = min(found, key=lambda item: item.start)
                    regions.append((min(s_char, region[0]), max(first.end, s_char + 1)))
                    regions += [(item.start, item.end) for item in found]
                else:
                    regions.append((min(s_char, region[0]), max(max(item.end for item in found), s_char + 1)))
                seen |= {(item.start, item.end) for item in found}
                items += found
            claimed += regions
        return items

    def _opens_concession(self, text: str, sentence: Span, s_char: int, rule: Rule) -> bool:
        """The sentence opens with a concession ("Despite facing challenges such as ..., the
        commune's leadership remained steadfast"): its list ends where the main clause begins."""
        words = fold(text[sentence.start_char:s_char]).split()
        return any(words[:len(lead)] == lead for lead in self.concessive[LABEL_FILES[rule.label]])

    def _responder_acts(self, words: list[str], stem: str) -> bool:
        """The item's subject is a responder (`responder_openers`) and nothing in it is negated:
        it tells what was done about a problem ("local authorities mobilized forces to evacuate
        households"), not what is wrong ("authorities have not yet been able to ...")."""
        subject = words[1:] if words[0] == "the" else words
        return not NEGATIONS & set(words) and any(subject[:len(lead)] == lead for lead in self.responders[stem])

    def _region_items(self, text: str, region: tuple[int, int], rule: Rule, stem: str,
                      verbs: frozenset[int], clauses: frozenset[int] | None) -> list[Item]:
        """The region split by the rule's `split`, trimmed, without generic or non-items.
        `clauses`: where the sentence shows a clause (None without a tagger, which cannot tell)."""
        minimum = 1 if rule.option("split") == "nouns" else MIN_CONTENT_WORDS
        items = []
        for piece in split_items(text, *region, rule.option("split", "semicolons"), verbs):
            s, e = trim_item(text, *piece)
            opening = s + len(text[s:e]) - len(text[s:e].lstrip("\"“‘'"))
            frame = self.frames[stem].match(text, opening, e)
            if frame and frame.end() < e:  # "The biggest difficulty is that X": the item is X
                s = frame.end()
            words = fold(text[s:e]).split()
            if not words or any(words[:len(lead)] == lead for lead in self.not_start[stem]):
                continue
            if self._settled(words, stem) or self.first_person[stem] & _person_words(text, s, e):
                continue
            if clauses is not None and words[0] in self.circumstance[stem] and not any(s < c < e for c in clauses):
                continue  # "In a dilapidated house", "After a rather arduous journey": no clause, a circumstance
            if self.tallies[stem].match(text, opening, e):
                continue  # "The total damage is estimated at about 300 billion VND": a sum
            if self._responder_acts(words, stem):
                continue  # "the authorities had to barricade and warn of danger": a response
            if words[-1] in AUXILIARIES:  # cut before its verb by a stronger statement
                continue
            if len(self._content_words(text[s:e], stem)) >= minimum:
                items.append(Item(s, e, rule.id, rule.label))
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
