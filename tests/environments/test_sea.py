"""SEA environments: exact statistics, comparators and regimes against brute-force computations."""

import numpy as np
import pytest
from onlinelearn.environments.sea import (
    ADVERSARIAL_VARIATION,
    STOCHASTIC_VARIANCE,
    SEALinearLosses,
    SEAQuadraticLosses,
)
from scipy.optimize import minimize

from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    COMPARATOR_SHIFT,
    EXPECTED_LOSS,
)
from onlinelearn.testing import check_environment

CLASSES = [SEAQuadraticLosses, SEALinearLosses]


def play(environment, rounds, seed=0):
    """``(actions, xi, records)`` with random points of the ball as actions."""
    spec = environment.reset(seed=seed)
    rng = np.random.default_rng(seed + 100)
    radius = spec.decision_set.radius
    actions, xis, records = [], [], []
    for _ in range(rounds):
        x = rng.normal(size=spec.dimension)
        x *= radius * rng.random() / np.linalg.norm(x)
        feedback = environment.step(x).values
        xi = feedback[1:] if isinstance(environment, SEALinearLosses) else x - feedback[1:]
        actions.append(x)
        xis.append(xi.copy())
        records.append(environment.oracle().values)
    return np.array(actions), np.array(xis), np.array(records)


def regime_means(environment, rounds):
    """``mu_t`` of the non-random regimes, written from the definitions."""
    m = environment.mean_vector
    out = []
    for t in range(rounds):
        if environment.regime == "iid":
            out.append(m)
        elif environment.regime == "adversarial":
            out.append(m if (t // environment.period) % 2 == 0 else -m)
        elif environment.regime == "corrupted":
            count = (t + 1) // environment.period
            corrupted = (t + 1) % environment.period == 0 and (
                environment.budget is None or count <= environment.budget
            )
            out.append(-m if corrupted else m)
        elif environment.regime == "switches":
            k = environment.n_distributions
            angle = 2 * np.pi * ((t // environment.period) % k) / k
            out.append(rotate(m, angle))
        else:
            out.append(rotate(m, environment.drift * t))
    return np.array(out)


def rotate(m, angle):
    out = m.copy()
    out[:2] = [np.cos(angle) * m[0] - np.sin(angle) * m[1], np.sin(angle) * m[0] + np.cos(angle) * m[1]]
    return out


def ball_minimum(objective, d, radius=1.0):
    """``min_{||x|| <= r} objective(x)`` by SLSQP from several starts."""
    best = np.inf
    for start in [np.zeros(d), *np.eye(d) * 0.5 * radius]:
        result = minimize(
            objective,
            start,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": lambda x: radius**2 - x @ x}],
            options={"ftol": 1e-14, "maxiter": 500},
        )
        best = min(best, result.fun)
    return best


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("index", range(len(SEAQuadraticLosses._test_params)))
def test_common_checks(cls, index):
    check_environment(cls(**cls._test_params[index]))


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "params",
    [
        {"regime": "iid", "sigma": 0.4},
        {"regime": "adversarial", "sigma": 0.0, "period": 3},
        {"regime": "corrupted", "sigma": 0.2, "period": 4, "budget": 3},
        {"regime": "switches", "sigma": 0.1, "period": 5, "n_distributions": 3},
        {"regime": "drift", "sigma": 0.3, "drift": 0.2},
    ],
)
def test_statistics_and_comparators_match_the_definitions(cls, params):
    environment = cls(dimension=3, radius=1.5, **params)
    rounds = 30
    actions, xis, records = play(environment, rounds)
    means = regime_means(environment, rounds)
    sigma, radius, linear = environment.sigma, 1.5, cls is SEALinearLosses
    # Noise: Rademacher signs scaled by sigma / sqrt d, so ||xi_t - mu_t|| = sigma exactly.
    np.testing.assert_allclose(np.abs(xis - means), sigma / np.sqrt(3), atol=1e-12)
    np.testing.assert_allclose(records[:, STOCHASTIC_VARIANCE], sigma**2)
    first = np.linalg.norm(means[0]) if linear else radius + np.linalg.norm(means[0])
    variation = np.concatenate([[first**2], np.sum(np.diff(means, axis=0) ** 2, axis=1)])
    np.testing.assert_allclose(records[:, ADVERSARIAL_VARIATION], variation, atol=1e-12)

    def expected_loss(x, mu):  # F_t(x) = E f(x, xi_t)
        return mu @ x if linear else 0.5 * np.sum((x - mu) ** 2) + 0.5 * sigma**2

    np.testing.assert_allclose(
        records[:, EXPECTED_LOSS], [expected_loss(x, mu) for x, mu in zip(actions, means, strict=True)]
    )
    best = [ball_minimum(lambda x, mu=mu: expected_loss(x, mu), 3, radius) for mu in means[:5]]
    np.testing.assert_allclose(records[:5, BEST_EXPECTED_LOSS], best, atol=1e-6)
    for n in [1, 7, rounds]:
        pseudo = ball_minimum(lambda x, n=n: sum(expected_loss(x, mu) for mu in means[:n]), 3, radius)
        assert records[n - 1, BEST_FIXED_CUMULATIVE_EXPECTED] == pytest.approx(pseudo, abs=1e-6)
        if linear:
            realised = -radius * np.linalg.norm(xis[:n].sum(axis=0))
        else:
            realised = ball_minimum(lambda x, n=n: 0.5 * np.sum((x - xis[:n]) ** 2), 3, radius)
        assert records[n - 1, BEST_FIXED_CUMULATIVE_LOSS] == pytest.approx(realised, abs=1e-6)
    realised_best = [
        -radius * np.linalg.norm(xi) if linear else 0.5 * max(np.linalg.norm(xi) - radius, 0) ** 2
        for xi in xis
    ]
    np.testing.assert_allclose(records[:, BEST_LOSS], realised_best, atol=1e-12)


def test_comparator_shift_is_the_jump_of_the_per_round_minimiser():
    environment = SEAQuadraticLosses(dimension=2, radius=0.3, regime="adversarial", sigma=0.0, period=2)
    _, _, records = play(environment, 6)
    m = environment.mean_vector  # norm 0.15 < 0.3: the minimiser is mu_t itself
    jumps = [0, 0, 2 * np.linalg.norm(m), 0, 2 * np.linalg.norm(m), 0]
    np.testing.assert_allclose(records[:, COMPARATOR_SHIFT], jumps, atol=1e-12)


@pytest.mark.parametrize("cls", CLASSES)
def test_random_order_passes_and_conditional_statistics(cls):
    n_points, passes = 6, 3
    environment = cls(dimension=2, regime="random_order", n_points=n_points, spread=0.8)
    _, xis, records = play(environment, n_points * passes, seed=4)
    points = np.unique(xis[:n_points].round(12), axis=0)
    assert len(points) == n_points
    for p in range(passes):
        block = xis[p * n_points : (p + 1) * n_points]
        np.testing.assert_allclose(np.sort(block, axis=0), np.sort(xis[:n_points], axis=0))
        for k in range(n_points):  # D_t is uniform on the points left in the pass
            left = block[k:]
            variance = np.mean(np.sum((left - left.mean(axis=0)) ** 2, axis=1))
            assert records[p * n_points + k, STOCHASTIC_VARIANCE] == pytest.approx(variance, abs=1e-12)
    assert np.all(np.abs(xis) <= 0.8 / np.sqrt(2) + 1e-12)


def test_corruption_budget_counts_rounds():
    environment = SEALinearLosses(dimension=2, regime="corrupted", sigma=0.0, period=3, budget=4)
    _, xis, _ = play(environment, 40)
    flipped = np.flatnonzero(xis @ environment.mean_vector < 0) + 1
    np.testing.assert_array_equal(flipped, [3, 6, 9, 12])


def test_constants():
    quadratic = SEAQuadraticLosses(dimension=4, radius=2.0, sigma=0.5, mean=[0.3, 0.4, 0.0, 0.0])
    spec = quadratic.reset(seed=0)
    assert spec.gradient_bound == pytest.approx(2.0 + 0.5 + 0.5)
    assert spec.decision_set.diameter == quadratic.diameter == 4.0
    assert spec.record_size == STOCHASTIC_VARIANCE + 2
    assert (quadratic.smoothness, quadratic.strong_convexity) == (1.0, 1.0)
    linear = SEALinearLosses(dimension=4, regime="random_order", spread=0.7)
    assert linear.reset(seed=0).gradient_bound == pytest.approx(0.7)
    assert (linear.smoothness, linear.strong_convexity) == (0.0, 0.0)


def test_bad_input():
    with pytest.raises(ValueError, match="The 'mean' parameter of SEAQuadraticLosses must have length"):
        SEAQuadraticLosses(dimension=3, mean=[1.0, 2.0]).reset(seed=0)
    with pytest.raises(ValueError, match=r"The 'sigma' parameter of SEALinearLosses must be a float"):
        SEALinearLosses(sigma=-1.0).reset(seed=0)
    with pytest.raises(ValueError, match="The 'regime' parameter of SEALinearLosses must be one of"):
        SEALinearLosses(regime="markov").reset(seed=0)
    with pytest.raises(ValueError, match="The 'period' parameter"):
        SEAQuadraticLosses(period=0).reset(seed=0)
