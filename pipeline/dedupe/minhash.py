"""MinHash signatures of article texts: the set of word 5-grams of the folded text, summarised
in 128 numbers whose agreement estimates the sets' Jaccard similarity.

Folding first (no case, no diacritics, words only) makes "Lộc Bình" and "Loc Binh" the same
words, as `text_hash` does for exact copies. Five-word shingles: a changed word changes five
shingles, while two different articles about one meeting share few five-word runs.

The values are datasketch's (`MinHash(num_perm=128, seed=1, scheme="affine32")` updated with the
shingles: tests/test_duplicates.py compares them), made here with the same few numpy steps:
importing datasketch imports SciPy (half a second at every start, for an integral used once),
and its `update_batch` unpacks the hash of each shingle one by one.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from pipeline.textnorm import fold

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
SCHEME = "affine32"
# Written with every stored signature: signatures made another way are made again from the text.
FINGERPRINT = f"datasketch {SCHEME} num_perm={NUM_PERM} seed={SEED}; {SHINGLE_WORDS}-word shingles of the folded text"
# datasketch's "affine32" scheme: a shingle's hash is the first 4 bytes of its SHA-1 (little
# endian), mixed by the MurmurHash3 32-bit finalizer, then permuted as a * h + b (mod 2**32) with
# the odd multipliers a and offsets b that `numpy.random.RandomState(SEED)` draws.
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's `MinHash._init_permutations` for "affine32": made once, not per text."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def shingles(text: str) -> set[bytes]:
    """Every run of SHINGLE_WORDS folded words (a shorter text is one shingle)."""
    words = fold(text).split()
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def _mixed_hashes(items: set[bytes]) -> np.ndarray:
    """datasketch's `sha1_hash32` of each item, then its finalizer (`_fmix`), as a column."""
    digests = b"".join(hashlib.sha1(item).digest()[:4] for item in items)
    hv = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    s1, m1, s2, m2, s3 = _FMIX
    hv = (hv ^ (hv >> s1)) * m1
    hv = (hv ^ (hv >> s2)) * m2
    return (hv ^ (hv >> s3)).reshape(-1, 1)


def signature(text: str) -> np.ndarray:
    """The text's MinHash values (uint32, NUM_PERM of them); all 2**32 - 1 for a text without
    words, as datasketch's empty MinHash."""
    items = shingles(text)
    if not items:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    return (_mixed_hashes(items) * _A + _B).min(axis=0)


def lean(hashvalues: np.ndarray):  # -> datasketch.LeanMinHash (imported here: tests only)
    """A signature as the object datasketch's own LSH index takes (the tests compare ours with it)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=hashvalues, scheme=SCHEME)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (as `MinHash.jaccard`)."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


@lru_cache(maxsize=8)
def band_layout(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows a band): datasketch's `MinHashLSH(threshold, num_perm)` layout, the b·r <=
    num_perm that minimises the false-positive plus false-negative probability (weights 0.5).

    The probabilities are integrals of polynomials of degree b·r <= num_perm: Gauss–Legendre
    with num_perm // 2 + 1 nodes gives them exactly (datasketch asks SciPy's `quad`)."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(f, low: float, high: float) -> float:
        half = (high - low) / 2
        return float(half * np.dot(weights, f(half * nodes + (low + high) / 2)))

    best, layout = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            candidate = lambda s: 1 - (1 - s ** float(r)) ** float(b)  # noqa: E731  (found together)
            false_positive = integral(candidate, 0.0, threshold)
            false_negative = integral(lambda s: 1 - candidate(s), threshold, 1.0)
            error = 0.5 * false_positive + 0.5 * false_negative
            if error < best:
                best, layout = error, (b, r)
    return layout
