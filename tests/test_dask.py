"""The Dask backend on a real ``distributed.LocalCluster``: bit-identical to the serial backend."""

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol

distributed = pytest.importorskip("distributed")

LEARNERS = [ol.learners.UCB1(), ol.learners.ThompsonSampling()]
ENVIRONMENTS = [BernoulliBandit(means=[0.3, 0.6]), BernoulliBandit(means=[0.1, 0.5, 0.9])]


def run_small(**options):
    return ol.run(LEARNERS, ENVIRONMENTS, horizon=500, n_reps=6, seed=2, progress=False, **options)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_dask_on_a_local_cluster_equals_serial_bit_for_bit(client, tmp_path):
    serial = run_small(backend="serial")
    on_cluster = run_small(backend="dask", chunk_size=1)
    assert on_cluster.n_chunks_computed == 24
    np.testing.assert_array_equal(serial.metrics["pseudo_regret"], on_cluster.metrics["pseudo_regret"])
    stored = run_small(backend="dask", chunk_size=4, results_dir=tmp_path / "results")
    np.testing.assert_array_equal(serial.metrics["pseudo_regret"], stored.metrics["pseudo_regret"])
    resumed = run_small(backend="serial", chunk_size=4, results_dir=tmp_path / "results")
    assert resumed.n_chunks_computed == 0
    assert len(client.scheduler_info()["workers"]) == 2
