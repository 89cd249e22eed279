"""What the tables already hold (ids, text hashes, copies and errors recorded), kept as 64-bit
hashes so that a run's memory does not grow with the archive's strings: 8 bytes an item
committed (sorted arrays), a Python set for the items of this run.

Two hashes: `stable_hash` (blake2b), stored with the signatures so that start-up reads numbers,
not strings; and Python's own `hash` (SipHash, salted per process, never stored) for the sets
built at each start. A false "already there" needs two different items to agree in 64 bits: a
chance of about 1 in 10^7 among a million items.
"""
from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable

import numpy as np
import pyarrow as pa


def stable_hash(value: str) -> int:
    """A 64-bit hash that every process agrees on (blake2b), so it can be stored: the ids and
    text hashes of committed articles are kept, and committed, as these."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "little", signed=True)


def stable_hashes(values: Iterable[str]) -> np.ndarray:
    return np.fromiter(map(stable_hash, values), dtype=np.int64)


def string_hashes(values: Iterable[Hashable]) -> np.ndarray:
    """64-bit hashes (this process's `hash`), as int64."""
    return np.fromiter(map(hash, values), dtype=np.int64)


def batch_rows(batches: Iterable[pa.RecordBatch]) -> Iterable[tuple]:
    """The rows of record batches as tuples, a batch at a time."""
    for batch in batches:
        yield from zip(*(column.to_pylist() for column in batch.columns))


class HashedSet:
    """Membership by hash: committed items in a sorted array, this run's in a set."""

    def __init__(self, committed: Iterable[Hashable] = ()) -> None:
        self._committed = np.unique(string_hashes(committed))
        self._added: set[int] = set()

    def __contains__(self, item: Hashable) -> bool:
        wanted = hash(item)
        if wanted in self._added:
            return True
        at = int(np.searchsorted(self._committed, wanted))
        return at < len(self._committed) and int(self._committed[at]) == wanted

    def __len__(self) -> int:
        return len(self._committed) + len(self._added)

    def add(self, item: Hashable) -> None:
        self._added.add(hash(item))
