"""Regret trackers: streaming, memory independent of T, curves on a checkpoint grid."""

from onlinelearn.trackers.adaptive import MovingAverageLoss, PostSwitchRegret, StronglyAdaptiveRegret
from onlinelearn.trackers.base import KernelTracker
from onlinelearn.trackers.conformal import Coverage
from onlinelearn.trackers.dynamic import DynamicRegret
from onlinelearn.trackers.games import FollowerRegret, StackelbergGap
from onlinelearn.trackers.interval import IntervalRegret
from onlinelearn.trackers.regret import PseudoRegret, StaticRegret
from onlinelearn.trackers.sea import SEARegret

#: Every registered tracker class (the common test suite checks each one).
REGISTRY = [DynamicRegret, IntervalRegret, PseudoRegret, StaticRegret]
REGISTRY += [SEARegret, FollowerRegret, StackelbergGap]
REGISTRY += [StronglyAdaptiveRegret, PostSwitchRegret, MovingAverageLoss, Coverage]

__all__ = ["REGISTRY", "KernelTracker", *(cls.__name__ for cls in REGISTRY)]
