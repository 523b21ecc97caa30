import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import AdversarialBandit, BernoulliBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind
from onlinelearn.learners.tsallis_inf import tsallis_weights
from tests.conftest import QUICK
from tests.naive.tsallis_inf import tsallis_probabilities, tsallis_run


def bandit_spec(n_actions, horizon=None):
    return EnvSpec(FeedbackKind.BANDIT, n_actions=n_actions, horizon=horizon)


def feedback(loss):
    return Feedback(FeedbackKind.BANDIT, np.array([loss]))


def check_simplex(p):
    assert np.all(np.isfinite(p))
    assert np.all(p >= 0.0)
    assert abs(p.sum() - 1.0) <= 1e-12


# -- first rounds by hand ------------------------------------------------------------------------


def test_iw_first_rounds_by_hand():
    learner = ol.learners.TsallisINF()
    learner.reset(bandit_spec(2), np.random.default_rng(0))  # uniforms 0.637, 0.270, 0.041
    # Round 1: eta = 2, L_hat = 0: w_i = 4 / (4 x^2) = 1/x^2, sum 1 -> x = -sqrt(2), w = (1/2, 1/2).
    assert learner.act() == 1  # u = 0.637 >= 1/2
    np.testing.assert_allclose(learner.state_.probabilities, [0.5, 0.5], rtol=1e-15)
    assert learner.state_.scalars[1] == pytest.approx(-math.sqrt(2), rel=1e-13)
    learner.update(feedback(0.0))  # estimate 0: L_hat stays 0
    # Round 2: eta = 2 / sqrt(2), L_hat = 0 -> w = (1/2, 1/2) again, x = -2.
    assert learner.act() == 0  # u = 0.270 < 1/2
    assert learner.state_.scalars[1] == pytest.approx(-2.0, rel=1e-13)
    learner.update(feedback(1.0))  # L_hat_0 = 1 / (1/2) = 2
    # Round 3: eta = 2 / sqrt(3): w_i = 3 / (L_i - x)^2.  With y = -x > 0:
    # 3 / (2 + y)^2 + 3 / y^2 = 1; u = y (2 + y) solves u^2 = 6u + 12 -> u = 3 + sqrt(21),
    # y = sqrt(1 + u) - 1 = sqrt(4 + sqrt(21)) - 1 = 1.92962; w = (0.19425, 0.80575).
    y = math.sqrt(4 + math.sqrt(21)) - 1
    expected = [3 / (2 + y) ** 2, 3 / y**2]
    assert sum(expected) == pytest.approx(1.0, abs=1e-14)
    assert learner.act() == 0  # u = 0.041 < 0.194
    np.testing.assert_allclose(learner.state_.probabilities, expected, rtol=1e-12)
    assert learner.state_.scalars[1] == pytest.approx(-y, rel=1e-12)


def test_rv_first_rounds_by_hand():
    learner = ol.learners.TsallisINF(estimator="rv")
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    # Round 1: eta = 4, w = (1/2, 1/2); B = 1/2 * 1[w >= eta^2 = 16] = 0, so RV = IW here.
    assert learner.act() == 1
    learner.update(feedback(1.0))  # L_hat_1 = 1 / (1/2) = 2
    np.testing.assert_allclose(learner.state_.cumulative_estimates, [0.0, 2.0])
    # Round 2: eta = 4 / sqrt(2), eta^2 = 8: w_i = 1 / (2 (L_i - x)^2).  With y = -x:
    # 1 / (2 y^2) + 1 / (2 (2 + y)^2) = 1 -> u = y (2 + y) solves u^2 = u + 2 -> u = 2,
    # y = sqrt(3) - 1; w = ((2 + sqrt 3) / 4, (2 - sqrt 3) / 4) = (0.93301, 0.06699).
    assert learner.act() == 0  # u = 0.270 < 0.933
    s3 = math.sqrt(3)
    np.testing.assert_allclose(learner.state_.probabilities, [(2 + s3) / 4, (2 - s3) / 4], rtol=1e-12)
    assert learner.state_.scalars[2] == pytest.approx(4 / math.sqrt(2))


