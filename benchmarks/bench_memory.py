"""Peak memory of a UCB1 run with a static-regret tracker for T=1e5 and T=1e7 (one repetition).

Each horizon runs in its own process; the peak resident set size is read from ``getrusage``.
Curves are kept on the checkpoint grid, so memory must not grow with T.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import resource, sys
import numpy as np
import onlinelearn as ol
from onlinelearn.environments import BernoulliBandit
horizon = int(sys.argv[1])
ol.run(ol.learners.UCB1(), BernoulliBandit(means=np.linspace(0.1, 0.9, 10)), horizon=horizon,
       n_reps=1, seed=0, trackers=[ol.trackers.StaticRegret(), ol.trackers.PseudoRegret()])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    for horizon in (100_000, 10_000_000):
        output = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(horizon)], check=True, capture_output=True, text=True
        ).stdout.split()
        print(f"T={horizon:>10,d}: peak RSS {int(output[-1]) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
