"""Step and hindsight kernels of :class:`~onlinelearn.environments.games.RepeatedGame`.

One step kernel per (follower class, leader mode): the follower's own act kernel, then
:func:`pay_and_record` (the leader plays a row ``i_t``) or :func:`pay_and_record_mixed` (the
leader plays a mixed strategy ``x_t``), then the follower's own update with its loss vector
``1 - B~[i_t, :]``, resp. ``x_t^T (1 - B~)`` (:func:`mixed_follower_losses`).  One hindsight
kernel per (where the follower keeps ``y_t``, leader mode).  The state record is
:class:`~onlinelearn.environments.games.RepeatedGameState`.

Why they are written the way they are (measurements in docs/design.md §6.2).  Numba increfs every
array of a kernel's arguments on entry and decrefs it after its last use (an atomic operation
each, several nanoseconds); its reference-count pruner removes such a pair only when no call that
LLVM did not inline lies between them (the call may return an error) and the local control flow
is simple.  So everything a step kernel calls in a round is inlined: the step into the generated
runner (at Numba IR level, like every role kernel), the helpers into the step (`inlined_kernel`,
LLVM `alwaysinline`), and the pruner then removes every pair.  Kernels index `state.field[...]`
directly instead of binding arrays to local names, whose pairs the pruner does not remove, and
make the last use of each argument unconditional (a last use inside a branch leaves every pair of
the inlined helper: 120 instead of 56 ns a round).  The Hedge step with a pure leader is the one
measured (B8); the other followers' own kernels (EXP3's act, Blum-Mansour's elimination) are
called as they are.  The shared softmax_negative and hedge_probabilities are `inlined_kernel`s
themselves.
"""

from __future__ import annotations

import numpy as np

from onlinelearn.core.numba_options import inlined_kernel, kernel
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
from onlinelearn.core.sampling import sample_index
from onlinelearn.games.spec import FOLLOWER_ACTION, FOLLOWER_STRATEGY, LEADER_ACTION
from onlinelearn.learners.exp3 import exp3_act, exp3_update
from onlinelearn.learners.followers import (
    blum_mansour_act,
    blum_mansour_update,
    follow_the_leader_act,
    follower_update,
    ftpl_act,
)
from onlinelearn.learners.hedge import hedge_probabilities, hedge_update

#: COMPARATOR_SHIFT when the per-round best row changes: 1 for rows, the distance sqrt(2) between
#: two vertices when the leader's actions are points of the simplex.
ROW_SHIFT = 1.0
VERTEX_SHIFT = float(np.sqrt(2.0))


# -- paying both players ---------------------------------------------------------------------
@inlined_kernel
def expected_leader_loss(state, row, strategy):
    """``-A[row, :] y`` for the follower's mixed strategy ``y = strategy``."""
    expected = 0.0
    for k in range(state.matrices.shape[2]):
        expected -= state.matrices[0, row, k] * strategy[k]
    return expected


@inlined_kernel
def settle(state, t, j, strategy, payoff, expected_loss, feedback, record):
    """The leader's feedback ``[j_t, payoff, A[:, j_t], y_t]`` and the oracle slots of the step:
    its loss ``-payoff``, its expected loss, and slot 5, ``-V (t + 1)`` (Stackelberg comparator)
    or the best row's running sum of expected losses against ``y_s = strategy``.

    One body for both leader modes: split into helpers, the Hedge step of B8 measured 1-2 ns more
    a round (docs/design.md section 6.2).
    """
    m = state.matrices.shape[1]
    if state.stackelberg_comparator:
        record[BEST_FIXED_CUMULATIVE_EXPECTED] = state.stackelberg_loss * (t + 1)
    else:
        best_cumulative = np.inf
        for a in range(m):
            state.vectors[0, a] += expected_leader_loss(state, a, strategy)
            best_cumulative = min(best_cumulative, state.vectors[0, a])
        record[BEST_FIXED_CUMULATIVE_EXPECTED] = best_cumulative
    # The last uses of the arguments stay outside the comparator's branch, so that the
    # reference-count pruner removes their per-round incref/decref pairs (docs/design.md §6.1).
    state.integers[0] = j
    feedback[0] = j
    feedback[1] = payoff
    for a in range(m):
        feedback[2 + a] = state.matrices[0, a, j]
    for k in range(state.matrices.shape[2]):
        feedback[2 + m + k] = strategy[k]
    record[LOSS] = -payoff
    record[EXPECTED_LOSS] = expected_loss


