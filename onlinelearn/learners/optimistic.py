"""Optimistic OMD (Chen et al. 2024), optimistic FTRL and OFTL (Sachs et al. 2022) for the SEA model.

All three receive GRADIENT feedback ``g_t = grad f_t(x_t)`` and a hint ``M_{t+1}`` of the next
gradient, chosen by ``hint``:

* ``"last_gradient"`` (default): ``M_{t+1} = g_t`` (``M_1 = 0``), the optimism of both papers;
* ``"mean_gradient"``: ``M_{t+1} = (1/t) sum_{s<=t} g_s`` (suited to i.i.d. data);
* ``"none"``: ``M_t = 0`` (plain OMD / FTRL with the same adaptive step sizes);
* an array of shape ``(T, d)``: an external hint sequence, row ``t`` (0-based) is the hint of
  round ``t + 1`` (``M_1 = hints[0]``).

Bounds are stated for the realised hint error ``||g_t - M_t||``; with the last-gradient hint
they become the ``sigma^2_{1:T}`` / ``Sigma^2_{1:T}`` bounds of the papers.  Exact statistics of
those quantities come from :mod:`onlinelearn.environments.sea`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import BALL, project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import ArrayLike, Interval, Options
from onlinelearn.learners.ogd import required_gradient_bound
from onlinelearn.learners.omd import StringOptions, check_gradient
from onlinelearn.learners.ons import project_a_norm_iterative, project_ball_a_norm

LAST_GRADIENT = 0
MEAN_GRADIENT = 1
NO_HINT = 2
EXTERNAL = 3
HINTS = {"last_gradient": LAST_GRADIENT, "mean_gradient": MEAN_GRADIENT, "none": NO_HINT}

CONVEX_SMOOTH = 0
STRONGLY_CONVEX = 1
EXP_CONCAVE = 2
REGIMES = {"convex_smooth": CONVEX_SMOOTH, "strongly_convex": STRONGLY_CONVEX, "exp_concave": EXP_CONCAVE}

_HINT_CONSTRAINTS = [StringOptions(tuple(HINTS)), ArrayLike(ndim=2)]


@kernel
def next_hint(mode, hint, gradient_sum, hints, feedback, t, accumulated):
    """Write ``M_{t+1}`` into ``hint`` after the ``t``-th gradient ``feedback[1:]`` (t >= 1).

    ``gradient_sum`` is ``sum_{s<=t} g_s``: already so when ``accumulated`` (FTRL keeps it anyway),
    otherwise updated here, and only when the mean hint needs it.
    """
    d = hint.shape[0]
    if mode == LAST_GRADIENT:
        for i in range(d):
            hint[i] = feedback[1 + i]
    elif mode == MEAN_GRADIENT:
        for i in range(d):
            if not accumulated:
                gradient_sum[i] += feedback[1 + i]
            hint[i] = gradient_sum[i] / t
    elif mode == EXTERNAL and t < hints.shape[0]:
        row = int(t)
        for i in range(d):
            hint[i] = hints[row, i]
    else:
        hint[:] = 0.0


@kernel
def hint_error(hint, feedback):
    """``||g_t - M_t||^2``."""
    total = 0.0
    for i in range(hint.shape[0]):
        total += (feedback[1 + i] - hint[i]) ** 2
    return total


def hint_arguments(learner, spec):
    """``(mode, hints array)`` of the learner's ``hint`` parameter, checked against ``spec``."""
    hint = learner.hint
    d = spec.decision_set.dimension
    if isinstance(hint, str):
        return HINTS[hint], np.zeros((1, d))
    hints = np.ascontiguousarray(hint, dtype=float)
    if hints.shape[1] != d:
        raise ValueError(
            f"The 'hint' parameter of {type(learner).__name__} must have d={d} columns (one hint "
            f"vector per round). Got shape {hints.shape} instead."
        )
    if spec.horizon is not None and hints.shape[0] < spec.horizon:
        raise ValueError(
            f"The 'hint' parameter of {type(learner).__name__} must have at least T={spec.horizon} "
            f"rows (one hint per round). Got shape {hints.shape} instead."
        )
    return EXTERNAL, hints


def _positive(learner, name: str, value, why: str) -> float:
    if value is None:
        raise ValueError(f"{type(learner).__name__} needs the parameter '{name}' ({why}). Got None.")
    return float(value)


# -- optimistic OMD ---------------------------------------------------------------------------
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
    # overwrites it, and the Python face (``OptimisticOMD.act``) returns a copy.
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


