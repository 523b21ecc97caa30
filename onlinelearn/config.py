"""Experiments described in TOML files, for ``onlinelearn run CONFIG.toml``.

The format (every key but ``horizon``, ``learners`` and ``environments`` is optional)::

    horizon = 10000            # rounds T per repetition
    n_reps = 50                # repetitions (default 100)
    seed = 0                   # one integer fixes the whole experiment
    backend = "auto"           # auto | numba | serial | loky | dask
    n_jobs = 2                 # workers of the loky / dask backends
    chunk_size = 10            # repetitions per chunk
    results_dir = "results/exp3_vs_tsallis"   # relative to this file's folder; reruns resume
    n_checkpoints = 200        # size of the log-spaced grid where curves are recorded
    trackers = ["PseudoRegret", { name = "IntervalRegret", lengths = [100, 1000] }]

    [[learners]]
    name = "EXP3"              # a class of onlinelearn.learners.REGISTRY
    [learners.grid]            # every combination of these values becomes one learner
    eta = [0.01, 0.1, 1.0]

    [[learners]]
    name = "UCB1"
    label = "UCB1, alpha 2"    # optional: the name shown in tables and plots
    alpha = 2.0                # any other key is a constructor parameter

    [[environments]]           # same form: name, label, parameters, optional grid
    name = "BernoulliBandit"
    means = [0.1, 0.5, 0.9]

Names resolve through ``onlinelearn.learners.REGISTRY``, ``onlinelearn.environments.REGISTRY``
and ``onlinelearn.trackers.REGISTRY`` (``onlinelearn list`` prints them with their parameters).
:func:`load_config` checks everything before any simulation starts: unknown keys and names,
types, empty grids, parameters a class does not take, the classes' own parameter constraints and
every learner / environment / tracker combination (by resetting copies, as :func:`onlinelearn.run`
does).  A problem raises :class:`ConfigError` (a ValueError) whose message starts with the file
and the key path, e.g. ``exp.toml: learners[1].grid.eta: ...``.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import inspect
import numbers
import tomllib
from pathlib import Path

import numpy as np

import onlinelearn as ol
from onlinelearn.core.params import check_value
from onlinelearn.sim.backends import BACKENDS
from onlinelearn.sim.sweep import GridPoint

#: Top-level keys and what they hold (the text appears in error messages).
TOP_LEVEL_KEYS = {
    "horizon": "an int >= 1",
    "n_reps": "an int >= 1",
    "seed": "an int >= 0",
    "backend": "one of " + ", ".join(repr(b) for b in BACKENDS),
    "n_jobs": "an int >= 1",
    "chunk_size": "an int >= 1",
    "results_dir": "a path (string)",
    "n_checkpoints": "an int >= 1",
    "trackers": "an array of tracker names or tables",
    "learners": "an array of tables",
    "environments": "an array of tables",
}
REQUIRED_KEYS = ("horizon", "learners", "environments")


class ConfigError(ValueError):
    """A problem in an experiment file; the message starts with ``FILE: KEY.PATH:``."""


@dataclasses.dataclass
class ExperimentConfig:
    """A checked experiment: the objects and keyword arguments of :func:`onlinelearn.run`."""

    path: Path
    learners: list
    environments: list
    horizon: int
    n_reps: int = 100
    seed: int = 0
    trackers: list | None = None
    backend: str = "auto"
    n_jobs: int | None = None
    chunk_size: int | None = None
    results_dir: Path | None = None
    n_checkpoints: int = 200

    def run_kwargs(self) -> dict:
        """Keyword arguments of :func:`onlinelearn.run` besides learners and environments."""
        return {
            "horizon": self.horizon,
            "n_reps": self.n_reps,
            "seed": self.seed,
            "trackers": self.trackers,
            "backend": self.backend,
            "n_jobs": self.n_jobs,
            "chunk_size": self.chunk_size,
            "n_checkpoints": self.n_checkpoints,
            "results_dir": None if self.results_dir is None else str(self.results_dir),
        }

    def run(self, progress=None):
        """Run the experiment; ``progress`` as in :func:`onlinelearn.run`.  Returns Results."""
        return ol.run(self.learners, self.environments, **self.run_kwargs(), progress=progress)

    def quick(self) -> ExperimentConfig:
        """A smoke-test copy: horizon // 100 (at least 100), at most 5 repetitions, no results_dir.

        The results directory is dropped so that a quick run never mixes its chunks with the full
        experiment's.
        """
        horizon = min(self.horizon, max(self.horizon // 100, 100))
        return dataclasses.replace(self, horizon=horizon, n_reps=min(self.n_reps, 5), results_dir=None)


def class_parameters(cls) -> dict:
    """Constructor parameters of ``cls`` -> default (``inspect.Parameter.empty`` when required)."""
    return {
        name: parameter.default
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if name != "self"
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }


def format_signature(cls) -> str:
    """``Name(a, b=1)``: the class name with its constructor parameters and defaults."""
    parameters = [
        name if default is inspect.Parameter.empty else f"{name}={default!r}"
        for name, default in class_parameters(cls).items()
    ]
    return f"{cls.__name__}({', '.join(parameters)})"


class _Reader:
    """Checks of one file's values; every error names the file and the key path."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str):
        raise ConfigError(f"{self.path}: {key}: {message}")

    def integer(self, key: str, value, low: int) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            self.fail(key, f"must be an int >= {low}; got {value!r} ({type(value).__name__}).")
        return int(value)

    def lookup(self, key: str, name, registry: list, kind: str):
        """The registered class called ``name``."""
        classes = {cls.__name__: cls for cls in registry}
        if not isinstance(name, str):
            self.fail(
                key,
                f"must be a {kind} name (string); got {name!r}. Registered {kind}s: {', '.join(classes)}.",
            )
        if name not in classes:
            close = difflib.get_close_matches(name, classes, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            self.fail(key, f"unknown {kind} {name!r}.{hint} Registered {kind}s: {', '.join(classes)}.")
        return classes[name]

    def check_parameter_names(self, key: str, cls, names) -> None:
        accepted = class_parameters(cls)
        for name in names:
            if name not in accepted:
                takes = f"its parameters are {', '.join(accepted)}" if accepted else "it takes no parameters"
                self.fail(
                    f"{key}.{name}",
                    f"{cls.__name__} has no parameter {name!r}; {takes} ({format_signature(cls)}).",
                )

    def check_values(self, key: str, obj, fixed, swept) -> None:
        """The class's declared constraints on every parameter the file sets."""
        constraints = getattr(obj, "_parameter_constraints", {})
        for name, path in [(n, f"{key}.{n}") for n in fixed] + [(n, f"{key}.grid.{n}") for n in swept]:
            if name in constraints:
                try:
                    check_value(type(obj).__name__, name, getattr(obj, name), constraints[name])
                except (ValueError, TypeError) as error:
                    self.fail(path, str(error))


def load_config(path) -> ExperimentConfig:
    """Read and check the experiment file ``path``; see the module docstring for the format.

    Raises:
        ConfigError: (a ValueError) naming the file, the key path and the allowed values.
    """
    path = Path(path)
    reader = _Reader(path)
    try:
        with path.open("rb") as file:
            table = tomllib.load(file)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the file ({error.strerror or error}).") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}.") from None

    for key in table:
        if key not in TOP_LEVEL_KEYS:
            reader.fail(key, f"unknown key; allowed top-level keys: {', '.join(TOP_LEVEL_KEYS)}.")
    for key in REQUIRED_KEYS:
        if key not in table:
            reader.fail(
                key, f"missing; it must be {TOP_LEVEL_KEYS[key]} (required keys: {', '.join(REQUIRED_KEYS)})."
            )

    settings = {}
    for key, low in (
        ("horizon", 1),
        ("n_reps", 1),
        ("seed", 0),
        ("n_jobs", 1),
        ("chunk_size", 1),
        ("n_checkpoints", 1),
    ):
        if key in table:
            settings[key] = reader.integer(key, table[key], low)
    if "backend" in table:
        if table["backend"] not in BACKENDS:
            reader.fail("backend", f"must be {TOP_LEVEL_KEYS['backend']}; got {table['backend']!r}.")
        settings["backend"] = table["backend"]
    if "results_dir" in table:
        if not isinstance(table["results_dir"], str) or not table["results_dir"]:
            reader.fail("results_dir", f"must be a non-empty path string; got {table['results_dir']!r}.")
        settings["results_dir"] = path.parent / table["results_dir"]

    from onlinelearn.environments import REGISTRY as ENVIRONMENTS
    from onlinelearn.learners import REGISTRY as LEARNERS

    learners = _read_items(reader, table["learners"], "learners", LEARNERS, "learner")
    environments = _read_items(reader, table["environments"], "environments", ENVIRONMENTS, "environment")
    trackers = _read_trackers(reader, table["trackers"]) if "trackers" in table else None
    _preflight(reader, learners, environments, trackers or [], settings["horizon"])
    return ExperimentConfig(
        path=path,
        learners=[entry for _, entry in learners],
        environments=[entry for _, entry in environments],
        trackers=None if trackers is None else [t for _, t in trackers],
        **settings,
    )


