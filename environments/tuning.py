"""Hyperparameter selection as a volatile bandit: arms are step sizes of SGD on a drifting stream.

:class:`HyperparameterSelection` is the downstream task that Lu, Zhang, Chen, Zhang, Woodruff and
Hazan ("Adaptive regret for bandits made possible: two queries suffice", ICLR 2024) name for
strongly adaptive bandits: choosing, round by round, among configurations of an optimiser whose
best configuration changes over time.  The construction below (problem, regimes, loss scaling)
is ours; the paper gives no instance.

Feedback: ``"bandit"``, ``"full"`` or ``"multi"`` (MULTI_QUERY with a budget of ``n_queries``),
served by the query machinery of :mod:`onlinelearn.environments.queries`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from onlinelearn.environments.queries import (
    MODES,
    QueryEnvironment,
    query_arm,
    write_row_feedback,
)

from onlinelearn.core.counter_rng import counter_normal, draw_key
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    COMPARATOR_SHIFT,
    EXPECTED_LOSS,
    EXPECTED_LOSSES,
    LOSS,
)
from onlinelearn.core.params import ArrayLike, Interval, IntSequence, Options

DRIFT_PHASE = 0
NOISE_PHASE = 1


class TuningState(NamedTuple):
    step_sizes: np.ndarray  # (K,) eta_a
    weights: np.ndarray  # (K, d) the K SGD iterates
    example: np.ndarray  # (d,) scratch: this round's x_t
    target: np.ndarray  # (d,) scratch: this round's w*_t
    periods: np.ndarray  # int64: phase lengths, used cyclically
    segment: np.ndarray  # int64[3]: phase index, its end (exclusive), previous best arm
    angle: np.ndarray  # [theta]: rotation angle of the target
    key: np.uint64  # counter stream of the examples
    radius: float
    drift_speed: float
    drift_noise: float
    noise_level: float
    loss_scale: float
    losses: np.ndarray  # (K,) realised losses of this round (read by hindsight)
    expected: np.ndarray  # (K,) expected losses of this round
    cumulative_expected: np.ndarray  # (K,)
    cumulative_losses: np.ndarray  # (K,) (hindsight)
    mode: int
    n_queries: int


@kernel
def clipped_square_mean(variance, scale):
    """``E min(1, Z^2 / scale)`` for ``Z ~ N(0, variance)``, in closed form.

    With ``m = variance / scale`` and ``b = 1 / sqrt(m)``:
    ``m (erf(b / sqrt 2) - 2 b phi(b)) + erfc(b / sqrt 2)``.
    """
    m = variance / scale
    if m <= 0.0:
        return 0.0
    b = 1.0 / math.sqrt(m)
    density = math.exp(-0.5 * b * b) / math.sqrt(2.0 * math.pi)
    return m * (math.erf(b / math.sqrt(2.0)) - 2.0 * b * density) + math.erfc(b / math.sqrt(2.0))


@kernel
def tuning_advance(state, t):
    """Enter round ``t``'s phase; write the target ``w*_t``; return the noise level ``sigma_t``."""
    while t >= state.segment[1]:
        j = state.segment[0] + 1
        state.segment[0] = j
        state.segment[1] += state.periods[j % state.periods.shape[0]]
    drifting = state.segment[0] % 2 == DRIFT_PHASE
    if drifting and t > 0:
        state.angle[0] += state.drift_speed
    d = state.target.shape[0]
    amplitude = state.radius * math.sqrt(2.0 / d)
    for j in range(d):
        state.target[j] = amplitude * math.cos(state.angle[0] + 2.0 * math.pi * j / d)
    return state.drift_noise if drifting else state.noise_level


@kernel
def tuning_round(state, t):
    """Draw ``(x_t, y_t)``, score every configuration on it, then take every SGD step."""
    sigma = tuning_advance(state, t)
    d = state.target.shape[0]
    base = t * (d + 1)
    scale = 1.0 / math.sqrt(d)
    label = 0.0
    for j in range(d):
        state.example[j] = scale * counter_normal(state.key, base + j)
        label += state.target[j] * state.example[j]
    label += sigma * counter_normal(state.key, base + d)
    for a in range(state.step_sizes.shape[0]):
        prediction = 0.0
        distance = 0.0
        for j in range(d):
            prediction += state.weights[a, j] * state.example[j]
            distance += (state.weights[a, j] - state.target[j]) ** 2
        error = prediction - label
        state.losses[a] = min(1.0, error * error / state.loss_scale)
        # Given the past, error ~ N(0, |w_a - w*|^2 / d + sigma^2) exactly (x ~ N(0, I/d)).
        state.expected[a] = clipped_square_mean(distance / d + sigma * sigma, state.loss_scale)
        step = state.step_sizes[a] * error
        for j in range(d):
            state.weights[a, j] -= step * state.example[j]


