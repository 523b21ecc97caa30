"""check_environment catches deliberately broken environments (each a reference object of
tests/testing_helpers.py, or a registered environment, with one defect)."""

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

from onlinelearn.core import Feedback, OracleRecord
from onlinelearn.core.oracle import LOSS
from onlinelearn.testing import check_environment
from tests.testing_helpers import BernoulliEnvironment, assert_fails


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