def _expand(cls, fixed: dict, swept: dict) -> list:
    """One grid point per combination of the ``swept`` values, each built with ``fixed`` too."""
    factory = functools.partial(cls, **fixed) if fixed else cls
    return ol.grid(factory, **swept)


def _labelled(entry, label: str):
    """``entry`` shown as ``label``, or ``label(eta=0.1)`` for a grid point."""
    if isinstance(entry, GridPoint):
        swept = ", ".join(f"{key}={value!r}" for key, value in entry.params.items())
        return ol.named(entry, f"{label}({swept})")
    return ol.named(entry, label)


def _read_items(reader: _Reader, items, key: str, registry: list, kind: str) -> list[tuple]:
    """Objects (or grid points) of the ``learners`` or ``environments`` array, with their keys."""
    example = f"[[{key}]] tables, each with a 'name' key"
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        reader.fail(key, f"must be an array of {example}; got {items!r}.")
    if not items:
        reader.fail(key, f"must not be empty; give one or more {example}.")
    entries = []
    for index, item in enumerate(items):
        item_key = f"{key}[{index}]"
        if "name" not in item:
            reader.fail(
                f"{item_key}.name",
                f"missing; registered {kind}s: {', '.join(cls.__name__ for cls in registry)}.",
            )
        cls = reader.lookup(f"{item_key}.name", item["name"], registry, kind)
        label = item.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            reader.fail(f"{item_key}.label", f"must be a non-empty string; got {label!r}.")
        fixed = {name: value for name, value in item.items() if name not in ("name", "label", "grid")}
        swept = item.get("grid", {})
        reader.check_parameter_names(item_key, cls, fixed)
        if not isinstance(swept, dict):
            reader.fail(f"{item_key}.grid", f"must be a table of parameter = [values]; got {swept!r}.")
        if "grid" in item and not swept:
            reader.fail(f"{item_key}.grid", "is empty; list at least one parameter = [values].")
        reader.check_parameter_names(f"{item_key}.grid", cls, swept)
        for name, values in swept.items():
            if not isinstance(values, list) or not values:
                reader.fail(
                    f"{item_key}.grid.{name}", f"must be a non-empty array of values; got {values!r}."
                )
            if name in fixed:
                reader.fail(
                    f"{item_key}.grid.{name}",
                    f"{name!r} is also set as a fixed parameter ({item_key}.{name}); keep one of the two.",
                )
        required = [
            name
            for name, default in class_parameters(cls).items()
            if default is inspect.Parameter.empty and name not in fixed and name not in swept
        ]
        if required:
            reader.fail(
                item_key,
                f"{cls.__name__} needs the parameters {', '.join(required)} ({format_signature(cls)}).",
            )
        try:
            built = _expand(cls, fixed, swept) if swept else [cls(**fixed)]
        except (ValueError, TypeError) as error:
            reader.fail(item_key, f"{cls.__name__}: {error}")
        for entry in built:
            reader.check_values(item_key, getattr(entry, "obj", entry), fixed, swept)
            entries.append((item_key, entry if label is None else _labelled(entry, label)))
    return entries


