"""Correct reference objects for the checker tests (a learner, environments and a tracker written
in plain Python), and :func:`assert_fails`.  The tests derive each broken object from one of them
by one defect."""

import numpy as np
import pytest

from onlinelearn.core import EnvSpec, Feedback, FeedbackKind, OracleRecord, PythonFiniteEnvironment, ball
from onlinelearn.core.oracle import LOSS, record_size
from onlinelearn.core.params import Interval, validate_parameters
from onlinelearn.testing import CheckError


def assert_fails(check, function, *args, **kwargs):
    """``function`` raises a CheckError for ``check`` whose message names it and a cause."""
    with pytest.raises(CheckError) as info:
        function(*args, **kwargs)
    assert info.value.check == check, str(info.value)
    assert f"failed check '{check}'" in str(info.value)
    assert "Likely cause:" in str(info.value)
    assert isinstance(info.value, AssertionError)
    return str(info.value)


class UniformLearner:
    """Uniformly random arm from the Generator given to reset; bandit feedback only."""

    _parameter_constraints = {"n_warmup": [Interval(int, 0, None)]}

    def __init__(self, n_warmup=0):
        self.n_warmup = n_warmup

    def get_params(self):
        return {"n_warmup": self.n_warmup}

    def reset(self, spec, rng):
        validate_parameters(self)
        if spec.feedback_kind != FeedbackKind.BANDIT or not spec.n_actions:
            raise TypeError("UniformLearner plays finite bandits only.")
        self.n_actions = spec.n_actions
        self.rng = rng
        self.t = 0

    def act(self):
        self.t += 1
        if self.t <= self.n_warmup:
            return (self.t - 1) % self.n_actions
        return int(self.rng.integers(self.n_actions))

    def update(self, feedback):
        pass


class BernoulliEnvironment(PythonFiniteEnvironment):
    """Bernoulli losses of every arm drawn each round from the reset Generator."""

    n_actions = 3

    def __init__(self, means=(0.2, 0.5, 0.7)):
        self.means = means

    def get_params(self):
        return {"means": self.means}

    def draw_losses(self, t, rng):
        means = np.asarray(self.means)
        return (rng.random(len(means)) < means).astype(float), means


class SumTracker:
    """Cumulative realised loss (O(1) memory)."""

    metric_names = ("loss",)

    def reset(self, spec, horizon):
        self.total = np.zeros(1)

    def record(self, oracle):
        self.total[0] += oracle.values[LOSS]

    def values(self):
        return self.total.copy()


class LinearBallEnvironment:
    """Linear losses <theta_t, x> on the unit ball, theta_t ~ N(0, I) (gradient feedback)."""

    def reset(self, *, seed=None):
        self.rng = np.random.default_rng(seed)
        self.decision_set = ball(2)
        self.spec = EnvSpec(
            FeedbackKind.GRADIENT, decision_set=self.decision_set, loss_range=(-np.inf, np.inf)
        )
        self.sum_theta = np.zeros(2)
        self.previous = None
        self.record = np.zeros(record_size(None))
        return self.spec

    def step(self, action):
        if isinstance(action, str) or action is None:
            raise TypeError("the action must be a point")
        x = np.asarray(action, dtype=float)
        if x.shape != (2,) or not np.all(np.isfinite(x)):
            raise ValueError("the action must be a finite point of shape (2,)")
        theta = self.rng.normal(size=2)
        self.sum_theta += theta
        best = -theta / max(np.linalg.norm(theta), 1e-300)
        loss = float(theta @ x)
        self.record[:] = [
            loss,
            loss,
            -np.linalg.norm(theta),
            -np.linalg.norm(theta),
            -np.linalg.norm(self.sum_theta),
            -np.linalg.norm(self.sum_theta),
            0.0 if self.previous is None else np.linalg.norm(best - self.previous),
        ]
        self.previous = best
        return Feedback(FeedbackKind.GRADIENT, np.concatenate([[loss], theta]))

    def oracle(self):
        return OracleRecord(self.record.copy())


class GradientLearner:
    """Projected online gradient descent with a constant step."""

    eta = 0.1

    def reset(self, spec, rng):
        if spec.feedback_kind != FeedbackKind.GRADIENT or spec.decision_set is None:
            raise TypeError("GradientLearner needs gradient feedback on a decision set.")
        self.decision_set = spec.decision_set
        self.x = spec.decision_set.center()

    def act(self):
        return self.x.copy()

    def update(self, feedback):
        self.x = self.decision_set.project(self.x - self.eta * feedback.values[1:])
