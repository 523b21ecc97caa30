"""CBCE: coin betting for changing environments (sleeping coin-betting meta over restarted runs)."""

from __future__ import annotations

import numpy as np

from onlinelearn.core.numba_options import inlined_kernel, kernel
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.interval_meta import PriorChoiceMetaLearner
from onlinelearn.learners.intervals import (
    begin_round,
    clipped_regret,
    estimate_losses,
    normalise_log_weights,
    normalise_scores,
    play_mixture,
    score_runs,
    update_bases,
)
from onlinelearn.learners.ogd import OGD
from onlinelearn.learners.ons import ONS
from onlinelearn.learners.optimistic_hedge import OptimisticHedge

# meta_stats columns: sum of rectified coin outcomes, awake rounds, log wealth.
_SUM = 0
_COUNT = 1
_LOG_WEALTH = 2


@inlined_kernel
def cbce_scores(meta):
    """Log weights ``ln pi_J + ln beta + ln W_J`` of the awake runs with a positive bet, ``-inf``
    otherwise, into ``slot_losses`` (free scratch space until the update overwrites it).

    ``beta = sum / (1 + awake rounds)`` is the KT betting fraction (in (-1, 1)).
    """
    awake, stats, log_prior, scores = meta.awake, meta.meta_stats, meta.log_weights, meta.slot_losses
    for slot in range(awake.shape[0]):
        scores[slot] = -np.inf
        if awake[slot]:
            beta = stats[slot, _SUM] / (1.0 + stats[slot, _COUNT])
            if beta > 0.0:
                scores[slot] = log_prior[slot] + np.log(beta) + stats[slot, _LOG_WEALTH]


@inlined_kernel
def cbce_weigh(meta):
    """``p_t(J) ∝ pi_J [w_t(J)]_+`` over awake runs (the prior on them if all bets are <= 0)."""
    cbce_scores(meta)
    if not normalise_scores(meta.awake, meta.slot_losses, meta.meta_probabilities):
        normalise_log_weights(meta)  # log_weights hold the log prior


@inlined_kernel
def cbce_learn(meta):
    """Rectified coin outcome ``g``; ``wealth *= 1 + g beta``; ``sum += g``; awake rounds += 1."""
    awake, stats, run_losses, meta_loss = meta.awake, meta.meta_stats, meta.slot_losses, meta.scalars[1]
    for slot in range(awake.shape[0]):
        if awake[slot]:
            beta = stats[slot, _SUM] / (1.0 + stats[slot, _COUNT])
            outcome = clipped_regret(meta_loss, run_losses[slot])
            if beta <= 0.0:
                outcome = max(outcome, 0.0)
            stats[slot, _LOG_WEALTH] += np.log1p(outcome * beta)
            stats[slot, _SUM] += outcome
            stats[slot, _COUNT] += 1.0


@kernel
def cbce_act(state, rng):
    begin_round(state)
    cbce_scores(state)
    return play_mixture(state, state.slot_losses, rng)


@kernel
def cbce_update(state, action, feedback):
    estimate_losses(state, action, feedback)
    score_runs(state)
    cbce_learn(state)
    update_bases(state)


class CBCE(PriorChoiceMetaLearner):
    """Coin Betting for Changing Environments (Jun, Orabona, Wright and Willett, "Improved strongly
    adaptive online learning using coin betting", AISTATS 2017, Algorithms 1 and 2).

    Runs of the base learner on an interval schedule (:mod:`onlinelearn.learners.intervals`) are
    sleeping experts of a Krichevsky–Trofimov coin-betting meta.  For an awake run ``J`` with
    ``S_J`` rounds awake so far, outcomes ``g_s(J)`` and wealth ``W_J`` (kept as ``log W_J``)::

        beta_t(J) = sum_{s<t} g_s(J) / (1 + S_J),        w_t(J) = beta_t(J) W_t(J),
        p_t(J) ∝ pi_J [w_t(J)]_+   (the prior on awake runs if every w_t(J) <= 0),
        g_t(J) = r_t(J) if w_t(J) > 0 else [r_t(J)]_+,   W_{t+1}(J) = W_t(J) (1 + g_t(J) beta_t(J)),

    with ``r_t(J) = <x_t, l_t> - <x_t^J, l_t>`` and prior ``pi_J ∝ 1 / (J_1^2 (1 + floor(log2 J_1)))``
    over start times ``J_1`` (``prior="start_time"``; ``"uniform"`` is the paper's experimental
    choice).  The learner plays ``A_t ~ x_t = sum_J p_t(J) x_t^J``.

    Guarantee (Jun et al., Theorem 2, geometric covering intervals): if the base learner has regret
    at most ``c T^alpha``, then for every interval ``I = [I_1, I_2]`` and losses in [0, 1]::

        R_I <= 4 / (2^alpha - 1) c |I|^alpha + 8 sqrt(|I|) (7 ln I_2 + 5);

    with Hedge copies tuned to their interval, ``c = sqrt(ln N / 2)``, ``alpha = 1/2``.

    Bandit feedback (base EXP3, one query) uses importance-weighted estimates and clipped
    outcomes, as :class:`~onlinelearn.learners.saol.SAOL` does; no bound is claimed for it.  Any
    other registered base composes as in :class:`~onlinelearn.learners.saol.SAOL` (mixed
    distributions, sampled runs, or points with linearised regrets ``<g_t, x_t - x_t^J> / (G D)``).

    Args:
        base: any learner with kernels that accepts FULL_INFORMATION or GRADIENT feedback, or
            EXP3 with a fixed-horizon tuning (bandit); ``None`` picks Hedge or EXP3 by the
            feedback kind.
        schedule: ``"geometric"`` or ``"streaming"`` (data-streaming intervals).
        lifetime_factor: ``g`` of data-streaming intervals.
        warm_start: new runs start at the previous played mixture (the paper's experiments, with
            coin-betting copies); with Hedge copies it slows the recovery once the mixture has
            concentrated (measured on :class:`~onlinelearn.environments.switch_tables.JunExperts`).
        prior: ``"start_time"`` (the theorem's prior) or ``"uniform"``.
    """

    _test_params = [
        {},
        {"schedule": "streaming", "prior": "uniform", "warm_start": True},
        {"base": Hedge(anytime=True), "schedule": "streaming"},
        {"base": OptimisticHedge()},
        {"base": OGD(), "schedule": "streaming", "prior": "uniform"},
        {"base": ONS(alpha=0.1)},
    ]
    act_kernel = staticmethod(cbce_act)
    update_kernel = staticmethod(cbce_update)
    weigh_kernel = staticmethod(cbce_weigh)
    learn_kernel = staticmethod(cbce_learn)
