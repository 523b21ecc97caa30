"""Interval schedules and sleeping-expert bookkeeping shared by the strongly adaptive meta-learners.

A strongly adaptive meta-learner (SAOL, CBCE, AdaNormalHedge over intervals, StABL) runs one copy
of a base learner per interval of a *schedule*, restarted at the interval's first round, and mixes
the copies that are awake.  Two schedules, one abstraction (rounds ``t = 1, 2, ...``):

* geometric covering intervals (Daniely, Gonen and Shalev-Shwartz, "Strongly adaptive online
  learning", ICML 2015): for every level ``k >= 0`` the intervals ``[i 2^k, (i + 1) 2^k - 1]``,
  ``i >= 1``.  Level ``k`` restarts at every multiple of ``2^k``; ``floor(log2 t) + 1`` are awake.
* data-streaming intervals with lifetime factor ``g`` (Jun, Orabona, Wright and Willett, "Improved
  strongly adaptive online learning using coin betting", AISTATS 2017, section 4): one run starts
  at every round ``t``, at level ``u(t)`` (the exponent of the largest power of 2 dividing ``t``),
  and lives ``g 2^u(t)`` rounds.

Both live in a fixed array of *slots*: level ``k`` owns ``copies`` slots (1 for the geometric
cover; ``ceil(g / 2)`` for data streaming, since runs of one level start ``2^(k+1)`` rounds apart
and live ``g 2^k`` rounds), and a run that starts takes over the slot of the expired run of its
level.  A slot is awake at round ``t`` iff ``start <= t <= end``.  Memory and per-round cost are
O(K log T) for K actions and horizon T.

Two kinds of runs share this bookkeeping.  *Composed* runs (:mod:`onlinelearn.learners.composed`)
are copies of any registered base learner, each a state record of the base driven by the base's
own kernels.  *Exponential-weights rows* (the helpers below) are a specialisation: a run of
Hedge or EXP3 with a fixed-horizon tuning is one row of a ``(n_slots, K)`` array of cumulative
(estimated) losses, its probabilities recomputed in log space each round; SAOL, CBCE and
AdaNormalHedge use it for those two bases (exact and bit-for-bit the results of the original
specialised kernels), StABL and the bandit-convex learner for their own runs.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import inlined_kernel, ir_inlined_kernel
from onlinelearn.core.sampling import sample_index

GEOMETRIC = 0
STREAMING = 1
SCHEDULES = {"geometric": GEOMETRIC, "streaming": STREAMING}

#: Initial meta weight of a run: uniform, CBCE's prior over start times, or SAOL's step size.
PRIOR_UNIFORM = 0
PRIOR_START_TIME = 1
PRIOR_STEP_SIZE = 2

#: Feedback modes of the shared update (the played arm's loss, every loss, or two queries).
MODE_FULL = 0
MODE_BANDIT = 1
MODE_MULTI = 2

_ESTIMATE_CAP = 1e300
_ROUNDING = 1e-12


class SleepingState(NamedTuple):
    """State of a meta-learner on an interval schedule: the schedule, the meta weights, and the
    runs' rows (exponential-weights runs keep their cumulative losses here; composed runs keep
    ``base_losses`` of width 0, ``base_eta`` only for its length, and their points or
    distributions in ``base_probabilities``)."""

    schedule: int  # GEOMETRIC or STREAMING
    copies: int  # slots per level
    lifetime_factor: int  # g (streaming) or 1 (geometric)
    slot_levels: np.ndarray  # int64 (n_slots,): level of each slot (slot // copies, precomputed)
    next_copy: np.ndarray  # int64 (n_levels,): the copy of a level its next run takes (streaming)
    starts: np.ndarray  # int64 (n_slots,): first round (1-based) of the slot's run, 0 = never started
    ends: np.ndarray  # int64 (n_slots,): last round of the slot's run
    awake: np.ndarray  # bool (n_slots,): runs awake this round (written by begin_round)
    base_eta: np.ndarray  # (n_levels,): step size of a run of that level (base's own tuning)
    base_losses: np.ndarray  # (n_slots, K): cumulative (estimated) losses of each run since its start
    base_probabilities: np.ndarray  # (n_slots, K or d): x_t^J of each awake run (written by act)
    prior: int  # PRIOR_* code: the initial log weight of a run
    meta_rate: np.ndarray  # (n_levels,): meta step size of a run of that level (SAOL, StABL)
    log_weights: np.ndarray  # (n_slots,): log meta weight or log prior of each run
    meta_stats: np.ndarray  # (n_slots, 3): meta statistics (meaning depends on the meta)
    meta_probabilities: np.ndarray  # (n_slots,): p_t(J), zero for sleeping runs
    probabilities: np.ndarray  # (K or d,): the played mixture x_t = sum_J p_t(J) x_t^J
    estimates: np.ndarray  # (K or d,): this round's loss vector, its estimate, or the gradient
    slot_losses: np.ndarray  # (n_slots,): <x_t^J, estimates>
    scalars: np.ndarray  # [rounds played, meta loss <x_t, estimates>]
    warm_start: bool  # new runs start at the previous round's played mixture
    mode: int  # MODE_FULL, MODE_BANDIT or MODE_MULTI (StABL, with its own update)
    observation: np.ndarray  # (K,) q_t = mean of the awake runs' x_t^J (+ epsilon): StABL's second query
    queries: np.ndarray  # int64 [played, observed] (MODE_MULTI); else empty
    exploration: float  # epsilon: weight of the uniform distribution in q_t (MODE_MULTI)


# --------------------------------------------------------------------------------------------
# Schedule
# --------------------------------------------------------------------------------------------
@inlined_kernel
def trailing_zeros(t):
    """``u(t)``: exponent of the largest power of 2 dividing ``t >= 1``."""
    u = 0
    while t % 2 == 0:
        t //= 2
        u += 1
    return u


@inlined_kernel
def next_streaming_slot(next_copy, u, copies):
    """Slot of the run that level ``u`` starts now: its copies take turns, so the ``m``-th run of
    the level (started at ``t = 2^u (2m + 1)``) takes copy ``m mod copies``.

    Counted rather than computed as ``(t >> (u + 1)) % copies``: a division by a run-time value
    brings a ZeroDivisionError exit, and on that path Numba keeps the reference counting of every
    array of the caller's state record (about 110 ns a round, docs/design.md section 6.3).
    """
    copy = next_copy[u]
    following = copy + 1
    next_copy[u] = 0 if following == copies else following
    return u * copies + copy


@inlined_kernel
def restart_slot(state, slot, t, lifetime):
    """Start a fresh run in ``slot`` at round ``t`` for ``lifetime`` rounds (sleeping bookkeeping)."""
    state.starts[slot] = t
    state.ends[slot] = t + lifetime - 1
    level = state.slot_levels[slot]
    n_actions = state.base_losses.shape[1]
    if state.warm_start and t > 1:
        # x_t^J = x_{t-1}: cumulative losses -ln(x_{t-1}) / eta reproduce the mixture exactly.
        eta = state.base_eta[level]
        for a in range(n_actions):
            state.base_losses[slot, a] = -np.log(max(state.probabilities[a], 1e-300)) / eta
    else:
        for a in range(n_actions):
            state.base_losses[slot, a] = 0.0
    for j in range(state.meta_stats.shape[1]):
        state.meta_stats[slot, j] = 0.0
    if state.prior == PRIOR_START_TIME:
        # Jun et al. (2017): pi_J ∝ 1 / (J_1^2 (1 + floor(log2 J_1))).
        state.log_weights[slot] = -2.0 * np.log(t) - np.log(1.0 + np.floor(np.log2(t)))
    elif state.prior == PRIOR_STEP_SIZE:
        state.log_weights[slot] = np.log(state.meta_rate[level])  # SAOL: w = eta_I at the start
    else:
        state.log_weights[slot] = 0.0


@inlined_kernel
def begin_round(state):
    """Restart the runs whose interval starts this round, refresh the awake mask, return ``t``."""
    t = np.int64(state.scalars[0]) + 1
    n_levels = state.base_eta.shape[0]
    if state.schedule == GEOMETRIC:
        for k in range(n_levels):
            length = np.int64(1) << k
            # t % 2^k as a mask: a modulo by a run-time value is a division (~130 ns a round).
            if t & (length - 1) == 0:
                restart_slot(state, k, t, length)
    else:
        u = min(trailing_zeros(t), n_levels - 1)
        slot = next_streaming_slot(state.next_copy, u, state.copies)
        restart_slot(state, slot, t, state.lifetime_factor * (np.int64(1) << u))
    starts, ends, awake = state.starts, state.ends, state.awake
    for slot in range(starts.shape[0]):
        awake[slot] = starts[slot] > 0 and starts[slot] <= t <= ends[slot]
    return t


# Kernels below read the state's arrays into locals once: calling a helper with the whole state
# per slot costs a reference-count update of every array of the record (measured 200 ns a call).


@ir_inlined_kernel
def play_mixture(state, scores, rng):
    """Play the meta's mixture of the awake exponential-weights runs; return the drawn action.

    ``x_t^J ∝ exp(-eta_J L_J)`` for every awake run ``J`` (log space, into
    ``base_probabilities``); ``p_t(J) ∝ exp(scores[J])`` over the awake runs, or over their log
    weights when every score is ``-inf`` (into ``meta_probabilities``); ``x_t = sum_J p_t(J)
    x_t^J`` (into ``probabilities``); one inverse-CDF draw from ``x_t``.  Also StABL's observation
    distribution ``q_t = (1 - epsilon) mean_J x_t^J + epsilon / K`` (into ``observation``; the
    other meta-learners ignore it).

    One helper, inlined at IR level, that reads the record's arrays once and makes two passes over
    the runs, with no branch on the mode: split into helpers inlined by LLVM, or with a branch
    around the arrays it uses, the same arithmetic costs 200-300 ns more a round; ``q_t`` in the
    same loop as ``x_t`` costs the others about 40 ns, less than any branch that skips it
    (docs/design.md section 6.3).
    """
    awake, losses, eta = state.awake, state.base_losses, state.base_eta
    levels, distributions = state.slot_levels, state.base_probabilities
    log_weights, weights, mixture = state.log_weights, state.meta_probabilities, state.probabilities
    observation, exploration = state.observation, state.exploration
    n_slots, n_actions = losses.shape
    # Pass 1: the runs' distributions and the largest score (and log weight) of an awake run.
    n_awake = 0
    highest = -np.inf
    highest_log_weight = -np.inf
    for slot in range(n_slots):
        if awake[slot]:
            n_awake += 1
            highest = max(highest, scores[slot])
            highest_log_weight = max(highest_log_weight, log_weights[slot])
            rate = eta[levels[slot]]
            lowest = np.inf
            for a in range(n_actions):
                lowest = min(lowest, losses[slot, a])
            total = 0.0
            for a in range(n_actions):
                value = np.exp(-rate * (losses[slot, a] - lowest))
                distributions[slot, a] = value
                total += value
            for a in range(n_actions):
                distributions[slot, a] /= total
    # Every score -inf: the log weights instead (a choice of numbers, not of arrays: an array
    # chosen in a branch keeps the reference counting of the record's arrays, ~250 ns a round).
    fallback = highest == -np.inf
    if fallback:
        highest = highest_log_weight
    # Pass 2: the meta's distribution, the mixture and the observation distribution.
    total = 0.0
    for slot in range(n_slots):
        value = 0.0
        if awake[slot]:
            value = np.exp((log_weights[slot] if fallback else scores[slot]) - highest)
        weights[slot] = value
        total += value
    share = (1.0 - exploration) / n_awake
    uniform = exploration / n_actions
    for a in range(n_actions):
        mixture[a] = 0.0
        observation[a] = uniform
    for slot in range(n_slots):
        weights[slot] /= total
        if awake[slot]:
            # Adding weight 0 (a run whose weight underflowed) leaves x_t unchanged, bit for bit.
            weight = weights[slot]
            for a in range(n_actions):
                mixture[a] += weight * distributions[slot, a]
                observation[a] += share * distributions[slot, a]
    return sample_index(mixture, rng.random())


@inlined_kernel
def normalise_log_weights(state):
    """``p_t(J) ∝ exp(log_weights[J])`` over awake runs with finite log weight; False if none."""
    awake, log_weights, out = state.awake, state.log_weights, state.meta_probabilities
    highest = -np.inf
    for slot in range(awake.shape[0]):
        if awake[slot] and log_weights[slot] > highest:
            highest = log_weights[slot]
    if highest == -np.inf:
        return False
    total = 0.0
    for slot in range(awake.shape[0]):
        value = 0.0
        if awake[slot] and log_weights[slot] > -np.inf:
            value = np.exp(log_weights[slot] - highest)
        out[slot] = value
        total += value
    for slot in range(awake.shape[0]):
        out[slot] /= total
    return True


@inlined_kernel
def normalise_scores(awake, scores, out):
    """``out[J] ∝ exp(scores[J])`` over awake runs; False (out untouched) if every score is -inf."""
    highest = -np.inf
    for slot in range(awake.shape[0]):
        if awake[slot] and scores[slot] > highest:
            highest = scores[slot]
    if highest == -np.inf:
        return False
    total = 0.0
    for slot in range(awake.shape[0]):
        value = np.exp(scores[slot] - highest) if awake[slot] else 0.0
        out[slot] = value
        total += value
    for slot in range(awake.shape[0]):
        out[slot] /= total
    return True


@inlined_kernel
def mix_and_sample(state, rng):
    """``x_t = sum_J p_t(J) x_t^J`` into ``state.probabilities``, then one inverse-CDF draw."""
    mixture, weights, runs = state.probabilities, state.meta_probabilities, state.base_probabilities
    n_actions = mixture.shape[0]
    for a in range(n_actions):
        mixture[a] = 0.0
    for slot in range(weights.shape[0]):
        weight = weights[slot]
        if weight > 0.0:
            for a in range(n_actions):
                mixture[a] += weight * runs[slot, a]
    return sample_index(mixture, rng.random())


# --------------------------------------------------------------------------------------------
# Update
# --------------------------------------------------------------------------------------------
@inlined_kernel
def estimate_losses(state, action, feedback):
    """Loss vector (full information) or importance-weighted estimate (bandit, one query)."""
    estimates = state.estimates
    n_actions = estimates.shape[0]
    if state.mode == MODE_FULL:
        for a in range(n_actions):
            estimates[a] = feedback[a]
    else:
        for a in range(n_actions):
            estimates[a] = 0.0
        estimates[action] = min(feedback[0] / state.probabilities[action], _ESTIMATE_CAP)


@inlined_kernel
def score_runs(state):
    """``slot_losses[J] = <x_t^J, estimates>`` and the meta loss ``<x_t, estimates>``."""
    estimates, mixture, runs = state.estimates, state.probabilities, state.base_probabilities
    awake, out = state.awake, state.slot_losses
    n_actions = estimates.shape[0]
    meta = 0.0
    for a in range(n_actions):
        meta += mixture[a] * estimates[a]
    state.scalars[1] = meta
    for slot in range(awake.shape[0]):
        value = 0.0
        if awake[slot]:
            for a in range(n_actions):
                value += runs[slot, a] * estimates[a]
        out[slot] = value


@inlined_kernel
def clipped_regret(meta_loss, run_loss):
    """``r_t(J) = <x_t, l_t> - <x_t^J, l_t>``, clipped to [-1, 1] (exact for full information).

    Differences below 1e-12 are rounding noise of the mixture (a run equal to the mixture would
    otherwise get outcomes of +-1e-17), and are set to 0 so that coin-betting fractions are not
    switched on by them.
    """
    regret = meta_loss - run_loss
    if abs(regret) <= _ROUNDING:
        return 0.0
    return min(1.0, max(-1.0, regret))


@inlined_kernel
def update_bases(state):
    """Every awake run adds this round's (estimated) losses; then the round counter advances."""
    awake, losses, estimates = state.awake, state.base_losses, state.estimates
    n_actions = estimates.shape[0]
    for slot in range(awake.shape[0]):
        if awake[slot]:
            for a in range(n_actions):
                losses[slot, a] = min(losses[slot, a] + estimates[a], _ESTIMATE_CAP)
    state.scalars[0] += 1.0


