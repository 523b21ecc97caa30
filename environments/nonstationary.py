"""Non-stationary stochastic bandits: piecewise-stationary Bernoulli arms.

``PiecewiseStationaryBandit(means, change_points)`` is a Bernoulli bandit whose mean vector is
``means[j]`` on segment ``j``; segment ``j`` starts at round ``starts[j]`` (0-based) and lasts until
the next one starts; the last segment lasts forever.  This is the abruptly changing model of
Garivier and Moulines, "On upper-confidence bound policies for switching bandit problems",
ALT 2011 (Discounted / Sliding-Window UCB), and of Auer, Gajane and Ortner, "Adaptively tracking
the best bandit arm with an unknown number of distribution changes", COLT 2019.

The realisation is counter-based as in :mod:`environments.stochastic`: the uniform ``U[t, a]`` is
output ``t * K + a`` of a SplitMix64 stream keyed by one draw at ``reset``, and the loss is
``1 - 1[U[t, a] < mu_{t, a}]``.  Every learner of a repetition faces the same table whatever it
plays, a bandit round evaluates only the played arm, and the full row is computed only in
``hindsight``.

Oracle record (see :mod:`onlinelearn.core.oracle`):

* step: slot 1 ``1 - mu_{t, a_t}``, slot 2 ``min_a (1 - mu_{t, a})``, slot 5
  ``min_a sum_{s<=t} (1 - mu_{s, a})`` (a running sum of the K expected losses, O(K) per round);
* hindsight: slots 3 and 4 from the realised losses of every arm, slot 6 is 1 when the per-round
  best arm (the first arm of largest mean) differs from the previous round's, slots 7.. the
  expected-loss vector ``1 - mu_t``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.counter_rng import counter_uniform, draw_key
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
from onlinelearn.core.params import ArrayLike, IntSequence, Options
from onlinelearn.core.sampling import argmin_first
from onlinelearn.core.spec import EnvSpec


class PiecewiseState(NamedTuple):
    means: np.ndarray  # (n_segments, K) Bernoulli means
    expected: np.ndarray  # (n_segments, K) expected losses 1 - means
    starts: np.ndarray  # int64 (n_segments,): first round of each segment, starts[0] = 0
    best: np.ndarray  # int64 (n_segments,): first arm of smallest expected loss per segment
    key: np.ndarray  # uint64[1]: the realisation's stream key
    segment: np.ndarray  # int64[1]: segment of the current round
    cumulative_expected: np.ndarray  # sum_{s<=t} (1 - mu_{s, a}) per arm
    cumulative_losses: np.ndarray  # realised cumulative loss per arm (hindsight)
    previous_best: np.ndarray  # int64[1]: last round's best arm (-1 before round 1)
    full_information: bool


@kernel
def piecewise_loss(state, t, segment, arm):
    """Realised loss of ``arm`` at round ``t`` (in ``segment``): ``1 - 1[U(t, arm) < mu]``."""
    n_arms = state.means.shape[1]
    u = counter_uniform(state.key[0], t * n_arms + arm)
    return 0.0 if u < state.means[segment, arm] else 1.0


@kernel
def piecewise_step(state, rng, t, action, feedback, record):
    segment = state.segment[0]
    while segment + 1 < state.starts.shape[0] and t >= state.starts[segment + 1]:
        segment += 1
    state.segment[0] = segment
    if state.full_information:
        for a in range(state.means.shape[1]):
            feedback[a] = piecewise_loss(state, t, segment, a)
        loss = feedback[action]
    else:
        loss = piecewise_loss(state, t, segment, action)
        feedback[0] = loss
    best_cumulative = np.inf
    for a in range(state.means.shape[1]):
        state.cumulative_expected[a] += state.expected[segment, a]
        best_cumulative = min(best_cumulative, state.cumulative_expected[a])
    record[LOSS] = loss
    record[EXPECTED_LOSS] = state.expected[segment, action]
    record[BEST_EXPECTED_LOSS] = state.expected[segment, state.best[segment]]
    record[BEST_FIXED_CUMULATIVE_EXPECTED] = best_cumulative


@kernel
def piecewise_hindsight(state, t, action, record):
    segment = state.segment[0]
    best_loss = np.inf
    best_cumulative = np.inf
    for a in range(state.means.shape[1]):
        loss = piecewise_loss(state, t, segment, a)
        state.cumulative_losses[a] += loss
        best_loss = min(best_loss, loss)
        best_cumulative = min(best_cumulative, state.cumulative_losses[a])
        record[EXPECTED_LOSSES + a] = state.expected[segment, a]
    record[BEST_LOSS] = best_loss
    record[BEST_FIXED_CUMULATIVE_LOSS] = best_cumulative
    best = state.best[segment]
    previous = state.previous_best[0]
    record[COMPARATOR_SHIFT] = 1.0 if previous >= 0 and previous != best else 0.0
    state.previous_best[0] = best


class PiecewiseStationaryBandit(KernelEnvironment):
    """Bernoulli arms whose means change abruptly at known rounds (switching bandit).

    Round ``t`` (0-based) is in segment ``j`` when ``starts[j] <= t < starts[j + 1]``, and arm
    ``a`` then has Bernoulli(``means[j, a]``) reward, i.e. loss ``1 - reward``.  Learners see only
    losses; the change points are known to the oracle (trackers) only.

    Args:
        means: ``(n_segments, K)`` array of mean rewards in [0, 1], K >= 2.
        change_points: strictly increasing rounds where segments start.  Either the
            ``n_segments - 1`` starts of segments 2, 3, ... (all >= 1; the first segment starts at
            round 0), or all ``n_segments`` starts with a leading 0.  Change points beyond the
            horizon are allowed (those segments are never reached).
        feedback: ``"bandit"`` (the played arm's loss) or ``"full"`` (every arm's loss).

    Source: Garivier and Moulines, ALT 2011; Besbes, Gur and Zeevi, "Stochastic multi-armed
    bandit problem with non-stationary rewards", NeurIPS 2014.
    """

    _parameter_constraints = {
        "means": [ArrayLike(ndim=2, low=0.0, high=1.0)],
        "change_points": [IntSequence(0, increasing=True)],
        "feedback": [Options(("bandit", "full"))],
    }
    _test_params = [
        {"means": [[0.2, 0.8], [0.8, 0.2], [0.5, 0.6]], "change_points": [10, 25]},
        {"means": [[0.1, 0.5, 0.9], [0.9, 0.5, 0.1]], "change_points": [0, 7], "feedback": "full"},
    ]
    step_kernel = staticmethod(piecewise_step)
    hindsight_kernel = staticmethod(piecewise_hindsight)

    def __init__(self, means=((0.2, 0.8), (0.8, 0.2)), change_points=(1000,), feedback: str = "bandit"):
        self.means = means
        self.change_points = change_points
        self.feedback = feedback

    def validate(self) -> None:
        owner = type(self).__name__
        shape = np.shape(self.means)
        if shape[1] < 2:
            raise ValueError(
                f"The 'means' parameter of {owner} must have at least 2 columns "
                f"(arms). Got shape {shape} instead."
            )
        points = list(self.change_points)
        n_segments = shape[0]
        if len(points) == n_segments and n_segments > 0 and points[0] == 0:
            return
        if len(points) == n_segments - 1 and (not points or points[0] >= 1):
            return
        raise ValueError(
            f"The 'change_points' parameter of {owner} must be the {n_segments - 1} starts (>= 1) "
            f"of segments 2..{n_segments} or the {n_segments} starts of all segments beginning "
            f"with 0, for means of shape {shape}. Got {self.change_points!r} instead."
        )

    @property
    def starts(self) -> np.ndarray:
        """First round (0-based) of every segment; ``starts[0] == 0``."""
        points = [int(x) for x in self.change_points]
        if len(points) < np.shape(self.means)[0]:
            points = [0, *points]
        return np.array(points, dtype=np.int64)

    def make_spec(self) -> EnvSpec:
        kind = FeedbackKind.FULL_INFORMATION if self.feedback == "full" else FeedbackKind.BANDIT
        return EnvSpec(kind, n_actions=int(np.shape(self.means)[1]))

    def init_state(self, spec, rng):
        means = np.ascontiguousarray(self.means, dtype=float)
        expected = np.ascontiguousarray(1.0 - means)
        best = np.array([argmin_first(row) for row in expected], dtype=np.int64)
        n_arms = means.shape[1]
        return PiecewiseState(
            means,
            expected,
            self.starts,
            best,
            np.array([draw_key(rng)], dtype=np.uint64),
            np.zeros(1, dtype=np.int64),
            np.zeros(n_arms),
            np.zeros(n_arms),
            np.full(1, -1, dtype=np.int64),
            self.feedback == "full",
        )
