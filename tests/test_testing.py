"""The public checkers catch deliberately broken learners, environments and trackers.

Every broken object is a correct reference object (tests/testing_helpers.py) with exactly one
defect; the test asserts that the checker fails on the check named after that defect (and that
the correct references pass every check).  This file: the references, broken trackers and what is
common to the checkers; broken learners and environments in test_testing_learners.py and
test_testing_environments.py.
"""

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

from onlinelearn.core.params import Interval
from onlinelearn.testing import (
    ENVIRONMENT_CHECKS,
    LEARNER_CHECKS,
    TRACKER_CHECKS,
    check_environment,
    check_learner,
    check_tracker,
)
from onlinelearn.trackers import PseudoRegret
from tests.testing_helpers import (
    BernoulliEnvironment,
    GradientLearner,
    LinearBallEnvironment,
    SumTracker,
    UniformLearner,
    assert_fails,
)


def test_reference_objects_pass_every_check():
    assert check_learner(UniformLearner(), BernoulliEnvironment()) == [
        name for name in LEARNER_CHECKS if name != "kernels_match_python"
    ]
    assert "realisation_independent_of_actions" in check_environment(BernoulliEnvironment())
    assert "memory_independent_of_horizon" in check_tracker(SumTracker(), BernoulliEnvironment())
    check_environment(LinearBallEnvironment())
    check_learner(GradientLearner(), LinearBallEnvironment())
    check_tracker(SumTracker(), LinearBallEnvironment())


def test_registered_partner_is_found_when_none_is_given():
    assert "actions_valid" in check_learner(UniformLearner())
    assert "values_finite" in check_tracker(SumTracker())


# ------------------------------------------------------------------------------------------
# Broken trackers
# ------------------------------------------------------------------------------------------
class WrongShapeTracker(SumTracker):
    def values(self):
        return np.array([self.total[0], 0.0])


class HistoryTracker(SumTracker):
    def reset(self, spec, horizon):
        super().reset(spec, horizon)
        self.history = np.zeros(horizon)


class MeanTracker(SumTracker):
    def reset(self, spec, horizon):
        super().reset(spec, horizon)
        self.count = 0

    def record(self, oracle):
        super().record(oracle)

    def values(self):
        with np.errstate(all="ignore"):
            return self.total / self.count  # count is never incremented: 0/0


class MutatingTracker(SumTracker):
    def values(self):
        self.total *= 0.5
        return self.total.copy()


class StaleTracker(SumTracker):
    def reset(self, spec, horizon):
        if not hasattr(self, "total"):
            self.total = np.zeros(1)


class UnpicklableTracker(SumTracker):
    def __init__(self):
        self.callback = lambda value: value


class NoNamesTracker(SumTracker):
    metric_names = "loss"


@pytest.mark.parametrize(
    ("tracker", "check", "words"),
    [
        (WrongShapeTracker(), "values_shape", "shape (2,)"),
        (HistoryTracker(), "memory_independent_of_horizon", "per-round history"),
        (MeanTracker(), "values_finite", "division"),
        (MutatingTracker(), "values_do_not_change_state", "values()"),
        (StaleTracker(), "reset_is_idempotent", "reset does not clear"),
        (UnpicklableTracker(), "pickles", "pickle"),
        (NoNamesTracker(), "has_methods", "non-empty tuple of strings"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_check_tracker_catches(tracker, check, words):
    message = assert_fails(check, check_tracker, tracker, BernoulliEnvironment())
    assert words in message


def test_check_tracker_catches_parameter_constraint_not_enforced():
    class Window(PseudoRegret):
        _parameter_constraints = {"window": [Interval(int, 1, None)]}

        def __init__(self, window=10):
            self.window = window

        def reset(self, spec, horizon):  # forgets validate_parameters
            self.state_ = self.init_state(spec, int(horizon))
            self.round_ = 0

    message = assert_fails("parameter_validation", check_tracker, Window(), BernoulliBandit(means=[0.2, 0.5]))
    assert "window=0" in message


def test_missing_methods_are_reported_first():
    assert_fails("has_methods", check_learner, object(), BernoulliEnvironment())
    assert_fails("has_methods", check_environment, object())
    assert_fails("has_methods", check_tracker, object(), BernoulliEnvironment())


def test_check_names_are_listed():
    assert "kernels_match_python" in LEARNER_CHECKS
    assert "pickles" in ENVIRONMENT_CHECKS
    assert "memory_independent_of_horizon" in TRACKER_CHECKS
