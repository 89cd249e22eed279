"""The LSH band layout for a similarity threshold, as datasketch's `MinHashLSH` chooses it.

b bands of r values each: the layout that minimises the chance of a false positive (a pair
below the threshold that shares a band) plus that of a false negative (a pair above it that
shares none), weighted equally. Both chances are integrals of polynomials of degree at most
b*r <= num_perm, which Gauss-Legendre quadrature with num_perm/2 + 1 nodes gives exactly.
datasketch integrates them with scipy's `quad`, whose import alone costs 0.55 s at every
start; the tests check that both choose the same layout.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def band_layout(threshold: float, num_perm: int) -> tuple[int, int]:
    """(b, r): the number of bands and the values in each."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def points(low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
        half = (high - low) / 2
        return half * nodes + (high + low) / 2, half * weights

    below, below_weights = points(0.0, threshold)
    above, above_weights = points(threshold, 1.0)
    best, layout = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            false_positive = (below_weights * (1 - (1 - below**r) ** b)).sum()
            false_negative = (above_weights * (1 - above**r) ** b).sum()
            error = 0.5 * false_positive + 0.5 * false_negative
            if error < best:
                best, layout = error, (b, r)
    return layout