@kernel
def tuning_step(state, rng, t, action, feedback, record):
    tuning_round(state, t)
    losses, expected = state.losses, state.expected
    played = query_arm(action, 0)
    write_row_feedback(state.mode, state.n_queries, action, losses, feedback)
    best_expected = np.inf
    best_cumulative = np.inf
    for a in range(losses.shape[0]):
        state.cumulative_expected[a] += expected[a]
        best_expected = min(best_expected, expected[a])
        best_cumulative = min(best_cumulative, state.cumulative_expected[a])
    record[LOSS] = losses[played]
    record[EXPECTED_LOSS] = expected[played]
    record[BEST_EXPECTED_LOSS] = best_expected
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = best_cumulative


@kernel
def tuning_hindsight(state, t, action, record):
    best_loss = np.inf
    best_cumulative = np.inf
    best = 0
    for a in range(state.losses.shape[0]):
        state.cumulative_losses[a] += state.losses[a]
        best_loss = min(best_loss, state.losses[a])
        best_cumulative = min(best_cumulative, state.cumulative_losses[a])
        record[EXPECTED_LOSSES + a] = state.expected[a]
        if state.expected[a] < state.expected[best]:
            best = a
    record[BEST_LOSS] = best_loss
    record[BEST_FIXED_CUMULATIVE_LOSS] = best_cumulative
    record[COMPARATOR_SHIFT] = 1.0 if t > 0 and state.segment[2] != best else 0.0
    state.segment[2] = best


