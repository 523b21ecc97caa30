"""Hedge (exponential weights) for prediction with expert advice, full-information feedback."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.numba_options import inlined_kernel, kernel
from onlinelearn.core.params import Interval, Options
from onlinelearn.core.sampling import sample_index, softmax_negative


class HedgeState(NamedTuple):
    cumulative_losses: np.ndarray  # L_{t-1, i} = sum_{s<t} l_{s, i}
    probabilities: np.ndarray  # p_t, written by act
    scalars: np.ndarray  # [t - 1] rounds played so far
    eta: float  # fixed rate, or the constant c of eta_t = c / sqrt(t) when anytime
    anytime: bool


@inlined_kernel
def hedge_probabilities(state):
    """Write ``p_t ∝ exp(-eta_t L_{t-1})`` (log space) into ``state.probabilities``."""
    eta = state.eta / np.sqrt(state.scalars[0] + 1.0) if state.anytime else state.eta
    softmax_negative(state.cumulative_losses, eta, state.probabilities)


@kernel
def hedge_distribution(state):
    """``p_t`` of the next :func:`hedge_act`, without drawing (``distribution_kernel``)."""
    hedge_probabilities(state)
    return state.probabilities


@kernel
def hedge_act(state, rng):
    """Sample ``I_t ~ p_t`` by inverse CDF from one uniform."""
    hedge_probabilities(state)
    return sample_index(state.probabilities, rng.random())


@kernel
def hedge_update(state, action, feedback):
    """``L_t = L_{t-1} + l_t`` with the full loss vector ``l_t``."""
    for i in range(state.cumulative_losses.shape[0]):
        state.cumulative_losses[i] += feedback[i]
    state.scalars[0] += 1.0


class Hedge(KernelLearner):
    """Hedge / exponentially weighted average forecaster (Cesa-Bianchi and Lugosi 2006, §2.1).

    Weights over the ``N`` experts at round ``t`` (computed from cumulative losses in log space,
    subtracting ``min_i L_{t-1,i}`` before exponentiating, so it is safe for any horizon)::

        p_{t,i} = exp(-eta_t L_{t-1,i}) / sum_j exp(-eta_t L_{t-1,j}),  L_{t-1,i} = sum_{s<t} l_{s,i}

    and the learner plays ``I_t ~ p_t`` (one uniform from its Generator); the loss charged is the
    sampled expert's.  Bounds on the expected regret ``sum_t <p_t, l_t> - min_i L_{T,i}`` for
    losses in [0, 1] (``N = n_actions``, ``T = horizon``):

    * fixed horizon, ``eta = sqrt(8 ln N / T)`` (Cesa-Bianchi & Lugosi, Theorem 2.2)::

          R_T <= sqrt(T ln N / 2)

    * ``anytime=True``, ``eta_t = sqrt(8 ln N / t)`` (Cesa-Bianchi & Lugosi, Theorem 2.3)::

          R_T <= 2 sqrt(T ln N / 2) + sqrt(ln N / 8)

    Losses in ``[a, b]`` scale both bounds by ``b - a``; the default tuning divides ``eta`` by
    ``b - a`` (from the environment's ``loss_range``).

    Args:
        eta: learning rate (fixed horizon) or the constant ``c`` of ``eta_t = c / sqrt(t)``
            (anytime).  ``None``: ``sqrt(8 ln N / T)``, resp. ``c = sqrt(8 ln N)``.
        anytime: use the time-varying rate ``eta_t`` (no horizon needed).
    """

    accepts = (FeedbackKind.FULL_INFORMATION,)
    _parameter_constraints = {
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "anytime": [Options((True, False))],
    }
    _test_params = [{}, {"anytime": True}, {"eta": 0.5}]
    act_kernel = staticmethod(hedge_act)
    update_kernel = staticmethod(hedge_update)
    distribution_kernel = staticmethod(hedge_distribution)

    def __init__(self, eta: float | None = None, anytime: bool = False):
        self.eta = eta
        self.anytime = anytime

    def learning_rate(self, spec) -> float:
        """``eta`` (fixed) or ``c`` (anytime) for the environment ``spec``."""
        if self.eta is not None:
            return float(self.eta)
        n = spec.n_actions
        scale = _loss_scale(self, spec)
        if self.anytime:
            return float(np.sqrt(8.0 * np.log(n))) / scale
        horizon = self.horizon_of(spec, "eta")
        return float(np.sqrt(8.0 * np.log(n) / horizon)) / scale

    def init_state(self, spec, rng):
        n = spec.n_actions
        return HedgeState(
            np.zeros(n), np.full(n, 1.0 / n), np.zeros(1), self.learning_rate(spec), bool(self.anytime)
        )

    @property
    def probabilities(self) -> np.ndarray:
        """``p_t`` of the next round (the distribution the next :meth:`act` samples from)."""
        hedge_probabilities(self.state_)
        return self.state_.probabilities.copy()


def _loss_scale(learner, spec) -> float:
    """``b - a`` for losses in ``[a, b]``, with a clear error when the range is unbounded."""
    low, high = spec.loss_range
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        raise ValueError(
            f"{type(learner).__name__} tunes 'eta' from the loss range, but the "
            f"environment's loss_range is ({low}, {high}). Set 'eta' explicitly."
        )
    return float(high - low)
