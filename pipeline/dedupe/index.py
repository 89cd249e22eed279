"""The duplicate index: exact copies by `text_hash`, near copies by MinHash LSH.

LSH finds the few stored articles whose signatures agree in a whole band with the new one; each
candidate's estimated similarity is then checked against the threshold, and the most similar one is
the article kept. The bands are datasketch's (those `MinHashLSH` chooses for this threshold:
`bands.py`), kept compactly: per band one sorted uint64 array of `key << 32 | row`, `key` a 32-bit
hash of the band's values (8 bytes a band). Rows added since the last merge wait in a small
unsorted array of keys. A key shared by chance costs nothing but a check: a candidate counts only if
it agrees with the query in a whole band, as in datasketch, so the answers are datasketch's.

What a row keeps depends on where its signature lives, so that memory follows the run, not the
archive:

* a row added in this run (`add`, `add_signatures`) keeps its id, its text hash and its signature
  (512 bytes) in memory until the end of the run;
* a row of a committed `_minhash` part (`add_part`) keeps only its band keys, where its signature
  is (part, position: 8 bytes) and a 64-bit hash of its text hash: the id and the signature are
  read back from the part, a few parts cached, in the rare case that it is a candidate; for an
  exact copy, the part's ids alone (many more parts cached). Some 185 bytes an article against
  1.2 KB when every signature and id was held.

Text hashes of committed rows are kept as `stable_hash`es (`hashed.py`).
"""
from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.dedupe.bands import band_layout
from pipeline.dedupe.hashed import HashTable, stable_hash
from pipeline.dedupe.minhash import NUM_PERM, similarity

_BLOCK = 1024  # signature rows per block (512 kB): the store grows a block at a time, never by copying
_MERGE = 1024  # rows added before their band keys are merged into the sorted arrays
_CHUNK = 4096  # rows keyed at once (bounds the temporary uint64 products)
_PARTS_CACHED = 8  # committed parts whose ids and signatures stay read (a few MB)
_IDS_CACHED = 256  # committed parts whose ids alone stay read (some 40 kB a part of 500): exact copies
_ROW = np.uint64(0xFFFFFFFF)
# Multilinear hashing (m0 + sum m_i x_i mod 2**64, top 32 bits): strongly universal for 32-bit
# values (Lemire and Kaser 2014), computed for many rows at once with numpy's wrapping uint64.
_RANDOM = np.random.default_rng(20240609)
_MULTIPLIERS = _RANDOM.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
_OFFSETS = _RANDOM.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)

PartReader = Callable[[str], tuple[list[str], np.ndarray]]  # part name -> (ids, signatures), as committed
IdReader = Callable[[str], list[str]]  # part name -> its ids alone


@dataclass(frozen=True)
class Match:
    """The article a new one duplicates, how similar they are (0–1) and why it counts."""

    kept_article_id: str
    similarity: float
    reason: str  # "same text" (same text_hash) or "near copy" (MinHash similarity >= threshold)


