import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import AdversarialBandit, BernoulliBandit, LinearLosses, QuadraticLosses

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind
from onlinelearn.learners.regularizers import NegativeEntropy, Tsallis
from tests.conftest import QUICK
from tests.learners.oco_helpers import (
    assert_bit_identical,
    gradient,
    gradient_spec,
    mean_plus_3se,
    play,
    run_regret,
)
from tests.naive.hedge import hedge_actions
from tests.naive.oco import ftrl_iterates
from tests.naive.oco import project as naive_project
from tests.naive.optimistic import simplex_mirror_step


def test_entropic_first_rounds_by_hand():
    learner = ol.learners.FTRL(eta=np.log(2.0))
    learner.reset(gradient_spec("simplex", 2), np.random.default_rng(0))
    np.testing.assert_allclose(learner.act(), [0.5, 0.5])
    learner.update(gradient([1.0, 0.0]))  # G = (1, 0): weights (1/2, 1)
    np.testing.assert_allclose(learner.act(), [1 / 3, 2 / 3], rtol=1e-15)
    learner.update(gradient([0.0, 2.0]))  # G = (1, 2): weights (1/2, 1/4)
    np.testing.assert_allclose(learner.act(), [2 / 3, 1 / 3], rtol=1e-15)


def test_euclidean_first_rounds_by_hand():
    learner = ol.learners.FTRL(regularizer="euclidean", eta=0.25)
    learner.reset(gradient_spec("ball", 2), np.random.default_rng(0))
    np.testing.assert_array_equal(learner.act(), [0.0, 0.0])
    learner.update(gradient([2.0, 0.0]))  # -eta G = (-0.5, 0)
    np.testing.assert_allclose(learner.act(), [-0.5, 0.0])
    learner.update(gradient([1.0, 4.0]))  # -eta G = (-0.75, -1): norm 1.25 -> (-0.6, -0.8)
    np.testing.assert_allclose(learner.act(), [-0.6, -0.8], rtol=1e-15)
    # Lazy projection: the unprojected sum is kept, so a gradient back does not move x at once.
    learner.update(gradient([0.0, -2.0]))  # -eta G = (-0.75, -0.5): inside
    np.testing.assert_allclose(learner.act(), [-0.75, -0.5], rtol=1e-15)


def test_experts_sample_like_hedge():
    losses = np.random.default_rng(2).random((100, 3))
    learner = ol.learners.FTRL(eta=0.4)
    learner.reset(EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=3), np.random.default_rng(6))
    actions = []
    for row in losses:
        actions.append(learner.act())
        learner.update(Feedback(FeedbackKind.FULL_INFORMATION, row))
    assert all(isinstance(a, int | np.integer) for a in actions)
    np.testing.assert_array_equal(actions, hedge_actions(losses, 0.4, np.random.default_rng(6)))


@pytest.mark.parametrize(
    "regularizer, domain", [("entropic", "simplex"), ("euclidean", "ball"), ("euclidean", "simplex")]
)
def test_matches_naive_reference(regularizer, domain):
    gradients = np.random.default_rng(1).normal(size=(150, 4))
    spec = gradient_spec(domain, 4, horizon=150, gradient_bound=3.0)
    learner = ol.learners.FTRL(regularizer=regularizer)
    eta = learner.learning_rate(spec)
    expected = {
        "entropic": np.sqrt(2 * np.log(4) / 150) / 3.0,
        "euclidean": spec.decision_set.diameter / (3.0 * np.sqrt(150)),
    }[regularizer]
    assert eta == pytest.approx(expected)
    np.testing.assert_allclose(
        play(learner, spec, gradients), ftrl_iterates(gradients, domain, eta, regularizer), rtol=0, atol=1e-12
    )


