"""Environments: stochastic, adversarial, non-stationary and OCO loss families.

Installed as ``onlinelearn.environments``.  Every class here has Numba kernels and passes
:func:`onlinelearn.testing.check_environment`.
"""

from onlinelearn.environments.adversarial import (
    AdversarialBandit,
    AlternatingLosses,
    BestArmSwitching,
    RandomAdversarialBandit,
    StochasticallyConstrainedBandit,
)
from onlinelearn.environments.nonstationary import PiecewiseStationaryBandit
from onlinelearn.environments.oco import LinearLosses, QuadraticLosses
from onlinelearn.environments.stochastic import BernoulliBandit, GaussianBandit

#: Every registered environment class (the common test suite checks each one).
REGISTRY = [
    AdversarialBandit,
    RandomAdversarialBandit,
    BestArmSwitching,
    AlternatingLosses,
    StochasticallyConstrainedBandit,
    PiecewiseStationaryBandit,
    BernoulliBandit,
    GaussianBandit,
    LinearLosses,
    QuadraticLosses,
]

__all__ = [
    "REGISTRY",
    "AdversarialBandit",
    "AlternatingLosses",
    "BestArmSwitching",
    "BernoulliBandit",
    "GaussianBandit",
    "LinearLosses",
    "PiecewiseStationaryBandit",
    "QuadraticLosses",
    "RandomAdversarialBandit",
    "StochasticallyConstrainedBandit",
]
