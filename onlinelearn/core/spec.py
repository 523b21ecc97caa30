"""The environment specification a learner receives at ``reset``."""

from __future__ import annotations

from dataclasses import dataclass, replace

from onlinelearn.core.decision_sets import DecisionSet
from onlinelearn.core.feedback import FeedbackKind, feedback_size
from onlinelearn.core.oracle import record_size


@dataclass(frozen=True)
class EnvSpec:
    """What a learner may know about its environment before round 1.

    Attributes:
        feedback_kind: layout of the feedback buffer (see :mod:`onlinelearn.core.feedback`).
        n_actions: number of arms/experts, or ``None`` for a continuous decision set.
        decision_set: the convex set of an OCO problem, or ``None`` for finite actions.
        horizon: number of rounds T when the runner knows it (fixed-horizon tunings use it).
        loss_range: ``(low, high)`` bounds on every loss the environment can produce.
        gradient_bound: bound G on gradient norms (OCO), or ``None``.
        n_queries: arms a learner may observe per round (multi-query bandits).
    """

    feedback_kind: FeedbackKind
    n_actions: int | None = None
    decision_set: DecisionSet | None = None
    horizon: int | None = None
    loss_range: tuple[float, float] = (0.0, 1.0)
    gradient_bound: float | None = None
    n_queries: int = 1

    @property
    def dimension(self) -> int | None:
        return None if self.decision_set is None else self.decision_set.dimension

    @property
    def feedback_size(self) -> int:
        return feedback_size(self.feedback_kind, self.n_actions, self.dimension, self.n_queries)

    @property
    def record_size(self) -> int:
        return record_size(self.n_actions)

    def with_horizon(self, horizon: int) -> EnvSpec:
        return replace(self, horizon=int(horizon))
