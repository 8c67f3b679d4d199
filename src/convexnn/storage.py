"""The pipeline's file formats: one writer and one checking reader for each, and atomic writes.

Every output appears whole or not at all: it is written to a temporary file in the same folder and
renamed (atomic on POSIX), so a job killed with SIGKILL, or a reader racing a writer, never meets
half a file. Outputs get the permissions the umask gives (0644 under umask 022), so that group
members on a shared file system can read them.

Every reader checks what it reads (the arrays and columns a format must have, their shapes, a
training curve that reaches its planned number of steps unless it diverged) and raises
:class:`CorruptFileError` naming the file and what to do, instead of passing a wrong number on.

Formats:

- teacher data (.npz): the teacher networks of a batch and their fixed test sets (:func:`write_teacher_batch`);
- training curves (.csv): one row per checkpoint of each run of a batch (:func:`write_curves`);
- particles (.npz): the particles of each run of a batch at its recorded checkpoints (:func:`write_particles`);
- tables (.csv): aggregates, claims (:func:`write_table`, :func:`read_table`).

Every file names the jobs that wrote it: a batch archive or table holds each member's job id and
identity (:mod:`convexnn.identity`), an aggregate table the identity of its inputs; readers compare
them with the plan's and refuse a file from another run, seed or setting (:class:`IdentityError`).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from convexnn.identity import seed_of

PathLike = str | os.PathLike


class CorruptFileError(ValueError):
    """An intermediate file that is not what its writer writes (truncated, empty, fields missing)."""

    def __init__(self, path: PathLike, problem: str):
        super().__init__(f"{path}: {problem}. {recovery(path)}")
        self.path = path


class IdentityError(CorruptFileError):
    """A well-formed intermediate written for another run, base seed or setting than the plan's."""


def recovery(path: PathLike) -> str:
    """The command that rebuilds ``path`` and everything built from it (a missing or deleted
    intermediate is not rebuilt by a plain build when what depends on it looks up to date)."""
    return (
        f"Rebuild it, and what depends on it, with `snakemake --forcerun {path} <the targets you built>` "
        "(with the build's --directory and --configfile)"
    )


def _who(members: Sequence[str]) -> str:
    if not len(members):
        return "no run"
    first = str(members[0])
    more = f" and {len(members) - 1} more" if len(members) > 1 else ""
    return f"{first}{more} (base seed {seed_of(first)})"


def check_member(path: PathLike, members: Sequence[str], identities: Sequence[str], member: str, expected: str | None):
    """The position of ``member`` among the ``members`` a file holds, refused by name when the file
    holds no such member (written for another seed, configuration or repetition) or holds it with
    another identity (other settings) than ``expected``."""
    members, identities = [str(name) for name in members], [str(value) for value in identities]
    if member not in members:
        found, wanted = seed_of(members[0]) if members else "?", seed_of(member)
        seeds = f" for base seed {found}, this build is base seed {wanted}" if found != wanted else ""
        raise IdentityError(path, f"it was written{seeds} for {_who(members)}, not for {member}")
    position = members.index(member)
    if expected is not None and identities[position] != expected:
        raise IdentityError(
            path,
            f"its {member} was written with other settings (identity {identities[position]}, "
            f"this build's plan gives {expected})",
        )
    return position


def check_identity(path: PathLike, table: pd.DataFrame, expected: str | None) -> pd.DataFrame:
    """``table`` without its ``identity`` column, refused unless every row carries ``expected``
    (the hash of the identities of what the table was made from)."""
    if expected is None:
        return table
    if "identity" not in table.columns:
        raise IdentityError(path, "it carries no identity (it is from another version of the pipeline)")
    found = sorted(set(table["identity"].astype(str)))
    if found != [expected] and not table.empty:  # an empty table has no row to carry it
        raise IdentityError(
            path,
            f"it was made from other inputs or settings than this build's (identity {', '.join(found)}, "
            f"this build's plan gives {expected})",
        )
    return table.drop(columns="identity")


# --------------------------------------------------------------------------------------------------
# Atomic writes and logs


class DiskFullError(OSError):
    """No space left on the device that holds an output (one line, not a traceback's worth)."""


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    The temporary file is created with mode 0666 filtered by the umask (``tempfile.mkstemp`` would
    force 0600), and the rename keeps that mode."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        try:
            yield temporary
            os.replace(temporary, target)
        finally:
            if temporary.exists():
                temporary.unlink()
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        raise DiskFullError(
            errno.ENOSPC,
            f"the disk is full: {target} could not be written. Free space on the disk that holds it, then run "
            "the same command again: the jobs that finished are kept",
        ) from None


_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{32}\.tmp$")


