"""Common checks of every registered learner, environment and tracker (scikit-learn style).

A class is tested here the moment it is added to a ``REGISTRY``: each of its ``_test_params``
is instantiated and passed to the public checker of :mod:`onlinelearn.testing`.  The learner
checker also runs ``ol.run`` compiled vs the Python loop on the first compatible registered
environment (check 'kernels_match_python'), and so does the environment checker with a
uniformly random learner.
"""

import onlinelearn.environments
import pytest

import onlinelearn as ol
from onlinelearn.testing import check_environment, check_learner, check_tracker

#: (class, params) -> reason, for genuine bugs reported to the class's author (strict xfail).
KNOWN_FAILURES: dict[tuple[str, int], str] = {}


def cases(registry):
    out = []
    for cls in registry:
        for index, params in enumerate(cls._test_params):
            marks = []
            reason = KNOWN_FAILURES.get((cls.__name__, index))
            if reason is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            out.append(pytest.param(cls, params, id=f"{cls.__name__}-{index}", marks=marks))
    return out


@pytest.mark.parametrize(("cls", "params"), cases(onlinelearn.environments.REGISTRY))
def test_environment(cls, params):
    check_environment(cls(**params))


@pytest.mark.parametrize(("cls", "params"), cases(ol.learners.REGISTRY))
def test_learner(cls, params):
    check_learner(cls(**params))


@pytest.mark.parametrize(("cls", "params"), cases(ol.trackers.REGISTRY))
def test_tracker(cls, params):
    check_tracker(cls(**params))


@pytest.mark.parametrize(
    "registry",
    [ol.learners.REGISTRY, onlinelearn.environments.REGISTRY, ol.trackers.REGISTRY],
    ids=["learners", "environments", "trackers"],
)
def test_registry_entries_are_unique_and_have_test_params(registry):
    names = [cls.__name__ for cls in registry]
    assert len(set(names)) == len(names), f"duplicate registrations: {names}"
    for cls in registry:
        assert isinstance(cls._test_params, list) and cls._test_params, (
            f"{cls.__name__}._test_params must be a non-empty list of kwargs dicts"
        )
        assert all(isinstance(p, dict) for p in cls._test_params), cls.__name__
