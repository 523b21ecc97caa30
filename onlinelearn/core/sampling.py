"""Sampling and exponential-weights helpers shared by every randomised kernel.

Numba has no ``Generator.choice``; both paths sample an index by inverse CDF from one uniform,
so the compiled and the Python loop consume the random stream identically.
"""

from __future__ import annotations

import numpy as np

from onlinelearn.core.numba_options import inlined_kernel, kernel


@kernel
def sample_index(probabilities, u):
    """Smallest ``i`` with ``p_1 + ... + p_i > u`` (inverse CDF); ``u`` uniform in [0, 1).

    Rounding can leave the total slightly below ``u``; the last action with positive
    probability is returned then, so a zero-probability action is never drawn.
    """
    cumulative = 0.0
    last_positive = 0
    for i in range(probabilities.shape[0]):
        if probabilities[i] > 0.0:
            cumulative += probabilities[i]
            last_positive = i
            if u < cumulative:
                return i
    return last_positive


@inlined_kernel
def softmax_negative(scores, eta, out):
    """``out_i ∝ exp(-eta * scores_i)``, computed in log space (subtract the minimum first).

    Safe for any finite scores, including importance-weighted cumulative losses of 1e10.
    """
    lowest = np.inf
    for i in range(scores.shape[0]):
        if scores[i] < lowest:
            lowest = scores[i]
    total = 0.0
    for i in range(scores.shape[0]):
        out[i] = np.exp(-eta * (scores[i] - lowest))
        total += out[i]
    for i in range(scores.shape[0]):
        out[i] /= total


@kernel
def argmin_first(values):
    """Index of the smallest entry (first one on ties)."""
    best = 0
    for i in range(1, values.shape[0]):
        if values[i] < values[best]:
            best = i
    return best


@kernel
def argmax_first(values):
    """Index of the largest entry (first one on ties)."""
    best = 0
    for i in range(1, values.shape[0]):
        if values[i] > values[best]:
            best = i
    return best
