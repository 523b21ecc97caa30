"""Plots of onlinelearn.plot on Results with known curves, read back from the Axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from onlinelearn import plot
from onlinelearn.results import Results
from onlinelearn.sim.loops import checkpoint_grid

HORIZON = 10_000


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def make_results(curves, environments=("env",), learner_params=None, environment_params=None, metrics=None):
    """Results from ``curves[name]``, arrays (env, rep, checkpoint); env is broadcast."""
    t = checkpoint_grid(HORIZON)
    names = list(curves)
    data = np.stack(
        [np.broadcast_to(curves[n], (len(environments), *np.shape(curves[n])[-2:])) for n in names]
    )
    shape = (len(names), len(environments))
    return Results(
        learner_names=names,
        environment_names=list(environments),
        checkpoints=t,
        metrics=metrics or {"pseudo_regret": np.array(data, dtype=float)},
        seconds=np.zeros(shape),
        compiled=np.ones(shape, dtype=bool),
        horizon=HORIZON,
        n_reps=data.shape[2],
        seed=0,
        learner_params=learner_params or [],
        environment_params=environment_params or [],
    )


def noisy(curve, n_reps=20, seed=0):
    """Repetitions ``curve * (1 + 0.1 Z_rep) + 1% noise per checkpoint``: the mean stays ~ curve."""
    rng = np.random.default_rng(seed)
    scale = 1 + 0.1 * rng.standard_normal((n_reps, 1))
    return curve * scale * (1 + 0.01 * rng.standard_normal((n_reps, curve.size)))


def known_rate_results():
    t = checkpoint_grid(HORIZON).astype(float)
    return make_results(
        {
            "sqrt": noisy(3.0 * np.sqrt(t))[None],
            "log": noisy(5.0 * np.log(t), seed=1)[None],
            "linear": noisy(0.2 * t, seed=2)[None],
        }
    )


def test_fitted_slopes_recover_known_exponents():
    slopes = plot.fitted_slopes(known_rate_results(), fit_from=0.1)
    # c log t has local slope 1 / log t; at the geometric middle of [0.1 T, T]:
    log_slope = 1 / np.log(np.sqrt(0.1) * HORIZON)
    assert slopes["sqrt"] == pytest.approx(0.5, abs=0.02)
    assert slopes["log"] == pytest.approx(log_slope, abs=0.02)
    assert slopes["linear"] == pytest.approx(1.0, abs=0.02)


def test_fitted_slopes_validate_arguments():
    results = known_rate_results()
    with pytest.raises(ValueError, match="fit_from"):
        plot.fitted_slopes(results, fit_from=1.5)
    two = make_results({"a": np.ones((2, 3, len(results.checkpoints)))}, environments=("e1", "e2"))
    with pytest.raises(ValueError, match=r"environment=.*\['e1', 'e2'\]"):
        plot.fitted_slopes(two)
    assert set(plot.fitted_slopes(two, environment="e2")) == {"a"}


def test_rate_plot_labels_slopes_and_keeps_bands_positive():
    t = checkpoint_grid(HORIZON).astype(float)
    zero_early = np.where(t < 50, 0.0, np.log(t)) + np.array([-0.5, 0.0, 0.5])[:, None]  # mean 0 for t < 50
    results = make_results({"sqrt": noisy(3.0 * np.sqrt(t), n_reps=3)[None], "zero early": zero_early[None]})
    ax = plot.rate(results)
    labels = [line.get_label() for line in ax.get_lines()]
    slopes = plot.fitted_slopes(results)
    assert f"sqrt slope {slopes['sqrt']:.2f}" in labels
    assert any(label.startswith("zero early slope") for label in labels)
    assert r"$c\sqrt{t}$" in labels and r"$c\log t$" in labels
    assert ax.get_xscale() == ax.get_yscale() == "log"
    # Non-positive means are left out, bands are clipped above zero.
    zero_line = next(line for line in ax.get_lines() if line.get_label().startswith("zero early"))
    assert np.all(zero_line.get_ydata() > 0) and zero_line.get_xdata().min() >= 50
    for band in ax.collections:
        assert np.all(band.get_paths()[0].vertices[:, 1] > 0)
    # The sqrt reference passes through the median of the final means.
    reference = next(line for line in ax.get_lines() if line.get_label() == r"$c\sqrt{t}$")
    finals = [results.metrics["pseudo_regret"][i, 0].mean(axis=0)[-1] for i in range(2)]
    assert reference.get_ydata()[-1] == pytest.approx(np.median(finals))


def test_rate_rejects_unknown_reference_and_draws_panels():
    results = make_results({"a": np.ones((2, 3, len(checkpoint_grid(HORIZON))))}, environments=("e1", "e2"))
    with pytest.raises(ValueError, match="references"):
        plot.rate(results, environment=0, references=("cube",))
    assert len(plot.rate(results)) == 2
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="environment="):
        plot.rate(results, ax=ax)


# --- sweeps --------------------------------------------------------------------------------------

ETAS = [0.01, 0.1, 1.0]
ENVIRONMENTS = [{"gap": g, "n_actions": k} for k in (2, 5) for g in (0.05, 0.1, 0.2)]


def sweep_results(seed=0):
    """EXP3 over an eta grid plus UCB1, on SCB(gap, n_actions) over a grid of both."""
    rng = np.random.default_rng(seed)
    learners = [f"EXP3(eta={eta:g})" for eta in ETAS] + ["UCB1()"]
    environments = [f"SCB(gap={p['gap']:g}, n_actions={p['n_actions']})" for p in ENVIRONMENTS]
    data = rng.gamma(5.0, 10.0, size=(len(learners), len(environments), 6, len(checkpoint_grid(HORIZON))))
    results = make_results(
        {name: data[i] for i, name in enumerate(learners)},
        environments=environments,
        learner_params=[{"eta": eta} for eta in ETAS] + [{}],
        environment_params=ENVIRONMENTS,
    )
    return results, data[..., -1].mean(axis=2)  # hand-computed final means (learner, env)


def test_sweep_table_over_learner_parameter_matches_hand_means():
    results, final_means = sweep_results()
    table = plot.sweep_table(results, "eta", where={"gap": 0.1, "n_actions": 5})
    assert table.index.name == "eta" and table.index.tolist() == ETAS
    assert table.columns.tolist() == ["EXP3()"]  # UCB1 has no eta: left out of the table
    np.testing.assert_allclose(table["EXP3()"].to_numpy(), final_means[:3, 4])


def test_sweep_table_over_environment_parameter_separates_other_parameters():
    results, final_means = sweep_results()
    table = plot.sweep_table(results, "gap", where={"learner": ["EXP3(eta=0.1)", "UCB1()"]})
    assert table.index.tolist() == [0.05, 0.1, 0.2]
    # n_actions also varies: one column per value, never averaged; eta (None for UCB1) is shown.
    expected = {
        "EXP3(), eta=0.1, n_actions=2": final_means[1, :3],
        "EXP3(), eta=0.1, n_actions=5": final_means[1, 3:],
        "UCB1(), n_actions=2": final_means[3, :3],
        "UCB1(), n_actions=5": final_means[3, 3:],
    }
    assert sorted(table.columns) == sorted(expected)
    for column, values in expected.items():
        np.testing.assert_allclose(table[column].to_numpy(), values)
    by_hue = plot.sweep_table(results, "gap", hue="n_actions", where={"learner": "UCB1()"})
    np.testing.assert_allclose(by_hue["n_actions=5"].to_numpy(), final_means[3, 3:])


def test_sweep_where_filter_and_errors():
    results, final_means = sweep_results()
    table = plot.sweep_table(results, "gap", where={"n_actions": 2, "learner": "UCB1()"})
    assert table.columns.tolist() == ["UCB1()"]
    np.testing.assert_allclose(table["UCB1()"].to_numpy(), final_means[3, :3])
    with pytest.raises(ValueError, match=r"one of \['eta', 'gap', 'n_actions'\]"):
        plot.sweep_table(results, "delta")
    with pytest.raises(ValueError, match=r"Unknown column 'size' in 'where'"):
        plot.sweep_table(results, "gap", where={"size": 3})
    with pytest.raises(ValueError, match=r"matches no row; gap takes \[0.05, 0.1, 0.2\]"):
        plot.sweep_table(results, "eta", where={"gap": 0.3})
    with pytest.raises(ValueError, match="'hue' parameter must be one of"):
        plot.sweep(results, "gap", hue="colour")
    with pytest.raises(ValueError, match="no swept parameters"):
        plot.sweep(known_rate_results(), "eta")


def test_sweep_plot_draws_error_bars_baselines_and_log_axis():
    results, final_means = sweep_results()
    ax = plot.sweep(results, "eta", where={"gap": 0.2, "n_actions": 2})
    (bars,) = ax.containers
    data_line = bars.lines[0]
    assert bars.get_label() == "EXP3()"
    np.testing.assert_allclose(data_line.get_xdata(), ETAS)
    np.testing.assert_allclose(data_line.get_ydata(), final_means[:3, 2])
    baseline = next(line for line in ax.get_lines() if line.get_label() == "UCB1() (no eta)")
    np.testing.assert_allclose(baseline.get_ydata(), final_means[3, 2])
    assert ax.get_xscale() == "log"  # automatic: 1 / 0.01 >= 20
    ends = np.concatenate(bars.lines[2][0].get_segments())[:, 1]  # error bar ends
    low, high = ax.get_ylim()  # autoscaled to the error bars despite the on-screen dodge
    assert low <= ends.min() and high >= ends.max()
    ax = plot.sweep(results, "gap", where={"n_actions": 5})
    assert ax.get_xscale() == "linear"  # 0.2 / 0.05 < 20
    assert len(ax.containers) == 4  # three EXP3 etas and UCB1, each its own line


# --- interval regret -----------------------------------------------------------------------------


def test_interval_plot_one_line_per_learner_at_the_lengths():
    n_c = len(checkpoint_grid(HORIZON))
    rng = np.random.default_rng(0)
    metrics = {
        f"interval_regret_{length}": np.sqrt(length) * rng.uniform(1, 2, size=(3, 1, 5, n_c))
        for length in (1000, 10, 100)
    }
    metrics["interval_regret_1000"][2] *= -1  # learner C: negative at L = 1000, left out of the log axis
    results = make_results({name: np.zeros((1, 5, n_c)) for name in "ABC"}, metrics=metrics)
    ax = plot.interval(results)
    lines = {bars.get_label(): bars.lines[0] for bars in ax.containers}
    assert sorted(lines) == ["A", "B", "C (≤ 0 at L=1000, not shown)"]
    assert np.isnan(lines["C (≤ 0 at L=1000, not shown)"].get_ydata()[-1])
    for i, name in enumerate(["A", "B"]):
        np.testing.assert_allclose(lines[name].get_xdata(), [10, 100, 1000])
        expected = [metrics[f"interval_regret_{n}"][i, 0, :, -1].mean() for n in (10, 100, 1000)]
        np.testing.assert_allclose(lines[name].get_ydata(), expected)
    assert any(line.get_label() == r"$c\sqrt{L}$" for line in ax.get_lines())
    assert ax.get_xscale() == ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="no 'interval_regret_<L>' metric"):
        plot.interval(known_rate_results())


# --- files ---------------------------------------------------------------------------------------


def test_save_all_writes_reproducible_png_and_pdf(tmp_path):
    with plt.style.context(plot.STYLE):
        ax = plot.rate(known_rate_results())
        paths = plot.save_all(ax.figure, tmp_path / "rate")
        first_pdf = paths[1].read_bytes()
        plot.save_all(ax.figure, tmp_path / "rate")
    assert [p.name for p in paths] == ["rate.png", "rate.pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[0].stat().st_size > 10_000
    assert first_pdf.startswith(b"%PDF") and len(first_pdf) > 5_000
    assert paths[1].read_bytes() == first_pdf
    with pytest.raises(ValueError, match="formats"):
        plot.save_all(ax.figure, tmp_path / "rate", formats=("jpg",))


# --- end to end ----------------------------------------------------------------------------------


def test_end_to_end_on_a_tiny_run():
    learners = [ol.learners.EXP3(eta=0.05), ol.learners.EXP3(eta=0.5), ol.learners.UCB1()]
    trackers = [ol.trackers.PseudoRegret(), ol.trackers.IntervalRegret(lengths=[10, 50])]
    results = ol.run(
        learners, BernoulliBandit(means=[0.2, 0.8]), horizon=200, n_reps=3, seed=1, trackers=trackers
    )
    slopes = plot.fitted_slopes(results)
    assert list(slopes) == results.learner_names and all(0 < s < 1.5 for s in slopes.values())
    ax = plot.rate(results)
    assert {f"{n} slope {s:.2f}" for n, s in slopes.items()} <= {line.get_label() for line in ax.get_lines()}
    ax = plot.interval(results)
    assert [bars.lines[0].get_xdata().tolist() for bars in ax.containers] == [[10, 50]] * 3
    with pytest.raises(ValueError, match="no swept parameters"):
        plot.sweep_table(results, "eta")
    results.learner_params = [{"eta": 0.05}, {"eta": 0.5}, {}]  # as ol.sweep records an eta grid
    table = plot.sweep_table(results, "eta")
    summary = results.summary("pseudo_regret")
    np.testing.assert_allclose(table["EXP3()"].to_numpy(), summary.final_mean[:2].to_numpy())
