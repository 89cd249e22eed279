"""The duplicate index: exact copies by `text_hash`, near copies by MinHash LSH.

LSH finds the few stored articles whose signatures agree in a whole band with the new one; each
candidate's estimated similarity is then checked against the threshold, and the most similar one is
the article kept. The bands are datasketch's (those `MinHashLSH` chooses for this threshold:
`bands.py`), stored compactly so that memory grows by some 700 bytes an article, not the ~9 KB of
datasketch's own index: the signatures as rows of uint32 blocks (the "affine32" scheme's values are
uint32: 512 bytes an article), and per band one sorted uint64 array of `key << 32 | row`, `key` a
32-bit hash of the band's values (8 bytes a band). Rows added since the last merge wait in a small
unsorted array of keys. A key shared by chance costs nothing but a check: a candidate counts only if
it agrees with the query in a whole band, as in datasketch, so the answers are datasketch's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.dedupe.bands import band_layout
from pipeline.dedupe.minhash import NUM_PERM, similarity

_BLOCK = 1024  # signature rows per block (512 kB): the store grows a block at a time, never by copying
_MERGE = 1024  # rows added before their band keys are merged into the sorted arrays
_CHUNK = 4096  # rows keyed at once (bounds the temporary uint64 products)
_ROW = np.uint64(0xFFFFFFFF)
# Multilinear hashing (m0 + sum m_i x_i mod 2**64, top 32 bits): strongly universal for 32-bit
# values (Lemire and Kaser 2014), computed for many rows at once with numpy's wrapping uint64.
_RANDOM = np.random.default_rng(20240609)
_MULTIPLIERS = _RANDOM.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
_OFFSETS = _RANDOM.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)


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
        self._b, self._r = band_layout(threshold, NUM_PERM)
        self.bands = [(i * self._r, (i + 1) * self._r) for i in range(self._b)]  # b bands of r values
        self._ids: list[str | None] = []  # by row; None once removed
        self._rows: dict[str, int] = {}  # the rows of the articles stored
        self._blocks: list[np.ndarray] = []  # signatures, _BLOCK rows each (uint32)
        self._sorted = [np.empty(0, np.uint64) for _ in self.bands]  # per band: key << 32 | row, sorted
        self._merged = 0  # rows below are in _sorted; the rest are keyed in _pending
        self._pending: list[np.ndarray] = []  # band keys (rows x bands, uint32) of rows not merged yet

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._rows

    def add_hash(self, article_id: str, text_hash: str) -> None:
        self.by_hash.setdefault(text_hash, article_id)

    def add_signatures(self, article_ids: list[str], matrix: np.ndarray) -> None:
        """Many signatures at once (one row each), as loaded from the tables at start-up."""
        keep = []
        for i, article_id in enumerate(article_ids):
            if article_id not in self._rows:
                self._rows[article_id] = len(self._ids)
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

    def remove(self, article_id: str, text_hash: str) -> None:
        """Forget an article that did not make it into the tables (its extraction failed)."""
        if self.by_hash.get(text_hash) == article_id:
            del self.by_hash[text_hash]
        row = self._rows.pop(article_id, None)
        if row is not None:
            self._ids[row] = None  # its row stays, never a candidate again

    def same_text(self, text_hash: str) -> Match | None:
        kept = self.by_hash.get(text_hash)
        return Match(kept, 1.0, "same text") if kept is not None else None

    def near_copy(self, hashvalues: np.ndarray) -> Match | None:
        """The most similar stored article at or above the threshold, if any (a tie: the smallest id)."""
        query = hashvalues.astype(np.uint32, copy=False)
        scored = [(similarity(query, self._signature(i)), i) for i in self.candidates(query)]
        above = [(-score, article_id) for score, article_id in scored if score >= self.threshold]
        if not above:
            return None
        score, article_id = min(above)  # the most similar; on a tie the smallest id
        return Match(article_id, -score, "near copy")

    def candidates(self, hashvalues: np.ndarray) -> list[str]:
        """The stored articles that agree with these values in a whole band: what datasketch's
        `MinHashLSH.query` answers (a key shared by chance is checked, and dropped)."""
        query = hashvalues.astype(np.uint32, copy=False)
        width = self._b * self._r
        bands = query[:width].reshape(self._b, self._r)
        found = []
        for row in sorted(self._rows_keyed_as(query)):
            article_id = self._ids[row]
            if article_id is not None and (self._signature(article_id)[:width].reshape(self._b, self._r)
                                           == bands).all(axis=1).any():
                found.append(article_id)
        return found

    def _signature(self, article_id: str) -> np.ndarray:
        block, offset = divmod(self._rows[article_id], _BLOCK)
        return self._blocks[block][offset]

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
        row = len(self._ids) - len(matrix)
        done = 0
        while done < len(matrix):
            block, offset = divmod(row + done, _BLOCK)
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