@pytest.mark.parametrize(
    "regularizer, domain, step_size",
    [
        ("entropic", "simplex", "sqrt"),
        ("euclidean", "ball", "sqrt"),
        ("euclidean", "box", "adagrad"),
        ("entropic", "simplex", "adagrad"),
        ("euclidean", "ball", "strongly_convex"),
        ("tsallis", "simplex", "constant"),
        ("log_barrier", "simplex", "sqrt"),
    ],
)
def test_schedules_and_mirror_maps_match_naive_reference(regularizer, domain, step_size):
    """``x_t = argmin <G_{t-1}, x> + psi(x) / eta_t`` with the schedule's ``eta_t``."""
    gradients = np.random.default_rng(3).normal(size=(80, 4))
    spec = gradient_spec(domain, 4, horizon=80, gradient_bound=3.0)
    eta = 0.05 if regularizer == "log_barrier" else None
    learner = ol.learners.FTRL(regularizer=regularizer, eta=eta, step_size=step_size, lam=0.5)
    c = learner.learning_rate(spec)
    t = np.arange(1, 81)
    squared = np.sum(gradients**2, axis=1) if regularizer == "euclidean" else np.max(gradients**2, axis=1)
    previous = np.concatenate([[0.0], np.cumsum(squared)[:-1]])
    rates = {
        "constant": np.full(80, c),
        "sqrt": c / np.sqrt(t),
        "adagrad": c / np.sqrt(9.0 + previous),
        "strongly_convex": 1 / (0.5 * t),
    }[step_size]
    expected = []
    cumulative = np.zeros(4)
    for g, rate in zip(gradients, rates, strict=True):
        if regularizer == "euclidean":
            expected.append(project(domain, spec.decision_set.center() - rate * cumulative, -1.0, 2.0))
        else:
            expected.append(simplex_mirror_step(regularizer, 0.5, np.full(4, 0.25), cumulative, rate))
        cumulative = cumulative + g
    np.testing.assert_allclose(play(learner, spec, gradients), np.array(expected), rtol=0, atol=1e-10)


def test_regularizer_objects_and_default_rates():
    spec = gradient_spec("simplex", 4, horizon=100, gradient_bound=2.0)
    assert ol.learners.FTRL(Tsallis(0.5)).learning_rate(spec) == pytest.approx(
        np.sqrt(2 * 0.5 * 2.0 / 100) / 2
    )
    assert ol.learners.FTRL(step_size="sqrt").learning_rate(spec) == pytest.approx(np.sqrt(np.log(4)) / 2)
    assert ol.learners.FTRL(step_size="adagrad").learning_rate(spec) == pytest.approx(np.sqrt(np.log(4)))
    gradients = np.random.default_rng(0).normal(size=(20, 4))
    np.testing.assert_array_equal(
        play(ol.learners.FTRL(NegativeEntropy()), spec, gradients), play(ol.learners.FTRL(), spec, gradients)
    )


HORIZON = 2000 if QUICK else 5000


@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
@pytest.mark.parametrize("step_size", ["sqrt", "adagrad"])
def test_adaptive_schedules_regret_below_bound(regime, step_size):
    """Entropic FTRL on the simplex (R = ln d, alpha = 1, G = spec.gradient_bound): sqrt schedule
    2 G sqrt(T ln d), adagrad 2 sqrt(ln d) sqrt(G^2 + T G^2) (Orabona 2019, Chapter 7)."""
    environment = LinearLosses(dimension=6, domain="simplex", regime=regime, noise=0.3)
    spec = environment.reset(seed=0)
    g = spec.gradient_bound
    bound = {
        "sqrt": 2 * g * np.sqrt(HORIZON * np.log(6)),
        "adagrad": 2 * np.sqrt(np.log(6)) * g * np.sqrt(1 + HORIZON),
    }[step_size]
    static, pseudo = run_regret(ol.learners.FTRL(step_size=step_size), environment, HORIZON, seed=6)
    assert static <= bound and pseudo <= bound


@pytest.mark.parametrize("regime", ["stochastic", "adversarial"])
def test_entropic_regret_below_bound(regime):
    """ln d / eta + eta T G_inf^2 / 2 (Orabona, Cor. 7.9) with the default eta."""
    environment = LinearLosses(dimension=6, domain="simplex", regime=regime, noise=0.3)
    spec = environment.reset(seed=0).with_horizon(HORIZON)
    learner = ol.learners.FTRL()
    eta = learner.learning_rate(spec)
    bound = np.log(6) / eta + eta * HORIZON * environment.gradient_bound_inf**2 / 2
    static, pseudo = run_regret(learner, environment, HORIZON, seed=3)
    assert static <= bound and pseudo <= bound


@pytest.mark.parametrize(
    "environment",
    [
        LinearLosses(dimension=4, domain="ball", regime="stochastic"),
        LinearLosses(dimension=4, domain="ball", regime="adversarial"),
        QuadraticLosses(dimension=3, domain="simplex", regime="adversarial"),
    ],
)
def test_euclidean_regret_below_bound(environment):
    """D^2 / (2 eta) + eta G^2 T / 2 = G D sqrt(T) with eta = D / (G sqrt T)."""
    spec = environment.reset(seed=0)
    bound = spec.gradient_bound * spec.decision_set.diameter * np.sqrt(HORIZON)
    static, pseudo = run_regret(ol.learners.FTRL(regularizer="euclidean"), environment, HORIZON, seed=4)
    assert static <= bound and pseudo <= bound


