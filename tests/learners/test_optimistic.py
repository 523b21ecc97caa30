"""Optimistic OMD, optimistic FTRL, OFTL and optimistic Hedge: first rounds by hand, naive
references, the papers' bounds in the SEA model, and adaptation between its regimes."""

from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import AdversarialBandit, BernoulliBandit
from onlinelearn.environments.sea import (
    ADVERSARIAL_VARIATION,
    STOCHASTIC_VARIANCE,
    SEALinearLosses,
    SEAQuadraticLosses,
    SEASpec,
)

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind, ball
from onlinelearn.core.oracle import OracleRecord, record_size
from onlinelearn.learners.ftrl import FTRL
from onlinelearn.learners.omd import OMD
from onlinelearn.learners.optimistic_ftl import OFTL
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_hedge import OptimisticHedge
from onlinelearn.learners.optimistic_omd import OptimisticOMD
from onlinelearn.testing import check_learner
from onlinelearn.trackers.sea import SEARegret
from tests.learners.oco_helpers import gradient, gradient_spec, mean_plus_3se, play
from tests.learners.sea_helpers import (
    HORIZON,
    REPS,
    SEA_INSTANCES,
    chen_theorem_1,
    chen_theorem_3,
    sachs_theorem_5,
    sachs_theorem_7,
    sea_constants,
    sea_run,
    upper_confidence,
)
from tests.naive.optimistic import (
    oftl_iterates,
    optimistic_ftrl_iterates,
    optimistic_hedge_probabilities,
    optimistic_omd_exp_concave_iterates,
    optimistic_omd_iterates,
)


def first_iterates(learner, spec, gradients):
    learner.reset(spec, np.random.default_rng(0))
    out = [learner.act()]
    for g in gradients:
        learner.update(gradient(g))
        out.append(learner.act())
    return out


# -- first rounds by hand (unit disc, G = 1, D = 2) --------------------------------------------
G1, G2 = [0.5, 0.0], [0.0, 1.0]


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


# -- bounds in the SEA model ----------------------------------------------------------------------
@pytest.mark.parametrize("family", [SEAQuadraticLosses, SEALinearLosses])
@pytest.mark.parametrize("instance", list(SEA_INSTANCES))
def test_convex_smooth_bounds(family, instance):
    """Mean pseudo-regret + 3 SE over 20 seeds <= the explicit bounds of Chen et al. Theorem 1
    (optimistic OMD, delta = 10 D^2 L^2) and Sachs et al. Theorem 5 (optimistic FTRL,
    nu = L D^2 + D G), with sigma^2_{1:T}, Sigma^2_{1:T} the exact statistics of the instance.
    The linear family has L = 0 (smoothness None: delta = 0, nu = D G)."""
    environment = family(dimension=4, **SEA_INSTANCES[instance])
    smoothness = environment.smoothness or None
    learners = [OptimisticOMD(smoothness=smoothness), OptimisticFTRL(smoothness=smoothness)]
    result = sea_run(learners, environment)
    constants = sea_constants(result, environment)
    nu = learners[1].regularization(environment.reset(seed=0))
    assert mean_plus_3se(result, "pseudo_regret") <= chen_theorem_1(constants)
    final = result.final("pseudo_regret")[1, 0]
    assert final.mean() + 3 * final.std(ddof=1) / np.sqrt(REPS) <= sachs_theorem_5(constants, nu)


@pytest.mark.parametrize(
    "instance",
    ["iid", "adversarial", "switches", "corrupted", "drift", "random_order", "random_order_single_pass"],
)
def test_strongly_convex_bounds(instance):
    """Chen et al. Theorem 3 (optimistic OMD, eta_t = 2 / (lam t)) and Sachs et al. Theorem 7
    (OFTL, conservative form (8 s^2 + 4 S^2)(1 + ln T) / mu + (4 D^2 L^2 / mu) ln(1 + 16 L / mu)
    + G D) on the quadratic family (L = lam = mu = 1); s^2, S^2 are the per-round maxima
    (the first-round variation term included, which only enlarges the bounds).  Random order:
    sigma_t^2 and the variation depend on the points drawn so far, and s^2, S^2 are the mean over
    repetitions of each run's maximum (no larger than a bound holding for every run, so the test
    is, if anything, stricter than the theorem)."""
    environment = SEAQuadraticLosses(dimension=4, **SEA_INSTANCES[instance])
    result = sea_run([OptimisticOMD("strongly_convex", lam=1.0), OFTL(mu=1.0)], environment)
    c = sea_constants(result, environment)
    upper = upper_confidence(result)
    assert upper[0] <= chen_theorem_3(c, lam=1.0) and upper[1] <= sachs_theorem_7(c, 1.0, HORIZON)


