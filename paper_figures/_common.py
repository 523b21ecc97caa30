"""Shared machinery of the figure modules: the experiment record, quick sizes, CSV and PNG output.

A figure module defines ``experiment(quick) -> Experiment`` (what runs, as data) and
``draw(results) -> Figure``; :func:`make` runs the experiment and writes ``<name>.png``,
``<name>.csv`` (mean curves with standard errors and 95% CIs, one row per learner, environment
and checkpoint) and ``<name>_summary.csv`` (:meth:`onlinelearn.Results.summary`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

#: Sizes of ``--quick`` runs (CI and smoke tests): enough to draw every curve, seconds to run.
QUICK_HORIZON = 2000
QUICK_REPS = 10

#: Columns of ``<name>.csv`` (swept parameters, if any, come between ``env`` and ``metric``).
CURVE_COLUMNS = ["learner", "env", "metric", "t", "mean", "std_error", "ci95_low", "ci95_high", "n_reps"]


@dataclass(frozen=True)
class Experiment:
    """One figure's experiment: ``ol.run(learners, environments, horizon, n_reps, seed, ...)``.

    ``learners`` and ``environments`` map a display label (legend entry, panel, CSV key) to the
    object; the labels replace the objects' generated names in the results.  ``trackers`` (empty:
    the library's default regret trackers) and ``n_checkpoints`` are passed to ``ol.run``.
    """

    learners: dict[str, object]
    environments: dict[str, object]
    horizon: int
    n_reps: int
    seed: int = 0
    trackers: tuple = ()
    n_checkpoints: int = 200


def sizes(quick: bool, horizon: int, n_reps: int) -> tuple[int, int]:
    """``(horizon, n_reps)`` of a figure: its own sizes, or the quick ones with ``quick``."""
    return (QUICK_HORIZON, QUICK_REPS) if quick else (horizon, n_reps)


def run(experiment: Experiment):
    """Run ``experiment`` with :func:`onlinelearn.run` and label the results with its keys."""
    import onlinelearn as ol

    results = ol.run(
        list(experiment.learners.values()),
        list(experiment.environments.values()),
        experiment.horizon,
        experiment.n_reps,
        experiment.seed,
        trackers=list(experiment.trackers) or None,
        n_checkpoints=experiment.n_checkpoints,
        progress=False,
    )
    return replace(
        results, learner_names=list(experiment.learners), environment_names=list(experiment.environments)
    )


def curve_frame(results, metric: str | None = None):
    """Tidy mean curves: one row per (learner, environment, metric, checkpoint).

    Columns are :data:`CURVE_COLUMNS` plus one per swept parameter; the 95% CI is the mean plus or
    minus the Student-t quantile times the standard error (as in the plots).
    """
    import pandas as pd

    from onlinelearn.results import mean_and_standard_error, t_quantile

    parameters = results.parameter_columns()
    half_width = t_quantile(results.n_reps)
    frames = []
    for name in [metric] if metric else list(results.metrics):
        data = results.metrics[name]
        for i, learner in enumerate(results.learner_names):
            for j, environment in enumerate(results.environment_names):
                mean, se = mean_and_standard_error(data[i, j], axis=0)
                sides = {"learner": results.learner_params[i], "env": results.environment_params[j]}
                values = {column: sides[side].get(key) for column, (side, key) in parameters.items()}
                frames.append(
                    pd.DataFrame(
                        {
                            "learner": learner,
                            "env": environment,
                            **values,
                            "metric": name,
                            "t": results.checkpoints,
                            "mean": mean,
                            "std_error": se,
                            "ci95_low": mean - half_width * se,
                            "ci95_high": mean + half_width * se,
                            "n_reps": data.shape[2],
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


def write(results, figure, out_dir, name: str) -> list[Path]:
    """Write ``<name>.png``, ``<name>.csv`` and ``<name>_summary.csv`` into ``out_dir``."""
    from onlinelearn.plot import save

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.csv", out_dir / f"{name}_summary.csv"]
    save(figure, paths[0])
    curve_frame(results).to_csv(paths[1], index=False)
    results.summary().to_csv(paths[2], index=False)
    return paths


def make(name: str, module, out_dir, quick: bool = False) -> list[Path]:
    """Run figure ``module``'s experiment, draw it in the paper style and write its files.

    A figure made of several experiments (e.g. with their own trackers) defines its own
    ``make(out_dir, quick)``, which is used instead.
    """
    if hasattr(module, "make"):
        return module.make(out_dir, quick)
    import matplotlib.pyplot as plt

    from onlinelearn.plot import STYLE

    experiment = module.experiment(quick)
    start = time.perf_counter()
    results = run(experiment)
    elapsed = time.perf_counter() - start
    with plt.style.context(STYLE):
        figure = module.draw(results)
        paths = write(results, figure, out_dir, name)
    plt.close(figure)
    print(
        f"{name}: {len(experiment.learners)} learners x {len(experiment.environments)} "
        f"environments x {experiment.n_reps} repetitions x T={experiment.horizon} in "
        f"{elapsed:.1f} s (including compilation); wrote {', '.join(map(str, paths))}"
    )
    return paths
