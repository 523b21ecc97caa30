"""The oracle record: what trackers (the analyst) may see each round, and learners never do.

The environment's ``step`` kernel writes slots 0, 1, 2 and 5 every round (cheap: O(1) for a
stationary environment).  Its ``hindsight`` kernel writes slots 3, 4, 6 and the expected-loss
vector; the runner calls it only when a tracker asks for it, so a plain pseudo-regret run pays
nothing for comparators it does not use.  An environment may move slot 2 to its hindsight kernel
when computing it costs a loop over all actions (the repeated game does); every tracker that
reads slot 2 sets ``needs_hindsight`` (DynamicRegret does), so it is always written when read.

=====  ===============================  ===================================================
slot   name                             meaning at round t
=====  ===============================  ===================================================
0      LOSS                             realised loss of the played action
1      EXPECTED_LOSS                    expected loss of the played action, E[l_t(a_t)]
2      BEST_EXPECTED_LOSS               min over actions of this round's expected loss
3      BEST_LOSS                        min over actions of this round's realised loss
4      BEST_FIXED_CUMULATIVE_LOSS       min over fixed actions of sum_{s<=t} l_s(a)
5      BEST_FIXED_CUMULATIVE_EXPECTED   min over fixed actions of sum_{s<=t} E l_s(a)
6      COMPARATOR_SHIFT                 ||u_t - u_{t-1}||, u_t the per-round best action
                                        (1 if the best arm changed); 0 at t = 0
7..    EXPECTED_LOSSES                  finite actions only: the vector E l_t(.) of length K
=====  ===============================  ===================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOSS = 0
EXPECTED_LOSS = 1
BEST_EXPECTED_LOSS = 2
BEST_LOSS = 3
BEST_FIXED_CUMULATIVE_LOSS = 4
BEST_FIXED_CUMULATIVE_EXPECTED = 5
COMPARATOR_SHIFT = 6
EXPECTED_LOSSES = 7
RECORD_HEADER = 7


def record_size(n_actions: int | None) -> int:
    """Length of the oracle record buffer for an environment with ``n_actions`` (None: continuous)."""
    return RECORD_HEADER + (n_actions or 0)


@dataclass(frozen=True)
class OracleRecord:
    """Python view of one round's oracle record (see the module docstring for the slots)."""

    values: np.ndarray

    @property
    def loss(self) -> float:
        return float(self.values[LOSS])

    @property
    def expected_loss(self) -> float:
        return float(self.values[EXPECTED_LOSS])

    @property
    def best_expected_loss(self) -> float:
        return float(self.values[BEST_EXPECTED_LOSS])

    @property
    def expected_losses(self) -> np.ndarray:
        return self.values[EXPECTED_LOSSES:]
