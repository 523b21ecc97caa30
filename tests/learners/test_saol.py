import math
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments.adversarial import BestArmSwitching
from onlinelearn.environments.switch_tables import JunExperts
from onlinelearn.environments.volatile import VolatileBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, FeedbackKind
from onlinelearn.learners.exp3 import EXP3
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.intervals import awake_slots
from onlinelearn.learners.saol import SAOL
from onlinelearn.testing import check_learner
from onlinelearn.trackers.adaptive import MovingAverageLoss, StronglyAdaptiveRegret
from tests.conftest import QUICK
from tests.learners import expert_helpers
from tests.learners.expert_helpers import full, played_distributions
from tests.naive.adaptive import meta_run

experts_spec = partial(expert_helpers.experts_spec, horizon=64)


@pytest.mark.parametrize("params", SAOL._test_params)
def test_passes_the_common_checks(params):
    """On switching experts, or (bases that play points) the first compatible registered environment."""
    base = params.get("base")
    finite = base is None or FeedbackKind.FULL_INFORMATION in base.accepts
    environment = BestArmSwitching(n_actions=3, n_rounds=60, period=10, feedback="full") if finite else None
    check_learner(SAOL(**params), environment)


def test_bandit_variant_passes_the_common_checks():
    """SAOL over EXP3 with one query (the baseline of the StABL experiments)."""
    check_learner(SAOL(base=EXP3()), BestArmSwitching(n_actions=3, n_rounds=60, period=10))


def test_first_rounds_by_hand():
    """Geometric cover with 2 experts: round 1 has the run [1, 1]; round 2 the fresh runs [2, 2]
    and [2, 3]; round 3 the fresh run [3, 3] and [2, 3], which has seen l_2."""
    learner = SAOL()
    learner.reset(experts_spec(2), np.random.default_rng(0))
    u = np.random.default_rng(0).random(3)  # 0.637, 0.270, 0.041
    # Round 1: one run, uniform; w([1,1]) = eta = min(1/2, 1) = 1/2.
    assert learner.act() == int(u[0] >= 0.5)
    np.testing.assert_allclose(learner.state_.probabilities, [0.5, 0.5])
    assert learner.state_.log_weights[0] == pytest.approx(math.log(0.5))
    learner.update(full([1.0, 0.0]))  # r = <x, l> - <x^J, l> = 0: the weight stays 1/2
    assert learner.state_.log_weights[0] == pytest.approx(math.log(0.5))
    # Round 2: both runs fresh and uniform; w([2,3]) = min(1/2, 1 / sqrt(2)) = 1/2.
    assert learner.act() == int(u[1] >= 0.5)
    assert awake_slots(learner.state_, 2).tolist() == [0, 1]
    np.testing.assert_allclose(np.exp(learner.state_.log_weights[:2]), [0.5, 0.5])
    learner.update(full([1.0, 0.0]))
    # Round 3: run [2,3] has L = (1, 0) and Hedge rate sqrt(8 ln 2 / 2); run [3,3] is uniform.
    action = learner.act()
    eta = math.sqrt(8 * math.log(2) / 2)
    x_long = np.array([math.exp(-eta), 1.0]) / (1 + math.exp(-eta))
    expected = 0.5 * np.array([0.5, 0.5]) + 0.5 * x_long  # equal weights 1/2 and 1/2
    np.testing.assert_allclose(learner.state_.probabilities, expected, rtol=1e-14)
    assert action == int(u[2] >= expected[0])
    learner.update(full([0.0, 1.0]))
    # r_3([2,3]) = <x_3, l_3> - <x_long, l_3> = x_3[1] - x_long[1]; w *= 1 + r / 2.
    regret = expected[1] - x_long[1]
    assert regret < 0  # the run [2, 3] leaned on expert 1, which lost round 3
    assert learner.state_.log_weights[1] == pytest.approx(math.log(0.5) + math.log1p(regret / 2))


def test_matches_naive_reference():
    rng = np.random.default_rng(4)
    losses = rng.random((150, 4))
    losses[:50, 0] *= 0.2
    losses[50:, 2] *= 0.2
    learner = SAOL()
    actions, played = played_distributions(learner, losses, seed=8)
    base_eta = learner.state_.base_eta
    naive_actions, naive_played = meta_run(losses, np.random.default_rng(8), "saol", base_eta, len(base_eta))
    np.testing.assert_allclose(played, naive_played, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(actions, naive_actions)


def test_run_lengths_and_step_sizes_compose_with_the_base():
    learner = SAOL(base=Hedge(), schedule="streaming", lifetime_factor=3)
    learner.reset(experts_spec(5, horizon=100), np.random.default_rng(0))
    # floor(log2 100) + 1 = 7 levels, ceil(3 / 2) = 2 copies per level, lifetimes 3 * 2^k.
    assert learner.state_.base_losses.shape == (14, 5)
    np.testing.assert_array_equal(learner.run_lengths, 3 * 2 ** np.arange(7))
    np.testing.assert_allclose(learner.state_.base_eta, np.sqrt(8 * math.log(5) / learner.run_lengths))


# -- bad input ---------------------------------------------------------------------------------------


def test_refuses_a_base_that_does_not_accept_the_feedback():
    with pytest.raises(TypeError, match="SAOL's base learner Hedge.*BANDIT"):
        SAOL(base=Hedge()).reset(EnvSpec(FeedbackKind.BANDIT, n_actions=3, horizon=10))
    with pytest.raises(TypeError, match="EXP3.*FULL_INFORMATION"):
        SAOL(base=EXP3()).reset(experts_spec(3))


def test_refuses_unsupported_bases_and_bad_lengths():
    """Any learner with kernels is a valid base; one that cannot play here is refused at reset."""
    with pytest.raises(ValueError, match="'base' parameter of SAOL must be an instance of KernelLearner"):
        SAOL(base=object()).reset(experts_spec(3))
    with pytest.raises(TypeError, match=r"SAOL's base learner UCB1\(\) accepts .*BANDIT.*FULL_INFORMATION"):
        SAOL(base=ol.learners.UCB1()).reset(experts_spec(3))
    # Bandit feedback: only fixed-horizon EXP3 (the one-query baseline); composed runs need full losses.
    with pytest.raises(TypeError, match=r"composes runs of EXP3\(anytime=True\).*gives BANDIT"):
        SAOL(base=EXP3(anytime=True)).reset(EnvSpec(FeedbackKind.BANDIT, n_actions=3, horizon=10))
    for bad in (0, -2):
        with pytest.raises(
            ValueError, match=r"'lifetime_factor' parameter of SAOL must be an int in the range \[1"
        ):
            SAOL(schedule="streaming", lifetime_factor=bad).reset(experts_spec(3))
    with pytest.raises(ValueError, match="no horizon"):
        SAOL().reset(EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=3))


