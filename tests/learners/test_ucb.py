import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind
from onlinelearn.learners.ucb import kl_upper_bound
from tests.conftest import QUICK
from tests.naive.ucb import bernoulli_kl, kl_upper_bound_bisection, klucb_actions, ucb1_actions


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


def play_table(learner, losses):
    """Actions of ``learner`` (Python face) on the fixed loss table ``losses[t, a]``."""
    learner.reset(bandit_spec(losses.shape[1]), np.random.default_rng(0))
    actions = []
    for t in range(losses.shape[0]):
        action = learner.act()
        actions.append(action)
        learner.update(Feedback(FeedbackKind.BANDIT, np.array([losses[t, action]])))
    return np.array(actions)


def bernoulli_table(seed, horizon=300):
    rng = np.random.default_rng(seed)
    return (rng.random((horizon, 4)) > np.array([0.2, 0.4, 0.6, 0.8])).astype(float)


def test_ucb1_matches_naive_reference_on_a_fixed_table():
    losses = bernoulli_table(3)
    np.testing.assert_array_equal(play_table(ol.learners.UCB1(), losses), ucb1_actions(losses))


# -- KL-UCB ----------------------------------------------------------------------------------------


def test_klucb_first_rounds_by_hand():
    """Two arms, c = 0: index ``max{q : n KL(mean, q) <= ln t}``, ``t`` the rounds played."""
    learner = ol.learners.KLUCB()
    learner.reset(bandit_spec(2), np.random.default_rng(0))

    def play(expected_action, loss):
        assert learner.act() == expected_action
        learner.update(Feedback(FeedbackKind.BANDIT, np.array([loss])))

    def index(arm):  # the kernel's index of ``arm`` in the current state
        state = learner.state_
        budget = math.log(state.scalars[0])
        return kl_upper_bound(state.reward_sums[arm] / state.pulls[arm], budget / state.pulls[arm], 1e-10)

    play(0, 0.0)  # round 1: arm 0 unplayed; reward 1
    play(1, 1.0)  # round 2: arm 1 unplayed; reward 0
    # Round 3, t = 2: arm 0 has mean 1, so index 1; arm 1 has mean 0 and KL(0, q) = -ln(1 - q) <= ln 2
    # gives q = 1/2.
    assert index(0) == 1.0
    assert index(1) == pytest.approx(0.5, rel=1e-9)
    play(0, 1.0)
    # Round 4, t = 3: arm 0 (mean 1/2, n = 2): KL(1/2, q) = -ln 2 - ln(q (1 - q)) / 2 <= ln(3) / 2
    # gives q (1 - q) = 1/12, q = (1 + sqrt(2/3)) / 2 = 0.9082; arm 1: q = 1 - 1/3.
    assert index(0) == pytest.approx((1 + math.sqrt(2 / 3)) / 2, rel=1e-9)
    assert index(1) == pytest.approx(2 / 3, rel=1e-9)
    play(0, 1.0)
    # Round 5, t = 4: arm 1's index is 1 - 1/4 = 3/4; arm 0 (mean 1/3, n = 3) is above it, since
    # KL(1/3, 3/4) = ln(4/9)/3 + 2 ln(8/3)/3 = 0.3836 < ln(4)/3 = 0.4621.
    assert index(1) == pytest.approx(3 / 4, rel=1e-9)
    assert bernoulli_kl(1 / 3, 3 / 4) == pytest.approx(math.log(4 / 9) / 3 + 2 * math.log(8 / 3) / 3)
    assert index(0) > 3 / 4
    play(0, 1.0)
    # Round 6, t = 5: arm 1's index is 4/5; arm 0 (mean 1/4, n = 4) falls below it, since
    # KL(1/4, 4/5) = ln(5/16)/4 + 3 ln(15/4)/4 = 0.7005 > ln(5)/4 = 0.4024: arm 1 is played again.
    assert index(1) == pytest.approx(4 / 5, rel=1e-9)
    assert bernoulli_kl(1 / 4, 4 / 5) == pytest.approx(math.log(5 / 16) / 4 + 3 * math.log(15 / 4) / 4)
    assert 1 / 4 < index(0) < 4 / 5
    play(1, 0.0)


def test_klucb_exploration_term_c():
    # The same history as above with c = 3 explores arm 1 a round earlier.  Round 5, t = 4: the
    # budget is ln 4 + 3 ln ln 4 = 2.366, so arm 1's index is 1 - exp(-2.366) = 1 - 1 / (4 ln(4)^3)
    # = 0.9062, and arm 0 (mean 1/3, n = 3, level 0.789) falls below it: KL(1/3, 0.9062) = 0.974.
    learner = ol.learners.KLUCB(c=3.0)
    learner.reset(bandit_spec(2), np.random.default_rng(0))
    for action, loss in [(0, 0.0), (1, 1.0), (0, 1.0), (0, 1.0)]:
        assert learner.act() == action
        learner.update(Feedback(FeedbackKind.BANDIT, np.array([loss])))
    budget = math.log(4) + 3 * math.log(math.log(4))
    arm_1 = 1 - 1 / (4 * math.log(4) ** 3)
    assert kl_upper_bound(0.0, budget, 1e-10) == pytest.approx(arm_1, rel=1e-9)
    assert bernoulli_kl(1 / 3, arm_1) > budget / 3
    assert learner.act() == 1


