"""Regret trackers: streaming, memory independent of T, curves on a checkpoint grid."""

from onlinelearn.trackers.base import KernelTracker
from onlinelearn.trackers.dynamic import DynamicRegret
from onlinelearn.trackers.interval import IntervalRegret
from onlinelearn.trackers.regret import PseudoRegret, StaticRegret

#: Every registered tracker class (the common test suite checks each one).
REGISTRY = [DynamicRegret, IntervalRegret, PseudoRegret, StaticRegret]

__all__ = ["REGISTRY", "DynamicRegret", "IntervalRegret", "KernelTracker", "PseudoRegret", "StaticRegret"]
