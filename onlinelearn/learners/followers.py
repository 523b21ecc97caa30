"""Learners that play the follower's side of a repeated game, and the one kernel pair that runs
any of them inside :class:`~onlinelearn.environments.games.RepeatedGame`.

Design.  An environment's step kernel cannot call an arbitrary learner's kernels (Numba needs
one state type per compiled function), so every follower lives in one state record,
:class:`FollowerState`, with a ``kind`` code; :func:`follower_act` and :func:`follower_update`
branch on it.  Hedge and EXP3 are not rewritten: their branches view the same arrays as a
:class:`~onlinelearn.learners.hedge.HedgeState` / :class:`~onlinelearn.learners.exp3.Exp3State`
and call ``hedge_act``/``exp3_act`` and their updates; :func:`follower_state` converts a
``Hedge``, ``EXP3`` or ``EXP3IX`` object (with its own tuning) into that record.  The followers
defined here (:class:`FollowTheLeader`, :class:`FTPL`, :class:`BlumMansour`) use the record as
their own state, so they also run on their own in any full-information environment.

After ``follower_act``, ``state.vectors[1]`` holds the mixed strategy the action was drawn
from (one-hot for FTL and FTPL, whose distribution has no closed form): the environment records it
for the swap- and external-regret trackers.
"""

from __future__ import annotations

import copy
import math
from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval
from onlinelearn.core.sampling import argmin_first, sample_index, softmax_negative
from onlinelearn.learners.exp3 import EXP3, EXP3IX, Exp3State, exp3_act, exp3_update
from onlinelearn.learners.hedge import Hedge, HedgeState, hedge_act, hedge_update

HEDGE = 0
FOLLOW_THE_LEADER = 1
FTPL_KIND = 2
EXP3_KIND = 3
BLUM_MANSOUR = 4


class FollowerState(NamedTuple):
    kind: int
    eta: float  # Hedge/EXP3/Blum-Mansour rate; FTPL: perturbations are Uniform[0, 1/eta]
    gamma: float  # EXP3-IX implicit exploration
    anytime: bool
    # (3, n): row 0 the cumulative losses L_j (importance-weighted for EXP3), row 1 the mixed
    # strategy y_t written by act, row 2 [rounds played, scratch, ...].  Two arrays instead of
    # six keep the record cheap to pass around in the compiled loop.
    vectors: np.ndarray
    # Blum-Mansour (3, n, n): the copies' cumulative losses, Q (row i = copy i's distribution),
    # and the matrix of the stationary-distribution solve; (3, 1, 1) for the other followers.
    copies: np.ndarray

    @property
    def cumulative_losses(self) -> np.ndarray:
        return self.vectors[0]

    @property
    def probabilities(self) -> np.ndarray:
        return self.vectors[1]

    @property
    def copy_losses(self) -> np.ndarray:
        return self.copies[0]


def _state(kind, n, eta=0.0, gamma=0.0, anytime=False, copies=False) -> FollowerState:
    size = n if copies else 1
    vectors = np.zeros((3, n))
    vectors[1] = 1.0 / n
    matrices = np.zeros((3, size, size))
    matrices[1] = 1.0 / size
    return FollowerState(int(kind), float(eta), float(gamma), bool(anytime), vectors, matrices)


@kernel
def stationary_distribution(Q, work, out):
    """``p = p Q``, ``sum p = 1`` for a row-stochastic ``Q`` with positive entries.

    Solves ``(Q^T - I) p = 0`` with its last equation replaced by ``sum p = 1``, clips at 0 and
    renormalises; falls back to power iteration if the residual ``max |pQ - p|`` exceeds 1e-10.
    """
    n = Q.shape[0]
    for r in range(n):
        for c in range(n):
            work[r, c] = Q[c, r] - (1.0 if r == c else 0.0)
    for c in range(n):
        work[n - 1, c] = 1.0
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    p = np.linalg.solve(work, rhs)
    total = 0.0
    for i in range(n):
        p[i] = max(p[i], 0.0)
        total += p[i]
    for i in range(n):
        out[i] = p[i] / total
    for _ in range(10_000):
        residual = 0.0
        for c in range(n):
            value = 0.0
            for r in range(n):
                value += out[r] * Q[r, c]
            p[c] = value
            residual = max(residual, abs(value - out[c]))
        if residual <= 1e-10:
            return
        for c in range(n):
            out[c] = p[c]


