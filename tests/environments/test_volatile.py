import numpy as np
import pytest
from onlinelearn.environments.switch_tables import JunExperts, SilentSwitchBandit
from onlinelearn.environments.volatile import VolatileBandit

from onlinelearn.core import FeedbackKind
from onlinelearn.core.oracle import COMPARATOR_SHIFT, EXPECTED_LOSSES
from onlinelearn.testing import check_environment

CASES = [
    (cls, params) for cls in (VolatileBandit, SilentSwitchBandit, JunExperts) for params in cls._test_params
]


@pytest.mark.parametrize(
    ("cls", "params"), CASES, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_passes_the_common_checks(cls, params):
    check_environment(cls(**params))


def play(environment, actions, seed=0):
    environment.reset(seed=seed)
    feedback, records = [], []
    for action in actions:
        feedback.append(environment.step(action).values.copy())
        records.append(environment.oracle().values.copy())
    return np.array(feedback), np.array(records)


def test_cyclic_switches_and_oracle():
    environment = VolatileBandit(n_actions=3, period=[4, 2])
    _, records = play(environment, [0] * 12)
    best = records[:, EXPECTED_LOSSES:].argmin(axis=1)
    # Segments of lengths 4, 2, 4, 2 with best arms 0, 1, 2, 0.
    np.testing.assert_array_equal(best, [0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 0, 0])
    np.testing.assert_array_equal(np.flatnonzero(records[:, COMPARATOR_SHIFT]), [4, 6, 10])
    np.testing.assert_allclose(records[:, EXPECTED_LOSSES:].min(axis=1), 0.3)


def test_random_switches_always_change_the_best_arm():
    environment = VolatileBandit(n_actions=4, period=5, switches="random")
    _, records = play(environment, [0] * 200)
    best = records[::5, EXPECTED_LOSSES:].argmin(axis=1)
    assert np.all(best[1:] != best[:-1])
    assert len(set(best.tolist())) == 4  # every arm is best at some point
    _, other_seed = play(environment, [0] * 200, seed=1)
    assert not np.array_equal(records, other_seed)


def test_drifting_means_rotate_the_best_arm():
    environment = VolatileBandit(n_actions=4, switches="drift", drift_period=40.0)
    _, records = play(environment, [0] * 80)
    means = records[:, EXPECTED_LOSSES:]
    assert np.all((means >= 0.3 - 1e-12) & (means <= 0.7 + 1e-12))
    assert np.abs(np.diff(means, axis=0)).max() < 0.05  # smooth
    assert np.count_nonzero(records[:, COMPARATOR_SHIFT]) == 8  # every 10 rounds, at t = 6, 16, ..., 76


def test_feedback_modes_share_one_realisation():
    """The same seed gives the same losses whatever the feedback mode and whatever is queried."""
    params = {"n_actions": 4, "period": 10}
    full, _ = play(VolatileBandit(feedback="full", **params), [0] * 30)
    bandit, _ = play(VolatileBandit(feedback="bandit", **params), [t % 4 for t in range(30)])
    np.testing.assert_array_equal(bandit[:, 0], full[np.arange(30), np.arange(30) % 4])
    queries = [np.array([t % 4, (t + 1) % 4]) for t in range(30)]
    multi, records = play(VolatileBandit(feedback="multi", n_queries=2, **params), queries)
    np.testing.assert_array_equal(multi[:, 0], 2)
    np.testing.assert_array_equal(multi[:, 2], full[np.arange(30), np.arange(30) % 4])
    np.testing.assert_array_equal(multi[:, 4], full[np.arange(30), (np.arange(30) + 1) % 4])
    np.testing.assert_array_equal(records[:, 0], multi[:, 2])  # only query 1 is charged


def test_multi_query_layout_and_budget():
    environment = VolatileBandit(n_actions=3, feedback="multi", n_queries=3)
    spec = environment.reset(seed=0)
    assert spec.feedback_kind == FeedbackKind.MULTI_QUERY and spec.n_queries == 3
    assert spec.feedback_size == 7
    values = environment.step(np.array([2, 0])).values  # fewer queries than allowed
    assert values[0] == 2 and values[1] == 2 and values[3] == 0 and values[5] == 0 and values[6] == 0
    values = environment.step(1).values  # an int is one query
    assert values[0] == 1 and values[1] == 1
    for bad in (np.array([0, 1, 2, 0]), np.array([], dtype=int), np.array([3]), np.array([0.5, 1.0])):
        with pytest.raises((ValueError, TypeError), match="1 to 3 arms"):
            environment.step(bad)
    with pytest.raises(
        ValueError, match=r"'n_queries' parameter of VolatileBandit must be an int in the range \[1, 3\]"
    ):
        VolatileBandit(n_actions=3, feedback="multi", n_queries=4).reset(seed=0)


def test_bad_parameters():
    with pytest.raises(ValueError, match="'period' parameter of VolatileBandit"):
        VolatileBandit(period=0).reset(seed=0)
    with pytest.raises(ValueError, match="'best_mean' parameter of VolatileBandit must be < other_mean"):
        VolatileBandit(best_mean=0.8, other_mean=0.2).reset(seed=0)
    with pytest.raises(ValueError, match="'burst' parameter of SilentSwitchBandit must be <= spacing"):
        SilentSwitchBandit(spacing=10, burst=20).reset(seed=0)


def test_silent_switch_table():
    environment = SilentSwitchBandit(n_actions=3, n_rounds=100, spacing=30, burst=10)
    feedback, records = play(environment, [0] * 100)
    np.testing.assert_array_equal(feedback[:, 0], 0.5)  # arm 0 never changes: a silent switch
    best = records[:, EXPECTED_LOSSES:].argmin(axis=1)
    assert set(np.flatnonzero(best == 1).tolist()) == set(range(30, 40)) | set(range(90, 100))
    assert set(np.flatnonzero(best == 2).tolist()) == set(range(60, 70))


def test_jun_experts_instance():
    environment = JunExperts()
    spec = environment.reset(seed=3)
    assert spec.n_actions == 1000 and spec.feedback_kind == FeedbackKind.FULL_INFORMATION
    table = environment.state_.losses
    assert table.shape == (600, 1000)
    for expert, rows in enumerate((slice(0, 200), slice(200, 400), slice(400, 600))):
        # The good expert's mean loss E[max(U - 1/2, 0)] = 1/8; the others' 1/2.
        assert abs(table[rows, expert].mean() - 0.125) < 0.03
        assert table[rows, expert].max() <= 0.5
        others = np.delete(table[rows], expert, axis=1)
        assert abs(others.mean() - 0.5) < 0.01
