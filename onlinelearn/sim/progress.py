"""Progress over chunks with ``tqdm.auto``: a widget in notebooks, a bar in terminals."""

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
    from tqdm.auto import tqdm

    show = interactive() if enabled is None else enabled
    bar = tqdm(total=total, initial=done, disable=not show, unit="chunk", desc="onlinelearn",
               dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()
