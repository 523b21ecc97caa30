"""Kill a running experiment with a real signal, rerun it: nothing finished is recomputed and the
numbers equal those of an uninterrupted run."""

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import onlinelearn as ol

SCRIPT = textwrap.dedent("""
    import sys
    import onlinelearn as ol
    from onlinelearn.environments import BernoulliBandit

    def experiment(**options):
        return ol.run([ol.learners.UCB1(), ol.learners.EXP3()],
                      BernoulliBandit(means=[0.2, 0.4, 0.6, 0.8]), horizon=400_000, n_reps=12,
                      seed=5, chunk_size=1, backend="serial", progress=False, **options)

    if __name__ == "__main__":
        experiment(results_dir=sys.argv[1])
""")


def finished_chunks(folder):
    return sorted((folder / "chunks").glob("*.json")) if (folder / "chunks").exists() else []


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGINT])
def test_killed_experiment_resumes_without_recomputing(tmp_path, signal_number, monkeypatch):
    script = tmp_path / "experiment.py"
    script.write_text(SCRIPT)
    folder = tmp_path / "results"
    process = subprocess.Popen(
        [sys.executable, str(script), str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 300
    while len(finished_chunks(folder)) < 3 and process.poll() is None:
        assert time.monotonic() < deadline, "the experiment never finished a chunk"
        time.sleep(0.02)
    process.send_signal(signal_number)
    process.wait(timeout=60)
    assert process.returncode != 0, "the experiment ended before it could be interrupted"
    finished = finished_chunks(folder)
    stamps = {path.name: path.stat().st_mtime_ns for path in finished}
    assert 3 <= len(finished) < 24

    monkeypatch.syspath_prepend(str(tmp_path))
    from experiment import experiment

    resumed = experiment(results_dir=folder)
    assert resumed.n_chunks_loaded == len(finished)
    assert resumed.n_chunks_computed == 24 - len(finished)
    assert {path.name: path.stat().st_mtime_ns for path in finished} == stamps
    uninterrupted = experiment()
    np.testing.assert_array_equal(resumed.metrics["pseudo_regret"], uninterrupted.metrics["pseudo_regret"])
    np.testing.assert_array_equal(
        ol.load(folder).metrics["pseudo_regret"], uninterrupted.metrics["pseudo_regret"]
    )
    sys.modules.pop("experiment", None)
