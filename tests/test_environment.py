"""The locked environment: environment.yml is the one generated from requirements.lock, and the lock
pins every package it names, with hashes."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("lockfile", ROOT / "tools" / "lockfile.py")
lockfile = importlib.util.module_from_spec(spec)
sys.modules["lockfile"] = lockfile
spec.loader.exec_module(lockfile)


def test_environment_yml_is_generated_from_the_lock():
    assert (ROOT / "environment.yml").read_text() == lockfile.environment_yml(lockfile.locked_requirements())


def test_every_locked_package_is_pinned_with_hashes():
    text = (ROOT / "requirements.lock").read_text()
    requirements = lockfile.locked_requirements()
    assert len(requirements) > 50
    for requirement in requirements:
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", requirement
    entries = [block for block in text.split("\n") if block and not block.startswith((" ", "#", "-"))]
    assert len(entries) == len(requirements)
    assert text.count("--hash=sha256:") >= len(requirements)


def test_the_direct_dependencies_are_in_the_lock():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = {lockfile.canonicalize_name(requirement.name) for requirement in lockfile.locked_requirements()}
    direct = project["dependencies"] + [item for extra in project["optional-dependencies"].values() for item in extra]
    for item in direct:
        name = lockfile.canonicalize_name(lockfile.Requirement(item).name)
        assert name in locked, item
