"""Named games: the examples of Deng, Schneider and Sivan (NeurIPS 2019) and classics."""

from __future__ import annotations

import math

import numpy as np

from onlinelearn.games.game import Game


def dss_game(gamma: float = 1e-4) -> Game:
    """The running example of Deng, Schneider and Sivan, "Strategizing against no-regret learners"
    (NeurIPS 2019, Section 4.1): a game where a mean-based learner can be exploited beyond ``V``.

    Leader rows (Top, Bottom), follower columns (Left, Mid, Right), entries (leader, follower)::

                 Left          Mid        Right
        Top     (0, sqrt(g))  (-2, -1)   (-2, 0)
        Bottom  (0, -1)       (-2, 1)    (2, 0)

    The Stackelberg value is ``V = 0``; the two-phase schedule (Top for ``T/2`` rounds, then
    Bottom) earns ``1 - sqrt(gamma)`` per round against follow-the-leader.

    Args:
        gamma: the follower's tie-breaking parameter, in (0, 1); ``sqrt(gamma)`` is Left's payoff
            against Top.
    """
    if not isinstance(gamma, int | float) or isinstance(gamma, bool) or not 0 < gamma < 1:
        raise ValueError(
            f"The 'gamma' parameter of dss_game must be a float in the range (0, 1). Got {gamma!r} instead."
        )
    root = math.sqrt(gamma)
    return Game([[0.0, -2.0, -2.0], [0.0, -2.0, 2.0]], [[root, -1.0, 0.0], [-1.0, 1.0, 0.0]], name="DSS")


def commitment_game() -> Game:
    """The classic value-of-commitment game (von Stengel and Zamir, GEB 2010, Figure 1 style).

    Leader rows (U, D), follower columns (L, R), entries (leader, follower)::

             L       R
        U  (2, 1)  (4, 0)
        D  (1, 0)  (3, 1)

    U strictly dominates for the leader, so the Nash outcome pays it 2; committing to
    ``P(U) = 1/2`` makes R a best response and pays ``V = 3.5``.
    """
    return Game([[2.0, 4.0], [1.0, 3.0]], [[1.0, 0.0], [0.0, 1.0]], name="commitment")


def matching_pennies() -> Game:
    """Matching pennies (zero-sum): the leader wins 1 on a match; ``V`` is the minimax value 0."""
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    return Game(A, -A, name="matching pennies")


def random_game(
    n_leader_actions: int = 3, n_follower_actions: int = 3, seed=None, zero_sum: bool = False
) -> Game:
    """A game with i.i.d. Uniform[0, 1] payoffs drawn from ``numpy.random.default_rng(seed)``.

    ``zero_sum=True`` sets ``B = -A``.  Ties have probability zero, so the game is generic.
    """
    for name, value in (("n_leader_actions", n_leader_actions), ("n_follower_actions", n_follower_actions)):
        low = 1 if name == "n_leader_actions" else 2
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            raise ValueError(
                f"The '{name}' parameter of random_game must be an int in the range [{low}, inf). "
                f"Got {value!r} instead."
            )
    rng = np.random.default_rng(seed)
    A = rng.random((n_leader_actions, n_follower_actions))
    B = -A if zero_sum else rng.random((n_leader_actions, n_follower_actions))
    return Game(A, B, name=f"random {n_leader_actions}x{n_follower_actions} (seed {seed})")
