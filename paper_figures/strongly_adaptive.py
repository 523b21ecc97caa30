"""Strongly adaptive learning: the expert experiment of Jun et al. (2017) and StABL on volatile bandits.

(a) Jun, Orabona, Wright and Willett, "Improved strongly adaptive online learning using coin
    betting", AISTATS 2017, section 5.1: N = 1000 experts, T = 600, Uniform(0, 1) losses, expert
    1, 2, 3 good (loss max(l - 1/2, 0)) on the three thirds.  Moving average (window 10) of the
    loss of CBCE, SAOL, AdaNormalHedge over intervals and Fixed Share (m = 2), 50 repetitions.  As
    in the paper all metas run on data-streaming intervals (g = 2) with a uniform prior; unlike
    the paper the runs are Hedge (not KT coin betting) and start uniform (warm starts slow Hedge
    runs down, see the CBCE docstring).
(b) StABL (Lu et al., ICLR 2024; our reconstruction, see onlinelearn/learners/stabl.py)
    against EXP3 (one query), EXP3 given the same two queries naively, fixed-share EXP3 and
    SAOL over EXP3 (one query) on a volatile bandit: K = 5 Bernoulli arms (loss 0.3 for the best,
    0.7 for the others), the best arm moving cyclically every 2000 rounds, T = 20000, 20
    repetitions.  The issue's panel (b) asks for two things, drawn side by side: (b1) the
    normalised strongly adaptive regret SA(tau) / sqrt(K tau) against tau, and (b2) the
    interval-regret curve right after a switch, the mean regret over the tau rounds after each
    switch against tau.
(c) The same five learners choosing the step size of online least-squares SGD
    (:class:`~onlinelearn.environments.tuning.HyperparameterSelection`, our construction of the
    downstream task Lu et al. name): K = 5 step sizes 0.01 ... 1, phases of 2000 rounds
    alternating between a drifting target (large steps win) and a noisy still one (small steps
    win), T = 20000, 20 repetitions.  Moving average (200 rounds) of the expected loss, drift
    phases shaded; the legend gives SA(2000) (worst regret over 2000-round windows).

Run ``python -m paper_figures.strongly_adaptive [--quick] [--out DIR]``.  It writes
``strongly_adaptive.png`` and one CSV of mean curves per experiment.  (The generic ``make`` of
``paper_figures._common`` runs experiments without trackers; this figure needs three, so it runs
its own experiments with :func:`run`; ``TrackedExperiment`` carries them.)
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from onlinelearn.environments.switch_tables import JunExperts
from onlinelearn.environments.tuning import HyperparameterSelection
from onlinelearn.environments.volatile import VolatileBandit

from onlinelearn.learners.cbce import CBCE
from onlinelearn.learners.exp3 import EXP3
from onlinelearn.learners.fixed_share import AdaNormalHedge, FixedShare
from onlinelearn.learners.saol import SAOL
from onlinelearn.learners.stabl import EXP3TwoQueries, StABL
from onlinelearn.trackers.adaptive import MovingAverageLoss, PostSwitchRegret, StronglyAdaptiveRegret
from paper_figures._common import Experiment

NAME = "strongly_adaptive"
N_ARMS = 5
TAUS = (50, 100, 200, 500, 1000, 2000)
TUNING_WINDOW = 200  # rounds of the moving average of panel (c)


@dataclass(frozen=True)
class TrackedExperiment(Experiment):
    """An :class:`~paper_figures._common.Experiment` with its trackers and checkpoint count."""

    trackers: tuple = ()
    n_checkpoints: int = 200


def experiments(quick: bool = False) -> dict[str, TrackedExperiment]:
    """The five runs of the figure: experts, two-query and one-query bandits on the volatile
    bandit and on step-size selection."""
    experts_reps = 10 if quick else 50
    horizon, period, reps = (4000, 1000, 10) if quick else (20_000, 2000, 20)
    taus = tuple(tau for tau in TAUS if tau <= period)
    bandit_trackers = (StronglyAdaptiveRegret(taus), PostSwitchRegret(taus))
    volatile = {"n_actions": N_ARMS, "period": period}
    return {
        "experts": TrackedExperiment(
            learners={
                "CBCE": CBCE(schedule="streaming", prior="uniform"),
                "SAOL": SAOL(schedule="streaming"),
                "AdaNormalHedge": AdaNormalHedge(schedule="streaming", prior="uniform"),
                "Fixed Share": FixedShare(n_switches=2),
            },
            environments={"Jun et al. experts": JunExperts()},
            horizon=600,
            n_reps=experts_reps,
            seed=0,
            trackers=(MovingAverageLoss(10),),
            n_checkpoints=600,
        ),
        "two queries": TrackedExperiment(
            learners={"StABL (2 queries)": StABL(), "EXP3, 2 queries": EXP3TwoQueries()},
            environments={"volatile": VolatileBandit(feedback="multi", **volatile)},
            horizon=horizon,
            n_reps=reps,
            seed=1,
            trackers=bandit_trackers,
        ),
        "one query": TrackedExperiment(
            learners={
                "EXP3": EXP3(),
                "fixed-share EXP3": FixedShare(n_switches=horizon // period),
                "SAOL over EXP3": SAOL(base=EXP3()),
            },
            environments={"volatile": VolatileBandit(feedback="bandit", **volatile)},
            horizon=horizon,
            n_reps=reps,
            seed=1,  # the same seed: the same realisations as the two-query run
            trackers=bandit_trackers,
        ),
        **tuning_experiments(quick),
    }


def tuning_experiments(quick: bool = False) -> dict[str, TrackedExperiment]:
    """Panel (c): the same learners choosing SGD's step size (two runs, one per feedback kind)."""
    horizon, period, reps = (4000, 1000, 10) if quick else (20_000, 2000, 20)
    trackers = (StronglyAdaptiveRegret((period,)), MovingAverageLoss(TUNING_WINDOW))
    common = {
        "horizon": horizon,
        "n_reps": reps,
        "seed": 2,
        "trackers": trackers,
        "n_checkpoints": horizon // 10,
    }
    return {
        "tuning two queries": TrackedExperiment(
            learners={"StABL (2 queries)": StABL(), "EXP3, 2 queries": EXP3TwoQueries()},
            environments={"step sizes": HyperparameterSelection(period=period, feedback="multi")},
            **common,
        ),
        "tuning one query": TrackedExperiment(
            learners={
                "EXP3": EXP3(),
                "fixed-share EXP3": FixedShare(n_switches=horizon // period),
                "SAOL over EXP3": SAOL(base=EXP3()),
            },
            environments={"step sizes": HyperparameterSelection(period=period, feedback="bandit")},
            **common,
        ),
    }


def run(experiment: TrackedExperiment):
    """``ol.run`` with the experiment's trackers, labelled with its keys."""
    import onlinelearn as ol

    results = ol.run(
        list(experiment.learners.values()),
        list(experiment.environments.values()),
        experiment.horizon,
        experiment.n_reps,
        experiment.seed,
        trackers=list(experiment.trackers),
        n_checkpoints=experiment.n_checkpoints,
        progress=False,
    )
    return replace(
        results, learner_names=list(experiment.learners), environment_names=list(experiment.environments)
    )


def _final_mean_and_se(results, metric):
    finals = results.final(metric)[:, 0]  # (learners, repetitions)
    return finals.mean(axis=1), finals.std(axis=1, ddof=1) / np.sqrt(finals.shape[1])


def draw(all_results: dict):
    """Four panels: (a) moving-average loss on the experts; (b1) SA(tau) / sqrt(K tau) and (b2)
    post-switch regret against tau, the two halves of the issue's panel (b), with 95% confidence
    bands / bars of the mean; (c) moving-average loss on step-size selection."""
    import matplotlib.pyplot as plt

    from onlinelearn.results import mean_and_standard_error, t_quantile

    figure, grid = plt.subplots(2, 2, figsize=(13, 9))
    axes = grid.ravel()
    experts = all_results["experts"]
    data = experts.metrics["moving_average_loss"]
    half = t_quantile(experts.n_reps)
    for i, name in enumerate(experts.learner_names):
        mean, se = mean_and_standard_error(data[i, 0], axis=0)
        axes[0].plot(experts.checkpoints, mean, label=name)
        axes[0].fill_between(experts.checkpoints, mean - half * se, mean + half * se, alpha=0.2)
    for boundary in (200, 400):
        axes[0].axvline(boundary, color="grey", lw=0.8, ls=":")
    axes[0].set(xlabel="round", ylabel="loss, moving average over 10 rounds", ylim=(0, 0.75))
    axes[0].set_title("(a) Jun et al. experts: N = 1000, switches at 200, 400", fontsize="medium")
    axes[0].legend(fontsize="small", ncol=2, loc="upper right")
    for panel, prefix, ylabel in (
        (1, "normalised_sa_regret", "SA(τ) / sqrt(Kτ)"),
        (2, "post_switch_regret", "mean regret on the τ rounds after a switch"),
    ):
        ax = axes[panel]
        for key in ("two queries", "one query"):
            results = all_results[key]
            taus = [int(name.rsplit("_", 1)[1]) for name in results.metrics if name.startswith(prefix + "_")]
            taus = sorted(set(taus))
            values = [_final_mean_and_se(results, f"{prefix}_{tau}") for tau in taus]
            for i, name in enumerate(results.learner_names):
                mean = np.array([v[0][i] for v in values])
                se = np.array([v[1][i] for v in values])
                style = "-" if key == "two queries" else "--"
                ax.errorbar(taus, mean, yerr=1.96 * se, marker="o", ms=3, ls=style, label=name, capsize=2)
        ax.set_xscale("log")
        ax.set(xlabel="interval length τ", ylabel=ylabel)
    axes[1].set_title(f"(b1) volatile bandit, K = {N_ARMS}: normalised SA-regret", fontsize="medium")
    axes[2].set_title("(b2) volatile bandit: interval regret right after a switch", fontsize="medium")
    axes[2].legend(fontsize="small", title="solid: 2 queries; dashed: 1", title_fontsize="small")
    _draw_tuning(axes[3], all_results)
    figure.tight_layout()
    return figure


def _draw_tuning(ax, all_results) -> None:
    """Panel (c): moving-average expected loss minus EXP3's on the same realisations (paired, so
    the bands are those of the difference), drift phases shaded."""
    import matplotlib.pyplot as plt

    from onlinelearn.results import mean_and_standard_error, t_quantile

    two, one = all_results["tuning two queries"], all_results["tuning one query"]
    horizon = int(two.checkpoints[-1])
    period = _tuning_period(all_results)
    for start, kind in HyperparameterSelection(period=period).phase_starts(horizon):
        if kind == 0:
            ax.axvspan(start, min(start + period, horizon), color="grey", alpha=0.12, lw=0)
    reference = one.metrics["moving_average_loss"][0, 0]  # EXP3, (repetitions, checkpoints)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    sa = {}
    for results in (two, one):
        means, _ = _final_mean_and_se(results, f"sa_regret_{period}")
        sa.update(zip(results.learner_names, means, strict=True))
    ax.axhline(
        0.0, color=colours[2], ls="--", lw=1.2, label=f"EXP3 (reference): SA({period}) = {sa['EXP3']:.0f}"
    )
    half = t_quantile(two.n_reps)
    number, low, high = 0, 0.0, 0.0
    for results, style in ((two, "-"), (one, "--")):
        for i, name in enumerate(results.learner_names):
            colour = colours[number % len(colours)]
            number += 1
            if results is one and i == 0:
                continue  # EXP3 itself: the zero line
            difference = results.metrics["moving_average_loss"][i, 0] - reference
            mean, se = mean_and_standard_error(difference, axis=0)
            label = f"{name}: SA({period}) = {sa[name]:.0f}"
            ax.plot(results.checkpoints, mean, ls=style, lw=1.2, color=colour, label=label)
            ax.fill_between(results.checkpoints, mean - half * se, mean + half * se, color=colour, alpha=0.15)
            low, high = min(low, (mean - half * se).min()), max(high, (mean + half * se).max())
    span = high - low
    ax.set(xlim=(0, horizon), ylim=(low - 0.55 * span, high + 0.05 * span), xlabel="round")
    ax.set_ylabel(f"loss minus EXP3's, moving average over {TUNING_WINDOW} rounds")
    ax.set_title(
        "(c) choosing SGD's step size (K = 5); shaded: drift phases (large steps best)", fontsize="medium"
    )
    ax.legend(
        fontsize="small",
        ncol=2,
        loc="lower center",
        title=f"SA({period}): worst regret over {period}-round windows",
        title_fontsize="small",
    )


def _tuning_period(all_results) -> int:
    names = all_results["tuning two queries"].metrics
    return int(next(name for name in names if name.startswith("sa_regret_")).rsplit("_", 1)[1])


def make(out_dir, quick: bool = False) -> list[Path]:
    """Run the five experiments, draw the figure and write the PNG and the curve CSVs."""
    import matplotlib.pyplot as plt

    from onlinelearn.plot import STYLE, save
    from paper_figures._common import curve_frame

    start = time.perf_counter()
    all_results = {key: run(experiment) for key, experiment in experiments(quick).items()}
    elapsed = time.perf_counter() - start
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{NAME}.png"]
    with plt.style.context(STYLE):
        figure = draw(all_results)
        save(figure, paths[0])
    plt.close(figure)
    for key, results in all_results.items():
        path = out_dir / f"{NAME}_{key.replace(' ', '_')}.csv"
        curve_frame(results).to_csv(path, index=False)
        paths.append(path)
    written = ", ".join(map(str, paths))
    print(
        f"{NAME}: {len(all_results)} experiments in {elapsed:.1f} s (including compilation); wrote {written}"
    )
    return paths


def main(argv=None) -> int:
    import os

    import matplotlib

    matplotlib.use("Agg")
    parser = argparse.ArgumentParser(prog="python -m paper_figures.strongly_adaptive")
    parser.add_argument("--quick", action="store_true", help="small sizes (also ONLINELEARN_QUICK=1)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"))
    arguments = parser.parse_args(argv)
    make(arguments.out, quick=arguments.quick or os.environ.get("ONLINELEARN_QUICK") == "1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
