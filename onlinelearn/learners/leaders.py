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
* :class:`MyopicBestResponse`: predicts the follower's next action as the best response to the
  follower's cumulative payoffs (the mean-based / follow-the-leader prediction, which the leader
  can compute from its own past play) and plays its best row against it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import ArrayLike, Interval
from onlinelearn.core.sampling import argmax_first, sample_index
from onlinelearn.games.game import check_strategy
from onlinelearn.games.spec import GameSpec
from onlinelearn.games.stackelberg import stackelberg


class ScheduleState(NamedTuple):
    strategies: np.ndarray  # (K, m): mixed strategy of each phase
    boundaries: np.ndarray  # int64 (K,): phase k ends before round boundaries[k]
    scalars: np.ndarray  # [t, current phase]


@kernel
def schedule_act(state, rng):
    """``i_t ~ x_k`` for the phase ``k`` containing round ``t`` (inverse CDF, one uniform)."""
    t = state.scalars[0]
    k = int(state.scalars[1])
    last = state.boundaries.shape[0] - 1
    while k < last and t >= state.boundaries[k]:
        k += 1
    state.scalars[1] = k
    return sample_index(state.strategies[k], rng.random())


@kernel
def schedule_update(state, action, feedback):
    state.scalars[0] += 1.0


class _Leader(KernelLearner):
    accepts = (FeedbackKind.GAME,)

    def check_spec(self, spec) -> None:
        super().check_spec(spec)
        if not isinstance(spec, GameSpec) or spec.game is None:
            raise TypeError(
                f"{type(self).__name__} is a leader in a repeated game: it needs the GameSpec of a "
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
    ``n_rounds``) or else the run's horizon; the leader samples ``i_t ~ x_k`` (pure strategies are played
    deterministically).  Against follow-the-leader on the DSS game, ``two_phase_schedule()`` earns
    ``1 - sqrt(gamma)`` per round up to ``3/T`` while ``V = 0`` (DSS 2019, Section 4.1).

    Args:
        strategies: ``(K, m)`` array, each row a mixed strategy over the leader's ``m`` actions.
        fractions: ``K`` positive fractions of the horizon, summing to 1.
    """

    _parameter_constraints = {
        "strategies": [ArrayLike(ndim=2, low=0.0, high=1.0)],
        "fractions": [ArrayLike(ndim=1, low=0.0, high=1.0)],
    }
    _test_params = [{"strategies": [[1.0, 0.0], [0.0, 1.0]], "fractions": [0.5, 0.5]}]
    act_kernel = staticmethod(schedule_act)
    update_kernel = staticmethod(schedule_update)

    def __init__(self, strategies=((1.0, 0.0), (0.0, 1.0)), fractions=(0.5, 0.5)):
        self.strategies = strategies
        self.fractions = fractions

    def init_state(self, spec, rng):
        m = spec.n_actions
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
    samples ``i_t ~ x'`` every round, where ``x'^T A e_{j*} >= V - epsilon`` and ``j*`` beats every
    other follower action by the margin ``delta``.  Reference notes §2.4: with follower payoffs
    rescaled to [0, 1] (margin ``delta~``) and a follower with external regret ``Reg_T``::

        average leader payoff >= V - epsilon - 2 ||A||_max Reg_T / (delta~ T) - O(||A||_max / sqrt(T)),

    the last term from sampling ``i_t``.

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
    act_kernel = staticmethod(schedule_act)
    update_kernel = staticmethod(schedule_update)

    def __init__(self, strategy=None, epsilon: float = 0.05):
        self.strategy = strategy
        self.epsilon = epsilon

    def commitment(self, spec) -> np.ndarray:
        """The mixed strategy committed to in the game of ``spec``."""
        if self.strategy is not None:
            return check_strategy(self.strategy, spec.n_actions, "strategy", "Commitment")
        return stackelberg(spec.game, float(self.epsilon)).strategy

    def init_state(self, spec, rng):
        return _schedule_state(self.commitment(spec)[None, :], np.ones(1), 1)


class MyopicState(NamedTuple):
    leader_payoffs: np.ndarray  # A
    follower_payoffs: np.ndarray  # B
    follower_cumulative: np.ndarray  # sum_s B[i_s, :], the follower's cumulative payoffs


@kernel
def myopic_act(state, rng):
    """``j^ = argmax_j sum_s B[i_s, j]``, then ``i_t = argmax_i A[i, j^]`` (first index on ties)."""
    predicted = argmax_first(state.follower_cumulative)
    return argmax_first(state.leader_payoffs[:, predicted])


@kernel
def myopic_update(state, action, feedback):
    for k in range(state.follower_cumulative.shape[0]):
        state.follower_cumulative[k] += state.follower_payoffs[action, k]


class MyopicBestResponse(_Leader):
    """Best response to the follower's predicted action, with no look-ahead.

    Predicts the follower will play ``j^_t = argmax_j sum_{s<t} B[i_s, j]`` (what a mean-based
    learner does up to ``o(T)`` rounds) and plays ``i_t = argmax_i A[i, j^_t]``.  Deterministic.
    It ignores how its play moves the follower, so it can do worse than ``V`` (e.g. on the
    commitment game it plays U forever and gets the Nash payoff 2 < 3.5).
    """

    act_kernel = staticmethod(myopic_act)
    update_kernel = staticmethod(myopic_update)

    def __init__(self):
        pass

    def init_state(self, spec, rng):
        game = spec.game
        return MyopicState(
            np.array(game.leader_payoffs),
            np.array(game.follower_payoffs),
            np.zeros(game.n_follower_actions),
        )
