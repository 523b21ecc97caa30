"""Thompson sampling: play the arm whose mean drawn from its posterior is the largest.

Rewards are ``r = 1 - loss``.  Both learners draw one posterior sample per arm per round from the
learner's own Generator, in arm order, and play the first arm with the largest sample.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval


class PosteriorState(NamedTuple):
    pulls: np.ndarray  # n_a: number of times each arm was played
    reward_sums: np.ndarray  # S_a: sum of the rewards of arm a
    prior: np.ndarray  # Beta: [alpha_0, beta_0]; Gaussian: [sigma]


@kernel
def beta_thompson_act(state, rng):
    """``theta_a ~ Beta(alpha_0 + S_a, beta_0 + n_a - S_a)`` as ``G1 / (G1 + G2)``; ``argmax_a theta_a``."""
    best = 0
    best_sample = -np.inf
    for a in range(state.pulls.shape[0]):
        successes = state.prior[0] + state.reward_sums[a]
        failures = state.prior[1] + state.pulls[a] - state.reward_sums[a]
        g1 = rng.standard_gamma(successes)
        g2 = rng.standard_gamma(failures)
        sample = g1 / (g1 + g2)
        if sample > best_sample:
            best_sample = sample
            best = a
    return best


@kernel
def gaussian_thompson_act(state, rng):
    """One pull of each arm, then ``theta_a ~ N(S_a / n_a, sigma^2 / n_a)``; ``argmax_a theta_a``."""
    pulls = state.pulls
    sigma = state.prior[0]
    best = 0
    best_sample = -np.inf
    for a in range(pulls.shape[0]):
        if pulls[a] == 0.0:
            return a
    for a in range(pulls.shape[0]):
        sample = state.reward_sums[a] / pulls[a] + sigma / np.sqrt(pulls[a]) * rng.standard_normal()
        if sample > best_sample:
            best_sample = sample
            best = a
    return best


@kernel
def posterior_update(state, action, feedback):
    state.pulls[action] += 1.0
    state.reward_sums[action] += 1.0 - feedback[0]


class ThompsonSampling(KernelLearner):
    """Beta-Bernoulli Thompson sampling (Thompson, Biometrika 1933; Agrawal and Goyal, COLT 2012;
    Kaufmann, Korda and Munos, ALT 2012).

    With ``n_a`` pulls and reward sum ``S_a`` of arm ``a`` (reward ``r = 1 - loss``), each round draws
    ``theta_a ~ Beta(alpha_0 + S_a, beta_0 + n_a - S_a)`` for every arm, as ``G1 / (G1 + G2)`` with
    ``G1 ~ Gamma(alpha_0 + S_a)`` and ``G2 ~ Gamma(beta_0 + n_a - S_a)``, and plays ``argmax_a theta_a``.

    Rewards are meant to be binary, ``r`` in {0, 1}, which makes this the exact Bayesian posterior
    under the prior ``Beta(alpha_0, beta_0)``.  A reward in (0, 1) is added as a fractional success
    count (``r`` successes and ``1 - r`` failures) without a Bernoulli resampling step; the
    guarantee below is stated for Bernoulli rewards only.

    Bound (Kaufmann, Korda and Munos, Theorem 1; Agrawal and Goyal, AISTATS 2013, Theorem 1), Bernoulli
    rewards, prior ``Beta(1, 1)``: for every ``eps > 0``::

        E[R_T] <= (1 + eps) sum_{a: Delta_a > 0} Delta_a ln T / KL(mu_a, mu*) + C(eps, mu),

    asymptotically optimal (Lai and Robbins).  The constant ``C`` is not explicit; the tests check the
    explicit UCB1 bound of Auer et al. (2002, Theorem 1) instead.

    Args:
        alpha: ``alpha_0`` of the Beta prior (prior successes plus one).
        beta: ``beta_0`` of the Beta prior (prior failures plus one).
    """

    accepts = (FeedbackKind.BANDIT,)
    _parameter_constraints = {
        "alpha": [Interval(float, 0, None, closed="neither")],
        "beta": [Interval(float, 0, None, closed="neither")],
    }
    _test_params = [{}, {"alpha": 0.5, "beta": 2.0}]
    act_kernel = staticmethod(beta_thompson_act)
    update_kernel = staticmethod(posterior_update)

    def __init__(self, alpha: float = 1.0, beta: float = 1.0):
        self.alpha = alpha
        self.beta = beta

    def init_state(self, spec, rng):
        n = spec.n_actions
        return PosteriorState(np.zeros(n), np.zeros(n), np.array([float(self.alpha), float(self.beta)]))


class GaussianThompsonSampling(KernelLearner):
    """Gaussian Thompson sampling with known noise and a flat prior (Agrawal and Goyal, AISTATS 2013;
    Korda, Kaufmann and Munos, NeurIPS 2013).

    Plays every arm once, then draws ``theta_a ~ N(S_a / n_a, sigma^2 / n_a)`` for every arm (the
    posterior of the mean of ``N(mu_a, sigma^2)`` rewards under the flat prior) and plays
    ``argmax_a theta_a``; rewards are ``r = 1 - loss`` and may be any real number.

    Bound (Agrawal and Goyal, 2013, Theorem 1 for the closely related ``N(S_a / (n_a + 1), 1 / (n_a + 1))``
    sampler, rewards in [0, 1]): ``E[R_T] = O(sum_{a: Delta_a > 0} ln T / Delta_a)`` and
    ``O(sqrt(K T ln K))``; the constants are not explicit and the tests check the explicit UCB1 bound
    of Auer et al. (2002, Theorem 1) instead.

    Args:
        sigma: the known standard deviation of the reward noise (rewards in [0, 1] are
            1/2-sub-Gaussian; ``sigma = 1`` is Agrawal and Goyal's choice).
    """

    accepts = (FeedbackKind.BANDIT,)
    _parameter_constraints = {"sigma": [Interval(float, 0, None, closed="neither")]}
    _test_params = [{}, {"sigma": 0.5}]
    act_kernel = staticmethod(gaussian_thompson_act)
    update_kernel = staticmethod(posterior_update)

    def __init__(self, sigma: float = 1.0):
        self.sigma = sigma

    def init_state(self, spec, rng):
        n = spec.n_actions
        return PosteriorState(np.zeros(n), np.zeros(n), np.array([float(self.sigma)]))
