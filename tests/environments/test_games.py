"""RepeatedGame: layout of feedback and record, the DSS exploit against FTL and Hedge, and the
mode in which the leader plays mixed strategies directly."""

import copy

import numpy as np
import pytest
from onlinelearn.environments.games import RepeatedGame, exp3_game_step, hedge_mixed_step

import onlinelearn as ol
from onlinelearn.core import FeedbackKind
from onlinelearn.core.oracle import BEST_EXPECTED_LOSS, BEST_LOSS, EXPECTED_LOSS, EXPECTED_LOSSES, LOSS
from onlinelearn.games import GameSpec, commitment_game, dss_game, random_game
from onlinelearn.games.spec import FOLLOWER_STRATEGY, LEADER_ACTION, follower_payoffs_offset
from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.followers import FTPL, BlumMansour, FollowTheLeader
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.leaders import Commitment, MyopicBestResponse, Schedule, two_phase_schedule
from onlinelearn.testing import check_environment
from onlinelearn.trackers import PseudoRegret, StaticRegret
from tests.games.helpers import final, game_trackers, run_game
from tests.naive.games import ftl_leader_average

PURE = [params for params in RepeatedGame._test_params if params.get("leader_actions") != "mixed"]
MIXED = [params for params in RepeatedGame._test_params if params.get("leader_actions") == "mixed"]
FOLLOWERS = [
    Hedge(eta=0.4),
    EXP3(eta=0.2),
    EXP3IX(eta=0.2),
    FollowTheLeader(),
    FTPL(eta=0.3),
    BlumMansour(eta=0.7),
]


@pytest.mark.parametrize("params", RepeatedGame._test_params)
def test_public_checker(params):
    check_environment(RepeatedGame(**params))


@pytest.mark.parametrize("params", PURE)
def test_record_relations(params):
    env = RepeatedGame(**params)
    spec = env.reset(seed=3)
    m = spec.n_actions
    low, high = spec.loss_range
    rows = np.random.default_rng(0).integers(0, m, 50)
    for i in rows:
        feedback = env.step(int(i)).values
        record = env.oracle().values
        assert record.shape == (spec.record_size,) and np.all(np.isfinite(record))
        expected = record[EXPECTED_LOSSES : EXPECTED_LOSSES + m]
        assert record[LOSS] == -feedback[1] and low <= record[LOSS] <= high
        assert record[EXPECTED_LOSS] == expected[i]
        assert record[BEST_EXPECTED_LOSS] == expected.min()
        assert record[BEST_LOSS] <= record[LOSS]
        np.testing.assert_array_equal(feedback[2 : 2 + m], env.game.leader_payoffs[:, int(feedback[0])])
        # The follower's y_t is shown to the leader and recorded for the trackers.
        start = spec.game_slots_start + FOLLOWER_STRATEGY
        np.testing.assert_array_equal(feedback[2 + m :], record[start : start + spec.n_follower_actions])


@pytest.mark.parametrize("params", MIXED)
def test_record_relations_with_mixed_strategies(params):
    """x_t played as is: LOSS = -x^T A e_j, EXPECTED_LOSS = -x^T A y = x . EXPECTED_LOSSES, the
    follower's recorded payoff vector is x^T B, the leader action slot -1."""
    env = RepeatedGame(**params)
    spec = env.reset(seed=3)
    m, n = env.game.shape
    A, B = env.game.leader_payoffs, env.game.follower_payoffs
    assert spec.n_actions is None and spec.decision_set.dimension == m and spec.mixed_leader
    assert spec.n_leader_actions == m and spec.feedback_size == 2 + m + n
    for x in np.random.default_rng(0).dirichlet(np.ones(m), size=50):
        feedback = env.step(x).values
        record = env.oracle().values
        assert record.shape == (spec.record_size,) and np.all(np.isfinite(record))
        j = int(feedback[0])
        y = feedback[2 + m :]
        assert feedback[1] == pytest.approx(x @ A[:, j], rel=1e-14) and record[LOSS] == -feedback[1]
        expected = record[EXPECTED_LOSSES : EXPECTED_LOSSES + m]
        np.testing.assert_allclose(expected, -(A @ y), rtol=1e-14, atol=1e-15)
        assert record[EXPECTED_LOSS] == pytest.approx(x @ expected, rel=1e-13, abs=1e-15)
        assert record[BEST_EXPECTED_LOSS] == expected.min()
        start = spec.game_slots_start
        assert record[start + LEADER_ACTION] == -1 and record[start + 1] == j
        np.testing.assert_array_equal(record[start + FOLLOWER_STRATEGY : start + FOLLOWER_STRATEGY + n], y)
        offset = start + follower_payoffs_offset(n)
        np.testing.assert_allclose(record[offset : offset + n], x @ B, rtol=1e-14, atol=1e-15)


