"""Strongly adaptive regret: worst interval regret per length, its normalised form, regret right
after switches, and a moving-average loss.

For a window ``I`` of rounds, ``R(I) = sum_{s in I} E l_s(a_s) - min_a sum_{s in I} E l_s(a)``
(expected losses: oracle slots 1 and 7..).  The strongly adaptive regret curve (Daniely, Gonen
and Shalev-Shwartz, ICML 2015; Jun et al., AISTATS 2017) is

    SA(tau) = max { R(I) : |I| = tau, I ended by round t },

and for K actions its normalised form ``SA(tau) / sqrt(K tau)``, which stays flat across ``tau``
for a learner with ``O~(sqrt(K |I|))`` interval regret (StABL, Lu et al., ICLR 2024).

All three trackers stream: windows are differences of prefix sums kept in a ring buffer of the
last ``max(lengths) + 1`` rounds (the machinery of :mod:`onlinelearn.trackers.interval`, reused
by composition), so memory is O(max(lengths) K) whatever the horizon and each round costs
O(K len(lengths)).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import COMPARATOR_SHIFT, EXPECTED_LOSS
from onlinelearn.core.params import Interval, IntSequence, validate_parameters
from onlinelearn.trackers.base import KernelTracker
from onlinelearn.trackers.interval import IntervalState, interval_record, interval_values


def _interval_state(lengths, n_actions: int) -> IntervalState:
    lengths = np.array([int(n) for n in lengths], dtype=np.int64)
    size = int(lengths.max()) + 1
    return IntervalState(
        lengths,
        np.full(len(lengths), -np.inf),
        np.zeros(size),
        np.zeros((size, n_actions)),
        np.zeros(1, dtype=np.int64),
    )


# --------------------------------------------------------------------------------------------
# Strongly adaptive regret curve
# --------------------------------------------------------------------------------------------
class AdaptiveState(NamedTuple):
    interval: IntervalState
    scale: np.ndarray  # (n_lengths,) sqrt(K tau)
    worst: np.ndarray  # (n_lengths,) scratch for the interval values


@kernel
def adaptive_record(state, t, record):
    interval_record(state.interval, t, record)


@kernel
def adaptive_values(state, out):
    interval_values(state.interval, state.worst)
    for i in range(state.worst.shape[0]):
        out[2 * i] = state.worst[i]
        out[2 * i + 1] = state.worst[i] / state.scale[i]


class StronglyAdaptiveRegret(KernelTracker):
    """``SA(tau)`` and ``SA(tau) / sqrt(K tau)`` for each window length ``tau`` (module docstring).

    Metrics ``sa_regret_<tau>`` and ``normalised_sa_regret_<tau>`` per length, in the given order;
    0 until ``tau`` rounds have been played.  Needs finite actions and the environment's
    ``hindsight`` kernel (expected-loss vector).

    Args:
        lengths: distinct window lengths ``tau`` (ints >= 1).
    """

    needs_hindsight = True
    needs_finite_actions = True
    _parameter_constraints = {"lengths": [IntSequence(1, non_empty=True, distinct=True)]}
    _test_params = [{"lengths": (5, 20)}, {"lengths": [1]}]
    record_kernel = staticmethod(adaptive_record)
    values_kernel = staticmethod(adaptive_values)

    def __init__(self, lengths=(100, 500, 2000)):
        self.lengths = lengths

    @property
    def metric_names(self) -> tuple[str, ...]:
        validate_parameters(self)
        names = []
        for n in self.lengths:
            names += [f"sa_regret_{int(n)}", f"normalised_sa_regret_{int(n)}"]
        return tuple(names)

    def init_state(self, spec, horizon):
        lengths = [int(n) for n in self.lengths]
        scale = np.array([math.sqrt(spec.n_actions * n) for n in lengths])
        return AdaptiveState(_interval_state(lengths, spec.n_actions), scale, np.zeros(len(lengths)))


# --------------------------------------------------------------------------------------------
# Regret on the windows that start at a switch of the per-round best action
# --------------------------------------------------------------------------------------------
class PostSwitchState(NamedTuple):
    interval: IntervalState
    switched: np.ndarray  # ring of oracle slot 6 (1 where the per-round best action changed)
    sums: np.ndarray  # (n_lengths,) sum of window regrets over switch windows
    counts: np.ndarray  # (n_lengths,) number of complete switch windows
    worst: np.ndarray  # (n_lengths,) worst switch-window regret (-inf before the first)


@kernel
def post_switch_record(state, t, record):
    interval = state.interval
    interval_record(interval, t, record)
    size = interval.learner_prefix.shape[0]
    n_actions = interval.action_prefix.shape[1]
    state.switched[t % size] = record[COMPARATOR_SHIFT]
    after = (t + 1) % size
    for i in range(interval.lengths.shape[0]):
        length = interval.lengths[i]
        start = t + 1 - length
        if start < 0 or state.switched[start % size] < 0.5:
            continue
        before = start % size
        best = np.inf
        for a in range(n_actions):
            best = min(best, interval.action_prefix[after, a] - interval.action_prefix[before, a])
        regret = interval.learner_prefix[after] - interval.learner_prefix[before] - best
        state.sums[i] += regret
        state.counts[i] += 1.0
        state.worst[i] = max(state.worst[i], regret)


@kernel
def post_switch_values(state, out):
    for i in range(state.sums.shape[0]):
        has_window = state.counts[i] > 0.0
        out[2 * i] = state.sums[i] / state.counts[i] if has_window else 0.0
        out[2 * i + 1] = state.worst[i] if has_window else 0.0


class PostSwitchRegret(KernelTracker):
    """Regret on the windows of length ``tau`` that start where the per-round best action changes.

    A window ``[s, s + tau - 1]`` counts when oracle slot 6 (COMPARATOR_SHIFT) is 1 at round ``s``,
    i.e. ``s`` is the first round after a switch.  Metrics per length: ``post_switch_regret_<tau>``,
    the mean of ``R(I)`` over the complete switch windows so far, and
    ``worst_post_switch_regret_<tau>``, their maximum (both 0 before the first complete window).
    This is where one-query bandit learners pay (Daniely et al. 2015, Theorem 3) and where a
    strongly adaptive learner should not.

    Args:
        lengths: distinct window lengths ``tau`` (ints >= 1).
    """

    needs_hindsight = True
    needs_finite_actions = True
    _parameter_constraints = {"lengths": [IntSequence(1, non_empty=True, distinct=True)]}
    _test_params = [{"lengths": (5, 20)}, {"lengths": [1]}]
    record_kernel = staticmethod(post_switch_record)
    values_kernel = staticmethod(post_switch_values)

    def __init__(self, lengths=(100, 500)):
        self.lengths = lengths

    @property
    def metric_names(self) -> tuple[str, ...]:
        validate_parameters(self)
        names = []
        for n in self.lengths:
            names += [f"post_switch_regret_{int(n)}", f"worst_post_switch_regret_{int(n)}"]
        return tuple(names)

    def init_state(self, spec, horizon):
        interval = _interval_state(self.lengths, spec.n_actions)
        n = len(self.lengths)
        size = interval.learner_prefix.shape[0]
        return PostSwitchState(interval, np.zeros(size), np.zeros(n), np.zeros(n), np.full(n, -np.inf))


# --------------------------------------------------------------------------------------------
# Moving-average loss
# --------------------------------------------------------------------------------------------
class MovingAverageState(NamedTuple):
    recent: np.ndarray  # ring of the last `window` expected losses of the played action
    rounds: np.ndarray  # int64[1]: rounds recorded


@kernel
def moving_average_record(state, t, record):
    state.recent[t % state.recent.shape[0]] = record[EXPECTED_LOSS]
    state.rounds[0] = t + 1


@kernel
def moving_average_values(state, out):
    rounds = min(state.rounds[0], state.recent.shape[0])
    if rounds <= 0:
        out[0] = 0.0
        return
    # Summed afresh at each checkpoint (O(window)): a running sum would drift by rounding.
    total = 0.0
    for i in range(rounds):
        total += state.recent[i]
    out[0] = total / rounds


class MovingAverageLoss(KernelTracker):
    """Mean expected loss of the played action over the last ``window`` rounds (``moving_average_loss``).

    The quantity plotted by Jun et al. (AISTATS 2017, Figure 1, window 10): how fast a learner's
    loss recovers after the best action changes.  Before ``window`` rounds it averages the rounds
    played so far.

    Args:
        window: number of rounds averaged (>= 1).
    """

    _parameter_constraints = {"window": [Interval(int, 1, None)]}
    _test_params = [{"window": 10}, {"window": 1}]
    record_kernel = staticmethod(moving_average_record)
    values_kernel = staticmethod(moving_average_values)

    def __init__(self, window: int = 10):
        self.window = window

    @property
    def metric_names(self) -> tuple[str, ...]:
        return ("moving_average_loss",)

    def init_state(self, spec, horizon):
        return MovingAverageState(np.zeros(int(self.window)), np.zeros(1, dtype=np.int64))
