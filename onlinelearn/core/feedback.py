"""Feedback kinds: what a learner is allowed to see after acting, as fixed buffer layouts.

In the compiled loop feedback is a preallocated ``float64`` buffer written by the environment's
``step`` kernel and read by the learner's ``update`` kernel.  In the Python loop it is the frozen
:class:`Feedback` dataclass around the same buffer, so both paths carry the same numbers.

==================  ==========================================================  ===================
kind                buffer layout (``values``)                                  length
==================  ==========================================================  ===================
FULL_INFORMATION    loss of every action ``l_1 .. l_K``                         K
BANDIT              loss of the played action                                   1
MULTI_QUERY         ``[n, a_1, l_1, ..., a_k, l_k]``: n queries answered, arm   1 + 2k
                    and loss of each (query 1 is the played, charged arm)
GRADIENT            ``[f_t(x_t), g_1 .. g_d]``: value and gradient at the point 1 + d
BANDIT_CONVEX       ``[n, f_t(y_1), ..., f_t(y_k)]`` values at queried points   1 + k
GAME                ``[b, u, u_1 .. u_m, y_1 .. y_n]``: opponent's action,      2 + m + n
                    own payoff, payoff vector over own m actions, and the
                    opponent's mixed strategy (over its n actions) that ``b``
                    was drawn from
CONSTRAINED         ``[r, c_1 .. c_m]``: reward and signed resource use         1 + m
                    (negative entries are replenishment)
AUCTION_CHANNEL     ``[v_1, s_1, ..., v_n, s_n]``: conversions and spend per    2n
                    channel for the submitted budget vector
==================  ==========================================================  ===================

Losses are costs (smaller is better); rewards ``r`` are reported as losses ``1 - r`` by the
bandit environments of this package.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np


class FeedbackKind(enum.IntEnum):
    """The feedback kinds of the table in the module docstring."""

    FULL_INFORMATION = 0
    BANDIT = 1
    MULTI_QUERY = 2
    GRADIENT = 3
    BANDIT_CONVEX = 4
    GAME = 5
    CONSTRAINED = 6
    AUCTION_CHANNEL = 7


def feedback_size(
    kind: FeedbackKind,
    n_actions: int | None,
    dimension: int | None,
    n_queries: int = 1,
    n_resources: int = 0,
    n_opponent_actions: int = 0,
) -> int:
    """Length of the feedback buffer of ``kind`` for the given problem sizes.

    GAME: ``m`` is ``n_actions``, or ``dimension`` for a player whose actions are mixed strategies
    (points of the simplex in R^m); ``n`` is ``n_opponent_actions``.
    """
    if kind == FeedbackKind.FULL_INFORMATION:
        return int(n_actions)
    if kind == FeedbackKind.BANDIT:
        return 1
    if kind == FeedbackKind.MULTI_QUERY:
        return 1 + 2 * n_queries
    if kind == FeedbackKind.GRADIENT:
        return 1 + int(dimension)
    if kind == FeedbackKind.BANDIT_CONVEX:
        return 1 + n_queries
    if kind == FeedbackKind.GAME:
        return 2 + int(n_actions or dimension) + int(n_opponent_actions)
    if kind == FeedbackKind.CONSTRAINED:
        return 1 + n_resources
    if kind == FeedbackKind.AUCTION_CHANNEL:
        return 2 * int(dimension)
    raise ValueError(f"Unknown feedback kind {kind!r}.")


@dataclass(frozen=True)
class Feedback:
    """What the environment reveals after one round (Python path).

    ``values`` follows the layout of ``kind`` in the module docstring; learners read it directly,
    exactly as their compiled ``update`` kernel does.
    """

    kind: FeedbackKind
    values: np.ndarray

    @property
    def loss(self) -> float:
        """Loss of the played action (bandit kinds) or value at the played point (gradient and
        bandit-convex kinds)."""
        if self.kind in (FeedbackKind.BANDIT, FeedbackKind.GRADIENT):
            return float(self.values[0])
        if self.kind == FeedbackKind.MULTI_QUERY:
            return float(self.values[2])
        if self.kind == FeedbackKind.BANDIT_CONVEX:
            return float(self.values[1])
        raise AttributeError(f"Feedback of kind {self.kind.name} has no single 'loss'.")
