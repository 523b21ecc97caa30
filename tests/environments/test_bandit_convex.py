import numpy as np
import pytest
from onlinelearn.environments.bandit_convex import BanditQuadraticLosses
from scipy.optimize import minimize

import onlinelearn as ol
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

# Centres outside and inside the unit ball, so the projections matter.
CENTERS = [[1.5, 0.0], [0.0, 0.5], [-0.3, -0.4]]


@pytest.mark.parametrize(
    "params", BanditQuadraticLosses._test_params + [{"centers": CENTERS, "dimension": 2}]
)
def test_passes_the_common_checks(params):
    check_environment(BanditQuadraticLosses(**params))


def test_first_round_by_hand():
    """xi_1 = c_0 + noise (2 u - 1) with u = PCG64(3).random(2); two queries answered, the first
    scored: f(y) = 1/2 ||y - xi||^2, F(y) = 1/2 ||y - c_0||^2 + d noise^2 / 6."""
    environment = BanditQuadraticLosses(dimension=2, centers=CENTERS, period=2, noise=0.3)
    spec = environment.reset(seed=3)
    assert spec.n_queries == 2 and spec.feedback_size == 3
    u = np.random.default_rng(3).random(2)
    xi = np.array([1.5, 0.0]) + 0.3 * (2 * u - 1)
    queries = np.array([[0.2, -0.1], [0.0, 0.6]])
    values = environment.step(queries).values
    np.testing.assert_allclose(values, [2, *(0.5 * np.sum((queries - xi) ** 2, axis=1))], rtol=1e-14)
    record = environment.oracle().values
    variance = 2 * 0.3**2 / 3
    assert record[LOSS] == values[1]
    assert record[EXPECTED_LOSS] == pytest.approx(0.5 * ((0.2 - 1.5) ** 2 + 0.1**2) + variance / 2)
    # min_X F_1: Proj(c_0) = (1, 0), 1/2 dist^2 = 1/8.
    assert record[BEST_EXPECTED_LOSS] == pytest.approx(0.125 + variance / 2)
    assert record[BEST_FIXED_CUMULATIVE_EXPECTED] == pytest.approx(0.125 + variance / 2)
    best = 0.5 * max(np.linalg.norm(xi) - 1, 0) ** 2
    assert record[BEST_LOSS] == pytest.approx(best) == pytest.approx(record[BEST_FIXED_CUMULATIVE_LOSS])
    assert record[COMPARATOR_SHIFT] == 0.0


def test_single_point_and_query_budget():
    """A (d,) point is one query (n = 1, the second entry 0); more rows than n_queries are refused."""
    environment = BanditQuadraticLosses(dimension=2, n_queries=2)
    environment.reset(seed=0)
    values = environment.step(np.array([0.1, 0.2])).values
    assert values[0] == 1 and values[2] == 0.0 and values[1] > 0
    with pytest.raises(ValueError, match=r"array of shape \(k, 2\) of 1 to 2 points"):
        environment.step(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="of the ball"):
        environment.step(np.array([[0.0, 0.0], [2.0, 0.0]]))  # an observed point outside X
    with pytest.raises(ValueError, match="Got shape"):
        environment.step(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="expects a finite point"):
        environment.step("point")


def brute_minimum(function, d, radius=1.0):
    """``min_{||x|| <= r} function(x)`` by SLSQP from several starts (independent of the library)."""
    constraints = [{"type": "ineq", "fun": lambda x: radius**2 - x @ x}]
    starts = [np.zeros(d), *np.random.default_rng(0).normal(size=(3, d)) * 0.5]
    options = {"ftol": 1e-14, "maxiter": 500}
    return min(
        minimize(function, x0, method="SLSQP", constraints=constraints, options=options).fun for x0 in starts
    )


