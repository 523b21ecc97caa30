"""``run`` and ``sweep``: learners x environments x seeded repetitions, on any backend, resumable.

An experiment is cut into chunks (learner, environment, block of repetitions).  Chunks run on
the chosen backend and arrive in any order; each is written to ``results_dir`` (when given) as
soon as it finishes, and a rerun loads finished chunks instead of recomputing them.  Because every
repetition is seeded by its own key, the numbers depend on neither the backend, the chunk size
nor the number of workers.
"""

from __future__ import annotations

import copy
import math
import sys

import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.learner import KernelLearner, check_query_budget
from onlinelearn.core.params import Options, check_value
from onlinelearn.core.seeding import check_seed
from onlinelearn.results import Results
from onlinelearn.sim.backends import BACKENDS, execute, resolve_backend
from onlinelearn.sim.chunks import ChunkTask, make_chunks
from onlinelearn.sim.describe import describe, jsonable
from onlinelearn.sim.loops import checkpoint_grid, is_compilable
from onlinelearn.sim.progress import progress_bar
from onlinelearn.sim.store import ResultsStore
from onlinelearn.sim.sweep import GridPoint, unwrap
from onlinelearn.sim.validation import check_positive_int
from onlinelearn.trackers.base import KernelTracker
from onlinelearn.trackers.regret import PseudoRegret


def _as_list(items, name):
    items = list(items) if isinstance(items, list | tuple) else [items]
    if not items:
        raise ValueError(f"The '{name}' parameter of run must not be empty.")
    return items


def _check_parts(learners, environments, trackers):
    for learner in learners:
        if not all(hasattr(learner, m) for m in ("reset", "act", "update")):
            raise TypeError(
                f"{learner!r} is not a learner: it needs reset(spec, rng), act() and update(feedback)."
            )
    for environment in environments:
        if not all(hasattr(environment, m) for m in ("reset", "step", "oracle")):
            raise TypeError(
                f"{environment!r} is not an environment: it needs reset(seed=...), step(action) and oracle()."
            )
    for tracker in trackers:
        if not all(hasattr(tracker, m) for m in ("reset", "record", "values")):
            raise TypeError(
                f"{tracker!r} is not a tracker: it needs reset(spec, horizon), record(oracle) and values()."
            )


def _display_names(objects, grid_names) -> list[str]:
    names, seen = [], {}
    for obj, grid_name in zip(objects, grid_names, strict=True):
        name = grid_name or getattr(obj, "name", type(obj).__name__)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return names


def _preflight(learner, environment, trackers, horizon):
    """Reset copies once so that every parameter and compatibility error is raised up front."""
    learner, environment, trackers = copy.deepcopy((learner, environment, trackers))
    spec = environment.reset(seed=0).with_horizon(horizon)
    check_query_budget(learner, spec)
    learner.reset(spec, np.random.default_rng(0))
    for tracker in trackers:
        tracker.reset(spec, horizon)


def _default_chunk_size(n_reps: int, backend: str, results_dir) -> int:
    """One chunk per pair when nothing is stored and repetitions run on threads; otherwise four
    chunks per pair, so that workers stay busy and an interrupt loses at most a quarter."""
    if results_dir is None and backend in ("numba", "serial"):
        return n_reps
    return max(1, math.ceil(n_reps / 4))


