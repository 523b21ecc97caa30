"""B2: the Python loop over the same objects (reset/act/update, reset/step/oracle).

K=10 Bernoulli bandit, T=1e4, N=20, pseudo-regret tracker; ns per (round x repetition) of
``ol.run(..., compiled=False)``.  The targets (reference/perf-anchors.md, B2) are 2x a hand-written
NumPy loop: UCB1 <= 13 us, Thompson sampling <= 30 us, EXP3 <= 33 us.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=20)
    arguments = parser.parse_args()
    environment = BernoulliBandit(means=np.linspace(0.1, 0.9, 10))
    for learner in (ol.learners.UCB1(), ol.learners.ThompsonSampling(), ol.learners.EXP3()):
        # Compile the kernels and let the Python-path calls bind their entry points (after
        # onlinelearn.core.kernel_calls.WARMUP_CALLS calls), as in any long interactive session.
        ol.run(learner, environment, horizon=200, n_reps=1, compiled=False)
        start = time.perf_counter()
        ol.run(learner, environment, horizon=arguments.horizon, n_reps=arguments.reps, compiled=False)
        seconds = time.perf_counter() - start
        print(f"{learner.name:20s} {seconds / (arguments.horizon * arguments.reps) * 1e9:9.0f} ns")


if __name__ == "__main__":
    main()
