import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from onlinelearn.environments import AdversarialBandit, BernoulliBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind
from onlinelearn.learners.exp3 import exp3_act, exp3_update
from tests.conftest import QUICK
from tests.naive.exp3 import exp3_run


def bandit_spec(n_actions, horizon=None):
    return EnvSpec(FeedbackKind.BANDIT, n_actions=n_actions, horizon=horizon)


def feedback(loss):
    return Feedback(FeedbackKind.BANDIT, np.array([loss]))


# -- first rounds by hand ------------------------------------------------------------------------


def test_exp3_first_rounds_by_hand():
    learner = ol.learners.EXP3(eta=0.5)
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    u = np.random.default_rng(0).random(3)  # the learner's uniforms: 0.637, 0.270, 0.041
    # Round 1: L_hat = (0, 0) -> P = (1/2, 1/2); u = 0.637 >= 1/2 -> arm 1.
    assert learner.act() == 1
    np.testing.assert_allclose(learner.state_.probabilities, [0.5, 0.5], rtol=0, atol=1e-15)
    learner.update(feedback(1.0))  # L_hat_1 = 1 / (1/2) = 2
    np.testing.assert_allclose(learner.state_.cumulative_estimates, [0.0, 2.0])
    # Round 2: P ∝ (1, e^{-0.5 * 2}) = (1, e^-1) -> P_0 = 1 / (1 + e^-1) = 0.7311; u = 0.270 -> arm 0.
    p0 = 1.0 / (1.0 + math.exp(-1.0))
    assert u[1] < p0
    assert learner.act() == 0
    np.testing.assert_allclose(learner.state_.probabilities, [p0, 1.0 - p0], rtol=1e-14)
    learner.update(feedback(0.5))  # L_hat_0 = 0.5 / 0.7311 = 0.6839
    # Round 3: P ∝ (e^{-0.5 * 0.6839}, e^{-1}) -> P_0 = 0.6628; u = 0.041 -> arm 0.
    estimate = 0.5 / p0
    w = np.array([math.exp(-0.5 * estimate), math.exp(-1.0)])
    assert learner.act() == 0
    np.testing.assert_allclose(learner.state_.probabilities, w / w.sum(), rtol=1e-14)


def test_exp3ix_first_rounds_by_hand():
    learner = ol.learners.EXP3IX(eta=0.5, gamma=0.25)
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    # Round 1: P = (1/2, 1/2), u = 0.637 -> arm 1; estimate 1 / (1/2 + 1/4) = 4/3.
    assert learner.act() == 1
    learner.update(feedback(1.0))
    np.testing.assert_allclose(learner.state_.cumulative_estimates, [0.0, 4.0 / 3.0])
    # Round 2: P_0 = 1 / (1 + e^{-0.5 * 4/3}) = 1 / (1 + e^{-2/3}) = 0.6608; u = 0.270 -> arm 0.
    assert learner.act() == 0
    p0 = 1.0 / (1.0 + math.exp(-2.0 / 3.0))
    np.testing.assert_allclose(learner.state_.probabilities, [p0, 1 - p0], rtol=1e-14)
    learner.update(feedback(1.0))  # L_hat_0 = 1 / (0.6608 + 0.25) = 1.0979
    np.testing.assert_allclose(learner.state_.cumulative_estimates, [1.0 / (p0 + 0.25), 4.0 / 3.0])


def test_default_tunings():
    # EXP3: eta = sqrt(2 ln K / (T K)); K = 4, T = 1000 -> sqrt(2 ln 4 / 4000) = 0.026328.
    learner = ol.learners.EXP3()
    learner.reset(bandit_spec(4, horizon=1000))
    assert learner.state_.eta == pytest.approx(math.sqrt(2 * math.log(4) / 4000), rel=1e-15)
    assert learner.state_.eta == pytest.approx(0.0263276, rel=1e-5)
    # Anytime: eta_t = sqrt(ln K / K) / sqrt(t), no horizon needed.
    learner = ol.learners.EXP3(anytime=True)
    learner.reset(bandit_spec(4))
    assert learner.state_.eta == pytest.approx(math.sqrt(math.log(4) / 4))
    # EXP3-IX: eta = sqrt(2 ln(K + 1) / (T K)), gamma = eta / 2.
    learner = ol.learners.EXP3IX()
    learner.reset(bandit_spec(4, horizon=1000))
    assert learner.state_.eta == pytest.approx(math.sqrt(2 * math.log(5) / 4000), rel=1e-15)
    assert learner.state_.gamma == learner.state_.eta / 2


