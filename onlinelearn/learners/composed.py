"""Composed runs: a strongly adaptive meta-learner over copies of any registered base learner.

The meta (SAOL, CBCE, AdaNormalHedge) keeps its schedule and weights in a
:class:`~onlinelearn.learners.intervals.SleepingState`; each run is a state record of the base,
built by the base's own ``init_state`` with the run's length as the horizon and driven by the
base's own ``act``/``update`` kernels.  The records live in a ``numba.typed.List`` (one per slot);
one more list holds, per level, the record a run of that level starts from, copied into the slot
when the run restarts (:func:`~onlinelearn.core.records.copy_into`).

Numba inlines only what a function's globals name, so the meta's kernels for one base are written
as a small generated module (:mod:`onlinelearn.core.generated`) whose globals are the base's
kernels and the meta's ``weigh``/``learn`` kernels.  Three ways of composing, chosen by the feedback
and the base (``r_t(J)`` is the meta's instantaneous regret to run ``J``, fed to the meta after
scaling into [-1, 1]):

* ``"mixture"`` (finite actions, FULL_INFORMATION, a base with a ``distribution_kernel``, e.g.
  Hedge with ``anytime=True``, OptimisticHedge): ``x_t = sum_J p_t(J) x_t^J`` from the runs'
  distributions, one draw ``A_t ~ x_t``, ``r_t(J) = (<x_t, l_t> - <x_t^J, l_t>) / (b - a)``, exact as in
  Daniely et al. (2015) and Jun et al. (2017);
* ``"sampled"`` (finite actions, FULL_INFORMATION, any other base): every awake run draws its own
  action ``a_t^J`` with its ``act``; the meta draws ``J ~ p_t`` and plays ``a_t^J``.  With
  ``m_t = sum_J p_t(J) l_t(a_t^J)``, ``r_t(J) = (m_t - l_t(a_t^J)) / (b - a)``.  Given the past,
  ``E m_t = E l_t(A_t) = <x_t, l_t>`` and ``E l_t(a_t^J) = <x_t^J, l_t>``: the outcomes are unbiased
  estimates of the exact ones, and ``sum_J p_t(J) r_t(J) = 0`` holds exactly, which is what the
  meta's potential argument needs, so its bound holds for the realised outcomes and, in
  expectation, for the exact regret;
* ``"points"`` (a convex decision set, GRADIENT feedback ``[f_t(x_t), g_t]``): the meta plays
  ``x_t = sum_J p_t(J) x_t^J``, feeds every awake run the same feedback (the gradient at ``x_t``)
  and uses the linearised regret ``r_t(J) = <g_t, x_t - x_t^J> / (G D)`` (``|r_t| <= 1`` for
  ``||g_t|| <= G`` and diameter ``D``); by convexity ``f_t(x_t) - f_t(x_t^J) <= <g_t, x_t - x_t^J>``,
  the reduction of Daniely et al. (2015) for online convex optimisation.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np

from onlinelearn.core.generated import import_generated, kernel_reference, outside_fingerprint
from onlinelearn.core.numba_options import inlined_kernel
from onlinelearn.core.records import check_plain_record, copy_into, typed_list
from onlinelearn.learners.intervals import MODE_FULL, SleepingState, begin_round, score_runs, sleeping_state

MIXTURE = "mixture"
SAMPLED = "sampled"
POINTS = "points"


class ComposedState(NamedTuple):
    """A meta-learner's state over composed runs of one base learner."""

    meta: SleepingState  # schedule, meta weights; base_probabilities hold x_t^J (distribution or point)
    runs: Any  # numba typed List of the base's state records, one per slot
    fresh: Any  # numba typed List: per level, the record a restarted run starts from
    run_actions: np.ndarray  # int64 (n_slots,): each awake run's own action ("sampled")
    loss_scale: float  # b - a (finite actions) or G D (points): divides r_t(J) into [-1, 1]


