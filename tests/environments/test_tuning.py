import math

import numpy as np
import pytest
from onlinelearn.environments.tuning import HyperparameterSelection, clipped_square_mean
from scipy import integrate

from onlinelearn.core import FeedbackKind
from onlinelearn.core.counter_rng import counter_normal
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    EXPECTED_LOSSES,
)
from onlinelearn.testing import check_environment


@pytest.mark.parametrize("params", HyperparameterSelection._test_params)
def test_passes_the_common_checks(params):
    check_environment(HyperparameterSelection(**params))


def play(environment, actions, seed=0):
    environment.reset(seed=seed)
    feedback, records = [], []
    for action in actions:
        feedback.append(environment.step(action).values.copy())
        records.append(environment.oracle().values.copy())
    return np.array(feedback), np.array(records)


def naive_losses(environment, n_rounds):
    """Realised and expected losses of every arm, by the docstring's formulas in plain NumPy."""
    key = environment.state_.key  # the stream key drawn at reset
    etas = np.array(environment.step_sizes, dtype=float)
    d, periods = environment.dimension, environment.periods
    weights = np.zeros((len(etas), d))
    angle, phase, end = 0.0, 0, periods[0]
    losses, expected = [], []
    for t in range(n_rounds):
        while t >= end:
            phase += 1
            end += periods[phase % len(periods)]
        drifting = phase % 2 == 0
        if drifting and t > 0:
            angle += environment.drift_speed
        sigma = environment.drift_noise if drifting else environment.noise_level
        target = environment.radius * np.sqrt(2 / d) * np.cos(angle + 2 * np.pi * np.arange(d) / d)
        x = np.array([counter_normal(key, t * (d + 1) + j) for j in range(d)]) / np.sqrt(d)
        y = target @ x + sigma * counter_normal(key, t * (d + 1) + d)
        errors = weights @ x - y
        losses.append(np.minimum(1.0, errors**2 / environment.loss_scale))
        variances = ((weights - target) ** 2).sum(axis=1) / d + sigma**2
        expected.append([clipped_square_mean(v, environment.loss_scale) for v in variances])
        weights -= etas[:, None] * errors[:, None] * x[None, :]
    return np.array(losses), np.array(expected)