@pytest.mark.parametrize("c", [0.0, 3.0])
@pytest.mark.parametrize("seed", [3, 4])
def test_klucb_matches_naive_reference_on_a_fixed_table(c, seed):
    losses = bernoulli_table(seed)
    np.testing.assert_array_equal(play_table(ol.learners.KLUCB(c=c), losses), klucb_actions(losses, c))


TOLERANCE = 1e-10


@settings(max_examples=300, deadline=None)
@given(
    mean=st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 1e-12, 1 - 1e-12])),
    level=st.one_of(st.just(0.0), st.floats(1e-12, 30), st.floats(1e-12, 1e-3)),
    tolerance=st.sampled_from([TOLERANCE, 1e-6]),
)
def test_kl_upper_bound_matches_bisection(mean, level, tolerance):
    """``kl_upper_bound`` stops Newton's method in ``z = -ln(1 - q)`` within ``tolerance``; since
    ``dq = (1 - q) dz`` and ``dKL/dz = (q - mean) / q <= 1``, both ``q`` and ``KL(mean, q)`` are
    within ``tolerance`` of the exact values, up to the rounding of ``q`` to a double (spacing
    1.1e-16 near 1, which moves ``ln(1 - q)``, hence KL, by up to 1.1e-16 / (1 - q)).  Levels start
    at 1e-12, the accuracy domain stated in the kernel's docstring."""
    q = kl_upper_bound(mean, level, tolerance)
    exact = kl_upper_bound_bisection(mean, level)
    assert mean <= q <= 1.0
    assert abs(q - exact) <= tolerance + 1e-15
    if q < 1.0:
        assert bernoulli_kl(mean, q) <= level + tolerance + 2.3e-16 / (1.0 - q)
    if level == 0.0 or mean == 1.0:
        assert q == mean  # nothing above the mean is within KL distance 0


def test_kl_upper_bound_closed_forms():
    # mean 0: KL(0, q) = -ln(1 - q), so q = 1 - exp(-level); mean 1/2: q (1 - q) = exp(-2 (level + ln 2)).
    for level in (1e-8, 0.1, 1.0, 5.0, 30.0):
        assert kl_upper_bound(0.0, level, TOLERANCE) == pytest.approx(
            -math.expm1(-level), abs=1e-15, rel=1e-10
        )
        product = math.exp(-2 * (level + math.log(2)))
        expected = (1 + math.sqrt(1 - 4 * product)) / 2
        assert kl_upper_bound(0.5, level, TOLERANCE) == pytest.approx(expected, rel=1e-10)
    # Below the accuracy domain (level < 1e-12) the result stays just above the mean: the exact
    # value is mean + sqrt(2 level mean (1 - mean)) + O(level).
    for mean in (0.0, 1e-9, 0.3, 0.5, 1 - 1e-9):
        assert mean <= kl_upper_bound(mean, 1e-40, TOLERANCE) <= mean + 1e-7


# -- invariants of both index policies ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n_actions=st.integers(2, 6),
    horizon=st.integers(1, 40),
    learner=st.sampled_from(
        [ol.learners.UCB1(), ol.learners.UCB1(alpha=0.5), ol.learners.KLUCB(), ol.learners.KLUCB(c=3.0)]
    ),
)
def test_index_policy_invariants(data, n_actions, horizon, learner):
    """Any loss sequence in [0, 1]: each arm once in order first, then the arm of largest (finite)
    index, first on ties; pull counts sum to the rounds played; actions in range."""
    losses = data.draw(st.lists(st.floats(0, 1), min_size=horizon, max_size=horizon))
    learner.reset(bandit_spec(n_actions), np.random.default_rng(0))
    is_ucb1 = isinstance(learner, ol.learners.UCB1)
    for t, loss in enumerate(losses):
        state = learner.state_
        action = learner.act()
        assert isinstance(action, int | np.integer) and 0 <= action < n_actions
        if t < n_actions:
            assert action == t  # initialisation: every arm once, in order
        else:
            assert np.all(state.pulls >= 1)
            means = state.reward_sums / state.pulls
            if is_ucb1:
                index = means + np.sqrt(learner.alpha * np.log(t) / state.pulls)
            else:
                budget = np.log(t) + learner.c * np.log(max(np.log(t), 1.0))
                levels = budget / state.pulls
                index = np.array(
                    [kl_upper_bound(m, level, 1e-10) for m, level in zip(means, levels, strict=True)]
                )
                assert np.all((means <= index) & (index <= 1.0))
            assert np.all(np.isfinite(index))
            assert action == int(np.argmax(index))
        learner.update(Feedback(FeedbackKind.BANDIT, np.array([loss])))
        assert state.pulls.sum() == t + 1 == state.scalars[0]
        assert np.all((state.reward_sums >= 0) & (state.reward_sums <= state.pulls))


