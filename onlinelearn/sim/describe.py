"""JSON descriptions of learners, environments and trackers, for results directories.

A description names the class and its parameters; two experiments with equal descriptions compute
the same numbers.  Classes defined outside this package also carry a hash of their source, so
that editing your own learner between two runs is noticed instead of mixing old and new chunks.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import numbers

import numpy as np

#: Arrays up to this size are written out; larger ones are summarised by a hash.
_INLINE_ARRAY_SIZE = 64
_MAX_DEPTH = 4


def jsonable(value, depth: int = 0):
    """A JSON-compatible, deterministic rendering of ``value``."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, np.ndarray | list | tuple) and _is_numeric(value):
        array = np.asarray(value)
        if array.size <= _INLINE_ARRAY_SIZE:
            return (
                jsonable(array.tolist(), depth)
                if isinstance(value, np.ndarray)
                else [jsonable(v, depth + 1) for v in value]
            )
        digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        return {"array": {"shape": list(array.shape), "dtype": str(array.dtype), "sha256": digest}}
    if isinstance(value, list | tuple):
        return [jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if depth >= _MAX_DEPTH:
        return f"<{type(value).__qualname__}>"
    return describe(value, depth + 1)


def _is_numeric(value) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (ValueError, TypeError):
        return False


def describe(obj, depth: int = 0) -> dict:
    """Class, parameters and (for classes outside this package) a source hash of ``obj``."""
    cls = type(obj)
    if callable(getattr(obj, "get_params", None)):
        params = obj.get_params()
    elif callable(obj) and hasattr(obj, "__qualname__"):  # a function given as a parameter
        return {"function": f"{obj.__module__}.{obj.__qualname__}", "source": _source_hash(obj)}
    else:
        params = {
            k: v
            for k, v in getattr(obj, "__dict__", {}).items()
            if not k.startswith("_") and not k.endswith("_")
        }
    description = {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "params": {k: jsonable(v, depth) for k, v in sorted(params.items())},
    }
    if not cls.__module__.startswith("onlinelearn"):
        description["source"] = _source_hash(cls)
    return description


def _source_hash(obj) -> str | None:
    try:
        return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:16]
    except (OSError, TypeError):
        return None
