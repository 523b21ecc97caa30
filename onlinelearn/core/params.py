"""Declared parameter constraints, checked once per run with one message template.

Each learner, environment and tracker lists ``_parameter_constraints``: a mapping from the
``__init__`` argument name to a list of accepted forms (any one must hold), for example::

    _parameter_constraints = {"eta": [Interval(float, 0, None, closed="neither"), None]}

``None`` in the list means the value ``None`` is accepted (usually: "choose automatically").
Violations raise with the template of scikit-learn's ``validate_parameter_constraints``:
"The 'eta' parameter of Exp3 must be a float in the range (0, inf) or None. Got -1.0 instead."
"""

from __future__ import annotations

import inspect
import math
import numbers
from dataclasses import dataclass
from itertools import pairwise

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A real (``float``) or integer (``int``) interval; ``None`` bounds are infinite."""

    kind: type
    low: float | None
    high: float | None
    closed: str = "both"  # "both", "left", "right" or "neither"

    def accepts(self, value) -> bool:
        if isinstance(value, bool):
            return False
        if self.kind is int:
            if not isinstance(value, numbers.Integral):
                return False
        elif not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
            return False
        low_ok = self.low is None or (
            value >= self.low if self.closed in ("both", "left") else value > self.low
        )
        high_ok = self.high is None or (
            value <= self.high if self.closed in ("both", "right") else value < self.high
        )
        return low_ok and high_ok

    def __str__(self) -> str:
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        name = "an int" if self.kind is int else "a float"
        return f"{name} in the range {left}{low}, {high}{right}"


def _is_bool(value) -> bool:
    return isinstance(value, bool | np.bool_)


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values.  Booleans match only booleans: ``1`` is not ``True`` here."""

    values: tuple

    def accepts(self, value) -> bool:
        try:
            return any(
                _is_bool(value) == _is_bool(option) and bool(value == option) for option in self.values
            )
        except (TypeError, ValueError):  # e.g. an array compared with a scalar option
            return False

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


@dataclass(frozen=True)
class ArrayLike:
    """A finite 1-D (``ndim=1``) or 2-D real array, optionally with every entry in [low, high]."""

    ndim: int = 1
    low: float | None = None
    high: float | None = None
    min_length: int = 1

    def accepts(self, value) -> bool:
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return False
        if array.ndim != self.ndim or array.shape[0] < self.min_length:
            return False
        if not np.all(np.isfinite(array)):
            return False
        if self.low is not None and np.any(array < self.low):
            return False
        return not (self.high is not None and np.any(array > self.high))

    def __str__(self) -> str:
        shape = "1-D" if self.ndim == 1 else f"{self.ndim}-D"
        text = f"a finite {shape} array of length >= {self.min_length}"
        if self.low is not None or self.high is not None:
            low = "-inf" if self.low is None else f"{self.low:g}"
            high = "inf" if self.high is None else f"{self.high:g}"
            text += f" with entries in [{low}, {high}]"
        return text


@dataclass(frozen=True)
class IntSequence:
    """A sequence of ints, each ``>= low``; optionally non-empty, distinct or strictly increasing."""

    low: int
    non_empty: bool = False
    distinct: bool = False
    increasing: bool = False

    def accepts(self, value) -> bool:
        if isinstance(value, str | bytes | numbers.Number) or value is None:
            return False
        try:
            items = list(value)
        except TypeError:
            return False
        if not all(
            isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= self.low for x in items
        ):
            return False
        if self.non_empty and not items:
            return False
        if self.distinct and len(set(items)) != len(items):
            return False
        return not self.increasing or all(a < b for a, b in pairwise(items))

    def __str__(self) -> str:
        words = ["a"]
        if self.non_empty:
            words.append("non-empty")
        if self.increasing:
            words.append("strictly increasing")
        words.append("sequence of")
        if self.distinct:
            words.append("distinct")
        return " ".join(words) + f" ints in the range [{self.low}, inf)"


@dataclass(frozen=True)
class InstanceOf:
    """An instance of one of the given types."""

    types: tuple

    def accepts(self, value) -> bool:
        return isinstance(value, self.types)

    def __str__(self) -> str:
        return "an instance of " + " or ".join(t.__name__ for t in self.types)


def describe(constraints) -> str:
    """Human-readable disjunction of accepted forms."""
    parts = ["None" if c is None else str(c) for c in constraints]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def parameter_error(owner: str, name: str, constraints, value) -> ValueError | TypeError:
    """The one error template for a parameter that violates its declared constraints."""
    message = f"The '{name}' parameter of {owner} must be {describe(constraints)}. Got {value!r} instead."
    numeric = [c for c in constraints if isinstance(c, Interval | ArrayLike)]
    is_number = isinstance(value, numbers.Number | np.ndarray | list | tuple)
    if numeric and not is_number:
        return TypeError(message)
    return ValueError(message)


def check_value(owner: str, name: str, value, constraints) -> None:
    """Raise the template error unless ``value`` satisfies one of ``constraints``."""
    for constraint in constraints:
        if constraint is None:
            if value is None:
                return
        elif constraint.accepts(value):
            return
    raise parameter_error(owner, name, constraints, value)


def get_params(obj) -> dict:
    """The ``__init__`` arguments of ``obj`` as stored attributes (scikit-learn convention)."""
    signature = inspect.signature(type(obj).__init__)
    return {
        name: getattr(obj, name)
        for name in signature.parameters
        if name != "self"
        and signature.parameters[name].kind
        not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }


def validate_parameters(obj) -> None:
    """Check every declared constraint of ``obj`` against its current parameter values."""
    owner = type(obj).__name__
    for name, constraints in getattr(obj, "_parameter_constraints", {}).items():
        check_value(owner, name, getattr(obj, name), constraints)


def format_params(obj) -> str:
    """``Name(a=1, b=2)`` with every parameter that differs from its default."""
    signature = inspect.signature(type(obj).__init__)
    shown = []
    for name, value in get_params(obj).items():
        default = signature.parameters[name].default
        same = default is not inspect.Parameter.empty and _equal(default, value)
        if not same:
            shown.append(f"{name}={_short(value)}")
    return f"{type(obj).__name__}({', '.join(shown)})"


def _equal(a, b) -> bool:
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b))) and np.shape(a) == np.shape(b)
    except (TypeError, ValueError):
        return a is b


def _short(value) -> str:
    if isinstance(value, np.ndarray | list | tuple) and np.size(value) > 6:
        return f"<{np.shape(value)} array>"
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and value.ndim == 1:  # 0.30000000000000004 -> 0.3
            return "[" + ", ".join(f"{v:g}" for v in value) + "]"
        return repr(value.tolist())
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)
