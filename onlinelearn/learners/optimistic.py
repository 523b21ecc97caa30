"""Optimistic learners of the SEA model, one module each; this module gathers their names.

* :mod:`onlinelearn.learners.optimistic_hints`: the hints ``M_{t+1}`` (last gradient, mean
  gradient, none, an external sequence) and the hint error shared by the three below;
* :mod:`onlinelearn.learners.optimistic_omd`: :class:`OptimisticOMD` (Chen et al., JMLR 2024);
* :mod:`onlinelearn.learners.optimistic_ftrl`: :class:`OptimisticFTRL` (Sachs et al., NeurIPS
  2022, Theorem 5);
* :mod:`onlinelearn.learners.optimistic_ftl`: :class:`OFTL` (Sachs et al., Theorem 7);
* :mod:`onlinelearn.learners.optimistic_hedge`: :class:`OptimisticHedge` (experts).
"""

from onlinelearn.learners.optimistic_ftl import OFTL
from onlinelearn.learners.optimistic_ftrl import OptimisticFTRL
from onlinelearn.learners.optimistic_hedge import OptimisticHedge
from onlinelearn.learners.optimistic_omd import OptimisticOMD

__all__ = ["OFTL", "OptimisticFTRL", "OptimisticHedge", "OptimisticOMD"]
