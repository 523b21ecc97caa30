import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import BernoulliBandit, PiecewiseStationaryBandit

import onlinelearn as ol

#: The same tracker kernels in every new test file, so that the compiled runners are shared.
TRACKERS = [
    ol.trackers.PseudoRegret(),
    ol.trackers.StaticRegret(),
    ol.trackers.DynamicRegret(),
    ol.trackers.IntervalRegret((10, 50)),
]

MEANS = [[0.2, 0.5, 0.8], [0.9, 0.5, 0.1], [0.7, 0.6, 0.1], [0.3, 0.3, 0.3]]
CHANGE_POINTS = [40, 90, 150]


def round_means(means, starts, horizon):
    """Brute force: the mean vector of every round."""
    segment = np.searchsorted(np.asarray(starts), np.arange(horizon), side="right") - 1
    return np.asarray(means, dtype=float)[segment]


def play(environment, actions, seed):
    environment.reset(seed=seed)
    feedback, records = [], []
    for action in actions:
        feedback.append(environment.step(int(action)).values)
        records.append(environment.oracle().values)
    return np.array(feedback), np.array(records)


def brute_force_oracle(means, starts, realised, actions):
    """Oracle records from the per-round means and the realised loss table (T, K)."""
    horizon, n_actions = realised.shape
    expected = 1.0 - round_means(means, starts, horizon)
    best = np.argmin(expected, axis=1)
    records = np.zeros((horizon, 7 + n_actions))
    rounds = np.arange(horizon)
    records[:, 0] = realised[rounds, actions]
    records[:, 1] = expected[rounds, actions]
    records[:, 2] = expected.min(axis=1)
    records[:, 3] = realised.min(axis=1)
    records[:, 4] = np.cumsum(realised, axis=0).min(axis=1)
    records[:, 5] = np.cumsum(expected, axis=0).min(axis=1)
    records[1:, 6] = best[1:] != best[:-1]
    records[:, 7:] = expected
    return records


def test_oracle_slots_match_brute_force():
    horizon = 200
    actions = np.random.default_rng(0).integers(0, 3, size=horizon)
    full = PiecewiseStationaryBandit(MEANS, CHANGE_POINTS, feedback="full")
    realised, full_records = play(full, actions, seed=9)
    bandit = PiecewiseStationaryBandit(MEANS, CHANGE_POINTS)
    feedback, records = play(bandit, actions, seed=9)
    # Same realisation whatever the feedback: the bandit sees the played column of the table.
    np.testing.assert_array_equal(feedback[:, 0], realised[np.arange(horizon), actions])
    expected = brute_force_oracle(MEANS, [0, *CHANGE_POINTS], realised, actions)
    np.testing.assert_array_equal(records, expected)
    np.testing.assert_array_equal(full_records, expected)
    # The best arm changes at 40 (2 -> 0) and at 150 (0 -> 0 on a tie: no shift), not at 90.
    np.testing.assert_array_equal(np.flatnonzero(records[:, 6]), [40])


def test_realisation_is_bernoulli_with_the_segment_means_and_independent_of_play():
    horizon = 4000
    environment = PiecewiseStationaryBandit([[0.2, 0.7], [0.9, 0.4]], [2000], feedback="full")
    realised, first = play(environment, np.zeros(horizon, dtype=int), seed=2)
    _, second = play(environment, np.ones(horizon, dtype=int), seed=2)
    np.testing.assert_array_equal(first[:, [3, 4, 5, 6]], second[:, [3, 4, 5, 6]])
    rewards = 1 - realised
    np.testing.assert_allclose(rewards[:2000].mean(axis=0), [0.2, 0.7], atol=0.04)
    np.testing.assert_allclose(rewards[2000:].mean(axis=0), [0.9, 0.4], atol=0.04)
    _, other = play(environment, np.zeros(horizon, dtype=int), seed=3)
    assert not np.array_equal(first[:, 3:5], other[:, 3:5])


def test_one_segment_is_the_stationary_bernoulli_bandit():
    actions = np.random.default_rng(1).integers(0, 3, size=100)
    _, piecewise = play(PiecewiseStationaryBandit([[0.1, 0.5, 0.9]], []), actions, seed=5)
    _, stationary = play(BernoulliBandit([0.1, 0.5, 0.9]), actions, seed=5)
    others = [0, 1, 2, 3, 4, 6, 7, 8, 9]
    np.testing.assert_array_equal(piecewise[:, others], stationary[:, others])
    # Slot 5 is a running sum here and (t + 1) * (1 - mu*) there: equal up to rounding.
    np.testing.assert_allclose(piecewise[:, 5], stationary[:, 5], rtol=1e-13)


