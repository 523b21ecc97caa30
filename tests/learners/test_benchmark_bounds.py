"""The issue's target: mean final pseudo-regret of UCB1 and EXP3 on the benchmark instance (B1 in
benchmarks/bench_bandits.py) below their textbook bounds.

Instance: K = 10 Bernoulli arms with means linspace(0.1, 0.9), T = 1e5, N = 100 repetitions; the
test asserts ``mean + 3 standard errors <= bound`` (not shrunk in QUICK mode: this is the instance
the target names).  Bounds, for rewards in [0, 1]:

* UCB1 with its default ``alpha = 2`` (the index ``mu_hat + sqrt(2 ln t / n)`` of the paper):
  Auer, Cesa-Bianchi and Fischer (2002), Theorem 1,
  ``E[R_T] <= sum_{a: Delta_a > 0} 8 ln T / Delta_a + (1 + pi^2 / 3) sum_a Delta_a`` (2948.4 here);
* EXP3 with its default fixed-horizon tuning ``eta = sqrt(2 ln K / (T K))``: Lattimore and
  Szepesvári (2020), Theorem 11.2, ``E[R_T] <= sqrt(2 T K ln K)`` (2146.0 here).  The theorem is for
  an oblivious adversary; a Bernoulli bandit is one once its reward table is drawn, and the
  pseudo-regret is at most the expected regret against the best arm of the realised table
  (``E min_a sum_t l_t(a) <= min_a E sum_t l_t(a)``), so the bound holds for it too.

Two compiled runners (UCB1 and EXP3 on a Bernoulli bandit with the default pseudo-regret tracker),
shared with tests/learners/test_ucb.py and tests/learners/test_exp3.py.
"""

import numpy as np
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from tests.learners.test_exp3 import exp3_bound
from tests.learners.test_ucb import ucb1_bound

MEANS = np.linspace(0.1, 0.9, 10)
HORIZON = 100_000
N_REPS = 100


def test_ucb1_and_exp3_below_their_textbook_bounds_on_the_benchmark_instance():
    environment = BernoulliBandit(means=MEANS)
    result = ol.run(
        [ol.learners.UCB1(), ol.learners.EXP3()], environment, horizon=HORIZON, n_reps=N_REPS, seed=0
    )
    final = result.final("pseudo_regret")[:, 0]
    means = final.mean(axis=1)
    upper = means + 3 * final.std(axis=1, ddof=1) / np.sqrt(N_REPS)
    bounds = [ucb1_bound(environment.gaps, HORIZON), exp3_bound(HORIZON, len(MEANS))]
    np.testing.assert_allclose(bounds, [2948.4, 2146.0], atol=0.1)  # the numbers quoted above
    for name, value, bound in zip(("UCB1", "EXP3"), upper, bounds, strict=True):
        assert value <= bound, f"{name}: mean + 3 SE = {value:.1f} > bound {bound:.1f}"
    # Both learn: far below uniform play, whose pseudo-regret is mean(Delta) T = 40000.
    assert np.all(means < 0.1 * environment.gaps.mean() * HORIZON)
