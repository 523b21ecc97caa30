"""Online conformal prediction: scale-free OGD and SAOCP on the pinball loss of a radius.

Each round the learner outputs a radius ``s_hat_t`` in ``[0, D]`` (a point of the box ``[0, D]``,
dimension 1; the prediction set is ``{y : S(x_t, y) <= s_hat_t}``), the environment reveals the
nonconformity score ``s_t`` and charges the pinball loss at the target coverage ``q``::

    l_t(s) = max(q (s_t - s), (1 - q) (s - s_t)),     dl_t/ds = -q [s_t > s] + (1 - q) [s_t < s].

Feedback is the GRADIENT layout ``[l_t(s_hat_t), g_t]``.  A learner that knows ``q`` recovers
the score exactly (:func:`recover_score`) and so can evaluate the loss of any other radius: SAOCP
uses this to score its experts.  The environment must charge the same ``q``; an environment whose
spec carries a ``coverage`` field (:class:`~onlinelearn.environments.conformal.ConformalSpec`) is
checked at reset.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.decision_sets import BOX
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import Interval
from onlinelearn.learners.intervals import (
    clipped_regret,
    copies_for,
    horizon_levels,
    next_streaming_slot,
    normalise_scores,
    trailing_zeros,
)


# --------------------------------------------------------------------------------------------
# Pinball loss and scale-free OGD steps (shared by both learners)
# --------------------------------------------------------------------------------------------
@kernel
def pinball(radius, score, coverage):
    """``max(q (s - r), (1 - q) (r - s))``."""
    return max(coverage * (score - radius), (1.0 - coverage) * (radius - score))


@kernel
def pinball_gradient(radius, score, coverage):
    """The subgradient ``-q`` (under-covered), ``1 - q`` (over-covered) or 0 (``r = s``)."""
    if score > radius:
        return -coverage
    if score < radius:
        return 1.0 - coverage
    return 0.0


@kernel
def recover_score(radius, value, gradient, coverage):
    """The score ``s_t`` from the loss and subgradient at ``radius`` (GRADIENT feedback)."""
    if gradient < 0.0:
        return radius + value / coverage
    if gradient > 0.0:
        return radius - value / (1.0 - coverage)
    return radius


@kernel
def scale_free_step(radius, gradient, squared_sum, max_scale):
    """``min(D, max(0, r - (D / sqrt 3) g / sqrt(G2)))``; ``G2`` includes this round's ``g^2``."""
    if squared_sum <= 0.0:
        return radius
    step = radius - max_scale / np.sqrt(3.0) * gradient / np.sqrt(squared_sum)
    return min(max_scale, max(0.0, step))


# --------------------------------------------------------------------------------------------
# Scale-free OGD
# --------------------------------------------------------------------------------------------
class ScaleFreeOGDState(NamedTuple):
    radius: np.ndarray  # [s_hat_t]
    scalars: np.ndarray  # [sum of squared gradients so far]
    max_scale: float  # D


@kernel
def sf_ogd_act(state, rng):
    return state.radius


@kernel
def sf_ogd_update(state, action, feedback):
    gradient = feedback[1]
    state.scalars[0] += gradient * gradient
    state.radius[0] = scale_free_step(state.radius[0], gradient, state.scalars[0], state.max_scale)


def _box_upper(learner, spec) -> float:
    """``D``: the learner's ``max_scale`` or the upper end of the environment's box ``[0, D]``."""
    name = type(learner).__name__
    decision_set = spec.decision_set
    if decision_set is None or decision_set.code != BOX or decision_set.dimension != 1:
        raise ValueError(
            f"{name} plays a radius in a 1-dimensional box [0, D]; the environment's decision set is "
            f"{None if decision_set is None else decision_set.name} of dimension "
            f"{None if decision_set is None else decision_set.dimension}."
        )
    if decision_set.low[0] != 0.0:
        raise ValueError(f"{name} plays a radius in [0, D]; the box starts at {decision_set.low[0]!r}.")
    upper = float(decision_set.high[0])
    if learner.max_scale is not None and learner.max_scale > upper:
        raise ValueError(
            f"The 'max_scale' parameter of {name} must be at most the environment's largest radius "
            f"{upper:g}. Got {learner.max_scale!r} instead."
        )
    return upper if learner.max_scale is None else float(learner.max_scale)


