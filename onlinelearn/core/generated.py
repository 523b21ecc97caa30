"""Generated modules: small Python files written to a cache folder, imported by name, compiled by
Numba with ``cache=True``.

Numba inlines only what a function's *globals* name, and reloads a compiled function from its disk
cache only if its module can be imported by name.  So code that must combine kernels chosen at
run time (a runner for one learner-environment-tracker combination, a typed-list builder for one
state type, a Python-path call of one kernel) is written as a tiny module whose globals are those
kernels.  The module name hashes the generated source and every source file kernels can come
from, so an edited kernel never meets a stale compiled module.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
import tempfile
from functools import cache
from pathlib import Path

#: Package folders whose code can run inside a generated module (kernels and what they call).
_KERNEL_FOLDERS = ("core", "games", "learners", "trackers")

_LOADED: dict[str, object] = {}


def cache_directory() -> Path:
    """Folder of generated modules (``ONLINELEARN_CACHE_DIR`` overrides the default)."""
    root = os.environ.get("ONLINELEARN_CACHE_DIR")
    if root is None:
        root = os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache"))
        root = str(Path(root) / "onlinelearn")
    folder = Path(root) / "runners"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def package_fingerprint() -> str:
    """Hash of every source file that kernels can come from, so that a kernel edit changes the
    names of generated modules; results, plots, the CLI and the experiment layer are left out on
    purpose."""
    import onlinelearn
    import onlinelearn.environments as environments

    digest = hashlib.sha1()
    package = Path(onlinelearn.__file__).parent
    roots = [package / folder for folder in _KERNEL_FOLDERS]
    roots.append(Path(environments.__file__).parent)
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def file_fingerprint(module_name: str) -> str:
    """Hash of a module's source file: kernels outside this package are not in the package hash."""
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    return hashlib.sha1(Path(path).read_bytes()).hexdigest() if path else ""


def kernel_reference(function) -> tuple[str, str]:
    """``(module, name)`` of a module-level kernel, with a clear error for anything else."""
    python_function = getattr(function, "py_func", function)
    module, name = python_function.__module__, python_function.__qualname__
    if "." in name or "<" in name or module == "__main__":
        raise TypeError(
            f"Kernel {name!r} of module {module!r} must be a module-level function "
            "of an importable module to be compiled into a runner."
        )
    return module, name


def outside_fingerprint(kernels) -> str:
    """Source hashes of the modules outside this package that ``kernels`` come from."""
    modules = sorted({kernel_reference(k)[0] for k in kernels})
    return "".join(file_fingerprint(m) for m in modules if m.split(".")[0] != "onlinelearn")


def import_generated(prefix: str, source: str, fingerprint: str = ""):
    """Import the module with this ``source`` from the cache folder, writing it first if needed.

    Its name is ``prefix`` plus a hash of the source, the package's sources and ``fingerprint``,
    so changed code always gets a fresh module (and a fresh Numba cache).
    """
    digest = hashlib.sha1((source + package_fingerprint() + fingerprint).encode()).hexdigest()[:20]
    module_name = f"{prefix}_{digest}"
    if module_name in _LOADED:
        return _LOADED[module_name]
    folder = cache_directory()
    path = folder / f"{module_name}.py"
    if not path.exists():
        # Atomic write: parallel workers may generate the same module at the same time.
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "w") as file:
            file.write(source)
        os.replace(temporary, path)
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
    importlib.invalidate_caches()
    module = importlib.import_module(module_name)
    _LOADED[module_name] = module
    return module
