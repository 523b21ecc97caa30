"""Where chunks run: in this process (serially or on Numba threads), in loky worker processes
(joblib), or on a Dask cluster.  One level of parallelism at a time: workers run their chunks on
one thread each, and only the ``numba`` backend uses Numba's threads.

Every backend yields finished chunks as they arrive; the caller stores each at once, so an
interrupt loses only the chunks that were still running.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numba

from onlinelearn.sim.chunks import ChunkOutcome, ChunkTask, prepare_runner

BACKENDS = ("auto", "numba", "serial", "loky", "dask")


def resolve_backend(backend: str) -> str:
    """The backend that ``backend`` stands for (``auto`` is Numba threads in this process)."""
    return "numba" if backend == "auto" else backend


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def execute(tasks: list[ChunkTask], backend: str, n_jobs: int | None) -> Iterator[ChunkOutcome]:
    """Run ``tasks`` on ``backend`` and yield their outcomes in order of completion."""
    if not tasks:
        return iter(())
    if backend in ("numba", "serial"):
        return _in_process(tasks, backend, n_jobs)
    for task in _one_task_per_runner(tasks):
        prepare_runner(task)
    if backend == "loky":
        return _loky(tasks, n_jobs or default_workers())
    return _dask(tasks, n_jobs)


def _in_process(tasks, backend, n_jobs):
    if backend == "numba" and n_jobs is not None:
        numba.set_num_threads(min(n_jobs, numba.config.NUMBA_NUM_THREADS))
    for task in tasks:
        task.threads = backend == "numba"
        yield task.run()


def _one_task_per_runner(tasks):
    seen, first = set(), []
    for task in tasks:
        key = (type(task.learner), type(task.environment), tuple(type(t) for t in task.trackers))
        if task.compiled and key not in seen:
            seen.add(key)
            first.append(task)
    return first


def _run_in_worker(task: ChunkTask) -> ChunkOutcome:
    task.threads = False
    return task.run()


def _loky(tasks, n_jobs):
    from joblib import Parallel, delayed

    parallel = Parallel(
        n_jobs=n_jobs, backend="loky", return_as="generator_unordered", batch_size=1, pre_dispatch="all"
    )
    yield from parallel(delayed(_run_in_worker)(task) for task in tasks)


def _dask(tasks, n_jobs):
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ImportError(
            'backend="dask" needs Dask: pip install -e ".[distributed]" (or pip install "dask[distributed]").'
        ) from None
    try:
        client, own = Client.current(), None
    except ValueError:  # no client yet: start a local cluster for this run
        own = LocalCluster(
            n_workers=n_jobs or default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(own)
    try:
        futures = [client.submit(_run_in_worker, task, pure=False) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        if own is not None:
            client.close()
            own.close()
