"""TOML experiment files (onlinelearn.config) and the ``run`` / ``plot`` / ``list`` commands."""

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from onlinelearn.environments import BernoulliBandit, PiecewiseStationaryBandit

import onlinelearn
from onlinelearn.cli import main
from onlinelearn.config import ConfigError, ExperimentConfig, load_config
from onlinelearn.learners import EXP3, EXP3IX, UCB1
from onlinelearn.sim.sweep import GridPoint
from onlinelearn.trackers import IntervalRegret, PseudoRegret

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

VALID = """
horizon = 500
n_reps = 4
seed = 7
backend = "serial"
n_jobs = 2
chunk_size = 2
results_dir = "out/exp"
n_checkpoints = 50
trackers = ["PseudoRegret", { name = "IntervalRegret", lengths = [10, 100] }]

[[learners]]
name = "EXP3IX"
gamma = 0.05
[learners.grid]
eta = [0.01, 0.1, 1.0]

[[learners]]
name = "UCB1"
alpha = 3.0

[[environments]]
name = "BernoulliBandit"
means = [0.2, 0.8]
"""

#: The smallest valid experiment; error cases below change one thing in it.
BASE = """
horizon = 100
[[learners]]
name = "EXP3"
[learners.grid]
eta = [0.1, 1.0]
[[learners]]
name = "UCB1"
[[environments]]
name = "BernoulliBandit"
means = [0.2, 0.8]
"""

LEARNER_NAMES = "UCB1, KLUCB, EXP3, EXP3IX, TsallisINF"
ENVIRONMENT_NAMES = "AdversarialBandit, RandomAdversarialBandit"
TRACKER_NAMES = "DynamicRegret, IntervalRegret, PseudoRegret, StaticRegret"


