"""How the optimistic learners adapt between the SEA regimes: small noise, corruptions, slow drift,
and the exp-concave regime of optimistic OMD (Chen et al., JMLR 2024, Theorem 5)."""

import numpy as np
import pytest
from onlinelearn.environments.sea import SEALinearLosses, SEAQuadraticLosses

import onlinelearn as ol
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_omd import OptimisticOMD
from tests.learners.oco_helpers import mean_plus_3se
from tests.learners.sea_helpers import (
    HORIZON,
    SEA_INSTANCES,
    chen_theorem_1,
    sachs_theorem_5,
    sea_constants,
    sea_run,
    upper_confidence,
)


# -- adaptation between regimes --------------------------------------------------------------------
def test_iid_small_sigma_far_below_ogd():
    """i.i.d. data with small sigma: optimistic OMD / FTRL pay O(D sigma sqrt T + DG), far below
    OGD with the minimax step eta = D / (G sqrt T), whose regret grows like sqrt T."""
    environment = SEALinearLosses(dimension=4, regime="iid", sigma=0.05)
    learners = [ol.learners.OGD(step_size="fixed"), OptimisticOMD(), OptimisticFTRL()]
    finals = sea_run(learners, environment, n_reps=10).final("pseudo_regret")[:, 0].mean(axis=1)
    assert finals[1] <= 0.5 * finals[0] and finals[2] <= 0.5 * finals[0]


