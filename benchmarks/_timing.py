"""Paired, interleaved timing: medians of alternating runs of two callables."""

from __future__ import annotations

import statistics
import time


def paired_medians(first, second, repeats: int = 7) -> tuple[float, float]:
    """Median wall seconds of ``first()`` and ``second()``, run alternately after one warm-up."""
    first()
    second()
    times_first, times_second = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        first()
        times_first.append(time.perf_counter() - start)
        start = time.perf_counter()
        second()
        times_second.append(time.perf_counter() - start)
    return statistics.median(times_first), statistics.median(times_second)