def test_rv_baseline_by_hand():
    learner = ol.learners.TsallisINF(estimator="rv")
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    learner.act()
    state = learner.state_
    # Pretend this round had w = (0.9, 0.1) and eta = 0.5: eta^2 = 0.25, so B = (1/2, 0).
    state.probabilities[:] = [0.9, 0.1]
    state.scalars[2] = 0.5
    learner.last_action_ = 0
    learner.update(feedback(1.0))
    # Arm 0 played: l_hat_0 = (1 - 1/2) / 0.9 + 1/2 = 1.05556; arm 1: B = 0 -> 0.
    np.testing.assert_allclose(state.cumulative_estimates, [0.5 / 0.9 + 0.5, 0.0], rtol=1e-15)
    state.cumulative_estimates[:] = 0.0
    learner.last_action_ = 1
    learner.update(feedback(1.0))
    # Arm 1 played: l_hat_1 = (1 - 0) / 0.1 = 10; arm 0 unplayed but w_0 >= eta^2: l_hat_0 = B = 1/2.
    np.testing.assert_allclose(state.cumulative_estimates, [0.5, 10.0], rtol=1e-15)


@pytest.mark.parametrize("estimator", ["iw", "rv"])
def test_matches_naive_reference_on_a_fixed_table(estimator):
    rng = np.random.default_rng(3)
    losses = (rng.random((300, 4)) < np.array([0.2, 0.4, 0.6, 0.8])).astype(float)
    losses[::5] = rng.random((len(losses[::5]), 4))
    learner = ol.learners.TsallisINF(estimator=estimator)
    learner.reset(bandit_spec(4), np.random.default_rng(11))
    actions, probabilities = [], []
    for t in range(len(losses)):
        action = learner.act()
        actions.append(action)
        probabilities.append(learner.state_.probabilities.copy())
        learner.update(feedback(losses[t, action]))
    expected_actions, expected_probabilities = tsallis_run(losses, np.random.default_rng(11), estimator)
    np.testing.assert_array_equal(actions, expected_actions)
    np.testing.assert_allclose(probabilities, expected_probabilities, rtol=1e-10)


# -- regret bounds -------------------------------------------------------------------------------


def adversarial_bound(estimator, horizon, n_arms):
    """Zimmert & Seldin (JMLR 2021), Theorem 1, any oblivious adversary:
    IW: 4 sqrt(K T) + 1;  RV: 2 sqrt(K T) + 10 K ln T + 16."""
    if estimator == "iw":
        return 4 * math.sqrt(n_arms * horizon) + 1
    return 2 * math.sqrt(n_arms * horizon) + 10 * n_arms * math.log(horizon) + 16


def stochastic_bound(estimator, horizon, gaps):
    """Zimmert & Seldin (JMLR 2021), Theorem 1, self-bounding regime with C = 0 (unique best arm):
    IW: sum_{i != i*} (4 ln T + 12) / Delta_i + 4 ln T + 1 / Delta_min + (3/2) sqrt(K) + 8;
    RV: sum_{i != i*} (ln T + 3) / Delta_i + 28 K ln T + 1 / Delta_min + (3/2) sqrt(K) + 32."""
    gaps = np.asarray(gaps)
    positive = gaps[gaps > 0]
    n_arms, log_t = len(gaps), math.log(horizon)
    tail = 1 / positive.min() + 1.5 * math.sqrt(n_arms)
    if estimator == "iw":
        return np.sum((4 * log_t + 12) / positive) + 4 * log_t + tail + 8
    return np.sum((log_t + 3) / positive) + 28 * n_arms * log_t + tail + 32


def final_stats(result, index):
    final = result.final()[index, 0]
    return final.mean(), final.mean() + 3 * final.std(ddof=1) / np.sqrt(len(final))


LEARNERS = [ol.learners.TsallisINF(), ol.learners.TsallisINF(estimator="rv")]


