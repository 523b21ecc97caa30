"""``paper_figures/sea_interpolation``: the statistics it draws the bounds from are the environment's,
and every bound it draws lies above the measured regret (quick sizes)."""

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # paper_figures is a top-level folder, not an installed package

from paper_figures import sea_interpolation  # noqa: E402
from paper_figures._common import run  # noqa: E402


def exact_variation(horizon: int, period: int, squared_norm: float) -> float:
    """``Sigma^2_{1:T}`` of the corrupted regime counted by hand: ``||m||^2`` in round 1, then
    ``4 ||m||^2`` for each change of the mean (m -> -m in a corrupted round, -m -> m after it)."""
    means = np.array([-1.0 if t % period == 0 else 1.0 for t in range(1, horizon + 1)])
    return squared_norm * (1 + 4 * np.count_nonzero(np.diff(means)))


def test_statistics_are_the_environments():
    """T = 20: P = 5 gives 7.25 and P = 2 gives 19.25 with ||m||^2 = 1/4 (a formula that counted
    one change per corruption gave 3.25 and 9.25)."""
    experiment = replace(sea_interpolation.experiment(quick=True), horizon=20, n_reps=2)
    results = run(experiment)
    names = results.environment_names
    for period, expected in [(5, 7.25), (2, 19.25), (2001, 0.25)]:  # 2001: no corruption
        j = names.index(f"sigma=0.1, P={period}")
        sigma2, variation, diameter, gradient_bound = sea_interpolation.statistics(results, j)
        assert variation == pytest.approx(expected) == pytest.approx(exact_variation(20, period, 0.25))
        assert sigma2 == pytest.approx(20 * 0.1**2)
        assert (diameter, gradient_bound) == (2.0, pytest.approx(0.6))


def test_bounds_lie_above_the_measured_regret():
    """Quick sizes (T = 2000, 10 repetitions): for both learners and every (sigma, P) of the grid,
    the mean final pseudo-regret + 3 standard errors is below the drawn bound."""
    results = run(sea_interpolation.experiment(quick=True))
    final = results.final("pseudo_regret")
    for i, learner in enumerate(results.learner_names):
        for j in range(len(results.environment_names)):
            values = final[i, j]
            upper = values.mean() + 3 * values.std(ddof=1) / np.sqrt(len(values))
            assert upper <= sea_interpolation.bound(learner, *sea_interpolation.statistics(results, j))
