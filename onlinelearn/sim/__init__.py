"""Simulation: the compiled runner, the Python loop, and experiments."""

from onlinelearn.sim.experiment import run

__all__ = ["run"]