# --------------------------------------------------------------------------------------------
# Kernels shared by every composed meta (the generated modules call them)
# --------------------------------------------------------------------------------------------
@inlined_kernel
def begin_composed_round(state):
    """Restart the runs whose interval starts this round (their records start afresh)."""
    meta, runs, fresh = state.meta, state.runs, state.fresh
    t = begin_round(meta)
    starts, levels = meta.starts, meta.slot_levels
    for slot in range(starts.shape[0]):
        if starts[slot] == t:
            copy_into(runs[slot], fresh[levels[slot]])


@inlined_kernel
def score_linear(state, feedback, first):
    """With ``v = feedback[first:]`` (the losses ``l_t`` from 0, or the gradient ``g_t`` after
    ``f_t(x_t)`` from 1): ``slot_losses[J] = <v, x_t^J> / s`` and the meta loss ``<v, x_t> / s``
    (``s`` = ``b - a`` or ``G D``)."""
    meta = state.meta
    estimates = meta.estimates
    for i in range(estimates.shape[0]):
        estimates[i] = feedback[first + i]
    score_runs(meta)
    out = meta.slot_losses
    for slot in range(out.shape[0]):
        out[slot] /= state.loss_scale
    meta.scalars[1] /= state.loss_scale


@inlined_kernel
def score_sampled(state, feedback):
    """``slot_losses[J] = l_t(a_t^J) / s`` and the meta loss ``sum_J p_t(J) l_t(a_t^J) / s``."""
    meta, actions = state.meta, state.run_actions
    awake, weights, out = meta.awake, meta.meta_probabilities, meta.slot_losses
    scale = state.loss_scale
    total = 0.0
    for slot in range(awake.shape[0]):
        value = 0.0
        if awake[slot]:
            value = feedback[actions[slot]] / scale
            total += weights[slot] * value
        out[slot] = value
    meta.scalars[1] = total


@inlined_kernel
def mix_points(meta):
    """``x_t = sum_J p_t(J) x_t^J`` into ``meta.probabilities``; returns a copy (the action)."""
    mixture, weights, points = meta.probabilities, meta.meta_probabilities, meta.base_probabilities
    for i in range(mixture.shape[0]):
        mixture[i] = 0.0
    for slot in range(weights.shape[0]):
        weight = weights[slot]
        if weight > 0.0:
            for i in range(mixture.shape[0]):
                mixture[i] += weight * points[slot, i]
    return mixture.copy()


# --------------------------------------------------------------------------------------------
# Generated kernels: the per-base loops
# --------------------------------------------------------------------------------------------
_HEADER = '''"""{meta} over {base} runs ({mode}), generated by onlinelearn.learners.composed; do not edit."""
from numba import njit

from onlinelearn.core.numba_options import KERNEL_OPTIONS
from onlinelearn.core.sampling import sample_index
from onlinelearn.learners.composed import (
    begin_composed_round,
    mix_points,
    score_linear,
    score_sampled,
)
from onlinelearn.learners.intervals import mix_and_sample
{imports}
'''

_UPDATE_TAIL = """    learn(meta)
    awake, runs = meta.awake, state.runs
    for slot in range(awake.shape[0]):
        if awake[slot]:
            base_update(runs[slot], {run_action}, feedback)
    meta.scalars[0] += 1.0
"""