@pytest.mark.parametrize("kwargs", [{"eta": 0.3}, {"eta": 0.3, "gamma": 0.1}, {"eta": 2.0, "anytime": True}])
def test_matches_naive_reference_on_a_fixed_table(kwargs):
    rng = np.random.default_rng(3)
    losses = (rng.random((300, 4)) < np.array([0.2, 0.4, 0.6, 0.8])).astype(float)
    losses[::7] = rng.random((len(losses[::7]), 4))  # some fractional losses too
    learner = ol.learners.EXP3IX(**kwargs) if "gamma" in kwargs else ol.learners.EXP3(**kwargs)
    learner.reset(bandit_spec(4), np.random.default_rng(11))
    actions, probabilities = [], []
    for t in range(len(losses)):
        action = learner.act()
        actions.append(action)
        probabilities.append(learner.state_.probabilities.copy())
        learner.update(feedback(losses[t, action]))
    expected_actions, expected_probabilities = exp3_run(
        losses,
        kwargs["eta"],
        np.random.default_rng(11),
        gamma=kwargs.get("gamma", 0.0),
        anytime=kwargs.get("anytime", False),
    )
    np.testing.assert_array_equal(actions, expected_actions)
    np.testing.assert_allclose(probabilities, expected_probabilities, rtol=1e-12, atol=1e-300)


# -- regret bounds -------------------------------------------------------------------------------


def mean_plus_3_se(result, index=0):
    final = result.final()[index, 0]
    return final.mean() + 3 * final.std(ddof=1) / np.sqrt(len(final)), final.mean()


def adversarial_table(horizon, n_arms, seed):
    """A seeded random table: Bernoulli losses whose means switch once (best arm 0, then 1)."""
    rng = np.random.default_rng(seed)
    means = np.linspace(0.3, 0.7, n_arms)
    table = (rng.random((horizon, n_arms)) < means).astype(float)
    half = horizon // 2
    table[half:, [0, 1]] = (rng.random((horizon - half, 2)) < np.array([0.55, 0.2])).astype(float)
    return table


def exp3_bound(horizon, n_arms):
    """Lattimore & Szepesvári (2020), Theorem 11.2: E[R_T] <= sqrt(2 T K ln K)."""
    return math.sqrt(2 * horizon * n_arms * math.log(n_arms))


def exp3_anytime_bound(horizon, n_arms):
    """Bubeck & Cesa-Bianchi (2012), Theorem 3.1: eta_t = sqrt(ln K / (t K)) -> 2 sqrt(T K ln K)."""
    return 2 * math.sqrt(horizon * n_arms * math.log(n_arms))


def exp3ix_bound(horizon, n_arms):
    """Neu (2015); Lattimore & Szepesvári (2020), Theorem 12.1, integrated over delta.

    W.p. >= 1 - delta: R_T <= a + b ln(2 / delta) with a = 2 sqrt(2 T K ln(K + 1)) and
    b = sqrt(2 T K / ln(K + 1)) + 1, so P((R_T - a) / b > s) <= 2 e^-s and
    E[R_T] <= a + b * int_0^inf min(1, 2 e^-s) ds = a + (1 + ln 2) b.
    """
    log_k1 = math.log(n_arms + 1)
    a = 2 * math.sqrt(2 * horizon * n_arms * log_k1)
    b = math.sqrt(2 * horizon * n_arms / log_k1) + 1
    return a + (1 + math.log(2)) * b


CASES = [
    (ol.learners.EXP3(), exp3_bound),
    (ol.learners.EXP3(anytime=True), exp3_anytime_bound),
    (ol.learners.EXP3IX(), exp3ix_bound),
]


