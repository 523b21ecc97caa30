"""Seeding: one integer seed fixes a whole experiment.

Every random stream is a :class:`numpy.random.Generator` built from
``SeedSequence(seed, spawn_key=(config_index, repetition, role))``.  The key depends only on
*what* the stream is for, never on the order in which work is scheduled, so results are the same
for every backend, chunk size and number of workers.

Role 0 is the environment: every learner in a repetition receives an environment reset with the
same stream, so all learners face the same realisation (common random numbers).  Role
``1 + i`` is the ``i``-th learner's own randomisation.
"""

from __future__ import annotations

import numbers

import numpy as np

ENVIRONMENT_ROLE = 0


def learner_role(learner_index: int) -> int:
    """Role number of the ``learner_index``-th learner of an experiment."""
    return 1 + learner_index


def check_seed(seed) -> int:
    """Return ``seed`` as a non-negative ``int`` or raise a clear error."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"The 'seed' parameter must be a non-negative int. Got {seed!r} instead.")
    if seed < 0:
        raise ValueError(f"The 'seed' parameter must be a non-negative int. Got {seed!r} instead.")
    return int(seed)


def seed_sequence(seed: int, config_index: int, repetition: int, role: int) -> np.random.SeedSequence:
    """The seed sequence of one stream of one repetition of one configuration."""
    return np.random.SeedSequence(seed, spawn_key=(config_index, repetition, role))


def generator(seed: int, config_index: int, repetition: int, role: int) -> np.random.Generator:
    """A fresh PCG64 generator for one stream (see the module docstring for the key)."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, config_index, repetition, role)))


def as_generator(seed) -> np.random.Generator:
    """Turn ``None``, an int, a SeedSequence or a Generator into a Generator (Gymnasium style)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(np.random.PCG64(seed))
    return np.random.Generator(np.random.PCG64(check_seed(seed)))