@inlined_kernel
def pay_and_record(state, t, action, j, strategy, feedback, record):
    """Pay both players for ``(i_t, j_t) = (action, j)`` against the follower's mixed strategy
    ``y_t = strategy`` (every follower).

    Only the played row's expected loss is needed here with the Stackelberg comparator; the other
    rows' (slot 2 and the expected-loss vector) and the game slots are left to the hindsight
    kernel, which the runner calls only for trackers that read them.
    """
    payoff = state.matrices[0, action, j]
    settle(state, t, j, strategy, payoff, expected_leader_loss(state, action, strategy), feedback, record)


@inlined_kernel
def pay_and_record_mixed(state, t, x, j, strategy, feedback, record):
    """:func:`pay_and_record` for a leader playing the mixed strategy ``x``: its payoff is
    ``x^T A e_{j_t}`` (expected over ``x``, realised over the follower's ``j_t``), its expected
    payoff ``x^T A y_t``."""
    payoff = 0.0
    expected = 0.0
    for a in range(state.matrices.shape[1]):
        payoff += x[a] * state.matrices[0, a, j]
        expected += x[a] * expected_leader_loss(state, a, strategy)
    settle(state, t, j, strategy, payoff, expected, feedback, record)


@inlined_kernel
def mixed_follower_losses(state, x):
    """The follower's loss vector ``x^T (1 - B~)`` against the mixed strategy ``x`` (written into
    ``state.follower_losses``)."""
    for k in range(state.matrices.shape[2]):
        loss = 0.0
        for a in range(state.matrices.shape[1]):
            loss += x[a] * state.matrices[2, a, k]
        state.follower_losses[k] = loss
    return state.follower_losses


# -- step kernels, the leader plays a row ------------------------------------------------------
@inlined_kernel
def hedge_game_step(state, rng, t, action, feedback, record):
    """Hedge follower: ``y_t`` with ``hedge_act``'s arithmetic, so this is bit-identical to act,
    pay, update (tests/learners/test_followers.py compares with the standalone Hedge)."""
    hedge_probabilities(state.follower)
    j = sample_index(state.follower.probabilities, rng.random())
    pay_and_record(state, t, action, j, state.follower.probabilities, feedback, record)
    hedge_update(state.follower, j, state.matrices[2, action])


@inlined_kernel
def exp3_game_step(state, rng, t, action, feedback, record):
    """EXP3 / EXP3-IX follower: it sees only its own loss ``1 - B~[i_t, j_t]``."""
    j = exp3_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.probabilities, feedback, record)
    state.vectors[2, 0] = state.matrices[2, action, j]
    exp3_update(state.follower, j, state.vectors[2, :1])


@inlined_kernel
def follow_the_leader_game_step(state, rng, t, action, feedback, record):
    j = follow_the_leader_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.vectors[1], feedback, record)
    follower_update(state.follower, j, state.matrices[2, action])


@inlined_kernel
def ftpl_game_step(state, rng, t, action, feedback, record):
    j = ftpl_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.vectors[1], feedback, record)
    follower_update(state.follower, j, state.matrices[2, action])


@inlined_kernel
def blum_mansour_game_step(state, rng, t, action, feedback, record):
    j = blum_mansour_act(state.follower, rng)
    pay_and_record(state, t, action, j, state.follower.probabilities, feedback, record)
    blum_mansour_update(state.follower, j, state.matrices[2, action])


# -- step kernels, the leader plays a mixed strategy x ------------------------------------------
@inlined_kernel
def hedge_mixed_step(state, rng, t, x, feedback, record):
    hedge_probabilities(state.follower)
    j = sample_index(state.follower.probabilities, rng.random())
    pay_and_record_mixed(state, t, x, j, state.follower.probabilities, feedback, record)
    hedge_update(state.follower, j, mixed_follower_losses(state, x))


@inlined_kernel
def exp3_mixed_step(state, rng, t, x, feedback, record):
    """EXP3 / EXP3-IX follower: it sees only its own expected loss ``x^T (1 - B~) e_{j_t}``."""
    j = exp3_act(state.follower, rng)
    pay_and_record_mixed(state, t, x, j, state.follower.probabilities, feedback, record)
    loss = 0.0
    for a in range(state.matrices.shape[1]):
        loss += x[a] * state.matrices[2, a, j]
    state.vectors[2, 0] = loss
    exp3_update(state.follower, j, state.vectors[2, :1])


