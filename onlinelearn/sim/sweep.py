"""Parameter grids: every combination of swept values becomes one learner or environment.

>>> import onlinelearn as ol
>>> points = ol.grid(ol.learners.EXP3, eta=[0.1, 1.0])
>>> [point.name for point in points]
['EXP3(eta=0.1)', 'EXP3(eta=1.0)']
>>> points[1].params
{'eta': 1.0}

Grid points mix freely with plain objects in the lists given to :func:`onlinelearn.run`; the
swept values become columns of ``Results.summary()`` and the x axis of
:func:`onlinelearn.plot.sweep`.  :func:`named` gives one object the label its rows, legend
entries and panel titles show:

>>> ol.named(ol.learners.UCB1(), "UCB1, c = 2").name
'UCB1, c = 2'
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class GridPoint:
    """One object of a grid with the swept values it was built from."""

    obj: object
    params: dict = field(default_factory=dict)
    name: str = ""


def _factory_name(factory) -> str:
    while isinstance(factory, functools.partial):
        factory = factory.func
    return getattr(factory, "__name__", type(factory).__name__)


def _values(name: str, values) -> list | None:
    """The list of values of a swept parameter, or None for a fixed (scalar) value."""
    if isinstance(values, str | bytes) or np.ndim(values) == 0 and not isinstance(values, list | tuple):
        return None
    values = list(values)
    if not values:
        raise ValueError(f"The grid values of '{name}' must be a non-empty list. Got [] instead.")
    return values


def grid(factory, **values) -> list[GridPoint]:
    """One :class:`GridPoint` per combination of the listed parameter values.

    Args:
        factory: a class or any callable taking the parameters as keywords.
        **values: a list of values per swept parameter; a scalar is passed to every point
            unchanged and is not a swept column.  A fixed array-valued parameter (e.g. arm means)
            goes through :func:`functools.partial` or a lambda.

    Returns:
        A list of grid points in ``itertools.product`` order (the last parameter varies fastest).
    """
    if not callable(factory):
        raise TypeError(
            f"The 'factory' parameter of grid must be a class or a callable. Got {factory!r} instead."
        )
    swept, fixed = {}, {}
    for name, value in values.items():
        listed = _values(name, value)
        if listed is None:
            fixed[name] = value
        else:
            swept[name] = listed
    if not swept:
        raise ValueError(
            "grid needs at least one parameter with a list of values, e.g. "
            f"grid({_factory_name(factory)}, eta=[0.1, 1.0])."
        )
    base = _factory_name(factory)
    points = []
    for combination in itertools.product(*swept.values()):
        params = dict(zip(swept, (_plain(v) for v in combination), strict=True))
        label = ", ".join(f"{key}={value!r}" for key, value in params.items())
        points.append(GridPoint(factory(**fixed, **params), params, f"{base}({label})"))
    return points


def named(obj, name: str) -> GridPoint:
    """``obj`` under the label ``name`` in the results' rows, legends and titles.

    Without it a learner or environment is shown as its class and the parameters that differ from
    their defaults (``BernoulliBandit(means=<(10,) array>)``).  Two objects with the same label get
    ``#2``, ``#3`` appended, as any repeated name does.
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"The 'name' parameter of named must be a non-empty str. Got {name!r} instead.")
    if isinstance(obj, GridPoint):
        return GridPoint(obj.obj, obj.params, name)
    return GridPoint(obj, {}, name)


def _plain(value):
    """NumPy scalars as Python scalars, so that names and JSON sidecars read naturally."""
    return value.item() if isinstance(value, np.generic) else value


def unwrap(items) -> tuple[list, list[dict], list[str | None]]:
    """Objects, swept parameters and grid names (None for plain objects) of a mixed list."""
    objects, params, names = [], [], []
    for item in items:
        if isinstance(item, GridPoint):
            objects.append(item.obj)
            params.append(dict(item.params))
            names.append(item.name)
        else:
            objects.append(item)
            params.append({})
            names.append(None)
    return objects, params, names
