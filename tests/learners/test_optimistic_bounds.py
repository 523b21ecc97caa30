"""The papers' bounds for optimistic OMD, optimistic FTRL and OFTL in the SEA model (Chen et al.
Theorems 1 and 3, Sachs et al. Theorems 5 and 7, on every SEA regime) and the RVU bounds of
optimistic Hedge."""

import numpy as np
import pytest
from onlinelearn.environments import AdversarialBandit, BernoulliBandit
from onlinelearn.environments.sea import SEALinearLosses, SEAQuadraticLosses

import onlinelearn as ol
from onlinelearn.learners.optimistic_ftl import OFTL
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_hedge import OptimisticHedge
from onlinelearn.learners.optimistic_omd import OptimisticOMD
from tests.learners.oco_helpers import mean_plus_3se
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
from tests.naive.optimistic import optimistic_hedge_probabilities


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
