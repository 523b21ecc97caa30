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
from onlinelearn.core.params import Interval, Options
from onlinelearn.core.sampling import sample_index, softmax_negative
from onlinelearn.learners.hedge import _loss_scale
from onlinelearn.learners.ogd import required_gradient_bound


class FTRLPointState(NamedTuple):
    """State when FTRL plays points of a decision set (GRADIENT feedback)."""

    cumulative: np.ndarray  # (d,) sum_{s<t} g_s
    x: np.ndarray  # (d,) x_t
    y: np.ndarray  # (d,) unprojected point (Euclidean)
    start: np.ndarray  # (d,) x_1, the centre of the Euclidean regulariser
    eta: float
    entropic: bool
    offset: int  # index of g_1 in the feedback buffer (1 for GRADIENT)
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray


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


@kernel
def ftrl_point(state):
    """Write ``x_t`` into ``state.x``.

    Entropic: ``x_t ∝ exp(-eta G_{t-1})`` (log space).  Euclidean: ``x_t = Proj_X(x_1 - eta
    G_{t-1})``, the minimiser of ``<G_{t-1}, x> + ||x - x_1||^2 / (2 eta)`` over X.
    """
    if state.entropic:
        softmax_negative(state.cumulative, state.eta, state.x)
    else:
        for i in range(state.x.shape[0]):
            state.y[i] = state.start[i] - state.eta * state.cumulative[i]
        project(state.code, state.radius, state.low, state.high, state.y, state.x)


def _ftrl_play(state, rng):
    """Python stand-in (JIT disabled) of the overload below."""
    ftrl_point(state)
    if isinstance(state, FTRLExpertsState):
        return sample_index(state.x, rng.random())
    return state.x.copy()


@overload(_ftrl_play, jit_options={"cache": True})
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
        return state.x.copy()

    return play_point


@kernel
def ftrl_act(state, rng):
    return _ftrl_play(state, rng)


@kernel
def ftrl_update(state, action, feedback):
    """``G_t = G_{t-1} + g_t`` (the loss vector, or the gradient ``feedback[1:]``)."""
    for i in range(state.cumulative.shape[0]):
        state.cumulative[i] += feedback[state.offset + i]


class FTRL(KernelLearner):
    """Follow the regularised leader with a fixed rate, on linearised losses.

    With ``G_{t-1} = sum_{s<t} g_s`` (gradients, or full loss vectors of experts) and a regulariser
    ``psi``, ``x_t = argmin_{x in X} <G_{t-1}, x> + psi(x) / eta``:

    * ``regularizer="entropic"`` (X the simplex, ``psi(x) = sum_i x_i ln x_i``)::

          x_{t,i} = exp(-eta G_{t-1,i}) / sum_j exp(-eta G_{t-1,j})

      On GRADIENT feedback (a simplex decision set) it plays the point ``x_t``; on FULL_INFORMATION
      feedback it samples an expert ``I_t ~ x_t`` like :class:`~onlinelearn.learners.Hedge`.
    * ``regularizer="euclidean"`` (any ball, simplex or box, ``psi(x) = ||x - x_1||^2 / 2`` with
      ``x_1`` the set's centre)::

          x_t = Proj_X(x_1 - eta G_{t-1})      (lazy projection)

    Bound (Orabona, "A Modern Introduction to Online Learning", Corollary 7.9: a 1-strongly
    convex ``psi`` w.r.t. ``||.||`` and linear losses with ``||g_t||_* <= G``)::

        R_T <= (max_X psi - min_X psi) / eta + eta sum_t ||g_t||_*^2 / 2

    * entropic (``||.||_1``, dual ``||.||_inf``, ``psi`` range ``ln d``; ``G_inf`` bounds
      ``||g_t||_inf``; the default uses ``G_inf <= G = spec.gradient_bound``)::

          R_T <= ln d / eta + eta T G_inf^2 / 2,  eta = sqrt(2 ln d / T) / G  ->  R_T <= G sqrt(2 T ln d)

      For experts with losses in [a, b] (Hoeffding's lemma instead of the strong convexity bound,
      Cesa-Bianchi & Lugosi 2006, Theorem 2.2): ``eta = sqrt(8 ln N / T) / (b - a)`` and
      ``R_T <= (b - a) sqrt(T ln N / 2)``.
    * Euclidean (``||.||_2``, ``psi`` range ``<= D^2 / 2``, ``D`` the diameter)::

          R_T <= D^2 / (2 eta) + eta G^2 T / 2,  eta = D / (G sqrt T)  ->  R_T <= G D sqrt(T)

    Convex losses are handled through their gradients, so the same bounds hold for them.

    Args:
        regularizer: ``"entropic"`` or ``"euclidean"``.
        eta: learning rate (``None``: the tuning above, which needs the horizon).
    """

    accepts = (FeedbackKind.FULL_INFORMATION, FeedbackKind.GRADIENT)
    action_space = "continuous"
    _parameter_constraints = {
        "regularizer": [Options(("entropic", "euclidean"))],
        "eta": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [{}, {"regularizer": "euclidean"}]
    act_kernel = staticmethod(ftrl_act)
    update_kernel = staticmethod(ftrl_update)

    def __init__(self, regularizer: str = "entropic", eta: float | None = None):
        self.regularizer = regularizer
        self.eta = eta

    def check_spec(self, spec) -> None:
        name = type(self).__name__
        if spec.feedback_kind not in self.accepts:
            accepted = ", ".join(kind.name for kind in self.accepts)
            raise TypeError(
                f"{name} accepts feedback of kind {accepted}; the environment "
                f"gives {FeedbackKind(spec.feedback_kind).name}."
            )
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            if self.regularizer != "entropic":
                raise ValueError(
                    f"{name}(regularizer='euclidean') plays points of a convex set; "
                    "experts with FULL_INFORMATION feedback need "
                    "regularizer='entropic'."
                )
            return
        if spec.decision_set is None:
            raise ValueError(
                f"{name} with GRADIENT feedback plays points of a convex set; the "
                "environment spec has no decision set."
            )
        if self.regularizer == "entropic" and spec.decision_set.code != SIMPLEX:
            raise ValueError(
                f"{name}(regularizer='entropic') plays on the simplex; the decision "
                f"set is a {spec.decision_set.name}. Use regularizer='euclidean'."
            )

    def learning_rate(self, spec) -> float:
        """``eta`` for ``spec`` (the tuning of the class docstring when ``eta`` is None)."""
        if self.eta is not None:
            return float(self.eta)
        horizon = self.horizon_of(spec, "eta")
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            return float(np.sqrt(8.0 * np.log(spec.n_actions) / horizon)) / _loss_scale(self, spec)
        gradient_bound = required_gradient_bound(self, spec)
        if self.regularizer == "entropic":
            return float(np.sqrt(2.0 * np.log(spec.dimension) / horizon)) / gradient_bound
        return spec.decision_set.diameter / (gradient_bound * np.sqrt(horizon))

    def init_state(self, spec, rng):
        eta = self.learning_rate(spec)
        entropic = self.regularizer == "entropic"
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            n = spec.n_actions
            return FTRLExpertsState(
                np.zeros(n),
                np.full(n, 1.0 / n),
                np.zeros(n),
                np.zeros(n),
                eta,
                True,
                0,
                SIMPLEX,
                1.0,
                np.zeros(n),
                np.zeros(n),
            )
        decision_set = spec.decision_set
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        start = decision_set.center()
        return FTRLPointState(
            np.zeros(d), start.copy(), np.zeros(d), start, eta, entropic, 1, code, radius, low, high
        )
