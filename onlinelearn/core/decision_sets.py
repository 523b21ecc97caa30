"""Decision sets with exact Euclidean projections (kernels) and their geometry.

* Simplex  ``{x >= 0, sum x = 1}``: Euclidean projection by sorting, O(d log d)
  (Held, Wolfe, Crowder 1974; Duchi, Shalev-Shwartz, Singer, Chandra, ICML 2008, Alg. 1);
  the entropic (KL) projection of a positive vector is its normalisation.
* Ball ``{||x|| <= r}``: radial scaling.
* Box ``{lo <= x <= hi}``: coordinate-wise clipping.

The kernels take an output array so no allocation happens per round; ``project`` dispatches on
an integer code so that one OCO kernel serves every set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from onlinelearn.core.numba_options import kernel

SIMPLEX = 0
BALL = 1
BOX = 2


@kernel
def project_simplex(y, out):
    """Euclidean projection of ``y`` onto the probability simplex, written into ``out``."""
    d = y.shape[0]
    u = np.sort(y)[::-1]
    cumulative = 0.0
    theta = 0.0
    for j in range(d):
        cumulative += u[j]
        candidate = (cumulative - 1.0) / (j + 1)
        if u[j] - candidate > 0.0:
            theta = candidate
    for i in range(d):
        out[i] = max(y[i] - theta, 0.0)


@kernel
def normalise_entropic(positive, out):
    """KL (entropic) projection of a positive vector onto the simplex: ``out = w / sum(w)``."""
    total = positive.sum()
    for i in range(positive.shape[0]):
        out[i] = positive[i] / total


@kernel
def project_ball(y, radius, out):
    """Euclidean projection of ``y`` onto the ball of the given radius centred at 0."""
    norm = np.sqrt(np.sum(y * y))
    scale = 1.0 if norm <= radius else radius / norm
    for i in range(y.shape[0]):
        out[i] = y[i] * scale


@kernel
def project_box(y, low, high, out):
    """Euclidean projection of ``y`` onto the box ``[low, high]`` (coordinate-wise clip)."""
    for i in range(y.shape[0]):
        out[i] = min(max(y[i], low[i]), high[i])


@kernel
def project(code, radius, low, high, y, out):
    """Projection onto the set identified by ``code`` (SIMPLEX, BALL or BOX)."""
    if code == SIMPLEX:
        project_simplex(y, out)
    elif code == BALL:
        project_ball(y, radius, out)
    else:
        project_box(y, low, high, out)


@dataclass(frozen=True)
class DecisionSet:
    """A convex decision set in R^d.  Build one with :func:`simplex`, :func:`ball` or :func:`box`."""

    code: int
    dimension: int
    radius: float = 1.0
    low: np.ndarray | None = None
    high: np.ndarray | None = None

    @property
    def name(self) -> str:
        return {SIMPLEX: "simplex", BALL: "ball", BOX: "box"}[self.code]

    @property
    def diameter(self) -> float:
        """Largest Euclidean distance between two points of the set (D in the bounds)."""
        if self.code == SIMPLEX:
            return float(np.sqrt(2.0)) if self.dimension > 1 else 0.0
        if self.code == BALL:
            return 2.0 * self.radius
        return float(np.linalg.norm(self.high - self.low))

    def kernel_arguments(self):
        """``(code, radius, low, high)`` as passed to :func:`project`."""
        low = self.low if self.low is not None else np.zeros(self.dimension)
        high = self.high if self.high is not None else np.zeros(self.dimension)
        return self.code, float(self.radius), low, high

    def project(self, y) -> np.ndarray:
        """Euclidean projection of ``y`` onto the set."""
        y = np.ascontiguousarray(y, dtype=float)
        if y.shape != (self.dimension,):
            raise ValueError(
                f"The point to project must have shape ({self.dimension},). Got shape {y.shape} instead."
            )
        out = np.empty(self.dimension)
        project(*self.kernel_arguments(), y, out)
        return out

    def contains(self, x, tolerance: float = 1e-9) -> bool:
        """Whether ``x`` lies in the set up to ``tolerance``."""
        x = np.asarray(x, dtype=float)
        if x.shape != (self.dimension,) or not np.all(np.isfinite(x)):
            return False
        if self.code == SIMPLEX:
            return bool(np.all(x >= -tolerance) and abs(x.sum() - 1.0) <= tolerance)
        if self.code == BALL:
            return bool(np.linalg.norm(x) <= self.radius + tolerance)
        return bool(np.all(x >= self.low - tolerance) and np.all(x <= self.high + tolerance))

    def center(self) -> np.ndarray:
        """A canonical interior starting point."""
        if self.code == SIMPLEX:
            return np.full(self.dimension, 1.0 / self.dimension)
        if self.code == BALL:
            return np.zeros(self.dimension)
        return 0.5 * (self.low + self.high)


def simplex(dimension: int) -> DecisionSet:
    """The probability simplex in R^dimension."""
    _check_dimension(dimension)
    return DecisionSet(SIMPLEX, int(dimension))


def ball(dimension: int, radius: float = 1.0) -> DecisionSet:
    """The Euclidean ball of ``radius`` centred at 0."""
    _check_dimension(dimension)
    if not (np.isfinite(radius) and radius > 0):
        raise ValueError(
            f"The 'radius' parameter of ball must be a float in the range (0, inf). Got {radius!r} instead."
        )
    return DecisionSet(BALL, int(dimension), radius=float(radius))


def box(low, high) -> DecisionSet:
    """The box ``[low, high]`` (arrays of equal length with ``low <= high``)."""
    low = np.ascontiguousarray(low, dtype=float)
    high = np.ascontiguousarray(high, dtype=float)
    if low.ndim != 1 or low.shape != high.shape or not np.all(low <= high):
        raise ValueError(
            "The 'low' and 'high' parameters of box must be 1-D arrays of equal "
            f"length with low <= high. Got {low!r} and {high!r} instead."
        )
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise ValueError("The 'low' and 'high' parameters of box must be finite.")
    return DecisionSet(BOX, low.shape[0], low=low, high=high)


def _check_dimension(dimension) -> None:
    if isinstance(dimension, bool) or not isinstance(dimension, int | np.integer) or dimension < 1:
        raise ValueError(
            f"The 'dimension' parameter must be an int in the range [1, inf). Got {dimension!r} instead."
        )
