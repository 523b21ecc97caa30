"""Shared machinery of the checkers: failures, the partner learner, trajectory helpers."""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import project
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import ArrayLike, InstanceOf, Interval
from onlinelearn.core.spec import EnvSpec

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
        return UniformState(
            0,
            code,
            radius,
            np.array(low, dtype=float),
            np.array(high, dtype=float),
            spec.decision_set.center(),
            float(spec.decision_set.diameter) or 1.0,
        )


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
        raise ValueError(
            f"Unknown check name(s) {sorted(unknown)} in skip; the checks of {function_name} are {names}."
        )
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
            raise CheckError(
                f"{label} failed check '{name}': {failure.detail}\nLikely cause: {cause}", name, label
            ) from failure
        except Exception as error:
            raise CheckError(
                f"{label} failed check '{name}': it raised "
                f"{type(error).__name__}: {error}\nLikely cause: {default_cause}",
                name,
                label,
            ) from error
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
    return [
        value for value in candidates if value is not None and not any(_accepts(c, value) for c in accepted)
    ]


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
                _fail(
                    f"setting {name}={value!r} raised {type(error).__name__}({message!r}), "
                    f"which does not name both the parameter '{name}' and {cls.__name__}.",
                    "the error is not raised by onlinelearn.core.params.validate_parameters "
                    "(something else failed first) or a custom message omits the names.",
                )
            continue
        _fail(
            f"setting {name}={value!r} (violating {accepted}) raised no error at reset.",
            "reset does not call validate_parameters, or the constraint is not what the "
            "parameter really accepts.",
        )


def _init_arguments(obj) -> dict:
    """``__init__`` arguments of ``obj`` with their stored values (missing ones omitted)."""
    signature = inspect.signature(type(obj).__init__)
    return {
        name: getattr(obj, name)
        for name, parameter in signature.parameters.items()
        if name != "self"
        and hasattr(obj, name)
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }


def _check_constraints_match_init(obj):
    """Every key of ``_parameter_constraints`` is an ``__init__`` argument stored on ``obj``."""
    constraints = getattr(obj, "_parameter_constraints", None)
    if not constraints:
        raise _SkipCheck
    signature = inspect.signature(type(obj).__init__)
    arguments = [name for name in signature.parameters if name != "self"]
    for name in constraints:
        if name not in arguments:
            _fail(
                f"_parameter_constraints declares '{name}', which is not an argument of "
                f"{type(obj).__name__}.__init__ (arguments: {arguments})."
            )
        if not hasattr(obj, name):
            _fail(
                f"__init__ does not store its argument '{name}' as an attribute of the same "
                "name, so its constraint cannot be checked.",
                "__init__ must store each argument unchanged under its own name.",
            )


def _check_init_stores_parameters(obj):
    if not hasattr(obj, "get_params"):
        raise _SkipCheck
    params = obj.get_params()
    clone = type(obj)(**params)
    again = clone.get_params()
    for name, value in params.items():
        if again[name] is not value and not _same_value(again[name], value):
            _fail(
                f"{type(obj).__name__}(**get_params()) changed '{name}' from {value!r} to {again[name]!r}.",
                "__init__ must store each argument unchanged under its own name (validation "
                "and conversion belong in reset).",
            )


def _parameter_checks(obj, reset: Callable[[object], None]):
    """The three named checks of declared parameters shared by every role, in suite order:
    constraints match ``__init__``, ``__init__`` only stores, and ``reset`` validates."""
    return [
        (
            "parameter_constraints_match_init",
            lambda: _check_constraints_match_init(obj),
            "a typo in _parameter_constraints or a renamed __init__ argument.",
        ),
        (
            "init_stores_parameters",
            lambda: _check_init_stores_parameters(obj),
            "__init__ must only store its arguments (scikit-learn convention).",
        ),
        (
            "parameter_validation",
            lambda: _check_parameter_validation(obj, reset),
            "reset must call onlinelearn.core.params.validate_parameters.",
        ),
    ]


def _same_value(a, b) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except Exception:
        return a == b


def _compare_runs(learner, environment, trackers, what: str):
    """``ol.run`` compiled vs Python loop on a few repetitions: results must be bit-identical."""
    from onlinelearn.sim.experiment import run

    kwargs = {
        "horizon": RUN_HORIZON,
        "n_reps": RUN_REPS,
        "seed": 7,
        "trackers": trackers,
        "backend": "serial",
        "n_checkpoints": 25,
        "quiet": True,
    }
    compiled = run(learner, environment, **kwargs)
    if not compiled.compiled.all():
        raise _SkipCheck
    python = run(learner, environment, compiled=False, **kwargs)
    for name, values in compiled.metrics.items():
        if not np.array_equal(values, python.metrics[name], equal_nan=True):
            difference = np.nanmax(np.abs(values - python.metrics[name]))
            _fail(
                f"{what}: metric '{name}' differs between the compiled loop and the Python "
                f"loop (max abs difference {difference:.3g})."
            )


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
    raise LookupError(
        f"No registered environment is compatible with {_describe(subject)}; "
        "pass one explicitly (environment=...)."
    )