def test_pseudo_regret_below_bound_adversarial():
    """Oblivious adversary (seeded table, best arm switches at T/2): mean + 3 SE <= 1 x bound, with
    the bounds of L&S Theorem 11.2 (EXP3: sqrt(2 T K ln K)), Bubeck & Cesa-Bianchi Theorem 3.1
    (anytime EXP3: 2 sqrt(T K ln K)) and L&S Theorem 12.1 in expectation (EXP3-IX, see exp3ix_bound).

    EXP3's regret is heavy-tailed here (standard deviation ~220 for a mean ~250 at T = 1e4: some runs
    keep playing the first half's best arm; L&S Chapter 12), so 100 seeds keep 3 SE small.  The
    horizon is not shrunk in QUICK mode: the bound is tightest relative to the regret at small T.
    """
    horizon = 10_000
    n_arms = 5
    environment = AdversarialBandit(adversarial_table(horizon, n_arms, seed=7))
    result = ol.run([learner for learner, _ in CASES], environment, horizon=horizon, n_reps=100, seed=5)
    for index, (learner, bound) in enumerate(CASES):
        upper, mean = mean_plus_3_se(result, index)
        assert upper <= bound(horizon, n_arms), (learner, mean, upper, bound(horizon, n_arms))
        assert mean > 0.0  # the switch makes every fixed-arm-like behaviour pay something


def test_pseudo_regret_below_bound_stochastic():
    """Bernoulli bandit: the same bounds (constant 1) hold for the pseudo-regret, which is at most the
    expected regret against the best arm in hindsight of the realised table, an oblivious adversary."""
    horizon = 4_000 if QUICK else 10_000
    environment = BernoulliBandit(means=[0.5, 0.45, 0.4, 0.3, 0.2])
    result = ol.run([learner for learner, _ in CASES], environment, horizon=horizon, n_reps=20, seed=6)
    for index, (learner, bound) in enumerate(CASES):
        upper, mean = mean_plus_3_se(result, index)
        assert upper <= bound(horizon, 5), (learner, mean, upper, bound(horizon, 5))
        # And it learns: below the regret of uniform play, (mean gap) x T.
        assert mean < 0.75 * environment.gaps.mean() * horizon


def test_compiled_and_python_loops_agree():
    environment = BernoulliBandit(means=[0.5, 0.45, 0.4, 0.3, 0.2])
    learners = [ol.learners.EXP3(), ol.learners.EXP3IX()]
    compiled = ol.run(learners, environment, horizon=200, n_reps=2, seed=9)
    python = ol.run(learners, environment, horizon=200, n_reps=2, seed=9, compiled=False)
    np.testing.assert_array_equal(compiled.final(), python.final())


# -- invariants and numerical survival -----------------------------------------------------------


def check_simplex(p):
    assert np.all(np.isfinite(p))
    assert np.all(p >= 0.0)
    assert abs(p.sum() - 1.0) <= 1e-12


@settings(max_examples=40, deadline=None)
@given(
    losses=st.lists(
        st.lists(st.sampled_from([0.0, 1.0, 1e-300, 0.5]) | st.floats(0, 1), min_size=3, max_size=3),
        min_size=1,
        max_size=60,
    ),
    eta=st.floats(1e-6, 1e3),
    gamma=st.floats(0, 10),
    seed=st.integers(0, 2**32 - 1),
)
def test_probabilities_stay_on_the_simplex(losses, eta, gamma, seed):
    learner = ol.learners.EXP3IX(eta=eta, gamma=gamma)
    learner.reset(bandit_spec(3), np.random.default_rng(seed))
    for row in losses:
        action = learner.act()
        check_simplex(learner.state_.probabilities)
        learner.update(feedback(row[action]))
    assert np.all(np.isfinite(learner.state_.cumulative_estimates))


@njit
def drive(state, rng, losses, n_rounds):
    """Run the kernels for n_rounds on a cyclic table; return the worst simplex error and max p."""
    worst = 0.0
    for t in range(n_rounds):
        action = exp3_act(state, rng)
        p = state.probabilities
        total = 0.0
        for i in range(p.shape[0]):
            if not (p[i] >= 0.0):  # also catches NaN
                return np.inf
            total += p[i]
        worst = max(worst, abs(total - 1.0))
        feedback = np.array([losses[t % losses.shape[0], action]])
        exp3_update(state, action, feedback)
    return worst


