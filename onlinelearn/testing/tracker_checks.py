"""The named checks of :func:`onlinelearn.testing.check_tracker`."""

from __future__ import annotations

import pickle

import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.testing._support import (
    ROUNDS,
    SEEDS,
    _all_arrays,
    _assert_same_sequence,
    _compare_runs,
    _describe,
    _fail,
    _fresh,
    _parameter_checks,
    _require_methods,
    _SkipCheck,
    _uniform_learner,
    find_compatible_environment,
)
from onlinelearn.trackers.base import KernelTracker


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
            state["environment"] = (
                environment if environment is not None else find_compatible_environment(tracker=tracker)
            )
        return state["environment"]

    def records():
        if "records" not in state:
            state["records"] = _environment_records(partner(), ROUNDS)
        return state["records"]

    def has_methods():
        _require_methods(
            tracker,
            ("reset", "record", "values"),
            "tracker",
            "reset(spec, horizon), record(oracle), values() and metric_names",
        )
        names = getattr(tracker, "metric_names", None)
        if not isinstance(names, tuple | list) or not names or not all(isinstance(n, str) for n in names):
            _fail(f"metric_names is {names!r}; it must be a non-empty tuple of strings.")
        if len(set(names)) != len(names):
            _fail(f"metric_names {names!r} has duplicates.")

    def values_shape():
        spec, recs = records()
        values = _tracker_values(_fresh(tracker), spec, recs[:5])
        expected = (len(tracker.metric_names),)
        for t, value in enumerate(values):
            if value.shape != expected:
                _fail(
                    f"values() has shape {value.shape} after {t + 1} records; metric_names "
                    f"{tuple(tracker.metric_names)} needs {expected}.",
                    "values writes a different number of metrics than metric_names lists.",
                )

    def values_finite():
        spec, recs = records()
        for t, value in enumerate(_tracker_values(_fresh(tracker), spec, recs)):
            if not np.all(np.isfinite(value)):
                _fail(
                    f"values() is {value!r} after {t + 1} records of {_describe(partner())}.",
                    "a division by the round count before any round, or a comparator slot the "
                    "tracker reads but the environment does not write.",
                )

    def values_do_not_change_state():
        spec, recs = records()
        tracker_ = _fresh(tracker)
        tracker_.reset(spec, len(recs))
        for record in recs[:10]:
            tracker_.record(record)
        first, second = np.array(tracker_.values(), copy=True), np.array(tracker_.values())
        if not np.array_equal(first, second, equal_nan=True):
            _fail(
                f"two consecutive values() calls returned {first!r} and {second!r}.",
                "values() updates the state (it must only read it).",
            )

    def memory_independent_of_horizon():
        spec, _ = records()
        sizes = {}
        for horizon in (10**3, 10**6):
            tracker_ = _fresh(tracker)
            tracker_.reset(spec, horizon)
            sizes[horizon] = sum(a.nbytes for a in _all_arrays(tracker_))
        if sizes[10**6] > sizes[10**3]:
            _fail(
                f"the tracker's arrays take {sizes[10**3]} bytes for horizon 10^3 and "
                f"{sizes[10**6]} bytes for horizon 10^6.",
                "the tracker stores a per-round history; trackers must stream (O(1) memory in "
                "T) and leave curves to the runner's checkpoint grid.",
            )

    def reset_is_idempotent():
        spec, recs = records()
        fresh = _tracker_values(_fresh(tracker), spec, recs)
        reused = _fresh(tracker)
        _tracker_values(reused, spec, recs[: len(recs) // 2])
        reused.reset(spec, len(recs))
        again = _tracker_values(reused, spec, recs)
        _assert_same_sequence(
            fresh,
            again,
            "after earlier records and two resets the values differ from a fresh tracker's",
            "reset does not clear all sums and counters.",
        )

    def pickles():
        spec, recs = records()
        half = len(recs) // 2
        fresh = _tracker_values(pickle.loads(pickle.dumps(tracker)), spec, recs)
        _assert_same_sequence(
            _tracker_values(_fresh(tracker), spec, recs), fresh, "an unpickled copy reports different values"
        )
        playing = _fresh(tracker)
        _tracker_values(playing, spec, recs[:half])
        middle = pickle.loads(pickle.dumps(playing))
        _assert_same_sequence(
            _tracker_values(playing, spec, recs[half:], reset=False),
            _tracker_values(middle, spec, recs[half:], reset=False),
            "a copy pickled in the middle of a run continues differently",
        )

    def kernels_match_python():
        if not isinstance(tracker, KernelTracker) or tracker.record_kernel is None:
            raise _SkipCheck
        env = partner()
        if not isinstance(env, KernelEnvironment):
            raise _SkipCheck
        spec = _fresh(env).reset(seed=0)
        _compare_runs(
            _uniform_learner(spec), env, [tracker], f"a uniformly random learner on {_describe(env)}"
        )

    return [
        ("has_methods", has_methods, "the class does not implement the tracker protocol."),
        *_parameter_checks(tracker, lambda obj: obj.reset(records()[0], ROUNDS)),
        ("values_shape", values_shape, "values() does not match metric_names."),
        ("values_finite", values_finite, "values() is not finite on a real environment."),
        ("values_do_not_change_state", values_do_not_change_state, "values() mutates the tracker."),
        (
            "memory_independent_of_horizon",
            memory_independent_of_horizon,
            "the tracker allocates memory proportional to the horizon.",
        ),
        ("reset_is_idempotent", reset_is_idempotent, "reset does not rebuild all state."),
        (
            "pickles",
            pickles,
            "an attribute that cannot be pickled (lambda, open file, lock); the runner copies trackers.",
        ),
        (
            "kernels_match_python",
            kernels_match_python,
            "the Python methods do work the kernels do not (or vice versa).",
        ),
    ]
