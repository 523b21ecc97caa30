"""The ``onlinelearn`` command: ``demo`` and ``list``."""

from __future__ import annotations

import argparse
import inspect
import sys


def _list() -> None:
    from onlinelearn.environments import REGISTRY as ENVIRONMENTS
    from onlinelearn.learners import REGISTRY as LEARNERS
    from onlinelearn.trackers import REGISTRY as TRACKERS

    for title, registry in (("learners", LEARNERS), ("environments", ENVIRONMENTS),
                            ("trackers", TRACKERS)):
        print(f"{title}:")
        for cls in registry:
            parameters = [
                f"{name}={parameter.default!r}" if parameter.default is not inspect._empty else name
                for name, parameter in inspect.signature(cls.__init__).parameters.items()
                if name != "self"]
            summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            print(f"  {cls.__name__}({', '.join(parameters)})\n      {summary}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="onlinelearn", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the default experiment and write a regret plot")
    demo.add_argument("--out", default="onlinelearn_demo.png", help="PNG or PDF path")
    demo.add_argument("--horizon", type=int, default=10_000)
    demo.add_argument("--reps", type=int, default=100)
    demo.add_argument("--seed", type=int, default=0)
    commands.add_parser("list", help="registered learners, environments and trackers")
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        from onlinelearn.demo import main as demo_main

        demo_main(arguments.out, arguments.horizon, arguments.reps, arguments.seed)
    elif arguments.command == "list":
        _list()
    return 0


if __name__ == "__main__":
    sys.exit(main())
