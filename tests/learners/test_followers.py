"""Followers of repeated games: FollowTheLeader, FTPL, BlumMansour (and Hedge/EXP3 embedded)."""

import copy
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import AdversarialBandit, BernoulliBandit
from onlinelearn.environments.games import RepeatedGame

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind
from onlinelearn.games import commitment_game, dss_game, random_game
from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.followers import (
    FTPL,
    BlumMansour,
    FollowTheLeader,
    follower_state,
    stationary_distribution,
)
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.leaders import Commitment, two_phase_schedule
from onlinelearn.testing import check_learner
from onlinelearn.trackers.games import FollowerRegret
from tests.conftest import QUICK
from tests.learners.expert_helpers import experts_spec, full
from tests.naive.games import blum_mansour_distribution, play


@pytest.mark.parametrize(
    "learner", [FollowTheLeader(), FTPL(), FTPL(eta=0.5), BlumMansour(), BlumMansour(eta=0.5)]
)
def test_public_checker(learner):
    check_learner(learner)


def test_follow_the_leader_first_rounds_by_hand():
    learner = FollowTheLeader()
    learner.reset(experts_spec(3), np.random.default_rng(0))
    assert learner.act() == 0  # all tied: smallest index
    learner.update(full([0.5, 0.2, 0.9]))
    assert learner.act() == 1  # L = (0.5, 0.2, 0.9)
    np.testing.assert_array_equal(learner.probabilities, [0, 1, 0])
    learner.update(full([0.0, 0.4, 0.0]))
    assert learner.act() == 0  # L = (0.5, 0.6, 0.9)


def test_ftpl_first_rounds_by_hand():
    learner = FTPL(eta=2.0)
    learner.reset(experts_spec(2), np.random.default_rng(4))
    u = np.random.default_rng(4).random(4) / 2.0  # Z ~ Uniform[0, 1/eta], one per action a round
    # Round 1: L = 0, argmin(-Z).
    assert learner.act() == int(np.argmin(-u[:2]))
    learner.update(full([0.3, 0.0]))
    # Round 2: L = (0.3, 0).
    assert learner.act() == int(np.argmin(np.array([0.3, 0.0]) - u[2:]))


def test_blum_mansour_first_rounds_by_hand():
    eta = np.log(3.0)
    learner = BlumMansour(eta=eta)
    learner.reset(experts_spec(2), np.random.default_rng(1))
    u = np.random.default_rng(1).random(2)
    # Round 1: every copy is uniform, so Q is uniform and so is its stationary p.
    assert learner.act() == int(u[0] >= 0.5)
    np.testing.assert_allclose(learner.probabilities, [0.5, 0.5])
    learner.update(full([1.0, 0.0]))
    # Each copy saw (1/2) * (1, 0): weights exp(-ln3 / 2) = 1/sqrt(3) vs 1, identical rows, so
    # p = q = (1, sqrt 3) / (1 + sqrt 3).
    learner.act()
    expected = np.array([1.0, np.sqrt(3.0)]) / (1.0 + np.sqrt(3.0))
    np.testing.assert_allclose(learner.probabilities, expected, rtol=1e-12)
    assert learner.state_.copy_losses[0, 0] == 0.5


@pytest.mark.parametrize("anytime", [False, True])
def test_blum_mansour_copies_are_hedge_learners(anytime):
    """Copy i must be exactly a Hedge learner (same eta and anytime option) fed p_t(i) l_t."""
    n, eta, rounds = 3, 0.8, 40
    learner = BlumMansour(eta=eta, anytime=anytime)
    learner.reset(experts_spec(n, rounds), np.random.default_rng(3))
    copies = [Hedge(eta=eta, anytime=anytime) for _ in range(n)]
    for copy_ in copies:
        copy_.reset(experts_spec(n, rounds), np.random.default_rng(0))
    losses = np.random.default_rng(5).random((rounds, n))
    for loss in losses:
        learner.act()
        Q = np.array([copy_.probabilities for copy_ in copies])
        np.testing.assert_array_equal(learner.state_.copy_probabilities, Q)
        p = learner.probabilities
        assert np.abs(p @ Q - p).max() <= 1e-12
        learner.update(full(loss))
        for i, copy_ in enumerate(copies):
            copy_.act()
            copy_.update(full(p[i] * loss))


