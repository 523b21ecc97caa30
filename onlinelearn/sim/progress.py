"""Progress over chunks with ``tqdm``: a widget in notebooks (when ipywidgets is installed), a text
bar in terminals and in notebooks without ipywidgets."""

from __future__ import annotations

import sys
from contextlib import contextmanager


def interactive() -> bool:
    """Whether someone is watching: a Jupyter kernel, or standard error is a terminal."""
    shell = sys.modules.get("IPython")
    if shell is not None:
        ipython = shell.get_ipython()
        if ipython is not None and hasattr(ipython, "kernel"):
            return True
    return sys.stderr.isatty()


@contextmanager
def progress_bar(total: int, done: int, enabled: bool | None):
    """A bar over ``total`` chunks of which ``done`` are already finished (loaded from disk)."""
    try:
        import ipywidgets  # noqa: F401  (tqdm.auto warns on every bar without it)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm

    show = interactive() if enabled is None else enabled
    bar = tqdm(
        total=total, initial=done, disable=not show, unit="chunk", desc="onlinelearn", dynamic_ncols=True
    )
    try:
        yield bar
    finally:
        bar.close()