def _check_coverage(learner, spec) -> None:
    """Refuse an environment that charges the pinball loss at another coverage."""
    charged = getattr(spec, "coverage", None)
    if charged is not None and charged != learner.coverage:
        raise ValueError(
            f"The 'coverage' parameter of {type(learner).__name__} must equal the environment's "
            f"coverage {charged!r} (the pinball loss it charges). Got {learner.coverage!r} instead."
        )


class ScaleFreeOGD(KernelLearner):
    """Scale-free online gradient descent on the pinball loss (SF-OGD; Orabona and Pál, "Scale-free
    online learning", Theoretical Computer Science 2018; used for conformal prediction by
    Bhatnagar, Wang, Xiong and Bai, "Improved online conformal prediction via strongly adaptive
    online learning", ICML 2023).

    Starting at ``s_hat_1 = 0``, with the subgradient ``g_t`` of the feedback::

        s_hat_{t+1} = Proj_[0, D](s_hat_t - (D / sqrt 3) g_t / sqrt(sum_{s<=t} g_s^2))

    (no step while every gradient has been 0).  Regret against every fixed radius in ``[0, D]``
    (standard analysis of OGD with non-increasing steps ``eta_t = c / sqrt(G_t)``,
    ``G_t = sum_{s<=t} g_s^2``: ``R_T <= D^2 / (2 eta_T) + sum_t eta_t g_t^2 / 2`` and
    ``sum_t g_t^2 / sqrt(G_t) <= 2 sqrt(G_T)``; with ``c = D / sqrt 3``)::

        R_T <= (sqrt(3) / 2 + 1 / sqrt(3)) D sqrt(G_T) <= 1.444 D max(q, 1 - q) sqrt(T).

    The update reads only the subgradient, so ``coverage`` is used only to check the environment.

    Args:
        coverage: target coverage ``q`` in (0, 1).
        max_scale: ``D``, the largest radius; ``None`` takes the environment's box ``[0, D]``.
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        "coverage": [Interval(float, 0, 1, closed="neither")],
        "max_scale": [Interval(float, 0, None, closed="neither"), None],
    }
    _test_params = [{}, {"max_scale": 5.0}]
    act_kernel = staticmethod(sf_ogd_act)
    update_kernel = staticmethod(sf_ogd_update)

    def __init__(self, coverage: float = 0.9, max_scale: float | None = None):
        self.coverage = coverage
        self.max_scale = max_scale

    def check_spec(self, spec) -> None:
        super().check_spec(spec)
        _check_coverage(self, spec)

    def init_state(self, spec, rng):
        return ScaleFreeOGDState(np.zeros(1), np.zeros(1), _box_upper(self, spec))


# --------------------------------------------------------------------------------------------
# SAOCP
# --------------------------------------------------------------------------------------------
# expert_stats columns: sum of coin outcomes, awake rounds, log wealth, sum of squared gradients.
_SUM = 0
_COUNT = 1
_LOG_WEALTH = 2
_SQUARES = 3
# scalars: rounds played, last meta prediction.
_ROUNDS = 0
_PREDICTION = 1


class SAOCPState(NamedTuple):
    copies: int  # slots per level (ceil(g / 2))
    lifetime_factor: int  # g
    next_copy: np.ndarray  # int64 (n_levels,): the copy of a level its next expert takes
    starts: np.ndarray  # int64 (n_slots,): creation round (1-based) of the slot's expert, 0 = none
    ends: np.ndarray  # int64 (n_slots,): last round of the expert's lifetime
    awake: np.ndarray  # bool (n_slots,)
    radii: np.ndarray  # (n_slots,): each expert's SF-OGD radius
    log_prior: np.ndarray  # (n_slots,): ln pi(t_0) of each expert
    expert_stats: np.ndarray  # (n_slots, 4): see the column constants
    weights: np.ndarray  # (n_slots,): p_t(J), zero for expired experts
    scores: np.ndarray  # (n_slots,): scratch, ln pi + ln w of the positive bets
    radius: np.ndarray  # [s_hat_t], the played radius
    scalars: np.ndarray  # [rounds played, last meta prediction]
    coverage: float  # q
    max_scale: float  # D
    loss_scale: float  # D max(q, 1 - q): pinball losses lie in [0, loss_scale]


@kernel
def saocp_begin_round(state):
    """Create this round's expert at the last meta prediction, in the slot of an expired one."""
    t = np.int64(state.scalars[_ROUNDS]) + 1
    u = min(trailing_zeros(t), state.next_copy.shape[0] - 1)
    slot = next_streaming_slot(state.next_copy, u, state.copies)
    state.starts[slot] = t
    state.ends[slot] = t + state.lifetime_factor * (np.int64(1) << u) - 1
    state.radii[slot] = state.scalars[_PREDICTION]
    for j in range(state.expert_stats.shape[1]):
        state.expert_stats[slot, j] = 0.0
    # Jun et al. (2017): pi(t_0) ∝ 1 / (t_0^2 (1 + floor(log2 t_0))).
    state.log_prior[slot] = -2.0 * np.log(t) - np.log(1.0 + np.floor(np.log2(t)))
    starts, ends, awake = state.starts, state.ends, state.awake
    for j in range(starts.shape[0]):
        awake[j] = starts[j] > 0 and starts[j] <= t <= ends[j]