def remove_leftover_temporaries(folders: Sequence[PathLike]) -> list[Path]:
    """Remove the temporary files of :func:`atomic_path` below ``folders``: only a killed job leaves
    one, so call this when no build is running (Snakemake's onstart, under its lock)."""
    removed = []
    for folder in map(Path, folders):
        if folder.is_dir():
            for path in folder.rglob(".*.tmp"):
                if _TEMPORARY.match(path.name) and path.is_file():
                    path.unlink()
                    removed.append(path)
    return removed


def write_table(table: pd.DataFrame, path: PathLike, identity: str | None = None) -> None:
    """A CSV table; with ``identity``, first a column holding it in every row (:func:`check_identity`)."""
    if identity is not None:
        table = table.drop(columns="identity", errors="ignore")
        table.insert(0, "identity", identity)
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


# --------------------------------------------------------------------------------------------------
# Checking readers


def _read_npz(path: PathLike, required: Sequence[str], prefix: str = "") -> dict[str, np.ndarray]:
    """The arrays ``prefix + name`` for each of ``required`` (keyed by name) of an .npz archive."""
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [name for name in required if prefix + name not in data.files]
            if missing:
                raise CorruptFileError(path, f"arrays {missing} are missing")
            return {name: data[prefix + name] for name in required}
    except (FileNotFoundError, CorruptFileError):
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise CorruptFileError(path, f"cannot be read as an .npz archive ({type(error).__name__}: {error})") from error


def write_batch_npz(path: PathLike, members: Sequence[tuple[str, str, dict]]) -> None:
    """One archive for the jobs of a batch: ``members`` are (job id, identity, {name: array}); the
    arrays of the i-th are stored as ``m<i>/<name>``, with the ids and identities beside them."""
    arrays = {"members": np.array([job for job, _, _ in members]), "identities": np.array([i for _, i, _ in members])}
    for position, (_, _, member_arrays) in enumerate(members):
        arrays.update({f"m{position}/{name}": array for name, array in member_arrays.items()})
    write_npz(path, **arrays)


def read_batch_member(path: PathLike, required: Sequence[str], member: str, identity: str | None) -> dict:
    """The arrays of ``member`` (a job id) in a batch archive, its identity checked (:func:`check_member`)."""
    index = _read_npz(path, ("members", "identities"))
    position = check_member(path, index["members"], index["identities"], member, identity)
    return _read_npz(path, required, prefix=f"m{position}/")


def _check_shape(path: PathLike, name: str, array: np.ndarray, shape: tuple) -> None:
    """``shape`` may hold None for a free dimension."""
    if array.ndim != len(shape) or any(want is not None and have != want for have, want in zip(array.shape, shape)):
        raise CorruptFileError(path, f"array {name!r} has shape {array.shape}, expected {shape}")


def read_table(
    path: PathLike, required: Sequence[str] = (), allow_empty: bool = False, identity: str | None = None
) -> pd.DataFrame:
    """A CSV table, checked to parse, to hold the ``required`` columns and (unless ``allow_empty``) a
    row, and with ``identity`` to have been made from what this build's plan says
    (:func:`check_identity`), whose ``identity`` column is then left out."""
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
    return check_identity(path, table, identity)


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


def teacher_arrays(
    teacher_output_weights: np.ndarray,
    teacher_hidden_weights: np.ndarray,
    activation: str,
    input_distribution: str,
    test_inputs: np.ndarray,
    test_targets: np.ndarray,
) -> dict[str, np.ndarray]:
    """One teacher's arrays, as :func:`write_teacher_batch` stores them."""
    return {
        "teacher_output_weights": teacher_output_weights,
        "teacher_hidden_weights": teacher_hidden_weights,
        "activation": np.array(activation),
        "input_distribution": np.array(input_distribution),
        "test_inputs": test_inputs,
        "test_targets": test_targets,
    }


def write_teacher_batch(path: PathLike, teachers: Sequence[tuple[str, str, dict]]) -> None:
    """The teachers of a batch: (teacher id, identity, :func:`teacher_arrays`) each."""
    write_batch_npz(path, teachers)


def read_teacher_data(path: PathLike, member: str, identity: str | None = None) -> dict:
    """The arrays of the teacher ``member`` in the batch archive ``path`` (:func:`teacher_arrays`),
    its identity and shapes checked; ``activation`` and ``input_distribution`` as str."""
    data = read_batch_member(path, TEACHER_ARRAYS, member, identity)
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


def curve_table(job: str, identity: str, labels: dict, columns: dict) -> pd.DataFrame:
    """One run's rows, one per checkpoint: the job id and identity, ``labels`` (experiment,
    configuration, repetition) repeated, then ``columns`` (:data:`CURVE_COLUMNS`)."""
    missing = [name for name in CURVE_COLUMNS if name not in columns]
    if missing:
        raise ValueError(f"curve columns {missing} are missing")
    return pd.DataFrame({"job": job, "identity": identity, **labels, **{name: columns[name] for name in CURVE_COLUMNS}})


