"""Dynamic regret: regret against the per-round best action, and the comparator's path length.

* Dynamic regret ``D_t = sum_{s<=t} (E l_s(a_s) - min_a E l_s(a))`` (oracle slots 1 and 2): the
  comparator may change every round.  It is the regret notion of non-stationary bandits (Besbes,
  Gur and Zeevi, NeurIPS 2014) and of dynamic OCO (Zinkevich, ICML 2003).
* Path length ``P_t = sum_{s<=t} ||u_s - u_{s-1}||`` (slot 6, written by the environment's
  ``hindsight`` kernel): the number of switches of the per-round best arm for finite actions, the
  Euclidean path length of the per-round minimisers for OCO.  Dynamic-regret bounds are stated in
  terms of it (e.g. O(sqrt(T (1 + P_T))) for OGD, O(sqrt(K T S)) for EXP3.S with S switches).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import BEST_EXPECTED_LOSS, COMPARATOR_SHIFT, EXPECTED_LOSS
from onlinelearn.trackers.base import KernelTracker


class DynamicState(NamedTuple):
    #: [dynamic regret, path length]
    sums: np.ndarray


@kernel
def dynamic_record(state, t, record):
    state.sums[0] += record[EXPECTED_LOSS] - record[BEST_EXPECTED_LOSS]
    state.sums[1] += record[COMPARATOR_SHIFT]


@kernel
def dynamic_values(state, out):
    out[0] = state.sums[0]
    out[1] = state.sums[1]


class DynamicRegret(KernelTracker):
    """Dynamic (pseudo-)regret against the per-round best action, and its path length.

    Metrics:
        ``dynamic_regret``: ``sum_{s<=t} (E l_s(a_s) - min_a E l_s(a))``, non-negative and
            non-decreasing in t.
        ``path_length``: ``sum_{s<=t}`` of the comparator shift (oracle slot 6).

    Needs the environment's ``hindsight`` kernel (slot 6).  Memory O(1).
    """

    needs_hindsight = True
    record_kernel = staticmethod(dynamic_record)
    values_kernel = staticmethod(dynamic_values)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return ("dynamic_regret", "path_length")

    def init_state(self, spec, horizon):
        return DynamicState(np.zeros(2))
