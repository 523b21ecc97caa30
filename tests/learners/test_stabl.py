import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments.volatile import VolatileBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind
from onlinelearn.learners.stabl import EXP3TwoQueries, StABL
from onlinelearn.testing import check_learner
from onlinelearn.trackers.adaptive import PostSwitchRegret, StronglyAdaptiveRegret
from tests.naive.adaptive import stabl_run

MULTI = VolatileBandit(n_actions=3, period=20, feedback="multi", n_queries=2)


def multi_spec(n, horizon=64, n_queries=2):
    return EnvSpec(FeedbackKind.MULTI_QUERY, n_actions=n, horizon=horizon, n_queries=n_queries)


def answer(queries, losses):
    """MULTI_QUERY feedback ``[n, a_1, l_1, a_2, l_2]`` for a loss row."""
    values = [len(queries)]
    for arm in queries:
        values += [arm, losses[arm]]
    return Feedback(FeedbackKind.MULTI_QUERY, np.array(values, dtype=float))


@pytest.mark.parametrize("learner", [StABL(**p) for p in StABL._test_params] + [EXP3TwoQueries()])
def test_passes_the_common_checks(learner):
    # Every check runs: 'actions_valid' accepts multi-query actions (int arrays of 1 to
    # spec.n_queries arms); test_actions_are_two_valid_queries checks their exact layout too.
    check_learner(learner, MULTI)


@pytest.mark.parametrize("learner", [StABL(), EXP3TwoQueries()])
def test_actions_are_two_valid_queries(learner):
    environment = VolatileBandit(n_actions=4, period=7, feedback="multi")
    spec = environment.reset(seed=1).with_horizon(50)
    learner.reset(spec, np.random.default_rng(2))
    for _ in range(50):
        action = learner.act()
        assert isinstance(action, np.ndarray) and action.dtype == np.int64 and action.shape == (2,)
        assert np.all((action >= 0) & (action < 4))
        feedback = environment.step(action)
        assert feedback.values[0] == 2 and feedback.values[1] == action[0] and feedback.values[3] == action[1]
        learner.update(feedback)


def test_refuses_an_environment_with_too_few_queries():
    """Asking 2 queries where 1 is allowed fails at reset, before round 1."""
    for learner in (StABL(), EXP3TwoQueries()):
        with pytest.raises(ValueError, match="asks 2 queries per round; the environment allows 1"):
            learner.reset(multi_spec(3, n_queries=1))
        with pytest.raises(TypeError, match="MULTI_QUERY"):
            learner.reset(EnvSpec(FeedbackKind.BANDIT, n_actions=3, horizon=10))
    environment = VolatileBandit(n_actions=3, feedback="multi", n_queries=1)
    with pytest.raises(ValueError, match="asks 2 queries"):
        ol.run(StABL(), environment, horizon=10, n_reps=1, seed=0, progress=False)


def test_first_rounds_by_hand():
    """K = 2.  Round 1: one run, uniform: a ~ x = (1/2, 1/2), b ~ q = (1/2, 1/2).  The estimate is
    l_hat = e_b l_b / q(b) = 2 l_b e_b; with a single run r_hat = 0 and its weight stays gamma."""
    learner = StABL(eta_scale=1.0, gamma_scale=1.0)
    learner.reset(multi_spec(2, horizon=64), np.random.default_rng(0))
    u = np.random.default_rng(0).random(4)  # 0.637, 0.270, 0.041, 0.017
    action = learner.act()
    assert action.tolist() == [int(u[0] >= 0.5), int(u[1] >= 0.5)] == [1, 0]
    losses = np.array([0.5, 1.0])
    learner.update(answer(action, losses))
    runs = learner.state_
    np.testing.assert_allclose(runs.base_losses[0], [2 * 0.5, 0.0])
    n_levels = 7  # floor(log2 64) + 1
    gamma = np.minimum(1 / (2 * n_levels), 1 / np.sqrt(n_levels * 2.0 ** np.arange(n_levels)))
    np.testing.assert_allclose(runs.meta_rate, gamma)
    assert runs.log_weights[0] == pytest.approx(math.log(gamma[0]))
    # Round 2: runs [2, 2] and [2, 3] start, both uniform, so x = q = (1/2, 1/2) again.
    action = learner.act()
    np.testing.assert_allclose(runs.probabilities, [0.5, 0.5])
    np.testing.assert_allclose(learner.state_.observation, [0.5, 0.5])
    assert action.tolist() == [int(u[2] >= 0.5), int(u[3] >= 0.5)]


