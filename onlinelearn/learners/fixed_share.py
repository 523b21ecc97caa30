"""Tracking baselines: Fixed Share (exponential weights with uniform mixing) and AdaNormalHedge over
interval runs (sleeping experts with a parameter-free potential)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import inlined_kernel, kernel
from onlinelearn.core.params import Interval
from onlinelearn.core.sampling import sample_index
from onlinelearn.learners.followers import FTPL
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

_ESTIMATE_CAP = 1e300


# --------------------------------------------------------------------------------------------
# Fixed Share
# --------------------------------------------------------------------------------------------
class FixedShareState(NamedTuple):
    log_weights: np.ndarray  # (K,) log of the normalised weights w_t
    probabilities: np.ndarray  # (K,) w_t, written by act
    scalars: np.ndarray  # [rounds played]
    eta: float
    alpha: float
    full_information: bool


@kernel
def fixed_share_act(state, rng):
    """``p_t = w_t`` (the weights are kept normalised in log space); one inverse-CDF draw."""
    highest = state.log_weights.max()
    total = 0.0
    for i in range(state.log_weights.shape[0]):
        state.probabilities[i] = np.exp(state.log_weights[i] - highest)
        total += state.probabilities[i]
    for i in range(state.log_weights.shape[0]):
        state.probabilities[i] /= total
    return sample_index(state.probabilities, rng.random())


@kernel
def fixed_share_update(state, action, feedback):
    """``v ∝ w exp(-eta l)``, then ``w = (1 - alpha) v + alpha / K``, all in log space."""
    n = state.log_weights.shape[0]
    if state.full_information:
        for i in range(n):
            state.log_weights[i] -= state.eta * feedback[i]
    else:
        estimate = min(feedback[0] / state.probabilities[action], _ESTIMATE_CAP)
        state.log_weights[action] -= state.eta * estimate
    highest = state.log_weights.max()
    total = 0.0
    for i in range(n):
        total += np.exp(state.log_weights[i] - highest)
    log_total = highest + np.log(total)
    keep = np.log1p(-state.alpha) if state.alpha < 1.0 else -np.inf
    share = np.log(state.alpha / n) if state.alpha > 0.0 else -np.inf
    for i in range(n):
        kept = keep + state.log_weights[i] - log_total
        state.log_weights[i] = np.logaddexp(kept, share)
    state.scalars[0] += 1.0


def binary_entropy(p: float) -> float:
    """``H(p) = -p ln p - (1 - p) ln(1 - p)`` in nats."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -p * math.log(p) - (1.0 - p) * math.log1p(-p)


