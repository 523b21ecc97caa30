import numpy as np
import pytest
from onlinelearn.environments import LinearLosses, QuadraticLosses
from scipy.optimize import minimize

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


def sign(t, first):
    """Doubling phases 1 | 2-3 | 4-7 | ...: sign (-1)^floor(log2(t + 1))."""
    return first * (-1) ** ((t + 1).bit_length() - 1)


def brute_minimum(function, domain, d, radius=1.0):
    """``min_{x in X} function(x)`` by SLSQP from several starts (independent of the library)."""
    if domain == "ball":
        constraints = [{"type": "ineq", "fun": lambda x: radius**2 - x @ x}]
        starts = [np.zeros(d)] + [
            radius * v / np.linalg.norm(v) for v in np.random.default_rng(0).normal(size=(3, d))
        ]
    else:
        constraints = [{"type": "eq", "fun": lambda x: x.sum() - 1}]
        starts = [np.full(d, 1 / d)] + list(np.eye(d))
    bounds = None if domain == "ball" else [(0, 1)] * d
    values = [
        minimize(
            function,
            x0,
            method="SLSQP",
            bounds=bounds,
            constraints=constraints,
            options={"ftol": 1e-14, "maxiter": 500},
        ).fun
        for x0 in starts
    ]
    return min(values)


def play_random(environment, rounds, seed=0, action_seed=1):
    """Play random points of X; return actions, feedback values and oracle records."""
    spec = environment.reset(seed=seed)
    rng = np.random.default_rng(action_seed)
    actions, feedback, records = [], [], []
    for _ in range(rounds):
        x = spec.decision_set.project(rng.normal(size=spec.dimension))
        actions.append(x)
        feedback.append(environment.step(x).values)
        records.append(environment.oracle().values)
    return spec, np.array(actions), np.array(feedback), np.array(records)


@pytest.mark.parametrize("domain", ["ball", "simplex"])
@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
def test_linear_comparators_match_brute_force(domain, regime):
    environment = LinearLosses(
        dimension=3, domain=domain, radius=1.5, regime=regime, noise=0.4, mean=[0.3, -0.2, 0.5]
    )
    spec, actions, feedback, records = play_random(environment, 12)
    first = environment.state_.first_sign
    radius = 1.5 if domain == "ball" else 1.0
    gradients = feedback[:, 1:]
    means = np.array(
        [(sign(t, first) if regime == "adversarial" else 1) * np.array([0.3, -0.2, 0.5]) for t in range(12)]
    )
    np.testing.assert_allclose(feedback[:, 0], np.sum(gradients * actions, axis=1), atol=1e-14)
    np.testing.assert_allclose(records[:, LOSS], feedback[:, 0], atol=1e-14)
    np.testing.assert_allclose(records[:, EXPECTED_LOSS], np.sum(means * actions, axis=1), atol=1e-14)
    assert np.all(np.abs(gradients - means) <= 0.4)
    for t in [0, 4, 11]:
        cumulative, expected = gradients[: t + 1].sum(0), means[: t + 1].sum(0)
        np.testing.assert_allclose(
            records[t, BEST_FIXED_CUMULATIVE_LOSS],
            brute_minimum(lambda x, c=cumulative: c @ x, domain, 3, radius),
            atol=1e-6,
        )
        np.testing.assert_allclose(
            records[t, BEST_FIXED_CUMULATIVE_EXPECTED],
            brute_minimum(lambda x, c=expected: c @ x, domain, 3, radius),
            atol=1e-6,
        )
        best = brute_minimum(lambda x, g=gradients[t]: g @ x, domain, 3, radius)
        np.testing.assert_allclose(records[t, BEST_LOSS], best, atol=1e-6)
        np.testing.assert_allclose(
            records[t, BEST_EXPECTED_LOSS],
            brute_minimum(lambda x, g=means[t]: g @ x, domain, 3, radius),
            atol=1e-6,
        )
    # Per-round minimisers of F_t move only when the sign flips (t = 1, 3, 7 for doubling phases).
    shifts = records[:, COMPARATOR_SHIFT]
    if regime == "stochastic":
        np.testing.assert_array_equal(shifts, 0.0)
    else:
        moved = np.flatnonzero(shifts > 0)
        np.testing.assert_array_equal(moved, [1, 3, 7])
        expected_shift = 2 * radius if domain == "ball" else np.sqrt(2)
        np.testing.assert_allclose(shifts[moved], expected_shift)


