"""Checks of user-supplied objects at the runner's entry and, for Python objects, every step."""

from __future__ import annotations

import numbers

import numpy as np

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
    values = np.asarray(feedback.values)
    if values.shape != (spec.feedback_size,):
        raise ValueError(
            f"{owner}.step returned feedback values of shape {values.shape} at round "
            f"{t + 1}; kind {FeedbackKind(spec.feedback_kind).name} needs "
            f"({spec.feedback_size},)."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"{owner}.step returned non-finite feedback {values!r} at round {t + 1}: "
            "losses must be finite numbers."
        )
    if spec.feedback_kind in (FeedbackKind.BANDIT, FeedbackKind.FULL_INFORMATION):
        low, high = spec.loss_range
        if np.any(values < low) or np.any(values > high):
            raise ValueError(
                f"{owner}.step returned losses {values!r} at round {t + 1}, outside "
                f"the declared loss_range [{low:g}, {high:g}]."
            )


def check_oracle(oracle, environment, t: int) -> None:
    """Raise if a (user-written) environment returned a malformed oracle record."""
    owner = type(environment).__name__
    if not isinstance(oracle, OracleRecord):
        raise TypeError(
            f"{owner}.oracle must return an onlinelearn OracleRecord; at round {t + 1} "
            f"it returned {type(oracle).__name__}."
        )
    if not np.all(np.isfinite(oracle.values)):
        raise ValueError(f"{owner}.oracle returned non-finite values at round {t + 1}.")
