"""Chunks: the unit of work of an experiment, one (learner, environment, block of repetitions).

Every repetition is seeded by its own key (see :mod:`onlinelearn.core.seeding`), so a chunk
computes the same numbers wherever and with whatever other chunks it runs: in this process, on
Numba threads, in a loky worker or on a Dask worker.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.learner import KernelLearner
from onlinelearn.sim.loops import run_compiled, run_python


@dataclass(frozen=True)
class Chunk:
    """Repetitions ``start, ..., stop - 1`` of learner ``learner`` on environment ``environment``."""

    learner: int
    environment: int
    start: int
    stop: int

    @property
    def key(self) -> str:
        return f"L{self.learner:03d}-E{self.environment:03d}-R{self.start:04d}-{self.stop:04d}"

    @property
    def size(self) -> int:
        return self.stop - self.start


def make_chunks(n_learners: int, n_environments: int, n_reps: int, chunk_size: int) -> list[Chunk]:
    """All chunks, environment by environment, learner by learner, in repetition order."""
    return [
        Chunk(i, j, start, min(start + chunk_size, n_reps))
        for j in range(n_environments)
        for i in range(n_learners)
        for start in range(0, n_reps, chunk_size)
    ]


@dataclass
class ChunkTask:
    """Everything a worker needs to compute one chunk (picklable)."""

    chunk: Chunk
    learner: object
    environment: object
    trackers: list
    horizon: int
    seed: int
    checkpoints: np.ndarray
    compiled: bool
    threads: bool

    def run(self) -> ChunkOutcome:
        return run_chunk(self)


@dataclass
class ChunkOutcome:
    """The curves of one chunk: one array ``(repetition, checkpoint)`` per metric."""

    chunk: Chunk
    curves: dict[str, np.ndarray]
    seconds: float
    compiled: bool


def run_chunk(task: ChunkTask) -> ChunkOutcome:
    """Compute one chunk on private copies of the task's objects."""
    learner, environment, trackers = copy.deepcopy((task.learner, task.environment, task.trackers))
    chunk = task.chunk
    repetitions = np.arange(chunk.start, chunk.stop)
    start = time.perf_counter()
    arguments = (
        learner,
        environment,
        trackers,
        task.horizon,
        repetitions,
        task.seed,
        chunk.environment,
        chunk.learner,
        task.checkpoints,
    )
    if task.compiled:
        curves = run_compiled(*arguments, parallel=task.threads)
    else:
        validate = not (isinstance(environment, KernelEnvironment) and isinstance(learner, KernelLearner))
        curves = run_python(*arguments, validate=validate)
    seconds = time.perf_counter() - start
    named = {
        name: np.ascontiguousarray(curve[:, :, k])
        for tracker, curve in zip(trackers, curves, strict=True)
        for k, name in enumerate(tracker.metric_names)
    }
    return ChunkOutcome(chunk, named, seconds, task.compiled)


def prepare_runner(task: ChunkTask) -> None:
    """Compile (or load from the disk cache) the serial runner of a task in this process, so that
    workers started afterwards find it in the cache instead of compiling it side by side."""
    if task.compiled:
        small = copy.copy(task)
        small.chunk = Chunk(task.chunk.learner, task.chunk.environment, 0, 1)
        small.threads = False
        run_chunk(small)
