import math

import numpy as np
import pytest
from onlinelearn.environments.switch_tables import JunExperts
from onlinelearn.environments.volatile import VolatileBandit

from onlinelearn.core import EnvSpec, Feedback, FeedbackKind
from onlinelearn.learners.fixed_share import AdaNormalHedge
from tests.conftest import QUICK


def full(row):
    return Feedback(FeedbackKind.FULL_INFORMATION, np.asarray(row, dtype=float))


def test_first_rounds_by_hand():
    """K = 2, T = 8, geometric runs of Hedge with eta_J = sqrt(8 ln 2 / |J|), prior
    pi_J ∝ 1 / (s^2 (1 + floor(log2 s))) for a run starting at s.  The learner's uniforms are
    default_rng(0).random(): 0.637, 0.270, 0.041, 0.017.

    Round 1: one run [1,1], uniform: x_1 = (1/2, 1/2), arm 1.  Losses (0, 1): r = 0.
    Round 2: runs [2,2] and [2,3] start uniform with equal priors: x_2 = (1/2, 1/2), arm 0; r = 0.
    Round 3: [3,3] restarts (prior 1 / 18), [2,3] has R = C = 0 (prior 1 / 8): equal potentials,
      so p_3 = (4/13, 9/13); x^[2,3] = softmax(-eta_2 (0, 1)); x_3 = 4/13 (1/2, 1/2) + 9/13 x^[2,3].
      Losses (1, 0): r([3,3]) = x_3,0 - 1/2, r([2,3]) = x_3,0 - x^[2,3]_0; R and C follow.
    Round 4: three runs start at 4 with equal priors and zero statistics: x_4 = (1/2, 1/2)."""
    learner = AdaNormalHedge()
    learner.reset(EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=2, horizon=8), np.random.default_rng(0))
    u = np.random.default_rng(0).random(4)
    state = learner.state_
    assert learner.act() == 1 == int(u[0] >= 0.5)
    np.testing.assert_allclose(state.probabilities, [0.5, 0.5])
    learner.update(full([0.0, 1.0]))
    assert learner.act() == 0 == int(u[1] >= 0.5)
    np.testing.assert_allclose(state.meta_probabilities[:2], [0.5, 0.5])
    learner.update(full([0.0, 1.0]))
    learner.act()
    np.testing.assert_allclose(state.meta_probabilities[:2], [4 / 13, 9 / 13], rtol=1e-14)
    run = 1 / (1 + math.exp(-math.sqrt(8 * math.log(2) / 2)))  # x^[2,3]_0
    x3 = 4 / 13 * 0.5 + 9 / 13 * run
    np.testing.assert_allclose(state.probabilities, [x3, 1 - x3], rtol=1e-14)
    learner.update(full([1.0, 0.0]))
    regrets = np.array([x3 - 0.5, x3 - run])
    np.testing.assert_allclose(state.meta_stats[:2, 0], regrets, rtol=1e-13)
    np.testing.assert_allclose(state.meta_stats[:2, 1], np.abs(regrets), rtol=1e-13)
    learner.act()
    np.testing.assert_allclose(state.meta_probabilities[:3], [1 / 3, 1 / 3, 1 / 3], rtol=1e-14)
    np.testing.assert_allclose(state.probabilities, [0.5, 0.5])


def prior_normaliser(horizon: int) -> float:
    """Sum of the unnormalised priors of every geometric run that starts in 1..T."""
    n_levels = math.floor(math.log2(horizon)) + 1
    return sum(
        sum(1 for k in range(n_levels) if s % 2**k == 0) / (s**2 * (1 + math.floor(math.log2(s))))
        for s in range(1, horizon + 1)
    )


HORIZON = 600


@pytest.mark.parametrize(
    "environment",
    [
        JunExperts(n_experts=20, n_rounds=HORIZON),
        VolatileBandit(n_actions=6, period=HORIZON, feedback="full"),
    ],
    ids=["adversarial", "stochastic"],
)
def test_regret_to_every_run_below_the_sleeping_expert_bound(environment):
    """Luo and Schapire (COLT 2015), Theorem 1 and its sleeping-experts form (section 5), as we
    recall it (not checked against the paper here): the regret to each expert i is at most
    sqrt(3 C_i ln(B / pi_i)) with B = 2 (1 + ln(1 + T)) at most, C_i the sum of |r_t(i)|.  Here the
    experts are the geometric runs, pi their normalised start-time prior, R and C kept by the
    learner over each run's awake rounds.  Checked after every round for every awake run with
    R > 0, on 5 seeds (2 in quick mode) of the Jun et al. table (N = 20, T = 600) and of a
    stationary Bernoulli instance (K = 6).  Measured: the largest ratio R / bound is 0.31."""
    normaliser = prior_normaliser(HORIZON)
    budget = 2 * (1 + math.log(1 + HORIZON))
    worst = 0.0
    for seed in range(2 if QUICK else 5):
        spec = environment.reset(seed=seed).with_horizon(HORIZON)
        learner = AdaNormalHedge()
        learner.reset(spec, np.random.default_rng(seed))
        state = learner.state_
        for _ in range(HORIZON):
            learner.update(environment.step(learner.act()))
            for slot in np.flatnonzero(state.awake):
                regret, absolute = state.meta_stats[slot, 0], state.meta_stats[slot, 1]
                if regret > 0:
                    prior = math.exp(state.log_weights[slot]) / normaliser
                    worst = max(worst, regret / math.sqrt(3 * absolute * math.log(budget / prior)))
    assert worst <= 1.0, worst
