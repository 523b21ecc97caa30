import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import LinearLosses, QuadraticLosses

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind
from tests.conftest import QUICK
from tests.learners.oco_helpers import (
    assert_bit_identical,
    gradient,
    gradient_spec,
    play,
    run_regret,
)
from tests.naive.oco import ogd_iterates


def test_fixed_step_first_rounds_by_hand():
    learner = ol.learners.OGD(step_size="fixed", eta=0.5)
    learner.reset(gradient_spec("ball", 2), np.random.default_rng(0))
    np.testing.assert_array_equal(learner.act(), [0.0, 0.0])  # x_1: centre of the ball
    learner.update(gradient([1.0, 0.0]))
    np.testing.assert_allclose(learner.act(), [-0.5, 0.0])  # inside: no projection
    learner.update(gradient([3.0, 4.0]))
    # y = (-0.5 - 1.5, -2) = (-2, -2), outside: scaled to the unit sphere.
    np.testing.assert_allclose(learner.act(), [-np.sqrt(0.5), -np.sqrt(0.5)], rtol=1e-15)


def test_sqrt_and_strongly_convex_steps_by_hand():
    # sqrt: eta_t = (D / G) / sqrt(t) with D = 2 (unit ball), G = 4.
    learner = ol.learners.OGD()
    learner.reset(gradient_spec("ball", 2, gradient_bound=4.0), np.random.default_rng(0))
    learner.act()
    learner.update(gradient([0.0, 1.0]))
    np.testing.assert_allclose(learner.act(), [0.0, -0.5])
    learner.update(gradient([1.0, 0.0]))
    np.testing.assert_allclose(learner.act(), [-0.5 / np.sqrt(2), -0.5])
    # strongly convex: eta_t = 1 / (lam t), lam = 2, on the simplex.
    learner = ol.learners.OGD(step_size="strongly_convex", lam=2.0)
    learner.reset(gradient_spec("simplex", 2), np.random.default_rng(0))
    np.testing.assert_allclose(learner.act(), [0.5, 0.5])
    learner.update(gradient([0.4, 0.0]))  # y = (0.3, 0.5) -> shift by 0.1: (0.4, 0.6)
    np.testing.assert_allclose(learner.act(), [0.4, 0.6])
    learner.update(gradient([0.0, 4.0]))  # eta = 1/4: y = (0.4, -0.4) -> shift by 0.5: (0.9, 0.1)
    np.testing.assert_allclose(learner.act(), [0.9, 0.1])
    learner.update(gradient([0.0, 6.0]))  # eta = 1/6: y = (0.9, -0.9) -> (1, 0)
    np.testing.assert_allclose(learner.act(), [1.0, 0.0])


@pytest.mark.parametrize("domain", ["ball", "simplex"])
@pytest.mark.parametrize("step_size", ["fixed", "sqrt", "strongly_convex"])
def test_matches_naive_reference(domain, step_size):
    gradients = np.random.default_rng(1).normal(size=(150, 4))
    horizon = len(gradients)
    spec = gradient_spec(domain, 4, horizon=horizon, gradient_bound=3.0)
    learner = ol.learners.OGD(step_size=step_size, lam=0.7)
    diameter = spec.decision_set.diameter
    t = np.arange(1, horizon + 1)
    steps = {
        "fixed": np.full(horizon, diameter / (3.0 * np.sqrt(horizon))),
        "sqrt": diameter / 3.0 / np.sqrt(t),
        "strongly_convex": 1 / (0.7 * t),
    }[step_size]
    np.testing.assert_allclose(
        play(learner, spec, gradients), ogd_iterates(gradients, domain, steps), rtol=0, atol=1e-12
    )


HORIZON = 2000 if QUICK else 5000


@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
@pytest.mark.parametrize("step_size, factor", [("sqrt", 1.5), ("fixed", 1.0)])
def test_convex_regret_below_bound(regime, step_size, factor):
    """Hazan 2016, Thm 3.1: (3/2) G D sqrt(T); fixed tuned eta: G D sqrt(T)."""
    environment = LinearLosses(dimension=5, domain="ball", regime=regime, noise=0.5)
    spec = environment.reset(seed=0)
    bound = factor * spec.gradient_bound * spec.decision_set.diameter * np.sqrt(HORIZON)
    static, pseudo = run_regret(ol.learners.OGD(step_size=step_size), environment, HORIZON, seed=7)
    assert static <= bound and pseudo <= bound


@pytest.mark.parametrize("domain", ["ball", "simplex"])
@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
def test_strongly_convex_regret_below_bound(domain, regime):
    """Hazan 2016, Thm 3.3: G^2 / (2 lam) (1 + ln T) with lam = 1 for QuadraticLosses."""
    environment = QuadraticLosses(dimension=3, domain=domain, regime=regime, noise=0.5)
    spec = environment.reset(seed=0)
    bound = spec.gradient_bound**2 / 2 * (1 + np.log(HORIZON))
    learner = ol.learners.OGD(step_size="strongly_convex", lam=1.0)
    static, pseudo = run_regret(learner, environment, HORIZON, seed=8)
    assert static <= bound and pseudo <= bound


vectors = st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["ball", "simplex", "box"]),
    st.sampled_from(["fixed", "sqrt", "strongly_convex"]),
    st.lists(vectors, min_size=1, max_size=20),
)
def test_iterates_stay_in_the_decision_set(domain, step_size, gradients):
    spec = gradient_spec(domain, 3, horizon=20, gradient_bound=1.0)
    iterates = play(ol.learners.OGD(step_size=step_size, lam=0.1), spec, np.array(gradients))
    assert all(spec.decision_set.contains(x, tolerance=1e-9) for x in iterates)


@pytest.mark.parametrize(
    "environment",
    [LinearLosses(dimension=3, domain="simplex", regime="adversarial"), QuadraticLosses(dimension=2)],
)
def test_compiled_and_python_loops_are_bit_identical(environment):
    for learner in [ol.learners.OGD(), ol.learners.OGD(step_size="strongly_convex", lam=1.0)]:
        assert_bit_identical(learner, environment)


@pytest.mark.parametrize("eta", [0.0, -1.0])
def test_bad_eta(eta):
    with pytest.raises(
        ValueError,
        match=r"The 'eta' parameter of OGD must be a float in the range "
        r"\(0, inf\) or None\. Got",
    ):
        ol.learners.OGD(eta=eta).reset(gradient_spec(horizon=10))


def test_bad_configurations():
    with pytest.raises(ValueError, match="The 'step_size' parameter of OGD must be one of"):
        ol.learners.OGD(step_size="adagrad").reset(gradient_spec(horizon=10))
    with pytest.raises(ValueError, match="needs the strong convexity parameter 'lam'"):
        ol.learners.OGD(step_size="strongly_convex").reset(gradient_spec(horizon=10))
    with pytest.raises(ValueError, match="no decision set"):
        ol.learners.OGD().reset(EnvSpec(FeedbackKind.GRADIENT, horizon=10, gradient_bound=1.0))
    with pytest.raises(ValueError, match="gradient_bound"):
        ol.learners.OGD().reset(gradient_spec(horizon=10, gradient_bound=None))
    with pytest.raises(ValueError, match="'eta' from the horizon"):
        ol.learners.OGD(step_size="fixed").reset(gradient_spec())
    with pytest.raises(TypeError, match="accepts feedback of kind GRADIENT"):
        ol.learners.OGD().reset(EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=2, horizon=10))
