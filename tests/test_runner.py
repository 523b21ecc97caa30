import numba
import numpy as np
import pytest
from onlinelearn.environments import BernoulliBandit

import onlinelearn as ol
from onlinelearn.core import EnvSpec, Feedback, FeedbackKind, OracleRecord, PythonFiniteEnvironment
from onlinelearn.core.oracle import BEST_FIXED_CUMULATIVE_LOSS, LOSS, record_size

TRACKERS = [ol.trackers.PseudoRegret(), ol.trackers.StaticRegret()]


def run_small(**kwargs):
    return ol.run(
        [ol.learners.UCB1(), ol.learners.KLUCB()],
        [BernoulliBandit(means=[0.1, 0.5, 0.9]), BernoulliBandit(means=[0.4, 0.6])],
        horizon=400,
        n_reps=6,
        seed=11,
        trackers=TRACKERS,
        **kwargs,
    )


def assert_same(a, b):
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name])


def test_compiled_python_serial_and_threads_are_bit_identical():
    compiled = run_small()
    assert compiled.compiled.all()
    python = run_small(compiled=False)
    assert not python.compiled.any()
    assert_same(compiled, python)
    assert_same(compiled, run_small(backend="serial"))
    assert_same(compiled, run_small(n_jobs=1))
    assert_same(compiled, run_small(n_jobs=min(2, numba.config.NUMBA_NUM_THREADS)))


def test_same_seed_same_results_and_other_seed_differs():
    a = run_small()
    assert_same(a, run_small())
    b = ol.run(
        ol.learners.UCB1(),
        BernoulliBandit(means=[0.1, 0.5, 0.9]),
        horizon=400,
        n_reps=6,
        seed=12,
        trackers=TRACKERS,
    )
    assert not np.array_equal(a.metrics["regret"][0, 0], b.metrics["regret"][0, 0])


class LossAndComparator:
    """A plain tracker reporting the learner's cumulative realised loss and the best fixed arm's."""

    metric_names = ("own_loss", "best_fixed_loss")

    def reset(self, spec, horizon):
        self.sums = np.zeros(2)

    def record(self, oracle):
        self.sums[0] += oracle.values[LOSS]
        self.sums[1] = oracle.values[BEST_FIXED_CUMULATIVE_LOSS]

    def values(self):
        return self.sums.copy()


def test_common_random_numbers_across_learners():
    # The best fixed arm's cumulative realised loss depends only on the environment's realisation:
    # if every learner of a repetition faces the same realisation (common random numbers) it is
    # identical across learners, although the learners play differently.
    result = ol.run(
        [ol.learners.UCB1(), ol.learners.EXP3(), ol.learners.ThompsonSampling()],
        BernoulliBandit(means=[0.3, 0.5, 0.6]),
        horizon=300,
        n_reps=4,
        seed=11,
        trackers=[ol.trackers.StaticRegret(), LossAndComparator()],
        quiet=True,
    )
    comparator, own = result.metrics["best_fixed_loss"][:, 0], result.metrics["own_loss"][:, 0]
    for learner in (1, 2):
        np.testing.assert_array_equal(comparator[learner], comparator[0])
        assert not np.array_equal(own[learner], own[0])
    # ... while repetitions are different realisations,
    assert len({curve.tobytes() for curve in comparator[0]}) == 4
    # and the static regret is exactly own loss minus that comparator.
    np.testing.assert_array_equal(result.metrics["regret"][:, 0], own - comparator)


