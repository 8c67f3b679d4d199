"""Atomic file writes: every output appears whole or not at all.

Snakemake deletes the outputs of a failed job, but a job killed with SIGKILL, or a reader racing a
writer, could still meet half a file; writing to a temporary file in the same folder and renaming
it (atomic on POSIX) rules both out.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(descriptor)
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_csv(table: pd.DataFrame, path: str | os.PathLike) -> None:
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)


def write_npz(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    with atomic_path(path) as temporary, open(temporary, "wb") as handle:
        np.savez(handle, **arrays)


def append_to_log(log_path: str | os.PathLike | None, message: str, first: bool = False) -> None:
    """Add one line to a job's log file, starting it afresh with ``first`` (a log file, not stdout:
    jobs may share one process as threads)."""
    if log_path is None:
        return
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w" if first else "a") as log:
        print(message, file=log)


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array of an .npz file, loaded (the file is closed on return)."""
    with np.load(path) as data:
        return {name: data[name] for name in data.files}


@contextlib.contextmanager
def logging_to(log_path: str | os.PathLike | None) -> Iterator[None]:
    """Send stdout and stderr to a log file: for scripts that run as a process of their own."""
    if log_path is None:
        yield
        return
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        yield
