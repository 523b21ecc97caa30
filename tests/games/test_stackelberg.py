"""Stackelberg value, strategy and margin version (multiple LPs) against brute force."""

import re
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from onlinelearn.games import Game, commitment_game, dss_game, matching_pennies, random_game, stackelberg
from onlinelearn.games.stackelberg import MARGIN_TOLERANCE, relaxed_values


def grid_value(game: Game, points: int = 20001) -> float:
    """Brute force for 2 x n games: leader-favourable value over a grid of p = P(row 1), plus every
    breakpoint where two follower columns tie (the LP optimum sits on one)."""
    A, B = game.leader_payoffs, game.follower_payoffs
    candidates = list(np.linspace(0.0, 1.0, points))
    n = game.n_follower_actions
    for j in range(n):
        for k in range(j + 1, n):
            # (1 - p) B0j + p B1j = (1 - p) B0k + p B1k
            slope = (B[1, j] - B[0, j]) - (B[1, k] - B[0, k])
            if slope != 0:
                p = (B[0, k] - B[0, j]) / slope
                if 0 <= p <= 1:
                    candidates.append(p)
    p = np.array(candidates)
    x = np.stack([1 - p, p], axis=1)
    follower, leader = x @ B, x @ A
    responses = follower >= follower.max(axis=1, keepdims=True) - 1e-9
    return float(np.where(responses, leader, -np.inf).max())


@pytest.mark.parametrize("seed", range(20))
def test_value_matches_grid_search_on_random_2xn_games(seed):
    n = 2 + seed % 4
    game = random_game(2, n, seed=seed)
    solution = stackelberg(game)
    assert solution.value == pytest.approx(grid_value(game), abs=1e-6)
    # The strategy attains the value with j* a (weak) best response.
    x = solution.strategy
    assert x.min() >= 0 and x.sum() == pytest.approx(1.0, abs=1e-12)
    follower = x @ game.follower_payoffs
    assert follower[solution.follower_action] >= follower.max() - 1e-8
    assert x @ game.leader_payoffs[:, solution.follower_action] == pytest.approx(solution.value, abs=1e-8)


@pytest.mark.parametrize("seed", range(8))
def test_value_of_zero_sum_game_is_its_minimax_value(seed):
    game = random_game(3, 4, seed=100 + seed, zero_sum=True)
    A = game.leader_payoffs
    # max_x min_j x^T A e_j as one LP in (x, v).
    result = linprog(
        c=np.append(np.zeros(3), -1.0),
        A_ub=np.hstack([-A.T, np.ones((4, 1))]),
        b_ub=np.zeros(4),
        A_eq=np.append(np.ones(3), 0.0)[None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * 3 + [(None, None)],
        method="highs",
    )
    assert stackelberg(game).value == pytest.approx(-result.fun, abs=1e-7)


def test_named_games_values_by_hand():
    # Commitment game: P(U) = 1/2 makes R a best response (leader-favourable tie), V = 3.5.
    solution = stackelberg(commitment_game())
    assert solution.value == pytest.approx(3.5)
    np.testing.assert_allclose(solution.strategy, [0.5, 0.5], atol=1e-9)
    assert solution.follower_action == 1
    # DSS: Left's LP gives 0, Right's 0 at p = 1/2, Mid's -2; V = 0, ties to the smallest j.
    solution = stackelberg(dss_game(1e-4))
    np.testing.assert_allclose(solution.values_per_action, [0.0, -2.0, 0.0], atol=1e-9)
    assert solution.value == pytest.approx(0.0, abs=1e-12) and solution.follower_action == 0
    assert stackelberg(matching_pennies()).value == pytest.approx(0.0, abs=1e-9)


def test_margin_version_on_the_commitment_game():
    # x' = (0.45, 0.55): R beats L by 0.55 - 0.45 = 0.1 and pays 4 * 0.45 + 3 * 0.55 = 3.45.
    solution = stackelberg(commitment_game(), epsilon=0.05)
    np.testing.assert_allclose(solution.strategy, [0.45, 0.55], atol=1e-9)
    assert solution.guaranteed_value == pytest.approx(3.45, abs=1e-9)
    assert solution.margin == pytest.approx(0.1, abs=1e-9)
    assert solution.value == pytest.approx(3.5) and not solution.fallback


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(2, 4), fraction=st.floats(0.01, 0.3))
def test_margin_strategy_guarantees_v_minus_epsilon_with_a_strict_margin(seed, m, n, fraction):
    game = random_game(m, n, seed=seed)
    # epsilon as a share of max A - min A, the range stackelberg accepts (a small random game can
    # have a leader range below any fixed epsilon).
    epsilon = fraction * float(np.ptp(game.leader_payoffs))
    solution = stackelberg(game, epsilon=epsilon)
    x, j = solution.strategy, solution.follower_action
    follower = x @ game.follower_payoffs
    others = np.delete(follower, j)
    assert solution.margin > 0
    assert follower[j] - others.max() == pytest.approx(solution.margin, abs=1e-9)
    guaranteed = x @ game.leader_payoffs[:, j]
    assert guaranteed == pytest.approx(solution.guaranteed_value)
    if not solution.fallback:
        assert guaranteed >= solution.value - epsilon - 1e-8


