"""Pieces of :mod:`onlinelearn.plot`: confidence intervals, slope fits, sweep tables, and the
small drawing steps (references, baselines, ticks, legends) that several plots share.
"""

from __future__ import annotations

import math
import re
from numbers import Real

import numpy as np

from onlinelearn.results import mean_and_standard_error, t_quantile

INTERVAL_METRIC = re.compile(r"interval_regret_(\d+)$")


def environment_index(results, environment) -> int:
    """Position of ``environment`` (index or name) in ``results.environment_names``."""
    names = results.environment_names
    if isinstance(environment, str):
        if environment not in names:
            raise ValueError(f"Unknown environment {environment!r}; the results have {names}.")
        return names.index(environment)
    if isinstance(environment, bool) or not isinstance(environment, int | np.integer):
        raise TypeError(f"The 'environment' parameter must be a name or an index; got {environment!r}.")
    if not -len(names) <= environment < len(names):
        raise ValueError(
            f"The 'environment' index {environment} is out of range for {len(names)} environments."
        )
    return int(environment) % len(names)


def single_environment(results, environment, function: str) -> int:
    """Like :func:`environment_index`, but ``None`` is allowed only when there is one environment."""
    if environment is None:
        if len(results.environment_names) > 1:
            raise ValueError(
                f"{function}: the results have several environments; pass environment= one of "
                f"{results.environment_names} (or its index)."
            )
        return 0
    return environment_index(results, environment)


def over_environments(draw, results, environment, ax, function: str):
    """Call ``draw(j, ax)`` on one Axes, or on a row of panels (one per environment).

    A row of panels is drawn when ``environment`` is None, the results have several environments
    and no Axes was given; the array of Axes is returned then, otherwise the one Axes.
    """
    import matplotlib.pyplot as plt

    n = len(results.environment_names)
    if environment is None and n > 1:
        if ax is not None:
            raise ValueError(
                f"{function}: one Axes cannot show {n} environments; pass environment= one of "
                f"{results.environment_names}, or ax=None for one panel per environment."
            )
        _, axes = plt.subplots(1, n, figsize=(5.0 * n, 3.8), squeeze=False)
        for j in range(n):
            draw(j, axes[0, j])
        return axes[0]
    j = 0 if environment is None else environment_index(results, environment)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.0))
    draw(j, ax)
    return ax


def mean_and_ci(values, axis: int = 0):
    """Mean and 95% confidence interval of the mean (Student t) along ``axis``."""
    values = np.asarray(values, dtype=float)
    mean, se = mean_and_standard_error(values, axis=axis)
    half = t_quantile(values.shape[axis]) * se
    return mean, mean - half, mean + half


def positive_floor(*arrays) -> float:
    """Half the smallest positive value in ``arrays``: where bands are clipped on a log axis."""
    positive = [a[a > 0] for a in (np.asarray(x, dtype=float) for x in arrays)]
    positive = np.concatenate(positive) if positive else np.array([])
    return 0.5 * float(positive.min()) if positive.size else 1.0


def fit_slope(t, mean, start: float) -> float:
    """Least-squares slope of log(mean) on log(t) over ``t >= start`` (NaN with < 2 usable points)."""
    t, mean = np.asarray(t, dtype=float), np.asarray(mean, dtype=float)
    used = (t >= start) & (t > 0) & (mean > 0)
    if used.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(t[used]), np.log(mean[used]), 1)[0])


