"""The ``onlinelearn`` command: ``demo``, ``run CONFIG.toml``, ``plot RESULTS_DIR`` and ``list``."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

#: Columns of the printed summary besides the swept parameters.
SUMMARY_COLUMNS = ["final_mean", "std_error", "n_reps", "seconds"]


class CommandError(Exception):
    """A user error reported as one line on stderr with exit code 2."""


def _list() -> None:
    from onlinelearn.config import format_signature
    from onlinelearn.environments import REGISTRY as ENVIRONMENTS
    from onlinelearn.learners import REGISTRY as LEARNERS
    from onlinelearn.trackers import REGISTRY as TRACKERS

    for title, registry in (("learners", LEARNERS), ("environments", ENVIRONMENTS), ("trackers", TRACKERS)):
        print(f"{title}:")
        for cls in registry:
            summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            print(f"  {format_signature(cls)}\n      {summary}")


def _cell(value) -> str:
    """A swept value as written in the file; "-" for a learner or environment without it."""
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _print_summary(results, metric: str | None) -> None:
    """The summary table of ``metric`` (default: the first one), one row per learner and env."""
    import pandas as pd

    metric = metric or results.default_metric
    table = results.summary(metric)
    parameters = list(results.parameter_columns())
    columns = ["learner", "env", *parameters, *SUMMARY_COLUMNS]
    # Strings: the float format would print eta = 0.001 as 0.00.
    table = table.assign(**{name: table[name].map(_cell) for name in parameters})
    print(f"{metric} at T={results.horizon} (mean and standard error over repetitions):")
    with pd.option_context("display.width", 200, "display.float_format", "{:.2f}".format):
        print(table[columns].to_string(index=False))
    others = [name for name in results.metrics if name != metric]
    if others:
        hint = ""
        if results.results_dir:
            hint = f"; `onlinelearn plot {results.results_dir} --metric NAME` shows one"
        print(f"(other metrics: {', '.join(others)}{hint})")


def _write_plots(results, out: Path, metric: str | None) -> list[Path]:
    """The regret plot at ``out`` and, for swept parameters, a sweep plot beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from onlinelearn import plot

    out.parent.mkdir(parents=True, exist_ok=True)
    written = [out]
    with plt.style.context(plot.STYLE):
        axes = np.atleast_1d(results.plot(metric=metric))
        figure = axes[0].figure
        figure.set_size_inches(5.5 * len(axes), 4.2)
        plot.save(figure, out)
        plt.close(figure)
        panels = _sweep_panels(results)
        if panels:
            figure, axes = plt.subplots(1, len(panels), figsize=(6.0 * len(panels), 4.2), squeeze=False)
            for ax, (column, environment) in zip(axes[0], panels, strict=True):
                plot.sweep(
                    results,
                    column,
                    metric=metric,
                    environment=environment,
                    ax=ax,
                    title=None if environment is None else results.environment_names[environment],
                )
            written.append(out.with_name(f"{out.stem}_sweep{out.suffix}"))
            plot.save(figure, written[-1])
            plt.close(figure)
    return written


def _sweep_panels(results) -> list[tuple[str, int | None]]:
    """(swept column, environment index) per panel: a learner parameter gets one per environment."""
    panels = []
    for column, (side, _) in results.parameter_columns().items():
        if side == "learner":
            panels += [(column, j) for j in range(len(results.environment_names))]
        else:
            panels.append((column, None))
    return panels


def _png_beside(folder: Path) -> Path:
    """``<folder>.png`` next to ``folder``."""
    folder = folder.resolve()
    return folder.with_name(f"{folder.name}.png")


def _default_plot_path(config, quick: bool) -> Path:
    """Beside the results directory, else ``<config>.png`` (``<config>_quick.png``) beside the file."""
    if config.results_dir is not None:
        return _png_beside(config.results_dir)
    return config.path.with_name(f"{config.path.stem}{'_quick' if quick else ''}.png")


def _run(arguments) -> None:
    from onlinelearn.config import ConfigError, load_config

    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        raise CommandError(str(error)) from None
    if arguments.quick:
        config = config.quick()
    out = Path(arguments.out) if arguments.out else _default_plot_path(config, arguments.quick)
    try:
        results = config.run(progress=False if arguments.no_progress else None)
    except ValueError as error:
        # The file passed load_config, so this is the run's own refusal, such as a results_dir
        # that holds a different experiment.
        raise CommandError(f"{config.path}: {error}") from None
    _print_summary(results, None)
    print(
        f"\n{len(results.learner_names)} learners x {len(results.environment_names)} environments x "
        f"{results.n_reps} repetitions x T={results.horizon}"
        + (f"; results in {results.results_dir}" if results.results_dir else "")
    )
    for path in _write_plots(results, out, None):
        print(f"plot written to {path}")


def _plot(arguments) -> None:
    import onlinelearn as ol

    results_dir = Path(arguments.results_dir)
    if not results_dir.is_dir():
        raise CommandError(f"{results_dir}: no such results directory.")
    try:
        results = ol.load(results_dir)
    except (OSError, ValueError) as error:
        raise CommandError(str(error)) from None
    if arguments.metric is not None and arguments.metric not in results.metrics:
        raise CommandError(
            f"--metric {arguments.metric!r} is not in the results; "
            f"available metrics: {', '.join(results.metrics)}."
        )
    _print_summary(results, arguments.metric)
    out = Path(arguments.out) if arguments.out else _png_beside(results_dir)
    for path in _write_plots(results, out, arguments.metric):
        print(f"plot written to {path}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onlinelearn", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the default experiment and write a regret plot")
    demo.add_argument("--out", default="onlinelearn_demo.png", help="PNG or PDF path")
    demo.add_argument("--horizon", type=int, default=10_000)
    demo.add_argument("--reps", type=int, default=100)
    demo.add_argument("--seed", type=int, default=0)
    run = commands.add_parser("run", help="run the experiment of a TOML file (see examples/README.md)")
    run.add_argument("config", help="experiment file (.toml)")
    run.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: horizon // 100 (at least 100), at most 5 repetitions, no results_dir",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("--out", help="plot path (default: beside results_dir, else beside the TOML file)")
    plot = commands.add_parser("plot", help="summary and plots of a results directory")
    plot.add_argument("results_dir", help="a results_dir written by run")
    plot.add_argument("--out", help="plot path (default: <RESULTS_DIR>.png beside it)")
    plot.add_argument("--metric", help="metric to show (default: the first one)")
    commands.add_parser("list", help="registered learners, environments and trackers with their parameters")
    return parser


def main(argv=None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "demo":
            from onlinelearn.demo import main as demo_main

            demo_main(arguments.out, arguments.horizon, arguments.reps, arguments.seed)
        elif arguments.command == "run":
            _run(arguments)
        elif arguments.command == "plot":
            _plot(arguments)
        elif arguments.command == "list":
            _list()
    except CommandError as error:
        print(f"onlinelearn: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
