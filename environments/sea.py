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
``n/2 dist(mbar, X)^2 + M2/2 + sum_s sigma_s^2 / 2``, linear ``-r ||sum_s mu_s||``.  The state
record and kernels are in :mod:`onlinelearn.environments.sea_kernels`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from onlinelearn.environments.sea_kernels import (
    ADVERSARIAL_VARIATION,
    LINEAR,
    QUADRATIC,
    REGIMES,
    STOCHASTIC_VARIANCE,
    SEAState,
    rotate_in_plane,
    sea_hindsight,
    sea_mean,
    sea_step,
)

from onlinelearn.core.decision_sets import ball
from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.oracle import RECORD_HEADER
from onlinelearn.core.params import ArrayLike, Interval, Options
from onlinelearn.core.spec import EnvSpec

__all__ = [
    "ADVERSARIAL_VARIATION",
    "LINEAR",
    "QUADRATIC",
    "REGIMES",
    "STOCHASTIC_VARIANCE",
    "SEALinearLosses",
    "SEAQuadraticLosses",
    "SEASpec",
    "SEAState",
    "sea_hindsight",
    "sea_mean",
    "sea_step",
]


@dataclass(frozen=True)
class SEASpec(EnvSpec):
    """An :class:`~onlinelearn.core.spec.EnvSpec` whose oracle record carries the SEA slots."""

    @property
    def record_size(self) -> int:
        return RECORD_HEADER + 2


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
            rotate_in_plane(m[None, :], 0, angle, means[j])
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