def write_curves(path: PathLike, curves: Sequence[pd.DataFrame]) -> None:
    """The curves of the runs of a batch (:func:`curve_table` each), in one table."""
    write_table(pd.concat(curves, ignore_index=True), path)


def _checked_curve(path: PathLike, curve: pd.DataFrame, member: str) -> pd.DataFrame:
    """One run's curve, checked: every field filled (a diverged run's last losses may be NaN or
    infinite), steps increasing, and the last row at ``n_steps`` unless the run diverged."""
    where = f"run {member}: "
    filled = curve.drop(columns=["test_loss", "train_loss"])
    if filled.isna().any().any():
        row = int(filled.isna().any(axis=1).to_numpy().argmax())
        raise CorruptFileError(path, f"{where}row {row + 1} has empty fields (the file looks truncated)")
    diverged = curve["diverged"].astype(str).str.lower().map({"true": True, "false": False})
    if diverged.isna().any() or diverged.nunique() != 1:
        raise CorruptFileError(path, f"{where}the 'diverged' column must be one boolean for the whole run")
    curve = curve.assign(diverged=diverged.astype(bool))
    steps = curve["step"].to_numpy()
    if (np.diff(steps) <= 0).any():
        raise CorruptFileError(path, f"{where}the steps do not increase")
    run_diverged, last_step, planned = bool(curve["diverged"].iloc[0]), int(steps[-1]), int(curve["n_steps"].iloc[0])
    if not run_diverged and last_step != planned:
        raise CorruptFileError(
            path,
            f"{where}the run ends at step {last_step} of {planned} without having diverged (the file looks truncated)",
        )
    losses = curve["test_loss"].to_numpy(dtype=float)
    if not np.isfinite(losses[:-1]).all() or (not run_diverged and not np.isfinite(losses[-1])):
        raise CorruptFileError(path, f"{where}a test loss is missing or not finite before the end of the run")
    return curve


def read_curves(path: PathLike, expected: Sequence[Sequence[str]]) -> pd.DataFrame:
    """The curves of the runs ``expected`` ([job id, identity] each) in the batch table ``path``, in
    that order, each checked (:func:`check_member`, then as a curve), without the identity column."""
    table = read_table(path, ("job", "identity", *CURVE_COLUMNS))
    jobs = table["job"].astype(str)
    members = list(dict.fromkeys(jobs))
    identities = [str(table.loc[jobs == member, "identity"].iloc[0]) for member in members]
    curves = []
    for member, identity in expected:
        check_member(path, members, identities, member, identity)
        curves.append(_checked_curve(path, table[jobs == member].drop(columns="identity"), member))
    return pd.concat(curves, ignore_index=True)


def read_curve(ref) -> pd.DataFrame:
    """The curve of one run: ``ref`` a :class:`convexnn.identity.Ref` to its batch table."""
    return read_curves(ref, [[ref.member, ref.identity]])


def read_curve_batches(refs: Sequence) -> pd.DataFrame:
    """The curves of the runs ``refs`` (:class:`convexnn.identity.Ref`), each batch table read once."""
    by_path: dict[str, list] = {}
    for ref in refs:
        by_path.setdefault(str(ref), []).append([ref.member, ref.identity])
    return pd.concat([read_curves(path, expected) for path, expected in by_path.items()], ignore_index=True)


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


def particle_arrays(
    samples_seen: np.ndarray,
    output_weights: np.ndarray,
    hidden_weights: np.ndarray,
    teacher_output_weights: np.ndarray,
    teacher_hidden_weights: np.ndarray,
    test_loss: np.ndarray,
    diverged: bool,
) -> dict[str, np.ndarray]:
    """The particles (w (T, k), v (T, k, d + 1)) of one run at T recorded checkpoints, with the
    samples seen and the test loss there, the teacher, and whether the run diverged."""
    return {
        "samples_seen": samples_seen,
        "output_weights": output_weights,
        "hidden_weights": hidden_weights,
        "teacher_output_weights": teacher_output_weights,
        "teacher_hidden_weights": teacher_hidden_weights,
        "test_loss": test_loss,
        "diverged": np.array(bool(diverged)),
    }


def write_particles(path: PathLike, runs: Sequence[tuple[str, str, dict]]) -> None:
    """The particles of the runs of a batch: (job id, identity, :func:`particle_arrays`) each."""
    write_batch_npz(path, runs)


def read_particles(path: PathLike, member: str | None = None, identity: str | None = None) -> dict:
    """The arrays of :func:`particle_arrays` of the run ``member`` in the batch archive ``path`` (a
    :class:`convexnn.identity.Ref` names both), identity and shapes checked; ``diverged`` as bool."""
    if member is None:
        member, identity = path.member, path.identity
    data = read_batch_member(path, PARTICLE_ARRAYS, member, identity)
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