class OptimisticOMD(KernelLearner):
    """Optimistic online mirror descent for the SEA model (Chen, Zhang, Tu, Zhao, Zhang, "Optimistic
    Online Mirror Descent for Bridging Stochastic and Adversarial Online Convex Optimization",
    JMLR 25(178), 2024, Algorithm 1; ICML 2023).

    Two sequences from ``x_1 = x̂_1`` (the set's centre, moved by the first hint)::

        x̂_{t+1} = argmin_X <g_t, x> + B_{psi_t}(x, x̂_t)
        x_{t+1} = argmin_X <M_{t+1}, x> + B_{psi_{t+1}}(x, x̂_{t+1})

    (``psi_{t+1}`` already includes ``g_t``).  Regimes:

    * ``"convex_smooth"`` (Theorem 1): ``psi_t = ||x||^2 / (2 eta_t)``,
      ``eta_t = D / sqrt(delta + 4 G^2 + V_{t-1})``, ``V_{t-1} = sum_{s<t} ||g_s - M_s||^2``,
      ``delta = 10 D^2 L^2`` (``L = smoothness``; ``None``: ``delta = 0``, still well defined).
      For ``L``-smooth convex ``F_t`` and the last-gradient hint::

          E R_T <= 5 sqrt(10) D^2 L + (5 sqrt(5) / 2) D G + 5 sqrt(2) D sqrt(sigma^2_{1:T})
                   + 5 D sqrt(Sigma^2_{1:T})

    * ``"strongly_convex"`` (Theorem 3): ``eta_t = 2 / (lam t)``; for ``lam``-strongly convex,
      ``L``-smooth ``F_t``::

          E R_T <= (32 s^2 + 16 S^2) / lam * ln(1 + (2 sigma^2_{1:T} + Sigma^2_{1:T}) / (2 s^2 + S^2))
                   + (64 s^2 + 32 S^2) / lam + 16 L^2 D^2 / lam * ln(1 + 8 sqrt(2) L / lam)
                   + (16 L^2 D^2 + 4 G^2) / lam + lam D^2 / 4

      with ``s^2 = sigma^2_max``, ``S^2 = Sigma^2_max``.
    * ``"exp_concave"`` (Theorem 5): ``psi_t = 1/2 ||x||^2_{H_t}``, ``H_t = (1 + beta G^2 / 2) I +
      (beta / 2) sum_{s<t} g_s g_s^T``, ``beta = 1/2 min(1 / (4 G D), alpha)``; generalised
      projections as in :class:`~onlinelearn.learners.ONS`.  ``E R_T = O((d / alpha) ln(sigma^2_{1:T}
      + Sigma^2_{1:T}))`` (constants not restated: the paper's are not re-verified here).

    ``D`` is the set's diameter, ``G`` the spec's gradient bound.  The bounds hold for the pseudo-
    regret ``sum_t F_t(x_t) - min_X sum_t F_t`` (:class:`~onlinelearn.trackers.sea.SEARegret`).

    Args:
        regime: ``"convex_smooth"``, ``"strongly_convex"`` or ``"exp_concave"``.
        hint: see the module docstring.
        smoothness: ``L`` (convex_smooth), > 0.
        lam: strong convexity ``lambda`` (strongly_convex), > 0.
        alpha: exp-concavity (exp_concave), > 0.
        delta: overrides ``10 D^2 L^2``.
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "regime": [Options(tuple(REGIMES))],
        "hint": _HINT_CONSTRAINTS,
        "smoothness": [Interval(float, 0, None, closed="neither"), None],
        "lam": [Interval(float, 0, None, closed="neither"), None],
        "alpha": [Interval(float, 0, None, closed="neither"), None],
        "delta": [Interval(float, 0, None, closed="left"), None],
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
    ):
        self.regime = regime
        self.hint = hint
        self.smoothness = smoothness
        self.lam = lam
        self.alpha = alpha
        self.delta = delta

    def parameters(self, spec) -> dict:
        """``D``, ``G``, ``delta``, ``lam`` and ``beta`` for ``spec``."""
        diameter = spec.decision_set.diameter
        gradient_bound = required_gradient_bound(self, spec)
        delta = self.delta
        if delta is None:
            delta = 0.0 if self.smoothness is None else 10.0 * diameter**2 * self.smoothness**2
        lam = beta = 0.0
        if self.regime == "strongly_convex":
            lam = _positive(self, "lam", self.lam, "eta_t = 2 / (lam t)")
        if self.regime == "exp_concave":
            alpha = _positive(self, "alpha", self.alpha, "beta = 1/2 min(1 / (4 G D), alpha)")
            beta = 0.5 * min(1.0 / (4.0 * gradient_bound * diameter), alpha)
        return {
            "diameter": float(diameter),
            "gradient_bound": gradient_bound,
            "delta": float(delta),
            "lam": lam,
            "beta": beta,
        }

    def init_state(self, spec, rng):
        p = self.parameters(spec)
        mode, hints = hint_arguments(self, spec)
        decision_set = spec.decision_set
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        size = d if self.regime == "exp_concave" else 1
        h_scale = 1.0 + 0.5 * p["beta"] * p["gradient_bound"] ** 2
        start = decision_set.center()
        state = OptimisticOMDState(
            start.copy(),
            start.copy(),
            hints[0].copy() if mode == EXTERNAL else np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            h_scale * np.eye(size),
            np.eye(size) / h_scale,
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

    def act(self):
        """This round's point, as a copy (the kernel returns the state's own array)."""
        return super().act().copy()

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))


# -- optimistic FTRL --------------------------------------------------------------------------
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
    return state.x  # see optimistic_omd_act


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


class OptimisticFTRL(KernelLearner):
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

    Default ``nu = L D^2 + D G`` (``L = smoothness``, 0 when None).

    Args:
        hint: see the module docstring.
        smoothness: ``L`` > 0 (used by the default ``nu``).
        nu: the regularisation constant (``None``: ``L D^2 + D G``).
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "hint": _HINT_CONSTRAINTS,
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
        smoothness = 0.0 if self.smoothness is None else float(self.smoothness)
        return smoothness * diameter**2 + diameter * required_gradient_bound(self, spec)

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

    def act(self):
        """This round's point, as a copy (the kernel returns the state's own array)."""
        return super().act().copy()

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))


# -- OFTL -------------------------------------------------------------------------------------
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
    return state.x  # see optimistic_omd_act


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


class OFTL(KernelLearner):
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
        hint: see the module docstring.
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "mu": [Interval(float, 0, None, closed="neither")],
        "hint": _HINT_CONSTRAINTS,
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

    def act(self):
        """This round's point, as a copy (the kernel returns the state's own array)."""
        return super().act().copy()

    def update(self, feedback) -> None:
        super().update(check_gradient(self, feedback))
