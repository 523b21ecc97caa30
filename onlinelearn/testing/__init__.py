"""Public checkers for learners, environments and trackers (Gymnasium's ``check_env`` style).

Run the checker on your own object before using it in an experiment::

    from onlinelearn.testing import check_environment, check_learner, check_tracker

    check_environment(MyEnvironment(means=[0.2, 0.8]))
    check_learner(MyLearner(eta=0.1))                       # finds a compatible registered environment
    check_learner(MyLearner(eta=0.1), MyEnvironment())      # ... or plays on yours
    check_tracker(MyTracker())

Each checker runs a list of named checks (``LEARNER_CHECKS``, ``ENVIRONMENT_CHECKS``,
``TRACKER_CHECKS``) on private copies of the object and raises :class:`CheckError` (an
``AssertionError``) at the first failure.  The message names the check, says what was observed
and gives the likely cause, for example::

    CheckError: check_learner(MyLearner()) failed check 'deterministic_given_rng': two runs
    with the same seed chose different actions (first difference at round 3: 1 vs 0).
    Likely cause: the learner draws from np.random.* (global state) or from a generator it
    created itself, instead of the Generator passed to reset(spec, rng).

The contracts checked are those of ``docs/design.md``:

* all randomness comes from the seed/Generator given to ``reset``; resetting is idempotent and
  forgets everything from previous runs; objects pickle (the runner copies them);
* environments return :class:`~onlinelearn.core.Feedback` of their spec's kind and size with
  finite losses in ``spec.loss_range``, a finite :class:`~onlinelearn.core.OracleRecord` of size
  ``spec.record_size``, reject invalid actions with ``ValueError``/``TypeError``, and draw a
  realisation that does not depend on the actions played (common random numbers);
* learners play valid actions and reject an unsupported spec at ``reset``, before round 1;
* trackers report ``len(metric_names)`` finite values with memory independent of the horizon;
* objects with Numba kernels give bit-identical results in the compiled and the Python loop;
* every declared ``_parameter_constraints`` entry is enforced with the standard message.

A check that does not apply to your object (an adaptive adversary legitimately reacts to the
actions) can be skipped with ``skip={"realisation_independent_of_actions"}`` or, on the class,
``_skip_checks = {"realisation_independent_of_actions": "adaptive adversary"}``.
"""

from __future__ import annotations

from onlinelearn.testing._support import CheckError, _run_checks, find_compatible_environment
from onlinelearn.testing.environment_checks import _environment_checks
from onlinelearn.testing.learner_checks import _learner_checks
from onlinelearn.testing.tracker_checks import _tracker_checks

__all__ = [
    "ENVIRONMENT_CHECKS",
    "LEARNER_CHECKS",
    "TRACKER_CHECKS",
    "CheckError",
    "check_environment",
    "check_learner",
    "check_tracker",
    "find_compatible_environment",
]


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------
def check_environment(environment, *, skip=()) -> list[str]:
    """Run every environment check on copies of ``environment``; return the names of those run.

    Raises:
        CheckError: naming the first failed check, what was observed and the likely cause.
    """
    return _run_checks("check_environment", environment, _environment_checks(environment), skip)


def check_learner(learner, environment=None, *, skip=()) -> list[str]:
    """Run every learner check, playing against ``environment``.

    ``environment=None`` picks the first registered environment (over each class's
    ``_test_params``) whose spec the learner accepts.  Returns the names of the checks run.

    Raises:
        CheckError: naming the first failed check, what was observed and the likely cause.
    """
    return _run_checks("check_learner", learner, _learner_checks(learner, environment), skip)


def check_tracker(tracker, environment=None, *, skip=()) -> list[str]:
    """Run every tracker check on oracle records of ``environment`` (default: first compatible
    registered one).  Returns the names of the checks run.

    Raises:
        CheckError: naming the first failed check, what was observed and the likely cause.
    """
    return _run_checks("check_tracker", tracker, _tracker_checks(tracker, environment), skip)


LEARNER_CHECKS = tuple(name for name, _, _ in _learner_checks(None, None))
ENVIRONMENT_CHECKS = tuple(name for name, _, _ in _environment_checks(None))
TRACKER_CHECKS = tuple(name for name, _, _ in _tracker_checks(None, None))
