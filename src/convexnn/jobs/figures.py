"""Jobs: every figure and derived table of an experiment, and the claims figures.

An experiment's figure (:class:`convexnn.experiments.base.Figure`) draws from its inputs as loaded
here (:class:`LoadedInputs`: every table through its checking reader, every particles archive and
curve through theirs), so that the experiments do no I/O. Figure jobs run as threads of the
Snakemake process like every other job (no Python start-up per figure). Matplotlib is not
thread-safe, so every drawing holds :data:`DRAWING`; a job's traceback goes to its log before the
job fails.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd

from convexnn.identity import Ref
from convexnn.plotting import plot_claims, plot_claims_atlas, plot_claims_by_seed, save_figure
from convexnn.registry import figure, table
from convexnn.storage import PathLike, append_to_log, read_curve, read_particles, read_table, write_table

DRAWING = threading.Lock()
CLAIMS = ["claim", "value", "low", "high", "threshold", "verdict"]


class _LazyParticles(Mapping):
    """{key: particles of a run}, each read when first asked for."""

    def __init__(self, refs: dict):
        self._refs, self._read = refs, {}

    def __getitem__(self, key):
        if key not in self._read:
            self._read[key] = read_particles(*self._refs[key])
        return self._read[key]

    def __iter__(self):
        return iter(self._refs)

    def __len__(self) -> int:
        return len(self._refs)


class LoadedInputs:
    """A figure's or table's inputs by name, read on request. Each input is a list of [file, member,
    identity]: the member of a batch file to read (a run id) and the identity the plan expects of it
    (:mod:`convexnn.identity`), each None where the file is read whole or carries none."""

    def __init__(self, inputs: Mapping[str, Sequence]):
        self._refs = {
            name: [as_ref(entry) for entry in ([entries] if isinstance(entries, str) else entries)]
            for name, entries in inputs.items()
        }

    def _one(self, name: str) -> list:
        (ref,) = self._refs[name]
        return ref

    def table(self, name: str, columns: Sequence[str], allow_empty: bool = False) -> pd.DataFrame:
        path, _, identity = self._one(name)
        return read_table(path, columns, allow_empty=allow_empty, identity=identity)

    def tables(self, name: str, columns: Sequence[str]) -> list[pd.DataFrame]:
        return [read_table(path, columns, identity=identity) for path, _, identity in self._refs[name]]

    def particles(self, name: str) -> list[dict]:
        return [read_particles(*ref) for ref in self._refs[name]]

    def particles_by(self, name: str, keys: Sequence) -> Mapping:
        return _LazyParticles(dict(zip(keys, self._refs[name])))

    def curves(self, name: str) -> list[pd.DataFrame]:
        return [read_curve(Ref(*ref)) for ref in self._refs[name]]


def as_ref(entry) -> list:
    """[file, member, identity] from such a list, a :class:`~convexnn.identity.Ref`, or a bare path."""
    if isinstance(entry, str):
        return [str(entry), getattr(entry, "member", None), getattr(entry, "identity", None)]
    return list(entry)


@contextlib.contextmanager
def drawing(log_path: PathLike | None, outputs: Sequence[PathLike]) -> Iterator[None]:
    """Hold the drawing lock; log the outputs written, or the traceback of a failure (then re-raise)."""
    append_to_log(log_path, "drawing " + ", ".join(map(str, outputs)), first=True)
    try:
        with DRAWING:
            yield
    except BaseException:
        append_to_log(log_path, traceback.format_exc())
        raise
    append_to_log(log_path, "done")


def draw_figure(
    name: str,
    inputs: Mapping[str, Sequence],
    settings: dict,
    outputs: Sequence[PathLike],
    log_path: PathLike | None = None,
) -> None:
    """The figure ``name`` of the registry, drawn from ``inputs`` ({name: [[file, member, identity],
    ...]}, :class:`LoadedInputs`) and ``settings``."""
    with drawing(log_path, outputs):
        save_figure(figure(name).draw(LoadedInputs(inputs), settings), outputs)


def figure_from_plan(name: str, view) -> plt.Figure:
    """The figure ``name`` of the registry drawn, as its rule draws it but not saved, from the files
    that ``view`` (one scenario of the plan) names, relative to the working directory."""
    spec = figure(name)
    with DRAWING:
        return spec.draw(LoadedInputs(spec.inputs(view)), spec.settings(view))


def write_derived_table(
    name: str,
    inputs: Mapping[str, Sequence],
    settings: dict,
    path: PathLike,
    log_path: PathLike | None = None,
) -> None:
    """The derived table ``name`` of the registry, computed from ``inputs`` and ``settings``."""
    result = table(name).compute(LoadedInputs(inputs), settings)
    write_table(result, path)
    append_to_log(log_path, result.to_string(), first=True)


def claims_figure(claims_path: PathLike, outputs: Sequence[PathLike], log_path: PathLike | None = None) -> None:
    """Every claim's value, interval, threshold and verdict."""
    with drawing(log_path, outputs):
        save_figure(plot_claims(read_table(claims_path, CLAIMS)), outputs)


def claims_by_seed_figure(
    claims_path: PathLike, pooled_path: PathLike, outputs: Sequence[PathLike], log_path: PathLike | None = None
) -> None:
    """Every claim under every robustness seed, and pooled over them."""
    with drawing(log_path, outputs):
        table_by_seed = read_table(claims_path, CLAIMS + ["seed"])
        save_figure(plot_claims_by_seed(table_by_seed, read_table(pooled_path, CLAIMS)), outputs)


def claims_atlas_figure(atlas_path: PathLike, outputs: Sequence[PathLike], log_path: PathLike | None = None) -> None:
    """The atlas: claims by variation, coloured by verdict, the value in each cell."""
    with drawing(log_path, outputs):
        atlas = read_table(atlas_path, CLAIMS + ["variation", "change"])
        save_figure(plot_claims_atlas(atlas), outputs)
