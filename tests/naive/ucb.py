"""Slow, obviously correct UCB1 in NumPy, for comparison with the kernel."""

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