def ucb1_bound(gaps, horizon):
    """Auer et al. (2002), Theorem 1: sum 8 ln T / Delta + (1 + pi^2/3) sum Delta."""
    gaps = np.asarray(gaps)
    positive = gaps[gaps > 0]
    return np.sum(8 * np.log(horizon) / positive) + (1 + np.pi**2 / 3) * np.sum(gaps)


@pytest.mark.parametrize("learner", [ol.learners.UCB1(), ol.learners.KLUCB()])
def test_pseudo_regret_below_ucb1_bound(learner):
    """UCB1 (alpha = 2): Auer et al. (2002), Theorem 1.  KL-UCB with c = 0: no theorem gives this
    bound (see KLUCB's docstring); it serves as an empirical yardstick."""
    environment = BernoulliBandit(means=np.linspace(0.1, 0.9, 10))
    horizon = 5_000 if QUICK else 20_000
    result = ol.run(learner, environment, horizon=horizon, n_reps=20, seed=1)
    final = result.final()[0, 0]
    mean, se = final.mean(), final.std(ddof=1) / np.sqrt(len(final))
    assert mean + 3 * se <= ucb1_bound(environment.gaps, horizon)
    # And it learns: far below the regret of uniform play, (mean gap) x T.
    assert mean < 0.2 * environment.gaps.mean() * horizon


def klucb_budget(t, c):
    """The library's exploration budget after ``t`` rounds: ``ln t + c ln max(ln t, 1)``."""
    return np.log(t) + c * np.log(np.maximum(np.log(t), 1.0))


def klucb_bound(means, horizon, c=3.0):
    """Lattimore & Szepesvári (Bandit Algorithms, 2020), Theorem 10.6, for the library's budget::

        E[R_T] <= sum_a Delta_a (1 + min_{eps1, eps2 > 0, eps1 + eps2 < Delta_a}
                  [ b(T) / KL(mu_a + eps1, mu* - eps2) + 1 / (2 eps1^2) + 2 / eps2^2 ])

    The theorem is proved for the budget ``ln f(t)``, ``f(t) = 1 + t ln^2 t`` at round ``t``; its
    proof uses the budget twice: a larger one at every round where an index is compared only
    raises the best arm's index (the time it spends below ``mu* - eps2`` is a property of that
    arm's reward sequence, bounded by ``2 / eps2^2``), and the suboptimal arm's pulls are counted
    with the largest budget used, ``b(T)`` instead of ``ln f(T)``.  The ``1 +`` is the arm's first
    pull, forced before any index is compared.  The minimum is taken on a grid.
    """
    means = np.asarray(means, dtype=float)
    best = means.max()
    budget = klucb_budget(horizon, c)
    fractions = np.linspace(0.0, 1.0, 201)[1:-1]
    total = 0.0
    for mean in means[means < best]:
        gap = best - mean
        candidates = [
            budget / bernoulli_kl(mean + x * gap, best - y * gap)
            + 1 / (2 * (x * gap) ** 2)
            + 2 / (y * gap) ** 2
            for x in fractions
            for y in fractions
            if x + y <= 0.995
        ]
        total += gap * (1 + min(candidates))
    return total


def test_klucb_pseudo_regret_below_lattimore_szepesvari_bound():
    means = [0.1, 0.3, 0.5, 0.7, 0.9]
    horizon = 5_000 if QUICK else 20_000
    # Premise of klucb_bound: with c = 3 the budget after t rounds is at least ln f(t + 1) from
    # t = 5 on (not at t = 4), and with K = 5 arms no index is compared before (checked up to T).
    t = np.arange(len(means), horizon, dtype=float)
    assert np.all(klucb_budget(t, 3.0) >= np.log1p((t + 1) * np.log(t + 1) ** 2))
    assert klucb_budget(4.0, 3.0) < np.log1p(5 * np.log(5) ** 2)
    result = ol.run(
        ol.learners.KLUCB(c=3.0), BernoulliBandit(means=means), horizon=horizon, n_reps=20, seed=5
    )
    final = result.final()[0, 0]
    mean, se = final.mean(), final.std(ddof=1) / np.sqrt(len(final))
    assert mean + 3 * se <= klucb_bound(means, horizon)


def test_klucb_beats_ucb1_on_bernoulli():
    environment = BernoulliBandit(means=[0.05, 0.1, 0.15])
    result = ol.run([ol.learners.UCB1(), ol.learners.KLUCB()], environment, horizon=3000, n_reps=20, seed=2)
    final = result.final()[:, 0].mean(axis=1)
    assert final[1] < final[0]
