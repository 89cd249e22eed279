"""spaCy's Matcher, run only on the stretches of a Doc where a match can start.

spaCy's Matcher starts every pattern at every token: about 0.15 µs per token and pattern, so
the 45 rule patterns cost more than the tokenizer on every article, although a trigger word
("lack", "requested", "commune") occurs on a few tokens only. `WindowedMatcher` looks up, per
word (once per word of the vocabulary), which patterns could start on it; runs the same spaCy
Matcher on each stretch from such a token to the furthest token a match from there could reach;
and filters greedy rules over the whole Doc as spaCy does. The matches, and their order, are
those of `spacy.matcher.Matcher` on the whole Doc (tests/test_matching.py compares them).

Only lexical token attributes (ORTH/TEXT, LOWER, LENGTH, the IS_*/LIKE_* flags) are used to
rule a token out; any other attribute (IS_SENT_START, TAG, `_` …) counts as "may match", so a
pattern using them is only slower, never wrong.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

import numpy as np
from spacy.attrs import NORM
from spacy.lexeme import Lexeme
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.components.tokens import doc_words
from pipeline.memo import RecentCache
from pipeline.textnorm import CACHE_ENTRIES, fold_chars

Match = tuple[int, int, int]
UNBOUNDED = 1 << 30
MAX_MATCHERS = 4096  # Matchers kept for sets of patterns met together
MAX_WORDS = CACHE_ENTRIES  # words whose specs (and folds) are remembered, per generation (`RecentCache`)
LEXICAL_FLAGS = frozenset({
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP",
    "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL",
})
STRING_ATTRS = {"ORTH": "orth_", "TEXT": "orth_", "LOWER": "lower_"}


@dataclass(frozen=True)
class _WordTest:
    """One lexical condition of a token spec, tested on a vocabulary entry (picklable)."""

    attribute: str  # a Lexeme attribute: orth_, lower_, is_title …
    op: str  # ==, IN, NOT_IN, REGEX, LENGTH
    argument: Any

    def __call__(self, lexeme: Lexeme) -> bool:
        if self.op == "LENGTH":
            return len(lexeme.orth_) == self.argument
        value = getattr(lexeme, self.attribute)
        if self.op == "==":
            return value == self.argument
        if self.op == "IN":
            return value in self.argument
        if self.op == "NOT_IN":
            return value not in self.argument
        return re.search(self.argument, value) is not None


def _word_test(attribute: str, value: Any) -> _WordTest | None:
    """A test that is False only where the Matcher's own test is False; None when the test
    needs more than the word (then any token may satisfy it)."""
    if attribute in STRING_ATTRS:
        name = STRING_ATTRS[attribute]
        if isinstance(value, str):
            return _WordTest(name, "==", value)
        if isinstance(value, dict) and len(value) == 1:
            (op, argument), = value.items()
            strings = isinstance(argument, list) and all(isinstance(v, str) for v in argument)
            if op in ("IN", "NOT_IN") and strings:
                return _WordTest(name, op, frozenset(argument))
            if op == "REGEX" and isinstance(argument, str):
                return _WordTest(name, op, argument)
        return None
    if attribute in LEXICAL_FLAGS and isinstance(value, bool):
        return _WordTest(attribute.lower(), "==", value)
    if attribute == "LENGTH" and isinstance(value, int) and not isinstance(value, bool):
        return _WordTest("orth_", "LENGTH", value)
    return None


class _SpecIndex:
    """Which token specs a word may satisfy. A spec is an AND of word conditions; a word's
    conditions come from indexes (the word → the IN lists that hold it), not one test each."""

    def __init__(self) -> None:
        self._conditions: dict[tuple[str, str, Any], int] = {}
        self._equal: dict[tuple[str, str], int] = {}  # (attribute, word) → its == and IN conditions
        self._not_in: dict[tuple[str, str], int] = {}  # (attribute, word) → NOT_IN conditions it fails
        self._not_in_all: dict[str, int] = {}  # attribute → all its NOT_IN conditions
        self._tested: list[tuple[int, _WordTest]] = []  # flags, lengths, regexes: tested one by one
        self._specs: dict[str, tuple[int, int]] = {}  # spec → (its bit, the conditions it needs)
        self._by_conditions: dict[int, int] = {}  # conditions a word meets → the specs it may satisfy

    def _condition(self, test: _WordTest) -> int:
        key = (test.attribute, test.op, test.argument)
        if key in self._conditions:
            return self._conditions[key]
        bit = self._conditions[key] = 1 << len(self._conditions)
        if test.op in ("==", "IN") and test.attribute in ("orth_", "lower_") :
            for word in ([test.argument] if test.op == "==" else test.argument):
                self._equal[(test.attribute, word)] = self._equal.get((test.attribute, word), 0) | bit
        elif test.op == "NOT_IN":
            self._not_in_all[test.attribute] = self._not_in_all.get(test.attribute, 0) | bit
            for word in test.argument:
                self._not_in[(test.attribute, word)] = self._not_in.get((test.attribute, word), 0) | bit
        else:
            self._tested.append((bit, test))
        return bit

    def bit_of(self, spec: dict[str, Any]) -> int:
        """The bit of a token spec (its OP aside) in the masks `classify` returns."""
        key = repr(sorted((k, v) for k, v in spec.items() if k != "OP"))
        if key not in self._specs:
            needs = 0
            for attribute, value in spec.items():
                test = _word_test(attribute, value) if attribute != "OP" else None
                if test is not None:
                    needs |= self._condition(test)
            self._specs[key] = (1 << len(self._specs), needs)
            self._by_conditions.clear()
        return self._specs[key][0]

    def classify(self, lexeme: Lexeme) -> int:
        """The specs this word may satisfy, as a bit mask."""
        found = 0
        for attribute, word in (("orth_", lexeme.orth_), ("lower_", lexeme.lower_)):
            found |= self._equal.get((attribute, word), 0)
            found |= self._not_in_all.get(attribute, 0) & ~self._not_in.get((attribute, word), 0)
        for bit, test in self._tested:
            if test(lexeme):
                found |= bit
        # Most words meet the same few conditions (none, or a flag): specs worked out once per set.
        specs = self._by_conditions.get(found)
        if specs is None:
            specs = self._by_conditions[found] = sum(bit for bit, needs in self._specs.values() if found & needs == needs)
        return specs


def _repeats(op: str | None) -> tuple[int, int] | None:
    """(least, most) tokens a token spec consumes, as spaCy reads its OP; None for "!"."""
    if op is None or op == "1":
        return 1, 1
    fixed = {"?": (0, 1), "*": (0, UNBOUNDED), "+": (1, UNBOUNDED)}
    if op in fixed:
        return fixed[op]
    if op.startswith("{") and op.endswith("}"):
        inner = op[1:-1] if "," in op else f"{op[1:-1]},{op[1:-1]}"
        low, high = inner.split(",")
        return int(low or 0), int(high) if high else UNBOUNDED
    return None


class _Plan:
    """A pattern as steps (least, most, spec bit): enough to tell where its matches can lie."""

    def __init__(self, key: str, pattern: list[dict[str, Any]], bit_of: Callable[[dict[str, Any]], int]):
        self.key = key
        self.pattern = pattern
        specs = [{str(k).upper(): v for k, v in spec.items()} for spec in pattern]
        self.steps: list[tuple[int, int, int]] = []
        self.windowed = True
        for spec in specs:
            repeats = _repeats(spec.get("OP"))
            if repeats is None:
                self.windowed = False  # "!" (a negated token): run this pattern over the whole Doc
                return
            self.steps.append((*repeats, bit_of(spec)))
        if not self.steps or self.steps[0][0] == 0:
            self.windowed = False  # an optional first token: a match can start anywhere
        # The specs some token must satisfy: a Doc without a word for one of them has no match.
        self.needs = reduce(or_, (bit for least, _, bit in self.steps if least >= 1), 0)
        self.start_bit = self.steps[0][2] if self.windowed else 0
        # The leading one-token steps ("the", "need", "for") are tested in place by `reach`: most
        # starts on a common word end there, without the sets of positions the other steps need.
        lead = 0
        while lead < len(self.steps) and self.steps[lead][:2] == (1, 1):
            lead += 1
        self.lead = [bit for _, _, bit in self.steps[:lead]]
        self.rest = self.steps[lead:]
        # A quick test before `reach`: the last required token must be within its distance
        # ("Loc Binh commune": a "commune" at most 7 tokens on), or no match starts here.
        self.check: tuple[int, int, int] | None = None
        low = high = 0
        for i, (least, most, bit) in enumerate(self.steps):
            if i and least >= 1 and high < UNBOUNDED:
                self.check = (low, high + 1, bit)
            low, high = low + least, min(UNBOUNDED, high + most)

    def reach(self, start: int, masks: list[int], length: int) -> int | None:
        """An end past every match that starts at `start`, or None when none can: the pattern
        run over what each token may satisfy (the positions after each step, a small set)."""
        for offset, bit in enumerate(self.lead):
            if start + offset >= length or not masks[start + offset] & bit:
                return None
        if self.check is not None:
            low, high, bit = self.check
            for mask in masks[start + low:start + high]:  # a loop, not any(): no generator per call
                if mask & bit:
                    break
            else:
                return None
        positions = {start + len(self.lead)}
        for least, most, bit in self.rest:
            if least == most == 1:  # most steps: one token
                positions = {p + 1 for p in positions if p < length and masks[p] & bit}
                if not positions:
                    return None
                continue
            following: set[int] = set()
            for position in positions:
                if least == 0:
                    following.add(position)
                taken = 0
                while taken < most and position + taken < length and masks[position + taken] & bit:
                    taken += 1
                    if taken >= least:
                        following.add(position + taken)
            if not following:
                return None
            positions = following
        return max(positions)


class WindowedMatcher:
    """`add` and `__call__` as spaCy's Matcher (token patterns, `greedy`), faster on long Docs."""

    def __init__(self, vocab: Vocab, validate: bool = True):
        self.vocab = vocab
        self.validate = validate
        self._greedy: dict[int, str] = {}
        self._plans: list[_Plan] = []
        self._specs = _SpecIndex()
        self._words: RecentCache[int, tuple[int, tuple[int, ...]]] = RecentCache(MAX_WORDS)  # orth → (spec mask, patterns it can start)
        self._matchers: dict[frozenset[int], Matcher] = {}
        self._everywhere: frozenset[int] = frozenset()  # patterns run over the whole Doc
        self._starts: dict[int, tuple[int, ...]] = {}  # spec mask → the patterns a word with it can start

    def __len__(self) -> int:
        return len({plan.key for plan in self._plans})

    def add(self, key: str, patterns: list[list[dict[str, Any]]], *, greedy: str | None = None) -> None:
        Matcher(self.vocab, validate=self.validate).add(key, patterns)  # spaCy's own checks and errors
        if greedy is not None:
            if greedy not in ("FIRST", "LONGEST"):
                raise ValueError(f"greedy must be FIRST or LONGEST, got {greedy!r}")
            self._greedy[self.vocab.strings.add(key)] = greedy
        for pattern in patterns:
            self._plans.append(_Plan(key, pattern, self._specs.bit_of))
        self._everywhere = frozenset(i for i, plan in enumerate(self._plans) if not plan.windowed)
        self._words.clear()
        self._matchers.clear()
        self._starts.clear()

    def _word(self, orth: int) -> tuple[int, tuple[int, ...]]:
        found = self._words.get(orth)
        if found is None:
            mask = self._specs.classify(self.vocab[orth])
            starts = self._starts.get(mask)
            if starts is None:
                starts = self._starts[mask] = tuple(i for i, plan in enumerate(self._plans)
                                                    if plan.windowed and mask & plan.start_bit)
            found = self._words.put(orth, (mask, starts))
        return found

    def _entries(self, orths: list[int]) -> list[tuple[int, tuple[int, ...]]]:
        """`_word` of each word; the current generation's dict read in one pass (`map`), the
        few words not in it worked out or brought back one by one."""
        entries = list(map(self._words.current.get, orths))
        for k in [k for k, entry in enumerate(entries) if entry is None]:
            entries[k] = self._word(orths[k])
        return entries

    def _matcher(self, patterns: frozenset[int]) -> Matcher:
        """A spaCy Matcher with these patterns in the order they were added (which fixes the
        order of its matches), without greedy filters."""
        matcher = self._matchers.get(patterns)
        if matcher is None:
            if len(self._matchers) >= MAX_MATCHERS:
                self._matchers.clear()
            matcher = self._matchers[patterns] = Matcher(self.vocab, validate=False)
            for i in sorted(patterns):
                matcher.add(self._plans[i].key, [self._plans[i].pattern])
        return matcher

    def regions(self, doc: Doc) -> list[tuple[int, int, frozenset[int]]]:
        """Stretches [start, end) of the Doc with the patterns that can match there: every match
        of the whole Doc lies in one of them."""
        length = len(doc)
        if not length:
            return []
        if self._everywhere:
            return [(0, length, frozenset(range(len(self._plans))))]
        # Each distinct word of the Doc looked up once; then only the tokens a pattern can start on.
        words = doc_words(doc)  # the distinct words, found once per Doc for every matcher
        entries = self._entries(words.distinct)
        starting = np.fromiter((bool(starts) for _, starts in entries), dtype=bool, count=len(entries))[words.word_of]
        if not starting.any():
            return []
        # Patterns needing a word the Doc lacks ("special" of "X Special Zone") are not tried at
        # each of their starts (a third of the starts tried: most fail).
        present = reduce(or_, (mask for mask, _ in entries), 0)
        possible = [plan.needs & present == plan.needs for plan in self._plans]
        word_of = words.word_of.tolist()
        masks = [entries[k][0] for k in word_of]
        regions: list[tuple[int, int, set[int]]] = []
        for i in np.flatnonzero(starting).tolist():
            for p in entries[word_of[i]][1]:
                end = self._plans[p].reach(i, masks, length) if possible[p] else None
                if end is None:
                    continue
                if regions and i <= regions[-1][1]:
                    start, last, patterns = regions[-1]
                    patterns.add(p)
                    regions[-1] = (start, max(last, end), patterns)
                else:
                    regions.append((i, end, {p}))
        return [(start, end, frozenset(patterns)) for start, end, patterns in regions]

    def __call__(self, doc: Doc) -> list[Match]:
        found: list[Match] = []
        for start, end, patterns in self.regions(doc):
            span = doc[start:end] if start or end < len(doc) else doc
            found += [(key, start + s, start + e) for key, s, e in self._matcher(patterns)(span)]
        return self._filtered(found, len(doc))

    def _filtered(self, found: list[Match], length: int) -> list[Match]:
        """spaCy's greedy filter (matcher.pyx): other keys first in order found, then per greedy
        key in order of first appearance, the non-overlapping matches by FIRST or LONGEST."""
        if not self._greedy:
            return found
        final: list[Match] = []
        pairs: dict[int, list[tuple[int, int]]] = {}
        for key, start, end in found:
            if key in self._greedy:
                pairs.setdefault(key, []).append((start, end))
            else:
                final.append((key, start, end))
        taken = bytearray(length)
        for key, spans in pairs.items():
            taken[:] = bytes(length)
            if self._greedy[key] == "FIRST":
                ordered = sorted(spans, key=lambda x: (x[0], -x[1]))
            else:
                ordered = sorted(spans, key=lambda x: (x[1] - x[0], -x[0]), reverse=True)
            for start, end in ordered:
                if not any(taken[start:end]):
                    final.append((key, start, end))
                    taken[start:end] = b"\x01" * (end - start)
        return final


