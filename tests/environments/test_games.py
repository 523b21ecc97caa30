"""RepeatedGame: layout of feedback and record, the DSS exploit against FTL and Hedge."""

import numpy as np
import pytest
from onlinelearn.environments.games import RepeatedGame, exp3_game_step

import onlinelearn as ol
from onlinelearn.core import FeedbackKind
from onlinelearn.core.oracle import BEST_EXPECTED_LOSS, BEST_LOSS, EXPECTED_LOSS, EXPECTED_LOSSES, LOSS
from onlinelearn.games import GameSpec, commitment_game, dss_game, random_game
from onlinelearn.learners.exp3 import EXP3
from onlinelearn.learners.followers import FollowTheLeader
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.leaders import Commitment, two_phase_schedule
from onlinelearn.testing import check_environment
from onlinelearn.trackers import PseudoRegret, StaticRegret
from tests.games.helpers import final, game_trackers, run_game
from tests.naive.games import ftl_leader_average

# The public checker compares BEST_EXPECTED_LOSS with the minimum of *every* slot after
# EXPECTED_LOSSES, so it cannot yet read records with environment-specific slots after the
# expected-loss vector (the game slots).  The same relations are checked on the first m slots by
# test_record_relations below.
SKIP = {"feedback_and_oracle_valid"}


@pytest.mark.parametrize("params", RepeatedGame._test_params)
def test_public_checker(params):
    check_environment(RepeatedGame(**params), skip=SKIP)


@pytest.mark.parametrize("params", RepeatedGame._test_params)
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
        np.testing.assert_array_equal(feedback[2:], env.game.leader_payoffs[:, int(feedback[0])])


def test_feedback_and_game_slots_by_hand():
    gamma = 1e-2
    env = RepeatedGame(dss_game(gamma), FollowTheLeader())
    spec = env.reset(seed=0)
    assert isinstance(spec, GameSpec) and spec.record_size == 7 + 2 + 2 + 2 * 3
    assert spec.loss_range == (-2.0, 2.0) and spec.stackelberg_value == pytest.approx(0.0, abs=1e-12)
    # Round 1: all tied, FTL plays Left (0); Top pays the leader 0.
    np.testing.assert_array_equal(env.step(0).values, [0, 0.0, 0.0, 0.0])
    start = 7 + 2
    np.testing.assert_array_equal(env.oracle().values[start:], [0, 0, 1, 0, 0, 0.1, -1, 0])
    # Round 2 after Top: Left leads (sqrt(gamma) > 0 > -1).
    np.testing.assert_array_equal(env.step(0).values, [0, 0.0, 0.0, 0.0])
    # Follower payoffs rescaled to [0, 1]: Top (0.55, 0, 0.5), Bottom (0, 1, 0.5).  After two Tops
    # the cumulative is (1.1, 0, 1): Left again, against Bottom (row 1), which pays the leader 0.
    np.testing.assert_array_equal(env.step(1).values, [0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(env.oracle().values[start:], [1, 0, 1, 0, 0, -1, 1, 0])
    # Cumulative (1.1, 1, 1.5): Right, which pays the leader 2 against Bottom.
    np.testing.assert_array_equal(env.step(1).values, [2, 2.0, -2.0, 2.0])


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
    """Against Hedge with eta = 10 / sqrt(T) (on payoffs rescaled to [0, 1]) at T = 1e5 the leader's
    expected average is strictly above V = 0.  Deterministic: the leader plays pure rows and the
    tracker averages over Hedge's mixed strategy, so one repetition is exact."""
    horizon = 100_000
    env = RepeatedGame(dss_game(1e-4), Hedge(eta=10 / np.sqrt(horizon)))
    result = run_game(two_phase_schedule(), env, horizon)
    average = final(result, "average_utility")[0]
    assert average > 0.5  # V = 0; 1 - sqrt(gamma) = 0.99 is the FTL limit
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
