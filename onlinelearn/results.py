"""Results of an experiment: NumPy arrays per metric, a tidy summary, and plots."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Results:
    """Curves of every metric on a log-spaced checkpoint grid.

    ``metrics[name]`` has shape ``(learner, environment, repetition, checkpoint)``; the last
    checkpoint is the horizon, so ``metrics[name][..., -1]`` holds every repetition's final value.
    """

    learner_names: list[str]
    environment_names: list[str]
    checkpoints: np.ndarray
    metrics: dict[str, np.ndarray]
    seconds: np.ndarray
    compiled: np.ndarray
    horizon: int
    n_reps: int
    seed: int
    config: dict = field(default_factory=dict)
    #: Swept parameter values of each learner / environment (empty dicts outside sweeps).
    learner_params: list[dict] = field(default_factory=list)
    environment_params: list[dict] = field(default_factory=list)
    #: Where the chunks live (``run(..., results_dir=...)``) and how many were reused or computed.
    results_dir: str | None = None
    n_chunks_loaded: int = 0
    n_chunks_computed: int = 0

    def __post_init__(self):
        if not self.learner_params:
            self.learner_params = [{} for _ in self.learner_names]
        if not self.environment_params:
            self.environment_params = [{} for _ in self.environment_names]

    def parameter_columns(self) -> dict[str, tuple[str, str]]:
        """Column name -> (``"learner"`` or ``"env"``, parameter) for every swept parameter.

        A parameter swept on both sides is called ``learner.NAME`` and ``env.NAME``.
        """
        learner_keys = list(dict.fromkeys(k for p in self.learner_params for k in p))
        environment_keys = list(dict.fromkeys(k for p in self.environment_params for k in p))
        both = set(learner_keys) & set(environment_keys)
        columns = {}
        for side, keys in (("learner", learner_keys), ("env", environment_keys)):
            for key in keys:
                columns[f"{side}.{key}" if key in both else key] = (side, key)
        return columns

    def _parameter_values(self, i: int, j: int) -> dict:
        sides = {"learner": self.learner_params[i], "env": self.environment_params[j]}
        return {column: sides[side].get(key) for column, (side, key) in self.parameter_columns().items()}

    @property
    def default_metric(self) -> str:
        return next(iter(self.metrics))

    def final(self, metric: str | None = None) -> np.ndarray:
        """Final values ``(learner, environment, repetition)`` of ``metric``."""
        return self._metric(metric)[..., -1]

    def _metric(self, metric):
        metric = metric or self.default_metric
        if metric not in self.metrics:
            raise ValueError(f"Unknown metric {metric!r}; this run has {list(self.metrics)}.")
        return self.metrics[metric]

    def summary(self, metric: str | None = None):
        """One row per (learner, environment, metric): final mean, standard error, 95% CI, time.

        Swept parameters (see :func:`onlinelearn.grid`) get one column each.  Returns a pandas
        DataFrame.
        """
        import pandas as pd

        metrics = [metric] if metric else list(self.metrics)
        rows = []
        for name in metrics:
            final = self.final(name)
            for i, learner in enumerate(self.learner_names):
                for j, environment in enumerate(self.environment_names):
                    values = final[i, j]
                    mean, se = mean_and_standard_error(values)
                    half = t_quantile(len(values)) * se
                    rows.append(
                        {
                            "learner": learner,
                            "env": environment,
                            **self._parameter_values(i, j),
                            "metric": name,
                            "final_mean": mean,
                            "std_error": se,
                            "ci95_low": mean - half,
                            "ci95_high": mean + half,
                            "n_reps": len(values),
                            "seconds": self.seconds[i, j],
                            "compiled": bool(self.compiled[i, j]),
                        }
                    )
        return pd.DataFrame(rows)

    def to_frame(self, metric: str | None = None):
        """Long format (pandas DataFrame): learner, env, metric, repetition, t, value."""
        import pandas as pd

        frames = []
        for name in [metric] if metric else list(self.metrics):
            data = self._metric(name)
            n_l, n_e, n_r, n_c = data.shape
            index = pd.MultiIndex.from_product(
                [self.learner_names, self.environment_names, range(n_r), self.checkpoints],
                names=["learner", "env", "repetition", "t"],
            )
            frame = pd.DataFrame({"value": data.reshape(-1)}, index=index).reset_index()
            frame.insert(2, "metric", name)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def plot(self, metric: str | None = None, environment: int | str | None = None, ax=None, **kwargs):
        """Mean curve of ``metric`` with 95% confidence bands; see :func:`onlinelearn.plot.regret`."""
        from onlinelearn.plot import regret

        return regret(self, metric=metric, environment=environment, ax=ax, **kwargs)


def mean_and_standard_error(values: np.ndarray, axis: int = -1):
    """Sample mean and standard error (ddof=1; zero for a single repetition)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[axis]
    mean = values.mean(axis=axis)
    se = values.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mean)
    return mean, se


def t_quantile(n: int, level: float = 0.95) -> float:
    """Two-sided Student-t quantile for a confidence interval of the mean of ``n`` values."""
    from scipy import stats  # imported here: scipy.stats alone costs 0.6 s of start-up

    return float(stats.t.ppf(0.5 + level / 2, df=n - 1)) if n > 1 else 0.0
