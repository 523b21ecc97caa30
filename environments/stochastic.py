"""Stationary stochastic bandits: Bernoulli and Gaussian arms.

The reward table ``X[t, a]`` is a pure function of a 64-bit key drawn at ``reset`` (see
:mod:`onlinelearn.core.counter_rng`): arms are independent, every learner in a repetition
faces the same table, and a bandit round evaluates only the played arm.  Losses are
``1 - reward``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.counter_rng import counter_normal, counter_uniform, draw_key
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
from onlinelearn.core.spec import EnvSpec


class StochasticState(NamedTuple):
    means: np.ndarray  # mean reward of each arm
    key: np.ndarray  # uint64[1]: the realisation's stream key
    cumulative_losses: np.ndarray  # realised cumulative loss of each arm (hindsight)
    best_mean: float
    noise: float  # Gaussian standard deviation (unused for Bernoulli)
    full_information: bool


@kernel
def bernoulli_loss(state, t, arm):
    """Realised loss of ``arm`` at round ``t``: ``1 - 1[U(t, arm) < mu_arm]``."""
    n_arms = state.means.shape[0]
    u = counter_uniform(state.key[0], t * n_arms + arm)
    return 0.0 if u < state.means[arm] else 1.0


@kernel
def gaussian_loss(state, t, arm):
    """Realised loss of ``arm`` at round ``t``: ``1 - (mu_arm + sigma Z(t, arm))``."""
    n_arms = state.means.shape[0]
    return 1.0 - state.means[arm] - state.noise * counter_normal(state.key[0], t * n_arms + arm)


@kernel
def _write_step(state, t, action, loss, feedback, record):
    record[LOSS] = loss
    record[EXPECTED_LOSS] = 1.0 - state.means[action]
    record[BEST_EXPECTED_LOSS] = 1.0 - state.best_mean
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = (t + 1) * (1.0 - state.best_mean)


@kernel
def bernoulli_step(state, rng, t, action, feedback, record):
    if state.full_information:
        for a in range(state.means.shape[0]):
            feedback[a] = bernoulli_loss(state, t, a)
        loss = feedback[action]
    else:
        loss = bernoulli_loss(state, t, action)
        feedback[0] = loss
    _write_step(state, t, action, loss, feedback, record)


@kernel
def gaussian_step(state, rng, t, action, feedback, record):
    if state.full_information:
        for a in range(state.means.shape[0]):
            feedback[a] = gaussian_loss(state, t, a)
        loss = feedback[action]
    else:
        loss = gaussian_loss(state, t, action)
        feedback[0] = loss
    _write_step(state, t, action, loss, feedback, record)


@kernel
def _write_hindsight(state, record, best_loss):
    best_cumulative = np.inf
    for a in range(state.means.shape[0]):
        best_cumulative = min(best_cumulative, state.cumulative_losses[a])
        record[EXPECTED_LOSSES + a] = 1.0 - state.means[a]
    record[BEST_LOSS] = best_loss
    record[BEST_FIXED_CUMULATIVE_LOSS] = best_cumulative
    record[COMPARATOR_SHIFT] = 0.0


@kernel
def bernoulli_hindsight(state, t, action, record):
    best_loss = np.inf
    for a in range(state.means.shape[0]):
        loss = bernoulli_loss(state, t, a)
        state.cumulative_losses[a] += loss
        best_loss = min(best_loss, loss)
    _write_hindsight(state, record, best_loss)


@kernel
def gaussian_hindsight(state, t, action, record):
    best_loss = np.inf
    for a in range(state.means.shape[0]):
        loss = gaussian_loss(state, t, a)
        state.cumulative_losses[a] += loss
        best_loss = min(best_loss, loss)
    _write_hindsight(state, record, best_loss)


class _StochasticBandit(KernelEnvironment):
    def make_spec(self) -> EnvSpec:
        kind = FeedbackKind.FULL_INFORMATION if self.feedback == "full" else FeedbackKind.BANDIT
        return EnvSpec(kind, n_actions=len(self.means), loss_range=self.loss_range)

    def init_state(self, spec, rng):
        means = np.array(self.means, dtype=float)
        return StochasticState(
            means,
            np.array([draw_key(rng)], dtype=np.uint64),
            np.zeros(len(means)),
            float(means.max()),
            float(self.noise_scale),
            self.feedback == "full",
        )

    @property
    def gaps(self) -> np.ndarray:
        """``Delta_a = mu* - mu_a`` for every arm."""
        means = np.asarray(self.means, dtype=float)
        return means.max() - means


class BernoulliBandit(_StochasticBandit):
    """K arms with Bernoulli(``means[a]``) rewards; the learner sees losses ``1 - reward``.

    Args:
        means: mean reward of each arm, in [0, 1].
        feedback: ``"bandit"`` (the played arm's loss) or ``"full"`` (every arm's loss).
    """

    _parameter_constraints = {
        "means": [ArrayLike(low=0.0, high=1.0, min_length=2)],
        "feedback": [Options(("bandit", "full"))],
    }
    _test_params = [{"means": [0.2, 0.5, 0.8]}, {"means": [0.3, 0.6], "feedback": "full"}]
    step_kernel = staticmethod(bernoulli_step)
    hindsight_kernel = staticmethod(bernoulli_hindsight)
    loss_range = (0.0, 1.0)
    noise_scale = 0.0

    def __init__(self, means=(0.1, 0.5, 0.9), feedback: str = "bandit"):
        self.means = means
        self.feedback = feedback


class GaussianBandit(_StochasticBandit):
    """K arms with Normal(``means[a]``, ``sigma``^2) rewards; losses ``1 - reward`` (unbounded).

    Args:
        means: mean reward of each arm.
        sigma: standard deviation of every arm's reward.
        feedback: ``"bandit"`` or ``"full"``.
    """

    _parameter_constraints = {
        "means": [ArrayLike(min_length=2)],
        "sigma": [Interval(float, 0, None, closed="neither")],
        "feedback": [Options(("bandit", "full"))],
    }
    _test_params = [{"means": [0.0, 0.5, 1.0], "sigma": 1.0}, {"means": [0.2, 0.4], "feedback": "full"}]
    step_kernel = staticmethod(gaussian_step)
    hindsight_kernel = staticmethod(gaussian_hindsight)
    loss_range = (-np.inf, np.inf)

    def __init__(self, means=(0.0, 0.5, 1.0), sigma: float = 1.0, feedback: str = "bandit"):
        self.means = means
        self.sigma = sigma
        self.feedback = feedback

    @property
    def noise_scale(self) -> float:
        return self.sigma
