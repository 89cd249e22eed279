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


class SortedHashes:
    """A fixed set of 64-bit hashes as one sorted array (8 bytes each): what a worker is sent once
    to tell the inputs the tables already hold (`clean.raw_hash`)."""

    def __init__(self, values: np.ndarray | None = None) -> None:
        self._values = np.unique(np.asarray(values if values is not None else [], np.int64))

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, value: int) -> bool:
        at = int(np.searchsorted(self._values, value))
        return at < len(self._values) and int(self._values[at]) == value


class HashedSet:
    """Membership by hash: committed items in a sorted array, this run's in a set."""

    def __init__(self, committed: Iterable[Hashable] = ()) -> None:
        self._committed = SortedHashes(string_hashes(committed))
        self._added: set[int] = set()

    def __contains__(self, item: Hashable) -> bool:
        wanted = hash(item)
        return wanted in self._added or wanted in self._committed

    def __len__(self) -> int:
        return len(self._committed) + len(self._added)

    def add(self, item: Hashable) -> None:
        self._added.add(hash(item))


class HashTable:
    """64-bit keys to 64-bit values as sorted numpy arrays (16 bytes an entry), for what the
    tables hold (ids to text hashes, text hashes to index rows). Entries added since the last
    sort wait in a short unsorted tail, sorted in once it passes an eighth of the rest, so a
    batch added costs no sort of the whole. A key given twice keeps both: the first added first."""

    _TAIL = 32_768

    def __init__(self, keys: np.ndarray | None = None, values: np.ndarray | None = None) -> None:
        self._keys, self._values = np.empty(0, np.int64), np.empty(0, np.int64)
        self._tail_keys, self._tail_values = np.empty(0, np.int64), np.empty(0, np.int64)
        if keys is not None:
            self.add(keys, values, sort=True)

    def __len__(self) -> int:
        return len(self._keys) + len(self._tail_keys)

    def keys(self) -> np.ndarray:
        return np.concatenate([self._keys, self._tail_keys])

    def add(self, keys: np.ndarray, values: np.ndarray, sort: bool = False) -> None:
        self._tail_keys = np.concatenate([self._tail_keys, np.asarray(keys, np.int64)])
        self._tail_values = np.concatenate([self._tail_values, np.asarray(values, np.int64)])
        if sort or len(self._tail_keys) > max(self._TAIL, len(self._keys) // 8):
            keys, values = self.keys(), np.concatenate([self._values, self._tail_values])
            order = np.argsort(keys, kind="stable")
            self._keys, self._values = keys[order], values[order]
            self._tail_keys, self._tail_values = np.empty(0, np.int64), np.empty(0, np.int64)

    def first(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each key: whether it is held (bool), and the first value of those that are."""
        found, values = np.zeros(len(keys), bool), np.zeros(len(keys), np.int64)
        if len(self._keys):
            at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
            found = self._keys[at] == keys
            values[found] = self._values[at[found]]
        for i in np.flatnonzero(~found) if len(self._tail_keys) else ():
            held = np.flatnonzero(self._tail_keys == keys[i])
            if len(held):
                found[i], values[i] = True, self._tail_values[held[0]]
        return found, values[found]

    def values_of(self, key: int) -> np.ndarray:
        """Every value of one key, the first added first."""
        start, stop = np.searchsorted(self._keys, key), np.searchsorted(self._keys, key, side="right")
        return np.concatenate([self._values[start:stop], self._tail_values[self._tail_keys == key]])
