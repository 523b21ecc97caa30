"""Static regret and pseudo-regret.

* Static regret  ``R_t = sum_{s<=t} l_s(a_s) - min_a sum_{s<=t} l_s(a)`` (realised losses, best
  fixed action in hindsight).
* Pseudo-regret ``R̄_t = sum_{s<=t} E l_s(a_s) - min_a sum_{s<=t} E l_s(a)`` (expected losses of
  the played actions against the best fixed action in expectation); for a stationary bandit this
  is the classical ``sum_s (mu_{a_s} - mu*)`` in loss form.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import (
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    EXPECTED_LOSS,
    LOSS,
)
from onlinelearn.trackers.base import KernelTracker


class CumulativeState(NamedTuple):
    #: [learner's cumulative loss, comparator's cumulative loss]
    sums: np.ndarray


@kernel
def static_record(state, t, record):
    state.sums[0] += record[LOSS]
    state.sums[1] = record[BEST_FIXED_CUMULATIVE_LOSS]


@kernel
def pseudo_record(state, t, record):
    state.sums[0] += record[EXPECTED_LOSS]
    state.sums[1] = record[BEST_FIXED_CUMULATIVE_EXPECTED]


@kernel
def difference_values(state, out):
    out[0] = state.sums[0] - state.sums[1]


class StaticRegret(KernelTracker):
    """Regret against the best fixed action in hindsight, on realised losses."""

    needs_hindsight = True
    record_kernel = staticmethod(static_record)
    values_kernel = staticmethod(difference_values)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return ("regret",)

    def init_state(self, spec, horizon):
        return CumulativeState(np.zeros(2))


class PseudoRegret(KernelTracker):
    """Regret of the expected losses against the best fixed action in expectation."""

    record_kernel = staticmethod(pseudo_record)
    values_kernel = staticmethod(difference_values)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return ("pseudo_regret",)

    def init_state(self, spec, horizon):
        return CumulativeState(np.zeros(2))