class DuplicateIndex:
    """Articles by text hash and by signature; answers 'is this one a copy of a stored one?'."""

    def __init__(self, threshold: float, read_part: PartReader | None = None,
                 read_ids: IdReader | None = None) -> None:
        self.threshold = threshold
        self.by_hash: dict[str, str] = {}  # text hash -> id, rows added in this run
        self._b, self._r = band_layout(threshold, NUM_PERM)
        self.bands = [(i * self._r, (i + 1) * self._r) for i in range(self._b)]  # b bands of r values
        self._where = array("q")  # by row: a slot of this run's (>= 0), or -1 - (part << 32 | position)
        self._ids: list[str | None] = []  # by slot; None once removed
        self._rows: dict[str, int] = {}  # this run's ids -> row
        self._blocks: list[np.ndarray | None] = []  # this run's signatures by slot, _BLOCK rows each (uint32); None once all settled
        self._sorted = [np.empty(0, np.uint64) for _ in self.bands]  # per band: key << 32 | row, sorted
        self._merged = 0  # rows below are in _sorted; the rest are keyed in _pending
        self._pending: list[np.ndarray] = []  # band keys (rows x bands, uint32) of rows not merged yet
        self._read_part = read_part
        self._parts: list[str] = []  # committed parts' names, by number
        self._cached: OrderedDict[int, tuple[list[str], np.ndarray]] = OrderedDict()
        self._read_ids = read_ids
        self._cached_ids: OrderedDict[int, list[str]] = OrderedDict()
        self._dead: set[int] = set()  # committed rows not to answer (an id committed twice)
        self._stored = 0  # committed rows
        self._stored_hashes = HashTable()  # committed rows (and settled ones): hashed text hash -> row

    def __len__(self) -> int:
        return len(self._rows) + self._stored - len(self._dead)

    def __contains__(self, article_id: str) -> bool:
        """Whether this run added the article (committed rows are known by `KnownArticles`)."""
        return article_id in self._rows

    def add_hash(self, article_id: str, text_hash: str) -> None:
        self.by_hash.setdefault(text_hash, article_id)

    def add_signatures(self, article_ids: list[str], matrix: np.ndarray) -> None:
        """Many signatures at once (one row each), kept in memory."""
        keep = []
        for i, article_id in enumerate(article_ids):
            if article_id not in self._rows:
                self._rows[article_id] = len(self._where)
                self._where.append(len(self._ids))
                self._ids.append(article_id)
                keep.append(i)
        if not keep:
            return
        matrix = np.asarray(matrix, np.uint32)  # "affine32" values: uint32 already, never cut
        if len(keep) < len(matrix):
            matrix = matrix[keep]
        self._store(matrix)
        self._pending.append(self._keys(matrix))

    def add(self, article_id: str, text_hash: str, hashvalues: np.ndarray) -> None:
        self.add_hash(article_id, text_hash)
        self.add_signatures([article_id], hashvalues.reshape(1, -1))

    def add_part(self, name: str, matrix: np.ndarray) -> np.ndarray:
        """A committed part's signatures: their band keys only (the part is read again when one
        of them is a candidate). Returns the rows given, in the part's order."""
        if self._read_part is None:
            raise ValueError("this index has no reader for committed parts")
        part, count = len(self._parts), len(matrix)
        self._parts.append(name)
        first = len(self._where)
        self._where.frombytes((-1 - ((part << 32) | np.arange(count, dtype=np.int64))).tobytes())
        self._stored += count
        self._pending.append(self._keys(np.asarray(matrix, np.uint32)))
        return np.arange(first, first + count, dtype=np.int64)

    def drop_rows(self, rows: np.ndarray) -> None:
        """Committed rows never to answer (a second signature of an id)."""
        self._dead.update(int(row) for row in rows if self._where[row] < 0)

    def set_stored_hashes(self, rows: np.ndarray, text_hashes: np.ndarray) -> None:
        """The hashed text hashes of committed rows, for `same_text` (the first stored row wins a tie)."""
        order = np.argsort(rows, kind="stable")
        self._stored_hashes = HashTable(text_hashes[order], rows[order])

    def settle(self, name: str, article_ids: list[str], text_hashes: list[str]) -> None:
        """This run's articles just committed as part `name` holds them (its rows, in order): from
        now on each is kept as a committed row is (band keys, part and position, a hashed text
        hash) and its signature's block is freed once all of its rows are settled, so that a long
        run's memory follows the batch, not the run."""
        part = len(self._parts)
        self._parts.append(name)
        rows, hashes, blocks = [], [], set()
        for position, (article_id, text_hash) in enumerate(zip(article_ids, text_hashes)):
            row = self._rows.pop(article_id, None)
            if row is None:
                continue
            slot = self._where[row]
            self._where[row] = -1 - ((part << 32) | position)
            self._ids[slot] = None
            blocks.add(slot // _BLOCK)
            if self.by_hash.get(text_hash) == article_id:
                del self.by_hash[text_hash]
            rows.append(row)
            hashes.append(stable_hash(text_hash))
        self._stored += len(rows)
        self._stored_hashes.add(np.array(hashes, np.int64), np.array(rows, np.int64))
        for block in blocks:
            first = block * _BLOCK
            if first + _BLOCK <= len(self._ids) and all(i is None for i in self._ids[first:first + _BLOCK]):
                self._blocks[block] = None

    def remove(self, article_id: str, text_hash: str) -> None:
        """Forget an article of this run that did not make it into the tables (its extraction failed)."""
        if self.by_hash.get(text_hash) == article_id:
            del self.by_hash[text_hash]
        row = self._rows.pop(article_id, None)
        if row is not None:
            self._ids[self._where[row]] = None  # its row stays, never a candidate again

    def same_text(self, text_hash: str) -> Match | None:
        kept = self.by_hash.get(text_hash)
        if kept is None and len(self._stored_hashes):
            for row in self._stored_hashes.values_of(stable_hash(text_hash)):
                kept = self.article_id(int(row))
                if kept is not None:
                    break
        return Match(kept, 1.0, "same text") if kept is not None else None

    def near_copy(self, hashvalues: np.ndarray) -> Match | None:
        """The most similar stored article at or above the threshold, if any (a tie: the smallest id)."""
        query = hashvalues.astype(np.uint32, copy=False)
        above = []
        for row in self._candidate_rows(query):
            score = similarity(query, self.signature(row))
            if score >= self.threshold:
                above.append((-score, self.article_id(row)))
        if not above:
            return None
        score, article_id = min(above)  # the most similar; on a tie the smallest id
        return Match(article_id, -score, "near copy")

    def candidates(self, hashvalues: np.ndarray) -> list[str]:
        """The stored articles that agree with these values in a whole band: what datasketch's
        `MinHashLSH.query` answers (a key shared by chance is checked, and dropped)."""
        return [self.article_id(row) for row in self._candidate_rows(hashvalues.astype(np.uint32, copy=False))]

    def _candidate_rows(self, query: np.ndarray) -> list[int]:
        width = self._b * self._r
        bands = query[:width].reshape(self._b, self._r)
        return [row for row in sorted(self._rows_keyed_as(query))
                if self.article_id(row) is not None
                and (self.signature(row)[:width].reshape(self._b, self._r) == bands).all(axis=1).any()]

    def article_id(self, row: int) -> str | None:
        """The id of a row (None: removed)."""
        where = self._where[row]
        if where >= 0:
            return self._ids[where]
        if row in self._dead:
            return None
        return self._part_ids(-1 - where)[(-1 - where) & 0xFFFFFFFF]

    def signature(self, row: int) -> np.ndarray:
        where = self._where[row]
        if where >= 0:
            block, offset = divmod(where, _BLOCK)
            return self._blocks[block][offset]
        _, matrix = self._part(-1 - where)
        return matrix[(-1 - where) & 0xFFFFFFFF]

    def _part(self, encoded: int) -> tuple[list[str], np.ndarray]:
        """A committed part's ids and signatures (read once, then kept among the last few used)."""
        number = encoded >> 32
        return _kept(self._cached, _PARTS_CACHED, number, lambda: self._read_part(self._parts[number]))

    def _part_ids(self, encoded: int) -> list[str]:
        """A committed part's ids: from its cached read, or read alone and kept among many more
        parts, so that exact copies of articles spread over a large archive (a syndicated story
        under new ids) do not read a part's signatures each time."""
        number = encoded >> 32
        if number in self._cached or self._read_ids is None:
            return self._part(encoded)[0]
        return _kept(self._cached_ids, _IDS_CACHED, number, lambda: self._read_ids(self._parts[number]))

    def _rows_keyed_as(self, query: np.ndarray) -> set[int]:
        """The rows with the query's key in at least one band."""
        if sum(len(keys) for keys in self._pending) > _MERGE:
            self._merge()
        keys = self._keys(query.reshape(1, -1))[0]
        bounds = (keys.astype(np.uint64) << np.uint64(32)).reshape(-1, 1) | np.array([0, _ROW], np.uint64)
        rows: set[int] = set()
        for packed, bound in zip(self._sorted, bounds):
            start, end = packed.searchsorted(bound)  # every row < 2**32 - 1
            if end > start:
                rows.update((packed[start:end] & _ROW).tolist())
        if self._pending:
            pending = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
            self._pending = [pending]
            rows.update((self._merged + np.flatnonzero((pending == keys).any(axis=1))).tolist())
        return rows

    def _merge(self) -> None:
        """The pending rows' keys into the sorted arrays (an insertion: no sort of what is there)."""
        pending = np.concatenate(self._pending)
        rows = np.arange(self._merged, self._merged + len(pending), dtype=np.uint64)
        for band, packed in enumerate(self._sorted):
            new = np.sort(pending[:, band].astype(np.uint64) << np.uint64(32) | rows)
            self._sorted[band] = np.insert(packed, np.searchsorted(packed, new), new)
        self._merged += len(pending)
        self._pending = []

    def _store(self, matrix: np.ndarray) -> None:
        """Signature rows into the blocks, after those already stored."""
        slot = len(self._ids) - len(matrix)
        done = 0
        while done < len(matrix):
            block, offset = divmod(slot + done, _BLOCK)
            if block == len(self._blocks):
                self._blocks.append(np.empty((_BLOCK, NUM_PERM), np.uint32))
            n = min(_BLOCK - offset, len(matrix) - done)
            self._blocks[block][offset:offset + n] = matrix[done:done + n]
            done += n

    def _keys(self, matrix: np.ndarray) -> np.ndarray:
        """Each row's 32-bit key in each band (rows x bands, uint32)."""
        width = self._b * self._r
        keys = np.empty((len(matrix), self._b), np.uint32)
        for first in range(0, len(matrix), _CHUNK):
            products = matrix[first:first + _CHUNK, :width].astype(np.uint64) * _MULTIPLIERS[:width]  # wraps
            sums = products.reshape(-1, self._b, self._r).sum(axis=2, dtype=np.uint64) + _OFFSETS[:self._b]
            keys[first:first + _CHUNK] = sums >> np.uint64(32)
        return keys


def _kept(cache: OrderedDict, limit: int, key: int, read: Callable[[], Any]) -> Any:
    """`cache[key]`, read on a miss; the least recently used entry goes beyond `limit`."""
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = cache[key] = read()
    if len(cache) > limit:
        cache.popitem(last=False)
    return value