def test_matches_naive_reference():
    rng = np.random.default_rng(6)
    losses = (rng.random((300, 3)) < np.array([0.2, 0.5, 0.8])).astype(float)
    losses[150:] = losses[150:, ::-1]
    learner = StABL()
    learner.reset(multi_spec(3, horizon=len(losses)), np.random.default_rng(10))
    queries, played = [], []
    for row in losses:
        action = learner.act()
        queries.append(action)
        played.append(learner.state_.probabilities.copy())
        learner.update(answer(action, row))
    runs = learner.state_
    naive_queries, naive_played = stabl_run(
        losses, np.random.default_rng(10), runs.base_eta, runs.meta_rate, len(runs.base_eta)
    )
    np.testing.assert_allclose(played, naive_played, rtol=1e-9, atol=1e-14)
    np.testing.assert_array_equal(queries, naive_queries)


# -- strongly adaptive regret --------------------------------------------------------------------------

TAUS = (100, 500, 2000)
POST_SWITCH = 1000


@pytest.fixture(scope="module")
def volatile_results():
    """K = 5 arms, Bernoulli losses 0.3 (best) / 0.7, best arm switching cyclically every 2000
    rounds, T = 10^4 (4 switches), 20 seeded repetitions; one-query learners on the bandit
    version of the same realisations (same seed, same counter-based table)."""
    horizon, n_reps = 10_000, 20
    trackers = [StronglyAdaptiveRegret(TAUS), PostSwitchRegret((POST_SWITCH,))]
    kwargs = {"horizon": horizon, "n_reps": n_reps, "seed": 3, "trackers": trackers, "progress": False}
    multi = VolatileBandit(n_actions=5, period=2000, feedback="multi")
    bandit = VolatileBandit(n_actions=5, period=2000, feedback="bandit")
    two_query = ol.run([StABL(), EXP3TwoQueries()], multi, **kwargs)
    one_query = ol.run([ol.learners.EXP3()], bandit, **kwargs)
    return two_query, one_query


def upper(values):
    return values.mean() + 3 * values.std(ddof=1) / math.sqrt(len(values))


def lower(values):
    return values.mean() - 3 * values.std(ddof=1) / math.sqrt(len(values))


def test_normalised_sa_regret_is_flat_across_tau(volatile_results):
    """StABL's SA(tau) / sqrt(K tau) is flat across tau in {100, 500, 2000}: the means differ by at
    most 1.5x, and by at most 2x between 3-SE confidence bounds, while one-query EXP3's grows by more
    than 3x (lower bound at tau = 2000 over upper bound at 100).  Measured: StABL 1.72, 2.02, 1.66;
    EXP3 1.79, 3.99, 7.54."""
    two_query, one_query = volatile_results
    stabl = [two_query.final(f"normalised_sa_regret_{tau}")[0, 0] for tau in TAUS]
    exp3 = [one_query.final(f"normalised_sa_regret_{tau}")[0, 0] for tau in TAUS]
    means = [v.mean() for v in stabl]
    assert max(means) <= 1.5 * min(means), means
    assert max(upper(v) for v in stabl) <= 2 * min(lower(v) for v in stabl)
    assert lower(exp3[-1]) >= 3 * upper(exp3[0])
    # Also the O~(sqrt(K tau)) level: at most 2.5 sqrt(K tau) on every length.
    assert max(upper(v) for v in stabl) <= 2.5


def test_three_times_smaller_right_after_a_switch(volatile_results):
    """Mean regret over the 1000 rounds after each switch: StABL's (upper 3-SE bound) is at least 3x
    smaller than EXP3's with one query and EXP3's given the same two queries naively (lower 3-SE
    bounds).  Measured: StABL 87, EXP3 371, EXP3 with two queries 389."""
    two_query, one_query = volatile_results
    metric = f"post_switch_regret_{POST_SWITCH}"
    stabl, naive = two_query.final(metric)[0, 0], two_query.final(metric)[1, 0]
    exp3 = one_query.final(metric)[0, 0]
    assert 3 * upper(stabl) <= lower(exp3), (stabl.mean(), exp3.mean())
    assert 3 * upper(stabl) <= lower(naive), (stabl.mean(), naive.mean())


# -- held-out instances ------------------------------------------------------------------------------
#
# The defaults eta_scale = gamma_scale = 32 were tuned on the instance above (K = 5, cyclic switches
# every 2000 rounds).  The same two properties, with the same criteria, on instances not used for
# tuning (T = 10^4, 20 seeded repetitions each, every window length tau <= the shortest segment, so
# that SA(tau) compares within a segment).  Two of the four fail; they are kept as strict xfails with
# the measured numbers (not tuned away), so a change that fixes or breaks them is noticed.