# -- bounds --------------------------------------------------------------------------------------------


def saol_bound(length, horizon, n_experts):
    """Daniely, Gonen, Shalev-Shwartz (ICML 2015), Theorem 1 with alpha = 1/2 and the Hedge copies'
    constant C = sqrt(ln N / 2) (Cesa-Bianchi & Lugosi Thm 2.2 at horizon |J|):
    R_I <= 4 / (sqrt 2 - 1) C sqrt|I| + 40 ln(s + 1) sqrt|I|, with s <= T (natural log: the smaller
    reading of the paper's log)."""
    c = math.sqrt(math.log(n_experts) / 2)
    return (4 / (math.sqrt(2) - 1) * c + 40 * math.log(horizon + 1)) * math.sqrt(length)


LENGTHS = (50, 200, 800)


@pytest.mark.parametrize(
    "environment",
    [
        BestArmSwitching(n_actions=8, n_rounds=2400, period=400, gap=0.6, feedback="full"),
        VolatileBandit(n_actions=8, period=400, feedback="full"),
    ],
    ids=["adversarial", "stochastic"],
)
def test_interval_regret_below_bound_and_far_below_hedge(environment):
    """Switching experts (best expert changes every 400 rounds), T = 2400: mean + 3 SE of the worst
    interval regret at every length <= the Theorem 1 bound (saol_bound), and, the meaningful part
    since that bound exceeds |I| at these sizes, at most 0.8 x Hedge's on every length >= 200
    (measured 0.52 adversarial, 0.70 stochastic at length 200)."""
    horizon = 2400
    n_reps = 10 if QUICK else 30
    tracker = StronglyAdaptiveRegret(LENGTHS)
    learners = [SAOL(), Hedge()]
    result = ol.run(learners, environment, horizon, n_reps, seed=2, trackers=[tracker], progress=False)
    for length in LENGTHS:
        finals = result.final(f"sa_regret_{length}")
        saol, hedge = finals[0, 0], finals[1, 0]
        upper = saol.mean() + 3 * saol.std(ddof=1) / math.sqrt(n_reps)
        assert upper <= saol_bound(length, horizon, 8)
        if length >= 200:
            assert saol.mean() <= 0.8 * hedge.mean(), (length, saol.mean(), hedge.mean())


def test_recovers_on_the_jun_et_al_instance():
    """Jun et al. (2017) expert instance: within each third the last 100 rounds' mean loss is close
    to the good expert's 1/8 (others: 1/2), for SAOL on data-streaming intervals (g = 2)."""
    environment = JunExperts(n_experts=200 if QUICK else 1000, n_rounds=600)
    learner = SAOL(schedule="streaming", lifetime_factor=2, warm_start=True)
    result = ol.run(
        learner,
        environment,
        600,
        10,
        seed=1,
        trackers=[MovingAverageLoss(100)],
        n_checkpoints=600,
        progress=False,
    )
    curve = result.metrics["moving_average_loss"][0, 0].mean(axis=0)
    for end in (200, 400, 600):
        index = int(np.searchsorted(result.checkpoints, end))
        assert curve[index] < 0.3, (end, curve[index])


# -- invariants --------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=1, max_size=40),
    st.sampled_from(["geometric", "streaming"]),
)
def test_distributions_stay_on_the_simplex(rows, schedule):
    learner = SAOL(schedule=schedule)
    learner.reset(experts_spec(3, horizon=40), np.random.default_rng(0))
    for row in rows:
        action = learner.act()
        state = learner.state_
        assert 0 <= action < 3
        assert np.all(state.probabilities >= 0) and abs(state.probabilities.sum() - 1) <= 1e-12
        meta = state.meta_probabilities
        assert np.all(meta >= 0) and abs(meta.sum() - 1) <= 1e-12
        t = int(state.scalars[0]) + 1
        asleep = np.setdiff1d(np.arange(len(meta)), awake_slots(state, t))
        assert np.all(meta[asleep] == 0)
        learner.update(full(row))
        assert np.all(np.isfinite(state.log_weights[awake_slots(state, t)]))