def check_fraction(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < 1:
        raise ValueError(f"The '{name}' parameter must be a number in the open range (0, 1); got {value!r}.")
    return float(value)


def interval_lengths(results) -> dict[int, str]:
    """Interval length L -> metric name, for every ``interval_regret_<L>`` metric, sorted by L."""
    found = {int(m.group(1)): name for name in results.metrics if (m := INTERVAL_METRIC.match(name))}
    if not found:
        raise ValueError(
            f"The results have no 'interval_regret_<L>' metric (they have {list(results.metrics)}); "
            "run with trackers=[ol.trackers.IntervalRegret(lengths=[...])]."
        )
    return dict(sorted(found.items()))


def interval_stats(results, lengths: dict[int, str], j: int) -> list:
    """Per learner: (mean, CI low, CI high) of the final value of each interval metric, by L."""
    return [
        mean_and_ci(np.stack([results.final(name)[i, j] for name in lengths.values()], axis=-1))
        for i in range(len(results.learner_names))
    ]


# --- sweeps ------------------------------------------------------------------------------------


def strip_parameters(name: str, keys) -> str:
    """``"EXP3(eta=0.1, gamma=0.2)"`` without the ``keys`` entries, e.g. ``"EXP3(gamma=0.2)"``.

    Names that are not of the ``Name(key=value, ...)`` form are returned unchanged.
    """
    match = re.fullmatch(r"([^()]*)\((.*)\)(.*)", name, flags=re.S)
    if not match or not keys:
        return name
    head, body, tail = match.groups()
    entries, depth, current = [], 0, ""
    for char in body:  # split at top-level commas only: values may be lists
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth == 0:
            entries.append(current.strip())
            current = ""
        else:
            current += char
    entries.append(current.strip())
    kept = [e for e in entries if e and e.split("=", 1)[0].strip() not in keys]
    return f"{head}({', '.join(kept)}){tail}"


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _same(a, b) -> bool:
    numbers = isinstance(a, Real) and isinstance(b, Real) and not isinstance(a, bool | np.bool_)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) if numbers else a == b


def apply_where(frame, where: dict | None, columns: list[str]):
    """Rows of ``frame`` whose ``column`` equals the value (or one of the list of values) in ``where``."""
    for column, wanted in (where or {}).items():
        if column not in columns:
            raise ValueError(f"Unknown column {column!r} in 'where'; the columns are {columns}.")
        options = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
        keep = [any(_same(value, option) for option in options) for value in frame[column]]
        if not any(keep):
            present = list(dict.fromkeys(frame[column]))
            raise ValueError(f"where={{{column!r}: {wanted!r}}} matches no row; {column} takes {present}.")
        frame = frame[keep]
    return frame


def sweep_frame(results, x: str, metric, hue: str, where, environment):
    """Final means and 95% CIs against ``x``, one ``line`` label per curve.

    Returns ``(swept, baselines)``: rows with a value of ``x`` and, when ``x`` is a learner
    parameter, the rows of learners that do not have it (drawn as horizontal references).  Rows
    that differ in anything but ``x`` (another swept parameter, another learner or environment)
    get different line labels, so nothing is averaged; two rows with the same label and ``x``
    raise a ValueError.
    """
    import pandas as pd

    columns = results.parameter_columns()
    if not columns:
        raise ValueError(
            "The results have no swept parameters; build the learners or environments with "
            "ol.grid(...) and run them with ol.sweep(...)."
        )
    if x not in columns:
        raise ValueError(
            f"The 'x' parameter must be a swept parameter column, one of {list(columns)}; got {x!r}."
        )
    hues = ["learner", "env"] + [c for c in columns if c != x]
    if hue not in hues:
        raise ValueError(f"The 'hue' parameter must be one of {hues}; got {hue!r}.")
    metric = metric or results.default_metric
    frame = results.summary(metric)
    for column in columns:
        frame[column] = [_hashable(v) for v in frame[column]]
    # Learner and environment "families": display names without their swept parameters.
    learner_keys = {n: p.keys() for n, p in zip(results.learner_names, results.learner_params, strict=True)}
    env_keys = {
        n: p.keys() for n, p in zip(results.environment_names, results.environment_params, strict=True)
    }
    frame["learner family"] = [strip_parameters(n, learner_keys[n]) for n in frame["learner"]]
    frame["env family"] = [strip_parameters(n, env_keys[n]) for n in frame["env"]]
    if environment is not None:
        chosen = environment if isinstance(environment, list | tuple) else [environment]
        names = [results.environment_names[environment_index(results, e)] for e in chosen]
        frame = frame[frame["env"].isin(names)]
    frame = apply_where(frame, where, ["learner", "env", *columns])

    has_x = frame[x].notna().to_numpy()
    swept = frame[has_x].copy()
    baselines = frame[~has_x].copy() if columns[x][0] == "learner" else frame.iloc[:0].copy()
    if swept.empty:
        raise ValueError(f"No row left with a value of {x!r}; check 'where' and 'environment'.")
    hue_column = {"learner": "learner family", "env": "env family"}.get(hue, hue)
    others = ["learner family", "env family", *(c for c in columns if c not in (x, hue))]
    varying = [c for c in others if c != hue_column and swept[c].nunique(dropna=False) > 1]

    def label(row) -> str:
        parts = [row[hue_column] if hue_column in ("learner family", "env family") else f"{hue}={row[hue]}"]
        for column in varying:
            if row[column] is not None and not (isinstance(row[column], float) and math.isnan(row[column])):
                parts.append(row[column] if column.endswith("family") else f"{column}={row[column]}")
        return ", ".join(str(p) for p in parts)

    for part in (swept, baselines):
        part["line"] = [label(row) for _, row in part.iterrows()] if len(part) else []
    numeric = pd.to_numeric(swept[x], errors="coerce")
    if numeric.notna().all():
        swept[x] = numeric.astype(float)
    duplicated = swept.duplicated(["line", x], keep=False)
    if duplicated.any():
        rows = swept.loc[duplicated, ["learner", "env"]].values.tolist()
        raise ValueError(f"Several rows share a line and a value of {x!r} ({rows}); pick them with 'where'.")
    keep = ["line", x, "final_mean", "ci95_low", "ci95_high", "learner", "env"]
    return swept[keep].reset_index(drop=True), baselines[keep].reset_index(drop=True)