_BODIES = {
    MIXTURE: '''

@njit(**KERNEL_OPTIONS)
def act(state, rng):
    """x_t^J from every awake run's distribution kernel, p_t from the meta, A_t ~ sum_J p_t(J) x_t^J."""
    begin_composed_round(state)
    meta, runs = state.meta, state.runs
    awake, rows = meta.awake, meta.base_probabilities
    for slot in range(awake.shape[0]):
        if awake[slot]:
            distribution = base_distribution(runs[slot])
            for a in range(distribution.shape[0]):
                rows[slot, a] = distribution[a]
    weigh(meta)
    return mix_and_sample(meta, rng)


@njit(**KERNEL_OPTIONS)
def update(state, action, feedback):
    meta = state.meta
    score_linear(state, feedback, 0)
'''
    + _UPDATE_TAIL.format(run_action="action"),
    SAMPLED: '''

@njit(**KERNEL_OPTIONS)
def act(state, rng):
    """Every awake run draws its own action; the meta draws J ~ p_t and plays a_t^J."""
    begin_composed_round(state)
    meta, runs, actions = state.meta, state.runs, state.run_actions
    awake = meta.awake
    for slot in range(awake.shape[0]):
        if awake[slot]:
            actions[slot] = base_act(runs[slot], rng)
    weigh(meta)
    return actions[sample_index(meta.meta_probabilities, rng.random())]


@njit(**KERNEL_OPTIONS)
def update(state, action, feedback):
    meta = state.meta
    score_sampled(state, feedback)
'''
    + _UPDATE_TAIL.format(run_action="state.run_actions[slot]"),
    POINTS: '''

@njit(**KERNEL_OPTIONS)
def act(state, rng):
    """x_t^J from every awake run's act, p_t from the meta, play x_t = sum_J p_t(J) x_t^J."""
    begin_composed_round(state)
    meta, runs = state.meta, state.runs
    awake, points = meta.awake, meta.base_probabilities
    for slot in range(awake.shape[0]):
        if awake[slot]:
            point = base_act(runs[slot], rng)
            for i in range(point.shape[0]):
                points[slot, i] = point[i]
    weigh(meta)
    return mix_points(meta)


@njit(**KERNEL_OPTIONS)
def update(state, action, feedback):
    meta = state.meta
    score_linear(state, feedback, 1)
'''
    + _UPDATE_TAIL.format(run_action="meta.base_probabilities[slot]"),
}


def composition_mode(base, spec) -> str:
    """``"mixture"``, ``"sampled"`` or ``"points"`` for ``base`` on ``spec`` (module docstring)."""
    if spec.n_actions:
        return MIXTURE if base.distribution_kernel is not None else SAMPLED
    return POINTS


def composed_kernels(meta, base, mode: str):
    """``(act, update)`` of ``type(meta)`` over runs of ``base``, from a generated module."""
    kernels = {
        "weigh": type(meta).weigh_kernel,
        "learn": type(meta).learn_kernel,
        "base_act": base.act_kernel,
        "base_update": base.update_kernel,
    }
    if mode == MIXTURE:
        kernels["base_distribution"] = base.distribution_kernel
    imports = []
    for alias, function in kernels.items():
        module, name = kernel_reference(function)
        imports.append(f"from {module} import {name} as {alias}")
    source = _HEADER.format(
        meta=type(meta).__name__, base=type(base).__name__, mode=mode, imports="\n".join(imports)
    )
    source += _BODIES[mode]
    module = import_generated("_onlinelearn_composed", source, outside_fingerprint(kernels.values()))
    return module.act, module.update


def composed_state(meta, base, spec, rng, run_lengths, meta_rate, prior: int, mode: str, loss_scale):
    """Records of ``base`` built by its own ``init_state`` per run length, and the meta's state."""
    owner = f"{type(meta).__name__}'s base learner {base!r}"
    fresh = [base.init_state(replace(spec, horizon=int(length)), rng) for length in run_lengths]
    for record in fresh:
        check_plain_record(record, owner)
    width = spec.decision_set.dimension if mode == POINTS else spec.n_actions
    sleeping = sleeping_state(
        spec,
        meta.schedule,
        meta.lifetime_factor,
        np.zeros(len(run_lengths)),
        meta_rate,
        prior,
        False,
        MODE_FULL,
        width=width,
        loss_width=0,
    )
    copies = sleeping.copies
    n_slots = sleeping.starts.shape[0]
    try:
        runs = typed_list([copy.deepcopy(fresh[slot // copies]) for slot in range(n_slots)])
        templates = typed_list(fresh)
    except Exception as error:  # records of different Numba types for different run lengths
        raise TypeError(
            f"{owner}: its state records for different horizons have different types, so the runs "
            f"cannot share one typed list ({error})."
        ) from error
    return ComposedState(sleeping, runs, templates, np.zeros(n_slots, dtype=np.int64), float(loss_scale))
