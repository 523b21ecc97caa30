"""Slow, obviously correct OGD, FTRL and ONS in NumPy on a fixed gradient sequence.

Projections are written independently of ``onlinelearn.core.decision_sets`` (the simplex by
bisection on the threshold; the ONS generalised projection by brute force).
"""

import itertools

import numpy as np
from scipy.optimize import brentq


def project_ball(y, radius):
    norm = np.linalg.norm(y)
    return y if norm <= radius else y * radius / norm


def project_simplex(y):
    """``max(y - theta, 0)`` with ``theta`` found by bisection so that the sum is 1."""
    low, high = y.min() - 1.0, y.max()
    for _ in range(200):
        theta = 0.5 * (low + high)
        if np.maximum(y - theta, 0.0).sum() > 1.0:
            low = theta
        else:
            high = theta
    return np.maximum(y - 0.5 * (low + high), 0.0)


def project(domain, y, radius=1.0):
    return project_ball(y, radius) if domain == "ball" else project_simplex(y)


def start(domain, d):
    return np.zeros(d) if domain == "ball" else np.full(d, 1.0 / d)


def ogd_iterates(gradients, domain, step_sizes, radius=1.0):
    """``x_1..x_T`` of projected OGD with ``x_{t+1} = P(x_t - eta_t g_t)``, ``eta_t = step_sizes[t]``."""
    x = start(domain, gradients.shape[1])
    out = []
    for g, eta in zip(gradients, step_sizes, strict=True):
        out.append(x)
        x = project(domain, x - eta * g, radius)
    return np.array(out)


def ftrl_iterates(gradients, domain, eta, regularizer, radius=1.0):
    """``x_t = argmin <G_{t-1}, x> + psi(x) / eta`` (closed forms)."""
    d = gradients.shape[1]
    x1 = start(domain, d)
    cumulative = np.zeros(d)
    out = []
    for g in gradients:
        if regularizer == "entropic":
            weights = np.exp(-eta * cumulative)
            out.append(weights / weights.sum())
        else:
            out.append(project(domain, x1 - eta * cumulative, radius))
        cumulative = cumulative + g
    return np.array(out)


def a_norm_projection(a, y, domain, radius=1.0):
    """``argmin_{x in X} (x - y)^T A (x - y)``, by brute force on small problems.

    Ball: ``x(mu) = (A + mu I)^{-1} A y`` with ``||x(mu)|| = r`` found by ``brentq`` (dense solves).
    Simplex: every support ``S`` in turn, solving the equality-constrained QP on ``S`` by its KKT
    system and keeping the feasible solution with the smallest objective (exact, O(2^d)).
    """
    d = y.shape[0]
    if domain == "ball":
        if np.linalg.norm(y) <= radius:
            return y

        def x_of(mu):
            return np.linalg.solve(a + mu * np.eye(d), a @ y)

        high = 1.0
        while np.linalg.norm(x_of(high)) > radius:
            high *= 2
        mu = brentq(lambda m: np.linalg.norm(x_of(m)) - radius, 0.0, high, xtol=1e-15, rtol=1e-15)
        return x_of(mu)
    best, best_value = None, np.inf
    for size in range(1, d + 1):
        for support in itertools.combinations(range(d), size):
            s = list(support)
            k = len(s)
            # minimise (x_S - y_S)^T A_SS (x_S - y_S) - 2 (x_S - y_S)^T A_S,rest y_rest ... directly:
            # x = P z with P the columns e_S; objective (P z - y)^T A (P z - y), constraint sum z = 1.
            p = np.eye(d)[:, s]
            kkt = np.zeros((k + 1, k + 1))
            kkt[:k, :k] = 2 * p.T @ a @ p
            kkt[:k, k] = 1.0
            kkt[k, :k] = 1.0
            rhs = np.concatenate([2 * p.T @ a @ y, [1.0]])
            z = np.linalg.solve(kkt, rhs)[:k]
            if np.all(z >= -1e-12):
                x = p @ np.maximum(z, 0.0)
                x /= x.sum()
                value = (x - y) @ a @ (x - y)
                if value < best_value:
                    best, best_value = x, value
    return best


def ons_iterates(gradients, domain, gamma, epsilon, radius=1.0):
    """ONS with dense solves and brute-force generalised projections."""
    d = gradients.shape[1]
    x = start(domain, d)
    a = epsilon * np.eye(d)
    out = []
    for g in gradients:
        out.append(x)
        a = a + np.outer(g, g)
        y = x - np.linalg.solve(a, g) / gamma
        inside = (
            np.linalg.norm(y) <= radius if domain == "ball" else (np.all(y >= 0) and abs(y.sum() - 1) < 1e-15)
        )
        x = y if inside else a_norm_projection(a, y, domain, radius)
    return np.array(out)
