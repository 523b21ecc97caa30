"""Counter-based random numbers: the realisation of a stochastic environment as a pure function.

A stochastic bandit's reward table ``X[t, a]`` is defined as the ``(t * K + a)``-th output of a
SplitMix64 stream (Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
OOPSLA 2014) whose 64-bit key is drawn once from the environment's Generator at ``reset``.

Why not draw from the Generator every round?  Because the table is then

* the same for every learner in a repetition, whatever arms they play (common random numbers);
* independent across arms, as in the textbook model;
* cheap: a bandit round evaluates one entry (the played arm), and the full row is computed only
  when a tracker needs realised losses of every arm (static regret in hindsight).
"""

from __future__ import annotations

import numpy as np

from onlinelearn.core.numba_options import kernel

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_SHIFT_30 = np.uint64(30)
_SHIFT_27 = np.uint64(27)
_SHIFT_31 = np.uint64(31)
_SHIFT_11 = np.uint64(11)
_ONE = np.uint64(1)
_TWO_POW_MINUS_53 = 1.0 / 9007199254740992.0


@kernel
def counter_uniform(key, index):
    """Uniform in [0, 1): output number ``index`` (>= 0) of the SplitMix64 stream seeded by ``key``."""
    z = np.uint64(key) + (np.uint64(index) + _ONE) * _GOLDEN_GAMMA
    z = (z ^ (z >> _SHIFT_30)) * _MIX_1
    z = (z ^ (z >> _SHIFT_27)) * _MIX_2
    z = z ^ (z >> _SHIFT_31)
    return float(z >> _SHIFT_11) * _TWO_POW_MINUS_53


@kernel
def counter_normal(key, index):
    """Standard normal from two counter uniforms (Box–Muller); uses indices 2i and 2i+1."""
    u1 = counter_uniform(key, 2 * index)
    u2 = counter_uniform(key, 2 * index + 1)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


def draw_key(rng: np.random.Generator) -> np.uint64:
    """Draw a fresh 64-bit stream key from ``rng``."""
    return np.uint64(rng.integers(0, np.iinfo(np.uint64).max, dtype=np.uint64, endpoint=True))
