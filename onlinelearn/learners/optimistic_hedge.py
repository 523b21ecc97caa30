"""Optimistic Hedge (Rakhlin and Sridharan 2013; Syrgkanis, Agarwal, Luo, Schapire 2015)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval, Options
from onlinelearn.core.sampling import sample_index, softmax_negative
from onlinelearn.learners.hedge import _loss_scale
from onlinelearn.learners.omd import check_gradient


class OptimisticHedgeState(NamedTuple):
    cumulative_losses: np.ndarray  # (N,) L_{t-1}
    hint: np.ndarray  # (N,) m_t (the last loss vector; 0 at t = 1)
    scores: np.ndarray  # (N,) L_{t-1} + m_t
    probabilities: np.ndarray  # (N,) p_t, written by act
    scalars: np.ndarray  # [t - 1, V_{t-1} = sum_{s<t} ||l_s - m_s||_inf^2]
    eta: float  # fixed rate, or sqrt(ln N) of the adaptive rate
    scale: float  # c^2 of the adaptive rate
    adaptive: bool


@kernel
def optimistic_hedge_rate(state):
    """``eta`` or ``eta_t = sqrt(ln N / (c^2 + V_{t-1}))``."""
    if state.adaptive:
        return state.eta / np.sqrt(state.scale + state.scalars[1])
    return state.eta


@kernel
def optimistic_hedge_probabilities(state):
    """``p_t ∝ exp(-eta_t (L_{t-1} + m_t))`` (log space)."""
    for i in range(state.scores.shape[0]):
        state.scores[i] = state.cumulative_losses[i] + state.hint[i]
    softmax_negative(state.scores, optimistic_hedge_rate(state), state.probabilities)


@kernel
def optimistic_hedge_distribution(state):
    """``p_t`` of the next :func:`optimistic_hedge_act`, without drawing (``distribution_kernel``)."""
    optimistic_hedge_probabilities(state)
    return state.probabilities


@kernel
def optimistic_hedge_act(state, rng):
    optimistic_hedge_probabilities(state)
    return sample_index(state.probabilities, rng.random())


@kernel
def optimistic_hedge_update(state, action, feedback):
    """``V_t = V_{t-1} + ||l_t - m_t||_inf^2``, ``L_t = L_{t-1} + l_t``, ``m_{t+1} = l_t``."""
    error = 0.0
    for i in range(state.cumulative_losses.shape[0]):
        error = max(error, abs(feedback[i] - state.hint[i]))
        state.cumulative_losses[i] += feedback[i]
        state.hint[i] = feedback[i]
    state.scalars[0] += 1.0
    state.scalars[1] += error * error


class OptimisticHedge(KernelLearner):
    """Optimistic Hedge: exponential weights with the last loss vector as a hint.

    With full loss vectors ``l_t`` (FULL_INFORMATION feedback) and ``m_t = l_{t-1}`` (``m_1 = 0``)::

        p_{t,i} ∝ exp(-eta_t (L_{t-1,i} + m_{t,i})),   L_{t-1} = sum_{s<t} l_s

    (optimistic FTRL with the negative entropy; Rakhlin and Sridharan, COLT 2013; Syrgkanis et al.,
    NeurIPS 2015, Proposition 7; Chen et al., JMLR 2024, eq. (26)).  The learner samples
    ``I_t ~ p_t``.  RVU bound on ``sum_t <p_t, l_t> - min_i L_{T,i}`` for a fixed ``eta``::

        R_T <= ln N / eta + eta sum_t ||l_t - m_t||_inf^2 - 1/(4 eta) sum_t ||p_t - p_{t-1}||_1^2

    Default ``eta = sqrt(ln N / T) / (b - a)`` for losses in ``[a, b]`` (``a <= 0 <= b``, so
    ``||l_t - m_t||_inf <= b - a``): ``R_T <= 2 (b - a) sqrt(T ln N)``.  ``adaptive=True`` uses
    ``eta_t = sqrt(ln N / ((b - a)^2 + V_{t-1}))``, ``V_t = sum_{s<=t} ||l_s - m_s||_inf^2``
    (self-confident tuning; no horizon needed), for which the same argument gives
    ``R_T <= 3 sqrt(ln N ((b - a)^2 + V_T))`` (derived here, not quoted from a paper).

    Args:
        eta: fixed learning rate, or the numerator of the adaptive rate (``None``: the tunings
            above).
        adaptive: use the self-confident rate ``eta_t``.
    """

    accepts = (FeedbackKind.FULL_INFORMATION,)
    _parameter_constraints = {
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "adaptive": [Options((True, False))],
    }
    _test_params = [{}, {"adaptive": True}, {"eta": 0.5}]
    act_kernel = staticmethod(optimistic_hedge_act)
    update_kernel = staticmethod(optimistic_hedge_update)
    distribution_kernel = staticmethod(optimistic_hedge_distribution)

    def __init__(self, eta: float | None = None, adaptive: bool = False):
        self.eta = eta
        self.adaptive = adaptive

    def learning_rate(self, spec) -> float:
        """The fixed ``eta``, or ``sqrt(ln N)`` (the numerator of the adaptive rate)."""
        n = spec.n_actions
        if self.eta is not None:
            return float(self.eta)
        if self.adaptive:
            return float(np.sqrt(np.log(n)))
        return float(np.sqrt(np.log(n) / self.horizon_of(spec, "eta"))) / _loss_scale(self, spec)

    def init_state(self, spec, rng):
        n = spec.n_actions
        scale = _loss_scale(self, spec) ** 2 if self.adaptive else 1.0
        return OptimisticHedgeState(
            np.zeros(n),
            np.zeros(n),
            np.zeros(n),
            np.full(n, 1.0 / n),
            np.zeros(2),
            self.learning_rate(spec),
            scale,
            bool(self.adaptive),
        )

    @property
    def probabilities(self) -> np.ndarray:
        """``p_t`` of the next round."""
        optimistic_hedge_probabilities(self.state_)
        return self.state_.probabilities.copy()

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))
