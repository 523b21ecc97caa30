"""Environments: stochastic, adversarial, non-stationary and OCO loss families.

Installed as ``onlinelearn.environments``.  Every class here has Numba kernels and passes
:func:`onlinelearn.testing.check_environment`.
"""

from onlinelearn.environments.adversarial import AdversarialBandit
from onlinelearn.environments.stochastic import BernoulliBandit, GaussianBandit

#: Every registered environment class (the common test suite checks each one).
REGISTRY = [AdversarialBandit, BernoulliBandit, GaussianBandit]

__all__ = ["REGISTRY", "AdversarialBandit", "BernoulliBandit", "GaussianBandit"]