def test_blum_mansour_default_rates():
    spec = experts_spec(3, 100)
    n_log_n = 3 * np.log(3)
    assert BlumMansour().learning_rate(spec) == pytest.approx(np.sqrt(8 * n_log_n / 100))
    assert BlumMansour(anytime=True).learning_rate(EnvSpec(FeedbackKind.FULL_INFORMATION, 3)) == (
        pytest.approx(np.sqrt(n_log_n))
    )
    wide = EnvSpec(FeedbackKind.FULL_INFORMATION, 3, horizon=100, loss_range=(0.0, 4.0))
    assert BlumMansour().learning_rate(wide) == pytest.approx(np.sqrt(8 * n_log_n / 100) / 4)


@pytest.mark.parametrize(
    "follower, name, eta",
    [
        (FollowTheLeader(), "ftl", None),
        (FTPL(eta=0.3), "ftpl", 0.3),
        (Hedge(eta=0.4), "hedge", 0.4),
        (BlumMansour(eta=0.7), "blum_mansour", 0.7),
    ],
)
def test_embedded_followers_match_naive_reference(follower, name, eta):
    game = random_game(3, 3, seed=7)
    rows = np.random.default_rng(2).integers(0, 3, size=300)
    env = RepeatedGame(game, follower)
    env.reset(seed=11)
    actions, strategies = [], []
    for i in rows:
        feedback = env.step(int(i))
        record = env.oracle().values
        actions.append(int(feedback.values[0]))
        start = 7 + 3 + 2
        strategies.append(record[start : start + 3])
    naive_actions, naive_strategies = play(game, rows, name, eta, np.random.default_rng(11))
    np.testing.assert_array_equal(actions, naive_actions)
    np.testing.assert_allclose(strategies, naive_strategies, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "follower",
    [
        Hedge(eta=0.4),
        Hedge(anytime=True),
        EXP3(eta=0.2),
        EXP3IX(eta=0.2),
        FollowTheLeader(),
        FTPL(eta=0.3),
        BlumMansour(eta=0.7),
    ],
    ids=repr,
)
def test_embedded_followers_equal_the_standalone_learners(follower):
    """Each follower class has its own step kernel: the embedded follower must play exactly what
    the learner plays on its own against the same losses and Generator."""
    game = random_game(3, 3, seed=5)
    rows = np.random.default_rng(4).integers(0, 3, size=200)
    env = RepeatedGame(game, follower)
    env.reset(seed=9)
    learner = copy.copy(follower)
    learner.reset(env.follower_spec(), np.random.default_rng(9))
    losses = 1.0 - game.normalised().follower_payoffs
    start = 7 + 3 + 2
    for i in rows:
        j = int(env.step(int(i)).values[0])
        played = learner.act()
        assert j == played
        np.testing.assert_array_equal(env.oracle().values[start : start + 3], learner.state_.probabilities)
        bandit = isinstance(learner, EXP3 | EXP3IX)
        learner.update(losses[i, j : j + 1] if bandit else losses[i])


def test_follower_state_reuses_hedge_and_exp3_tunings():
    spec = EnvSpec(FeedbackKind.BANDIT, n_actions=3, horizon=100)
    state = follower_state(EXP3(), spec, np.random.default_rng(0))
    assert state.eta == pytest.approx(np.sqrt(2 * np.log(3) / 300))
    state = follower_state(Hedge(), experts_spec(3, 100), np.random.default_rng(0))
    assert state.eta == pytest.approx(np.sqrt(8 * np.log(3) / 100))
    with pytest.raises(TypeError, match="A follower must be one of"):
        follower_state(ol.learners.UCB1(), spec, np.random.default_rng(0))


