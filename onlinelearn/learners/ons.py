"""Online Newton Step (Hazan, Agarwal, Kale 2007) for exp-concave losses."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import BALL, project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval
from onlinelearn.learners.ogd import required_gradient_bound


class ONSState(NamedTuple):
    x: np.ndarray  # (d,) x_t
    y: np.ndarray  # (d,) unprojected Newton step
    a: np.ndarray  # (d, d) A_t = eps I + sum_s g_s g_s^T
    a_inverse: np.ndarray  # (d, d) A_t^{-1} (Sherman–Morrison)
    work: np.ndarray  # (4, d) buffers of the generalised projection
    gamma: float
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray
    tolerance: float
    max_iterations: int


@kernel
def ons_act(state, rng):
    return state.x


@kernel
def project_ball_a_norm(a, y, radius, out, tolerance, max_iterations):
    """``argmin_{||x|| <= r} (x - y)^T A (x - y)`` for positive definite ``A``.

    KKT: ``x(mu) = (A + mu I)^{-1} A y`` with ``mu >= 0`` and ``||x(mu)|| = r`` when ``||y|| > r``.
    In the eigenbasis ``A = Q diag(lambda) Q^T``, ``z = Q^T y``: ``x(mu)_i = lambda_i z_i /
    (lambda_i + mu)``.  ``phi(mu) = 1/||x(mu)|| - 1/r`` is increasing and concave, so Newton's
    method from ``mu = 0`` (where ``phi < 0``) increases monotonically to the root (Moré and
    Sorensen 1983); stop when ``| ||x|| - r | <= tolerance * r``.
    """
    norm_y = np.sqrt(np.sum(y * y))
    if norm_y <= radius:
        out[:] = y
        return
    eigenvalues, vectors = np.linalg.eigh(a)
    z = vectors.T @ y
    mu = 0.0
    w = z.copy()
    for _ in range(max_iterations):
        squared = 0.0
        slope = 0.0
        for i in range(z.shape[0]):
            w[i] = eigenvalues[i] * z[i] / (eigenvalues[i] + mu)
            squared += w[i] * w[i]
            slope += w[i] * w[i] / (eigenvalues[i] + mu)
        norm = np.sqrt(squared)
        if abs(norm - radius) <= tolerance * radius:
            break
        phi = 1.0 / norm - 1.0 / radius
        derivative = slope / (squared * norm)
        mu = max(mu - phi / derivative, 0.0)
    x = vectors @ w
    norm = np.sqrt(np.sum(x * x))
    scale = 1.0 if norm <= radius else radius / norm
    for i in range(x.shape[0]):
        out[i] = x[i] * scale


@kernel
def project_a_norm_iterative(code, radius, low, high, a, y, out, work, tolerance, max_iterations):
    """``argmin_{x in X} (x - y)^T A (x - y)`` by accelerated projected gradient (FISTA).

    Objective ``h(x) = 1/2 (x - y)^T A (x - y)``, gradient ``A (x - y)``, step ``1 / lambda_max(A)``,
    Euclidean projection onto X after every step, gradient-based adaptive restart (O'Donoghue and
    Candès 2015); warm start at ``out`` (the previous iterate, a point of X).  Stops when an
    iteration moves ``x`` by at most ``tolerance`` (max-norm).  Every iterate lies in X.
    """
    step = 1.0 / np.linalg.eigvalsh(a)[-1]
    x_previous = work[0]
    z = work[1]
    trial = work[2]
    x_previous[:] = out
    z[:] = out
    momentum = 1.0
    for _ in range(max_iterations):
        gradient = a @ (z - y)
        for i in range(y.shape[0]):
            trial[i] = z[i] - step * gradient[i]
        project(code, radius, low, high, trial, out)
        change = 0.0
        restart = 0.0
        for i in range(y.shape[0]):
            change = max(change, abs(out[i] - x_previous[i]))
            restart += (z[i] - out[i]) * (out[i] - x_previous[i])
        if change <= tolerance:
            break
        if restart > 0.0:
            momentum = 1.0
            z[:] = out
        else:
            following = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum * momentum))
            factor = (momentum - 1.0) / following
            for i in range(y.shape[0]):
                z[i] = out[i] + factor * (out[i] - x_previous[i])
            momentum = following
        x_previous[:] = out


@kernel
def ons_update(state, action, feedback):
    """``A_t = A_{t-1} + g g^T``, ``y = x_t - A_t^{-1} g / gamma``, ``x_{t+1} = Proj^{A_t}_X(y)``."""
    d = state.x.shape[0]
    g = feedback[1:]
    for i in range(d):
        for j in range(d):
            state.a[i, j] += g[i] * g[j]
    inverse_g = state.a_inverse @ g
    denominator = 1.0 + np.dot(g, inverse_g)
    for i in range(d):
        for j in range(d):
            state.a_inverse[i, j] -= inverse_g[i] * inverse_g[j] / denominator
    # A_t^{-1} g = A_{t-1}^{-1} g / (1 + g^T A_{t-1}^{-1} g)
    for i in range(d):
        state.y[i] = state.x[i] - inverse_g[i] / (denominator * state.gamma)
    if state.code == BALL:
        project_ball_a_norm(state.a, state.y, state.radius, state.x, state.tolerance, state.max_iterations)
    else:
        project_a_norm_iterative(
            state.code,
            state.radius,
            state.low,
            state.high,
            state.a,
            state.y,
            state.x,
            state.work,
            state.tolerance,
            state.max_iterations,
        )


class ONS(KernelLearner):
    """Online Newton Step (Hazan, Agarwal, Kale, Machine Learning 2007; Hazan 2016, Section 4.4).

    With gradients ``g_t`` (GRADIENT feedback), ``A_0 = epsilon I`` and ``x_1`` the set's centre::

        A_t = A_{t-1} + g_t g_t^T
        y_{t+1} = x_t - (1 / gamma) A_t^{-1} g_t
        x_{t+1} = argmin_{x in X} (x - y_{t+1})^T A_t (x - y_{t+1})

    ``A_t^{-1}`` is maintained by Sherman–Morrison (O(d^2) per round).  The generalised projection
    is exact on a ball (secular equation in the eigenbasis of ``A_t``, solved by Newton's method
    to relative precision ``tolerance``) and iterative on the simplex and boxes (accelerated
    projected gradient in the ``A_t`` norm until a step moves less than ``tolerance``).

    Bound for ``alpha``-exp-concave ``f_t`` with ``||g_t|| <= G`` on a set of diameter ``D``,
    ``gamma = 1/2 min(1 / (4 G D), alpha)``, ``epsilon = 1 / (gamma^2 D^2)`` and ``T > 4`` (Hazan
    2016, Theorem 4.5; Hazan, Agarwal, Kale 2007, Theorem 2; ``ln`` from the log-determinant)::

        R_T <= 5 (1 / alpha + G D) d ln T

    A twice-differentiable ``lam``-strongly convex ``f`` with ``||grad f|| <= G`` on X is
    ``lam / G^2``-exp-concave (Hazan 2016, Section 4.2: ``f`` is ``alpha``-exp-concave iff
    ``grad^2 f >= alpha grad f grad f^T``, and ``lam I >= (lam / G^2) grad f grad f^T``); e.g.
    :class:`~onlinelearn.environments.QuadraticLosses` (``lam = 1``) has
    ``alpha = 1 / G^2``.  Linear losses are not exp-concave for any ``alpha > 0``.

    Args:
        alpha: exp-concavity parameter of the losses (needed unless ``gamma`` is given).
        gamma: step parameter (``None``: ``1/2 min(1 / (4 G D), alpha)``).
        epsilon: initial ``A_0 = epsilon I`` (``None``: ``1 / (gamma^2 D^2)``).
        tolerance: precision of the generalised projection.
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "alpha": [Interval(float, 0, None, closed="neither"), None],
        "gamma": [Interval(float, 0, None, closed="neither"), None],
        "epsilon": [Interval(float, 0, None, closed="neither"), None],
        "tolerance": [Interval(float, 0, None, closed="neither")],
    }
    _test_params = [{"alpha": 0.1}, {"gamma": 0.5, "epsilon": 1.0}]
    act_kernel = staticmethod(ons_act)
    update_kernel = staticmethod(ons_update)

    def __init__(
        self,
        alpha: float | None = None,
        gamma: float | None = None,
        epsilon: float | None = None,
        tolerance: float = 1e-12,
    ):
        self.alpha = alpha
        self.gamma = gamma
        self.epsilon = epsilon
        self.tolerance = tolerance

    def parameters(self, spec) -> tuple[float, float]:
        """``(gamma, epsilon)`` for ``spec`` (the theorem's choices when left to None)."""
        diameter = spec.decision_set.diameter
        gamma = self.gamma
        if gamma is None:
            if self.alpha is None:
                raise ValueError(
                    "ONS needs the exp-concavity parameter 'alpha' (or 'gamma' "
                    "directly) to set gamma = 1/2 min(1 / (4 G D), alpha)."
                )
            gradient_bound = required_gradient_bound(self, spec, "gamma")
            gamma = 0.5 * min(1.0 / (4.0 * gradient_bound * diameter), self.alpha)
        epsilon = self.epsilon
        if epsilon is None:
            epsilon = 1.0 / (gamma * diameter) ** 2 if diameter > 0 else 1.0
        return float(gamma), float(epsilon)

    def init_state(self, spec, rng):
        gamma, epsilon = self.parameters(spec)
        decision_set = spec.decision_set
        d = decision_set.dimension
        code, radius, low, high = decision_set.kernel_arguments()
        return ONSState(
            decision_set.center(),
            np.zeros(d),
            epsilon * np.eye(d),
            np.eye(d) / epsilon,
            np.zeros((4, d)),
            gamma,
            code,
            radius,
            low,
            high,
            float(self.tolerance),
            10_000,
        )
