"""Online conformal prediction on a synthetic time series with distribution shifts.

:class:`ShiftingScores` simulates a series ``y_t = level_t + sigma_t eps_t`` (``eps_t`` standard
normal, one draw per round whatever is played), forecast online by an exponential moving average
inside the environment::

    f_1 = 0,   f_{t+1} = (1 - lambda) f_t + lambda y_t,
    level_t = drift * t,   sigma_t = scales[(t // period) % len(scales)]   (rounds t = 0, 1, ...).

The nonconformity score is the capped absolute residual ``s_t = min(|y_t - f_t|, D)``.  The
learner plays a radius ``s_hat_t`` in the box ``[0, D]`` (the prediction interval
``[f_t - s_hat_t, f_t + s_hat_t]``) and is charged the pinball loss at target coverage ``q``
(:mod:`onlinelearn.learners.conformal`), with GRADIENT feedback ``[l_t(s_hat_t), g_t]``.  The
spec (:class:`ConformalSpec`) carries ``q`` so that learners can refuse a different coverage.

Expected losses are exact given the past.  With ``m = level_t - f_t``, ``Z = m + sigma_t eps_t``,
``S = |Z|``, ``C = min(S, D)``, and ``G(x) = x Phi(x) + phi(x)`` (so that
``E[(a + eps)_+] = G(a)``)::

    E[(r - S)_+] = sigma (G((r - m) / sigma) + G((-r - m) / sigma) - 2 G(-m / sigma)),
    E l_t(r) = q (D - E[(D - S)_+] - r) + E[(r - S)_+]      for r in [0, D],

minimised at the q-quantile of ``C`` (bisection on ``P(S <= r) = q``, or ``D`` if
``P(S < D) < q``).

Oracle (docs/design.md section 3) and three slots after the header:

* step: slot 0 ``l_t(s_hat_t)``, slot 1 ``E l_t(s_hat_t)``, slot 2 ``min_r E l_t(r)``, slot 5
  ``min_r sum_{s<=t} E l_s(r)`` over a **grid** of ``n_grid`` radii evenly spaced on ``[0, D]``
  (a grid approximation of the best fixed radius: exact up to ``D / (n_grid - 1)`` in the radius;
  memory independent of T); ``SCORE`` (``s_t``), ``RADIUS`` (``s_hat_t``), ``COVERED``
  (1 if ``s_t <= s_hat_t``).
* hindsight: slot 3 ``min_r l_t(r) = 0`` (``r = s_t``), slot 4 the grid minimum of
  ``sum_{s<=t} l_s(r)``, slot 6 the distance between this and last round's expected-loss
  minimisers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import box
from onlinelearn.core.environment import KernelEnvironment, check_action
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
    RECORD_HEADER,
)
from onlinelearn.core.params import ArrayLike, Interval
from onlinelearn.core.spec import EnvSpec

#: Slots after the header, read by :class:`onlinelearn.trackers.conformal.Coverage`.
SCORE = RECORD_HEADER
RADIUS = RECORD_HEADER + 1
COVERED = RECORD_HEADER + 2

_BISECTION_STEPS = 40
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class ConformalSpec(EnvSpec):
    """An :class:`~onlinelearn.core.spec.EnvSpec` with the target coverage ``q`` of the pinball
    loss and three oracle slots (score, radius, covered) after the header."""

    coverage: float = 0.9

    @property
    def record_size(self) -> int:
        return RECORD_HEADER + 3


@kernel
def normal_cdf(x):
    return 0.5 * math.erfc(-x * _INV_SQRT2)


@kernel
def normal_partial(x):
    """``G(x) = x Phi(x) + phi(x) = E[(x + eps)_+]`` for a standard normal ``eps``."""
    return x * normal_cdf(x) + _INV_SQRT2PI * math.exp(-0.5 * x * x)


@kernel
def expected_shortfall(r, m, sigma, at_zero):
    """``E[(r - |Z|)_+]`` for ``Z ~ N(m, sigma^2)`` and ``r >= 0``; ``at_zero = G(-m / sigma)``."""
    return sigma * (normal_partial((r - m) / sigma) + normal_partial((-r - m) / sigma) - 2.0 * at_zero)


@kernel
def capped_mean(m, sigma, max_scale, at_zero):
    """``E min(|Z|, D) = D - E[(D - |Z|)_+]``."""
    return max_scale - expected_shortfall(max_scale, m, sigma, at_zero)


@kernel
def expected_pinball(r, m, sigma, coverage, mean_capped, at_zero):
    """``E l(r)`` for the capped score ``min(|Z|, D)`` and ``r`` in ``[0, D]``."""
    return coverage * (mean_capped - r) + expected_shortfall(r, m, sigma, at_zero)


@kernel
def folded_cdf(r, m, sigma):
    """``P(|Z| <= r)``."""
    return normal_cdf((r - m) / sigma) - normal_cdf((-r - m) / sigma)


@kernel
def expected_minimiser(m, sigma, coverage, max_scale):
    """The ``q``-quantile of ``min(|Z|, D)``: the minimiser of the expected pinball loss."""
    if folded_cdf(max_scale, m, sigma) < coverage:
        return max_scale
    low, high = 0.0, max_scale
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (low + high)
        if folded_cdf(middle, m, sigma) < coverage:
            low = middle
        else:
            high = middle
    return high


@kernel
def _pinball(radius, score, coverage):
    return max(coverage * (score - radius), (1.0 - coverage) * (radius - score))


class ShiftingScoresState(NamedTuple):
    scales: np.ndarray  # (k,) noise scale of each segment
    grid: np.ndarray  # (n_grid,) radii of the comparator grid
    cumulative_expected: np.ndarray  # (n_grid,) sum_s E l_s(r) per grid radius
    cumulative_realised: np.ndarray  # (n_grid,) sum_s l_s(r) per grid radius (hindsight)
    #: [forecast f_t, this round's score, this round's expected minimiser, last round's minimiser]
    values: np.ndarray
    coverage: float
    max_scale: float
    period: int
    drift: float
    smoothing: float


@kernel
def shifting_step(state, rng, t, action, feedback, record):
    q, cap = state.coverage, state.max_scale
    sigma = state.scales[(t // state.period) % state.scales.shape[0]]
    level = state.drift * t
    forecast = state.values[0]
    y = level + sigma * rng.standard_normal()
    score = min(abs(y - forecast), cap)
    state.values[0] = (1.0 - state.smoothing) * forecast + state.smoothing * y
    state.values[1] = score
    radius = action[0]
    loss = _pinball(radius, score, q)
    feedback[0] = loss
    if score > radius:
        feedback[1] = -q
    elif score < radius:
        feedback[1] = 1.0 - q
    else:
        feedback[1] = 0.0
    shift = level - forecast
    at_zero = normal_partial(-shift / sigma)
    mean_capped = capped_mean(shift, sigma, cap, at_zero)
    best = expected_minimiser(shift, sigma, q, cap)
    state.values[2] = best
    lowest = np.inf
    grid, cumulative = state.grid, state.cumulative_expected
    for i in range(grid.shape[0]):
        cumulative[i] += expected_pinball(grid[i], shift, sigma, q, mean_capped, at_zero)
        lowest = min(lowest, cumulative[i])
    record[LOSS] = loss
    record[EXPECTED_LOSS] = expected_pinball(radius, shift, sigma, q, mean_capped, at_zero)
    record[BEST_EXPECTED_LOSS] = expected_pinball(best, shift, sigma, q, mean_capped, at_zero)
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = lowest
    record[SCORE] = score
    record[RADIUS] = radius
    record[COVERED] = 1.0 if score <= radius else 0.0


@kernel
def shifting_hindsight(state, t, action, record):
    score, q = state.values[1], state.coverage
    grid, cumulative = state.grid, state.cumulative_realised
    lowest = np.inf
    for i in range(grid.shape[0]):
        cumulative[i] += _pinball(grid[i], score, q)
        lowest = min(lowest, cumulative[i])
    record[BEST_LOSS] = 0.0
    record[BEST_FIXED_CUMULATIVE_LOSS] = lowest
    record[COMPARATOR_SHIFT] = 0.0 if t == 0 else abs(state.values[2] - state.values[3])
    state.values[3] = state.values[2]


class ShiftingScores(KernelEnvironment):
    """Conformal scores of an EMA forecaster on a Gaussian series whose noise scale jumps every
    ``period`` rounds (cycling through ``scales``) and whose level drifts linearly (module docstring).

    ``scales=(1.0,)`` and ``drift=0`` give a stationary series; the default ``(1, 3)`` with
    ``period=500`` triples the noise at rounds 500, 1500, ... and restores it at 1000, 2000, ...

    Args:
        coverage: target coverage ``q`` in (0, 1) of the pinball loss.
        max_scale: ``D``: radii lie in ``[0, D]`` and scores are capped at ``D``.
        scales: noise scale of each segment (positive).
        period: rounds per segment.
        drift: slope of the level (per round).
        smoothing: ``lambda`` of the forecaster's exponential moving average, in (0, 1].
        n_grid: radii of the comparator grid on ``[0, D]``.
    """

    _parameter_constraints = {
        "coverage": [Interval(float, 0, 1, closed="neither")],
        "max_scale": [Interval(float, 0, None, closed="neither")],
        "scales": [ArrayLike(low=0.0)],
        "period": [Interval(int, 1, None)],
        "drift": [Interval(float, None, None)],
        "smoothing": [Interval(float, 0, 1, closed="right")],
        "n_grid": [Interval(int, 2, None)],
    }
    _test_params = [{}, {"coverage": 0.8, "scales": (1.0,), "drift": 0.05, "period": 7}]
    step_kernel = staticmethod(shifting_step)
    hindsight_kernel = staticmethod(shifting_hindsight)

    def __init__(
        self,
        coverage: float = 0.9,
        max_scale: float = 10.0,
        scales=(1.0, 3.0),
        period: int = 500,
        drift: float = 0.0,
        smoothing: float = 0.1,
        n_grid: int = 51,
    ):
        self.coverage = coverage
        self.max_scale = max_scale
        self.scales = scales
        self.period = period
        self.drift = drift
        self.smoothing = smoothing
        self.n_grid = n_grid

    def validate(self) -> None:
        if not np.all(np.asarray(self.scales, dtype=float) > 0):
            raise ValueError(
                "The 'scales' parameter of ShiftingScores must be a finite 1-D array with entries in "
                f"(0, inf). Got {self.scales!r} instead."
            )

    def make_spec(self) -> ConformalSpec:
        cap = float(self.max_scale)
        q = float(self.coverage)
        return ConformalSpec(
            FeedbackKind.GRADIENT,
            decision_set=box([0.0], [cap]),
            loss_range=(0.0, cap * max(q, 1.0 - q)),
            gradient_bound=max(q, 1.0 - q),
            coverage=q,
        )

    def check_action(self, action):
        point = check_action(action, self.spec_, type(self).__name__)
        if not 0.0 <= point[0] <= self.spec_.decision_set.high[0]:
            raise ValueError(
                f"ShiftingScores expects a radius in [0, {self.max_scale:g}]. Got {action!r} instead."
            )
        return point

    def init_state(self, spec, rng):
        n = int(self.n_grid)
        return ShiftingScoresState(
            np.ascontiguousarray(self.scales, dtype=float),
            np.linspace(0.0, float(self.max_scale), n),
            np.zeros(n),
            np.zeros(n),
            np.zeros(4),
            float(self.coverage),
            float(self.max_scale),
            int(self.period),
            float(self.drift),
            float(self.smoothing),
        )
