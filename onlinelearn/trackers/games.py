"""Trackers of repeated games: the follower's regrets and the leader's payoff against ``V``.

They read the game slots of a :class:`~onlinelearn.games.GameSpec` record (layout in
:mod:`onlinelearn.games.spec`): the follower's mixed strategy ``y_t`` and payoff vector
``r_t = B[i_t, :]``, or ``x_t^T B`` when the leader plays mixed strategies (raw units of ``B``),
and the leader's expected payoff ``-EXPECTED_LOSS = A[i_t, :] y_t`` (``x_t^T A y_t``).  All
regrets are expectations over the follower's own randomisation given the realised play (for FTL
and FTPL, ``y_t`` is the played action).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import EXPECTED_LOSS
from onlinelearn.games.spec import FOLLOWER_STRATEGY, GameSpec
from onlinelearn.trackers.base import KernelTracker


class FollowerRegretState(NamedTuple):
    strategy_slot: int  # first slot of y_t in the record
    cumulative_payoffs: np.ndarray  # sum_t r_t, (n,)
    earned: np.ndarray  # [sum_t <y_t, r_t>]
    swap_gains: np.ndarray  # M[j, k] = sum_t y_t(j) (r_t(k) - r_t(j)), (n, n)


@kernel
def follower_regret_record(state, t, record):
    n = state.cumulative_payoffs.shape[0]
    y0 = state.strategy_slot
    r0 = y0 + n
    for j in range(n):
        payoff = record[r0 + j]
        state.cumulative_payoffs[j] += payoff
        weight = record[y0 + j]
        state.earned[0] += weight * payoff
        if weight > 0.0:
            for k in range(n):
                state.swap_gains[j, k] += weight * (record[r0 + k] - payoff)


@kernel
def follower_regret_values(state, out):
    n = state.cumulative_payoffs.shape[0]
    best = -np.inf
    swap = 0.0
    for j in range(n):
        best = max(best, state.cumulative_payoffs[j])
        gain = 0.0  # k = j gains nothing
        for k in range(n):
            gain = max(gain, state.swap_gains[j, k])
        swap += gain
    out[0] = best - state.earned[0]
    out[1] = swap


def _check_game_spec(tracker, spec) -> None:
    if not isinstance(spec, GameSpec):
        raise ValueError(
            f"{type(tracker).__name__} needs a repeated-game environment (GameSpec). "
            f"Got {type(spec).__name__} instead."
        )


class FollowerRegret(KernelTracker):
    """The follower's external and swap regret, in units of its payoffs ``B``.

    With ``r_t = B[i_t, :]`` and ``y_t`` the follower's mixed strategy at round ``t``::

        external  R_T      = max_k sum_t r_t(k) - sum_t <y_t, r_t>
        swap      R^swap_T = sum_j max_k sum_t y_t(j) (r_t(k) - r_t(j))

    (Blum and Mansour, JMLR 2007).  ``R^swap_T >= max(0, R_T)``.  O(n^2) memory and work a round.
    """

    needs_hindsight = True  # the game slots are written by the environment's hindsight kernel
    record_kernel = staticmethod(follower_regret_record)
    values_kernel = staticmethod(follower_regret_values)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return ("follower_external_regret", "follower_swap_regret")

    def check_spec(self, spec) -> None:
        super().check_spec(spec)
        _check_game_spec(self, spec)

    def init_state(self, spec, horizon):
        n = spec.n_follower_actions
        return FollowerRegretState(
            int(spec.game_slots_start + FOLLOWER_STRATEGY), np.zeros(n), np.zeros(1), np.zeros((n, n))
        )


class StackelbergGapState(NamedTuple):
    sums: np.ndarray  # [sum_t expected leader payoff, rounds]
    stackelberg_value: float


@kernel
def stackelberg_gap_record(state, t, record):
    state.sums[0] -= record[EXPECTED_LOSS]
    state.sums[1] += 1.0


@kernel
def stackelberg_gap_values(state, out):
    average = state.sums[0] / max(state.sums[1], 1.0)
    out[0] = average
    out[1] = average - state.stackelberg_value


class StackelbergGap(KernelTracker):
    """The leader's average expected payoff and its excess over the Stackelberg value ``V``.

    ``average_utility_t = (1/t) sum_{s<=t} A[i_s, :] y_s`` and ``stackelberg_gap_t =
    average_utility_t - V``: positive when the leader beats committing (possible against
    mean-based followers with at least 3 actions), at most ``o(1)`` against no-swap-regret
    followers (Deng, Schneider and Sivan, NeurIPS 2019).
    """

    record_kernel = staticmethod(stackelberg_gap_record)
    values_kernel = staticmethod(stackelberg_gap_values)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return ("average_utility", "stackelberg_gap")

    def check_spec(self, spec) -> None:
        super().check_spec(spec)
        _check_game_spec(self, spec)

    def init_state(self, spec, horizon):
        return StackelbergGapState(np.zeros(2), float(spec.stackelberg_value))
