"""Classical bandit learners on a stochastic and on a stochastically constrained bandit.

EXP3, Tsallis-INF (1/2-Tsallis entropy, Zimmert and Seldin 2021), UCB1 and Thompson sampling
(Beta(1, 1) prior) on

(a) a stochastic Bernoulli bandit with reward means linspace(0.1, 0.9, 10), and
(b) the stochastically constrained adversary of Zimmert and Seldin (JMLR 2021, section 8) with
    10 arms and gap 0.1: arm 0 is better by 0.1 in expectation every round, but the mean losses
    alternate in geometrically growing phases.

T = 10^5 rounds, 100 repetitions (``--quick``: T = 2000, 10 repetitions); pseudo-regret with
95% confidence bands of the mean.  At T = 10^5 Thompson sampling is best on (a), with
Tsallis-INF next; on (b) the index policies built for stationary data (UCB1, Thompson sampling)
are misled by the phase changes and their regret grows almost linearly, while Tsallis-INF, a
best-of-both-worlds learner, has the smallest regret.
"""

from __future__ import annotations

import numpy as np
from onlinelearn.environments import BernoulliBandit, StochasticallyConstrainedBandit

from onlinelearn import learners
from paper_figures._common import Experiment, sizes

N_ARMS = 10
GAP = 0.1

TITLES = {
    "stochastic": "(a) Bernoulli bandit, means linspace(0.1, 0.9, 10)",
    "stochastically constrained": f"(b) stochastically constrained, {N_ARMS} arms, gap {GAP}",
}


def experiment(quick: bool = False) -> Experiment:
    """The learners, environments, horizon, repetitions and seed of the figure."""
    horizon, n_reps = sizes(quick, horizon=100_000, n_reps=100)
    return Experiment(
        learners={
            "EXP3": learners.EXP3(),
            "Tsallis-INF": learners.TsallisINF(),
            "UCB1": learners.UCB1(),
            "Thompson sampling": learners.ThompsonSampling(),
        },
        environments={
            "stochastic": BernoulliBandit(means=np.linspace(0.1, 0.9, N_ARMS)),
            "stochastically constrained": StochasticallyConstrainedBandit(
                n_actions=N_ARMS, n_rounds=horizon, gap=GAP
            ),
        },
        horizon=horizon,
        n_reps=n_reps,
        seed=0,
    )


def draw(results):
    """Two panels, one per environment: mean pseudo-regret of every learner with 95% CI bands."""
    from matplotlib.ticker import EngFormatter

    from onlinelearn.plot import regret

    axes = regret(results)
    for ax, environment in zip(axes, results.environment_names, strict=True):
        ax.set_title(TITLES[environment])
        ax.get_legend().remove()
        ax.xaxis.set_major_formatter(EngFormatter(sep=""))
    figure = axes[0].figure
    figure.set_size_inches(10, 3.6)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(labels),
        title="mean pseudo-regret; band: 95% CI of the mean",
        title_fontsize="small",
    )
    return figure
