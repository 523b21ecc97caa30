import math

import numpy as np
import pytest
from onlinelearn.environments.volatile import VolatileBandit

from onlinelearn.core import EnvSpec, FeedbackKind, OracleRecord
from onlinelearn.core.oracle import COMPARATOR_SHIFT, EXPECTED_LOSS, EXPECTED_LOSSES, record_size
from onlinelearn.testing import check_tracker
from onlinelearn.trackers.adaptive import MovingAverageLoss, PostSwitchRegret, StronglyAdaptiveRegret
from tests.naive.adaptive import post_switch_regrets, worst_interval_regret

CASES = [
    (cls, params)
    for cls in (StronglyAdaptiveRegret, PostSwitchRegret, MovingAverageLoss)
    for params in cls._test_params
]


@pytest.mark.parametrize(
    ("cls", "params"), CASES, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_passes_the_common_checks(cls, params):
    check_tracker(cls(**params), VolatileBandit(n_actions=3, period=10))


def random_records(horizon, n_actions, seed):
    """Random expected-loss vectors, a played action per round, and switch flags every 7 rounds."""
    rng = np.random.default_rng(seed)
    means = rng.random((horizon, n_actions))
    played = rng.integers(0, n_actions, horizon)
    records = np.zeros((horizon, record_size(n_actions)))
    records[:, EXPECTED_LOSSES:] = means
    records[:, EXPECTED_LOSS] = means[np.arange(horizon), played]
    records[::7, COMPARATOR_SHIFT] = 1.0
    records[0, COMPARATOR_SHIFT] = 0.0
    return records


def feed(tracker, records, n_actions):
    tracker.reset(EnvSpec(FeedbackKind.BANDIT, n_actions=n_actions), len(records))
    values = []
    for row in records:
        tracker.record(OracleRecord(row))
        values.append(tracker.values())
    return np.array(values)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_strongly_adaptive_regret_matches_brute_force(seed):
    n_actions, lengths = 4, (1, 5, 30)
    records = random_records(80, n_actions, seed)
    values = feed(StronglyAdaptiveRegret(lengths), records, n_actions)
    learner, actions = records[:, EXPECTED_LOSS], records[:, EXPECTED_LOSSES:]
    for t in (0, 4, 29, 50, 79):
        for i, length in enumerate(lengths):
            if t + 1 < length:
                assert values[t, 2 * i] == 0.0
                continue
            expected = worst_interval_regret(learner[: t + 1], actions[: t + 1], length)
            assert values[t, 2 * i] == pytest.approx(expected, abs=1e-12)
            assert values[t, 2 * i + 1] == pytest.approx(expected / math.sqrt(n_actions * length), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 3])
def test_post_switch_regret_matches_brute_force(seed):
    n_actions, lengths = 3, (3, 10)
    records = random_records(60, n_actions, seed)
    values = feed(PostSwitchRegret(lengths), records, n_actions)
    switched = records[:, COMPARATOR_SHIFT] > 0
    for i, length in enumerate(lengths):
        regrets = post_switch_regrets(
            records[:, EXPECTED_LOSS], records[:, EXPECTED_LOSSES:], switched, length
        )
        assert values[-1, 2 * i] == pytest.approx(np.mean(regrets), abs=1e-12)
        assert values[-1, 2 * i + 1] == pytest.approx(np.max(regrets), abs=1e-12)
    assert np.all(values[:9, :] == 0.0)  # the first switch is at round 7; its 3-window ends at 9


def test_moving_average_loss():
    records = random_records(30, 2, 4)
    values = feed(MovingAverageLoss(window=4), records, 2)[:, 0]
    losses = records[:, EXPECTED_LOSS]
    for t in range(30):
        assert values[t] == pytest.approx(losses[max(0, t - 3) : t + 1].mean(), abs=1e-14)


def test_bad_lengths_are_refused():
    for bad in ([0], [], [5, 5], [-3]):
        with pytest.raises(ValueError, match="'lengths' parameter of StronglyAdaptiveRegret"):
            _ = StronglyAdaptiveRegret(bad).metric_names
    with pytest.raises(ValueError, match="'window' parameter of MovingAverageLoss"):
        MovingAverageLoss(0).reset(EnvSpec(FeedbackKind.BANDIT, n_actions=2), 10)
