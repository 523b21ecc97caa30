"""Python face of the strongly adaptive meta-learners (SAOL, CBCE, AdaNormalHedge over intervals).

A meta-learner takes any registered base learner with Numba kernels and runs a copy of it on
every interval of its schedule (:mod:`onlinelearn.learners.intervals`).  Which runs, decided at
reset from the base and the feedback kind:

* Hedge with a fixed-horizon tuning (FULL_INFORMATION) or EXP3 with a fixed-horizon tuning
  (BANDIT, the one-query baseline): *exponential-weights rows*, the specialisation of
  :mod:`~onlinelearn.learners.intervals` (exact mixture, the step size of each run the base's own
  tuning for the run's length);
* any other base that accepts FULL_INFORMATION (finite actions) or GRADIENT (a convex set):
  *composed runs* (:mod:`onlinelearn.learners.composed`), each a state record of the base built
  by the base's own ``init_state`` for the run's length and driven by its own kernels.

Bandit feedback with another base than fixed-horizon EXP3 is refused before round 1 (a composed
run needs to see the loss of what it would have played).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.kernel_calls import KernelCall
from onlinelearn.core.learner import KernelLearner, check_query_budget
from onlinelearn.core.params import InstanceOf, Interval, Options, validate_parameters
from onlinelearn.core.records import portable, restored
from onlinelearn.learners.composed import ComposedState, composed_kernels, composed_state, composition_mode
from onlinelearn.learners.exp3 import EXP3
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.intervals import (
    MODE_BANDIT,
    MODE_FULL,
    PRIOR_START_TIME,
    PRIOR_UNIFORM,
    SCHEDULES,
    horizon_levels,
    lifetimes,
    sleeping_state,
)

#: Feedback kinds composed runs can learn from (every run sees the same feedback).
COMPOSABLE = (FeedbackKind.FULL_INFORMATION, FeedbackKind.GRADIENT)


def resolved_base(meta, spec):
    """The meta's base learner; ``None`` means Hedge on full information and EXP3 otherwise."""
    if meta.base is not None:
        return meta.base
    return Hedge() if spec.feedback_kind == FeedbackKind.FULL_INFORMATION else EXP3()


def uses_exponential_rows(base, spec) -> bool:
    """Hedge (full information) or EXP3 (bandit), both fixed-horizon: the specialised runs."""
    kind = spec.feedback_kind
    if type(base) is Hedge:
        return not base.anytime and kind == FeedbackKind.FULL_INFORMATION
    return type(base) is EXP3 and not base.anytime and kind == FeedbackKind.BANDIT


def check_base(meta, spec) -> None:
    """Refuse, before round 1, a base learner the meta cannot compose or that cannot play here."""
    base, owner = resolved_base(meta, spec), type(meta).__name__
    if base.act_kernel is None or base.update_kernel is None:
        raise TypeError(
            f"The 'base' parameter of {owner} must be a learner with Numba kernels (act_kernel and "
            f"update_kernel): its runs are driven in compiled code. Got {base!r} instead."
        )
    kind = FeedbackKind(spec.feedback_kind)
    if kind not in base.accepts:
        accepted = ", ".join(k.name for k in base.accepts)
        raise TypeError(
            f"{owner}'s base learner {base!r} accepts feedback of kind {accepted}; "
            f"the environment gives {kind.name}."
        )
    validate_parameters(base)
    base.check_spec(spec)
    if uses_exponential_rows(base, spec):
        return
    if kind not in COMPOSABLE:
        raise TypeError(
            f"{owner} composes runs of {base!r} with FULL_INFORMATION or GRADIENT feedback only; the "
            f"environment gives {kind.name}. (With BANDIT feedback the base must be EXP3 with a "
            "fixed-horizon tuning, the one-query baseline.)"
        )
    if meta.warm_start:
        raise ValueError(
            f"The 'warm_start' parameter of {owner} must be False with a {type(base).__name__} base: "
            "a warm start sets the cumulative losses of exponential-weights runs (Hedge or EXP3 with "
            "a fixed horizon). Got True instead."
        )
    regret_scale(meta, spec)


