"""Sets of what the tables already hold (ids, copies recorded, errors recorded), kept as 64-bit
hashes so that a run's memory does not grow with the archive's strings: 8 bytes an item
committed (one sorted array), a Python set for the items of this run.

The hash is Python's `hash` of the string or tuple (64-bit SipHash, salted per process and never
stored): a false "already there" needs two different items to agree in 64 bits, a chance of
about 1 in 10^7 among a million items.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pyarrow as pa


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
