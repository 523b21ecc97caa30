"""The named checks of :func:`onlinelearn.testing.check_environment`."""

from __future__ import annotations

import pickle

import numpy as np

from onlinelearn.core.environment import KernelEnvironment, VectorError, check_vector
from onlinelearn.core.feedback import Feedback, FeedbackKind
from onlinelearn.core.oracle import (
    BEST_EXPECTED_LOSS,
    BEST_FIXED_CUMULATIVE_EXPECTED,
    BEST_FIXED_CUMULATIVE_LOSS,
    BEST_LOSS,
    EXPECTED_LOSS,
    EXPECTED_LOSSES,
    LOSS,
    OracleRecord,
)
from onlinelearn.core.spec import EnvSpec
from onlinelearn.testing._support import (
    ROUNDS,
    SEEDS,
    _assert_same_sequence,
    _compare_runs,
    _fail,
    _fixed_policy,
    _fresh,
    _kernel_trackers,
    _parameter_checks,
    _play_environment,
    _require_methods,
    _SkipCheck,
    _uniform_learner,
)


# --------------------------------------------------------------------------------------------
# Environments
# --------------------------------------------------------------------------------------------
def _environment_checks(environment):
    def spec_of():
        return _fresh(environment).reset(seed=SEEDS[0])

    def has_methods():
        _require_methods(
            environment,
            ("reset", "step", "oracle"),
            "environment",
            "reset(*, seed=None) -> EnvSpec, step(action) -> Feedback and oracle() -> OracleRecord",
        )

    def reset_returns_spec():
        spec = spec_of()
        if not isinstance(spec, EnvSpec):
            _fail(f"reset(seed=...) returned {type(spec).__name__}, not an EnvSpec.")
        if bool(spec.n_actions) == (spec.decision_set is not None):
            _fail(
                f"the spec must have exactly one of n_actions (finite actions) and decision_set "
                f"(continuous); got n_actions={spec.n_actions!r}, "
                f"decision_set={spec.decision_set!r}."
            )
        low, high = spec.loss_range
        if not low <= high:
            _fail(f"spec.loss_range {spec.loss_range} is not an interval (low <= high).")
        spec.feedback_size  # noqa: B018  (raises for an inconsistent kind / size)

    def feedback_and_oracle_valid():
        env = _fresh(environment)
        spec = env.reset(seed=SEEDS[0])
        policy = _fixed_policy(spec, "cycle")
        low, high = spec.loss_range
        for t in range(ROUNDS):
            action = policy(t)
            feedback = env.step(action)
            if not isinstance(feedback, Feedback):
                _fail(f"step returned {type(feedback).__name__} at round {t + 1}, not a Feedback.")
            if feedback.kind != spec.feedback_kind:
                _fail(
                    f"step returned feedback of kind {FeedbackKind(feedback.kind).name} at round "
                    f"{t + 1}; the spec declares {FeedbackKind(spec.feedback_kind).name}."
                )
            try:
                values = check_vector(feedback.values, spec.feedback_size, "step", "feedback", t)
            except VectorError as error:
                if error.non_finite is None:
                    _fail(
                        f"feedback values have shape {error.vector.shape} at round {t + 1}; kind "
                        f"{FeedbackKind(spec.feedback_kind).name} needs ({spec.feedback_size},).",
                        "the step kernel writes a buffer laid out for another kind (see the table "
                        "in onlinelearn/core/feedback.py).",
                    )
                _fail(
                    f"feedback {error.vector!r} at round {t + 1} is not finite.",
                    "a division by zero, log(0) or an uninitialised buffer in step.",
                )
            losses = _losses_in_feedback(spec, values)
            if np.any(losses < low) or np.any(losses > high):
                _fail(
                    f"losses {losses!r} at round {t + 1} lie outside spec.loss_range [{low:g}, {high:g}].",
                    "rewards reported instead of losses (loss = 1 - reward), or a loss_range "
                    "that does not bound the loss family.",
                )
            record = env.oracle()
            if not isinstance(record, OracleRecord):
                _fail(f"oracle() returned {type(record).__name__} at round {t + 1}, not an OracleRecord.")
            try:
                slots = check_vector(record.values, spec.record_size, "oracle", "oracle record", t)
            except VectorError as error:
                if error.non_finite is None:
                    _fail(
                        f"the oracle record has shape {error.vector.shape}; spec.record_size is "
                        f"{spec.record_size} (7 header slots + one per finite action)."
                    )
                _fail(
                    f"oracle record slots {error.non_finite} are not finite at round {t + 1}: "
                    f"{error.vector!r}.",
                    "a comparator initialised to inf and never written, e.g. hindsight does "
                    "not fill every slot (see onlinelearn/core/oracle.py).",
                )
            _check_record_consistency(spec, action, values, slots, t)

    def same_seed_same_trajectory():
        first, second = _fresh(environment), _fresh(environment)
        spec, f1, r1 = _play_environment(first, _fixed_policy(spec_of(), "cycle"), ROUNDS, SEEDS[0])
        _, f2, r2 = _play_environment(second, _fixed_policy(spec, "cycle"), ROUNDS, SEEDS[0])
        cause = (
            "the environment draws from np.random.* (global state) or from a generator "
            "created in __init__, instead of the Generator built from reset's seed."
        )
        _assert_same_sequence(f1, f2, "two resets with the same seed gave different feedback", cause)
        _assert_same_sequence(r1, r2, "two resets with the same seed gave different oracle records", cause)
        if isinstance(first, KernelEnvironment):
            s1, s2 = first.rng_.bit_generator.state, second.rng_.bit_generator.state
            if s1 != s2:
                _fail(
                    "after the same rounds with the same seed the generators are in different states.",
                    "a kernel draws a data-dependent number of random numbers, or "
                    "something outside the kernels draws from rng_.",
                )

    def reset_is_idempotent():
        spec = spec_of()
        policy = _fixed_policy(spec, "cycle")
        _, f1, r1 = _play_environment(_fresh(environment), policy, ROUNDS, SEEDS[0])
        env = _fresh(environment)
        _play_environment(env, _fixed_policy(spec, "constant"), ROUNDS // 2, SEEDS[1])
        env.reset(seed=SEEDS[0])
        _, f2, r2 = _play_environment(env, policy, ROUNDS, SEEDS[0])
        cause = (
            "reset does not rebuild all state (round counter, cumulative sums, cached "
            "tables), or it keeps drawing from a generator created once."
        )
        _assert_same_sequence(
            f1,
            f2,
            "after earlier rounds and two resets with the same seed the "
            "feedback differs from a single fresh reset",
            cause,
        )
        _assert_same_sequence(
            r1,
            r2,
            "after earlier rounds and two resets with the same seed the "
            "oracle records differ from a single fresh reset",
            cause,
        )

    def realisation_independent_of_actions():
        spec = spec_of()
        _, f1, r1 = _play_environment(_fresh(environment), _fixed_policy(spec, "cycle"), ROUNDS, SEEDS[0])
        _, f2, r2 = _play_environment(_fresh(environment), _fixed_policy(spec, "constant"), ROUNDS, SEEDS[0])
        if spec.n_actions:
            slots = [
                BEST_EXPECTED_LOSS,
                BEST_LOSS,
                BEST_FIXED_CUMULATIVE_LOSS,
                BEST_FIXED_CUMULATIVE_EXPECTED,
                *range(EXPECTED_LOSSES, EXPECTED_LOSSES + spec.n_actions),
            ]
        else:
            slots = [BEST_FIXED_CUMULATIVE_LOSS, BEST_FIXED_CUMULATIVE_EXPECTED]
        cause = (
            "the environment's random draws depend on the actions played (e.g. it draws only "
            "the played arm's loss from the generator), so learners in one repetition do "
            "not face the same realisation (common random numbers). Draw every action's "
            "loss whatever is played, or use onlinelearn.core.counter_rng."
        )
        _assert_same_sequence(
            [r.values[slots] for r in r1],
            [r.values[slots] for r in r2],
            f"the comparator / expected-loss slots {slots} differ under two different action sequences",
            cause,
        )
        if spec.feedback_kind == FeedbackKind.FULL_INFORMATION:
            _assert_same_sequence(
                f1, f2, "full-information feedback differs under two action sequences", cause
            )
        elif spec.feedback_kind == FeedbackKind.BANDIT and spec.n_actions:
            # The cycling policy plays arm 0 every n_actions rounds, like the constant one.
            rounds = range(0, ROUNDS, spec.n_actions)
            _assert_same_sequence(
                [f1[t] for t in rounds],
                [f2[t] for t in rounds],
                "arm 0's realised loss at a round depends on what was played before",
                cause,
            )

    def invalid_actions_rejected():
        env = _fresh(environment)
        spec = env.reset(seed=SEEDS[0])
        if spec.n_actions:
            invalid = [-1, spec.n_actions, 0.5, "0", None]
        else:
            d = spec.decision_set.dimension
            invalid = [np.zeros(d + 1), np.full(d, np.nan), "point", None]
        for action in invalid:
            try:
                env.step(action)
            except (ValueError, TypeError):
                continue
            except Exception as error:
                _fail(
                    f"step({action!r}) raised {type(error).__name__} instead of ValueError or TypeError.",
                    "step does not validate actions before running its kernel "
                    "(use onlinelearn.core.environment.check_action).",
                )
            _fail(
                f"step({action!r}) was accepted.",
                "step does not validate actions (use "
                "onlinelearn.core.environment.check_action); an invalid action would index "
                "out of bounds or silently wrap inside a kernel.",
            )

    def pickles():
        spec = spec_of()
        policy = _fixed_policy(spec, "cycle")
        copy_ = pickle.loads(pickle.dumps(environment))
        _, f1, r1 = _play_environment(_fresh(environment), policy, ROUNDS, SEEDS[0])
        _, f2, r2 = _play_environment(copy_, policy, ROUNDS, SEEDS[0])
        cause = "the object or its state holds something pickle cannot restore faithfully."
        _assert_same_sequence(f1 + r1, f2 + r2, "an unpickled copy plays a different trajectory", cause)
        env = _fresh(environment)
        _play_environment(env, policy, ROUNDS // 2, SEEDS[0])
        middle = pickle.loads(pickle.dumps(env))
        later = [policy(t) for t in range(ROUNDS // 2, ROUNDS)]
        a = [(env.step(x), env.oracle()) for x in later]
        b = [(middle.step(x), middle.oracle()) for x in later]
        _assert_same_sequence(
            [p for pair in a for p in pair],
            [p for pair in b for p in pair],
            "a copy pickled in the middle of a run continues differently",
            cause,
        )

    def kernels_match_python():
        if not isinstance(environment, KernelEnvironment) or environment.step_kernel is None:
            raise _SkipCheck
        spec = spec_of()
        _compare_runs(
            _uniform_learner(spec),
            environment,
            _kernel_trackers(),
            "a uniformly random learner on this environment",
        )

    return [
        ("has_methods", has_methods, "the class does not implement the environment protocol."),
        (
            "reset_returns_spec",
            reset_returns_spec,
            "reset(*, seed) must build and return the EnvSpec (make_spec).",
        ),
        *_parameter_checks(environment, lambda env: env.reset(seed=0)),
        (
            "feedback_and_oracle_valid",
            feedback_and_oracle_valid,
            "the step/hindsight kernels do not follow the feedback and oracle layouts.",
        ),
        (
            "same_seed_same_trajectory",
            same_seed_same_trajectory,
            "randomness that does not come from the Generator built from reset's seed.",
        ),
        ("reset_is_idempotent", reset_is_idempotent, "reset does not rebuild all state from the seed."),
        (
            "realisation_independent_of_actions",
            realisation_independent_of_actions,
            "the realisation depends on the actions played (no common random numbers).",
        ),
        ("invalid_actions_rejected", invalid_actions_rejected, "step does not validate its action."),
        (
            "pickles",
            pickles,
            "an attribute that cannot be pickled (lambda, open file, lock, "
            "generator object); the runner copies environments.",
        ),
        (
            "kernels_match_python",
            kernels_match_python,
            "the Python methods do work the kernels do not (or vice versa), or a kernel draws "
            "from np.random.* instead of its rng argument.",
        ),
    ]


def _losses_in_feedback(spec: EnvSpec, values: np.ndarray) -> np.ndarray:
    """The entries of a feedback buffer that are losses (and so lie in ``spec.loss_range``)."""
    kind = spec.feedback_kind
    if kind in (FeedbackKind.BANDIT, FeedbackKind.FULL_INFORMATION):
        return values
    if kind == FeedbackKind.GRADIENT:
        return values[:1]
    if kind == FeedbackKind.MULTI_QUERY:
        n = int(values[0]) if values.size and np.isfinite(values[0]) else 0
        return values[2 : 2 + 2 * n : 2]
    if kind == FeedbackKind.BANDIT_CONVEX:
        n = int(values[0]) if values.size and np.isfinite(values[0]) else 0
        return values[1 : 1 + n]
    return values[:0]


def _check_record_consistency(spec, action, feedback, record, t):
    """Relations between oracle slots and feedback that hold for every environment."""

    def close(a, b):
        return abs(a - b) <= 1e-9 * (1.0 + abs(a) + abs(b))

    where = f"at round {t + 1}"
    kind = spec.feedback_kind
    played = None
    if kind in (FeedbackKind.BANDIT, FeedbackKind.GRADIENT):
        played = feedback[0]
    elif kind == FeedbackKind.FULL_INFORMATION:
        played = feedback[action]
    elif kind == FeedbackKind.MULTI_QUERY:
        played = feedback[2]
    elif kind == FeedbackKind.BANDIT_CONVEX:
        played = feedback[1]
    if played is not None and not close(played, record[LOSS]):
        _fail(
            f"oracle LOSS {record[LOSS]!r} differs from the loss in the feedback {played!r} {where}.",
            "step writes the realised loss to the feedback and a different number to record[LOSS].",
        )
    if spec.n_actions:
        expected = record[EXPECTED_LOSSES : EXPECTED_LOSSES + spec.n_actions]
        if not close(record[EXPECTED_LOSS], expected[action]):
            _fail(
                f"oracle EXPECTED_LOSS {record[EXPECTED_LOSS]!r} differs from "
                f"EXPECTED_LOSSES[{action}] = {expected[action]!r} {where}.",
                "step and hindsight disagree on the expected losses.",
            )
        if not close(record[BEST_EXPECTED_LOSS], expected.min()):
            _fail(
                f"oracle BEST_EXPECTED_LOSS {record[BEST_EXPECTED_LOSS]!r} is not the minimum "
                f"of EXPECTED_LOSSES ({expected.min()!r}) {where}.",
                "the per-round best action is computed from different means than the expected-loss vector.",
            )
        if record[BEST_LOSS] > record[LOSS] + 1e-9 * (1.0 + abs(record[LOSS])):
            _fail(
                f"oracle BEST_LOSS {record[BEST_LOSS]!r} exceeds the played loss {record[LOSS]!r} {where}.",
                "BEST_LOSS is not the minimum over all actions of this round's realised loss.",
            )