def test_fallback_when_the_best_region_has_empty_interior():
    # Column 1 duplicates column 0 for the follower and pays the leader more: it is a best
    # response only when tied with column 0, so it never has a positive margin.
    game = Game([[0.0, 5.0, 1.0], [0.0, 5.0, 2.0]], [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    solution = stackelberg(game, epsilon=0.1)
    assert stackelberg(game).value == pytest.approx(5.0)
    assert solution.fallback and solution.follower_action != 1 and solution.margin > 0


def test_relaxed_values_grow_with_the_slack():
    game = dss_game(1e-2)
    strict, _ = relaxed_values(game, 0.0)
    relaxed, strategies = relaxed_values(game, 0.5)
    assert np.all(relaxed >= strict - 1e-12)
    np.testing.assert_allclose(strategies.sum(axis=1), 1.0)


@pytest.mark.parametrize("epsilon", [-0.1, float("nan"), 10.0])
def test_bad_epsilon_names_the_argument(epsilon):
    with pytest.raises(ValueError, match="'epsilon' parameter of stackelberg"):
        stackelberg(commitment_game(), epsilon=epsilon)


def test_bad_game_and_slacks_are_rejected():
    with pytest.raises(TypeError, match="'game' parameter of stackelberg"):
        stackelberg([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="'slacks'"):
        relaxed_values(commitment_game(), -1.0)


# -- tolerances relative to the payoff scale -------------------------------------------------
@pytest.mark.parametrize("scale", [1e-9, 1e-4, 1e5])
def test_margin_version_is_invariant_to_scaling_the_payoffs(scale):
    """Margins count as positive above MARGIN_TOLERANCE (max B - min B), and the LPs run on the
    unit game: scaling B leaves the strategy unchanged and scales the margin; scaling A (and
    epsilon with it) scales the values.  An absolute tolerance reported "empty interior" here."""
    game = commitment_game()
    reference = stackelberg(game, epsilon=0.05)
    scaled_b = stackelberg(Game(game.leader_payoffs, scale * game.follower_payoffs), epsilon=0.05)
    np.testing.assert_allclose(scaled_b.strategy, reference.strategy, atol=1e-9)
    assert scaled_b.margin == pytest.approx(scale * reference.margin, rel=1e-9)
    assert not scaled_b.fallback and scaled_b.follower_action == reference.follower_action
    scaled_a = stackelberg(Game(scale * game.leader_payoffs, game.follower_payoffs), epsilon=0.05 * scale)
    np.testing.assert_allclose(scaled_a.strategy, reference.strategy, atol=1e-9)
    assert scaled_a.value == pytest.approx(scale * reference.value, rel=1e-9)
    assert scaled_a.guaranteed_value == pytest.approx(scale * reference.guaranteed_value, rel=1e-9)
    assert scaled_a.margin == pytest.approx(reference.margin, rel=1e-9)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), exponent=st.integers(-9, 6))
def test_scaled_random_games_have_the_same_stackelberg_solution(seed, exponent):
    game = random_game(3, 3, seed=seed)
    scale = 10.0**exponent
    scaled = Game(scale * game.leader_payoffs + 1.0, scale * game.follower_payoffs - 2.0)
    exact, exact_scaled = stackelberg(game), stackelberg(scaled)
    assert exact_scaled.value == pytest.approx(scale * exact.value + 1.0, rel=1e-7, abs=1e-7 * scale)
    margin, margin_scaled = stackelberg(game, 0.05), stackelberg(scaled, 0.05 * scale)
    assert margin_scaled.follower_action == margin.follower_action
    assert margin_scaled.fallback == margin.fallback
    assert margin_scaled.margin == pytest.approx(scale * margin.margin, rel=1e-6)


def test_epsilon_too_small_for_a_margin_raises_with_the_smallest_workable_epsilon():
    """On the commitment game x' = (1/2 - epsilon, 1/2 + epsilon) gives R the margin 2 epsilon
    (B units, range 1): epsilon = 1e-12 is below the tolerance.  It used to fall back silently to
    L with ``fallback=True``, although R's region has an interior."""
    game = commitment_game()
    with pytest.raises(ValueError, match="'epsilon' parameter of stackelberg must be a float in") as e:
        stackelberg(game, epsilon=1e-12)
    assert "best response 1 strict by only 2e-12" in str(e.value)
    smallest = float(re.search(r"range \[([0-9.e+-]+),", str(e.value)).group(1))
    assert 0 < smallest <= 1e-8
    solution = stackelberg(game, epsilon=1.01 * smallest)
    assert solution.follower_action == 1 and not solution.fallback
    assert solution.margin > MARGIN_TOLERANCE * np.ptp(game.follower_payoffs)
    # The same, in a game whose follower payoffs are 1e-9 times smaller (relative tolerance).
    tiny = Game(game.leader_payoffs, 1e-9 * game.follower_payoffs)
    with pytest.raises(ValueError, match="'epsilon' parameter of stackelberg"):
        stackelberg(tiny, epsilon=1e-12)
    assert stackelberg(tiny, epsilon=0.05).margin == pytest.approx(1e-10, rel=1e-6)


def test_an_lp_that_highs_does_not_solve_raises_with_its_message(monkeypatch):
    import scipy.optimize

    def failing(*args, **kwargs):
        return SimpleNamespace(status=4, message="Numerical difficulties encountered.", x=None)

    monkeypatch.setattr(scipy.optimize, "linprog", failing)
    with pytest.raises(RuntimeError, match="status 4: Numerical difficulties encountered"):
        relaxed_values(commitment_game(), 0.0)
