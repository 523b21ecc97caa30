"""A volatile bandit for strongly adaptive learning, with one, several or all queries per round.

:class:`VolatileBandit`: Bernoulli losses whose best arm changes every ``period`` rounds
(cyclically or at random; several periods at once by cycling through a list), or whose means
drift smoothly.  Counter-based realisation (:mod:`onlinelearn.core.counter_rng`): every learner
of a repetition faces the same table whatever it plays or queries.  The switching loss tables
:class:`SilentSwitchBandit` and :class:`JunExperts` live in
:mod:`onlinelearn.environments.switch_tables` and stay importable from here.

Feedback: ``"bandit"``, ``"full"`` or ``"multi"`` with a per-round budget ``n_queries`` (the
query conventions of :mod:`onlinelearn.environments.queries`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from onlinelearn.environments.queries import (
    MODE_BANDIT,
    MODE_FULL,
    MODE_MULTI,
    MODES,
    QueryEnvironment,
    QueryTableState,
    check_queries,
    query_arm,
    query_count,
    query_table_step,
)
from onlinelearn.environments.switch_tables import JunExperts, SilentSwitchBandit

from onlinelearn.core.counter_rng import counter_uniform, draw_key
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
from onlinelearn.core.params import Interval, IntSequence, Options
from onlinelearn.core.spec import EnvSpec

#: The query names lived here before environments/queries.py, the switching tables before
#: environments/switch_tables.py; they stay importable from here.
__all__ = [
    "MODES",
    "MODE_BANDIT",
    "MODE_FULL",
    "MODE_MULTI",
    "SWITCHES",
    "JunExperts",
    "QueryTableState",
    "SilentSwitchBandit",
    "VolatileBandit",
    "VolatileState",
    "check_queries",
    "query_arm",
    "query_count",
    "query_table_step",
    "volatile_hindsight",
    "volatile_step",
]

CYCLIC = 0
RANDOM = 1
DRIFT = 2
SWITCHES = {"cyclic": CYCLIC, "random": RANDOM, "drift": DRIFT}


# --------------------------------------------------------------------------------------------
# Volatile Bernoulli bandit
# --------------------------------------------------------------------------------------------
class VolatileState(NamedTuple):
    periods: np.ndarray  # int64: segment lengths, used cyclically
    switches: int  # CYCLIC, RANDOM or DRIFT
    best_mean: float  # Bernoulli loss mean of the best arm (abrupt switches)
    other_mean: float  # loss mean of the other arms
    drift_period: float  # rounds for the drifting means to go round once
    key: np.ndarray  # uint64[2]: loss stream key, switch stream key
    segment: np.ndarray  # int64[4]: segment index, its end (exclusive), best arm, previous best
    expected: np.ndarray  # (K,) expected losses of the current round
    best_rounds: np.ndarray  # (K,) rounds each arm was best (abrupt switches)
    cumulative_expected: np.ndarray  # (K,) sum of expected losses (drift)
    cumulative_losses: np.ndarray  # (K,) realised cumulative losses (hindsight)
    best_cumulative: np.ndarray  # [max_a best_rounds[a]] (abrupt switches)
    mode: int
    n_queries: int


@inlined_kernel
def volatile_loss(state, t, arm):
    """Realised loss of ``arm`` at round ``t``: ``1[U(t, arm) < mean]`` (counter-based)."""
    n_arms = state.expected.shape[0]
    return 1.0 if counter_uniform(state.key[0], t * n_arms + arm) < state.expected[arm] else 0.0


@inlined_kernel
def volatile_advance(state, t):
    """Bring the segment and the expected-loss vector to round ``t``."""
    n_arms = state.expected.shape[0]
    if state.switches == DRIFT:
        low, high = state.best_mean, state.other_mean
        best = 0
        for a in range(n_arms):
            phase = 2.0 * np.pi * (t / state.drift_period - a / n_arms)
            state.expected[a] = low + (high - low) * 0.5 * (1.0 - np.cos(phase))
            if state.expected[a] < state.expected[best]:
                best = a
        state.segment[2] = best
        return
    changed = t == 0
    while t >= state.segment[1]:
        j = state.segment[0] + 1
        state.segment[0] = j
        state.segment[1] += state.periods[j % state.periods.shape[0]]
        if state.switches == CYCLIC:
            state.segment[2] = j % n_arms
        else:
            step = 1 + int(counter_uniform(state.key[1], j) * (n_arms - 1))
            state.segment[2] = (state.segment[2] + step) % n_arms
        changed = True
    if changed:
        for a in range(n_arms):
            state.expected[a] = state.other_mean
        state.expected[state.segment[2]] = state.best_mean


@kernel
def volatile_step(state, rng, t, action, feedback, record):
    volatile_advance(state, t)
    n_arms = state.expected.shape[0]
    played = query_arm(action, 0)
    if state.mode == MODE_FULL:
        for a in range(n_arms):
            feedback[a] = volatile_loss(state, t, a)
        loss = feedback[played]
    elif state.mode == MODE_BANDIT:
        loss = volatile_loss(state, t, played)
        feedback[0] = loss
    else:
        n = min(query_count(action), state.n_queries)
        feedback[0] = n
        for q in range(state.n_queries):
            if q < n:
                arm = query_arm(action, q)
                feedback[1 + 2 * q] = arm
                feedback[2 + 2 * q] = volatile_loss(state, t, arm)
            else:
                feedback[1 + 2 * q] = 0.0
                feedback[2 + 2 * q] = 0.0
        loss = feedback[2]
    best = state.segment[2]
    if state.switches == DRIFT:
        lowest = np.inf
        for a in range(n_arms):
            state.cumulative_expected[a] += state.expected[a]
            lowest = min(lowest, state.cumulative_expected[a])
        best_cumulative = lowest
    else:
        state.best_rounds[best] += 1.0
        state.best_cumulative[0] = max(state.best_cumulative[0], state.best_rounds[best])
        gap = state.other_mean - state.best_mean
        best_cumulative = state.other_mean * (t + 1) - gap * state.best_cumulative[0]
    record[LOSS] = loss
    record[EXPECTED_LOSS] = state.expected[played]
    record[BEST_EXPECTED_LOSS] = state.expected[best]
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = best_cumulative


@kernel
def volatile_hindsight(state, t, action, record):
    n_arms = state.expected.shape[0]
    best_loss = np.inf
    best_cumulative = np.inf
    for a in range(n_arms):
        loss = volatile_loss(state, t, a)
        state.cumulative_losses[a] += loss
        best_loss = min(best_loss, loss)
        best_cumulative = min(best_cumulative, state.cumulative_losses[a])
        record[EXPECTED_LOSSES + a] = state.expected[a]
    record[BEST_LOSS] = best_loss
    record[BEST_FIXED_CUMULATIVE_LOSS] = best_cumulative
    best = state.segment[2]
    previous = state.segment[3]
    record[COMPARATOR_SHIFT] = 1.0 if t > 0 and previous != best else 0.0
    state.segment[3] = best


class VolatileBandit(QueryEnvironment):
    """Bernoulli arms whose best arm changes every ``period`` rounds, or whose means drift.

    Abrupt switches (``switches="cyclic"`` or ``"random"``): segment ``j`` lasts
    ``periods[j mod len(periods)]`` rounds (an int ``period`` is a one-element list; several
    lengths give several switching frequencies at once); in it one arm has Bernoulli loss mean
    ``best_mean`` and the others ``other_mean``.  The best arm of segment ``j`` is ``j mod K``
    (cyclic) or the previous one moved by a uniform step in ``1..K-1`` (random: it always
    changes), drawn from a counter stream keyed at reset.  ``switches="drift"``: arm ``a`` has mean
    ``best_mean + (other_mean - best_mean) (1 - cos(2 pi (t / drift_period - a / K))) / 2``, so the
    best arm rotates smoothly, changing every ``drift_period / K`` rounds.

    The oracle's per-round best arm is the segment's best arm (oracle slot 6 is 1 at every
    switch), so interval trackers see the switches.  Cost O(1) per bandit round for abrupt
    switches (the best fixed arm's cumulative mean is kept from per-arm counts), O(K) for drift
    and in ``hindsight``.

    Source of the protocol: Lu, Zhang, Chen, Zhang, Woodruff and Hazan, "Adaptive regret for
    bandits made possible: two queries suffice", ICLR 2024 ("volatile environments"; their exact
    instances were not available, see ``shared/reference/stabl.md``).

    Args:
        n_actions: number of arms K (>= 2).
        period: segment length, or a sequence of lengths used cyclically.
        switches: ``"cyclic"``, ``"random"`` or ``"drift"``.
        best_mean, other_mean: Bernoulli loss means, ``best_mean < other_mean``.
        drift_period: rounds per revolution of the drifting means.
        feedback: ``"bandit"``, ``"full"`` or ``"multi"``.
        n_queries: queries per round with ``feedback="multi"`` (1..K).
    """

    _parameter_constraints = {
        "n_actions": [Interval(int, 2, None)],
        "period": [Interval(int, 1, None), IntSequence(1, non_empty=True)],
        "switches": [Options(tuple(SWITCHES))],
        "best_mean": [Interval(float, 0.0, 1.0)],
        "other_mean": [Interval(float, 0.0, 1.0)],
        "drift_period": [Interval(float, 0.0, None, closed="neither")],
        "feedback": [Options(tuple(MODES))],
        "n_queries": [Interval(int, 1, None)],
    }
    _test_params = [
        {"n_actions": 3, "period": 10},
        {"n_actions": 4, "period": [5, 20], "switches": "random", "feedback": "full"},
        {"n_actions": 3, "period": 7, "feedback": "multi", "n_queries": 2},
        {"n_actions": 3, "switches": "drift", "drift_period": 30.0, "feedback": "multi", "n_queries": 3},
    ]
    step_kernel = staticmethod(volatile_step)
    hindsight_kernel = staticmethod(volatile_hindsight)

    def __init__(
        self,
        n_actions: int = 10,
        period=1000,
        switches: str = "cyclic",
        best_mean: float = 0.3,
        other_mean: float = 0.7,
        drift_period: float = 10_000.0,
        feedback: str = "bandit",
        n_queries: int = 2,
    ):
        self.n_actions = n_actions
        self.period = period
        self.switches = switches
        self.best_mean = best_mean
        self.other_mean = other_mean
        self.drift_period = drift_period
        self.feedback = feedback
        self.n_queries = n_queries

    def table_actions(self) -> int:
        return int(self.n_actions)

    def validate(self) -> None:
        super().validate()
        if not self.best_mean < self.other_mean:
            raise ValueError(
                f"The 'best_mean' parameter of VolatileBandit must be < other_mean "
                f"({self.other_mean!r}). Got {self.best_mean!r} instead."
            )

    @property
    def periods(self) -> np.ndarray:
        if isinstance(self.period, int | np.integer):
            return np.array([int(self.period)], dtype=np.int64)
        return np.array([int(p) for p in self.period], dtype=np.int64)

    def make_spec(self) -> EnvSpec:
        return self.feedback_spec(self.n_actions)

    def init_state(self, spec, rng):
        n_arms = int(self.n_actions)
        loss_key, switch_key = draw_key(rng), draw_key(rng)
        periods = self.periods
        code = SWITCHES[self.switches]
        first_best = 0
        if code == RANDOM:
            first_best = int(counter_uniform(switch_key, 0) * n_arms)
        expected = np.full(n_arms, float(self.other_mean))
        expected[first_best] = float(self.best_mean)
        return VolatileState(
            periods,
            code,
            float(self.best_mean),
            float(self.other_mean),
            float(self.drift_period),
            np.array([loss_key, switch_key], dtype=np.uint64),
            np.array([0, periods[0], first_best, first_best], dtype=np.int64),
            expected,
            np.zeros(n_arms),
            np.zeros(n_arms),
            np.zeros(n_arms),
            np.zeros(1),
            MODES[self.feedback],
            spec.n_queries,  # the budget feedback_spec declared (1 unless feedback="multi")
        )
