"""Learners declare how many queries they ask per round (``n_queries``, default 1); asking more than
the environment answers (``spec.n_queries``) is refused before round 1, in reset, in ``ol.run``
(compiled or Python loop) and for user objects without kernels.  The compiled environments answer
only the first ``spec.n_queries`` queries, so without the check the extra ones would vanish."""

from typing import NamedTuple

import numpy as np
import pytest
from onlinelearn.environments.volatile import VolatileBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind, KernelLearner
from onlinelearn.core.learner import check_query_budget
from onlinelearn.core.numba_options import kernel

MESSAGE = r"ThreeQueries asks 3 queries per round; the environment allows 2 \(spec.n_queries\)"


class ThreeQueriesState(NamedTuple):
    queries: np.ndarray  # int64[3]
    answered: np.ndarray  # [answers seen in the last feedback]


@kernel
def three_queries_act(state, rng):
    n = 4
    for q in range(3):
        state.queries[q] = min(int(rng.random() * n), n - 1)
    return state.queries


@kernel
def three_queries_update(state, action, feedback):
    state.answered[0] = feedback[0]


class ThreeQueries(KernelLearner):
    """A user learner that observes three arms per round (plays the first)."""

    accepts = (FeedbackKind.MULTI_QUERY,)
    n_queries = 3
    act_kernel = staticmethod(three_queries_act)
    update_kernel = staticmethod(three_queries_update)

    def init_state(self, spec, rng):
        return ThreeQueriesState(np.zeros(3, dtype=np.int64), np.zeros(1))

    def act(self):
        return np.array(super().act(), copy=True)


class PythonThreeQueries:
    """The same without kernels: a plain object with reset/act/update and an ``n_queries``."""

    n_queries = 3

    def reset(self, spec, rng=None):
        self.rng = np.random.default_rng(rng)

    def act(self):
        return self.rng.integers(0, 4, size=3)

    def update(self, feedback):
        pass


def two_query_environment():
    return VolatileBandit(n_actions=4, period=10, feedback="multi", n_queries=2)


def test_reset_refuses_more_queries_than_the_budget():
    spec = EnvSpec(FeedbackKind.MULTI_QUERY, n_actions=4, horizon=10, n_queries=2)
    with pytest.raises(ValueError, match=MESSAGE):
        ThreeQueries().reset(spec)
    ThreeQueries().reset(EnvSpec(FeedbackKind.MULTI_QUERY, n_actions=4, horizon=10, n_queries=3))


@pytest.mark.parametrize("compiled", [None, False])
@pytest.mark.parametrize("learner", [ThreeQueries(), PythonThreeQueries()], ids=["kernels", "python"])
def test_run_refuses_before_round_one(learner, compiled):
    name = MESSAGE.replace("ThreeQueries", type(learner).__name__)
    with pytest.raises(ValueError, match=name):
        ol.run(
            learner, two_query_environment(), horizon=5, n_reps=1, seed=0, compiled=compiled, progress=False
        )


def test_python_loop_checks_every_repetition():
    """The loops' own reset checks too (objects stepped through onlinelearn.sim.loops directly)."""
    from onlinelearn.sim.loops import run_python

    with pytest.raises(ValueError, match=MESSAGE.replace("ThreeQueries", "PythonThreeQueries")):
        run_python(PythonThreeQueries(), two_query_environment(), [], 5, [0], 0, 0, 0, np.array([5]), True)


def test_budget_large_enough_answers_every_query():
    environment = VolatileBandit(n_actions=4, period=10, feedback="multi", n_queries=3)
    learner = ThreeQueries()
    spec = environment.reset(seed=0).with_horizon(5)
    learner.reset(spec, np.random.default_rng(0))
    for _ in range(5):
        learner.update(environment.step(learner.act()))
        assert learner.state_.answered[0] == 3.0
    result = ol.run(learner, environment, horizon=20, n_reps=2, seed=0, progress=False, backend="serial")
    assert result.compiled.all()


def test_declared_count_must_be_a_positive_int():
    spec = EnvSpec(FeedbackKind.MULTI_QUERY, n_actions=4, horizon=10, n_queries=2)
    broken = PythonThreeQueries()
    broken.n_queries = 0
    with pytest.raises(ValueError, match=r"'n_queries' attribute of PythonThreeQueries .* range \[1, inf\)"):
        check_query_budget(broken, spec)