def project(domain, y, low, high):
    """Projections of ``tests.naive.oco`` plus the box of ``gradient_spec`` (a clip)."""
    return np.clip(y, low, high) if domain == "box" else naive_project(domain, y)


def test_experts_regret_below_hedge_bound():
    horizon, n = HORIZON, 5
    bound = np.sqrt(horizon * np.log(n) / 2)
    table = np.random.default_rng(0).random((horizon, n))
    table[: horizon // 2, 0] *= 0.5
    for environment in [
        AdversarialBandit(table, feedback="full"),
        BernoulliBandit(means=np.linspace(0.3, 0.7, n), feedback="full"),
    ]:
        result = ol.run(
            ol.learners.FTRL(), environment, horizon, n_reps=20, seed=5, trackers=[ol.trackers.StaticRegret()]
        )
        assert mean_plus_3se(result, "regret") <= bound


vectors = st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(
        [("entropic", "simplex"), ("euclidean", "ball"), ("euclidean", "simplex"), ("euclidean", "box")]
    ),
    st.floats(1e-4, 1e2),
    st.lists(vectors, min_size=1, max_size=20),
)
def test_iterates_stay_in_the_decision_set(case, eta, gradients):
    regularizer, domain = case
    spec = gradient_spec(domain, 3)
    iterates = play(ol.learners.FTRL(regularizer=regularizer, eta=eta), spec, np.array(gradients))
    assert all(spec.decision_set.contains(x, tolerance=1e-9) for x in iterates)


@pytest.mark.parametrize(
    "learner, environment",
    [
        (ol.learners.FTRL(), LinearLosses(dimension=3, domain="simplex", regime="adversarial")),
        (ol.learners.FTRL(regularizer="euclidean"), QuadraticLosses(dimension=2)),
        (ol.learners.FTRL(), BernoulliBandit(means=[0.2, 0.6], feedback="full")),
    ],
)
def test_compiled_and_python_loops_are_bit_identical(learner, environment):
    assert_bit_identical(learner, environment)


def test_bad_input():
    with pytest.raises(
        ValueError,
        match=r"The 'eta' parameter of FTRL must be a float in the range "
        r"\(0, inf\) or None\. Got -1",
    ):
        ol.learners.FTRL(eta=-1).reset(gradient_spec("simplex", horizon=10))
    with pytest.raises(ValueError, match="The 'regularizer' parameter of FTRL must be one of"):
        ol.learners.FTRL(regularizer="l3").reset(gradient_spec("simplex", horizon=10))
    with pytest.raises(ValueError, match="The 'step_size' parameter of FTRL must be one of"):
        ol.learners.FTRL(step_size="doubling").reset(gradient_spec("simplex", horizon=10))
    with pytest.raises(ValueError, match="needs the parameter 'lam'"):
        ol.learners.FTRL(step_size="strongly_convex").reset(gradient_spec("simplex", horizon=10))
    with pytest.raises(ValueError, match="unbounded.*Set 'eta'"):
        ol.learners.FTRL(regularizer="log_barrier").reset(gradient_spec("simplex", horizon=10))
    with pytest.raises(ValueError, match="Tsallis needs a decision set among"):
        ol.learners.FTRL(regularizer="tsallis").reset(gradient_spec("ball", horizon=10))
    with pytest.raises(ValueError, match="need regularizer='entropic'"):
        ol.learners.FTRL(regularizer="tsallis").reset(
            EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=2, horizon=10)
        )
    with pytest.raises(ValueError, match="plays on the simplex"):
        ol.learners.FTRL().reset(gradient_spec("ball", horizon=10))
    with pytest.raises(ValueError, match="need regularizer='entropic'"):
        ol.learners.FTRL(regularizer="euclidean").reset(
            EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=2, horizon=10)
        )
    with pytest.raises(ValueError, match="no decision set"):
        ol.learners.FTRL().reset(EnvSpec(FeedbackKind.GRADIENT, horizon=10, gradient_bound=1.0))
    with pytest.raises(TypeError, match="accepts feedback of kind"):
        ol.learners.FTRL().reset(EnvSpec(FeedbackKind.BANDIT, n_actions=2, horizon=10))
