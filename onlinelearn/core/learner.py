"""Base class of the built-in learners: a state record, two kernels, and a Python face.

A learner module defines (optax's ``init/update`` shape):

* a ``NamedTuple`` state record of arrays and constants;
* ``act(state, rng) -> action`` and ``update(state, action, feedback)``, module-level
  ``@kernel`` functions (``feedback`` is the float64 buffer of the accepted kind);
* a subclass of :class:`KernelLearner` that stores parameters in ``__init__``, declares
  ``_parameter_constraints`` and ``accepts``, and builds the state in ``init_state``.

``act``/``update`` below call the same kernels the compiled runner inlines, with the same
Generator, so the Python loop and the compiled loop are bit-identical by construction.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from onlinelearn.core.feedback import Feedback, FeedbackKind
from onlinelearn.core.kernel_calls import KernelCall
from onlinelearn.core.params import format_params, get_params, validate_parameters
from onlinelearn.core.seeding import as_generator
from onlinelearn.core.spec import EnvSpec


class KernelLearner:
    """A learner with Numba kernels; see the module docstring for what a subclass provides."""

    #: Feedback kinds the update kernel understands.
    accepts: ClassVar[tuple[FeedbackKind, ...]] = ()
    #: ``"finite"`` (arms/experts, int actions) or ``"continuous"`` (points of a decision set).
    action_space: ClassVar[str] = "finite"
    #: Declared constraints on ``__init__`` arguments (see :mod:`onlinelearn.core.params`).
    _parameter_constraints: ClassVar[dict] = {}
    #: Small parameter sets the common test suite instantiates.
    _test_params: ClassVar[list[dict]] = [{}]
    #: Queries per round this learner asks (the first is played): checked against the
    #: environment's budget ``spec.n_queries`` before round 1 (:func:`check_query_budget`).
    n_queries: ClassVar[int] = 1
    #: The kernels; subclasses set them with ``staticmethod(module_kernel)``.
    act_kernel: ClassVar[Any] = None
    update_kernel: ClassVar[Any] = None
    #: Optional, finite actions: ``distribution(state) -> p`` (a float64 array), the distribution
    #: the next ``act`` samples from, without drawing.  A learner that declares it promises that
    #: ``act(state, rng)`` is ``sample_index(distribution(state), rng.random())`` with no other
    #: effect, and that ``update`` does not read the action (a meta-learner mixes the distributions
    #: of its runs and samples once; :mod:`onlinelearn.learners.composed`).
    distribution_kernel: ClassVar[Any] = None

    def init_state(self, spec: EnvSpec, rng: np.random.Generator):
        """Build the state record for ``spec`` (parameters already validated)."""
        raise NotImplementedError

    # -- the Python face -------------------------------------------------------------------
    def reset(self, spec: EnvSpec, rng=None) -> None:
        """Validate parameters and ``spec``, then build a fresh state from ``rng``."""
        validate_parameters(self)
        self.check_spec(spec)
        self.spec_ = spec
        self.rng_ = as_generator(rng)
        self.state_ = self.init_state(spec, self.rng_)
        self.last_action_ = None
        self._act_call = KernelCall(self.act_kernel, rng_position=1)
        self._update_call = KernelCall(self.update_kernel)

    def act(self):
        """Choose this round's action (an arm index, a point or a set of queries).

        Kernels may return a view of their state as the action (the runner hands it to the
        environment before the update overwrites it, so the compiled loop copies nothing); the
        Python face returns a copy, which the caller may keep.
        """
        action = self._act_call(self.state_, self.rng_)
        if isinstance(action, np.ndarray):
            action = action.copy()
        self.last_action_ = action
        return action

    def update(self, feedback: Feedback) -> None:
        """Learn from the feedback of the action returned by the last :meth:`act`."""
        if self.last_action_ is None:
            raise RuntimeError(f"{type(self).__name__}.update was called before act().")
        values = feedback.values if isinstance(feedback, Feedback) else feedback
        self._update_call(self.state_, self.last_action_, np.ascontiguousarray(values, float))
        self.last_action_ = None

    # -- helpers ---------------------------------------------------------------------------
    def check_spec(self, spec: EnvSpec) -> None:
        """Raise before round 1 if this learner cannot play in an environment with ``spec``."""
        name = type(self).__name__
        if spec.feedback_kind not in self.accepts:
            accepted = ", ".join(kind.name for kind in self.accepts)
            raise TypeError(
                f"{name} accepts feedback of kind {accepted}; the environment "
                f"gives {FeedbackKind(spec.feedback_kind).name}."
            )
        if self.action_space == "finite" and not spec.n_actions:
            raise ValueError(
                f"{name} plays a finite set of actions; the environment has a continuous decision set."
            )
        if self.action_space == "continuous" and spec.decision_set is None:
            raise ValueError(
                f"{name} plays points of a convex set; the environment has "
                f"{spec.n_actions} discrete actions and no decision set."
            )
        check_query_budget(self, spec)

    def horizon_of(self, spec: EnvSpec, parameter: str) -> int:
        """The horizon needed by a fixed-horizon tuning, or a clear error naming ``parameter``."""
        if spec.horizon is None:
            raise ValueError(
                f"{type(self).__name__} tunes '{parameter}' from the horizon T, "
                "but the environment spec has no horizon. Pass the horizon to "
                f"reset (spec.with_horizon(T)) or set '{parameter}' explicitly."
            )
        return spec.horizon

    def get_params(self) -> dict:
        return get_params(self)

    @property
    def name(self) -> str:
        """Display name: the class and every non-default parameter."""
        return format_params(self)

    def __repr__(self) -> str:
        return self.name


def check_query_budget(learner, spec: EnvSpec) -> None:
    """Refuse, before round 1, a learner that asks more queries per round (its ``n_queries``,
    1 if it declares none) than the environment answers (``spec.n_queries``).

    The compiled environments answer only the first ``spec.n_queries`` queries of an action, so
    without this check the extra queries would be dropped silently.
    """
    needed = getattr(learner, "n_queries", 1)
    if isinstance(needed, bool) or not isinstance(needed, int | np.integer) or needed < 1:
        raise ValueError(
            f"The 'n_queries' attribute of {type(learner).__name__} (queries it asks per round) must be "
            f"an int in the range [1, inf). Got {needed!r} instead."
        )
    if needed > spec.n_queries:
        raise ValueError(
            f"{type(learner).__name__} asks {needed} queries per round; the environment allows "
            f"{spec.n_queries} (spec.n_queries)."
        )
