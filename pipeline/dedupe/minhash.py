"""MinHash signatures of article texts (datasketch): the set of word 5-grams of the folded
text, summarised in 128 numbers whose agreement estimates the sets' Jaccard similarity.

Folding first (no case, no diacritics, words only) makes "Lộc Bình" and "Loc Binh" the same
words, as `text_hash` does for exact copies. Five-word shingles: a changed word changes five
shingles, while two different articles about one meeting share few five-word runs.
"""
from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash

from pipeline.textnorm import fold

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
SCHEME = "affine32"
# Written with every stored signature: signatures made another way are made again from the text.
FINGERPRINT = f"datasketch {SCHEME} num_perm={NUM_PERM} seed={SEED}; {SHINGLE_WORDS}-word shingles of the folded text"
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations  # made once, not per text


def shingles(text: str) -> set[bytes]:
    """Every run of SHINGLE_WORDS folded words (a shorter text is one shingle)."""
    words = fold(text).split()
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> np.ndarray:
    """The text's MinHash values (uint32, NUM_PERM of them)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_PERMUTATIONS)
    minhash.update_batch(shingles(text))
    return minhash.hashvalues


def lean(hashvalues: np.ndarray) -> LeanMinHash:
    """A signature as the object datasketch's own LSH index takes (the tests compare ours with it)."""
    return LeanMinHash(seed=SEED, hashvalues=hashvalues, scheme=SCHEME)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (as `MinHash.jaccard`)."""
    return float(np.count_nonzero(a == b)) / NUM_PERM
