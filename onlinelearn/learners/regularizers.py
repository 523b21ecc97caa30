"""Mirror maps (regularisers) with closed-form Bregman projections, as kernels and small objects.

A mirror step from ``point`` along ``direction`` with rate ``eta`` is the Bregman-proximal step

    out = argmin_{x in X} eta <direction, x> + B_psi(x, point),
    B_psi(x, y) = psi(x) - psi(y) - <grad psi(y), x - y>,

the building block of online mirror descent (greedy: ``point = x_t``) and of FTRL (lazy:
``point = x_1 = argmin_X psi`` and ``direction`` the sum of past gradients).  Supported pairs:

=====================  ==========================================  ==============================
regulariser            psi(x)                                      sets (closed form)
=====================  ==========================================  ==============================
Euclidean              1/2 ||x||^2                                 ball, simplex, box: Proj_X(y)
NegativeEntropy        sum_i x_i ln x_i                            simplex (normalise), box > 0
Tsallis(q), 0 < q < 1  (1 - sum_i x_i^q) / (1 - q)                 simplex (1-D Newton), box > 0
LogBarrier             -sum_i ln x_i                               simplex (1-D Newton), box > 0
TimeVaryingQuadratic   1/2 ||x||_H^2 (``H`` supplied per round)     ball (secular equation),
                                                                   simplex and box (iterative)
=====================  ==========================================  ==============================

On the simplex the step solves ``grad psi(x) = grad psi(point) - eta direction - nu 1`` for the
multiplier ``nu``.  For Tsallis and the log-barrier ``x_i = phi(nu - theta_i)`` with ``theta =
grad psi(point) - eta direction`` and ``phi(u) = (c u)^(-p)`` decreasing and convex, so the sum is
a convex decreasing function of ``nu``: Newton's method started left of the root climbs to it
monotonically (as in Tsallis-INF, Zimmert and Seldin 2021, Algorithm 2), from a bracket where the
largest coordinate is 1.  On a box every separable regulariser's projection is the coordinate-wise
clip of the unconstrained mirror point.  No solver library runs per round.
"""

from __future__ import annotations

import numpy as np

from onlinelearn.core.decision_sets import BALL, BOX, SIMPLEX, project
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval, check_value

EUCLIDEAN = 0
NEGATIVE_ENTROPY = 1
TSALLIS = 2
LOG_BARRIER = 3
QUADRATIC = 4

_NEWTON_ITERATIONS = 100


@kernel
def _dual_scale(code, q):
    """``(c, p)`` of ``phi(u) = (c u)^(-p)``, the inverse of ``-grad psi`` coordinate-wise."""
    if code == TSALLIS:
        return (1.0 - q) / q, 1.0 / (1.0 - q)
    return 1.0, 1.0


@kernel
def mirror_gradient(code, q, x, i):
    """``grad psi(x)_i`` for the separable non-Euclidean regularisers."""
    if code == NEGATIVE_ENTROPY:
        return np.log(x[i]) + 1.0
    c, p = _dual_scale(code, q)
    return -(x[i] ** (-1.0 / p)) / c


@kernel
def _simplex_dual_step(code, q, theta, out):
    """``x_i = phi(nu - theta_i)`` with ``sum x = 1`` (Newton on ``nu`` from the left)."""
    d = theta.shape[0]
    c, p = _dual_scale(code, q)
    top = theta.max()
    # phi(1 / c) = 1: at nu = top + 1/c the largest coordinate is 1, so the sum is >= 1.
    nu = top + 1.0 / c
    for _ in range(_NEWTON_ITERATIONS):
        total = 0.0
        slope = 0.0
        for i in range(d):
            u = nu - theta[i]
            value = (c * u) ** (-p)
            total += value
            slope += p * value / u
        if total - 1.0 <= 1e-15:
            break
        step = (total - 1.0) / slope
        nu += step
        if step <= 1e-16 * max(1.0, abs(nu)):
            break
    total = 0.0
    for i in range(d):
        out[i] = (c * (nu - theta[i])) ** (-p)
        total += out[i]
    for i in range(d):
        out[i] /= total


