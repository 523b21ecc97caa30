"""Base classes of environments: compiled ones with kernels, and a plain-Python helper.

A compiled environment module defines a ``NamedTuple`` state record and two kernels:

* ``step(state, rng, t, action, feedback, record)`` writes the feedback buffer and oracle slots
  LOSS, EXPECTED_LOSS, BEST_EXPECTED_LOSS and BEST_FIXED_CUMULATIVE_EXPECTED of round ``t``
  (0-based);
* ``hindsight(state, t, action, record)`` updates the comparator statistics and writes the
  remaining oracle slots.  It must not draw random numbers: the runner calls it only when a
  tracker needs it, and the learner's trajectory may not depend on that.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from onlinelearn.core.feedback import Feedback, FeedbackKind
from onlinelearn.core.kernel_calls import KernelCall
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    COMPARATOR_SHIFT,
    EXPECTED_LOSS,
    EXPECTED_LOSSES,
    LOSS,
    OracleRecord,
    record_size,
)
from onlinelearn.core.params import format_params, get_params, validate_parameters
from onlinelearn.core.seeding import as_generator
from onlinelearn.core.spec import EnvSpec


class KernelEnvironment:
    """An environment with Numba kernels; see the module docstring."""

    _parameter_constraints: ClassVar[dict] = {}
    _test_params: ClassVar[list[dict]] = [{}]
    step_kernel: ClassVar[Any] = None
    hindsight_kernel: ClassVar[Any] = None

    def make_spec(self) -> EnvSpec:
        """The spec of this environment (parameters already validated)."""
        raise NotImplementedError

    def init_state(self, spec: EnvSpec, rng: np.random.Generator):
        """Build the state record, drawing any randomness of the realisation from ``rng``."""
        raise NotImplementedError

    def validate(self) -> None:
        """Cross-parameter checks beyond the declared constraints (override when needed)."""

    # -- the Python face -------------------------------------------------------------------
    def reset(self, *, seed=None) -> EnvSpec:
        """Start a new realisation; ``seed`` is None, an int, a SeedSequence or a Generator."""
        validate_parameters(self)
        self.validate()
        self.spec_ = self.make_spec()
        self.rng_ = as_generator(seed)
        self.state_ = self.init_state(self.spec_, self.rng_)
        self.round_ = 0
        self.feedback_ = np.zeros(self.spec_.feedback_size)
        self.record_ = np.zeros(self.spec_.record_size)
        self._step_call = KernelCall(self.step_kernel, rng_position=1)
        self._hindsight_call = KernelCall(self.hindsight_kernel)
        return self.spec_

    def step(self, action) -> Feedback:
        """Play ``action`` for the current round and return what the learner may see."""
        action = self.check_action(action)
        self._step_call(self.state_, self.rng_, self.round_, action, self.feedback_, self.record_)
        self._hindsight_call(self.state_, self.round_, action, self.record_)
        self.round_ += 1
        return Feedback(self.spec_.feedback_kind, self.feedback_.copy())

    def oracle(self) -> OracleRecord:
        """The analyst's record of the last round (never shown to learners)."""
        return OracleRecord(self.record_.copy())

    def check_action(self, action):
        """Convert ``action`` to the kernel's type or raise a clear error."""
        return check_action(action, self.spec_, type(self).__name__)

    def get_params(self) -> dict:
        return get_params(self)

    @property
    def name(self) -> str:
        return format_params(self)

    def __repr__(self) -> str:
        return self.name


def check_action(action, spec: EnvSpec, owner: str):
    """An ``int`` arm in ``[0, n_actions)`` or a finite point of the decision set's dimension."""
    if spec.n_actions:
        if isinstance(action, bool) or not isinstance(action, int | np.integer):
            raise TypeError(
                f"{owner} expects an int action in [0, {spec.n_actions}). Got {action!r} instead."
            )
        if not 0 <= action < spec.n_actions:
            raise ValueError(
                f"{owner} expects an int action in [0, {spec.n_actions}). Got {action!r} instead."
            )
        return int(action)
    point = np.ascontiguousarray(action, dtype=float)
    if point.shape != (spec.dimension,) or not np.all(np.isfinite(point)):
        raise ValueError(
            f"{owner} expects a finite point of shape ({spec.dimension},). Got {action!r} instead."
        )
    return point


def check_queries(action, spec: EnvSpec, owner: str):
    """An ``int`` arm, or a 1-D int array of 1..n_queries arms in [0, K); returned as int64 array."""
    if isinstance(action, int | np.integer) and not isinstance(action, bool):
        return np.array([check_action(action, spec, owner)], dtype=np.int64)
    message = (
        f"{owner} expects an int arm or a 1-D int array of 1 to {spec.n_queries} arms in "
        f"[0, {spec.n_actions}) (query 1 is played). Got {action!r} instead."
    )
    if isinstance(action, str | bytes) or action is None:
        raise TypeError(message)
    array = np.asarray(action)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise TypeError(message)
    if not 1 <= array.shape[0] <= spec.n_queries or np.any(array < 0) or np.any(array >= spec.n_actions):
        raise ValueError(message)
    return np.ascontiguousarray(array, dtype=np.int64)


