"""Tsallis-INF: FTRL with the 1/2-Tsallis entropy, optimal in both stochastic and adversarial bandits.

The FTRL solution has a closed form up to one scalar: ``w_i = 4 (eta_t (L_hat_i - x))^-2`` with the
normaliser ``x < min_i L_hat_i`` chosen so that ``sum_i w_i = 1``.  The kernel solves for
``y = min_i L_hat_i - x`` (shifting by the minimum keeps the arithmetic exact when the estimates are
huge) by Newton's method, warm-started at the previous round's ``x`` and safeguarded by the bracket
``2 / eta_t <= y <= 2 sqrt(K) / eta_t`` (bisection whenever a Newton step leaves it), then
renormalises so that the probabilities sum to 1 to rounding.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Options
from onlinelearn.core.sampling import sample_index

_MAX_ITERATIONS = 100


class TsallisState(NamedTuple):
    cumulative_estimates: np.ndarray  # L_hat_i
    probabilities: np.ndarray  # w_t (written by act)
    scalars: np.ndarray  # [t rounds played, x normaliser of the last round, eta_t of this round]
    reduced_variance: bool  # RV estimator (True) or importance weighting (False)


@kernel
def tsallis_weights(estimates, eta, x_start, out):
    """Write ``w_i = 4 (eta (L_hat_i - x))^-2`` normalised to sum 1 into ``out``; return ``x``.

    ``g(y) = sum_i 4 (eta (d_i + y))^-2 - 1`` with ``d_i = L_hat_i - min L_hat >= 0`` is decreasing and
    convex in ``y > 0``, positive at ``y = 2 / eta`` (the minimum alone weighs 1) and non-positive at
    ``y = 2 sqrt(K) / eta`` (every weight is at most 1/K).  Newton's step is
    ``y <- y + g(y) / (eta sum_i w_i^(3/2))`` (Zimmert and Seldin, Algorithm 2, in ``y = min - x``).
    """
    n = estimates.shape[0]
    lowest = np.inf
    for i in range(n):
        lowest = min(lowest, estimates[i])
    low = 2.0 / eta  # g(low) >= 0
    high = 2.0 * np.sqrt(n) / eta  # g(high) <= 0
    y = lowest - x_start
    if not (low <= y <= high):  # also catches NaN on the first round
        y = low
    for _ in range(_MAX_ITERATIONS):
        total = 0.0
        total_32 = 0.0
        for i in range(n):
            root = 2.0 / (eta * (estimates[i] - lowest + y))  # sqrt(w_i)
            total += root * root
            total_32 += root * root * root
        excess = total - 1.0
        if abs(excess) <= 1e-14:
            break
        if excess > 0.0:
            low = y
        else:
            high = y
        candidate = y + excess / (eta * total_32)
        if not (low < candidate < high):
            candidate = 0.5 * (low + high)
        converged = abs(candidate - y) <= 1e-14 * y or high - low <= 1e-14 * y
        y = candidate
        if converged:
            break
    total = 0.0
    for i in range(n):
        root = 2.0 / (eta * (estimates[i] - lowest + y))
        out[i] = root * root
        total += out[i]
    for i in range(n):
        out[i] /= total
    return lowest - y


@kernel
def tsallis_act(state, rng):
    """``eta_t = 2 / sqrt(t)`` (IW) or ``4 / sqrt(t)`` (RV); solve for ``w_t``; sample one arm."""
    t = state.scalars[0] + 1.0
    eta = (4.0 if state.reduced_variance else 2.0) / np.sqrt(t)
    state.scalars[2] = eta
    state.scalars[1] = tsallis_weights(state.cumulative_estimates, eta, state.scalars[1], state.probabilities)
    return sample_index(state.probabilities, rng.random())


@kernel
def tsallis_update(state, action, feedback):
    """IW: ``L_hat_A += l / w_A``.  RV: ``L_hat_i += 1[A = i] (l - B_i) / w_i + B_i`` for every ``i``."""
    loss = feedback[0]
    weights = state.probabilities
    estimates = state.cumulative_estimates
    if state.reduced_variance:
        threshold = state.scalars[2] * state.scalars[2]
        for i in range(weights.shape[0]):
            if weights[i] >= threshold:
                estimates[i] += 0.5
        baseline = 0.5 if weights[action] >= threshold else 0.0
        estimates[action] += (loss - baseline) / weights[action]
    else:
        estimates[action] += loss / weights[action]
    state.scalars[0] += 1.0


class TsallisINF(KernelLearner):
    """Tsallis-INF with ``alpha = 1/2`` (Zimmert and Seldin, JMLR 2021, Algorithm 1).

    FTRL with the regulariser ``Psi_t(w) = -(4 / eta_t) sum_i sqrt(w_i)`` on loss estimates::

        w_t = argmax_{w in simplex} <w, -L_hat_{t-1}> + (4 / eta_t) sum_i sqrt(w_i)
            = (4 (eta_t (L_hat_{t-1,i} - x))^-2)_i,  x < min_i L_hat_{t-1,i} the normaliser,

    sampling ``A_t ~ w_t``.  Estimators (``estimator``):

    * ``"iw"``: ``l_hat_t,i = 1[A_t = i] l_t / w_t,i`` and ``eta_t = 2 / sqrt(t)``;
    * ``"rv"``: ``l_hat_t,i = 1[A_t = i] (l_t - B_t(i)) / w_t,i + B_t(i)`` with
      ``B_t(i) = 1/2 * 1[w_t,i >= eta_t^2]`` and ``eta_t = 4 / sqrt(t)``.

    Bounds (Zimmert and Seldin, Theorem 1; losses in [0, 1], anytime):

    * any oblivious adversary: ``E[R_T] <= 4 sqrt(K T) + 1`` (IW), ``<= 2 sqrt(K T) + 10 K ln T + 16`` (RV);
    * stochastic bandits with a unique best arm and gaps ``Delta_i`` (IW)::

        E[R_T] <= sum_{i != i*} (4 ln T + 12) / Delta_i + 4 ln T + 1 / Delta_min + (3/2) sqrt(K) + 8.

    Args:
        estimator: ``"iw"`` (importance weighting) or ``"rv"`` (reduced variance).
    """

    accepts = (FeedbackKind.BANDIT,)
    _parameter_constraints = {"estimator": [Options(("iw", "rv"))]}
    _test_params = [{}, {"estimator": "rv"}]
    act_kernel = staticmethod(tsallis_act)
    update_kernel = staticmethod(tsallis_update)

    def __init__(self, estimator: str = "iw"):
        self.estimator = estimator

    def init_state(self, spec, rng):
        n = spec.n_actions
        return TsallisState(
            np.zeros(n), np.full(n, 1.0 / n), np.array([0.0, np.nan, 0.0]), self.estimator == "rv"
        )