def test_matches_a_naive_reference():
    environment = HyperparameterSelection(
        step_sizes=(0.05, 0.4, 1.0), dimension=4, period=[7, 5], feedback="full"
    )
    feedback, records = play(environment, [0] * 40, seed=3)
    losses, expected = naive_losses(environment, 40)
    np.testing.assert_allclose(feedback, losses, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(records[:, EXPECTED_LOSSES:], expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(records[:, BEST_EXPECTED_LOSS], expected.min(axis=1), rtol=1e-12)
    np.testing.assert_allclose(
        records[:, BEST_FIXED_CUMULATIVE_EXPECTED], expected.cumsum(axis=0).min(axis=1), rtol=1e-10
    )
    np.testing.assert_allclose(
        records[:, BEST_FIXED_CUMULATIVE_LOSS], losses.cumsum(axis=0).min(axis=1), rtol=1e-10
    )
    assert losses[0].tolist() == [min(1.0, losses[0, 0])] * 3  # w_0 = 0 for every arm: equal first losses


@pytest.mark.parametrize("variance", [0.0, 0.1, 1.0, 2.0, 7.5])
def test_clipped_square_mean_closed_form(variance):
    """E min(1, Z^2 / s) for Z ~ N(0, v), against numerical integration."""
    scale = 2.0
    if variance == 0.0:
        assert clipped_square_mean(variance, scale) == 0.0
        return
    sd = math.sqrt(variance)

    def integrand(z):
        return min(1.0, z * z / scale) * math.exp(-0.5 * (z / sd) ** 2) / (sd * math.sqrt(2 * math.pi))

    cut = math.sqrt(scale)
    value = 2 * (integrate.quad(integrand, 0, cut)[0] + integrate.quad(integrand, cut, np.inf)[0])
    assert clipped_square_mean(variance, scale) == pytest.approx(value, rel=1e-8, abs=1e-12)


def test_best_configuration_changes_between_phases():
    """Defaults: the largest step (1.0, arm 4) is best in drift phases; a small one (0.01 or 0.03)
    in noise phases, where the largest step is the worst.  Expected losses averaged over the
    second half of each phase (after the optimisers have adapted), for two seeds."""
    environment = HyperparameterSelection(period=2000, feedback="full")
    n_rounds = 8000
    for seed in (0, 1):
        feedback, records = play(environment, [0] * n_rounds, seed=seed)
        expected = records[:, EXPECTED_LOSSES:]
        assert np.all((feedback >= 0) & (feedback <= 1)) and np.all((expected >= 0) & (expected <= 1))
        for start, kind in environment.phase_starts(n_rounds):
            means = expected[start + 1000 : start + 2000].mean(axis=0)
            if kind == 0:  # drift
                assert means.argmin() == 4 and means[4] < np.sort(means)[1] - 0.05, (seed, start, means)
            else:  # noise
                assert means.argmin() in (0, 1) and means.argmax() == 4, (seed, start, means)
                assert means[4] > means.min() + 0.1, (seed, start, means)
        # No configuration is good throughout: each fixed arm is >= 0.04 per round worse than the
        # per-phase best arm on average.
        phase_best = np.concatenate(
            [
                np.full(2000, expected[s + 1000 : s + 2000].mean(axis=0).argmin())
                for s in range(0, n_rounds, 2000)
            ]
        )
        switching = expected[np.arange(n_rounds), phase_best].mean()
        assert expected.mean(axis=0).min() > switching + 0.04
        # The oracle's expectations are unbiased for the realised losses (martingale differences).
        gap = feedback - expected
        assert np.all(np.abs(gap.mean(axis=0)) < 4 * gap.std(axis=0) / math.sqrt(n_rounds))


def test_feedback_modes_share_one_realisation():
    """The same seed gives the same losses whatever the mode and whatever is played or queried."""
    params = {"step_sizes": (0.02, 0.2, 0.9), "dimension": 5, "period": 10}
    n = 30
    full, full_records = play(HyperparameterSelection(feedback="full", **params), [0] * n)
    bandit, bandit_records = play(HyperparameterSelection(**params), [t % 3 for t in range(n)])
    np.testing.assert_array_equal(bandit[:, 0], full[np.arange(n), np.arange(n) % 3])
    # Everything but the played arm's slots (0, 1) is the same for both action sequences.
    np.testing.assert_array_equal(bandit_records[:, 2:], full_records[:, 2:])
    queries = [np.array([t % 3, (t + 2) % 3]) for t in range(n)]
    multi, records = play(HyperparameterSelection(feedback="multi", **params), queries)
    np.testing.assert_array_equal(multi[:, 0], 2)
    np.testing.assert_array_equal(multi[:, 2], full[np.arange(n), np.arange(n) % 3])
    np.testing.assert_array_equal(multi[:, 4], full[np.arange(n), (np.arange(n) + 2) % 3])
    np.testing.assert_array_equal(records[:, 0], multi[:, 2])  # only query 1 is charged


def test_multi_query_spec_and_budget():
    environment = HyperparameterSelection(step_sizes=(0.1, 0.5, 1.0), feedback="multi", n_queries=3)
    spec = environment.reset(seed=0)
    assert spec.feedback_kind == FeedbackKind.MULTI_QUERY and spec.n_queries == 3 and spec.n_actions == 3
    values = environment.step(np.array([2, 0])).values
    assert values[0] == 2 and values[1] == 2 and values[3] == 0 and values[5] == 0 and values[6] == 0
    with pytest.raises((ValueError, TypeError), match="1 to 3 arms"):
        environment.step(np.array([0, 1, 2, 0]))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"step_sizes": (0.1,)}, "'step_sizes' parameter of HyperparameterSelection must be a finite 1-D"),
        ({"step_sizes": (0.1, 1.5)}, "'step_sizes' parameter of HyperparameterSelection"),
        ({"step_sizes": (0.0, 0.5)}, r"'step_sizes' parameter of HyperparameterSelection .* \(0, 1\]"),
        ({"step_sizes": (0.1, np.nan)}, "'step_sizes' parameter of HyperparameterSelection"),
        (
            {"dimension": 2},
            r"'dimension' parameter of HyperparameterSelection must be an int in the range \[3",
        ),
        ({"period": 0}, "'period' parameter of HyperparameterSelection"),
        ({"loss_scale": 0.0}, "'loss_scale' parameter of HyperparameterSelection"),
        ({"noise_level": -1.0}, "'noise_level' parameter of HyperparameterSelection"),
        ({"feedback": "semi"}, "'feedback' parameter of HyperparameterSelection"),
        (
            {"step_sizes": (0.1, 0.5), "feedback": "multi", "n_queries": 3},
            r"'n_queries' parameter of HyperparameterSelection must be an int in the range \[1, 2\]",
        ),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        HyperparameterSelection(**params).reset(seed=0)
