"""Slow, obviously correct Tsallis-INF in NumPy: the normaliser by plain bisection."""

import numpy as np

from tests.naive.exp3 import inverse_cdf


def tsallis_probabilities(estimates: np.ndarray, eta: float) -> np.ndarray:
    """``w_i = 4 (eta (L_i - x))^-2`` with ``sum w = 1`` and ``x < min L``, by 200 bisection steps.

    Solved for ``y = min L - x`` (the weights depend on ``L - min L`` only, which keeps huge
    estimates exact): every weight is at most 1/K at ``y = 2 sqrt(K) / eta`` and the smallest
    estimate alone weighs 1 at ``y = 2 / eta``.
    """
    gaps = estimates - estimates.min()
    low, high = 2.0 / eta, 2.0 * np.sqrt(len(estimates)) / eta
    for _ in range(200):
        middle = 0.5 * (low + high)
        if np.sum(4.0 / (eta * (gaps + middle)) ** 2) > 1.0:
            low = middle
        else:
            high = middle
    weights = 4.0 / (eta * (gaps + 0.5 * (low + high))) ** 2
    return weights / weights.sum()


def tsallis_run(losses: np.ndarray, rng: np.random.Generator, estimator: str = "iw"):
    """Actions and probability vectors of Tsallis-INF on a loss table ``losses[t, a]``."""
    horizon, n_arms = losses.shape
    estimates = np.zeros(n_arms)
    actions = np.zeros(horizon, dtype=int)
    probabilities = np.zeros((horizon, n_arms))
    for t in range(horizon):
        eta = (4.0 if estimator == "rv" else 2.0) / np.sqrt(t + 1)
        w = tsallis_probabilities(estimates, eta)
        action = inverse_cdf(w, rng.random())
        if estimator == "rv":
            baseline = 0.5 * (w >= eta**2)
            estimate = baseline.copy()
            estimate[action] += (losses[t, action] - baseline[action]) / w[action]
        else:
            estimate = np.zeros(n_arms)
            estimate[action] = losses[t, action] / w[action]
        estimates += estimate
        actions[t] = action
        probabilities[t] = w
    return actions, probabilities