def _read_trackers(reader: _Reader, items) -> list[tuple]:
    """Tracker objects of the ``trackers`` array (names or ``{ name = ..., param = ... }``)."""
    from onlinelearn.trackers import REGISTRY as TRACKERS

    names = ", ".join(cls.__name__ for cls in TRACKERS)
    if not isinstance(items, list) or not items:
        reader.fail(
            "trackers",
            f"must be a non-empty array of tracker names or {{ name = ... }} "
            f"tables; got {items!r}. Registered trackers: {names}.",
        )
    trackers = []
    for index, item in enumerate(items):
        key = f"trackers[{index}]"
        params = {}
        if isinstance(item, dict):
            if "name" not in item:
                reader.fail(f"{key}.name", f"missing; registered trackers: {names}.")
            params = {name: value for name, value in item.items() if name != "name"}
            item = item["name"]
            cls = reader.lookup(f"{key}.name", item, TRACKERS, "tracker")
        else:
            cls = reader.lookup(key, item, TRACKERS, "tracker")
        reader.check_parameter_names(key, cls, params)
        try:
            tracker = cls(**params)
        except (ValueError, TypeError) as error:
            reader.fail(key, f"{cls.__name__}: {error}")
        reader.check_values(key, tracker, params, {})
        trackers.append((key, tracker))
    metrics = [name for _, tracker in trackers for name in tracker.metric_names]
    repeated = sorted({name for name in metrics if metrics.count(name) > 1})
    if repeated:
        reader.fail(
            "trackers",
            f"two trackers report the same metric {', '.join(repeated)}; "
            "each metric may come from one tracker only.",
        )
    return trackers


def _preflight(reader: _Reader, learners, environments, trackers, horizon: int) -> None:
    """Reset copies of every combination so that no error waits for the simulation."""
    for environment_key, entry in environments:
        environment = copy.deepcopy(getattr(entry, "obj", entry))
        where = f"{environment_key} ({environment.name})"
        try:
            spec = environment.reset(seed=0).with_horizon(horizon)
        except (ValueError, TypeError) as error:
            reader.fail(environment_key, f"{environment.name}: {error}")
        for tracker_key, tracker in trackers:
            try:
                copy.deepcopy(tracker).reset(spec, horizon)
            except (ValueError, TypeError) as error:
                reader.fail(tracker_key, f"{tracker.name} on {where}: {error}")
        for learner_key, entry in learners:
            learner = copy.deepcopy(getattr(entry, "obj", entry))
            try:
                learner.reset(spec, np.random.default_rng(0))
            except (ValueError, TypeError) as error:
                reader.fail(learner_key, f"{learner.name} on {where}: {error}")