def test_run_does_not_modify_the_callers_objects():
    learner = ol.learners.UCB1()
    ol.run(learner, BernoulliBandit(), horizon=10, n_reps=1)
    assert not hasattr(learner, "state_")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"horizon": 0}, "'horizon' parameter of run"),
        ({"n_reps": 0}, "'n_reps' parameter of run"),
        ({"seed": -1}, "'seed' parameter"),
        ({"backend": "gpu"}, "'backend' parameter of run"),
    ],
)
def test_bad_run_arguments(kwargs, match):
    arguments = {"horizon": 10, "n_reps": 1, "seed": 0, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        ol.run(ol.learners.UCB1(), BernoulliBandit(), **arguments)


def test_bad_parameter_message_names_class_parameter_range_and_value():
    with pytest.raises(
        ValueError,
        match=r"The 'alpha' parameter of UCB1 must be a float in the "
        r"range \(0, inf\)\. Got -1\.0 instead\.",
    ):
        ol.run(ol.learners.UCB1(alpha=-1.0), BernoulliBandit(), horizon=10, n_reps=1)
    with pytest.raises(ValueError, match="'means' parameter of BernoulliBandit"):
        ol.run(ol.learners.UCB1(), BernoulliBandit(means=[0.5, 1.5]), horizon=10, n_reps=1)


# -- user-written environments are validated on every step ----------------------------------------
#: The defective environments below are correct until this round (1-based), where the defect appears.
BAD_ROUND = 8


def spoil(defect, losses, expected):
    """This round's losses and expected losses of every arm, with ``defect`` applied."""
    losses, expected = losses.copy(), expected.copy()
    if defect == "nan_every_arm":
        losses[:] = np.nan
    elif defect == "nan_one_arm":
        losses[1] = np.nan
    elif defect == "inf_one_arm":
        losses[2] = np.inf
    elif defect == "nan_expected_only":
        expected[0] = np.nan
    elif defect == "short_losses":
        losses = losses[:2]
    elif defect == "long_expected":
        expected = np.append(expected, 0.5)
    return losses, expected


class DefectiveEnvironment(PythonFiniteEnvironment):
    """Bandit feedback through the helper base; ``defect`` spoils round ``BAD_ROUND``."""

    n_actions = 3

    def __init__(self, defect):
        self.defect = defect

    def draw_losses(self, t, rng):
        losses, expected = rng.random(3), np.array([0.5, 0.4, 0.6])
        return spoil(self.defect, losses, expected) if t == BAD_ROUND - 1 else (losses, expected)


@pytest.mark.parametrize(
    "defect, message",
    [
        ("nan_every_arm", r"draw_losses returned non-finite losses at round 8: entries \[0, 1, 2\]"),
        ("nan_one_arm", r"draw_losses returned non-finite losses at round 8: entries \[1\]"),
        ("inf_one_arm", r"draw_losses returned non-finite losses at round 8: entries \[2\]"),
        ("nan_expected_only", r"draw_losses returned non-finite expected losses at round 8: entries \[0\]"),
        (
            "short_losses",
            r"draw_losses returned losses of length 2 at round 8; expected a vector of length 3",
        ),
        (
            "long_expected",
            r"draw_losses returned expected losses of length 4 at round 8; expected a vector of length 3",
        ),
    ],
    ids=lambda value: value if "returned" not in value else "",
)
def test_user_environment_defect_is_reported_at_its_round(defect, message, capsys):
    with pytest.raises(ValueError, match=f"^DefectiveEnvironment.{message}"):
        ol.run(ol.learners.UCB1(), DefectiveEnvironment(defect), horizon=20, n_reps=2)
    assert "Python loop" in capsys.readouterr().err


class PlainExperts:
    """A user environment written from scratch (reset/step/oracle, no onlinelearn base class):
    full-information losses; ``defect`` spoils the feedback or the oracle record at ``BAD_ROUND``."""

    means = np.array([0.5, 0.4, 0.6])

    def __init__(self, defect=None):
        self.defect = defect

    def reset(self, *, seed=None):
        self.rng = np.random.default_rng(seed)
        self.round = 0
        self.cumulative = np.zeros(3)
        return EnvSpec(FeedbackKind.FULL_INFORMATION, n_actions=3)

    def step(self, action):
        self.round += 1
        losses = (self.rng.random(3) < self.means).astype(float)
        self.cumulative += losses
        record = np.zeros(record_size(3))
        record[:7] = [
            losses[action],
            self.means[action],
            0.4,
            losses.min(),
            self.cumulative.min(),
            0.4 * self.round,
            0,
        ]
        record[7:] = self.means
        if self.round == BAD_ROUND:
            if self.defect == "nan_record_only":
                record[7] = np.nan  # arm 0's expected loss
            elif self.defect == "short_record":
                record = record[:-1]
            else:
                losses, _ = spoil(self.defect, losses, self.means)
        self.record = record
        return Feedback(FeedbackKind.FULL_INFORMATION, losses)

    def oracle(self):
        return OracleRecord(self.record.copy())


@pytest.mark.parametrize(
    "defect, message",
    [
        (
            "nan_every_arm",
            r"step returned non-finite feedback \(kind FULL_INFORMATION\) at round 8: entries \[0, 1, 2\]",
        ),
        (
            "nan_one_arm",
            r"step returned non-finite feedback \(kind FULL_INFORMATION\) at round 8: entries \[1\]",
        ),
        (
            "inf_one_arm",
            r"step returned non-finite feedback \(kind FULL_INFORMATION\) at round 8: entries \[2\]",
        ),
        ("nan_record_only", r"oracle returned non-finite oracle record .* at round 8: entries \[7\]"),
        (
            "short_losses",
            r"step returned feedback \(kind FULL_INFORMATION\) of length 2 at round 8; "
            r"expected a vector of length 3",
        ),
        (
            "short_record",
            r"oracle returned oracle record .* of length 9 at round 8; expected a vector of length 10",
        ),
    ],
    ids=lambda value: value if "returned" not in value else "",
)
def test_plain_user_environment_defect_is_reported_at_its_round(defect, message):
    with pytest.raises(ValueError, match=f"^PlainExperts.{message}"):
        ol.run(ol.learners.Hedge(), PlainExperts(defect), horizon=20, n_reps=2, quiet=True)


def test_correct_plain_user_environment_runs():
    result = ol.run(ol.learners.Hedge(), PlainExperts(), horizon=50, n_reps=2, quiet=True)
    assert np.all(np.isfinite(result.final()))


class OffByOneLearner:
    """A user learner that returns the arm count (one past the last arm) at round 4."""

    def reset(self, spec, rng):
        self.n_actions, self.round = spec.n_actions, 0

    def act(self):
        self.round += 1
        return self.n_actions if self.round == 4 else 0

    def update(self, feedback):
        pass


@pytest.mark.parametrize("environment", [BernoulliBandit(means=[0.2, 0.5, 0.8]), PlainExperts()])
def test_user_learner_out_of_range_arm_is_reported_at_its_round(environment):
    name = type(environment).__name__
    with pytest.raises(
        ValueError,
        match=rf"^OffByOneLearner.act returned an invalid action at round 4: {name} expects an int "
        r"action in \[0, 3\)\. Got 3 instead\.",
    ):
        ol.run(OffByOneLearner(), environment, horizon=10, n_reps=1, quiet=True)


class CoinEnvironment(PythonFiniteEnvironment):
    n_actions = 2

    def draw_losses(self, t, rng):
        losses = (rng.random(2) > np.array([0.3, 0.7])).astype(float)
        return losses, 1 - np.array([0.3, 0.7])


def test_user_environment_gives_finite_regret_and_python_learner_works():
    class AlwaysFirst:
        def reset(self, spec, rng):
            self.n = spec.n_actions

        def act(self):
            return 0

        def update(self, feedback):
            assert isinstance(feedback, Feedback) and feedback.kind == FeedbackKind.BANDIT

    result = ol.run([AlwaysFirst(), ol.learners.UCB1()], CoinEnvironment(), horizon=200, n_reps=3, quiet=True)
    final = result.final()[:, 0]
    np.testing.assert_allclose(final[0], 0.4 * 200)
    assert np.all(final[1] < final[0])