def write(tmp_path, text, name="experiment.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(tmp_path, text) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    return message


# Each case: TOML text, the key path the message must name, fragments naming the allowed values.
ERROR_CASES = {
    "unknown top-level key": ("horizn = 5\n" + BASE, "horizn", ["horizon, n_reps, seed, backend"]),
    "unknown learner": (
        BASE.replace('"UCB1"', '"UCB2"'),
        "learners[1].name",
        ["unknown learner 'UCB2'", "Did you mean 'UCB1'?", LEARNER_NAMES],
    ),
    "empty label": (
        BASE.replace('name = "UCB1"', 'name = "UCB1"\nlabel = ""'),
        "learners[1].label",
        ["must be a non-empty string"],
    ),
    "learner name not a string": (
        BASE.replace('name = "UCB1"', "name = 1"),
        "learners[1].name",
        [LEARNER_NAMES],
    ),
    "learner without name": (
        BASE.replace('name = "UCB1"', "alpha = 1.0"),
        "learners[1].name",
        ["missing", LEARNER_NAMES],
    ),
    "unknown environment": (
        BASE.replace('"BernoulliBandit"', '"Bernoulli"'),
        "environments[0].name",
        ["unknown environment 'Bernoulli'", ENVIRONMENT_NAMES],
    ),
    "unknown tracker": (
        'trackers = ["PseudoRegret", "Regret"]\n' + BASE,
        "trackers[1]",
        ["unknown tracker 'Regret'", TRACKER_NAMES],
    ),
    "horizon is a string": (
        BASE.replace("horizon = 100", 'horizon = "10"'),
        "horizon",
        ["must be an int >= 1", "got '10' (str)"],
    ),
    "horizon is a float": (
        BASE.replace("horizon = 100", "horizon = 10.0"),
        "horizon",
        ["must be an int >= 1", "got 10.0 (float)"],
    ),
    "n_reps zero": ("n_reps = 0\n" + BASE, "n_reps", ["must be an int >= 1"]),
    "negative seed": ("seed = -1\n" + BASE, "seed", ["must be an int >= 0"]),
    "bool chunk_size": ("chunk_size = true\n" + BASE, "chunk_size", ["must be an int >= 1"]),
    "unknown backend": (
        'backend = "gpu"\n' + BASE,
        "backend",
        ["'auto', 'numba', 'serial', 'loky', 'dask'", "got 'gpu'"],
    ),
    "results_dir not a string": ("results_dir = 3\n" + BASE, "results_dir", ["path string"]),
    "empty grid values": (
        BASE.replace("eta = [0.1, 1.0]", "eta = []"),
        "learners[0].grid.eta",
        ["non-empty array of values"],
    ),
    "grid value not an array": (
        BASE.replace("eta = [0.1, 1.0]", "eta = 0.1"),
        "learners[0].grid.eta",
        ["non-empty array of values", "got 0.1"],
    ),
    "empty grid table": (
        BASE.replace("eta = [0.1, 1.0]", ""),
        "learners[0].grid",
        ["is empty", "parameter = [values]"],
    ),
    "grid key also fixed": (
        BASE.replace('name = "EXP3"', 'name = "EXP3"\neta = 0.5'),
        "learners[0].grid.eta",
        ["also set as a fixed parameter (learners[0].eta)"],
    ),
    "unknown parameter": (
        BASE.replace('name = "UCB1"', 'name = "UCB1"\nbeta = 1.0'),
        "learners[1].beta",
        ["UCB1 has no parameter 'beta'", "its parameters are alpha", "UCB1(alpha=2.0)"],
    ),
    "unknown grid parameter": (
        BASE.replace("eta = [", "etaa = ["),
        "learners[0].grid.etaa",
        ["EXP3 has no parameter 'etaa'", "its parameters are eta, anytime"],
    ),
    "unknown environment parameter": (
        BASE.replace("means = ", "mean = "),
        "environments[0].mean",
        ["its parameters are means, feedback"],
    ),
    "tracker without parameters": (
        'trackers = [{ name = "PseudoRegret", window = 5 }]\n' + BASE,
        "trackers[0].window",
        ["it takes no parameters", "PseudoRegret()"],
    ),
    "invalid learner value": (
        BASE.replace('name = "UCB1"', 'name = "UCB1"\nalpha = -1.0'),
        "learners[1].alpha",
        ["must be a float in the range (0, inf)", "Got -1.0"],
    ),
    "invalid grid value": (
        BASE.replace("eta = [0.1, 1.0]", "eta = [0.1, -1.0]"),
        "learners[0].grid.eta",
        ["must be a float in the range (0, inf) or None", "Got -1.0"],
    ),
    "wrongly typed value": (
        BASE.replace('name = "UCB1"', 'name = "UCB1"\nalpha = "2"'),
        "learners[1].alpha",
        ["must be a float in the range (0, inf)", "Got '2'"],
    ),
    "invalid option": (
        BASE.replace("means = [0.2, 0.8]", 'means = [0.2, 0.8]\nfeedback = "semi"'),
        "environments[0].feedback",
        ["one of 'bandit', 'full'"],
    ),
    "invalid environment value": (
        BASE.replace("[0.2, 0.8]", "[0.2, 1.5]"),
        "environments[0].means",
        ["entries in [0, 1]"],
    ),
    "invalid tracker value": (
        'trackers = [{ name = "IntervalRegret", lengths = [] }]\n' + BASE,
        "trackers[0].lengths",
        ["non-empty sequence of distinct ints"],
    ),
    "repeated metric": (
        'trackers = ["PseudoRegret", "PseudoRegret"]\n' + BASE,
        "trackers",
        ["the same metric pseudo_regret"],
    ),
    "learner cannot play the environment": (
        BASE.replace('name = "UCB1"', 'name = "OGD"'),
        "learners[1]",
        ["OGD() on environments[0] (BernoulliBandit(means=[0.2, 0.8]))", "accepts feedback of kind GRADIENT"],
    ),
    "cross-parameter check at reset": (
        BASE.replace(
            'name = "BernoulliBandit"\nmeans = [0.2, 0.8]',
            'name = "PiecewiseStationaryBandit"\nmeans = [[0.2, 0.8], [0.8, 0.2]]\nchange_points = [10, 20]',
        ),
        "environments[0]",
        ["change_points"],
    ),
    "missing horizon": (
        BASE.replace("horizon = 100", ""),
        "horizon",
        ["missing", "required keys: horizon, learners, environments"],
    ),
    "missing learners": (
        "horizon = 10\n[[environments]]\nname = 'BernoulliBandit'\n",
        "learners",
        ["missing", "required keys: horizon, learners, environments"],
    ),
    "missing environments": (
        "horizon = 10\n[[learners]]\nname = 'UCB1'\n",
        "environments",
        ["missing", "required keys"],
    ),
    "empty learners": (
        "horizon = 10\nlearners = []\n[[environments]]\nname = 'BernoulliBandit'\n",
        "learners",
        ["must not be empty"],
    ),
    "learners not tables": (
        "horizon = 10\nlearners = ['UCB1']\n[[environments]]\nname = 'BernoulliBandit'\n",
        "learners",
        ["must be an array of [[learners]] tables, each with a 'name' key"],
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_config_errors_name_file_key_and_allowed_values(tmp_path, case):
    text, key, fragments = ERROR_CASES[case]
    message = error_of(tmp_path, text)
    assert f": {key}: " in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_unreadable_and_malformed_files_name_the_file(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError, match=re.escape(f"{missing}: cannot read the file")):
        load_config(missing)
    message = error_of(tmp_path, "horizon = = 3\n")
    assert "not valid TOML" in message and "line 1" in message


def test_valid_config_builds_the_expected_objects(tmp_path):
    config = load_config(write(tmp_path, VALID))
    assert isinstance(config, ExperimentConfig)
    assert (config.horizon, config.n_reps, config.seed, config.n_checkpoints) == (500, 4, 7, 50)
    assert (config.backend, config.n_jobs, config.chunk_size) == ("serial", 2, 2)
    assert config.results_dir == tmp_path / "out" / "exp"  # relative to the TOML file's folder
    points, baseline = config.learners[:3], config.learners[3]
    assert all(isinstance(point, GridPoint) and type(point.obj) is EXP3IX for point in points)
    assert [point.params for point in points] == [{"eta": 0.01}, {"eta": 0.1}, {"eta": 1.0}]
    assert [(point.obj.eta, point.obj.gamma) for point in points] == [(0.01, 0.05), (0.1, 0.05), (1.0, 0.05)]
    assert [point.name for point in points] == ["EXP3IX(eta=0.01)", "EXP3IX(eta=0.1)", "EXP3IX(eta=1.0)"]
    assert type(baseline) is UCB1 and baseline.alpha == 3.0
    (environment,) = config.environments
    assert type(environment) is BernoulliBandit and list(environment.means) == [0.2, 0.8]
    assert [type(t) for t in config.trackers] == [PseudoRegret, IntervalRegret]
    assert list(config.trackers[1].lengths) == [10, 100]
    kwargs = config.run_kwargs()
    assert kwargs["results_dir"] == str(tmp_path / "out" / "exp") and kwargs["horizon"] == 500


def test_labels_name_plain_items_and_prefix_grid_points(tmp_path):
    text = BASE.replace('name = "EXP3"', 'name = "EXP3"\nlabel = "exp3"')
    text = text.replace('name = "UCB1"', 'name = "UCB1"\nlabel = "UCB, default"')
    text = text.replace('name = "BernoulliBandit"', 'name = "BernoulliBandit"\nlabel = "two coins"')
    config = load_config(write(tmp_path, text))
    assert [point.name for point in config.learners] == ["exp3(eta=0.1)", "exp3(eta=1.0)", "UCB, default"]
    assert [point.params for point in config.learners] == [{"eta": 0.1}, {"eta": 1.0}, {}]
    assert type(config.learners[2].obj) is UCB1
    results = onlinelearn.run(config.learners, config.environments, horizon=20, n_reps=2, quiet=True)
    assert results.environment_names == ["two coins"]
    assert results.learner_names == ["exp3(eta=0.1)", "exp3(eta=1.0)", "UCB, default"]


def test_defaults_grid_of_environments_and_quick_copy(tmp_path):
    text = BASE.replace("means = [0.2, 0.8]", "[environments.grid]\nmeans = [[0.2, 0.8], [0.4, 0.6]]")
    config = load_config(write(tmp_path, text))
    assert (config.n_reps, config.seed, config.backend, config.trackers, config.results_dir) == (
        100,
        0,
        "auto",
        None,
        None,
    )
    assert [point.params for point in config.environments] == [{"means": [0.2, 0.8]}, {"means": [0.4, 0.6]}]
    assert [type(point.obj) for point in config.learners[:2]] == [EXP3, EXP3]
    big = ExperimentConfig(
        path=Path("x.toml"), learners=[], environments=[], horizon=250_000, n_reps=50, results_dir=Path("r")
    )
    assert (big.quick().horizon, big.quick().n_reps, big.quick().results_dir) == (2500, 5, None)
    small = ExperimentConfig(path=Path("x.toml"), learners=[], environments=[], horizon=60, n_reps=3)
    assert (small.quick().horizon, small.quick().n_reps) == (60, 3)


def test_shipped_examples_and_readme_format_parse(tmp_path):
    config = load_config(EXAMPLES / "bandits.toml")
    names = [item.name for item in config.learners]
    assert names == ["EXP3(eta=0.01)", "EXP3(eta=0.1)", "EXP3(eta=1.0)", "UCB1()", "TsallisINF()"]
    assert [type(e).__name__ for e in config.environments] == [
        "BernoulliBandit",
        "StochasticallyConstrainedBandit",
    ]
    block = re.search(r"```toml\n(.*?)```", (EXAMPLES / "README.md").read_text(), re.S).group(1)
    readme_config = load_config(write(tmp_path, block))
    assert readme_config.horizon >= 1 and readme_config.learners


def test_list_shows_parameters_with_defaults(capsys):
    assert main(["list"]) == 0
    printed = capsys.readouterr().out
    assert "EXP3(eta=None, anytime=False)" in printed
    assert "IntervalRegret(lengths=(100, 1000))" in printed
    assert "PseudoRegret()" in printed and "kwargs" not in printed


def test_run_command_reports_config_errors_in_one_line(tmp_path, capsys, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the simulation must not start")

    monkeypatch.setattr(onlinelearn, "run", never)
    path = write(tmp_path, BASE.replace("[0.2, 0.8]", "[0.2, 1.5]"))
    assert main(["run", str(path), "--no-progress"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"onlinelearn: error: {path}: environments[0].means: ")
    assert "Traceback" not in captured.err and captured.out == ""
    assert not list(tmp_path.glob("*.png"))


TINY = """
horizon = 200
n_reps = 3
backend = "serial"
trackers = ["PseudoRegret", "StaticRegret"]
[[learners]]
name = "EXP3"
[learners.grid]
eta = [0.1, 1.0]
[[learners]]
name = "UCB1"
[[environments]]
name = "BernoulliBandit"
means = [0.2, 0.8]
"""


def test_run_quick_end_to_end_writes_the_plots(tmp_path, capsys):
    path = write(tmp_path, TINY, "tiny.toml")
    assert main(["run", str(path), "--quick", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "pseudo_regret at T=100" in printed  # quick: min(200, max(200 // 100, 100))
    rows = [
        line.split()
        for line in printed.splitlines()
        if line.split()[:1] in (["UCB1()"], ["EXP3(eta=0.1)"], ["EXP3(eta=1.0)"])
    ]
    assert [row[0] for row in rows] == ["EXP3(eta=0.1)", "EXP3(eta=1.0)", "UCB1()"]
    assert [row[-5] for row in rows] == ["0.1", "1.0", "-"]  # the swept eta column
    assert all(row[-2] == "3" for row in rows)  # n_reps
    assert "other metrics: regret" in printed
    for png in (tmp_path / "tiny_quick.png", tmp_path / "tiny_quick_sweep.png"):
        assert png.stat().st_size > 20_000 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plt.close("all")


def test_run_with_results_dir_then_plot_reloads_the_same_numbers(tmp_path, capsys):
    path = write(tmp_path, 'results_dir = "results/tiny"\n' + TINY, "tiny.toml")
    assert main(["run", str(path), "--no-progress"]) == 0
    run_table = capsys.readouterr().out.split("\n\n")[0]
    assert (tmp_path / "results" / "tiny.png").stat().st_size > 20_000  # default: beside results_dir
    out = tmp_path / "plots" / "again.png"
    assert main(["plot", str(tmp_path / "results" / "tiny"), "--out", str(out)]) == 0
    plot_table = capsys.readouterr().out.split("\n\n")[0].split("(other metrics")[0]
    assert plot_table.strip() and plot_table.strip() in run_table
    assert out.stat().st_size > 20_000 and (tmp_path / "plots" / "again_sweep.png").exists()
    assert main(["plot", str(tmp_path / "results" / "tiny"), "--metric", "regret", "--out", str(out)]) == 0
    assert "regret at T=200" in capsys.readouterr().out
    assert main(["plot", str(tmp_path / "results" / "tiny"), "--metric", "nope"]) == 2
    assert "available metrics: pseudo_regret, regret" in capsys.readouterr().err
    path.write_text(path.read_text().replace("n_reps = 3", "n_reps = 4"))  # another experiment
    assert main(["run", str(path), "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"onlinelearn: error: {path}: ") and "holds a different experiment" in error
    plt.close("all")


def test_plot_command_rejects_a_missing_directory(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "nothing")]) == 2
    assert "no such results directory" in capsys.readouterr().err


def test_piecewise_environment_builds_from_nested_arrays(tmp_path):
    text = BASE.replace(
        'name = "BernoulliBandit"\nmeans = [0.2, 0.8]',
        'name = "PiecewiseStationaryBandit"\nmeans = [[0.2, 0.8], [0.8, 0.2]]\nchange_points = [50]',
    )
    (environment,) = load_config(write(tmp_path, text)).environments
    assert isinstance(environment, PiecewiseStationaryBandit) and list(environment.change_points) == [50]
