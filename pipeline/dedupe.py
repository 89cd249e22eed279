"""Duplicate articles: the same story from two sites or two formats is kept once.

Exact copies share `text_hash`. Near copies (an HTML page whose extraction adds a headline or
a caption line) share most of their paragraphs: an article whose long paragraphs are mostly
paragraphs of one earlier article is a duplicate of it.
"""
from __future__ import annotations

import hashlib
from collections import Counter

from pipeline.textnorm import fold

MIN_PARAGRAPH_CHARS = 60
SHARED_FRACTION = 0.8


def paragraph_keys(text: str) -> list[int]:
    keys = []
    for line in text.split("\n"):
        folded = fold(line)
        if len(folded) >= MIN_PARAGRAPH_CHARS:
            keys.append(int.from_bytes(hashlib.blake2b(folded.encode(), digest_size=8).digest(), "big"))
    return keys


class DuplicateIndex:
    """Remembers articles by text hash and by paragraph; answers 'is this one seen already?'."""

    def __init__(self) -> None:
        self.by_hash: dict[str, str] = {}
        self.by_paragraph: dict[int, str] = {}

    def add(self, article_id: str, text_hash: str, text: str) -> None:
        self.by_hash.setdefault(text_hash, article_id)
        for key in paragraph_keys(text):
            self.by_paragraph.setdefault(key, article_id)

    def duplicate_of(self, text_hash: str, text: str) -> tuple[str, str] | None:
        """(earlier article id, why) when this text was seen already."""
        if text_hash in self.by_hash:
            return self.by_hash[text_hash], "same text"
        keys = paragraph_keys(text)
        if not keys:
            return None
        owners = Counter(self.by_paragraph[k] for k in keys if k in self.by_paragraph)
        if owners:
            owner, shared = owners.most_common(1)[0]
            if shared >= SHARED_FRACTION * len(keys):
                return owner, f"{shared} of its {len(keys)} paragraphs"
        return None
