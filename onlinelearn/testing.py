"""Public checkers for learners, environments and trackers (Gymnasium's ``check_env`` style).

Run the checker on your own object before using it in an experiment::

    from onlinelearn.testing import check_environment, check_learner, check_tracker

    check_environment(MyEnvironment(means=[0.2, 0.8]))
    check_learner(MyLearner(eta=0.1))                       # finds a compatible registered environment
    check_learner(MyLearner(eta=0.1), MyEnvironment())      # ... or plays on yours
    check_tracker(MyTracker())

Each checker runs a list of named checks (``LEARNER_CHECKS``, ``ENVIRONMENT_CHECKS``,
``TRACKER_CHECKS``) on private copies of the object and raises :class:`CheckError` (an
``AssertionError``) at the first failure.  The message names the check, says what was observed
and gives the likely cause, for example::

    CheckError: check_learner(MyLearner()) failed check 'deterministic_given_rng': two runs
    with the same seed chose different actions (first difference at round 3: 1 vs 0).
    Likely cause: the learner draws from np.random.* (global state) or from a generator it
    created itself, instead of the Generator passed to reset(spec, rng).

The contracts checked are those of ``docs/design.md``:

* all randomness comes from the seed/Generator given to ``reset``; resetting is idempotent and
  forgets everything from previous runs; objects pickle (the runner copies them);
* environments return :class:`~onlinelearn.core.Feedback` of their spec's kind and size with
  finite losses in ``spec.loss_range``, a finite :class:`~onlinelearn.core.OracleRecord` of size
  ``spec.record_size``, reject invalid actions with ``ValueError``/``TypeError``, and draw a
  realisation that does not depend on the actions played (common random numbers);
* learners play valid actions and reject an unsupported spec at ``reset``, before round 1;
* trackers report ``len(metric_names)`` finite values with memory independent of the horizon;
* objects with Numba kernels give bit-identical results in the compiled and the Python loop;
* every declared ``_parameter_constraints`` entry is enforced with the standard message.

A check that does not apply to your object (an adaptive adversary legitimately reacts to the
actions) can be skipped with ``skip={"realisation_independent_of_actions"}`` or, on the class,
``_skip_checks = {"realisation_independent_of_actions": "adaptive adversary"}``.
"""

from __future__ import annotations

import copy
import inspect
import math
import pickle
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import ball, project
from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import Feedback, FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    EXPECTED_LOSS,
    EXPECTED_LOSSES,
    LOSS,
    OracleRecord,
)
from onlinelearn.core.params import ArrayLike, InstanceOf, Interval
from onlinelearn.core.spec import EnvSpec
from onlinelearn.trackers.base import KernelTracker

__all__ = ["ENVIRONMENT_CHECKS", "LEARNER_CHECKS", "TRACKER_CHECKS", "CheckError",
           "check_environment", "check_learner", "check_tracker", "find_compatible_environment"]

#: Rounds played by the trajectory checks, and the size of the compiled-vs-Python run.
ROUNDS = 100
RUN_HORIZON = 100
RUN_REPS = 2
SEEDS = (12345, 678)


class CheckError(AssertionError):
    """A named check failed; ``check`` is its name and ``subject`` the object checked."""

    def __init__(self, message: str, check: str = "", subject: str = ""):
        super().__init__(message)
        self.check = check
        self.subject = subject


