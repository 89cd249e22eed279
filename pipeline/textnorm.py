"""Text folding shared by every stage: one definition, so linking, rules and scoring agree."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Stripped from the front of a person's name key. Fixed here, not read from rules/: the key is
# how the tables and the gold files are matched, so it must not change with a rule edit.
HONORIFICS = frozenset({"comrade", "comrades", "mr", "mrs", "ms", "miss", "dr", "madam", "mister", "sir"})
# English function words: not content when items are compared (as in the reference scorer).
FUNCTION_WORDS = frozenset(
    "a an the of to in on at for from by with and or but as is are was were be been being that this "
    "these those it its their there which who whom whose into than then so such not no some any "
    "all each other more most also still has have had do does did will would should can could may "
    "might must need needs".split()
)
_WORD = re.compile(r"[a-z0-9]+")
# One spelling per honorific in the tables, whatever case, stop or plural the article used
# ("comrade", "Comrades", "MR" are "Comrade", "Comrade", "Mr."): counting by honorific must work.
CANONICAL_HONORIFICS = {"comrade": "Comrade", "comrades": "Comrade", "mr": "Mr.", "mister": "Mr.", "mrs": "Mrs.",
                        "ms": "Ms.", "miss": "Miss", "dr": "Dr.", "madam": "Madam", "sir": "Sir"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0]
    return base.lower() if len(base.lower()) == 1 else char.lower()[:1] or char


class _FoldTable(dict):
    """str.translate table filled on first sight of each character: folding runs in C."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()
_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def fold_chars(text: str) -> str:
    """Lower case without diacritics, one output character per input character.

    Keeping the length lets a match in the folded string be used as offsets into the
    original text (for NFC text, which is what the cleaner produces). ASCII characters fold
    to their lower case, so ASCII stretches go through `str.lower` (4x faster than the table).
    """
    if text.isascii():
        return text.lower()
    return "".join(run.lower() if run.isascii() else run.translate(_FOLD_TABLE) for run in _RUNS.findall(text))


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d, only letters/digits separated by single spaces.

    The same definition as the reference scorer, so keys computed here match its keys.
    """
    if text.isalnum() and text.isascii():  # most tokens ("commune", "2025"): the word in lower case
        return text.lower()
    if len(text) <= SHORT:
        return _fold_short(text)
    return _fold(text)


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(fold_chars(nfc(text))))


# Entries every per-word cache of the pipeline keeps (folds, matcher specs, commune links):
# small enough to be full within the first thousand articles, so peak memory does not grow with
# the run (at 65,536 these caches were still growing, by tens of MB, 10,000 articles in).
CACHE_ENTRIES = 1 << 13
# Words and short names are folded again and again (every token a rule looks at): remembered.
SHORT = 40
_fold_short = lru_cache(maxsize=CACHE_ENTRIES)(_fold)


NEVER = re.compile(r"(?!)")


def word_alternation(alternatives: list[str], *, escape: bool = True, flags: int = 0) -> re.Pattern[str]:
    """One regex for a list of words or patterns, matched as whole words; an empty list gives a
    regex that never matches (not one that matches everywhere)."""
    if not alternatives:
        return NEVER
    parts = [re.escape(a) if escape else f"(?:{a})" for a in alternatives]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", flags)


def dice(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    """Overlap of two word sets (0..1): how restatements and gold matches are judged."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def name_key(name: str) -> str:
    """Folded person name without leading honorifics: the key officials are counted by."""
    words = fold(name).split()
    while words and words[0] in HONORIFICS:
        words = words[1:]
    return " ".join(words)


def canonical_honorific(honorific: str | None) -> str | None:
    """The table's spelling of an honorific; one outside the list gets a capital first letter."""
    if not honorific or not honorific.strip():
        return None
    written = honorific.strip()
    return CANONICAL_HONORIFICS.get(fold(written), written[:1].upper() + written[1:])