@kernel
def saocp_act(state, rng):
    """``p_t(J) ∝ pi_J [beta_J W_J]_+`` (prior on awake experts if no bet is positive);
    ``s_hat_t = sum_J p_t(J) r_J``."""
    saocp_begin_round(state)
    awake, stats, scores, weights = state.awake, state.expert_stats, state.scores, state.weights
    for j in range(awake.shape[0]):
        scores[j] = -np.inf
        if awake[j]:
            beta = stats[j, _SUM] / (1.0 + stats[j, _COUNT])
            if beta > 0.0:
                scores[j] = state.log_prior[j] + np.log(beta) + stats[j, _LOG_WEALTH]
    if not normalise_scores(awake, scores, weights):
        normalise_scores(awake, state.log_prior, weights)
    prediction = 0.0
    for j in range(awake.shape[0]):
        if awake[j]:
            prediction += weights[j] * state.radii[j]
    prediction = min(state.max_scale, max(0.0, prediction))
    state.radius[0] = prediction
    state.scalars[_PREDICTION] = prediction
    return state.radius


@kernel
def saocp_update(state, action, feedback):
    """Recover ``s_t``; per awake expert: KT coin update with the rectified, scaled outcome
    ``g = (l_t(s_hat_t) - l_t(r_J)) / (D max(q, 1 - q))``, then its SF-OGD step."""
    q, scale = state.coverage, state.loss_scale
    score = recover_score(action[0], feedback[0], feedback[1], q)
    meta_loss = feedback[0] / scale
    awake, stats, radii = state.awake, state.expert_stats, state.radii
    for j in range(awake.shape[0]):
        if awake[j]:
            beta = stats[j, _SUM] / (1.0 + stats[j, _COUNT])
            outcome = clipped_regret(meta_loss, pinball(radii[j], score, q) / scale)
            if beta <= 0.0:
                outcome = max(outcome, 0.0)
            stats[j, _LOG_WEALTH] += np.log1p(outcome * beta)
            stats[j, _SUM] += outcome
            stats[j, _COUNT] += 1.0
            gradient = pinball_gradient(radii[j], score, q)
            stats[j, _SQUARES] += gradient * gradient
            radii[j] = scale_free_step(radii[j], gradient, stats[j, _SQUARES], state.max_scale)
    state.scalars[_ROUNDS] += 1.0


