"""B5: OGD (eta_t = D / (G sqrt t)) on QuadraticLosses(d=100) in the unit ball, T=1e5, N=100.

The reference is a hand-written Numba loop that draws the same xi_t (d uniforms per round from
the environment Generator), takes the same projected gradient steps, and accumulates the expected
loss of the played points; its comparator is computed once at the end.  The library additionally
maintains the exact comparator every round (oracle slot 5), which is part of what is timed.
"""

from __future__ import annotations

import argparse

import numpy as np
from numba import njit, prange, typed
from onlinelearn.environments import QuadraticLosses

import onlinelearn as ol

try:
    from _timing import paired_medians
except ImportError:
    from benchmarks._timing import paired_medians


@njit(cache=False, nogil=True)
def ogd_one(center, noise, eta, rng, horizon):
    d = center.shape[0]
    x = np.zeros(d)
    expected = 0.0
    for t in range(horizon):
        step = eta / np.sqrt(t + 1.0)
        norm = 0.0
        for i in range(d):
            xi = center[i] + noise * (2.0 * rng.random() - 1.0)
            expected += 0.5 * (x[i] - center[i]) ** 2
            x[i] -= step * (x[i] - xi)
            norm += x[i] * x[i]
        norm = np.sqrt(norm)
        if norm > 1.0:
            for i in range(d):
                x[i] /= norm
    return expected


@njit(nogil=True, parallel=True)
def reference_parallel(center, noise, eta, rngs, horizon, out):
    for r in prange(len(rngs)):
        out[r] = ogd_one(center, noise, eta, rngs[r], horizon)


@njit(nogil=True)
def reference_serial(center, noise, eta, rngs, horizon, out):
    for r in range(len(rngs)):
        out[r] = ogd_one(center, noise, eta, rngs[r], horizon)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=100_000)
    parser.add_argument("--dimension", type=int, default=100)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    arguments = parser.parse_args()
    horizon, n_reps, d = arguments.horizon, arguments.reps, arguments.dimension
    environment = QuadraticLosses(dimension=d, domain="ball")
    learner = ol.learners.OGD()
    center = environment.centers[0]
    eta = 2.0 / environment.gradient_bound
    print(f"OGD, d={d}, T={horizon}, N={n_reps}; ns per (round x repetition)")
    print(f"{'threads':>7s} {'library':>9s} {'reference':>10s} {'ratio':>6s}")
    for backend, reference in (("serial", reference_serial), ("numba", reference_parallel)):
        out = np.zeros(n_reps)

        def library(backend=backend):
            ol.run(learner, environment, horizon=horizon, n_reps=n_reps, seed=0, backend=backend)

        def hand_written(reference=reference, out=out):
            rngs = typed.List([np.random.default_rng(s) for s in range(n_reps)])
            reference(center, 0.5, eta, rngs, horizon, out)

        library_seconds, reference_seconds = paired_medians(library, hand_written, arguments.repeats)
        scale = 1e9 / (horizon * n_reps)
        print(
            f"{'1' if backend == 'serial' else 'all':>7s} {library_seconds * scale:9.1f} "
            f"{reference_seconds * scale:10.1f} {library_seconds / reference_seconds:6.2f}"
        )


if __name__ == "__main__":
    main()