@pytest.mark.parametrize(
    "environment",
    [
        AdversarialBandit(np.random.default_rng(0).random((97, 5)).round(2), feedback="full"),
        BernoulliBandit(means=[0.2, 0.5, 0.6, 0.7], feedback="full"),
    ],
)
def test_optimistic_hedge_regret_below_bound(environment):
    """RVU with the default eta = sqrt(ln N / T) / (b - a): R_T <= 2 (b - a) sqrt(T ln N)
    (Syrgkanis et al. 2015, Prop. 7; the negative term dropped); adaptive: 3 sqrt(ln N (1 + T))."""
    n = environment.reset(seed=0).n_actions
    result = ol.run(
        [OptimisticHedge(), OptimisticHedge(adaptive=True)],
        environment,
        HORIZON,
        n_reps=REPS,
        seed=3,
        trackers=[ol.trackers.PseudoRegret()],
        progress=False,
    )
    finals = result.final("pseudo_regret")[:, 0]
    upper = finals.mean(axis=1) + 3 * finals.std(axis=1, ddof=1) / np.sqrt(REPS)
    assert upper[0] <= 2 * np.sqrt(HORIZON * np.log(n))
    assert upper[1] <= 3 * np.sqrt(np.log(n) * (1 + HORIZON))


@pytest.mark.parametrize("adaptive", [False, True])
def test_optimistic_hedge_rvu_bound_exactly(adaptive):
    """Expected regret sum_t <p_t, l_t> - min_i L_T,i computed exactly from p_t against
    ln N / eta + eta sum_t ||l_t - m_t||_inf^2 (fixed eta), resp. 3 sqrt(ln N (1 + V_T))."""
    rng = np.random.default_rng(8)
    slow = np.clip(0.5 + 0.3 * np.sin(np.arange(3000)[:, None] / 300 + np.arange(4)), 0, 1)
    for losses in [rng.random((3000, 4)), slow]:
        eta = None if adaptive else np.sqrt(np.log(4) / 3000)
        p = optimistic_hedge_probabilities(losses, eta, scale=1.0)
        regret = np.sum(p * losses) - losses.sum(axis=0).min()
        hints = np.vstack([np.zeros(4), losses[:-1]])
        variation = np.sum(np.max(np.abs(losses - hints), axis=1) ** 2)
        bound = 3 * np.sqrt(np.log(4) * (1 + variation)) if adaptive else np.log(4) / eta + eta * variation
        assert regret <= bound


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


def test_bad_input():
    spec = gradient_spec("ball", 2, horizon=10)
    with pytest.raises(ValueError, match="The 'hint' parameter of OptimisticOMD must have d=2 columns"):
        OptimisticOMD(hint=np.zeros((10, 3))).reset(spec)
    with pytest.raises(
        ValueError, match="The 'hint' parameter of OptimisticFTRL must have at least T=10 rows"
    ):
        OptimisticFTRL(hint=np.zeros((5, 2))).reset(spec)
    with pytest.raises((ValueError, TypeError), match="The 'hint' parameter of OFTL must be one of"):
        OFTL(hint="previous").reset(spec)
    with pytest.raises(
        ValueError, match=r"The 'lam' parameter of OptimisticOMD must be a float in the range \(0"
    ):
        OptimisticOMD("strongly_convex", lam=-1.0).reset(spec)
    with pytest.raises(ValueError, match="needs the parameter 'lam'"):
        OptimisticOMD("strongly_convex").reset(spec)
    with pytest.raises(ValueError, match="needs the parameter 'alpha'"):
        OptimisticOMD("exp_concave").reset(spec)
    with pytest.raises(ValueError, match="The 'smoothness' parameter of OptimisticFTRL must be"):
        OptimisticFTRL(smoothness=0.0).reset(spec)
    with pytest.raises(ValueError, match="The 'mu' parameter of OFTL must be"):
        OFTL(mu=0.0).reset(spec)
    with pytest.raises(ValueError, match="gradient_bound"):
        OptimisticOMD().reset(gradient_spec("ball", 2, gradient_bound=None))
    with pytest.raises(ValueError, match="positive diameter D"):
        OptimisticFTRL().reset(gradient_spec("simplex", 1))
    with pytest.raises(ValueError, match="no decision set"):
        OptimisticFTRL().reset(EnvSpec(FeedbackKind.GRADIENT, gradient_bound=1.0))
    for learner in [OptimisticOMD(), OptimisticFTRL(), OFTL()]:
        learner.reset(spec)
        learner.act()
        with pytest.raises(ValueError, match="non-finite 'feedback'"):
            learner.update(gradient([np.nan, 1.0]))


