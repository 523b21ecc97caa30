"""Backends, chunking, results directories and resume, grids and sweeps."""

import json
import os

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit, StochasticallyConstrainedBandit

import onlinelearn as ol
from onlinelearn.core import PythonFiniteEnvironment
from onlinelearn.sim.store import MANIFEST


class NoisyCoins(PythonFiniteEnvironment):
    """A user environment without kernels (runs in the Python loop, must pickle for workers)."""

    n_actions = 3

    def draw_losses(self, t, rng):
        means = np.array([0.3, 0.5, 0.6])
        return (rng.random(3) < means).astype(float), means


LEARNERS = [ol.learners.UCB1(), ol.learners.EXP3()]
ENVIRONMENTS = [BernoulliBandit(means=[0.2, 0.5, 0.8]), NoisyCoins()]


def run_small(**options):
    options = {"progress": False, "quiet": True, **options}
    return ol.run(LEARNERS, ENVIRONMENTS, horizon=300, n_reps=5, seed=7, **options)


@pytest.fixture(scope="module")
def reference():
    return run_small(backend="serial")


def assert_same(a, b):
    assert list(a.metrics) == list(b.metrics)
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name])


@pytest.mark.parametrize(
    "options",
    [
        {"backend": "numba"},
        {"backend": "numba", "chunk_size": 2, "n_jobs": 1},
        {"backend": "serial", "chunk_size": 1},
        {"backend": "loky", "n_jobs": 2, "chunk_size": 2},
        {"backend": "loky", "n_jobs": 1},
        {"backend": "numba", "compiled": False, "chunk_size": 3},
    ],
)
def test_every_backend_chunk_size_and_worker_count_gives_identical_numbers(reference, options):
    result = run_small(**options)
    assert_same(reference, result)
    # Default chunks: all repetitions of a pair in this process, a quarter of them for workers.
    default = 2 if options["backend"] == "loky" else 5
    assert result.n_chunks_computed == 2 * 2 * -(-5 // options.get("chunk_size", default))


def test_results_dir_resumes_without_recomputing_and_reloads(tmp_path, reference):
    folder = tmp_path / "results"
    first = run_small(results_dir=folder, chunk_size=2)
    assert (first.n_chunks_computed, first.n_chunks_loaded) == (12, 0)
    assert_same(reference, first)
    sidecars = sorted((folder / "chunks").glob("*.json"))
    assert len(sidecars) == 12
    stamps = [path.stat().st_mtime_ns for path in sidecars]
    manifest_stamp = (folder / MANIFEST).stat().st_mtime_ns
    again = run_small(results_dir=folder, chunk_size=2, backend="loky", n_jobs=2)
    assert (again.n_chunks_computed, again.n_chunks_loaded) == (0, 12)
    assert [path.stat().st_mtime_ns for path in sidecars] == stamps
    assert (folder / MANIFEST).stat().st_mtime_ns == manifest_stamp  # same experiment: untouched
    assert_same(reference, again)
    loaded = ol.load(folder)
    assert_same(reference, loaded)
    assert loaded.learner_names == first.learner_names
    assert loaded.environment_names == first.environment_names
    np.testing.assert_array_equal(loaded.checkpoints, first.checkpoints)
    np.testing.assert_allclose(loaded.seconds, first.seconds)
    assert loaded.summary()["final_mean"].tolist() == first.summary()["final_mean"].tolist()


def test_sidecar_records_chunk_seeds_and_versions(tmp_path):
    folder = tmp_path / "results"
    run_small(results_dir=folder, chunk_size=5)
    sidecar = json.loads((folder / "chunks" / "L001-E000-R0000-0005.json").read_text())
    assert sidecar["chunk"]["learner_name"] == "EXP3()"
    assert sidecar["chunk"]["repetitions"] == [0, 5]
    assert sidecar["seeds"]["seed"] == 7 and sidecar["seeds"]["learner_role"] == 2
    assert {"python", "numpy", "numba", "onlinelearn"} <= set(sidecar["versions"])
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["identity"]["learners"][1]["class"] == "onlinelearn.learners.exp3.EXP3"
    assert manifest["identity"]["environments"][1]["source"]  # a user class: its source hash


def test_missing_or_corrupt_chunks_are_recomputed(tmp_path, reference):
    folder = tmp_path / "results"
    run_small(results_dir=folder, chunk_size=2)
    chunks = folder / "chunks"
    (chunks / "L000-E000-R0002-0004.json").unlink()
    (chunks / "L001-E001-R0004-0005.npz").write_bytes(b"not an npz file")
    with pytest.raises(ValueError, match="2 of 12 chunks are missing"):
        ol.load(folder)
    resumed = run_small(results_dir=folder, chunk_size=2)
    assert resumed.n_chunks_computed == 2
    assert_same(reference, resumed)


@pytest.mark.parametrize(
    "change, differs",
    [
        ({"horizon": 301}, "horizon"),
        ({"seed": 8}, "seed"),
        ({"chunk_size": 3}, "chunk_size"),
        ({"learners": [ol.learners.UCB1(alpha=1.0), ol.learners.EXP3()]}, "learners[0].params.alpha"),
    ],
)
def test_results_dir_of_another_experiment_is_refused(tmp_path, change, differs):
    folder = tmp_path / "results"
    run_small(results_dir=folder, chunk_size=2)
    arguments = {
        "learners": LEARNERS,
        "environments": ENVIRONMENTS,
        "horizon": 300,
        "n_reps": 5,
        "seed": 7,
        "chunk_size": 2,
        "results_dir": folder,
        "progress": False,
        **change,
    }
    with pytest.raises(
        ValueError,
        match=rf"holds a different experiment \(differs in: .*"
        rf"{differs.replace('[', '.').replace(']', '.')}",
    ):
        ol.run(**arguments)


def test_results_dir_that_is_foreign_or_not_writable_is_refused_before_work(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="is not an onlinelearn results directory"):
        run_small(results_dir=foreign)
    blocked = tmp_path / "a_file"
    blocked.write_text("")
    with pytest.raises(ValueError, match="is not writable"):
        run_small(results_dir=blocked / "results")
    with pytest.raises(ValueError, match="no experiment.json"):
        ol.load(tmp_path)


def test_grid_expands_every_combination_with_names_and_params():
    points = ol.grid(StochasticallyConstrainedBandit, n_actions=[2, 5], gap=[0.1, 0.2], n_rounds=100)
    assert [p.params for p in points] == [
        {"n_actions": 2, "gap": 0.1},
        {"n_actions": 2, "gap": 0.2},
        {"n_actions": 5, "gap": 0.1},
        {"n_actions": 5, "gap": 0.2},
    ]
    assert points[3].name == "StochasticallyConstrainedBandit(n_actions=5, gap=0.2)"
    assert points[3].obj.gap == 0.2 and points[3].obj.n_rounds == 100
    numpy_values = ol.grid(ol.learners.EXP3, eta=np.array([0.1, 1.0]))
    assert [p.params["eta"] for p in numpy_values] == [0.1, 1.0]
    assert type(numpy_values[0].params["eta"]) is float


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: ol.grid(ol.learners.EXP3, eta=[]), ValueError, "grid values of 'eta'"),
        (lambda: ol.grid(ol.learners.EXP3, eta=0.1), ValueError, "at least one parameter"),
        (lambda: ol.grid("EXP3", eta=[0.1]), TypeError, "'factory' parameter of grid"),
        (lambda: ol.sweep(LEARNERS, ENVIRONMENTS, horizon=10), ValueError, "sweep needs grid points"),
        (lambda: run_small(n_jobs=0), ValueError, "'n_jobs' parameter of run"),
        (lambda: run_small(chunk_size=0), ValueError, "'chunk_size' parameter of run"),
        (lambda: run_small(progress="yes"), ValueError, "'progress' parameter of run"),
    ],
)
def test_bad_grid_and_run_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_sweep_summary_has_parameter_columns_and_common_random_numbers():
    result = ol.sweep(
        ol.grid(ol.learners.EXP3, eta=[0.05, 0.5]) + [ol.learners.UCB1()],
        ol.grid(lambda gap: BernoulliBandit(means=[0.5, 0.5 + gap]), gap=[0.1, 0.3]),
        horizon=200,
        n_reps=3,
        seed=0,
        trackers=[ol.trackers.StaticRegret()],
        progress=False,
    )
    summary = result.summary()
    assert summary.columns[:4].tolist() == ["learner", "env", "eta", "gap"]
    assert summary["eta"].tolist()[:4] == [0.05, 0.05, 0.5, 0.5]
    assert np.isnan(summary["eta"].iloc[4])
    assert summary["gap"].tolist() == [0.1, 0.3] * 3
    assert result.environment_names == ["<lambda>(gap=0.1)", "<lambda>(gap=0.3)"]


