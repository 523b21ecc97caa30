"""A repeated bimatrix game with the follower (a no-regret learner) embedded in the environment.

The learner of the experiment is the **leader** (optimizer).  Each round it plays either a row
``i_t`` of ``A`` (``leader_actions="pure"``, the default; leaders with mixed strategies sample
``i_t ~ x_t`` from their own Generator) or a mixed strategy ``x_t`` itself
(``leader_actions="mixed"``: the action is a probability vector over the ``m`` rows, played in
expectation, never sampled).  The environment then lets the embedded **follower** choose
``j_t ~ y_t`` from its history, pays both, and trains the follower on its payoffs (Deng,
Schneider and Sivan, NeurIPS 2019; reference notes §2.1).

Design: the follower is one of the learners of :data:`~onlinelearn.learners.followers.FOLLOWER_CLASSES`
(Hedge, FollowTheLeader, FTPL, EXP3, EXP3IX, BlumMansour).  At ``reset`` it keeps its own state
record (:func:`~onlinelearn.learners.followers.follower_state`: a ``HedgeState`` for Hedge, an
``Exp3State`` for EXP3 / EXP3-IX, ...) and the environment's :attr:`RepeatedGame.step_kernel` is
the step kernel written for that follower class and leader mode
(:mod:`onlinelearn.environments.game_kernels`: ``hedge_game_step``, ``hedge_mixed_step``, ...),
which calls the follower's own kernels and the shared payment kernel.  So each compiled runner
sees one follower type and one action type with no per-round dispatch, the followers' randomness
comes from the environment's Generator, and every follower runs its own kernels.

Units.  The follower learns from losses ``1 - B~[i_t, :]``, resp. their expectation ``x_t^T (1 -
B~)`` over a mixed ``x_t``, where ``B~`` is ``B`` mapped affinely onto [0, 1]
(:meth:`~onlinelearn.games.Game.normalised`): full information for every follower except
EXP3 / EXP3-IX, which see only the entry ``j_t``.  Learning rates therefore refer to payoffs in
[0, 1].  The leader's feedback (kind GAME) is ``[j_t, u_t, A[0, j_t], ..., A[m-1, j_t], y_t(0),
..., y_t(n-1)]`` in raw units of ``A``: the follower's action, the leader's payoff ``u_t =
A[i_t, j_t]`` (pure) or ``x_t^T A e_{j_t}`` (mixed: expected over its own strategy, realised over
the follower's sampled ``j_t``), the column of ``A`` it was paid from, and the follower's mixed
strategy ``y_t`` of the round (what the follower's state was when it drew ``j_t``; one-hot for FTL
and FTPL).

Oracle record: the leader's loss is its negated payoff, ``LOSS = -u_t`` (``loss_range`` is
``(-max A, -min A)``); expected losses average over the follower's mixed strategy ``y_t``, so
``-EXPECTED_LOSS`` is the leader's expected payoff ``A[i_t, :] y_t``, resp. ``x_t^T A y_t``.  The
environment knows its comparator: by default (``comparator="stackelberg"``) slot 5 is ``-V (t +
1)``, so ``PseudoRegret`` reports the Stackelberg regret ``t V - sum_s A[i_s, :] y_s``; with
``"best_row"`` it is the best fixed row against the realised ``y_s``.  ``StaticRegret`` always
compares with the best fixed row against the realised follower actions (for a mixed leader the
best point of the simplex is a row, so these comparators are the same in both modes).  The
expected-loss vector has one slot per row in both modes; after it come the game slots of
:mod:`onlinelearn.games.spec` (actions, ``y_t`` and the follower's payoff vector), read by
:mod:`onlinelearn.trackers.games`.  Unlike the other environments, the step writes only the played
row's expected loss: the expected-loss vector, slot 2 (BEST_EXPECTED_LOSS) and the game slots are
written by the hindsight kernel, so a tracker that reads them needs ``needs_hindsight``
(docs/design.md §6.2).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from onlinelearn.environments.game_kernels import (
    blum_mansour_game_step,
    blum_mansour_mixed_step,
    exp3_game_step,
    exp3_mixed_step,
    follow_the_leader_game_step,
    follow_the_leader_mixed_step,
    follower_game_hindsight,
    follower_mixed_hindsight,
    ftpl_game_step,
    ftpl_mixed_step,
    hedge_game_step,
    hedge_mixed_step,
    weights_game_hindsight,
    weights_mixed_hindsight,
)

from onlinelearn.core.decision_sets import simplex
from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.params import InstanceOf, Interval, Options
from onlinelearn.core.spec import EnvSpec
from onlinelearn.games.game import Game, check_strategy
from onlinelearn.games.named import commitment_game, dss_game
from onlinelearn.games.spec import GameSpec
from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.followers import (
    FOLLOWER_CLASSES,
    FTPL,
    BlumMansour,
    FollowTheLeader,
    follower_state,
)
from onlinelearn.learners.hedge import Hedge


class RepeatedGameState(NamedTuple):
    # (3, m, n): A, B (raw) and the follower's losses 1 - B~.  Few arrays keep the record cheap
    # to pass between kernels in the compiled loop.
    matrices: np.ndarray
    # (3, m): the running sums of the expected losses -A y_s (comparator "best_row" only), the
    # running sums of the realised -A[:, j_s] (hindsight), and [the bandit follower's feedback, ...].
    vectors: np.ndarray
    integers: np.ndarray  # int64 [j_t, last round's best row (-1 before round 1)]
    follower: object  # the follower's own state (HedgeState, Exp3State, FollowerState, BlumMansourState)
    follower_losses: np.ndarray  # (n,): x_t^T (1 - B~), the follower's losses against a mixed x_t
    stackelberg_loss: float  # -V
    stackelberg_comparator: bool  # slot 5 is -V (t + 1) instead of the best fixed row's sum


#: Each follower class's step and hindsight kernels when the leader plays rows, then when it plays
#: mixed strategies (EXP3IX shares EXP3's).
FOLLOWER_KERNELS = (
    (Hedge, hedge_game_step, weights_game_hindsight, hedge_mixed_step, weights_mixed_hindsight),
    (EXP3, exp3_game_step, weights_game_hindsight, exp3_mixed_step, weights_mixed_hindsight),
    (EXP3IX, exp3_game_step, weights_game_hindsight, exp3_mixed_step, weights_mixed_hindsight),
    (
        FollowTheLeader,
        follow_the_leader_game_step,
        follower_game_hindsight,
        follow_the_leader_mixed_step,
        follower_mixed_hindsight,
    ),
    (FTPL, ftpl_game_step, follower_game_hindsight, ftpl_mixed_step, follower_mixed_hindsight),
    (
        BlumMansour,
        blum_mansour_game_step,
        weights_game_hindsight,
        blum_mansour_mixed_step,
        weights_mixed_hindsight,
    ),
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
        leader_actions: ``"pure"``: the leader's action is a row (an ``int`` in ``[0, m)``);
            ``"mixed"``: it is a mixed strategy (a float array of ``m`` non-negative entries
            summing to 1 within 1e-9, used as given), the spec's decision set is ``simplex(m)``
            and the follower learns from ``x_t^T B``.  The leaders of
            :mod:`onlinelearn.learners.leaders` play either way.
    """

    _parameter_constraints = {
        "game": [InstanceOf((Game,))],
        "follower": [InstanceOf(FOLLOWER_CLASSES), None],
        "n_rounds": [Interval(int, 1, None), None],
        "comparator": [Options(("stackelberg", "best_row"))],
        "leader_actions": [Options(("pure", "mixed"))],
    }
    _test_params = [
        {"game": dss_game(), "follower": FollowTheLeader()},
        {"game": commitment_game(), "follower": Hedge(eta=0.3)},
        {"game": dss_game(), "follower": EXP3(eta=0.2)},
        {"game": dss_game(), "follower": BlumMansour(eta=0.5), "comparator": "best_row"},
        {"game": commitment_game(), "follower": FTPL(eta=0.5)},
        {"game": commitment_game(), "follower": Hedge(eta=0.3), "leader_actions": "mixed"},
        {"game": dss_game(), "follower": FollowTheLeader(), "leader_actions": "mixed"},
        {"game": dss_game(), "follower": EXP3(eta=0.2), "leader_actions": "mixed", "comparator": "best_row"},
        {"game": commitment_game(), "follower": BlumMansour(eta=0.5), "leader_actions": "mixed"},
        {"game": dss_game(), "follower": FTPL(eta=0.5), "leader_actions": "mixed"},
    ]
    _skip_checks = {
        "realisation_independent_of_actions": "the follower adapts to the leader's actions by design"
    }

    def __init__(
        self,
        game: Game = None,
        follower=None,
        n_rounds: int | None = None,
        comparator: str = "stackelberg",
        leader_actions: str = "pure",
    ):
        self.game = dss_game() if game is None else game
        self.follower = follower
        self.n_rounds = n_rounds
        self.comparator = comparator
        self.leader_actions = leader_actions

    def _follower(self):
        return Hedge() if self.follower is None else self.follower

    @property
    def step_kernel(self):
        """The step kernel for this follower's class and ``leader_actions`` (``None`` for an
        invalid follower, which ``reset`` then reports)."""
        return self._kernels()[0]

    @property
    def hindsight_kernel(self):
        """The hindsight kernel for this follower's class and ``leader_actions``."""
        return self._kernels()[1]

    def _kernels(self):
        follower = self._follower()
        for follower_class, *kernels in FOLLOWER_KERNELS:
            if isinstance(follower, follower_class):
                return kernels[2:] if self.leader_actions == "mixed" else kernels[:2]
        return None, None

    def make_spec(self) -> GameSpec:
        A = self.game.leader_payoffs
        m, n = self.game.shape
        mixed = self.leader_actions == "mixed"
        return GameSpec(
            FeedbackKind.GAME,
            n_actions=None if mixed else m,
            decision_set=simplex(m) if mixed else None,
            loss_range=(-float(A.max()), -float(A.min())),
            n_follower_actions=n,
            stackelberg_value=self.game.stackelberg_value,
            game=self.game,
            planned_rounds=self.n_rounds,
        )

    def check_action(self, action):
        """A row (``"pure"``), or a mixed strategy over the rows (``"mixed"``, returned unchanged
        as a float array), or a clear error naming the argument."""
        if self.leader_actions == "pure":
            return super().check_action(action)
        m = self.game.n_leader_actions
        if isinstance(action, int | np.integer):
            raise TypeError(
                f"The 'action' parameter of RepeatedGame.step must be a mixed strategy over the {m} "
                f"rows with leader_actions='mixed' (use leader_actions='pure' to play rows). "
                f"Got {action!r} instead."
            )
        check_strategy(action, m, "action", "RepeatedGame.step")
        return np.ascontiguousarray(action, dtype=float).reshape(m)

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
            np.zeros(n),
            -float(self.game.stackelberg_value),
            self.comparator == "stackelberg",
        )
