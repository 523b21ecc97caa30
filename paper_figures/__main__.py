"""``python -m paper_figures NAME|all [--quick] [--out DIR] [--list]``: run figures, write files."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "output"


def main(argv=None) -> int:
    """Parse the command line, run the chosen figures and return the exit code."""
    import matplotlib

    matplotlib.use("Agg")
    from paper_figures import FIGURES
    from paper_figures._common import make

    parser = argparse.ArgumentParser(
        prog="python -m paper_figures",
        description="Run paper figures; each writes NAME.png, NAME.csv and NAME_summary.csv.",
    )
    parser.add_argument(
        "name", nargs="?", metavar="NAME", help=f"figure to run, or 'all' (known: {', '.join(FIGURES)})"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small horizon and few repetitions (also set by ONLINELEARN_QUICK=1)",
    )
    parser.add_argument(
        "--out",
        default=str(DEFAULT_OUT),
        metavar="DIR",
        help="output folder (default: paper_figures/output/)",
    )
    parser.add_argument("--list", action="store_true", help="print the figure names and exit")
    arguments = parser.parse_args(argv)
    if arguments.list:
        print("\n".join(FIGURES))
        return 0
    known = ", ".join(["all", *FIGURES])
    if arguments.name is None:
        parser.error(f"give a figure NAME (one of: {known}) or --list")
    if arguments.name != "all" and arguments.name not in FIGURES:
        parser.error(f"unknown figure {arguments.name!r}; known names: {known}")
    quick = arguments.quick or os.environ.get("ONLINELEARN_QUICK") == "1"
    names = list(FIGURES) if arguments.name == "all" else [arguments.name]
    for name in names:
        make(name, FIGURES[name], arguments.out, quick=quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