def mean_plus_3se(values):
    return values.mean() + 3 * values.std(ddof=1) / np.sqrt(len(values))


@pytest.mark.parametrize("kind", ["adversarial", "stochastic"])
def test_ftpl_regret_bound(kind):
    """Kalai and Vempala (2005) Theorem 1.1(a): E[R_T] <= 2 sqrt(2 n T) for eta = sqrt(2 / (n T))."""
    horizon, n, reps = (2_000, 5, 10) if QUICK else (20_000, 5, 30)
    if kind == "adversarial":
        table = np.random.default_rng(0).random((horizon, n))
        table[: horizon // 2, 0] *= 0.5
        table[horizon // 2 :, 1] *= 0.5
        environment, tracker = AdversarialBandit(table, feedback="full"), ol.trackers.StaticRegret()
    else:
        environment = BernoulliBandit(means=np.linspace(0.3, 0.7, n), feedback="full")
        tracker = ol.trackers.PseudoRegret()
    result = ol.run([FTPL()], [environment], horizon, reps, seed=0, trackers=[tracker], progress=False)
    final = result.final(tracker.metric_names[0])[0, 0]
    assert mean_plus_3se(final) <= 2 * np.sqrt(2 * n * horizon)


@pytest.mark.parametrize("anytime", [False, True], ids=["fixed", "anytime"])
@pytest.mark.parametrize("kind", ["adversarial", "stochastic"])
def test_blum_mansour_swap_regret_bound(kind, anytime):
    """Blum and Mansour (JMLR 2007): swap regret <= sum of the copies' Hedge regrets, for payoffs
    in [0, 1] at most sqrt(T n ln n / 2) with eta = sqrt(8 n ln n / T) and 2 sqrt(T n ln n) with
    the anytime eta_t = sqrt(n ln n / t) (BlumMansour's docstring); the tracker reports raw units
    of B, so the bound is multiplied by max B - min B."""
    horizon, reps = (2_000, 5) if QUICK else (10_000, 20)
    if kind == "adversarial":  # the exploit schedule of the DSS game
        game, leader = dss_game(1e-2), two_phase_schedule()
    else:  # i.i.d. rows from a fixed mixed strategy on a random game
        game, leader = random_game(3, 4, seed=3), Commitment(strategy=[0.2, 0.5, 0.3])
    env = RepeatedGame(game, BlumMansour(anytime=anytime), n_rounds=horizon)
    result = ol.run([leader], [env], horizon, reps, seed=1, trackers=[FollowerRegret()], progress=False)
    n = game.n_follower_actions
    constant = 2.0 if anytime else np.sqrt(0.5)
    bound = np.ptp(game.follower_payoffs) * constant * np.sqrt(horizon * n * np.log(n))
    swap = result.final("follower_swap_regret")[0, 0]
    external = result.final("follower_external_regret")[0, 0]
    assert mean_plus_3se(swap) <= bound
    assert np.all(swap >= np.maximum(external, 0) - 1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 6), scale=st.floats(0.01, 30.0))
def test_stationary_distribution_is_stationary(seed, n, scale):
    copy_losses = np.random.default_rng(seed).random((n, n)) * scale
    Q, naive = blum_mansour_distribution(copy_losses, 1.0)
    p = np.zeros(n)
    stationary_distribution(Q, np.zeros((n, n)), p)
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.abs(p @ Q - p).max() <= 1e-10
    np.testing.assert_allclose(p, naive, atol=1e-9)


def test_stationary_distribution_of_nearly_decomposable_chains_is_exact():
    """Two states leaving each other with probabilities a = 1e-14 and b = 3e-14: p = (b, a) / (a + b)
    = (3/4, 1/4).  1 - a rounds to a number whose distance to 1 is a only to 1%, so any method
    that forms Q - I (a linear solve, power iteration) is off by about 1%, with a residual
    max |pQ - p| of 1e-16 that cannot tell; the elimination uses a and b themselves."""
    a, b = 1e-14, 3e-14
    Q = np.array([[1 - a, a], [b, 1 - b]])
    p = np.zeros(2)
    stationary_distribution(Q, np.zeros((2, 2)), p)
    np.testing.assert_allclose(p, [0.75, 0.25], rtol=1e-12)
    # Three states, blocks {0, 1} and {2} coupled by 1e-15.  Exact answer of the chain with these
    # off-diagonal entries by the Markov chain tree theorem (p_i proportional to the sum over
    # spanning trees directed to i of the product of their transition probabilities), in rationals.
    c = 1e-15
    Q = np.array([[0.3, 0.7 - c, c], [0.6 - 2 * c, 0.4, 2 * c], [c, 3 * c, 1 - 4 * c]])
    q = [[Fraction(value) for value in row] for row in Q]
    trees = [
        q[1][0] * q[2][0] + q[1][0] * q[2][1] + q[1][2] * q[2][0],
        q[0][1] * q[2][1] + q[0][1] * q[2][0] + q[0][2] * q[2][1],
        q[0][2] * q[1][2] + q[0][2] * q[1][0] + q[0][1] * q[1][2],
    ]
    exact = [float(tree / sum(trees)) for tree in trees]
    p = np.zeros(3)
    stationary_distribution(Q, np.zeros((3, 3)), p)
    np.testing.assert_allclose(p, exact, rtol=1e-13)


def test_stationary_distribution_of_reducible_and_invalid_chains():
    # Q = I (copies that underflowed to point masses on themselves): every p is stationary.
    p = np.zeros(3)
    stationary_distribution(np.eye(3), np.zeros((3, 3)), p)
    assert p.sum() == pytest.approx(1.0) and np.abs(p @ np.eye(3) - p).max() == 0.0
    # Two closed classes {0, 1} and {2}; the answer is a stationary distribution.
    Q = np.array([[0.2, 0.8, 0.0], [0.6, 0.4, 0.0], [0.0, 0.0, 1.0]])
    stationary_distribution(Q, np.zeros((3, 3)), p)
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0) and np.abs(p @ Q - p).max() <= 1e-15
    # A matrix that is not stochastic has no such p: a clear error, not a silent answer.
    with pytest.raises(ValueError, match="residual max"):
        stationary_distribution(np.array([[0.5, np.nan], [0.5, 0.5]]), np.zeros((2, 2)), np.zeros(2))


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    follower=st.sampled_from(["ftl", "ftpl", "hedge", "exp3", "blum_mansour"]),
)
def test_follower_strategies_stay_on_the_simplex(seed, follower):
    learner = {
        "ftl": FollowTheLeader(),
        "ftpl": FTPL(eta=0.2),
        "hedge": Hedge(eta=2.0),
        "exp3": EXP3(eta=0.5),
        "blum_mansour": BlumMansour(eta=3.0),
    }[follower]
    env = RepeatedGame(random_game(3, 4, seed=seed), learner)
    env.reset(seed=seed)
    rows = np.random.default_rng(seed).integers(0, 3, 60)
    for i in rows:
        env.step(int(i))
        y = env.oracle().values[7 + 3 + 2 : 7 + 3 + 2 + 4]
        assert np.all(y >= 0) and y.sum() == pytest.approx(1.0, abs=1e-12)


def test_bad_follower_parameters_name_the_argument():
    with pytest.raises(ValueError, match="'eta' parameter of FTPL"):
        FTPL(eta=-1.0).reset(experts_spec(2, 10))
    with pytest.raises(ValueError, match="'eta' parameter of BlumMansour"):
        BlumMansour(eta=0.0).reset(experts_spec(2, 10))
    with pytest.raises(ValueError, match="'n_rounds' to the experiment's horizon"):
        RepeatedGame(commitment_game(), Hedge()).reset(seed=0)
