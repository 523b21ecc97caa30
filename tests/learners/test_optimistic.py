"""Optimistic OMD, optimistic FTRL, OFTL and optimistic Hedge: first rounds by hand, naive
references, invariants, compiled against Python loops, and the exp-concave double step.

The papers' bounds are in test_optimistic_bounds.py, parameters and bad input in
test_optimistic_parameters.py, user-written environments in test_optimistic_user_environments.py,
adaptation between the SEA regimes in test_optimistic_regimes.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments.sea import SEAQuadraticLosses

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind, ball
from onlinelearn.learners.optimistic_ftl import OFTL
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_hedge import OptimisticHedge
from onlinelearn.learners.optimistic_omd import OptimisticOMD
from onlinelearn.testing import check_learner
from onlinelearn.trackers.sea import SEARegret
from tests.learners.oco_helpers import G1, G2, first_iterates, gradient, gradient_spec, play
from tests.naive.optimistic import (
    oftl_iterates,
    optimistic_ftrl_iterates,
    optimistic_hedge_probabilities,
    optimistic_omd_exp_concave_iterates,
    optimistic_omd_iterates,
)


# -- first rounds by hand (unit disc, G = 1, D = 2; G1, G2 from oco_helpers) -------------------
def test_optimistic_omd_convex_smooth_first_rounds_by_hand():
    # delta = 0: eta_1 = 2 / sqrt(4) = 1, eta_2 = 2 / sqrt(4 + 0.25), eta_3 = 2 / sqrt(4 + 1.5).
    x1, x2, x3 = first_iterates(OptimisticOMD(), gradient_spec("ball", 2), [G1, G2])
    np.testing.assert_array_equal(x1, [0.0, 0.0])
    eta2, eta3 = 2 / np.sqrt(4.25), 2 / np.sqrt(5.5)
    np.testing.assert_allclose(x2, [-0.5 - 0.5 * eta2, 0.0], rtol=1e-15)  # x̂_2 = (-0.5, 0), M_2 = g_1
    x_hat3 = np.array([-0.5, -eta2]) / np.hypot(0.5, eta2)  # outside the disc: rescaled
    np.testing.assert_allclose(x3, (x_hat3 - [0.0, eta3]) / np.linalg.norm(x_hat3 - [0.0, eta3]), rtol=1e-14)


def test_optimistic_omd_delta_from_smoothness():
    learner = OptimisticOMD(smoothness=0.5)
    spec = gradient_spec("ball", 2)
    assert learner.parameters(spec)["delta"] == pytest.approx(10 * 4 * 0.25)  # 10 D^2 L^2
    x1, x2 = first_iterates(learner, spec, [G1])
    eta1, eta2 = 2 / np.sqrt(14), 2 / np.sqrt(14.25)
    np.testing.assert_allclose(x2, [-0.5 * eta1 - 0.5 * eta2, 0.0], rtol=1e-15)


def test_optimistic_omd_strongly_convex_first_rounds_by_hand():
    # lam = 2: eta_t = 1 / t.
    x1, x2, x3 = first_iterates(OptimisticOMD("strongly_convex", lam=2.0), gradient_spec("ball", 2), [G1, G2])
    np.testing.assert_allclose(x2, [-0.5 - 0.25, 0.0])  # x̂_2 = (-0.5, 0), then - g_1 / 2
    np.testing.assert_allclose(x3, [-0.5, -0.5 - 1 / 3])  # x̂_3 = (-0.5, -0.5), then - g_2 / 3


def test_optimistic_omd_exp_concave_first_rounds_by_hand():
    # d = 1, G = 1, D = 2, alpha = 1: beta = 1/16, H_1 = 1 + beta / 2 = 33/32, H_2 = H_1 + 1/128.
    spec = EnvSpec(FeedbackKind.GRADIENT, decision_set=ball(1), gradient_bound=1.0)
    x1, x2 = first_iterates(OptimisticOMD("exp_concave", alpha=1.0), spec, [[0.5]])
    assert x1[0] == 0.0
    np.testing.assert_allclose(x2, [-0.5 * 32 / 33 - 0.5 * 128 / 133], rtol=1e-13)
    # L = 1: delta = 10 D^2 L^2 = 40, H_1 = max(33/32, sqrt(40) / 2) = sqrt(10), H_2 = H_1 + 1/128.
    learner = OptimisticOMD("exp_concave", alpha=1.0, smoothness=1.0)
    assert learner.parameters(spec)["h1"] == pytest.approx(np.sqrt(10), rel=1e-15)
    x1, x2 = first_iterates(learner, spec, [[0.5]])
    np.testing.assert_allclose(x2, [-0.5 / np.sqrt(10) - 0.5 / (np.sqrt(10) + 1 / 128)], rtol=1e-13)
    # L = 0.3: sqrt(10) L = 0.949 < 33/32, the notes' H_1 again.
    assert OptimisticOMD("exp_concave", alpha=1.0, smoothness=0.3).parameters(spec)["h1"] == 33 / 32


def test_optimistic_omd_external_hint_moves_the_first_point():
    hints = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    x1, x2 = first_iterates(OptimisticOMD(hint=hints), gradient_spec("ball", 2, horizon=3), [G1])
    np.testing.assert_allclose(x1, [-1.0, 0.0])  # eta_1 M_1 = (1, 0)
    np.testing.assert_allclose(x2, [-0.5, 0.0])  # x̂_2 = Proj(-(1)(0.5, 0)); M_2 = 0


def test_optimistic_ftrl_first_rounds_by_hand():
    # nu = D G = 2, eta_1 = D^2 / nu = 2; eta_2 = 4 / (2 + 2 * 0.25) = 1.6; eta_3 = 4 / (2.5 + 1.6 * 1.25).
    x1, x2, x3 = first_iterates(OptimisticFTRL(), gradient_spec("ball", 2), [G1, G2])
    np.testing.assert_array_equal(x1, [0.0, 0.0])
    np.testing.assert_allclose(x2, [-0.8, 0.0], rtol=1e-15)  # theta_2 = g_1 + g_1
    np.testing.assert_allclose(x3, [-2 / 9, -8 / 9], rtol=1e-15)  # theta_3 = (0.5, 2), eta_3 = 8/9


def test_oftl_first_rounds_by_hand():
    x1, x2, x3 = first_iterates(OFTL(mu=1.0), gradient_spec("ball", 2), [G1, G2])
    np.testing.assert_array_equal(x1, [0.0, 0.0])
    np.testing.assert_allclose(x2, [-0.5, 0.0])  # (x_0 + x_1) / 2 - (g_1 + g_1) / 2
    np.testing.assert_allclose(x3, [-1 / 3, -2 / 3])  # (0 + 0 - 0.5, 0) / 3 - (0.5, 2) / 3


def test_optimistic_hedge_first_rounds_by_hand():
    learner = OptimisticHedge(eta=np.log(2.0))
    learner.reset(EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=2), np.random.default_rng(0))
    np.testing.assert_allclose(learner.probabilities, [0.5, 0.5])
    learner.act()
    learner.update(Feedback(FeedbackKind.FULL_INFORMATION, np.array([1.0, 0.0])))
    np.testing.assert_allclose(learner.probabilities, [0.2, 0.8], rtol=1e-15)  # scores L + m = (2, 0)
    learner.act()
    learner.update(Feedback(FeedbackKind.FULL_INFORMATION, np.array([0.0, 1.0])))
    np.testing.assert_allclose(learner.probabilities, [2 / 3, 1 / 3], rtol=1e-15)  # scores (1, 2)


# -- naive references ----------------------------------------------------------------------------
GRADIENTS = np.random.default_rng(4).normal(size=(60, 3))


@pytest.mark.parametrize("domain", ["ball", "simplex"])
@pytest.mark.parametrize("hint", ["last_gradient", "mean_gradient", "none", "external"])
@pytest.mark.parametrize("regime", ["convex_smooth", "strongly_convex"])
def test_optimistic_omd_matches_naive_reference(domain, hint, regime):
    spec = gradient_spec(domain, 3, horizon=60, gradient_bound=3.0)
    hint = GRADIENTS[::-1].copy() if hint == "external" else hint
    learner = OptimisticOMD(regime, hint=hint, smoothness=0.3, lam=0.8)
    diameter = spec.decision_set.diameter
    expected = optimistic_omd_iterates(
        GRADIENTS, domain, hint, regime, diameter, 3.0, delta=10 * diameter**2 * 0.09, lam=0.8
    )
    np.testing.assert_allclose(play(learner, spec, GRADIENTS), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("smoothness", [None, 2.0])
@pytest.mark.parametrize("domain", ["ball", "simplex"])
def test_optimistic_omd_exp_concave_matches_naive_reference(domain, smoothness):
    gradients = GRADIENTS[:15]
    spec = gradient_spec(domain, 3, horizon=15, gradient_bound=3.0)
    beta = 0.5 * min(1 / (4 * 3.0 * spec.decision_set.diameter), 0.05)
    h1 = None if smoothness is None else np.sqrt(10) * smoothness  # above 1 + 9 beta / 2 here
    expected = optimistic_omd_exp_concave_iterates(gradients, domain, "last_gradient", beta, 3.0, h1)
    actual = play(OptimisticOMD("exp_concave", alpha=0.05, smoothness=smoothness), spec, gradients)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-7)


@pytest.mark.parametrize("domain", ["ball", "simplex"])
@pytest.mark.parametrize("hint", ["last_gradient", "mean_gradient", "none"])
def test_optimistic_ftrl_and_oftl_match_naive_references(domain, hint):
    spec = gradient_spec(domain, 3, horizon=60, gradient_bound=3.0)
    diameter = spec.decision_set.diameter
    nu = 0.7 * diameter**2 + diameter * 3.0
    expected = optimistic_ftrl_iterates(GRADIENTS, domain, hint, diameter, nu)
    actual = play(OptimisticFTRL(hint=hint, smoothness=0.7), spec, GRADIENTS)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)
    expected = oftl_iterates(GRADIENTS, domain, hint, 0.6)
    np.testing.assert_allclose(play(OFTL(mu=0.6, hint=hint), spec, GRADIENTS), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("adaptive", [False, True])
def test_optimistic_hedge_matches_naive_reference(adaptive):
    losses = np.random.default_rng(5).random((80, 4))
    learner = OptimisticHedge(eta=None if adaptive else 0.3, adaptive=adaptive)
    learner.reset(EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=4, horizon=80), np.random.default_rng(0))
    actual = []
    for row in losses:
        actual.append(learner.probabilities)
        learner.act()
        learner.update(Feedback(FeedbackKind.FULL_INFORMATION, row))
    expected = optimistic_hedge_probabilities(losses, None if adaptive else 0.3, scale=1.0)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15)


# -- invariants, loops, checks, errors -----------------------------------------------------------
vectors = st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3)
LEARNERS = [
    lambda h: OptimisticOMD(hint=h),
    lambda h: OptimisticOMD("strongly_convex", hint=h, lam=0.5),
    lambda h: OptimisticFTRL(hint=h),
    lambda h: OFTL(mu=0.5, hint=h),
]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["ball", "simplex", "box"]),
    st.sampled_from(range(len(LEARNERS))),
    st.sampled_from(["last_gradient", "mean_gradient", "none"]),
    st.lists(vectors, min_size=1, max_size=20),
)
def test_iterates_stay_in_the_decision_set(domain, index, hint, gradients):
    spec = gradient_spec(domain, 3, horizon=20, gradient_bound=1.0)
    iterates = play(LEARNERS[index](hint), spec, np.array(gradients))
    assert all(spec.decision_set.contains(x, tolerance=1e-9) for x in iterates)


@settings(max_examples=20, deadline=None)
@given(st.lists(vectors, min_size=2, max_size=20))
def test_adaptive_step_sizes_do_not_increase(gradients):
    spec = gradient_spec("ball", 3, horizon=20, gradient_bound=1.0)
    rates = {OptimisticOMD(): [], OptimisticFTRL(): []}
    for learner, out in rates.items():
        learner.reset(spec)
        for g in gradients:
            learner.act()
            learner.update(gradient(g))
            state = learner.state_
            out.append(state.scalars[1] if isinstance(learner, OptimisticFTRL) else -state.scalars[1])
        assert np.all(np.diff(out) <= 1e-15 * np.maximum(1.0, np.abs(out[:-1])))


def test_python_and_compiled_loops_are_bit_identical():
    environment = SEAQuadraticLosses(dimension=3, regime="switches", period=5)
    kwargs = {"horizon": 150, "n_reps": 2, "seed": 3, "trackers": [SEARegret()], "progress": False}
    learners = [
        OptimisticOMD(smoothness=1.0),
        OptimisticOMD("exp_concave", alpha=0.1),
        OptimisticFTRL(hint="mean_gradient"),
        OFTL(),
    ]
    compiled = ol.run(learners, environment, **kwargs)
    python = ol.run(learners, environment, compiled=False, **kwargs)
    assert compiled.compiled.all() and not python.compiled.any()
    for name in compiled.metrics:
        np.testing.assert_array_equal(compiled.metrics[name], python.metrics[name])


@pytest.mark.parametrize(
    "learner",
    [
        *[OptimisticOMD(**p) for p in OptimisticOMD._test_params],
        *[OptimisticFTRL(**p) for p in OptimisticFTRL._test_params],
        *[OFTL(**p) for p in OFTL._test_params],
        *[OptimisticHedge(**p) for p in OptimisticHedge._test_params],
    ],
    ids=repr,
)
def test_common_checks(learner):
    check_learner(learner)


def test_exp_concave_double_step_is_stable_on_a_smooth_quadratic():
    """f_t(x) = L/2 (x - 1/2)^2 on [-1, 1], L = 4 (G = 6, alpha = L / G^2, beta = 1/96).  With
    H_1 = sqrt(10) L the linearised double step contracts by 0.78 a round (OptimisticOMD's
    docstring): the iterates reach the minimiser within 1e-3 from round 50 on.  Without L, H_1 =
    1 + beta G^2 / 2 = 1.19 (L / h = 3.4, beyond the stable 2/3): they still jump between the
    boundary and 1/2 after 100 rounds."""
    smoothness, minimiser = 4.0, 0.5
    spec = EnvSpec(FeedbackKind.GRADIENT, decision_set=ball(1), gradient_bound=1.5 * smoothness)
    errors = {}
    for known in [smoothness, None]:
        learner = OptimisticOMD("exp_concave", alpha=1 / (2.25 * smoothness), smoothness=known)
        learner.reset(spec, np.random.default_rng(0))
        points = []
        for _ in range(100):
            x = learner.act()[0]
            points.append(x)
            learner.update(gradient([smoothness * (x - minimiser)]))
        errors[known] = np.abs(np.array(points) - minimiser)
    assert OptimisticOMD("exp_concave", alpha=1.0, smoothness=smoothness).parameters(spec)["h1"] == (
        pytest.approx(np.sqrt(10) * smoothness)
    )
    assert np.all(errors[smoothness][50:] < 1e-3)
    assert np.all(errors[None][-10:] >= 0.4)


def test_the_family_module_gathers_the_same_classes():
    from onlinelearn.learners import optimistic

    for name in ("OptimisticOMD", "OptimisticFTRL", "OFTL", "OptimisticHedge"):
        assert getattr(optimistic, name) is getattr(ol.learners, name)
