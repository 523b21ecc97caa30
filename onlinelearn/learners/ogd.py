"""Projected online gradient descent (Zinkevich 2003) for online convex optimisation."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval, Options

FIXED = 0
SQRT = 1
STRONGLY_CONVEX = 2
_MODES = {"fixed": FIXED, "sqrt": SQRT, "strongly_convex": STRONGLY_CONVEX}


class OGDState(NamedTuple):
    x: np.ndarray  # (d,) current iterate x_t
    y: np.ndarray  # (d,) unprojected step x_t - eta_t g_t
    scalars: np.ndarray  # [t - 1] gradients received so far
    mode: int  # FIXED, SQRT or STRONGLY_CONVEX
    eta: float  # eta (fixed) or the constant c of eta_t = c / sqrt(t)
    lam: float  # strong convexity lambda (STRONGLY_CONVEX)
    code: int  # decision set (onlinelearn.core.decision_sets.project arguments)
    radius: float
    low: np.ndarray
    high: np.ndarray


@kernel
def ogd_act(state, rng):
    """Play the current iterate (a view: ``KernelLearner.act`` copies it for Python callers)."""
    return state.x


@kernel
def ogd_step_size(state, t):
    """``eta_t`` of the ``t``-th gradient (``t >= 1``)."""
    if state.mode == FIXED:
        return state.eta
    if state.mode == SQRT:
        return state.eta / np.sqrt(t)
    return 1.0 / (state.lam * t)


@kernel
def ogd_update(state, action, feedback):
    """``x_{t+1} = Proj_X(x_t - eta_t g_t)`` with ``g_t = feedback[1:]``."""
    state.scalars[0] += 1.0
    eta = ogd_step_size(state, state.scalars[0])
    for i in range(state.x.shape[0]):
        state.y[i] = state.x[i] - eta * feedback[1 + i]
    project(state.code, state.radius, state.low, state.high, state.y, state.x)


class OGD(KernelLearner):
    """Online (projected) gradient descent (Zinkevich, ICML 2003; Hazan 2016, Algorithm 8).

    Update with the gradient ``g_t`` of ``f_t`` at ``x_t`` (GRADIENT feedback), starting at the
    set's centre ``x_1`` (``DecisionSet.center``)::

        x_{t+1} = Proj_X(x_t - eta_t g_t)

    ``D`` is the diameter of X (``spec.decision_set.diameter``), ``G`` the gradient bound
    (``spec.gradient_bound``), ``T`` the horizon.  Step sizes and bounds on the static regret
    ``sum_t f_t(x_t) - min_{x in X} sum_t f_t(x)`` (convex ``f_t`` with ``||g_t|| <= G``):

    * ``step_size="sqrt"``: ``eta_t = eta / sqrt(t)``, ``eta = D / G`` by default (Hazan 2016,
      Theorem 3.1)::

          R_T <= (3/2) G D sqrt(T)

    * ``step_size="fixed"``: ``eta_t = eta``, ``eta = D / (G sqrt(T))`` by default (the proof of
      Hazan 2016, Theorem 3.1, with a constant rate gives ``R_T <= D^2 / (2 eta) + eta G^2 T / 2``)::

          R_T <= G D sqrt(T)

    * ``step_size="strongly_convex"``: ``eta_t = 1 / (lam t)`` for ``lam``-strongly convex
      ``f_t`` (Hazan 2016, Theorem 3.3)::

          R_T <= G^2 / (2 lam) (1 + ln T)

    Args:
        step_size: ``"sqrt"``, ``"fixed"`` or ``"strongly_convex"``.
        eta: the constant of the ``"sqrt"`` or ``"fixed"`` rate (``None``: the tuning above).
        lam: strong convexity parameter lambda (required by ``"strongly_convex"``).
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "step_size": [Options(tuple(_MODES))],
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "lam": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [{}, {"step_size": "fixed"}, {"step_size": "strongly_convex", "lam": 1.0}]
    act_kernel = staticmethod(ogd_act)
    update_kernel = staticmethod(ogd_update)

    def __init__(self, step_size: str = "sqrt", eta: float | None = None, lam: float | None = None):
        self.step_size = step_size
        self.eta = eta
        self.lam = lam

    def learning_rate(self, spec) -> float:
        """The constant ``eta`` of the fixed or sqrt schedule for ``spec``."""
        if self.eta is not None:
            return float(self.eta)
        if self.step_size == "strongly_convex":
            return 0.0
        gradient_bound = required_gradient_bound(self, spec, "eta")
        diameter = spec.decision_set.diameter
        if self.step_size == "sqrt":
            return diameter / gradient_bound
        return diameter / (gradient_bound * np.sqrt(self.horizon_of(spec, "eta")))

    def init_state(self, spec, rng):
        if self.step_size == "strongly_convex" and self.lam is None:
            raise ValueError(
                "OGD with step_size='strongly_convex' needs the strong convexity "
                "parameter 'lam' (eta_t = 1 / (lam t)). Got lam=None."
            )
        decision_set = spec.decision_set
        code, radius, low, high = decision_set.kernel_arguments()
        lam = 0.0 if self.lam is None else float(self.lam)
        return OGDState(
            decision_set.center(),
            np.zeros(decision_set.dimension),
            np.zeros(1),
            _MODES[self.step_size],
            self.learning_rate(spec),
            lam,
            code,
            radius,
            low,
            high,
        )


def required_gradient_bound(learner, spec, escape: str | None = None) -> float:
    """``spec.gradient_bound``, or an error naming what to set instead.

    ``escape`` is the learner's own parameter that makes ``G`` unnecessary (``'eta'`` of OGD,
    ``'nu'`` of OptimisticFTRL, ...), or ``None`` when only the spec can supply ``G``.
    """
    if spec.gradient_bound is None or not spec.gradient_bound > 0:
        name = type(learner).__name__
        remedy = f"Set the '{escape}' parameter of {name}, or give" if escape else "Give"
        raise ValueError(
            f"{name} needs the gradient bound G, but the environment spec has no gradient_bound "
            f"(got {spec.gradient_bound!r}). {remedy} the environment's EnvSpec a 'gradient_bound' "
            "(a float in the range (0, inf))."
        )
    return float(spec.gradient_bound)
