"""A repeated bimatrix game with the follower (a no-regret learner) embedded in the environment.

The learner of the experiment is the **leader** (optimizer): each round it plays a row ``i_t`` of
``A`` (leaders with mixed strategies sample ``i_t ~ x_t`` from their own Generator).  The
environment then lets the embedded **follower** choose ``j_t ~ y_t`` from its history, pays both,
and trains the follower on its payoffs (Deng, Schneider and Sivan, NeurIPS 2019; reference notes
§2.1).

Design: the follower is one of the learners of :data:`~onlinelearn.learners.followers.FOLLOWER_CLASSES`
(Hedge, FollowTheLeader, FTPL, EXP3, EXP3IX, BlumMansour).  At ``reset`` it keeps its own state
record (:func:`~onlinelearn.learners.followers.follower_state`: a ``HedgeState`` for Hedge, an
``Exp3State`` for EXP3 / EXP3-IX, ...) and the environment's :attr:`RepeatedGame.step_kernel` is
the step kernel written for that follower class (:func:`hedge_game_step`, :func:`exp3_game_step`,
...), which calls the follower's own kernels and the shared :func:`pay_and_record`.  So each
compiled runner sees one follower type and no per-round dispatch, the followers' randomness comes
from the environment's Generator, and every follower runs its own kernels.

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
:mod:`onlinelearn.trackers.games`.  Unlike the other environments, the step writes only the played
row's expected loss: the expected-loss vector, slot 2 (BEST_EXPECTED_LOSS) and the game slots are
written by the hindsight kernel, so a tracker that reads them needs ``needs_hindsight``
(docs/design.md §6.2).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.numba_options import inlined_kernel, kernel
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
from onlinelearn.core.sampling import sample_index
from onlinelearn.core.spec import EnvSpec
from onlinelearn.games.game import Game
from onlinelearn.games.named import commitment_game, dss_game
from onlinelearn.games.spec import FOLLOWER_ACTION, FOLLOWER_STRATEGY, LEADER_ACTION, GameSpec
from onlinelearn.learners.exp3 import EXP3, EXP3IX, exp3_act, exp3_update
from onlinelearn.learners.followers import (
    FOLLOWER_CLASSES,
    FTPL,
    BlumMansour,
    FollowTheLeader,
    blum_mansour_act,
    blum_mansour_update,
    follow_the_leader_act,
    follower_state,
    follower_update,
    ftpl_act,
)
from onlinelearn.learners.hedge import Hedge, hedge_probabilities, hedge_update


class RepeatedGameState(NamedTuple):
    # (3, m, n): A, B (raw) and the follower's losses 1 - B~.  Few arrays keep the record cheap
    # to pass between kernels in the compiled loop.
    matrices: np.ndarray
    # (3, m): the running sums of the expected losses -A y_s (comparator "best_row" only), the
    # running sums of the realised -A[:, j_s] (hindsight), and [the bandit follower's feedback, ...].
    vectors: np.ndarray
    integers: np.ndarray  # int64 [j_t, last round's best row (-1 before round 1)]
    follower: object  # the follower's own state record (HedgeState, Exp3State, FollowerState)
    stackelberg_loss: float  # -V
    stackelberg_comparator: bool  # slot 5 is -V (t + 1) instead of the best fixed row's sum


# Why the step kernels are written the way they are (measurements in docs/design.md §6.2).  Numba
# increfs every array of a kernel's arguments on entry and decrefs it after its last use (an
# atomic operation each, several nanoseconds); its reference-count pruner removes such a pair only
# when no call that LLVM did not inline lies between them (the call may return an error) and the
# local control flow is simple.  So everything a step kernel calls in a round is inlined: the
# step into the generated runner (at Numba IR level, like every role kernel), the helpers into the
# step (`inlined_kernel`, LLVM `alwaysinline`), and the pruner then removes every pair.
# Kernels index `state.field[...]` directly instead of binding arrays to local names, whose pairs
# the pruner does not remove, and make the last use of each argument unconditional (a last use
# inside a branch leaves every pair of the inlined helper: 120 instead of 56 ns a round).  The
# Hedge step is the one measured (B8); the other followers' own kernels (EXP3's act, a linear
# solve in Blum-Mansour's) are called as they are.  The shared softmax_negative and
# hedge_probabilities are `inlined_kernel`s themselves.


@inlined_kernel
def expected_leader_loss(state, row, strategy):
    """``-A[row, :] y`` for the follower's mixed strategy ``y = strategy``."""
    expected = 0.0
    for k in range(state.matrices.shape[2]):
        expected -= state.matrices[0, row, k] * strategy[k]
    return expected


@inlined_kernel
def pay_and_record(state, t, action, j, strategy, feedback, record):
    """Pay both players for ``(i_t, j_t) = (action, j)`` against the follower's mixed strategy
    ``y_t = strategy``: the leader's feedback and the oracle slots of the step (every follower).

    Only the played row's expected loss is needed here with the Stackelberg comparator; the other
    rows' (slot 2 and the expected-loss vector) and the game slots are left to the hindsight
    kernel, which the runner calls only for trackers that read them.
    """
    m = state.matrices.shape[1]
    if state.stackelberg_comparator:
        record[BEST_FIXED_CUMULATIVE_EXPECTED] = state.stackelberg_loss * (t + 1)
    else:
        best_cumulative = np.inf
        for a in range(m):
            state.vectors[0, a] += expected_leader_loss(state, a, strategy)
            best_cumulative = min(best_cumulative, state.vectors[0, a])
        record[BEST_FIXED_CUMULATIVE_EXPECTED] = best_cumulative
    # The last uses of the arguments stay outside the branch, so that the reference-count pruner
    # removes their per-round incref/decref pairs (docs/design.md §6.1).
    state.integers[0] = j
    feedback[0] = j
    feedback[1] = state.matrices[0, action, j]
    for a in range(m):
        feedback[2 + a] = state.matrices[0, a, j]
    record[LOSS] = -state.matrices[0, action, j]
    record[EXPECTED_LOSS] = expected_leader_loss(state, action, strategy)