def check_points(action, spec: EnvSpec, owner: str) -> np.ndarray:
    """A point ``(d,)`` or ``(k, d)`` queries, ``1 <= k <= n_queries``, finite and in the set.

    Returned as a C-contiguous ``float64`` array of shape ``(k, d)``.
    """
    d = spec.dimension
    message = (
        f"{owner} expects a finite point of shape ({d},) or an array of shape (k, {d}) of 1 to "
        f"{spec.n_queries} points of the {spec.decision_set.name} (the first is played)."
    )
    try:
        points = np.array(action, dtype=float, ndmin=2, order="C")
    except (TypeError, ValueError):
        raise TypeError(f"{message} Got {action!r} instead.") from None
    if points.ndim != 2 or points.shape[1] != d or not 1 <= points.shape[0] <= spec.n_queries:
        raise ValueError(f"{message} Got shape {np.shape(action)} instead.")
    if not all(spec.decision_set.contains(row, tolerance=1e-9) for row in points):
        raise ValueError(f"{message} Got {action!r} instead.")
    return points


class VectorError(ValueError):
    """The error of :func:`check_vector`; callers with messages of their own (the checkers of
    :mod:`onlinelearn.testing`) read what was wrong from ``vector`` (the values as floats) and
    ``non_finite`` (the indices of the NaN or inf entries; ``None`` when the shape was wrong)."""

    def __init__(self, message: str, vector: np.ndarray | None = None, non_finite: list[int] | None = None):
        super().__init__(message)
        self.vector = vector
        self.non_finite = non_finite

    def __reduce__(self):  # keep the attributes when a worker process sends the error back
        return type(self), (self.args[0], self.vector, self.non_finite)


def check_vector(values, length: int, owner: str, what: str, t: int, finite: bool = True) -> np.ndarray:
    """``values`` as a float vector of ``length`` entries (all finite unless ``finite=False``).

    Otherwise a :class:`VectorError` (a ``ValueError``) naming ``owner`` (the class and method that
    returned the vector), ``what`` it holds and the round ``t + 1``, with both lengths or the
    non-finite entries.
    """
    vector = np.asarray(values, dtype=float)
    if vector.shape != (length,):
        received = f"length {vector.shape[0]}" if vector.ndim == 1 else f"shape {vector.shape}"
        raise VectorError(
            f"{owner} returned {what} of {received} at round {t + 1}; expected a vector of length {length}.",
            vector,
        )
    if finite:
        bad = np.flatnonzero(~np.isfinite(vector))
        if bad.size:
            raise VectorError(
                f"{owner} returned non-finite {what} at round {t + 1}: entries {bad.tolist()} of "
                f"{vector!r} are NaN or inf; losses must be finite numbers.",
                vector,
                bad.tolist(),
            )
    return vector


class PythonFiniteEnvironment:
    """Helper for user-written environments with finite actions, in plain Python.

    Subclasses implement :meth:`draw_losses` (and may override :meth:`make_spec`); this class
    produces bandit or full-information feedback and the complete oracle record.  It has no
    kernels, so the runner uses the Python loop (with per-step validation) for it.
    """

    feedback_kind: FeedbackKind = FeedbackKind.BANDIT
    n_actions: int = 2

    def draw_losses(self, t: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(losses, expected_losses)`` of every action at round ``t``.

        Draw losses of all actions whatever is played, so that every learner faces the same
        realisation (common random numbers).
        """
        raise NotImplementedError

    def make_spec(self) -> EnvSpec:
        return EnvSpec(self.feedback_kind, n_actions=self.n_actions)

    def reset(self, *, seed=None) -> EnvSpec:
        self.spec_ = self.make_spec()
        self.rng_ = as_generator(seed)
        self.round_ = 0
        self.cumulative_ = np.zeros(self.spec_.n_actions)
        self.cumulative_expected_ = np.zeros(self.spec_.n_actions)
        self.previous_best_ = -1
        self.record_ = np.zeros(record_size(self.spec_.n_actions))
        return self.spec_

    def step(self, action) -> Feedback:
        action = check_action(action, self.spec_, type(self).__name__)
        # Every entry is checked, not only the played arm's: the oracle record and the
        # comparator use them all.
        owner, n_actions = f"{type(self).__name__}.draw_losses", self.spec_.n_actions
        losses, expected = self.draw_losses(self.round_, self.rng_)
        losses = check_vector(losses, n_actions, owner, "losses", self.round_)
        expected = check_vector(expected, n_actions, owner, "expected losses", self.round_)
        record = self.record_
        record[LOSS] = losses[action]
        record[EXPECTED_LOSS] = expected[action]
        record[BEST_EXPECTED_LOSS] = expected.min()
        record[BEST_LOSS] = losses.min()
        self.cumulative_ += losses
        self.cumulative_expected_ += expected
        record[BEST_FIXED_CUMULATIVE_LOSS] = self.cumulative_.min()
        record[BEST_FIXED_CUMULATIVE_EXPECTED] = self.cumulative_expected_.min()
        best = int(np.argmin(expected))
        record[COMPARATOR_SHIFT] = float(self.previous_best_ >= 0 and best != self.previous_best_)
        self.previous_best_ = best
        record[EXPECTED_LOSSES:] = expected
        self.round_ += 1
        if self.spec_.feedback_kind == FeedbackKind.FULL_INFORMATION:
            return Feedback(FeedbackKind.FULL_INFORMATION, losses.copy())
        return Feedback(FeedbackKind.BANDIT, np.array([losses[action]]))

    def oracle(self) -> OracleRecord:
        return OracleRecord(self.record_.copy())
