"""Piecewise-constant schedules against the follow-the-leader limit: exact evaluation and search."""

import numpy as np
import pytest

from onlinelearn.games import Game, commitment_game, dss_game, random_game, stackelberg
from onlinelearn.learners.schedule_search import evaluate_schedule, search_schedules
from tests.naive.games import ftl_leader_average


def test_schedule_search_recovers_the_dss_exploit():
    game = dss_game(1e-2)
    best = search_schedules(game, n_phases=2, resolution=4)
    assert best.value == pytest.approx(0.9, abs=1e-12) and best.stackelberg_value == pytest.approx(
        0.0, abs=1e-12
    )
    # The exact FTL-limit value agrees with a long discrete FTL run of the found schedule.
    horizon = 20_000
    rows = np.concatenate(
        [
            np.full(int(f * horizon), int(np.argmax(x)))
            for x, f in zip(best.strategies, best.fractions, strict=True)
        ]
    )
    assert ftl_leader_average(game, rows) == pytest.approx(best.value, abs=3 / horizon)
    # Two-action learners: the best schedule does not beat V (DSS result 2).
    assert search_schedules(commitment_game(), 2, 10).value <= stackelberg(commitment_game()).value + 1e-9


def test_evaluate_schedule_matches_long_ftl_runs_on_random_games():
    for seed in range(3):
        game = random_game(2, 3, seed=seed)
        fractions = [0.35, 0.65]
        value = evaluate_schedule(game, [[1.0, 0.0], [0.0, 1.0]], fractions)
        horizon = 20_000
        rows = np.repeat([0, 1], [int(0.35 * horizon), horizon - int(0.35 * horizon)])
        assert ftl_leader_average(game, rows) == pytest.approx(
            value, abs=5 * np.ptp(game.leader_payoffs) / horizon
        )
    with pytest.raises(ValueError, match="'fractions' parameter of evaluate_schedule"):
        evaluate_schedule(commitment_game(), [[1.0, 0.0]], [0.5])


def test_rates_one_rounding_step_apart_do_not_stall_the_evaluation():
    """Regression: rates within the tie tolerance used to count as tied when choosing the leader
    but as "faster" when computing catch-up times, so the faster one caught up after 0 time,
    lost the tie-break again, and the loop never ended.  Now they are tied throughout: column 0
    (smallest index) is followed, and the leader earns A[1, 0] = 0 for the whole phase."""
    game = Game([[1, 0, 0], [0, 1, 0]], [[0.1, 0.1, 0.0], [0.2, 0.2 + 1e-16, 0.0]])
    assert game.follower_payoffs[1, 1] > game.follower_payoffs[1, 0]  # one rounding step apart
    assert evaluate_schedule(game, [[0.0, 1.0]], [1.0]) == 0.0
    # With a first phase on row 0 (rates 0.1, 0.1, 0): still column 0 throughout.
    assert evaluate_schedule(game, [[1.0, 0.0], [0.0, 1.0]], [0.5, 0.5]) == 0.5


@pytest.mark.parametrize("seed", range(5))
def test_near_ties_of_every_size_terminate(seed):
    """Columns 0 and 1 whose rates differ by 10^-k of the payoff scale, k = 10..16: the exact
    evaluation returns a payoff the leader can earn."""
    rng = np.random.default_rng(seed)
    for k in range(10, 17):
        B = rng.random((2, 3))
        B[:, 1] = B[:, 0] + np.array([0.0, 10.0**-k])
        game = Game(rng.random((2, 3)), B)
        value = evaluate_schedule(game, [[0.4, 0.6], [0.0, 1.0]], [0.5, 0.5])
        assert np.isfinite(value)
        assert np.min(game.leader_payoffs) - 1e-12 <= value <= np.max(game.leader_payoffs) + 1e-12
