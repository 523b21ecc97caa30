"""StaticRegret and PseudoRegret against a brute-force computation from the actions and losses.

Brute force, with ``a_t`` the action played and ``l_t`` the realised loss vector of round ``t``:

* static regret ``R_t = sum_{s<=t} l_s(a_s) - min_a sum_{s<=t} l_s(a)``;
* pseudo-regret ``R̄_t = sum_{s<=t} E l_s(a_s) - min_a sum_{s<=t} E l_s(a)``, for a stationary
  bandit with mean rewards ``mu`` also ``sum_a Delta_a n_a(t)`` (``Delta_a = max mu - mu_a``).

The runner's curves are compared at its checkpoint grid and at the horizon (the final values).
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import AdversarialBandit, BernoulliBandit

import onlinelearn as ol
from onlinelearn.core.seeding import ENVIRONMENT_ROLE, generator, learner_role
from tests.naive.ucb import ucb1_actions

#: The trackers of tests/test_runner.py, in the same order, so that the compiled runners are shared.
TRACKERS = [ol.trackers.PseudoRegret(), ol.trackers.StaticRegret()]


def static_regret_curve(losses, actions):
    """``R_t`` for t = 1..T from the ``(T, K)`` realised losses and the actions played."""
    rounds = np.arange(len(actions))
    return np.cumsum(losses[rounds, actions]) - np.cumsum(losses, axis=0).min(axis=1)


def pseudo_regret_curve(expected_losses, actions):
    """``R̄_t`` for t = 1..T from the ``(T, K)`` expected losses and the actions played."""
    return static_regret_curve(expected_losses, actions)


def at_checkpoints(curve, result):
    return curve[result.checkpoints - 1]


def replay(learner, environment, horizon, seed, repetition):
    """Actions and feedback of one repetition of ``ol.run(learner, environment, seed=seed)``, played
    again through the Python faces with the same seeded streams."""
    spec = environment.reset(seed=generator(seed, 0, repetition, ENVIRONMENT_ROLE)).with_horizon(horizon)
    learner.reset(spec, generator(seed, 0, repetition, learner_role(0)))
    actions, feedbacks = [], []
    for _ in range(horizon):
        action = learner.act()
        feedback = environment.step(action)
        learner.update(feedback)
        actions.append(action)
        feedbacks.append(feedback.values.copy())
    return np.array(actions), np.array(feedbacks)


def test_static_and_pseudo_regret_of_ucb1_on_a_loss_table():
    horizon = 300
    table = np.random.default_rng(5).random((horizon, 4)) * np.array([1.0, 0.9, 0.8, 0.95])
    expected = static_regret_curve(table, ucb1_actions(table))
    assert expected[-1] > 1.0  # not a degenerate instance where regret stays near 0
    for compiled in (None, False):
        result = ol.run(
            ol.learners.UCB1(),
            AdversarialBandit(table),
            horizon=horizon,
            n_reps=2,
            seed=3,
            trackers=TRACKERS,
            n_checkpoints=40,
            compiled=compiled,
        )
        assert result.checkpoints[-1] == horizon and len(result.checkpoints) < horizon
        for name in ("regret", "pseudo_regret"):  # realised = expected on a fixed table
            curves = result.metrics[name][0, 0]
            for curve in curves:  # UCB1 is deterministic: every repetition plays alike
                np.testing.assert_allclose(curve, at_checkpoints(expected, result), rtol=0, atol=1e-9)
            np.testing.assert_allclose(result.final(name)[0, 0], expected[-1], rtol=0, atol=1e-9)


def test_static_and_pseudo_regret_of_hedge_on_a_stochastic_experts_problem():
    # Full information shows every arm's realised loss, so both regrets can be recomputed.
    means = np.array([0.3, 0.5, 0.6, 0.8])
    horizon, n_reps, seed = 400, 3, 9
    environment = BernoulliBandit(means=means, feedback="full")
    result = ol.run(
        ol.learners.Hedge(), environment, horizon=horizon, n_reps=n_reps, seed=seed, trackers=TRACKERS
    )
    expected_losses = np.tile(1.0 - means, (horizon, 1))
    for repetition in range(n_reps):
        actions, losses = replay(ol.learners.Hedge(), environment, horizon, seed, repetition)
        static = static_regret_curve(losses, actions)
        pseudo = pseudo_regret_curve(expected_losses, actions)
        assert not np.allclose(static, pseudo)  # the two trackers measure different things here
        np.testing.assert_allclose(
            result.metrics["regret"][0, 0, repetition], at_checkpoints(static, result), rtol=0, atol=1e-9
        )
        np.testing.assert_allclose(
            result.metrics["pseudo_regret"][0, 0, repetition], at_checkpoints(pseudo, result), atol=1e-9
        )
        assert result.final("regret")[0, 0, repetition] == static[-1]
        np.testing.assert_allclose(result.final("pseudo_regret")[0, 0, repetition], pseudo[-1], atol=1e-9)


def test_pseudo_regret_of_ucb1_on_a_stochastic_bandit_is_sum_of_gaps_times_pulls():
    means = np.array([0.2, 0.45, 0.5, 0.7])
    gaps = means.max() - means
    horizon, n_reps, seed = 500, 3, 4
    environment = BernoulliBandit(means=means)
    result = ol.run(
        ol.learners.UCB1(), environment, horizon=horizon, n_reps=n_reps, seed=seed, trackers=TRACKERS
    )
    for repetition in range(n_reps):
        actions, _ = replay(ol.learners.UCB1(), environment, horizon, seed, repetition)
        pseudo = np.cumsum(gaps[actions])
        np.testing.assert_allclose(
            result.metrics["pseudo_regret"][0, 0, repetition], at_checkpoints(pseudo, result), atol=1e-9
        )
        pulls = np.bincount(actions, minlength=len(means))
        np.testing.assert_allclose(result.final("pseudo_regret")[0, 0, repetition], gaps @ pulls, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n_actions=st.integers(2, 4), horizon=st.integers(1, 30))
def test_property_every_round_on_random_tables(data, n_actions, horizon):
    rows = st.lists(st.floats(0, 1), min_size=n_actions, max_size=n_actions)
    table = np.array(data.draw(st.lists(rows, min_size=horizon, max_size=horizon)))
    actions = np.array(data.draw(st.lists(st.integers(0, n_actions - 1), min_size=horizon, max_size=horizon)))
    environment = AdversarialBandit(table)
    spec = environment.reset(seed=0)
    static, pseudo = ol.trackers.StaticRegret(), ol.trackers.PseudoRegret()
    static.reset(spec, horizon)
    pseudo.reset(spec, horizon)
    curves = []
    for action in actions:
        environment.step(int(action))
        static.record(environment.oracle())
        pseudo.record(environment.oracle())
        curves.append([static.values()[0], pseudo.values()[0]])
    expected = static_regret_curve(table, actions)
    np.testing.assert_allclose(np.array(curves), np.column_stack([expected, expected]), rtol=0, atol=1e-9)


def test_state_does_not_grow_with_the_horizon():
    spec = AdversarialBandit().reset(seed=0)
    for tracker in TRACKERS:
        small, large = tracker.init_state(spec, 10), tracker.init_state(spec, 10**9)
        assert sum(x.nbytes for x in small) == sum(x.nbytes for x in large) <= 64