def regret_scale(meta, spec) -> float:
    """``b - a`` for losses in ``[a, b]`` (finite actions) or ``G D`` (points): composed runs'
    regrets divided by it lie in [-1, 1]."""
    owner = type(meta).__name__
    if spec.n_actions:
        low, high = spec.loss_range
        if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
            raise ValueError(
                f"{owner} scales its runs' regrets by the loss range b - a; the environment's "
                f"loss_range is ({low}, {high})."
            )
        return float(high - low)
    gradient_bound, diameter = spec.gradient_bound, spec.decision_set.diameter
    if gradient_bound is None or not 0 < gradient_bound < math.inf:
        raise ValueError(
            f"{owner} scales its runs' linearised regrets <g_t, x_t - x_t^J> by G D; the environment "
            f"spec's gradient_bound G is {gradient_bound!r} (it must be a positive finite float)."
        )
    if not 0 < diameter < math.inf:
        raise ValueError(
            f"{owner} scales its runs' linearised regrets by G D; the decision set's diameter D is "
            f"{diameter!r} (it must be positive and finite)."
        )
    return float(gradient_bound * diameter)


def base_step_sizes(base, spec, run_lengths: np.ndarray) -> np.ndarray:
    """The base learner's own tuning with each run's length as its horizon."""
    return np.array([base.learning_rate(replace(spec, horizon=int(n))) for n in run_lengths], dtype=float)


