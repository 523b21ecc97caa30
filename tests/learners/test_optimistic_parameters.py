"""Optimistic OMD, optimistic FTRL and OFTL: bad input, a missing gradient bound, constants taken
from the spec, and external hint sequences that run out."""

from dataclasses import replace

import numpy as np
import pytest
from onlinelearn.environments.sea import SEALinearLosses, SEAQuadraticLosses

from onlinelearn.core import EnvSpec, FeedbackKind
from onlinelearn.learners.optimistic_ftl import OFTL
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_omd import OptimisticOMD
from tests.learners.oco_helpers import G1, G2, first_iterates, gradient, gradient_spec


def test_bad_input():
    spec = gradient_spec("ball", 2, horizon=10)
    with pytest.raises(ValueError, match="The 'hint' parameter of OptimisticOMD must have d=2 columns"):
        OptimisticOMD(hint=np.zeros((10, 3))).reset(spec)
    with pytest.raises(
        ValueError, match="The 'hint' parameter of OptimisticFTRL must have at least T=10 rows"
    ):
        OptimisticFTRL(hint=np.zeros((5, 2))).reset(spec)
    with pytest.raises((ValueError, TypeError), match="The 'hint' parameter of OFTL must be one of"):
        OFTL(hint="previous").reset(spec)
    with pytest.raises(
        ValueError, match=r"The 'lam' parameter of OptimisticOMD must be a float in the range \(0"
    ):
        OptimisticOMD("strongly_convex", lam=-1.0).reset(spec)
    with pytest.raises(ValueError, match="needs the parameter 'lam'"):
        OptimisticOMD("strongly_convex").reset(spec)
    with pytest.raises(ValueError, match="needs the parameter 'alpha'"):
        OptimisticOMD("exp_concave").reset(spec)
    with pytest.raises(ValueError, match="The 'smoothness' parameter of OptimisticFTRL must be"):
        OptimisticFTRL(smoothness=0.0).reset(spec)
    with pytest.raises(ValueError, match="The 'mu' parameter of OFTL must be"):
        OFTL(mu=0.0).reset(spec)
    with pytest.raises(ValueError, match="gradient_bound"):
        OptimisticOMD().reset(gradient_spec("ball", 2, gradient_bound=None))
    with pytest.raises(ValueError, match="positive diameter D"):
        OptimisticFTRL().reset(gradient_spec("simplex", 1))
    with pytest.raises(ValueError, match="no decision set"):
        OptimisticFTRL().reset(EnvSpec(FeedbackKind.GRADIENT, gradient_bound=1.0))
    for learner in [OptimisticOMD(), OptimisticFTRL(), OFTL()]:
        learner.reset(spec)
        learner.act()
        with pytest.raises(ValueError, match="non-finite 'feedback'"):
            learner.update(gradient([np.nan, 1.0]))


def test_missing_gradient_bound_names_each_learners_own_parameter():
    """Without a gradient bound in the spec the error names the learner's own way out and the
    spec's 'gradient_bound'; with that parameter set the learner runs.  The strongly convex regime
    (eta_t = 2 / (lam t)) does not use G and needs none."""
    spec = gradient_spec("ball", 2, horizon=10, gradient_bound=None)
    cases = [
        (OptimisticOMD(), OptimisticOMD(gradient_bound=1.0), "gradient_bound"),
        (
            OptimisticOMD("exp_concave", alpha=1.0),
            OptimisticOMD("exp_concave", alpha=1.0, gradient_bound=1.0),
            "gradient_bound",
        ),
        (OptimisticFTRL(), OptimisticFTRL(nu=2.0), "nu"),
    ]
    for failing, escaped, parameter in cases:
        name = type(failing).__name__
        with pytest.raises(
            ValueError,
            match=f"{name} needs the gradient bound G.*Set the '{parameter}' parameter of {name}, or give "
            "the environment's EnvSpec a 'gradient_bound'",
        ):
            failing.reset(spec)
        with_bound = first_iterates(escaped, spec, [G1, G2])
        from_spec = first_iterates(failing, gradient_spec("ball", 2, horizon=10), [G1, G2])
        np.testing.assert_array_equal(with_bound, from_spec)  # G = 1 and nu = D G = 2 either way
    strongly_convex = first_iterates(OptimisticOMD("strongly_convex", lam=2.0), spec, [G1, G2])
    np.testing.assert_allclose(strongly_convex[1:], [[-0.75, 0.0], [-0.5, -0.5 - 1 / 3]])  # as by hand
    with pytest.raises(ValueError, match=r"The 'gradient_bound' parameter of OptimisticOMD must be a float"):
        OptimisticOMD(gradient_bound=0.0).reset(spec)


def test_smoothness_and_strong_convexity_come_from_the_spec():
    """With ``smoothness=None`` OptimisticOMD takes L from the spec (delta = 10 D^2 L^2, Theorem 1)
    and OptimisticFTRL its default nu = L D^2 + D G; a learner parameter wins over the spec; with no
    L anywhere delta = 0 and nu = D G.  The strongly convex regime takes lam from the spec."""
    plain = gradient_spec("ball", 2, horizon=10)
    smooth = replace(plain, smoothness=0.5)
    assert OptimisticOMD().parameters(smooth)["delta"] == pytest.approx(10 * 4 * 0.25)
    assert OptimisticOMD(smoothness=2.0).parameters(smooth)["delta"] == pytest.approx(10 * 4 * 4.0)
    assert OptimisticOMD().parameters(plain)["delta"] == 0.0
    np.testing.assert_array_equal(
        first_iterates(OptimisticOMD(), smooth, [G1, G2]),
        first_iterates(OptimisticOMD(smoothness=0.5), plain, [G1, G2]),
    )
    assert OptimisticFTRL().regularization(smooth) == pytest.approx(0.5 * 4 + 2 * 1)
    assert OptimisticFTRL().regularization(plain) == pytest.approx(2.0)
    x1, x2, x3 = first_iterates(
        OptimisticOMD("strongly_convex"), replace(plain, strong_convexity=2.0), [G1, G2]
    )
    np.testing.assert_allclose([x2, x3], [[-0.75, 0.0], [-0.5, -0.5 - 1 / 3]])  # lam = 2 by hand
    quadratic = SEAQuadraticLosses(dimension=2).reset(seed=0)  # L = lam = 1, D = 2
    assert OptimisticOMD().parameters(quadratic)["delta"] == pytest.approx(40.0)
    assert OptimisticOMD("strongly_convex").parameters(quadratic)["lam"] == 1.0
    assert OptimisticOMD().parameters(SEALinearLosses(dimension=2).reset(seed=0))["delta"] == 0.0


@pytest.mark.parametrize("cls", [OptimisticOMD, OptimisticFTRL, OFTL])
def test_external_hints_that_run_out_raise_at_that_round(cls):
    """Without a horizon at reset the length of the hint sequence cannot be checked; the learner
    plays the rounds it has hints for and raises at the first one without (instead of M = 0)."""
    learner = cls(hint=np.ones((2, 2)))
    learner.reset(gradient_spec("ball", 2))
    for g in [G1, G2]:
        learner.act()
        learner.update(gradient(g))
    with pytest.raises(
        ValueError, match=f"The 'hint' parameter of {cls.__name__} has 2 rows.*round 3 has no hint"
    ):
        learner.act()
