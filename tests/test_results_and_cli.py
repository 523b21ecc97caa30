import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from onlinelearn.cli import main as cli_main

README = Path(__file__).resolve().parents[1] / "README.md"


def small_results():
    return ol.run(
        [ol.learners.UCB1(), ol.learners.KLUCB()],
        [BernoulliBandit(means=[0.2, 0.8]), BernoulliBandit(means=[0.4, 0.5, 0.6])],
        horizon=300,
        n_reps=5,
        seed=3,
        trackers=[ol.trackers.PseudoRegret(), ol.trackers.StaticRegret()],
    )


def test_summary_is_tidy_and_consistent_with_arrays():
    results = small_results()
    summary = results.summary()
    assert list(summary.columns[:5]) == ["learner", "env", "metric", "final_mean", "std_error"]
    assert len(summary) == 2 * 2 * 2
    row = summary[(summary.learner == "UCB1()") & (summary.metric == "regret")].iloc[0]
    final = results.final("regret")[0, 0]
    np.testing.assert_allclose(row.final_mean, final.mean())
    np.testing.assert_allclose(row.std_error, final.std(ddof=1) / np.sqrt(5))
    assert row.ci95_low < row.final_mean < row.ci95_high


def test_to_frame_long_format_round_trips():
    results = small_results()
    frame = results.to_frame("pseudo_regret")
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 2 * 2 * 5 * len(results.checkpoints)
    last = frame[(frame.t == 300) & (frame.learner == "KLUCB()") & (frame.repetition == 2)]
    assert last.value.tolist() == results.final("pseudo_regret")[1, :, 2].tolist()


def test_plot_draws_one_line_and_band_per_learner(tmp_path):
    results = small_results()
    axes = results.plot()
    assert len(axes) == 2
    ax = results.plot(metric="regret", environment=1)
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2
    path = tmp_path / "regret.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 10_000
    plt.close("all")


def test_demo_command_writes_a_plot(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert cli_main(["demo", "--horizon", "300", "--reps", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "final_mean" in printed and "UCB1()" in printed
    assert out.stat().st_size > 20_000
    plt.close("all")


def test_list_command_names_every_registered_class(capsys):
    cli_main(["list"])
    printed = capsys.readouterr().out
    for cls in ol.learners.REGISTRY:
        assert cls.__name__ in printed


def test_readme_python_examples_run_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the sweep example writes a results directory
    quick_start, sweep = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    namespace = {}
    exec(compile(quick_start, "README.md", "exec"), namespace)  # noqa: S102
    summary = namespace["res"].summary()
    assert set(summary.learner) == {"UCB1()", "EXP3()", "ThompsonSampling()"}
    namespace = {}
    exec(compile(sweep, "README.md", "exec"), namespace)  # noqa: S102
    summary = namespace["res"].summary()
    assert summary.shape[0] == 4 * 2 and {"eta", "n_actions"} <= set(summary.columns)
    assert (tmp_path / "results" / "exp3_eta" / "experiment.json").exists()
    plt.close("all")
