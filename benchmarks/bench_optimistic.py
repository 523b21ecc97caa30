"""B7: optimistic OMD (Chen et al. 2024, Theorem 1 step size) on SEAQuadraticLosses(d=100), T=1e5.

The reference is a hand-written Numba loop over the same realisation: it draws from the same
environment streams as the library (``generator(seed, 0, r, ENVIRONMENT_ROLE)``), one uniform for
the regime and then d uniforms for the signs ``eps_t`` per round, in a loop of their own as the
library does (``xi_t = mu + (sigma / sqrt d) eps_t``); takes the same two projected steps with
``eta_t = D / sqrt(delta + 4 G^2 + V_{t-1})`` in the same floating-point order, so its iterates are
the library's; and returns the same output, the pseudo-regret ``sum_t F_t(x_t) - min_X sum_t F_t``,
with the comparator computed once at the end (the library keeps it exact every round, O(1) in the
i.i.d. regime).  The library also computes the realised loss ``f_t(x_t)`` (feedback and oracle
slot), stores ``xi_t`` for its hindsight kernel and records a checkpointed curve; the reference
skips what its output does not need.  The last column checks that both regrets agree.
"""

from __future__ import annotations

import argparse

import numpy as np
from numba import njit, prange, typed
from onlinelearn.environments.sea import SEAQuadraticLosses

import onlinelearn as ol
from onlinelearn.core.seeding import ENVIRONMENT_ROLE, generator
from onlinelearn.learners.optimistic_omd import OptimisticOMD

try:
    from _timing import paired_medians
except ImportError:
    from benchmarks._timing import paired_medians


@njit(cache=False, nogil=True)
def _rescale_into_ball(x, squared, radius):
    if squared > radius * radius:
        scale = radius / np.sqrt(squared)
        for i in range(x.shape[0]):
            x[i] *= scale


@njit(cache=False, nogil=True)
def optimistic_omd_one(mean, sigma, radius, diameter, base, rng, horizon):
    """One repetition; ``base = delta + 4 G^2``; returns the pseudo-regret after ``horizon`` rounds."""
    d = mean.shape[0]
    scale = sigma / np.sqrt(d)
    x = np.zeros(d)
    x_hat = np.zeros(d)
    hint = np.zeros(d)
    g = np.zeros(d)
    variation = 0.0
    played = 0.0
    noise = 0.0
    for _ in range(horizon):
        rng.random()  # the regime's uniform (unused by the i.i.d. regime)
        for i in range(d):
            g[i] = rng.random()
        expected = 0.0
        error = 0.0
        for i in range(d):
            xi = mean[i] + scale * (1.0 if g[i] < 0.5 else -1.0)
            shift = x[i] - mean[i]
            expected += shift * shift
            g[i] = x[i] - xi
            error += (g[i] - hint[i]) ** 2
        played += 0.5 * expected + 0.5 * (sigma * sigma)
        noise += sigma * sigma
        eta = diameter / np.sqrt(base + variation)
        variation += error
        eta_next = diameter / np.sqrt(base + variation)
        squared = 0.0
        for i in range(d):
            x_hat[i] -= eta * g[i]
            squared += x_hat[i] * x_hat[i]
        _rescale_into_ball(x_hat, squared, radius)
        squared = 0.0
        for i in range(d):
            hint[i] = g[i]
            x[i] = x_hat[i] - eta_next * g[i]
            squared += x[i] * x[i]
        _rescale_into_ball(x, squared, radius)
    # min_X sum_t F_t = T/2 dist(mu, X)^2 + 1/2 sum_t sigma^2 for a fixed mean
    excess = max(np.sqrt(np.sum(mean * mean)) - radius, 0.0)
    return played - (horizon * (0.5 * excess * excess) + 0.5 * noise)


@njit(nogil=True, parallel=True)
def reference_parallel(mean, sigma, radius, diameter, base, rngs, horizon, out):
    for r in prange(len(rngs)):
        out[r] = optimistic_omd_one(mean, sigma, radius, diameter, base, rngs[r], horizon)


@njit(nogil=True)
def reference_serial(mean, sigma, radius, diameter, base, rngs, horizon, out):
    for r in range(len(rngs)):
        out[r] = optimistic_omd_one(mean, sigma, radius, diameter, base, rngs[r], horizon)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=100_000)
    parser.add_argument("--dimension", type=int, default=100)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    horizon, n_reps, d = arguments.horizon, arguments.reps, arguments.dimension
    sigma, seed = 0.5, 0
    environment = SEAQuadraticLosses(dimension=d, regime="iid", sigma=sigma)
    learner = OptimisticOMD(smoothness=1.0)
    spec = environment.reset(seed=0)
    radius = spec.decision_set.radius
    diameter = spec.decision_set.diameter
    bound = spec.gradient_bound
    base = learner.parameters(spec)["delta"] + 4.0 * bound * bound
    mean = environment.mean_vector
    print(f"optimistic OMD, d={d}, T={horizon}, N={n_reps}; ns per (round x repetition)")
    print(
        f"{'threads':>7s} {'library':>9s} {'reference':>10s} {'ratio':>6s}  mean regret library / reference"
    )
    for backend, reference in (("serial", reference_serial), ("numba", reference_parallel)):
        out = np.zeros(n_reps)
        regret = {}

        def library(backend=backend, regret=regret):
            results = ol.run(
                learner,
                environment,
                horizon=horizon,
                n_reps=n_reps,
                seed=seed,
                backend=backend,
                progress=False,
            )
            regret["library"] = results.metrics["pseudo_regret"][..., -1].mean()

        def hand_written(reference=reference, out=out):
            rngs = typed.List([generator(seed, 0, r, ENVIRONMENT_ROLE) for r in range(n_reps)])
            reference(mean, sigma, radius, diameter, base, rngs, horizon, out)

        library_seconds, reference_seconds = paired_medians(library, hand_written, arguments.repeats)
        scale = 1e9 / (horizon * n_reps)
        print(
            f"{'1' if backend == 'serial' else 'all':>7s} {library_seconds * scale:9.1f} "
            f"{reference_seconds * scale:10.1f} {library_seconds / reference_seconds:6.2f}"
            f"  {regret['library']:.10g} / {out.mean():.10g}"
        )


if __name__ == "__main__":
    main()
