import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import (
    AdversarialBandit,
    AlternatingLosses,
    BestArmSwitching,
    RandomAdversarialBandit,
)

import onlinelearn as ol

#: The same tracker kernels in every new test file, so that the compiled runners are shared.
TRACKERS = [
    ol.trackers.PseudoRegret(),
    ol.trackers.StaticRegret(),
    ol.trackers.DynamicRegret(),
    ol.trackers.IntervalRegret((10, 50)),
]

GENERATORS = [
    RandomAdversarialBandit(n_actions=3, n_rounds=40),
    RandomAdversarialBandit(n_actions=4, n_rounds=500, low=0.25, high=0.75, feedback="full"),
    BestArmSwitching(n_actions=3, n_rounds=90, period=7),
    BestArmSwitching(n_actions=2, n_rounds=20, period=4, gap=0.2, feedback="full"),
    AlternatingLosses(n_rounds=25),
    AlternatingLosses(n_rounds=400, feedback="full"),
]


def table_oracle(table, actions):
    """Brute-force oracle records of a cyclic loss table for the played ``actions``."""
    horizon, n_actions = len(actions), table.shape[1]
    rows = table[np.arange(horizon) % len(table)]
    cumulative = np.cumsum(rows, axis=0)
    best = np.argmin(rows, axis=1)
    records = np.zeros((horizon, 7 + n_actions))
    records[:, 0] = records[:, 1] = rows[np.arange(horizon), actions]
    records[:, 2] = records[:, 3] = rows.min(axis=1)
    records[:, 4] = records[:, 5] = cumulative.min(axis=1)
    records[1:, 6] = best[1:] != best[:-1]
    records[:, 7:] = rows
    return records


def play(environment, actions, seed):
    environment.reset(seed=seed)
    feedback, records = [], []
    for action in actions:
        feedback.append(environment.step(int(action)).values)
        records.append(environment.oracle().values)
    return np.array(feedback), np.array(records)


@pytest.mark.parametrize("environment", GENERATORS, ids=repr)
def test_oracle_slots_match_brute_force(environment):
    horizon = 130  # longer than some tables: checks the cyclic wrap too
    actions = np.random.default_rng(5).integers(0, environment.table_actions(), size=horizon)
    feedback, records = play(environment, actions, seed=3)
    table = environment.state_.losses
    expected = table_oracle(table, actions)
    np.testing.assert_array_equal(records, expected)
    rows = table[np.arange(horizon) % len(table)]
    if environment.feedback == "full":
        np.testing.assert_array_equal(feedback, rows)
    else:
        np.testing.assert_array_equal(feedback[:, 0], rows[np.arange(horizon), actions])


def test_alternating_losses_table_and_follow_the_leader_fails():
    environment = AlternatingLosses(n_rounds=6, feedback="full")
    environment.reset(seed=0)
    np.testing.assert_array_equal(
        environment.state_.losses, [[0.5, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]]
    )
    # Follow-The-Leader (first leader on ties) suffers ~T; the best fixed arm ~T/2.
    horizon = 1000
    environment = AlternatingLosses(n_rounds=horizon, feedback="full")
    environment.reset(seed=0)
    cumulative, total = np.zeros(2), 0.0
    for _ in range(horizon):
        action = int(np.argmin(cumulative))
        losses = environment.step(action).values
        total += losses[action]
        cumulative += losses
    record = environment.oracle().values
    # Round 1: tie, arm 0 loses 1/2; then the leader loses 1 every round.
    assert total == horizon - 0.5
    assert record[5] == cumulative.min() == (horizon - 1) / 2
    assert total - record[5] == horizon / 2


