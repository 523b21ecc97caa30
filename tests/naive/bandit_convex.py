"""Slow, obviously correct two-point BGD and StABLConvex in NumPy, and a post-switch regret tracker
for continuous decision sets (the library's PostSwitchRegret needs finite actions).

The references draw ``u_t`` as ``rng.standard_normal(d)`` normalised (the same numbers as the
kernels' ``d`` scalar draws) and list the geometric covering intervals explicitly.
"""

from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import BEST_EXPECTED_LOSS, COMPARATOR_SHIFT, EXPECTED_LOSS
from onlinelearn.core.params import Interval
from onlinelearn.trackers.base import KernelTracker


def project_ball(y, radius):
    norm = np.linalg.norm(y)
    return y if norm <= radius else y * radius / norm


def direction(rng, d):
    u = rng.standard_normal(d)
    return u / np.linalg.norm(u)


def estimate(f, y, u, delta):
    """Queries ``y +- delta u``, their values, and ``g = d / (2 delta) (f+ - f-) u``."""
    queries = np.array([y + delta * u, y - delta * u])
    values = np.array([f(queries[0]), f(queries[1])])
    return queries, values, len(y) / (2 * delta) * (values[0] - values[1]) * u


def two_point_bgd_run(losses, rng, eta, delta, radius, d):
    """Queries of two-point BGD on the loss functions ``losses[t]`` (callables)."""
    x = np.zeros(d)
    out = []
    for f in losses:
        queries, _, g = estimate(f, x, direction(rng, d), delta)
        out.append(queries)
        x = project_ball(x - eta * g, radius - delta)
    return np.array(out)


def stabl_convex_run(losses, rng, eta, gamma, delta, radius, lipschitz, d):
    """Queries of StABLConvex: OGD experts on [i 2^k, (i + 1) 2^k - 1], SAOL meta on the surrogates."""
    n_levels = len(eta)
    points = np.zeros((n_levels, d))
    log_weights = np.full(n_levels, -np.inf)
    out = []
    for t, f in enumerate(losses, start=1):
        for k in range(n_levels):
            if t % 2**k == 0:  # a new interval of level k starts: fresh expert, weight gamma_k
                points[k] = 0.0
                log_weights[k] = np.log(gamma[k])
        awake = np.array([t >= 2**k for k in range(n_levels)])
        weights = np.where(awake, np.exp(log_weights - log_weights[awake].max()), 0.0)
        p = weights / weights.sum()
        y = p @ points
        queries, _, g = estimate(f, y, direction(rng, d), delta)
        out.append(queries)
        scale = 2 * radius * d * lipschitz
        for k in np.flatnonzero(awake):
            regret = (g @ y - g @ points[k]) / scale
            regret = 0.0 if abs(regret) <= 1e-12 else float(np.clip(regret, -1, 1))
            log_weights[k] += np.log(1 + gamma[k] * regret)
            points[k] = project_ball(points[k] - eta[k] * g, radius - delta)
    return np.array(out)


# --------------------------------------------------------------------------------------------
# Post-switch pseudo-regret on a continuous decision set
# --------------------------------------------------------------------------------------------
class PostSwitchState(NamedTuple):
    sums: np.ndarray  # [regret of complete windows, complete windows, regret of the open window]
    remaining: np.ndarray  # int64[1]: rounds left in the open window (0: none open)
    length: int


@kernel
def post_switch_record(state, t, record):
    if record[COMPARATOR_SHIFT] > 0.0:
        state.remaining[0] = state.length
        state.sums[2] = 0.0
    if state.remaining[0] > 0:
        state.sums[2] += record[EXPECTED_LOSS] - record[BEST_EXPECTED_LOSS]
        state.remaining[0] -= 1
        if state.remaining[0] == 0:
            state.sums[0] += state.sums[2]
            state.sums[1] += 1.0


@kernel
def post_switch_values(state, out):
    out[0] = state.sums[0] / state.sums[1] if state.sums[1] > 0.0 else 0.0


class PostSwitchPseudoRegret(KernelTracker):
    """Mean of ``sum_{t in W} (F_t(x_t) - min_X F_t)`` over the windows ``W`` of ``length`` rounds
    that start where the per-round minimiser moves (oracle slot 6 > 0).  When the loss is the same
    throughout ``W`` (a window inside one phase) this is the interval regret of ``W``."""

    needs_hindsight = True
    _parameter_constraints = {"length": [Interval(int, 1, None)]}
    record_kernel = staticmethod(post_switch_record)
    values_kernel = staticmethod(post_switch_values)

    def __init__(self, length: int = 500):
        self.length = length

    @property
    def metric_names(self):
        return ("post_switch_regret",)

    def init_state(self, spec, horizon):
        return PostSwitchState(np.zeros(3), np.zeros(1, dtype=np.int64), int(self.length))
