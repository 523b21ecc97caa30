"""Shared helpers of the SEA-model tests of the optimistic learners: runs with the SEARegret
tracker, the environments' exact statistics, and the papers' explicit bounds (reference notes,
algorithms-oco.md sections 2 and 3)."""

import numpy as np

import onlinelearn as ol
from onlinelearn.trackers.sea import SEARegret
from tests.conftest import QUICK

HORIZON = 2000 if QUICK else 5000
REPS = 20

#: SEA instances of the bound tests (keyword arguments of the SEA families, dimension aside).
SEA_INSTANCES = {
    "iid": {"regime": "iid", "sigma": 0.3},
    "adversarial": {"regime": "adversarial", "sigma": 0.0, "period": 1},
    "corrupted": {"regime": "corrupted", "sigma": 0.3, "period": 20},
    "random_order": {"regime": "random_order", "n_points": 50},
    "switches": {"regime": "switches", "sigma": 0.2, "period": 100},
    "drift": {"regime": "drift", "sigma": 0.2, "drift": 0.01},
    # one pass: the pool is as large as the horizon, so no point comes twice
    "random_order_single_pass": {"regime": "random_order", "n_points": HORIZON},
}


def sea_run(learners, environment, horizon=HORIZON, seed=0, n_reps=REPS):
    return ol.run(
        learners, environment, horizon, n_reps=n_reps, seed=seed, trackers=[SEARegret()], progress=False
    )


def sea_constants(result, environment):
    """Expectations of the SEA statistics (mean over repetitions) and the environment's constants."""
    spec = environment.reset(seed=0)

    def mean(metric):
        return float(result.final(metric)[0, 0].mean())

    return {
        "sigma2": mean("stochastic_variance"),
        "Sigma2": mean("adversarial_variation"),
        "sigma2_max": mean("max_stochastic_variance"),
        "Sigma2_max": mean("max_adversarial_variation"),
        "D": spec.decision_set.diameter,
        "G": spec.gradient_bound,
        "L": environment.smoothness,
    }


def upper_confidence(result, metric="pseudo_regret"):
    """Mean + 3 standard errors of the final ``metric`` over repetitions, one per learner (first
    environment)."""
    finals = result.final(metric)[:, 0]
    return finals.mean(axis=1) + 3 * finals.std(axis=1, ddof=1) / np.sqrt(finals.shape[1])


def chen_theorem_1(c):
    """Chen et al. (JMLR 2024) Theorem 1, constants as stated (reference notes §3.2)."""
    D, G, L = c["D"], c["G"], c["L"]
    return (
        5 * np.sqrt(10) * D**2 * L
        + 5 * np.sqrt(5) / 2 * D * G
        + 5 * np.sqrt(2) * D * np.sqrt(c["sigma2"])
        + 5 * D * np.sqrt(c["Sigma2"])
    )


def sachs_theorem_5(c, nu):
    """Sachs et al. (NeurIPS 2022) Theorem 5 (reference notes §2.1)."""
    D, G, L = c["D"], c["G"], c["L"]
    return (
        6 * D * np.sqrt(c["sigma2"])
        + 3 * np.sqrt(2) * D * np.sqrt(c["Sigma2"])
        + 3 * np.sqrt(2) / 2 * D * G
        + nu
        + (4 * D**2 * G**2 + 9 * L**2 * D**4) / nu
    )


def chen_theorem_3(c, lam):
    """Chen et al. (JMLR 2024) Theorem 3, constants as stated (reference notes §3.3), with
    ``s^2 = sigma^2_max``, ``S^2 = Sigma^2_max``."""
    D, G, L = c["D"], c["G"], c["L"]
    s2, S2 = c["sigma2_max"], c["Sigma2_max"]
    return (
        (32 * s2 + 16 * S2) / lam * np.log(1 + (2 * c["sigma2"] + c["Sigma2"]) / (2 * s2 + S2))
        + (64 * s2 + 32 * S2) / lam
        + 16 * L**2 * D**2 / lam * np.log(1 + 8 * np.sqrt(2) * L / lam)
        + (16 * L**2 * D**2 + 4 * G**2) / lam
        + lam * D**2 / 4
    )


def sachs_theorem_7(c, mu, horizon):
    """Sachs et al. (NeurIPS 2022) Theorem 7 in the conservative form of the reference notes §2.2:
    ``(8 s^2 + 4 S^2)(1 + ln T) / mu + (4 D^2 L^2 / mu) ln(1 + 16 L / mu) + G D``."""
    D, G, L = c["D"], c["G"], c["L"]
    s2, S2 = c["sigma2_max"], c["Sigma2_max"]
    return (
        (8 * s2 + 4 * S2) * (1 + np.log(horizon)) / mu
        + 4 * D**2 * L**2 / mu * np.log(1 + 16 * L / mu)
        + G * D
    )