class IntervalMetaLearner(KernelLearner):
    """Shared Python face of the meta-learners over runs of a base learner on a schedule.

    Subclasses set ``act_kernel``/``update_kernel`` (over exponential-weights rows),
    ``weigh_kernel``/``learn_kernel`` (the meta's own rule, shared with composed runs), the
    ``prior_code`` of a new run's weight and, if they use one, :meth:`meta_rates` (a step size per
    level).  Their ``__init__`` stores ``base``, ``schedule``, ``lifetime_factor`` and
    ``warm_start``.  With composed runs, :meth:`init_state` sets the instance's ``act_kernel`` and
    ``update_kernel`` to the kernels generated for the base (so they are fixed at reset).
    """

    #: PRIOR_* code of a new run's initial weight.
    prior_code = PRIOR_UNIFORM
    #: ``weigh(meta)`` writes ``p_t`` over awake runs; ``learn(meta)`` updates the meta from the
    #: runs' scaled losses ``slot_losses`` and the meta loss ``scalars[1]``.
    weigh_kernel = None
    learn_kernel = None
    _parameter_constraints = {
        "base": [InstanceOf((KernelLearner,)), None],
        "schedule": [Options(tuple(SCHEDULES))],
        "lifetime_factor": [Interval(int, 1, None)],
        "warm_start": [Options((True, False))],
    }

    @property
    def accepts(self) -> tuple[FeedbackKind, ...]:
        """FULL_INFORMATION and BANDIT without a base; otherwise what the base accepts and the meta
        can compose (BANDIT only for fixed-horizon EXP3)."""
        base = self.base
        if base is None:
            return (FeedbackKind.FULL_INFORMATION, FeedbackKind.BANDIT)
        kinds = [kind for kind in getattr(base, "accepts", ()) if kind in COMPOSABLE]
        if type(base) is EXP3 and not base.anytime:
            kinds.append(FeedbackKind.BANDIT)
        return tuple(kinds)

    @property
    def action_space(self) -> str:
        return "finite" if self.base is None else getattr(self.base, "action_space", "finite")

    def check_spec(self, spec) -> None:
        kind = FeedbackKind(spec.feedback_kind)
        if self.base is None and kind not in self.accepts:
            raise TypeError(
                f"{type(self).__name__} accepts feedback of kind FULL_INFORMATION, BANDIT without a "
                f"base learner; the environment gives {kind.name}. Pass a base (e.g. OGD for GRADIENT)."
            )
        check_base(self, spec)
        check_query_budget(self, spec)

    def prior_code_now(self) -> int:
        """PRIOR_* code of a new run's initial weight (subclasses may choose it from parameters)."""
        return self.prior_code

    def meta_rates(self, run_lengths: np.ndarray) -> np.ndarray:
        """Meta step size of a run of each length (unused by default)."""
        return np.zeros(run_lengths.shape[0])

    def init_state(self, spec, rng):
        base = resolved_base(self, spec)
        run_lengths = lifetimes(self.schedule, horizon_levels(self, spec), self.lifetime_factor)
        meta_rate = self.meta_rates(run_lengths)
        if uses_exponential_rows(base, spec):
            self.__dict__.pop("act_kernel", None)  # the class's kernels
            self.__dict__.pop("update_kernel", None)
            mode = MODE_FULL if spec.feedback_kind == FeedbackKind.FULL_INFORMATION else MODE_BANDIT
            base_eta = base_step_sizes(base, spec, run_lengths)
            return sleeping_state(
                spec,
                self.schedule,
                self.lifetime_factor,
                base_eta,
                meta_rate,
                self.prior_code_now(),
                self.warm_start,
                mode,
            )
        mode = composition_mode(base, spec)
        self.act_kernel, self.update_kernel = composed_kernels(self, base, mode)
        prior, scale = self.prior_code_now(), regret_scale(self, spec)
        return composed_state(self, base, spec, rng, run_lengths, meta_rate, prior, mode, scale)

    @property
    def sleeping_state_(self):
        """The schedule and meta weights (:class:`~onlinelearn.learners.intervals.SleepingState`)."""
        state = self.state_
        return state.meta if isinstance(state, ComposedState) else state

    @property
    def run_lengths(self) -> np.ndarray:
        """Length of a run of each level (after :meth:`reset`)."""
        return lifetimes(self.schedule, self.sleeping_state_.base_eta.shape[0], self.lifetime_factor)

    # Composed runs live in typed lists, which do not pickle, and their kernels in generated
    # modules, which a new process may not have imported: both are rebuilt after unpickling.
    def __getstate__(self):
        values = dict(self.__dict__)
        if isinstance(values.get("state_"), ComposedState):
            for name in ("act_kernel", "update_kernel", "_act_call", "_update_call"):
                values.pop(name, None)
            values["state_"] = portable(values["state_"])
        return values

    def __setstate__(self, values):
        self.__dict__.update(values)
        if isinstance(values.get("state_"), ComposedState):
            self.state_ = restored(self.state_)
            base = resolved_base(self, self.spec_)
            self.act_kernel, self.update_kernel = composed_kernels(
                self, base, composition_mode(base, self.spec_)
            )
            self._act_call = KernelCall(self.act_kernel, rng_position=1)
            self._update_call = KernelCall(self.update_kernel)


class PriorChoiceMetaLearner(IntervalMetaLearner):
    """A meta-learner whose new runs start with weight ``prior``: ``"start_time"``
    (``pi_J ∝ 1 / (J_1^2 (1 + floor(log2 J_1)))``) or ``"uniform"`` (CBCE, AdaNormalHedge)."""

    _parameter_constraints = {
        **IntervalMetaLearner._parameter_constraints,
        "prior": [Options(("start_time", "uniform"))],
    }

    def __init__(
        self,
        base=None,
        schedule: str = "geometric",
        lifetime_factor: int = 2,
        warm_start: bool = False,
        prior: str = "start_time",
    ):
        self.base = base
        self.schedule = schedule
        self.lifetime_factor = lifetime_factor
        self.warm_start = warm_start
        self.prior = prior

    def prior_code_now(self) -> int:
        return PRIOR_START_TIME if self.prior == "start_time" else PRIOR_UNIFORM
