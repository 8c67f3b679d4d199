"""Job: the fingerprint of the code an entry point runs (see :mod:`convexnn.dependencies`)."""

from __future__ import annotations

from pathlib import Path

from convexnn.dependencies import code_fingerprint, code_inputs
from convexnn.storage import PathLike, append_to_log, atomic_path


def write_code_fingerprint(sources: list[str], path: PathLike, log_path: PathLike | None = None) -> None:
    """Write the fingerprint of ``sources`` (source files, relative paths) to ``path``."""
    with atomic_path(path) as temporary:
        temporary.write_text(code_fingerprint(sources))
    append_to_log(log_path, f"fingerprint of {len(sources)} source files written to {path}", first=True)


def stale_fingerprints(folder: PathLike = "results/code_fingerprint") -> list[Path]:
    """The fingerprint files in ``folder`` whose text is not the fingerprint of the sources they
    name today: changed by hand or corrupted, or left by a code edit not yet built. Either way the
    file must be written again; a corrupted one would otherwise never be (its rule's inputs are
    unchanged) and would rerun every job that reads it."""
    stale = []
    for path in sorted(Path(folder).glob("*.txt")):
        try:
            current = code_fingerprint(code_inputs(path.stem))
        except (ImportError, ValueError, OSError, AttributeError):
            current = None  # an entry point that no longer exists: the file is unused
        if current is not None and path.read_bytes() != current.encode():
            stale.append(path)
    return stale