@kernel
def _hedge_view(state):
    return HedgeState(state.vectors[0], state.vectors[1], state.vectors[2, :1], state.eta, state.anytime)


@kernel
def _exp3_view(state):
    v = state.vectors
    return Exp3State(v[0], v[1], v[2, :1], state.eta, state.gamma, state.anytime)


@kernel
def follower_act(state, rng):
    """The follower's action for this round; writes its mixed strategy to ``state.vectors[1]``."""
    kind = state.kind
    if kind == HEDGE:
        return hedge_act(_hedge_view(state), rng)
    if kind == EXP3_KIND:
        return exp3_act(_exp3_view(state), rng)
    cumulative = state.vectors[0]
    probabilities = state.vectors[1]
    n = cumulative.shape[0]
    if kind == BLUM_MANSOUR:
        for i in range(n):
            softmax_negative(state.copies[0, i], state.eta, state.copies[1, i])
        stationary_distribution(state.copies[1], state.copies[2], probabilities)
        return sample_index(probabilities, rng.random())
    if kind == FTPL_KIND:
        # Fresh perturbations every round: the bound then holds against adaptive opponents.
        best = 0
        best_value = np.inf
        for i in range(n):
            value = cumulative[i] - rng.random() / state.eta
            if value < best_value:
                best, best_value = i, value
        action = best
    else:  # follow the leader, ties to the smallest index
        action = argmin_first(cumulative)
    for i in range(n):
        probabilities[i] = 0.0
    probabilities[action] = 1.0
    return action


@kernel
def follower_update(state, action, feedback):
    """Full-information loss vector (bandit: the played loss for EXP3) of the round just played."""
    kind = state.kind
    if kind == HEDGE:
        hedge_update(_hedge_view(state), action, feedback)
        return
    if kind == EXP3_KIND:
        exp3_update(_exp3_view(state), action, feedback)
        return
    cumulative = state.vectors[0]
    n = cumulative.shape[0]
    if kind == BLUM_MANSOUR:
        # Copy i sees the loss vector scaled by p_t(i), the weight the master put on its advice.
        probabilities = state.vectors[1]
        for i in range(n):
            for k in range(n):
                state.copies[0, i, k] += probabilities[i] * feedback[k]
    for k in range(n):
        cumulative[k] += feedback[k]
    state.vectors[2, 0] += 1.0


class _Follower(KernelLearner):
    accepts = (FeedbackKind.FULL_INFORMATION,)
    act_kernel = staticmethod(follower_act)
    update_kernel = staticmethod(follower_update)

    @property
    def probabilities(self) -> np.ndarray:
        """The mixed strategy of the last :meth:`act` (one-hot for FTL and FTPL)."""
        return self.state_.vectors[1].copy()


class FollowTheLeader(_Follower):
    """Follow the leader: play the action with the smallest cumulative loss (smallest index on ties).

    ``j_t = argmin_j L_{t-1, j}``.  FTL is deterministic and 0-mean-based in the sense of
    Braverman, Mao, Schneider and Weinberg (EC 2018): it is the limit of every mean-based learner
    that Deng, Schneider and Sivan (NeurIPS 2019) exploit.  It has linear worst-case regret
    (e.g. on alternating losses), so it comes with no regret bound.
    """

    _test_params = [{}]

    def __init__(self):
        pass

    def init_state(self, spec, rng):
        return _state(FOLLOW_THE_LEADER, spec.n_actions)


