"""Inverse-CDF sampling and exponential weights."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from onlinelearn.core.sampling import argmax_first, argmin_first, sample_index, softmax_negative


@pytest.mark.parametrize(
    "probabilities", [[0.5, 0.5], [0.1, 0.2, 0.3, 0.4], [0.0, 0.7, 0.0, 0.3], [0.01, 0.98, 0.01]]
)
def test_sample_index_frequencies_match_probabilities(probabilities):
    p = np.array(probabilities)
    n = 40_000
    rng = np.random.default_rng(0)
    counts = np.bincount([sample_index(p, u) for u in rng.random(n)], minlength=len(p))
    assert np.all(counts[p == 0] == 0)
    positive = p > 0
    expected = n * p[positive]
    chi_square = np.sum((counts[positive] - expected) ** 2 / expected)
    # 99.9% quantile of chi-square with <= 3 degrees of freedom is 16.3.
    assert chi_square < 16.3


probability_vectors = arrays(
    np.float64, st.integers(1, 20), elements=st.one_of(st.just(0.0), st.floats(1e-300, 1.0))
)


@settings(max_examples=300, deadline=None)
@given(probability_vectors, st.floats(0.0, 1.0, exclude_max=True))
def test_sample_index_never_returns_zero_probability(weights, u):
    if weights.sum() == 0:
        weights[-1] = 1.0
    p = weights / weights.sum()  # rounding: the sum may be slightly below 1
    i = sample_index(p, u)
    assert 0 <= i < p.shape[0]
    assert p[i] > 0


def test_sample_index_when_rounding_leaves_total_below_u():
    p = np.array([0.3, 0.3, 0.3, 0.0])  # sums to 0.9 < u
    assert sample_index(p, 0.95) == 2
    assert sample_index(np.array([0.0, 0.5, 0.0]), 0.99) == 1


def test_sample_index_is_inverse_cdf():
    p = np.array([0.25, 0.25, 0.5])
    assert [sample_index(p, u) for u in (0.0, 0.2499, 0.25, 0.4999, 0.5, 0.9999)] == [0, 0, 1, 1, 2, 2]


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e12, 1e12)), st.floats(1e-6, 1e3))
def test_softmax_negative_is_finite_for_huge_scores(scores, eta):
    out = np.empty_like(scores)
    softmax_negative(scores, eta, out)
    assert np.all(np.isfinite(out))
    assert np.all(out >= 0)
    assert out.sum() == pytest.approx(1.0, abs=1e-12)
    assert out[np.argmin(scores)] == out.max()


def test_softmax_negative_matches_direct_formula():
    scores = np.array([0.0, 1.0, 2.0])
    out = np.empty(3)
    softmax_negative(scores, 0.5, out)
    expected = np.exp(-0.5 * scores) / np.exp(-0.5 * scores).sum()
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    softmax_negative(scores + 1e12, 0.5, out)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_argmin_argmax_first_break_ties_at_the_first_index():
    values = np.array([3.0, 1.0, 5.0, 1.0, 5.0])
    assert argmin_first(values) == 1
    assert argmax_first(values) == 2
