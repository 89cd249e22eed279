"""MinHash signatures of article texts: the set of word 5-grams of the folded text, summarised
in 128 numbers whose agreement estimates the sets' Jaccard similarity.

Folding first (no case, no diacritics, words only) makes "Lộc Bình" and "Loc Binh" the same
words, as `text_hash` does for exact copies. Five-word shingles: a changed word changes five
shingles, while two different articles about one meeting share few five-word runs.

The values are datasketch's `MinHash` of the "affine32" scheme, bit for bit (the tests compare
them): each shingle's SHA-1 (its first four bytes, little-endian), mixed by the MurmurHash3
finalizer, through the 128 affine maps `a*h + b mod 2**32` that datasketch draws for the seed,
and the least value of each. They are worked out here in numpy because importing datasketch
imports scipy.integrate (for its LSH parameter search): 0.55 s at every start and in every
worker, more than a tenth of a small run, for five lines of arithmetic.
"""
from __future__ import annotations

import hashlib
from itertools import accumulate

import numpy as np

from pipeline.textnorm import fold

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
SCHEME = "affine32"
# Written with every stored signature: signatures made another way are made again from the text.
FINGERPRINT = f"datasketch {SCHEME} num_perm={NUM_PERM} seed={SEED}; {SHINGLE_WORDS}-word shingles of the folded text"


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's draw for the affine schemes: odd multipliers, any offsets (uint32)."""
    draw = np.random.RandomState(SEED)
    a = draw.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()  # made once, not per text
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer: a bijection of the 32-bit values that spreads their bits."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def shingles(text: str) -> set[bytes]:
    """Every run of SHINGLE_WORDS folded words (a shorter text is one shingle)."""
    return folded_shingles(fold(text))


def folded_shingles(folded: str) -> set[bytes]:
    """`shingles` of a text already folded (`fold`: words joined by single spaces, ASCII): each
    shingle is cut from the encoded text at word offsets, not joined and encoded word by word
    (a third of the time of a signature)."""
    data = folded.encode()
    words = folded.split(" ") if folded else []
    if len(words) <= SHINGLE_WORDS:
        return {data} if words else set()
    ends = list(accumulate(len(word) + 1 for word in words))  # just past each word's space
    starts = [0, *ends[:-1]]
    return {data[start:end - 1] for start, end in zip(starts, ends[SHINGLE_WORDS - 1:])}


def signature(text: str) -> np.ndarray:
    """The text's MinHash values (uint32, NUM_PERM of them)."""
    return folded_signature(fold(text))


def folded_signature(folded: str) -> np.ndarray:
    """`signature` of a text already folded: the cleaner folds each text once for its hash and
    its signature."""
    sha1 = hashlib.sha1
    digests = b"".join([sha1(shingle).digest()[:4] for shingle in folded_shingles(folded)])
    if not digests:
        return _EMPTY.copy()
    hashed = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32)).reshape(-1, 1)
    with np.errstate(over="ignore"):  # the wrap-around is the modulo 2**32
        return (hashed * _A + _B).min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (as `MinHash.jaccard`)."""
    return float(np.count_nonzero(a == b)) / NUM_PERM
