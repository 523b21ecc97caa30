"""Learners that play the follower's side of a repeated game: FollowTheLeader, FTPL, BlumMansour.

Each follower is an ordinary full-information learner with its own act kernel
(:func:`follow_the_leader_act`, :func:`ftpl_act`, :func:`blum_mansour_act`) over one state record,
:class:`FollowerState`, so it also runs on its own in any full-information environment.  Inside
:class:`~onlinelearn.environments.games.RepeatedGame` the follower keeps its own state record (a
:class:`FollowerState` here, a :class:`~onlinelearn.learners.hedge.HedgeState` for Hedge, an
:class:`~onlinelearn.learners.exp3.Exp3State` for EXP3 / EXP3-IX, from
:func:`follower_state`), and the environment picks the step kernel written for that follower
class: no per-round dispatch.

After ``act``, ``state.vectors[1]`` holds the mixed strategy the action was drawn from (one-hot for
FTL and FTPL, whose distribution has no closed form): the environment records it for the swap- and
external-regret trackers.
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
from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.hedge import Hedge


class FollowerState(NamedTuple):
    eta: float  # FTPL: perturbations are Uniform[0, 1/eta]; Blum-Mansour: the copies' rate
    # (3, n): row 0 the cumulative losses L_j, row 1 the mixed strategy y_t written by act, row 2
    # [rounds played, ...].  Two arrays instead of six keep the record cheap to pass around.
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


def _state(n, eta=0.0, copies=False) -> FollowerState:
    size = n if copies else 1
    vectors = np.zeros((3, n))
    vectors[1] = 1.0 / n
    matrices = np.zeros((3, size, size))
    matrices[1] = 1.0 / size
    return FollowerState(float(eta), vectors, matrices)


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
def _play_pure(state, action):
    """Write the one-hot strategy of a deterministic choice and return it."""
    probabilities = state.vectors[1]
    for i in range(probabilities.shape[0]):
        probabilities[i] = 0.0
    probabilities[action] = 1.0
    return action


@kernel
def follow_the_leader_act(state, rng):
    """``j_t = argmin_j L_{t-1, j}``, ties to the smallest index; draws nothing."""
    return _play_pure(state, argmin_first(state.vectors[0]))


@kernel
def ftpl_act(state, rng):
    """``j_t = argmin_j L_{t-1, j} - Z_j`` with fresh ``Z_j ~ Uniform[0, 1/eta]`` (one draw per action).

    Fresh perturbations every round: the bound then holds against adaptive opponents.
    """
    cumulative = state.vectors[0]
    best = 0
    best_value = np.inf
    for i in range(cumulative.shape[0]):
        value = cumulative[i] - rng.random() / state.eta
        if value < best_value:
            best, best_value = i, value
    return _play_pure(state, best)


@kernel
def blum_mansour_act(state, rng):
    """Copies' Hedge distributions ``Q``, master ``p = p Q``, then ``j_t ~ p`` (one uniform)."""
    n = state.vectors.shape[1]
    for i in range(n):
        softmax_negative(state.copies[0, i], state.eta, state.copies[1, i])
    stationary_distribution(state.copies[1], state.copies[2], state.vectors[1])
    return sample_index(state.vectors[1], rng.random())


@kernel
def follower_update(state, action, feedback):
    """``L_t = L_{t-1} + l_t`` with the full-information loss vector ``l_t`` (FTL and FTPL)."""
    cumulative = state.vectors[0]
    for k in range(cumulative.shape[0]):
        cumulative[k] += feedback[k]
    state.vectors[2, 0] += 1.0


@kernel
def blum_mansour_update(state, action, feedback):
    """Copy ``i`` sees the loss vector scaled by ``p_t(i)``, the weight the master put on its advice."""
    probabilities = state.vectors[1]
    n = probabilities.shape[0]
    for i in range(n):
        for k in range(n):
            state.copies[0, i, k] += probabilities[i] * feedback[k]
    follower_update(state, action, feedback)


class _Follower(KernelLearner):
    accepts = (FeedbackKind.FULL_INFORMATION,)
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
    act_kernel = staticmethod(follow_the_leader_act)

    def __init__(self):
        pass

    def init_state(self, spec, rng):
        return _state(spec.n_actions)


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
    act_kernel = staticmethod(ftpl_act)

    def __init__(self, eta: float | None = None):
        self.eta = eta

    def learning_rate(self, spec) -> float:
        if self.eta is not None:
            return float(self.eta)
        return math.sqrt(2.0 / (spec.n_actions * self.horizon_of(spec, "eta")))

    def init_state(self, spec, rng):
        return _state(spec.n_actions, eta=self.learning_rate(spec))


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
    act_kernel = staticmethod(blum_mansour_act)
    update_kernel = staticmethod(blum_mansour_update)

    def __init__(self, eta: float | None = None):
        self.eta = eta

    def learning_rate(self, spec) -> float:
        if self.eta is not None:
            return float(self.eta)
        n = spec.n_actions
        return math.sqrt(8.0 * n * math.log(n) / self.horizon_of(spec, "eta"))

    def init_state(self, spec, rng):
        return _state(spec.n_actions, eta=self.learning_rate(spec), copies=True)


#: Learner classes that can play the follower in a repeated game.
FOLLOWER_CLASSES = (Hedge, FollowTheLeader, FTPL, EXP3, EXP3IX, BlumMansour)


def follower_state(learner, spec, rng):
    """The state record of ``learner`` (one of :data:`FOLLOWER_CLASSES`) reset for ``spec``.

    A :class:`~onlinelearn.learners.hedge.HedgeState` for Hedge, an
    :class:`~onlinelearn.learners.exp3.Exp3State` for EXP3 / EXP3-IX, a :class:`FollowerState`
    for the followers of this module.  ``spec`` must have the feedback kind the learner accepts
    (FULL_INFORMATION, or BANDIT for EXP3 / EXP3-IX); the learner's parameters are validated and
    tuned from it as usual.
    """
    if not isinstance(learner, FOLLOWER_CLASSES):
        raise TypeError(
            f"A follower must be one of {', '.join(c.__name__ for c in FOLLOWER_CLASSES)}. "
            f"Got {learner!r} instead."
        )
    learner = copy.copy(learner)  # leave the caller's object untouched
    learner.reset(spec, rng)  # validates parameters and the spec, computes the default tuning; draws nothing
    return learner.state_
