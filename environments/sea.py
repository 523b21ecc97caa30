"""Stochastically extended adversarial (SEA) environments with exact statistics.

In the SEA model (Sachs, Hadiji, van Erven, Guzmán, NeurIPS 2022; Chen, Zhang, Tu, Zhao, Zhang,
JMLR 2024) nature picks a distribution ``D_t`` each round and the loss is ``f_t = f(., xi_t)``
with ``xi_t ~ D_t``.  With ``F_t = E f_t`` the theorems bound the pseudo-regret
``sum_t F_t(x_t) - min_X sum_t F_t`` by

    sigma^2_{1:T} = sum_t sup_x E ||grad f_t(x) - grad F_t(x)||^2        (stochastic variance)
    Sigma^2_{1:T} = sum_t sup_x ||grad F_t(x) - grad F_{t-1}(x)||^2      (adversarial variation,
                                                                       grad F_0 = 0)

Two families on the ball ``{||x|| <= r}`` (``D = 2r``), with ``xi_t = mu_t + (sigma / sqrt d)
eps_t`` and ``eps_t`` uniform on ``{-1, 1}^d`` (bounded support, ``||xi_t - mu_t|| = sigma``
exactly, covariance ``(sigma^2 / d) I``):

* :class:`SEAQuadraticLosses`: ``f(x, xi) = 1/2 ||x - xi||^2``; ``grad F_t(x) = x - mu_t``;
  ``L = lambda = 1``; ``sigma_t^2 = sigma^2``; variation ``||mu_t - mu_{t-1}||^2`` (round 1:
  ``(r + ||mu_1||)^2``); ``G = r + max_t ||mu_t|| + sigma``.
* :class:`SEALinearLosses`: ``f(x, xi) = <xi, x>``; ``grad F_t = mu_t``; ``L = lambda = 0``;
  same ``sigma_t^2``; variation ``||mu_t - mu_{t-1}||^2`` (round 1: ``||mu_1||^2``);
  ``G = max_t ||mu_t|| + sigma``.

Regimes (``m`` = ``mean``, ``P`` = ``period``; rounds ``t = 0, 1, ...``):

* ``"iid"``: ``mu_t = m``.
* ``"adversarial"``: ``mu_t = +m`` or ``-m`` in alternating blocks of ``P`` rounds (set
  ``sigma = 0`` for a purely adversarial sequence).
* ``"corrupted"``: i.i.d. around ``m`` except every ``P``-th round, where ``mu_t = -m``; at most
  ``budget`` corrupted rounds (``None``: no limit).
* ``"switches"``: ``n_distributions`` means ``m`` rotated by ``2 pi j / n_distributions`` in the
  plane of the first two coordinates, changing every ``P`` rounds (cyclically).
* ``"drift"``: ``m`` rotated by the angle ``drift * t`` in that plane (slow drift:
  ``||mu_t - mu_{t-1}|| = 2 ||m_{12}|| sin(drift / 2)``).
* ``"random_order"``: ``n_points`` points ``z_i`` (coordinates uniform in ``[-spread, spread] /
  sqrt d``, drawn at reset) presented without replacement, pass after pass.  Given the past,
  ``D_t`` is uniform on the points left in the pass: ``mu_t`` is their mean and ``sigma_t^2``
  their variance (Sachs et al., Section 4.3).  ``sigma`` is not used.

Every round draws ``1 + d`` uniforms (order index, noise signs) whatever the regime and the
action, so all learners of a repetition face the same losses.

The spec carries ``G``, ``L`` and ``lambda`` (``gradient_bound``, ``smoothness``,
``strong_convexity``; ``None`` for the linear family's ``lambda = 0``), which the optimistic
learners use when not given their own.

Oracle record (docs/design.md section 3) plus two slots read by
:class:`onlinelearn.trackers.sea.SEARegret`: ``STOCHASTIC_VARIANCE`` (``sigma_t^2``) and
``ADVERSARIAL_VARIATION`` (this round's variation term).  The comparator ``min_X sum_s F_s``
comes from the running mean ``mbar`` and scatter ``M2`` of the ``mu_s``: quadratic
``n/2 dist(mbar, X)^2 + M2/2 + sum_s sigma_s^2 / 2``, linear ``-r ||sum_s mu_s||``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from onlinelearn.environments.oco import welford_update

from onlinelearn.core.decision_sets import ball
from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.numba_options import inlined_kernel, kernel
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    COMPARATOR_SHIFT,
    EXPECTED_LOSS,
    LOSS,
    RECORD_HEADER,
)
from onlinelearn.core.params import ArrayLike, Interval, Options
from onlinelearn.core.spec import EnvSpec

#: Extra oracle slots written by the SEA environments' step kernel.
STOCHASTIC_VARIANCE = RECORD_HEADER
ADVERSARIAL_VARIATION = RECORD_HEADER + 1

QUADRATIC = 0
LINEAR = 1
IID, ADVERSARIAL, CORRUPTED, SWITCHES, DRIFT, RANDOM_ORDER = range(6)
REGIMES = {
    "iid": IID,
    "adversarial": ADVERSARIAL,
    "corrupted": CORRUPTED,
    "switches": SWITCHES,
    "drift": DRIFT,
    "random_order": RANDOM_ORDER,
}


@dataclass(frozen=True)
class SEASpec(EnvSpec):
    """An :class:`~onlinelearn.core.spec.EnvSpec` whose oracle record carries the SEA slots."""

    @property
    def record_size(self) -> int:
        return RECORD_HEADER + 2


class SEAState(NamedTuple):
    points: np.ndarray  # (k, d): the means of the regime, or the random-order points
    mean: np.ndarray  # (d,) mu_t
    previous_mean: np.ndarray  # (d,) mu_{t-1}
    xi: np.ndarray  # (d,) realised xi_t
    mean_average: np.ndarray  # (d,) running mean of the mu_s
    xi_average: np.ndarray  # (d,) running mean of the xi_s (hindsight)
    best: np.ndarray  # (d,) per-round minimiser of F_t (hindsight)
    previous_best: np.ndarray  # (d,)
    pass_sum: np.ndarray  # (d,) sum of the points left in the pass (random order)
    order: np.ndarray  # int64 (k,) indices; the first `left` are still to come in the pass
    #: [M2 of mu, M2 of xi, sum sigma_s^2, squared norms left in the pass, min_X F_t and
    #: min_X <mean of mu_s, x> or 1/2 dist(mean of mu_s, X)^2 without the noise terms]
    sums: np.ndarray
    family: int
    regime: int
    radius: float
    sigma: float
    period: int
    budget: int  # -1: unlimited
    drift: float


# Per-round kernels avoid temporaries, slices and copies (each costs an allocation or a view), and
# their last use of `state` is unconditional: Numba then releases the state at one place and
# LLVM's reference-count pruning removes the incref/decref pair of every array in it (about
# 15 ns per array per round when it cannot; docs/design.md section 6.1).  For that the helpers that
# `sea_step` calls must be inlined too: LLVM declines on its own, hence `inlined_kernel`.


@inlined_kernel
def _squared_norm(v):
    total = 0.0
    for i in range(v.shape[0]):
        total += v[i] * v[i]
    return total


@inlined_kernel
def _norm(v):
    return np.sqrt(_squared_norm(v))


@inlined_kernel
def _row_squared_norm(points, j):
    total = 0.0
    for i in range(points.shape[1]):
        total += points[j, i] * points[j, i]
    return total


@inlined_kernel
def _copy(source, out):
    for i in range(out.shape[0]):
        out[i] = source[i]


@inlined_kernel
def _half_squared_excess(norm, radius):
    """``1/2 dist(y, ball)^2`` from ``norm = ||y||``."""
    excess = max(norm - radius, 0.0)
    return 0.5 * excess * excess


@inlined_kernel
def _half_squared_distance_to_ball(y, radius):
    return _half_squared_excess(_norm(y), radius)


@kernel
def _ball_point(y, radius, out, linear):
    """Minimiser over the ball: of ``1/2 ||x - y||^2`` (projection) or of ``<y, x>``."""
    norm = _norm(y)
    for i in range(y.shape[0]):
        if linear:
            out[i] = 0.0 if norm == 0.0 else -radius * y[i] / norm
        else:
            out[i] = y[i] if norm <= radius else radius * y[i] / norm


@inlined_kernel
def _rotate(points, row, angle, out):
    """``points[row]`` rotated by ``angle`` in the plane of its first two coordinates."""
    for i in range(out.shape[0]):
        out[i] = points[row, i]
    if out.shape[0] >= 2:
        c, s = np.cos(angle), np.sin(angle)
        out[0] = c * points[row, 0] - s * points[row, 1]
        out[1] = s * points[row, 0] + c * points[row, 1]


@inlined_kernel
def _random_order_mean(state, t, u):
    """Draw the next point of the pass into ``state.xi``; ``mu_t``, ``sigma_t^2`` of the points left."""
    n, d = state.points.shape
    left = n - t % n
    if left == n:  # a new pass
        for i in range(d):
            state.pass_sum[i] = 0.0
        state.sums[3] = 0.0
        for j in range(n):
            for i in range(d):
                state.pass_sum[i] += state.points[j, i]
            state.sums[3] += _row_squared_norm(state.points, j)
    for i in range(d):
        state.mean[i] = state.pass_sum[i] / left
    variance = max(state.sums[3] / left - _squared_norm(state.mean), 0.0)
    k = min(int(u * left), left - 1)
    chosen = state.order[k]
    state.order[k] = state.order[left - 1]
    state.order[left - 1] = chosen
    for i in range(d):
        state.xi[i] = state.points[chosen, i]
        state.pass_sum[i] -= state.points[chosen, i]
    state.sums[3] -= _row_squared_norm(state.points, chosen)
    return variance


@inlined_kernel
def sea_mean(state, t, u):
    """Write ``mu_t`` into ``state.mean``; return ``sigma_t^2``.  Random order: draw the point."""
    regime = state.regime
    d = state.mean.shape[0]
    variance = 0.0
    if regime == IID:
        if t == 0:
            for i in range(d):
                state.mean[i] = state.points[0, i]
    elif regime == ADVERSARIAL:
        sign = 1.0 if (t // state.period) % 2 == 0 else -1.0
        for i in range(d):
            state.mean[i] = sign * state.points[0, i]
    elif regime == CORRUPTED:
        count = (t + 1) // state.period
        corrupted = (t + 1) % state.period == 0 and (state.budget < 0 or count <= state.budget)
        for i in range(d):
            state.mean[i] = -state.points[0, i] if corrupted else state.points[0, i]
    elif regime == SWITCHES:
        row = (t // state.period) % state.points.shape[0]
        for i in range(d):
            state.mean[i] = state.points[row, i]
    elif regime == DRIFT:
        _rotate(state.points, 0, state.drift * t, state.mean)
    else:
        variance = _random_order_mean(state, t, u)
    # sigma is 0 in the random-order regime, whose sigma_t^2 comes from the points left.
    return variance + state.sigma * state.sigma


@inlined_kernel
def _new_mean(state, t, n, linear):
    """After ``mu_t`` changed: the comparator terms ``sums[0, 4, 5]``; returns the variation term."""
    welford_update(state.mean_average, state.sums, 0, n, state.mean)
    if linear:
        state.sums[4] = -state.radius * _norm(state.mean)
        state.sums[5] = -state.radius * _norm(state.mean_average)
    else:
        state.sums[4] = _half_squared_distance_to_ball(state.mean, state.radius)
        state.sums[5] = _half_squared_distance_to_ball(state.mean_average, state.radius)
    if t == 0:
        first = _norm(state.mean) if linear else state.radius + _norm(state.mean)
        variation = first * first
    else:
        variation = 0.0
        for i in range(state.mean.shape[0]):
            variation += (state.mean[i] - state.previous_mean[i]) ** 2
    _copy(state.mean, state.previous_mean)
    return variation


@inlined_kernel
def _noise_and_losses(state, rng, action, feedback):
    """Draw ``xi_t``, write the gradient (quadratic) or ``xi_t`` (linear) into ``feedback[1:]``;
    return ``(f_t(x_t), F_t(x_t))`` without the noise term ``sigma_t^2 / 2``."""
    d = state.mean.shape[0]
    # The d noise uniforms first, in a loop of their own (parked in the feedback buffer): calling
    # the generator between the arithmetic below would spill every register at each call.
    for i in range(d):
        feedback[1 + i] = rng.random()
    scale = state.sigma / np.sqrt(d)
    value = 0.0
    expected = 0.0
    # One branch-free loop per family (the draws are the same: d signs whatever the regime).
    noisy = state.regime != RANDOM_ORDER
    xi, mean = state.xi, state.mean
    if state.family == LINEAR:
        for i in range(d):
            if noisy:
                xi[i] = mean[i] + scale * (1.0 if feedback[1 + i] < 0.5 else -1.0)
            feedback[1 + i] = xi[i]
            value += xi[i] * action[i]
            expected += mean[i] * action[i]
    else:
        for i in range(d):
            if noisy:
                xi[i] = mean[i] + scale * (1.0 if feedback[1 + i] < 0.5 else -1.0)
            gradient = action[i] - xi[i]
            feedback[1 + i] = gradient
            value += gradient * gradient
            shift = action[i] - mean[i]
            expected += shift * shift
        value *= 0.5
        expected *= 0.5
    return value, expected


@kernel
def sea_step(state, rng, t, action, feedback, record):
    variance = sea_mean(state, t, rng.random())
    value, expected = _noise_and_losses(state, rng, action, feedback)
    linear = state.family == LINEAR
    n = t + 1.0
    state.sums[2] += variance
    # i.i.d. after round 1: mu_t, its running mean and their comparator terms do not change.
    variation = 0.0
    if state.regime != IID or t == 0:
        variation = _new_mean(state, t, n, linear)
    comparator, best, scatter, noise = state.sums[5], state.sums[4], state.sums[0], state.sums[2]
    if linear:
        expected_loss, best_loss, cumulative = expected, best, n * comparator
    else:
        expected_loss = expected + 0.5 * variance
        best_loss = best + 0.5 * variance
        cumulative = n * comparator + 0.5 * scatter + 0.5 * noise
    feedback[0] = value
    record[LOSS] = value
    record[EXPECTED_LOSS] = expected_loss
    record[BEST_EXPECTED_LOSS] = best_loss
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = cumulative
    record[STOCHASTIC_VARIANCE] = variance
    record[ADVERSARIAL_VARIATION] = variation


@kernel
def sea_hindsight(state, t, action, record):
    n = t + 1.0
    linear = state.family == LINEAR
    welford_update(state.xi_average, state.sums, 1, n, state.xi)
    _ball_point(state.mean, state.radius, state.best, linear)
    shift = 0.0
    if t > 0:
        for i in range(state.best.shape[0]):
            shift += (state.best[i] - state.previous_best[i]) ** 2
    record[COMPARATOR_SHIFT] = np.sqrt(shift)
    _copy(state.best, state.previous_best)
    radius, scatter = state.radius, state.sums[1]
    xi_norm, average_norm = _norm(state.xi), _norm(state.xi_average)
    if linear:
        record[BEST_LOSS] = -radius * xi_norm
        record[BEST_FIXED_CUMULATIVE_LOSS] = -radius * n * average_norm
    else:
        record[BEST_LOSS] = _half_squared_excess(xi_norm, radius)
        record[BEST_FIXED_CUMULATIVE_LOSS] = n * _half_squared_excess(average_norm, radius) + 0.5 * scatter


class _SEALosses(KernelEnvironment):
    """Shared parameters and spec of the two SEA families (see the module docstring)."""

    family = QUADRATIC
    _parameter_constraints = {
        "dimension": [Interval(int, 1, None)],
        "radius": [Interval(float, 0, None, closed="neither")],
        "regime": [Options(tuple(REGIMES))],
        "sigma": [Interval(float, 0, None, closed="left")],
        "mean": [ArrayLike(), None],
        "period": [Interval(int, 1, None)],
        "budget": [Interval(int, 0, None), None],
        "n_distributions": [Interval(int, 1, None)],
        "drift": [Interval(float, 0, None, closed="left")],
        "n_points": [Interval(int, 1, None)],
        "spread": [Interval(float, 0, None, closed="left")],
    }
    _test_params = [
        {"dimension": 3},
        {"dimension": 2, "regime": "adversarial", "sigma": 0.0, "period": 3},
        {"dimension": 3, "regime": "corrupted", "period": 4, "budget": 5},
        {"dimension": 3, "regime": "switches", "period": 7},
        {"dimension": 2, "regime": "drift", "drift": 0.05},
        {"dimension": 3, "regime": "random_order", "n_points": 5},
    ]
    step_kernel = staticmethod(sea_step)
    hindsight_kernel = staticmethod(sea_hindsight)

    def __init__(
        self,
        dimension: int = 3,
        radius: float = 1.0,
        regime: str = "iid",
        sigma: float = 0.5,
        mean=None,
        period: int = 1,
        budget: int | None = None,
        n_distributions: int = 3,
        drift: float = 0.01,
        n_points: int = 10,
        spread: float = 1.0,
    ):
        self.dimension = dimension
        self.radius = radius
        self.regime = regime
        self.sigma = sigma
        self.mean = mean
        self.period = period
        self.budget = budget
        self.n_distributions = n_distributions
        self.drift = drift
        self.n_points = n_points
        self.spread = spread

    def validate(self) -> None:
        if self.mean is not None and np.shape(self.mean) != (self.dimension,):
            raise ValueError(
                f"The 'mean' parameter of {type(self).__name__} must have length dimension="
                f"{self.dimension}. Got shape {np.shape(self.mean)} instead."
            )

    @property
    def mean_vector(self) -> np.ndarray:
        """``m``; default ``radius / 2`` times a fixed unit vector."""
        if self.mean is not None:
            return np.array(self.mean, dtype=float)
        direction = np.linspace(1.0, 2.0, self.dimension)
        return 0.5 * self.radius * direction / np.linalg.norm(direction)

    def regime_means(self) -> np.ndarray:
        """The means the regime cycles through (``(k, d)``; unused rows for random order)."""
        m = self.mean_vector
        if self.regime != "switches":
            return m[None, :].copy()
        means = np.empty((self.n_distributions, self.dimension))
        for j in range(self.n_distributions):
            angle = 2.0 * np.pi * j / self.n_distributions
            _rotate(m[None, :], 0, angle, means[j])
        return means

    # -- constants of the theorems --------------------------------------------------------
    @property
    def max_mean_norm(self) -> float:
        if self.regime == "random_order":
            return float(self.spread)
        return float(np.linalg.norm(self.mean_vector))

    @property
    def noise_norm(self) -> float:
        return 0.0 if self.regime == "random_order" else float(self.sigma)

    @property
    def diameter(self) -> float:
        return 2.0 * float(self.radius)

    def make_spec(self) -> EnvSpec:
        bound = self.gradient_bound
        if self.family == LINEAR:
            loss_range = (-self.radius * bound, self.radius * bound)
        else:
            loss_range = (0.0, 0.5 * bound * bound)
        return SEASpec(
            FeedbackKind.GRADIENT,
            decision_set=ball(self.dimension, self.radius),
            loss_range=loss_range,
            gradient_bound=bound,
            smoothness=float(self.smoothness),
            # the linear family's lambda = 0 means "not strongly convex": the spec says None.
            strong_convexity=float(self.strong_convexity) if self.strong_convexity > 0 else None,
        )

    def init_state(self, spec, rng):
        d = self.dimension
        if self.regime == "random_order":
            points = self.spread * (2.0 * rng.random((self.n_points, d)) - 1.0) / np.sqrt(d)
        else:
            points = self.regime_means()
        return SEAState(
            np.ascontiguousarray(points),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.arange(points.shape[0], dtype=np.int64),
            np.zeros(6),
            self.family,
            REGIMES[self.regime],
            float(self.radius),
            0.0 if self.regime == "random_order" else float(self.sigma),
            int(self.period),
            -1 if self.budget is None else int(self.budget),
            float(self.drift),
        )


class SEAQuadraticLosses(_SEALosses):
    """SEA quadratic location family ``f(x, xi) = 1/2 ||x - xi||^2`` on a ball (module docstring).

    ``L = lambda = 1`` (smooth and strongly convex ``F_t``), ``alpha = 1 / G^2`` exp-concave,
    ``G = r + max_t ||mu_t|| + sigma`` (random order: ``r + spread``).

    Args:
        dimension: d.
        radius: r, the radius of the ball (``D = 2 r``).
        regime: ``"iid"``, ``"adversarial"``, ``"corrupted"``, ``"switches"``, ``"drift"`` or
            ``"random_order"``.
        sigma: the noise norm ``||xi_t - mu_t||`` (``sigma_t^2 = sigma^2``).
        mean: ``m`` (length d); default ``r / 2`` times ``linspace(1, 2, d)`` normalised.
        period: block length of the adversarial, corrupted and switching regimes.
        budget: maximum number of corrupted rounds (``None``: unlimited).
        n_distributions: number of means of the switching regime.
        drift: angle per round of the drifting regime.
        n_points: size of the random-order pool.
        spread: coordinates of the random-order points are uniform in ``[-spread, spread] / sqrt d``.
    """

    family = QUADRATIC
    smoothness = 1.0
    strong_convexity = 1.0

    @property
    def gradient_bound(self) -> float:
        return float(self.radius) + self.max_mean_norm + self.noise_norm


class SEALinearLosses(_SEALosses):
    """SEA linear family ``f(x, xi) = <xi, x>`` on a ball (module docstring); ``L = lambda = 0``,
    ``G = max_t ||mu_t|| + sigma`` (random order: ``spread``).  Arguments as
    :class:`SEAQuadraticLosses`."""

    family = LINEAR
    smoothness = 0.0
    strong_convexity = 0.0

    @property
    def gradient_bound(self) -> float:
        return max(self.max_mean_norm + self.noise_norm, 1e-12)
