"""``run``: several learners on several environments, many seeded repetitions, one Results."""

from __future__ import annotations

import copy
import sys
import time

import numba
import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.params import Options, check_value
from onlinelearn.core.seeding import check_seed
from onlinelearn.results import Results
from onlinelearn.sim.loops import checkpoint_grid, is_compilable, run_compiled, run_python
from onlinelearn.sim.validation import check_positive_int
from onlinelearn.trackers.base import KernelTracker
from onlinelearn.trackers.regret import PseudoRegret

BACKENDS = ("auto", "numba", "serial")


def _as_list(items, name):
    items = list(items) if isinstance(items, list | tuple) else [items]
    if not items:
        raise ValueError(f"The '{name}' parameter of run must not be empty.")
    return items


def _check_parts(learners, environments, trackers):
    for learner in learners:
        if not all(hasattr(learner, m) for m in ("reset", "act", "update")):
            raise TypeError(f"{learner!r} is not a learner: it needs reset(spec, rng), act() and "
                            "update(feedback).")
    for environment in environments:
        if not all(hasattr(environment, m) for m in ("reset", "step", "oracle")):
            raise TypeError(f"{environment!r} is not an environment: it needs reset(seed=...), "
                            "step(action) and oracle().")
    for tracker in trackers:
        if not all(hasattr(tracker, m) for m in ("reset", "record", "values")):
            raise TypeError(f"{tracker!r} is not a tracker: it needs reset(spec, horizon), "
                            "record(oracle) and values().")


def _display_names(objects) -> list[str]:
    names, seen = [], {}
    for obj in objects:
        name = getattr(obj, "name", type(obj).__name__)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return names


def _preflight(learner, environment, trackers, horizon):
    """Reset copies once so that every parameter and compatibility error is raised up front."""
    learner, environment, trackers = copy.deepcopy((learner, environment, trackers))
    spec = environment.reset(seed=0).with_horizon(horizon)
    learner.reset(spec, np.random.default_rng(0))
    for tracker in trackers:
        tracker.reset(spec, horizon)


def run(learners, environments, horizon: int, n_reps: int = 100, seed: int = 0, *,
        trackers=None, compiled: bool | None = None, backend: str = "auto",
        n_threads: int | None = None, n_checkpoints: int = 200, quiet: bool = False) -> Results:
    """Run every learner on every environment for ``n_reps`` seeded repetitions.

    Args:
        learners: one learner or a list of learners (objects with ``reset/act/update``).
        environments: one environment or a list (objects with ``reset/step/oracle``).
        horizon: number of rounds T per repetition.
        n_reps: number of repetitions.
        seed: one integer that fixes the whole experiment.  Within a repetition every learner
            faces the same environment realisation (common random numbers).
        trackers: regret trackers (default: :class:`~onlinelearn.trackers.PseudoRegret`).
        compiled: ``None`` compiles every pair whose parts all have kernels and runs the others in
            the Python loop (with a one-line notice); ``False`` forces the Python loop.
        backend: ``"auto"``/``"numba"`` run repetitions on Numba threads (``prange``);
            ``"serial"`` runs them on one thread.  Results do not depend on the backend.
        n_threads: Numba threads for the ``numba`` backend (default: all cores).
        n_checkpoints: size of the log-spaced grid of rounds where curves are recorded.
        quiet: suppress the fallback notice.

    Returns:
        :class:`~onlinelearn.results.Results` with arrays ``(learner, env, rep, checkpoint)``.
    """
    learners = _as_list(learners, "learners")
    environments = _as_list(environments, "environments")
    trackers = [PseudoRegret()] if trackers is None else _as_list(trackers, "trackers")
    horizon = check_positive_int("horizon", horizon)
    n_reps = check_positive_int("n_reps", n_reps)
    n_checkpoints = check_positive_int("n_checkpoints", n_checkpoints)
    seed = check_seed(seed)
    check_value("run", "backend", backend, [Options(BACKENDS)])
    check_value("run", "compiled", compiled, [Options((True, False)), None])
    _check_parts(learners, environments, trackers)
    metric_names = [name for tracker in trackers for name in tracker.metric_names]
    if len(set(metric_names)) != len(metric_names):
        raise ValueError(f"Two trackers report the same metric name: {metric_names}.")

    checkpoints = checkpoint_grid(horizon, n_checkpoints)
    shape = (len(learners), len(environments), n_reps, len(checkpoints))
    metrics = {name: np.zeros(shape) for name in metric_names}
    seconds = np.zeros((len(learners), len(environments)))
    was_compiled = np.zeros((len(learners), len(environments)), dtype=bool)
    for environment in environments:
        for learner in learners:
            _preflight(learner, environment, trackers, horizon)
    if n_threads is not None:
        numba.set_num_threads(check_positive_int("n_threads", n_threads))
    repetitions = np.arange(n_reps)
    for j, environment_template in enumerate(environments):
        for i, learner_template in enumerate(learners):
            # Private copies: a run never changes the objects the caller passed in.
            learner = copy.deepcopy(learner_template)
            environment = copy.deepcopy(environment_template)
            pair_trackers = [copy.deepcopy(t) for t in trackers]
            can_compile = is_compilable(learner, environment, pair_trackers)
            use_compiled = can_compile and compiled is not False
            if not can_compile and compiled is not False and not quiet:
                print(_fallback_notice(learner, environment, pair_trackers), file=sys.stderr)
            start = time.perf_counter()
            if use_compiled:
                curves = run_compiled(learner, environment, pair_trackers, horizon, repetitions,
                                      seed, j, i, checkpoints, parallel=backend != "serial")
            else:
                validate = not (isinstance(environment, KernelEnvironment)
                                and isinstance(learner, KernelLearner))
                curves = run_python(learner, environment, pair_trackers, horizon, repetitions,
                                    seed, j, i, checkpoints, validate=validate)
            seconds[i, j] = time.perf_counter() - start
            was_compiled[i, j] = use_compiled
            for tracker, curve in zip(pair_trackers, curves, strict=True):
                for k, name in enumerate(tracker.metric_names):
                    metrics[name][i, j] = curve[:, :, k]
    return Results(learner_names=_display_names(learners),
                   environment_names=_display_names(environments), checkpoints=checkpoints,
                   metrics=metrics, seconds=seconds, compiled=was_compiled, horizon=horizon,
                   n_reps=n_reps, seed=seed)


def _fallback_notice(learner, environment, trackers) -> str:
    missing = [type(obj).__name__ for obj, base in
               [(learner, KernelLearner), (environment, KernelEnvironment)]
               + [(t, KernelTracker) for t in trackers] if not isinstance(obj, base)]
    return (f"onlinelearn: {', '.join(missing)} has no Numba kernels; running "
            f"{type(learner).__name__} on {type(environment).__name__} in the Python loop.")