def test_regret_grows_with_variation_not_horizon():
    """A fixed corruption budget (Sigma^2_{1:T} constant in T, sigma = 0): quadrupling T leaves the
    optimistic learners' regret nearly unchanged, while minimax OGD's grows like sqrt T."""
    learners = [ol.learners.OGD(step_size="fixed"), OptimisticOMD(), OptimisticFTRL()]
    finals = []
    for horizon in [HORIZON // 2, 2 * HORIZON]:
        environment = SEALinearLosses(dimension=4, regime="corrupted", sigma=0.0, period=40, budget=10)
        result = sea_run(learners, environment, horizon=horizon, n_reps=5)
        finals.append(result.final("pseudo_regret")[:, 0].mean(axis=1))
        assert result.final("adversarial_variation")[0, 0].mean() == pytest.approx(0.25 + 10 * 2 * 1.0)
    growth = finals[1] / finals[0]
    assert growth[0] >= 1.8
    assert growth[1] <= 1.3 and growth[2] <= 1.3


def final_regrets(result):
    """Mean final pseudo-regret per learner (first environment)."""
    return result.final("pseudo_regret")[:, 0].mean(axis=1)


def test_regret_increases_with_variation_at_fixed_horizon():
    """Fixed T, sigma = 0 (deterministic data, so two repetitions suffice), linear family with
    ||m||^2 = 1/4: b corruptions of the mean give exactly Sigma^2_{1:T} = 1/4 + 2 b (each changes the
    mean twice, by 2 m).  Optimistic OMD pays for each (its last-gradient hint is wrong twice): its
    regret increases with Sigma^2 and scales like sqrt(Sigma^2_{1:T}) (Chen et al. Theorem 1), within
    a factor 2 either way between b = 5 and b = 40, while minimax OGD's regret, dominated by its
    sqrt T term, moves by less than 30%.  Optimistic FTRL's lazy iterate ignores sparse corruptions
    (0.5 for every b here); over corruption periods P = T + 1, 20, 5, 2 its regret does not decrease
    and grows more than tenfold once the corruptions are dense."""
    learners = [ol.learners.OGD(step_size="fixed"), OptimisticOMD(), OptimisticFTRL()]
    budgets = [0, 5, 20, 40]
    regrets, variations = [], []
    for budget in budgets:
        environment = SEALinearLosses(dimension=4, regime="corrupted", sigma=0.0, period=20, budget=budget)
        result = sea_run(learners, environment, n_reps=2)
        regrets.append(final_regrets(result))
        variations.append(result.final("adversarial_variation")[0, 0].mean())
    regrets = np.array(regrets)
    np.testing.assert_allclose(variations, 0.25 + 2.0 * np.array(budgets), rtol=1e-12)
    assert np.all(np.diff(regrets[:, 1]) > 0)
    predicted = np.sqrt(variations[3] / variations[1])
    assert 0.5 * predicted <= regrets[3, 1] / regrets[1, 1] <= 2 * predicted
    assert regrets[:, 0].max() <= 1.3 * regrets[:, 0].min()

    periods = [HORIZON + 1, 20, 5, 2]
    environments = [SEALinearLosses(dimension=4, regime="corrupted", sigma=0.0, period=p) for p in periods]
    results = [sea_run(OptimisticFTRL(), environment, n_reps=2) for environment in environments]
    variations = [result.final("adversarial_variation")[0, 0].mean() for result in results]
    ftrl = np.array([final_regrets(result)[0] for result in results])
    assert np.all(np.diff(variations) > 0)
    assert np.all(np.diff(ftrl) >= -0.01) and ftrl[-1] >= 10 * ftrl[0]


def drift_for_variation(environment, variation: float, horizon: int) -> float:
    """The drift angle per round whose rotation adds ``variation`` to Sigma^2_{1:T} over ``horizon``
    rounds: each round adds ``(2 ||m_12|| sin(drift / 2))^2``."""
    in_plane = np.linalg.norm(environment.mean_vector[:2])
    return float(2 * np.arcsin(np.sqrt(variation / horizon) / (2 * in_plane)))


def test_slow_drift_regret_is_bounded_by_variation_not_horizon():
    """The drift regime (mean rotating by ``drift`` per round, sigma = 0, linear family, so the runs
    are deterministic).  (a) At fixed T, Sigma^2_{1:T} increases with the drift, and the optimistic
    learners' regret stays below the bounds of Chen et al. Theorem 1 and Sachs et al. Theorem 5
    (L = 0, sigma = 0), which grow with sqrt(Sigma^2_{1:T}) and not with T.  (b) At fixed total
    variation (Sigma^2_{1:T} = 1/4 + V, drift chosen per T) their regret does not grow when T is
    multiplied by 16, while minimax OGD's, on the V = 0 instance, grows like sqrt T.

    The regret does not *increase* with the drift: a mean that moves slowly can be tracked, and a
    learner that follows it beats the fixed comparator, so optimistic OMD's pseudo-regret becomes
    negative (about -150 at T = 2000, drift 0.01) and more so with larger T.  Its growth with
    Sigma^2 is shown on corruptions, which cannot be tracked
    (test_regret_increases_with_variation_at_fixed_horizon)."""
    learners = [OptimisticOMD(), OptimisticFTRL()]
    drifts = [0.0, 0.001, 0.01, 0.1]
    variations = []
    for drift in drifts:
        environment = SEALinearLosses(dimension=4, regime="drift", sigma=0.0, drift=drift)
        result = sea_run(learners, environment, n_reps=2)
        constants = sea_constants(result, environment)
        variations.append(constants["Sigma2"])
        upper = upper_confidence(result)
        nu = learners[1].regularization(environment.reset(seed=0))
        assert upper[0] <= chen_theorem_1(constants) and upper[1] <= sachs_theorem_5(constants, nu)
    assert np.all(np.diff(variations) > 0)

    ogd = ol.learners.OGD(step_size="fixed")
    for variation in [0.0, 1.0]:
        finals = []
        for horizon in [HORIZON // 2, 2 * HORIZON, 8 * HORIZON]:
            drift = drift_for_variation(SEALinearLosses(dimension=4), variation, horizon)
            environment = SEALinearLosses(dimension=4, regime="drift", sigma=0.0, drift=drift)
            result = sea_run([ogd, *learners], environment, horizon=horizon, n_reps=2)
            assert sea_constants(result, environment)["Sigma2"] == pytest.approx(0.25 + variation, rel=1e-3)
            finals.append(final_regrets(result))
        finals = np.array(finals)
        assert np.all(finals[1:, 1:] <= finals[0, 1:] + 0.05)
        if variation == 0.0:
            assert np.all(finals[1:, 0] / finals[:-1, 0] >= 1.8)


# -- the exp-concave regime (Chen et al. Theorem 5) ---------------------------------------------------
def exp_concave_setting(environment):
    """``(alpha, beta, G, D)``: the quadratic family is ``1 / G^2``-exp-concave on the ball, and
    optimistic OMD's ``beta = 1/2 min(1 / (4 G D), alpha)``."""
    spec = environment.reset(seed=0)
    gradient_bound, diameter = spec.gradient_bound, spec.decision_set.diameter
    alpha = 1 / gradient_bound**2
    return alpha, 0.5 * min(1 / (4 * gradient_bound * diameter), alpha), gradient_bound, diameter


def chen_theorem_5_conservative(c, dimension, beta, factor=2.0):
    """Chen et al. (JMLR 2024) Theorem 5 in the conservative form of the reference notes §3.4 / §8.

    The notes read the bound as ``(16 d / beta) ln(1 + c1 (sigma^2_{1:T} + Sigma^2_{1:T}) + c2 G^2)
    + (16 d / beta) ln(1 + c3 L^2) + D^2 (1 + beta G^2 / 2)``-type terms and mark c1, c2, c3 as
    garbled in extraction (unverified); for such O(.) statements §8 prescribes a documented factor
    C between 2 and 4.  Here c1 = c2 = c3 = 1 and C = ``factor`` = 2.  The paper's text could not be
    obtained to recover the constants (docs/design.md §6.1).  OptimisticOMD floors H_1 at
    sqrt(10) L I (ours); in the usual OMD analysis that adds at most (sqrt(10) L - 1) D^2 / 2 to the
    initial term, about 4 here, which the factor C covers many times over; the form is unchanged."""
    D, G, L = c["D"], c["G"], c["L"]
    logarithms = np.log(1 + c["sigma2"] + c["Sigma2"] + G**2) + np.log(1 + L**2)
    return factor * (16 * dimension / beta * logarithms + D**2 * (1 + beta * G**2 / 2))


@pytest.mark.parametrize("instance", ["iid", "adversarial", "corrupted", "switches", "random_order"])
def test_exp_concave_bound_theorem_5(instance):
    """Mean pseudo-regret + 3 SE over 20 seeds <= the conservative form of Chen et al. Theorem 5
    (constants unverified, see :func:`chen_theorem_5_conservative`), quadratic family in R^3
    (L = 1 from the spec, so H_1 = sqrt(10) I), alpha = 1 / G^2, T = 500.  The measured values,
    -21 to 58 (35 to 135 with the notes' H_1 = (1 + beta G^2 / 2) I), are far below the form even
    with C = 1 (5000 to 9000), so this test only catches gross failures; see
    test_exp_concave_regret_is_logarithmic and, in test_optimistic.py, the stability test."""
    environment = SEAQuadraticLosses(dimension=3, **SEA_INSTANCES[instance])
    alpha, beta, _, _ = exp_concave_setting(environment)
    result = sea_run(OptimisticOMD("exp_concave", alpha=alpha), environment, horizon=500)
    constants = sea_constants(result, environment)
    assert mean_plus_3se(result, "pseudo_regret") <= chen_theorem_5_conservative(constants, 3, beta)


def test_exp_concave_regret_grows_with_variation_not_horizon():
    """Theorem 5's regret is O((d / alpha) ln(sigma^2_{1:T} + Sigma^2_{1:T})), not O(d ln T) as for
    ONS-type bounds.  Noise-free i.i.d. data (sigma^2_{1:T} = 0, Sigma^2_{1:T} the first-round term
    only): multiplying T by 8 leaves the regret within 5%, although d ln T grows by 38%.  With the
    mean alternating every round (Sigma^2_{1:T} = T ||2 m||^2) it grows."""
    finals = {}
    for instance in ["iid", "adversarial"]:
        params = {**SEA_INSTANCES[instance], "sigma": 0.0}
        environment = SEAQuadraticLosses(dimension=3, **params)
        alpha, _, _, _ = exp_concave_setting(environment)
        learner = OptimisticOMD("exp_concave", alpha=alpha)
        finals[instance] = [
            final_regrets(sea_run(learner, environment, horizon=h, n_reps=2))[0] for h in [250, 2000]
        ]
    assert finals["iid"][1] <= 1.05 * finals["iid"][0]
    assert finals["adversarial"][1] >= 1.3 * finals["adversarial"][0]


def test_exp_concave_regret_is_logarithmic():
    """Chen et al. Theorem 5 gives O((d / alpha) ln(sigma^2_{1:T} + Sigma^2_{1:T})) with constants
    not re-verified here (reference notes §3.4), so the test uses the ONS-type form
    5 (1/alpha + G D) d ln T (Hazan 2016, Thm 4.5) as a documented stand-in, with alpha = 1 / G^2.
    It is not a bound proved for optimistic OMD, but at this size it is about 25 times smaller
    than the conservative Theorem 5 form of test_exp_concave_bound_theorem_5 (640 against 15800),
    hence kept as the sharper check that the regret is logarithmic (measured: 18; 87 with the
    notes' H_1)."""
    environment = SEAQuadraticLosses(dimension=3, regime="corrupted", sigma=0.3, period=10)
    spec = environment.reset(seed=0)
    alpha = 1 / spec.gradient_bound**2
    horizon = 500
    result = sea_run(OptimisticOMD("exp_concave", alpha=alpha), environment, horizon=horizon)
    bound = 5 * (1 / alpha + spec.gradient_bound * spec.decision_set.diameter) * 3 * np.log(horizon)
    assert mean_plus_3se(result, "pseudo_regret") <= bound
