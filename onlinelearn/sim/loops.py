"""The two loops over rounds: the compiled runner and the Python loop, with identical results.

Both build every state in Python from the same seeded Generators, so for a given seed they give
bit-identical curves (tested for every built-in pair in ``tests/test_common.py``).
"""

from __future__ import annotations

import numpy as np

from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.learner import KernelLearner, check_query_budget
from onlinelearn.core.records import typed_list
from onlinelearn.core.seeding import ENVIRONMENT_ROLE, generator, learner_role
from onlinelearn.sim.codegen import load_runner
from onlinelearn.sim.validation import check_feedback, check_learner_action, check_oracle
from onlinelearn.trackers.base import KernelTracker


def checkpoint_grid(horizon: int, n_points: int = 200) -> np.ndarray:
    """Log-spaced round counts in [1, horizon], always ending at the horizon."""
    grid = np.unique(np.geomspace(1, horizon, num=min(n_points, horizon)).round().astype(np.int64))
    if grid[-1] != horizon:
        if len(grid) >= n_points:
            grid[-1] = horizon
        else:
            grid = np.append(grid, np.int64(horizon))
    return grid


def is_compilable(learner, environment, trackers) -> bool:
    """Whether every part of the loop has kernels."""
    return (
        isinstance(learner, KernelLearner)
        and learner.act_kernel is not None
        and isinstance(environment, KernelEnvironment)
        and environment.step_kernel is not None
        and all(isinstance(t, KernelTracker) and t.record_kernel is not None for t in trackers)
    )


def _reset_repetition(learner, environment, trackers, horizon, seed, config_index, learner_index, repetition):
    """Reset all parts for one repetition from the experiment's seed tree; return the spec."""
    environment_rng = generator(seed, config_index, repetition, ENVIRONMENT_ROLE)
    spec = environment.reset(seed=environment_rng).with_horizon(horizon)
    check_query_budget(learner, spec)  # user learners too: the compiled loop would drop extra queries
    learner.reset(spec, generator(seed, config_index, repetition, learner_role(learner_index)))
    for tracker in trackers:
        tracker.reset(spec, horizon)
    return spec


def run_compiled(
    learner,
    environment,
    trackers,
    horizon,
    repetitions,
    seed,
    config_index,
    learner_index,
    checkpoints,
    parallel: bool,
):
    """Run ``repetitions`` of one (learner, environment) pair in a compiled runner.

    Returns one array ``(len(repetitions), len(checkpoints), n_metrics)`` per tracker.
    """
    learner_states, environment_states, learner_rngs, environment_rngs = [], [], [], []
    tracker_states = [[] for _ in trackers]
    spec = None
    for repetition in repetitions:
        spec = _reset_repetition(
            learner, environment, trackers, horizon, seed, config_index, learner_index, repetition
        )
        learner_states.append(learner.state_)
        environment_states.append(environment.state_)
        learner_rngs.append(learner.rng_)
        environment_rngs.append(environment.rng_)
        for states, tracker in zip(tracker_states, trackers, strict=True):
            states.append(tracker.state_)
    curves = [np.zeros((len(repetitions), len(checkpoints), len(t.metric_names))) for t in trackers]
    runner = load_runner(
        (learner.act_kernel, learner.update_kernel),
        (environment.step_kernel, environment.hindsight_kernel),
        [(t.record_kernel, t.values_kernel) for t in trackers],
        hindsight=any(t.needs_hindsight for t in trackers),
    )
    run = runner.run_parallel if parallel else runner.run_serial
    run(
        typed_list(learner_states),
        typed_list(environment_states),
        typed_list(learner_rngs),
        typed_list(environment_rngs),
        np.int64(horizon),
        checkpoints,
        np.int64(spec.feedback_size),
        np.int64(spec.record_size),
        *[typed_list(states) for states in tracker_states],
        *curves,
    )
    return curves


def run_python(
    learner,
    environment,
    trackers,
    horizon,
    repetitions,
    seed,
    config_index,
    learner_index,
    checkpoints,
    validate: bool,
):
    """The same loop in Python; ``validate`` checks every action, feedback and oracle record."""
    curves = [np.zeros((len(repetitions), len(checkpoints), len(t.metric_names))) for t in trackers]
    for row, repetition in enumerate(repetitions):
        spec = _reset_repetition(
            learner, environment, trackers, horizon, seed, config_index, learner_index, repetition
        )
        c = 0
        for t in range(horizon):
            action = learner.act()
            if validate:
                check_learner_action(action, spec, learner, environment, t)
            feedback = environment.step(action)
            if validate:
                check_feedback(feedback, spec, environment, t)
            learner.update(feedback)
            oracle = environment.oracle()
            if validate:
                check_oracle(oracle, spec, environment, t)
            for tracker in trackers:
                tracker.record(oracle)
            if c < len(checkpoints) and t + 1 == checkpoints[c]:
                for curve, tracker in zip(curves, trackers, strict=True):
                    curve[row, c] = tracker.values()
                c += 1
    return curves
