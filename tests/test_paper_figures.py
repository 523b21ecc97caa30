"""``python -m paper_figures``: every registered figure runs in quick mode and writes its files.

The command runs in a subprocess from the repository root, exactly as a reader would run it.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # paper_figures is a top-level folder, not an installed package

from paper_figures import FIGURES  # noqa: E402
from paper_figures._common import CURVE_COLUMNS, QUICK_HORIZON, QUICK_REPS  # noqa: E402


def run_figures(*arguments):
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    environment.pop("ONLINELEARN_QUICK", None)  # quick mode comes from --quick only
    return subprocess.run(
        [sys.executable, "-m", "paper_figures", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


@pytest.fixture(scope="module")
def quick_figures(tmp_path_factory):
    """Output folder of one ``python -m paper_figures all --quick`` (every figure, run once for
    the whole module)."""
    out = tmp_path_factory.mktemp("figures")
    process = run_figures("all", "--quick", "--out", str(out))
    assert process.returncode == 0, process.stderr
    return out


@pytest.fixture(scope="module")
def classical(quick_figures):
    """The classical figure's files, from the quick run of every figure."""
    return quick_figures


def test_classical_figure_writes_png_and_csvs(classical):
    png = classical / "classical_bandits.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # two panels of curves, not an empty canvas
    assert (classical / "classical_bandits.csv").stat().st_size > 0
    assert (classical / "classical_bandits_summary.csv").stat().st_size > 0


def test_classical_curves_are_tidy(classical):
    curves = pd.read_csv(classical / "classical_bandits.csv")
    assert list(curves.columns) == CURVE_COLUMNS
    experiment = FIGURES["classical_bandits"].experiment(quick=True)
    groups = curves.groupby(["learner", "env"], sort=False)
    assert sorted(groups.groups) == sorted(
        (learner, environment) for learner in experiment.learners for environment in experiment.environments
    )
    for _, group in groups:
        t = group["t"].to_numpy()
        assert t[-1] == QUICK_HORIZON and np.all(np.diff(t) > 0)
        assert (group["n_reps"] == QUICK_REPS).all()
        assert np.all(group["ci95_low"] <= group["mean"]) and np.all(group["mean"] <= group["ci95_high"])
        assert np.all(group["std_error"] >= 0)
    assert (curves["metric"] == "pseudo_regret").all()


def test_classical_summary_matches_curves(classical):
    curves = pd.read_csv(classical / "classical_bandits.csv")
    summary = pd.read_csv(classical / "classical_bandits_summary.csv")
    assert len(summary) == 8
    last = curves[curves["t"] == QUICK_HORIZON].set_index(["learner", "env"])
    for row in summary.itertuples():
        assert row.final_mean == pytest.approx(last.loc[(row.learner, row.env), "mean"])
        assert row.n_reps == QUICK_REPS
    # Thompson sampling beats UCB1 clearly on the stochastic panel even at T = 2000.
    final = summary.set_index(["learner", "env"])["final_mean"]
    assert final[("Thompson sampling", "stochastic")] < final[("UCB1", "stochastic")] / 2


def test_list_prints_every_figure():
    process = run_figures("--list")
    assert process.returncode == 0, process.stderr
    assert process.stdout.split() == list(FIGURES)
    assert "classical_bandits" in process.stdout


def test_unknown_name_exits_2_with_the_known_names(tmp_path):
    process = run_figures("no_such_figure", "--out", str(tmp_path))
    assert process.returncode == 2
    assert "no_such_figure" in process.stderr
    for name in ["all", *FIGURES]:
        assert name in process.stderr
    assert not any(tmp_path.iterdir())


def test_all_quick_runs_every_registered_figure(quick_figures):
    written = {path.name for path in quick_figures.iterdir()}
    for name in FIGURES:
        assert f"{name}.png" in written, name
        assert any(file.startswith(name) and file.endswith(".csv") for file in written), name


def test_strongly_adaptive_tuning_panel():
    """Panel (c) of ``strongly_adaptive`` (step-size selection): its two quick runs carry the five
    learners on the same realisations, losses stay in [0, 1], StABL's worst regret over
    1000-round windows is below EXP3's (quick sizes: about 55 vs 79, standard errors about 3),
    and the panel draws one curve per learner plus EXP3's zero line."""
    import matplotlib.pyplot as plt

    from paper_figures.strongly_adaptive import _draw_tuning, run, tuning_experiments

    results = {key: run(experiment) for key, experiment in tuning_experiments(quick=True).items()}
    two, one = results["tuning two queries"], results["tuning one query"]
    assert two.learner_names + one.learner_names == [
        "StABL (2 queries)",
        "EXP3, 2 queries",
        "EXP3",
        "fixed-share EXP3",
        "SAOL over EXP3",
    ]
    for part in (two, one):
        averages = part.metrics["moving_average_loss"]
        assert np.all((averages >= 0) & (averages <= 1))
    stabl, exp3 = two.final("sa_regret_1000")[0, 0], one.final("sa_regret_1000")[0, 0]
    assert stabl.mean() + 3 * stabl.std(ddof=1) / np.sqrt(len(stabl)) < exp3.mean()
    figure, ax = plt.subplots()
    _draw_tuning(ax, results)
    assert len(ax.lines) == 5 and ax.get_legend() is not None
    plt.close(figure)


def test_stackelberg_runs_each_game_length_for_its_own_rounds():
    """Each point of the figure is a run of exactly T rounds (not T_max rounds read at T)."""
    from paper_figures.stackelberg import experiments, game_lengths

    runs = experiments(quick=True)
    assert sorted(runs) == game_lengths(QUICK_HORIZON) == [20, 60, 200, 600, 2000]
    for length, experiment in runs.items():
        assert experiment.horizon == length
        assert all(environment.n_rounds == length for environment in experiment.environments.values())
    assert sum(runs) < 1.5 * QUICK_HORIZON  # rounds per (leader, environment), was 5 T_max
