"""Final regret over a grid of (sigma, Sigma) in the SEA model, with the theorems' bounds.

The SEA linear family on the unit ball of R^5 (``||mean|| = 1/2``) in the corrupted i.i.d. regime:
``mu_t = mean`` except every ``P``-th round, where ``mu_t = -mean``, and ``||xi_t - mu_t|| =
sigma``, so that ``sigma^2_{1:T} = T sigma^2`` and ``Sigma^2_{1:T} = ||mean||^2 + sum_{t>=2}
||mu_t - mu_{t-1}||^2``: each corrupted round before the last changes the mean twice (``mean ->
-mean -> mean``, ``8 ||mean||^2``), a corruption in round T once.  Both statistics are read from the
:class:`~onlinelearn.trackers.sea.SEARegret` tracker, which sums the environment's own per-round
terms, so the bounds use exactly the statistics the environment produced.  Single-round
corruptions cannot be exploited by tracking (a learner that follows blocks of a block-switching
adversary beats the fixed comparator and has negative regret, which a log axis cannot show).

The grid takes sigma in {0, 0.05, 0.1, 0.2, 0.4} and P in {T + 1 (no corruption), 100, 20, 5, 2}.
Panels: optimistic OMD (Chen et al. 2024) and optimistic FTRL (Sachs et al. 2022); markers are the
mean final pseudo-regret (95% CI bars), one line per ``Sigma^2_{1:T}``; dashed lines of the same
colour are the explicit bounds (Chen et al. Theorem 1, Sachs et al. Theorem 5 with L = 0). The
corrupted rounds sit at fixed positions, so the empirical curves and the bounds use exact, not
expected, statistics. Both grow with ``sqrt(sigma^2_{1:T}) + sqrt(Sigma^2_{1:T})``: the regret
interpolates between the stochastic (small sigma, few changes) and the adversarial corner. T =
20000, 20 repetitions (``--quick``: 2000, 10).
"""

from __future__ import annotations

import numpy as np
from onlinelearn.environments.sea import SEALinearLosses

from onlinelearn.learners.optimistic import OptimisticFTRL, OptimisticOMD
from onlinelearn.trackers.sea import SEARegret
from paper_figures._common import Experiment, sizes

DIMENSION = 5
SIGMAS = (0.0, 0.05, 0.1, 0.2, 0.4)


def periods(horizon: int) -> tuple[int, ...]:
    return (horizon + 1, 100, 20, 5, 2)


def experiment(quick: bool = False) -> Experiment:
    """The learners, environments, horizon, repetitions and seed of the figure."""
    horizon, n_reps = sizes(quick, horizon=20_000, n_reps=20)
    environments = {
        f"sigma={sigma:g}, P={period}": SEALinearLosses(
            DIMENSION, regime="corrupted", sigma=sigma, period=period
        )
        for period in periods(horizon)
        for sigma in SIGMAS
    }
    return Experiment(
        learners={"optimistic OMD": OptimisticOMD(), "optimistic FTRL": OptimisticFTRL()},
        environments=environments,
        horizon=horizon,
        n_reps=n_reps,
        seed=0,
        trackers=(SEARegret(),),
    )


def grid_point(label: str) -> dict:
    """``{"sigma": ..., "period": ...}`` from an environment label ``"sigma=s, P=p"``."""
    sigma, period = (part.split("=")[1] for part in label.split(", "))
    return {"sigma": float(sigma), "period": int(period)}


def statistics(results, j: int) -> tuple[float, float, float, float]:
    """``(sigma^2_{1:T}, Sigma^2_{1:T}, D, G)`` of environment ``j``: the statistics as the
    SEARegret tracker summed them from the environment (mean over repetitions; the corrupted rounds
    sit at fixed positions, so every repetition has the same), ``D`` and ``G`` from its spec."""
    sigma2 = float(results.final("stochastic_variance")[0, j].mean())
    variation = float(results.final("adversarial_variation")[0, j].mean())
    params = grid_point(results.environment_names[j])
    spec = SEALinearLosses(DIMENSION, regime="corrupted", **params).reset(seed=0)
    return sigma2, variation, spec.decision_set.diameter, spec.gradient_bound


def bound(learner: str, sigma2: float, variation: float, diameter: float, gradient_bound: float) -> float:
    """Chen et al. Theorem 1 (optimistic OMD, L = 0) or Sachs et al. Theorem 5 (nu = D G, L = 0)."""
    D, G = diameter, gradient_bound
    if learner == "optimistic OMD":
        return 5 * np.sqrt(5) / 2 * D * G + 5 * np.sqrt(2) * D * np.sqrt(sigma2) + 5 * D * np.sqrt(variation)
    nu = D * G
    return (
        6 * D * np.sqrt(sigma2)
        + 3 * np.sqrt(2) * D * np.sqrt(variation)
        + 3 * np.sqrt(2) / 2 * D * G
        + nu
        + 4 * D**2 * G**2 / nu
    )


def draw(results):
    """One panel per learner: final regret against sigma, one line per Sigma^2_{1:T}, bounds dashed."""
    import matplotlib.pyplot as plt

    final = results.final("pseudo_regret")
    horizon = results.horizon
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (ax, learner) in enumerate(zip(axes, results.learner_names, strict=True)):
        for k, period in enumerate(periods(horizon)):
            xs, means, errors, bounds, variation = [], [], [], [], 0.0
            for j, label in enumerate(results.environment_names):
                params = grid_point(label)
                if params["period"] != period:
                    continue
                sigma2, variation, diameter, gradient_bound = statistics(results, j)
                values = final[i, j]
                xs.append(params["sigma"])
                means.append(values.mean())
                errors.append(1.96 * values.std(ddof=1) / np.sqrt(len(values)))
                bounds.append(bound(learner, sigma2, variation, diameter, gradient_bound))
            colour = colours[k % len(colours)]
            label = f"Sigma^2 = {variation:.3g} (P = {period})" if period <= horizon else "no corruption"
            ax.errorbar(xs, means, yerr=errors, color=colour, marker="o", capsize=2, label=label)
            ax.plot(xs, bounds, color=colour, linestyle="--", linewidth=1)
        ax.set_yscale("log")
        ax.set_xlabel("noise sigma (sigma^2_{1:T} = T sigma^2)")
        ax.set_title(f"{learner}, T = {horizon}")
        if i == 0:
            ax.set_ylabel("final pseudo-regret (dashed: bound)")
    axes[0].legend(fontsize="x-small", loc="lower right")
    figure.tight_layout()
    return figure
