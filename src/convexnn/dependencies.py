"""Which source files a job's results depend on, derived from what it imports.

Snakemake does not follow the modules a job imports, so the workflow lists them as the job's inputs.
They are found here by reading ``import`` statements with :mod:`ast` (nothing is imported), from an
entry point (a module of this package, or a script file) through every module of this package it
imports, directly or not, with the package ``__init__`` files on the way. An edit to any of them
reruns the job; an edit to a module it does not reach leaves it alone.

Paths are returned relative to a base folder (the working directory of the build, normally the
project root), so that a built project copied elsewhere is up to date where it was.

A rule with thousands of jobs does not list these files itself: Snakemake's scheduler walks every
input of every ready job after each finished job, so ten code files per job made it the bottleneck
of a robustness build. Such a job takes one input instead, the code fingerprint of its entry point
(:func:`code_fingerprint`, written by the workflow's rule `code_fingerprint`, whose inputs are the
files): an edit of a file changes the fingerprints that list it, which reruns their jobs.
"""

from __future__ import annotations

import ast
import hashlib
import os
from functools import cache
from pathlib import Path

PACKAGE = "convexnn"
PACKAGE_DIR = Path(__file__).resolve().parent


def module_file(module: str) -> Path | None:
    """The source file of ``convexnn.a.b`` (a module or a package), None outside this package."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path) -> str | None:
    """``convexnn.a.b`` for a file of this package, None for a file outside it."""
    try:
        relative = path.resolve().relative_to(PACKAGE_DIR)
    except ValueError:
        return None
    parts = [PACKAGE, *relative.with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str | None, level: int, importer: str | None, is_package: bool) -> str | None:
    """The absolute name of a (possibly relative) ``from ... import`` base."""
    if level == 0:
        return module
    if importer is None:
        return None
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


@cache
def direct_imports(path: Path) -> frozenset[str]:
    """Modules of this package that the file at ``path`` imports (at any depth of its code)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    importer = _module_name(path)
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, importer, is_package)
            if base is None:
                continue
            found.add(base)
            # `from convexnn import model` imports the module convexnn.model
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(name for name in found if module_file(name) is not None)


def _with_parents(module: str) -> list[str]:
    """Importing a.b.c runs a/__init__.py and a/b/__init__.py first."""
    parts = module.split(".")
    return [".".join(parts[:length]) for length in range(1, len(parts) + 1)]


def source_closure(*entries: str | os.PathLike) -> list[Path]:
    """The files of this package an entry point needs: each entry is a module name (``convexnn.x``)
    or the path of a file (a script); the result is sorted and includes the entry files themselves."""
    pending, files = [], set()
    for entry in entries:
        entry_path = module_file(str(entry)) if str(entry).startswith(PACKAGE + ".") or str(entry) == PACKAGE else None
        if entry_path is None:
            entry_path = Path(entry).resolve()
            if not entry_path.is_file():
                raise FileNotFoundError(f"entry point {entry!s} is neither a module of {PACKAGE} nor a file")
            name = _module_name(entry_path)
            if name is not None:
                pending.extend(_with_parents(name))
            else:
                files.add(entry_path)
                pending.extend(module for name in direct_imports(entry_path) for module in _with_parents(name))
        else:
            pending.extend(_with_parents(str(entry)))
    seen = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        path = module_file(module)
        files.add(path)
        pending.extend(parent for name in direct_imports(path) for parent in _with_parents(name))
    return sorted(files)


def code_inputs(*entries: str | os.PathLike, base: str | os.PathLike | None = None) -> list[str]:
    """:func:`source_closure` as paths relative to ``base`` (default: the current directory)."""
    base = Path(base if base is not None else os.getcwd()).resolve()
    return [os.path.relpath(path, base) for path in source_closure(*entries)]


def code_fingerprint(paths: list[str | os.PathLike]) -> str:
    """One line per source file, ``<sha256 of its bytes>  <path>``, in the order given: the code an
    entry point runs, as text that changes exactly when one of the files does."""
    return "".join(f"{hashlib.sha256(Path(path).read_bytes()).hexdigest()}  {path}\n" for path in paths)
