"""Feedback modes and queries shared by the environments that answer one, several or all queries.

Feedback: ``"bandit"``, ``"full"`` or ``"multi"`` (MULTI_QUERY, layout ``[n, a_1, l_1, ...,
a_k, l_k]`` of :mod:`onlinelearn.core.feedback`; query 1 is played and charged) with a per-round
budget ``n_queries`` declared in the spec (1 = bandit, 2 = StABL, K = full information).  A
multi-query action is an ``int64`` array of distinct-or-not arms, first = played; an ``int`` is one
query.  The Python ``step`` refuses more queries than the budget; learners check
``spec.n_queries`` at ``reset``.  Inside the compiled loop queries beyond the budget are ignored.

:class:`QueryEnvironment` gives an environment these modes and checks; :class:`QueryTable` serves
an oblivious loss table (built by the subclass) in them.  Used by
:mod:`onlinelearn.environments.volatile` and :mod:`onlinelearn.environments.tuning`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import types
from numba.extending import overload
from onlinelearn.environments.adversarial import record_table_row, table_hindsight

from onlinelearn.core.environment import KernelEnvironment, check_action, check_queries
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.numba_options import ir_inlined_kernel, kernel
from onlinelearn.core.spec import EnvSpec

MODE_FULL = 0
MODE_BANDIT = 1
MODE_MULTI = 2
MODES = {"full": MODE_FULL, "bandit": MODE_BANDIT, "multi": MODE_MULTI}


# --------------------------------------------------------------------------------------------
# Queries: an int arm is one query, an int64 array is several (first = played)
# --------------------------------------------------------------------------------------------
def query_count(action):
    """Number of queries in ``action``."""
    return 1 if np.ndim(action) == 0 else int(np.shape(action)[0])


def query_arm(action, q):
    """Arm of query ``q`` (0 = the played arm)."""
    return int(action) if np.ndim(action) == 0 else int(action[q])


@overload(query_count)
def _query_count(action):
    if isinstance(action, types.Integer):
        return lambda action: 1
    return lambda action: action.shape[0]


@overload(query_arm)
def _query_arm(action, q):
    if isinstance(action, types.Integer):
        return lambda action, q: action
    return lambda action, q: action[q]


class QueryEnvironment(KernelEnvironment):
    """Feedback modes and query checks of an environment with a ``feedback`` parameter."""

    def feedback_spec(self, n_actions: int) -> EnvSpec:
        kind = {
            "full": FeedbackKind.FULL_INFORMATION,
            "bandit": FeedbackKind.BANDIT,
            "multi": FeedbackKind.MULTI_QUERY,
        }[self.feedback]
        n_queries = int(self.n_queries) if self.feedback == "multi" else 1
        return EnvSpec(kind, n_actions=int(n_actions), n_queries=n_queries)

    def check_action(self, action):
        if self.spec_.feedback_kind == FeedbackKind.MULTI_QUERY:
            return check_queries(action, self.spec_, type(self).__name__)
        return check_action(action, self.spec_, type(self).__name__)

    def validate(self) -> None:
        if self.feedback == "multi" and self.n_queries > self.table_actions():
            raise ValueError(
                f"The 'n_queries' parameter of {type(self).__name__} must be an int in the range "
                f"[1, {self.table_actions()}] (the number of arms). Got {self.n_queries!r} instead."
            )


class QueryTableState(NamedTuple):
    losses: np.ndarray  # (n_rounds, K) loss table; round t uses row t mod n_rounds
    cumulative_losses: np.ndarray  # (K,)
    previous_best: np.ndarray  # int64[1], read and written by adversarial.table_hindsight
    mode: int
    n_queries: int


@ir_inlined_kernel
def write_row_feedback(mode, n_queries, action, losses, feedback):
    """The feedback of ``mode`` on a round whose every loss is known: the whole row (full), the
    played arm's loss (bandit), or ``[n, a_1, l_1, ..., a_k, l_k]`` for the first ``n_queries``
    queries, zero-padded (multi)."""
    if mode == MODE_FULL:
        feedback[:] = losses
    elif mode == MODE_BANDIT:
        feedback[0] = losses[query_arm(action, 0)]
    else:
        n = min(query_count(action), n_queries)
        feedback[0] = n
        for q in range(n_queries):
            feedback[1 + 2 * q] = 0.0
            feedback[2 + 2 * q] = 0.0
            if q < n:
                arm = query_arm(action, q)
                feedback[1 + 2 * q] = arm
                feedback[2 + 2 * q] = losses[arm]


@kernel
def query_table_step(state, rng, t, action, feedback, record):
    row = state.losses[t % state.losses.shape[0]]
    write_row_feedback(state.mode, state.n_queries, action, row, feedback)
    record_table_row(row, query_arm(action, 0), state.cumulative_losses, record)


class QueryTable(QueryEnvironment):
    """An oblivious loss table (built by :meth:`make_table`) with the feedback modes above."""

    step_kernel = staticmethod(query_table_step)
    hindsight_kernel = staticmethod(table_hindsight)

    def make_table(self, rng) -> np.ndarray:
        raise NotImplementedError

    def make_spec(self) -> EnvSpec:
        return self.feedback_spec(self.table_actions())

    def init_state(self, spec, rng):
        table = np.ascontiguousarray(self.make_table(rng), dtype=float)
        return QueryTableState(
            table,
            np.zeros(table.shape[1]),
            np.full(1, -1, dtype=np.int64),
            MODES[self.feedback],
            spec.n_queries,  # the budget feedback_spec declared (1 unless feedback="multi")
        )
