"""The locked environment: requirements.lock (every package, version and hashes) and environment.yml.

    python tools/lockfile.py compile   # regenerate both from pyproject.toml (`make lock`; needs PyPI)
    python tools/lockfile.py check     # the running environment is exactly the lock (`make` runs it)

pyproject.toml holds the direct dependencies and their pins; requirements.lock is resolved from it by
uv for every supported Python (3.11 to 3.13) and platform, with every distribution's hashes, and
`make` installs from it with `pip --require-hashes`. environment.yml (conda users) is generated from
the lock, never edited by hand: tests/test_environment.py fails when they disagree.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"
COMPILE = [
    "uv",
    "pip",
    "compile",
    "pyproject.toml",
    "--all-extras",
    "--universal",
    "--python-version",
    "3.11",
    "--generate-hashes",
    "-o",
    "requirements.lock",
]
# Installed by venv or by pip itself, and the project (installed from its source, not from the lock).
NOT_LOCKED = {"pip", "setuptools", "wheel", "convexnn"}


def locked_requirements(lock: Path = LOCK) -> list[Requirement]:
    """Every `name==version ; marker` line of the lock (hashes and comments left out)."""
    requirements = []
    for line in lock.read_text().splitlines():
        text = line.strip()
        if text and not text.startswith(("#", "--")):
            requirements.append(Requirement(text.rstrip("\\").strip()))
    return requirements


def environment_yml(requirements: list[Requirement]) -> str:
    """environment.yml: the interpreter from conda-forge, every package pinned as in the lock via pip."""
    lines = [
        "# Generated from requirements.lock by `make lock` (tools/lockfile.py): do not edit by hand.",
        "# conda env create -f environment.yml && conda activate convexnn && pip install --no-deps -e .",
        "name: convexnn",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - '{requirement}'" for requirement in requirements]
    return "\n".join(lines) + "\n"


def check() -> list[str]:
    """Differences between the running environment and the lock (for this Python and platform)."""
    problems = []
    wanted = {canonicalize_name(r.name): r for r in locked_requirements() if r.marker is None or r.marker.evaluate()}
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    for name, requirement in sorted(wanted.items()):
        version = next(iter(requirement.specifier)).version
        if installed.get(name) != version:
            problems.append(f"{name}: locked {version}, installed {installed.get(name, 'nothing')}")
    problems += [
        f"{name}: installed {version}, not in requirements.lock"
        for name, version in sorted(installed.items())
        if name not in wanted and name not in NOT_LOCKED
    ]
    if ENVIRONMENT.read_text() != environment_yml(locked_requirements()):
        problems.append("environment.yml is not the one generated from requirements.lock: run `make lock`")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["compile", "check"])
    command = parser.parse_args().command
    if command == "compile":
        subprocess.run([sys.executable, "-m", *COMPILE], cwd=ROOT, check=True)
        ENVIRONMENT.write_text(environment_yml(locked_requirements()))
        print(f"wrote {LOCK.name} and {ENVIRONMENT.name}")
        return 0
    problems = check()
    for problem in problems:
        print(f"LOCK CHECK FAILED {problem}")
    print("the environment is the lock" if not problems else f"{len(problems)} differences from requirements.lock")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
