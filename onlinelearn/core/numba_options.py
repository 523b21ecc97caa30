"""The one place where Numba compiler options are chosen.

Every kernel in the library is decorated with :func:`kernel`; the generated runners use
:func:`runner`.  ``cache=True`` keeps compiled code on disk across processes, ``nogil=True`` lets
the repetition loop run on several threads, and ``fastmath`` stays off so that the compiled
loop and the Python loop give bit-identical results.
"""

from __future__ import annotations

import os

from numba import njit

KERNEL_OPTIONS = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}
SERIAL_RUNNER_OPTIONS = {**KERNEL_OPTIONS}
PARALLEL_RUNNER_OPTIONS = {**KERNEL_OPTIONS, "parallel": True}

#: Set ``ONLINELEARN_DISABLE_JIT=1`` (or Numba's own ``NUMBA_DISABLE_JIT=1``) to run every kernel
#: as plain Python, e.g. for coverage or a debugger.
JIT_DISABLED = os.environ.get("NUMBA_DISABLE_JIT", "0") == "1"


def kernel(function):
    """Compile ``function`` as a cached, GIL-free nopython kernel."""
    return njit(**KERNEL_OPTIONS)(function)
