"""Pseudo-regret next to the SEA statistics ``sigma^2_{1:t}`` and ``Sigma^2_{1:t}``.

The SEA theorems (Sachs et al. 2022; Chen et al. 2024) bound the pseudo-regret

    R̄_t = sum_{s<=t} F_s(x_s) - min_{x in X} sum_{s<=t} F_s(x)

by the cumulative stochastic variance ``sigma^2_{1:t} = sum_s sigma_s^2`` and adversarial
variation ``Sigma^2_{1:t} = sum_s sup_x ||grad F_s(x) - grad F_{s-1}(x)||^2`` (and, for the
strongly convex bounds, their per-round maxima).  This tracker reports all five from the
oracle record of an SEA environment (:mod:`onlinelearn.environments.sea`, which writes
``sigma_t^2`` and the variation term in two slots after the header); averaged over repetitions
they are the expectations the theorems use.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import BEST_FIXED_CUMULATIVE_EXPECTED, EXPECTED_LOSS, RECORD_HEADER
from onlinelearn.trackers.base import KernelTracker

STOCHASTIC_VARIANCE = RECORD_HEADER
ADVERSARIAL_VARIATION = RECORD_HEADER + 1


class SEARegretState(NamedTuple):
    #: [sum F_s(x_s), min_X sum F_s, sigma^2_{1:t}, Sigma^2_{1:t}, max sigma_s^2, max Sigma_s^2]
    sums: np.ndarray


@kernel
def sea_record(state, t, record):
    state.sums[0] += record[EXPECTED_LOSS]
    state.sums[1] = record[BEST_FIXED_CUMULATIVE_EXPECTED]
    state.sums[2] += record[STOCHASTIC_VARIANCE]
    state.sums[3] += record[ADVERSARIAL_VARIATION]
    state.sums[4] = max(state.sums[4], record[STOCHASTIC_VARIANCE])
    state.sums[5] = max(state.sums[5], record[ADVERSARIAL_VARIATION])


@kernel
def sea_values(state, out):
    out[0] = state.sums[0] - state.sums[1]
    for i in range(2, 6):
        out[i - 1] = state.sums[i]


class SEARegret(KernelTracker):
    """Pseudo-regret against ``argmin_X sum_s F_s`` with ``sigma^2_{1:t}``, ``Sigma^2_{1:t}`` and
    their per-round maxima (metrics ``pseudo_regret``, ``stochastic_variance``,
    ``adversarial_variation``, ``max_stochastic_variance``, ``max_adversarial_variation``).

    Needs an environment whose oracle record carries the two SEA slots (``spec.record_size >=
    RECORD_HEADER + 2`` on a continuous decision set), such as
    :class:`~onlinelearn.environments.sea.SEAQuadraticLosses`.
    """

    record_kernel = staticmethod(sea_record)
    values_kernel = staticmethod(sea_values)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return (
            "pseudo_regret",
            "stochastic_variance",
            "adversarial_variation",
            "max_stochastic_variance",
            "max_adversarial_variation",
        )

    def check_spec(self, spec) -> None:
        if spec.n_actions or spec.record_size < RECORD_HEADER + 2:
            raise ValueError(
                "SEARegret needs an SEA environment (onlinelearn.environments.sea) whose oracle "
                "record carries sigma_t^2 and the variation term after the header; this "
                f"environment's record has {spec.record_size} slots"
                + (f" and {spec.n_actions} finite actions." if spec.n_actions else ".")
            )

    def init_state(self, spec, horizon):
        return SEARegretState(np.zeros(6))
