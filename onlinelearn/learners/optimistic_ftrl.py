"""Optimistic follow the regularised leader for the SEA model (Sachs et al., NeurIPS 2022, Theorem 5).

The hint ``M_t`` is chosen as in :mod:`onlinelearn.learners.optimistic_hints`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval
from onlinelearn.learners.ogd import required_gradient_bound
from onlinelearn.learners.omd import check_gradient
from onlinelearn.learners.optimistic_hints import (
    EXTERNAL,
    HINT_CONSTRAINTS,
    ExternalHintRounds,
    hint_arguments,
    hint_error,
    next_hint,
)


class OptimisticFTRLState(NamedTuple):
    x: np.ndarray  # (d,) x_t
    start: np.ndarray  # (d,) x_1, the centre of the regulariser
    gradient_sum: np.ndarray  # (d,) sum_{s<t} g_s
    hint: np.ndarray  # (d,) M_t
    work: np.ndarray
    hints: np.ndarray
    scalars: np.ndarray  # [t, eta_t]
    hint_mode: int
    squared_diameter: float
    nu: float
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray


@kernel
def optimistic_ftrl_point(state):
    """``x_t = argmin_X <theta_t, x> + ||x - x_1||^2 / eta_t = Proj_X(x_1 - eta_t theta_t / 2)``."""
    eta = state.scalars[1]
    for i in range(state.x.shape[0]):
        state.work[i] = state.start[i] - 0.5 * eta * (state.gradient_sum[i] + state.hint[i])
    project(state.code, state.radius, state.low, state.high, state.work, state.x)


@kernel
def optimistic_ftrl_act(state, rng):
    return state.x  # as optimistic_omd.optimistic_omd_act: the Python face copies it


@kernel
def optimistic_ftrl_update(state, action, feedback):
    """``1/eta_{t+1} = (nu + sum_{s<=t} eta_s ||g_s - M_s||^2) / D^2``; next hint; next point."""
    t = state.scalars[0] + 1.0
    state.scalars[0] = t
    eta = state.scalars[1]
    denominator = state.squared_diameter / eta + eta * hint_error(state.hint, feedback)
    state.scalars[1] = state.squared_diameter / denominator
    for i in range(state.x.shape[0]):
        state.gradient_sum[i] += feedback[1 + i]
    next_hint(state.hint_mode, state.hint, state.gradient_sum, state.hints, feedback, t, True)
    optimistic_ftrl_point(state)


class OptimisticFTRL(ExternalHintRounds, KernelLearner):
    """Optimistic follow the regularised leader for the SEA model (Sachs, Hadiji, van Erven,
    Guzmán, "Between Stochastic and Adversarial Online Convex Optimization: Improved Regret Bounds
    via Smoothness", NeurIPS 2022, Theorem 5).

    With ``theta_t = sum_{s<t} g_s + M_t`` and the AdaFTRL step size::

        x_t = argmin_{x in X} <theta_t, x> + ||x - x_1||^2 / eta_t = Proj_X(x_1 - eta_t theta_t / 2)
        eta_t = D^2 / (nu + sum_{s<t} eta_s ||g_s - M_s||^2)

    (``x_1`` the set's centre; the paper centres at 0, the centre of a ball).  Bound for convex
    ``f(., xi)`` with ``||g|| <= G``, ``L``-smooth ``F_t`` and the last-gradient hint::

        E R_T <= 6 D sqrt(sigma^2_{1:T}) + 3 sqrt(2) D sqrt(Sigma^2_{1:T}) + (3 sqrt(2) / 2) D G
                 + nu + (4 D^2 G^2 + 9 L^2 D^4) / nu

    Default ``nu = L D^2 + D G``: ``L`` is the ``smoothness`` parameter, else the spec's
    ``smoothness``, else 0 (the bound above holds for any ``nu > 0``; the default only balances
    its terms), and ``G`` the spec's gradient bound.

    Args:
        hint: see :mod:`onlinelearn.learners.optimistic_hints`.
        smoothness: ``L`` > 0 (used by the default ``nu``); ``None``: the spec's, else 0.
        nu: the regularisation constant (``None``: ``L D^2 + D G``, which needs the spec's
            ``gradient_bound``).
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "hint": HINT_CONSTRAINTS,
        "smoothness": [Interval(float, 0, None, closed="neither"), None],
        "nu": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [{}, {"smoothness": 1.0, "hint": "none"}]
    act_kernel = staticmethod(optimistic_ftrl_act)
    update_kernel = staticmethod(optimistic_ftrl_update)

    def __init__(self, hint="last_gradient", smoothness=None, nu=None):
        self.hint = hint
        self.smoothness = smoothness
        self.nu = nu

    def regularization(self, spec) -> float:
        """``nu`` for ``spec``."""
        if self.nu is not None:
            return float(self.nu)
        diameter = spec.decision_set.diameter
        smoothness = self.smoothness if self.smoothness is not None else spec.smoothness
        smoothness = 0.0 if smoothness is None else float(smoothness)
        return smoothness * diameter**2 + diameter * required_gradient_bound(self, spec, "nu")

    def init_state(self, spec, rng):
        decision_set = spec.decision_set
        if not decision_set.diameter > 0:
            raise ValueError(
                f"{type(self).__name__} needs a decision set of positive diameter D (eta_t = D^2 / ...); "
                f"got a {decision_set.name} of diameter {decision_set.diameter}."
            )
        mode, hints = hint_arguments(self, spec)
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        nu = self.regularization(spec)
        squared_diameter = float(decision_set.diameter**2)
        start = decision_set.center()
        state = OptimisticFTRLState(
            start.copy(),
            start,
            np.zeros(d),
            hints[0].copy() if mode == EXTERNAL else np.zeros(d),
            np.zeros(d),
            hints,
            np.array([0.0, squared_diameter / nu]),
            mode,
            squared_diameter,
            nu,
            code,
            radius,
            low,
            high,
        )
        optimistic_ftrl_point(state)
        return state

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))
