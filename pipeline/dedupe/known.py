"""What the tables already hold, as the dedupe stage needs it: ids with their text hash, the
duplicate index (loaded from the stored signatures, never rebuilt from every text), and the
duplicates already recorded, so a re-run writes nothing twice.

Start-up reads the hash and signature columns of `_minhash` (numbers only: no id, no text) and
the duplicates' sources. `articles` (article_id, text_hash) is read too only when some committed article
has no signature stored with its hashes (parts written by older versions: such a folder keeps
this slower start, as nothing rewrites committed parts), and texts only once, for articles stored
without a signature at all, whose signatures then go into the next commit. The fast path relies
on what every commit keeps true: `_minhash` holds signatures of committed articles only, so
as many distinct signed ids as `articles` rows means every article is signed.
With each signature is stored the `clean.raw_hash` of the input its article was made from:
the engines' workers are given these once (`held`), and an input met again unchanged is not
cleaned again (a `HeldRecord`, counted as already in the tables).
Of the committed articles it keeps hashes and band keys, not ids, texts' hashes or signatures
(`index.py`): a committed part is read again only when one of its articles is a candidate or
an exact copy (its ids alone, then).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from pipeline import commits
from pipeline.dedupe.hashed import HashedSet, HashTable, SortedHashes, batch_rows, stable_hash, stable_hashes
from pipeline.dedupe.index import DuplicateIndex, IdReader, Match, PartReader
from pipeline.dedupe.minhash import signature
from pipeline.records import Article, DuplicateRecord
from pipeline.tables import (committed_row_count, read_signature_part, read_signature_part_ids, scan_columns,
                             signature_parts)


@dataclass(frozen=True)
class Verdict:
    """What to do with a cleaned article: `new` (keep it), `known` (in the tables from an
    earlier run), `collision` (another text under its id) or `duplicate` (see `copy`)."""

    kind: str
    copy: DuplicateRecord | None = None


class KnownArticles:
    """The articles kept so far (earlier runs and this one) and the copies recorded.

    This run's articles are kept by id until their batch is committed (`settle`); committed
    ones, an earlier run's or this run's, as sorted arrays of 64-bit hashes (id, text hash: 16
    bytes an article), so memory follows the batch, not the archive."""

    def __init__(self, threshold: float, read_part: PartReader | None = None,
                 read_ids: IdReader | None = None) -> None:
        self.ids: dict[str, str] = {}  # this run's articles: article_id -> text_hash
        self.index = DuplicateIndex(threshold, read_part, read_ids)
        self.unstored: dict[str, tuple[np.ndarray, str, int | None]] = {}  # signatures (text, raw hashes) not committed yet
        # `clean.raw_hash` of the records an earlier run made its articles from: such an input
        # is not cleaned again (the engines' workers are given it at the start).
        self.held = SortedHashes()
        self.recorded = HashedSet()  # (source, kept_article_id) of duplicates rows
        self._stored = HashTable()  # an earlier run's articles: hashed id -> hashed text hash
        self._settled = HashTable()  # this run's, once committed

    def __len__(self) -> int:
        return len(self.ids) + len(self._settled) + len(self._stored)

    def set_stored(self, id_hashes: np.ndarray, text_hashes: np.ndarray) -> None:
        """The committed articles (hashed ids and text hashes, in any order)."""
        self._stored = HashTable(id_hashes, text_hashes)

    def stored_text_hashes(self, id_hashes: np.ndarray, run: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """For hashed ids: which are committed (bool) and the hashed text hash of those that are;
        by earlier runs, or (`run`) by this one."""
        return (self._settled if run else self._stored).first(id_hashes)

    def see(self, article: Article) -> Verdict:
        """Classify an article; a new one is remembered (and so are its words)."""
        stored_hash = self.ids.get(article.article_id)
        if stored_hash is None:  # committed earlier in this run?
            found, text_hashes = self.stored_text_hashes(np.array([stable_hash(article.article_id)], np.int64), run=True)
            if found[0]:
                stored_hash = article.text_hash if text_hashes[0] == stable_hash(article.text_hash) else ""
        if stored_hash is not None:  # earlier in this run
            if stored_hash != article.text_hash:
                return Verdict("collision")
            return Verdict("duplicate", self._copy(article, Match(article.article_id, 1.0, "same record")))
        found, text_hashes = self.stored_text_hashes(np.array([stable_hash(article.article_id)], np.int64))
        if found[0]:  # committed by an earlier run
            return Verdict("known" if text_hashes[0] == stable_hash(article.text_hash) else "collision")
        match = self.index.same_text(article.text_hash)
        hashvalues = None
        if match is None:  # cleaned with its signature (by a worker), or an Article made elsewhere
            hashvalues = article.signature if article.signature is not None else signature(article.text)
        if hashvalues is not None:
            match = self.index.near_copy(hashvalues)
        if match is not None:
            return Verdict("duplicate", self._copy(article, match))
        self.ids[article.article_id] = article.text_hash
        self.index.add(article.article_id, article.text_hash, hashvalues)
        self.unstored[article.article_id] = (hashvalues, article.text_hash, article.raw_hash)
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
        if article.article_id in self.ids:
            del self.ids[article.article_id]
            self.index.remove(article.article_id, article.text_hash)
            self.unstored.pop(article.article_id, None)

    def signature_rows(self, article_ids: list[str]) -> list[dict]:
        """`_minhash` rows to commit with these articles, and any signature made again at start-up."""
        rows = []
        for article_id in [*article_ids, *(i for i in self.unstored if i not in self.ids)]:
            unstored = self.unstored.pop(article_id, None)
            if unstored is not None:
                rows.append({"article_id": article_id, "signature": unstored[0], "text_hash": unstored[1],
                             "raw_hash": unstored[2]})
        return rows

    def settle(self, part: str, rows: list[dict]) -> None:
        """The `_minhash` rows just committed as `part`: their articles are kept from now on as
        those of earlier runs are (hashes, band keys), not by id and signature."""
        article_ids = [row["article_id"] for row in rows]
        self.index.settle(part, article_ids, [row["text_hash"] for row in rows])
        ours = [(article_id, self.ids.pop(article_id)) for article_id in article_ids if article_id in self.ids]
        if ours:  # articles re-signed at start-up are an earlier run's, already known as such
            self._settled.add(stable_hashes(i for i, _ in ours), stable_hashes(h for _, h in ours))

    @property
    def has_unstored_signatures(self) -> bool:
        return any(i not in self.ids for i in self.unstored)


def load_known(out: Path, snapshot: commits.Snapshot, threshold: float) -> KnownArticles:
    """The committed articles' hashed ids and text hashes, their signatures' band keys, and the
    copies recorded. When every committed article has its signature stored with its hashes,
    only `_minhash` is read (numbers only); otherwise `articles` (ids and text hashes) too."""
    known = KnownArticles(threshold, partial(read_signature_part, out), partial(read_signature_part_ids, out))
    signed, hashed, rows, complete = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0, np.int64)], True
    raw: list[np.ndarray] = [np.empty(0, np.int64)]
    for part in signature_parts(out, snapshot):
        raw.append(part.raw_hashes)
        if part.id_hashes is None:  # written before the hashes were stored
            complete = False
            signed.append(stable_hashes(part.article_ids))
            hashed.append(np.zeros(len(part.article_ids), np.int64))
        else:
            signed.append(part.id_hashes)
            hashed.append(part.text_hashes)
        rows.append(known.index.add_part(part.name, part.signatures))
    signed_ids, signed_hashes, signed_rows = np.concatenate(signed), np.concatenate(hashed), np.concatenate(rows)
    _, first = np.unique(signed_ids, return_index=True)  # an id signed twice: its first signature
    if len(first) < len(signed_ids):
        known.index.drop_rows(np.delete(signed_rows, first))
    signed_ids, signed_hashes, signed_rows = signed_ids[first], signed_hashes[first], signed_rows[first]
    if complete and len(signed_ids) == committed_row_count(out, "articles", snapshot):
        known.set_stored(signed_ids, signed_hashes)
        known.index.set_stored_hashes(signed_rows, signed_hashes)
    else:
        _load_from_articles(known, out, snapshot, signed_ids, signed_rows)
    known.recorded = HashedSet(batch_rows(scan_columns(out, "duplicates", ["source", "kept_article_id"], snapshot)))
    known.held = SortedHashes(np.concatenate(raw))
    return known


def _load_from_articles(known: KnownArticles, out: Path, snapshot: commits.Snapshot,
                        signed_ids: np.ndarray, signed_rows: np.ndarray) -> None:
    """Ids and text hashes from `articles`, for tables whose signatures (some or all) were stored
    without them, or not at all: the unsigned articles are signed once (their texts read), and
    their signatures go into the next commit."""
    ids, text_hashes = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for batch in scan_columns(out, "articles", ["article_id", "text_hash"], snapshot):
        ids.append(stable_hashes(batch.column(0).to_pylist()))
        text_hashes.append(stable_hashes(batch.column(1).to_pylist()))
    known.set_stored(np.concatenate(ids), np.concatenate(text_hashes))
    found, hashes = known.stored_text_hashes(signed_ids)
    known.index.set_stored_hashes(signed_rows[found], hashes)
    unsigned = set(np.setdiff1d(known._stored.keys(), signed_ids).tolist())
    if unsigned:  # stored before signatures were kept, or with other MinHash settings: sign them once
        for batch in scan_columns(out, "articles", ["article_id", "text_hash", "text"], snapshot):
            for article_id, text_hash, text in zip(*(batch.column(i).to_pylist() for i in range(3))):
                if stable_hash(article_id) in unsigned:
                    unsigned.discard(stable_hash(article_id))
                    hashvalues = signature(text)
                    known.index.add(article_id, text_hash, hashvalues)
                    known.unstored[article_id] = (hashvalues, text_hash, None)
