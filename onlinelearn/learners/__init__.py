"""Learners: one module per algorithm or tight family.  ``REGISTRY`` feeds the common tests."""

from onlinelearn.learners.ucb import KLUCB, UCB1

#: Every registered learner class (the common test suite checks each one).
REGISTRY = [UCB1, KLUCB]

__all__ = ["REGISTRY", "KLUCB", "UCB1"]
