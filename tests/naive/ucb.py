"""Slow, obviously correct UCB1 and KL-UCB in NumPy / plain Python, for comparison with the kernels."""

import math

import numpy as np


def index_policy_actions(losses: np.ndarray, index) -> np.ndarray:
    """Actions on a fixed loss table ``losses[t, a]`` (rewards 1 - loss) of the policy that plays
    each arm once, then the first arm of largest ``index(reward_sums, pulls, t)``, ``t`` the
    number of rounds played so far."""
    horizon, n_arms = losses.shape
    pulls = np.zeros(n_arms)
    sums = np.zeros(n_arms)
    actions = np.zeros(horizon, dtype=int)
    for t in range(horizon):
        if np.any(pulls == 0):
            action = int(np.flatnonzero(pulls == 0)[0])
        else:
            action = int(np.argmax(index(sums, pulls, t)))
        actions[t] = action
        pulls[action] += 1
        sums[action] += 1 - losses[t, action]
    return actions


def ucb1_actions(losses: np.ndarray, alpha: float = 2.0) -> np.ndarray:
    """UCB1: index ``mean + sqrt(alpha ln t / n)``."""
    return index_policy_actions(
        losses, lambda sums, pulls, t: sums / pulls + np.sqrt(alpha * np.log(t) / pulls)
    )


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
    """KL-UCB: index ``max{q : n KL(mean, q) <= ln t + c ln max(ln t, 1)}`` (the ``max(., 1)``
    keeps the ``ln ln t`` term from going negative while ``t < e``)."""

    def index(sums, pulls, t):
        budget = math.log(t) + c * math.log(max(math.log(t), 1.0))
        return [kl_upper_bound_bisection(total / n, budget / n) for total, n in zip(sums, pulls, strict=True)]

    return index_policy_actions(losses, index)
