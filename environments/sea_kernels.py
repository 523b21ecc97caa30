"""State record and Numba kernels of the SEA environments (model, regimes and oracle slots:
:mod:`onlinelearn.environments.sea`).

``sea_step`` sets ``mu_t`` for the regime (``sea_mean``), draws the ``d`` noise signs of ``xi_t``,
writes the gradient (quadratic family) or ``xi_t`` (linear family) as feedback, and fills the
oracle record with the expected comparators and the two SEA slots.  ``sea_hindsight`` adds the
realised comparators (from the running mean of the ``xi_s``) and the per-round minimiser's shift.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from onlinelearn.environments.oco import welford_update

from onlinelearn.core.numba_options import inlined_kernel, kernel
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

#: Extra oracle slots written by the SEA environments' step kernel.
STOCHASTIC_VARIANCE = RECORD_HEADER
ADVERSARIAL_VARIATION = RECORD_HEADER + 1

QUADRATIC = 0
LINEAR = 1
IID, ADVERSARIAL, CORRUPTED, SWITCHES, DRIFT, RANDOM_ORDER = range(6)
REGIMES = {
    "iid": IID,
    "adversarial": ADVERSARIAL,
    "corrupted": CORRUPTED,
    "switches": SWITCHES,
    "drift": DRIFT,
    "random_order": RANDOM_ORDER,
}


class SEAState(NamedTuple):
    points: np.ndarray  # (k, d): the means of the regime, or the random-order points
    mean: np.ndarray  # (d,) mu_t
    previous_mean: np.ndarray  # (d,) mu_{t-1}
    xi: np.ndarray  # (d,) realised xi_t
    mean_average: np.ndarray  # (d,) running mean of the mu_s
    xi_average: np.ndarray  # (d,) running mean of the xi_s (hindsight)
    best: np.ndarray  # (d,) per-round minimiser of F_t (hindsight)
    previous_best: np.ndarray  # (d,)
    pass_sum: np.ndarray  # (d,) sum of the points left in the pass (random order)
    order: np.ndarray  # int64 (k,) indices; the first `left` are still to come in the pass
    #: [M2 of mu, M2 of xi, sum sigma_s^2, squared norms left in the pass, min_X F_t and
    #: min_X <mean of mu_s, x> or 1/2 dist(mean of mu_s, X)^2 without the noise terms]
    sums: np.ndarray
    family: int
    regime: int
    radius: float
    sigma: float
    period: int
    budget: int  # -1: unlimited
    drift: float


# Per-round kernels avoid temporaries, slices and copies (each costs an allocation or a view), and
# their last use of `state` is unconditional: Numba then releases the state at one place and
# LLVM's reference-count pruning removes the incref/decref pair of every array in it (about
# 15 ns per array per round when it cannot; docs/design.md section 6.1).  For that the helpers that
# `sea_step` calls must be inlined too: LLVM declines on its own, hence `inlined_kernel`.


@inlined_kernel
def _squared_norm(v):
    total = 0.0
    for i in range(v.shape[0]):
        total += v[i] * v[i]
    return total


@inlined_kernel
def _norm(v):
    return np.sqrt(_squared_norm(v))


@inlined_kernel
def _row_squared_norm(points, j):
    total = 0.0
    for i in range(points.shape[1]):
        total += points[j, i] * points[j, i]
    return total


@inlined_kernel
def _copy(source, out):
    for i in range(out.shape[0]):
        out[i] = source[i]


@inlined_kernel
def _half_squared_excess(norm, radius):
    """``1/2 dist(y, ball)^2`` from ``norm = ||y||``."""
    excess = max(norm - radius, 0.0)
    return 0.5 * excess * excess


@inlined_kernel
def _half_squared_distance_to_ball(y, radius):
    return _half_squared_excess(_norm(y), radius)


@kernel
def _ball_point(y, radius, out, linear):
    """Minimiser over the ball: of ``1/2 ||x - y||^2`` (projection) or of ``<y, x>``."""
    norm = _norm(y)
    for i in range(y.shape[0]):
        if linear:
            out[i] = 0.0 if norm == 0.0 else -radius * y[i] / norm
        else:
            out[i] = y[i] if norm <= radius else radius * y[i] / norm


@inlined_kernel
def rotate_in_plane(points, row, angle, out):
    """``points[row]`` rotated by ``angle`` in the plane of its first two coordinates."""
    for i in range(out.shape[0]):
        out[i] = points[row, i]
    if out.shape[0] >= 2:
        c, s = np.cos(angle), np.sin(angle)
        out[0] = c * points[row, 0] - s * points[row, 1]
        out[1] = s * points[row, 0] + c * points[row, 1]


@inlined_kernel
def _random_order_mean(state, t, u):
    """Draw the next point of the pass into ``state.xi``; ``mu_t``, ``sigma_t^2`` of the points left."""
    n, d = state.points.shape
    left = n - t % n
    if left == n:  # a new pass
        for i in range(d):
            state.pass_sum[i] = 0.0
        state.sums[3] = 0.0
        for j in range(n):
            for i in range(d):
                state.pass_sum[i] += state.points[j, i]
            state.sums[3] += _row_squared_norm(state.points, j)
    for i in range(d):
        state.mean[i] = state.pass_sum[i] / left
    variance = max(state.sums[3] / left - _squared_norm(state.mean), 0.0)
    k = min(int(u * left), left - 1)
    chosen = state.order[k]
    state.order[k] = state.order[left - 1]
    state.order[left - 1] = chosen
    for i in range(d):
        state.xi[i] = state.points[chosen, i]
        state.pass_sum[i] -= state.points[chosen, i]
    state.sums[3] -= _row_squared_norm(state.points, chosen)
    return variance


@inlined_kernel
def sea_mean(state, t, u):
    """Write ``mu_t`` into ``state.mean``; return ``sigma_t^2``.  Random order: draw the point."""
    regime = state.regime
    d = state.mean.shape[0]
    variance = 0.0
    if regime == IID:
        if t == 0:
            for i in range(d):
                state.mean[i] = state.points[0, i]
    elif regime == ADVERSARIAL:
        sign = 1.0 if (t // state.period) % 2 == 0 else -1.0
        for i in range(d):
            state.mean[i] = sign * state.points[0, i]
    elif regime == CORRUPTED:
        count = (t + 1) // state.period
        corrupted = (t + 1) % state.period == 0 and (state.budget < 0 or count <= state.budget)
        for i in range(d):
            state.mean[i] = -state.points[0, i] if corrupted else state.points[0, i]
    elif regime == SWITCHES:
        row = (t // state.period) % state.points.shape[0]
        for i in range(d):
            state.mean[i] = state.points[row, i]
    elif regime == DRIFT:
        rotate_in_plane(state.points, 0, state.drift * t, state.mean)
    else:
        variance = _random_order_mean(state, t, u)
    # sigma is 0 in the random-order regime, whose sigma_t^2 comes from the points left.
    return variance + state.sigma * state.sigma


@inlined_kernel
def _new_mean(state, t, n, linear):
    """After ``mu_t`` changed: the comparator terms ``sums[0, 4, 5]``; returns the variation term."""
    welford_update(state.mean_average, state.sums, 0, n, state.mean)
    if linear:
        state.sums[4] = -state.radius * _norm(state.mean)
        state.sums[5] = -state.radius * _norm(state.mean_average)
    else:
        state.sums[4] = _half_squared_distance_to_ball(state.mean, state.radius)
        state.sums[5] = _half_squared_distance_to_ball(state.mean_average, state.radius)
    if t == 0:
        first = _norm(state.mean) if linear else state.radius + _norm(state.mean)
        variation = first * first
    else:
        variation = 0.0
        for i in range(state.mean.shape[0]):
            variation += (state.mean[i] - state.previous_mean[i]) ** 2
    _copy(state.mean, state.previous_mean)
    return variation


@inlined_kernel
def _noise_and_losses(state, rng, action, feedback):
    """Draw ``xi_t``, write the gradient (quadratic) or ``xi_t`` (linear) into ``feedback[1:]``;
    return ``(f_t(x_t), F_t(x_t))`` without the noise term ``sigma_t^2 / 2``."""
    d = state.mean.shape[0]
    # The d noise uniforms first, in a loop of their own (parked in the feedback buffer): calling
    # the generator between the arithmetic below would spill every register at each call.
    for i in range(d):
        feedback[1 + i] = rng.random()
    scale = state.sigma / np.sqrt(d)
    value = 0.0
    expected = 0.0
    # One branch-free loop per family (the draws are the same: d signs whatever the regime).
    noisy = state.regime != RANDOM_ORDER
    xi, mean = state.xi, state.mean
    if state.family == LINEAR:
        for i in range(d):
            if noisy:
                xi[i] = mean[i] + scale * (1.0 if feedback[1 + i] < 0.5 else -1.0)
            feedback[1 + i] = xi[i]
            value += xi[i] * action[i]
            expected += mean[i] * action[i]
    else:
        for i in range(d):
            if noisy:
                xi[i] = mean[i] + scale * (1.0 if feedback[1 + i] < 0.5 else -1.0)
            gradient = action[i] - xi[i]
            feedback[1 + i] = gradient
            value += gradient * gradient
            shift = action[i] - mean[i]
            expected += shift * shift
        value *= 0.5
        expected *= 0.5
    return value, expected


@kernel
def sea_step(state, rng, t, action, feedback, record):
    variance = sea_mean(state, t, rng.random())
    value, expected = _noise_and_losses(state, rng, action, feedback)
    linear = state.family == LINEAR
    n = t + 1.0
    state.sums[2] += variance
    # i.i.d. after round 1: mu_t, its running mean and their comparator terms do not change.
    variation = 0.0
    if state.regime != IID or t == 0:
        variation = _new_mean(state, t, n, linear)
    comparator, best, scatter, noise = state.sums[5], state.sums[4], state.sums[0], state.sums[2]
    if linear:
        expected_loss, best_loss, cumulative = expected, best, n * comparator
    else:
        expected_loss = expected + 0.5 * variance
        best_loss = best + 0.5 * variance
        cumulative = n * comparator + 0.5 * scatter + 0.5 * noise
    feedback[0] = value
    record[LOSS] = value
    record[EXPECTED_LOSS] = expected_loss
    record[BEST_EXPECTED_LOSS] = best_loss
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = cumulative
    record[STOCHASTIC_VARIANCE] = variance
    record[ADVERSARIAL_VARIATION] = variation


@kernel
def sea_hindsight(state, t, action, record):
    n = t + 1.0
    linear = state.family == LINEAR
    welford_update(state.xi_average, state.sums, 1, n, state.xi)
    _ball_point(state.mean, state.radius, state.best, linear)
    shift = 0.0
    if t > 0:
        for i in range(state.best.shape[0]):
            shift += (state.best[i] - state.previous_best[i]) ** 2
    record[COMPARATOR_SHIFT] = np.sqrt(shift)
    _copy(state.best, state.previous_best)
    radius, scatter = state.radius, state.sums[1]
    xi_norm, average_norm = _norm(state.xi), _norm(state.xi_average)
    if linear:
        record[BEST_LOSS] = -radius * xi_norm
        record[BEST_FIXED_CUMULATIVE_LOSS] = -radius * n * average_norm
    else:
        record[BEST_LOSS] = _half_squared_excess(xi_norm, radius)
        record[BEST_FIXED_CUMULATIVE_LOSS] = n * _half_squared_excess(average_norm, radius) + 0.5 * scatter