@kernel
def mirror_step(regularizer, q, code, radius, low, high, point, direction, eta, out, work):
    """``out = argmin_{x in X} eta <direction, x> + B_psi(x, point)`` (see the module docstring).

    ``regularizer`` is one of EUCLIDEAN, NEGATIVE_ENTROPY, TSALLIS, LOG_BARRIER; ``q`` the Tsallis
    index; ``(code, radius, low, high)`` the decision set; ``work`` a (d,) buffer.
    """
    d = point.shape[0]
    if regularizer == EUCLIDEAN:
        for i in range(d):
            work[i] = point[i] - eta * direction[i]
        project(code, radius, low, high, work, out)
        return
    if regularizer == NEGATIVE_ENTROPY:
        if code == SIMPLEX:
            top = -np.inf
            for i in range(d):
                work[i] = np.log(point[i]) - eta * direction[i] if point[i] > 0.0 else -np.inf
                top = max(top, work[i])
            total = 0.0
            for i in range(d):
                out[i] = np.exp(work[i] - top)
                total += out[i]
            for i in range(d):
                out[i] /= total
        else:
            for i in range(d):
                out[i] = min(max(point[i] * np.exp(-eta * direction[i]), low[i]), high[i])
        return
    for i in range(d):
        work[i] = mirror_gradient(regularizer, q, point, i) - eta * direction[i]
    if code == SIMPLEX:
        _simplex_dual_step(regularizer, q, work, out)
        return
    c, p = _dual_scale(regularizer, q)
    for i in range(d):
        # grad psi < 0 everywhere: a non-negative dual point has its minimiser at +inf.
        value = high[i] if work[i] >= 0.0 else (-c * work[i]) ** (-p)
        out[i] = min(max(value, low[i]), high[i])


