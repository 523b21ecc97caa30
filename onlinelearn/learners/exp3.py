"""EXP3 and EXP3-IX: exponential weights on importance-weighted loss estimates (adversarial bandits).

Both learners keep the cumulative loss estimates ``L_hat`` and recompute the probabilities from them
every round in log space (:func:`~onlinelearn.core.sampling.softmax_negative` subtracts the
minimum before exponentiating), so estimates of 1e12 and horizons of 1e7 stay finite; weights are
never multiplied round after round.  One uniform per round samples the arm by inverse CDF.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval, Options
from onlinelearn.core.sampling import sample_index, softmax_negative

#: Estimates are capped here: ``loss / p`` overflows to inf only for a denormal ``p``.
_ESTIMATE_CAP = 1e300


class Exp3State(NamedTuple):
    cumulative_estimates: np.ndarray  # L_hat_i: sum over rounds of the loss estimates of arm i
    probabilities: np.ndarray  # P_t: this round's sampling distribution (written by act)
    scalars: np.ndarray  # [t] rounds played so far
    eta: float  # learning rate (anytime: eta_t = eta / sqrt(t))
    gamma: float  # implicit exploration (0 for EXP3)
    anytime: bool


@kernel
def exp3_act(state, rng):
    """``P_t,i ∝ exp(-eta_t L_hat_{t-1,i})``, then one inverse-CDF draw."""
    eta = state.eta
    if state.anytime:
        eta = eta / np.sqrt(state.scalars[0] + 1.0)
    softmax_negative(state.cumulative_estimates, eta, state.probabilities)
    return sample_index(state.probabilities, rng.random())


@kernel
def exp3_update(state, action, feedback):
    """``L_hat_{t,A_t} += loss / (P_t,A_t + gamma)``; the other arms' estimates are 0."""
    estimate = feedback[0] / (state.probabilities[action] + state.gamma)
    total = state.cumulative_estimates[action] + estimate
    state.cumulative_estimates[action] = min(total, _ESTIMATE_CAP)
    state.scalars[0] += 1.0


def _exp3_state(n_actions: int, eta: float, gamma: float, anytime: bool) -> Exp3State:
    return Exp3State(
        np.zeros(n_actions),
        np.full(n_actions, 1.0 / n_actions),
        np.zeros(1),
        float(eta),
        float(gamma),
        bool(anytime),
    )


class EXP3(KernelLearner):
    """EXP3 with loss-based importance weighting (Auer et al., SIAM J. Comput. 2002; Lattimore and
    Szepesvári, *Bandit Algorithms*, 2020, Chapter 11).

    With ``A_t`` the arm played at round ``t``, ``l_t`` its loss and ``P_t`` the distribution it was
    drawn from::

        P_t,i = exp(-eta_t L_hat_{t-1,i}) / sum_j exp(-eta_t L_hat_{t-1,j}),
        L_hat_{t,i} = L_hat_{t-1,i} + 1[A_t = i] l_t / P_t,i.

    Fixed horizon (``eta=None``, ``anytime=False``): ``eta_t = sqrt(2 ln K / (T K))``, and against an
    oblivious adversary with losses in [0, 1] (L&S Theorem 11.2)::

        E[R_T] <= sqrt(2 T K ln K).

    Anytime (``anytime=True``): ``eta_t = c / sqrt(t)`` with ``c = eta``, or ``c = sqrt(ln K / K)``
    when ``eta=None``; the latter satisfies ``E[R_T] <= 2 sqrt(T K ln K)`` for every ``T``
    (Bubeck and Cesa-Bianchi, Found. Trends ML 2012, Theorem 3.1).

    Args:
        eta: the learning rate ``eta`` (the constant ``c`` when ``anytime``); ``None`` picks the
            tuning above, which needs the horizon ``T`` when ``anytime`` is ``False``.
        anytime: use the decreasing rate ``eta_t = c / sqrt(t)``; no horizon needed.
    """

    accepts = (FeedbackKind.BANDIT,)
    _parameter_constraints = {
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "anytime": [Options((True, False))],
    }
    _test_params = [{}, {"eta": 0.1}, {"anytime": True}]
    act_kernel = staticmethod(exp3_act)
    update_kernel = staticmethod(exp3_update)

    def __init__(self, eta: float | None = None, anytime: bool = False):
        self.eta = eta
        self.anytime = anytime

    def learning_rate(self, spec) -> float:
        """``eta`` (the constant ``c`` of ``eta_t = c / sqrt(t)`` when ``anytime``) for ``spec``."""
        if self.eta is not None:
            return float(self.eta)
        n_actions = spec.n_actions
        if self.anytime:
            return math.sqrt(math.log(n_actions) / n_actions)
        horizon = self.horizon_of(spec, "eta")
        return math.sqrt(2.0 * math.log(n_actions) / (horizon * n_actions))

    def init_state(self, spec, rng):
        return _exp3_state(spec.n_actions, self.learning_rate(spec), 0.0, self.anytime)


class EXP3IX(KernelLearner):
    """EXP3-IX: EXP3 with implicit exploration (Neu, NeurIPS 2015; Lattimore and Szepesvári,
    *Bandit Algorithms*, 2020, Chapter 12).

    Same exponential weights as :class:`EXP3` with a fixed rate ``eta``, but the loss estimate is
    biased low by ``gamma``::

        P_t,i ∝ exp(-eta L_hat_{t-1,i}),    L_hat_{t,i} = L_hat_{t-1,i} + 1[A_t = i] l_t / (P_t,i + gamma).

    With ``eta = sqrt(2 ln(K + 1) / (T K))`` and ``gamma = eta / 2`` (the defaults), for every
    ``delta`` in (0, 1), with probability at least ``1 - delta`` (L&S Theorem 12.1)::

        R_T <= 2 sqrt(2 T K ln(K + 1)) + (sqrt(2 T K / ln(K + 1)) + 1) ln(2 / delta),

    hence ``E[R_T] <= 2 sqrt(2 T K ln(K + 1)) + (1 + ln 2) (sqrt(2 T K / ln(K + 1)) + 1)``.

    Args:
        eta: learning rate; ``None`` picks ``sqrt(2 ln(K + 1) / (T K))`` (needs the horizon).
        gamma: implicit-exploration parameter; ``None`` picks ``eta / 2``.
    """

    accepts = (FeedbackKind.BANDIT,)
    _parameter_constraints = {
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "gamma": [Interval(float, 0, None, closed="left"), None],
    }
    _test_params = [{}, {"eta": 0.1, "gamma": 0.0}]
    act_kernel = staticmethod(exp3_act)
    update_kernel = staticmethod(exp3_update)

    def __init__(self, eta: float | None = None, gamma: float | None = None):
        self.eta = eta
        self.gamma = gamma

    def learning_rate(self, spec) -> float:
        """``eta`` for ``spec`` (the fixed-horizon tuning when ``eta=None``)."""
        if self.eta is not None:
            return float(self.eta)
        horizon = self.horizon_of(spec, "eta")
        n_actions = spec.n_actions
        return math.sqrt(2.0 * math.log(n_actions + 1) / (horizon * n_actions))

    def init_state(self, spec, rng):
        eta = self.learning_rate(spec)
        gamma = eta / 2.0 if self.gamma is None else float(self.gamma)
        return _exp3_state(spec.n_actions, eta, gamma, False)
