"""The duplicate index: exact copies by `text_hash`, near copies by MinHash LSH (datasketch).

LSH finds the few stored articles whose signatures agree in a whole band with the new one;
each candidate's estimated similarity is then checked against the threshold, and the most
similar one is the article kept.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH

from pipeline.dedupe.minhash import NUM_PERM, lean, similarity


@dataclass(frozen=True)
class Match:
    """The article a new one duplicates, how similar they are (0–1) and why it counts."""

    kept_article_id: str
    similarity: float
    reason: str  # "same text" (same text_hash) or "near copy" (MinHash similarity >= threshold)


class DuplicateIndex:
    """Articles by text hash and by signature; answers 'is this one a copy of a stored one?'."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.by_hash: dict[str, str] = {}
        self.signatures: dict[str, np.ndarray] = {}
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)

    def __len__(self) -> int:
        return len(self.signatures)

    def add_hash(self, article_id: str, text_hash: str) -> None:
        self.by_hash.setdefault(text_hash, article_id)

    def add_signatures(self, article_ids: list[str], matrix: np.ndarray) -> None:
        """Many signatures at once (one row each), as loaded from the tables at start-up."""
        with self.lsh.insertion_session() as session:
            for article_id, hashvalues in zip(article_ids, matrix):
                if article_id not in self.signatures:
                    self.signatures[article_id] = hashvalues
                    session.insert(article_id, lean(hashvalues), check_duplication=False)

    def add(self, article_id: str, text_hash: str, hashvalues: np.ndarray) -> None:
        self.add_hash(article_id, text_hash)
        self.add_signatures([article_id], hashvalues.reshape(1, -1))

    def remove(self, article_id: str, text_hash: str) -> None:
        """Forget an article that did not make it into the tables (its extraction failed)."""
        if self.by_hash.get(text_hash) == article_id:
            del self.by_hash[text_hash]
        if self.signatures.pop(article_id, None) is not None:
            self.lsh.remove(article_id)

    def same_text(self, text_hash: str) -> Match | None:
        kept = self.by_hash.get(text_hash)
        return Match(kept, 1.0, "same text") if kept is not None else None

    def near_copy(self, hashvalues: np.ndarray) -> Match | None:
        """The most similar stored article at or above the threshold, if any."""
        scored = [(similarity(hashvalues, self.signatures[key]), key) for key in self.lsh.query(lean(hashvalues))]
        above = [(-score, key) for score, key in scored if score >= self.threshold]
        if not above:
            return None
        score, key = min(above)  # the most similar; on a tie the smallest id, whatever the query order
        return Match(key, -score, "near copy")
