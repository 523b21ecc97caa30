"""Core contracts shared by learners, environments and trackers (they meet only here)."""

from onlinelearn.core.decision_sets import DecisionSet, ball, box, simplex
from onlinelearn.core.environment import KernelEnvironment, PythonFiniteEnvironment
from onlinelearn.core.feedback import Feedback, FeedbackKind
from onlinelearn.core.learner import KernelLearner
from onlinelearn.core.oracle import OracleRecord
from onlinelearn.core.spec import EnvSpec

__all__ = [
    "DecisionSet",
    "EnvSpec",
    "Feedback",
    "FeedbackKind",
    "KernelEnvironment",
    "KernelLearner",
    "OracleRecord",
    "PythonFiniteEnvironment",
    "ball",
    "box",
    "simplex",
]
