"""Game trackers: follower external / swap regret and the leader's gap to the Stackelberg value."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import BernoulliBandit
from onlinelearn.environments.games import RepeatedGame

from onlinelearn.core.oracle import EXPECTED_LOSS
from onlinelearn.games import dss_game, random_game
from onlinelearn.learners.followers import BlumMansour, FollowTheLeader
from onlinelearn.learners.hedge import Hedge
from onlinelearn.testing import check_tracker
from onlinelearn.trackers.games import FollowerRegret, StackelbergGap


@pytest.mark.parametrize("tracker", [FollowerRegret(), StackelbergGap()])
@pytest.mark.parametrize("follower", [FollowTheLeader(), BlumMansour(eta=0.5)])
def test_public_checker(tracker, follower):
    check_tracker(tracker, RepeatedGame(dss_game(), follower))


def naive_regrets(strategies, payoffs):
    """External and swap regret by their definitions, O(T n^2) with explicit swap functions."""
    n = payoffs.shape[1]
    earned = np.sum(strategies * payoffs)
    external = payoffs.sum(axis=0).max() - earned
    swap = 0.0
    for j in range(n):
        swap += max(np.sum(strategies[:, j] * (payoffs[:, k] - payoffs[:, j])) for k in range(n))
    return external, swap


def feed(game, leader_rows, follower):
    env = RepeatedGame(game, follower)
    spec = env.reset(seed=0).with_horizon(len(leader_rows))
    trackers = [FollowerRegret(), StackelbergGap()]
    for tracker in trackers:
        tracker.reset(spec, len(leader_rows))
    records = []
    for i in leader_rows:
        env.step(int(i))
        record = env.oracle()
        records.append(record.values)
        for tracker in trackers:
            tracker.record(record)
    return spec, np.array(records), [t.values() for t in trackers]


def test_values_by_hand_against_ftl():
    # DSS game, FTL: Top (Left), Top (Left), Bottom (Left), Bottom (Right).
    game = dss_game(1e-2)
    spec, records, (regrets, gap) = feed(game, [0, 0, 1, 1], FollowTheLeader())
    # Follower payoffs B[i_t, :]: (0.1,-1,0) x2, (-1,1,0) x2; it earned 0.1+0.1-1+0 = -0.8.
    # Column sums (-1.8, 0, 0): external regret 0 - (-0.8) = 0.8.
    # Swap: Left was played at rounds 1-3 with payoffs (0.1,-1,0),(0.1,-1,0),(-1,1,0): swapping to
    # Right gains 0.8, to Mid 0; Right at round 4 gains 1 by swapping to Mid.  Total 1.8.
    np.testing.assert_allclose(regrets, [0.8, 1.8])
    # Leader payoffs 0, 0, 0, 2: average 0.5, V = 0.
    np.testing.assert_allclose(gap, [0.5, 0.5], atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), eta=st.floats(0.05, 5.0))
def test_matches_naive_definitions_and_swap_dominates_external(seed, eta):
    game = random_game(3, 4, seed=seed)
    rows = np.random.default_rng(seed).integers(0, 3, 80)
    spec, records, (regrets, gap) = feed(game, rows, Hedge(eta=eta))
    start = spec.game_slots_start
    strategies = records[:, start + 2 : start + 6]
    payoffs = records[:, start + 6 : start + 10]
    np.testing.assert_allclose(payoffs, game.follower_payoffs[rows])
    np.testing.assert_allclose(regrets, naive_regrets(strategies, payoffs), rtol=1e-10, atol=1e-10)
    assert regrets[1] >= max(regrets[0], 0.0) - 1e-12
    average = -records[:, EXPECTED_LOSS].mean()
    np.testing.assert_allclose(gap, [average, average - spec.stackelberg_value], rtol=1e-12)


@pytest.mark.parametrize("tracker", [FollowerRegret(), StackelbergGap()])
def test_rejects_environments_that_are_not_games(tracker):
    spec = BernoulliBandit([0.2, 0.8]).reset(seed=0)
    with pytest.raises(ValueError, match="needs a repeated-game environment"):
        tracker.reset(spec, 10)