def auto_logx(values) -> bool:
    """Log axis when every value is a positive number and they span a factor of 20 or more."""
    try:
        values = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(values.size and np.all(values > 0) and values.max() / values.min() >= 20)


# --- drawing steps -----------------------------------------------------------------------------


def draw_references(ax, t, finals, references, symbol: str = "t") -> None:
    """Dashed ``c sqrt(t)`` / dotted ``c log(t)`` through the median positive final value at ``t[-1]``."""
    finals = [f for f in finals if f > 0]
    if not finals:
        return
    t, anchor = np.asarray(t, dtype=float), float(np.median(finals))
    if "sqrt" in references:
        ax.plot(t, anchor * np.sqrt(t / t[-1]), "k--", lw=0.8, alpha=0.6, label=rf"$c\sqrt{{{symbol}}}$")
    if "log" in references and t[-1] > 1:
        later = t >= 2  # log(1) = 0 has no place on a log axis
        curve = anchor * np.log(t[later]) / np.log(t[-1])
        ax.plot(t[later], curve, "k:", lw=1.0, alpha=0.7, label=rf"$c\log {symbol}$")


def draw_baselines(ax, baselines, suffix: str, first_color: int) -> None:
    """Each baseline row as a dotted horizontal line at its final mean, with its CI as a band."""
    for k, (line, rows) in enumerate(baselines.groupby("line", sort=False)):
        row, color = rows.iloc[0], f"C{(first_color + k) % 10}"
        ax.axhline(row["final_mean"], ls=":", lw=1.2, color=color, label=f"{line}{suffix}")
        ax.axhspan(row["ci95_low"], row["ci95_high"], color=color, alpha=0.1, lw=0)


def dodge(ax, container, points: float) -> None:
    """Shift an errorbar container right by ``points`` (1/72 inch) on screen, after autoscaling."""
    from matplotlib.transforms import ScaledTranslation

    shifted = ax.transData + ScaledTranslation(points / 72, 0, ax.figure.dpi_scale_trans)
    data_line, caps, bar_lines = container.lines
    for artist in [data_line, *caps, *bar_lines]:
        if artist is not None:
            artist.set_transform(shifted)


def value_ticks(ax, values) -> None:
    """Ticks exactly at the (at most 10, numeric) x values, labelled compactly."""
    if len(values) <= 10 and all(isinstance(v, Real) for v in values):
        ax.set_xticks(values, [f"{v:g}" for v in values])
        ax.minorticks_off()


def legend(ax, title: str, last: str | None = None, boxed: bool = False) -> None:
    """Small legend; entries whose label ends with ``last`` go to the end.

    ``boxed`` gives it a translucent white background, for plots whose curves fill the Axes.
    """
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda k: bool(last) and labels[k].endswith(last))
    box = {"frameon": True, "framealpha": 0.85, "edgecolor": "none"} if boxed else {}
    ax.legend(
        [handles[k] for k in order],
        [labels[k] for k in order],
        title=title,
        fontsize="small",
        title_fontsize="small",
        **box,
    )
