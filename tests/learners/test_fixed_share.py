import math
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments.adversarial import BestArmSwitching
from onlinelearn.environments.volatile import VolatileBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind
from onlinelearn.learners.fixed_share import AdaNormalHedge, FixedShare, normal_potential_log_weight
from onlinelearn.learners.hedge import Hedge
from onlinelearn.testing import check_learner
from onlinelearn.trackers.adaptive import StronglyAdaptiveRegret
from onlinelearn.trackers.dynamic import DynamicRegret
from tests.conftest import QUICK
from tests.learners import expert_helpers
from tests.learners.expert_helpers import full
from tests.naive.adaptive import fixed_share_run

SWITCHING = BestArmSwitching(n_actions=3, n_rounds=60, period=10, feedback="full")

experts_spec = partial(expert_helpers.experts_spec, horizon=100)


@pytest.mark.parametrize("params", FixedShare._test_params)
def test_fixed_share_passes_the_common_checks(params):
    check_learner(FixedShare(**params), SWITCHING)


def test_fixed_share_bandit_variant_passes_the_common_checks():
    check_learner(FixedShare(), BestArmSwitching(n_actions=3, n_rounds=60, period=10))


@pytest.mark.parametrize("params", AdaNormalHedge._test_params)
def test_ada_normal_hedge_passes_the_common_checks(params):
    check_learner(AdaNormalHedge(**params), SWITCHING)


def test_fixed_share_first_rounds_by_hand():
    learner = FixedShare(eta=1.0, alpha=0.1)
    learner.reset(experts_spec(2), np.random.default_rng(0))
    u = np.random.default_rng(0).random(2)  # 0.637, 0.270
    assert learner.act() == 1  # w_1 = (1/2, 1/2), u = 0.637
    learner.update(full([0.0, 1.0]))
    # v = (1, e^-1) / (1 + e^-1);  w_2 = 0.9 v + 0.05.
    v = np.array([1.0, math.exp(-1.0)]) / (1 + math.exp(-1.0))
    w = 0.9 * v + 0.05
    assert learner.act() == int(u[1] >= w[0])
    np.testing.assert_allclose(learner.state_.probabilities, w, rtol=1e-14)


def test_default_tuning():
    """alpha = m / (T - 1); eta = sqrt(8 B / T), B = (m + 1) ln K + (T - 1) H(alpha)."""
    learner = FixedShare(n_switches=2)
    learner.reset(experts_spec(4, horizon=101))
    alpha = 2 / 100
    entropy = -alpha * math.log(alpha) - (1 - alpha) * math.log(1 - alpha)
    complexity = 3 * math.log(4) + 100 * entropy
    assert learner.state_.alpha == pytest.approx(alpha)
    assert learner.state_.eta == pytest.approx(math.sqrt(8 * complexity / 101))


def test_fixed_share_matches_naive_reference():
    losses = np.random.default_rng(2).random((200, 5))
    learner = FixedShare(eta=0.7, alpha=0.03)
    learner.reset(experts_spec(5, horizon=200), np.random.default_rng(3))
    actions, played = [], []
    for row in losses:
        actions.append(learner.act())
        played.append(learner.state_.probabilities.copy())
        learner.update(full(row))
    naive_actions, naive_played = fixed_share_run(losses, np.random.default_rng(3), 0.7, 0.03)
    np.testing.assert_allclose(played, naive_played, rtol=1e-12)
    np.testing.assert_array_equal(actions, naive_actions)


def test_normal_potential_weight():
    """w(R, C) = (Phi(R + 1, C + 1) - Phi(R - 1, C + 1)) / 2 with Phi(R, C) = exp([R]_+^2 / (3 C))."""
    for regret, absolute in [(0.0, 0.0), (2.5, 4.0), (0.3, 1.0), (10.0, 30.0)]:

        def phi(r, c=absolute + 1):
            return math.exp(max(r, 0.0) ** 2 / (3 * c))

        expected = 0.5 * (phi(regret + 1) - phi(regret - 1))
        assert math.exp(normal_potential_log_weight(regret, absolute)) == pytest.approx(expected, rel=1e-12)
    assert normal_potential_log_weight(-1.0, 3.0) == -math.inf


