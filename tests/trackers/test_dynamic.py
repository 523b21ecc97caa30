import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import AdversarialBandit, BestArmSwitching, PiecewiseStationaryBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind

#: The same tracker kernels in every new test file, so that the compiled runners are shared.
TRACKERS = [
    ol.trackers.PseudoRegret(),
    ol.trackers.StaticRegret(),
    ol.trackers.DynamicRegret(),
    ol.trackers.IntervalRegret((10, 50)),
]


def history(environment, horizon, seed, learner=None):
    """Per-round oracle records of ``learner`` (UCB1 by default) in Python."""
    learner = ol.learners.UCB1() if learner is None else learner
    spec = environment.reset(seed=seed).with_horizon(horizon)
    learner.reset(spec, np.random.default_rng(seed))
    records = []
    for _ in range(horizon):
        learner.update(environment.step(learner.act()))
        records.append(environment.oracle().values)
    return spec, np.array(records)


def feed(tracker, spec, records):
    tracker.reset(spec, len(records))
    curve = []
    for record in records:
        tracker.record(record)
        curve.append(tracker.values())
    return np.array(curve)


def test_metrics_and_flags():
    tracker = ol.trackers.DynamicRegret()
    assert tracker.metric_names == ("dynamic_regret", "path_length")
    assert tracker.needs_hindsight and not tracker.needs_finite_actions
    assert tracker.name == "DynamicRegret()"


def test_matches_brute_force_on_a_piecewise_stationary_run():
    environment = PiecewiseStationaryBandit([[0.2, 0.5, 0.8], [0.9, 0.5, 0.1], [0.4, 0.6, 0.5]], [100, 250])
    spec, records = history(environment, 400, seed=3)
    curve = feed(ol.trackers.DynamicRegret(), spec, records)
    expected_losses = records[:, 7:]
    played = records[:, 1]
    np.testing.assert_allclose(
        curve[:, 0], np.cumsum(played - expected_losses.min(axis=1)), rtol=1e-12, atol=1e-12
    )
    best = np.argmin(expected_losses, axis=1)
    np.testing.assert_array_equal(curve[:, 1], np.cumsum(np.r_[0, best[1:] != best[:-1]]))
    assert curve[-1, 1] == 2


def test_path_length_of_best_arm_switching_and_regret_of_a_fixed_arm():
    horizon, period, gap = 95, 10, 0.4
    environment = BestArmSwitching(n_actions=3, n_rounds=90, period=period, gap=gap)

    class Fixed:
        def reset(self, spec, rng):
            pass

        def act(self):
            return 0

        def update(self, feedback):
            pass

    spec, records = history(environment, horizon, seed=0, learner=Fixed())
    curve = feed(ol.trackers.DynamicRegret(), spec, records)
    assert curve[-1, 1] == np.ceil(horizon / period) - 1
    # Arm 0 is best in 1 block of 3: it loses `gap` more than the best in the other rounds.
    worse = sum(1 for t in range(horizon) if (t // period) % 3 != 0)
    np.testing.assert_allclose(curve[-1, 0], gap * worse)


def test_compiled_and_python_runs_are_bit_identical_and_dominate_pseudo_regret():
    environment = PiecewiseStationaryBandit([[0.2, 0.8], [0.8, 0.2], [0.5, 0.6]], [60, 180])
    kwargs = {"horizon": 300, "n_reps": 3, "seed": 7, "trackers": TRACKERS}
    compiled = ol.run(ol.learners.UCB1(), environment, **kwargs)
    python = ol.run(ol.learners.UCB1(), environment, compiled=False, **kwargs)
    for name in ("dynamic_regret", "path_length"):
        np.testing.assert_array_equal(compiled.metrics[name], python.metrics[name])
    dynamic = compiled.metrics["dynamic_regret"]
    assert np.all(dynamic >= compiled.metrics["pseudo_regret"] - 1e-9)
    assert np.all(np.diff(dynamic, axis=-1) >= 0)
    np.testing.assert_array_equal(compiled.metrics["path_length"][..., -1], 2.0)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n_actions=st.integers(2, 4), horizon=st.integers(1, 40))
def test_property_on_random_tables(data, n_actions, horizon):
    table = np.array(
        data.draw(
            st.lists(
                st.lists(st.floats(0, 1), min_size=n_actions, max_size=n_actions), min_size=1, max_size=15
            )
        )
    )
    actions = data.draw(st.lists(st.integers(0, n_actions - 1), min_size=horizon, max_size=horizon))
    environment = AdversarialBandit(table)
    spec = environment.reset(seed=0)
    tracker, pseudo = ol.trackers.DynamicRegret(), ol.trackers.PseudoRegret()
    tracker.reset(spec, horizon)
    pseudo.reset(spec, horizon)
    for action in actions:
        environment.step(action)
        tracker.record(environment.oracle())
        pseudo.record(environment.oracle())
    rows = table[np.arange(horizon) % len(table)]
    dynamic, path = tracker.values()
    np.testing.assert_allclose(dynamic, np.sum(rows[np.arange(horizon), actions] - rows.min(1)), atol=1e-9)
    best = np.argmin(rows, axis=1)
    assert path == np.sum(best[1:] != best[:-1])
    # The per-round best is a better comparator than any fixed action.
    assert dynamic >= pseudo.values()[0] - 1e-9 and dynamic >= -1e-12


def test_state_does_not_grow_with_the_horizon():
    spec = EnvSpec(FeedbackKind.BANDIT, n_actions=3)
    tracker = ol.trackers.DynamicRegret()
    small = tracker.init_state(spec, 10)
    large = tracker.init_state(spec, 10**9)
    assert sum(x.nbytes for x in small) == sum(x.nbytes for x in large)
