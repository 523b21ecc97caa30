"""Slow, obviously correct Hedge in NumPy (direct exponentials, no log-space trick)."""

import numpy as np


def hedge_probabilities(losses: np.ndarray, eta: float, anytime: bool = False) -> np.ndarray:
    """``p_t`` for every round of a fixed loss table ``losses[t, i]`` (rows ``t = 0..T-1``)."""
    horizon, n = losses.shape
    out = np.zeros((horizon, n))
    cumulative = np.zeros(n)
    for t in range(horizon):
        rate = eta / np.sqrt(t + 1) if anytime else eta
        weights = np.exp(-rate * cumulative)
        out[t] = weights / weights.sum()
        cumulative = cumulative + losses[t]
    return out


def hedge_actions(
    losses: np.ndarray, eta: float, rng: np.random.Generator, anytime: bool = False
) -> np.ndarray:
    """Experts sampled by inverse CDF with one ``rng.random()`` per round."""
    probabilities = hedge_probabilities(losses, eta, anytime)
    return np.array([int(np.searchsorted(np.cumsum(p), rng.random(), side="right")) for p in probabilities])
