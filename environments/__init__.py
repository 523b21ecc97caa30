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
from onlinelearn.environments.bandit_convex import BanditQuadraticLosses
from onlinelearn.environments.conformal import ShiftingScores
from onlinelearn.environments.games import RepeatedGame
from onlinelearn.environments.nonstationary import PiecewiseStationaryBandit
from onlinelearn.environments.oco import LinearLosses, QuadraticLosses
from onlinelearn.environments.sea import SEALinearLosses, SEAQuadraticLosses
from onlinelearn.environments.stochastic import BernoulliBandit, GaussianBandit
from onlinelearn.environments.switch_tables import JunExperts, SilentSwitchBandit
from onlinelearn.environments.tuning import HyperparameterSelection
from onlinelearn.environments.volatile import VolatileBandit

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

#: SEA loss families (issue 4) and the repeated game with an embedded follower (issue 6).
REGISTRY += [SEAQuadraticLosses, SEALinearLosses, RepeatedGame]
#: Volatile bandits and the expert instance of Jun et al. (issue 5).
REGISTRY += [VolatileBandit, SilentSwitchBandit, JunExperts]
#: Bandit convex losses answering several queries, conformal scores with shifts, and
#: hyperparameter selection as a volatile bandit (issue 5).
REGISTRY += [BanditQuadraticLosses, ShiftingScores, HyperparameterSelection]

__all__ = ["REGISTRY", *(cls.__name__ for cls in REGISTRY)]
