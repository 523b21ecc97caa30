"""Online convex optimisation (OCO) loss families with exact comparators and gradient feedback.

Both families play points ``x_t`` of a ball ``{||x|| <= r}`` or of the probability simplex and
return GRADIENT feedback ``[f_t(x_t), grad f_t(x_t)]``.

* :class:`LinearLosses`: ``f_t(x) = <g_t, x>``.
* :class:`QuadraticLosses`: ``f_t(x) = 1/2 ||x - xi_t||^2`` (1-strongly convex).

Randomness.  Round ``t`` draws exactly ``d`` uniforms ``u_t`` in [0, 1) from the environment's
Generator inside ``step``, whatever point is played, so every learner of a repetition faces the
same loss functions (common random numbers).  The noise is ``noise * (2 u_t - 1)``, bounded
coordinate-wise by ``noise``.

Regimes.  ``"stochastic"``: the mean (``mean`` or ``center``) is fixed.  ``"adversarial"``: an
oblivious sign-switching adversary; the mean is ``s_t * mean`` (linear) or alternates between
``center`` and its reflection through the set's centre point (quadratic), with ``s_t`` flipping at
the start of phases of doubling length (rounds 1 | 2-3 | 4-7 | 8-15 | ...; the first sign is drawn
at reset).  Cumulative means then oscillate with growing amplitude, the classical instance that
defeats follow-the-leader.  The "expected" loss ``F_t`` is the loss with the noise averaged out
given the adversary's choice.

Oracle (section 3 of docs/design.md; all comparators exact, from sufficient statistics):

* step: slot 0 ``f_t(x_t)``, slot 1 ``F_t(x_t)``, slot 2 ``min_X F_t``, slot 5
  ``min_{x in X} sum_{s<=t} F_s(x)``;
* hindsight: slot 3 ``min_X f_t``, slot 4 ``min_{x in X} sum_{s<=t} f_s(x)``, slot 6 the
  Euclidean distance between the minimisers of ``F_t`` and ``F_{t-1}`` (0 at t = 0).

Linear: ``min_{x in X} <v, x>`` is ``-r ||v||`` on the ball and ``min_i v_i`` on the simplex,
so the cumulative comparators cost O(d) per round.  Quadratic: ``sum_s 1/2 ||x - c_s||^2 =
n/2 ||x - m||^2 + M2/2`` with the mean ``m`` and the scatter ``M2 = sum_s ||c_s - m||^2``
(Welford's stable update); the minimiser over ``X`` is ``Proj_X(m)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import BALL, SIMPLEX, ball, project, simplex
from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    COMPARATOR_SHIFT,
    EXPECTED_LOSS,
    LOSS,
)
from onlinelearn.core.params import ArrayLike, Interval, Options
from onlinelearn.core.sampling import argmin_first
from onlinelearn.core.spec import EnvSpec

_DOMAINS = ("ball", "simplex")
_REGIMES = ("stochastic", "adversarial")


@kernel
def phase_sign(t, first_sign):
    """``first_sign * (-1)^k`` with ``k = floor(log2(t + 1))``: phases of doubling length."""
    n = t + 1
    k = 0
    while n > 1:
        n >>= 1
        k += 1
    return first_sign if k % 2 == 0 else -first_sign


@kernel
def linear_minimum(code, radius, v):
    """``min_{x in X} <v, x>``: ``-r ||v||`` on the ball, ``min_i v_i`` on the simplex."""
    if code == BALL:
        return -radius * np.sqrt(np.sum(v * v))
    return v[argmin_first(v)]


@kernel
def linear_minimiser(code, radius, v, out):
    """A minimiser of ``<v, x>`` over X (``-r v / ||v||``, 0 if v = 0; first best vertex)."""
    if code == BALL:
        norm = np.sqrt(np.sum(v * v))
        for i in range(v.shape[0]):
            out[i] = 0.0 if norm == 0.0 else -radius * v[i] / norm
    else:
        out[:] = 0.0
        out[argmin_first(v)] = 1.0


@kernel
def _distance(a, b):
    total = 0.0
    for i in range(a.shape[0]):
        total += (a[i] - b[i]) ** 2
    return np.sqrt(total)


class LinearState(NamedTuple):
    mean: np.ndarray  # (d,) mean gradient
    gradient: np.ndarray  # (d,) this round's realised g_t
    expected: np.ndarray  # (d,) this round's E g_t
    sum_expected: np.ndarray  # (d,) sum_{s<=t} E g_s
    sum_realised: np.ndarray  # (d,) sum_{s<=t} g_s (hindsight)
    best: np.ndarray  # (d,) minimiser of this round's F_t (hindsight work buffer)
    previous_best: np.ndarray  # (d,) minimiser of last round's F_{t-1}
    code: int
    radius: float
    noise: float
    adversarial: bool
    first_sign: float


@kernel
def linear_step(state, rng, t, action, feedback, record):
    sign = phase_sign(t, state.first_sign) if state.adversarial else 1.0
    value = 0.0
    expected_value = 0.0
    for i in range(state.mean.shape[0]):
        u = rng.random()
        state.expected[i] = sign * state.mean[i]
        state.gradient[i] = state.expected[i] + state.noise * (2.0 * u - 1.0)
        state.sum_expected[i] += state.expected[i]
        value += state.gradient[i] * action[i]
        expected_value += state.expected[i] * action[i]
        feedback[1 + i] = state.gradient[i]
    feedback[0] = value
    record[LOSS] = value
    record[EXPECTED_LOSS] = expected_value
    record[BEST_EXPECTED_LOSS] = linear_minimum(state.code, state.radius, state.expected)
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = linear_minimum(state.code, state.radius, state.sum_expected)


@kernel
def linear_hindsight(state, t, action, record):
    for i in range(state.gradient.shape[0]):
        state.sum_realised[i] += state.gradient[i]
    record[BEST_LOSS] = linear_minimum(state.code, state.radius, state.gradient)
    record[BEST_FIXED_CUMULATIVE_LOSS] = linear_minimum(state.code, state.radius, state.sum_realised)
    linear_minimiser(state.code, state.radius, state.expected, state.best)
    record[COMPARATOR_SHIFT] = 0.0 if t == 0 else _distance(state.best, state.previous_best)
    state.previous_best[:] = state.best


def _check_length(owner: str, name: str, value, dimension: int) -> None:
    if value is not None and np.shape(value) != (dimension,):
        raise ValueError(
            f"The '{name}' parameter of {owner} must have length dimension="
            f"{dimension}. Got shape {np.shape(value)} instead."
        )


class _NoisyLosses(KernelEnvironment):
    """Parameters shared by the linear and quadratic families: the set, the regime, the noise."""

    _parameter_constraints = {
        "dimension": [Interval(int, 1, None)],
        "domain": [Options(_DOMAINS)],
        "radius": [Interval(float, 0, None, closed="neither")],
        "regime": [Options(_REGIMES)],
        "noise": [Interval(float, 0, None, closed="left")],
    }
    _test_params = [
        {"dimension": 3},
        {"dimension": 4, "domain": "simplex", "regime": "adversarial", "noise": 0.1},
    ]

    def __init__(self, dimension: int, domain: str, radius: float, regime: str, noise: float):
        self.dimension = dimension
        self.domain = domain
        self.radius = radius
        self.regime = regime
        self.noise = noise

    def decision_set(self):
        return ball(self.dimension, self.radius) if self.domain == "ball" else simplex(self.dimension)


class LinearLosses(_NoisyLosses):
    """Linear losses ``f_t(x) = <g_t, x>`` on a ball or the simplex (gradient feedback).

    ``g_t = s_t * mean + noise * (2 u_t - 1)`` with ``u_t`` uniform in [0, 1)^d drawn every round;
    ``s_t = 1`` (stochastic) or the doubling-phase sign of the module docstring (adversarial).
    Gradient bound (exact supremum of ``||g_t||``)::

        G = sqrt(sum_i (|mean_i| + noise)^2),   and  ||g_t||_inf <= max_i |mean_i| + noise.

    Args:
        dimension: d, the dimension of the points.
        domain: ``"ball"`` (radius ``radius``, centred at 0) or ``"simplex"``.
        radius: radius of the ball (ignored for the simplex).
        regime: ``"stochastic"`` or ``"adversarial"``.
        mean: the mean gradient (length d); default ``linspace(0.2, 0.8, d)``.
        noise: half-width of the uniform noise on every coordinate.
    """

    _parameter_constraints = {**_NoisyLosses._parameter_constraints, "mean": [ArrayLike(), None]}
    step_kernel = staticmethod(linear_step)
    hindsight_kernel = staticmethod(linear_hindsight)

    def __init__(
        self,
        dimension: int = 3,
        domain: str = "ball",
        radius: float = 1.0,
        regime: str = "stochastic",
        mean=None,
        noise: float = 0.5,
    ):
        super().__init__(dimension, domain, radius, regime, noise)
        self.mean = mean

    def validate(self) -> None:
        _check_length("LinearLosses", "mean", self.mean, self.dimension)

    @property
    def mean_vector(self) -> np.ndarray:
        if self.mean is None:
            return np.linspace(0.2, 0.8, self.dimension)
        return np.array(self.mean, dtype=float)

    @property
    def gradient_bound(self) -> float:
        """Exact ``sup ||g_t||_2``."""
        return float(np.sqrt(np.sum((np.abs(self.mean_vector) + self.noise) ** 2)))

    @property
    def gradient_bound_inf(self) -> float:
        """Exact ``sup ||g_t||_inf``."""
        return float(np.max(np.abs(self.mean_vector)) + self.noise)

    def make_spec(self) -> EnvSpec:
        decision_set = self.decision_set()
        size = self.radius if self.domain == "ball" else 1.0
        bound = self.gradient_bound * size
        return EnvSpec(
            FeedbackKind.GRADIENT,
            decision_set=decision_set,
            loss_range=(-bound, bound),
            gradient_bound=self.gradient_bound,
        )

    def init_state(self, spec, rng):
        d = self.dimension
        first_sign = 1.0 if rng.random() < 0.5 else -1.0
        code = BALL if self.domain == "ball" else SIMPLEX
        return LinearState(
            self.mean_vector,
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            code,
            float(self.radius),
            float(self.noise),
            self.regime == "adversarial",
            first_sign,
        )


class QuadraticState(NamedTuple):
    centers: np.ndarray  # (2, d): the center and its reflection (adversarial alternative)
    xi: np.ndarray  # (d,) this round's realised xi_t
    xi_mean: np.ndarray  # (d,) running mean of the xi_s (realised comparator, hindsight)
    work: np.ndarray  # (d,) buffer for projections
    center_mean: np.ndarray  # (d,) buffer for the mean of the centers played (simplex case)
    scatter: np.ndarray  # [M2 of the xi] (hindsight)
    center_counts: np.ndarray  # (2,) rounds played with each center so far
    center_values: np.ndarray  # (2,) 1/2 dist(c_k, X)^2: min_x F_t(x) minus the noise term
    center_gram: np.ndarray  # (2, 2) inner products <c_j, c_k>
    center_index: np.ndarray  # int64[2]: [this round's center, last round's center (-1: none)]
    projection_shift: float  # ||Proj_X(c_0) - Proj_X(c_1)||: the per-round minimiser's jump
    low: np.ndarray  # unused box bounds for the projection kernel
    high: np.ndarray
    code: int
    radius: float
    noise: float
    variance: float  # E ||noise (2u - 1)||^2 = d noise^2 / 3
    adversarial: bool
    first_sign: float


@kernel
def half_squared_distance_to_set(state, y, out):
    """``1/2 dist(y, X)^2``; the projection is written into ``out``."""
    project(state.code, state.radius, state.low, state.high, y, out)
    total = 0.0
    for i in range(y.shape[0]):
        total += (out[i] - y[i]) ** 2
    return 0.5 * total


@kernel
def welford_update(mean, scatter, k, n, point):
    """Add ``point`` as the ``n``-th sample: running mean and ``M2 = sum ||p - mean||^2``."""
    increase = 0.0
    for i in range(point.shape[0]):
        delta = point[i] - mean[i]
        mean[i] += delta / n
        increase += delta * (point[i] - mean[i])
    scatter[k] += increase


@kernel
def fixed_center_comparator(state):
    """``min_x sum_s 1/2 ||x - c_s||^2`` over X for the centers played so far.

    The centers take two values, so with counts ``n_0, n_1`` the sum is
    ``n/2 ||x - m||^2 + (n_0 n_1 / (2n)) ||c_0 - c_1||^2`` with ``m = (n_0 c_0 + n_1 c_1) / n``.
    O(1) while one center has been played (the stochastic regime) or on the ball (||m|| from the
    Gram matrix); otherwise one O(d) projection of ``m``.
    """
    n0 = state.center_counts[0]
    n1 = state.center_counts[1]
    n = n0 + n1
    if n1 == 0.0:
        return n * state.center_values[0]
    if n0 == 0.0:
        return n * state.center_values[1]
    gram = state.center_gram
    spread = 0.5 * n0 * n1 / n * (gram[0, 0] - 2.0 * gram[0, 1] + gram[1, 1])
    if state.code == BALL:
        squared_norm = (n0 * n0 * gram[0, 0] + 2.0 * n0 * n1 * gram[0, 1] + n1 * n1 * gram[1, 1]) / (n * n)
        distance = max(np.sqrt(max(squared_norm, 0.0)) - state.radius, 0.0)
        return 0.5 * n * distance * distance + spread
    mean = state.center_mean
    for i in range(mean.shape[0]):
        mean[i] = (n0 * state.centers[0, i] + n1 * state.centers[1, i]) / n
    return n * half_squared_distance_to_set(state, mean, state.work) + spread


@kernel
def quadratic_step(state, rng, t, action, feedback, record):
    k = 0
    if state.adversarial and phase_sign(t, state.first_sign) < 0.0:
        k = 1
    center = state.centers[k]
    value = 0.0
    expected_value = 0.0
    for i in range(center.shape[0]):
        u = rng.random()
        state.xi[i] = center[i] + state.noise * (2.0 * u - 1.0)
        gradient = action[i] - state.xi[i]
        feedback[1 + i] = gradient
        value += 0.5 * gradient * gradient
        expected_value += 0.5 * (action[i] - center[i]) ** 2
    n = t + 1.0
    state.center_counts[k] += 1.0
    state.center_index[0] = k
    feedback[0] = value
    record[LOSS] = value
    record[EXPECTED_LOSS] = expected_value + 0.5 * state.variance
    record[BEST_EXPECTED_LOSS] = state.center_values[k] + 0.5 * state.variance
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = fixed_center_comparator(state) + 0.5 * n * state.variance


@kernel
def quadratic_hindsight(state, t, action, record):
    n = t + 1.0
    record[BEST_LOSS] = half_squared_distance_to_set(state, state.xi, state.work)
    welford_update(state.xi_mean, state.scatter, 0, n, state.xi)
    record[BEST_FIXED_CUMULATIVE_LOSS] = (
        n * half_squared_distance_to_set(state, state.xi_mean, state.work) + 0.5 * state.scatter[0]
    )
    current, previous = state.center_index[0], state.center_index[1]
    record[COMPARATOR_SHIFT] = state.projection_shift if 0 <= previous != current else 0.0
    state.center_index[1] = current


class QuadraticLosses(_NoisyLosses):
    """Quadratic losses ``f_t(x) = 1/2 ||x - xi_t||^2`` on a ball or the simplex.

    ``xi_t = c_t + noise * (2 u_t - 1)``, ``u_t`` uniform in [0, 1)^d drawn every round;
    ``c_t = center`` (stochastic) or, adversarially, ``center`` and its reflection
    ``2 x_0 - center`` through the set's centre ``x_0`` alternating in doubling phases.  Gradient
    ``x - xi_t``; the losses are 1-strongly convex, hence ``1/G^2``-exp-concave on X
    (Hazan 2016, Section 4.2).  Expected loss ``F_t(x) = 1/2 ||x - c_t||^2 + d noise^2 / 6``.

    Gradient bound (exact supremum of ``||x - xi||`` over ``x in X`` and every possible ``xi``)::

        ball:     G = r + max_c sqrt(sum_i (|c_i| + noise)^2)
        simplex:  G = max_c max_j sqrt(sum_i (|delta_ij - c_i| + noise)^2)

    (the squared distance is convex in x, so on the simplex the supremum is at a vertex).

    Args:
        dimension: d.
        domain: ``"ball"`` or ``"simplex"``.
        radius: radius of the ball (ignored for the simplex).
        regime: ``"stochastic"`` or ``"adversarial"``.
        center: the mean of ``xi_t``; default ``radius * linspace(-0.5, 1.0, d)`` (ball) or
            ``linspace(-0.5, 1.0, d)`` (simplex).
        noise: half-width of the uniform noise on every coordinate.
    """

    _parameter_constraints = {**_NoisyLosses._parameter_constraints, "center": [ArrayLike(), None]}
    step_kernel = staticmethod(quadratic_step)
    hindsight_kernel = staticmethod(quadratic_hindsight)

    def __init__(
        self,
        dimension: int = 3,
        domain: str = "ball",
        radius: float = 1.0,
        regime: str = "stochastic",
        center=None,
        noise: float = 0.5,
    ):
        super().__init__(dimension, domain, radius, regime, noise)
        self.center = center

    def validate(self) -> None:
        _check_length("QuadraticLosses", "center", self.center, self.dimension)

    @property
    def centers(self) -> np.ndarray:
        """``(2, d)``: the center and its reflection through the set's centre point."""
        if self.center is None:
            scale = self.radius if self.domain == "ball" else 1.0
            center = scale * np.linspace(-0.5, 1.0, self.dimension)
        else:
            center = np.array(self.center, dtype=float)
        middle = self.decision_set().center()
        return np.stack([center, 2.0 * middle - center])

    @property
    def gradient_bound(self) -> float:
        """Exact ``sup ||x - xi||_2`` over the decision set and the support of ``xi``."""
        best = 0.0
        for center in self.centers if self.regime == "adversarial" else self.centers[:1]:
            if self.domain == "ball":
                value = self.radius + np.sqrt(np.sum((np.abs(center) + self.noise) ** 2))
            else:
                vertices = np.eye(self.dimension)
                value = np.sqrt(np.max(np.sum((np.abs(vertices - center) + self.noise) ** 2, axis=1)))
            best = max(best, float(value))
        return best

    def make_spec(self) -> EnvSpec:
        decision_set = self.decision_set()
        return EnvSpec(
            FeedbackKind.GRADIENT,
            decision_set=decision_set,
            loss_range=(0.0, 0.5 * self.gradient_bound**2),
            gradient_bound=self.gradient_bound,
        )

    def init_state(self, spec, rng):
        d = self.dimension
        first_sign = 1.0 if rng.random() < 0.5 else -1.0
        code = BALL if self.domain == "ball" else SIMPLEX
        centers = np.ascontiguousarray(self.centers)
        projections = np.array([spec.decision_set.project(c) for c in centers])
        values = 0.5 * np.sum((projections - centers) ** 2, axis=1)
        shift = float(np.sqrt(np.sum((projections[0] - projections[1]) ** 2)))
        return QuadraticState(
            centers,
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            np.zeros(1),
            np.zeros(2),
            values,
            centers @ centers.T,
            np.array([0, -1], dtype=np.int64),
            shift,
            np.zeros(d),
            np.zeros(d),
            code,
            float(self.radius),
            float(self.noise),
            d * self.noise**2 / 3.0,
            self.regime == "adversarial",
            first_sign,
        )
