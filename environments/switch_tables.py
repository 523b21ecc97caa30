"""Oblivious loss tables whose best arm switches, with one, several or all queries per round.

* :class:`SilentSwitchBandit`: built against one-query learners: the arm a learner has settled on
  keeps the same loss while another arm briefly becomes much better, so a learner that only
  observes what it plays never sees the switch.
* :class:`JunExperts`: the expert-advice instance of Jun, Orabona, Wright and Willett (AISTATS
  2017, section 5): N = 1000 experts, T = 600, Uniform(0, 1) losses, experts 1, 2, 3 made good on
  the three thirds of the horizon.

Feedback: ``"bandit"``, ``"full"`` or ``"multi"`` with a per-round budget ``n_queries`` (the
query conventions of :mod:`onlinelearn.environments.queries`).
"""

from __future__ import annotations

import numpy as np
from onlinelearn.environments.queries import MODES, QueryTable

from onlinelearn.core.params import Interval, Options


class SilentSwitchBandit(QueryTable):
    """An oblivious sequence against one-query learners: the switch is silent on the played arm.

    Arm 0 has loss ``1/2`` in every round and arms ``1..K-1`` loss 1, except during bursts: every
    ``spacing`` rounds (from round ``spacing`` on) a burst of ``burst`` rounds starts in which arm
    ``j`` (cycling through ``1..K-1``) has loss 0.  A learner that has settled on arm 0 and only
    observes what it plays sees the same loss 1/2 before, during and after the burst, so it
    cannot notice that another arm became better; on a burst, its interval regret is about
    ``burst / 2``.  This is the mechanism of the one-query lower bound of Daniely, Gonen and
    Shalev-Shwartz (ICML 2015, Theorem 3).  A second query drawn from runs started inside the
    burst (StABL) sees the better arm.  Deterministic (the Generator is not used).

    Args:
        n_actions: number of arms K (>= 2).
        n_rounds: rows of the table (it repeats after them).
        spacing: rounds between burst starts.
        burst: burst length (<= spacing).
        feedback: ``"bandit"``, ``"full"`` or ``"multi"``.
        n_queries: queries per round with ``feedback="multi"``.
    """

    _parameter_constraints = {
        "n_actions": [Interval(int, 2, None)],
        "n_rounds": [Interval(int, 1, None)],
        "spacing": [Interval(int, 1, None)],
        "burst": [Interval(int, 1, None)],
        "feedback": [Options(tuple(MODES))],
        "n_queries": [Interval(int, 1, None)],
    }
    _test_params = [
        {"n_actions": 3, "n_rounds": 60, "spacing": 20, "burst": 5},
        {"n_actions": 3, "n_rounds": 60, "spacing": 20, "burst": 5, "feedback": "multi"},
    ]

    def __init__(
        self,
        n_actions: int = 10,
        n_rounds: int = 10_000,
        spacing: int = 2000,
        burst: int = 500,
        feedback: str = "bandit",
        n_queries: int = 2,
    ):
        self.n_actions = n_actions
        self.n_rounds = n_rounds
        self.spacing = spacing
        self.burst = burst
        self.feedback = feedback
        self.n_queries = n_queries

    def table_actions(self) -> int:
        return int(self.n_actions)

    def validate(self) -> None:
        super().validate()
        if self.burst > self.spacing:
            raise ValueError(
                f"The 'burst' parameter of SilentSwitchBandit must be <= spacing ({self.spacing!r}). "
                f"Got {self.burst!r} instead."
            )

    def make_table(self, rng):
        n_rounds, n_arms = int(self.n_rounds), int(self.n_actions)
        table = np.ones((n_rounds, n_arms))
        table[:, 0] = 0.5
        for number, start in enumerate(range(int(self.spacing), n_rounds, int(self.spacing))):
            arm = 1 + number % (n_arms - 1)
            table[start : start + int(self.burst), arm] = 0.0
        return table


class JunExperts(QueryTable):
    """The expert-advice experiment of Jun, Orabona, Wright and Willett ("Improved strongly adaptive
    online learning using coin betting", AISTATS 2017, section 5.1).

    ``n_experts`` experts, ``n_rounds`` rounds of i.i.d. Uniform(0, 1) losses drawn at reset; on
    the first third of the rounds expert 0's loss ``l`` is replaced by ``max(l - 1/2, 0)``, on the
    second third expert 1's, on the last third expert 2's.  The best expert therefore switches
    twice; the oracle treats the drawn table as the adversary's (oblivious) sequence.  Defaults:
    N = 1000, T = 600, full information.

    Args:
        n_experts: number of experts N (>= 3).
        n_rounds: rows of the table (the paper's T).
        feedback: ``"full"`` (the paper's setting), ``"bandit"`` or ``"multi"``.
        n_queries: queries per round with ``feedback="multi"``.
    """

    _parameter_constraints = {
        "n_experts": [Interval(int, 3, None)],
        "n_rounds": [Interval(int, 3, None)],
        "feedback": [Options(tuple(MODES))],
        "n_queries": [Interval(int, 1, None)],
    }
    _test_params = [{"n_experts": 5, "n_rounds": 30}, {"n_experts": 4, "n_rounds": 30, "feedback": "bandit"}]

    def __init__(
        self, n_experts: int = 1000, n_rounds: int = 600, feedback: str = "full", n_queries: int = 2
    ):
        self.n_experts = n_experts
        self.n_rounds = n_rounds
        self.feedback = feedback
        self.n_queries = n_queries

    def table_actions(self) -> int:
        return int(self.n_experts)

    @property
    def segment_starts(self) -> np.ndarray:
        """First round (0-based) of each third."""
        n = int(self.n_rounds)
        return np.array([0, n // 3, 2 * n // 3], dtype=np.int64)

    def make_table(self, rng):
        table = rng.random((int(self.n_rounds), int(self.n_experts)))
        bounds = [*self.segment_starts.tolist(), int(self.n_rounds)]
        for expert in range(3):
            rows = slice(bounds[expert], bounds[expert + 1])
            table[rows, expert] = np.maximum(table[rows, expert] - 0.5, 0.0)
        return table
