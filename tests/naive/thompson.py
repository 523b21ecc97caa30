"""Slow, obviously correct Thompson sampling in NumPy (same Generator calls as the kernels)."""

import numpy as np


def beta_thompson_actions(
    losses: np.ndarray, rng: np.random.Generator, alpha: float = 1.0, beta: float = 1.0
) -> np.ndarray:
    """Beta-Bernoulli TS: ``theta_a = G1 / (G1 + G2)``, ``G1 ~ Gamma(alpha + S_a)``,
    ``G2 ~ Gamma(beta + n_a - S_a)`` drawn arm by arm; play the first argmax."""
    horizon, n_arms = losses.shape
    successes = np.zeros(n_arms)
    failures = np.zeros(n_arms)
    actions = np.zeros(horizon, dtype=int)
    for t in range(horizon):
        theta = np.zeros(n_arms)
        for a in range(n_arms):
            g1 = rng.standard_gamma(alpha + successes[a])
            g2 = rng.standard_gamma(beta + failures[a])
            theta[a] = g1 / (g1 + g2)
        action = int(np.argmax(theta))
        reward = 1.0 - losses[t, action]
        successes[action] += reward
        failures[action] += 1.0 - reward
        actions[t] = action
    return actions


def gaussian_thompson_actions(losses: np.ndarray, rng: np.random.Generator, sigma: float = 1.0) -> np.ndarray:
    """Gaussian TS, flat prior: each arm once, then ``theta_a ~ N(mean_a, sigma^2 / n_a)``."""
    horizon, n_arms = losses.shape
    pulls = np.zeros(n_arms)
    sums = np.zeros(n_arms)
    actions = np.zeros(horizon, dtype=int)
    for t in range(horizon):
        if np.any(pulls == 0):
            action = int(np.flatnonzero(pulls == 0)[0])
        else:
            theta = np.array(
                [
                    sums[a] / pulls[a] + sigma / np.sqrt(pulls[a]) * rng.standard_normal()
                    for a in range(n_arms)
                ]
            )
            action = int(np.argmax(theta))
        pulls[action] += 1
        sums[action] += 1.0 - losses[t, action]
        actions[t] = action
    return actions