@inlined_kernel
def follow_the_leader_mixed_step(state, rng, t, x, feedback, record):
    j = follow_the_leader_act(state.follower, rng)
    pay_and_record_mixed(state, t, x, j, state.follower.vectors[1], feedback, record)
    follower_update(state.follower, j, mixed_follower_losses(state, x))


@inlined_kernel
def ftpl_mixed_step(state, rng, t, x, feedback, record):
    j = ftpl_act(state.follower, rng)
    pay_and_record_mixed(state, t, x, j, state.follower.vectors[1], feedback, record)
    follower_update(state.follower, j, mixed_follower_losses(state, x))


@inlined_kernel
def blum_mansour_mixed_step(state, rng, t, x, feedback, record):
    j = blum_mansour_act(state.follower, rng)
    pay_and_record_mixed(state, t, x, j, state.follower.probabilities, feedback, record)
    blum_mansour_update(state.follower, j, mixed_follower_losses(state, x))


# -- hindsight ------------------------------------------------------------------------------------
@inlined_kernel
def row_comparators(state, record, strategy, shift):
    """Every row's expected loss against ``y_t = strategy``, slot 2, the realised comparators
    (slots 3 and 4) and slot 6 (``shift`` when the per-round best row changes)."""
    m = state.matrices.shape[1]
    j = state.integers[0]
    best_expected = np.inf
    best = np.inf
    best_cumulative = np.inf
    best_row = 0
    for a in range(m):
        expected = expected_leader_loss(state, a, strategy)
        record[EXPECTED_LOSSES + a] = expected
        if expected < best_expected:
            best_expected, best_row = expected, a
        loss = -state.matrices[0, a, j]
        state.vectors[1, a] += loss
        best = min(best, loss)
        best_cumulative = min(best_cumulative, state.vectors[1, a])
    record[BEST_EXPECTED_LOSS] = best_expected
    record[BEST_LOSS] = best
    record[BEST_FIXED_CUMULATIVE_LOSS] = best_cumulative
    previous = state.integers[1]
    record[COMPARATOR_SHIFT] = shift if previous >= 0 and previous != best_row else 0.0
    state.integers[1] = best_row


@inlined_kernel
def game_hindsight(state, t, action, record, strategy):
    """Hindsight for a row ``i_t = action``: the game slots (actions, ``y_t``, ``B[i_t, :]``) and
    :func:`row_comparators`."""
    m = state.matrices.shape[1]
    start = EXPECTED_LOSSES + m
    record[start + LEADER_ACTION] = action
    record[start + FOLLOWER_ACTION] = state.integers[0]
    n = state.matrices.shape[2]
    for k in range(n):
        record[start + FOLLOWER_STRATEGY + k] = strategy[k]
        record[start + FOLLOWER_STRATEGY + n + k] = state.matrices[1, action, k]
    row_comparators(state, record, strategy, ROW_SHIFT)


@inlined_kernel
def mixed_game_hindsight(state, t, x, record, strategy):
    """Hindsight for a mixed strategy ``x_t = x``: leader action -1, the follower's payoffs
    ``x^T B``, and :func:`row_comparators` (the best point of the simplex is a best row)."""
    m = state.matrices.shape[1]
    start = EXPECTED_LOSSES + m
    record[start + LEADER_ACTION] = -1.0
    record[start + FOLLOWER_ACTION] = state.integers[0]
    n = state.matrices.shape[2]
    for k in range(n):
        record[start + FOLLOWER_STRATEGY + k] = strategy[k]
        payoff = 0.0
        for a in range(m):
            payoff += x[a] * state.matrices[1, a, k]
        record[start + FOLLOWER_STRATEGY + n + k] = payoff
    row_comparators(state, record, strategy, VERTEX_SHIFT)


@kernel
def weights_game_hindsight(state, t, action, record):
    """Hindsight for Hedge, EXP3 and Blum-Mansour: ``y_t`` is their ``probabilities``."""
    game_hindsight(state, t, action, record, state.follower.probabilities)


@kernel
def follower_game_hindsight(state, t, action, record):
    """Hindsight for FTL and FTPL: ``y_t`` is row 1 of their ``vectors``."""
    game_hindsight(state, t, action, record, state.follower.vectors[1])


@kernel
def weights_mixed_hindsight(state, t, x, record):
    mixed_game_hindsight(state, t, x, record, state.follower.probabilities)


@kernel
def follower_mixed_hindsight(state, t, x, record):
    mixed_game_hindsight(state, t, x, record, state.follower.vectors[1])
