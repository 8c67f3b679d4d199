"""Job: the fingerprint of the code an entry point runs (see :mod:`convexnn.dependencies`)."""

from __future__ import annotations

from convexnn.dependencies import code_fingerprint
from convexnn.storage import PathLike, append_to_log, atomic_path


def write_code_fingerprint(sources: list[str], path: PathLike, log_path: PathLike | None = None) -> None:
    """Write the fingerprint of ``sources`` (source files, relative paths) to ``path``."""
    with atomic_path(path) as temporary:
        temporary.write_text(code_fingerprint(sources))
    append_to_log(log_path, f"fingerprint of {len(sources)} source files written to {path}", first=True)
