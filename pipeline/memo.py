"""A bounded cache for per-word answers (matcher specs, folds, commune links)."""
from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecentCache(Generic[K, V]):
    """At most two generations of `size` entries: when the current generation is full it
    becomes the old one (the one before it is dropped), and a key found in the old generation
    moves back to the current one.

    Memory stays bounded as with a cache cleared when full, but the frequent words stay: a
    cache cleared all at once, met with more distinct words than it holds (11,600 in 1,000
    articles), forgets "the" and "commune" with the rare names and works them out again.
    Reads of the current generation are a plain dict's (`current.get`) for hot loops.
    """

    __slots__ = ("size", "current", "old")

    def __init__(self, size: int):
        self.size = size
        self.current: dict[K, V] = {}
        self.old: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        value = self.current.get(key)
        if value is None:
            value = self.old.get(key)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: K, value: V) -> V:
        if len(self.current) >= self.size:
            self.old, self.current = self.current, {}
        self.current[key] = value
        return value

    def clear(self) -> None:
        self.current, self.old = {}, {}

    def __len__(self) -> int:
        return len(self.current) + len(self.old)