def run(
    learners,
    environments,
    horizon: int,
    n_reps: int = 100,
    seed: int = 0,
    *,
    trackers=None,
    compiled: bool | None = None,
    backend: str = "auto",
    n_jobs: int | None = None,
    chunk_size: int | None = None,
    results_dir=None,
    progress: bool | None = None,
    n_checkpoints: int = 200,
    quiet: bool = False,
) -> Results:
    """Run every learner on every environment for ``n_reps`` seeded repetitions.

    Args:
        learners: one learner or a list (objects with ``reset/act/update``); grid points from
            :func:`onlinelearn.grid` may be mixed in.
        environments: one environment or a list (objects with ``reset/step/oracle``), or grid
            points.
        horizon: number of rounds T per repetition.
        n_reps: number of repetitions.
        seed: one integer that fixes the whole experiment.  Within a repetition every learner
            faces the same environment realisation (common random numbers).
        trackers: regret trackers (default: :class:`~onlinelearn.trackers.PseudoRegret`).
        compiled: ``None`` compiles every pair whose parts all have kernels and runs the others in
            the Python loop (with a one-line notice); ``False`` forces the Python loop.
        backend: ``"numba"`` runs the repetitions of a chunk on Numba threads (``prange``) in
            this process; ``"serial"`` on one thread; ``"loky"`` runs chunks in worker processes
            (joblib); ``"dask"`` on the current ``distributed.Client`` or, if there is none, on a
            local cluster started for this run.  ``"auto"`` is ``"numba"``.  The numbers do not
            depend on the backend, ``n_jobs`` or ``chunk_size``.
        n_jobs: Numba threads (``numba``), worker processes (``loky``) or workers of the local
            cluster (``dask``); default: every core.
        chunk_size: repetitions per chunk, the unit of scheduling and of storage (default: all
            of a pair's repetitions, or a quarter of them with ``results_dir`` or workers).
        results_dir: folder where every finished chunk is written at once; running the same
            experiment again loads finished chunks and computes only the missing ones.  Reload
            with :func:`onlinelearn.load`.
        progress: a ``tqdm`` bar over chunks; ``None`` shows it in terminals and notebooks only.
        n_checkpoints: size of the log-spaced grid of rounds where curves are recorded.
        quiet: suppress the Python-loop notice.

    Returns:
        :class:`~onlinelearn.results.Results` with arrays ``(learner, env, rep, checkpoint)``.
    """
    learners, learner_params, learner_grid_names = unwrap(_as_list(learners, "learners"))
    environments, environment_params, environment_grid_names = unwrap(_as_list(environments, "environments"))
    trackers = [PseudoRegret()] if trackers is None else _as_list(trackers, "trackers")
    horizon = check_positive_int("horizon", horizon)
    n_reps = check_positive_int("n_reps", n_reps)
    n_checkpoints = check_positive_int("n_checkpoints", n_checkpoints)
    seed = check_seed(seed)
    check_value("run", "backend", backend, [Options(BACKENDS)])
    check_value("run", "compiled", compiled, [Options((True, False)), None])
    check_value("run", "progress", progress, [Options((True, False)), None])
    if n_jobs is not None:
        n_jobs = check_positive_int("n_jobs", n_jobs)
    backend = resolve_backend(backend)
    chunk_size = (
        _default_chunk_size(n_reps, backend, results_dir)
        if chunk_size is None
        else check_positive_int("chunk_size", chunk_size)
    )
    _check_parts(learners, environments, trackers)
    metric_names = [name for tracker in trackers for name in tracker.metric_names]
    if len(set(metric_names)) != len(metric_names):
        raise ValueError(f"Two trackers report the same metric name: {metric_names}.")
    for environment in environments:
        for learner in learners:
            _preflight(learner, environment, trackers, horizon)

    learner_names = _display_names(learners, learner_grid_names)
    environment_names = _display_names(environments, environment_grid_names)
    checkpoints = checkpoint_grid(horizon, n_checkpoints)
    chunks = make_chunks(len(learners), len(environments), n_reps, chunk_size)
    store = None
    if results_dir is not None:
        identity = {
            "learners": [describe(x) for x in learners],
            "environments": [describe(x) for x in environments],
            "trackers": [describe(x) for x in trackers],
            "horizon": horizon,
            "n_reps": n_reps,
            "seed": seed,
            "n_checkpoints": n_checkpoints,
            "chunk_size": chunk_size,
        }
        layout = {
            "learner_names": learner_names,
            "environment_names": environment_names,
            "learner_params": jsonable(learner_params),
            "environment_params": jsonable(environment_params),
            "metric_names": metric_names,
            "checkpoints": checkpoints.tolist(),
            "horizon": horizon,
            "n_reps": n_reps,
            "seed": seed,
            "chunks": [[c.learner, c.environment, c.start, c.stop] for c in chunks],
        }
        store = ResultsStore(results_dir, identity, layout)

    shape = (len(learners), len(environments), n_reps, len(checkpoints))
    metrics = {name: np.zeros(shape) for name in metric_names}
    seconds = np.zeros(shape[:2])
    was_compiled = np.ones(shape[:2], dtype=bool)

    def fill(chunk, curves, chunk_seconds, chunk_compiled):
        for name in metric_names:
            metrics[name][chunk.learner, chunk.environment, chunk.start : chunk.stop] = curves[name]
        seconds[chunk.learner, chunk.environment] += chunk_seconds
        was_compiled[chunk.learner, chunk.environment] &= chunk_compiled

    pending = []
    for chunk in chunks:
        stored = store.load_chunk(chunk.key, metric_names, chunk.size, len(checkpoints)) if store else None
        if stored is not None:
            curves, sidecar = stored
            fill(chunk, curves, sidecar["seconds"], sidecar["compiled"])
        else:
            pending.append(chunk)
    tasks = _tasks(pending, learners, environments, trackers, horizon, seed, checkpoints, compiled, quiet)
    with progress_bar(len(chunks), len(chunks) - len(pending), progress) as bar:
        try:
            for outcome in execute(tasks, backend, n_jobs):
                chunk = outcome.chunk
                if store is not None:
                    store.save_chunk(
                        chunk.key,
                        outcome.curves,
                        {
                            "chunk": {
                                "learner": chunk.learner,
                                "environment": chunk.environment,
                                "repetitions": [chunk.start, chunk.stop],
                                "learner_name": learner_names[chunk.learner],
                                "environment_name": environment_names[chunk.environment],
                            },
                            "seeds": _seed_note(seed, chunk),
                            "seconds": outcome.seconds,
                            "compiled": outcome.compiled,
                        },
                    )
                fill(chunk, outcome.curves, outcome.seconds, outcome.compiled)
                bar.update(1)
        except KeyboardInterrupt:
            if store is None:
                print(
                    "onlinelearn: interrupted; pass results_dir=... to keep finished chunks and resume.",
                    file=sys.stderr,
                )
            raise
    return Results(
        learner_names=learner_names,
        environment_names=environment_names,
        checkpoints=checkpoints,
        metrics=metrics,
        seconds=seconds,
        compiled=was_compiled,
        horizon=horizon,
        n_reps=n_reps,
        seed=seed,
        learner_params=learner_params,
        environment_params=environment_params,
        results_dir=None if store is None else str(store.path),
        n_chunks_loaded=len(chunks) - len(pending),
        n_chunks_computed=len(pending),
    )


