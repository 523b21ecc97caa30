"""Simulation: the compiled runner, the Python loop, experiments, sweeps, backends, storage."""

from onlinelearn.sim.experiment import run, sweep
from onlinelearn.sim.store import load
from onlinelearn.sim.sweep import GridPoint, grid

__all__ = ["GridPoint", "grid", "load", "run", "sweep"]
