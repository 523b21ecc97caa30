"""B9: strongly adaptive learners, T=1e5, K=10, N=20 repetitions, against hand-written Numba loops.

* StABL (two queries) on ``VolatileBandit(n_actions=10, period=1000, feedback="multi")``;
* SAOL over Hedge (full information) on the same environment with ``feedback="full"``;
* CBCE over Hedge (full information, geometric covering, start-time prior) on the same.

``ol.run`` uses the generated compiled runner with the default pseudo-regret tracker.  Each
reference is one monolithic ``@njit`` loop of the same algorithm (geometric covering runs, log
weights, the same counter-based Bernoulli table and pseudo-regret bookkeeping), written without
the library's state records and helper kernels.  Prints ns per (round x repetition) and the ratio.

The three loops repeat their covering and Hedge code on purpose: split into shared ``@njit``
helpers (even with ``inline="always"``) they ran 10-27% slower on 2026-12-06, which would have
flattered the library's ratios.  They compile in the process (``cache=False``), as the library's
kernels do.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from numba import njit, prange, typed
from onlinelearn.environments.volatile import VolatileBandit

import onlinelearn as ol
from onlinelearn.core.counter_rng import counter_uniform, draw_key
from onlinelearn.core.sampling import sample_index
from onlinelearn.learners.cbce import CBCE
from onlinelearn.learners.saol import SAOL
from onlinelearn.learners.stabl import StABL

try:
    from _timing import paired_medians
except ImportError:  # run as a module
    from benchmarks._timing import paired_medians

BEST, OTHER = 0.3, 0.7


@njit(cache=False, nogil=True)
def _loss(key, t, arm, n_arms, mean):
    return 1.0 if counter_uniform(key, t * n_arms + arm) < mean else 0.0


@njit(cache=False, nogil=True)
def _runs(t, n_levels, starts, losses, log_w, rates):
    """Restart the geometric covering runs starting at round t (1-based)."""
    for k in range(n_levels):
        if t % (1 << k) == 0:
            starts[k] = t
            for a in range(losses.shape[1]):
                losses[k, a] = 0.0
            log_w[k] = np.log(rates[k])


@njit(cache=False, nogil=True)
def stabl_one(key, rng, horizon, n_arms, period, eta, gamma):
    n_levels = eta.shape[0]
    starts = np.zeros(n_levels, dtype=np.int64)
    losses = np.zeros((n_levels, n_arms))
    log_w = np.full(n_levels, -np.inf)
    x_run = np.zeros((n_levels, n_arms))
    x = np.zeros(n_arms)
    q = np.zeros(n_arms)
    learner = 0.0
    best_rounds = np.zeros(n_arms)
    for t0 in range(horizon):
        t = t0 + 1
        _runs(t, n_levels, starts, losses, log_w, gamma)
        best_arm = (t0 // period) % n_arms
        awake = 0
        top = -np.inf
        for k in range(n_levels):
            if starts[k] > 0 and t < starts[k] + (1 << k):
                awake += 1
                top = max(top, log_w[k])
                low = np.inf
                for a in range(n_arms):
                    low = min(low, losses[k, a])
                total = 0.0
                for a in range(n_arms):
                    x_run[k, a] = np.exp(-eta[k] * (losses[k, a] - low))
                    total += x_run[k, a]
                for a in range(n_arms):
                    x_run[k, a] /= total
        for a in range(n_arms):
            x[a] = 0.0
            q[a] = 0.0
        weights = 0.0
        for k in range(n_levels):
            if starts[k] > 0 and t < starts[k] + (1 << k):
                w = np.exp(log_w[k] - top)
                weights += w
                for a in range(n_arms):
                    x[a] += w * x_run[k, a]
                    q[a] += x_run[k, a] / awake
        for a in range(n_arms):
            x[a] /= weights
        played = sample_index(x, rng.random())
        observed = sample_index(q, rng.random())
        mean = BEST if observed == best_arm else OTHER
        estimate = _loss(key, t0, observed, n_arms, mean) / q[observed]
        meta = x[observed] * estimate
        for k in range(n_levels):
            if starts[k] > 0 and t < starts[k] + (1 << k):
                factor = max(gamma[k] * (meta - x_run[k, observed] * estimate), -0.5)
                log_w[k] += np.log1p(factor)
                losses[k, observed] += estimate
        learner += BEST if played == best_arm else OTHER
        best_rounds[best_arm] += 1.0
    return learner - (OTHER * horizon - (OTHER - BEST) * best_rounds.max())


@njit(cache=False, nogil=True)
def saol_one(key, rng, horizon, n_arms, period, eta, rates):
    n_levels = eta.shape[0]
    starts = np.zeros(n_levels, dtype=np.int64)
    losses = np.zeros((n_levels, n_arms))
    log_w = np.full(n_levels, -np.inf)
    x_run = np.zeros((n_levels, n_arms))
    x = np.zeros(n_arms)
    row = np.zeros(n_arms)
    learner = 0.0
    best_rounds = np.zeros(n_arms)
    for t0 in range(horizon):
        t = t0 + 1
        _runs(t, n_levels, starts, losses, log_w, rates)
        best_arm = (t0 // period) % n_arms
        top = -np.inf
        for k in range(n_levels):
            if starts[k] > 0 and t < starts[k] + (1 << k):
                top = max(top, log_w[k])
                low = np.inf
                for a in range(n_arms):
                    low = min(low, losses[k, a])
                total = 0.0
                for a in range(n_arms):
                    x_run[k, a] = np.exp(-eta[k] * (losses[k, a] - low))
                    total += x_run[k, a]
                for a in range(n_arms):
                    x_run[k, a] /= total
        for a in range(n_arms):
            x[a] = 0.0
        weights = 0.0
        for k in range(n_levels):
            if starts[k] > 0 and t < starts[k] + (1 << k):
                w = np.exp(log_w[k] - top)
                weights += w
                for a in range(n_arms):
                    x[a] += w * x_run[k, a]
        for a in range(n_arms):
            x[a] /= weights
        played = sample_index(x, rng.random())
        for a in range(n_arms):
            row[a] = _loss(key, t0, a, n_arms, BEST if a == best_arm else OTHER)
        meta = 0.0
        for a in range(n_arms):
            meta += x[a] * row[a]
        for k in range(n_levels):
            if starts[k] > 0 and t < starts[k] + (1 << k):
                run = 0.0
                for a in range(n_arms):
                    run += x_run[k, a] * row[a]
                regret = min(1.0, max(-1.0, meta - run))
                log_w[k] += np.log1p(rates[k] * regret)
                for a in range(n_arms):
                    losses[k, a] += row[a]
        learner += BEST if played == best_arm else OTHER
        best_rounds[best_arm] += 1.0
    return learner - (OTHER * horizon - (OTHER - BEST) * best_rounds.max())


@njit(cache=False, nogil=True)
def cbce_one(key, rng, horizon, n_arms, period, eta, rates):
    """CBCE over Hedge runs; ``rates`` is unused (the KT bets have no step size)."""
    n_levels = eta.shape[0]
    starts = np.zeros(n_levels, dtype=np.int64)
    losses = np.zeros((n_levels, n_arms))
    log_prior = np.full(n_levels, -np.inf)
    sums = np.zeros(n_levels)
    counts = np.zeros(n_levels)
    log_wealth = np.zeros(n_levels)
    scores = np.zeros(n_levels)
    x_run = np.zeros((n_levels, n_arms))
    x = np.zeros(n_arms)
    row = np.zeros(n_arms)
    learner = 0.0
    best_rounds = np.zeros(n_arms)
    for t0 in range(horizon):
        t = t0 + 1
        for k in range(n_levels):
            if t % (1 << k) == 0:
                starts[k] = t
                for a in range(n_arms):
                    losses[k, a] = 0.0
                sums[k] = 0.0
                counts[k] = 0.0
                log_wealth[k] = 0.0
                log_prior[k] = -2.0 * np.log(t) - np.log(1.0 + np.floor(np.log2(t)))
        best_arm = (t0 // period) % n_arms
        top = -np.inf
        top_prior = -np.inf
        for k in range(n_levels):
            scores[k] = -np.inf
            if starts[k] > 0 and t < starts[k] + (1 << k):
                top_prior = max(top_prior, log_prior[k])
                beta = sums[k] / (1.0 + counts[k])
                if beta > 0.0:
                    scores[k] = log_prior[k] + np.log(beta) + log_wealth[k]
                    top = max(top, scores[k])
                low = np.inf
                for a in range(n_arms):
                    low = min(low, losses[k, a])
                total = 0.0
                for a in range(n_arms):
                    x_run[k, a] = np.exp(-eta[k] * (losses[k, a] - low))
                    total += x_run[k, a]
                for a in range(n_arms):
                    x_run[k, a] /= total
        if top == -np.inf:  # no positive bet: the prior on the awake runs
            top = top_prior
            for k in range(n_levels):
                if starts[k] > 0 and t < starts[k] + (1 << k):
                    scores[k] = log_prior[k]
        for a in range(n_arms):
            x[a] = 0.0
        weights = 0.0
        for k in range(n_levels):
            if scores[k] > -np.inf and starts[k] > 0 and t < starts[k] + (1 << k):
                w = np.exp(scores[k] - top)
                weights += w
                for a in range(n_arms):
                    x[a] += w * x_run[k, a]
        for a in range(n_arms):
            x[a] /= weights
        played = sample_index(x, rng.random())
        for a in range(n_arms):
            row[a] = _loss(key, t0, a, n_arms, BEST if a == best_arm else OTHER)
        meta = 0.0
        for a in range(n_arms):
            meta += x[a] * row[a]
        for k in range(n_levels):
            if starts[k] > 0 and t < starts[k] + (1 << k):
                run = 0.0
                for a in range(n_arms):
                    run += x_run[k, a] * row[a]
                outcome = meta - run
                outcome = 0.0 if abs(outcome) <= 1e-12 else min(1.0, max(-1.0, outcome))
                beta = sums[k] / (1.0 + counts[k])
                if beta <= 0.0:
                    outcome = max(outcome, 0.0)
                log_wealth[k] += np.log1p(outcome * beta)
                sums[k] += outcome
                counts[k] += 1.0
                for a in range(n_arms):
                    losses[k, a] += row[a]
        learner += BEST if played == best_arm else OTHER
        best_rounds[best_arm] += 1.0
    return learner - (OTHER * horizon - (OTHER - BEST) * best_rounds.max())


def _references(one):
    @njit(nogil=True, parallel=True)
    def parallel(keys, rngs, horizon, n_arms, period, eta, rates, out):
        for r in prange(keys.shape[0]):
            out[r] = one(keys[r], rngs[r], horizon, n_arms, period, eta, rates)

    @njit(nogil=True)
    def serial(keys, rngs, horizon, n_arms, period, eta, rates, out):
        for r in range(keys.shape[0]):
            out[r] = one(keys[r], rngs[r], horizon, n_arms, period, eta, rates)

    return serial, parallel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    horizon, n_reps, n_arms, period = arguments.horizon, arguments.reps, 10, 1000
    keys = np.array([draw_key(np.random.default_rng(s)) for s in range(n_reps)], dtype=np.uint64)
    cases = []
    spec = VolatileBandit(n_actions=n_arms, feedback="multi").reset(seed=0).with_horizon(horizon)
    eta, gamma = StABL().step_sizes(spec)
    cases.append(("StABL", StABL(), "multi", stabl_one, eta, gamma))
    saol = SAOL()
    full_spec = VolatileBandit(n_actions=n_arms, feedback="full").reset(seed=0).with_horizon(horizon)
    saol.reset(full_spec)
    lengths = 2.0 ** np.arange(saol.state_.base_eta.shape[0])
    cases.append(("SAOL (Hedge)", saol, "full", saol_one, saol.state_.base_eta, saol.meta_rates(lengths)))
    cbce = CBCE()
    cases.append(("CBCE (Hedge)", cbce, "full", cbce_one, saol.state_.base_eta, saol.meta_rates(lengths)))
    print(f"K={n_arms}, T={horizon}, N={n_reps}; ns per (round x repetition), medians of {arguments.repeats}")
    print(
        f"{'learner':14s} {'threads':>7s} {'library':>9s} {'reference':>10s} {'ratio':>6s} {'regrets':>17s}"
    )
    for name, learner, feedback, one, eta, rates in cases:
        environment = VolatileBandit(n_actions=n_arms, period=period, feedback=feedback)
        serial, parallel = _references(one)
        for backend, reference in (("serial", serial), ("numba", parallel)):
            out = np.zeros(n_reps)
            box = {}

            def library(learner=learner, backend=backend, box=box, environment=environment):
                box["result"] = ol.run(
                    learner,
                    environment,
                    horizon=horizon,
                    n_reps=n_reps,
                    seed=0,
                    backend=backend,
                    progress=False,
                )

            def hand_written(reference=reference, out=out, eta=eta, rates=rates):
                rngs = typed.List([np.random.default_rng(s) for s in range(n_reps)])
                reference(keys, rngs, horizon, n_arms, period, eta, rates, out)

            library_seconds, reference_seconds = paired_medians(library, hand_written, arguments.repeats)
            scale = 1e9 / (horizon * n_reps)
            threads = "1" if backend == "serial" else "all"
            regrets = f"{box['result'].final()[0, 0].mean():.0f} / {out.mean():.0f}"
            print(
                f"{name:14s} {threads:>7s} {library_seconds * scale:9.1f} {reference_seconds * scale:10.1f} "
                f"{library_seconds / reference_seconds:6.2f} {regrets:>17s}"
            )
    print(f"(log2 T = {math.log2(horizon):.1f}: {eta.shape[0]} levels of runs)")


if __name__ == "__main__":
    main()
