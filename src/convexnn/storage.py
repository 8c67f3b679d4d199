"""The pipeline's file formats: one writer and one checking reader for each, and atomic writes.

Every output appears whole or not at all: it is written to a temporary file in the same folder and
renamed (atomic on POSIX), so a job killed with SIGKILL, or a reader racing a writer, never meets
half a file. Outputs get the permissions the umask gives (0644 under umask 022), so that group
members on a shared file system can read them.

Every reader checks what it reads (the arrays and columns a format must have, their shapes, a
training curve that reaches its planned number of steps unless it diverged) and raises
:class:`CorruptFileError` naming the file and what to do, instead of passing a wrong number on.

Formats:

- teacher data (.npz): a teacher network and its fixed test set (:func:`write_teacher_data`);
- training curve (.csv): one row per checkpoint of one run (:func:`write_curve`);
- particles (.npz): the particles of one run at its recorded checkpoints (:func:`write_particles`);
- tables (.csv): aggregates, claims (:func:`write_table`, :func:`read_table`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import traceback
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

PathLike = str | os.PathLike


class CorruptFileError(ValueError):
    """An intermediate file that is not what its writer writes (truncated, empty, fields missing)."""

    def __init__(self, path: PathLike, problem: str):
        super().__init__(
            f"{path}: {problem}. The file is corrupt or from another version of the pipeline: "
            f"delete it and rerun the build, which recreates it."
        )
        self.path = path


# --------------------------------------------------------------------------------------------------
# Atomic writes and logs


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    The temporary file is created with mode 0666 filtered by the umask (``tempfile.mkstemp`` would
    force 0600), and the rename keeps that mode."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_table(table: pd.DataFrame, path: PathLike) -> None:
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)


def write_npz(path: PathLike, **arrays: np.ndarray) -> None:
    with atomic_path(path) as temporary, open(temporary, "wb") as handle:
        np.savez(handle, **arrays)


def append_to_log(log_path: PathLike | None, message: str, first: bool = False) -> None:
    """Add one line to a job's log file, starting it afresh with ``first`` (a log file, not stdout:
    jobs may share one process as threads)."""
    if log_path is None:
        return
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w" if first else "a") as log:
        print(message, file=log)


@contextlib.contextmanager
def logging_to(log_path: PathLike | None) -> Iterator[None]:
    """Send stdout, stderr and the traceback of an exception to a log file: for scripts that run as a
    process of their own. The exception is raised again, so the job still fails."""
    if log_path is None:
        yield
        return
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        try:
            yield
        except BaseException:
            traceback.print_exc(file=log)
            raise


# --------------------------------------------------------------------------------------------------
# Checking readers


def _read_npz(path: PathLike, required: Sequence[str]) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise CorruptFileError(path, f"cannot be read as an .npz archive ({type(error).__name__}: {error})") from error
    missing = [name for name in required if name not in arrays]
    if missing:
        raise CorruptFileError(path, f"arrays {missing} are missing")
    return arrays


def _check_shape(path: PathLike, name: str, array: np.ndarray, shape: tuple) -> None:
    """``shape`` may hold None for a free dimension."""
    if array.ndim != len(shape) or any(want is not None and have != want for have, want in zip(array.shape, shape)):
        raise CorruptFileError(path, f"array {name!r} has shape {array.shape}, expected {shape}")


def read_table(path: PathLike, required: Sequence[str] = (), allow_empty: bool = False) -> pd.DataFrame:
    """A CSV table, checked to parse, to hold the ``required`` columns and (unless ``allow_empty``) a row."""
    # Read once; pandas reads a row cut mid-line as a short row padded with NaN, so the text is checked
    # first: every table this pipeline writes ends with a newline and has as many fields in every row
    # as in its header.
    try:
        text = Path(path).read_text()
    except UnicodeDecodeError as error:
        raise CorruptFileError(path, f"cannot be read as a CSV table ({type(error).__name__}: {error})") from error
    if text and not text.endswith("\n"):
        raise CorruptFileError(path, "it ends in the middle of a line (truncated)")
    if len({len(row) for row in csv.reader(io.StringIO(text, newline="")) if row}) > 1:
        raise CorruptFileError(path, "its rows do not all have as many fields as the header")
    try:
        table = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise CorruptFileError(path, f"cannot be read as a CSV table ({type(error).__name__}: {error})") from error
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise CorruptFileError(path, f"columns {missing} are missing")
    if not allow_empty and table.empty:
        raise CorruptFileError(path, "the table has no rows")
    return table


# --------------------------------------------------------------------------------------------------
# Teacher data

TEACHER_ARRAYS = (
    "teacher_output_weights",
    "teacher_hidden_weights",
    "activation",
    "input_distribution",
    "test_inputs",
    "test_targets",
)


def write_teacher_data(
    path: PathLike,
    teacher_output_weights: np.ndarray,
    teacher_hidden_weights: np.ndarray,
    activation: str,
    input_distribution: str,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
) -> None:
    write_npz(
        path,
        teacher_output_weights=teacher_output_weights,
        teacher_hidden_weights=teacher_hidden_weights,
        activation=np.array(activation),
        input_distribution=np.array(input_distribution),
        test_inputs=test_inputs,
        test_targets=test_targets,
    )


def read_teacher_data(path: PathLike) -> dict:
    """The arrays of :func:`write_teacher_data`, shapes checked; ``activation`` and
    ``input_distribution`` as str."""
    data = _read_npz(path, TEACHER_ARRAYS)
    n_units = data["teacher_output_weights"].shape[0] if data["teacher_output_weights"].ndim == 1 else -1
    _check_shape(path, "teacher_output_weights", data["teacher_output_weights"], (None,))
    _check_shape(path, "teacher_hidden_weights", data["teacher_hidden_weights"], (n_units, None))
    input_dim = data["teacher_hidden_weights"].shape[1] - 1
    _check_shape(path, "test_inputs", data["test_inputs"], (None, input_dim))
    _check_shape(path, "test_targets", data["test_targets"], (data["test_inputs"].shape[0],))
    if not all(np.isfinite(data[name]).all() for name in TEACHER_ARRAYS if data[name].dtype.kind == "f"):
        raise CorruptFileError(path, "an array holds a NaN or an infinity")
    return data | {"activation": str(data["activation"]), "input_distribution": str(data["input_distribution"])}


# --------------------------------------------------------------------------------------------------
# Training curves

CURVE_COLUMNS = (
    "step",
    "samples_seen",
    "n_steps",
    "test_loss",
    "train_loss",
    "zero_predictor_loss",
    "constant_predictor_loss",
    "diverged",
)


def write_curve(path: PathLike, labels: dict, columns: dict) -> pd.DataFrame:
    """One row per checkpoint: ``labels`` (scenario, experiment, configuration, repetition) repeated as
    the leading columns, then ``columns`` (:data:`CURVE_COLUMNS`)."""
    missing = [name for name in CURVE_COLUMNS if name not in columns]
    if missing:
        raise ValueError(f"curve columns {missing} are missing")
    curve = pd.DataFrame({**labels, **{name: columns[name] for name in CURVE_COLUMNS}})
    write_table(curve, path)
    return curve


def read_curve(path: PathLike) -> pd.DataFrame:
    """A training curve, checked: every field filled (a diverged run's last losses may be NaN or
    infinite), steps increasing, and the last row at ``n_steps`` unless the run diverged."""
    curve = read_table(path, CURVE_COLUMNS)
    filled = curve.drop(columns=["test_loss", "train_loss"])
    if filled.isna().any().any():
        row = int(filled.isna().any(axis=1).to_numpy().argmax())
        raise CorruptFileError(path, f"row {row + 1} has empty fields (the file looks truncated)")
    diverged = curve["diverged"].astype(str).str.lower().map({"true": True, "false": False})
    if diverged.isna().any() or diverged.nunique() != 1:
        raise CorruptFileError(path, "the 'diverged' column must be one boolean for the whole run")
    curve["diverged"] = diverged.astype(bool)
    steps = curve["step"].to_numpy()
    if (np.diff(steps) <= 0).any():
        raise CorruptFileError(path, "the steps do not increase")
    run_diverged, last_step, planned = bool(curve["diverged"].iloc[0]), int(steps[-1]), int(curve["n_steps"].iloc[0])
    if not run_diverged and last_step != planned:
        raise CorruptFileError(
            path, f"the run ends at step {last_step} of {planned} without having diverged (the file looks truncated)"
        )
    losses = curve["test_loss"].to_numpy(dtype=float)
    if not np.isfinite(losses[:-1]).all() or (not run_diverged and not np.isfinite(losses[-1])):
        raise CorruptFileError(path, "a test loss is missing or not finite before the end of the run")
    return curve


def read_curves(paths: Sequence[PathLike]) -> pd.DataFrame:
    return pd.concat([read_curve(path) for path in paths], ignore_index=True)


# --------------------------------------------------------------------------------------------------
# Particles

PARTICLE_ARRAYS = (
    "samples_seen",
    "output_weights",
    "hidden_weights",
    "teacher_output_weights",
    "teacher_hidden_weights",
    "test_loss",
    "diverged",
)


def write_particles(
    path: PathLike,
    samples_seen: np.ndarray,
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    teacher_output_weights: np.ndarray,
    teacher_hidden_weights: np.ndarray,
    test_loss: np.ndarray,
    diverged: bool,
) -> None:
    """The particles (w (T, k), v (T, k, d + 1)) at T recorded checkpoints, with the samples seen and
    the test loss there, the teacher, and whether the run diverged."""
    write_npz(
        path,
        samples_seen=samples_seen,
        output_weights=output_weights,
        hidden_weights=hidden_weights,
        teacher_output_weights=teacher_output_weights,
        teacher_hidden_weights=teacher_hidden_weights,
        test_loss=test_loss,
        diverged=np.array(bool(diverged)),
    )


def read_particles(path: PathLike) -> dict:
    """The arrays of :func:`write_particles`, shapes checked; ``diverged`` as bool."""
    data = _read_npz(path, PARTICLE_ARRAYS)
    _check_shape(path, "samples_seen", data["samples_seen"], (None,))
    n_checkpoints = data["samples_seen"].shape[0]
    if n_checkpoints < 1:
        raise CorruptFileError(path, "no checkpoint is recorded")
    _check_shape(path, "output_weights", data["output_weights"], (n_checkpoints, None))
    n_particles = data["output_weights"].shape[1]
    _check_shape(path, "hidden_weights", data["hidden_weights"], (n_checkpoints, n_particles, None))
    _check_shape(path, "test_loss", data["test_loss"], (n_checkpoints,))
    _check_shape(path, "diverged", data["diverged"], ())
    return data | {"diverged": bool(data["diverged"])}
