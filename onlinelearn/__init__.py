"""onlinelearn: simulation of online learning and bandit algorithms.

>>> import onlinelearn as ol
>>> from onlinelearn.environments import BernoulliBandit
>>> res = ol.run([ol.learners.UCB1()], BernoulliBandit(means=[0.2, 0.8]), horizon=100,
...              n_reps=4, seed=0)
>>> res.summary()[["learner", "n_reps"]].values.tolist()
[['UCB1()', 4]]
"""

__version__ = "0.1.0"

from onlinelearn import learners, trackers  # noqa: E402
from onlinelearn.results import Results  # noqa: E402
from onlinelearn.sim.experiment import run, sweep  # noqa: E402
from onlinelearn.sim.store import load  # noqa: E402
from onlinelearn.sim.sweep import grid, named  # noqa: E402


def __getattr__(name):
    # ``ol.plot`` and ``ol.testing`` on first use: matplotlib and the checkers cost start-up time.
    if name in ("plot", "testing"):
        import importlib

        return importlib.import_module(f"onlinelearn.{name}")
    raise AttributeError(f"module 'onlinelearn' has no attribute {name!r}")


__all__ = ["Results", "__version__", "grid", "learners", "load", "named", "run", "sweep", "trackers"]
