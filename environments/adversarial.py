"""Oblivious adversarial bandits and experts: a loss table fixed before round 1.

``AdversarialBandit(losses)`` plays the rows of a ``(n_rounds, K)`` table in order, cyclically when
the horizon is longer than the table.  Losses are deterministic given the table, so realised and
expected losses coincide and static regret equals pseudo-regret.

Generators of classical instances build their table at ``reset`` (subclasses override
:meth:`AdversarialBandit.make_table`); random ones draw it from the environment's Generator, so
one seed fixes the whole sequence and every learner of a repetition faces the same table:

* :class:`RandomAdversarialBandit`: i.i.d. Uniform[low, high] losses (a generic oblivious table).
* :class:`BestArmSwitching`: the best arm changes every ``period`` rounds, cyclically; the
  instance behind tracking / switching regret (Herbster and Warmuth, "Tracking the best expert",
  Machine Learning 1998; Auer, Cesa-Bianchi, Freund and Schapire, "The nonstochastic multiarmed
  bandit problem", SIAM J. Comput. 2002, EXP3.S).  Deterministic.
* :class:`AlternatingLosses`: the two-action sequence (1/2, 0), (0, 1), (1, 0), (0, 1), ... on
  which Follow-The-Leader suffers linear regret (Shalev-Shwartz, "Online Learning and Online
  Convex Optimization", 2012, Example 2.2; Cesa-Bianchi and Lugosi, "Prediction, Learning, and
  Games", 2006).  Deterministic.

All of them share the table kernels, so each knows its comparators through the oracle slots:
slot 5 (and 4) is the best fixed action's cumulative loss, slot 6 is 1 when the per-round best
action (first one on ties) changes, and slots 7.. hold the row.
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
from onlinelearn.core.params import ArrayLike, Interval, Options
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
    record_table_row(row, action, state.cumulative_losses, record)


@kernel
def record_table_row(row, played, cumulative_losses, record):
    """Oracle slots of an oblivious loss row (expected = realised): adds ``row`` to the running
    sums and writes the played loss, the round's best and the best fixed action's sum."""
    best = np.inf
    best_cumulative = np.inf
    for a in range(row.shape[0]):
        cumulative_losses[a] += row[a]
        best = min(best, row[a])
        best_cumulative = min(best_cumulative, cumulative_losses[a])
    record[LOSS] = row[played]
    record[EXPECTED_LOSS] = row[played]
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

    _parameter_constraints = {
        "losses": [ArrayLike(ndim=2, low=0.0, high=1.0)],
        "feedback": [Options(("bandit", "full"))],
    }
    _test_params = [
        {"losses": [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]},
        {"losses": [[0.2, 0.4, 0.9]], "feedback": "full"},
    ]
    step_kernel = staticmethod(table_step)
    hindsight_kernel = staticmethod(table_hindsight)

    def __init__(self, losses=((0.0, 1.0), (1.0, 0.0)), feedback: str = "bandit"):
        self.losses = losses
        self.feedback = feedback

    def validate(self) -> None:
        if np.shape(self.losses)[1] < 2:
            raise ValueError(
                "The 'losses' parameter of AdversarialBandit must have at least 2 "
                f"columns (actions). Got shape {np.shape(self.losses)} instead."
            )

    # -- hooks of the generators ------------------------------------------------------------
    def table_actions(self) -> int:
        """Number of actions K (columns of the table); parameters are already validated."""
        return int(np.shape(self.losses)[1])

    def make_table(self, rng: np.random.Generator) -> np.ndarray:
        """The ``(n_rounds, K)`` loss table of this realisation (drawn from ``rng`` if random)."""
        return np.asarray(self.losses, dtype=float)

    # -- KernelEnvironment --------------------------------------------------------------------
    def make_spec(self) -> EnvSpec:
        kind = FeedbackKind.FULL_INFORMATION if self.feedback == "full" else FeedbackKind.BANDIT
        return EnvSpec(kind, n_actions=self.table_actions())

    def init_state(self, spec, rng):
        table = np.ascontiguousarray(self.make_table(rng), dtype=float)
        return TableState(
            table, np.zeros(table.shape[1]), np.full(1, -1, dtype=np.int64), self.feedback == "full"
        )


class RandomAdversarialBandit(AdversarialBandit):
    """An oblivious table of i.i.d. Uniform[``low``, ``high``] losses, drawn at ``reset``.

    The table is drawn from the environment's Generator, so the seed of a repetition fixes it and
    every learner of that repetition faces the same sequence.  Round ``t`` uses row
    ``t mod n_rounds``.  Memory is O(``n_rounds`` * ``n_actions``).

    Args:
        n_actions: number of actions K (>= 2).
        n_rounds: number of rows of the table.
        low, high: range of the losses, ``0 <= low <= high <= 1``.
        feedback: ``"bandit"`` or ``"full"``.
    """

    _parameter_constraints = {
        "n_actions": [Interval(int, 2, None)],
        "n_rounds": [Interval(int, 1, None)],
        "low": [Interval(float, 0.0, 1.0)],
        "high": [Interval(float, 0.0, 1.0)],
        "feedback": [Options(("bandit", "full"))],
    }
    _test_params = [
        {"n_actions": 3, "n_rounds": 50},
        {"n_actions": 2, "n_rounds": 20, "low": 0.2, "high": 0.6, "feedback": "full"},
    ]

    def __init__(
        self,
        n_actions: int = 2,
        n_rounds: int = 1000,
        low: float = 0.0,
        high: float = 1.0,
        feedback: str = "bandit",
    ):
        self.n_actions = n_actions
        self.n_rounds = n_rounds
        self.low = low
        self.high = high
        self.feedback = feedback

    def validate(self) -> None:
        if self.low > self.high:
            raise ValueError(
                f"The 'low' parameter of {type(self).__name__} must be <= 'high' "
                f"({self.high!r}). Got {self.low!r} instead."
            )

    def table_actions(self) -> int:
        return int(self.n_actions)

    def make_table(self, rng):
        return rng.uniform(float(self.low), float(self.high), size=(int(self.n_rounds), int(self.n_actions)))


class BestArmSwitching(AdversarialBandit):
    """The best action changes every ``period`` rounds, cyclically through all actions.

    In block ``j = t // period`` action ``j mod K`` has loss ``(1 - gap) / 2`` and every other
    action ``(1 + gap) / 2``.  The table has ``n_rounds`` rows and repeats after them (seamlessly
    when ``n_rounds`` is a multiple of ``period * K``).  The per-round best action switches at
    every block boundary (oracle slot 6 is 1 there), so the path length over T rounds is
    ``ceil(T / period) - 1``, while every fixed action is best only a 1/K fraction of the time:
    static-regret learners suffer on it, tracking learners (Fixed-Share, EXP3.S) do not.
    Deterministic (the environment's Generator is not used).

    Source: Herbster and Warmuth, "Tracking the best expert", Machine Learning 32, 1998; Auer,
    Cesa-Bianchi, Freund and Schapire, "The nonstochastic multiarmed bandit problem", SIAM J.
    Comput. 32, 2002 (EXP3.S and its switching-regret lower bound).

    Args:
        n_actions: number of actions K (>= 2).
        n_rounds: number of rows of the table.
        period: length of each block with a fixed best action.
        gap: loss difference between the best action and the others, in (0, 1].
        feedback: ``"bandit"`` or ``"full"``.
    """

    _parameter_constraints = {
        "n_actions": [Interval(int, 2, None)],
        "n_rounds": [Interval(int, 1, None)],
        "period": [Interval(int, 1, None)],
        "gap": [Interval(float, 0.0, 1.0, closed="right")],
        "feedback": [Options(("bandit", "full"))],
    }
    _test_params = [
        {"n_actions": 3, "n_rounds": 60, "period": 10},
        {"n_actions": 2, "n_rounds": 40, "period": 5, "gap": 0.2, "feedback": "full"},
    ]

    def __init__(
        self,
        n_actions: int = 2,
        n_rounds: int = 1000,
        period: int = 100,
        gap: float = 0.5,
        feedback: str = "bandit",
    ):
        self.n_actions = n_actions
        self.n_rounds = n_rounds
        self.period = period
        self.gap = gap
        self.feedback = feedback

    def validate(self) -> None:
        pass

    def table_actions(self) -> int:
        return int(self.n_actions)

    def make_table(self, rng):
        n_rounds, n_actions, gap = int(self.n_rounds), int(self.n_actions), float(self.gap)
        table = np.full((n_rounds, n_actions), (1.0 + gap) / 2.0)
        best = (np.arange(n_rounds) // int(self.period)) % n_actions
        table[np.arange(n_rounds), best] = (1.0 - gap) / 2.0
        return table


class AlternatingLosses(AdversarialBandit):
    """Two actions with losses (1/2, 0), then (0, 1), (1, 0), (0, 1), ... alternating.

    The classical sequence on which Follow-The-Leader has linear regret: after the first round
    the leader is always the action about to lose 1, so FTL's loss is about T while the best fixed
    action's is about T / 2.  Stable algorithms (Hedge, FTRL) have O(sqrt T) regret.  Use
    ``feedback="full"`` for experts algorithms.  The table has ``n_rounds`` rows and repeats after
    them.  Deterministic (the environment's Generator is not used).

    Source: Shalev-Shwartz, "Online Learning and Online Convex Optimization", Foundations and
    Trends in ML 4(2), 2012, Example 2.2; Cesa-Bianchi and Lugosi, "Prediction, Learning, and
    Games", 2006.

    Args:
        n_rounds: number of rows of the table (>= 1).
        feedback: ``"bandit"`` or ``"full"``.
    """

    _parameter_constraints = {"n_rounds": [Interval(int, 1, None)], "feedback": [Options(("bandit", "full"))]}
    _test_params = [{"n_rounds": 30}, {"n_rounds": 7, "feedback": "full"}]

    def __init__(self, n_rounds: int = 1000, feedback: str = "bandit"):
        self.n_rounds = n_rounds
        self.feedback = feedback

    def validate(self) -> None:
        pass

    def table_actions(self) -> int:
        return 2

    def make_table(self, rng):
        n_rounds = int(self.n_rounds)
        table = np.zeros((n_rounds, 2))
        table[0] = (0.5, 0.0)
        rounds = np.arange(1, n_rounds)
        table[rounds, 0] = (rounds % 2 == 0).astype(float)
        table[rounds, 1] = (rounds % 2 == 1).astype(float)
        return table


class StochasticallyConstrainedBandit(AdversarialBandit):
    """Stochastically constrained adversary (Zimmert and Seldin, JMLR 2021, section 8).

    Action 0 is better than every other action by ``gap`` in expectation in every round, but the
    mean losses of (action 0, the others) alternate between ``(1 - gap, 1)`` and ``(0, gap)`` in
    phases whose lengths grow geometrically by ``growth`` (1, 1.6, 2.56, ... rounds).  Index
    policies built for stationary data (UCB1, Thompson sampling) are misled by the phase changes
    and suffer almost linear regret; best-of-both-worlds learners (Tsallis-INF) do not.

    The table holds Bernoulli draws of those means, drawn at ``reset`` from the environment's
    Generator: the seed of a repetition fixes it, and every learner of that repetition faces it.
    The oracle treats the drawn table as the adversary's (oblivious) loss sequence.

    Args:
        n_actions: number of actions K (>= 2).
        n_rounds: number of rows of the table; it repeats after them.
        gap: expected advantage of action 0, in (0, 1].
        growth: ratio of consecutive phase lengths, > 1.
        feedback: ``"bandit"`` or ``"full"``.
    """

    _parameter_constraints = {
        "n_actions": [Interval(int, 2, None)],
        "n_rounds": [Interval(int, 1, None)],
        "gap": [Interval(float, 0.0, 1.0, closed="right")],
        "growth": [Interval(float, 1.0, None, closed="neither")],
        "feedback": [Options(("bandit", "full"))],
    }
    _test_params = [
        {"n_actions": 3, "n_rounds": 60},
        {"n_actions": 2, "n_rounds": 40, "gap": 0.3, "feedback": "full"},
    ]

    def __init__(
        self,
        n_actions: int = 2,
        n_rounds: int = 10_000,
        gap: float = 0.1,
        growth: float = 1.6,
        feedback: str = "bandit",
    ):
        self.n_actions = n_actions
        self.n_rounds = n_rounds
        self.gap = gap
        self.growth = growth
        self.feedback = feedback

    def validate(self) -> None:
        pass

    def table_actions(self) -> int:
        return int(self.n_actions)

    def mean_table(self) -> np.ndarray:
        """The ``(n_rounds, K)`` mean losses of the phases (before the Bernoulli draws)."""
        n_rounds, gap = int(self.n_rounds), float(self.gap)
        means = np.empty((n_rounds, int(self.n_actions)))
        start, phase, length = 0, 0, 1.0
        while start < n_rounds:
            stop = min(n_rounds, start + max(1, int(length)))
            high = phase % 2 == 0
            means[start:stop, 0] = 1.0 - gap if high else 0.0
            means[start:stop, 1:] = 1.0 if high else gap
            start, phase, length = stop, phase + 1, length * float(self.growth)
        return means

    def make_table(self, rng):
        means = self.mean_table()
        return (rng.random(means.shape) < means).astype(float)
