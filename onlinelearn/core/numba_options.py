"""The one place where Numba compiler options are chosen.

Every kernel in the library is decorated with :func:`kernel` (or :func:`inlined_kernel`,
:func:`ir_inlined_kernel`); the generated runners use ``SERIAL_RUNNER_OPTIONS`` and
``PARALLEL_RUNNER_OPTIONS``, the role kernels they inline ``IR_INLINED_OPTIONS``, and the other
generated modules (typed-list builders, Python-path calls) ``CACHED_OPTIONS``
(``tests/core/test_numba_options.py`` checks that no other file spells out options).
``nogil=True`` lets the repetition loop run on several threads, and ``fastmath`` stays off so that
the compiled loop and the Python loop give bit-identical results.

What is cached on disk.  The generated modules are (``cache=True``): a warm process loads its
compiled runner instead of compiling it.  The kernels are not: Numba keeps a cached function as
object code, and a function linked from object code cannot be inlined by LLVM into its caller.
Kernels loaded from the disk cache while a new runner compiled were called, not inlined, and
that runner then kept the reference counting the inlining removes: SAOL 1197 against 947 ns a
round (B9) depending only on which earlier process had filled the cache (docs/design.md
section 4).  Compiled in the process, they are always inlined; the cost is their compile time in
a process that compiles a runner or steps the objects from Python.

Inlining (measurements in docs/design.md section 4).  A kernel that LLVM does not inline gets its
NamedTuple state passed as dozens of scalar arguments, and the call's error exit keeps Numba's
reference counting of every state array alive (an atomic operation each, per round).  The
generated runner therefore inlines the four role kernels (act, update, step, hindsight) at Numba
IR level (``onlinelearn/sim/codegen.py``).  Helpers that a role kernel calls every round and that
LLVM declines to inline are decorated with :func:`inlined_kernel` (LLVM ``alwaysinline``).
Marking *every* kernel ``forceinline`` was measured too: about as fast, but 51% more compile
time across the test suite, against 7% for the IR-level inlining.

The generated modules' names hash every kernel source, so a cached runner is never stale; after
changing an option here, delete the ``runners`` folder of the cache (``ONLINELEARN_CACHE_DIR``).
"""

from __future__ import annotations

import os

from numba import njit

KERNEL_OPTIONS = {"cache": False, "nogil": True, "fastmath": False, "error_model": "numpy"}
INLINED_KERNEL_OPTIONS = {**KERNEL_OPTIONS, "forceinline": True}
#: Generated modules compiled once and loaded from the disk cache by later processes.
CACHED_OPTIONS = {**KERNEL_OPTIONS, "cache": True}
SERIAL_RUNNER_OPTIONS = {**CACHED_OPTIONS}
PARALLEL_RUNNER_OPTIONS = {**CACHED_OPTIONS, "parallel": True}
#: Recompiling a role kernel's Python function with these inlines it at Numba IR level into the
#: generated runner that calls it (the runner itself is the cached unit).
IR_INLINED_OPTIONS = {"inline": "always"}
#: Helpers inlined at Numba IR level into the kernels that call them (see :func:`ir_inlined_kernel`).
IR_INLINED_KERNEL_OPTIONS = {**KERNEL_OPTIONS, "inline": "always"}

#: Set ``ONLINELEARN_DISABLE_JIT=1`` (or Numba's own ``NUMBA_DISABLE_JIT=1``) to run every kernel
#: as plain Python, e.g. for coverage or a debugger.
JIT_DISABLED = os.environ.get("NUMBA_DISABLE_JIT", "0") == "1"


def kernel(function):
    """Compile ``function`` as a GIL-free nopython kernel (compiled in each process, see above)."""
    return njit(**KERNEL_OPTIONS)(function)


def inlined_kernel(function):
    """Like :func:`kernel`, and always inlined by LLVM into the kernels that call it.

    For small helpers called every round from a role kernel: inlined, Numba's reference-count
    pruner can remove the per-round increfs and decrefs of the caller's state arrays.
    """
    return njit(**INLINED_KERNEL_OPTIONS)(function)


def ir_inlined_kernel(function):
    """Like :func:`kernel`, and inlined at Numba IR level into the kernels that call it.

    For a helper with loops over a state record's arrays, called every round: inlined by LLVM it
    keeps the reference counting of the arrays it reads across its loops; inlined at IR level its
    body is the caller's own code, and costs what the same lines written in the caller cost
    (SAOL's mixture: 836 against 655 ns a round, docs/design.md section 6.3).  Not the default:
    IR inlining of small helpers (VolatileBandit's loss draw) measured slower, and every call site
    re-compiles the body.
    """
    return njit(**IR_INLINED_KERNEL_OPTIONS)(function)
