import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import BernoulliBandit, PiecewiseStationaryBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind

#: The same tracker kernels in every new test file, so that the compiled runners are shared.
TRACKERS = [
    ol.trackers.PseudoRegret(),
    ol.trackers.StaticRegret(),
    ol.trackers.DynamicRegret(),
    ol.trackers.IntervalRegret((10, 50)),
]


def brute_force(played, expected_losses, length):
    """O(T^2 K): at every t, the max over all windows of ``length`` rounds ended by t."""
    horizon = len(played)
    window = np.full(horizon, -np.inf)
    for end in range(length - 1, horizon):
        rounds = slice(end - length + 1, end + 1)
        window[end] = played[rounds].sum() - expected_losses[rounds].sum(axis=0).min()
    curve = np.zeros(horizon)
    for t in range(length - 1, horizon):
        curve[t] = window[: t + 1].max()
    return curve


def records_of(played, expected_losses):
    records = np.zeros((len(played), 7 + expected_losses.shape[1]))
    records[:, 1] = played
    records[:, 7:] = expected_losses
    return records


def feed(tracker, spec, records):
    tracker.reset(spec, len(records))
    curve = []
    for record in records:
        tracker.record(record)
        curve.append(tracker.values())
    return np.array(curve)


def ucb_history(environment, horizon, seed):
    learner = ol.learners.UCB1()
    spec = environment.reset(seed=seed).with_horizon(horizon)
    learner.reset(spec, np.random.default_rng(seed))
    records = []
    for _ in range(horizon):
        learner.update(environment.step(learner.act()))
        records.append(environment.oracle().values)
    return spec, np.array(records)


def test_metrics_and_flags():
    tracker = ol.trackers.IntervalRegret((10, 50))
    assert tracker.metric_names == ("interval_regret_10", "interval_regret_50")
    assert ol.trackers.IntervalRegret().metric_names == ("interval_regret_100", "interval_regret_1000")
    assert tracker.needs_hindsight and tracker.needs_finite_actions
    with pytest.raises(ValueError, match="IntervalRegret needs an environment with finite actions"):
        tracker.reset(EnvSpec(FeedbackKind.GRADIENT, n_actions=None), 10)


def test_matches_brute_force_on_a_ucb_run():
    environment = PiecewiseStationaryBandit([[0.2, 0.5, 0.8], [0.9, 0.5, 0.1], [0.4, 0.6, 0.5]], [100, 220])
    spec, records = ucb_history(environment, 300, seed=4)
    lengths = (10, 50, 300, 1)
    curve = feed(ol.trackers.IntervalRegret(lengths), spec, records)
    for i, length in enumerate(lengths):
        np.testing.assert_allclose(
            curve[:, i],
            brute_force(records[:, 1], records[:, 7:], length),
            rtol=1e-12,
            atol=1e-10,
            err_msg=str(length),
        )
    # 0 until the first complete window; the window of all 300 rounds is the pseudo-regret.
    assert np.all(curve[:49, 1] == 0) and np.all(curve[:299, 2] == 0)
    pseudo = records[:, 1].sum() - records[:, 7:].sum(axis=0).min()
    np.testing.assert_allclose(curve[-1, 2], pseudo, rtol=1e-12)
    # Length 1: the largest one-round dynamic regret.
    np.testing.assert_allclose(curve[:, 3], np.maximum.accumulate(records[:, 1] - records[:, 2]))