def test_missing_gradient_bound_names_each_learners_own_parameter():
    """Without a gradient bound in the spec the error names the learner's own way out and the
    spec's 'gradient_bound'; with that parameter set the learner runs.  The strongly convex regime
    (eta_t = 2 / (lam t)) does not use G and needs none."""
    spec = gradient_spec("ball", 2, horizon=10, gradient_bound=None)
    cases = [
        (OptimisticOMD(), OptimisticOMD(gradient_bound=1.0), "gradient_bound"),
        (
            OptimisticOMD("exp_concave", alpha=1.0),
            OptimisticOMD("exp_concave", alpha=1.0, gradient_bound=1.0),
            "gradient_bound",
        ),
        (OptimisticFTRL(), OptimisticFTRL(nu=2.0), "nu"),
    ]
    for failing, escaped, parameter in cases:
        name = type(failing).__name__
        with pytest.raises(
            ValueError,
            match=f"{name} needs the gradient bound G.*Set the '{parameter}' parameter of {name}, or give "
            "the environment's EnvSpec a 'gradient_bound'",
        ):
            failing.reset(spec)
        with_bound = first_iterates(escaped, spec, [G1, G2])
        from_spec = first_iterates(failing, gradient_spec("ball", 2, horizon=10), [G1, G2])
        np.testing.assert_array_equal(with_bound, from_spec)  # G = 1 and nu = D G = 2 either way
    strongly_convex = first_iterates(OptimisticOMD("strongly_convex", lam=2.0), spec, [G1, G2])
    np.testing.assert_allclose(strongly_convex[1:], [[-0.75, 0.0], [-0.5, -0.5 - 1 / 3]])  # as by hand
    with pytest.raises(ValueError, match=r"The 'gradient_bound' parameter of OptimisticOMD must be a float"):
        OptimisticOMD(gradient_bound=0.0).reset(spec)


def test_smoothness_and_strong_convexity_come_from_the_spec():
    """With ``smoothness=None`` OptimisticOMD takes L from the spec (delta = 10 D^2 L^2, Theorem 1)
    and OptimisticFTRL its default nu = L D^2 + D G; a learner parameter wins over the spec; with no
    L anywhere delta = 0 and nu = D G.  The strongly convex regime takes lam from the spec."""
    plain = gradient_spec("ball", 2, horizon=10)
    smooth = replace(plain, smoothness=0.5)
    assert OptimisticOMD().parameters(smooth)["delta"] == pytest.approx(10 * 4 * 0.25)
    assert OptimisticOMD(smoothness=2.0).parameters(smooth)["delta"] == pytest.approx(10 * 4 * 4.0)
    assert OptimisticOMD().parameters(plain)["delta"] == 0.0
    np.testing.assert_array_equal(
        first_iterates(OptimisticOMD(), smooth, [G1, G2]),
        first_iterates(OptimisticOMD(smoothness=0.5), plain, [G1, G2]),
    )
    assert OptimisticFTRL().regularization(smooth) == pytest.approx(0.5 * 4 + 2 * 1)
    assert OptimisticFTRL().regularization(plain) == pytest.approx(2.0)
    x1, x2, x3 = first_iterates(
        OptimisticOMD("strongly_convex"), replace(plain, strong_convexity=2.0), [G1, G2]
    )
    np.testing.assert_allclose([x2, x3], [[-0.75, 0.0], [-0.5, -0.5 - 1 / 3]])  # lam = 2 by hand
    quadratic = SEAQuadraticLosses(dimension=2).reset(seed=0)  # L = lam = 1, D = 2
    assert OptimisticOMD().parameters(quadratic)["delta"] == pytest.approx(40.0)
    assert OptimisticOMD("strongly_convex").parameters(quadratic)["lam"] == 1.0
    assert OptimisticOMD().parameters(SEALinearLosses(dimension=2).reset(seed=0))["delta"] == 0.0


