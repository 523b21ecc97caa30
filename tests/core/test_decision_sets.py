"""Euclidean projections onto the simplex, ball and box against brute-force references."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from onlinelearn.core import ball, box, simplex
from onlinelearn.core.decision_sets import normalise_entropic

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
vectors = st.integers(1, 12).flatmap(lambda d: arrays(np.float64, d, elements=finite))


def simplex_reference(y):
    """Projection by bisection on the threshold: find theta with sum max(y - theta, 0) = 1.

    The map theta -> sum(max(y - theta, 0)) is continuous and decreasing, so bisection on
    [min(y) - 1, max(y)] converges without sorting (independent of the kernel's algorithm).
    """
    low, high = y.min() - 1.0, y.max()
    for _ in range(200):
        middle = 0.5 * (low + high)
        if np.maximum(y - middle, 0.0).sum() > 1.0:
            low = middle
        else:
            high = middle
    return np.maximum(y - 0.5 * (low + high), 0.0)


def random_points_of(decision_set, rng, n=20):
    """Points of the set: simplex via Dirichlet, ball via scaled directions, box via uniforms."""
    d = decision_set.dimension
    if decision_set.name == "simplex":
        return rng.dirichlet(np.ones(d), size=n)
    if decision_set.name == "ball":
        directions = rng.normal(size=(n, d))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        return directions * decision_set.radius * rng.random((n, 1))
    return decision_set.low + (decision_set.high - decision_set.low) * rng.random((n, d))


def assert_is_projection(decision_set, y, p, rng):
    """p is in the set, idempotent, and satisfies <y - p, z - p> <= 0 for z in the set."""
    scale = 1.0 + np.abs(y).max()
    assert decision_set.contains(p, tolerance=1e-9 * scale)
    np.testing.assert_allclose(decision_set.project(p), p, atol=1e-9 * scale)
    for z in random_points_of(decision_set, rng):
        assert np.dot(y - p, z - p) <= 1e-8 * scale**2


@settings(max_examples=200, deadline=None)
@given(vectors)
def test_simplex_projection_matches_bisection_reference(y):
    decision_set = simplex(y.shape[0])
    p = decision_set.project(y)
    np.testing.assert_allclose(p, simplex_reference(y), atol=1e-9 * (1 + np.abs(y).max()))
    assert_is_projection(decision_set, y, p, np.random.default_rng(0))


@settings(max_examples=100, deadline=None)
@given(vectors)
def test_simplex_projection_matches_scipy_qp(y):
    from scipy.optimize import minimize

    d = y.shape[0]
    if d > 6:
        y = y[:6]
        d = 6
    y = y / (1.0 + np.abs(y).max())  # keep the QP well scaled for SLSQP
    result = minimize(
        lambda x: 0.5 * np.sum((x - y) ** 2),
        np.full(d, 1.0 / d),
        jac=lambda x: x - y,
        method="SLSQP",
        bounds=[(0.0, None)] * d,
        constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1.0, "jac": lambda x: np.ones(d)}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    np.testing.assert_allclose(simplex(d).project(y), result.x, atol=1e-5)


def test_simplex_projection_by_hand():
    np.testing.assert_allclose(simplex(3).project(np.array([0.5, 0.5, 0.5])), [1 / 3] * 3)
    np.testing.assert_allclose(simplex(3).project(np.array([2.0, 0.0, 0.0])), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(simplex(2).project(np.array([1.0, 0.5])), [0.75, 0.25])
    np.testing.assert_allclose(simplex(1).project(np.array([-7.0])), [1.0])


@settings(max_examples=150, deadline=None)
@given(vectors, st.floats(1e-3, 1e3))
def test_ball_projection(y, radius):
    decision_set = ball(y.shape[0], radius)
    p = decision_set.project(y)
    norm = np.linalg.norm(y)
    expected = y if norm <= radius else y * (radius / norm)
    np.testing.assert_allclose(p, expected, rtol=1e-12, atol=1e-12)
    assert_is_projection(decision_set, y, p, np.random.default_rng(1))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda d: st.tuples(
            arrays(np.float64, d, elements=finite),
            arrays(np.float64, d, elements=finite),
            arrays(np.float64, d, elements=st.floats(0, 10)),
        )
    )
)
def test_box_projection(arguments):
    y, low, width = arguments
    decision_set = box(low, low + width)
    p = decision_set.project(y)
    np.testing.assert_array_equal(p, np.clip(y, low, low + width))
    assert_is_projection(decision_set, y, p, np.random.default_rng(2))


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 10), elements=st.floats(1e-6, 1e6)))
def test_entropic_normalisation(weights):
    out = np.empty_like(weights)
    normalise_entropic(weights, out)
    assert simplex(weights.shape[0]).contains(out)
    np.testing.assert_allclose(out * weights.sum(), weights, rtol=1e-12)


def test_geometry_and_contains():
    assert simplex(3).diameter == pytest.approx(np.sqrt(2.0))
    assert simplex(1).diameter == 0.0
    assert ball(4, radius=2.5).diameter == 5.0
    assert box([0, 0], [3, 4]).diameter == 5.0
    for decision_set in (simplex(3), ball(3, 2.0), box([-1, 0, 2], [1, 1, 2])):
        assert decision_set.contains(decision_set.center())
        assert not decision_set.contains(np.full(decision_set.dimension, np.nan))
        assert not decision_set.contains(np.zeros(decision_set.dimension + 1))
    assert not simplex(2).contains([0.6, 0.6])
    assert not ball(2).contains([1.0, 0.1])
    assert not box([0, 0], [1, 1]).contains([0.5, 1.1])


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: simplex(0), "dimension"),
        (lambda: simplex(2.0), "dimension"),
        (lambda: ball(2, radius=0.0), "radius"),
        (lambda: ball(2, radius=np.inf), "radius"),
        (lambda: box([1.0], [0.0]), "low"),
        (lambda: box([0.0, 0.0], [1.0]), "low"),
        (lambda: box([0.0], [np.inf]), "finite"),
    ],
)
def test_invalid_sets_raise(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_project_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        simplex(3).project(np.zeros(2))
