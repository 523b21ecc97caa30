"""The embedded default experiment behind ``onlinelearn demo``.

Classical bandit learners on a stochastic Bernoulli bandit and on a stochastically constrained
adversary (where UCB and Thompson sampling, built for stationary data, pay for it).
"""

from __future__ import annotations

import time

import numpy as np

from onlinelearn import learners as learner_classes
from onlinelearn.environments import AdversarialBandit, BernoulliBandit
from onlinelearn.sim.experiment import run


def stochastically_constrained_table(n_arms: int, horizon: int, gap: float = 0.1,
                                     growth: float = 1.6, seed: int = 7) -> np.ndarray:
    """Stochastically constrained adversary of Zimmert and Seldin (JMLR 2021, section 8).

    Arm 0 is better than every other arm by ``gap`` in every round, but the mean losses of
    (arm 0, others) alternate between (1 - gap, 1) and (0, gap) in phases whose lengths grow
    geometrically by ``growth``.  Index policies built for stationary data are misled by the
    phase changes; best-of-both-worlds learners are not.  Losses are Bernoulli draws of the
    means, fixed by ``seed``.
    """
    rng = np.random.default_rng(seed)
    means = np.empty((horizon, n_arms))
    start, phase, length = 0, 0, 1.0
    while start < horizon:
        stop = min(horizon, start + max(1, int(length)))
        high = phase % 2 == 0
        means[start:stop, 0] = 1 - gap if high else 0.0
        means[start:stop, 1:] = 1.0 if high else gap
        start, phase, length = stop, phase + 1, length * growth
    return (rng.random((horizon, n_arms)) < means).astype(float)


def demo_experiment(horizon: int = 10_000, n_reps: int = 100, seed: int = 0):
    """The learners and environments of the demo, as passed to :func:`onlinelearn.run`."""
    names = ["UCB1", "KLUCB", "ThompsonSampling", "EXP3", "TsallisINF"]
    learners = [getattr(learner_classes, name)() for name in names
                if hasattr(learner_classes, name)]
    environments = [BernoulliBandit(means=np.linspace(0.1, 0.9, 10)),
                    AdversarialBandit(stochastically_constrained_table(5, horizon))]
    return learners, environments, {"horizon": horizon, "n_reps": n_reps, "seed": seed}


def main(out: str = "onlinelearn_demo.png", horizon: int = 10_000, n_reps: int = 100,
         seed: int = 0) -> None:
    """Run the demo, print the summary table and write the regret plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from onlinelearn.plot import STYLE, save

    learners, environments, settings = demo_experiment(horizon, n_reps, seed)
    start = time.perf_counter()
    results = run(learners, environments, **settings)
    elapsed = time.perf_counter() - start
    table = results.summary()[["learner", "env", "final_mean", "std_error", "seconds"]]
    table = table.assign(env=table["env"].str.slice(0, 28))
    with pd.option_context("display.width", 120, "display.float_format", "{:.2f}".format):
        print(table.to_string(index=False))
    print(f"\n{len(learners)} learners x {len(environments)} environments x {n_reps} repetitions x "
          f"T={horizon} in {elapsed:.1f} s (including compilation)")
    with plt.style.context(STYLE):
        axes = results.plot()
        figure = axes[0].figure
        figure.set_size_inches(11, 4)
        axes[0].set_title("stochastic: Bernoulli means linspace(0.1, 0.9, 10)")
        axes[1].set_title("stochastically constrained adversary, 5 arms, gap 0.1")
        save(figure, out)
    print(f"regret plot written to {out}")
