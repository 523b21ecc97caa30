"""The four roles of the simulation loop, as structural protocols.

::

    spec = env.reset(seed=...);  learner.reset(spec, rng);  tracker.reset(spec, horizon)
    for t in range(T):
        action   = learner.act()
        feedback = env.step(action)        # what the learner may see
        learner.update(feedback)
        tracker.record(env.oracle())       # what the analyst may see

Any object with these methods plugs into :func:`onlinelearn.run`; objects that also expose Numba
kernels (the built-in ones, via :class:`~onlinelearn.core.learner.KernelLearner` and friends)
run in the compiled loop.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from onlinelearn.core.feedback import Feedback
from onlinelearn.core.oracle import OracleRecord
from onlinelearn.core.spec import EnvSpec


@runtime_checkable
class Learner(Protocol):
    def reset(self, spec: EnvSpec, rng: np.random.Generator) -> None: ...
    def act(self) -> Any: ...
    def update(self, feedback: Feedback) -> None: ...


@runtime_checkable
class Environment(Protocol):
    def reset(self, *, seed=None) -> EnvSpec: ...
    def step(self, action) -> Feedback: ...
    def oracle(self) -> OracleRecord: ...


@runtime_checkable
class Tracker(Protocol):
    metric_names: tuple[str, ...]

    def reset(self, spec: EnvSpec, horizon: int) -> None: ...
    def record(self, oracle: OracleRecord) -> None: ...
    def values(self) -> np.ndarray: ...