# -- Python objects ---------------------------------------------------------------------------
class Regularizer:
    """A mirror map ``psi``; subclasses set ``code`` and the geometry used by tunings.

    Attributes used by the learners' default tunings (bounds of Orabona 2019, Chapter 6):
    ``strong_convexity(d)`` (modulus w.r.t. ``norm``), ``range(decision_set)`` (``max_X psi -
    psi(x_1)``, ``inf`` when unbounded) and ``dual_norm`` (2 or ``inf``).
    """

    code = EUCLIDEAN
    dual_norm = 2.0
    #: Decision sets on which the mirror step has a closed form.
    sets = (SIMPLEX, BALL, BOX)

    @property
    def q(self) -> float:
        return 0.0

    def get_params(self) -> dict:
        return {}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.get_params() == other.get_params()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.get_params().items())))

    def check_set(self, decision_set, owner: str) -> None:
        """Raise a clear error if the mirror step has no closed form on ``decision_set``."""
        name = type(self).__name__
        if decision_set.code not in self.sets:
            raise ValueError(
                f"{owner} with regularizer {name} needs a decision set among "
                f"{[{SIMPLEX: 'simplex', BALL: 'ball', BOX: 'box'}[c] for c in self.sets]}; "
                f"got a {decision_set.name}."
            )
        if decision_set.code == BOX and self.code != EUCLIDEAN and not np.all(decision_set.low > 0):
            raise ValueError(
                f"{owner} with regularizer {name} needs a box with strictly positive 'low' "
                f"(psi is finite only for x > 0); got low={decision_set.low!r}."
            )

    def start(self, decision_set) -> np.ndarray:
        """``x_1 = argmin_X psi`` (the set's centre, which is the minimiser on the simplex)."""
        return decision_set.center()

    def value(self, x) -> float:
        x = np.asarray(x, dtype=float)
        return 0.5 * float(x @ x)

    def gradient(self, x) -> np.ndarray:
        return np.asarray(x, dtype=float).copy()

    def bregman(self, x, y) -> float:
        """``B_psi(x, y)``."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        return self.value(x) - self.value(y) - float(self.gradient(y) @ (x - y))

    def strong_convexity(self, dimension: int) -> float:
        return 1.0

    def range(self, decision_set) -> float:
        return 0.5 * decision_set.diameter**2

    def step(self, point, direction, eta, decision_set) -> np.ndarray:
        """The mirror step of the module docstring (a Python face of the kernel)."""
        self.check_set(decision_set, type(self).__name__)
        point = np.ascontiguousarray(point, dtype=float)
        direction = np.ascontiguousarray(direction, dtype=float)
        out = np.empty_like(point)
        code, radius, low, high = decision_set.kernel_arguments()
        mirror_step(
            self.code,
            self.q,
            code,
            radius,
            low,
            high,
            point,
            direction,
            float(eta),
            out,
            np.empty_like(point),
        )
        return out


class Euclidean(Regularizer):
    """``psi(x) = 1/2 ||x||^2``: the mirror step is projected gradient descent."""


class NegativeEntropy(Regularizer):
    """``psi(x) = sum_i x_i ln x_i``: multiplicative updates; 1-strongly convex w.r.t. ``||.||_1``
    on the simplex (Pinsker), range ``ln d`` from the uniform point."""

    code = NEGATIVE_ENTROPY
    dual_norm = np.inf
    sets = (SIMPLEX, BOX)

    def value(self, x) -> float:
        x = np.asarray(x, dtype=float)
        return float(np.sum(np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)))

    def gradient(self, x) -> np.ndarray:
        return np.log(np.asarray(x, dtype=float)) + 1.0

    def range(self, decision_set) -> float:
        if decision_set.code == SIMPLEX:
            return float(np.log(decision_set.dimension))
        return np.inf


class Tsallis(Regularizer):
    """``psi(x) = (1 - sum_i x_i^q) / (1 - q)``, ``0 < q < 1`` (``q -> 1``: negative entropy).

    On the simplex its Hessian ``diag(q x_i^(q-2)) >= q`` makes it ``q``-strongly convex w.r.t.
    ``||.||_1``; range ``(d^(1-q) - 1) / (1 - q)`` from the uniform point.
    """

    code = TSALLIS
    dual_norm = np.inf
    sets = (SIMPLEX, BOX)

    def __init__(self, q: float = 0.5):
        check_value("Tsallis", "q", q, [Interval(float, 0, 1, closed="neither")])
        self._q = float(q)

    @property
    def q(self) -> float:
        return self._q

    def get_params(self) -> dict:
        return {"q": self._q}

    def value(self, x) -> float:
        x = np.asarray(x, dtype=float)
        return float((1.0 - np.sum(x**self._q)) / (1.0 - self._q))

    def gradient(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return -self._q / (1.0 - self._q) * x ** (self._q - 1.0)

    def strong_convexity(self, dimension: int) -> float:
        return self._q

    def range(self, decision_set) -> float:
        if decision_set.code == SIMPLEX:
            return float((decision_set.dimension ** (1.0 - self._q) - 1.0) / (1.0 - self._q))
        return np.inf


class LogBarrier(Regularizer):
    """``psi(x) = -sum_i ln x_i``; 1-strongly convex w.r.t. ``||.||_1`` on the simplex, unbounded
    range (default tunings refuse it: give ``eta``)."""

    code = LOG_BARRIER
    dual_norm = np.inf
    sets = (SIMPLEX, BOX)

    def value(self, x) -> float:
        return float(-np.sum(np.log(np.asarray(x, dtype=float))))

    def gradient(self, x) -> np.ndarray:
        return -1.0 / np.asarray(x, dtype=float)

    def range(self, decision_set) -> float:
        return np.inf


class TimeVaryingQuadratic(Regularizer):
    """``psi_t(x) = 1/2 ||x||_{H_t}^2`` with a positive definite ``H_t`` supplied each round.

    The step ``argmin_X <direction, x> + 1/2 ||x - point||_H^2 = Proj^H_X(point - H^{-1}
    direction)`` (``eta`` is folded into ``H``) uses the generalised projections of
    :mod:`onlinelearn.learners.ons`: exact on a ball, accelerated projected gradient otherwise.
    Used by the exp-concave regime of :class:`~onlinelearn.learners.OptimisticOMD`.
    """

    code = QUADRATIC

    def __init__(self, h=None):
        self.h = None if h is None else np.asarray(h, dtype=float)

    def get_params(self) -> dict:
        return {"h": self.h}

    def _matrix(self, d: int) -> np.ndarray:
        return np.eye(d) if self.h is None else self.h

    def value(self, x) -> float:
        x = np.asarray(x, dtype=float)
        return 0.5 * float(x @ self._matrix(x.shape[0]) @ x)

    def gradient(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return self._matrix(x.shape[0]) @ x

    def step(self, point, direction, eta, decision_set) -> np.ndarray:
        from onlinelearn.learners.ons import project_a_norm_iterative, project_ball_a_norm

        point = np.ascontiguousarray(point, dtype=float)
        h = np.ascontiguousarray(self._matrix(point.shape[0]) / eta)
        y = point - np.linalg.solve(h, np.asarray(direction, dtype=float))
        out = decision_set.center()
        code, radius, low, high = decision_set.kernel_arguments()
        if code == BALL:
            project_ball_a_norm(h, y, radius, out, 1e-13, 10_000)
        else:
            work = np.zeros((4, point.shape[0]))
            project_a_norm_iterative(code, radius, low, high, h, y, out, work, 1e-13, 100_000)
        return out


_NAMES = {
    "euclidean": Euclidean,
    "entropic": NegativeEntropy,
    "negative_entropy": NegativeEntropy,
    "tsallis": Tsallis,
    "log_barrier": LogBarrier,
}

#: Accepted names of :func:`as_regularizer`.
NAMES = tuple(_NAMES)


def as_regularizer(value) -> Regularizer:
    """A :class:`Regularizer` from an instance or one of :data:`NAMES`."""
    if isinstance(value, Regularizer):
        return value
    return _NAMES[value]()
