"""Coverage, local coverage error, width and interval regret of an online conformal predictor.

Reads the three slots that a conformal environment
(:class:`~onlinelearn.environments.conformal.ShiftingScores`) writes after the header: the score
``s_t``, the radius ``s_hat_t`` and ``c_t = 1[s_t <= s_hat_t]``, and the target coverage ``q``
from its spec.  With ``k`` the window length and ``W`` ranging over the windows of ``k``
consecutive rounds that have ended by round ``t`` (Bhatnagar et al., ICML 2023, section 5)::

    coverage              (1 / t) sum_{s<=t} c_s
    window_coverage       mean of c_s over the last min(k, t) rounds
    local_coverage_error  max_W |mean_{s in W} c_s - q|            (LCE_k; 0 before k rounds)
    width                 (1 / t) sum_{s<=t} s_hat_s
    window_width          mean of s_hat_s over the last min(k, t) rounds
    interval_regret       max_W [sum_{s in W} l_s(s_hat_s) - min_r sum_{s in W} l_s(r)]

with the pinball loss ``l_s``.  The inner minimum is exact: a sum of pinball losses is minimised
at an empirical quantile, i.e. at one of the window's scores (all in ``[0, D]``), so O(k^2) work per
round.  Memory O(k), whatever the horizon.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.oracle import LOSS, RECORD_HEADER
from onlinelearn.core.params import Interval
from onlinelearn.trackers.base import KernelTracker

# The conformal environments' slots after the header (onlinelearn.environments.conformal).
SCORE = RECORD_HEADER
RADIUS = RECORD_HEADER + 1
COVERED = RECORD_HEADER + 2


class CoverageState(NamedTuple):
    #: (k, 4) ring of the last k rounds: score, radius, covered, loss.
    ring: np.ndarray
    #: [rounds, sum covered, sum radius, window covered, window radius, worst |window cov - q|,
    #:  worst window regret]
    sums: np.ndarray
    coverage: float


@kernel
def _window_regret(ring, coverage):
    """``sum_W l(s_hat) - min_r sum_W l(r)``, the minimum over the window's own scores."""
    k = ring.shape[0]
    played = 0.0
    for i in range(k):
        played += ring[i, 3]
    best = np.inf
    for j in range(k):
        r = ring[j, 0]
        total = 0.0
        for i in range(k):
            s = ring[i, 0]
            total += max(coverage * (s - r), (1.0 - coverage) * (r - s))
        best = min(best, total)
    return played - best


@kernel
def coverage_record(state, t, record):
    ring, sums = state.ring, state.sums
    k = ring.shape[0]
    slot = t % k
    if t >= k:  # the round leaving the window
        sums[3] -= ring[slot, 2]
        sums[4] -= ring[slot, 1]
    ring[slot, 0] = record[SCORE]
    ring[slot, 1] = record[RADIUS]
    ring[slot, 2] = record[COVERED]
    ring[slot, 3] = record[LOSS]
    sums[0] = t + 1.0
    sums[1] += record[COVERED]
    sums[2] += record[RADIUS]
    sums[3] += record[COVERED]
    sums[4] += record[RADIUS]
    if t + 1 >= k:
        sums[5] = max(sums[5], abs(sums[3] / k - state.coverage))
        sums[6] = max(sums[6], _window_regret(ring, state.coverage))


@kernel
def coverage_values(state, out):
    sums = state.sums
    rounds = sums[0]
    if rounds == 0.0:
        out[:] = 0.0
        return
    in_window = min(rounds, state.ring.shape[0])
    out[0] = sums[1] / rounds
    out[1] = sums[3] / in_window
    out[2] = sums[5]
    out[3] = sums[2] / rounds
    out[4] = sums[4] / in_window
    out[5] = sums[6] if rounds >= state.ring.shape[0] else 0.0


class Coverage(KernelTracker):
    """Running and windowed coverage, local coverage error (LCE_k), width and the worst regret
    over windows of ``k`` rounds (see the module docstring for the definitions).

    Needs a conformal environment: a spec with a ``coverage`` field and the score, radius and
    covered slots after the header (:mod:`onlinelearn.environments.conformal`).

    Args:
        window: ``k``, the length of the sliding windows.
    """

    _parameter_constraints = {"window": [Interval(int, 1, None)]}
    _test_params = [{}, {"window": 5}]
    record_kernel = staticmethod(coverage_record)
    values_kernel = staticmethod(coverage_values)

    def __init__(self, window: int = 20):
        self.window = window

    @property
    def metric_names(self) -> tuple[str, ...]:
        return (
            "coverage",
            "window_coverage",
            "local_coverage_error",
            "width",
            "window_width",
            "interval_regret",
        )

    def check_spec(self, spec) -> None:
        coverage = getattr(spec, "coverage", None)
        if coverage is None or spec.n_actions or spec.record_size < RECORD_HEADER + 3:
            raise ValueError(
                "Coverage needs a conformal environment (onlinelearn.environments.conformal) whose spec "
                "carries the target coverage and whose oracle record has the score, radius and covered "
                f"slots after the header; this environment's spec is {type(spec).__name__} with "
                f"{spec.record_size} record slots."
            )

    def init_state(self, spec, horizon):
        return CoverageState(np.zeros((int(self.window), 4)), np.zeros(7), float(spec.coverage))
