"""The embedded default experiment behind ``onlinelearn demo``.

Classical bandit learners on a stochastic Bernoulli bandit and on a stochastically constrained
adversary (where UCB and Thompson sampling, built for stationary data, pay for it).
"""

from __future__ import annotations

import time

import numpy as np

from onlinelearn import learners as learner_classes
from onlinelearn.environments import BernoulliBandit, StochasticallyConstrainedBandit
from onlinelearn.sim.experiment import run
from onlinelearn.sim.sweep import named


def demo_experiment(horizon: int = 10_000, n_reps: int = 100, seed: int = 0):
    """The learners and environments of the demo, as passed to :func:`onlinelearn.run`."""
    learners = [
        learner_classes.UCB1(),
        learner_classes.KLUCB(),
        learner_classes.ThompsonSampling(),
        learner_classes.EXP3(),
        learner_classes.TsallisINF(),
    ]
    environments = [
        named(BernoulliBandit(means=np.linspace(0.1, 0.9, 10)), "Bernoulli, means linspace(0.1, 0.9, 10)"),
        named(
            StochasticallyConstrainedBandit(n_actions=5, n_rounds=horizon, gap=0.1),
            "stochastically constrained, 5 arms, gap 0.1",
        ),
    ]
    return learners, environments, {"horizon": horizon, "n_reps": n_reps, "seed": seed}


def main(out: str = "onlinelearn_demo.png", horizon: int = 10_000, n_reps: int = 100, seed: int = 0) -> None:
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
    with pd.option_context("display.width", 120, "display.float_format", "{:.2f}".format):
        print(table.to_string(index=False))
    print(
        f"\n{len(learners)} learners x {len(environments)} environments x {n_reps} repetitions x "
        f"T={horizon} in {elapsed:.1f} s (including compilation)"
    )
    with plt.style.context(STYLE):
        axes = results.plot()
        figure = axes[0].figure
        figure.set_size_inches(11, 4)
        save(figure, out)
    print(f"regret plot written to {out}")
