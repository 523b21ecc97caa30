"""B8: a 3x3 random game, leader committing to the V - epsilon strategy, Hedge follower,
T=1e5, N=100.

Compares ``ol.run`` (generated compiled runner: ``Commitment`` leader kernels, ``RepeatedGame``'s
Hedge step kernel, default pseudo-regret tracker against the Stackelberg value) with a
hand-written Numba loop computing the same Stackelberg regret: sample the leader's row from x',
Hedge's distribution in log space, the leader's expected payoff against it, the follower's
full-information update.  The reference draws the follower's uniform too (one a round, like the
library) but never uses the sampled action, which the Stackelberg regret does not need, so LLVM
may drop its inverse-CDF scan (about 5 ns a round); the library must sample it (it is the
leader's feedback).  The LP is solved once in Python in both cases.  Medians of paired,
interleaved runs (``_timing.paired_medians``).
"""

from __future__ import annotations

import argparse

import numpy as np
from numba import njit, prange, typed
from onlinelearn.environments.games import RepeatedGame

import onlinelearn as ol
from onlinelearn.core.sampling import sample_index, softmax_negative
from onlinelearn.games import random_game, stackelberg
from onlinelearn.learners.leaders import Commitment

try:
    from _timing import paired_medians
except ImportError:  # run as a module
    from benchmarks._timing import paired_medians

EPSILON = 0.05


@njit(cache=False, nogil=True)
def commitment_vs_hedge_one(A, follower_losses, strategy, eta, leader_rng, follower_rng, horizon, value):
    m, n = A.shape
    cumulative = np.zeros(n)
    y = np.empty(n)
    earned = 0.0
    for _ in range(horizon):
        i = sample_index(strategy, leader_rng.random())
        softmax_negative(cumulative, eta, y)
        sample_index(y, follower_rng.random())
        for k in range(n):
            earned += A[i, k] * y[k]
            cumulative[k] += follower_losses[i, k]
    return value * horizon - earned  # Stackelberg regret, as the library's default tracker


@njit(cache=False, nogil=True, parallel=True)
def reference_parallel(A, follower_losses, strategy, eta, leader_rngs, follower_rngs, horizon, value, out):
    for r in prange(out.shape[0]):
        out[r] = commitment_vs_hedge_one(
            A, follower_losses, strategy, eta, leader_rngs[r], follower_rngs[r], horizon, value
        )


@njit(cache=False, nogil=True)
def reference_serial(A, follower_losses, strategy, eta, leader_rngs, follower_rngs, horizon, value, out):
    for r in range(out.shape[0]):
        out[r] = commitment_vs_hedge_one(
            A, follower_losses, strategy, eta, leader_rngs[r], follower_rngs[r], horizon, value
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizon", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    arguments = parser.parse_args()
    horizon, n_reps = arguments.horizon, arguments.reps
    game = random_game(3, 3, seed=0)
    environment = RepeatedGame(game, ol.learners.Hedge(), n_rounds=horizon)
    leader = Commitment(epsilon=EPSILON)
    solution = stackelberg(game, EPSILON)
    B = game.normalised().follower_payoffs
    follower_losses = np.ascontiguousarray(1.0 - B)
    eta = np.sqrt(8 * np.log(3) / horizon)
    print(
        f"3x3 random game, Commitment(epsilon={EPSILON}) vs Hedge, T={horizon}, N={n_reps}; ns per "
        f"(round x repetition), medians of {arguments.repeats} paired runs"
    )
    print(f"{'threads':>7s} {'library':>9s} {'reference':>10s} {'ratio':>6s} {'lib gap':>9s} {'ref gap':>9s}")
    for backend, reference in (("serial", reference_serial), ("numba", reference_parallel)):
        out = np.zeros(n_reps)
        box = {}

        def library(backend=backend, box=box):
            box["result"] = ol.run(
                leader, environment, horizon=horizon, n_reps=n_reps, seed=0, backend=backend
            )

        def hand_written(reference=reference, out=out):
            leader_rngs = typed.List([np.random.default_rng(s) for s in range(n_reps)])
            follower_rngs = typed.List([np.random.default_rng(10_000 + s) for s in range(n_reps)])
            reference(
                game.leader_payoffs,
                follower_losses,
                solution.strategy,
                eta,
                leader_rngs,
                follower_rngs,
                horizon,
                solution.value,
                out,
            )

        library_seconds, reference_seconds = paired_medians(library, hand_written, arguments.repeats)
        scale = 1e9 / (horizon * n_reps)
        threads = "1" if backend == "serial" else "all"
        library_gap = box["result"].final()[0, 0].mean() / horizon
        print(
            f"{threads:>7s} {library_seconds * scale:9.1f} {reference_seconds * scale:10.1f} "
            f"{library_seconds / reference_seconds:6.2f} {library_gap:9.4f} {out.mean() / horizon:9.4f}"
        )


if __name__ == "__main__":
    main()
