"""Slow, obviously correct EXP3 / EXP3-IX in NumPy, for comparison with the kernels."""

import numpy as np


def inverse_cdf(probabilities: np.ndarray, u: float) -> int:
    """Smallest ``i`` with ``p_0 + ... + p_i > u`` (the last positive one if rounding leaves none)."""
    index = int(np.searchsorted(np.cumsum(probabilities), u, side="right"))
    if index >= len(probabilities):
        index = int(np.flatnonzero(probabilities > 0)[-1])
    return index


def exp3_run(
    losses: np.ndarray, eta: float, rng: np.random.Generator, gamma: float = 0.0, anytime: bool = False
):
    """Actions and probability vectors of EXP3 (``gamma = 0``) or EXP3-IX on a loss table.

    ``P_t ∝ exp(-eta_t L_hat_{t-1})`` with ``eta_t = eta`` (or ``eta / sqrt(t)`` when ``anytime``);
    one ``rng.random()`` per round samples the action; ``L_hat_A += loss / (P_A + gamma)``.
    """
    horizon, n_arms = losses.shape
    estimates = np.zeros(n_arms)
    actions = np.zeros(horizon, dtype=int)
    probabilities = np.zeros((horizon, n_arms))
    for t in range(horizon):
        rate = eta / np.sqrt(t + 1) if anytime else eta
        weights = np.exp(-rate * (estimates - estimates.min()))
        p = weights / weights.sum()
        action = inverse_cdf(p, rng.random())
        estimates[action] += losses[t, action] / (p[action] + gamma)
        actions[t] = action
        probabilities[t] = p
    return actions, probabilities
