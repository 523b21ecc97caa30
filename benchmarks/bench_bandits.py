"""B1: stochastic Bernoulli bandit, K=10, means linspace(0.1, 0.9), T=1e5, N=100.

Compares ``ol.run`` (generated compiled runner, pseudo-regret tracker on a 200-point grid) with a
hand-written Numba loop of the same algorithm on the same reward table (counter-based Bernoulli
draws, see onlinelearn.core.counter_rng) and the same regret bookkeeping.
"""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np
from numba import njit, prange
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from onlinelearn.core.counter_rng import counter_uniform
from onlinelearn.core.sampling import sample_index, softmax_negative

try:
    from _timing import paired_medians
except ImportError:  # run as a module
    from benchmarks._timing import paired_medians


@njit(cache=False, nogil=True)
def _reward(key, t, arm, means):
    return 1.0 if counter_uniform(key, t * means.shape[0] + arm) < means[arm] else 0.0


@njit(cache=False, nogil=True)
def ucb1_one(means, key, rng, horizon):
    n_arms = means.shape[0]
    best_mean = means.max()
    pulls = np.zeros(n_arms)
    sums = np.zeros(n_arms)
    regret = 0.0
    for t in range(horizon):
        if t < n_arms:
            arm = t
        else:
            log_t = np.log(t)
            arm, best = 0, -np.inf
            for a in range(n_arms):
                index = sums[a] / pulls[a] + np.sqrt(2.0 * log_t / pulls[a])
                if index > best:
                    best, arm = index, a
        pulls[arm] += 1.0
        sums[arm] += _reward(key, t, arm, means)
        regret += best_mean - means[arm]
    return regret


@njit(cache=False, nogil=True)
def thompson_one(means, key, rng, horizon):
    n_arms = means.shape[0]
    best_mean = means.max()
    successes = np.zeros(n_arms)
    failures = np.zeros(n_arms)
    regret = 0.0
    for t in range(horizon):
        arm, best = 0, -np.inf
        for a in range(n_arms):
            g1 = rng.standard_gamma(successes[a] + 1.0)
            g2 = rng.standard_gamma(failures[a] + 1.0)
            sample = g1 / (g1 + g2)
            if sample > best:
                best, arm = sample, a
        reward = _reward(key, t, arm, means)
        successes[arm] += reward
        failures[arm] += 1.0 - reward
        regret += best_mean - means[arm]
    return regret


@njit(cache=False, nogil=True)
def exp3_one(means, key, rng, horizon):
    n_arms = means.shape[0]
    best_mean = means.max()
    eta = np.sqrt(2.0 * np.log(n_arms) / (horizon * n_arms))
    estimates = np.zeros(n_arms)
    probabilities = np.empty(n_arms)
    regret = 0.0
    for t in range(horizon):
        softmax_negative(estimates, eta, probabilities)
        arm = sample_index(probabilities, rng.random())
        loss = 1.0 - _reward(key, t, arm, means)
        estimates[arm] += loss / probabilities[arm]
        regret += best_mean - means[arm]
    return regret


def _make_reference(one):
    @njit(cache=False, nogil=True, parallel=True)
    def parallel(means, keys, rngs, horizon, out):
        for r in prange(keys.shape[0]):
            out[r] = one(means, keys[r], rngs[r], horizon)

    @njit(cache=False, nogil=True)
    def serial(means, keys, rngs, horizon, out):
        for r in range(keys.shape[0]):
            out[r] = one(means, keys[r], rngs[r], horizon)

    return serial, parallel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=None, help="learner names to run, e.g. EXP3")
    arguments = parser.parse_args()
    horizon, n_reps = arguments.horizon, arguments.reps
    means = np.linspace(0.1, 0.9, 10)
    environment = BernoulliBandit(means=means)
    cases = [("UCB1", ol.learners.UCB1(), ucb1_one)]
    for name, factory, one in (
        ("ThompsonSampling", "ThompsonSampling", thompson_one),
        ("EXP3", "EXP3", exp3_one),
    ):
        if hasattr(ol.learners, factory):
            cases.append((name, getattr(ol.learners, factory)(), one))
    if arguments.only:
        cases = [case for case in cases if case[0] in arguments.only]
    from numba import typed

    keys = np.random.default_rng(0).integers(0, 2**63, size=n_reps).astype(np.uint64)
    print(
        f"K=10, T={horizon}, N={n_reps}; ns per (round x repetition), medians of "
        f"{arguments.repeats} paired runs"
    )
    print(
        f"{'learner':18s} {'threads':>7s} {'library':>9s} {'reference':>10s} {'ratio':>6s} "
        f"{'lib regret':>11s} {'ref regret':>11s}"
    )
    for name, learner, one in cases:
        serial, parallel = _make_reference(one)
        for backend, reference in (("serial", serial), ("numba", parallel)):
            out = np.zeros(n_reps)
            box = {}

            def library(learner=learner, backend=backend, box=box):
                box["result"] = ol.run(
                    learner, environment, horizon=horizon, n_reps=n_reps, seed=0, backend=backend
                )

            def hand_written(reference=reference, out=out):
                rngs = typed.List([np.random.default_rng(s) for s in range(n_reps)])
                reference(means, keys, rngs, horizon, out)

            library_seconds, reference_seconds = paired_medians(library, hand_written, arguments.repeats)
            scale = 1e9 / (horizon * n_reps)
            threads = "1" if backend == "serial" else "all"
            library_regret = box["result"].final()[0, 0].mean()
            print(
                f"{name:18s} {threads:>7s} {library_seconds * scale:9.1f} "
                f"{reference_seconds * scale:10.1f} {library_seconds / reference_seconds:6.2f} "
                f"{library_regret:11.1f} {out.mean():11.1f}"
            )
    if importlib.util.find_spec("SMPyBandits") is None:
        print(
            "SMPyBandits is not installed: no peer ratio (see reference/perf-anchors.md for its "
            "measured 29-119 us per step)."
        )


if __name__ == "__main__":
    main()
