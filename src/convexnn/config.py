"""Validation of config.yaml: the JSON schema, then the checks that tie keys together.

Every error names the key (as a dotted path), the value and what is allowed, and is raised before
Snakemake schedules any job.
"""

from __future__ import annotations

import os

import jsonschema
import yaml


class ConfigError(ValueError):
    """A config.yaml value that the pipeline cannot run with."""


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "<top level>"


def validate_config(config: dict, schema_path: str | os.PathLike) -> None:
    """Raise ConfigError listing every schema violation and cross-key inconsistency of ``config``."""
    with open(schema_path) as handle:
        schema = yaml.safe_load(handle)
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        f"config key '{_key_path(error)}': {error.message}"
        for error in sorted(validator.iter_errors(config), key=lambda error: list(map(str, error.absolute_path)))
    ]
    if not problems:
        problems = cross_key_problems(config)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def cross_key_problems(config: dict) -> list[str]:
    """Checks the schema cannot express: figures must name runs that the experiments produce."""
    problems = []
    overparam, curves = config["overparam"], config["training_curves"]
    if curves["activation"] not in overparam["activations"]:
        problems.append(
            f"config key 'training_curves.activation': {curves['activation']!r} is not in "
            f"overparam.activations {overparam['activations']}"
        )
    for n_particles in curves["n_particles"]:
        if n_particles not in overparam["n_particles"]:
            problems.append(
                f"config key 'training_curves.n_particles': {n_particles} is not in overparam.n_particles "
                f"{overparam['n_particles']}"
            )
    if curves["repetition"] >= overparam["repetitions"]:
        problems.append(
            f"config key 'training_curves.repetition': {curves['repetition']} must be below "
            f"overparam.repetitions = {overparam['repetitions']} (repetitions count from 0)"
        )
    sweep, lazy = config["r0_sweep"], config["lazy_vs_active"]
    for init_radius in lazy["init_radius"]:
        if init_radius not in sweep["init_radius"]:
            problems.append(
                f"config key 'lazy_vs_active.init_radius': {init_radius} is not in r0_sweep.init_radius "
                f"{sweep['init_radius']}"
            )
    if lazy["repetition"] >= sweep["repetitions"]:
        problems.append(
            f"config key 'lazy_vs_active.repetition': {lazy['repetition']} must be below "
            f"r0_sweep.repetitions = {sweep['repetitions']} (repetitions count from 0)"
        )
    return problems
