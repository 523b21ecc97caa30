"""Seed streams depend on (seed, configuration, repetition, role), never on order."""

import numpy as np
import pytest

from onlinelearn.core.seeding import (
    ENVIRONMENT_ROLE,
    as_generator,
    check_seed,
    generator,
    learner_role,
    seed_sequence,
)


def draws(rng, n=8):
    return rng.integers(0, 2**63, size=n)


def test_stream_keys_are_independent_of_creation_order():
    keys = [(j, r, role) for j in range(3) for r in range(4) for role in range(3)]
    forward = {key: draws(generator(7, *key)) for key in keys}
    backward = {key: draws(generator(7, *key)) for key in reversed(keys)}
    shuffled_keys = [keys[i] for i in np.random.default_rng(0).permutation(len(keys))]
    shuffled = {key: draws(generator(7, *key)) for key in shuffled_keys}
    for key in keys:
        np.testing.assert_array_equal(forward[key], backward[key])
        np.testing.assert_array_equal(forward[key], shuffled[key])
    # Distinct keys give distinct streams.
    assert len({tuple(v) for v in forward.values()}) == len(keys)


def test_streams_differ_by_seed_and_role():
    assert not np.array_equal(draws(generator(1, 0, 0, 0)), draws(generator(2, 0, 0, 0)))
    assert ENVIRONMENT_ROLE == 0
    assert learner_role(0) == 1 and learner_role(3) == 4
    assert not np.array_equal(
        draws(generator(1, 0, 0, ENVIRONMENT_ROLE)), draws(generator(1, 0, 0, learner_role(0)))
    )


def test_seed_sequence_spawn_key():
    sequence = seed_sequence(5, 1, 2, 3)
    assert sequence.entropy == 5
    assert tuple(sequence.spawn_key) == (1, 2, 3)


def test_as_generator():
    rng = np.random.default_rng(3)
    assert as_generator(rng) is rng
    np.testing.assert_array_equal(draws(as_generator(11)), draws(as_generator(11)))
    sequence = np.random.SeedSequence(4)
    np.testing.assert_array_equal(
        draws(as_generator(sequence)), draws(np.random.Generator(np.random.PCG64(sequence)))
    )
    assert isinstance(as_generator(None), np.random.Generator)


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("3", TypeError)]
)
def test_check_seed_rejects(seed, error):
    with pytest.raises(error, match="The 'seed' parameter must be a non-negative int"):
        check_seed(seed)


def test_check_seed_accepts_numpy_integers():
    assert check_seed(np.int64(9)) == 9
    assert type(check_seed(np.uint32(9))) is int
