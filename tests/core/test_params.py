"""Declared parameter constraints and their one message template; the checkpoint grid."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onlinelearn.core.params import (
    ArrayLike,
    InstanceOf,
    Interval,
    Options,
    check_value,
    describe,
    format_params,
    get_params,
    parameter_error,
    validate_parameters,
)
from onlinelearn.sim.loops import checkpoint_grid


class Exp3Like:
    _parameter_constraints = {
        "eta": [Interval(float, 0, None, closed="neither"), None],
        "n_rounds": [Interval(int, 1, None)],
        "mode": [Options(("a", "b"))],
        "weights": [ArrayLike(low=0.0, high=1.0, min_length=2)],
    }

    def __init__(self, eta=None, n_rounds=10, mode="a", weights=(0.5, 0.5)):
        self.eta = eta
        self.n_rounds = n_rounds
        self.mode = mode
        self.weights = weights


def test_message_template():
    error = parameter_error("Exp3", "eta", [Interval(float, 0, None, closed="neither")], -1.0)
    assert isinstance(error, ValueError)
    assert str(error) == (
        "The 'eta' parameter of Exp3 must be a float in the range (0, inf). Got -1.0 instead."
    )
    error = parameter_error("Exp3", "eta", [Interval(float, 0, None, closed="neither"), None], "x")
    assert isinstance(error, TypeError)
    assert str(error) == (
        "The 'eta' parameter of Exp3 must be a float in the range (0, inf) or None. Got 'x' instead."
    )


@pytest.mark.parametrize(
    ("constraint", "text"),
    [
        (Interval(float, 0, 1), "a float in the range [0, 1]"),
        (Interval(int, 1, None), "an int in the range [1, inf)"),
        (Interval(float, None, 0, closed="right"), "a float in the range (-inf, 0]"),
        (Interval(float, 0, 1, closed="left"), "a float in the range [0, 1)"),
        (Options(("bandit", "full")), "one of 'bandit', 'full'"),
        (
            ArrayLike(low=0.0, high=1.0, min_length=2),
            "a finite 1-D array of length >= 2 with entries in [0, 1]",
        ),
        (InstanceOf((int, str)), "an instance of int or str"),
    ],
)
def test_constraint_descriptions(constraint, text):
    assert str(constraint) == text


def test_describe_disjunction():
    assert describe([Interval(int, 1, None), None, Options((0,))]) == (
        "an int in the range [1, inf), None or one of 0"
    )


@pytest.mark.parametrize(
    ("constraint", "good", "bad"),
    [
        (Interval(float, 0, 1, closed="neither"), [0.5, 1e-9, np.float32(0.3)], [0, 1, np.nan, True, "0.5"]),
        (Interval(int, 1, None), [1, np.int64(5)], [0, 1.0, True]),
        (Options(("a", "b")), ["a", "b"], ["c", None, np.array(["a", "b"])]),
        (Options((True, False)), [True, False, np.bool_(True)], [1, 0, 1.0, "True", None]),
        (Options((0, 1)), [0, 1, np.int64(1)], [False, True, 2]),
        (ArrayLike(ndim=2, low=0.0), [[[0.0, 1.0]]], [[0.0, 1.0], [[-1.0]], [[np.nan]], "ab"]),
        (ArrayLike(min_length=2), [[1.0, 2.0]], [[1.0], []]),
    ],
)
def test_accepts(constraint, good, bad):
    assert all(constraint.accepts(value) for value in good)
    assert not any(constraint.accepts(value) for value in bad)


def test_validate_parameters_names_the_parameter_and_the_class():
    validate_parameters(Exp3Like())
    for name, value, error in [
        ("eta", -1.0, ValueError),
        ("eta", "x", TypeError),
        ("n_rounds", 0, ValueError),
        ("mode", "c", ValueError),
        ("weights", [0.5], ValueError),
    ]:
        with pytest.raises(error, match=f"The '{name}' parameter of Exp3Like must be"):
            validate_parameters(Exp3Like(**{name: value}))
    check_value("run", "eta", None, [Interval(float, 0, None), None])


def test_get_and_format_params():
    obj = Exp3Like(eta=0.5, weights=np.array([0.25, 0.75]))
    assert list(get_params(obj)) == ["eta", "n_rounds", "mode", "weights"]
    assert format_params(obj) == "Exp3Like(eta=0.5, weights=[0.25, 0.75])"
    assert format_params(Exp3Like()) == "Exp3Like()"
    assert format_params(Exp3Like(weights=np.full(10, 0.1))) == "Exp3Like(weights=<(10,) array>)"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**9), st.integers(2, 500))
def test_checkpoint_grid(horizon, n_points):
    grid = checkpoint_grid(horizon, n_points)
    assert grid.dtype == np.int64
    assert grid[-1] == horizon
    assert grid[0] >= 1
    assert np.all(np.diff(grid) > 0)
    assert len(grid) <= n_points


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 10**15), st.integers(2, 500))
def test_checkpoint_grid_is_log_spaced(horizon, n_points):
    """The grid is ``round(r^j)``, ``j = 0..m-1``, ``r = T^(1/(m-1))``, ``m = min(n, T)``, without
    repeats.  Writing ``g_{i+1} = round(r x)`` and ``g_i = round(x)`` (``x`` the last point rounding
    to ``g_i``) gives ``|g_{i+1} - r g_i| <= (1 + r) / 2``: consecutive ratios equal ``r`` up to
    ``(1 + r) / (2 g_i)``, i.e. the grid is geometric wherever rounding is negligible.  Only
    points below ``1 / (r - 1)``, where consecutive ``r^j`` are less than 1 apart, can round to the
    same integer, so at most ``ceil(log(1 / (r - 1)) / log r)`` of the ``m`` points are lost."""
    grid = checkpoint_grid(horizon, n_points)
    assert grid.dtype == np.int64 and grid[0] == 1 and grid[-1] == horizon
    m = min(n_points, horizon)
    ratio = float(horizon) ** (1.0 / (m - 1))
    slack = 1e-9 * grid[1:]  # floating-point error of geomspace at large values
    assert np.all(np.abs(grid[1:] - ratio * grid[:-1]) <= (1 + ratio) / 2 + slack)
    lost = math.ceil(max(math.log(1 / (ratio - 1)) / math.log(ratio), 0)) if ratio < 2 else 0
    assert m - lost <= len(grid) <= m


def test_checkpoint_grid_example_ratios_are_constant():
    grid = checkpoint_grid(10**6, 200)
    ratio = 10 ** (6 / 199)  # 1.0719
    large = grid[:-1] >= 1000
    assert large.sum() > 90  # the upper half of the grid, in log scale
    np.testing.assert_allclose(grid[1:][large] / grid[:-1][large], ratio, rtol=1e-3)
    # Below 1 / (r - 1) = 14 the grid holds every integer: there, rounding is the spacing.
    np.testing.assert_array_equal(grid[:14], np.arange(1, 15))


def test_checkpoint_grid_size_does_not_depend_on_the_horizon():
    # The runner stores curves only at the grid points: memory per repetition is O(n_points).
    grids = [checkpoint_grid(10**e) for e in (5, 7, 9, 12, 15)]
    assert all(150 <= len(grid) <= 200 and grid.nbytes <= 200 * 8 for grid in grids)


def test_checkpoint_grid_small_cases():
    np.testing.assert_array_equal(checkpoint_grid(1), [1])
    grid = checkpoint_grid(5, 200)
    assert grid[0] == 1 and grid[-1] == 5 and set(grid) <= {1, 2, 3, 4, 5}
    np.testing.assert_array_equal(checkpoint_grid(10, 10), np.unique(checkpoint_grid(10, 10)))
    assert checkpoint_grid(1, 1).tolist() == [1]


def test_checkpoint_grid_with_one_point_is_the_horizon():
    assert checkpoint_grid(10**6, 1).tolist() == [10**6]