@inlined_kernel
def hedge_game_step(state, rng, t, action, feedback, record):
    """Hedge follower: ``y_t`` with ``hedge_act``'s arithmetic, so this is bit-identical to act,
    pay, update (tests/learners/test_followers.py compares with the standalone Hedge)."""
    hedge_probabilities(state.follower)
    j = sample_index(state.follower.probabilities, rng.random())
    pay_and_record(state, t, action, j, state.follower.probabilities, feedback, record)
    hedge_update(state.follower, j, state.matrices[2, action])


@inlined_kernel
def exp3_game_step(state, rng, t, action, feedback, record):
    """EXP3 / EXP3-IX follower: it sees only its own loss ``1 - B~[i_t, j_t]``."""
    j = exp3_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.probabilities, feedback, record)
    state.vectors[2, 0] = state.matrices[2, action, j]
    exp3_update(state.follower, j, state.vectors[2, :1])


@inlined_kernel
def follow_the_leader_game_step(state, rng, t, action, feedback, record):
    j = follow_the_leader_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.vectors[1], feedback, record)
    follower_update(state.follower, j, state.matrices[2, action])


@inlined_kernel
def ftpl_game_step(state, rng, t, action, feedback, record):
    j = ftpl_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.vectors[1], feedback, record)
    follower_update(state.follower, j, state.matrices[2, action])


@inlined_kernel
def blum_mansour_game_step(state, rng, t, action, feedback, record):
    j = blum_mansour_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.probabilities, feedback, record)
    blum_mansour_update(state.follower, j, state.matrices[2, action])


@inlined_kernel
def game_hindsight(state, t, action, record, strategy):
    """Every row's expected loss against the follower's ``y_t = strategy``, the realised
    comparators and the game slots (actions, ``y_t``, ``B[i_t, :]``)."""
    A = state.matrices[0]
    m = A.shape[0]
    n = A.shape[1]
    j = state.integers[0]
    start = EXPECTED_LOSSES + m
    record[start + LEADER_ACTION] = action
    record[start + FOLLOWER_ACTION] = j
    for k in range(n):
        record[start + FOLLOWER_STRATEGY + k] = strategy[k]
        record[start + FOLLOWER_STRATEGY + n + k] = state.matrices[1, action, k]
    best_expected = np.inf
    best = np.inf
    best_cumulative = np.inf
    best_row = 0
    for a in range(m):
        expected = expected_leader_loss(state, a, strategy)
        record[EXPECTED_LOSSES + a] = expected
        if expected < best_expected:
            best_expected, best_row = expected, a
        loss = -A[a, j]
        state.vectors[1, a] += loss
        best = min(best, loss)
        best_cumulative = min(best_cumulative, state.vectors[1, a])
    record[BEST_EXPECTED_LOSS] = best_expected
    record[BEST_LOSS] = best
    record[BEST_FIXED_CUMULATIVE_LOSS] = best_cumulative
    previous = state.integers[1]
    record[COMPARATOR_SHIFT] = 1.0 if previous >= 0 and previous != best_row else 0.0
    state.integers[1] = best_row


@kernel
def weights_game_hindsight(state, t, action, record):
    """Hindsight for Hedge and EXP3 followers: ``y_t`` is their ``probabilities``."""
    game_hindsight(state, t, action, record, state.follower.probabilities)


@kernel
def follower_game_hindsight(state, t, action, record):
    """Hindsight for FTL, FTPL and Blum-Mansour: ``y_t`` is row 1 of their ``vectors``."""
    game_hindsight(state, t, action, record, state.follower.vectors[1])


#: The step and hindsight kernels of each follower class (EXP3IX shares EXP3's).
FOLLOWER_KERNELS = (
    (Hedge, hedge_game_step, weights_game_hindsight),
    (EXP3, exp3_game_step, weights_game_hindsight),
    (EXP3IX, exp3_game_step, weights_game_hindsight),
    (FollowTheLeader, follow_the_leader_game_step, follower_game_hindsight),
    (FTPL, ftpl_game_step, follower_game_hindsight),
    (BlumMansour, blum_mansour_game_step, weights_game_hindsight),
)


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
        {"game": commitment_game(), "follower": FTPL(eta=0.5)},
    ]
    _skip_checks = {
        "realisation_independent_of_actions": "the follower adapts to the leader's actions by design"
    }

    def __init__(
        self, game: Game = None, follower=None, n_rounds: int | None = None, comparator: str = "stackelberg"
    ):
        self.game = dss_game() if game is None else game
        self.follower = follower
        self.n_rounds = n_rounds
        self.comparator = comparator

    def _follower(self):
        return Hedge() if self.follower is None else self.follower

    @property
    def step_kernel(self):
        """The step kernel for this follower's class (``None`` for an invalid follower, which
        ``reset`` then reports)."""
        return self._kernels()[0]

    @property
    def hindsight_kernel(self):
        """The hindsight kernel for this follower's class (``None`` for an invalid follower)."""
        return self._kernels()[1]

    def _kernels(self):
        follower = self._follower()
        for follower_class, step, hindsight in FOLLOWER_KERNELS:
            if isinstance(follower, follower_class):
                return step, hindsight
        return None, None

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
            np.zeros((3, m)),
            np.array([0, -1], dtype=np.int64),
            state,
            -float(self.game.stackelberg_value),
            self.comparator == "stackelberg",
        )
