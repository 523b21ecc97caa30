"""Nash equilibria of small bimatrix games, for comparison with the Stackelberg value.

Uses ``nashpy`` (support enumeration) when it is installed; otherwise a short support
enumeration of our own (Nisan, Roughgarden, Tardos, Vazirani, *Algorithmic Game Theory*, 2007,
§3.3): for every pair of supports of equal size ``k``, solve the indifference equations

    (A y)_i = u for i in supp(x),   (x^T B)_j = v for j in supp(y),   sum x = sum y = 1,

and keep solutions that are non-negative with no profitable deviation outside the supports.
This finds every equilibrium of a nondegenerate game; degenerate games may have equilibria with
supports of unequal size that are not listed.  Cost grows like ``C(m+n, m)``: small games only.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from onlinelearn.games.game import Game

#: Largest number of leader plus follower actions accepted (2^16 support pairs at most).
MAX_ACTIONS = 16
#: Slack of the sign and no-deviation checks, relative to the probabilities (sign) and to the
#: largest payoff range of the game (deviation), so that rescaling the payoffs keeps the answer.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class NashEquilibrium:
    leader_strategy: np.ndarray
    follower_strategy: np.ndarray
    leader_value: float
    follower_value: float


def _solve_indifference(M: np.ndarray, rows, columns):
    """Mixed strategy on ``columns`` making every row in ``rows`` of ``M`` indifferent; None if none."""
    k = len(rows)
    system = np.zeros((k + 1, k + 1))
    system[:k, :k] = M[np.ix_(rows, columns)]
    system[:k, k] = -1.0
    system[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    try:
        solution = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:
        return None
    return solution[:k]


def _support_enumeration(game: Game):
    A, B = game.leader_payoffs, game.follower_payoffs
    m, n = game.shape
    payoff_slack = TOLERANCE * max(np.ptp(A), np.ptp(B), np.finfo(float).tiny)
    found = []
    for k in range(1, min(m, n) + 1):
        for rows in combinations(range(m), k):
            for columns in combinations(range(n), k):
                y_support = _solve_indifference(A, list(rows), list(columns))
                x_support = _solve_indifference(B.T, list(columns), list(rows))
                if y_support is None or x_support is None:
                    continue
                if np.any(y_support < -TOLERANCE) or np.any(x_support < -TOLERANCE):
                    continue
                x, y = np.zeros(m), np.zeros(n)
                x[list(rows)], y[list(columns)] = x_support, y_support
                x, y = np.clip(x, 0, None), np.clip(y, 0, None)
                x, y = x / x.sum(), y / y.sum()
                leader, follower = A @ y, x @ B
                stable_leader = leader.max() <= x @ leader + payoff_slack
                if stable_leader and follower.max() <= follower @ y + payoff_slack:
                    found.append((x, y))
    return found


def nash(game: Game) -> list[NashEquilibrium]:
    """Nash equilibria of ``game`` (see the module docstring for which ones are found)."""
    if not isinstance(game, Game):
        raise TypeError(f"The 'game' parameter of nash must be a Game. Got {game!r} instead.")
    if sum(game.shape) > MAX_ACTIONS:
        raise ValueError(
            f"The 'game' parameter of nash must have at most {MAX_ACTIONS} actions in total "
            f"(support enumeration). Got shape {game.shape} instead."
        )
    try:
        import nashpy
    except ImportError:
        pairs = _support_enumeration(game)
    else:
        pairs = list(nashpy.Game(game.leader_payoffs, game.follower_payoffs).support_enumeration())
    A, B = game.leader_payoffs, game.follower_payoffs
    return [NashEquilibrium(x, y, float(x @ A @ y), float(x @ B @ y)) for x, y in pairs]
