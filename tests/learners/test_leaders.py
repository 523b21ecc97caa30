"""Leaders of repeated games: Schedule, Commitment, MyopicBestResponse, and what they can earn."""

import numpy as np
import pytest
from onlinelearn.environments.games import RepeatedGame

from onlinelearn.core import EnvSpec, FeedbackKind
from onlinelearn.games import commitment_game, dss_game, random_game, relaxed_values, stackelberg
from onlinelearn.learners.exp3 import EXP3
from onlinelearn.learners.followers import FTPL, BlumMansour, FollowTheLeader
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.leaders import Commitment, MyopicBestResponse, Schedule, two_phase_schedule
from onlinelearn.testing import check_learner
from tests.conftest import QUICK
from tests.games.helpers import final, mean_minus_3se, mean_plus_3se, run_game

ENV = RepeatedGame(dss_game(), BlumMansour(eta=0.5))


@pytest.mark.parametrize(
    "learner", [two_phase_schedule(), Commitment(), Commitment(strategy=[0.3, 0.7]), MyopicBestResponse()]
)
def test_public_checker(learner):
    check_learner(learner, ENV)


def reset(leader, game, horizon, seed=0):
    env = RepeatedGame(game, FollowTheLeader())
    spec = env.reset(seed=0).with_horizon(horizon)
    leader.reset(spec, np.random.default_rng(seed))
    return env


def test_schedule_phases_by_hand():
    # T = 10, fractions (0.3, 0.7): rounds 0-2 play row 0, rounds 3-9 row 1.
    leader = Schedule([[1.0, 0.0], [0.0, 1.0]], [0.3, 0.7])
    env = reset(leader, dss_game(), 10)
    actions = []
    for _ in range(10):
        actions.append(leader.act())
        leader.update(env.step(actions[-1]))
    assert actions == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]


def test_commitment_samples_the_margin_strategy_by_inverse_cdf():
    leader = Commitment(epsilon=0.05)  # x' = (0.45, 0.55) on the commitment game
    env = reset(leader, commitment_game(), 5, seed=8)
    u = np.random.default_rng(8).random(5)
    for t in range(5):
        action = leader.act()
        assert action == int(u[t] >= 0.45)
        leader.update(env.step(action))
    np.testing.assert_allclose(leader.commitment(env.spec_), [0.45, 0.55], atol=1e-9)


def test_myopic_best_response_by_hand():
    leader = MyopicBestResponse()
    env = reset(leader, commitment_game(), 3)
    # Predicted follower action L (all tied), best row against L is U (2 > 1).
    assert leader.act() == 0
    leader.update(env.step(0))
    # The follower's cumulative payoffs (1, 0): L again, so U again: the Nash outcome.
    assert leader.act() == 0


def test_bad_leader_input_names_the_argument():
    spec = RepeatedGame(commitment_game(), Hedge(eta=0.1)).reset(seed=0).with_horizon(10)
    with pytest.raises(
        ValueError, match="'strategy' parameter of Commitment must be a mixed strategy summing to 1"
    ):
        Commitment(strategy=[0.5, 0.6]).reset(spec)
    with pytest.raises(ValueError, match="'strategy' parameter of Commitment"):
        Commitment(strategy=[0.2, 0.3, 0.5]).reset(spec)
    with pytest.raises(ValueError, match="'epsilon' parameter of Commitment"):
        Commitment(epsilon=0.0).reset(spec)
    with pytest.raises(ValueError, match="'epsilon' parameter of stackelberg"):
        Commitment(epsilon=5.0).reset(spec)  # more than max A - min A = 3
    with pytest.raises(ValueError, match="'fractions' parameter of Schedule"):
        Schedule([[1.0, 0.0], [0.0, 1.0]], [0.5, 0.6]).reset(spec)
    with pytest.raises(ValueError, match="'strategies' parameter of Schedule"):
        Schedule([[0.5, 0.4]], [1.0]).reset(spec)
    with pytest.raises(TypeError, match="needs the GameSpec"):
        two_phase_schedule().reset(EnvSpec(FeedbackKind.GAME, n_actions=2, horizon=10))


# -- what the leader earns -------------------------------------------------------------------
def commitment_bound(game, epsilon, regret, horizon):
    """Reference notes §2.4 in expectation: E[avg] >= V - eps - (V - eps - min A) Reg_T / (delta~ T),
    where delta~ is the margin in follower payoffs rescaled to [0, 1] and Reg_T the follower's
    expected external regret bound on [0, 1] losses (the leader's i.i.d. play is oblivious)."""
    solution = stackelberg(game, epsilon)
    margin = solution.margin / np.ptp(game.follower_payoffs)
    guaranteed = solution.guaranteed_value
    return guaranteed - (guaranteed - game.leader_payoffs.min()) * regret / (margin * horizon)


