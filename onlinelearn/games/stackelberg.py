"""Stackelberg value and commitment strategies by the multiple-LPs method.

Strong Stackelberg value (ties in the follower's best response broken for the leader)::

    V = max_{x in simplex} max_{j in BR(x)} (x^T A)_j,     BR(x) = argmax_k (x^T B)_k.

Multiple LPs (Conitzer and Sandholm, "Computing the optimal strategy to commit to", EC 2006):
for each follower action ``j``::

    LP_j:  maximise  x^T A e_j   subject to   x^T (B e_j - B e_k) >= -s   for all k != j,
                                              x in the simplex,

with slack ``s = 0``; ``V`` is the largest feasible value, reached by the follower action
``j*`` (smallest index on ties) and strategy ``x*``.  A positive slack ``s`` gives the values
``V_j(s)`` of ``s``-approximate best responses, used to bound what an optimizer can earn against
a learner with swap regret (:func:`relaxed_values`).

Margin version (``epsilon > 0``): ``x*`` usually leaves the follower indifferent between ``j*``
and another action, so a learner may drift to the other one.  The strategy returned instead solves::

    maximise delta  subject to  x^T A e_j >= V_j - epsilon,   x^T (B e_j - B e_k) >= delta  (k != j),
                                x in the simplex,

for ``j = j*``: it guarantees the leader ``V - epsilon`` whenever the follower plays ``j*``, and
makes ``j*`` the strict best response by the margin ``delta`` (in units of ``B``).  Margins count as
positive when they exceed ``MARGIN_TOLERANCE (max B - min B)``, so scaling ``B`` (or ``A``, with
``epsilon``) leaves the answer unchanged.  Two ways the margin can fail to be positive:

* the region where ``j*`` is a best response has empty interior (the case Deng, Schneider and
  Sivan's "mild assumption" excludes): the next best follower action whose region has an interior
  is used and ``fallback`` says so;
* the region has an interior but ``epsilon`` is too small to reach it: a ``ValueError`` names the
  smallest ``epsilon`` that gives a positive margin.

All LPs are solved with ``scipy.optimize.linprog(method="highs")``, once, offline, on the game
mapped affinely onto [0, 1]; an LP that HiGHS reports neither optimal nor infeasible raises
``RuntimeError`` with its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from onlinelearn.games.game import Game

#: Margins at or below this fraction of ``max B - min B`` count as zero.  Every LP is solved on the
#: game mapped affinely onto [0, 1] (:meth:`~onlinelearn.games.Game.normalised`), where HiGHS's
#: absolute feasibility tolerance (1e-7) is a tolerance relative to the payoff range; the margin
#: tolerance sits above the resulting error in the margins.
MARGIN_TOLERANCE = 1e-9


@dataclass(frozen=True)
class StackelbergSolution:
    """Result of :func:`stackelberg`.

    Attributes:
        value: the strong Stackelberg value ``V`` of the game.
        strategy: the leader's commitment: ``x*`` (``epsilon=0``) or the margin strategy ``x'``.
        follower_action: the follower action ``j`` the commitment induces.
        guaranteed_value: ``x^T A e_j`` for the returned strategy (``V`` when ``epsilon=0``, at
            least ``V - epsilon`` otherwise unless ``fallback``).
        margin: ``min_{k != j} x^T (B e_j - B e_k)``: how strictly ``j`` is the best response.
        epsilon: the ``epsilon`` asked for.
        values_per_action: ``V_j`` for every follower action (``-inf`` where ``j`` is never a best
            response).
        fallback: ``True`` when ``j*`` admits no positive margin and another action was used.
    """

    value: float
    strategy: np.ndarray
    follower_action: int
    guaranteed_value: float
    margin: float
    epsilon: float
    values_per_action: np.ndarray
    fallback: bool = False


def _check_game(game) -> Game:
    if not isinstance(game, Game):
        raise TypeError(f"The 'game' parameter of stackelberg must be a Game. Got {game!r} instead.")
    return game


def _best_response_rows(B: np.ndarray, j: int) -> np.ndarray:
    """Rows ``-(B e_j - B e_k)^T`` for every ``k != j`` (the ``A_ub`` of ``x^T(...) >= ...``)."""
    others = [k for k in range(B.shape[1]) if k != j]
    return -(B[:, [j]] - B[:, others]).T


def _linprog(what: str, **kwargs):
    """HiGHS; the result when it is optimal (status 0) or infeasible (2), else a RuntimeError."""
    from scipy.optimize import linprog

    result = linprog(method="highs", **kwargs)
    if result.status not in (0, 2):
        raise RuntimeError(
            f"HiGHS did not solve {what} (status {result.status}: {result.message}). The payoffs "
            "may be badly conditioned; please report the game."
        )
    return result


def _project(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, None)
    return x / x.sum()


def _margin(B: np.ndarray, x: np.ndarray, j: int) -> float:
    """``min_{k != j} x^T (B e_j - B e_k)``: how strictly ``j`` is the best response to ``x``."""
    return float(np.min(x @ (B[:, [j]] - np.delete(B, j, axis=1))))


def _best_value_lp(unit: Game, j: int, slack: float):
    """``max x^T A~ e_j`` subject to ``x^T (B~ e_j - B~ e_k) >= -slack`` (all ``k``), on the unit game.

    A negative ``slack`` asks for a margin; returns the maximiser on the simplex, or None if the
    LP is infeasible."""
    A, B = unit.leader_payoffs, unit.follower_payoffs
    m, n = unit.shape
    result = _linprog(
        f"the best-response LP of follower action {j} of {unit!r}",
        c=-A[:, j],
        A_ub=_best_response_rows(B, j),
        b_ub=np.full(n - 1, slack),
        A_eq=np.ones((1, m)),
        b_eq=[1.0],
        bounds=[(0, None)] * m,
    )
    return _project(result.x) if result.status == 0 else None


def relaxed_values(game: Game, slacks) -> tuple[np.ndarray, np.ndarray]:
    """``V_j(s_j)`` and its maximiser for every follower action ``j`` (``-inf``/NaN if infeasible).

    ``V_j(s) = max { x^T A e_j : x in simplex, (x^T B)_j >= (x^T B)_k - s for all k }``: the best
    the leader gets while ``j`` is an ``s``-approximate best response.  ``slacks`` (in units of
    ``B``) is a scalar or one value per follower action, each >= 0.
    """
    game = _check_game(game)
    A, B = game.leader_payoffs, game.follower_payoffs
    m, n = game.shape
    slacks = np.broadcast_to(np.asarray(slacks, dtype=float), (n,))
    if not np.all(np.isfinite(slacks)) or np.any(slacks < 0):
        raise ValueError(
            f"The 'slacks' parameter of relaxed_values must be finite and >= 0. Got {slacks!r} instead."
        )
    unit, spread = game.normalised(), float(np.ptp(B))
    values = np.full(n, -np.inf)
    strategies = np.full((n, m), np.nan)
    for j in range(n):
        x = _best_value_lp(unit, j, slacks[j] / spread if spread > 0 else 0.0)
        if x is not None:
            strategies[j] = x
            values[j] = float(x @ A[:, j])
    return values, strategies


def _margin_strategy(game: Game, unit: Game, j: int, target: float | None):
    """Maximise the margin of ``j`` subject to ``x^T A e_j >= target`` (no value constraint when
    ``target`` is None); returns ``(x, margin in units of B)``, ``(None, -inf)`` if infeasible."""
    A, B = unit.leader_payoffs, unit.follower_payoffs
    m, n = unit.shape
    # Variables (x_1..x_m, delta~); delta~ is free but capped to keep the LP bounded (margins on
    # the unit game are at most 1).
    rows = np.hstack([_best_response_rows(B, j), np.ones((n - 1, 1))])
    bounds = np.zeros(n - 1)
    if target is not None:
        low, spread = float(game.leader_payoffs.min()), float(np.ptp(game.leader_payoffs))
        unit_target = (target - low) / spread if spread > 0 else -1.0
        rows = np.vstack([rows, np.append(-A[:, j], 0.0)])
        bounds = np.append(bounds, -unit_target)
    result = _linprog(
        f"the margin LP of follower action {j} of {game!r}",
        c=np.append(np.zeros(m), -1.0),
        A_ub=rows,
        b_ub=bounds,
        A_eq=np.append(np.ones(m), 0.0)[None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(-2.0, 2.0)],
    )
    if result.status != 0:
        return None, -np.inf
    x = _project(result.x[:m])
    return x, _margin(game.follower_payoffs, x, j)


def stackelberg(game: Game, epsilon: float = 0.0) -> StackelbergSolution:
    """Strong Stackelberg value and commitment strategy of ``game``.

    Args:
        game: the bimatrix game.
        epsilon: ``0`` for the exact ``(V, x*)``; ``> 0`` for the margin strategy guaranteeing
            ``V - epsilon`` with the follower's best response strict by ``margin``.  Must not
            exceed the range of the leader's payoffs ``max A - min A``.

    Raises:
        ValueError: ``epsilon`` is negative, not finite, larger than the range of ``A``, or too
            small to make the follower's best response strict (the message gives the smallest
            ``epsilon`` that does); or no follower action can be made a strict best response.
        RuntimeError: HiGHS reports an LP neither optimal nor infeasible.
    """
    game = _check_game(game)
    A = game.leader_payoffs
    spread = float(np.ptp(A))
    if not isinstance(epsilon, int | float | np.floating | np.integer) or isinstance(epsilon, bool):
        raise TypeError(f"The 'epsilon' parameter of stackelberg must be a float. Got {epsilon!r} instead.")
    if not np.isfinite(epsilon) or epsilon < 0 or (epsilon > 0 and epsilon > spread):
        raise ValueError(
            "The 'epsilon' parameter of stackelberg must be a float in the range "
            f"[0, {spread:g}] (0 or at most max A - min A). Got {epsilon!r} instead."
        )
    return _solve(game, float(epsilon))


@lru_cache(maxsize=256)
def _solve(game: Game, epsilon: float) -> StackelbergSolution:
    """The LPs of :func:`stackelberg`, solved once per (game, epsilon): environments and leaders
    ask at every reset.  Games hash by their payoff matrices; returned arrays are read-only."""
    A, B = game.leader_payoffs, game.follower_payoffs
    values, strategies = relaxed_values(game, 0.0)
    for array in (values, strategies):
        array.setflags(write=False)
    best = int(np.argmax(values))  # first index on ties
    value = float(values[best])
    if epsilon == 0:
        x = strategies[best]
        return StackelbergSolution(value, x, best, value, _margin(B, x, best), 0.0, values, False)
    unit = game.normalised()
    tolerance = MARGIN_TOLERANCE * float(np.ptp(B))
    order = [int(j) for j in np.argsort(-values, kind="stable") if np.isfinite(values[j])]
    for rank, j in enumerate(order):
        _, widest = _margin_strategy(game, unit, j, None)
        if not widest > tolerance:
            continue  # j's best-response region has empty interior: fall back to the next action
        x, margin = _margin_strategy(game, unit, j, float(values[j]) - epsilon)
        if not margin > tolerance:
            raise ValueError(_too_small(game, unit, j, float(values[j]), epsilon, margin))
        x.setflags(write=False)
        return StackelbergSolution(value, x, j, float(x @ A[:, j]), margin, epsilon, values, rank > 0)
    raise ValueError(
        f"No follower action of {game!r} can be made a strict best response: every best-response "
        "region has empty interior (duplicate or weakly dominated columns), so no commitment "
        "strategy has a positive margin."
    )


def _too_small(game: Game, unit: Game, j: int, value: float, epsilon: float, margin: float) -> str:
    """The error for an ``epsilon`` too small to give follower action ``j`` (value ``V_j``) a margin:
    the smallest workable epsilon is ``V_j`` minus the best value with ``j`` strict by twice the
    tolerance."""
    x = _best_value_lp(unit, j, -2.0 * MARGIN_TOLERANCE)
    smallest = value - float(x @ game.leader_payoffs[:, j])
    spread = float(np.ptp(game.leader_payoffs))
    return (
        f"The 'epsilon' parameter of stackelberg must be a float in the range [{smallest:.3g}, "
        f"{spread:g}] for {game!r}: a smaller epsilon leaves the follower's best response {j} strict "
        f"by only {margin:.3g}, while a margin must exceed {MARGIN_TOLERANCE:g} (max B - min B) = "
        f"{MARGIN_TOLERANCE * float(np.ptp(game.follower_payoffs)):.3g}. Got {epsilon!r} instead."
    )
