"""SAOL: strongly adaptive online learning by a multiplicative meta over restarted base learners."""

from __future__ import annotations

import numpy as np

from onlinelearn.core.numba_options import inlined_kernel, kernel
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.interval_meta import IntervalMetaLearner
from onlinelearn.learners.intervals import (
    PRIOR_STEP_SIZE,
    begin_round,
    clipped_regret,
    estimate_losses,
    normalise_log_weights,
    play_mixture,
    score_runs,
    update_bases,
)
from onlinelearn.learners.ogd import OGD
from onlinelearn.learners.ons import ONS
from onlinelearn.learners.optimistic_hedge import OptimisticHedge


@inlined_kernel
def saol_weigh(meta):
    """``p_t(J) ∝ w_t(J)`` over awake runs."""
    normalise_log_weights(meta)


@inlined_kernel
def saol_learn(meta):
    """``log w(J) += log(1 + eta_J r_t(J))`` for awake runs, ``r_t(J)`` from ``slot_losses`` and the
    meta loss ``scalars[1]`` (clipped to [-1, 1])."""
    awake, log_weights, rates, run_losses = meta.awake, meta.log_weights, meta.meta_rate, meta.slot_losses
    meta_loss, levels = meta.scalars[1], meta.slot_levels
    for slot in range(awake.shape[0]):
        if awake[slot]:
            regret = clipped_regret(meta_loss, run_losses[slot])
            log_weights[slot] += np.log1p(rates[levels[slot]] * regret)


@kernel
def saol_act(state, rng):
    """Restart the runs starting now, ``p_t(J) ∝ w_t(J)`` over awake runs, play ``x_t``."""
    begin_round(state)
    return play_mixture(state, state.log_weights, rng)


@kernel
def saol_update(state, action, feedback):
    """Every awake run's meta weight learns from its regret; every awake run learns."""
    estimate_losses(state, action, feedback)
    score_runs(state)
    saol_learn(state)
    update_bases(state)


class SAOL(IntervalMetaLearner):
    """Strongly Adaptive Online Learner (Daniely, Gonen and Shalev-Shwartz, ICML 2015, Algorithm 1).

    A fresh copy ``B_J`` of the base learner starts at the first round of every interval ``J`` of
    the schedule (geometric covering intervals by default, see
    :mod:`onlinelearn.learners.intervals`).  With ``x_t^J`` the copy's distribution, ``x_t`` the
    played mixture and ``r_t(J) = <x_t, l_t> - <x_t^J, l_t>`` the meta's instantaneous regret to
    ``B_J``, the meta weights (kept as ``log w``) are::

        w_{q}(J) = eta_J at the first round q of J,   w_{t+1}(J) = w_t(J) (1 + eta_J r_t(J)),
        eta_J = min(1/2, 1 / sqrt(|J|)),              p_t(J) = w_t(J) / sum_{J' awake} w_t(J'),

    and the learner plays ``A_t ~ x_t = sum_J p_t(J) x_t^J`` (sampling ``J`` then an action from
    ``x_t^J``, in one inverse-CDF draw).  Each copy is the base learner tuned for the horizon
    ``|J|`` (Hedge: ``eta = sqrt(8 ln N / |J|)``).

    Any registered base learner composes (:mod:`onlinelearn.learners.interval_meta`): on
    FULL_INFORMATION feedback its copies' distributions are mixed (or, for a base without a
    distribution kernel, ``J ~ p_t`` is drawn and ``B_J``'s own action played, with unbiased
    regret estimates); on GRADIENT feedback (OGD, OMD, ONS, ...) the meta plays
    ``x_t = sum_J p_t(J) x_t^J``, every copy gets the gradient ``g_t`` at ``x_t``, and
    ``r_t(J) = <g_t, x_t - x_t^J> / (G D)``, Daniely et al.'s reduction for online convex
    optimisation (the guarantee then holds with ``C`` the base's constant on linear losses, in
    units of ``G D``).

    Guarantee (Daniely et al., Theorem 1): if the base learner has regret at most ``C T^alpha``,
    then for every interval ``I = [q, s]`` and losses in [0, 1]::

        R_I <= 4 / (2^alpha - 1) C |I|^alpha + 40 log2(s + 1) sqrt(|I|);

    with Hedge, ``C = sqrt(ln N / 2)`` and ``alpha = 1/2``.

    Bandit feedback (base EXP3, one query): every copy receives the importance-weighted estimate
    ``l_hat = e_A l / x_t(A)`` of the played mixture and the meta uses the estimated regrets clipped
    to [-1, 1].  This is the one-query SAOL-over-EXP3 baseline; Daniely et al.'s Theorem 3 says no
    one-query learner is strongly adaptive, and no bound is claimed for it.

    Args:
        base: any learner with kernels that accepts FULL_INFORMATION or GRADIENT feedback, or
            :class:`~onlinelearn.learners.exp3.EXP3` with a fixed-horizon tuning (bandit);
            ``None`` picks :class:`~onlinelearn.learners.hedge.Hedge` or EXP3 by the feedback kind.
        schedule: ``"geometric"`` (covering intervals) or ``"streaming"`` (data-streaming intervals).
        lifetime_factor: ``g``, the lifetime factor of data-streaming intervals (>= 1).
        warm_start: start each new copy at the previous round's played mixture (Jun et al. 2017,
            experiments) instead of uniform.  With Hedge copies this slows the recovery once the
            mixture has concentrated (measured on
            :class:`~onlinelearn.environments.switch_tables.JunExperts`).
    """

    prior_code = PRIOR_STEP_SIZE
    _test_params = [
        {},
        {"schedule": "streaming", "lifetime_factor": 2},
        {"warm_start": True},
        {"base": Hedge(anytime=True)},
        {"base": OptimisticHedge(), "schedule": "streaming"},
        {"base": OGD()},
        {"base": ONS(alpha=0.1)},
    ]
    act_kernel = staticmethod(saol_act)
    update_kernel = staticmethod(saol_update)
    weigh_kernel = staticmethod(saol_weigh)
    learn_kernel = staticmethod(saol_learn)

    def __init__(
        self, base=None, schedule: str = "geometric", lifetime_factor: int = 2, warm_start: bool = False
    ):
        self.base = base
        self.schedule = schedule
        self.lifetime_factor = lifetime_factor
        self.warm_start = warm_start

    def meta_rates(self, run_lengths: np.ndarray) -> np.ndarray:
        """``eta_J = min(1/2, 1 / sqrt(|J|))``."""
        return np.minimum(0.5, 1.0 / np.sqrt(run_lengths.astype(float)))