@pytest.mark.parametrize("follower", ["hedge", "exp3", "ftpl", "blum_mansour"])
def test_commitment_earns_v_minus_epsilon_minus_regret_term(follower):
    """Follower regret bounds on [0, 1] losses, n = 2: Hedge sqrt(T ln n / 2) (Cesa-Bianchi and
    Lugosi Thm 2.2), EXP3 sqrt(2 T n ln n) (Lattimore and Szepesvari Thm 11.2), FTPL
    2 sqrt(2 n T) (Kalai and Vempala Thm 1.1), Blum-Mansour external <= swap <= sqrt(T n ln n / 2)."""
    horizon, reps = (5_000, 10) if QUICK else (20_000, 30)
    n = 2
    learner, regret = {
        "hedge": (Hedge(), np.sqrt(horizon * np.log(n) / 2)),
        "exp3": (EXP3(), np.sqrt(2 * horizon * n * np.log(n))),
        "ftpl": (FTPL(), 2 * np.sqrt(2 * n * horizon)),
        "blum_mansour": (BlumMansour(), np.sqrt(horizon * n * np.log(n) / 2)),
    }[follower]
    game, epsilon = commitment_game(), 0.05
    result = run_game(
        Commitment(epsilon=epsilon), RepeatedGame(game, learner, n_rounds=horizon), horizon, reps
    )
    averages = final(result, "average_utility")
    assert mean_minus_3se(averages) >= commitment_bound(game, epsilon, regret, horizon)
    assert averages.mean() <= game.stackelberg_value + 0.05  # and it cannot do much better


def test_commitment_on_a_random_game_against_hedge():
    horizon, reps = (5_000, 10) if QUICK else (20_000, 30)
    game, epsilon = random_game(3, 2, seed=5), 0.02
    result = run_game(
        Commitment(epsilon=epsilon), RepeatedGame(game, Hedge(), n_rounds=horizon), horizon, reps
    )
    regret = np.sqrt(horizon * np.log(2) / 2)
    assert mean_minus_3se(final(result, "average_utility")) >= commitment_bound(
        game, epsilon, regret, horizon
    )


def test_dss_against_hedge_regression_table():
    """Reference notes §2.7 table (expected utilities, gamma = 1e-4, learner payoffs unscaled):
    eta = c / sqrt(T) on raw payoffs is 2c / sqrt(T) on payoffs rescaled to [0, 1] (range 2)."""
    table = {(10_000, 1): 0.511, (10_000, 10): 0.850, (100_000, 1): 0.659, (100_000, 10): 0.945}
    for (horizon, c), expected in table.items():
        env = RepeatedGame(dss_game(1e-4), Hedge(eta=2 * c / np.sqrt(horizon)))
        average = final(run_game(two_phase_schedule(), env, horizon), "average_utility")[0]
        assert average == pytest.approx(expected, abs=1e-3)


SCHEDULES = {
    "exploit": two_phase_schedule(),
    "late switch": two_phase_schedule(0.8),
    "reversed": Schedule([[0.0, 1.0], [1.0, 0.0]], [0.5, 0.5]),  # reaches V = 3.5 on the commitment game
    "commitment": Commitment(epsilon=0.05),
    "myopic": MyopicBestResponse(),
    "random": Schedule(np.random.default_rng(0).dirichlet(np.ones(2), size=4), [0.1, 0.4, 0.2, 0.3]),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_nothing_beats_v_against_no_swap_regret(name):
    """DSS 2019 result 6.  Certificate: with w_j = sum_t y_t(j) and delta_j the gap of j to the best
    response against the leader's play weighted by y_t(j) (so sum_j w_j delta_j = swap regret),
    T * average = sum_j w_j (x_j^T A e_j) <= sum_j w_j V_j(delta_j).  On the DSS game
    V_j(delta) <= V + 2 delta (Right: 4p - 2 with p <= (1 + delta) / 2), so average <= V + 2 swap / T."""
    horizon = 2_000 if QUICK else 10_000
    game = dss_game(1e-2)
    leader = SCHEDULES[name]
    env = RepeatedGame(game, BlumMansour(), n_rounds=horizon)
    spec = env.reset(seed=1).with_horizon(horizon)
    leader.reset(spec, np.random.default_rng(2))
    A, B = game.leader_payoffs, game.follower_payoffs
    n = game.n_follower_actions
    weights, weighted_rows, earned = np.zeros(n), np.zeros((n, game.n_leader_actions)), 0.0
    start = 7 + game.n_leader_actions + 2
    for _ in range(horizon):
        i = leader.act()
        feedback = env.step(i)
        leader.update(feedback)
        y = env.oracle().values[start : start + n]
        weights += y
        weighted_rows[:, i] += y
        earned += A[i] @ y
    gaps = np.zeros(n)
    for j in range(n):
        if weights[j] > 0:
            follower = (weighted_rows[j] / weights[j]) @ B
            gaps[j] = follower.max() - follower[j]
    swap = float(weights @ gaps)
    values, _ = relaxed_values(game, gaps + 1e-9)
    used = weights > 0
    assert earned <= weights[used] @ values[used] + 1e-6
    assert earned / horizon <= game.stackelberg_value + 2 * swap / horizon + 1e-9


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_nothing_beats_v_against_a_two_action_learner(name):
    """DSS 2019 result 2: a learner with two actions cannot be exploited beyond V + o(1).  Stated
    tolerance C / sqrt(T) with C = 10 (reference notes §2.9, test 5), Hedge with default tuning."""
    horizon, reps = (5_000, 5) if QUICK else (20_000, 20)
    game = commitment_game()
    result = run_game(SCHEDULES[name], RepeatedGame(game, Hedge(), n_rounds=horizon), horizon, reps)
    assert mean_plus_3se(final(result, "average_utility")) <= game.stackelberg_value + 10 / np.sqrt(horizon)