@pytest.mark.parametrize("cls", [OptimisticOMD, OptimisticFTRL, OFTL])
def test_external_hints_that_run_out_raise_at_that_round(cls):
    """Without a horizon at reset the length of the hint sequence cannot be checked; the learner
    plays the rounds it has hints for and raises at the first one without (instead of M = 0)."""
    learner = cls(hint=np.ones((2, 2)))
    learner.reset(gradient_spec("ball", 2))
    for g in [G1, G2]:
        learner.act()
        learner.update(gradient(g))
    with pytest.raises(
        ValueError, match=f"The 'hint' parameter of {cls.__name__} has 2 rows.*round 3 has no hint"
    ):
        learner.act()


class PythonQuadratic:
    """A user-written Python environment: ``f_t(x) = 1/2 ||x - xi_t||^2`` with ``xi_t = mu +- 0.1``."""

    def reset(self, *, seed=None):
        self.rng = np.random.default_rng(seed)
        self.mu = np.array([0.3, -0.2])
        self.rounds = 0
        self.record = np.zeros(7)
        return EnvSpec(FeedbackKind.GRADIENT, decision_set=ball(2), loss_range=(0.0, 2.0), gradient_bound=1.5)

    def step(self, action):
        x = np.asarray(action, dtype=float)
        xi = self.mu + 0.1 * np.sign(self.rng.random(2) - 0.5)
        self.rounds += 1
        self.record[:] = 0.0
        self.record[0] = 0.5 * np.sum((x - xi) ** 2)
        self.record[1] = 0.5 * np.sum((x - self.mu) ** 2) + 0.01
        self.record[2] = 0.01  # min_X F_t (mu lies inside the disc)
        self.record[5] = 0.01 * self.rounds  # min_X sum_s F_s
        return Feedback(FeedbackKind.GRADIENT, np.concatenate([[self.record[0]], x - xi]))

    def oracle(self):
        return OracleRecord(self.record.copy())


def test_user_written_python_environment_works_with_every_learner():
    """Every OCO learner of the family runs on a user-written environment (Python loop) and pays
    below 5 after 200 rounds (the others below 1).  The exp-concave regime with the reference
    notes' H_1 = (1 + beta G^2 / 2) I, about I here (beta = 1/24), paid about 30: its optimistic
    double step is unstable on this L = 1 quadratic until H_t has grown (see OptimisticOMD); with
    L given, H_1 = sqrt(10) L I."""
    alpha, horizon = 1 / 1.5**2, 200  # 1/2 ||x - xi||^2 is 1/G^2-exp-concave
    learners = [
        OptimisticOMD(smoothness=1.0),
        OptimisticOMD("strongly_convex", lam=1.0),
        OptimisticFTRL(),
        OFTL(),
        OMD(),
        FTRL(regularizer="euclidean"),
        OptimisticOMD("exp_concave", alpha=alpha, smoothness=1.0),
    ]
    result = ol.run(learners, PythonQuadratic(), horizon, n_reps=2, seed=0, progress=False)
    assert not result.compiled.any()
    final = result.final("pseudo_regret")
    assert np.all(np.isfinite(final)) and np.all(final < 5.0)


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


