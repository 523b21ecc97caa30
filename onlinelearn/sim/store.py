"""Results directories: finished chunks on disk, written atomically, for resuming and reloading.

Layout of ``results_dir``::

    experiment.json                 what was run (learners, environments, trackers, horizon,
                                    seed, grid, chunking) and with which package versions
    chunks/L000-E001-R0000-0025.npz one array (repetition, checkpoint) per metric
    chunks/L000-E001-R0000-0025.json its sidecar: chunk, seeds, seconds, versions

A chunk is finished when its sidecar exists: the arrays are written first, the sidecar second,
each through a temporary file and :func:`os.replace`, so an interrupt at any moment leaves either
a finished chunk or nothing.  Rerunning the same experiment loads finished chunks instead of
recomputing them; a directory written by a different experiment is refused.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

MANIFEST = "experiment.json"
CHUNKS = "chunks"
FORMAT_VERSION = 1


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that decide the numbers."""
    import numba

    import onlinelearn

    return {
        "python": platform.python_version(),
        "onlinelearn": onlinelearn.__version__,
        "numpy": np.__version__,
        "numba": numba.__version__,
    }


def atomic_write(path: Path, write) -> None:
    """Call ``write(binary_file)`` on a temporary file, then move it to ``path`` in one step."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_json(path: Path, data: dict) -> None:
    atomic_write(path, lambda file: file.write(json.dumps(data, indent=1).encode()))


def _differences(old: dict, new: dict, prefix: str = "") -> list[str]:
    """Dotted keys where two JSON documents differ (first few only)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(dict.fromkeys([*old, *new]))
        return [d for k in keys for d in _differences(old.get(k), new.get(k), f"{prefix}{k}.")]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in _differences(a, b, f"{prefix[:-1]}[{i}].")
        ]
    return [] if old == new else [prefix[:-1]]


class ResultsStore:
    """The chunks of one experiment in one folder."""

    def __init__(self, path, identity: dict, layout: dict):
        """Open ``path`` for the experiment ``identity`` (refusing another experiment's folder).

        ``identity`` decides whether two runs compute the same numbers; ``layout`` holds what is
        needed to rebuild :class:`~onlinelearn.results.Results` (names, parameters, checkpoints).
        """
        self.path = Path(path)
        self.chunk_folder = self.path / CHUNKS
        manifest_path = self.path / MANIFEST
        old = None
        if manifest_path.exists():
            old = read_manifest(self.path)
            differences = _differences(old["identity"], identity)
            if differences:
                shown = ", ".join(differences[:6]) + (" ..." if len(differences) > 6 else "")
                raise ValueError(
                    f"The results_dir '{self.path}' holds a different experiment (differs in: "
                    f"{shown}). Use another results_dir, or delete this one to start over."
                )
        elif self.path.exists() and any(self.path.iterdir()):
            raise ValueError(
                f"The results_dir '{self.path}' exists, is not empty and has no "
                f"{MANIFEST}: it is not an onlinelearn results directory."
            )
        try:
            self.chunk_folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.chunk_folder, prefix=".probe"):
                pass
        except OSError as error:
            raise ValueError(f"The results_dir '{self.path}' is not writable: {error}.") from None
        if old is None:
            _write_json(
                manifest_path,
                {
                    "format": FORMAT_VERSION,
                    "identity": identity,
                    "layout": layout,
                    "versions": package_versions(),
                    "created": _now(),
                    "command": " ".join(sys.argv),
                },
            )
        elif old["layout"] != json.loads(json.dumps(layout)):
            # Same numbers under new labels (``ol.named``, a config's ``label``): the folder takes
            # the latest run's names, so that ``ol.load`` shows what the run showed.
            _write_json(manifest_path, {**old, "layout": layout, "relabelled": _now()})

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.chunk_folder / f"{key}.npz", self.chunk_folder / f"{key}.json"

    def load_chunk(self, key: str, metric_names, n_rows: int, n_checkpoints: int):
        """``(curves, sidecar)`` of a finished chunk, or ``None`` if it is missing or unreadable."""
        arrays_path, sidecar_path = self._paths(key)
        if not sidecar_path.exists():
            return None
        try:
            sidecar = json.loads(sidecar_path.read_text())
            with np.load(arrays_path) as arrays:
                curves = {name: arrays[name] for name in metric_names}
        except (OSError, ValueError, KeyError):
            return None
        if any(c.shape != (n_rows, n_checkpoints) for c in curves.values()):
            return None
        return curves, sidecar

    def save_chunk(self, key: str, curves: dict[str, np.ndarray], sidecar: dict) -> None:
        """Write a finished chunk: arrays first, then the sidecar that marks it finished."""
        arrays_path, sidecar_path = self._paths(key)
        atomic_write(arrays_path, lambda file: np.savez(file, **curves))
        _write_json(sidecar_path, {**sidecar, "versions": package_versions(), "finished": _now()})


def read_manifest(path) -> dict:
    """The ``experiment.json`` of a results directory, with a clear error when there is none."""
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.exists():
        raise ValueError(f"'{path}' is not an onlinelearn results directory (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"'{manifest_path}' has format {manifest.get('format')!r}; this "
            f"onlinelearn reads format {FORMAT_VERSION}."
        )
    return manifest


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load(results_dir):
    """Rebuild the :class:`~onlinelearn.results.Results` of a finished experiment from its folder.

    Nothing is recomputed.  An unfinished experiment is refused with the number of missing
    chunks: rerun it (same call, same ``results_dir``) to compute only those.
    """
    from onlinelearn.results import Results
    from onlinelearn.sim.chunks import Chunk

    manifest = read_manifest(results_dir)
    layout = manifest["layout"]
    store = ResultsStore(results_dir, manifest["identity"], layout)
    names, checkpoints = layout["metric_names"], np.array(layout["checkpoints"], dtype=np.int64)
    n_learners, n_environments = len(layout["learner_names"]), len(layout["environment_names"])
    shape = (n_learners, n_environments, layout["n_reps"], len(checkpoints))
    metrics = {name: np.zeros(shape) for name in names}
    seconds = np.zeros(shape[:2])
    compiled = np.ones(shape[:2], dtype=bool)
    missing = 0
    for learner, environment, start, stop in layout["chunks"]:
        chunk = Chunk(learner, environment, start, stop)
        stored = store.load_chunk(chunk.key, names, chunk.size, len(checkpoints))
        if stored is None:
            missing += 1
            continue
        curves, sidecar = stored
        for name in names:
            metrics[name][learner, environment, start:stop] = curves[name]
        seconds[learner, environment] += sidecar["seconds"]
        compiled[learner, environment] &= sidecar["compiled"]
    if missing:
        raise ValueError(
            f"The results_dir '{results_dir}' is unfinished: {missing} of "
            f"{len(layout['chunks'])} chunks are missing. Run the same experiment "
            "again with this results_dir to compute only those."
        )
    return Results(
        learner_names=layout["learner_names"],
        environment_names=layout["environment_names"],
        checkpoints=checkpoints,
        metrics=metrics,
        seconds=seconds,
        compiled=compiled,
        horizon=layout["horizon"],
        n_reps=layout["n_reps"],
        seed=layout["seed"],
        learner_params=layout["learner_params"],
        environment_params=layout["environment_params"],
        results_dir=str(Path(results_dir)),
        n_chunks_loaded=len(layout["chunks"]),
    )