class FoldedPhraseMatcher:
    """spaCy's PhraseMatcher over folded words (no diacritics, lower case): "Loc Binh", "Lộc
    Bình" and "LOC BINH" all match the phrase "lộc bình". Each token's folded form goes into
    its NORM for the time of the match (then the NORMs are put back): no twin Doc to build."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self._matcher = PhraseMatcher(vocab, attr="NORM")
        self._folded: RecentCache[int, int] = RecentCache(MAX_WORDS)  # orth → its folded form's string id

    def add(self, key: str, phrases: list[str], tokenizer: Tokenizer) -> None:
        """A phrase goes in as the string ids of its tokens (a phrase is folded already: its
        tokens are their own folded form), not as a Doc: the tokenizer splits each stretch
        between spaces on its own, so each distinct word is tokenized once for every phrase
        that holds it (the 7,062 gazetteer names share about a sixth as many words), and no
        Doc is made: building the Docs took about 0.4 s of every start."""
        strings = self.vocab.strings
        split: dict[str, list[int]] = {}

        def tokens(word: str) -> list[int]:
            ids = split.get(word)
            if ids is None:
                ids = split[word] = [strings.add(t.text) for t in tokenizer(word)]
            return ids

        keywords = []
        for phrase in sorted({fold_chars(p) for p in phrases}):
            words = phrase.split(" ")
            if all(w and not any(c.isspace() for c in w) for w in words):
                keywords.append([i for w in words for i in tokens(w)])
            else:  # runs of spaces or other white space: the tokenizer makes tokens of them too
                keywords.append([strings.add(t.text) for t in tokenizer(phrase)])
        self._matcher.add(key, keywords)

    def _fold(self, orth: int) -> int:
        folded = self._folded.get(orth)
        if folded is None:
            strings = self.vocab.strings
            folded = self._folded.put(orth, strings.add(fold_chars(strings[orth])))
        return folded

    def __call__(self, doc: Doc) -> list[Match]:
        if not len(doc):
            return []
        words = doc_words(doc)  # each distinct word folded once, then spread over its tokens
        known = self._folded.current
        folded = [known.get(orth) or self._fold(orth) for orth in words.distinct]
        norms = doc.to_array(NORM)
        doc.from_array([NORM], np.array(folded, dtype=np.uint64)[words.word_of])
        try:
            return self._matcher(doc)
        finally:
            doc.from_array([NORM], norms)
