"""The spec of a repeated game and the extra oracle slots it records for game trackers.

A repeated game is an environment of feedback kind GAME for the leader.  Its ``m`` rows are the
finite actions of the spec (``n_actions = m``), or, when the leader plays mixed strategies
directly (``RepeatedGame(leader_actions="mixed")``), its actions are the points of the simplex
(``decision_set = simplex(m)``, ``n_actions = None``); ``n_leader_actions`` is ``m`` either way.
The leader's feedback is ``[j_t, u_t, A[0, j_t], ..., A[m-1, j_t], y_t(0), ..., y_t(n-1)]``
(kind GAME, :mod:`onlinelearn.core.feedback`).  The oracle record has the usual header and
the expected loss of every row (``RECORD_HEADER + m`` slots, in both modes; the leader's loss is
its negated payoff) followed by ``2 + 2n`` game slots, at offsets from ``game_slots_start(spec)
= RECORD_HEADER + m``:

======================  =========  ===========================================================
offset                  length     meaning at round t
======================  =========  ===========================================================
LEADER_ACTION           1          the leader's row ``i_t`` (-1 when it plays a mixed strategy)
FOLLOWER_ACTION         1          the follower's action ``j_t``
FOLLOWER_STRATEGY       n          the follower's mixed strategy ``y_t`` (one-hot for FTL/FTPL)
FOLLOWER_PAYOFFS        n          the follower's payoff vector ``B[i_t, :]``, or ``x_t^T B`` for
                                   a mixed strategy ``x_t`` (raw units of B)
======================  =========  ===========================================================

The game slots are written by the environment's hindsight kernel, which the compiled runner calls
only when a tracker sets ``needs_hindsight``: a tracker that reads them must set it (as
:class:`~onlinelearn.trackers.FollowerRegret` does).  The Python loop always writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from onlinelearn.core.feedback import feedback_size
from onlinelearn.core.oracle import RECORD_HEADER
from onlinelearn.core.spec import EnvSpec

LEADER_ACTION = 0
FOLLOWER_ACTION = 1
FOLLOWER_STRATEGY = 2


def follower_payoffs_offset(n_follower_actions: int) -> int:
    """Offset of the follower's payoff vector among the game slots."""
    return FOLLOWER_STRATEGY + n_follower_actions


@dataclass(frozen=True)
class GameSpec(EnvSpec):
    """:class:`~onlinelearn.core.EnvSpec` of a repeated game, seen by the leader and the trackers.

    Attributes (beyond EnvSpec's):
        n_follower_actions: ``n``, the follower's number of actions.
        stackelberg_value: the strong Stackelberg value ``V`` of the game (leader's payoff units).
        game: the :class:`~onlinelearn.games.Game` itself (the leader knows the game).
        planned_rounds: the length of the game both players plan for (``RepeatedGame``'s
            ``n_rounds``), or ``None``: leaders then plan for the run's ``horizon``.  A run longer
            than ``planned_rounds`` continues with the last phase of a schedule, so one long run
            records every shorter game on its checkpoint grid.
    """

    n_follower_actions: int = 0
    stackelberg_value: float = float("nan")
    game: object = None
    planned_rounds: int | None = None

    @property
    def n_leader_actions(self) -> int:
        """``m``, the rows of the game (``n_actions``, or the simplex's dimension)."""
        return int(self.n_actions or self.dimension)

    @property
    def mixed_leader(self) -> bool:
        """Whether the leader's actions are mixed strategies (points of ``simplex(m)``)."""
        return self.decision_set is not None

    @property
    def feedback_size(self) -> int:
        return feedback_size(
            self.feedback_kind, self.n_actions, self.dimension, n_opponent_actions=self.n_follower_actions
        )

    @property
    def record_size(self) -> int:
        return RECORD_HEADER + self.n_leader_actions + 2 + 2 * int(self.n_follower_actions)

    @property
    def game_slots_start(self) -> int:
        return RECORD_HEADER + self.n_leader_actions
