import numba
import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from onlinelearn.core import Feedback, FeedbackKind, PythonFiniteEnvironment

TRACKERS = [ol.trackers.PseudoRegret(), ol.trackers.StaticRegret()]


def run_small(**kwargs):
    return ol.run(
        [ol.learners.UCB1(), ol.learners.KLUCB()],
        [BernoulliBandit(means=[0.1, 0.5, 0.9]), BernoulliBandit(means=[0.4, 0.6])],
        horizon=400,
        n_reps=6,
        seed=11,
        trackers=TRACKERS,
        **kwargs,
    )


def assert_same(a, b):
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name])


def test_compiled_python_serial_and_threads_are_bit_identical():
    compiled = run_small()
    assert compiled.compiled.all()
    python = run_small(compiled=False)
    assert not python.compiled.any()
    assert_same(compiled, python)
    assert_same(compiled, run_small(backend="serial"))
    assert_same(compiled, run_small(n_jobs=1))
    assert_same(compiled, run_small(n_jobs=min(2, numba.config.NUMBA_NUM_THREADS)))


def test_same_seed_same_results_and_other_seed_differs():
    a = run_small()
    assert_same(a, run_small())
    b = ol.run(
        ol.learners.UCB1(),
        BernoulliBandit(means=[0.1, 0.5, 0.9]),
        horizon=400,
        n_reps=6,
        seed=12,
        trackers=TRACKERS,
    )
    assert not np.array_equal(a.metrics["regret"][0, 0], b.metrics["regret"][0, 0])


def test_common_random_numbers_across_learners():
    # The static-regret comparator depends only on the realisation: it must be equal for all
    # learners in a repetition, so regret minus own loss is learner independent.
    result = run_small()
    regret = result.metrics["regret"]
    pseudo = result.metrics["pseudo_regret"]
    assert regret.shape == pseudo.shape == (2, 2, 6, len(result.checkpoints))
    environment = BernoulliBandit(means=[0.1, 0.5, 0.9])
    spec_a = environment.reset(seed=np.random.default_rng(1))
    first = [environment.step(0).values[0] for _ in range(50)]
    environment.reset(seed=np.random.default_rng(1))
    second = [environment.step(2).values[0] for _ in range(50)]
    environment.reset(seed=np.random.default_rng(1))
    again = [environment.step(0).values[0] for _ in range(50)]
    assert spec_a.n_actions == 3
    assert first == again
    assert first != second


def test_run_does_not_modify_the_callers_objects():
    learner = ol.learners.UCB1()
    ol.run(learner, BernoulliBandit(), horizon=10, n_reps=1)
    assert not hasattr(learner, "state_")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"horizon": 0}, "'horizon' parameter of run"),
        ({"n_reps": 0}, "'n_reps' parameter of run"),
        ({"seed": -1}, "'seed' parameter"),
        ({"backend": "gpu"}, "'backend' parameter of run"),
    ],
)
def test_bad_run_arguments(kwargs, match):
    arguments = {"horizon": 10, "n_reps": 1, "seed": 0, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        ol.run(ol.learners.UCB1(), BernoulliBandit(), **arguments)


def test_bad_parameter_message_names_class_parameter_range_and_value():
    with pytest.raises(
        ValueError,
        match=r"The 'alpha' parameter of UCB1 must be a float in the "
        r"range \(0, inf\)\. Got -1\.0 instead\.",
    ):
        ol.run(ol.learners.UCB1(alpha=-1.0), BernoulliBandit(), horizon=10, n_reps=1)
    with pytest.raises(ValueError, match="'means' parameter of BernoulliBandit"):
        ol.run(ol.learners.UCB1(), BernoulliBandit(means=[0.5, 1.5]), horizon=10, n_reps=1)


class NaNEnvironment(PythonFiniteEnvironment):
    n_actions = 3

    def draw_losses(self, t, rng):
        losses = rng.random(3)
        if t == 7:
            losses[:] = np.nan
        return losses, np.full(3, 0.5)


def test_user_environment_runs_in_python_loop_and_nan_is_reported_at_its_round(capsys):
    with pytest.raises(ValueError, match="non-finite feedback .* at round 8"):
        ol.run(ol.learners.UCB1(), NaNEnvironment(), horizon=20, n_reps=1)
    assert "Python loop" in capsys.readouterr().err


class CoinEnvironment(PythonFiniteEnvironment):
    n_actions = 2

    def draw_losses(self, t, rng):
        losses = (rng.random(2) > np.array([0.3, 0.7])).astype(float)
        return losses, 1 - np.array([0.3, 0.7])


def test_user_environment_gives_finite_regret_and_python_learner_works():
    class AlwaysFirst:
        def reset(self, spec, rng):
            self.n = spec.n_actions

        def act(self):
            return 0

        def update(self, feedback):
            assert isinstance(feedback, Feedback) and feedback.kind == FeedbackKind.BANDIT

    result = ol.run([AlwaysFirst(), ol.learners.UCB1()], CoinEnvironment(), horizon=200, n_reps=3, quiet=True)
    final = result.final()[:, 0]
    np.testing.assert_allclose(final[0], 0.4 * 200)
    assert np.all(final[1] < final[0])
