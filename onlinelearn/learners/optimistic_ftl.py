"""Optimistic follow the leader on strongly convex surrogates (OFTL; Sachs et al., NeurIPS 2022,
Theorem 7).  The hint ``M_t`` is chosen as in :mod:`onlinelearn.learners.optimistic_hints`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval
from onlinelearn.learners.omd import check_gradient
from onlinelearn.learners.optimistic_hints import (
    EXTERNAL,
    HINT_CONSTRAINTS,
    ExternalHintRounds,
    hint_arguments,
    next_hint,
)


class OFTLState(NamedTuple):
    x: np.ndarray
    point_sum: np.ndarray  # (d,) x_0 + sum_{s<t} x_s
    gradient_sum: np.ndarray  # (d,) sum_{s<t} g_s
    hint: np.ndarray
    work: np.ndarray
    hints: np.ndarray
    scalars: np.ndarray  # [t]
    hint_mode: int
    mu: float
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray


@kernel
def oftl_act(state, rng):
    return state.x  # as optimistic_omd.optimistic_omd_act: the Python face copies it


@kernel
def oftl_update(state, action, feedback):
    """``x_{t+1} = Proj_X((x_0 + sum_{s<=t} x_s) / (t + 1) - (sum_{s<=t} g_s + M_{t+1}) / (mu (t + 1)))``."""
    t = state.scalars[0] + 1.0
    state.scalars[0] = t
    for i in range(state.x.shape[0]):
        state.point_sum[i] += state.x[i]
        state.gradient_sum[i] += feedback[1 + i]
    next_hint(state.hint_mode, state.hint, state.gradient_sum, state.hints, feedback, t, True)
    weight = t + 1.0
    for i in range(state.x.shape[0]):
        state.work[i] = state.point_sum[i] / weight - (state.gradient_sum[i] + state.hint[i]) / (
            state.mu * weight
        )
    project(state.code, state.radius, state.low, state.high, state.work, state.x)


class OFTL(ExternalHintRounds, KernelLearner):
    """Optimistic follow the leader on strongly convex surrogates (Sachs et al., NeurIPS 2022,
    Theorem 7), with the first-round regulariser of Chen et al. (JMLR 2024, Appendix A.2).

    Surrogates ``l_s(x) = <g_s, x - x_s> + (mu/2) ||x - x_s||^2`` plus ``(mu/2) ||x - x_0||^2``
    (``x_0`` the set's centre) make round ``t``'s objective ``mu t``-strongly convex::

        x_t = argmin_X sum_{s<t} l_s(x) + (mu/2) ||x - x_0||^2 + <M_t, x>
            = Proj_X((x_0 + sum_{s<t} x_s) / t - (sum_{s<t} g_s + M_t) / (mu t))

    Bound for ``mu``-strongly convex, ``L``-smooth ``F_t`` (conservative form: ``1 + ln T`` for the
    harmonic sum and the first-round ``G D``)::

        E R_T <= (8 sigma^2_max + 4 Sigma^2_max)(1 + ln T) / mu + (4 D^2 L^2 / mu) ln(1 + 16 L / mu) + G D

    Args:
        mu: strong convexity of the ``F_t`` (required), > 0.
        hint: see :mod:`onlinelearn.learners.optimistic_hints`.
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "mu": [Interval(float, 0, None, closed="neither")],
        "hint": HINT_CONSTRAINTS,
    }
    _test_params = [{"mu": 1.0}, {"mu": 0.5, "hint": "none"}]
    act_kernel = staticmethod(oftl_act)
    update_kernel = staticmethod(oftl_update)

    def __init__(self, mu: float = 1.0, hint="last_gradient"):
        self.mu = mu
        self.hint = hint

    def init_state(self, spec, rng):
        mode, hints = hint_arguments(self, spec)
        decision_set = spec.decision_set
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        start = decision_set.center()
        hint = hints[0].copy() if mode == EXTERNAL else np.zeros(d)
        x = decision_set.project(start - hint / self.mu)
        return OFTLState(
            x,
            start.copy(),
            np.zeros(d),
            hint,
            np.zeros(d),
            hints,
            np.zeros(1),
            mode,
            float(self.mu),
            code,
            radius,
            low,
            high,
        )

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))
