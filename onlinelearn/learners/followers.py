"""Learners that play the follower's side of a repeated game: FollowTheLeader, FTPL, BlumMansour.

Each follower is an ordinary full-information learner with its own act kernel
(:func:`follow_the_leader_act`, :func:`ftpl_act`, :func:`blum_mansour_act`), so it also runs on
its own in any full-information environment.  FTL and FTPL share the state record
:class:`FollowerState`; Blum-Mansour's :class:`BlumMansourState` holds the arrays of ``n`` Hedge
copies, each run by Hedge's own kernels (:func:`blum_mansour_copy`).  Inside
:class:`~onlinelearn.environments.games.RepeatedGame` the follower keeps its own state record (one
of these, a :class:`~onlinelearn.learners.hedge.HedgeState` for Hedge, an
:class:`~onlinelearn.learners.exp3.Exp3State` for EXP3 / EXP3-IX, from :func:`follower_state`),
and the environment picks the step kernel written for that follower class: no per-round dispatch.

After ``act`` the state holds the mixed strategy the action was drawn from (``vectors[1]`` of FTL
and FTPL, one-hot since their distribution has no closed form; ``probabilities`` of Blum-Mansour):
the environment records it for the swap- and external-regret trackers and shows it to the leader.
"""

from __future__ import annotations

import copy
import math
from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import inlined_kernel, kernel
from onlinelearn.core.params import Interval, Options
from onlinelearn.core.sampling import argmin_first, sample_index
from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.hedge import Hedge, HedgeState, _loss_scale, hedge_probabilities, hedge_update


class FollowerState(NamedTuple):
    eta: float  # FTPL: perturbations are Uniform[0, 1/eta]
    # (3, n): row 0 the cumulative losses L_j, row 1 the mixed strategy y_t written by act, row 2
    # [rounds played, ...].  Two arrays instead of six keep the record cheap to pass around.
    vectors: np.ndarray

    @property
    def cumulative_losses(self) -> np.ndarray:
        return self.vectors[0]

    @property
    def probabilities(self) -> np.ndarray:
        return self.vectors[1]


def _state(n, eta=0.0) -> FollowerState:
    vectors = np.zeros((3, n))
    vectors[1] = 1.0 / n
    return FollowerState(float(eta), vectors)


#: Largest residual ``max_j |(pQ)_j - p_j|`` accepted from :func:`stationary_distribution`.
STATIONARY_TOLERANCE = 1e-10


@kernel
def stationary_distribution(Q, work, out):
    """``p = p Q``, ``sum p = 1`` for a row-stochastic ``Q``, written into ``out`` (``work``: n x n).

    Grassmann, Taksar and Heyman's elimination (Operations Research 33, 1985): Gaussian elimination
    of ``p (Q - I) = 0`` in which every pivot ``S_k = sum_{j<k} Q^(k)[k, j]`` is a sum of
    non-negative numbers (no subtraction), so ``p`` is accurate to a few rounding errors relative
    to each entry even when ``Q`` is nearly decomposable, where a plain linear solve loses digits
    and power iteration needs as many iterations as the chain needs to mix.  Eliminating state
    ``k`` leaves ``Q^(k-1)``, the chain watched only on states ``0..k-1``; back substitution then
    gives ``p_j = sum_{i<j} p_i Q^(j)[i, j] / S_j``.  If some ``S_k = 0`` (state ``k`` never returns to
    ``0..k-1``: a reducible ``Q``, e.g. with underflowed entries), ``p`` starts from the stationary
    ``e_k`` of ``Q^(k)`` instead; any stationary ``p`` serves Blum-Mansour.

    Raises ``ValueError`` if the residual ``max |pQ - p|`` exceeds ``STATIONARY_TOLERANCE`` (only
    for non-finite or non-stochastic ``Q``).
    """
    n = Q.shape[0]
    for r in range(n):
        for c in range(n):
            work[r, c] = Q[r, c]
    start = 0
    for k in range(n - 1, 0, -1):
        pivot = 0.0
        for j in range(k):
            pivot += work[k, j]
        if not pivot > 0.0:
            start = k
            break
        for i in range(k):
            work[i, k] /= pivot
        for i in range(k):
            for j in range(k):
                work[i, j] += work[i, k] * work[k, j]
    total = 0.0
    for j in range(n):
        if j < start:
            out[j] = 0.0
        elif j == start:
            out[j] = 1.0
        else:
            value = 0.0
            for i in range(j):
                value += out[i] * work[i, j]
            out[j] = value
        total += out[j]
    for j in range(n):
        out[j] /= total
    stationary = True
    for c in range(n):
        value = 0.0
        for r in range(n):
            value += out[r] * Q[r, c]
        stationary = stationary and abs(value - out[c]) <= STATIONARY_TOLERANCE  # False for NaN
    if not stationary:
        raise ValueError(
            "stationary_distribution: the residual max |pQ - p| exceeds 1e-10; Q is not a finite "
            "row-stochastic matrix."
        )


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


