"""The environment specification a learner receives at ``reset``."""

from __future__ import annotations

from dataclasses import dataclass, replace

from onlinelearn.core.decision_sets import DecisionSet
from onlinelearn.core.feedback import FeedbackKind, feedback_size
from onlinelearn.core.oracle import record_size
from onlinelearn.core.params import Interval, check_value

#: Declared constraints of the problem constants a spec may carry (``None``: not known).
_CONSTANT_CONSTRAINTS = {
    "gradient_bound": [Interval(float, 0, None, closed="neither"), None],
    "smoothness": [Interval(float, 0, None, closed="left"), None],
    "strong_convexity": [Interval(float, 0, None, closed="neither"), None],
}


@dataclass(frozen=True)
class EnvSpec:
    """What a learner may know about its environment before round 1.

    Attributes:
        feedback_kind: layout of the feedback buffer (see :mod:`onlinelearn.core.feedback`).
        n_actions: number of arms/experts, or ``None`` for a continuous decision set.
        decision_set: the convex set of an OCO problem, or ``None`` for finite actions.
        horizon: number of rounds T when the runner knows it (fixed-horizon tunings use it).
        loss_range: ``(low, high)`` bounds on every loss the environment can produce.
        gradient_bound: bound G > 0 on gradient norms (OCO), or ``None``.
        n_queries: arms a learner may observe per round (multi-query bandits).
        smoothness: ``L >= 0`` such that the expected losses ``F_t`` are ``L``-smooth (0: linear),
            or ``None`` when unknown.  Learners whose tuning needs ``L`` (the ``delta`` of
            :class:`~onlinelearn.learners.OptimisticOMD`, the ``nu`` of
            :class:`~onlinelearn.learners.OptimisticFTRL`) read it when not given one.
        strong_convexity: ``lambda > 0`` such that the ``F_t`` are ``lambda``-strongly convex, or
            ``None`` (unknown or not strongly convex).

    The constants are checked when the spec is built: ``G > 0``, ``L >= 0``, ``lambda > 0`` and a
    decision set of positive diameter ``D`` (a single point leaves nothing to learn, and the
    tunings divide by ``D``).
    """

    feedback_kind: FeedbackKind
    n_actions: int | None = None
    decision_set: DecisionSet | None = None
    horizon: int | None = None
    loss_range: tuple[float, float] = (0.0, 1.0)
    gradient_bound: float | None = None
    n_queries: int = 1
    smoothness: float | None = None
    strong_convexity: float | None = None

    def __post_init__(self) -> None:
        for name, constraints in _CONSTANT_CONSTRAINTS.items():
            check_value(type(self).__name__, name, getattr(self, name), constraints)
        decision_set = self.decision_set
        if decision_set is not None and not decision_set.diameter > 0:
            raise ValueError(
                f"The 'decision_set' parameter of {type(self).__name__} must have a positive diameter D "
                f"(the tunings divide by D). Got a {decision_set.name} of dimension "
                f"{decision_set.dimension} and diameter {decision_set.diameter} (a single point) instead."
            )

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
