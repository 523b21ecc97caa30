"""Interval (adaptive) regret: the worst regret over contiguous windows of a given length.

For a window ``I`` of rounds, the regret on ``I`` is

    R(I) = sum_{s in I} E l_s(a_s) - min_a sum_{s in I} E l_s(a)

(expected losses: oracle slots 1 and 7..), and for each length ``n`` the tracker reports

    IR_n(t) = max { R([s - n + 1, s]) : n - 1 <= s <= t }     (rounds 0-based),

the maximum over windows of exactly ``n`` rounds that have ended by round ``t``, or 0 while no
such window exists (fewer than ``n`` rounds played).  The maximum is not clipped at 0: the
regret of a window can be negative (a learner that tracks a changing best arm beats every fixed
arm on a window), so ``IR_n`` can be negative too.  This is the adaptive regret of Hazan and
Seshadhri, "Efficient learning algorithms for changing environments", ICML 2009, restricted to
windows of one length, as in Daniely, Gonen and Shalev-Shwartz, "Strongly adaptive online
learning", ICML 2015.

Streaming: a ring buffer holds the last ``max(lengths) + 1`` prefix sums of the learner's
expected loss and of the K expected losses, so memory is O(max(lengths) * K) whatever the
horizon, and each round costs O(K * len(lengths)).  Window sums are differences of prefix sums,
so their rounding error grows like (eps * t); at t = 1e7 that is about 1e-9.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import EXPECTED_LOSS, EXPECTED_LOSSES
from onlinelearn.core.params import IntSequence, validate_parameters
from onlinelearn.trackers.base import KernelTracker


class IntervalState(NamedTuple):
    lengths: np.ndarray  # int64 (n_lengths,) window lengths
    maxima: np.ndarray  # (n_lengths,) worst window regret so far (-inf before the first window)
    learner_prefix: np.ndarray  # (L + 1,) ring of sum_{s<r} E l_s(a_s), slot r mod (L + 1)
    action_prefix: np.ndarray  # (L + 1, K) ring of sum_{s<r} E l_s(a)
    rounds: np.ndarray  # int64[1]: rounds recorded so far


@kernel
def interval_record(state, t, record):
    size = state.learner_prefix.shape[0]
    n_actions = state.action_prefix.shape[1]
    here = t % size
    after = (t + 1) % size
    state.learner_prefix[after] = state.learner_prefix[here] + record[EXPECTED_LOSS]
    for a in range(n_actions):
        state.action_prefix[after, a] = state.action_prefix[here, a] + record[EXPECTED_LOSSES + a]
    for i in range(state.lengths.shape[0]):
        length = state.lengths[i]
        if t + 1 < length:
            continue
        before = (t + 1 - length) % size
        best = np.inf
        for a in range(n_actions):
            best = min(best, state.action_prefix[after, a] - state.action_prefix[before, a])
        regret = (state.learner_prefix[after] - state.learner_prefix[before]) - best
        if regret > state.maxima[i]:
            state.maxima[i] = regret
    state.rounds[0] = t + 1


@kernel
def interval_values(state, out):
    for i in range(state.lengths.shape[0]):
        out[i] = state.maxima[i] if state.rounds[0] >= state.lengths[i] else 0.0


class IntervalRegret(KernelTracker):
    """Worst regret over contiguous windows of each given length (see the module docstring).

    Args:
        lengths: distinct window lengths (ints >= 1); one metric ``interval_regret_<length>``
            per length, in the given order.

    Metrics are 0 until ``length`` rounds have been played.  Needs finite actions and the
    environment's ``hindsight`` kernel (the expected-loss vector, slots 7..).  Memory
    O(max(lengths) * K), independent of the horizon; time O(K * len(lengths)) per round.
    """

    needs_hindsight = True
    needs_finite_actions = True
    _parameter_constraints = {"lengths": [IntSequence(1, non_empty=True, distinct=True)]}
    _test_params = [{"lengths": (5, 20)}, {"lengths": [1]}]
    record_kernel = staticmethod(interval_record)
    values_kernel = staticmethod(interval_values)

    def __init__(self, lengths=(100, 1000)):
        self.lengths = lengths

    @property
    def metric_names(self) -> tuple[str, ...]:
        # The runner asks for names before any reset: validate here too for the template error.
        validate_parameters(self)
        return tuple(f"interval_regret_{int(n)}" for n in self.lengths)

    def init_state(self, spec, horizon):
        lengths = np.array([int(n) for n in self.lengths], dtype=np.int64)
        size = int(lengths.max()) + 1
        return IntervalState(
            lengths,
            np.full(len(lengths), -np.inf),
            np.zeros(size),
            np.zeros((size, spec.n_actions)),
            np.zeros(1, dtype=np.int64),
        )
