"""Learners: one module per algorithm or tight family.  ``REGISTRY`` feeds the common tests."""

from onlinelearn.learners.bandit_convex import StABLConvex, TwoPointBGD
from onlinelearn.learners.cbce import CBCE
from onlinelearn.learners.conformal import SAOCP, ScaleFreeOGD
from onlinelearn.learners.exp3 import EXP3, EXP3IX
from onlinelearn.learners.fixed_share import AdaNormalHedge, FixedShare
from onlinelearn.learners.followers import FTPL, BlumMansour, FollowTheLeader
from onlinelearn.learners.ftrl import FTRL
from onlinelearn.learners.hedge import Hedge
from onlinelearn.learners.leaders import BestResponseToFTL, Commitment, MyopicBestResponse, Schedule
from onlinelearn.learners.ogd import OGD
from onlinelearn.learners.omd import OMD
from onlinelearn.learners.ons import ONS
from onlinelearn.learners.optimistic_ftl import OFTL
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_hedge import OptimisticHedge
from onlinelearn.learners.optimistic_omd import OptimisticOMD
from onlinelearn.learners.saol import SAOL
from onlinelearn.learners.stabl import EXP3TwoQueries, StABL
from onlinelearn.learners.thompson import GaussianThompsonSampling, ThompsonSampling
from onlinelearn.learners.tsallis_inf import TsallisINF
from onlinelearn.learners.ucb import KLUCB, UCB1

#: Every registered learner class (the common test suite checks each one).
REGISTRY = [UCB1, KLUCB, EXP3, EXP3IX, TsallisINF, ThompsonSampling, GaussianThompsonSampling]
REGISTRY += [Hedge, OGD, FTRL, ONS]
#: Online mirror descent and optimistic learning in the SEA model (issue 4).
REGISTRY += [OMD, OptimisticOMD, OptimisticFTRL, OFTL, OptimisticHedge]
#: Followers and optimizer (leader) strategies of repeated games (issue 6).
REGISTRY += [FollowTheLeader, FTPL, BlumMansour, Schedule, Commitment, MyopicBestResponse, BestResponseToFTL]
#: Strongly adaptive learners, including StABL with two queries per round (issue 5).
REGISTRY += [SAOL, CBCE, FixedShare, AdaNormalHedge, StABL, EXP3TwoQueries]
#: Bandit convex optimisation with two queries, and online conformal prediction (issue 5).
REGISTRY += [TwoPointBGD, StABLConvex, ScaleFreeOGD, SAOCP]

__all__ = ["REGISTRY", *(cls.__name__ for cls in REGISTRY)]