class _Failure(AssertionError):
    """Raised inside a check: what was observed, and (optionally) a more specific cause."""

    def __init__(self, detail: str, cause: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.cause = cause


class _SkipCheck(Exception):
    """Raised inside a check that does not apply to the object."""


def _fail(detail: str, cause: str | None = None):
    raise _Failure(detail, cause)


# --------------------------------------------------------------------------------------------
# A uniformly random kernel learner: the partner of environments and trackers in the checks.
# --------------------------------------------------------------------------------------------
class UniformState(NamedTuple):
    n_actions: int
    code: int
    radius: float
    low: np.ndarray
    high: np.ndarray
    centre: np.ndarray
    scale: float


@kernel
def uniform_arm(state, rng):
    """A uniformly random arm, drawn from the learner's own generator."""
    return min(int(rng.random() * state.n_actions), state.n_actions - 1)


@kernel
def uniform_point(state, rng):
    """The projection of a uniformly random perturbation of the set's centre."""
    y = state.centre + state.scale * (rng.random(state.centre.shape[0]) - 0.5)
    out = np.empty_like(y)
    project(state.code, state.radius, state.low, state.high, y, out)
    return out


@kernel
def ignore_feedback(state, action, feedback):
    return None


class _UniformLearner(KernelLearner):
    """Plays uniformly at random (arms) or around the centre (points); accepts every kind."""

    accepts = tuple(FeedbackKind)
    act_kernel = staticmethod(uniform_arm)
    update_kernel = staticmethod(ignore_feedback)

    def init_state(self, spec, rng):
        return UniformState(int(spec.n_actions), 0, 1.0, np.zeros(1), np.zeros(1), np.zeros(1), 0.0)


class _UniformPointLearner(_UniformLearner):
    action_space = "continuous"
    act_kernel = staticmethod(uniform_point)

    def init_state(self, spec, rng):
        code, radius, low, high = spec.decision_set.kernel_arguments()
        return UniformState(0, code, radius, np.array(low, dtype=float), np.array(high, dtype=float),
                            spec.decision_set.center(), float(spec.decision_set.diameter) or 1.0)


def _uniform_learner(spec: EnvSpec) -> KernelLearner:
    return _UniformLearner() if spec.n_actions else _UniformPointLearner()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _describe(obj) -> str:
    if type(obj).__repr__ is object.__repr__:
        return f"<{type(obj).__name__}>"
    try:
        return repr(obj)
    except Exception:  # a broken __repr__ must not hide the real failure
        return type(obj).__name__


def _run_checks(function_name: str, subject, checks, skip) -> list[str]:
    skip = set(skip) | set(getattr(subject, "_skip_checks", {}) or ())
    names = [name for name, _, _ in checks]
    unknown = skip - set(names)
    if unknown:
        raise ValueError(f"Unknown check name(s) {sorted(unknown)} in skip; the checks of "
                         f"{function_name} are {names}.")
    ran = []
    label = f"{function_name}({_describe(subject)})"
    for name, check, default_cause in checks:
        if name in skip:
            continue
        try:
            check()
        except _SkipCheck:
            continue
        except _Failure as failure:
            cause = failure.cause or default_cause
            raise CheckError(f"{label} failed check '{name}': {failure.detail}\n"
                             f"Likely cause: {cause}", name, label) from failure
        except Exception as error:
            raise CheckError(f"{label} failed check '{name}': it raised "
                             f"{type(error).__name__}: {error}\nLikely cause: {default_cause}",
                             name, label) from error
        ran.append(name)
    return ran


def _fresh(obj):
    return copy.deepcopy(obj)


def _require_methods(obj, methods, role, signature):
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing:
        _fail(f"it has no method(s) {', '.join(missing)}; a {role} needs {signature}.")


def _is_finite_spec(spec: EnvSpec) -> bool:
    return bool(spec.n_actions)


def _fixed_policy(spec: EnvSpec, kind: str):
    """Deterministic action sequences: 'cycle'/'constant' arms, or 'centre'/'offset' points."""
    if spec.n_actions:
        n = spec.n_actions
        if kind == "cycle":
            return lambda t: t % n
        return lambda t: 0
    decision_set = spec.decision_set
    centre = decision_set.center()
    if kind == "cycle":
        return lambda t: centre.copy()
    step = np.zeros(decision_set.dimension)
    step[0] = 0.25 * (decision_set.diameter or 1.0)
    other = decision_set.project(centre + step)
    return lambda t: other.copy()


def _play_environment(environment, policy, rounds: int, seed=None, reset: bool = True):
    """Reset (optionally) and play ``policy``; returns (spec, feedbacks, oracle records)."""
    spec = environment.reset(seed=seed) if reset else None
    feedbacks, records = [], []
    for t in range(rounds):
        feedback = environment.step(policy(t))
        feedbacks.append(feedback)
        records.append(environment.oracle())
    return spec, feedbacks, records


def _values(items) -> list[np.ndarray]:
    return [np.array(getattr(item, "values", item), dtype=float, copy=True) for item in items]


def _first_difference(a: list[np.ndarray], b: list[np.ndarray]) -> int | None:
    for t, (x, y) in enumerate(zip(a, b, strict=False)):
        if np.shape(x) != np.shape(y) or not np.array_equal(x, y, equal_nan=True):
            return t
    return None if len(a) == len(b) else min(len(a), len(b))


def _assert_same_sequence(a, b, what: str, cause: str | None = None):
    t = _first_difference(_values(a), _values(b))
    if t is not None:
        x = _show(_values(a)[t]) if t < len(a) else "<missing>"
        y = _show(_values(b)[t]) if t < len(b) else "<missing>"
        _fail(f"{what} (first difference at round {t + 1}: {x} vs {y}).", cause)


def _show(value: np.ndarray) -> str:
    if value.ndim == 0 or value.size == 1:
        number = float(value.reshape(-1)[0])
        return str(int(number)) if number.is_integer() else f"{number:.6g}"
    return np.array2string(value, precision=6, separator=", ")


def _all_arrays(obj, depth: int = 0, seen=None):
    """Every numpy array reachable from ``obj`` through tuples, lists, dicts and attributes."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, tuple | list):
        for item in obj:
            yield from _all_arrays(item, depth + 1, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _all_arrays(item, depth + 1, seen)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type | np.random.Generator):
        yield from _all_arrays(vars(obj), depth + 1, seen)


def _invalid_values(constraints) -> list:
    """Candidate values that none of ``constraints`` accepts (the constraints are a disjunction)."""
    candidates = []
    for constraint in constraints:
        if isinstance(constraint, Interval):
            if constraint.low is not None:
                candidates.append(constraint.kind(constraint.low - 1))
            if constraint.high is not None:
                candidates.append(constraint.kind(constraint.high + 1))
            if constraint.kind is int:
                candidates.append(1.5)
            candidates.append(math.nan)
        elif isinstance(constraint, ArrayLike):
            candidates.append([math.nan] * max(constraint.min_length, 1))
            if constraint.ndim == 1:
                candidates.append([[0.5, 0.5], [0.5, 0.5]])
        elif isinstance(constraint, InstanceOf):
            candidates.append(object())
    candidates += ["invalid", -1]
    accepted = [c for c in constraints if c is not None]
    return [value for value in candidates
            if value is not None and not any(_accepts(c, value) for c in accepted)]


def _accepts(constraint, value) -> bool:
    try:
        return bool(constraint.accepts(value))
    except Exception:
        return False


def _check_parameter_validation(obj, reset: Callable[[object], None]):
    """Every declared constraint, violated in turn, must raise the template error at reset."""
    constraints = getattr(obj, "_parameter_constraints", None)
    if not constraints:
        raise _SkipCheck
    cls = type(obj)
    params = _init_arguments(obj)
    for name, accepted in constraints.items():
        invalid = _invalid_values(accepted)
        if not invalid:
            continue
        value = invalid[0]
        try:
            broken = cls(**{**params, name: value})
            reset(broken)
        except (ValueError, TypeError) as error:
            message = str(error)
            if name not in message or cls.__name__ not in message:
                _fail(f"setting {name}={value!r} raised {type(error).__name__}({message!r}), "
                      f"which does not name both the parameter '{name}' and {cls.__name__}.",
                      "the error is not raised by onlinelearn.core.params.validate_parameters "
                      "(something else failed first) or a custom message omits the names.")
            continue
        _fail(f"setting {name}={value!r} (violating {accepted}) raised no error at reset.",
              "reset does not call validate_parameters, or the constraint is not what the "
              "parameter really accepts.")


def _init_arguments(obj) -> dict:
    """``__init__`` arguments of ``obj`` with their stored values (missing ones omitted)."""
    signature = inspect.signature(type(obj).__init__)
    return {name: getattr(obj, name) for name, parameter in signature.parameters.items()
            if name != "self" and hasattr(obj, name) and parameter.kind not in
            (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)}


def _check_constraints_match_init(obj):
    """Every key of ``_parameter_constraints`` is an ``__init__`` argument stored on ``obj``."""
    constraints = getattr(obj, "_parameter_constraints", None)
    if not constraints:
        raise _SkipCheck
    signature = inspect.signature(type(obj).__init__)
    arguments = [name for name in signature.parameters if name != "self"]
    for name in constraints:
        if name not in arguments:
            _fail(f"_parameter_constraints declares '{name}', which is not an argument of "
                  f"{type(obj).__name__}.__init__ (arguments: {arguments}).")
        if not hasattr(obj, name):
            _fail(f"__init__ does not store its argument '{name}' as an attribute of the same "
                  "name, so its constraint cannot be checked.",
                  "__init__ must store each argument unchanged under its own name.")


def _check_init_stores_parameters(obj):
    if not hasattr(obj, "get_params"):
        raise _SkipCheck
    params = obj.get_params()
    clone = type(obj)(**params)
    again = clone.get_params()
    for name, value in params.items():
        if again[name] is not value and not _same_value(again[name], value):
            _fail(f"{type(obj).__name__}(**get_params()) changed '{name}' from {value!r} to "
                  f"{again[name]!r}.",
                  "__init__ must store each argument unchanged under its own name (validation "
                  "and conversion belong in reset).")


def _parameter_checks(obj, reset: Callable[[object], None]):
    """The three named checks of declared parameters shared by every role, in suite order:
    constraints match ``__init__``, ``__init__`` only stores, and ``reset`` validates."""
    return [
        ("parameter_constraints_match_init", lambda: _check_constraints_match_init(obj),
         "a typo in _parameter_constraints or a renamed __init__ argument."),
        ("init_stores_parameters", lambda: _check_init_stores_parameters(obj),
         "__init__ must only store its arguments (scikit-learn convention)."),
        ("parameter_validation", lambda: _check_parameter_validation(obj, reset),
         "reset must call onlinelearn.core.params.validate_parameters."),
    ]


def _same_value(a, b) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except Exception:
        return a == b


def _compare_runs(learner, environment, trackers, what: str):
    """``ol.run`` compiled vs Python loop on a few repetitions: results must be bit-identical."""
    from onlinelearn.sim.experiment import run

    kwargs = {"horizon": RUN_HORIZON, "n_reps": RUN_REPS, "seed": 7, "trackers": trackers,
              "backend": "serial", "n_checkpoints": 25, "quiet": True}
    compiled = run(learner, environment, **kwargs)
    if not compiled.compiled.all():
        raise _SkipCheck
    python = run(learner, environment, compiled=False, **kwargs)
    for name, values in compiled.metrics.items():
        if not np.array_equal(values, python.metrics[name], equal_nan=True):
            difference = np.nanmax(np.abs(values - python.metrics[name]))
            _fail(f"{what}: metric '{name}' differs between the compiled loop and the Python "
                  f"loop (max abs difference {difference:.3g}).")


def _kernel_trackers():
    from onlinelearn.trackers.regret import PseudoRegret, StaticRegret

    return [PseudoRegret(), StaticRegret()]


def _registered_environments():
    try:
        from onlinelearn.environments import REGISTRY
    except ImportError:
        return []
    return [cls(**params) for cls in REGISTRY for params in cls._test_params]


def find_compatible_environment(learner=None, tracker=None):
    """The first registered environment (over each class's ``_test_params``) the object accepts.

    Raises ``LookupError`` when none does.
    """
    for environment in _registered_environments():
        try:
            spec = _fresh(environment).reset(seed=0).with_horizon(RUN_HORIZON)
            if learner is not None:
                _fresh(learner).reset(spec, np.random.default_rng(0))
            if tracker is not None:
                _fresh(tracker).reset(spec, RUN_HORIZON)
        except (TypeError, ValueError):
            continue
        return environment
    subject = learner if learner is not None else tracker
    raise LookupError(f"No registered environment is compatible with {_describe(subject)}; "
                      "pass one explicitly (environment=...).")


# --------------------------------------------------------------------------------------------
# Environments
# --------------------------------------------------------------------------------------------
def _environment_checks(environment):
    def spec_of():
        return _fresh(environment).reset(seed=SEEDS[0])

    def has_methods():
        _require_methods(environment, ("reset", "step", "oracle"), "environment",
                         "reset(*, seed=None) -> EnvSpec, step(action) -> Feedback and "
                         "oracle() -> OracleRecord")

    def reset_returns_spec():
        spec = spec_of()
        if not isinstance(spec, EnvSpec):
            _fail(f"reset(seed=...) returned {type(spec).__name__}, not an EnvSpec.")
        if bool(spec.n_actions) == (spec.decision_set is not None):
            _fail(f"the spec must have exactly one of n_actions (finite actions) and decision_set "
                  f"(continuous); got n_actions={spec.n_actions!r}, "
                  f"decision_set={spec.decision_set!r}.")
        low, high = spec.loss_range
        if not low <= high:
            _fail(f"spec.loss_range {spec.loss_range} is not an interval (low <= high).")
        spec.feedback_size  # noqa: B018  (raises for an inconsistent kind / size)

    def feedback_and_oracle_valid():
        env = _fresh(environment)
        spec = env.reset(seed=SEEDS[0])
        policy = _fixed_policy(spec, "cycle")
        low, high = spec.loss_range
        for t in range(ROUNDS):
            action = policy(t)
            feedback = env.step(action)
            if not isinstance(feedback, Feedback):
                _fail(f"step returned {type(feedback).__name__} at round {t + 1}, not a Feedback.")
            if feedback.kind != spec.feedback_kind:
                _fail(f"step returned feedback of kind {FeedbackKind(feedback.kind).name} at round "
                      f"{t + 1}; the spec declares {FeedbackKind(spec.feedback_kind).name}.")
            values = np.asarray(feedback.values)
            if values.shape != (spec.feedback_size,):
                _fail(f"feedback values have shape {values.shape} at round {t + 1}; kind "
                      f"{FeedbackKind(spec.feedback_kind).name} needs ({spec.feedback_size},).",
                      "the step kernel writes a buffer laid out for another kind (see the table "
                      "in onlinelearn/core/feedback.py).")
            if not np.all(np.isfinite(values)):
                _fail(f"feedback {values!r} at round {t + 1} is not finite.",
                      "a division by zero, log(0) or an uninitialised buffer in step.")
            losses = _losses_in_feedback(spec, values)
            if np.any(losses < low) or np.any(losses > high):
                _fail(f"losses {losses!r} at round {t + 1} lie outside spec.loss_range "
                      f"[{low:g}, {high:g}].",
                      "rewards reported instead of losses (loss = 1 - reward), or a loss_range "
                      "that does not bound the loss family.")
            record = env.oracle()
            if not isinstance(record, OracleRecord):
                _fail(f"oracle() returned {type(record).__name__} at round {t + 1}, not an "
                      "OracleRecord.")
            slots = np.asarray(record.values)
            if slots.shape != (spec.record_size,):
                _fail(f"the oracle record has shape {slots.shape}; spec.record_size is "
                      f"{spec.record_size} (7 header slots + one per finite action).")
            if not np.all(np.isfinite(slots)):
                bad = np.flatnonzero(~np.isfinite(slots)).tolist()
                _fail(f"oracle record slots {bad} are not finite at round {t + 1}: {slots!r}.",
                      "a comparator initialised to inf and never written, e.g. hindsight does "
                      "not fill every slot (see onlinelearn/core/oracle.py).")
            _check_record_consistency(spec, action, values, slots, t)

    def same_seed_same_trajectory():
        first, second = _fresh(environment), _fresh(environment)
        spec, f1, r1 = _play_environment(first, _fixed_policy(spec_of(), "cycle"), ROUNDS,
                                         SEEDS[0])
        _, f2, r2 = _play_environment(second, _fixed_policy(spec, "cycle"), ROUNDS, SEEDS[0])
        cause = ("the environment draws from np.random.* (global state) or from a generator "
                 "created in __init__, instead of the Generator built from reset's seed.")
        _assert_same_sequence(f1, f2, "two resets with the same seed gave different feedback",
                              cause)
        _assert_same_sequence(r1, r2, "two resets with the same seed gave different oracle "
                              "records", cause)
        if isinstance(first, KernelEnvironment):
            s1, s2 = first.rng_.bit_generator.state, second.rng_.bit_generator.state
            if s1 != s2:
                _fail("after the same rounds with the same seed the generators are in different "
                      "states.", "a kernel draws a data-dependent number of random numbers, or "
                      "something outside the kernels draws from rng_.")

    def reset_is_idempotent():
        spec = spec_of()
        policy = _fixed_policy(spec, "cycle")
        _, f1, r1 = _play_environment(_fresh(environment), policy, ROUNDS, SEEDS[0])
        env = _fresh(environment)
        _play_environment(env, _fixed_policy(spec, "constant"), ROUNDS // 2, SEEDS[1])
        env.reset(seed=SEEDS[0])
        _, f2, r2 = _play_environment(env, policy, ROUNDS, SEEDS[0])
        cause = ("reset does not rebuild all state (round counter, cumulative sums, cached "
                 "tables), or it keeps drawing from a generator created once.")
        _assert_same_sequence(f1, f2, "after earlier rounds and two resets with the same seed the "
                              "feedback differs from a single fresh reset", cause)
        _assert_same_sequence(r1, r2, "after earlier rounds and two resets with the same seed the "
                              "oracle records differ from a single fresh reset", cause)

    def realisation_independent_of_actions():
        spec = spec_of()
        _, f1, r1 = _play_environment(_fresh(environment), _fixed_policy(spec, "cycle"), ROUNDS,
                                      SEEDS[0])
        _, f2, r2 = _play_environment(_fresh(environment), _fixed_policy(spec, "constant"),
                                      ROUNDS, SEEDS[0])
        if spec.n_actions:
            slots = [BEST_EXPECTED_LOSS, BEST_LOSS, BEST_FIXED_CUMULATIVE_LOSS,
                     BEST_FIXED_CUMULATIVE_EXPECTED, *range(EXPECTED_LOSSES, spec.record_size)]
        else:
            slots = [BEST_FIXED_CUMULATIVE_LOSS, BEST_FIXED_CUMULATIVE_EXPECTED]
        cause = ("the environment's random draws depend on the actions played (e.g. it draws only "
                 "the played arm's loss from the generator), so learners in one repetition do "
                 "not face the same realisation (common random numbers). Draw every action's "
                 "loss whatever is played, or use onlinelearn.core.counter_rng.")
        _assert_same_sequence([r.values[slots] for r in r1], [r.values[slots] for r in r2],
                              f"the comparator / expected-loss slots {slots} differ under two "
                              "different action sequences", cause)
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            _assert_same_sequence(f1, f2, "full-information feedback differs under two action "
                                  "sequences", cause)
        elif spec.feedback_kind == FeedbackKind.BANDIT and spec.n_actions:
            # The cycling policy plays arm 0 every n_actions rounds, like the constant one.
            rounds = range(0, ROUNDS, spec.n_actions)
            _assert_same_sequence([f1[t] for t in rounds], [f2[t] for t in rounds],
                                  "arm 0's realised loss at a round depends on what was played "
                                  "before", cause)

    def invalid_actions_rejected():
        env = _fresh(environment)
        spec = env.reset(seed=SEEDS[0])
        if spec.n_actions:
            invalid = [-1, spec.n_actions, 0.5, "0", None]
        else:
            d = spec.decision_set.dimension
            invalid = [np.zeros(d + 1), np.full(d, np.nan), "point", None]
        for action in invalid:
            try:
                env.step(action)
            except (ValueError, TypeError):
                continue
            except Exception as error:
                _fail(f"step({action!r}) raised {type(error).__name__} instead of ValueError or "
                      "TypeError.", "step does not validate actions before running its kernel "
                      "(use onlinelearn.core.environment.check_action).")
            _fail(f"step({action!r}) was accepted.", "step does not validate actions (use "
                  "onlinelearn.core.environment.check_action); an invalid action would index "
                  "out of bounds or silently wrap inside a kernel.")

    def pickles():
        spec = spec_of()
        policy = _fixed_policy(spec, "cycle")
        copy_ = pickle.loads(pickle.dumps(environment))
        _, f1, r1 = _play_environment(_fresh(environment), policy, ROUNDS, SEEDS[0])
        _, f2, r2 = _play_environment(copy_, policy, ROUNDS, SEEDS[0])
        cause = "the object or its state holds something pickle cannot restore faithfully."
        _assert_same_sequence(f1 + r1, f2 + r2, "an unpickled copy plays a different trajectory",
                              cause)
        env = _fresh(environment)
        _play_environment(env, policy, ROUNDS // 2, SEEDS[0])
        middle = pickle.loads(pickle.dumps(env))
        later = [policy(t) for t in range(ROUNDS // 2, ROUNDS)]
        a = [(env.step(x), env.oracle()) for x in later]
        b = [(middle.step(x), middle.oracle()) for x in later]
        _assert_same_sequence([p for pair in a for p in pair], [p for pair in b for p in pair],
                              "a copy pickled in the middle of a run continues differently",
                              cause)

    def kernels_match_python():
        if not isinstance(environment, KernelEnvironment) or environment.step_kernel is None:
            raise _SkipCheck
        spec = spec_of()
        _compare_runs(_uniform_learner(spec), environment, _kernel_trackers(),
                      "a uniformly random learner on this environment")

    return [
        ("has_methods", has_methods, "the class does not implement the environment protocol."),
        ("reset_returns_spec", reset_returns_spec,
         "reset(*, seed) must build and return the EnvSpec (make_spec)."),
        *_parameter_checks(environment, lambda env: env.reset(seed=0)),
        ("feedback_and_oracle_valid", feedback_and_oracle_valid,
         "the step/hindsight kernels do not follow the feedback and oracle layouts."),
        ("same_seed_same_trajectory", same_seed_same_trajectory,
         "randomness that does not come from the Generator built from reset's seed."),
        ("reset_is_idempotent", reset_is_idempotent,
         "reset does not rebuild all state from the seed."),
        ("realisation_independent_of_actions", realisation_independent_of_actions,
         "the realisation depends on the actions played (no common random numbers)."),
        ("invalid_actions_rejected", invalid_actions_rejected,
         "step does not validate its action."),
        ("pickles", pickles, "an attribute that cannot be pickled (lambda, open file, lock, "
                             "generator object); the runner copies environments."),
        ("kernels_match_python", kernels_match_python,
         "the Python methods do work the kernels do not (or vice versa), or a kernel draws "
         "from np.random.* instead of its rng argument."),
    ]


def _losses_in_feedback(spec: EnvSpec, values: np.ndarray) -> np.ndarray:
    """The entries of a feedback buffer that are losses (and so lie in ``spec.loss_range``)."""
    kind = spec.feedback_kind
    if kind in (FeedbackKind.BANDIT, FeedbackKind.FULL_INFORMATION):
        return values
    if kind == FeedbackKind.GRADIENT:
        return values[:1]
    if kind == FeedbackKind.MULTI_QUERY:
        n = int(values[0]) if values.size and np.isfinite(values[0]) else 0
        return values[2:2 + 2 * n:2]
    return values[:0]


def _check_record_consistency(spec, action, feedback, record, t):
    """Relations between oracle slots and feedback that hold for every environment."""
    def close(a, b):
        return abs(a - b) <= 1e-9 * (1.0 + abs(a) + abs(b))

    where = f"at round {t + 1}"
    kind = spec.feedback_kind
    played = None
    if kind in (FeedbackKind.BANDIT, FeedbackKind.GRADIENT):
        played = feedback[0]
    elif kind == FeedbackKind.FULL_INFORMATION:
        played = feedback[action]
    elif kind == FeedbackKind.MULTI_QUERY:
        played = feedback[2]
    if played is not None and not close(played, record[LOSS]):
        _fail(f"oracle LOSS {record[LOSS]!r} differs from the loss in the feedback {played!r} "
              f"{where}.", "step writes the realised loss to the feedback and a different number "
              "to record[LOSS].")
    if spec.n_actions:
        expected = record[EXPECTED_LOSSES:]
        if not close(record[EXPECTED_LOSS], expected[action]):
            _fail(f"oracle EXPECTED_LOSS {record[EXPECTED_LOSS]!r} differs from "
                  f"EXPECTED_LOSSES[{action}] = {expected[action]!r} {where}.",
                  "step and hindsight disagree on the expected losses.")
        if not close(record[BEST_EXPECTED_LOSS], expected.min()):
            _fail(f"oracle BEST_EXPECTED_LOSS {record[BEST_EXPECTED_LOSS]!r} is not the minimum "
                  f"of EXPECTED_LOSSES ({expected.min()!r}) {where}.",
                  "the per-round best action is computed from different means than the "
                  "expected-loss vector.")
        if record[BEST_LOSS] > record[LOSS] + 1e-9 * (1.0 + abs(record[LOSS])):
            _fail(f"oracle BEST_LOSS {record[BEST_LOSS]!r} exceeds the played loss "
                  f"{record[LOSS]!r} {where}.", "BEST_LOSS is not the minimum over all actions "
                  "of this round's realised loss.")


# --------------------------------------------------------------------------------------------
# Learners
# --------------------------------------------------------------------------------------------
def _check_action(spec: EnvSpec, action, t: int):
    where = f"at round {t + 1}"
    if spec.n_actions:
        if isinstance(action, bool) or not isinstance(action, int | np.integer):
            _fail(f"act() returned {action!r} ({type(action).__name__}) {where}; a finite-action "
                  "learner must return an int.", "the act kernel returns a float or an array "
                  "instead of an int64 arm index.")
        if not 0 <= action < spec.n_actions:
            _fail(f"act() returned arm {action!r} {where}, outside [0, {spec.n_actions}).",
                  "an off-by-one in the arm index, or sampling with probabilities that do not "
                  "sum to one (use onlinelearn.core.sampling.sample_index).")
        return
    point = np.asarray(action, dtype=float) if not isinstance(action, str) else None
    if point is None or point.shape != (spec.decision_set.dimension,):
        _fail(f"act() returned {action!r} {where}; expected a point of shape "
              f"({spec.decision_set.dimension},).")
    if not spec.decision_set.contains(point, tolerance=1e-8):
        _fail(f"act() returned {action!r} {where}, outside the {spec.decision_set.name} decision "
              "set.", "the iterate is not projected onto the decision set after the update "
              "(onlinelearn.core.decision_sets.project), or a step size overflows.")


def _play_learner(learner, environment, rounds, learner_seed, environment_seed=SEEDS[0],
                  reset: bool = True, validate: bool = False):
    spec = environment.reset(seed=environment_seed).with_horizon(rounds)
    if reset:
        learner.reset(spec, np.random.default_rng(learner_seed))
    actions = []
    for t in range(rounds):
        action = learner.act()
        if validate:
            _check_action(spec, action, t)
        actions.append(np.array(action, dtype=float, copy=True))
        learner.update(environment.step(action))
    return actions


def _learner_checks(learner, environment):
    state = {}

    def partner():
        if "environment" not in state:
            state["environment"] = (environment if environment is not None
                                    else find_compatible_environment(learner=learner))
        return _fresh(state["environment"])

    def spec():
        return partner().reset(seed=SEEDS[0]).with_horizon(ROUNDS)

    determinism_cause = ("the learner draws from np.random.* (global state) or from a generator "
                         "it created itself, instead of the Generator passed to reset(spec, rng).")

    def has_methods():
        _require_methods(learner, ("reset", "act", "update"), "learner",
                         "reset(spec, rng), act() and update(feedback)")

    def reset_accepts_compatible_spec():
        try:
            partner()
        except LookupError as error:
            _fail(str(error), "the learner rejects the spec of every registered environment "
                              "(check its accepts / action_space), or none is registered yet.")
        _fresh(learner).reset(spec(), np.random.default_rng(0))

    def rejects_unsupported_spec():
        base = spec()
        unsupported = []
        accepts = getattr(learner, "accepts", None)
        if accepts is not None:
            unsupported += [replace(base, feedback_kind=kind) for kind in FeedbackKind
                            if kind not in accepts][:1]
        if base.n_actions:
            unsupported.append(EnvSpec(base.feedback_kind, decision_set=ball(2), horizon=ROUNDS))
        else:
            unsupported.append(EnvSpec(base.feedback_kind, n_actions=3, horizon=ROUNDS))
        for bad in unsupported:
            try:
                _fresh(learner).reset(bad, np.random.default_rng(0))
            except (TypeError, ValueError):
                continue
            what = (f"feedback kind {FeedbackKind(bad.feedback_kind).name}"
                    if bad.feedback_kind != base.feedback_kind else
                    ("a continuous decision set" if base.n_actions else "finite actions"))
            _fail(f"reset accepted a spec with {what}, which this learner cannot play; it must "
                  "raise TypeError or ValueError before round 1.",
                  "reset does not call check_spec, or 'accepts' / 'action_space' are declared "
                  "wider than what the update kernel handles.")

    def actions_valid():
        _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0], validate=True)

    def deterministic_given_rng():
        first = _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0])
        second = _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0])
        _assert_same_sequence(first, second, "two runs with the same seed chose different actions",
                              determinism_cause)

    def reset_is_idempotent():
        fresh = _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0])
        reused = _fresh(learner)
        _play_learner(reused, partner(), ROUNDS // 2, SEEDS[1], environment_seed=SEEDS[1])
        reused.reset(spec(), np.random.default_rng(SEEDS[1]))
        again = _play_learner(reused, partner(), ROUNDS, SEEDS[0])
        _assert_same_sequence(fresh, again, "after earlier rounds and two resets the actions differ "
                              "from a fresh learner's", "reset does not rebuild all state (counts, "
                              "sums, step sizes, caches are kept from the previous run).")

    def pickles():
        env = partner()
        fresh = _play_learner(_fresh(learner), _fresh(env), ROUNDS, SEEDS[0])
        unpickled = _play_learner(pickle.loads(pickle.dumps(learner)), _fresh(env), ROUNDS,
                                  SEEDS[0])
        cause = "the object or its state holds something pickle cannot restore faithfully."
        _assert_same_sequence(fresh, unpickled, "an unpickled copy chose different actions", cause)
        playing, environment_ = _fresh(learner), _fresh(env)
        _play_learner(playing, environment_, ROUNDS // 2, SEEDS[0])
        middle, middle_env = pickle.loads(pickle.dumps((playing, environment_)))
        a, b = [], []
        for learner_, env_, out in ((playing, environment_, a), (middle, middle_env, b)):
            for _ in range(ROUNDS // 2):
                action = learner_.act()
                out.append(np.array(action, dtype=float, copy=True))
                learner_.update(env_.step(action))
        _assert_same_sequence(a, b, "a copy pickled in the middle of a run continues differently",
                              cause)

    def kernels_match_python():
        if not isinstance(learner, KernelLearner) or learner.act_kernel is None:
            raise _SkipCheck
        env = partner()
        if not isinstance(env, KernelEnvironment):
            raise _SkipCheck
        _compare_runs(learner, env, _kernel_trackers(), f"this learner on {_describe(env)}")

    parameter_checks = _parameter_checks(
        learner, lambda obj: obj.reset(spec(), np.random.default_rng(0)))

    return [
        ("has_methods", has_methods, "the class does not implement the learner protocol."),
        *parameter_checks[:2],
        ("reset_accepts_compatible_spec", reset_accepts_compatible_spec,
         "reset fails on a spec the learner declares it accepts."),
        ("rejects_unsupported_spec", rejects_unsupported_spec,
         "reset must reject a spec it cannot play (KernelLearner.check_spec)."),
        parameter_checks[2],
        ("actions_valid", actions_valid, "act returns an action outside the action set."),
        ("deterministic_given_rng", deterministic_given_rng, determinism_cause),
        ("reset_is_idempotent", reset_is_idempotent, "reset does not rebuild all state."),
        ("pickles", pickles, "an attribute that cannot be pickled (lambda, open file, lock, "
                             "generator object); the runner copies learners."),
        ("kernels_match_python", kernels_match_python,
         "the Python methods do work the kernels do not (or vice versa), or a kernel draws "
         "from np.random.* instead of its rng argument."),
    ]


# --------------------------------------------------------------------------------------------
# Trackers
# --------------------------------------------------------------------------------------------
def _environment_records(environment, rounds: int, seed=SEEDS[0]):
    """Oracle records of ``environment`` played by the uniform learner."""
    env = _fresh(environment)
    spec = env.reset(seed=seed).with_horizon(rounds)
    learner = _uniform_learner(spec)
    learner.reset(spec, np.random.default_rng(seed))
    records = []
    for _ in range(rounds):
        learner.update(env.step(learner.act()))
        records.append(env.oracle())
    return spec, records


def _tracker_values(tracker, spec, records, horizon=None, reset: bool = True):
    if reset:
        tracker.reset(spec, horizon or len(records))
    out = []
    for record in records:
        tracker.record(record)
        out.append(np.array(tracker.values(), dtype=float, copy=True))
    return out


def _tracker_checks(tracker, environment):
    state = {}

    def partner():
        if "environment" not in state:
            state["environment"] = (environment if environment is not None
                                    else find_compatible_environment(tracker=tracker))
        return state["environment"]

    def records():
        if "records" not in state:
            state["records"] = _environment_records(partner(), ROUNDS)
        return state["records"]

    def has_methods():
        _require_methods(tracker, ("reset", "record", "values"), "tracker",
                         "reset(spec, horizon), record(oracle), values() and metric_names")
        names = getattr(tracker, "metric_names", None)
        if (not isinstance(names, tuple | list) or not names
                or not all(isinstance(n, str) for n in names)):
            _fail(f"metric_names is {names!r}; it must be a non-empty tuple of strings.")
        if len(set(names)) != len(names):
            _fail(f"metric_names {names!r} has duplicates.")

    def values_shape():
        spec, recs = records()
        values = _tracker_values(_fresh(tracker), spec, recs[:5])
        expected = (len(tracker.metric_names),)
        for t, value in enumerate(values):
            if value.shape != expected:
                _fail(f"values() has shape {value.shape} after {t + 1} records; metric_names "
                      f"{tuple(tracker.metric_names)} needs {expected}.",
                      "values writes a different number of metrics than metric_names lists.")

    def values_finite():
        spec, recs = records()
        for t, value in enumerate(_tracker_values(_fresh(tracker), spec, recs)):
            if not np.all(np.isfinite(value)):
                _fail(f"values() is {value!r} after {t + 1} records of {_describe(partner())}.",
                      "a division by the round count before any round, or a comparator slot the "
                      "tracker reads but the environment does not write.")

    def values_do_not_change_state():
        spec, recs = records()
        tracker_ = _fresh(tracker)
        tracker_.reset(spec, len(recs))
        for record in recs[:10]:
            tracker_.record(record)
        first, second = np.array(tracker_.values(), copy=True), np.array(tracker_.values())
        if not np.array_equal(first, second, equal_nan=True):
            _fail(f"two consecutive values() calls returned {first!r} and {second!r}.",
                  "values() updates the state (it must only read it).")

    def memory_independent_of_horizon():
        spec, _ = records()
        sizes = {}
        for horizon in (10**3, 10**6):
            tracker_ = _fresh(tracker)
            tracker_.reset(spec, horizon)
            sizes[horizon] = sum(a.nbytes for a in _all_arrays(tracker_))
        if sizes[10**6] > sizes[10**3]:
            _fail(f"the tracker's arrays take {sizes[10**3]} bytes for horizon 10^3 and "
                  f"{sizes[10**6]} bytes for horizon 10^6.",
                  "the tracker stores a per-round history; trackers must stream (O(1) memory in "
                  "T) and leave curves to the runner's checkpoint grid.")

    def reset_is_idempotent():
        spec, recs = records()
        fresh = _tracker_values(_fresh(tracker), spec, recs)
        reused = _fresh(tracker)
        _tracker_values(reused, spec, recs[: len(recs) // 2])
        reused.reset(spec, len(recs))
        again = _tracker_values(reused, spec, recs)
        _assert_same_sequence(fresh, again, "after earlier records and two resets the values "
                              "differ from a fresh tracker's", "reset does not clear all sums "
                              "and counters.")

    def pickles():
        spec, recs = records()
        half = len(recs) // 2
        fresh = _tracker_values(pickle.loads(pickle.dumps(tracker)), spec, recs)
        _assert_same_sequence(_tracker_values(_fresh(tracker), spec, recs), fresh,
                              "an unpickled copy reports different values")
        playing = _fresh(tracker)
        _tracker_values(playing, spec, recs[:half])
        middle = pickle.loads(pickle.dumps(playing))
        _assert_same_sequence(_tracker_values(playing, spec, recs[half:], reset=False),
                              _tracker_values(middle, spec, recs[half:], reset=False),
                              "a copy pickled in the middle of a run continues differently")

    def kernels_match_python():
        if not isinstance(tracker, KernelTracker) or tracker.record_kernel is None:
            raise _SkipCheck
        env = partner()
        if not isinstance(env, KernelEnvironment):
            raise _SkipCheck
        spec = _fresh(env).reset(seed=0)
        _compare_runs(_uniform_learner(spec), env, [tracker],
                      f"a uniformly random learner on {_describe(env)}")

    return [
        ("has_methods", has_methods, "the class does not implement the tracker protocol."),
        *_parameter_checks(tracker, lambda obj: obj.reset(records()[0], ROUNDS)),
        ("values_shape", values_shape, "values() does not match metric_names."),
        ("values_finite", values_finite, "values() is not finite on a real environment."),
        ("values_do_not_change_state", values_do_not_change_state,
         "values() mutates the tracker."),
        ("memory_independent_of_horizon", memory_independent_of_horizon,
         "the tracker allocates memory proportional to the horizon."),
        ("reset_is_idempotent", reset_is_idempotent, "reset does not rebuild all state."),
        ("pickles", pickles, "an attribute that cannot be pickled (lambda, open file, lock); "
                             "the runner copies trackers."),
        ("kernels_match_python", kernels_match_python,
         "the Python methods do work the kernels do not (or vice versa)."),
    ]


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------
def check_environment(environment, *, skip=()) -> list[str]:
    """Run every environment check on copies of ``environment``; return the names of those run.

    Raises:
        CheckError: naming the first failed check, what was observed and the likely cause.
    """
    return _run_checks("check_environment", environment, _environment_checks(environment), skip)


def check_learner(learner, environment=None, *, skip=()) -> list[str]:
    """Run every learner check, playing against ``environment``.

    ``environment=None`` picks the first registered environment (over each class's
    ``_test_params``) whose spec the learner accepts.  Returns the names of the checks run.

    Raises:
        CheckError: naming the first failed check, what was observed and the likely cause.
    """
    return _run_checks("check_learner", learner, _learner_checks(learner, environment), skip)


def check_tracker(tracker, environment=None, *, skip=()) -> list[str]:
    """Run every tracker check on oracle records of ``environment`` (default: first compatible
    registered one).  Returns the names of the checks run.

    Raises:
        CheckError: naming the first failed check, what was observed and the likely cause.
    """
    return _run_checks("check_tracker", tracker, _tracker_checks(tracker, environment), skip)


LEARNER_CHECKS = tuple(name for name, _, _ in _learner_checks(None, None))
ENVIRONMENT_CHECKS = tuple(name for name, _, _ in _environment_checks(None))
TRACKER_CHECKS = tuple(name for name, _, _ in _tracker_checks(None, None))
