"""Small token predicates shared by the rule components."""
from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary, ref

import numpy as np
from spacy.attrs import IDX, ORTH, SPACY
from spacy.tokens import Doc, Token

from pipeline.textnorm import fold


def is_name_token(token: Token) -> bool:
    """A word that can be part of a proper name: Title-case ("Lộc", "A", "H'Mông") or a digit."""
    return is_name_text(token.text)


def is_name_text(text: str) -> bool:
    return bool(text) and (text[0].isupper() and (text.isalpha() or "'" in text or "’" in text)) or text.isdigit()


def starts_sentence(token: Token) -> bool:
    doc = token.doc
    if token.i == 0:
        return True
    if doc.has_annotation("SENT_START"):
        return bool(token.is_sent_start)
    prev = doc[token.i - 1]
    return prev.text in {".", "!", "?", ":", "-", "–", "|"} or "\n" in prev.text or "\n" in prev.whitespace_


@dataclass(frozen=True)
class DocWords:
    """A Doc's text and its tokens as strings, made once per Doc: reading `token.text` builds a
    Token object each time, and the components read every token several times."""

    text: str
    texts: list[str]  # token i's text
    folded: list[str]  # fold(token i's text)
    lowered: list[str]  # token i's `lower_` (its text in lower case)
    starts: list[int]  # token i's character offset
    distinct: list[int]  # the Doc's distinct ORTH ids, ascending
    word_of: np.ndarray  # token i's word: its index in `distinct`

    def span_text(self, start: int, end: int) -> str:
        """`doc[start:end].text`."""
        start, end = max(0, start), min(end, len(self.texts))
        return self.text[self.starts[start]:self.starts[end - 1] + len(self.texts[end - 1])] if end > start else ""


_DOC_WORDS: WeakKeyDictionary[Doc, DocWords] = WeakKeyDictionary()
_LAST: list = [None, None]


def doc_words(doc: Doc) -> DocWords:
    last_doc, words = _LAST
    if last_doc is not None and last_doc() is doc and len(words.texts) == len(doc):  # asked for many times in a row
        return words
    words = _DOC_WORDS.get(doc)
    if words is None or len(words.texts) != len(doc):  # new, or retokenized since
        words = _DOC_WORDS[doc] = _make_words(doc)
    _LAST[:] = [ref(doc), words]
    return words


def _make_words(doc: Doc) -> DocWords:
    """Each distinct word's text looked up and folded once (an article uses each about twice),
    then spread over the tokens by numpy indexing."""
    columns = doc.to_array([ORTH, SPACY, IDX])
    distinct, word_of = np.unique(columns[:, 0], return_inverse=True)
    strings = doc.vocab.strings
    distinct_texts = [strings[orth] for orth in distinct.tolist()]
    texts = np.array(distinct_texts, dtype=object)[word_of].tolist()
    folded = np.array([fold(t) for t in distinct_texts], dtype=object)[word_of].tolist()
    lowered = np.array([t.lower() for t in distinct_texts], dtype=object)[word_of].tolist()
    text = "".join([f"{t} " if space else t for t, space in zip(texts, columns[:, 1].tolist())])
    return DocWords(text, texts, folded, lowered, columns[:, 2].tolist(), distinct.tolist(), word_of)


def doc_text(doc: Doc) -> str:
    """`doc.text`, built once per Doc: spaCy joins every token's text at each call (a quarter of
    a millisecond for an article), and the components ask for it per match."""
    return doc_words(doc).text