@settings(max_examples=10, deadline=None)
@given(eta=st.floats(1e-3, 30.0), seed=st.integers(0, 2**32 - 1), table_seed=st.integers(0, 1000))
def test_many_rounds_with_huge_importance_weights_stay_finite(eta, seed, table_seed):
    # Large eta concentrates P on one arm; the others are drawn with P ~ 1e-6 or less, so their
    # estimates jump by 1e6 and more.  50k rounds must keep every P on the simplex.
    table = (np.random.default_rng(table_seed).random((97, 4)) < [0.1, 0.5, 0.6, 0.9]).astype(float)
    learner = ol.learners.EXP3(eta=eta)
    learner.reset(bandit_spec(4), np.random.default_rng(seed))
    worst = drive(learner.state_, learner.rng_, table, 50_000)
    assert worst <= 1e-12
    assert np.all(np.isfinite(learner.state_.cumulative_estimates))


@njit
def repeat_update(state, n_rounds):
    """``n_rounds`` updates of arm 1 with loss 1 drawn at probability 1e-6 (estimate 1e6 each)."""
    feedback = np.ones(1)
    for _ in range(n_rounds):
        state.probabilities[0] = 1.0 - 1e-6
        state.probabilities[1] = 1e-6
        exp3_update(state, 1, feedback)


def test_importance_weight_of_1e6_repeated():
    learner = ol.learners.EXP3(eta=0.1)
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    state = learner.state_
    repeat_update(state, 100_000)  # L_hat_1 = 1e5 x 1e6 = 1e11
    assert state.cumulative_estimates[1] == pytest.approx(1e11, rel=1e-9)
    learner.act()
    check_simplex(state.probabilities)
    assert state.probabilities[0] == 1.0


def test_log_space_survives_huge_cumulative_estimates():
    learner = ol.learners.EXP3(eta=1.0)
    learner.reset(bandit_spec(3), np.random.default_rng(0))
    # A huge common offset must cancel: (1e12, 1e12 + 1, 1e12 + 2) behaves like (0, 1, 2).
    learner.state_.cumulative_estimates[:] = [1e12, 1e12 + 1, 1e12 + 2]
    learner.act()
    w = np.exp(-np.array([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(learner.state_.probabilities, w / w.sum(), rtol=1e-12)
    # Huge gaps: the leader takes all the mass, nothing overflows or becomes NaN.
    learner.state_.cumulative_estimates[:] = [1e12, 0.0, 1e300]
    assert learner.act() == 1
    check_simplex(learner.state_.probabilities)
    assert learner.state_.probabilities[1] == 1.0


def test_estimate_overflow_is_capped():
    learner = ol.learners.EXP3(eta=1.0)
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    learner.state_.probabilities[:] = [1.0, 5e-324]  # a denormal: 1 / p overflows
    exp3_update(learner.state_, 1, np.array([1.0]))
    assert np.isfinite(learner.state_.cumulative_estimates[1])
    learner.act()
    check_simplex(learner.state_.probabilities)


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "learner, message",
    [
        (
            ol.learners.EXP3(eta=-1.0),
            "The 'eta' parameter of EXP3 must be a float in the range (0, inf) or None",
        ),
        (ol.learners.EXP3(eta=0.0), "The 'eta' parameter of EXP3 must be"),
        (ol.learners.EXP3(eta=float("nan")), "The 'eta' parameter of EXP3 must be"),
        (ol.learners.EXP3(anytime=2), "The 'anytime' parameter of EXP3 must be one of True, False"),
        (ol.learners.EXP3IX(eta=-0.1), "The 'eta' parameter of EXP3IX must be"),
        (
            ol.learners.EXP3IX(gamma=-0.1),
            "The 'gamma' parameter of EXP3IX must be a float in the range [0, inf) or None. "
            "Got -0.1 instead.",
        ),
    ],
)
def test_invalid_parameters_raise(learner, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        learner.reset(bandit_spec(3, horizon=10))


@pytest.mark.parametrize("learner", [ol.learners.EXP3(), ol.learners.EXP3IX()])
def test_fixed_horizon_tuning_needs_the_horizon(learner):
    with pytest.raises(ValueError, match="tunes 'eta' from the horizon T"):
        learner.reset(bandit_spec(3))