def test_common_random_numbers_in_a_sweep():
    # UCB1 is deterministic given the losses: two copies at different learner indices see the
    # same realisation, so their curves are equal; EXP3's own randomisation differs by index.
    twins = ol.sweep(
        ol.grid(ol.learners.UCB1, alpha=[2.0, 2.0]) + ol.grid(ol.learners.EXP3, eta=[0.05, 0.05]),
        StochasticallyConstrainedBandit(n_actions=3, n_rounds=300, gap=0.1),
        horizon=300,
        n_reps=3,
        seed=0,
        trackers=[ol.trackers.StaticRegret()],
        progress=False,
    )
    curves = twins.metrics["regret"][:, 0]
    assert twins.learner_names[1] == "UCB1(alpha=2.0) #2"
    np.testing.assert_array_equal(curves[0], curves[1])
    assert not np.array_equal(curves[2], curves[3])


def test_parameter_swept_on_both_sides_gets_prefixed_columns():
    result = ol.sweep(
        ol.grid(lambda n_actions: ol.learners.UCB1(), n_actions=[1]),
        ol.grid(lambda n_actions: BernoulliBandit(means=np.linspace(0.1, 0.9, n_actions)), n_actions=[2, 3]),
        horizon=20,
        n_reps=2,
        progress=False,
    )
    assert {"learner.n_actions", "env.n_actions"} <= set(result.summary().columns)


