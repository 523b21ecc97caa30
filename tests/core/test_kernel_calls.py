"""The Python path's bound kernel calls: same draws, same results, safe fallbacks."""

import pickle

import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit, QuadraticLosses

import onlinelearn as ol
from onlinelearn.core import kernel_calls
from onlinelearn.core.kernel_calls import KernelCall, generator_from_words, generator_words
from onlinelearn.core.numba_options import kernel
from onlinelearn.learners.exp3 import Exp3State, exp3_act


@kernel
def _draw(words, n):
    rng = generator_from_words(words)
    out = np.empty(n)
    for i in range(n):
        out[i] = rng.random()
    return out


def test_generator_rebuilt_from_words_draws_the_same_stream_and_advances_it():
    ours, theirs = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(_draw(generator_words(ours), 5), theirs.random(5))
    assert ours.random() == theirs.random()  # the Python object's state moved on too


@pytest.fixture
def bind_at_once(monkeypatch):
    monkeypatch.setattr(kernel_calls, "WARMUP_CALLS", 0)


def _state():
    return Exp3State(np.zeros(4), np.full(4, 0.25), np.zeros(1), 0.5, 0.0, False)


def test_bound_call_draws_what_the_dispatcher_draws(bind_at_once):
    call = KernelCall(exp3_act, rng_position=1)
    rng, reference_rng = np.random.default_rng(3), np.random.default_rng(3)
    state, reference_state = _state(), _state()
    for _ in range(50):
        assert call(state, rng) == exp3_act(reference_state, reference_rng)
    assert call.bound is not None


def test_other_argument_types_go_through_the_dispatcher(bind_at_once):
    call = KernelCall(exp3_act, rng_position=1)
    rng, reference_rng = np.random.default_rng(0), np.random.default_rng(0)
    for _ in range(2):
        assert call(_state(), rng) == exp3_act(_state(), reference_rng)
    bound = call.bound
    assert bound is not None

    def float32_state():  # another dtype: the bound entry point would unbox it wrongly
        return Exp3State(np.arange(4, dtype=np.float32), np.full(4, 0.25), np.zeros(1), 0.5, 0.0, False)

    assert call(float32_state(), rng) == exp3_act(float32_state(), reference_rng)
    assert call.bound is bound  # still bound for the usual types


@pytest.mark.parametrize(
    "learner, environment",
    [
        (ol.learners.EXP3(), BernoulliBandit(means=[0.2, 0.5, 0.7])),
        (ol.learners.ThompsonSampling(), BernoulliBandit(means=[0.2, 0.5, 0.7])),
        (ol.learners.OGD(), QuadraticLosses(dimension=3)),
    ],
    ids=["exp3", "thompson", "ogd"],
)
def test_python_loop_with_bound_calls_equals_the_compiled_runner(bind_at_once, learner, environment):
    trackers = [ol.trackers.PseudoRegret(), ol.trackers.StaticRegret()]
    options = dict(horizon=300, n_reps=3, seed=5, trackers=trackers, progress=False)
    compiled = ol.run(learner, environment, **options)
    python = ol.run(learner, environment, compiled=False, **options)
    assert compiled.compiled.all() and not python.compiled.any()
    for name in compiled.metrics:
        np.testing.assert_array_equal(compiled.metrics[name], python.metrics[name])


def test_objects_with_bound_calls_pickle_and_keep_stepping(bind_at_once):
    environment = BernoulliBandit(means=[0.2, 0.8])
    learner = ol.learners.EXP3(eta=0.1)
    learner.reset(environment.reset(seed=1), np.random.default_rng(2))
    for _ in range(5):
        learner.update(environment.step(learner.act()))
    copy = pickle.loads(pickle.dumps(learner))
    assert copy.act() == learner.act()
