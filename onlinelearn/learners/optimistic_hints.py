"""Hints ``M_{t+1}`` of the next gradient, shared by the optimistic learners of the SEA model.

:class:`~onlinelearn.learners.optimistic_omd.OptimisticOMD`,
:class:`~onlinelearn.learners.optimistic_ftrl.OptimisticFTRL` and
:class:`~onlinelearn.learners.optimistic_ftl.OFTL` receive GRADIENT feedback ``g_t = grad f_t(x_t)``
and a hint ``M_{t+1}`` of the next gradient, chosen by their ``hint`` parameter:

* ``"last_gradient"`` (default): ``M_{t+1} = g_t`` (``M_1 = 0``), the optimism of both papers;
* ``"mean_gradient"``: ``M_{t+1} = (1/t) sum_{s<=t} g_s`` (suited to i.i.d. data);
* ``"none"``: ``M_t = 0`` (plain OMD / FTRL with the same adaptive step sizes);
* an array of shape ``(T, d)``: an external hint sequence, row ``t`` (0-based) is the hint of
  round ``t + 1`` (``M_1 = hints[0]``).  With a horizon in the spec (every :func:`onlinelearn.run`)
  its length is checked at reset; without one (a loop driven by hand) ``act`` raises at the first
  round that has no row (:func:`check_hints_left`) rather than play with ``M = 0``.

Bounds are stated for the realised hint error ``||g_t - M_t||``; with the last-gradient hint
they become the ``sigma^2_{1:T}`` / ``Sigma^2_{1:T}`` bounds of the papers.  Exact statistics of
those quantities come from :mod:`onlinelearn.environments.sea`.
"""

from __future__ import annotations

import numpy as np

from onlinelearn.core.numba_options import kernel
from onlinelearn.core.params import ArrayLike
from onlinelearn.learners.omd import StringOptions

LAST_GRADIENT = 0
MEAN_GRADIENT = 1
NO_HINT = 2
EXTERNAL = 3
HINTS = {"last_gradient": LAST_GRADIENT, "mean_gradient": MEAN_GRADIENT, "none": NO_HINT}

#: Declared constraints of the ``hint`` parameter (a mode name or a ``(T, d)`` array).
HINT_CONSTRAINTS = [StringOptions(tuple(HINTS)), ArrayLike(ndim=2)]


@kernel
def next_hint(mode, hint, gradient_sum, hints, feedback, t, accumulated):
    """Write ``M_{t+1}`` into ``hint`` after the ``t``-th gradient ``feedback[1:]`` (t >= 1).

    ``gradient_sum`` is ``sum_{s<=t} g_s``: already so when ``accumulated`` (FTRL keeps it anyway),
    otherwise updated here, and only when the mean hint needs it.
    """
    d = hint.shape[0]
    if mode == LAST_GRADIENT:
        for i in range(d):
            hint[i] = feedback[1 + i]
    elif mode == MEAN_GRADIENT:
        for i in range(d):
            if not accumulated:
                gradient_sum[i] += feedback[1 + i]
            hint[i] = gradient_sum[i] / t
    elif mode == EXTERNAL and t < hints.shape[0]:
        row = int(t)
        for i in range(d):
            hint[i] = hints[row, i]
    else:
        # No hint, or M_{T+1} after the last row: never played (check_hints_left raises first).
        hint[:] = 0.0


@kernel
def hint_error(hint, feedback):
    """``||g_t - M_t||^2``."""
    total = 0.0
    for i in range(hint.shape[0]):
        total += (feedback[1 + i] - hint[i]) ** 2
    return total


def hint_arguments(learner, spec):
    """``(mode, hints array)`` of the learner's ``hint`` parameter, checked against ``spec``."""
    hint = learner.hint
    d = spec.decision_set.dimension
    if isinstance(hint, str):
        return HINTS[hint], np.zeros((1, d))
    hints = np.ascontiguousarray(hint, dtype=float)
    if hints.shape[1] != d:
        raise ValueError(
            f"The 'hint' parameter of {type(learner).__name__} must have d={d} columns (one hint "
            f"vector per round). Got shape {hints.shape} instead."
        )
    if spec.horizon is not None and hints.shape[0] < spec.horizon:
        raise ValueError(
            f"The 'hint' parameter of {type(learner).__name__} must have at least T={spec.horizon} "
            f"rows (one hint per round). Got shape {hints.shape} instead."
        )
    return EXTERNAL, hints


def check_hints_left(learner) -> None:
    """Before round ``t + 1`` (``t = state.scalars[0]`` rounds played): raise if an external hint
    sequence has no row for it (possible only when the spec had no horizon at reset)."""
    state = learner.state_
    if state.hint_mode != EXTERNAL:
        return
    played = int(state.scalars[0])
    rows = state.hints.shape[0]
    if played >= rows:
        raise ValueError(
            f"The 'hint' parameter of {type(learner).__name__} has {rows} rows (one hint per round), "
            f"so round {played + 1} has no hint. Give at least T rows, or reset with "
            "spec.with_horizon(T) so that the length is checked before round 1."
        )


class ExternalHintRounds:
    """Mixin of the optimistic learners' Python face: refuse a round with no external hint left."""

    def act(self):
        check_hints_left(self)
        return super().act()