@pytest.mark.parametrize("domain", ["ball", "simplex"])
@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
def test_quadratic_comparators_match_brute_force(domain, regime):
    center = np.array([0.9, -0.3, 0.6])
    environment = QuadraticLosses(dimension=3, domain=domain, regime=regime, noise=0.3, center=center)
    spec, actions, feedback, records = play_random(environment, 12)
    first = environment.state_.first_sign
    middle = spec.decision_set.center()
    centers = np.array(
        [center if (regime == "stochastic" or sign(t, first) > 0) else 2 * middle - center for t in range(12)]
    )
    xi = actions - feedback[:, 1:]  # gradient x - xi
    variance = 3 * 0.3**2 / 3
    np.testing.assert_allclose(feedback[:, 0], 0.5 * np.sum((actions - xi) ** 2, axis=1), atol=1e-14)
    np.testing.assert_allclose(
        records[:, EXPECTED_LOSS], 0.5 * np.sum((actions - centers) ** 2, axis=1) + 0.5 * variance, atol=1e-14
    )
    assert np.all(np.abs(xi - centers) <= 0.3 + 1e-15)
    for t in [0, 5, 11]:

        def realised(x, t=t):
            return 0.5 * np.sum((x - xi[: t + 1]) ** 2)

        def expected(x, t=t):
            return 0.5 * np.sum((x - centers[: t + 1]) ** 2) + 0.5 * (t + 1) * variance

        np.testing.assert_allclose(
            records[t, BEST_FIXED_CUMULATIVE_LOSS], brute_minimum(realised, domain, 3), atol=1e-7
        )
        np.testing.assert_allclose(
            records[t, BEST_FIXED_CUMULATIVE_EXPECTED], brute_minimum(expected, domain, 3), atol=1e-7
        )
        np.testing.assert_allclose(
            records[t, BEST_LOSS],
            brute_minimum(lambda x, t=t: 0.5 * np.sum((x - xi[t]) ** 2), domain, 3),
            atol=1e-7,
        )
        np.testing.assert_allclose(
            records[t, BEST_EXPECTED_LOSS],
            brute_minimum(lambda x, t=t: 0.5 * np.sum((x - centers[t]) ** 2), domain, 3) + 0.5 * variance,
            atol=1e-7,
        )
    shifts = records[:, COMPARATOR_SHIFT]
    projected = np.array([spec.decision_set.project(c) for c in centers])
    np.testing.assert_allclose(shifts[1:], np.linalg.norm(np.diff(projected, axis=0), axis=1), atol=1e-14)


def test_comparator_is_stable_over_many_rounds():
    # Welford statistics: the expected comparator of a stochastic instance is exactly
    # n * (1/2 dist(c, X)^2 + d noise^2 / 6) even after 2 x 10^4 rounds.
    environment = QuadraticLosses(dimension=2, center=[2.0, 0.0], noise=0.5)
    spec = environment.reset(seed=0)
    x = spec.decision_set.center()
    for _ in range(20_000):
        environment.step(x)
    value = environment.oracle().values[BEST_FIXED_CUMULATIVE_EXPECTED]
    assert value == pytest.approx(20_000 * (0.5 + 2 * 0.25 / 6), rel=1e-12)


@pytest.mark.parametrize(
    "environment",
    [
        LinearLosses(dimension=4, domain="ball", regime="adversarial"),
        LinearLosses(dimension=4, domain="simplex"),
        QuadraticLosses(dimension=4, domain="ball", regime="adversarial"),
        QuadraticLosses(dimension=4, domain="simplex"),
    ],
)
def test_common_random_numbers(environment):
    """Same seed, different actions -> the same loss functions (g_t, resp. xi_t)."""
    _, actions_a, feedback_a, _ = play_random(environment, 50, seed=3, action_seed=1)
    _, actions_b, feedback_b, _ = play_random(environment, 50, seed=3, action_seed=2)
    assert not np.allclose(actions_a, actions_b)
    if isinstance(environment, LinearLosses):
        np.testing.assert_array_equal(feedback_a[:, 1:], feedback_b[:, 1:])
    else:
        np.testing.assert_allclose(
            actions_a - feedback_a[:, 1:], actions_b - feedback_b[:, 1:], rtol=0, atol=1e-14
        )
    _, _, feedback_c, _ = play_random(environment, 50, seed=4, action_seed=1)
    assert not np.allclose(feedback_a[:, 1:], feedback_c[:, 1:])


@pytest.mark.parametrize(
    "environment",
    [
        LinearLosses(dimension=3, domain="ball", regime="adversarial", noise=0.7, mean=[0.5, -1.0, 0.2]),
        LinearLosses(dimension=3, domain="simplex", noise=0.2),
        QuadraticLosses(dimension=3, domain="ball", regime="adversarial", noise=0.4),
        QuadraticLosses(dimension=3, domain="simplex", regime="adversarial", noise=0.4),
    ],
)
def test_gradient_bound_is_exact(environment):
    """Every gradient is within G, and G is approached by the worst point and noise."""
    spec, _, feedback, _ = play_random(environment, 2000)
    norms = np.linalg.norm(feedback[:, 1:], axis=1)
    assert norms.max() <= spec.gradient_bound + 1e-12
    assert norms.max() >= 0.8 * spec.gradient_bound or isinstance(environment, QuadraticLosses)
    if isinstance(environment, QuadraticLosses):
        # Worst case by brute force: vertices of the noise box against the farthest point of X.
        worst = 0.0
        grid = np.array(np.meshgrid(*[[-1, 1]] * 3)).reshape(3, -1).T
        for center in environment.centers:
            for corner in grid:
                xi = center + environment.noise * corner
                if environment.domain == "ball":
                    worst = max(worst, 1.0 + np.linalg.norm(xi))
                else:
                    worst = max(worst, max(np.linalg.norm(e - xi) for e in np.eye(3)))
        assert spec.gradient_bound == pytest.approx(worst, rel=1e-12)


def test_checker_and_bad_parameters():
    for cls in (LinearLosses, QuadraticLosses):
        check_environment(cls(dimension=2, domain="simplex", regime="adversarial"))
    with pytest.raises(ValueError, match="The 'mean' parameter of LinearLosses must have length"):
        LinearLosses(dimension=3, mean=[1.0, 2.0]).reset(seed=0)
    with pytest.raises(ValueError, match="The 'domain' parameter of QuadraticLosses must be one of"):
        QuadraticLosses(domain="box").reset(seed=0)
    with pytest.raises(ValueError, match="The 'noise' parameter of LinearLosses must be a float"):
        LinearLosses(noise=-1.0).reset(seed=0)
    with pytest.raises(ValueError, match="expects a finite point of shape"):
        environment = LinearLosses(dimension=2)
        environment.reset(seed=0)
        environment.step(np.zeros(3))
