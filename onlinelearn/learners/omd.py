"""Online mirror descent (greedy), parameterised by a regulariser and a step-size schedule."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import Feedback, FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import InstanceOf, Interval, Options
from onlinelearn.learners.ogd import required_gradient_bound
from onlinelearn.learners.regularizers import (
    EUCLIDEAN,
    NAMES,
    QUADRATIC,
    Regularizer,
    as_regularizer,
    mirror_step,
)

CONSTANT = 0
SQRT = 1
ADAGRAD = 2
STRONGLY_CONVEX = 3
SCHEDULES = {"constant": CONSTANT, "sqrt": SQRT, "adagrad": ADAGRAD, "strongly_convex": STRONGLY_CONVEX}


@kernel
def dual_norm_squared(regularizer, g, offset, d):
    """``||g||_*^2`` of ``g = feedback[offset:offset + d]``: Euclidean 2-norm, else the max-norm."""
    total = 0.0
    for i in range(d):
        value = g[offset + i]
        if regularizer == EUCLIDEAN:
            total += value * value
        else:
            total = max(total, value * value)
    return total


@kernel
def scheduled_rate(schedule, eta, lam, t, squared_sum):
    """``eta_t`` of the ``t``-th step (``t >= 1``; ``squared_sum = sum_{s<=t} ||g_s||_*^2``)."""
    if schedule == CONSTANT:
        return eta
    if schedule == SQRT:
        return eta / np.sqrt(t)
    if schedule == ADAGRAD:
        return eta if squared_sum <= 0.0 else eta / np.sqrt(squared_sum)
    return 1.0 / (lam * t)


class StringOptions(Options):
    """:class:`~onlinelearn.core.params.Options` that compares strings only (safe for arrays)."""

    def accepts(self, value) -> bool:
        return isinstance(value, str) and value in self.values


class OMDState(NamedTuple):
    x: np.ndarray  # (d,) x_t
    previous: np.ndarray  # (d,) copy of x_t for the step
    work: np.ndarray  # (d,) buffer of the mirror step
    scalars: np.ndarray  # [t, sum_{s<=t} ||g_s||_*^2]
    schedule: int
    eta: float
    lam: float
    regularizer: int
    q: float
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray


@kernel
def omd_act(state, rng):
    return state.x


@kernel
def omd_update(state, action, feedback):
    """``x_{t+1} = argmin_X eta_t <g_t, x> + B_psi(x, x_t)``, ``g_t = feedback[1:]``."""
    d = state.x.shape[0]
    state.scalars[0] += 1.0
    state.scalars[1] += dual_norm_squared(state.regularizer, feedback, 1, d)
    eta = scheduled_rate(state.schedule, state.eta, state.lam, state.scalars[0], state.scalars[1])
    state.previous[:] = state.x
    mirror_step(
        state.regularizer,
        state.q,
        state.code,
        state.radius,
        state.low,
        state.high,
        state.previous,
        feedback[1:],
        eta,
        state.x,
        state.work,
    )


def default_rate(learner, spec, regularizer: Regularizer, schedule: str) -> float:
    """The constant ``eta`` (or ``c`` of ``c / sqrt t``, ``c / sqrt(sum ||g||^2)``) of the tunings.

    With ``R = range(psi)``, ``alpha`` the strong convexity modulus and ``G`` the gradient bound
    (Orabona 2019, Theorem 6.8 for constant rates, Theorem 4.14 for the AdaGrad norm rate)::

        constant   eta = sqrt(2 alpha R / T) / G         R_T <= G sqrt(2 R T / alpha)
        sqrt       c = D / G   (Euclidean)               R_T <= (3/2) G D sqrt(T)
        adagrad    c = D / sqrt(2) (Euclidean)           R_T <= sqrt(2) D sqrt(sum_t ||g_t||^2)
    """
    name = type(learner).__name__
    decision_set = spec.decision_set
    if schedule in ("sqrt", "adagrad") and regularizer.code != EUCLIDEAN:
        raise ValueError(
            f"{name} has no default 'eta' for step_size={schedule!r} with {regularizer!r} "
            "(the bound needs a bounded Bregman divergence). Set 'eta' explicitly."
        )
    if schedule == "adagrad":
        return decision_set.diameter / np.sqrt(2.0)
    gradient_bound = required_gradient_bound(learner, spec, "eta")
    if schedule == "sqrt":
        return decision_set.diameter / gradient_bound
    size = regularizer.range(decision_set)
    if not np.isfinite(size):
        raise ValueError(
            f"{name} tunes 'eta' from the range of the regulariser, which is unbounded for "
            f"{regularizer!r} on a {decision_set.name}. Set 'eta' explicitly."
        )
    horizon = learner.horizon_of(spec, "eta")
    alpha = regularizer.strong_convexity(decision_set.dimension)
    return float(np.sqrt(2.0 * alpha * size / horizon) / gradient_bound)


def check_kernel_regularizer(learner, regularizer: Regularizer, spec) -> None:
    """Refuse a regulariser without a mirror-step kernel or without a closed form on the set."""
    if regularizer.code == QUADRATIC:
        raise ValueError(
            f"The 'regularizer' parameter of {type(learner).__name__} must be a separable mirror map "
            f"(Euclidean, NegativeEntropy, Tsallis, LogBarrier). Got {regularizer!r} instead; the "
            "time-varying quadratic is the exp-concave regime of OptimisticOMD."
        )
    regularizer.check_set(spec.decision_set, type(learner).__name__)


def check_gradient(learner, feedback) -> np.ndarray:
    """The feedback buffer as float64, or a clear error if the gradient is not finite."""
    values = np.ascontiguousarray(feedback.values if isinstance(feedback, Feedback) else feedback, float)
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"{type(learner).__name__}.update received non-finite 'feedback' values {values!r} "
            "(a gradient or loss vector): the loss produced NaN or inf at the played point."
        )
    return values


class OMD(KernelLearner):
    """Online mirror descent, greedy form (Nemirovski and Yudin 1983; Beck and Teboulle 2003).

    With the gradient ``g_t`` at the played ``x_t`` (GRADIENT feedback), a regulariser ``psi``
    (:mod:`onlinelearn.learners.regularizers`) and ``x_1 = argmin_X psi`` (the set's centre)::

        x_{t+1} = argmin_{x in X} eta_t <g_t, x> + B_psi(x, x_t)

    Euclidean ``psi`` gives projected OGD; the negative entropy on the simplex gives
    exponentiated gradient ``x_{t+1} ∝ x_t exp(-eta_t g_t)``.  Step-size schedules:
    ``"constant"`` (``eta_t = eta``), ``"sqrt"`` (``eta / sqrt t``), ``"adagrad"`` (``eta /
    sqrt(sum_{s<=t} ||g_s||_*^2)``) and ``"strongly_convex"`` (``1 / (lam t)``).

    Bounds on ``R_T = sum_t f_t(x_t) - min_X sum_t f_t`` for convex ``f_t`` with ``||g_t||_* <= G``,
    ``psi`` ``alpha``-strongly convex w.r.t. ``||.||`` with range ``R`` over X (Orabona, "A Modern
    Introduction to Online Learning", Theorem 6.8 and Theorem 4.14; Hazan 2016, Theorems 3.1 and
    3.3), for the default tunings of :func:`default_rate`::

        constant          R_T <= G sqrt(2 R T / alpha)   (Euclidean: G D sqrt T; entropy: G sqrt(2 T ln d))
        sqrt (Euclidean)  R_T <= (3/2) G D sqrt T
        adagrad (Eucl.)   R_T <= sqrt(2) D sqrt(sum_t ||g_t||^2)
        strongly_convex   R_T <= G^2 / (2 lam) (1 + ln T)   (Euclidean, lam-strongly convex f_t)

    Args:
        regularizer: a :class:`~onlinelearn.learners.regularizers.Regularizer` or one of
            ``"euclidean"``, ``"entropic"``, ``"tsallis"``, ``"log_barrier"``.
        step_size: ``"constant"``, ``"sqrt"``, ``"adagrad"`` or ``"strongly_convex"``.
        eta: the constant of the schedule (``None``: :func:`default_rate`).
        lam: strong convexity of the losses (``"strongly_convex"``).
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "regularizer": [StringOptions(NAMES), InstanceOf((Regularizer,))],
        "step_size": [Options(tuple(SCHEDULES))],
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "lam": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [
        {},
        {"step_size": "sqrt"},
        {"step_size": "adagrad"},
        {"step_size": "strongly_convex", "lam": 1.0},
    ]
    act_kernel = staticmethod(omd_act)
    update_kernel = staticmethod(omd_update)

    def __init__(self, regularizer="euclidean", step_size: str = "constant", eta=None, lam=None):
        self.regularizer = regularizer
        self.step_size = step_size
        self.eta = eta
        self.lam = lam

    def check_spec(self, spec) -> None:
        super().check_spec(spec)
        check_kernel_regularizer(self, as_regularizer(self.regularizer), spec)

    def learning_rate(self, spec) -> float:
        """The constant of the schedule for ``spec``."""
        if self.eta is not None:
            return float(self.eta)
        if self.step_size == "strongly_convex":
            return 0.0
        return default_rate(self, spec, as_regularizer(self.regularizer), self.step_size)

    def init_state(self, spec, rng):
        if self.step_size == "strongly_convex" and self.lam is None:
            raise ValueError(
                "OMD with step_size='strongly_convex' needs the strong convexity parameter 'lam' "
                "(eta_t = 1 / (lam t)), a float in the range (0, inf). Got lam=None."
            )
        regularizer = as_regularizer(self.regularizer)
        decision_set = spec.decision_set
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        return OMDState(
            regularizer.start(decision_set),
            np.zeros(d),
            np.zeros(d),
            np.zeros(2),
            SCHEDULES[self.step_size],
            self.learning_rate(spec),
            0.0 if self.lam is None else float(self.lam),
            regularizer.code,
            regularizer.q,
            code,
            radius,
            low,
            high,
        )

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))
