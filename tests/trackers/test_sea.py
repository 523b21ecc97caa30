"""The SEA tracker: pseudo-regret and the SEA statistics from the oracle record."""

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit, QuadraticLosses
from onlinelearn.environments.sea import SEAQuadraticLosses

import onlinelearn as ol
from onlinelearn.core.oracle import BEST_FIXED_CUMULATIVE_EXPECTED, EXPECTED_LOSS, OracleRecord
from onlinelearn.testing import check_tracker
from onlinelearn.trackers.sea import ADVERSARIAL_VARIATION, STOCHASTIC_VARIANCE, SEARegret


def test_common_checks():
    check_tracker(SEARegret(), SEAQuadraticLosses(regime="switches", period=3))


def test_values_by_hand():
    tracker = SEARegret()
    spec = SEAQuadraticLosses().reset(seed=0)
    tracker.reset(spec, 3)
    rows = [(2.0, 1.5, 0.25, 4.0), (1.0, 2.0, 0.25, 0.0), (3.0, 4.5, 0.5, 1.0)]
    for expected, comparator, sigma2, variation in rows:
        record = np.zeros(spec.record_size)
        record[EXPECTED_LOSS] = expected
        record[BEST_FIXED_CUMULATIVE_EXPECTED] = comparator
        record[STOCHASTIC_VARIANCE] = sigma2
        record[ADVERSARIAL_VARIATION] = variation
        tracker.record(OracleRecord(record))
    # regret 6 - 4.5; sigma^2_{1:3} = 1; Sigma^2_{1:3} = 5; maxima 0.5 and 4.
    np.testing.assert_allclose(tracker.values(), [1.5, 1.0, 5.0, 0.5, 4.0])


def test_pseudo_regret_equals_the_generic_tracker():
    environment = SEAQuadraticLosses(dimension=3, regime="drift", drift=0.05)
    results = [
        ol.run(ol.learners.OGD(), environment, 300, n_reps=3, seed=1, trackers=[tracker], progress=False)
        for tracker in [SEARegret(), ol.trackers.PseudoRegret()]
    ]
    np.testing.assert_array_equal(results[0].metrics["pseudo_regret"], results[1].metrics["pseudo_regret"])
    np.testing.assert_allclose(results[0].final("stochastic_variance")[0, 0], np.full(3, 300 * 0.25))


@pytest.mark.parametrize("environment", [QuadraticLosses(), BernoulliBandit()])
def test_refuses_environments_without_the_sea_slots(environment):
    with pytest.raises(ValueError, match="SEARegret needs an SEA environment"):
        SEARegret().reset(environment.reset(seed=0), 10)
