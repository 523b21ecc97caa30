"""EnvSpec checks the problem constants it carries when it is built."""

import numpy as np
import pytest
from onlinelearn.environments.sea import SEALinearLosses, SEAQuadraticLosses

from onlinelearn.core import EnvSpec, FeedbackKind, ball, box, simplex


def spec(**constants):
    return EnvSpec(FeedbackKind.GRADIENT, decision_set=ball(2), **constants)


def test_valid_constants_are_kept():
    built = spec(gradient_bound=2, smoothness=0.0, strong_convexity=0.5)
    assert (built.gradient_bound, built.smoothness, built.strong_convexity) == (2, 0.0, 0.5)
    assert spec().smoothness is None and spec().strong_convexity is None


@pytest.mark.parametrize(
    "name, value, allowed",
    [
        ("gradient_bound", 0.0, r"\(0, inf\) or None"),
        ("gradient_bound", -1.0, r"\(0, inf\) or None"),
        ("gradient_bound", np.nan, r"\(0, inf\) or None"),
        ("smoothness", -0.1, r"\[0, inf\) or None"),
        ("smoothness", np.inf, r"\[0, inf\) or None"),
        ("strong_convexity", 0.0, r"\(0, inf\) or None"),
    ],
)
def test_bad_constants_raise_the_template_error(name, value, allowed):
    message = rf"The '{name}' parameter of EnvSpec must be a float in the range {allowed}"
    with pytest.raises(ValueError, match=message):
        spec(**{name: value})


def test_a_single_point_decision_set_is_refused():
    message = "The 'decision_set' parameter of EnvSpec must have a positive diameter D"
    for decision_set in [simplex(1), box([0.5, 1.0], [0.5, 1.0])]:
        with pytest.raises(ValueError, match=message):
            EnvSpec(FeedbackKind.GRADIENT, decision_set=decision_set)


def test_sea_environments_put_their_constants_in_the_spec():
    """Quadratic family: L = lambda = 1; linear family: L = 0 and not strongly convex (None)."""
    quadratic = SEAQuadraticLosses(dimension=3).reset(seed=0)
    assert (quadratic.smoothness, quadratic.strong_convexity) == (1.0, 1.0)
    linear = SEALinearLosses(dimension=3).reset(seed=0)
    assert (linear.smoothness, linear.strong_convexity) == (0.0, None)