def test_feedback_and_game_slots_by_hand():
    gamma = 1e-2
    env = RepeatedGame(dss_game(gamma), FollowTheLeader())
    spec = env.reset(seed=0)
    assert isinstance(spec, GameSpec) and spec.record_size == 7 + 2 + 2 + 2 * 3
    assert spec.loss_range == (-2.0, 2.0) and spec.stackelberg_value == pytest.approx(0.0, abs=1e-12)
    # Round 1: all tied, FTL plays Left (0); Top pays the leader 0.  Feedback [j, u, A[:, j], y].
    np.testing.assert_array_equal(env.step(0).values, [0, 0.0, 0.0, 0.0, 1, 0, 0])
    start = 7 + 2
    np.testing.assert_array_equal(env.oracle().values[start:], [0, 0, 1, 0, 0, 0.1, -1, 0])
    # Round 2 after Top: Left leads (sqrt(gamma) > 0 > -1).
    np.testing.assert_array_equal(env.step(0).values, [0, 0.0, 0.0, 0.0, 1, 0, 0])
    # Follower payoffs rescaled to [0, 1]: Top (0.55, 0, 0.5), Bottom (0, 1, 0.5).  After two Tops
    # the cumulative is (1.1, 0, 1): Left again, against Bottom (row 1), which pays the leader 0.
    np.testing.assert_array_equal(env.step(1).values, [0, 0.0, 0.0, 0.0, 1, 0, 0])
    np.testing.assert_array_equal(env.oracle().values[start:], [1, 0, 1, 0, 0, -1, 1, 0])
    # Cumulative (1.1, 1, 1.5): Right, which pays the leader 2 against Bottom.
    np.testing.assert_array_equal(env.step(1).values, [2, 2.0, -2.0, 2.0, 0, 0, 1])


def test_mixed_strategies_by_hand():
    """Commitment game, Hedge follower, the leader plays x = (0.45, 0.55) itself."""
    env = RepeatedGame(commitment_game(), Hedge(eta=0.3), leader_actions="mixed")
    env.reset(seed=0)
    assert env.step_kernel is hedge_mixed_step
    u = np.random.default_rng(0).random()
    x = np.array([0.45, 0.55])
    feedback = env.step(x).values
    j = int(u >= 0.5)  # y_1 uniform
    # u = x^T A e_j (A = [[2, 4], [1, 3]]), A[:, j], y_1.
    np.testing.assert_allclose(feedback, [j, [1.45, 3.45][j], *[[2, 1], [4, 3]][j], 0.5, 0.5], rtol=1e-15)
    record = env.oracle().values
    assert record[EXPECTED_LOSS] == pytest.approx(-(0.45 * 3 + 0.55 * 2))  # -x^T A y
    np.testing.assert_array_equal(record[EXPECTED_LOSSES : EXPECTED_LOSSES + 2], [-3.0, -2.0])
    # The follower (B = I, already in [0, 1]) learned from x^T (1 - B) = (0.55, 0.45).
    np.testing.assert_allclose(env.state_.follower.cumulative_losses, [0.55, 0.45], rtol=1e-15)
    np.testing.assert_allclose(record[-2:], [0.45, 0.55], rtol=1e-15)  # x^T B


@pytest.mark.parametrize("follower", FOLLOWERS, ids=repr)
def test_mixed_strategy_followers_learn_from_the_expected_payoffs(follower):
    """Each follower embedded with a mixed leader must play exactly what the stand-alone learner
    plays when fed x_t^T (1 - B~) (EXP3: the entry of its played arm)."""
    game = random_game(3, 3, seed=5)
    strategies = np.random.default_rng(4).dirichlet(np.ones(3), size=150)
    env = RepeatedGame(game, follower, leader_actions="mixed")
    env.reset(seed=9)
    learner = copy.copy(follower)
    learner.reset(env.follower_spec(), np.random.default_rng(9))
    losses = 1.0 - game.normalised().follower_payoffs
    for x in strategies:
        j = int(env.step(x).values[0])
        assert j == learner.act()
        expected = x @ losses
        bandit = isinstance(learner, EXP3 | EXP3IX)
        learner.update(expected[j : j + 1] if bandit else expected)


