"""check_learner catches deliberately broken learners (each a reference object of
tests/testing_helpers.py with one defect)."""

import threading

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

from onlinelearn.core import FeedbackKind
from onlinelearn.core.kernel_calls import KernelCall
from onlinelearn.core.params import Interval
from onlinelearn.core.seeding import as_generator
from onlinelearn.learners import UCB1
from onlinelearn.testing import check_learner
from tests.testing_helpers import (
    BernoulliEnvironment,
    GradientLearner,
    LinearBallEnvironment,
    UniformLearner,
    assert_fails,
)


class OutOfRangeLearner(UniformLearner):
    def act(self):
        return self.n_actions  # off by one


class FloatActionLearner(UniformLearner):
    def act(self):
        return float(super().act())


class GlobalRandomLearner(UniformLearner):
    def act(self):
        return int(np.random.randint(self.n_actions))  # noqa: NPY002  (the defect under test)


class OwnGeneratorLearner(UniformLearner):
    def reset(self, spec, rng):
        super().reset(spec, np.random.default_rng())  # ignores the seed


class StaleStateLearner(UniformLearner):
    """Keeps its round counter across resets."""

    def reset(self, spec, rng):
        t = getattr(self, "t", 0)
        super().reset(spec, rng)
        self.t = t

    def act(self):
        self.t += 1
        return self.t % self.n_actions


class AcceptsAnythingLearner(UniformLearner):
    def reset(self, spec, rng):
        self.n_actions = spec.n_actions or 2
        self.rng = rng
        self.t = 0


class UnvalidatedLearner(UniformLearner):
    def reset(self, spec, rng):  # forgets validate_parameters
        if spec.feedback_kind != FeedbackKind.BANDIT or not spec.n_actions:
            raise TypeError("UniformLearner plays finite bandits only.")
        self.n_actions, self.rng, self.t = spec.n_actions, rng, 0


class MisspelledConstraintLearner(UniformLearner):
    _parameter_constraints = {"n_warm_up": [Interval(int, 0, None)]}


class UnpicklableLearner(UniformLearner):
    def __init__(self, n_warmup=0):
        super().__init__(n_warmup)
        self.lock = threading.Lock()

    def __deepcopy__(self, memo):  # copies fine, but cannot be pickled
        return type(self)(self.n_warmup)


class DriftedPythonFaceUCB1(UCB1):
    """The Python act() no longer matches the compiled act kernel."""

    def act(self):
        action = super().act()
        return (action + 1) % self.spec_.n_actions if self.state_.scalars[0] > 5 else action


class EscapingGradientLearner(GradientLearner):
    eta = 10.0

    def update(self, feedback):
        self.x = self.x - self.eta * feedback.values[1:]  # no projection


@pytest.mark.parametrize(
    ("learner", "check", "words"),
    [
        (OutOfRangeLearner(), "actions_valid", "outside [0, 3)"),
        (FloatActionLearner(), "actions_valid", "must return an int"),
        (GlobalRandomLearner(), "deterministic_given_rng", "np.random"),
        (OwnGeneratorLearner(), "deterministic_given_rng", "same seed"),
        (StaleStateLearner(), "reset_is_idempotent", "reset does not rebuild"),
        (AcceptsAnythingLearner(), "rejects_unsupported_spec", "before round 1"),
        (UnvalidatedLearner(n_warmup=2), "parameter_validation", "n_warmup"),
        (MisspelledConstraintLearner(), "parameter_constraints_match_init", "n_warm_up"),
        (UnpicklableLearner(), "pickles", "pickle"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_check_learner_catches(learner, check, words):
    message = assert_fails(check, check_learner, learner, BernoulliEnvironment())
    assert words in message
    assert type(learner).__name__ in message


def test_check_learner_catches_point_outside_the_decision_set():
    message = assert_fails("actions_valid", check_learner, EscapingGradientLearner(), LinearBallEnvironment())
    assert "outside the ball" in message and "project" in message


def test_check_learner_catches_python_face_that_drifted_from_the_kernel():
    message = assert_fails(
        "kernels_match_python", check_learner, DriftedPythonFaceUCB1(), BernoulliBandit(means=[0.2, 0.5, 0.8])
    )
    assert "compiled loop and the Python loop" in message


class UnvalidatedUCB1(UCB1):
    """A kernel learner whose reset forgets validate_parameters (KernelLearner.reset without it)."""

    def reset(self, spec, rng=None):
        self.check_spec(spec)
        self.spec_, self.rng_ = spec, as_generator(rng)
        self.state_ = self.init_state(spec, self.rng_)
        self.last_action_ = None
        self._act_call = KernelCall(self.act_kernel, rng_position=1)
        self._update_call = KernelCall(self.update_kernel)


class VagueErrorUCB1(UCB1):
    """Rejects a bad alpha, but with a message that names neither the parameter nor the class."""

    def reset(self, spec, rng=None):
        if not self.alpha > 0:
            raise ValueError("invalid value")
        super().reset(spec, rng)


def test_check_learner_catches_parameter_constraint_not_enforced():
    environment = BernoulliBandit(means=[0.2, 0.5])
    assert "parameter_validation" in check_learner(UCB1(), environment)
    message = assert_fails("parameter_validation", check_learner, UnvalidatedUCB1(), environment)
    assert "alpha=-1.0" in message and "raised no error at reset" in message
    message = assert_fails("parameter_validation", check_learner, VagueErrorUCB1(), environment)
    assert "does not name both the parameter 'alpha' and VagueErrorUCB1" in message


def test_check_learner_without_compatible_environment():
    class GradientOnly(UniformLearner):
        def reset(self, spec, rng):
            raise TypeError("never compatible")

    message = assert_fails("reset_accepts_compatible_spec", check_learner, GradientOnly())
    assert "No registered environment is compatible" in message
