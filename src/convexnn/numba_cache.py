"""Where numba keeps the compiled kernels: a cache keyed by their source, in a folder that can be written.

Importing this module (``training`` and ``random_stream`` do, before any ``@numba.njit(cache=True)``)
points numba's cache (``numba.config.CACHE_DIR``) at a folder named after a hash of the source of
every module the kernels are compiled from. Numba checks only the timestamp of the file that
defines a cached function, so an edit of ``random_stream.py``, whose functions are compiled into
``training.py``'s kernels, would otherwise reuse stale machine code; here any edit of either file
gives a new folder. The folder's parent is, in order: ``NUMBA_CACHE_DIR`` if the user set it, the
package's ``__pycache__``, the user's cache folder, and, if none can be written (a read-only
install, a locked-down home), a temporary folder, with a warning: the kernels then compile once per
process instead of failing with numba's "no locator available".
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path

import numba

PACKAGE_DIR = Path(__file__).resolve().parent
COMPILED_MODULES = ("training.py", "random_stream.py")


def _source_key() -> str:
    digest = hashlib.sha256()
    for name in COMPILED_MODULES:
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
        return True
    except OSError:
        return False


def cache_folder() -> Path:
    """The first writable candidate parent, with the source key appended."""
    key = f"convexnn-kernels-{_source_key()}"
    candidates = [Path(os.environ["NUMBA_CACHE_DIR"])] if os.environ.get("NUMBA_CACHE_DIR") else []
    candidates += [
        PACKAGE_DIR / "__pycache__",
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "numba",
    ]
    for parent in candidates:
        if _writable(parent / key):
            return parent / key
    fallback = Path(tempfile.mkdtemp(prefix="convexnn-numba-"))
    warnings.warn(
        f"no writable numba cache folder among {', '.join(map(str, candidates))}: compiling the kernels into "
        f"the temporary folder {fallback} (they are compiled again in every new process)",
        stacklevel=2,
    )
    return fallback


numba.config.CACHE_DIR = str(cache_folder())
