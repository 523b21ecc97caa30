"""Regret plots: mean curves with 95% confidence bands of the mean (t x standard error).

* :func:`regret`: regret against t for every learner;
* :func:`rate`: the same on log-log axes with fitted slopes and sqrt(t), log(t) references;
* :func:`sweep`: final regret against a swept parameter (:func:`sweep_table` for the numbers);
* :func:`interval`: worst interval regret against the interval length L;
* :func:`save`, :func:`save_all`: reproducible PNG/PDF files.

Every function draws on the Axes it is given (or a new one) and never changes the global style;
wrap calls in ``plt.style.context(STYLE)`` for the paper style.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from onlinelearn import plot_helpers as helpers

STYLE = "onlinelearn.styles.paper"
MARKERS = "os^Dv<>ph*"
REFERENCES = ("sqrt", "log")
SAVE_FORMATS = ("png", "pdf", "svg")


def regret(
    results,
    metric=None,
    environment=None,
    ax=None,
    band: str = "ci",
    logx: bool = False,
    title: str | None = None,
):
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
    j = 0 if environment is None else helpers.environment_index(results, environment)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.0))
    data = results.metrics[metric][:, j]
    t = results.checkpoints
    markevery = 0.1  # evenly spaced on screen: the checkpoints are log-spaced in t
    for i, name in enumerate(results.learner_names):
        curves = data[i]
        if band == "quantile":
            mean = curves.mean(axis=0)
            low, high = np.quantile(curves, [0.1, 0.9], axis=0)
        else:
            mean, low, high = helpers.mean_and_ci(curves)
        (line,) = ax.plot(t, mean, label=name, marker=MARKERS[i % 10], markersize=4, markevery=markevery)
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


def fitted_slopes(results, metric=None, environment=None, fit_from: float = 0.1) -> dict[str, float]:
    """Growth exponent of each learner's mean ``metric``: the slope of log(mean) against log(t).

    The least-squares line is fitted over the checkpoints ``t >= fit_from * horizon`` where the
    mean is positive; a curve ``c * t**a`` has slope ``a``, ``c * log(t)`` about ``1 / log(t)``.
    Returns learner name -> slope (NaN with fewer than two usable checkpoints).  ``environment``
    (index or name) may be omitted only when the results have one environment.
    """
    metric = metric or results.default_metric
    fit_from = helpers.check_fraction("fit_from", fit_from)
    j = helpers.single_environment(results, environment, "fitted_slopes")
    start = fit_from * results.horizon
    means = results._metric(metric)[:, j].mean(axis=1)
    return {
        name: helpers.fit_slope(results.checkpoints, means[i], start)
        for i, name in enumerate(results.learner_names)
    }


def rate(
    results,
    metric=None,
    environment=None,
    ax=None,
    fit_from: float = 0.1,
    references=REFERENCES,
    title=None,
):
    """Log-log plot of the mean ``metric`` against t, with each learner's fitted growth slope.

    Each learner gets its mean curve and 95% CI band (clipped at a small positive floor, since a
    log axis cannot show values <= 0; non-positive means are left out), and its legend label
    ends with the slope of :func:`fitted_slopes` (fitted on ``t >= fit_from * horizon``, marked
    by a dotted vertical line).  Dashed references ``c * sqrt(t)`` and ``c * log(t)`` pass through
    the median of the learners' final means.

    Args:
        results: a :class:`~onlinelearn.results.Results`.
        metric: metric name (default: the first one).
        environment: index or name; with several environments, ``None`` and ``ax=None`` draw one
            panel per environment and return the array of Axes.
        ax: Axes to draw on (created when None).
        fit_from: start of the fitted range as a fraction of the horizon, in (0, 1).
        references: any of ``"sqrt"`` and ``"log"``.
        title: Axes title (default: the environment's name).

    Returns:
        The Axes (or the array of panels).
    """
    metric = metric or results.default_metric
    results.final(metric)  # unknown metric: ValueError listing the metrics
    helpers.check_fraction("fit_from", fit_from)
    references = (references,) if isinstance(references, str) else tuple(references)
    if not set(references) <= set(REFERENCES):
        raise ValueError(
            f"The 'references' parameter must hold values among {REFERENCES}; got {references!r}."
        )

    def draw(j, ax):
        t = results.checkpoints.astype(float)
        slopes = fitted_slopes(results, metric, j, fit_from)
        stats = [helpers.mean_and_ci(results.metrics[metric][i, j]) for i in range(len(slopes))]
        floor = helpers.positive_floor(*(mean for mean, _, _ in stats))
        markevery = 0.1  # evenly spaced on screen: the checkpoints are log-spaced in t
        for i, (name, (mean, low, high)) in enumerate(zip(results.learner_names, stats, strict=True)):
            shown = mean > 0
            slope = slopes[name]
            label = f"{name} slope {slope:.2f}" if np.isfinite(slope) else f"{name} slope n/a"
            (line,) = ax.plot(
                t[shown], mean[shown], label=label, marker=MARKERS[i % 10], markersize=4, markevery=markevery
            )
            band_low, band_high = np.maximum(low[shown], floor), np.maximum(high[shown], floor)
            ax.fill_between(t[shown], band_low, band_high, color=line.get_color(), alpha=0.2, linewidth=0)
        helpers.draw_references(ax, t, [mean[-1] for mean, _, _ in stats], references)
        ax.axvline(fit_from * results.horizon, color="0.5", lw=0.8, ls="-.")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("round t")
        ax.set_ylabel(f"mean {metric.replace('_', ' ')} (95% CI band)")
        ax.set_title(title or results.environment_names[j], fontsize="medium")
        helpers.legend(ax, f"slope fitted on t ≥ {fit_from * results.horizon:g} (dash-dot)", boxed=True)

    return helpers.over_environments(draw, results, environment, ax, "rate")


def sweep_table(results, x: str, metric=None, hue: str = "learner", where=None, environment=None):
    """Final mean of ``metric`` against the swept parameter ``x``: a pandas DataFrame.

    The index holds the values of ``x`` (column name ``x``), the columns one curve each: the
    value of ``hue`` (``"learner"``, ``"env"`` or another parameter column of
    ``results.parameter_columns()``), extended by every other parameter, learner or environment
    that varies among the rows, so rows are never averaged together.  Learner and environment
    names are shown without their swept parameters (``"EXP3()"`` for ``EXP3(eta=0.1)``).

    ``where`` keeps the rows whose columns equal given values, e.g. ``{"gap": 0.1}`` or
    ``{"gap": [0.1, 0.2], "learner": "UCB1()"}`` (floats compared with a 1e-9 relative
    tolerance); ``environment`` (name, index or a list of them) keeps those environments.
    Learners without the parameter ``x`` are left out (:func:`sweep` draws them as horizontal
    lines).
    """
    swept, _ = helpers.sweep_frame(results, x, metric, hue, where, environment)
    lines = list(dict.fromkeys(swept["line"]))
    table = swept.pivot(index=x, columns="line", values="final_mean")
    table = table.sort_index()[lines]
    table.columns.name = hue
    return table


def sweep(
    results,
    x: str,
    metric=None,
    hue: str = "learner",
    environment=None,
    ax=None,
    logx=None,
    title=None,
    where=None,
):
    """Final mean ``metric`` (95% CI error bars) against a swept parameter ``x``.

    One line per curve of :func:`sweep_table` (same ``hue``, ``where`` and ``environment``
    arguments).  When ``x`` is a learner parameter, learners without it (baselines such as
    ``UCB1()`` in ``ol.grid(EXP3, eta=[...]) + [UCB1()]``) are drawn as dotted horizontal lines
    with their CI as a band.  ``logx=None`` uses a log x axis when every x is positive and
    max/min >= 20.  Returns the Axes.
    """
    import matplotlib.pyplot as plt

    metric = metric or results.default_metric
    swept, baselines = helpers.sweep_frame(results, x, metric, hue, where, environment)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.0))
    values = sorted(set(swept[x]), key=lambda v: (isinstance(v, str), v))
    n_lines = swept["line"].nunique()
    for i, (line, rows) in enumerate(swept.groupby("line", sort=False)):
        rows = rows.sort_values(x)
        mean = rows["final_mean"].to_numpy()
        errors = [mean - rows["ci95_low"].to_numpy(), rows["ci95_high"].to_numpy() - mean]
        # Lines side by side, 3 points apart on screen, so that error bars at one x do not hide
        # each other; the data (and get_xdata) keep the exact x values.
        style = {"marker": MARKERS[i % 10], "markersize": 4, "capsize": 3}
        bars = ax.errorbar(rows[x].to_numpy(), mean, yerr=errors, label=line, **style)
        helpers.dodge(ax, bars, 3.0 * (i - (n_lines - 1) / 2))
    helpers.draw_baselines(ax, baselines, f" (no {x})", first_color=n_lines)
    if logx if logx is not None else helpers.auto_logx(values):
        ax.set_xscale("log")
    helpers.value_ticks(ax, values)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{metric.replace('_', ' ')} at T={results.horizon}")
    chosen = "; ".join(
        f"{k} in {{{', '.join(map(str, v))}}}" if isinstance(v, list | tuple | set) else f"{k}={v}"
        for k, v in (where or {}).items()
    )
    default = f"{chosen}{'; ' if chosen else ''}mean of {results.n_reps} repetitions, 95% CI"
    ax.set_title(title or default, fontsize="medium")
    helpers.legend(ax, hue, last=f" (no {x})")
    return ax


def interval(results, environment=None, ax=None, title=None):
    """Worst interval regret at the horizon against the interval length L, log-log.

    Reads every ``interval_regret_<L>`` metric (from
    :class:`~onlinelearn.trackers.IntervalRegret`); each learner gets its final means with 95%
    CI error bars (clipped at a small positive floor for the log axis; non-positive means are
    not drawn), and a dashed ``c * sqrt(L)`` reference passes through the median learner at the
    largest L.  ``environment`` works as in :func:`rate`.  Returns the Axes (or the panels).
    """
    lengths = helpers.interval_lengths(results)
    L = np.array(list(lengths), dtype=float)

    def draw(j, ax):
        stats = helpers.interval_stats(results, lengths, j)
        floor = helpers.positive_floor(*(mean for mean, _, _ in stats))
        for i, (name, (mean, low, high)) in enumerate(zip(results.learner_names, stats, strict=True)):
            shown = np.where(mean > 0, mean, np.nan)
            errors = [shown - np.maximum(low, floor), np.maximum(high, floor) - shown]
            hidden = ", ".join(f"{v:g}" for v in L[mean <= 0])
            label = f"{name} (≤ 0 at L={hidden}, not shown)" if hidden else name
            ax.errorbar(L, shown, yerr=errors, label=label, marker=MARKERS[i % 10], markersize=4, capsize=3)
        helpers.draw_references(
            ax, np.geomspace(L[0], L[-1], 50), [m[-1] for m, _, _ in stats], ["sqrt"], "L"
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        helpers.value_ticks(ax, L)
        ax.set_xlabel("interval length L")
        ax.set_ylabel(f"worst regret over length-L intervals, T={results.horizon}")
        ax.set_title(title or results.environment_names[j], fontsize="medium")
        helpers.legend(ax, "mean, 95% CI", last="$")  # the reference last

    return helpers.over_environments(draw, results, environment, ax, "interval")


def save(figure, path, dpi: int = 200) -> None:
    """Save a figure reproducibly (no creation date in the metadata)."""
    suffix = str(path).rsplit(".", 1)[-1].lower()
    metadata = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(suffix, {})
    figure.savefig(path, dpi=dpi, bbox_inches="tight", metadata=metadata)


def save_all(figure, stem, formats=("png", "pdf"), dpi: int = 200) -> list[Path]:
    """Write ``stem.<format>`` for every format (``"png"``, ``"pdf"``, ``"svg"``); return the paths.

    PDF and SVG files carry no creation date, so saving the same figure twice gives identical bytes.
    """
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    unknown = [f for f in formats if f not in SAVE_FORMATS]
    if unknown or not formats:
        raise ValueError(f"The 'formats' parameter must hold values among {SAVE_FORMATS}; got {formats!r}.")
    paths = [Path(f"{stem}.{fmt}") for fmt in formats]
    for path in paths:
        save(figure, path, dpi=dpi)
    return paths


__all__ = ["STYLE", "fitted_slopes", "interval", "rate", "regret", "save", "save_all", "sweep", "sweep_table"]
