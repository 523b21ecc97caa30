"""Game validation, normalisation, named games and Nash equilibria."""

import pickle

import numpy as np
import pytest

from onlinelearn.games import (
    Game,
    commitment_game,
    dss_game,
    matching_pennies,
    nash,
    random_game,
    stackelberg,
)


def test_mismatched_shapes_name_the_argument():
    with pytest.raises(ValueError, match="'follower_payoffs' parameter of Game must have the shape"):
        Game(np.zeros((2, 3)), np.zeros((3, 2)))


@pytest.mark.parametrize("bad", [[[0.0, np.nan], [1.0, 2.0]], [[0.0, np.inf], [1.0, 2.0]]])
def test_nan_and_inf_payoffs_name_the_argument(bad):
    with pytest.raises(ValueError, match="'leader_payoffs' parameter of Game must be finite"):
        Game(bad, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="'follower_payoffs' parameter of Game must be finite"):
        Game(np.zeros((2, 2)), bad)


def test_wrong_dimensions_and_types():
    with pytest.raises(ValueError, match="'leader_payoffs'.*2-D"):
        Game([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 1 row and 2 columns"):
        Game([[1.0], [2.0]], [[1.0], [2.0]])
    with pytest.raises(TypeError, match="'leader_payoffs'"):
        Game([["a", "b"]], [[1.0, 2.0]])


@pytest.mark.parametrize("strategy", [[0.5, 0.6], [1.2, -0.2], [np.nan, 1.0], [1.0]])
def test_mixed_strategies_must_lie_on_the_simplex(strategy):
    with pytest.raises(ValueError, match="'leader_strategy' parameter of Game must be a mixed strategy"):
        commitment_game().payoffs(strategy, [0.5, 0.5])


def test_payoffs_best_responses_and_normalisation():
    game = commitment_game()
    assert game.payoffs([1.0, 0.0], [0.0, 1.0]) == (4.0, 0.0)
    np.testing.assert_array_equal(game.best_responses([0.5, 0.5]), [0, 1])
    assert game.leader_value([0.5, 0.5]) == 3.5  # tie broken for the leader
    unit = dss_game(1e-2).normalised()
    assert unit.leader_payoffs.min() == 0 and unit.leader_payoffs.max() == 1
    assert unit.follower_payoffs.min() == 0 and unit.follower_payoffs.max() == 1
    # Normalising changes neither the follower's best responses nor the Stackelberg strategy.
    x = stackelberg(dss_game(1e-2)).strategy
    np.testing.assert_allclose(stackelberg(unit).strategy, x, atol=1e-9)


def test_named_and_random_games():
    assert dss_game(1e-4).follower_payoffs[0, 0] == pytest.approx(1e-2)
    assert matching_pennies().shape == (2, 2)
    assert random_game(3, 4, seed=1) == random_game(3, 4, seed=1)
    assert random_game(3, 4, seed=1) != random_game(3, 4, seed=2)
    zero_sum = random_game(2, 3, seed=0, zero_sum=True)
    np.testing.assert_array_equal(zero_sum.follower_payoffs, -zero_sum.leader_payoffs)
    with pytest.raises(ValueError, match="'gamma' parameter of dss_game"):
        dss_game(0.0)
    with pytest.raises(ValueError, match="'n_follower_actions' parameter of random_game"):
        random_game(2, 1)


def test_game_pickles_and_caches_its_value():
    game = dss_game()
    assert game.stackelberg_value == pytest.approx(0.0, abs=1e-12)
    assert pickle.loads(pickle.dumps(game)) == game


def test_nash_of_named_games():
    (equilibrium,) = nash(commitment_game())  # U dominates: (U, L) pays the leader 2 < V = 3.5
    np.testing.assert_allclose(equilibrium.leader_strategy, [1, 0])
    assert equilibrium.leader_value == 2.0 < stackelberg(commitment_game()).value
    (equilibrium,) = nash(matching_pennies())
    np.testing.assert_allclose(equilibrium.follower_strategy, [0.5, 0.5])


@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e8])
def test_nash_support_enumeration_is_scale_invariant(scale):
    """The fallback enumeration (used without nashpy) finds the same equilibria after the payoffs
    are multiplied by ``scale``: its no-deviation slack is relative to the payoff range."""
    from onlinelearn.games.nash import _support_enumeration

    game = random_game(3, 4, seed=3)
    scaled = Game(scale * game.leader_payoffs, scale * game.follower_payoffs)
    reference, found = _support_enumeration(game), _support_enumeration(scaled)
    assert len(reference) >= 1 and len(found) == len(reference)
    for (x, y), (x_scaled, y_scaled) in zip(reference, found, strict=True):
        np.testing.assert_allclose(x_scaled, x, atol=1e-9)
        np.testing.assert_allclose(y_scaled, y, atol=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_stackelberg_value_is_at_least_every_nash_value(seed):
    game = random_game(3, 3, seed=seed)
    equilibria = nash(game)
    assert equilibria  # a nondegenerate game has at least one equilibrium
    for equilibrium in equilibria:
        x, y = equilibrium.leader_strategy, equilibrium.follower_strategy
        # Equilibrium conditions.
        assert (game.leader_payoffs @ y).max() <= equilibrium.leader_value + 1e-9
        assert (x @ game.follower_payoffs).max() <= equilibrium.follower_value + 1e-9
        assert stackelberg(game).value >= equilibrium.leader_value - 1e-9