@pytest.mark.parametrize("gamma", [1e-2, 1e-4])
def test_two_phase_schedule_earns_one_minus_sqrt_gamma_against_ftl(gamma):
    """DSS 2019 §4.1 (reference notes §2.7): Top for T/2 rounds, then Bottom; FTL plays Left, then
    Right until Mid catches up at T: average 1 - sqrt(gamma) up to 3/T (the switching rounds)."""
    horizon = 10_000
    result = run_game(two_phase_schedule(), RepeatedGame(dss_game(gamma), FollowTheLeader()), horizon)
    average = final(result, "average_utility")[0]
    assert abs(average - (1 - np.sqrt(gamma))) <= 3 / horizon
    rows = np.repeat([0, 1], horizon // 2)
    assert average == pytest.approx(ftl_leader_average(dss_game(gamma), rows), abs=1e-12)


def test_two_phase_schedule_beats_v_against_hedge():
    """Against Hedge with eta = 10 / sqrt(T) at T = 1e5 the leader's expected average is strictly
    above V = 0.  The rate is quoted on the raw payoffs B, as in the reference notes' table (whose
    row gives 0.945) and in tests/learners/test_leaders.py: ``Game.unit_rate`` converts it to the
    library's units (B rescaled to [0, 1]; twice as large on the DSS game).  Deterministic: the
    leader plays pure rows and the tracker averages over Hedge's mixed strategy, so one
    repetition is exact."""
    horizon = 100_000
    game = dss_game(1e-4)
    env = RepeatedGame(game, Hedge(eta=game.unit_rate(10 / np.sqrt(horizon))))
    result = run_game(two_phase_schedule(), env, horizon)
    average = final(result, "average_utility")[0]
    assert average > 0.9  # V = 0; 1 - sqrt(gamma) = 0.99 is the FTL limit
    assert average == pytest.approx(0.945, abs=1e-3)
    assert final(result, "stackelberg_gap")[0] == pytest.approx(average, abs=1e-12)


def test_bandit_follower_sees_only_its_payoff():
    env = RepeatedGame(commitment_game(), EXP3(eta=0.1))
    env.reset(seed=0)
    state = env.state_
    assert env.follower_spec().feedback_kind == FeedbackKind.BANDIT
    assert env.step_kernel is exp3_game_step
    feedback = env.step(1).values
    j = int(feedback[0])
    # EXP3 charged its played arm only: 1 - B~[1, j] / p_j.
    charged = state.follower.cumulative_estimates
    assert np.count_nonzero(charged) <= 1
    assert charged[j] == pytest.approx((1 - commitment_game().follower_payoffs[1, j]) / 0.5)


@pytest.mark.parametrize("follower", FOLLOWERS, ids=repr)
@pytest.mark.parametrize("leader_actions", ["pure", "mixed"])
def test_compiled_and_python_loops_agree_in_both_modes(follower, leader_actions):
    """Every (follower, leader mode) has its own step and hindsight kernels: the compiled loop
    (1 and 2 threads) and the Python loop must give bit-identical curves, with the trackers that
    read the hindsight slots."""
    trackers = [PseudoRegret(), StaticRegret(), *game_trackers()]
    env = RepeatedGame(random_game(3, 3, seed=1), follower, leader_actions=leader_actions)
    kwargs = {"horizon": 200, "n_reps": 3, "seed": 3, "trackers": trackers, "progress": False}
    for leader in (Commitment(), MyopicBestResponse()):
        serial = ol.run(leader, env, backend="serial", **kwargs)
        threads = ol.run(leader, env, backend="numba", **kwargs)
        python = ol.run(leader, env, compiled=False, quiet=True, **kwargs)
        assert serial.compiled.all() and threads.compiled.all()
        for name, values in serial.metrics.items():
            np.testing.assert_array_equal(values, threads.metrics[name])
            np.testing.assert_array_equal(values, python.metrics[name])


def test_commitment_played_as_a_mixed_strategy_keeps_the_margin_every_round():
    """Against Hedge, x' = (0.45, 0.55) played as is gives the follower a payoff edge of 0.1 to R
    every round, so (no sampling noise) y_t(R) >= 1/2 from round 1 and the leader's expected
    payoff x'^T A y_t = 1.45 + 2 y_t(R) increases to 3.45 deterministically."""
    horizon = 2_000
    env = RepeatedGame(commitment_game(), Hedge(), n_rounds=horizon, leader_actions="mixed")
    result = run_game(Commitment(epsilon=0.05), env, horizon, n_reps=3)
    averages = final(result, "average_utility")
    assert np.all(averages == averages[0])  # the follower's sampled actions do not matter
    # Hedge's y_t(R) = 1 / (1 + exp(-eta 0.1 (t - 1))): the exact average.
    eta = np.sqrt(8 * np.log(2) / horizon)
    y = 1.0 / (1.0 + np.exp(-eta * 0.1 * np.arange(horizon)))
    assert averages[0] == pytest.approx(np.mean(1.45 + 2 * y), rel=1e-12)


def test_leaders_play_mixed_strategies_directly():
    env = RepeatedGame(commitment_game(), FollowTheLeader(), leader_actions="mixed")
    spec = env.reset(seed=0).with_horizon(4)
    commitment, schedule = Commitment(epsilon=0.05), Schedule([[1.0, 0.0], [0.2, 0.8]], [0.5, 0.5])
    for leader in (commitment, schedule):
        leader.reset(spec, np.random.default_rng(0))
    np.testing.assert_allclose(commitment.act(), [0.45, 0.55], atol=1e-9)
    actions = []
    for _ in range(4):
        actions.append(schedule.act())
        schedule.update(env.step(actions[-1]))
    np.testing.assert_array_equal(actions, [[1.0, 0.0], [1.0, 0.0], [0.2, 0.8], [0.2, 0.8]])
    myopic = MyopicBestResponse()
    myopic.reset(spec, np.random.default_rng(0))
    np.testing.assert_array_equal(myopic.act(), [1.0, 0.0])  # U against the uniform y_0


def test_bad_mixed_actions_name_the_argument():
    env = RepeatedGame(commitment_game(), Hedge(eta=0.1), leader_actions="mixed")
    env.reset(seed=0)
    for bad, error, message in [
        ([0.5, 0.6], ValueError, "summing to 1"),
        ([1.2, -0.2], ValueError, "non-negative"),
        ([0.2, 0.3, 0.5], ValueError, "2 non-negative finite entries"),
        ([np.nan, 1.0], ValueError, "non-negative finite"),
        (1, TypeError, "use leader_actions='pure' to play rows"),
        ("x", TypeError, "must be a mixed strategy"),
    ]:
        with pytest.raises(error, match=f"'action' parameter of RepeatedGame.step.*{message}"):
            env.step(bad)
    with pytest.raises(ValueError, match="'leader_actions' parameter of RepeatedGame"):
        RepeatedGame(commitment_game(), leader_actions="sampled").reset(seed=0)


def test_bad_parameters_name_the_argument():
    with pytest.raises(ValueError, match="'game' parameter of RepeatedGame"):
        RepeatedGame(game=[[1, 2], [3, 4]]).reset(seed=0)
    with pytest.raises(ValueError, match="'follower' parameter of RepeatedGame"):
        RepeatedGame(commitment_game(), follower="hedge").reset(seed=0)
    with pytest.raises(ValueError, match="'n_rounds' parameter of RepeatedGame"):
        RepeatedGame(commitment_game(), n_rounds=0).reset(seed=0)
    env = RepeatedGame(commitment_game(), Hedge(eta=0.1))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="expects an int action"):
        env.step(2)


