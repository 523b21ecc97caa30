"""A repeated bimatrix game with the follower (a no-regret learner) embedded in the environment.

The learner of the experiment is the **leader** (optimizer): each round it plays a row ``i_t`` of
``A`` (leaders with mixed strategies sample ``i_t ~ x_t`` from their own Generator).  The
environment then lets the embedded **follower** choose ``j_t ~ y_t`` from its history, pays both,
and trains the follower on its payoffs (Deng, Schneider and Sivan, NeurIPS 2019; reference notes
§2.1).

Design: the follower is one of the learners of :data:`~onlinelearn.learners.followers.FOLLOWER_CLASSES`
(Hedge, FollowTheLeader, FTPL, EXP3, EXP3IX, BlumMansour), converted at ``reset`` into the common
:class:`~onlinelearn.learners.followers.FollowerState` whose ``kind`` code selects the branch of
the followers' module-level kernels (``follower_act``/``follower_update``) called by this step
kernel.  So one compiled step kernel serves every follower, the followers' randomness comes from
the environment's Generator, and Hedge/EXP3 run their own kernels.

Units.  The follower learns from losses ``1 - B~[i_t, :]`` where ``B~`` is ``B`` mapped affinely
onto [0, 1] (:meth:`~onlinelearn.games.Game.normalised`): full information for every follower
except EXP3 / EXP3-IX, which see only ``1 - B~[i_t, j_t]``.  Learning rates therefore refer to
payoffs in [0, 1].  The leader's feedback (kind GAME) is ``[j_t, A[i_t, j_t], A[0, j_t], ...,
A[m-1, j_t]]`` in raw units of ``A``.

Oracle record: the leader's loss is its negated payoff, ``-A[i_t, j_t]`` (``loss_range`` is
``(-max A, -min A)``); expected losses average over the follower's mixed strategy ``y_t``, so
``-EXPECTED_LOSS`` is the leader's expected payoff ``A[i_t, :] y_t``.  The environment knows its
comparator: by default (``comparator="stackelberg"``) slot 5 is ``-V (t + 1)``, so
``PseudoRegret`` reports the Stackelberg regret ``t V - sum_s A[i_s, :] y_s``; with
``"best_row"`` it is the best fixed row against the realised ``y_s``.  ``StaticRegret`` always
compares with the best fixed row against the realised follower actions.  After the expected-loss
vector come the game slots of :mod:`onlinelearn.games.spec` (actions, ``y_t`` and ``B[i_t, :]``), read by
:mod:`onlinelearn.trackers.games`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    COMPARATOR_SHIFT,
    EXPECTED_LOSS,
    EXPECTED_LOSSES,
    LOSS,
)
from onlinelearn.core.params import InstanceOf, Interval, Options
from onlinelearn.core.spec import EnvSpec
from onlinelearn.games.game import Game
from onlinelearn.games.named import commitment_game, dss_game
from onlinelearn.games.spec import FOLLOWER_ACTION, FOLLOWER_STRATEGY, LEADER_ACTION, GameSpec
from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.followers import (
    FOLLOWER_CLASSES,
    BlumMansour,
    FollowerState,
    FollowTheLeader,
    follower_act,
    follower_state,
    follower_update,
)
from onlinelearn.learners.hedge import Hedge


class RepeatedGameState(NamedTuple):
    # (3, m, n): A, B (raw) and the follower's losses 1 - B~.  Few arrays keep the record cheap
    # to pass between kernels in the compiled loop.
    matrices: np.ndarray
    # (4, m): this round's expected losses -A y_t, their running sums, the running sums of the
    # realised -A[:, j_s], and [the bandit follower's feedback, ...].
    vectors: np.ndarray
    integers: np.ndarray  # int64 [j_t, last round's best row (-1 before round 1)]
    follower: FollowerState
    full_information: bool  # the follower sees B~[i, :] (else only B~[i, j])
    stackelberg_loss: float  # -V
    stackelberg_comparator: bool  # slot 5 is -V (t + 1) instead of the best fixed row's sum


@kernel
def game_step(state, rng, t, action, feedback, record):
    # Index the packed arrays directly (no per-round views): this kernel runs every round.
    M = state.matrices
    V = state.vectors
    m = M.shape[1]
    n = M.shape[2]
    j = follower_act(state.follower, rng)
    y = state.follower.vectors
    state.integers[0] = j
    feedback[0] = j
    feedback[1] = M[0, action, j]
    best = np.inf
    best_cumulative = np.inf
    for a in range(m):
        feedback[2 + a] = M[0, a, j]
        expected = 0.0
        for k in range(n):
            expected -= M[0, a, k] * y[1, k]
        V[0, a] = expected
        V[1, a] += expected
        best = min(best, expected)
        best_cumulative = min(best_cumulative, V[1, a])
    record[LOSS] = -M[0, action, j]
    record[EXPECTED_LOSS] = V[0, action]
    record[BEST_EXPECTED_LOSS] = best
    if state.stackelberg_comparator:
        best_cumulative = state.stackelberg_loss * (t + 1)
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = best_cumulative
    start = EXPECTED_LOSSES + m
    record[start + LEADER_ACTION] = action
    record[start + FOLLOWER_ACTION] = j
    for k in range(n):
        record[start + FOLLOWER_STRATEGY + k] = y[1, k]
        record[start + FOLLOWER_STRATEGY + n + k] = M[1, action, k]
    # The follower learns after y_t has been recorded.
    if state.full_information:
        follower_update(state.follower, j, M[2, action])
    else:
        V[3, 0] = M[2, action, j]
        follower_update(state.follower, j, V[3, :1])


@kernel
def game_hindsight(state, t, action, record):
    A = state.matrices[0]
    m = A.shape[0]
    expected_losses = state.vectors[0]
    cumulative_losses = state.vectors[2]
    j = state.integers[0]
    best = np.inf
    best_cumulative = np.inf
    best_row = 0
    for a in range(m):
        loss = -A[a, j]
        cumulative_losses[a] += loss
        best = min(best, loss)
        best_cumulative = min(best_cumulative, cumulative_losses[a])
        record[EXPECTED_LOSSES + a] = expected_losses[a]
        if expected_losses[a] < expected_losses[best_row]:
            best_row = a
    record[BEST_LOSS] = best
    record[BEST_FIXED_CUMULATIVE_LOSS] = best_cumulative
    previous = state.integers[1]
    record[COMPARATOR_SHIFT] = 1.0 if previous >= 0 and previous != best_row else 0.0
    state.integers[1] = best_row


class RepeatedGame(KernelEnvironment):
    """The repeated ``game`` against an embedded no-regret ``follower`` (see the module docstring).

    Args:
        game: the bimatrix :class:`~onlinelearn.games.Game`; the leader (the experiment's
            learner) plays its rows.
        follower: the follower's learner, an instance of Hedge, FollowTheLeader, FTPL, EXP3,
            EXP3IX or BlumMansour (default ``Hedge()``).  Its parameters refer to payoffs
            rescaled to [0, 1].
        n_rounds: the planned length of the game: the follower tunes its default rate for it and
            schedules place their phases in it (``None``: the run's horizon for schedules; the
            follower then needs an explicit ``eta`` or ``anytime=True``).  Usually the
            experiment's horizon; a longer run continues the game with the same parameters.
        comparator: what the expected-comparator slot 5 (hence ``PseudoRegret``) compares the
            leader with: ``"stackelberg"`` (committing to the Stackelberg value every round:
            pseudo-regret ``= t V - sum_s A[i_s, :] y_s``, the Stackelberg regret, negative when the
            leader beats ``V``) or ``"best_row"`` (the best fixed row against the follower's
            realised mixed strategies, as in the other environments).
    """

    _parameter_constraints = {
        "game": [InstanceOf((Game,))],
        "follower": [InstanceOf(FOLLOWER_CLASSES), None],
        "n_rounds": [Interval(int, 1, None), None],
        "comparator": [Options(("stackelberg", "best_row"))],
    }
    _test_params = [
        {"game": dss_game(), "follower": FollowTheLeader()},
        {"game": commitment_game(), "follower": Hedge(eta=0.3)},
        {"game": dss_game(), "follower": EXP3(eta=0.2)},
        {"game": dss_game(), "follower": BlumMansour(eta=0.5), "comparator": "best_row"},
    ]
    _skip_checks = {
        "realisation_independent_of_actions": "the follower adapts to the leader's actions by design"
    }
    step_kernel = staticmethod(game_step)
    hindsight_kernel = staticmethod(game_hindsight)

    def __init__(
        self, game: Game = None, follower=None, n_rounds: int | None = None, comparator: str = "stackelberg"
    ):
        self.game = dss_game() if game is None else game
        self.follower = follower
        self.n_rounds = n_rounds
        self.comparator = comparator

    def _follower(self):
        return Hedge() if self.follower is None else self.follower

    def make_spec(self) -> GameSpec:
        A = self.game.leader_payoffs
        m, n = self.game.shape
        return GameSpec(
            FeedbackKind.GAME,
            n_actions=m,
            loss_range=(-float(A.max()), -float(A.min())),
            n_follower_actions=n,
            stackelberg_value=self.game.stackelberg_value,
            game=self.game,
            planned_rounds=self.n_rounds,
        )

    def follower_spec(self) -> EnvSpec:
        """The spec the follower is reset with: its ``n`` actions, losses in [0, 1]."""
        bandit = isinstance(self._follower(), EXP3 | EXP3IX)
        kind = FeedbackKind.BANDIT if bandit else FeedbackKind.FULL_INFORMATION
        return EnvSpec(kind, n_actions=self.game.n_follower_actions, horizon=self.n_rounds)

    def init_state(self, spec, rng):
        follower = self._follower()
        try:
            state = follower_state(follower, self.follower_spec(), rng)
        except ValueError as error:
            if self.n_rounds is None and "horizon" in str(error):
                raise ValueError(
                    f"The follower {follower!r} of RepeatedGame tunes its rate from the horizon: set "
                    "RepeatedGame's 'n_rounds' to the experiment's horizon, or give the follower "
                    "an explicit 'eta'."
                ) from error
            raise
        m, n = self.game.shape
        matrices = np.stack(
            [
                self.game.leader_payoffs,
                self.game.follower_payoffs,
                1.0 - self.game.normalised().follower_payoffs,
            ]
        )
        return RepeatedGameState(
            matrices,
            np.zeros((4, m)),
            np.array([0, -1], dtype=np.int64),
            state,
            not isinstance(follower, EXP3 | EXP3IX),
            -float(self.game.stackelberg_value),
            self.comparator == "stackelberg",
        )
