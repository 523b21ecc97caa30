"""Plain user environments of the multi-query and bandit-convex kinds (no ``check_action``): the
runner checks a learner's queries itself and names the learner and the round."""

import numpy as np
import pytest

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind, OracleRecord
from onlinelearn.core.decision_sets import ball
from onlinelearn.core.oracle import record_size

BAD_ROUND = 4


class PlainQueryBandit:
    """Three arms with fixed losses; answers up to two queried arms per round, charges the first.

    Written without an onlinelearn base class and without ``check_action``: an arm of -1 would be
    answered with the last arm's loss if nobody checked it.
    """

    losses = np.array([0.5, 0.2, 0.8])

    def reset(self, *, seed=None):
        return EnvSpec(FeedbackKind.MULTI_QUERY, n_actions=3, n_queries=2)

    def step(self, action):
        arms = np.atleast_1d(action)
        values = [len(arms)]
        for arm in arms:
            values += [arm, self.losses[arm]]
        values += [0.0] * (5 - len(values))
        self.played = arms[0]
        return Feedback(FeedbackKind.MULTI_QUERY, np.array(values, dtype=float))

    def oracle(self):
        record = np.zeros(record_size(3))
        loss = self.losses[self.played]
        record[:7] = [loss, loss, 0.2, 0.2, 0.0, 0.0, 0]
        record[7:] = self.losses
        return OracleRecord(record)


class PlainBanditQuadratic:
    """``f(x) = ||x||^2 / 2`` on the unit disc, values at up to two queried points per round."""

    def reset(self, *, seed=None):
        return EnvSpec(FeedbackKind.BANDIT_CONVEX, decision_set=ball(2), n_queries=2, gradient_bound=1.0)

    def step(self, action):
        points = np.atleast_2d(action)
        values = [len(points), *(0.5 * np.sum(points**2, axis=1))]
        values += [0.0] * (3 - len(values))
        self.loss = values[1]
        return Feedback(FeedbackKind.BANDIT_CONVEX, np.array(values, dtype=float))

    def oracle(self):
        record = np.zeros(record_size(None))
        record[:7] = [self.loss, self.loss, 0.0, 0.0, 0.0, 0.0, 0]
        return OracleRecord(record)


class ScriptedLearner:
    """Plays ``good`` every round except ``BAD_ROUND``, where it plays ``bad``."""

    def __init__(self, good, bad):
        self.good, self.bad = good, bad

    def reset(self, spec, rng):
        self.round = 0

    def act(self):
        self.round += 1
        return self.bad if self.round == BAD_ROUND else self.good

    def update(self, feedback):
        pass


@pytest.mark.parametrize(
    "environment, good, bad, message",
    [
        (PlainQueryBandit(), np.array([0, 1]), np.array([0, -1]), r"1 to 2 arms in \[0, 3\)"),
        (PlainQueryBandit(), np.array([0, 1]), np.array([0, 1, 2]), r"1 to 2 arms in \[0, 3\)"),
        (PlainBanditQuadratic(), np.zeros((2, 2)), np.array([[0.0, 0.0], [2.0, 0.0]]), r"of the ball"),
        (PlainBanditQuadratic(), np.zeros(2), np.array([np.nan, 0.0]), r"1 to 2 points"),
    ],
    ids=["negative-arm", "three-queries", "point-outside-ball", "nan-point"],
)
def test_invalid_query_of_user_learner_is_reported_at_its_round(environment, good, bad, message):
    name = type(environment).__name__
    expected = rf"^ScriptedLearner.act returned an invalid action at round {BAD_ROUND}: {name}.*{message}"
    with pytest.raises(ValueError, match=expected):
        ol.run(ScriptedLearner(good, bad), environment, horizon=10, n_reps=1, quiet=True)


@pytest.mark.parametrize(
    "environment, good", [(PlainQueryBandit(), np.array([1, 0])), (PlainBanditQuadratic(), np.zeros((2, 2)))]
)
def test_valid_queries_of_user_learner_run(environment, good):
    result = ol.run(ScriptedLearner(good, good), environment, horizon=10, n_reps=2, quiet=True)
    assert result.final().shape == (1, 1, 2) and np.all(np.isfinite(result.final()))
