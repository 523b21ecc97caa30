"""Optimistic online mirror descent for the SEA model (Chen, Zhang, Tu, Zhao, Zhang, JMLR 2024).

Convex-smooth, strongly convex and exp-concave regimes; the hint ``M_{t+1}`` is chosen as in
:mod:`onlinelearn.learners.optimistic_hints`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import BALL, project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval, Options
from onlinelearn.learners.ogd import required_gradient_bound
from onlinelearn.learners.omd import check_gradient
from onlinelearn.learners.ons import project_a_norm_iterative, project_ball_a_norm
from onlinelearn.learners.optimistic_hints import (
    EXTERNAL,
    HINT_CONSTRAINTS,
    LAST_GRADIENT,
    ExternalHintRounds,
    hint_arguments,
    hint_error,
    next_hint,
)

CONVEX_SMOOTH = 0
STRONGLY_CONVEX = 1
EXP_CONCAVE = 2
REGIMES = {"convex_smooth": CONVEX_SMOOTH, "strongly_convex": STRONGLY_CONVEX, "exp_concave": EXP_CONCAVE}


def _positive(learner, name: str, value, why: str) -> float:
    if value is None:
        raise ValueError(f"{type(learner).__name__} needs the parameter '{name}' ({why}). Got None.")
    return float(value)


# ``act`` allocates nothing (it returns ``state.x`` itself), and the ball kernel's last use of
# ``state`` is unconditional: Numba then releases the state at one place, and LLVM's reference
# count pruning removes the incref/decref pair of each of its arrays, about 15 ns per array per
# round otherwise (docs/design.md section 6.1).
class OptimisticOMDState(NamedTuple):
    x: np.ndarray  # (d,) played x_t
    x_hat: np.ndarray  # (d,) auxiliary x̂_t
    hint: np.ndarray  # (d,) M_t
    gradient_sum: np.ndarray  # (d,) sum_{s<=t} g_s
    work: np.ndarray  # (d,) unprojected point
    h: np.ndarray  # (d, d) H_t (exp-concave regime; 1x1 otherwise)
    h_inverse: np.ndarray  # (d, d) H_t^{-1}
    buffers: np.ndarray  # (4, d) generalised projection buffers
    hints: np.ndarray  # (n, d) external hints
    scalars: np.ndarray  # [t, V_t = sum_{s<=t} ||g_s - M_s||^2]
    regime: int
    hint_mode: int
    diameter: float
    gradient_bound: float
    delta: float
    lam: float
    beta: float
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray


@kernel
def optimistic_omd_rate(state, t, variation):
    """``eta_t`` of round ``t`` given ``V_{t-1}`` (``variation``); unused in the exp-concave regime."""
    if state.regime == CONVEX_SMOOTH:
        return state.diameter / np.sqrt(
            state.delta + 4.0 * state.gradient_bound * state.gradient_bound + variation
        )
    return 2.0 / (state.lam * t)


@kernel
def _h_step(state, start, direction, out):
    """``out = Proj^{H}_X(start - H^{-1} direction)`` with the current ``H``."""
    d = start.shape[0]
    for i in range(d):
        total = 0.0
        for j in range(d):
            total += state.h_inverse[i, j] * direction[j]
        state.work[i] = start[i] - total
    if state.code == BALL:
        project_ball_a_norm(state.h, state.work, state.radius, out, 1e-12, 10_000)
    else:
        out[:] = start
        project_a_norm_iterative(
            state.code,
            state.radius,
            state.low,
            state.high,
            state.h,
            state.work,
            out,
            state.buffers,
            1e-12,
            10_000,
        )


@kernel
def _euclidean_step(state, start, direction, eta, out):
    """``out = Proj_X(start - eta direction)``; on a ball, one fused pass plus a rescale if outside."""
    d = start.shape[0]
    if state.code == BALL:
        squared = 0.0
        for i in range(d):
            out[i] = start[i] - eta * direction[i]
            squared += out[i] * out[i]
        _rescale_into_ball(out, squared, state.radius)
        return
    for i in range(d):
        state.work[i] = start[i] - eta * direction[i]
    project(state.code, state.radius, state.low, state.high, state.work, out)


@kernel
def optimistic_omd_act(state, rng):
    # x_t itself, not a copy: the runner hands it to the environment before the update
    # overwrites it, and the Python face (``KernelLearner.act``) returns a copy.
    return state.x


@kernel
def _rescale_into_ball(x, squared, radius):
    if squared > radius * radius:
        scale = radius / np.sqrt(squared)
        for i in range(x.shape[0]):
            x[i] *= scale


@kernel
def _fused_ball_update(state, feedback, t, previous_variation):
    """The two Euclidean steps on a ball with the last-gradient hint, in two passes over d."""
    x, x_hat, hint, radius = state.x, state.x_hat, state.hint, state.radius
    d = x.shape[0]
    eta = optimistic_omd_rate(state, t, previous_variation)
    error = 0.0
    squared = 0.0
    for i in range(d):
        g = feedback[1 + i]
        error += (g - hint[i]) ** 2
        x_hat[i] -= eta * g
        squared += x_hat[i] * x_hat[i]
    _rescale_into_ball(x_hat, squared, radius)
    variation = previous_variation + error
    eta_next = optimistic_omd_rate(state, t + 1.0, variation)
    squared = 0.0
    for i in range(d):
        g = feedback[1 + i]
        hint[i] = g
        x[i] = x_hat[i] - eta_next * g
        squared += x[i] * x[i]
    _rescale_into_ball(x, squared, radius)
    state.scalars[1] = variation


@kernel
def optimistic_omd_update(state, action, feedback):
    """``x̂_{t+1} = step_{psi_t}(x̂_t, g_t)``, then ``x_{t+1} = step_{psi_{t+1}}(x̂_{t+1}, M_{t+1})``."""
    d = state.x.shape[0]
    t = state.scalars[0] + 1.0
    state.scalars[0] = t
    previous_variation = state.scalars[1]
    if state.code == BALL and state.hint_mode == LAST_GRADIENT and state.regime != EXP_CONCAVE:
        _fused_ball_update(state, feedback, t, previous_variation)
        return
    state.scalars[1] += hint_error(state.hint, feedback)
    gradient = feedback[1:]
    if state.regime == EXP_CONCAVE:
        _h_step(state, state.x_hat, gradient, state.x_hat)
        # H_{t+1} = H_t + (beta / 2) g g^T and its inverse by Sherman–Morrison.
        scale = 0.5 * state.beta
        inverse_g = state.h_inverse @ gradient
        denominator = 1.0 + scale * np.dot(gradient, inverse_g)
        for i in range(d):
            for j in range(d):
                state.h[i, j] += scale * gradient[i] * gradient[j]
                state.h_inverse[i, j] -= scale * inverse_g[i] * inverse_g[j] / denominator
        next_hint(state.hint_mode, state.hint, state.gradient_sum, state.hints, feedback, t, False)
        _h_step(state, state.x_hat, state.hint, state.x)
        return
    eta = optimistic_omd_rate(state, t, previous_variation)
    _euclidean_step(state, state.x_hat, gradient, eta, state.x_hat)
    next_hint(state.hint_mode, state.hint, state.gradient_sum, state.hints, feedback, t, False)
    eta_next = optimistic_omd_rate(state, t + 1.0, state.scalars[1])
    _euclidean_step(state, state.x_hat, state.hint, eta_next, state.x)


@kernel
def optimistic_omd_ball_update(state, action, feedback):
    """:func:`optimistic_omd_update` on a ball with the last-gradient hint (not exp-concave) only.

    The general kernel's other branches allocate (a slice, ``H^{-1} g``), and once inlined their
    reference counting stays on every path: the specialised kernel saved about 120 ns a round in B7.
    """
    t = state.scalars[0] + 1.0
    _fused_ball_update(state, feedback, t, state.scalars[1])
    state.scalars[0] = t


class OptimisticOMD(ExternalHintRounds, KernelLearner):
    """Optimistic online mirror descent for the SEA model (Chen, Zhang, Tu, Zhao, Zhang, "Optimistic
    Online Mirror Descent for Bridging Stochastic and Adversarial Online Convex Optimization",
    JMLR 25(178), 2024, Algorithm 1; ICML 2023).

    Two sequences from ``x_1 = x̂_1`` (the set's centre, moved by the first hint)::

        x̂_{t+1} = argmin_X <g_t, x> + B_{psi_t}(x, x̂_t)
        x_{t+1} = argmin_X <M_{t+1}, x> + B_{psi_{t+1}}(x, x̂_{t+1})

    (``psi_{t+1}`` already includes ``g_t``).  Regimes:

    * ``"convex_smooth"`` (Theorem 1): ``psi_t = ||x||^2 / (2 eta_t)``,
      ``eta_t = D / sqrt(delta + 4 G^2 + V_{t-1})``, ``V_{t-1} = sum_{s<t} ||g_s - M_s||^2``,
      ``delta = 10 D^2 L^2`` (``L``: the ``smoothness`` parameter, else the spec's ``smoothness``).
      For ``L``-smooth convex ``F_t`` and the last-gradient hint::

          E R_T <= 5 sqrt(10) D^2 L + (5 sqrt(5) / 2) D G + 5 sqrt(2) D sqrt(sigma^2_{1:T})
                   + 5 D sqrt(Sigma^2_{1:T})

      When neither gives ``L``, ``delta = 0``: the steps stay well defined, but the theorem's
      proof needs ``eta_t <= D / sqrt(delta)`` with ``delta >= 10 D^2 L^2`` to absorb the smoothness
      term, so the bound above is then guaranteed only for linear losses (``L = 0``).
    * ``"strongly_convex"`` (Theorem 3): ``eta_t = 2 / (lam t)``; for ``lam``-strongly convex,
      ``L``-smooth ``F_t``::

          E R_T <= (32 s^2 + 16 S^2) / lam * ln(1 + (2 sigma^2_{1:T} + Sigma^2_{1:T}) / (2 s^2 + S^2))
                   + (64 s^2 + 32 S^2) / lam + 16 L^2 D^2 / lam * ln(1 + 8 sqrt(2) L / lam)
                   + (16 L^2 D^2 + 4 G^2) / lam + lam D^2 / 4

      with ``s^2 = sigma^2_max``, ``S^2 = Sigma^2_max``.
    * ``"exp_concave"`` (Section 3.4 of the reference notes, after Theorem 5): ``psi_t =
      1/2 ||x||^2_{H_t}``, ``H_t = h_1 I + (beta / 2) sum_{s<t} g_s g_s^T``, ``beta = 1/2 min(1 / (4 G
      D), alpha)``; generalised projections as in :class:`~onlinelearn.learners.ONS`.  ``E R_T =
      O((d / alpha) ln(sigma^2_{1:T} + Sigma^2_{1:T}))``.  Theorem 5's statement and constants could
      not be recovered (the notes mark them garbled; the paper's text was not available), so no
      constant is restated.  The notes give ``h_1 = 1 + beta G^2 / 2``.  **Ours**: ``h_1 = max(1 +
      beta G^2 / 2, sqrt(delta) / D)`` with the convex-smooth regime's ``delta = 10 D^2 L^2``, i.e.
      the curvature floor ``1 / eta_t >= sqrt(10) L`` that Theorem 1 uses to absorb the smoothness
      term.  Why: ``beta <= 1 / (8 G D)`` makes the notes' ``H_1`` about ``I``, and the double step
      is then unstable on smooth losses until ``H_t`` has grown.  On ``f(x) = L x^2 / 2`` in 1-D
      with the last-gradient hint and a fixed ``h``, ``(x̂_t, x_t) -> (x̂_t - r x_t, x̂_t - 2 r
      x_t)``, ``r = L / h``, with eigenvalues ``lambda^2 - (1 - 2 r) lambda - r = 0``: stable iff
      ``r < 2/3``; ``h = 1, L = 1`` gives ``-1.618`` (regret about 30 after 200 rounds on a
      quadratic where the other regimes pay below 1), ``h = sqrt(10) L`` gives ``0.78, -0.41``.
      The floor keeps ``H_1 >= (1 + beta G^2 / 2) I``; in the usual OMD analysis a larger ``H_1``
      only enlarges the initial term ``||u - x̂_1||^2_{H_1} / 2`` (by at most ``(sqrt(10) L - 1)
      D^2 / 2``) and shrinks the log-determinant one.  Without ``L`` (and no ``delta``) the notes'
      ``h_1`` is used.

    ``D`` is the set's diameter, ``G`` the gradient bound (the ``gradient_bound`` parameter, else
    the spec's; the strongly convex regime does not use it).  The bounds hold for the pseudo-regret
    ``sum_t F_t(x_t) - min_X sum_t F_t`` (:class:`~onlinelearn.trackers.sea.SEARegret`).

    Args:
        regime: ``"convex_smooth"``, ``"strongly_convex"`` or ``"exp_concave"``.
        hint: see :mod:`onlinelearn.learners.optimistic_hints`.
        smoothness: ``L`` (convex_smooth and exp_concave), > 0; ``None``: the spec's ``smoothness``
            (``delta = 0`` when the spec has none either, see above).
        lam: strong convexity ``lambda`` (strongly_convex), > 0; ``None``: the spec's
            ``strong_convexity``.
        alpha: exp-concavity (exp_concave), > 0.
        delta: overrides ``10 D^2 L^2`` (convex_smooth and exp_concave).
        gradient_bound: ``G`` > 0 (convex_smooth and exp_concave); ``None``: the spec's.
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "regime": [Options(tuple(REGIMES))],
        "hint": HINT_CONSTRAINTS,
        "smoothness": [Interval(float, 0, None, closed="neither"), None],
        "lam": [Interval(float, 0, None, closed="neither"), None],
        "alpha": [Interval(float, 0, None, closed="neither"), None],
        "delta": [Interval(float, 0, None, closed="left"), None],
        "gradient_bound": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [
        {"smoothness": 1.0},
        {"hint": "mean_gradient"},
        {"regime": "strongly_convex", "lam": 1.0},
        {"regime": "exp_concave", "alpha": 0.1},
    ]
    act_kernel = staticmethod(optimistic_omd_act)

    @property
    def update_kernel(self):
        """:func:`optimistic_omd_ball_update` when the last reset gave a ball and the Euclidean
        steps with the last-gradient hint, else the general :func:`optimistic_omd_update` (both
        compute the same iterates there)."""
        spec = getattr(self, "spec_", None)
        fused = (
            spec is not None
            and spec.decision_set is not None
            and spec.decision_set.code == BALL
            and isinstance(self.hint, str)
            and self.hint == "last_gradient"
            and self.regime != "exp_concave"
        )
        return optimistic_omd_ball_update if fused else optimistic_omd_update

    def __init__(
        self,
        regime: str = "convex_smooth",
        hint="last_gradient",
        smoothness=None,
        lam=None,
        alpha=None,
        delta=None,
        gradient_bound=None,
    ):
        self.regime = regime
        self.hint = hint
        self.smoothness = smoothness
        self.lam = lam
        self.alpha = alpha
        self.delta = delta
        self.gradient_bound = gradient_bound

    def parameters(self, spec) -> dict:
        """``D``, ``G``, ``delta``, ``lam``, ``beta`` and ``h1`` (``H_1 = h1 I``, exp-concave regime;
        1 otherwise) for ``spec`` (``G = 0`` when unused)."""
        diameter = spec.decision_set.diameter
        if self.gradient_bound is not None:
            gradient_bound = float(self.gradient_bound)
        elif self.regime == "strongly_convex":  # eta_t = 2 / (lam t) does not use G
            gradient_bound = 0.0
        else:
            gradient_bound = required_gradient_bound(self, spec, "gradient_bound")
        delta = self.delta
        smoothness = self.smoothness if self.smoothness is not None else spec.smoothness
        if delta is None:
            delta = 0.0 if smoothness is None else 10.0 * diameter**2 * smoothness**2
        lam = beta = 0.0
        h1 = 1.0
        if self.regime == "strongly_convex":
            lam = self.lam if self.lam is not None else spec.strong_convexity
            lam = _positive(self, "lam", lam, "eta_t = 2 / (lam t); the spec has no strong_convexity")
        if self.regime == "exp_concave":
            alpha = _positive(self, "alpha", self.alpha, "beta = 1/2 min(1 / (4 G D), alpha)")
            beta = 0.5 * min(1.0 / (4.0 * gradient_bound * diameter), alpha)
            # the notes' H_1, floored at Theorem 1's curvature sqrt(delta) / D (ours, see above)
            h1 = max(1.0 + 0.5 * beta * gradient_bound**2, np.sqrt(delta) / diameter)
        return {
            "diameter": float(diameter),
            "gradient_bound": gradient_bound,
            "delta": float(delta),
            "lam": lam,
            "beta": beta,
            "h1": float(h1),
        }

    def init_state(self, spec, rng):
        p = self.parameters(spec)
        mode, hints = hint_arguments(self, spec)
        decision_set = spec.decision_set
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        size = d if self.regime == "exp_concave" else 1
        start = decision_set.center()
        state = OptimisticOMDState(
            start.copy(),
            start.copy(),
            hints[0].copy() if mode == EXTERNAL else np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            p["h1"] * np.eye(size),
            np.eye(size) / p["h1"],
            np.zeros((4, d)),
            hints,
            np.zeros(2),
            REGIMES[self.regime],
            mode,
            p["diameter"],
            p["gradient_bound"],
            p["delta"],
            p["lam"],
            p["beta"],
            code,
            radius,
            low,
            high,
        )
        if mode == EXTERNAL:  # x_1 = step_{psi_1}(x̂_1, M_1)
            if self.regime == "exp_concave":
                _h_step(state, state.x_hat, state.hint, state.x)
            else:
                _euclidean_step(state, state.x_hat, state.hint, optimistic_omd_rate(state, 1.0, 0.0), state.x)
        return state

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))