def test_bad_input():
    with pytest.raises(
        ValueError, match=r"'alpha' parameter of FixedShare must be a float in the range \[0, 1\)"
    ):
        FixedShare(alpha=1.0).reset(experts_spec(3))
    with pytest.raises(ValueError, match="'n_switches' parameter of FixedShare"):
        FixedShare(n_switches=-1).reset(experts_spec(3))
    with pytest.raises(TypeError, match="AdaNormalHedge's base learner Hedge.*BANDIT"):
        AdaNormalHedge(base=Hedge()).reset(EnvSpec(FeedbackKind.BANDIT, n_actions=3, horizon=10))


# -- bounds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environment",
    [
        BestArmSwitching(n_actions=6, n_rounds=3000, period=500, gap=0.6, feedback="full"),
        VolatileBandit(n_actions=6, period=500, feedback="full"),
    ],
    ids=["adversarial", "stochastic"],
)
def test_fixed_share_bounds(environment):
    """T = 3000, best expert switching every 500 rounds (m = 5 switches), default tuning for m = 5.

    * Interval regret on every window I (the fixed-share argument: weights >= alpha / K at the start
      of I): R_I <= (ln(K / alpha) + |I| ln(1 / (1 - alpha))) / eta + eta |I| / 8.
    * Regret against the switching comparator (Cesa-Bianchi & Lugosi Corollary 5.1): the dynamic
      regret against the per-round best expert, which switches m = 5 times, is <= sqrt(T B / 2).
    mean + 3 SE <= bound, constant 1.  AdaNormalHedge and Hedge run alongside for contrast: both
    strongly adaptive baselines beat Hedge on long windows.
    """
    horizon, lengths = 3000, (100, 500)
    n_reps = 10 if QUICK else 30
    learner = FixedShare(n_switches=5)
    trackers = [StronglyAdaptiveRegret(lengths), DynamicRegret()]
    learners = [learner, AdaNormalHedge(), Hedge()]
    result = ol.run(learners, environment, horizon, n_reps, seed=4, trackers=trackers, progress=False)
    spec = environment.reset(seed=0).with_horizon(horizon)
    for length in lengths:
        finals = result.final(f"sa_regret_{length}")[0, 0]
        upper = finals.mean() + 3 * finals.std(ddof=1) / math.sqrt(n_reps)
        assert upper <= learner.interval_bound(spec, length), (length, upper)
    dynamic = result.final("dynamic_regret")[0, 0]
    bound = math.sqrt(horizon * learner.switching_complexity(spec) / 2)
    assert dynamic.mean() + 3 * dynamic.std(ddof=1) / math.sqrt(n_reps) <= bound
    worst = result.final("sa_regret_500")[:, 0].mean(axis=1)
    assert worst[0] < 0.5 * worst[2] and worst[1] < 0.5 * worst[2], worst


# -- invariants ----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.floats(0, 1), min_size=4, max_size=4), min_size=1, max_size=60),
    st.floats(1e-3, 1e3),
    st.floats(0.0, 0.9),
)
def test_fixed_share_weights_stay_on_the_simplex_and_above_the_share(rows, eta, alpha):
    learner = FixedShare(eta=eta, alpha=alpha)
    learner.reset(experts_spec(4), np.random.default_rng(0))
    for row in rows:
        assert 0 <= learner.act() < 4
        p = learner.state_.probabilities
        assert np.all(np.isfinite(p)) and abs(p.sum() - 1) <= 1e-12
        assert np.all(p >= alpha / 4 * (1 - 1e-12))
        learner.update(full(row))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=1, max_size=40))
def test_ada_normal_hedge_stays_on_the_simplex(rows):
    learner = AdaNormalHedge(schedule="streaming")
    learner.reset(experts_spec(3, horizon=40), np.random.default_rng(0))
    for row in rows:
        assert 0 <= learner.act() < 3
        state = learner.state_
        assert np.all(state.probabilities >= 0) and abs(state.probabilities.sum() - 1) <= 1e-12
        assert abs(state.meta_probabilities.sum() - 1) <= 1e-12
        learner.update(full(row))