class BlumMansourState(NamedTuple):
    probabilities: np.ndarray  # the master's p_t = p_t Q_t, written by act
    scaled_losses: np.ndarray  # p_t(i) l_t, the loss vector of the copy being updated
    # Row i of each matrix is an array of copy i's HedgeState (blum_mansour_copy).
    copy_losses: np.ndarray  # (n, n): cumulative_losses
    copy_probabilities: np.ndarray  # (n, n): probabilities; Q_t, row i = copy i's distribution
    copy_scalars: np.ndarray  # (n, 1): scalars (rounds played)
    work: np.ndarray  # (n, n) scratch of the stationary-distribution elimination
    eta: float  # the copies' eta (fixed) or c of eta_t = c / sqrt(t) (anytime)
    anytime: bool


@inlined_kernel
def blum_mansour_copy(state, i):
    """Copy ``i`` as a :class:`~onlinelearn.learners.hedge.HedgeState` whose arrays are rows of
    ``state``'s: Hedge's kernels read and write them in place."""
    return HedgeState(
        state.copy_losses[i], state.copy_probabilities[i], state.copy_scalars[i], state.eta, state.anytime
    )


@kernel
def blum_mansour_act(state, rng):
    """Copies' Hedge distributions ``Q`` (``hedge_probabilities``), master ``p = p Q``, then
    ``j_t ~ p`` (one uniform)."""
    for i in range(state.probabilities.shape[0]):
        hedge_probabilities(blum_mansour_copy(state, i))
    stationary_distribution(state.copy_probabilities, state.work, state.probabilities)
    return sample_index(state.probabilities, rng.random())


@kernel
def blum_mansour_update(state, action, feedback):
    """Copy ``i`` sees the loss vector scaled by ``p_t(i)``, the weight the master put on its advice
    (``hedge_update`` of the copy)."""
    n = state.probabilities.shape[0]
    for i in range(n):
        for k in range(n):
            state.scaled_losses[k] = state.probabilities[i] * feedback[k]
        hedge_update(blum_mansour_copy(state, i), action, state.scaled_losses)


@kernel
def follower_update(state, action, feedback):
    """``L_t = L_{t-1} + l_t`` with the full-information loss vector ``l_t`` (FTL and FTPL)."""
    cumulative = state.vectors[0]
    for k in range(cumulative.shape[0]):
        cumulative[k] += feedback[k]
    state.vectors[2, 0] += 1.0


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


