"""Regret against T in three SEA regimes: OGD, OMD, optimistic OMD and optimistic FTRL.

The SEA linear family ``f(x, xi) = <xi, x>`` on the unit ball of R^5
(:mod:`onlinelearn.environments.sea`, ``||mean|| = 1/2``) in three regimes:

(a) adversarial: ``mu_t = +-mean`` alternating every round, no noise (``Sigma^2_{1:T} ~ T``);
(b) i.i.d.: ``mu_t = mean``, noise norm ``sigma = 0.05`` (``sigma^2_{1:T} = T sigma^2``, ``Sigma^2_{1:T}``
    = its first term only);
(c) corrupted i.i.d.: as (b), with the mean flipped every 50th round (``Sigma^2_{1:T} ~ T / 25``).

Learners: OGD (``eta_t = D / (G sqrt t)``), OMD (Euclidean, AdaGrad-norm rate ``D / sqrt(2 sum
||g||^2)``), optimistic OMD (Chen et al. 2024, Theorem 1 step size) and optimistic FTRL (Sachs et
al. 2022, Theorem 5). Log-log mean pseudo-regret with 95% bands; the legend gives each learner's
slope fitted on the last 90% of the horizon. The theory predicts slope 1/2 for every learner in (a)
(``Sigma^2_{1:T} ~ T``) and bounds ``O(D sigma sqrt T + D sqrt(Sigma^2_{1:T}) + DG)`` for the
optimistic learners in (b) and (c), far below the adversarial rate when sigma is small. Observed: in
(a) every slope is near 1/2, as predicted. In (b) and (c) optimistic FTRL stays flat; optimistic OMD
grows faster (its step ``D / sqrt(4 G^2 + V_t)`` shrinks only as the noise accumulates, and each
corruption costs it a jump: the last-gradient hint is wrong twice), and OGD and OMD are also small,
because on the curved ball a decaying step already exploits a fixed mean: the SEA bounds are
guarantees, and this instance is easy for them too. (OGD with the minimax constant step ``D / (G
sqrt T)`` does grow like sqrt T with the horizon, see ``tests/learners/test_optimistic_regimes.py``, but a
curve against t within one horizon cannot show a horizon-tuned rate.) T = 10^5, 50 repetitions
(``--quick``: 2000, 10).
"""

from __future__ import annotations

from onlinelearn.environments.sea import SEALinearLosses

from onlinelearn import learners
from onlinelearn.learners.omd import OMD
from onlinelearn.learners.optimistic import OptimisticFTRL, OptimisticOMD
from paper_figures._common import Experiment, sizes

DIMENSION = 5

TITLES = {
    "adversarial": "(a) adversarial (alternating means)",
    "iid": "(b) i.i.d., sigma = 0.05",
    "corrupted": "(c) corrupted i.i.d. (every 50th round)",
}


def experiment(quick: bool = False) -> Experiment:
    """The learners, environments, horizon, repetitions and seed of the figure."""
    horizon, n_reps = sizes(quick, horizon=100_000, n_reps=50)
    return Experiment(
        learners={
            "OGD": learners.OGD(),
            "OMD (AdaGrad rate)": OMD(step_size="adagrad"),
            "optimistic OMD": OptimisticOMD(),
            "optimistic FTRL": OptimisticFTRL(),
        },
        environments={
            "adversarial": SEALinearLosses(DIMENSION, regime="adversarial", sigma=0.0, period=1),
            "iid": SEALinearLosses(DIMENSION, regime="iid", sigma=0.05),
            "corrupted": SEALinearLosses(DIMENSION, regime="corrupted", sigma=0.05, period=50),
        },
        horizon=horizon,
        n_reps=n_reps,
        seed=0,
    )


def draw(results):
    """One log-log panel per regime with fitted slopes in the legends."""
    import matplotlib.pyplot as plt

    from onlinelearn.plot import rate

    figure, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    for j, (ax, environment) in enumerate(zip(axes, results.environment_names, strict=True)):
        rate(results, environment=j, ax=ax, title=TITLES[environment])
        ax.legend(fontsize="x-small", loc="upper left")
        ax.set_ylabel("mean pseudo-regret" if j == 0 else "")
    figure.tight_layout()
    return figure
