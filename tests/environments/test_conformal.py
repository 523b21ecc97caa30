import numpy as np
import pytest
from onlinelearn.environments.conformal import (
    COVERED,
    RADIUS,
    SCORE,
    ConformalSpec,
    ShiftingScores,
    capped_mean,
    expected_minimiser,
    expected_pinball,
    normal_partial,
)

from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    COMPARATOR_SHIFT,
    EXPECTED_LOSS,
    LOSS,
)
from onlinelearn.testing import check_environment
from onlinelearn.trackers import conformal as tracker_slots


@pytest.mark.parametrize("params", ShiftingScores._test_params)
def test_passes_the_common_checks(params):
    check_environment(ShiftingScores(**params))


def test_spec_and_slots():
    spec = ShiftingScores(coverage=0.8, max_scale=4.0).reset(seed=0)
    assert isinstance(spec, ConformalSpec) and spec.coverage == 0.8
    assert spec.record_size == 10 and spec.decision_set.dimension == 1
    np.testing.assert_array_equal(spec.decision_set.high, [4.0])
    assert spec.loss_range == (0.0, 3.2)
    # The tracker reads the slots the environment writes.
    assert (tracker_slots.SCORE, tracker_slots.RADIUS, tracker_slots.COVERED) == (SCORE, RADIUS, COVERED)


def pinball(radius, score, q):
    return max(q * (score - radius), (1 - q) * (radius - score))


def test_first_rounds_by_hand():
    """y_t = drift t + sigma_t eps_t with eps_t the environment Generator's normals, EMA forecast
    f_1 = 0, f_{t+1} = 0.9 f_t + 0.1 y_t, score min(|y_t - f_t|, D); period 2, scales (1, 3)."""
    env = ShiftingScores(scales=(1.0, 3.0), period=2, drift=0.5, max_scale=4.0)
    env.reset(seed=7)
    eps = np.random.default_rng(7).standard_normal(6)
    forecast, grid = 0.0, np.linspace(0, 4, 51)
    cumulative = np.zeros_like(grid)
    for t, radius in enumerate([0.0, 1.0, 2.0, 4.0, 0.5, 3.0]):
        sigma = [1.0, 3.0][(t // 2) % 2]
        y = 0.5 * t + sigma * eps[t]
        score = min(abs(y - forecast), 4.0)
        feedback = env.step(np.array([radius])).values
        record = env.oracle().values
        loss = pinball(radius, score, 0.9)
        gradient = -0.9 if score > radius else 0.1
        np.testing.assert_allclose(feedback, [loss, gradient], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(record[[LOSS, SCORE, RADIUS]], [loss, score, radius], rtol=1e-12)
        assert record[COVERED] == float(score <= radius)
        assert record[BEST_LOSS] == 0.0
        cumulative += [pinball(r, score, 0.9) for r in grid]
        assert record[BEST_FIXED_CUMULATIVE_LOSS] == pytest.approx(cumulative.min(), rel=1e-12)
        forecast = 0.9 * forecast + 0.1 * y


def test_expected_losses_match_monte_carlo():
    """The closed form of E l(r) for the capped folded normal against 1e6 draws (SE below 1e-3)."""
    rng = np.random.default_rng(0)
    for m, sigma, q, cap in [(0.7, 1.3, 0.9, 3.0), (-2.0, 0.5, 0.8, 4.0), (0.0, 3.0, 0.95, 5.0)]:
        capped = np.minimum(np.abs(m + sigma * rng.standard_normal(1_000_000)), cap)
        at_zero = normal_partial(-m / sigma)
        mean_capped = capped_mean(m, sigma, cap, at_zero)
        assert mean_capped == pytest.approx(capped.mean(), abs=5e-3)
        for r in np.linspace(0, cap, 6):
            sampled = np.maximum(q * (capped - r), (1 - q) * (r - capped)).mean()
            assert expected_pinball(r, m, sigma, q, mean_capped, at_zero) == pytest.approx(sampled, abs=5e-3)
        best = expected_minimiser(m, sigma, q, cap)
        assert best == pytest.approx(min(np.quantile(capped, q), cap), abs=1e-2)


def test_expected_slots_are_consistent():
    """Slot 2 <= slot 1; slot 5 (grid minimum of the summed expected losses) is at most the summed
    expected loss of a grid radius played throughout, and never decreases; slot 6 >= 0."""
    env = ShiftingScores(max_scale=5.0, period=20)
    env.reset(seed=3)
    total_played = 0.0
    previous_best = 0.0
    for _ in range(100):
        env.step(np.array([2.0]))  # 2.0 lies on the grid (51 points on [0, 5])
        record = env.oracle().values
        total_played += record[EXPECTED_LOSS]
        assert record[BEST_EXPECTED_LOSS] <= record[EXPECTED_LOSS] + 1e-12
        assert record[BEST_FIXED_CUMULATIVE_EXPECTED] <= total_played + 1e-9
        assert record[BEST_FIXED_CUMULATIVE_EXPECTED] >= previous_best  # sums of non-negative losses
        assert record[COMPARATOR_SHIFT] >= 0.0
        previous_best = record[BEST_FIXED_CUMULATIVE_EXPECTED]


def test_stationary_scores_have_the_expected_quantile():
    """Scale 1, no drift, lambda = 0.1: the residual y_t - f_t is N(0, 1 + 0.1 / 1.9) in the long
    run; its 0.9-quantile of |.| is 1.6449 sqrt(1.0526) = 1.6876.  Empirical over 10000 rounds: within
    0.05."""
    env = ShiftingScores(scales=(1.0,), max_scale=10.0)
    env.reset(seed=1)
    scores = []
    for _ in range(10000):
        env.step(np.array([1.0]))
        scores.append(env.oracle().values[SCORE])
    assert np.quantile(scores[100:], 0.9) == pytest.approx(1.6449 * np.sqrt(1 + 0.1 / 1.9), abs=0.05)


def test_refuses_bad_input():
    for params, name in [
        ({"coverage": 0.0}, "coverage"),
        ({"coverage": 1.0}, "coverage"),
        ({"max_scale": 0.0}, "max_scale"),
        ({"scales": (1.0, 0.0)}, "scales"),
        ({"scales": (1.0, -2.0)}, "scales"),
        ({"period": 0}, "period"),
        ({"smoothing": 0.0}, "smoothing"),
        ({"n_grid": 1}, "n_grid"),
    ]:
        with pytest.raises(ValueError, match=f"'{name}' parameter of ShiftingScores"):
            ShiftingScores(**params).reset(seed=0)
    env = ShiftingScores(max_scale=2.0)
    env.reset(seed=0)
    for radius in (-0.1, 2.5):
        with pytest.raises(ValueError, match=r"radius in \[0, 2\]"):
            env.step(np.array([radius]))
