import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import QuadraticLosses
from scipy.optimize import brentq

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind
from onlinelearn.learners.ons import project_a_norm_iterative, project_ball_a_norm
from tests.conftest import QUICK
from tests.learners.oco_helpers import (
    assert_bit_identical,
    gradient,
    gradient_spec,
    play,
    run_regret,
)
from tests.naive.oco import a_norm_projection, ons_iterates


def test_first_rounds_by_hand():
    # d = 2, gamma = 1, epsilon = 1: A_1 = diag(2, 1), y_2 = -A_1^{-1} (1, 0) = (-0.5, 0).
    learner = ol.learners.ONS(gamma=1.0, epsilon=1.0)
    learner.reset(gradient_spec("ball", 2), np.random.default_rng(0))
    np.testing.assert_array_equal(learner.act(), [0.0, 0.0])
    learner.update(gradient([1.0, 0.0]))
    np.testing.assert_allclose(learner.act(), [-0.5, 0.0], rtol=1e-15)
    # A_2 = diag(2, 17), y_3 = (-0.5, 0) - (0, 4/17): inside the ball.
    learner.update(gradient([0.0, 4.0]))
    np.testing.assert_allclose(learner.act(), [-0.5, -4 / 17], rtol=1e-14)
    np.testing.assert_allclose(learner.state_.a_inverse, np.diag([0.5, 1 / 17]), rtol=1e-14)


def test_generalised_projection_by_hand():
    # gamma = 0.1: y_2 = (-5, 0) -> A-norm projection of a point on an eigen-axis is (-1, 0).
    learner = ol.learners.ONS(gamma=0.1, epsilon=1.0)
    learner.reset(gradient_spec("ball", 2), np.random.default_rng(0))
    learner.act()
    learner.update(gradient([1.0, 0.0]))
    np.testing.assert_allclose(learner.act(), [-1.0, 0.0], atol=1e-12)
    # A_2 = diag(2, 17), y_3 = (-1, -40/17): x_i = lam_i y_i / (lam_i + mu) with ||x|| = 1.
    learner.update(gradient([0.0, 4.0]))
    lam, y = np.array([2.0, 17.0]), np.array([-1.0, -40 / 17])
    mu = brentq(lambda m: np.linalg.norm(lam * y / (lam + m)) - 1, 0, 1e3, xtol=1e-15)
    np.testing.assert_allclose(learner.act(), lam * y / (lam + mu), atol=1e-10)


@pytest.mark.parametrize("domain", ["ball", "simplex"])
def test_projections_match_brute_force(domain):
    rng = np.random.default_rng(4)
    for _ in range(5):
        m = rng.normal(size=(4, 4))
        a = m @ m.T + 0.1 * np.eye(4)
        y = 2 * rng.normal(size=4)
        out = np.full(4, 0.25)
        if domain == "ball":
            project_ball_a_norm(a, y, 1.0, out, 1e-13, 100)
        else:
            project_a_norm_iterative(
                0, 1.0, np.zeros(4), np.zeros(4), a, y, out, np.zeros((4, 4)), 1e-14, 100_000
            )
        np.testing.assert_allclose(out, a_norm_projection(a, y, domain), atol=1e-9)


@pytest.mark.parametrize("domain", ["ball", "simplex"])
def test_matches_naive_reference(domain):
    gradients = np.random.default_rng(1).normal(size=(25, 3))
    spec = gradient_spec(domain, 3, gradient_bound=3.0)
    learner = ol.learners.ONS(alpha=0.2)
    gamma, epsilon = learner.parameters(spec)
    assert gamma == pytest.approx(0.5 * min(1 / (4 * 3.0 * spec.decision_set.diameter), 0.2))
    assert epsilon == pytest.approx(1 / (gamma * spec.decision_set.diameter) ** 2)
    np.testing.assert_allclose(
        play(learner, spec, gradients), ons_iterates(gradients, domain, gamma, epsilon), atol=1e-6
    )


HORIZON = 2000 if QUICK else 5000


@pytest.mark.parametrize("domain", ["ball", "simplex"])
@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
def test_regret_below_bound(domain, regime):
    """5 (1/alpha + G D) d ln T with alpha = 1 / G^2 (1-strongly convex quadratic losses)."""
    environment = QuadraticLosses(dimension=3, domain=domain, regime=regime, noise=0.5)
    spec = environment.reset(seed=0)
    g, d = spec.gradient_bound, spec.decision_set.diameter
    alpha = 1 / g**2
    bound = 5 * (1 / alpha + g * d) * 3 * np.log(HORIZON)
    static, pseudo = run_regret(ol.learners.ONS(alpha=alpha), environment, HORIZON, seed=6)
    assert static <= bound and pseudo <= bound


vectors = st.lists(st.floats(-1e2, 1e2), min_size=3, max_size=3)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["ball", "simplex", "box"]), st.lists(vectors, min_size=1, max_size=15))
def test_iterates_stay_in_the_decision_set(domain, gradients):
    spec = gradient_spec(domain, 3, gradient_bound=1.0)
    iterates = play(ol.learners.ONS(gamma=0.5, epsilon=0.1), spec, np.array(gradients))
    assert all(spec.decision_set.contains(x, tolerance=1e-9) for x in iterates)


@pytest.mark.parametrize("domain", ["ball", "simplex"])
def test_compiled_and_python_loops_are_bit_identical(domain):
    environment = QuadraticLosses(dimension=3, domain=domain, regime="adversarial")
    assert_bit_identical(ol.learners.ONS(alpha=0.1), environment)


def test_bad_input():
    with pytest.raises(
        ValueError,
        match=r"The 'gamma' parameter of ONS must be a float in the range "
        r"\(0, inf\) or None\. Got 0",
    ):
        ol.learners.ONS(gamma=0).reset(gradient_spec())
    with pytest.raises(ValueError, match="exp-concavity parameter 'alpha'"):
        ol.learners.ONS().reset(gradient_spec())
    with pytest.raises(ValueError, match="no decision set"):
        ol.learners.ONS(alpha=1.0).reset(EnvSpec(FeedbackKind.GRADIENT, gradient_bound=1.0))
