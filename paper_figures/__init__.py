"""Figures of the paper: one module per figure, run from the repository root.

    python -m paper_figures NAME|all [--quick] [--out DIR] [--list]

A figure module defines ``experiment(quick) -> Experiment`` (learners, environments, horizon,
repetitions and seed, as data) and ``draw(results) -> Figure``; registering it in
:data:`FIGURES` makes it runnable and puts it under the smoke test of
``tests/test_paper_figures.py``.
"""

from paper_figures import (
    classical_bandits,
    conformal,
    sea_interpolation,
    sea_rates,
    stackelberg,
    strongly_adaptive,
)

#: Figure name -> module; ``python -m paper_figures NAME`` writes ``NAME.png``, ``NAME.csv`` and
#: ``NAME_summary.csv``.
FIGURES = {
    "classical_bandits": classical_bandits,
    "sea_rates": sea_rates,
    "sea_interpolation": sea_interpolation,
    "stackelberg": stackelberg,
    "strongly_adaptive": strongly_adaptive,
    "conformal": conformal,
}

__all__ = ["FIGURES"]
