"""Regret plots: mean curves with 95% confidence bands of the mean (t x standard error)."""

from __future__ import annotations

import numpy as np

from onlinelearn.results import mean_and_standard_error, t_quantile

STYLE = "onlinelearn.styles.paper"


def _environment_index(results, environment) -> int:
    if environment is None:
        return 0
    if isinstance(environment, str):
        return results.environment_names.index(environment)
    return int(environment)


def regret(results, metric=None, environment=None, ax=None, band: str = "ci",
           logx: bool = False, title: str | None = None):
    """Plot ``metric`` against t for every learner on one environment.

    Args:
        results: a :class:`~onlinelearn.results.Results`.
        metric: metric name (default: the first tracker's first metric).
        environment: index or name of the environment; with several environments and
            ``environment=None`` a row of panels is drawn and the array of Axes is returned.
        ax: Axes to draw on (created when None).
        band: ``"ci"`` (95% CI of the mean) or ``"quantile"`` (10%-90% of repetitions).
        logx: log-scaled time axis.
    """
    import matplotlib.pyplot as plt

    metric = metric or results.default_metric
    if environment is None and len(results.environment_names) > 1 and ax is None:
        n = len(results.environment_names)
        _, axes = plt.subplots(1, n, figsize=(5.0 * n, 3.8), squeeze=False)
        for j in range(n):
            regret(results, metric, j, axes[0, j], band, logx)
        return axes[0]
    j = _environment_index(results, environment)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.0))
    data = results.metrics[metric][:, j]
    t = results.checkpoints
    markevery = max(1, len(t) // 10)
    for i, name in enumerate(results.learner_names):
        curves = data[i]
        mean, se = mean_and_standard_error(curves, axis=0)
        if band == "quantile":
            low, high = np.quantile(curves, [0.1, 0.9], axis=0)
        else:
            half = t_quantile(curves.shape[0]) * se
            low, high = mean - half, mean + half
        (line,) = ax.plot(t, mean, label=name, marker="os^Dv<>ph*"[i % 10], markersize=4,
                          markevery=markevery)
        ax.fill_between(t, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    band_text = "95% CI of the mean" if band == "ci" else "10%-90% of repetitions"
    ax.set_xlabel("round t")
    ax.set_ylabel(metric.replace("_", " "))
    if logx:
        ax.set_xscale("log")
    ax.set_title(title or f"{results.environment_names[j]}", fontsize="medium")
    ax.legend(title=f"mean, band: {band_text}", fontsize="small", title_fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def save(figure, path, dpi: int = 200) -> None:
    """Save a figure reproducibly (no creation date in the metadata)."""
    metadata = {"CreationDate": None} if str(path).endswith(".pdf") else {}
    figure.savefig(path, dpi=dpi, bbox_inches="tight", metadata=metadata)


__all__ = ["STYLE", "regret", "save"]