# --------------------------------------------------------------------------------------------
# Python side: sizes, tunings and the state
# --------------------------------------------------------------------------------------------
def n_levels_for(horizon: int) -> int:
    """``floor(log2 T) + 1`` levels cover every round up to ``T``."""
    return int(math.floor(math.log2(max(int(horizon), 1)))) + 1


def lifetimes(schedule: str, n_levels: int, lifetime_factor: int) -> np.ndarray:
    """Length of a run of each level."""
    factor = 1 if schedule == "geometric" else int(lifetime_factor)
    return np.array([factor * 2**k for k in range(n_levels)], dtype=np.int64)


def copies_for(schedule: str, lifetime_factor: int) -> int:
    return 1 if schedule == "geometric" else max(1, math.ceil(int(lifetime_factor) / 2))


def sleeping_state(
    spec,
    schedule: str,
    lifetime_factor: int,
    base_eta: np.ndarray,
    meta_rate: np.ndarray,
    prior: int,
    warm_start: bool,
    mode: int,
    width: int | None = None,
    loss_width: int | None = None,
    exploration: float = 0.0,
) -> SleepingState:
    """The state of ``n_levels = len(base_eta)`` levels of runs on ``schedule``.

    ``width`` is the length of a run's distribution (default ``spec.n_actions``; the dimension
    for runs that play points) and ``loss_width`` that of a run's cumulative-loss row (default
    ``width``; 0 for composed runs, which keep their losses in their own state).
    """
    n_levels = base_eta.shape[0]
    copies = copies_for(schedule, lifetime_factor)
    n_slots = n_levels * copies
    n_actions = int(spec.n_actions) if width is None else int(width)
    loss_width = n_actions if loss_width is None else int(loss_width)
    return SleepingState(
        SCHEDULES[schedule],
        copies,
        1 if schedule == "geometric" else int(lifetime_factor),
        np.arange(n_slots, dtype=np.int64) // copies,
        np.zeros(n_levels, dtype=np.int64),
        np.zeros(n_slots, dtype=np.int64),
        np.zeros(n_slots, dtype=np.int64),
        np.zeros(n_slots, dtype=np.bool_),
        np.ascontiguousarray(base_eta, dtype=float),
        np.zeros((n_slots, loss_width)),
        np.full((n_slots, n_actions), 1.0 / n_actions),
        int(prior),
        np.ascontiguousarray(meta_rate, dtype=float),
        np.full(n_slots, -np.inf),
        np.zeros((n_slots, 3)),
        np.zeros(n_slots),
        np.full(n_actions, 1.0 / n_actions),
        np.zeros(n_actions),
        np.zeros(n_slots),
        np.zeros(2),
        bool(warm_start),
        int(mode),
        np.full(n_actions, 1.0 / n_actions),
        np.zeros(2 if mode == MODE_MULTI else 0, dtype=np.int64),
        float(exploration),
    )


def horizon_levels(meta, spec) -> int:
    """Number of levels from the spec's horizon, with a clear error when it is missing."""
    if spec.horizon is None:
        raise ValueError(
            f"{type(meta).__name__} sizes its interval schedule from the horizon T, but the "
            "environment spec has no horizon. Pass it to reset (spec.with_horizon(T))."
        )
    return n_levels_for(spec.horizon)


def awake_slots(state, t: int) -> np.ndarray:
    """Indices of the runs awake at round ``t`` (Python helper for tests and inspection)."""
    return np.flatnonzero((state.starts > 0) & (state.starts <= t) & (t <= state.ends))
