"""Optimistic OMD (Chen et al. 2024, Theorem 1 step size) on SEAQuadraticLosses(d=100), T=1e5.

The reference is a hand-written Numba loop over the same realisation (one uniform for the regime,
then d Rademacher signs per round from the environment Generator, ``xi_t = mu + (sigma / sqrt d)
eps_t``), taking the same two projected steps per round with ``eta_t = D / sqrt(delta + 4 G^2 +
V_{t-1})`` and accumulating the expected loss of the played points.  The library also keeps the
exact comparator ``min_X sum_s F_s`` every round (oracle slot 5) for the pseudo-regret tracker.
"""

from __future__ import annotations

import argparse

import numpy as np
from numba import njit, prange, typed
from onlinelearn.environments.sea import SEAQuadraticLosses

import onlinelearn as ol
from onlinelearn.learners.optimistic import OptimisticOMD

try:
    from _timing import paired_medians
except ImportError:
    from benchmarks._timing import paired_medians


@njit(cache=True, nogil=True)
def optimistic_omd_one(mean, sigma, diameter, base, rng, horizon):
    """One repetition; ``base = delta + 4 G^2``; returns sum_t F_t(x_t)."""
    d = mean.shape[0]
    scale = sigma / np.sqrt(d)
    x = np.zeros(d)
    x_hat = np.zeros(d)
    hint = np.zeros(d)
    g = np.zeros(d)
    variation = 0.0
    expected = 0.0
    for _ in range(horizon):
        rng.random()  # the regime's uniform (unused by the i.i.d. regime)
        error = 0.0
        for i in range(d):
            sign = 1.0 if rng.random() < 0.5 else -1.0
            expected += 0.5 * (x[i] - mean[i]) ** 2
            g[i] = x[i] - mean[i] - scale * sign
            error += (g[i] - hint[i]) ** 2
        expected += 0.5 * sigma * sigma
        eta = diameter / np.sqrt(base + variation)
        variation += error
        eta_next = diameter / np.sqrt(base + variation)
        norm = 0.0
        for i in range(d):
            x_hat[i] -= eta * g[i]
            norm += x_hat[i] * x_hat[i]
        norm = np.sqrt(norm)
        if norm > 1.0:
            for i in range(d):
                x_hat[i] /= norm
        norm = 0.0
        for i in range(d):
            hint[i] = g[i]
            x[i] = x_hat[i] - eta_next * g[i]
            norm += x[i] * x[i]
        norm = np.sqrt(norm)
        if norm > 1.0:
            for i in range(d):
                x[i] /= norm
    return expected


@njit(nogil=True, parallel=True)
def reference_parallel(mean, sigma, diameter, base, rngs, horizon, out):
    for r in prange(len(rngs)):
        out[r] = optimistic_omd_one(mean, sigma, diameter, base, rngs[r], horizon)


@njit(nogil=True)
def reference_serial(mean, sigma, diameter, base, rngs, horizon, out):
    for r in range(len(rngs)):
        out[r] = optimistic_omd_one(mean, sigma, diameter, base, rngs[r], horizon)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=100_000)
    parser.add_argument("--dimension", type=int, default=100)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    horizon, n_reps, d = arguments.horizon, arguments.reps, arguments.dimension
    environment = SEAQuadraticLosses(dimension=d, regime="iid", sigma=0.5)
    learner = OptimisticOMD(smoothness=1.0)
    spec = environment.reset(seed=0)
    diameter = spec.decision_set.diameter
    base = learner.parameters(spec)["delta"] + 4.0 * spec.gradient_bound**2
    mean = environment.mean_vector
    print(f"optimistic OMD, d={d}, T={horizon}, N={n_reps}; ns per (round x repetition)")
    print(f"{'threads':>7s} {'library':>9s} {'reference':>10s} {'ratio':>6s}")
    for backend, reference in (("serial", reference_serial), ("numba", reference_parallel)):
        out = np.zeros(n_reps)

        def library(backend=backend):
            ol.run(
                learner, environment, horizon=horizon, n_reps=n_reps, seed=0, backend=backend, progress=False
            )

        def hand_written(reference=reference, out=out):
            rngs = typed.List([np.random.default_rng(s) for s in range(n_reps)])
            reference(mean, 0.5, diameter, base, rngs, horizon, out)

        library_seconds, reference_seconds = paired_medians(library, hand_written, arguments.repeats)
        scale = 1e9 / (horizon * n_reps)
        print(
            f"{'1' if backend == 'serial' else 'all':>7s} {library_seconds * scale:9.1f} "
            f"{reference_seconds * scale:10.1f} {library_seconds / reference_seconds:6.2f}"
        )


if __name__ == "__main__":
    main()