def _tasks(chunks, learners, environments, trackers, horizon, seed, checkpoints, compiled, quiet):
    """One task per chunk; a one-line notice for each pair that runs in the Python loop."""
    tasks, noticed = [], set()
    for chunk in chunks:
        learner, environment = learners[chunk.learner], environments[chunk.environment]
        can_compile = is_compilable(learner, environment, trackers)
        pair = (chunk.learner, chunk.environment)
        if not can_compile and compiled is not False and not quiet and pair not in noticed:
            noticed.add(pair)
            print(_fallback_notice(learner, environment, trackers), file=sys.stderr)
        tasks.append(
            ChunkTask(
                chunk,
                learner,
                environment,
                trackers,
                horizon,
                seed,
                checkpoints,
                compiled=can_compile and compiled is not False,
                threads=False,
            )
        )
    return tasks


def _seed_note(seed: int, chunk) -> dict:
    return {
        "seed": seed,
        "streams": "numpy SeedSequence(seed, spawn_key=(environment, repetition, role)), role "
        "0 = environment, 1 + learner = learner",
        "environment": chunk.environment,
        "learner_role": 1 + chunk.learner,
        "repetitions": [chunk.start, chunk.stop],
    }


def sweep(learners, environments, horizon: int, n_reps: int = 100, seed: int = 0, **options) -> Results:
    """:func:`run` over parameter grids: ``learners`` and ``environments`` hold grid points from
    :func:`onlinelearn.grid` (plain objects may be mixed in).

    Every swept value becomes a column of ``summary()`` and an axis of
    :func:`onlinelearn.plot.sweep`.

    >>> import onlinelearn as ol
    >>> from onlinelearn.environments import BernoulliBandit
    >>> res = ol.sweep(ol.grid(ol.learners.EXP3, eta=[0.05, 0.5]),
    ...                ol.grid(lambda gap: BernoulliBandit(means=[0.5, 0.5 + gap]), gap=[0.1, 0.3]),
    ...                horizon=200, n_reps=4, seed=0)
    >>> res.summary()[["eta", "gap"]].values.tolist()
    [[0.05, 0.1], [0.05, 0.3], [0.5, 0.1], [0.5, 0.3]]
    """
    items = [*_as_list(learners, "learners"), *_as_list(environments, "environments")]
    if not any(isinstance(item, GridPoint) for item in items):
        raise ValueError(
            "sweep needs grid points, e.g. learners=ol.grid(ol.learners.EXP3, "
            "eta=[0.01, 0.1, 1.0]); use ol.run for fixed objects."
        )
    return run(learners, environments, horizon, n_reps, seed, **options)


def _fallback_notice(learner, environment, trackers) -> str:
    missing = [
        type(obj).__name__
        for obj, base in [(learner, KernelLearner), (environment, KernelEnvironment)]
        + [(t, KernelTracker) for t in trackers]
        if not isinstance(obj, base)
    ]
    return (
        f"onlinelearn: {', '.join(missing)} has no Numba kernels; running "
        f"{type(learner).__name__} on {type(environment).__name__} in the Python loop."
    )