def test_best_arm_switching_table_and_path_length():
    environment = BestArmSwitching(n_actions=3, n_rounds=12, period=2, gap=0.5)
    environment.reset(seed=0)
    table = environment.state_.losses
    np.testing.assert_array_equal(np.argmin(table, axis=1), [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(np.sort(table, axis=1), np.tile([0.25, 0.75, 0.75], (12, 1)))
    actions = np.zeros(30, dtype=int)
    _, records = play(environment, actions, seed=1)
    # Blocks of 2 rounds, cyclic table of 12 rows = period * K: a switch every 2 rounds.
    assert records[:, 6].sum() == np.ceil(30 / 2) - 1


def test_deterministic_generators_ignore_the_seed_and_random_one_depends_on_it():
    for environment in (BestArmSwitching(n_actions=3, n_rounds=30, period=4), AlternatingLosses(9)):
        environment.reset(seed=1)
        first = environment.state_.losses.copy()
        environment.reset(seed=2)
        np.testing.assert_array_equal(first, environment.state_.losses)
    environment = RandomAdversarialBandit(n_actions=3, n_rounds=30, low=0.2, high=0.4)
    environment.reset(seed=1)
    first = environment.state_.losses.copy()
    environment.reset(seed=1)
    np.testing.assert_array_equal(first, environment.state_.losses)
    environment.reset(seed=2)
    assert not np.array_equal(first, environment.state_.losses)
    assert first.shape == (30, 3) and first.min() >= 0.2 and first.max() <= 0.4


def test_random_table_is_the_same_whatever_the_learner_plays():
    environment = RandomAdversarialBandit(n_actions=3, n_rounds=50)
    _, first = play(environment, np.zeros(50, dtype=int), seed=4)
    _, second = play(environment, np.full(50, 2), seed=4)
    np.testing.assert_array_equal(first[:, 7:], second[:, 7:])
    np.testing.assert_array_equal(first[:, 5], second[:, 5])


def test_loss_table_api_unchanged():
    environment = AdversarialBandit([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    spec = environment.reset(seed=0)
    assert (
        spec.n_actions == 2
        and environment.name == "AdversarialBandit(losses=[[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])"
    )
    _, records = play(environment, [0, 0, 1, 1], seed=0)
    np.testing.assert_array_equal(records[:, 0], [0.0, 1.0, 0.5, 1.0])
    np.testing.assert_array_equal(records[:, 5], [0.0, 1.0, 1.5, 1.5])


@pytest.mark.parametrize("environment", GENERATORS[::2], ids=repr)
def test_compiled_and_python_runs_are_bit_identical(environment):
    kwargs = {"horizon": 300, "n_reps": 3, "seed": 7, "trackers": TRACKERS}
    compiled = ol.run(ol.learners.UCB1(), environment, **kwargs)
    python = ol.run(ol.learners.UCB1(), environment, compiled=False, **kwargs)
    assert compiled.compiled.all() and not python.compiled.any()
    for name, curves in compiled.metrics.items():
        np.testing.assert_array_equal(curves, python.metrics[name], err_msg=name)


@settings(max_examples=30, deadline=None)
@given(
    n_actions=st.integers(2, 5),
    n_rounds=st.integers(1, 30),
    period=st.integers(1, 10),
    gap=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_best_arm_switching_property(n_actions, n_rounds, period, gap, seed):
    environment = BestArmSwitching(n_actions, n_rounds, period, gap)
    environment.reset(seed=seed)
    table = environment.state_.losses
    t = np.arange(n_rounds)
    np.testing.assert_array_equal(np.argmin(table, axis=1), (t // period) % n_actions)
    np.testing.assert_allclose(np.ptp(table, axis=1), gap)
    assert table.min() >= 0 and table.max() <= 1


@pytest.mark.parametrize(
    "environment, match",
    [
        (
            RandomAdversarialBandit(n_actions=1),
            r"The 'n_actions' parameter of RandomAdversarialBandit "
            r"must be an int in the range \[2, inf\)\. Got 1",
        ),
        (RandomAdversarialBandit(n_rounds=0), "'n_rounds' parameter of RandomAdversarialBandit"),
        (RandomAdversarialBandit(low=-0.1), r"'low' parameter .* \[0, 1\]\. Got -0.1 instead"),
        (RandomAdversarialBandit(low=0.6, high=0.4), "'low' parameter of RandomAdversarialBandit"),
        (BestArmSwitching(period=0), "'period' parameter of BestArmSwitching"),
        (
            BestArmSwitching(gap=0.0),
            r"'gap' parameter of BestArmSwitching must be a float in the "
            r"range \(0, 1\]\. Got 0.0 instead",
        ),
        (BestArmSwitching(gap=1.5), "'gap' parameter of BestArmSwitching"),
        (AlternatingLosses(n_rounds=2.5), "'n_rounds' parameter of AlternatingLosses"),
        (AlternatingLosses(feedback="semi"), "'feedback' parameter of AlternatingLosses"),
    ],
)
def test_bad_parameters(environment, match):
    with pytest.raises(ValueError, match=match):
        environment.reset(seed=0)


def test_stochastically_constrained_means_keep_action_zero_ahead_by_the_gap():
    from onlinelearn.environments import StochasticallyConstrainedBandit

    environment = StochasticallyConstrainedBandit(n_actions=4, n_rounds=500, gap=0.2)
    means = environment.mean_table()
    np.testing.assert_allclose(means[:, 1:] - means[:, [0]], 0.2)
    # Phases alternate between the high and the low level, with growing lengths.
    high = means[:, 0] > 0.5
    switches = np.flatnonzero(np.diff(high.astype(int))) + 1
    lengths = np.diff(np.concatenate([[0], switches]))
    assert len(lengths) > 5 and np.all(np.diff(lengths[2:]) >= 0) and lengths[-1] > lengths[2]


def test_stochastically_constrained_table_is_drawn_from_the_seed():
    from onlinelearn.environments import StochasticallyConstrainedBandit

    environment = StochasticallyConstrainedBandit(n_actions=3, n_rounds=2000)

    def realised(seed):
        environment.reset(seed=seed)
        return environment.state_.losses.copy()

    first, again, other = realised(1), realised(1), realised(2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    # Bernoulli draws of the means: action 0's average loss is about gap below the others'.
    assert np.mean(first[:, 1:]) - np.mean(first[:, 0]) == pytest.approx(0.1, abs=0.03)