class SAOCP(KernelLearner):
    """Strongly Adaptive Online Conformal Prediction (Bhatnagar, Wang, Xiong and Bai, "Improved
    online conformal prediction via strongly adaptive online learning", ICML 2023).

    CBCE's sleeping coin-betting meta (Jun, Orabona, Wright and Willett, AISTATS 2017) over
    scale-free OGD experts (:class:`ScaleFreeOGD`) on data-streaming intervals.  At round ``t``
    (1-based) one expert is created at the previous meta prediction, with lifetime
    ``g 2^u(t)`` (``u(t)``: exponent of the largest power of 2 dividing ``t``) and prior weight
    ``pi(t) ∝ 1 / (t^2 (1 + floor(log2 t)))``; it is removed when its lifetime ends, so at most
    ``ceil(g / 2) (floor(log2 T) + 1)`` experts live at once (slots of
    :mod:`onlinelearn.learners.intervals`).  For an awake expert ``J`` with radius ``r_J``, ``S_J``
    rounds awake so far, coin outcomes ``g_s(J)`` and wealth ``W_J`` (kept as ``ln W_J``)::

        beta_t(J) = sum_{s<t} g_s(J) / (1 + S_J),         w_t(J) = beta_t(J) W_t(J),
        p_t(J) ∝ pi_J [w_t(J)]_+   (the prior on awake experts if every w_t(J) <= 0),
        s_hat_t = sum_J p_t(J) r_J,
        g_t(J) = clip((l_t(s_hat_t) - l_t(r_J)) / (D max(q, 1 - q)), -1 if w_t(J) > 0 else 0, 1),
        W_{t+1}(J) = W_t(J) (1 + g_t(J) beta_t(J)),

    and every awake expert takes its own SF-OGD step at its own radius (the score is recovered from
    the feedback, :func:`recover_score`).  Two choices differ from the authors' code: the KT
    fraction divides by ``1 + S_J`` (CBCE's paper; the code divides by the age) and radii are
    projected on ``[0, D]`` (the code clips at 0 only).

    Guarantee.  The paper states strongly adaptive regret near-optimal for every interval length;
    its theorem constants were not checked here.  From CBCE's Theorem 2 (proved for geometric
    covering intervals; the data-streaming schedule is claimed to give the same order) with the SF-OGD
    bound ``c sqrt(n)``, ``c = 1.444 D max(q, 1 - q)``, one expects on every interval ``I = [I_1, I_2]``::

        R_I <= 4 / (sqrt 2 - 1) c sqrt|I| + 8 D max(q, 1 - q) sqrt|I| (7 ln I_2 + 5),

    i.e. ``O(D sqrt(|I| log T))``; the constants for this schedule are unverified.

    Args:
        coverage: target coverage ``q`` in (0, 1).
        max_scale: ``D``, the largest radius; ``None`` takes the environment's box ``[0, D]``.
        lifetime_factor: ``g``, the lifetime multiplier of the data-streaming intervals.
    """

    accepts = (FeedbackKind.GRADIENT,)
    action_space = "continuous"
    _parameter_constraints = {
        **ScaleFreeOGD._parameter_constraints,
        "lifetime_factor": [Interval(int, 1, None)],
    }
    _test_params = [{}, {"lifetime_factor": 2, "max_scale": 5.0}]
    act_kernel = staticmethod(saocp_act)
    update_kernel = staticmethod(saocp_update)

    def __init__(self, coverage: float = 0.9, max_scale: float | None = None, lifetime_factor: int = 8):
        self.coverage = coverage
        self.max_scale = max_scale
        self.lifetime_factor = lifetime_factor

    def check_spec(self, spec) -> None:
        super().check_spec(spec)
        _check_coverage(self, spec)

    def init_state(self, spec, rng):
        max_scale = _box_upper(self, spec)
        copies = copies_for("streaming", self.lifetime_factor)
        n_levels = horizon_levels(self, spec)
        n_slots = n_levels * copies
        q = float(self.coverage)
        return SAOCPState(
            copies,
            int(self.lifetime_factor),
            np.zeros(n_levels, dtype=np.int64),
            np.zeros(n_slots, dtype=np.int64),
            np.zeros(n_slots, dtype=np.int64),
            np.zeros(n_slots, dtype=np.bool_),
            np.zeros(n_slots),
            np.full(n_slots, -np.inf),
            np.zeros((n_slots, 4)),
            np.zeros(n_slots),
            np.zeros(n_slots),
            np.zeros(1),
            np.zeros(2),
            q,
            max_scale,
            max_scale * max(q, 1.0 - q),
        )
