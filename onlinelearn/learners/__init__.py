"""Learners: one module per algorithm or tight family.  ``REGISTRY`` feeds the common tests."""

from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.ftrl import FTRL
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.ogd import OGD
from onlinelearn.learners.ons import ONS
from onlinelearn.learners.thompson import GaussianThompsonSampling, ThompsonSampling
from onlinelearn.learners.tsallis_inf import TsallisINF
from onlinelearn.learners.ucb import KLUCB, UCB1

#: Every registered learner class (the common test suite checks each one).
REGISTRY = [UCB1, KLUCB, EXP3, EXP3IX, TsallisINF, ThompsonSampling, GaussianThompsonSampling]
REGISTRY += [Hedge, OGD, FTRL, ONS]

__all__ = [
    "REGISTRY",
    "EXP3",
    "EXP3IX",
    "GaussianThompsonSampling",
    "KLUCB",
    "ThompsonSampling",
    "TsallisINF",
    "UCB1",
]
__all__ += ["FTRL", "Hedge", "OGD", "ONS"]