class HyperparameterSelection(QueryEnvironment):
    """Pick the step size of online least-squares SGD, round by round, on a drifting stream.

    Arm ``a`` is SGD with step size ``eta_a = step_sizes[a]``.  All ``K`` optimisers run inside
    the environment on the same stream (common random numbers: every learner of a repetition,
    whatever it plays or queries, faces the same losses).  Round ``t``:

    * example ``x_t ~ N(0, I_d / d)``, label ``y_t = <w*_t, x_t> + sigma_t xi_t``,
      ``xi_t ~ N(0, 1)`` (counter-based: :mod:`onlinelearn.core.counter_rng`);
    * loss of arm ``a``: its prediction error on the new example before its step, clipped and
      scaled: ``l_t(a) = min(1, (<w_t^a, x_t> - y_t)^2 / loss_scale)``;
    * every optimiser steps: ``w_{t+1}^a = w_t^a - eta_a (<w_t^a, x_t> - y_t) x_t`` (``w_0^a = 0``).

    The target ``w*_t`` has norm ``radius``: ``w*_t[j] = radius sqrt(2/d) cos(theta_t + 2 pi j / d)``.
    Phases of ``period`` rounds (a sequence is used cyclically) alternate, starting with drift:

    * drift phases: ``theta`` advances ``drift_speed`` radians per round, noise ``drift_noise``:
      large steps track the target, small ones lag (favours large ``eta``);
    * noise phases: the target is still, noise ``noise_level``: large steps jitter with the
      noise, small ones average it out (favours small ``eta``).

    With the defaults the best arm is the largest step (1.0) in drift phases and one of the two
    smallest (0.01, 0.03) once a noise phase has run a few hundred rounds; no step size is good
    in both (the test suite checks it).

    Comparator: given the past, ``<w_t^a, x_t> - y_t ~ N(0, |w_t^a - w*_t|^2 / d + sigma_t^2)``
    exactly, so the oracle's expected loss of arm ``a`` is the exact conditional expectation
    ``E_t l_t(a)`` of the clipped loss (closed form, :func:`clipped_square_mean`).  It depends on
    the realised iterates, so it is random but the same for every learner.  The per-round best
    arm (oracle slot 6) is the argmin of these expectations; in noise phases the small steps are
    close, so it can flicker between them.

    Cost O(K d) per round in every mode (all optimisers step); memory O(K d).

    Args:
        step_sizes: the K configurations ``eta_a`` in (0, 1] (K >= 2).
        dimension: ``d`` (>= 3).
        period: phase length, or a sequence of lengths used cyclically.
        radius: norm of the target ``w*``.
        drift_speed: radians per round of the target's rotation in drift phases.
        drift_noise, noise_level: label noise ``sigma`` in drift and in noise phases.
        loss_scale: squared errors are divided by it, then clipped at 1.
        feedback: ``"bandit"``, ``"full"`` or ``"multi"``.
        n_queries: queries per round with ``feedback="multi"`` (1..K).
    """

    _parameter_constraints = {
        "step_sizes": [ArrayLike(1, low=0.0, high=1.0, min_length=2)],
        "dimension": [Interval(int, 3, None)],
        "period": [Interval(int, 1, None), IntSequence(1, non_empty=True)],
        "radius": [Interval(float, 0.0, None, closed="neither")],
        "drift_speed": [Interval(float, 0.0, None)],
        "drift_noise": [Interval(float, 0.0, None)],
        "noise_level": [Interval(float, 0.0, None)],
        "loss_scale": [Interval(float, 0.0, None, closed="neither")],
        "feedback": [Options(tuple(MODES))],
        "n_queries": [Interval(int, 1, None)],
    }
    _test_params = [
        {"step_sizes": (0.05, 0.5), "dimension": 3, "period": 10},
        {"step_sizes": (0.01, 0.1, 1.0), "period": [5, 20], "feedback": "full"},
        {"step_sizes": (0.01, 0.1, 1.0), "dimension": 4, "period": 7, "feedback": "multi", "n_queries": 2},
    ]
    step_kernel = staticmethod(tuning_step)
    hindsight_kernel = staticmethod(tuning_hindsight)

    def __init__(
        self,
        step_sizes=(0.01, 0.03, 0.1, 0.3, 1.0),
        dimension: int = 10,
        period=2000,
        radius: float = 2.0,
        drift_speed: float = 0.04,
        drift_noise: float = 0.1,
        noise_level: float = 1.0,
        loss_scale: float = 2.0,
        feedback: str = "bandit",
        n_queries: int = 2,
    ):
        self.step_sizes = step_sizes
        self.dimension = dimension
        self.period = period
        self.radius = radius
        self.drift_speed = drift_speed
        self.drift_noise = drift_noise
        self.noise_level = noise_level
        self.loss_scale = loss_scale
        self.feedback = feedback
        self.n_queries = n_queries

    def table_actions(self) -> int:
        return len(self.step_sizes)

    def validate(self) -> None:
        super().validate()
        if np.any(np.asarray(self.step_sizes, dtype=float) <= 0.0):
            raise ValueError(
                "The 'step_sizes' parameter of HyperparameterSelection must be a finite 1-D array "
                f"of length >= 2 with entries in (0, 1]. Got {self.step_sizes!r} instead."
            )

    @property
    def periods(self) -> np.ndarray:
        if isinstance(self.period, int | np.integer):
            return np.array([int(self.period)], dtype=np.int64)
        return np.array([int(p) for p in self.period], dtype=np.int64)

    def phase_starts(self, horizon: int) -> list[tuple[int, int]]:
        """``(first round, DRIFT_PHASE or NOISE_PHASE)`` of every phase starting before ``horizon``."""
        periods, starts, start = self.periods, [], 0
        while start < horizon:
            starts.append((start, len(starts) % 2))
            start += int(periods[(len(starts) - 1) % len(periods)])
        return starts

    def make_spec(self):
        return self.feedback_spec(self.table_actions())

    def init_state(self, spec, rng):
        step_sizes = np.array(self.step_sizes, dtype=float)
        n_arms, d = step_sizes.shape[0], int(self.dimension)
        periods = self.periods
        return TuningState(
            step_sizes,
            np.zeros((n_arms, d)),
            np.zeros(d),
            np.zeros(d),
            periods,
            np.array([0, periods[0], -1], dtype=np.int64),
            np.zeros(1),
            draw_key(rng),
            float(self.radius),
            float(self.drift_speed),
            float(self.drift_noise),
            float(self.noise_level),
            float(self.loss_scale),
            np.zeros(n_arms),
            np.zeros(n_arms),
            np.zeros(n_arms),
            np.zeros(n_arms),
            MODES[self.feedback],
            spec.n_queries,  # the budget feedback_spec declared (1 unless feedback="multi")
        )
