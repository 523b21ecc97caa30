import numpy as np
import pytest
from onlinelearn.environments.conformal import ConformalSpec, ShiftingScores
from onlinelearn.environments.oco import LinearLosses

from onlinelearn.core import FeedbackKind, box
from onlinelearn.core.oracle import LOSS, RECORD_HEADER
from onlinelearn.testing import check_tracker
from onlinelearn.trackers.conformal import COVERED, RADIUS, SCORE, Coverage


@pytest.mark.parametrize("params", Coverage._test_params)
def test_passes_the_common_checks(params):
    check_tracker(Coverage(**params), ShiftingScores(period=30))


def spec(coverage=0.9):
    return ConformalSpec(FeedbackKind.GRADIENT, decision_set=box([0.0], [5.0]), coverage=coverage)


def pinball(radius, score, q):
    return max(q * (score - radius), (1 - q) * (radius - score))


def record(score, radius, q=0.9):
    values = np.zeros(RECORD_HEADER + 3)
    values[LOSS] = pinball(radius, score, q)
    values[SCORE], values[RADIUS], values[COVERED] = score, radius, float(score <= radius)
    return values


def curves(tracker, scores, radii, q=0.9):
    tracker.reset(spec(q), len(scores))
    out = []
    for score, radius in zip(scores, radii, strict=True):
        tracker.record(record(score, radius, q))
        out.append(tracker.values())
    return np.array(out)


def test_values_by_hand():
    """Window 2, q = 0.9.  Rounds (score, radius): (1, 2) covered, (3, 2) not, (0.5, 1) covered.
    Window coverages 1/2 and 1/2: LCE 0.4.  Window 1 regret: losses 0.1 + 0.9 = 1.0, best fixed
    radius 3 (losses 0.2 + 0) = 0.2 -> 0.8.  Window 2: losses 0.9 + 0.05 = 0.95, best radius 3:
    0 + 0.25 = 0.25 -> 0.7.  Worst: 0.8."""
    values = curves(Coverage(window=2), [1.0, 3.0, 0.5], [2.0, 2.0, 1.0])
    np.testing.assert_allclose(values[0], [1.0, 1.0, 0.0, 2.0, 2.0, 0.0])
    np.testing.assert_allclose(values[1], [0.5, 0.5, 0.4, 2.0, 2.0, 0.8])
    np.testing.assert_allclose(values[2], [2 / 3, 0.5, 0.4, 5 / 3, 1.5, 0.8], rtol=1e-12)


def naive(scores, radii, q, k):
    """Brute force over every window; the best fixed radius over a fine grid and the scores."""
    covered = (scores <= radii).astype(float)
    losses = np.maximum(q * (scores - radii), (1 - q) * (radii - scores))
    t = len(scores)
    lce, regret = 0.0, -np.inf
    for end in range(k, t + 1):
        window = slice(end - k, end)
        lce = max(lce, abs(covered[window].mean() - q))
        candidates = np.concatenate([np.linspace(0, 5, 201), scores[window]])
        best = min(
            np.maximum(q * (scores[window] - r), (1 - q) * (r - scores[window])).sum() for r in candidates
        )
        regret = max(regret, losses[window].sum() - best)
    last = slice(max(0, t - k), t)
    return [
        covered.mean(),
        covered[last].mean(),
        lce,
        radii.mean(),
        radii[last].mean(),
        regret if t >= k else 0.0,
    ]


@pytest.mark.parametrize("k", [1, 5, 20])
def test_matches_brute_force(k):
    rng = np.random.default_rng(k)
    scores = np.minimum(np.abs(2 * rng.standard_normal(120)), 5.0)
    radii = rng.uniform(0, 5, 120)
    values = curves(Coverage(window=k), scores, radii, q=0.8)
    for t in (k - 1, 60, 119):
        np.testing.assert_allclose(
            values[t], naive(scores[: t + 1], radii[: t + 1], 0.8, k), rtol=1e-9, atol=1e-12
        )


def test_refuses_bad_input():
    with pytest.raises(ValueError, match="'window' parameter of Coverage"):
        Coverage(window=0).reset(spec(), 10)
    with pytest.raises(ValueError, match="Coverage needs a conformal environment"):
        Coverage().reset(LinearLosses().reset(seed=0), 10)
