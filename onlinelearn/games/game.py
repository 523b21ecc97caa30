"""Bimatrix games: the leader's (optimizer's) and the follower's (learner's) payoff matrices.

A :class:`Game` holds ``A`` (leader) and ``B`` (follower), both of shape ``(m, n)``: the leader
picks a row ``i`` (or a mixed strategy ``x`` over the ``m`` rows), the follower a column ``j``
(or ``y`` over the ``n`` columns), and they receive ``A[i, j]`` and ``B[i, j]``.  Payoffs are
utilities (larger is better).  Construction validates shapes and finiteness once, so every
solver and environment downstream can trust the arrays.
"""

from __future__ import annotations

import numpy as np

#: Tolerance on ``sum(x) = 1`` for user-supplied mixed strategies.
SIMPLEX_TOLERANCE = 1e-9


def _matrix(value, name: str) -> np.ndarray:
    try:
        matrix = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"The '{name}' parameter of Game must be a 2-D array of reals. Got {value!r} instead."
        ) from None
    if matrix.ndim != 2 or matrix.shape[0] < 1 or matrix.shape[1] < 2:
        raise ValueError(
            f"The '{name}' parameter of Game must be a 2-D array with at least 1 row and 2 columns. "
            f"Got shape {matrix.shape} instead."
        )
    if not np.all(np.isfinite(matrix)):
        raise ValueError(
            f"The '{name}' parameter of Game must be finite (no NaN or inf). Got {value!r} instead."
        ) from None
    matrix.setflags(write=False)
    return matrix


def check_strategy(strategy, size: int, name: str, owner: str = "Game") -> np.ndarray:
    """``strategy`` as a float array of length ``size`` on the simplex, or a clear error naming it."""
    try:
        x = np.array(strategy, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(
            f"The '{name}' parameter of {owner} must be a mixed strategy. Got {strategy!r} instead."
        ) from None
    if x.shape != (size,) or not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a mixed strategy: {size} non-negative finite "
            f"entries summing to 1. Got {strategy!r} instead."
        ) from None
    if abs(x.sum() - 1.0) > SIMPLEX_TOLERANCE:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a mixed strategy summing to 1 "
            f"(tolerance {SIMPLEX_TOLERANCE:g}). Got entries summing to {x.sum()!r} instead."
        )
    return x / x.sum()


class Game:
    """A bimatrix game ``(A, B)``; ``A`` is the leader's payoff matrix, ``B`` the follower's.

    Args:
        leader_payoffs: ``A``, shape ``(m, n)``: the leader's payoff when it plays row ``i`` and the
            follower plays column ``j``.
        follower_payoffs: ``B``, same shape: the follower's payoff.
        name: display name (used in environment names and figures).

    Raises:
        ValueError: the shapes differ, a matrix is not 2-D with at least 2 columns, or it has NaN
            or infinite entries.
    """

    def __init__(self, leader_payoffs, follower_payoffs, name: str = "game"):
        self.leader_payoffs = _matrix(leader_payoffs, "leader_payoffs")
        self.follower_payoffs = _matrix(follower_payoffs, "follower_payoffs")
        if self.leader_payoffs.shape != self.follower_payoffs.shape:
            raise ValueError(
                "The 'follower_payoffs' parameter of Game must have the shape of 'leader_payoffs' "
                f"{self.leader_payoffs.shape}. Got shape {self.follower_payoffs.shape} instead."
            )
        self.name = str(name)

    # -- sizes ------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return self.leader_payoffs.shape

    @property
    def n_leader_actions(self) -> int:
        return self.shape[0]

    @property
    def n_follower_actions(self) -> int:
        return self.shape[1]

    # -- payoffs ----------------------------------------------------------------------------
    def payoffs(self, leader_strategy, follower_strategy) -> tuple[float, float]:
        """Expected payoffs ``(x^T A y, x^T B y)`` of two mixed strategies."""
        x = check_strategy(leader_strategy, self.shape[0], "leader_strategy")
        y = check_strategy(follower_strategy, self.shape[1], "follower_strategy")
        return float(x @ self.leader_payoffs @ y), float(x @ self.follower_payoffs @ y)

    def best_responses(self, leader_strategy, tolerance: float = 1e-12) -> np.ndarray:
        """The follower's best responses ``argmax_j (x^T B)_j``: every index within ``tolerance``
        times ``max B - min B`` of the best (a tolerance relative to the payoff scale)."""
        x = check_strategy(leader_strategy, self.shape[0], "leader_strategy")
        values = x @ self.follower_payoffs
        return np.flatnonzero(values >= values.max() - tolerance * np.ptp(self.follower_payoffs))

    def leader_value(self, leader_strategy, tolerance: float = 1e-12) -> float:
        """``max_{j in BR(x)} (x^T A)_j``: the leader's payoff with ties broken in its favour
        (``tolerance`` as in :meth:`best_responses`)."""
        x = check_strategy(leader_strategy, self.shape[0], "leader_strategy")
        return float((x @ self.leader_payoffs)[self.best_responses(x, tolerance)].max())

    def normalised(self) -> Game:
        """The same game with each matrix mapped affinely onto [0, 1] (constant matrices to 0).

        Best responses, Stackelberg strategies and Nash equilibria are unchanged; values and
        margins scale by ``1 / (max - min)`` of the respective matrix.
        """
        return Game(_unit(self.leader_payoffs), _unit(self.follower_payoffs), name=self.name)

    def unit_rate(self, eta: float) -> float:
        """A follower's learning rate ``eta`` quoted for the raw payoffs ``B``, converted to the
        units of :class:`~onlinelearn.environments.games.RepeatedGame`, whose followers learn from
        ``B`` mapped onto [0, 1]: ``eta (max B - min B)`` (``exp(eta sum B)`` is unchanged).

        The reference notes and the DSS example quote Hedge's rate as ``c / sqrt(T)`` on raw
        payoffs; on the DSS game (range 2) that is ``2 c / sqrt(T)`` for the library's Hedge.
        """
        return float(eta) * float(np.ptp(self.follower_payoffs))

    @property
    def stackelberg_value(self) -> float:
        """The strong Stackelberg value ``V`` (by :func:`onlinelearn.games.stackelberg`, cached)."""
        from onlinelearn.games.stackelberg import stackelberg

        return stackelberg(self).value

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Game)
            and np.array_equal(self.leader_payoffs, other.leader_payoffs)
            and np.array_equal(self.follower_payoffs, other.follower_payoffs)
        )

    def __hash__(self) -> int:
        return hash((self.leader_payoffs.tobytes(), self.follower_payoffs.tobytes(), self.shape))

    def __repr__(self) -> str:
        return f"Game({self.name!r}, {self.shape[0]}x{self.shape[1]})"


def _unit(matrix: np.ndarray) -> np.ndarray:
    low, high = matrix.min(), matrix.max()
    return np.zeros_like(matrix) if high == low else (matrix - low) / (high - low)