def test_window_regret_can_be_negative_and_is_not_clipped():
    # The learner always plays the round's best arm while the best arm alternates: every window
    # of 4 rounds has regret -2 (it loses 0, every fixed arm loses 2).
    expected_losses = np.array([[0.0, 1.0], [1.0, 0.0]] * 10)
    records = records_of(np.zeros(20), expected_losses)
    curve = feed(ol.trackers.IntervalRegret([4]), EnvSpec(FeedbackKind.BANDIT, n_actions=2), records)
    np.testing.assert_array_equal(curve[:3, 0], 0.0)
    np.testing.assert_array_equal(curve[3:, 0], -2.0)


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    n_actions=st.integers(2, 4),
    horizon=st.integers(1, 60),
    lengths=st.lists(st.integers(1, 25), min_size=1, max_size=3, unique=True),
)
def test_property_matches_brute_force_on_random_tables(data, n_actions, horizon, lengths):
    values = st.floats(0, 1, allow_subnormal=False)
    expected_losses = np.array(
        data.draw(
            st.lists(
                st.lists(values, min_size=n_actions, max_size=n_actions), min_size=horizon, max_size=horizon
            )
        )
    )
    actions = np.array(data.draw(st.lists(st.integers(0, n_actions - 1), min_size=horizon, max_size=horizon)))
    played = expected_losses[np.arange(horizon), actions]
    spec = EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=n_actions)
    curve = feed(ol.trackers.IntervalRegret(lengths), spec, records_of(played, expected_losses))
    for i, length in enumerate(lengths):
        expected = brute_force(played, expected_losses, length)
        np.testing.assert_allclose(curve[:, i], expected, atol=1e-9)
        # A window contains the per-round best choice: its regret is at most the dynamic regret.
        dynamic = np.cumsum(played - expected_losses.min(axis=1))
        assert np.all(curve[:, i] <= dynamic + 1e-9)


def test_compiled_and_python_runs_are_bit_identical():
    environment = PiecewiseStationaryBandit([[0.2, 0.8], [0.8, 0.2], [0.5, 0.6]], [60, 180])
    kwargs = {"horizon": 300, "n_reps": 3, "seed": 7, "trackers": TRACKERS}
    compiled = ol.run(ol.learners.UCB1(), environment, **kwargs)
    python = ol.run(ol.learners.UCB1(), environment, compiled=False, **kwargs)
    assert compiled.compiled.all()
    for name in ("interval_regret_10", "interval_regret_50"):
        np.testing.assert_array_equal(compiled.metrics[name], python.metrics[name])
    curves = compiled.metrics["interval_regret_50"][0, 0]
    assert np.all(curves[:, compiled.checkpoints < 50] == 0)
    assert np.all(np.diff(curves[:, compiled.checkpoints >= 50], axis=-1) >= 0)


def test_state_size_does_not_depend_on_the_horizon():
    spec = EnvSpec(FeedbackKind.BANDIT, n_actions=5)
    tracker = ol.trackers.IntervalRegret((10, 200))
    sizes = [
        sum(np.asarray(x).nbytes for x in tracker.init_state(spec, horizon)) for horizon in (5, 1000, 10**9)
    ]
    assert sizes[0] == sizes[1] == sizes[2]
    assert sizes[0] < 8 * 201 * 7 + 200
    # And a long run keeps it: the ring buffer wraps many times.
    environment = BernoulliBandit([0.3, 0.5, 0.7, 0.2, 0.1])
    spec, records = ucb_history(environment, 700, seed=1)
    curve = feed(tracker, spec, records)
    assert sum(np.asarray(x).nbytes for x in tracker.state_) == sizes[0]
    np.testing.assert_allclose(curve[:, 0], brute_force(records[:, 1], records[:, 7:], 10), atol=1e-10)


TEMPLATE = (
    r"The 'lengths' parameter of IntervalRegret must be a non-empty sequence of distinct "
    r"ints in the range \[1, inf\)\. Got {} instead\."
)


@pytest.mark.parametrize(
    "lengths, shown",
    [
        ((0, 10), r"\(0, 10\)"),
        ((-5,), r"\(-5,\)"),
        ((), r"\(\)"),
        ([10, 10], r"\[10, 10\]"),
        ([2.5], r"\[2.5\]"),
        ([True], r"\[True\]"),
        (10, "10"),
        ("10", "'10'"),
    ],
)
def test_bad_lengths(lengths, shown):
    tracker = ol.trackers.IntervalRegret(lengths)
    with pytest.raises(ValueError, match=TEMPLATE.format(shown)):
        tracker.reset(EnvSpec(FeedbackKind.BANDIT, n_actions=2), 10)
    with pytest.raises(ValueError, match=TEMPLATE.format(shown)):
        ol.run(
            ol.learners.UCB1(),
            BernoulliBandit(),
            horizon=10,
            n_reps=1,
            trackers=[ol.trackers.IntervalRegret(lengths)],
        )