class FixedShare(KernelLearner):
    """Fixed Share (Herbster and Warmuth, "Tracking the best expert", Machine Learning 32, 1998;
    Cesa-Bianchi and Lugosi, *Prediction, Learning, and Games*, 2006, section 5.2).

    Exponential weights followed by mixing a fraction ``alpha`` of uniform weight into every
    action, so no weight falls below ``alpha / K`` and the learner can track a switching best
    action.  With weights kept normalised in log space::

        v_{t,i} ∝ w_{t,i} exp(-eta l_{t,i}),     w_{t+1,i} = (1 - alpha) v_{t,i} + alpha / K,

    and the learner plays ``A_t ~ w_t``.  Tuning for ``m`` switches over ``T`` rounds (defaults):
    ``alpha = m / (T - 1)``, ``eta = sqrt(8 B / T)`` with ``B = (m + 1) ln K + (T - 1) H(alpha)``.

    Guarantees for losses in [0, 1] (the first from Cesa-Bianchi and Lugosi, Corollary 5.1; the
    second is the standard fixed-share interval argument, every weight being >= alpha / K at the
    start of any interval ``I`` after round 1):

    * regret against the best sequence of actions with ``m`` switches: ``<= sqrt(T B / 2)``;
    * regret on every interval ``I`` against its best fixed action::

          R_I <= (ln(K / alpha) + |I| ln(1 / (1 - alpha))) / eta + eta |I| / 8.

    Bandit feedback (fixed-share EXP3, in the spirit of EXP3.S of Auer et al., SIAM J. Comput.
    2002): the loss vector is replaced by the importance-weighted estimate ``e_A l / w_t,A``, and
    the default ``eta`` is ``sqrt(2 B / (T K))``; no bound is claimed for this variant here.

    Args:
        n_switches: ``m``, the number of switches the default tuning plans for.
        alpha: mixing rate in [0, 1); ``None`` uses ``m / (T - 1)``.
        eta: learning rate; ``None`` uses the tuning above.
    """

    accepts = (FeedbackKind.FULL_INFORMATION, FeedbackKind.BANDIT)
    _parameter_constraints = {
        "n_switches": [Interval(int, 0, None)],
        "alpha": [Interval(float, 0.0, 1.0, closed="left"), None],
        "eta": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [{}, {"alpha": 0.01, "eta": 0.5}, {"n_switches": 3}]
    act_kernel = staticmethod(fixed_share_act)
    update_kernel = staticmethod(fixed_share_update)

    def __init__(self, n_switches: int = 1, alpha: float | None = None, eta: float | None = None):
        self.n_switches = n_switches
        self.alpha = alpha
        self.eta = eta

    def mixing_rate(self, spec) -> float:
        if self.alpha is not None:
            return float(self.alpha)
        horizon = self.horizon_of(spec, "alpha")
        return min(self.n_switches / max(horizon - 1, 1), 0.5)

    def switching_complexity(self, spec) -> float:
        """``B = (m + 1) ln K + (T - 1) H(alpha)`` of the tuning and the bound."""
        horizon = self.horizon_of(spec, "eta")
        alpha = self.mixing_rate(spec)
        return (self.n_switches + 1) * math.log(spec.n_actions) + (horizon - 1) * binary_entropy(alpha)

    def learning_rate(self, spec) -> float:
        if self.eta is not None:
            return float(self.eta)
        horizon = self.horizon_of(spec, "eta")
        complexity = max(self.switching_complexity(spec), 1e-12)
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            return math.sqrt(8.0 * complexity / horizon)
        return math.sqrt(2.0 * complexity / (horizon * spec.n_actions))

    def init_state(self, spec, rng):
        n = spec.n_actions
        return FixedShareState(
            np.full(n, -math.log(n)),
            np.full(n, 1.0 / n),
            np.zeros(1),
            self.learning_rate(spec),
            self.mixing_rate(spec),
            spec.feedback_kind == FeedbackKind.FULL_INFORMATION,
        )

    def interval_bound(self, spec, length: int) -> float:
        """The interval-regret bound above for an interval of ``length`` rounds."""
        eta, alpha, n = self.learning_rate(spec), self.mixing_rate(spec), spec.n_actions
        keep = -math.log1p(-alpha) if alpha > 0 else 0.0
        start = math.log(n / alpha) if alpha > 0 else math.inf
        return (start + length * keep) / eta + eta * length / 8.0


# --------------------------------------------------------------------------------------------
# AdaNormalHedge over interval runs
# --------------------------------------------------------------------------------------------
# meta_stats columns: cumulative regret R, cumulative absolute regret C.
_REGRET = 0
_ABSOLUTE = 1


@kernel
def normal_potential_log_weight(regret, absolute):
    """``ln w(R, C)`` with ``w = (Phi(R + 1, C + 1) - Phi(R - 1, C + 1)) / 2`` and
    ``Phi(R, C) = exp([R]_+^2 / (3 C))``; ``-inf`` when ``w = 0`` (``R <= -1``)."""
    high = max(regret + 1.0, 0.0) ** 2 / (3.0 * (absolute + 1.0))
    low = max(regret - 1.0, 0.0) ** 2 / (3.0 * (absolute + 1.0))
    if high <= 0.0:
        return -np.inf
    return np.log(0.5) + high + np.log(-np.expm1(low - high))


@inlined_kernel
def ada_normal_hedge_scores(meta):
    """Log weights ``ln pi_J + ln w(R_J, C_J)`` of the awake runs, ``-inf`` for the others, into
    ``slot_losses`` (free scratch space until the update overwrites it)."""
    awake, stats, log_prior, scores = meta.awake, meta.meta_stats, meta.log_weights, meta.slot_losses
    for slot in range(awake.shape[0]):
        scores[slot] = -np.inf
        if awake[slot]:
            potential = normal_potential_log_weight(stats[slot, _REGRET], stats[slot, _ABSOLUTE])
            scores[slot] = log_prior[slot] + potential


@inlined_kernel
def ada_normal_hedge_weigh(meta):
    """``p_t(J) ∝ pi_J w(R_J, C_J)`` over awake runs (the prior on them if every weight is 0)."""
    ada_normal_hedge_scores(meta)
    if not normalise_scores(meta.awake, meta.slot_losses, meta.meta_probabilities):
        normalise_log_weights(meta)


@inlined_kernel
def ada_normal_hedge_learn(meta):
    """``R_J += r_t(J)``, ``C_J += |r_t(J)|`` for awake runs."""
    awake, stats, run_losses, meta_loss = meta.awake, meta.meta_stats, meta.slot_losses, meta.scalars[1]
    for slot in range(awake.shape[0]):
        if awake[slot]:
            regret = clipped_regret(meta_loss, run_losses[slot])
            stats[slot, _REGRET] += regret
            stats[slot, _ABSOLUTE] += abs(regret)


@kernel
def ada_normal_hedge_act(state, rng):
    begin_round(state)
    ada_normal_hedge_scores(state)
    return play_mixture(state, state.slot_losses, rng)


@kernel
def ada_normal_hedge_update(state, action, feedback):
    estimate_losses(state, action, feedback)
    score_runs(state)
    ada_normal_hedge_learn(state)
    update_bases(state)


class AdaNormalHedge(PriorChoiceMetaLearner):
    """AdaNormalHedge over interval runs: an AdaNormalHedge.TV-style baseline (Luo and Schapire,
    "Achieving all with no parameters: AdaNormalHedge", COLT 2015, sections 3 and 5; compared as
    "ATV" by Jun et al., AISTATS 2017).

    Runs of the base learner on an interval schedule are sleeping experts.  For an awake run ``J``
    with cumulative instantaneous regret ``R_J = sum_s r_s(J)`` and ``C_J = sum_s |r_s(J)|`` over
    its awake rounds (``r_t(J) = <x_t, l_t> - <x_t^J, l_t>``)::

        p_t(J) ∝ pi_J (Phi(R_J + 1, C_J + 1) - Phi(R_J - 1, C_J + 1)) / 2,   Phi(R, C) = exp([R]_+^2 / (3 C)),

    computed in log space; the learner plays ``A_t ~ x_t = sum_J p_t(J) x_t^J``.  Luo and Schapire
    (Theorem 1 and section 5) bound the regret to each sleeping expert by
    ``O(sqrt(C_J ln(1 / pi_J)))``; composed with copies tuned to their intervals this gives
    ``O(sqrt(|I| ln(N T)))`` interval regret up to the covering argument.  "Style": the run pool
    and prior are this library's schedule (:mod:`onlinelearn.learners.intervals`), not the exact
    construction of AdaNormalHedge.TV; the bound is not tested with constants.

    Args:
        base: any learner with kernels that accepts FULL_INFORMATION or GRADIENT feedback, or
            EXP3 with a fixed-horizon tuning (bandit); ``None`` picks Hedge or EXP3 by the
            feedback kind (composition as in :class:`~onlinelearn.learners.saol.SAOL`).
        schedule: ``"geometric"`` or ``"streaming"``.
        lifetime_factor: ``g`` of data-streaming intervals.
        warm_start: new runs start at the previous played mixture.
        prior: ``"start_time"`` (``pi_J ∝ 1 / (J_1^2 (1 + floor(log2 J_1)))``) or ``"uniform"``.
    """

    _test_params = [{}, {"schedule": "streaming", "prior": "uniform"}, {"base": FTPL()}]
    act_kernel = staticmethod(ada_normal_hedge_act)
    update_kernel = staticmethod(ada_normal_hedge_update)
    weigh_kernel = staticmethod(ada_normal_hedge_weigh)
    learn_kernel = staticmethod(ada_normal_hedge_learn)