def test_pseudo_regret_below_adversarial_bound():
    """Seeded random table whose best arm switches at T/2 (an oblivious adversary): mean + 3 SE <= 1 x
    the Theorem 1 bound."""
    horizon = 4_000 if QUICK else 10_000
    n_arms = 5
    rng = np.random.default_rng(7)
    table = (rng.random((horizon, n_arms)) < np.linspace(0.3, 0.7, n_arms)).astype(float)
    table[horizon // 2 :, [0, 1]] = (rng.random((horizon - horizon // 2, 2)) < [0.55, 0.2]).astype(float)
    result = ol.run(LEARNERS, AdversarialBandit(table), horizon=horizon, n_reps=20, seed=5)
    for index, learner in enumerate(LEARNERS):
        mean, upper = final_stats(result, index)
        bound = adversarial_bound(learner.estimator, horizon, n_arms)
        assert upper <= bound, (learner, mean, upper, bound)


def test_pseudo_regret_below_stochastic_bound():
    """Bernoulli bandit with a unique best arm: mean + 3 SE <= 1 x the logarithmic Theorem 1 bound,
    and well below the adversarial one (the best-of-both-worlds property)."""
    horizon = 5_000 if QUICK else 20_000
    environment = BernoulliBandit(means=[0.7, 0.5, 0.5, 0.4, 0.3])
    result = ol.run(LEARNERS, environment, horizon=horizon, n_reps=20, seed=6)
    for index, learner in enumerate(LEARNERS):
        mean, upper = final_stats(result, index)
        bound = stochastic_bound(learner.estimator, horizon, environment.gaps)
        assert upper <= bound, (learner, mean, upper, bound)
        assert mean < 0.5 * adversarial_bound(learner.estimator, horizon, 5)


def test_compiled_and_python_loops_agree():
    environment = BernoulliBandit(means=[0.7, 0.5, 0.5, 0.4, 0.3])
    compiled = ol.run(LEARNERS, environment, horizon=200, n_reps=2, seed=9)
    python = ol.run(LEARNERS, environment, horizon=200, n_reps=2, seed=9, compiled=False)
    np.testing.assert_array_equal(compiled.final(), python.final())


# -- the normaliser, invariants, survival -------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    estimates=st.lists(st.floats(-1e6, 1e6) | st.sampled_from([0.0, 1e-300, 1e5]), min_size=2, max_size=12),
    eta=st.floats(1e-4, 10.0),
    warm_start=st.floats(-1e7, 1e7) | st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)
def test_newton_matches_bisection_from_any_warm_start(estimates, eta, warm_start):
    estimates = np.array(estimates)
    out = np.zeros(len(estimates))
    x = tsallis_weights(estimates, eta, warm_start, out)
    check_simplex(out)
    assert x < estimates.min()
    np.testing.assert_allclose(out, tsallis_probabilities(estimates, eta), rtol=1e-9, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    losses=st.lists(
        st.lists(st.sampled_from([0.0, 1.0, 1e-300]) | st.floats(0, 1), min_size=3, max_size=3),
        min_size=1,
        max_size=80,
    ),
    estimator=st.sampled_from(["iw", "rv"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_probabilities_stay_on_the_simplex(losses, estimator, seed):
    learner = ol.learners.TsallisINF(estimator=estimator)
    learner.reset(bandit_spec(3), np.random.default_rng(seed))
    previous_eta = np.inf
    for row in losses:
        action = learner.act()
        state = learner.state_
        check_simplex(state.probabilities)
        # The FTRL form holds: w_i = 4 (eta (L_i - x))^-2 sums to 1 before renormalisation.
        eta, x = state.scalars[2], state.scalars[1]
        raw = 4.0 / (eta * (state.cumulative_estimates - x)) ** 2
        assert raw.sum() == pytest.approx(1.0, abs=1e-9)
        assert eta <= previous_eta  # non-increasing learning rate
        previous_eta = eta
        learner.update(feedback(row[action]))
    assert np.all(np.isfinite(learner.state_.cumulative_estimates))


def test_log_space_survives_huge_cumulative_estimates():
    learner = ol.learners.TsallisINF()
    learner.reset(bandit_spec(3), np.random.default_rng(0))
    for _ in range(99):  # move to round 100: eta = 0.2
        learner.act()
        learner.update(feedback(0.0))
    reference = tsallis_probabilities(np.array([0.0, 1.0, 5.0]), 0.2)
    learner.state_.cumulative_estimates[:] = [1e12, 1e12 + 1, 1e12 + 5]
    learner.act()
    np.testing.assert_allclose(learner.state_.probabilities, reference, rtol=1e-9)
    learner.state_.cumulative_estimates[:] = [1e12, 0.0, 1e300]
    assert learner.act() == 1
    check_simplex(learner.state_.probabilities)


def test_invalid_estimator_raises():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'estimator' parameter of TsallisINF must be one of 'iw', 'rv'. Got 'x' instead."
        ),
    ):
        ol.learners.TsallisINF(estimator="x").reset(bandit_spec(3))
