"""The named checks of :func:`onlinelearn.testing.check_learner`."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np

from onlinelearn.core.decision_sets import ball
from onlinelearn.core.environment import KernelEnvironment
from onlinelearn.core.feedback import FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.spec import EnvSpec
from onlinelearn.testing._support import (
    ROUNDS,
    SEEDS,
    _assert_same_sequence,
    _compare_runs,
    _describe,
    _fail,
    _fresh,
    _kernel_trackers,
    _parameter_checks,
    _require_methods,
    _SkipCheck,
    find_compatible_environment,
)


# --------------------------------------------------------------------------------------------
# Learners
# --------------------------------------------------------------------------------------------
def _check_action(spec: EnvSpec, action, t: int):
    where = f"at round {t + 1}"
    if spec.n_actions and spec.feedback_kind == FeedbackKind.MULTI_QUERY:
        queries = np.asarray(action)
        if queries.ndim != 1 or queries.dtype.kind not in "iu" or not 1 <= queries.size <= spec.n_queries:
            _fail(
                f"act() returned {action!r} {where}; a multi-query learner must return an int array "
                f"of 1 to {spec.n_queries} arms (the first is played).",
                "the act kernel returns one arm, floats, or more queries than the spec's n_queries.",
            )
        if queries.min() < 0 or queries.max() >= spec.n_actions:
            _fail(
                f"act() queried arms {queries.tolist()} {where}, outside [0, {spec.n_actions}).",
                "an off-by-one in the arm index of a query.",
            )
        return
    if spec.n_actions:
        if isinstance(action, bool) or not isinstance(action, int | np.integer):
            _fail(
                f"act() returned {action!r} ({type(action).__name__}) {where}; a finite-action "
                "learner must return an int.",
                "the act kernel returns a float or an array instead of an int64 arm index.",
            )
        if not 0 <= action < spec.n_actions:
            _fail(
                f"act() returned arm {action!r} {where}, outside [0, {spec.n_actions}).",
                "an off-by-one in the arm index, or sampling with probabilities that do not "
                "sum to one (use onlinelearn.core.sampling.sample_index).",
            )
        return
    point = np.asarray(action, dtype=float) if not isinstance(action, str) else None
    if spec.feedback_kind == FeedbackKind.BANDIT_CONVEX and point is not None and point.ndim == 2:
        # Multi-point queries (k, d), the first played: every row must be a valid point.
        if not 1 <= point.shape[0] <= spec.n_queries:
            _fail(f"act() returned {point.shape[0]} points {where}; spec.n_queries is {spec.n_queries}.")
        for row in point:
            _check_action(replace(spec, feedback_kind=FeedbackKind.GRADIENT), row, t)
        return
    if point is None or point.shape != (spec.decision_set.dimension,):
        _fail(
            f"act() returned {action!r} {where}; expected a point of shape ({spec.decision_set.dimension},)."
        )
    if not spec.decision_set.contains(point, tolerance=1e-8):
        _fail(
            f"act() returned {action!r} {where}, outside the {spec.decision_set.name} decision set.",
            "the iterate is not projected onto the decision set after the update "
            "(onlinelearn.core.decision_sets.project), or a step size overflows.",
        )


def _play_learner(
    learner,
    environment,
    rounds,
    learner_seed,
    environment_seed=SEEDS[0],
    reset: bool = True,
    validate: bool = False,
):
    spec = environment.reset(seed=environment_seed).with_horizon(rounds)
    if reset:
        learner.reset(spec, np.random.default_rng(learner_seed))
    actions = []
    for t in range(rounds):
        action = learner.act()
        if validate:
            _check_action(spec, action, t)
        actions.append(np.array(action, dtype=float, copy=True))
        learner.update(environment.step(action))
    return actions


def _learner_checks(learner, environment):
    state = {}

    def partner():
        if "environment" not in state:
            state["environment"] = (
                environment if environment is not None else find_compatible_environment(learner=learner)
            )
        return _fresh(state["environment"])

    def spec():
        return partner().reset(seed=SEEDS[0]).with_horizon(ROUNDS)

    determinism_cause = (
        "the learner draws from np.random.* (global state) or from a generator "
        "it created itself, instead of the Generator passed to reset(spec, rng)."
    )

    def has_methods():
        _require_methods(
            learner, ("reset", "act", "update"), "learner", "reset(spec, rng), act() and update(feedback)"
        )

    def reset_accepts_compatible_spec():
        try:
            partner()
        except LookupError as error:
            _fail(
                str(error),
                "the learner rejects the spec of every registered environment "
                "(check its accepts / action_space), or none is registered yet.",
            )
        _fresh(learner).reset(spec(), np.random.default_rng(0))

    def rejects_unsupported_spec():
        base = spec()
        unsupported = []
        accepts = getattr(learner, "accepts", None)
        if accepts is not None:
            unsupported += [
                replace(base, feedback_kind=kind) for kind in FeedbackKind if kind not in accepts
            ][:1]
        if base.n_actions:
            unsupported.append(EnvSpec(base.feedback_kind, decision_set=ball(2), horizon=ROUNDS))
        else:
            unsupported.append(EnvSpec(base.feedback_kind, n_actions=3, horizon=ROUNDS))
        for bad in unsupported:
            try:
                _fresh(learner).reset(bad, np.random.default_rng(0))
            except (TypeError, ValueError):
                continue
            what = (
                f"feedback kind {FeedbackKind(bad.feedback_kind).name}"
                if bad.feedback_kind != base.feedback_kind
                else ("a continuous decision set" if base.n_actions else "finite actions")
            )
            _fail(
                f"reset accepted a spec with {what}, which this learner cannot play; it must "
                "raise TypeError or ValueError before round 1.",
                "reset does not call check_spec, or 'accepts' / 'action_space' are declared "
                "wider than what the update kernel handles.",
            )

    def actions_valid():
        _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0], validate=True)

    def deterministic_given_rng():
        first = _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0])
        second = _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0])
        _assert_same_sequence(
            first, second, "two runs with the same seed chose different actions", determinism_cause
        )

    def reset_is_idempotent():
        fresh = _play_learner(_fresh(learner), partner(), ROUNDS, SEEDS[0])
        reused = _fresh(learner)
        _play_learner(reused, partner(), ROUNDS // 2, SEEDS[1], environment_seed=SEEDS[1])
        reused.reset(spec(), np.random.default_rng(SEEDS[1]))
        again = _play_learner(reused, partner(), ROUNDS, SEEDS[0])
        _assert_same_sequence(
            fresh,
            again,
            "after earlier rounds and two resets the actions differ from a fresh learner's",
            "reset does not rebuild all state (counts, "
            "sums, step sizes, caches are kept from the previous run).",
        )

    def pickles():
        env = partner()
        fresh = _play_learner(_fresh(learner), _fresh(env), ROUNDS, SEEDS[0])
        unpickled = _play_learner(pickle.loads(pickle.dumps(learner)), _fresh(env), ROUNDS, SEEDS[0])
        cause = "the object or its state holds something pickle cannot restore faithfully."
        _assert_same_sequence(fresh, unpickled, "an unpickled copy chose different actions", cause)
        playing, environment_ = _fresh(learner), _fresh(env)
        _play_learner(playing, environment_, ROUNDS // 2, SEEDS[0])
        middle, middle_env = pickle.loads(pickle.dumps((playing, environment_)))
        a, b = [], []
        for learner_, env_, out in ((playing, environment_, a), (middle, middle_env, b)):
            for _ in range(ROUNDS // 2):
                action = learner_.act()
                out.append(np.array(action, dtype=float, copy=True))
                learner_.update(env_.step(action))
        _assert_same_sequence(a, b, "a copy pickled in the middle of a run continues differently", cause)

    def kernels_match_python():
        if not isinstance(learner, KernelLearner) or learner.act_kernel is None:
            raise _SkipCheck
        env = partner()
        if not isinstance(env, KernelEnvironment):
            raise _SkipCheck
        _compare_runs(learner, env, _kernel_trackers(), f"this learner on {_describe(env)}")

    parameter_checks = _parameter_checks(learner, lambda obj: obj.reset(spec(), np.random.default_rng(0)))

    return [
        ("has_methods", has_methods, "the class does not implement the learner protocol."),
        *parameter_checks[:2],
        (
            "reset_accepts_compatible_spec",
            reset_accepts_compatible_spec,
            "reset fails on a spec the learner declares it accepts.",
        ),
        (
            "rejects_unsupported_spec",
            rejects_unsupported_spec,
            "reset must reject a spec it cannot play (KernelLearner.check_spec).",
        ),
        parameter_checks[2],
        ("actions_valid", actions_valid, "act returns an action outside the action set."),
        ("deterministic_given_rng", deterministic_given_rng, determinism_cause),
        ("reset_is_idempotent", reset_is_idempotent, "reset does not rebuild all state."),
        (
            "pickles",
            pickles,
            "an attribute that cannot be pickled (lambda, open file, lock, "
            "generator object); the runner copies learners.",
        ),
        (
            "kernels_match_python",
            kernels_match_python,
            "the Python methods do work the kernels do not (or vice versa), or a kernel draws "
            "from np.random.* instead of its rng argument.",
        ),
    ]