def test_both_change_point_forms_are_the_same_environment():
    actions = np.random.default_rng(2).integers(0, 3, size=120)
    _, short = play(PiecewiseStationaryBandit(MEANS, CHANGE_POINTS), actions, seed=1)
    _, long = play(PiecewiseStationaryBandit(MEANS, [0, *CHANGE_POINTS]), actions, seed=1)
    np.testing.assert_array_equal(short, long)
    np.testing.assert_array_equal(
        PiecewiseStationaryBandit(MEANS, np.array(CHANGE_POINTS)).starts, [0, *CHANGE_POINTS]
    )


def test_compiled_and_python_runs_are_bit_identical():
    environment = PiecewiseStationaryBandit(MEANS, CHANGE_POINTS)
    kwargs = {"horizon": 300, "n_reps": 3, "seed": 7, "trackers": TRACKERS}
    compiled = ol.run(ol.learners.UCB1(), environment, **kwargs)
    python = ol.run(ol.learners.UCB1(), environment, compiled=False, **kwargs)
    assert compiled.compiled.all() and not python.compiled.any()
    for name, curves in compiled.metrics.items():
        np.testing.assert_array_equal(curves, python.metrics[name], err_msg=name)
    # Three changes of the best arm's identity minus the tie at 150: path length 1.
    np.testing.assert_array_equal(compiled.metrics["path_length"][0, 0, :, -1], 1.0)


@settings(max_examples=25, deadline=None)
@given(
    data=st.data(), n_segments=st.integers(1, 4), n_actions=st.integers(2, 4), seed=st.integers(0, 2**32 - 1)
)
def test_oracle_matches_brute_force_on_random_instances(data, n_segments, n_actions, seed):
    horizon = 60
    means = np.array(
        data.draw(
            st.lists(
                st.lists(
                    st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]), min_size=n_actions, max_size=n_actions
                ),
                min_size=n_segments,
                max_size=n_segments,
            )
        )
    )
    points = sorted(data.draw(st.sets(st.integers(1, 80), min_size=n_segments - 1, max_size=n_segments - 1)))
    actions = np.array(data.draw(st.lists(st.integers(0, n_actions - 1), min_size=horizon, max_size=horizon)))
    realised, _ = play(PiecewiseStationaryBandit(means, points, feedback="full"), actions, seed)
    _, records = play(PiecewiseStationaryBandit(means, points), actions, seed)
    np.testing.assert_array_equal(records, brute_force_oracle(means, [0, *points], realised, actions))
    # Deterministic means give deterministic losses.
    mu = round_means(means, [0, *points], horizon)
    sure = (mu == 0) | (mu == 1)
    np.testing.assert_array_equal(realised[sure], 1 - mu[sure])


PREFIX = "The 'change_points' parameter of PiecewiseStationaryBandit must be"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"means": [[0.2, 1.2], [0.5, 0.5]]},
            r"The 'means' parameter of PiecewiseStationaryBandit "
            r"must be a finite 2-D array .* \[0, 1\]\. Got",
        ),
        ({"means": [[-0.1, 0.5], [0.5, 0.5]]}, "'means' parameter of PiecewiseStationaryBandit"),
        (
            {"means": [[0.2], [0.5]]},
            "'means' parameter of PiecewiseStationaryBandit must have at least 2 columns",
        ),
        ({"means": [0.2, 0.5]}, "'means' parameter of PiecewiseStationaryBandit"),
        (
            {"change_points": [50, 50]},
            PREFIX + " a strictly increasing sequence of ints in the "
            r"range \[0, inf\)\. Got \[50, 50\] instead",
        ),
        ({"change_points": [60, 50]}, PREFIX + " a strictly increasing"),
        ({"change_points": [-5, 50]}, PREFIX + " a strictly increasing"),
        ({"change_points": [10.5, 50]}, PREFIX + " a strictly increasing"),
        ({"change_points": 10}, PREFIX + " a strictly increasing"),
        ({"change_points": [10]}, PREFIX + " the 2 starts"),
        ({"change_points": [10, 20, 30, 40]}, PREFIX + " the 2 starts"),
        ({"change_points": [0, 20]}, PREFIX + " the 2 starts"),
        ({"change_points": [5, 20, 30]}, PREFIX + " the 2 starts"),
        ({"feedback": "semi"}, "'feedback' parameter of PiecewiseStationaryBandit"),
    ],
)
def test_bad_parameters(kwargs, match):
    arguments = {"means": [[0.2, 0.8], [0.8, 0.2], [0.5, 0.5]], "change_points": [30, 60], **kwargs}
    with pytest.raises(ValueError, match=match):
        PiecewiseStationaryBandit(**arguments).reset(seed=0)
    with pytest.raises(ValueError, match=match):
        ol.run(ol.learners.UCB1(), PiecewiseStationaryBandit(**arguments), horizon=10, n_reps=1)