class PythonSEAQuadratic(PythonQuadratic):
    """:class:`PythonQuadratic` with the two SEA record slots read by SEARegret (a spec whose record
    has them, as the built-in SEA environments use): ``sigma_t^2 = E ||xi_t - mu||^2 = 0.02`` and the
    variation term, ``sup_X ||grad F_1||^2 = (1 + ||mu||)^2`` in round 1 and 0 after."""

    def reset(self, *, seed=None):
        spec = super().reset(seed=seed)
        self.record = np.zeros(spec.record_size + 2)
        return SEASpec(**{field.name: getattr(spec, field.name) for field in fields(spec)})

    def step(self, action):
        feedback = super().step(action)
        self.record[STOCHASTIC_VARIANCE] = 0.02
        self.record[ADVERSARIAL_VARIATION] = (1 + np.linalg.norm(self.mu)) ** 2 if self.rounds == 1 else 0.0
        return feedback


def test_user_written_sea_environment_feeds_the_sea_tracker():
    """SEARegret on a user-written environment: the statistics it reports are the environment's,
    and its pseudo-regret is the generic PseudoRegret tracker's on the same realisations."""
    learners = [OptimisticOMD(smoothness=1.0), OptimisticFTRL(), OFTL(), OMD()]
    kwargs = {"n_reps": 2, "seed": 0, "progress": False}
    sea = ol.run(learners, PythonSEAQuadratic(), 200, trackers=[SEARegret()], **kwargs)
    generic = ol.run(learners, PythonSEAQuadratic(), 200, trackers=[ol.trackers.PseudoRegret()], **kwargs)
    assert not sea.compiled.any()
    np.testing.assert_allclose(sea.final("stochastic_variance"), 200 * 0.02)
    np.testing.assert_allclose(sea.final("adversarial_variation"), (1 + np.hypot(0.3, 0.2)) ** 2)
    np.testing.assert_allclose(sea.final("max_stochastic_variance"), 0.02)
    np.testing.assert_array_equal(sea.final("pseudo_regret"), generic.final("pseudo_regret"))


class PythonExperts:
    """A user-written experts environment: Bernoulli losses of means ``(0.3, 0.5, 0.6)``, full
    information; the oracle record carries the expected losses of the three experts."""

    means = np.array([0.3, 0.5, 0.6])

    def reset(self, *, seed=None):
        self.rng = np.random.default_rng(seed)
        self.rounds = 0
        self.cumulative = np.zeros(3)
        self.record = np.zeros(record_size(3))
        return EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=3)

    def step(self, action):
        losses = (self.rng.random(3) < self.means).astype(float)
        self.rounds += 1
        self.cumulative += losses
        self.record[:] = [
            losses[action],
            self.means[action],
            self.means.min(),
            losses.min(),
            self.cumulative.min(),
            self.rounds * self.means.min(),
            0.0,
            *self.means,
        ]
        return Feedback(FeedbackKind.FULL_INFORMATION, losses)

    def oracle(self):
        return OracleRecord(self.record.copy())


def test_user_written_experts_environment_works_with_optimistic_hedge():
    """Optimistic Hedge (fixed and adaptive rates) on a user-written experts environment: the
    Python loop runs, and the pseudo-regret of each run is below the RVU bounds of
    test_optimistic_hedge_regret_below_bound (2 sqrt(T ln N), 3 sqrt(ln N (1 + T)))."""
    horizon = 500
    result = ol.run(
        [OptimisticHedge(), OptimisticHedge(adaptive=True)],
        PythonExperts(),
        horizon,
        n_reps=4,
        seed=0,
        trackers=[ol.trackers.PseudoRegret()],
        progress=False,
    )
    assert not result.compiled.any()
    final = result.final("pseudo_regret")[:, 0]
    assert np.all(final[0] <= 2 * np.sqrt(horizon * np.log(3)))
    assert np.all(final[1] <= 3 * np.sqrt(np.log(3) * (1 + horizon)))
    assert np.all(final > 0)  # the sampled experts are not all the best one


def test_the_family_module_gathers_the_same_classes():
    from onlinelearn.learners import optimistic

    for name in ("OptimisticOMD", "OptimisticFTRL", "OFTL", "OptimisticHedge"):
        assert getattr(optimistic, name) is getattr(ol.learners, name)
