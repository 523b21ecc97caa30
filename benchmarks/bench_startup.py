"""B4: whole-process wall time of a UCB1 run (K=10, T=1e4, N=100), cold and warm cache.

Cold: empty Numba and runner caches (fresh NUMBA_CACHE_DIR and ONLINELEARN_CACHE_DIR).
Warm: the same folders again, so every kernel and the generated runner load from disk.
Numba floor: a process that imports NumPy and Numba and loads one trivial ``cache=True``
function from the disk cache, which no Numba program with a disk cache can start faster than.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPT = """
import time
start = time.perf_counter()
import numpy as np
import onlinelearn as ol
from onlinelearn.environments import BernoulliBandit
imported = time.perf_counter()
ol.run(ol.learners.UCB1(), BernoulliBandit(means=np.linspace(0.1, 0.9, 10)), horizon=10_000,
       n_reps=100, seed=0)
print(f"{imported - start:.3f} {time.perf_counter() - imported:.3f}")
"""

FLOOR_MODULE = """
from numba import njit


@njit(cache=True)
def add_one(x):
    return x + 1
"""

FLOOR_SCRIPT = """
import time
start = time.perf_counter()
import numba_floor
numba_floor.add_one(1)
print(f"{time.perf_counter() - start:.3f}")
"""


def floor_process(folder: str) -> tuple[float, float]:
    """Wall time of the floor process and its in-process import + cache load, in seconds."""
    environment = {**os.environ, "NUMBA_CACHE_DIR": folder, "PYTHONPATH": folder}
    start = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT], env=environment, check=True, capture_output=True, text=True
    ).stdout
    return time.perf_counter() - start, float(output)


def one_process(cache: str) -> tuple[float, float, float]:
    environment = {**os.environ, "NUMBA_CACHE_DIR": cache, "ONLINELEARN_CACHE_DIR": cache}
    start = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environment, check=True, capture_output=True, text=True
    ).stdout.split()
    return time.perf_counter() - start, float(output[0]), float(output[1])


def main(repeats: int = 3) -> None:
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(one_process(cache))
            warm.append(one_process(cache))
    for name, runs in (("cold", cold), ("warm", warm)):
        wall = statistics.median(r[0] for r in runs)
        imported = statistics.median(r[1] for r in runs)
        work = statistics.median(r[2] for r in runs)
        print(
            f"{name}: process {wall:.2f} s (import onlinelearn {imported:.2f} s, "
            f"run incl. compile/cache load {work:.2f} s), median of {repeats}"
        )
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "numba_floor.py"), "w") as file:
            file.write(FLOOR_MODULE)
        floor_process(folder)  # compile and write the cache
        floor = [floor_process(folder) for _ in range(repeats)]
    print(
        f"Numba floor: process {statistics.median(r[0] for r in floor):.2f} s (import numba and "
        f"load one cached function {statistics.median(r[1] for r in floor):.2f} s), median of {repeats}"
    )


if __name__ == "__main__":
    main()
