"""The public checkers catch deliberately broken learners, environments and trackers.

Every broken object below is a correct reference object with exactly one defect; the test
asserts that the checker fails on the check named after that defect (and that the correct
references pass every check).
"""

import threading

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

from onlinelearn.core import (
    EnvSpec,
    Feedback,
    FeedbackKind,
    OracleRecord,
    PythonFiniteEnvironment,
    ball,
)
from onlinelearn.core.kernel_calls import KernelCall
from onlinelearn.core.oracle import LOSS, record_size
from onlinelearn.core.params import Interval, validate_parameters
from onlinelearn.core.seeding import as_generator
from onlinelearn.learners import UCB1
from onlinelearn.testing import (
    ENVIRONMENT_CHECKS,
    LEARNER_CHECKS,
    TRACKER_CHECKS,
    CheckError,
    check_environment,
    check_learner,
    check_tracker,
)
from onlinelearn.trackers import PseudoRegret


def assert_fails(check, function, *args, **kwargs):
    """``function`` raises a CheckError for ``check`` whose message names it and a cause."""
    with pytest.raises(CheckError) as info:
        function(*args, **kwargs)
    assert info.value.check == check, str(info.value)
    assert f"failed check '{check}'" in str(info.value)
    assert "Likely cause:" in str(info.value)
    assert isinstance(info.value, AssertionError)
    return str(info.value)


# ------------------------------------------------------------------------------------------
# Reference (correct) Python objects
# ------------------------------------------------------------------------------------------
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
# Broken learners
# ------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------
# Broken environments
# ------------------------------------------------------------------------------------------
class GlobalRandomEnvironment(BernoulliEnvironment):
    def draw_losses(self, t, rng):
        means = np.asarray(self.means)
        return (np.random.random(len(means)) < means).astype(float), means  # noqa: NPY002


class UnseededEnvironment(BernoulliEnvironment):
    def reset(self, *, seed=None):
        return super().reset(seed=None)


class NonIdempotentEnvironment(BernoulliEnvironment):
    """Shifts its means a little on every reset."""

    def reset(self, *, seed=None):
        self.n_resets = getattr(self, "n_resets", 0) + 1
        return super().reset(seed=seed)

    def draw_losses(self, t, rng):
        losses, means = super().draw_losses(t, rng)
        return losses, means * 0.99**self.n_resets


class NaNEnvironment(BernoulliEnvironment):
    """Returns NaN feedback at round 18 (past PythonFiniteEnvironment's own checks)."""

    def step(self, action):
        feedback = super().step(action)
        if self.round_ == 18:
            return Feedback(feedback.kind, np.full_like(feedback.values, np.nan))
        return feedback


class NaNDrawEnvironment(BernoulliEnvironment):
    """Draws NaN losses at round 18; the helper base refuses them in step."""

    def draw_losses(self, t, rng):
        losses, means = super().draw_losses(t, rng)
        if t == 17:
            losses[:] = np.nan
        return losses, means


class RewardEnvironment(BernoulliEnvironment):
    def draw_losses(self, t, rng):
        losses, means = super().draw_losses(t, rng)
        return 2.0 * losses, means  # outside the declared loss_range (0, 1)


class ActionDependentEnvironment(BernoulliEnvironment):
    """Draws only what the played arm needs: the stream shifts with the actions."""

    def step(self, action):
        if action == 0:
            self.rng_.random()
        return super().step(action)


class ReactiveEnvironment(BernoulliEnvironment):
    """The mean of the arm played last round drops (an adaptive adversary)."""

    def reset(self, *, seed=None):
        self.last = 0
        return super().reset(seed=seed)

    def step(self, action):
        feedback = super().step(action)
        self.last = action
        return feedback

    def draw_losses(self, t, rng):
        means = np.array(self.means, dtype=float)
        means[self.last] = 0.0
        return (rng.random(len(means)) < means).astype(float), means


class DeclaredReactiveEnvironment(ReactiveEnvironment):
    _skip_checks = {"realisation_independent_of_actions": "adaptive adversary"}


class WrapsActionsEnvironment(BernoulliEnvironment):
    def step(self, action):
        if isinstance(action, int | np.integer):
            action = int(action) % self.n_actions  # silently wraps invalid arms
        return super().step(action)


class WrongSizeEnvironment(BernoulliEnvironment):
    def step(self, action):
        feedback = super().step(action)
        return Feedback(feedback.kind, np.concatenate([feedback.values, [0.0]]))


class InconsistentOracleEnvironment(BernoulliEnvironment):
    def oracle(self):
        record = super().oracle().values.copy()
        record[LOSS] = 1.0 - record[LOSS]
        return OracleRecord(record)


class UnpicklableEnvironment(BernoulliEnvironment):
    def __init__(self, means=(0.2, 0.5, 0.7)):
        super().__init__(means)
        self.transform = lambda x: x


class ShiftedRoundBernoulli(BernoulliBandit):
    """The Python step passes a shifted round index to the kernel (compiled loop does not)."""

    def step(self, action):
        self.round_ += 1000
        feedback = super().step(action)
        self.round_ -= 1000
        return feedback


@pytest.mark.parametrize(
    ("environment", "check", "words"),
    [
        (GlobalRandomEnvironment(), "same_seed_same_trajectory", "np.random"),
        (UnseededEnvironment(), "same_seed_same_trajectory", "same seed"),
        (NonIdempotentEnvironment(), "reset_is_idempotent", "two resets"),
        (NaNEnvironment(), "feedback_and_oracle_valid", "round 18 is not finite"),
        (
            NaNDrawEnvironment(),
            "feedback_and_oracle_valid",
            "draw_losses returned non-finite losses at round 18",
        ),
        (RewardEnvironment(), "feedback_and_oracle_valid", "loss_range"),
        (ActionDependentEnvironment(), "realisation_independent_of_actions", "common random numbers"),
        (ReactiveEnvironment(), "realisation_independent_of_actions", "action sequences"),
        (WrapsActionsEnvironment(), "invalid_actions_rejected", "step(-1) was accepted"),
        (WrongSizeEnvironment(), "feedback_and_oracle_valid", "shape (2,)"),
        (InconsistentOracleEnvironment(), "feedback_and_oracle_valid", "oracle LOSS"),
        (UnpicklableEnvironment(), "pickles", "pickle"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_check_environment_catches(environment, check, words):
    message = assert_fails(check, check_environment, environment)
    assert words in message
    assert type(environment).__name__ in message


def test_check_environment_catches_python_face_that_drifted_from_the_kernel():
    assert_fails("kernels_match_python", check_environment, ShiftedRoundBernoulli([0.2, 0.5, 0.8]))


def test_check_environment_catches_unvalidated_parameters():
    class Unvalidated(BernoulliBandit):
        def reset(self, *, seed=None):
            self.validate = lambda: None
            means, self.means = self.means, np.clip(np.nan_to_num(self.means), 0, 1)
            try:
                return super().reset(seed=seed)
            finally:
                self.means = means

    # The constraint on 'means' is exercised with NaN entries: the clipping hides them.
    message = assert_fails("parameter_validation", check_environment, Unvalidated([0.2, 0.5]))
    assert "means=[nan, nan]" in message


def test_adaptive_environment_may_skip_the_common_random_numbers_check():
    assert "realisation_independent_of_actions" not in check_environment(
        ReactiveEnvironment(), skip={"realisation_independent_of_actions"}
    )

    check_environment(DeclaredReactiveEnvironment())
    with pytest.raises(ValueError, match="Unknown check name"):
        check_environment(BernoulliEnvironment(), skip={"no_such_check"})


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
