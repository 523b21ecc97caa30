"""Oblivious adversarial bandits and experts: a loss table fixed before round 1.

``AdversarialBandit(losses)`` plays the rows of a ``(n_rounds, K)`` table in order, cyclically when
the horizon is longer than the table.  Losses are deterministic, so realised and expected losses
coincide and static regret equals pseudo-regret.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
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
from onlinelearn.core.params import ArrayLike, Options
from onlinelearn.core.sampling import argmin_first
from onlinelearn.core.spec import EnvSpec


class TableState(NamedTuple):
    losses: np.ndarray  # (n_rounds, K) loss table
    cumulative_losses: np.ndarray  # sum of rows played so far, per action
    previous_best: np.ndarray  # int64[1]: last round's best action (-1 before round 1)
    full_information: bool


@kernel
def table_step(state, rng, t, action, feedback, record):
    row = state.losses[t % state.losses.shape[0]]
    if state.full_information:
        feedback[:] = row
    else:
        feedback[0] = row[action]
    best = np.inf
    best_cumulative = np.inf
    for a in range(row.shape[0]):
        state.cumulative_losses[a] += row[a]
        best = min(best, row[a])
        best_cumulative = min(best_cumulative, state.cumulative_losses[a])
    record[LOSS] = row[action]
    record[EXPECTED_LOSS] = row[action]
    record[BEST_EXPECTED_LOSS] = best
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = best_cumulative


@kernel
def table_hindsight(state, t, action, record):
    row = state.losses[t % state.losses.shape[0]]
    record[BEST_LOSS] = record[BEST_EXPECTED_LOSS]
    record[BEST_FIXED_CUMULATIVE_LOSS] = record[BEST_FIXED_CUMULATIVE_EXPECTED]
    best = argmin_first(row)
    previous = state.previous_best[0]
    record[COMPARATOR_SHIFT] = 1.0 if previous >= 0 and previous != best else 0.0
    state.previous_best[0] = best
    for a in range(row.shape[0]):
        record[EXPECTED_LOSSES + a] = row[a]


class AdversarialBandit(KernelEnvironment):
    """An oblivious adversary given by a loss table (bandit or full-information feedback).

    Args:
        losses: ``(n_rounds, K)`` array of losses in [0, 1]; round ``t`` uses row
            ``t mod n_rounds``.
        feedback: ``"bandit"`` (the played action's loss) or ``"full"`` (the whole row; experts).
    """

    _parameter_constraints = {"losses": [ArrayLike(ndim=2, low=0.0, high=1.0)],
                              "feedback": [Options(("bandit", "full"))]}
    _test_params = [{"losses": [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]},
                    {"losses": [[0.2, 0.4, 0.9]], "feedback": "full"}]
    step_kernel = staticmethod(table_step)
    hindsight_kernel = staticmethod(table_hindsight)

    def __init__(self, losses=((0.0, 1.0), (1.0, 0.0)), feedback: str = "bandit"):
        self.losses = losses
        self.feedback = feedback

    def validate(self) -> None:
        if np.shape(self.losses)[1] < 2:
            raise ValueError("The 'losses' parameter of AdversarialBandit must have at least 2 "
                             f"columns (actions). Got shape {np.shape(self.losses)} instead.")

    def make_spec(self) -> EnvSpec:
        kind = FeedbackKind.FULL_INFORMATION if self.feedback == "full" else FeedbackKind.BANDIT
        return EnvSpec(kind, n_actions=int(np.shape(self.losses)[1]))

    def init_state(self, spec, rng):
        table = np.ascontiguousarray(self.losses, dtype=float)
        return TableState(table, np.zeros(table.shape[1]), np.full(1, -1, dtype=np.int64),
                          self.feedback == "full")
