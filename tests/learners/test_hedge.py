import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import AdversarialBandit, BernoulliBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind
from tests.conftest import QUICK
from tests.learners.expert_helpers import experts_spec, full
from tests.naive.hedge import hedge_actions, hedge_probabilities


def test_hedge_first_rounds_by_hand():
    learner = ol.learners.Hedge(eta=np.log(2.0))
    learner.reset(experts_spec(2), np.random.default_rng(5))
    uniforms = np.random.default_rng(5).random(3)
    # Round 1: L = (0, 0) -> p = (1/2, 1/2).
    np.testing.assert_allclose(learner.probabilities, [0.5, 0.5])
    assert learner.act() == int(uniforms[0] >= 0.5)
    learner.update(full([1.0, 0.0]))
    # Round 2: L = (1, 0), exp(-ln 2) = 1/2 -> p = (1/3, 2/3).
    np.testing.assert_allclose(learner.probabilities, [1 / 3, 2 / 3], rtol=1e-15)
    assert learner.act() == int(uniforms[1] >= 1 / 3)
    learner.update(full([0.0, 1.0]))
    # Round 3: L = (1, 1) -> uniform again.
    np.testing.assert_allclose(learner.probabilities, [0.5, 0.5], rtol=1e-15)
    assert learner.act() == int(uniforms[2] >= 0.5)


def test_default_and_anytime_learning_rates():
    spec = experts_spec(4, horizon=100)
    assert ol.learners.Hedge().learning_rate(spec) == pytest.approx(np.sqrt(8 * np.log(4) / 100))
    assert ol.learners.Hedge(anytime=True).learning_rate(spec) == pytest.approx(np.sqrt(8 * np.log(4)))
    learner = ol.learners.Hedge(anytime=True)
    learner.reset(experts_spec(2), np.random.default_rng(0))  # no horizon needed
    learner.act()
    learner.update(full([1.0, 0.0]))
    eta_2 = np.sqrt(8 * np.log(2) / 2)
    np.testing.assert_allclose(learner.probabilities, np.array([np.exp(-eta_2), 1]) / (1 + np.exp(-eta_2)))


@pytest.mark.parametrize("anytime", [False, True])
def test_matches_naive_reference_on_a_fixed_table(anytime):
    losses = np.random.default_rng(3).random((200, 5))
    eta = 0.3 if not anytime else 1.5
    learner = ol.learners.Hedge(eta=eta, anytime=anytime)
    learner.reset(experts_spec(5), np.random.default_rng(9))
    probabilities, actions = [], []
    for row in losses:
        probabilities.append(learner.probabilities)
        actions.append(learner.act())
        learner.update(full(row))
    np.testing.assert_allclose(probabilities, hedge_probabilities(losses, eta, anytime), rtol=1e-12)
    np.testing.assert_array_equal(actions, hedge_actions(losses, eta, np.random.default_rng(9), anytime))


def mean_plus_3se(result, metric):
    final = result.final(metric)[0, 0]
    return final.mean() + 3 * final.std(ddof=1) / np.sqrt(len(final))


def switching_table(horizon, n):
    """Expert 0 is best in the first half, expert 1 in the second; the rest are uniform noise."""
    rng = np.random.default_rng(0)
    table = rng.random((horizon, n))
    half = horizon // 2
    table[:half, 0] *= 0.6
    table[half:, 1] *= 0.6
    return table


