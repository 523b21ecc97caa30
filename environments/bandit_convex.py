"""Bandit convex optimisation: quadratic losses on a ball whose centre switches, value feedback only.

Protocol (BANDIT_CONVEX, ``docs/design.md`` section 2).  Each round the learner submits up to
``n_queries`` points of the ball ``X = {||x|| <= r}``; the environment answers
``[n, f_t(y_1), ..., f_t(y_k)]``, the values of the *same* loss function ``f_t`` at every queried
point (``n`` answered, unused entries 0).  Only the first point is played and charged: it is the
one the oracle record scores.

Action format (our choice, also accepted by ``onlinelearn.testing``): a ``float64`` array of shape
``(k, d)``, row 0 the played point and rows ``1..k-1`` observed only.  A single point of shape
``(d,)`` is one query.  The Python ``step`` refuses more than ``n_queries`` rows, non-finite
entries and points outside the ball; inside the compiled loop queries beyond the budget are
ignored.

Losses: ``f_t(x) = 1/2 ||x - xi_t||^2`` with ``xi_t = c_t + noise (2 u_t - 1)``, ``u_t`` uniform in
[0, 1)^d drawn every round whatever is queried (common random numbers).  The centre ``c_t`` cycles
through the rows of ``centers``, switching every ``period`` rounds (``period=None``: never), so
the best point moves and strongly adaptive learning matters.  Expected loss
``F_t(x) = 1/2 ||x - c_t||^2 + d noise^2 / 6``.

Oracle (all comparators exact, from sufficient statistics as in ``environments/oco.py``):

* step: slot 0 ``f_t(y_1)``, slot 1 ``F_t(y_1)``, slot 2 ``min_X F_t``, slot 5
  ``min_{x in X} sum_{s<=t} F_s(x) = n/2 dist(m, X)^2 + 1/2 (sum_s ||c_s||^2 - n ||m||^2)`` with
  ``m`` the mean centre (running sums, O(d) a round);
* hindsight: slot 3 ``min_X f_t``, slot 4 ``min_X sum_{s<=t} f_s`` (Welford mean and scatter of
  the ``xi_s``), slot 6 the distance between the projections of this and last round's centres.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from onlinelearn.environments.oco import half_squared_distance_to_set, welford_update

from onlinelearn.core.decision_sets import BALL, ball
from onlinelearn.core.environment import KernelEnvironment, check_points
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
from onlinelearn.core.params import ArrayLike, Interval
from onlinelearn.core.spec import EnvSpec


class BanditQuadraticState(NamedTuple):
    centers: np.ndarray  # (m, d) the centres c_k
    center_values: np.ndarray  # (m,) 1/2 dist(c_k, X)^2
    center_squares: np.ndarray  # (m,) ||c_k||^2
    projections: np.ndarray  # (m, d) Proj_X(c_k)
    xi: np.ndarray  # (d,) this round's realised xi_t
    xi_mean: np.ndarray  # (d,) running mean of the xi_s (hindsight)
    scatter: np.ndarray  # [M2 of the xi_s] (hindsight)
    center_sum: np.ndarray  # (d,) sum_{s<=t} c_s
    sums: np.ndarray  # [sum_{s<=t} ||c_s||^2]
    center_index: np.ndarray  # int64[2]: [this round's centre, last round's centre (-1: none)]
    work: np.ndarray  # (d,) projection buffer
    low: np.ndarray  # unused box bounds of the projection kernel
    high: np.ndarray
    code: int
    radius: float
    noise: float
    variance: float  # E ||noise (2u - 1)||^2 = d noise^2 / 3
    period: int  # rounds between switches (0: never)
    n_queries: int


@kernel
def center_at(t, period, n_centers):
    """Index of the centre of round ``t`` (0-based): cycles every ``period`` rounds."""
    if period == 0:
        return 0
    return (t // period) % n_centers


@kernel
def bandit_quadratic_step(state, rng, t, action, feedback, record):
    """Draw ``xi_t``, answer ``f_t`` at every allowed query, score the first query."""
    queries = np.atleast_2d(action)
    k = center_at(t, state.period, state.centers.shape[0])
    center = state.centers[k]
    d = center.shape[0]
    for i in range(d):
        state.xi[i] = center[i] + state.noise * (2.0 * rng.random() - 1.0)
    n = min(queries.shape[0], state.n_queries)
    feedback[0] = n
    for q in range(state.n_queries):
        value = 0.0
        if q < n:
            for i in range(d):
                value += 0.5 * (queries[q, i] - state.xi[i]) ** 2
        feedback[1 + q] = value
    expected = 0.5 * state.variance
    for i in range(d):
        expected += 0.5 * (queries[0, i] - center[i]) ** 2
        state.center_sum[i] += center[i]
    state.sums[0] += state.center_squares[k]
    state.center_index[0] = k
    count = t + 1.0
    squared_norm = 0.0
    for i in range(d):
        squared_norm += state.center_sum[i] ** 2
    distance = max(np.sqrt(squared_norm) / count - state.radius, 0.0)
    spread = max(state.sums[0] - squared_norm / count, 0.0)
    record[LOSS] = feedback[1]
    record[EXPECTED_LOSS] = expected
    record[BEST_EXPECTED_LOSS] = state.center_values[k] + 0.5 * state.variance
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = (
        0.5 * count * distance * distance + 0.5 * spread + 0.5 * count * state.variance
    )


@kernel
def bandit_quadratic_hindsight(state, t, action, record):
    count = t + 1.0
    record[BEST_LOSS] = half_squared_distance_to_set(state, state.xi, state.work)
    welford_update(state.xi_mean, state.scatter, 0, count, state.xi)
    record[BEST_FIXED_CUMULATIVE_LOSS] = (
        count * half_squared_distance_to_set(state, state.xi_mean, state.work) + 0.5 * state.scatter[0]
    )
    current, previous = state.center_index[0], state.center_index[1]
    shift = 0.0
    if 0 <= previous != current:
        for i in range(state.xi.shape[0]):
            shift += (state.projections[current, i] - state.projections[previous, i]) ** 2
    record[COMPARATOR_SHIFT] = np.sqrt(shift)
    state.center_index[1] = current


class BanditQuadraticLosses(KernelEnvironment):
    """Quadratic losses ``f_t(x) = 1/2 ||x - xi_t||^2`` on the ball, with bandit (value) feedback.

    ``xi_t = c_t + noise (2 u_t - 1)``; ``c_t`` cycles through ``centers`` every ``period`` rounds
    (module docstring).  Each round answers up to ``n_queries`` values of the same ``f_t``; the
    first query is played and charged.

    Lipschitz constant of every ``f_t`` on X (exact supremum of ``||x - xi||``), the
    ``gradient_bound`` of the spec::

        L = r + max_k sqrt(sum_i (|c_ki| + noise)^2)      (over the centres that are used)

    and ``0 <= f_t <= L^2 / 2`` (``loss_range``).

    Args:
        dimension: d.
        radius: r, radius of the ball centred at 0.
        centers: ``(m, d)`` array of centres; default the two points ``+-0.6 r w`` with
            ``w = linspace(1, -0.5, d)`` normalised.
        period: rounds between switches of the centre (``None``: the first centre throughout).
        noise: half-width of the uniform noise on every coordinate of ``xi_t``.
        n_queries: points answered per round (the first is played).
    """

    _parameter_constraints = {
        "dimension": [Interval(int, 1, None)],
        "radius": [Interval(float, 0, None, closed="neither")],
        "centers": [ArrayLike(ndim=2), None],
        "period": [Interval(int, 1, None), None],
        "noise": [Interval(float, 0, None, closed="left")],
        "n_queries": [Interval(int, 1, None)],
    }
    _test_params = [{"dimension": 3, "period": 30}, {"dimension": 2, "period": None, "n_queries": 3}]
    step_kernel = staticmethod(bandit_quadratic_step)
    hindsight_kernel = staticmethod(bandit_quadratic_hindsight)

    def __init__(
        self,
        dimension: int = 3,
        radius: float = 1.0,
        centers=None,
        period: int | None = 1000,
        noise: float = 0.1,
        n_queries: int = 2,
    ):
        self.dimension = dimension
        self.radius = radius
        self.centers = centers
        self.period = period
        self.noise = noise
        self.n_queries = n_queries

    def validate(self) -> None:
        if self.centers is not None and np.shape(self.centers)[1] != self.dimension:
            raise ValueError(
                f"The 'centers' parameter of {type(self).__name__} must have shape (m, dimension="
                f"{self.dimension}). Got shape {np.shape(self.centers)} instead."
            )

    @property
    def center_array(self) -> np.ndarray:
        """``(m, d)`` centres."""
        if self.centers is not None:
            return np.array(self.centers, dtype=float, order="C")
        direction = np.linspace(1.0, -0.5, self.dimension)
        direction /= np.linalg.norm(direction)
        return np.stack([0.6 * self.radius * direction, -0.6 * self.radius * direction])

    @property
    def gradient_bound(self) -> float:
        """Exact ``sup ||x - xi||`` over the ball and the support of ``xi_t``: the Lipschitz constant."""
        centers = self.center_array if self.period is not None else self.center_array[:1]
        farthest = np.sqrt(np.sum((np.abs(centers) + self.noise) ** 2, axis=1)).max()
        return float(self.radius + farthest)

    def make_spec(self) -> EnvSpec:
        bound = self.gradient_bound
        return EnvSpec(
            FeedbackKind.BANDIT_CONVEX,
            decision_set=ball(self.dimension, self.radius),
            loss_range=(0.0, 0.5 * bound**2),
            gradient_bound=bound,
            n_queries=int(self.n_queries),
        )

    def init_state(self, spec, rng):
        d = self.dimension
        centers = self.center_array
        projections = np.array([spec.decision_set.project(c) for c in centers])
        return BanditQuadraticState(
            centers,
            0.5 * np.sum((projections - centers) ** 2, axis=1),
            np.sum(centers**2, axis=1),
            projections,
            np.zeros(d),
            np.zeros(d),
            np.zeros(1),
            np.zeros(d),
            np.zeros(1),
            np.array([0, -1], dtype=np.int64),
            np.zeros(d),
            np.zeros(d),
            np.zeros(d),
            BALL,
            float(self.radius),
            float(self.noise),
            d * self.noise**2 / 3.0,
            0 if self.period is None else int(self.period),
            int(self.n_queries),
        )

    def check_action(self, action):
        return check_points(action, self.spec_, type(self).__name__)
