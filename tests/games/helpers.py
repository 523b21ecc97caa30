"""Shared pieces of the game tests: one tracker list, so that compiled runners are shared."""

import numpy as np

import onlinelearn as ol
from onlinelearn.trackers.games import FollowerRegret, StackelbergGap


def game_trackers():
    return [StackelbergGap(), FollowerRegret()]


def run_game(leader, environment, horizon, n_reps=1, seed=0):
    """``ol.run`` of one leader on one repeated game with :func:`game_trackers`."""
    return ol.run(
        [leader], [environment], horizon, n_reps, seed=seed, trackers=game_trackers(), progress=False
    )


def final(result, metric):
    return result.final(metric)[0, 0]


def mean_minus_3se(values):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return float(values[0])
    return values.mean() - 3 * values.std(ddof=1) / np.sqrt(len(values))


def mean_plus_3se(values):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return float(values[0])
    return values.mean() + 3 * values.std(ddof=1) / np.sqrt(len(values))
