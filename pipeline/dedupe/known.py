"""What the tables already hold, as the dedupe stage needs it: ids with their text hash, the
duplicate index (loaded from the stored signatures, never rebuilt from every text), and the
duplicates already recorded, so a re-run writes nothing twice.

Start-up reads two columns of `articles` (article_id, text_hash), the `_minhash` state and
the duplicates' sources: no article text, except once for articles stored without a signature
(tables written before signatures were kept), whose signatures then go into the next commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline import commits
from pipeline.dedupe.index import DuplicateIndex, Match
from pipeline.dedupe.minhash import signature
from pipeline.records import Article, DuplicateRecord
from pipeline.tables import read_columns, read_signatures, scan_columns


@dataclass(frozen=True)
class Verdict:
    """What to do with a cleaned article: `new` (keep it), `known` (in the tables from an
    earlier run), `collision` (another text under its id) or `duplicate` (see `copy`)."""

    kind: str
    copy: DuplicateRecord | None = None


class KnownArticles:
    """The articles kept so far (earlier runs and this one) and the copies recorded."""

    def __init__(self, threshold: float) -> None:
        self.ids: dict[str, str] = {}  # article_id -> text_hash
        self.this_run: set[str] = set()
        self.index = DuplicateIndex(threshold)
        self.unstored: dict[str, np.ndarray] = {}  # signatures not committed yet
        self.recorded: set[tuple[str, str]] = set()  # (source, kept_article_id) of duplicates rows

    def see(self, article: Article) -> Verdict:
        """Classify an article; a new one is remembered (and so are its words)."""
        stored_hash = self.ids.get(article.article_id)
        if stored_hash is not None:
            if stored_hash != article.text_hash:
                return Verdict("collision")
            if article.article_id not in self.this_run:
                return Verdict("known")
            return Verdict("duplicate", self._copy(article, Match(article.article_id, 1.0, "same record")))
        match = self.index.same_text(article.text_hash)
        hashvalues = None
        if match is None:  # cleaned with its signature (by a worker), or an Article made elsewhere
            hashvalues = article.signature if article.signature is not None else signature(article.text)
        if hashvalues is not None:
            match = self.index.near_copy(hashvalues)
        if match is not None:
            return Verdict("duplicate", self._copy(article, match))
        self.ids[article.article_id] = article.text_hash
        self.this_run.add(article.article_id)
        self.index.add(article.article_id, article.text_hash, hashvalues)
        self.unstored[article.article_id] = hashvalues
        return Verdict("new")

    def _copy(self, article: Article, match: Match) -> DuplicateRecord:
        return DuplicateRecord(article.source, article.url, article.article_id, match.kept_article_id,
                               round(match.similarity, 4), match.reason)

    def record_copy(self, copy: DuplicateRecord) -> bool:
        """Note this copy for the duplicates table: True when it is new there."""
        key = (copy.source, copy.kept_article_id)
        if key in self.recorded:
            return False
        self.recorded.add(key)
        return True

    def forget(self, article: Article) -> None:
        """An article that will not be in the tables (its extraction failed) keeps nothing."""
        if article.article_id in self.this_run:
            del self.ids[article.article_id]
            self.this_run.discard(article.article_id)
            self.index.remove(article.article_id, article.text_hash)
            self.unstored.pop(article.article_id, None)

    def signature_rows(self, article_ids: list[str]) -> list[dict]:
        """`_minhash` rows to commit with these articles, and any signature made again at start-up."""
        rows = []
        for article_id in [*article_ids, *(i for i in self.unstored if i not in self.this_run)]:
            hashvalues = self.unstored.pop(article_id, None)
            if hashvalues is not None:
                rows.append({"article_id": article_id, "signature": hashvalues})
        return rows

    @property
    def has_unstored_signatures(self) -> bool:
        return any(i not in self.this_run for i in self.unstored)


def load_known(out: Path, snapshot: commits.Snapshot, threshold: float) -> KnownArticles:
    """The committed articles' ids, hashes and signatures, and the recorded duplicates."""
    known = KnownArticles(threshold)
    for batch in scan_columns(out, "articles", ["article_id", "text_hash"], snapshot):
        for article_id, text_hash in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
            known.ids[article_id] = text_hash
            known.index.add_hash(article_id, text_hash)
    for article_ids, matrix in read_signatures(out, snapshot):
        known.index.add_signatures(article_ids, matrix)
    unsigned = {article_id for article_id in known.ids if article_id not in known.index}
    if unsigned:  # stored before signatures were kept, or with other MinHash settings: sign them once
        for batch in scan_columns(out, "articles", ["article_id", "text"], snapshot):
            for article_id, text in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
                if article_id in unsigned:
                    hashvalues = signature(text)
                    known.index.add_signatures([article_id], hashvalues.reshape(1, -1))
                    known.unstored[article_id] = hashvalues
    recorded = read_columns(out, "duplicates", ["source", "kept_article_id"], snapshot).to_pydict()
    known.recorded = set(zip(recorded["source"], recorded["kept_article_id"]))
    return known
