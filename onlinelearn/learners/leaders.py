"""Leader (optimizer) strategies for repeated games against an embedded no-regret follower.

They play the rows of the game of a :class:`~onlinelearn.games.GameSpec` (environment
:class:`~onlinelearn.environments.games.RepeatedGame`, feedback kind GAME) and know the game,
as the optimizer of Deng, Schneider and Sivan ("Strategizing against no-regret learners",
NeurIPS 2019) does:

* :class:`Schedule`: a piecewise-constant schedule of mixed strategies ``x_1, ..., x_K`` played
  for fractions ``f_1, ..., f_K`` of the horizon, sampling ``i_t ~ x_k`` (one uniform a round);
  :func:`two_phase_schedule` is the DSS exploit (Top for T/2 rounds, then Bottom).
* :class:`Commitment`: one phase, the ``V - epsilon`` margin strategy of
  :func:`~onlinelearn.games.stackelberg` (or a given strategy).  Against any no-regret follower
  it earns at least ``V - epsilon`` per round up to ``O(Reg_T / (margin T))`` (reference notes §2.4).
* :class:`MyopicBestResponse`: plays its best row against the follower's current mixed strategy
  ``y``, which the GAME feedback reveals after each round.
* :class:`BestResponseToFTL`: plays its best row against the action follow-the-leader would take
  next, predicted from the leader's own past play (it needs no view of the follower's state).

Every leader plays in both modes of the environment: a row each round (``leader_actions="pure"``;
mixed strategies are sampled, ``i_t ~ x_t``, one uniform a round) or the mixed strategy itself
(``leader_actions="mixed"``; the spec's ``mixed_leader``).  Each class has a pair of kernels per
mode (``pure_kernels``, ``mixed_kernels``); ``act_kernel`` and ``update_kernel`` are the pair of
the spec of the last ``reset``.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import inlined_kernel, kernel
from onlinelearn.core.params import ArrayLike, Interval
from onlinelearn.core.sampling import argmax_first, sample_index
from onlinelearn.games.game import check_strategy
from onlinelearn.games.spec import GameSpec
from onlinelearn.games.stackelberg import stackelberg


class ScheduleState(NamedTuple):
    strategies: np.ndarray  # (K, m): mixed strategy of each phase
    boundaries: np.ndarray  # int64 (K,): phase k ends before round boundaries[k]
    scalars: np.ndarray  # [t, current phase]


@inlined_kernel
def current_phase(state):
    """The phase ``k`` containing round ``t = state.scalars[0]`` (phases only move forward)."""
    t = state.scalars[0]
    k = int(state.scalars[1])
    last = state.boundaries.shape[0] - 1
    while k < last and t >= state.boundaries[k]:
        k += 1
    state.scalars[1] = k
    return k


@kernel
def schedule_act(state, rng):
    """``i_t ~ x_k`` for the phase ``k`` containing round ``t`` (inverse CDF, one uniform)."""
    return sample_index(state.strategies[current_phase(state)], rng.random())


@kernel
def schedule_mixed_act(state, rng):
    """``x_k`` itself (a view of the state), for the phase ``k`` containing round ``t``."""
    return state.strategies[current_phase(state)]


@kernel
def schedule_update(state, action, feedback):
    state.scalars[0] += 1.0


@inlined_kernel
def vertex(point, row):
    """Write the pure strategy ``e_row`` into ``point`` and return it (a mixed-mode action)."""
    for i in range(point.shape[0]):
        point[i] = 0.0
    point[row] = 1.0
    return point


class _Leader(KernelLearner):
    accepts = (FeedbackKind.GAME,)
    #: (act, update) kernels when the leader plays rows, and when it plays mixed strategies.
    pure_kernels: ClassVar[tuple] = (None, None)
    mixed_kernels: ClassVar[tuple] = (None, None)

    @property
    def act_kernel(self):
        return self._kernels()[0]

    @property
    def update_kernel(self):
        return self._kernels()[1]

    def _kernels(self):
        spec = getattr(self, "spec_", None)
        return self.mixed_kernels if isinstance(spec, GameSpec) and spec.mixed_leader else self.pure_kernels

    def check_spec(self, spec) -> None:
        name = type(self).__name__
        if not (isinstance(spec, GameSpec) and spec.mixed_leader):
            super().check_spec(spec)  # feedback kind, finite actions
        elif spec.feedback_kind != FeedbackKind.GAME:  # mixed strategies: points of the simplex
            raise TypeError(
                f"{name} accepts feedback of kind GAME; the environment gives "
                f"{FeedbackKind(spec.feedback_kind).name}."
            )
        if not isinstance(spec, GameSpec) or spec.game is None:
            raise TypeError(
                f"{name} is a leader in a repeated game: it needs the GameSpec of a "
                f"RepeatedGame environment. Got {type(spec).__name__} instead."
            )


def _schedule_state(strategies: np.ndarray, fractions: np.ndarray, horizon: int) -> ScheduleState:
    ends = np.rint(np.cumsum(fractions) * horizon).astype(np.int64)
    ends[-1] = max(ends[-1], horizon)
    return ScheduleState(np.array(strategies, dtype=float), ends, np.zeros(2))


class Schedule(_Leader):
    """Piecewise-constant schedule: phase ``k`` plays ``x_k`` for a fraction ``f_k`` of the horizon.

    Round ``t`` (0-based) is in phase ``k`` iff ``round(T (f_1 + ... + f_{k-1})) <= t <
    round(T (f_1 + ... + f_k))``, where ``T`` is the game's planned length (``RepeatedGame``'s
    ``n_rounds``) or else the run's horizon; the leader samples ``i_t ~ x_k`` (pure strategies are
    played deterministically), or plays ``x_k`` itself when the environment takes mixed
    strategies.  Against follow-the-leader on the DSS game, ``two_phase_schedule()`` earns ``1 -
    sqrt(gamma)`` per round up to ``3/T`` while ``V = 0`` (DSS 2019, Section 4.1).

    Args:
        strategies: ``(K, m)`` array, each row a mixed strategy over the leader's ``m`` actions.
        fractions: ``K`` positive fractions of the horizon, summing to 1.
    """

    _parameter_constraints = {
        "strategies": [ArrayLike(ndim=2, low=0.0, high=1.0)],
        "fractions": [ArrayLike(ndim=1, low=0.0, high=1.0)],
    }
    _test_params = [{"strategies": [[1.0, 0.0], [0.0, 1.0]], "fractions": [0.5, 0.5]}]
    pure_kernels = (schedule_act, schedule_update)
    mixed_kernels = (schedule_mixed_act, schedule_update)

    def __init__(self, strategies=((1.0, 0.0), (0.0, 1.0)), fractions=(0.5, 0.5)):
        self.strategies = strategies
        self.fractions = fractions

    def init_state(self, spec, rng):
        m = spec.n_leader_actions
        strategies = np.asarray(self.strategies, dtype=float)
        fractions = np.asarray(self.fractions, dtype=float)
        if strategies.shape[1] != m:
            raise ValueError(
                f"The 'strategies' parameter of Schedule must have one column per leader action ({m}). "
                f"Got shape {strategies.shape} instead."
            )
        rows = np.array([check_strategy(x, m, "strategies", "Schedule") for x in strategies])
        if fractions.shape != (len(rows),) or np.any(fractions <= 0) or abs(fractions.sum() - 1) > 1e-9:
            raise ValueError(
                f"The 'fractions' parameter of Schedule must be {len(rows)} positive fractions summing "
                f"to 1. Got {self.fractions!r} instead."
            )
        planned = spec.planned_rounds or self.horizon_of(spec, "fractions")
        return _schedule_state(rows, fractions, planned)


def two_phase_schedule(first_fraction: float = 0.5) -> Schedule:
    """The DSS exploit on a 2-row game: row 0 for ``first_fraction`` of the horizon, then row 1."""
    return Schedule([[1.0, 0.0], [0.0, 1.0]], [first_fraction, 1.0 - first_fraction])


class Commitment(_Leader):
    """Commit to a fixed mixed strategy, by default the ``V - epsilon`` strategy with a margin.

    With ``strategy=None`` the leader solves ``stackelberg(game, epsilon)`` once at reset and
    samples ``i_t ~ x'`` every round (or plays ``x'`` itself when the environment takes mixed
    strategies), where ``x'^T A e_{j*} >= V - epsilon`` and ``j*`` beats every other follower action
    by the margin ``delta``.  Reference notes §2.4: with follower payoffs
    rescaled to [0, 1] (margin ``delta~``) and a follower with external regret ``Reg_T``::

        average leader payoff >= V - epsilon - 2 ||A||_max Reg_T / (delta~ T) - O(||A||_max / sqrt(T)),

    the last term from sampling ``i_t`` (absent when ``x'`` is played as a mixed strategy).

    Args:
        strategy: a fixed mixed strategy over the leader's actions, or ``None`` for the margin
            strategy.
        epsilon: the payoff the leader gives up for the margin (``strategy=None`` only); must be
            in (0, max A - min A].
    """

    _parameter_constraints = {
        "strategy": [ArrayLike(ndim=1, low=0.0, high=1.0), None],
        "epsilon": [Interval(float, 0, None, closed="neither")],
    }
    _test_params = [{}, {"strategy": [0.5, 0.5]}]
    pure_kernels = (schedule_act, schedule_update)
    mixed_kernels = (schedule_mixed_act, schedule_update)

    def __init__(self, strategy=None, epsilon: float = 0.05):
        self.strategy = strategy
        self.epsilon = epsilon

    def commitment(self, spec) -> np.ndarray:
        """The mixed strategy committed to in the game of ``spec``."""
        if self.strategy is not None:
            return check_strategy(self.strategy, spec.n_leader_actions, "strategy", "Commitment")
        return stackelberg(spec.game, float(self.epsilon)).strategy

    def init_state(self, spec, rng):
        return _schedule_state(self.commitment(spec)[None, :], np.ones(1), 1)


class MyopicState(NamedTuple):
    leader_payoffs: np.ndarray  # A, (m, n)
    # (3, m): [0] each row's value if the follower best-responded to it (ties for the leader),
    # [1] scratch: each row's expected payoff A y, [2] the mixed-mode action e_i.
    rows: np.ndarray
    follower_strategy: np.ndarray  # y, the follower's latest mixed strategy (uniform before round 1)
    tolerance: float  # expected payoffs within this of the best count as tied


@inlined_kernel
def myopic_row(state):
    """``argmax_i (A y)_i``; among rows within the tolerance of the best, the one whose payoff
    against the follower's best response to it is largest, then the first."""
    m, n = state.leader_payoffs.shape
    best = -np.inf
    for i in range(m):
        payoff = 0.0
        for k in range(n):
            payoff += state.leader_payoffs[i, k] * state.follower_strategy[k]
        state.rows[1, i] = payoff
        best = max(best, payoff)
    row = -1
    for i in range(m):
        if state.rows[1, i] >= best - state.tolerance and (row < 0 or state.rows[0, i] > state.rows[0, row]):
            row = i
    return row


@kernel
def myopic_act(state, rng):
    return myopic_row(state)


@kernel
def myopic_mixed_act(state, rng):
    return vertex(state.rows[2], myopic_row(state))


@kernel
def myopic_update(state, action, feedback):
    """Read ``y_t`` from the GAME feedback ``[j, u, A[:, j] (m entries), y (n entries)]``."""
    start = 2 + state.leader_payoffs.shape[0]
    for k in range(state.follower_strategy.shape[0]):
        state.follower_strategy[k] = feedback[start + k]


class MyopicBestResponse(_Leader):
    """Best response to the follower's current state, with no look-ahead.

    The GAME feedback of round ``t - 1`` reveals the follower's mixed strategy ``y_{t-1}`` (the
    distribution it drew ``j_{t-1}`` from; one-hot for FTL and FTPL); in round ``t`` the leader plays
    ``i_t = argmax_i (A y_{t-1})_i``, with ``y_0`` uniform.  Ties (expected payoffs within
    ``1e-12 (max A - min A)``) go the leader's way: to the row ``i`` with the largest
    ``max_{k in BR(e_i)} A[i, k]``, what committing to ``i`` would earn against a best-responding
    follower (itself with ties for the leader), then to the smallest index.  Deterministic.

    It ignores how its play moves the follower, so it can do worse than ``V`` (e.g. on the
    commitment game it plays U forever and gets the Nash payoff 2 < 3.5).
    """

    pure_kernels = (myopic_act, myopic_update)
    mixed_kernels = (myopic_mixed_act, myopic_update)

    def __init__(self):
        pass

    def init_state(self, spec, rng):
        game = spec.game
        A, B = game.leader_payoffs, game.follower_payoffs
        m, n = game.shape
        rows = np.zeros((3, m))
        for i in range(m):
            rows[0, i] = A[i, np.flatnonzero(B[i] == B[i].max())].max()
        return MyopicState(np.array(A), rows, np.full(n, 1.0 / n), 1e-12 * float(np.ptp(A)))


class FTLPredictionState(NamedTuple):
    leader_payoffs: np.ndarray  # A
    follower_payoffs: np.ndarray  # B
    follower_cumulative: np.ndarray  # sum_s B[i_s, :] (x_s^T B in mixed mode)
    point: np.ndarray  # the mixed-mode action e_i


@inlined_kernel
def ftl_prediction_row(state):
    """``j^ = argmax_j sum_s B[i_s, j]``, then ``argmax_i A[i, j^]`` (first index on ties)."""
    return argmax_first(state.leader_payoffs[:, argmax_first(state.follower_cumulative)])


@kernel
def ftl_prediction_act(state, rng):
    return ftl_prediction_row(state)


@kernel
def ftl_prediction_mixed_act(state, rng):
    return vertex(state.point, ftl_prediction_row(state))


@kernel
def ftl_prediction_update(state, action, feedback):
    for k in range(state.follower_cumulative.shape[0]):
        state.follower_cumulative[k] += state.follower_payoffs[action, k]


@kernel
def ftl_prediction_mixed_update(state, x, feedback):
    for k in range(state.follower_cumulative.shape[0]):
        for i in range(x.shape[0]):
            state.follower_cumulative[k] += x[i] * state.follower_payoffs[i, k]


class BestResponseToFTL(_Leader):
    """Best response to the action follow-the-leader would play next, with no look-ahead.

    Predicts the follower will play ``j^_t = argmax_j sum_{s<t} B[i_s, j]`` (``x_s^T B`` for mixed
    play; ties to the smallest index, as FTL breaks them), what a mean-based learner does up to
    ``o(T)`` rounds, and plays ``i_t = argmax_i A[i, j^_t]`` (first index on ties).  Unlike
    :class:`MyopicBestResponse` it uses only the game and its own past play, not the follower's
    revealed state: the optimizer of a model in which the follower's strategy is private.
    Deterministic; like the myopic leader it can do worse than ``V``.
    """

    pure_kernels = (ftl_prediction_act, ftl_prediction_update)
    mixed_kernels = (ftl_prediction_mixed_act, ftl_prediction_mixed_update)

    def __init__(self):
        pass

    def init_state(self, spec, rng):
        game = spec.game
        return FTLPredictionState(
            np.array(game.leader_payoffs),
            np.array(game.follower_payoffs),
            np.zeros(game.n_follower_actions),
            np.zeros(game.n_leader_actions),
        )
