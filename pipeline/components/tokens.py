"""Small token predicates shared by the rule components."""
from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.textnorm import fold_chars

TEXT_KEY = "provnews_text"


def is_name_token(token: Token) -> bool:
    """A word that can be part of a proper name: Title-case ("Lộc", "A", "H'Mông") or a digit."""
    text = token.text
    return bool(text) and (text[0].isupper() and (text.isalpha() or "'" in text or "’" in text)) or text.isdigit()


def starts_sentence(token: Token) -> bool:
    doc = token.doc
    if token.i == 0:
        return True
    if doc.has_annotation("SENT_START"):
        return bool(token.is_sent_start)
    prev = doc[token.i - 1]
    return prev.text in {".", "!", "?", ":", "-", "–", "|"} or "\n" in prev.text or "\n" in prev.whitespace_


def doc_text(doc: Doc) -> str:
    """`doc.text`, built once per Doc: spaCy joins every token's text at each call (a quarter of
    a millisecond for an article), and the components ask for it per match."""
    text = doc.user_data.get(TEXT_KEY)
    end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if not isinstance(text, str) or len(text) != end:  # not yet built, or another Doc's
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def folded_doc(doc: Doc) -> Doc:
    """A twin Doc with the same tokens, folded (no diacritics, lower case): token i ↔ token i."""
    words = [fold_chars(t.text) for t in doc]
    return Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