class FTPL(_Follower):
    """Follow the perturbed leader (Kalai and Vempala, J. Comput. Syst. Sci. 2005; Hannan 1957).

    Every round draws fresh ``Z_j ~ Uniform[0, 1/eta]`` and plays ``j_t = argmin_j L_{t-1,j} - Z_j``
    (one uniform per action from the learner's Generator).  For losses in [0, 1] over ``n``
    actions, Kalai and Vempala's Theorem 1.1(a) (L1 diameter 2, loss sums at most ``n``) gives::

        E[R_T] <= eta n T + 2 / eta = 2 sqrt(2 n T)    for eta = sqrt(2 / (n T)) (the default).

    Args:
        eta: inverse perturbation scale; ``None`` picks ``sqrt(2 / (n T))`` (needs the horizon).
    """

    _parameter_constraints = {"eta": [Interval(float, 0, None, closed="neither"), None]}
    _test_params = [{}, {"eta": 0.5}]

    def __init__(self, eta: float | None = None):
        self.eta = eta

    def learning_rate(self, spec) -> float:
        if self.eta is not None:
            return float(self.eta)
        return math.sqrt(2.0 / (spec.n_actions * self.horizon_of(spec, "eta")))

    def init_state(self, spec, rng):
        return _state(FTPL_KIND, spec.n_actions, eta=self.learning_rate(spec))


class BlumMansour(_Follower):
    """No-swap-regret learner of Blum and Mansour ("From external to internal regret", JMLR 2007)
    built from ``n`` Hedge copies.

    Copy ``i`` keeps Hedge weights ``q_{t,i} ∝ exp(-eta L^i_{t-1})``; the master plays
    ``j_t ~ p_t`` with ``p_t = p_t Q_t`` (``Q_t`` has rows ``q_{t,i}``), then copy ``i`` is
    charged the scaled loss vector ``p_t(i) l_t``.  Swap regret is at most the sum of the copies'
    external regrets, ``sum_i (ln n / eta + eta/8 sum_t p_t(i)^2)``, so for losses in [0, 1]::

        swap regret R^swap_T <= n ln n / eta + eta T / 8 = sqrt(T n ln n / 2)
        for eta = sqrt(8 n ln n / T) (the default).

    Each round costs ``O(n^3)`` (one linear solve).

    Args:
        eta: the copies' learning rate; ``None`` picks ``sqrt(8 n ln n / T)`` (needs the horizon).
    """

    _parameter_constraints = {"eta": [Interval(float, 0, None, closed="neither"), None]}
    _test_params = [{}, {"eta": 0.5}]

    def __init__(self, eta: float | None = None):
        self.eta = eta

    def learning_rate(self, spec) -> float:
        if self.eta is not None:
            return float(self.eta)
        n = spec.n_actions
        return math.sqrt(8.0 * n * math.log(n) / self.horizon_of(spec, "eta"))

    def init_state(self, spec, rng):
        return _state(BLUM_MANSOUR, spec.n_actions, eta=self.learning_rate(spec), copies=True)


#: Learner classes that can play the follower in a repeated game.
FOLLOWER_CLASSES = (Hedge, FollowTheLeader, FTPL, EXP3, EXP3IX, BlumMansour)


def follower_state(learner, spec, rng) -> FollowerState:
    """The :class:`FollowerState` of ``learner`` (one of :data:`FOLLOWER_CLASSES`) for ``spec``.

    ``spec`` must have the feedback kind the learner accepts (FULL_INFORMATION, or BANDIT for
    EXP3 / EXP3-IX); the learner's parameters are validated and tuned from it as usual.
    """
    learner = copy.copy(learner)  # leave the caller's object untouched
    learner.reset(spec, rng)  # validates parameters and the spec, computes the default tuning; draws nothing
    if isinstance(learner, Hedge):
        s = learner.state_
        return _state(HEDGE, spec.n_actions, eta=s.eta, anytime=s.anytime)
    if isinstance(learner, EXP3 | EXP3IX):
        s = learner.state_
        return _state(EXP3_KIND, spec.n_actions, eta=s.eta, gamma=s.gamma, anytime=s.anytime)
    if isinstance(learner, _Follower):
        return learner.state_
    raise TypeError(
        f"A follower must be one of {', '.join(c.__name__ for c in FOLLOWER_CLASSES)}. "
        f"Got {learner!r} instead."
    )
