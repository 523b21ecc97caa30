"""Piecewise-constant leader schedules against the mean-based (follow-the-leader) limit.

Deng, Schneider and Sivan (NeurIPS 2019) characterise the best play against a mean-based
learner as a control problem: with ``h(s)`` the leader's cumulative play at time ``sT``, the
learner plays ``j(h) = argmax_j (B^T h)_j`` and the leader earns ``U = int_0^1 h'(s)^T A
e_{j(h(s))} ds``.  For a piecewise-constant schedule (``x_k`` during a fraction ``f_k`` of the
horizon) ``B^T h`` moves on straight lines, so :func:`evaluate_schedule` computes ``U`` exactly by
following each phase from one overtaking to the next.  :func:`search_schedules` is a brute-force
search over a grid of strategies and phase lengths: a heuristic (optimising against mean-based
learners is hard in general; Assos et al., NeurIPS 2024), not a promise of optimality.

Ties: the follower's action is the right limit of FTL: the largest cumulative payoff, then the
largest current rate of increase, then the smallest index.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from onlinelearn.games.game import Game, check_strategy
from onlinelearn.games.stackelberg import stackelberg

#: Tolerance, relative to ``1 + max |B|``, for "tied" cumulative payoffs and rates.
TIE_TOLERANCE = 1e-12


def _leader_of(cumulative: np.ndarray, rates: np.ndarray, tolerance: float) -> int:
    """FTL's action in the limit: the largest cumulative payoff, then the largest rate, then the
    smallest index; values within ``tolerance`` of the best count as tied."""
    top = cumulative.max()
    tied = np.flatnonzero(cumulative >= top - tolerance)
    fastest = rates[tied].max()
    return int(tied[np.flatnonzero(rates[tied] >= fastest - tolerance)[0]])


def evaluate_schedule(game: Game, strategies, fractions) -> float:
    """Average leader payoff of the schedule against follow-the-leader as ``T -> infinity``.

    Args:
        game: the bimatrix game.
        strategies: ``(K, m)`` mixed strategies, one per phase.
        fractions: ``K`` positive phase lengths summing to 1.
    """
    A, B = game.leader_payoffs, game.follower_payoffs
    strategies = np.atleast_2d(np.asarray(strategies, dtype=float))
    rows = [check_strategy(x, game.n_leader_actions, "strategies", "evaluate_schedule") for x in strategies]
    fractions = np.asarray(fractions, dtype=float).reshape(-1)
    if fractions.shape != (len(rows),) or np.any(fractions <= 0) or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(
            f"The 'fractions' parameter of evaluate_schedule must be {len(rows)} positive fractions "
            f"summing to 1. Got {fractions!r} instead."
        )
    tolerance = TIE_TOLERANCE * (1.0 + np.abs(B).max())
    cumulative = np.zeros(game.n_follower_actions)
    total = 0.0
    for x, length in zip(rows, fractions, strict=True):
        rates = x @ B
        payoffs = x @ A
        remaining = float(length)
        # Each event below is an overtaking of the leading action j by one whose rate exceeds j's
        # by more than the tolerance, so the leader's rate strictly increases: at most n events.
        for _ in range(game.n_follower_actions + 1):
            j = _leader_of(cumulative, rates, tolerance)
            # "Faster" uses the tolerance of _leader_of: an action tied at the top and faster by
            # less than it lost the tie-break to j and must not overtake it after 0 time.  Every
            # faster action then trails j by more than the tolerance, so its catch-up time is
            # positive (at least tolerance / (2 max|B|), far above the rounding of `remaining`).
            faster = rates > rates[j] + tolerance
            catch_up = np.full(rates.shape, np.inf)
            catch_up[faster] = (cumulative[j] - cumulative[faster]) / (rates[faster] - rates[j])
            step = min(remaining, float(catch_up.min()))
            if not (step > 0 and remaining - step < remaining):
                raise RuntimeError(
                    f"evaluate_schedule made no progress on {game!r} (catch-up time {step!r} with "
                    f"{remaining!r} of the phase left); please report this game."
                )
            total += step * payoffs[j]
            cumulative += step * rates
            remaining -= step
            if remaining <= 0:
                break
            k = int(np.argmin(catch_up))
            cumulative[k] = cumulative[j]  # k has caught up: remove the rounding of the step
        else:
            raise RuntimeError(
                f"evaluate_schedule found more overtakings than follower actions in a phase on "
                f"{game!r}; please report this game."
            )
    return float(total)


@dataclass(frozen=True)
class ScheduleSearchResult:
    """Best schedule found: its exact FTL-limit value, phases, and the game's ``V`` for reference."""

    value: float
    strategies: np.ndarray
    fractions: np.ndarray
    stackelberg_value: float
    n_evaluated: int


def simplex_grid(m: int, resolution: int) -> np.ndarray:
    """Every mixed strategy over ``m`` actions with coordinates in multiples of ``1/resolution``."""
    points = [c for c in itertools.product(range(resolution + 1), repeat=m) if sum(c) == resolution]
    return np.array(points, dtype=float) / resolution


def search_schedules(
    game: Game, n_phases: int = 2, resolution: int = 10, max_evaluations: int = 200_000
) -> ScheduleSearchResult:
    """Best piecewise-constant schedule over a grid (see the module docstring).

    Candidates: every strategy of :func:`simplex_grid` plus the Stackelberg strategy, in each of
    ``n_phases`` phases, with phase lengths in multiples of ``1/resolution``.

    Raises:
        ValueError: the grid has more than ``max_evaluations`` schedules (lower ``resolution`` or
            ``n_phases``).
    """
    if not isinstance(game, Game):
        raise TypeError(f"The 'game' parameter of search_schedules must be a Game. Got {game!r} instead.")
    for name, value in (("n_phases", n_phases), ("resolution", resolution)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(
                f"The '{name}' parameter of search_schedules must be an int in the range [1, inf). "
                f"Got {value!r} instead."
            )
    solution = stackelberg(game)
    candidates = np.vstack([simplex_grid(game.n_leader_actions, resolution), solution.strategy])
    lengths = [
        c for c in itertools.product(range(1, resolution + 1), repeat=n_phases) if sum(c) == resolution
    ]
    count = len(candidates) ** n_phases * len(lengths)
    if count > max_evaluations:
        raise ValueError(
            f"search_schedules would evaluate {count} schedules (more than max_evaluations = "
            f"{max_evaluations}); lower 'resolution' or 'n_phases'."
        )
    best = (-np.inf, None, None)
    for phases in itertools.product(range(len(candidates)), repeat=n_phases):
        strategies = candidates[list(phases)]
        for length in lengths:
            fractions = np.array(length, dtype=float) / resolution
            value = evaluate_schedule(game, strategies, fractions)
            if value > best[0] + 1e-12:
                best = (value, strategies, fractions)
    return ScheduleSearchResult(best[0], best[1], best[2], solution.value, count)