@pytest.mark.parametrize("anytime", [False, True])
def test_regret_below_bound_adversarial_and_stochastic(anytime):
    horizon, n = (1000, 8) if QUICK else (4000, 8)
    bound = np.sqrt(horizon * np.log(n) / 2)
    if anytime:
        bound = 2 * bound + np.sqrt(np.log(n) / 8)
    learner = ol.learners.Hedge(anytime=anytime)
    adversarial = AdversarialBandit(switching_table(horizon, n), feedback="full")
    result = ol.run(learner, adversarial, horizon, n_reps=20, seed=4, trackers=[ol.trackers.StaticRegret()])
    assert mean_plus_3se(result, "regret") <= bound
    stochastic = BernoulliBandit(means=np.linspace(0.3, 0.7, n), feedback="full")
    result = ol.run(
        learner,
        stochastic,
        horizon,
        n_reps=20,
        seed=5,
        trackers=[ol.trackers.PseudoRegret(), ol.trackers.StaticRegret()],
    )
    assert mean_plus_3se(result, "pseudo_regret") <= bound
    assert mean_plus_3se(result, "regret") <= bound
    # It learns: far below the linear regret of uniform play (mean gap 0.2 per round).
    assert result.final("pseudo_regret")[0, 0].mean() < 0.2 * 0.2 * horizon


def test_survives_ten_million_rounds_in_log_space():
    # Expert 0 loses 1 every round: L_0 = 1e7, far beyond exp underflow without log space.
    horizon = 10_000_000
    table = np.array([[1.0, 0.0, 0.5]])
    result = ol.run(
        ol.learners.Hedge(eta=1.0),
        AdversarialBandit(table, feedback="full"),
        horizon,
        n_reps=1,
        seed=0,
        trackers=[ol.trackers.StaticRegret()],
    )
    final = result.final("regret")[0, 0, 0]
    assert np.isfinite(final) and 0 <= final < 10
    learner = ol.learners.Hedge(eta=1.0)
    learner.reset(experts_spec(3), np.random.default_rng(0))
    learner.act()
    learner.update(full([1e10, 0.0, 1e10 + 1]))
    p = learner.probabilities
    assert np.all(np.isfinite(p)) and p[1] == 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.floats(0, 1e6), min_size=4, max_size=4), min_size=1, max_size=30),
    st.floats(1e-6, 1e3),
)
def test_probabilities_stay_on_the_simplex(rows, eta):
    learner = ol.learners.Hedge(eta=eta)
    learner.reset(experts_spec(4, loss_range=(0.0, 1e6)), np.random.default_rng(0))
    for row in rows:
        p = learner.probabilities
        assert np.all(p >= 0) and abs(p.sum() - 1) <= 1e-12
        assert 0 <= learner.act() < 4
        learner.update(full(row))


def test_compiled_and_python_loops_are_bit_identical():
    environment = BernoulliBandit(means=[0.2, 0.5, 0.6], feedback="full")
    kwargs = {
        "horizon": 300,
        "n_reps": 3,
        "seed": 2,
        "trackers": [ol.trackers.StaticRegret(), ol.trackers.PseudoRegret()],
    }
    for learner in [ol.learners.Hedge(), ol.learners.Hedge(anytime=True)]:
        compiled = ol.run(learner, environment, **kwargs)
        python = ol.run(learner, environment, compiled=False, **kwargs)
        assert compiled.compiled.all() and not python.compiled.any()
        for name in compiled.metrics:
            np.testing.assert_array_equal(compiled.metrics[name], python.metrics[name])


@pytest.mark.parametrize("eta", [0.0, -1.0])
def test_bad_eta(eta):
    with pytest.raises(
        ValueError,
        match=r"The 'eta' parameter of Hedge must be a float in the range "
        r"\(0, inf\) or None\. Got",
    ):
        ol.learners.Hedge(eta=eta).reset(experts_spec(2, horizon=10))


def test_fixed_horizon_tuning_needs_a_horizon_and_a_bounded_range():
    with pytest.raises(ValueError, match="'eta' from the horizon"):
        ol.learners.Hedge().reset(experts_spec(2))
    with pytest.raises(ValueError, match="loss_range"):
        ol.learners.Hedge().reset(experts_spec(2, horizon=10, loss_range=(-np.inf, np.inf)))
    with pytest.raises(TypeError, match="accepts feedback of kind FULL_INFORMATION"):
        ol.learners.Hedge().reset(EnvSpec(FeedbackKind.BANDIT, n_actions=2, horizon=10))
