"""Follow the regularised leader on linearised losses: entropic (simplex) and Euclidean."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import types
from numba.extending import overload

from onlinelearn.core.decision_sets import SIMPLEX, project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import InstanceOf, Interval
from onlinelearn.core.sampling import sample_index, softmax_negative
from onlinelearn.learners.hedge import _loss_scale
from onlinelearn.learners.ogd import required_gradient_bound
from onlinelearn.learners.omd import (
    ADAGRAD,
    SCHEDULES,
    StringOptions,
    check_kernel_regularizer,
    dual_norm_squared,
    scheduled_rate,
)
from onlinelearn.learners.regularizers import (
    EUCLIDEAN,
    NAMES,
    NEGATIVE_ENTROPY,
    Regularizer,
    as_regularizer,
    mirror_step,
)


class FTRLPointState(NamedTuple):
    """State when FTRL plays points of a decision set (GRADIENT feedback)."""

    cumulative: np.ndarray  # (d,) sum_{s<t} g_s
    x: np.ndarray  # (d,) x_t
    y: np.ndarray  # (d,) unprojected point (Euclidean)
    start: np.ndarray  # (d,) x_1 = argmin_X psi, the centre of the regulariser
    eta: float
    entropic: bool
    offset: int  # index of g_1 in the feedback buffer (1 for GRADIENT)
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray
    scalars: np.ndarray  # [t - 1, squared dual norms so far (+ G^2 for the adagrad schedule)]
    schedule: int
    lam: float
    regularizer: int
    q: float


class FTRLExpertsState(NamedTuple):
    """State when FTRL samples experts (FULL_INFORMATION feedback; entropic only)."""

    cumulative: np.ndarray  # (N,) L_{t-1}
    x: np.ndarray  # (N,) p_t
    y: np.ndarray
    start: np.ndarray
    eta: float
    entropic: bool
    offset: int  # 0 for FULL_INFORMATION
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray
    scalars: np.ndarray
    schedule: int
    lam: float
    regularizer: int
    q: float


@kernel
def ftrl_point(state):
    """Write ``x_t`` into ``state.x``, with ``eta_t`` from the schedule.

    Entropic: ``x_t ∝ exp(-eta_t G_{t-1})`` (log space).  Euclidean: ``x_t = Proj_X(x_1 - eta_t
    G_{t-1})``, the minimiser of ``<G_{t-1}, x> + ||x - x_1||^2 / (2 eta_t)`` over X.  Other mirror
    maps: the mirror step from ``x_1`` along ``G_{t-1}``, i.e. the minimiser of ``<G_{t-1}, x> +
    B_psi(x, x_1) / eta_t``: FTRL with the regulariser ``B_psi(., x_1)``, which differs from ``psi``
    by an affine term (same strong convexity, minimised over X at ``x_1``).  It is FTRL with
    ``psi`` itself only where ``<grad psi(x_1), x>`` is constant on X (the uniform point of the
    simplex); on a box ``grad psi`` at the centre is not normal to X, and the two differ.
    """
    eta = scheduled_rate(state.schedule, state.eta, state.lam, state.scalars[0] + 1.0, state.scalars[1])
    if state.regularizer == NEGATIVE_ENTROPY and state.code == SIMPLEX:
        softmax_negative(state.cumulative, eta, state.x)
    elif state.regularizer == EUCLIDEAN:
        for i in range(state.x.shape[0]):
            state.y[i] = state.start[i] - eta * state.cumulative[i]
        project(state.code, state.radius, state.low, state.high, state.y, state.x)
    else:
        mirror_step(
            state.regularizer,
            state.q,
            state.code,
            state.radius,
            state.low,
            state.high,
            state.start,
            state.cumulative,
            eta,
            state.x,
            state.y,
        )


def _ftrl_play(state, rng):
    """Python stand-in (JIT disabled) of the overload below."""
    ftrl_point(state)
    if isinstance(state, FTRLExpertsState):
        return sample_index(state.x, rng.random())
    return state.x


@overload(_ftrl_play)
def _ftrl_play_overload(state, rng):
    """Sample an expert (experts state) or return the point (point state), chosen at typing time."""
    experts = isinstance(state, types.BaseNamedTuple) and state.instance_class is FTRLExpertsState
    if experts:

        def play_expert(state, rng):
            ftrl_point(state)
            return sample_index(state.x, rng.random())

        return play_expert

    def play_point(state, rng):
        ftrl_point(state)
        return state.x

    return play_point


@kernel
def ftrl_act(state, rng):
    return _ftrl_play(state, rng)


@kernel
def ftrl_update(state, action, feedback):
    """``G_t = G_{t-1} + g_t`` (the loss vector, or the gradient ``feedback[1:]``)."""
    d = state.cumulative.shape[0]
    for i in range(d):
        state.cumulative[i] += feedback[state.offset + i]
    state.scalars[0] += 1.0
    if state.schedule == ADAGRAD:
        state.scalars[1] += dual_norm_squared(state.regularizer, feedback, state.offset, d)


class FTRL(KernelLearner):
    """Follow the regularised leader on linearised losses, with a regulariser and a step schedule.

    With ``G_{t-1} = sum_{s<t} g_s`` (gradients, or full loss vectors of experts), a regulariser
    ``psi`` (:mod:`onlinelearn.learners.regularizers`) and ``x_1`` the set's centre,
    ``x_t = argmin_{x in X} <G_{t-1}, x> + B_psi(x, x_1) / eta_t``.  The Bregman divergence
    ``B_psi(., x_1)`` is ``psi`` up to an affine term, so this is FTRL with ``psi`` wherever that
    term is constant on X: on the simplex (``x_1`` uniform) and for the Euclidean ``psi`` centred at
    ``x_1``.  On a box with Tsallis or the log-barrier the regulariser is ``B_psi(., x_1)``,
    minimised at the centre ``x_1`` and not at ``argmin_X psi`` (the bounds below hold with ``R``
    the range of ``B_psi(., x_1)`` over X):

    * ``regularizer="entropic"`` (X the simplex, ``psi(x) = sum_i x_i ln x_i``)::

          x_{t,i} = exp(-eta_t G_{t-1,i}) / sum_j exp(-eta_t G_{t-1,j})

      On GRADIENT feedback (a simplex decision set) it plays the point ``x_t``; on FULL_INFORMATION
      feedback it samples an expert ``I_t ~ x_t`` like :class:`~onlinelearn.learners.Hedge`.
    * ``regularizer="euclidean"`` (any ball, simplex or box, ``psi(x) = ||x - x_1||^2 / 2``)::

          x_t = Proj_X(x_1 - eta_t G_{t-1})      (lazy projection)

    * any other mirror map (``"tsallis"``, ``"log_barrier"`` or a
      :class:`~onlinelearn.learners.regularizers.Regularizer` instance): the mirror step from
      ``x_1`` along ``G_{t-1}``, closed form up to a 1-D multiplier.

    Step-size schedules (``eta`` is the constant ``c``): ``"constant"`` (``eta_t = c``, the
    default), ``"sqrt"`` (``c / sqrt t``), ``"adagrad"`` (``c / sqrt(G^2 + sum_{s<t}
    ||g_s||_*^2)``) and ``"strongly_convex"`` (``1 / (lam t)``).

    Bounds (Orabona, "A Modern Introduction to Online Learning", Chapter 7: Corollary 7.9 and its
    non-increasing-rate form ``R_T <= R / eta_T + sum_t eta_t ||g_t||_*^2 / (2 alpha)``, with
    ``psi`` ``alpha``-strongly convex w.r.t. ``||.||`` of range ``R`` over X and
    ``||g_t||_* <= G``), for the default constants:

    * constant, entropic: ``eta = sqrt(2 ln d / T) / G`` -> ``R_T <= G sqrt(2 T ln d)``; experts with
      losses in [a, b] (Hoeffding's lemma, Cesa-Bianchi & Lugosi 2006, Theorem 2.2):
      ``eta = sqrt(8 ln N / T) / (b - a)`` and ``R_T <= (b - a) sqrt(T ln N / 2)``;
    * constant, Euclidean: ``eta = D / (G sqrt T)`` -> ``R_T <= G D sqrt(T)``;
    * constant, other ``psi``: ``eta = sqrt(2 alpha R / T) / G`` -> ``R_T <= G sqrt(2 R T / alpha)``;
    * sqrt: ``c = sqrt(alpha R) / G`` -> ``R_T <= 2 G sqrt(R T / alpha)``;
    * adagrad: ``c = sqrt(alpha R)`` -> ``R_T <= 2 sqrt(R / alpha) sqrt(G^2 + sum_t ||g_t||_*^2)``;
    * strongly_convex: no bound is claimed here (for ``lam``-strongly convex losses see
      :class:`~onlinelearn.learners.optimistic.OFTL`).

    Args:
        regularizer: ``"entropic"``, ``"euclidean"``, ``"tsallis"``, ``"log_barrier"`` or a
            :class:`~onlinelearn.learners.regularizers.Regularizer`.
        eta: the constant of the schedule (``None``: the tunings above; the constant schedule
            needs the horizon).
        step_size: ``"constant"``, ``"sqrt"``, ``"adagrad"`` or ``"strongly_convex"``.
        lam: ``lambda`` of the ``"strongly_convex"`` schedule.
    """

    accepts = (FeedbackKind.FULL_INFORMATION, FeedbackKind.GRADIENT)
    action_space = "continuous"
    _parameter_constraints = {
        "regularizer": [StringOptions(NAMES), InstanceOf((Regularizer,))],
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "step_size": [StringOptions(tuple(SCHEDULES))],
        "lam": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [
        {},
        {"regularizer": "euclidean"},
        {"step_size": "sqrt"},
        {"regularizer": "euclidean", "step_size": "adagrad"},
    ]
    act_kernel = staticmethod(ftrl_act)
    update_kernel = staticmethod(ftrl_update)

    def __init__(
        self, regularizer="entropic", eta: float | None = None, step_size: str = "constant", lam=None
    ):
        self.regularizer = regularizer
        self.eta = eta
        self.step_size = step_size
        self.lam = lam

    def check_spec(self, spec) -> None:
        name = type(self).__name__
        if spec.feedback_kind not in self.accepts:
            accepted = ", ".join(kind.name for kind in self.accepts)
            raise TypeError(
                f"{name} accepts feedback of kind {accepted}; the environment "
                f"gives {FeedbackKind(spec.feedback_kind).name}."
            )
        regularizer = as_regularizer(self.regularizer)
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            if regularizer.code != NEGATIVE_ENTROPY:
                raise ValueError(
                    f"{name}(regularizer={self.regularizer!r}) plays points of a convex set; "
                    "experts with FULL_INFORMATION feedback need "
                    "regularizer='entropic'."
                )
            return
        if spec.decision_set is None:
            raise ValueError(
                f"{name} with GRADIENT feedback plays points of a convex set; the "
                "environment spec has no decision set."
            )
        if regularizer.code == NEGATIVE_ENTROPY and spec.decision_set.code != SIMPLEX:
            raise ValueError(
                f"{name}(regularizer='entropic') plays on the simplex; the decision "
                f"set is a {spec.decision_set.name}. Use regularizer='euclidean'."
            )
        check_kernel_regularizer(self, regularizer, spec)

    def _geometry(self, spec) -> tuple[float, float, float]:
        """``(R, alpha, G)``: range and strong convexity of psi, and the dual gradient bound."""
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            return float(np.log(spec.n_actions)), 1.0, _loss_scale(self, spec)
        regularizer = as_regularizer(self.regularizer)
        size = regularizer.range(spec.decision_set)
        if not np.isfinite(size):
            raise ValueError(
                f"{type(self).__name__} tunes 'eta' from the range of the regulariser, which is "
                f"unbounded for {regularizer!r} on a {spec.decision_set.name}. Set 'eta' explicitly."
            )
        alpha = regularizer.strong_convexity(spec.decision_set.dimension)
        return size, alpha, required_gradient_bound(self, spec, "eta")

    def learning_rate(self, spec) -> float:
        """The constant ``c`` of the schedule for ``spec`` (the class docstring's tunings)."""
        if self.eta is not None:
            return float(self.eta)
        if self.step_size == "strongly_convex":
            return 0.0
        size, alpha, scale = self._geometry(spec)
        if self.step_size == "sqrt":
            return float(np.sqrt(alpha * size)) / scale
        if self.step_size == "adagrad":
            return float(np.sqrt(alpha * size))
        horizon = self.horizon_of(spec, "eta")
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            return float(np.sqrt(8.0 * np.log(spec.n_actions) / horizon)) / scale
        if as_regularizer(self.regularizer).code == EUCLIDEAN:
            return spec.decision_set.diameter / (scale * np.sqrt(horizon))
        return float(np.sqrt(2.0 * alpha * size / horizon)) / scale

    def init_state(self, spec, rng):
        if self.step_size == "strongly_convex" and self.lam is None:
            raise ValueError(
                "FTRL with step_size='strongly_convex' needs the parameter 'lam' (eta_t = 1 / (lam t)), "
                "a float in the range (0, inf). Got lam=None."
            )
        eta = self.learning_rate(spec)
        regularizer = as_regularizer(self.regularizer)
        scalars = np.zeros(2)
        if self.step_size == "adagrad":
            # G^2 in the denominator keeps eta_1 finite and the adaptive bound valid.
            gradient_bound = (
                _loss_scale(self, spec)
                if spec.feedback_kind == FeedbackKind.FULL_INFORMATION
                else spec.gradient_bound
            )
            scalars[1] = 0.0 if gradient_bound is None else float(gradient_bound) ** 2
        schedule = SCHEDULES[self.step_size]
        lam = 0.0 if self.lam is None else float(self.lam)
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            n = spec.n_actions
            return FTRLExpertsState(
                np.zeros(n),
                np.full(n, 1.0 / n),
                np.zeros(n),
                np.full(n, 1.0 / n),
                eta,
                True,
                0,
                SIMPLEX,
                1.0,
                np.zeros(n),
                np.zeros(n),
                scalars,
                schedule,
                lam,
                NEGATIVE_ENTROPY,
                0.0,
            )
        decision_set = spec.decision_set
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        start = regularizer.start(decision_set)
        return FTRLPointState(
            np.zeros(d),
            start.copy(),
            np.zeros(d),
            start,
            eta,
            regularizer.code == NEGATIVE_ENTROPY,
            1,
            code,
            radius,
            low,
            high,
            scalars,
            schedule,
            lam,
            regularizer.code,
            regularizer.q,
        )