def test_progress_bar_is_shown_on_request_only(capsys):
    run_small(progress=True)
    assert "onlinelearn" in capsys.readouterr().err
    run_small(progress=False)
    assert capsys.readouterr().err == ""
    assert os.environ.get("ONLINELEARN_CACHE_DIR", "") is not None


def test_named_objects_show_their_labels_in_rows_legend_and_reloaded_results(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    ten_arms = BernoulliBandit(means=np.linspace(0.1, 0.9, 10))
    settings = {"horizon": 300, "n_reps": 5, "seed": 7, "progress": False, "quiet": True}
    learners = [ol.named(ol.learners.UCB1(), "UCB"), ol.learners.EXP3()]
    environments = [ol.named(ten_arms, "ten arms"), NoisyCoins()]
    result = ol.run(learners, environments, results_dir=tmp_path / "named", **settings)
    assert result.learner_names == ["UCB", "EXP3()"]
    assert result.environment_names == ["ten arms", "NoisyCoins"]
    assert result.summary()["env"].tolist()[:2] == ["ten arms", "NoisyCoins"]
    legend = result.plot(environment="ten arms").get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["UCB", "EXP3()"]
    assert ol.load(tmp_path / "named").learner_names == ["UCB", "EXP3()"]
    # Relabelling is not a new experiment: nothing is recomputed, and the folder takes the names.
    relabelled_run = ol.run(
        [ol.named(ol.learners.UCB1(), "UCB1, alpha 2"), ol.learners.EXP3()],
        environments,
        results_dir=tmp_path / "named",
        **settings,
    )
    assert relabelled_run.n_chunks_computed == 0
    assert ol.load(tmp_path / "named").learner_names == ["UCB1, alpha 2", "EXP3()"]
    # A label changes nothing else: same numbers as the unnamed objects.
    plain = ol.run([ol.learners.UCB1(), ol.learners.EXP3()], [ten_arms, NoisyCoins()], **settings)
    np.testing.assert_array_equal(result.final(), plain.final())
    relabelled = ol.named(ol.grid(ol.learners.EXP3, eta=[0.1])[0], "EXP3 slow")
    assert relabelled.name == "EXP3 slow" and relabelled.params == {"eta": 0.1}
    with pytest.raises(TypeError, match="'name' parameter of named must be a non-empty str"):
        ol.named(ol.learners.UCB1(), "")