#: Segment lengths drawn once (numpy default_rng(2024).integers(2000, 4001, size=6)), used cyclically.
RANDOM_PERIODS = [2483, 3352, 2184, 2428, 2635, 2619]
HELD_OUT = {
    "random_switch_times": {"n_actions": 5, "period": RANDOM_PERIODS, "switches": "random"},
    "drifting_means": {"n_actions": 5, "switches": "drift", "drift_period": 10_000.0},
    "ten_arms_period_2000": {"n_actions": 10, "period": 2000},
    "three_arms_period_2500": {"n_actions": 3, "period": 2500},
}
#: Measured (mean over 20 seeds) where a held-out property fails.  With ten arms the criterion is
#: partly out of reach at tau = 100: no learner's interval regret exceeds (0.7 - 0.3) tau, so the
#: normalised value there is at most 0.4 sqrt(tau / K) = 1.26, which StABL and EXP3 both reach;
#: a spread below 1.5x then needs SA(500) and SA(2000) below 1.9 sqrt(K tau).
FLAT_FAILURES = {
    "drifting_means": "StABL 0.99, 1.59, 1.79 (grows 1.8x > 1.5x); EXP3 1.23, 2.53, 4.17",
    "ten_arms_period_2000": (
        "StABL 1.26, 2.32, 2.20 (1.8x > 1.5x; upper bound 2.53 > 2.5); EXP3 1.26, 2.82, 5.35"
    ),
}
AFTER_SWITCH_FAILURES = {
    "drifting_means": "StABL 60 vs EXP3 133 and naive two-query EXP3 156: 2.2x and 2.6x, not 3x",
    "ten_arms_period_2000": "StABL 133 vs EXP3 375 and naive two-query EXP3 386: 2.8x and 2.9x, not 3x",
}


def held_out(failures):
    return [
        pytest.param(
            name, marks=[pytest.mark.xfail(strict=True, reason=failures[name])] if name in failures else []
        )
        for name in HELD_OUT
    ]


@pytest.fixture(scope="module")
def held_out_results():
    cache = {}

    def results(name):
        if name not in cache:
            trackers = [StronglyAdaptiveRegret(TAUS), PostSwitchRegret((POST_SWITCH,))]
            kwargs = {"horizon": 10_000, "n_reps": 20, "seed": 11, "trackers": trackers, "progress": False}
            params = HELD_OUT[name]
            two_query = ol.run(
                [StABL(), EXP3TwoQueries()], VolatileBandit(feedback="multi", **params), **kwargs
            )
            one_query = ol.run([ol.learners.EXP3()], VolatileBandit(feedback="bandit", **params), **kwargs)
            cache[name] = (two_query, one_query)
        return cache[name]

    return results


@pytest.mark.parametrize("name", held_out(FLAT_FAILURES))
def test_held_out_normalised_sa_regret_is_flat_across_tau(held_out_results, name):
    """The criteria of test_normalised_sa_regret_is_flat_across_tau on a held-out instance.  Measured
    (StABL / EXP3 at tau = 100, 500, 2000): random switch times 1.73, 2.11, 1.97 / 1.79, 4.00, 7.45;
    three arms 2.08, 2.01, 1.95 / 2.31, 5.15, 9.51; the failures in FLAT_FAILURES."""
    test_normalised_sa_regret_is_flat_across_tau(held_out_results(name))


@pytest.mark.parametrize("name", held_out(AFTER_SWITCH_FAILURES))
def test_held_out_three_times_smaller_right_after_a_switch(held_out_results, name):
    """The criteria of test_three_times_smaller_right_after_a_switch on a held-out instance.  Measured
    (StABL, EXP3, naive two-query EXP3): random switch times 102, 361, 366; three arms 78, 366, 354;
    the failures in AFTER_SWITCH_FAILURES."""
    test_three_times_smaller_right_after_a_switch(held_out_results(name))


# -- invariants ------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=1, max_size=40),
    st.floats(0.0, 0.5),
)
def test_distributions_stay_on_the_simplex(rows, exploration):
    learner = StABL(exploration=exploration)
    learner.reset(multi_spec(3, horizon=40), np.random.default_rng(0))
    for row in rows:
        action = learner.act()
        state = learner.state_
        for p in (state.probabilities, state.observation):
            assert np.all(p >= 0) and abs(p.sum() - 1) <= 1e-12
        # Every awake run's distribution is dominated by n_levels x q: unbiased estimates.
        n_levels = state.base_eta.shape[0]
        t = int(state.scalars[0]) + 1
        awake = (state.starts > 0) & (state.starts <= t) & (t <= state.ends)
        assert np.all(
            state.base_probabilities[awake] <= n_levels * state.observation / (1 - exploration) + 1e-12
        )
        learner.update(answer(action, np.asarray(row)))
        assert np.all(np.isfinite(state.log_weights[awake]))
