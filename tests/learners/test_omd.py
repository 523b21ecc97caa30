"""Regularisers (mirror steps) and greedy online mirror descent."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import LinearLosses
from scipy.optimize import minimize

import onlinelearn as ol
from onlinelearn.core import box, simplex
from onlinelearn.learners.ftrl import FTRL
from onlinelearn.learners.omd import OMD
from onlinelearn.learners.ons import ONS
from onlinelearn.learners.regularizers import (
    Euclidean,
    LogBarrier,
    NegativeEntropy,
    TimeVaryingQuadratic,
    Tsallis,
)
from onlinelearn.testing import check_learner
from tests.conftest import QUICK
from tests.learners.oco_helpers import assert_bit_identical, gradient, gradient_spec, play, run_regret
from tests.naive.optimistic import omd_iterates

SEPARABLE = [Euclidean(), NegativeEntropy(), Tsallis(0.5), Tsallis(0.2), LogBarrier()]


# -- regularisers ----------------------------------------------------------------------------
@pytest.mark.parametrize("regularizer", [*SEPARABLE, TimeVaryingQuadratic(np.diag([1.0, 2.0, 0.5, 3.0]))])
def test_mirror_step_is_the_constrained_minimiser(regularizer):
    """The closed form matches a generic solver (SLSQP) on the simplex."""
    point = np.array([0.1, 0.2, 0.3, 0.4])
    direction = np.array([1.0, -1.0, 0.5, 2.0])
    x = regularizer.step(point, direction, 0.3, simplex(4))

    def objective(z):
        return 0.3 * direction @ z + regularizer.bregman(z, point)

    reference = minimize(
        objective,
        point,
        method="SLSQP",
        bounds=[(1e-9, 1.0)] * 4,
        constraints=[{"type": "eq", "fun": lambda z: z.sum() - 1}],
        options={"ftol": 1e-15, "maxiter": 500},
    )
    assert simplex(4).contains(x, tolerance=1e-12)
    assert objective(x) <= reference.fun + 1e-9
    np.testing.assert_allclose(x, reference.x, atol=1e-5)


@pytest.mark.parametrize("regularizer", SEPARABLE)
def test_mirror_step_on_a_box_is_the_clipped_mirror_point(regularizer):
    decision_set = box(np.full(3, 0.1), np.full(3, 2.0))
    x = regularizer.step(np.ones(3), np.array([3.0, -0.5, 0.2]), 0.5, decision_set)
    grid = np.linspace(0.1, 2.0, 4001)
    for i, g in enumerate([3.0, -0.5, 0.2]):  # separable: one 1-D problem per coordinate
        values = [0.5 * g * z + regularizer.bregman(np.array([z]), np.array([1.0])) for z in grid]
        assert x[i] == pytest.approx(grid[int(np.argmin(values))], abs=1e-3)


def test_bregman_divergences_by_hand():
    x, y = np.array([0.25, 0.75]), np.array([0.5, 0.5])
    assert Euclidean().bregman(x, y) == pytest.approx(0.0625)
    assert NegativeEntropy().bregman(x, y) == pytest.approx(0.25 * np.log(0.5) + 0.75 * np.log(1.5))
    assert LogBarrier().bregman(x, y) == pytest.approx(np.sum(x / y - np.log(x / y) - 1))
    assert Tsallis(0.5).range(simplex(4)) == pytest.approx(2.0)  # (4^0.5 - 1) / 0.5


probability_vectors = st.lists(st.floats(0.01, 1.0), min_size=4, max_size=4).map(
    lambda v: np.array(v) / np.sum(v)
)
gradient_vectors = st.lists(st.floats(-50, 50), min_size=4, max_size=4).map(np.array)


@settings(max_examples=40, deadline=None)
@given(probability_vectors, gradient_vectors, st.floats(0.001, 5.0), st.sampled_from(range(len(SEPARABLE))))
def test_mirror_steps_stay_on_the_simplex_and_decrease_the_objective(point, direction, eta, index):
    regularizer = SEPARABLE[index]
    x = regularizer.step(point, direction, eta, simplex(4))
    assert simplex(4).contains(x, tolerance=1e-9)
    if np.all(x > 0):
        # Optimality against the starting point: eta <g, x> + B(x, p) <= eta <g, p>.
        assert eta * direction @ x + regularizer.bregman(x, point) <= eta * direction @ point + 1e-7
        assert regularizer.bregman(x, point) >= -1e-9


# -- OMD -------------------------------------------------------------------------------------
def test_euclidean_first_rounds_by_hand():
    learner = OMD(eta=0.5)
    learner.reset(gradient_spec("ball", 2), np.random.default_rng(0))
    np.testing.assert_array_equal(learner.act(), [0.0, 0.0])
    learner.update(gradient([1.0, 0.0]))
    np.testing.assert_allclose(learner.act(), [-0.5, 0.0])
    learner.update(gradient([3.0, 4.0]))  # y = (-2, -2): projected onto the unit sphere
    np.testing.assert_allclose(learner.act(), [-np.sqrt(0.5), -np.sqrt(0.5)], rtol=1e-15)


def test_entropic_first_rounds_by_hand():
    learner = OMD("entropic", eta=np.log(2.0))
    learner.reset(gradient_spec("simplex", 2), np.random.default_rng(0))
    np.testing.assert_allclose(learner.act(), [0.5, 0.5])
    learner.update(gradient([1.0, 0.0]))  # x ∝ (1/2 * 1/2, 1/2)
    np.testing.assert_allclose(learner.act(), [1 / 3, 2 / 3], rtol=1e-15)
    learner.update(gradient([0.0, 2.0]))  # x ∝ (1/3, 2/3 * 1/4)
    np.testing.assert_allclose(learner.act(), [2 / 3, 1 / 3], rtol=1e-15)


def test_log_barrier_first_round_by_hand():
    # From (1/2, 1/2) with eta g = (1, 0): 1/x_i = 2 + eta g_i + nu, x_1 + x_2 = 1
    # -> 1/(3 + nu) + 1/(2 + nu) = 1 -> nu = (-3 + sqrt 5) / 2.
    learner = OMD("log_barrier", eta=1.0)
    learner.reset(gradient_spec("simplex", 2), np.random.default_rng(0))
    learner.act()
    learner.update(gradient([1.0, 0.0]))
    nu = (-3 + np.sqrt(5)) / 2
    np.testing.assert_allclose(learner.act(), [1 / (3 + nu), 1 / (2 + nu)], rtol=1e-12)


@pytest.mark.parametrize(
    "regularizer, domain, step_size",
    [
        ("euclidean", "ball", "constant"),
        ("euclidean", "simplex", "sqrt"),
        ("euclidean", "ball", "strongly_convex"),
        ("entropic", "simplex", "constant"),
        ("tsallis", "simplex", "constant"),
        ("log_barrier", "simplex", "constant"),
    ],
)
def test_matches_naive_reference(regularizer, domain, step_size):
    gradients = np.random.default_rng(1).normal(size=(100, 4))
    spec = gradient_spec(domain, 4, horizon=100, gradient_bound=3.0)
    eta = 0.05 if regularizer == "log_barrier" else None
    learner = OMD(regularizer, step_size=step_size, eta=eta, lam=0.7)
    t = np.arange(1, 101)
    rate = learner.learning_rate(spec)
    steps = {"constant": np.full(100, rate), "sqrt": rate / np.sqrt(t), "strongly_convex": 1 / (0.7 * t)}
    expected = omd_iterates(gradients, domain, regularizer, steps[step_size])
    np.testing.assert_allclose(play(learner, spec, gradients), expected, rtol=0, atol=1e-10)


def test_adagrad_rate_matches_its_definition():
    gradients = np.random.default_rng(2).normal(size=(50, 3))
    spec = gradient_spec("ball", 3, horizon=50, gradient_bound=3.0)
    steps = spec.decision_set.diameter / np.sqrt(2) / np.sqrt(np.cumsum(np.sum(gradients**2, axis=1)))
    expected = omd_iterates(gradients, "ball", "euclidean", steps)
    np.testing.assert_allclose(play(OMD(step_size="adagrad"), spec, gradients), expected, atol=1e-12)


HORIZON = 2000 if QUICK else 5000


@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
@pytest.mark.parametrize("regularizer", ["euclidean", "entropic"])
def test_regret_below_bound(regime, regularizer):
    """Constant tuned rate (Orabona 2019, Thm 6.8): Euclidean ``G D sqrt T``, entropic on the
    simplex ``G sqrt(2 T ln d)`` (``G = spec.gradient_bound`` bounds the dual max-norm)."""
    environment = LinearLosses(dimension=5, domain="simplex", regime=regime, noise=0.5)
    spec = environment.reset(seed=0)
    gradient_bound = spec.gradient_bound
    if regularizer == "euclidean":
        bound = gradient_bound * spec.decision_set.diameter * np.sqrt(HORIZON)
    else:
        bound = gradient_bound * np.sqrt(2 * HORIZON * np.log(5))
    static, pseudo = run_regret(OMD(regularizer), environment, HORIZON, seed=11)
    assert static <= bound and pseudo <= bound


def test_python_and_compiled_loops_are_bit_identical():
    environment = LinearLosses(dimension=3, domain="simplex", regime="adversarial")
    for learner in [OMD(), OMD("tsallis"), OMD("entropic", step_size="constant")]:
        assert_bit_identical(learner, environment)


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(["euclidean", "entropic", "tsallis", "log_barrier"]),
    st.lists(st.lists(st.floats(-100, 100), min_size=3, max_size=3), min_size=1, max_size=15),
)
def test_iterates_stay_in_the_simplex(regularizer, gradients):
    spec = gradient_spec("simplex", 3, horizon=15, gradient_bound=1.0)
    iterates = play(OMD(regularizer, eta=0.3), spec, np.array(gradients))
    assert all(spec.decision_set.contains(x, tolerance=1e-9) for x in iterates)


@pytest.mark.parametrize("params", OMD._test_params)
def test_common_checks(params):
    check_learner(OMD(**params))


def test_bad_input():
    spec = gradient_spec("ball", 2, horizon=10)
    with pytest.raises(
        ValueError, match=r"The 'eta' parameter of OMD must be a float in the range \(0, inf\)"
    ):
        OMD(eta=-1.0).reset(spec)
    with pytest.raises(ValueError, match="The 'regularizer' parameter of OMD must be one of"):
        OMD("l2").reset(spec)
    with pytest.raises(ValueError, match="NegativeEntropy needs a decision set among"):
        OMD("entropic").reset(spec)
    with pytest.raises(ValueError, match="strictly positive 'low'"):
        OMD("entropic", eta=0.1).reset(gradient_spec("box", 2, horizon=10))
    with pytest.raises(ValueError, match="unbounded.*Set 'eta'"):
        OMD("log_barrier").reset(gradient_spec("simplex", 2, horizon=10))
    with pytest.raises(ValueError, match="'lam'"):
        OMD(step_size="strongly_convex").reset(spec)
    with pytest.raises(ValueError, match="'regularizer' parameter of OMD must be a separable"):
        OMD(TimeVaryingQuadratic()).reset(spec)
    with pytest.raises(
        ValueError, match=r"The 'q' parameter of Tsallis must be a float in the range \(0, 1\)"
    ):
        Tsallis(1.0)
    learner = OMD(eta=0.1)
    learner.reset(spec)
    learner.act()
    with pytest.raises(ValueError, match="non-finite 'feedback'"):
        learner.update(gradient([np.nan, 0.0]))


@pytest.mark.parametrize(
    "learner, parameter",
    [
        (ol.learners.OGD(), "eta"),
        (OMD(), "eta"),
        (FTRL(regularizer="euclidean"), "eta"),
        (ONS(alpha=1.0), "gamma"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_missing_gradient_bound_names_the_learners_own_parameter(learner, parameter):
    """A default tuning that needs G on a spec without one: the error names the learner's own
    parameter that replaces the tuning, and the spec's 'gradient_bound'."""
    name = type(learner).__name__
    with pytest.raises(
        ValueError,
        match=f"{name} needs the gradient bound G.*Set the '{parameter}' parameter of {name}, or give the "
        "environment's EnvSpec a 'gradient_bound'",
    ):
        learner.reset(gradient_spec("ball", 2, horizon=10, gradient_bound=None))
