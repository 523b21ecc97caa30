"""Slow, obviously correct NumPy references of OMD, optimistic OMD / FTRL, OFTL and optimistic Hedge.

Mirror steps on the simplex find the multiplier by plain bisection (independent of the Newton
iteration of ``onlinelearn.learners.regularizers``); Euclidean projections come from
``tests.naive.oco``; generalised projections from its brute-force ``a_norm_projection``.
"""

import numpy as np

from tests.naive.oco import a_norm_projection, project, start


def simplex_mirror_step(name, q, point, direction, eta):
    """``argmin_{simplex} eta <direction, x> + B_psi(x, point)`` by bisection on the multiplier."""
    if name == "entropic":
        logits = np.log(point) - eta * direction
        weights = np.exp(logits - logits.max())
        return weights / weights.sum()
    if name == "tsallis":
        dual = -q / (1 - q) * point ** (q - 1) - eta * direction
        c, p = (1 - q) / q, 1 / (1 - q)
    else:  # log-barrier
        dual = -1 / point - eta * direction
        c, p = 1.0, 1.0

    def x_of(nu):  # grad psi(x) = dual - nu, solved coordinate-wise
        return (c * (nu - dual)) ** (-p)

    # largest coordinate 1 (sum >= 1) .. every coordinate <= 1/d (sum <= 1)
    low, high = dual.max() + 1 / c, dual.max() + len(point) ** (1 / p) / c
    for _ in range(200):
        middle = 0.5 * (low + high)
        if x_of(middle).sum() > 1:
            low = middle
        else:
            high = middle
    x = x_of(0.5 * (low + high))
    return x / x.sum()


def omd_iterates(gradients, domain, name, step_sizes, q=0.5):
    """Greedy OMD ``x_{t+1} = argmin eta_t <g_t, x> + B(x, x_t)`` with ``eta_t = step_sizes[t]``."""
    x = start(domain, gradients.shape[1])
    out = []
    for g, eta in zip(gradients, step_sizes, strict=True):
        out.append(x)
        x = project(domain, x - eta * g) if name == "euclidean" else simplex_mirror_step(name, q, x, g, eta)
    return np.array(out)


def hints_of(gradients, hint):
    """``M_1..M_T`` for the hint rule (``M_1 = 0`` unless an external array)."""
    if not isinstance(hint, str):
        return np.asarray(hint, dtype=float)[: len(gradients)]
    previous = np.vstack([np.zeros(gradients.shape[1]), gradients[:-1]])
    if hint == "last_gradient":
        return previous
    if hint == "mean_gradient":
        counts = np.maximum(np.arange(len(gradients)), 1)[:, None]
        return np.cumsum(previous, axis=0) / counts
    return np.zeros_like(gradients)


def optimistic_omd_iterates(gradients, domain, hint, regime, diameter, gradient_bound, delta=0.0, lam=1.0):
    """Chen et al. Algorithm 1 with Euclidean regularisers, written round by round."""
    hints = hints_of(gradients, hint)
    d = gradients.shape[1]

    def eta(t, variation):  # t is 1-based
        if regime == "convex_smooth":
            return diameter / np.sqrt(delta + 4 * gradient_bound**2 + variation)
        return 2 / (lam * t)

    x_hat = start(domain, d)
    x = project(domain, x_hat - eta(1, 0.0) * hints[0])
    variation = 0.0
    out = []
    for t, g in enumerate(gradients, start=1):
        out.append(x)
        x_hat = project(domain, x_hat - eta(t, variation) * g)
        variation += np.sum((g - hints[t - 1]) ** 2)
        following = hints[t] if t < len(hints) else np.zeros(d)
        x = project(domain, x_hat - eta(t + 1, variation) * following)
    return np.array(out)


def optimistic_omd_exp_concave_iterates(gradients, domain, hint, beta, gradient_bound, h1=None):
    """The exp-concave regime with dense matrices and brute-force H-norm projections, from
    ``H_1 = h1 I`` (default: the reference notes' ``1 + beta G^2 / 2``)."""
    hints = hints_of(gradients, hint)
    d = gradients.shape[1]
    h = (1 + beta * gradient_bound**2 / 2 if h1 is None else h1) * np.eye(d)
    x_hat = start(domain, d)
    x = a_norm_projection(h, x_hat - np.linalg.solve(h, hints[0]), domain)
    out = []
    for t, g in enumerate(gradients, start=1):
        out.append(x)
        x_hat = a_norm_projection(h, x_hat - np.linalg.solve(h, g), domain)
        h = h + beta / 2 * np.outer(g, g)
        following = hints[t] if t < len(hints) else np.zeros(d)
        x = a_norm_projection(h, x_hat - np.linalg.solve(h, following), domain)
    return np.array(out)


def optimistic_ftrl_iterates(gradients, domain, hint, diameter, nu):
    """Sachs et al. Theorem 5: ``x_t = argmin <theta_t, x> + ||x - x_1||^2 / eta_t``."""
    hints = hints_of(gradients, hint)
    x1 = start(domain, gradients.shape[1])
    out = []
    weighted = 0.0
    cumulative = np.zeros(gradients.shape[1])
    for t, g in enumerate(gradients):
        eta = diameter**2 / (nu + weighted)
        out.append(project(domain, x1 - eta * (cumulative + hints[t]) / 2))
        weighted += eta * np.sum((g - hints[t]) ** 2)
        cumulative = cumulative + g
    return np.array(out)


def oftl_iterates(gradients, domain, hint, mu):
    """OFTL with the ``mu/2 ||x - x_0||^2`` first-round term, minimising the objective directly:
    ``sum_s <g_s, x> + mu/2 ||x - x_s||^2 + mu/2 ||x - x_0||^2 + <M_t, x>`` is
    ``(mu t / 2) ||x - c||^2 + const``, whose minimiser over X is ``Proj_X(c)``."""
    hints = hints_of(gradients, hint)
    x0 = start(domain, gradients.shape[1])
    points, out = [x0], []
    for t in range(1, len(gradients) + 1):
        anchors = np.array(points)
        linear = np.sum(gradients[: t - 1], axis=0) + hints[t - 1]
        center = anchors.mean(axis=0) - linear / (mu * t)
        x = project(domain, center)
        out.append(x)
        points.append(x)
    return np.array(out)


def optimistic_hedge_probabilities(losses, eta=None, scale=1.0):
    """``p_t ∝ exp(-eta_t (L_{t-1} + l_{t-1}))``; adaptive when ``eta`` is None."""
    n = losses.shape[1]
    cumulative, hint, variation = np.zeros(n), np.zeros(n), 0.0
    out = []
    for row in losses:
        rate = eta if eta is not None else np.sqrt(np.log(n) / (scale + variation))
        scores = cumulative + hint
        weights = np.exp(-rate * (scores - scores.min()))
        out.append(weights / weights.sum())
        variation += np.max(np.abs(row - hint)) ** 2
        cumulative, hint = cumulative + row, row
    return np.array(out)
