"""Slow, obviously correct UCB1 and KL-UCB in NumPy / plain Python, for comparison with the kernels."""

import math

import numpy as np


def ucb1_actions(losses: np.ndarray, alpha: float = 2.0) -> np.ndarray:
    """Actions of UCB1 on a fixed loss table ``losses[t, a]`` (rewards 1 - loss)."""
    horizon, n_arms = losses.shape
    pulls = np.zeros(n_arms)
    sums = np.zeros(n_arms)
    actions = np.zeros(horizon, dtype=int)
    for t in range(horizon):
        if np.any(pulls == 0):
            action = int(np.flatnonzero(pulls == 0)[0])
        else:
            index = sums / pulls + np.sqrt(alpha * np.log(t) / pulls)
            action = int(np.argmax(index))
        actions[t] = action
        pulls[action] += 1
        sums[action] += 1 - losses[t, action]
    return actions


def bernoulli_kl(p: float, q: float) -> float:
    """KL(Bernoulli(p) || Bernoulli(q)) with 0 ln 0 = 0 (infinite when q = 1 > p or q = 0 < p)."""
    if q >= 1.0:
        return 0.0 if p >= 1.0 else math.inf
    if q <= 0.0:
        return 0.0 if p <= 0.0 else math.inf
    total = 0.0
    if p > 0.0:
        total += p * math.log(p / q)
    if p < 1.0:
        total += (1.0 - p) * math.log((1.0 - p) / (1.0 - q))
    return total


def kl_upper_bound_bisection(mean: float, level: float) -> float:
    """``max{q in [mean, 1] : KL(mean, q) <= level}`` by bisection down to adjacent doubles.

    ``KL(mean, .)`` increases on ``[mean, 1]``, so the feasible set is an interval starting at
    ``mean``; the returned ``q`` is feasible and the next double above it is not (or is 1).
    """
    if level <= 0.0 or mean >= 1.0:
        return mean
    low, high = mean, 1.0
    while True:
        middle = 0.5 * (low + high)
        if middle <= low or middle >= high:
            return low
        if bernoulli_kl(mean, middle) <= level:
            low = middle
        else:
            high = middle


def klucb_actions(losses: np.ndarray, c: float = 0.0) -> np.ndarray:
    """Actions of KL-UCB on a fixed loss table: each arm once, then the largest
    ``max{q : n_a KL(mean_a, q) <= ln t + c ln max(ln t, 1)}`` (``t`` rounds played so far; the
    ``max(., 1)`` keeps the budget's ``ln ln t`` term from going negative while ``t < e``)."""
    horizon, n_arms = losses.shape
    pulls = np.zeros(n_arms)
    sums = np.zeros(n_arms)
    actions = np.zeros(horizon, dtype=int)
    for t in range(horizon):
        if np.any(pulls == 0):
            action = int(np.flatnonzero(pulls == 0)[0])
        else:
            budget = math.log(t) + c * math.log(max(math.log(t), 1.0))
            index = [kl_upper_bound_bisection(sums[a] / pulls[a], budget / pulls[a]) for a in range(n_arms)]
            action = int(np.argmax(index))
        actions[t] = action
        pulls[action] += 1
        sums[action] += 1 - losses[t, action]
    return actions
