import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind
from tests.conftest import QUICK
from tests.naive.ucb import ucb1_actions


def bandit_spec(n_actions, horizon=None):
    return EnvSpec(FeedbackKind.BANDIT, n_actions=n_actions, horizon=horizon)


def test_ucb1_first_rounds_by_hand():
    learner = ol.learners.UCB1(alpha=2.0)
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    # Round 1 and 2 play each arm once.
    assert learner.act() == 0
    learner.update(Feedback(FeedbackKind.BANDIT, np.array([0.0])))  # reward 1 on arm 0
    assert learner.act() == 1
    learner.update(Feedback(FeedbackKind.BANDIT, np.array([1.0])))  # reward 0 on arm 1
    # Round 3: t = 2, indices 1 + sqrt(2 ln 2) vs 0 + sqrt(2 ln 2) -> arm 0.
    assert learner.act() == 0
    learner.update(Feedback(FeedbackKind.BANDIT, np.array([1.0])))  # reward 0
    # Round 4: t = 3; arm 0: 1/2 + sqrt(2 ln 3 / 2) = 1.548, arm 1: 0 + sqrt(2 ln 3) = 1.482.
    assert learner.act() == 0


def test_ucb1_matches_naive_reference_on_a_fixed_table():
    rng = np.random.default_rng(3)
    losses = (rng.random((300, 4)) > np.array([0.2, 0.4, 0.6, 0.8])).astype(float)
    learner = ol.learners.UCB1()
    learner.reset(bandit_spec(4), np.random.default_rng(0))
    actions = []
    for t in range(300):
        action = learner.act()
        actions.append(action)
        learner.update(Feedback(FeedbackKind.BANDIT, np.array([losses[t, action]])))
    np.testing.assert_array_equal(actions, ucb1_actions(losses))


def ucb1_bound(gaps, horizon):
    """Auer et al. (2002), Theorem 1: sum 8 ln T / Delta + (1 + pi^2/3) sum Delta."""
    gaps = np.asarray(gaps)
    positive = gaps[gaps > 0]
    return np.sum(8 * np.log(horizon) / positive) + (1 + np.pi**2 / 3) * np.sum(gaps)


@pytest.mark.parametrize("learner", [ol.learners.UCB1(), ol.learners.KLUCB()])
def test_pseudo_regret_below_ucb1_bound(learner):
    environment = BernoulliBandit(means=np.linspace(0.1, 0.9, 10))
    horizon = 5_000 if QUICK else 20_000
    result = ol.run(learner, environment, horizon=horizon, n_reps=20, seed=1)
    final = result.final()[0, 0]
    mean, se = final.mean(), final.std(ddof=1) / np.sqrt(len(final))
    assert mean + 3 * se <= ucb1_bound(environment.gaps, horizon)
    # And it learns: far below the regret of uniform play, (mean gap) x T.
    assert mean < 0.2 * environment.gaps.mean() * horizon


def test_klucb_beats_ucb1_on_bernoulli():
    environment = BernoulliBandit(means=[0.05, 0.1, 0.15])
    result = ol.run([ol.learners.UCB1(), ol.learners.KLUCB()], environment, horizon=3000, n_reps=20, seed=2)
    final = result.final()[:, 0].mean(axis=1)
    assert final[1] < final[0]