@pytest.mark.parametrize("comparator", ["stackelberg", "best_row"])
def test_pseudo_regret_comparators(comparator):
    game = dss_game(1e-2)
    env = RepeatedGame(game, FollowTheLeader(), comparator=comparator)
    env.reset(seed=0)
    rows = [0, 0, 1, 1, 1]
    utilities, expected = [], np.zeros(2)
    for i in rows:
        env.step(i)
        record = env.oracle().values
        utilities.append(-record[EXPECTED_LOSS])
        expected += record[EXPECTED_LOSSES : EXPECTED_LOSSES + 2]
    comparator_sum = record[5]
    if comparator == "stackelberg":  # V = 0: Stackelberg regret is minus the leader's total
        assert comparator_sum == 0.0
    else:
        assert comparator_sum == expected.min()
    np.testing.assert_array_equal(utilities, [0, 0, 0, 2, -2])  # Mid catches up in round 5


@pytest.mark.parametrize("hindsight", [False, True])
def test_hedge_follower_compiled_threads_and_python_agree(hindsight):
    """The Hedge step computes y_{t+1} at the end of round t and leaves the expected-loss vector to
    hindsight: the compiled loop (1 and 2 threads, with and without hindsight) and the Python loop
    must still give bit-identical curves."""
    trackers = [PseudoRegret(), *game_trackers(), *([StaticRegret()] if hindsight else [])]
    env = RepeatedGame(random_game(3, 3, seed=1), Hedge(eta=0.3))
    kwargs = {"horizon": 300, "n_reps": 4, "seed": 3, "trackers": trackers, "progress": False}
    serial = ol.run(Commitment(), env, backend="serial", **kwargs)
    threads = ol.run(Commitment(), env, backend="numba", **kwargs)
    python = ol.run(Commitment(), env, compiled=False, quiet=True, **kwargs)
    assert serial.compiled.all() and threads.compiled.all()
    for name, values in serial.metrics.items():
        np.testing.assert_array_equal(values, threads.metrics[name])
        np.testing.assert_array_equal(values, python.metrics[name])
