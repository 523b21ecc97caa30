"""Typed lists of per-repetition states and Generators, built by cached kernels.

``numba.typed.List()`` and its ``append`` compile anew in every process for every item type
(about 0.35 s per list on this machine).  Building the lists through ``cache=True`` functions
puts that code in the disk cache, so a warm process pays only a cache load.
"""

from __future__ import annotations

from numba import njit
from numba.typed import List


@njit(cache=True)
def _new_list_with(item):
    items = List()
    items.append(item)
    return items


@njit(cache=True)
def _append(items, item):
    items.append(item)


def typed_list(items):
    """A ``numba.typed.List`` holding ``items`` (at least one, all of one Numba type)."""
    items = list(items)
    result = _new_list_with(items[0])
    for item in items[1:]:
        _append(result, item)
    return result