def test_comparators_match_brute_force():
    """Over 40 rounds of cycling centres (period 7), every comparator slot equals a brute-force
    minimisation over the ball of the sums written out from the centres and the xi_t."""
    noise, rounds, d = 0.2, 40, 2
    environment = BanditQuadraticLosses(dimension=d, centers=CENTERS, period=7, noise=noise)
    environment.reset(seed=5)
    uniforms = np.random.default_rng(5).random((rounds, d))
    centers = np.array([CENTERS[(t // 7) % 3] for t in range(rounds)])
    xis = centers + noise * (2 * uniforms - 1)
    half_variance = d * noise**2 / 6
    points = np.random.default_rng(9).normal(size=(rounds, d)) * 0.3
    for t in range(rounds):
        environment.step(points[t])
        record = environment.oracle().values
        assert record[LOSS] == pytest.approx(0.5 * np.sum((points[t] - xis[t]) ** 2), rel=1e-12)
        if t % 9 == 0 or t == rounds - 1:
            c, xi = centers[: t + 1], xis[: t + 1]
            expected = brute_minimum(lambda x, c=c: 0.5 * np.sum((x - c) ** 2), d)
            realised = brute_minimum(lambda x, xi=xi: 0.5 * np.sum((x - xi) ** 2), d)
            assert record[BEST_FIXED_CUMULATIVE_EXPECTED] == pytest.approx(
                expected + (t + 1) * half_variance, rel=1e-7, abs=1e-9
            )
            assert record[BEST_FIXED_CUMULATIVE_LOSS] == pytest.approx(realised, rel=1e-7, abs=1e-9)
            per_round = brute_minimum(lambda x, c=centers[t]: 0.5 * np.sum((x - c) ** 2), d)
            assert record[BEST_EXPECTED_LOSS] == pytest.approx(per_round + half_variance, abs=1e-9)
        # The per-round minimiser Proj(c_t) moves exactly at the switches.
        if t > 0 and t % 7 == 0:
            previous = centers[t - 1] / max(1.0, np.linalg.norm(centers[t - 1]))
            current = centers[t] / max(1.0, np.linalg.norm(centers[t]))
            assert record[COMPARATOR_SHIFT] == pytest.approx(np.linalg.norm(current - previous))
        else:
            assert record[COMPARATOR_SHIFT] == 0.0


def test_gradient_bound_is_the_lipschitz_constant():
    """L = r + max_k ||(|c_k| + noise)||: the supremum of ||x - xi|| over the ball and the noise box
    (attained at x = -r xi / ||xi|| with xi at the farthest corner); only the first centre counts
    when the centre never switches."""
    environment = BanditQuadraticLosses(dimension=2, centers=CENTERS, noise=0.1)
    assert environment.reset(seed=0).gradient_bound == pytest.approx(1 + np.hypot(1.6, 0.1))
    environment = BanditQuadraticLosses(dimension=2, centers=CENTERS[1:], noise=0.1, period=None)
    assert environment.reset(seed=0).gradient_bound == pytest.approx(1 + np.hypot(0.1, 0.6))


def test_realisation_does_not_depend_on_the_queries():
    """Common random numbers: the comparators are the same whatever the learner queries."""
    records = []
    for queries in ([[0.0, 0.0]], [[0.5, 0.5], [-0.5, 0.1]]):
        environment = BanditQuadraticLosses(dimension=2, period=3)
        environment.reset(seed=2)
        rows = []
        for _ in range(10):
            environment.step(np.array(queries))
            rows.append(environment.oracle().values[[2, 3, 4, 5, 6]])
        records.append(rows)
    np.testing.assert_array_equal(records[0], records[1])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"centers": [[0.0, 0.0, 0.0]], "dimension": 2}, r"'centers' parameter .* shape \(m, dimension=2\)"),
        ({"centers": [0.0, 0.0]}, "The 'centers' parameter of BanditQuadraticLosses must be a finite 2-D"),
        ({"period": 0}, "The 'period' parameter of BanditQuadraticLosses must be an int in the range"),
        ({"n_queries": 0}, "The 'n_queries' parameter of BanditQuadraticLosses must be an int"),
        ({"noise": -0.1}, "The 'noise' parameter"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        BanditQuadraticLosses(**params).reset(seed=0)


def test_a_two_query_learner_runs_compiled_and_in_python_identically():
    """The (2, d) query arrays cross the compiled runner and the Python loop with equal results."""
    from onlinelearn.learners.bandit_convex import TwoPointBGD

    kwargs = {
        "horizon": 100,
        "n_reps": 2,
        "seed": 4,
        "trackers": [ol.trackers.DynamicRegret()],
        "progress": False,
    }
    environment = BanditQuadraticLosses(dimension=2, period=10)
    compiled = ol.run(TwoPointBGD(), environment, **kwargs)
    python = ol.run(TwoPointBGD(), environment, compiled=False, **kwargs)
    assert compiled.compiled.all() and not python.compiled.any()
    for name, values in compiled.metrics.items():
        np.testing.assert_array_equal(values, python.metrics[name])
