"""B6: experiments at scale (issue 3 targets).

(a) 3 learners x 2 environments x N repetitions x T rounds in one ``ol.run`` (Numba threads) against
    the sum of the six single-pair runs; target: within 1.3x.
(b) a 2-configuration sweep (EXP3 with two step sizes) on the ``loky`` backend with 2 workers against
    the ``serial`` backend; target: at least 1.6x faster on 2 cores.  The loky workers are started by
    a warm-up call first, as they are in any session that runs more than one experiment; the cold
    start of the worker pool is printed separately.

Run from the repository root: ``python benchmarks/bench_experiments.py [--horizon T] [--reps N]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from onlinelearn.environments import BernoulliBandit, StochasticallyConstrainedBandit

import onlinelearn as ol


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def combined_versus_pairs(horizon: int, n_reps: int) -> None:
    learners = [ol.learners.UCB1(), ol.learners.ThompsonSampling(), ol.learners.EXP3()]
    environments = [
        BernoulliBandit(means=np.linspace(0.1, 0.9, 10)),
        StochasticallyConstrainedBandit(n_actions=10, n_rounds=horizon, gap=0.1),
    ]
    options = {"horizon": horizon, "n_reps": n_reps, "seed": 0, "progress": False}
    ol.run(learners, environments, **{**options, "n_reps": 2})  # compile / load every runner
    combined = timed(lambda: ol.run(learners, environments, **options))
    pairs = sum(
        timed(lambda l=learner, e=environment: ol.run(l, e, **options))
        for learner in learners
        for environment in environments
    )
    print(
        f"(a) 3x2 pairs, N={n_reps}, T={horizon}: one run {combined:.2f} s, sum of single-pair "
        f"runs {pairs:.2f} s, ratio {combined / pairs:.2f} (target <= 1.3)"
    )


def loky_versus_serial(horizon: int, n_reps: int) -> None:
    sweep = {
        "learners": ol.grid(ol.learners.EXP3, eta=[0.01, 0.05]),
        "environments": BernoulliBandit(means=np.linspace(0.1, 0.9, 10)),
        "horizon": horizon,
        "n_reps": n_reps,
        "seed": 0,
        "progress": False,
    }
    cold = timed(lambda: ol.sweep(**{**sweep, "n_reps": 2}, backend="loky", n_jobs=2))
    serial = timed(lambda: ol.sweep(**sweep, backend="serial"))
    loky = timed(lambda: ol.sweep(**sweep, backend="loky", n_jobs=2))
    threads = timed(lambda: ol.sweep(**sweep, backend="numba", n_jobs=2))
    print(
        f"(b) 2-config sweep, N={n_reps}, T={horizon}: serial {serial:.2f} s, loky(2) "
        f"{loky:.2f} s -> speed-up {serial / loky:.2f} (target >= 1.6); numba threads(2) "
        f"{threads:.2f} s -> {serial / threads:.2f}; cold loky pool start + tiny run {cold:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=100)
    arguments = parser.parse_args()
    combined_versus_pairs(arguments.horizon, arguments.reps)
    loky_versus_serial(arguments.horizon, arguments.reps)


if __name__ == "__main__":
    main()