class BlumMansour(KernelLearner):
    """No-swap-regret learner of Blum and Mansour ("From external to internal regret", JMLR 2007)
    built from ``n`` Hedge copies.

    Copy ``i`` is a :class:`~onlinelearn.learners.hedge.Hedge` learner run by Hedge's kernels:
    ``q_{t,i} ∝ exp(-eta_t L^i_{t-1})``.  The master plays ``j_t ~ p_t`` with ``p_t = p_t Q_t``
    (``Q_t`` has rows ``q_{t,i}``; :func:`stationary_distribution`), then copy ``i`` is charged the
    scaled loss vector ``p_t(i) l_t``.  Swap regret is at most the sum of the copies' external
    regrets.  For losses in [0, 1], copy ``i``'s losses lie in ``[0, p_t(i)]``, so with Hedge's
    analyses (fixed eta: the proof of Cesa-Bianchi and Lugosi 2006, Theorem 2.2, with Hoeffding's
    lemma on the range ``p_t(i)``: ``ln n / eta + eta sum_t p_t(i)^2 / 8``; time-varying rates: the
    FTRL bound ``ln n / eta_T + (1/2) sum_t eta_t p_t(i)^2`` of the entropic regulariser, Orabona,
    *A Modern Introduction to Online Learning*, ch. 7) and ``sum_i p_t(i)^2 <= 1``::

        fixed eta:         R^swap_T <= n ln n / eta + eta T / 8 = sqrt(T n ln n / 2)
                           for eta = sqrt(8 n ln n / T) (the default);
        anytime=True:      R^swap_T <= n ln n sqrt(T) / c + c sqrt(T) = 2 sqrt(T n ln n)
                           for eta_t = c / sqrt(t), c = sqrt(n ln n) (the default).

    Losses in ``[a, b]`` scale the bounds by ``b - a``; the default tunings divide by ``b - a``, as
    Hedge's do.  Each round costs ``O(n^3)`` (the elimination of :func:`stationary_distribution`).

    Args:
        eta: the copies' learning rate (fixed horizon) or the constant ``c`` of ``eta_t = c /
            sqrt(t)`` (anytime); ``None`` picks the defaults above (the fixed one needs the horizon).
        anytime: the copies use Hedge's time-varying rate ``eta_t``.
    """

    accepts = (FeedbackKind.FULL_INFORMATION,)
    _parameter_constraints = {
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "anytime": [Options((True, False))],
    }
    _test_params = [{}, {"eta": 0.5}, {"anytime": True}]
    act_kernel = staticmethod(blum_mansour_act)
    update_kernel = staticmethod(blum_mansour_update)

    def __init__(self, eta: float | None = None, anytime: bool = False):
        self.eta = eta
        self.anytime = anytime

    def learning_rate(self, spec) -> float:
        """The copies' ``eta`` (fixed) or ``c`` (anytime) for the environment ``spec``."""
        if self.eta is not None:
            return float(self.eta)
        n = spec.n_actions
        scale = _loss_scale(self, spec)
        if self.anytime:
            return math.sqrt(n * math.log(n)) / scale
        return math.sqrt(8.0 * n * math.log(n) / self.horizon_of(spec, "eta")) / scale

    def init_state(self, spec, rng):
        n = spec.n_actions
        return BlumMansourState(
            np.full(n, 1.0 / n),
            np.zeros(n),
            np.zeros((n, n)),
            np.full((n, n), 1.0 / n),
            np.zeros((n, 1)),
            np.zeros((n, n)),
            self.learning_rate(spec),
            bool(self.anytime),
        )

    @property
    def probabilities(self) -> np.ndarray:
        """The master's mixed strategy ``p_t`` of the last :meth:`act`."""
        return self.state_.probabilities.copy()


#: Learner classes that can play the follower in a repeated game.
FOLLOWER_CLASSES = (Hedge, FollowTheLeader, FTPL, EXP3, EXP3IX, BlumMansour)


def follower_state(learner, spec, rng):
    """The state record of ``learner`` (one of :data:`FOLLOWER_CLASSES`) reset for ``spec``.

    A :class:`~onlinelearn.learners.hedge.HedgeState` for Hedge, an
    :class:`~onlinelearn.learners.exp3.Exp3State` for EXP3 / EXP3-IX, a :class:`FollowerState`
    for FTL and FTPL, a :class:`BlumMansourState` for Blum-Mansour.  ``spec`` must have the
    feedback kind the learner accepts (FULL_INFORMATION, or BANDIT for EXP3 / EXP3-IX); the
    learner's parameters are validated and tuned from it as usual.
    """
    if not isinstance(learner, FOLLOWER_CLASSES):
        raise TypeError(
            f"A follower must be one of {', '.join(c.__name__ for c in FOLLOWER_CLASSES)}. "
            f"Got {learner!r} instead."
        )
    learner = copy.copy(learner)  # leave the caller's object untouched
    learner.reset(spec, rng)  # validates parameters and the spec, computes the default tuning; draws nothing
    return learner.state_
