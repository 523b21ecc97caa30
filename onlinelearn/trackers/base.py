"""Base class of trackers: streaming regret measurements with Numba kernels.

A tracker module defines a ``NamedTuple`` state and two kernels:

* ``record(state, t, record)`` folds round ``t``'s oracle record into the state (O(1) memory in
  T: no per-round history is kept);
* ``values(state, out)`` writes the current value of each metric into ``out``; the runner calls
  it on the checkpoint grid only.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from onlinelearn.core.kernel_calls import KernelCall
from onlinelearn.core.oracle import OracleRecord
from onlinelearn.core.params import format_params, get_params, validate_parameters
from onlinelearn.core.spec import EnvSpec


class KernelTracker:
    """A streaming tracker; see the module docstring for what a subclass provides."""

    #: Whether the environment's ``hindsight`` kernel must run every round for this tracker.
    needs_hindsight: ClassVar[bool] = False
    #: Whether the tracker needs a finite action set (the expected-loss vector).
    needs_finite_actions: ClassVar[bool] = False
    _parameter_constraints: ClassVar[dict] = {}
    _test_params: ClassVar[list[dict]] = [{}]
    record_kernel: ClassVar[Any] = None
    values_kernel: ClassVar[Any] = None

    @property
    def metric_names(self) -> tuple[str, ...]:
        raise NotImplementedError

    def init_state(self, spec: EnvSpec, horizon: int):
        raise NotImplementedError

    def check_spec(self, spec: EnvSpec) -> None:
        if self.needs_finite_actions and not spec.n_actions:
            raise ValueError(f"{type(self).__name__} needs an environment with finite actions.")

    # -- the Python face -------------------------------------------------------------------
    def reset(self, spec: EnvSpec, horizon: int) -> None:
        validate_parameters(self)
        self.check_spec(spec)
        self.state_ = self.init_state(spec, int(horizon))
        self.round_ = 0
        self._record_call = KernelCall(self.record_kernel)

    def record(self, oracle: OracleRecord) -> None:
        values = oracle.values if isinstance(oracle, OracleRecord) else oracle
        self._record_call(self.state_, self.round_, np.ascontiguousarray(values, float))
        self.round_ += 1

    def values(self) -> np.ndarray:
        out = np.zeros(len(self.metric_names))
        self.values_kernel(self.state_, out)
        return out

    def get_params(self) -> dict:
        return get_params(self)

    @property
    def name(self) -> str:
        return format_params(self)

    def __repr__(self) -> str:
        return self.name
