"""Checks of user-supplied objects at the runner's entry and, for Python objects, every step."""

from __future__ import annotations

import numbers

import numpy as np

from onlinelearn.core.environment import check_action, check_points, check_queries, check_vector
from onlinelearn.core.feedback import Feedback, FeedbackKind
from onlinelearn.core.oracle import OracleRecord


def check_positive_int(name: str, value, owner: str = "run") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise (TypeError if not isinstance(value, numbers.Number) else ValueError)(
            f"The '{name}' parameter of {owner} must be an int in the range [1, inf). Got {value!r} instead."
        )
    return int(value)


def check_feedback(feedback, spec, environment, t: int) -> None:
    """Raise if a (user-written) environment returned malformed feedback at round ``t``."""
    owner = type(environment).__name__
    if not isinstance(feedback, Feedback):
        raise TypeError(
            f"{owner}.step must return an onlinelearn Feedback; at round {t + 1} it "
            f"returned {type(feedback).__name__}."
        )
    if feedback.kind != spec.feedback_kind:
        raise ValueError(
            f"{owner}.step returned feedback of kind {FeedbackKind(feedback.kind).name}"
            f" at round {t + 1}; its spec declares "
            f"{FeedbackKind(spec.feedback_kind).name}."
        )
    kind = FeedbackKind(spec.feedback_kind).name
    values = check_vector(feedback.values, spec.feedback_size, f"{owner}.step", f"feedback (kind {kind})", t)
    if spec.feedback_kind in (FeedbackKind.BANDIT, FeedbackKind.FULL_INFORMATION):
        low, high = spec.loss_range
        if np.any(values < low) or np.any(values > high):
            raise ValueError(
                f"{owner}.step returned losses {values!r} at round {t + 1}, outside "
                f"the declared loss_range [{low:g}, {high:g}]."
            )


def check_oracle(oracle, spec, environment, t: int) -> None:
    """Raise if a (user-written) environment returned a malformed oracle record at round ``t``."""
    owner = type(environment).__name__
    if not isinstance(oracle, OracleRecord):
        raise TypeError(
            f"{owner}.oracle must return an onlinelearn OracleRecord; at round {t + 1} "
            f"it returned {type(oracle).__name__}."
        )
    what = "oracle record (7 header slots + one per action)"
    check_vector(oracle.values, spec.record_size, f"{owner}.oracle", what, t)


#: The generic action check of each feedback kind, for environments without ``check_action``:
#: one int arm or one point, 1..n_queries arms, or 1..n_queries points of the decision set.
#: Game, constrained and auction actions are the environment's own to check.
_GENERIC_ACTION_CHECKS = {
    FeedbackKind.BANDIT: check_action,
    FeedbackKind.FULL_INFORMATION: check_action,
    FeedbackKind.GRADIENT: check_action,
    FeedbackKind.MULTI_QUERY: check_queries,
    FeedbackKind.BANDIT_CONVEX: check_points,
}


def check_learner_action(action, spec, learner, environment, t: int) -> None:
    """Raise, naming the learner and the round, if ``action`` is not an action of the environment.

    The environment's ``check_action`` decides when it has one (every built-in does); a plain user
    environment gets the generic check of its feedback kind (``_GENERIC_ACTION_CHECKS``).
    """
    try:
        if callable(getattr(environment, "check_action", None)):
            environment.check_action(action)
        elif spec.feedback_kind in _GENERIC_ACTION_CHECKS:
            _GENERIC_ACTION_CHECKS[spec.feedback_kind](action, spec, type(environment).__name__)
    except (TypeError, ValueError) as error:
        raise type(error)(
            f"{type(learner).__name__}.act returned an invalid action at round {t + 1}: {error}"
        ) from error
