"""Bimatrix games, their Stackelberg and Nash solutions, and the record layout of repeated games.

Deng, Schneider and Sivan, "Strategizing against no-regret learners", NeurIPS 2019: a leader
(optimizer) repeatedly plays a game against a follower running a no-regret algorithm.  The
repeated game itself is :class:`onlinelearn.environments.games.RepeatedGame`.
"""

from onlinelearn.games.game import Game, check_strategy
from onlinelearn.games.named import commitment_game, dss_game, matching_pennies, random_game
from onlinelearn.games.nash import NashEquilibrium, nash
from onlinelearn.games.spec import GameSpec
from onlinelearn.games.stackelberg import StackelbergSolution, relaxed_values, stackelberg

__all__ = [
    "Game",
    "GameSpec",
    "NashEquilibrium",
    "StackelbergSolution",
    "check_strategy",
    "commitment_game",
    "dss_game",
    "matching_pennies",
    "nash",
    "random_game",
    "relaxed_values",
    "stackelberg",
]
