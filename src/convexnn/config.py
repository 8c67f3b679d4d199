"""Validation of config.yaml: the JSON schema, then the checks that tie keys together.

Every error names the key (as a dotted path), the value and what is allowed, and is raised before
Snakemake schedules any job.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

import jsonschema
import yaml


class ConfigError(ValueError):
    """A config.yaml value that the pipeline cannot run with."""


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "<top level>"


def _is_integer(checker, value) -> bool:
    """Only a true integer: JSON Schema would also accept 20000.0 (and True), which YAML makes a float."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(checker, value) -> bool:
    """Only a finite number: range checks like `minimum` are false for NaN, so NaN would pass them."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_TYPE_CHECKER = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
    {"integer": _is_integer, "number": _is_number})
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=_TYPE_CHECKER)


def _non_finite(value, path: tuple = ()) -> Iterator[tuple[str, float]]:
    """(dotted key, value) of every NaN or infinity anywhere in the config."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, path + (index,))
    elif isinstance(value, float) and not math.isfinite(value):
        yield ".".join(map(str, path)), value


def validate_config(config: dict, schema_path: str | os.PathLike) -> None:
    """Raise ConfigError listing every schema violation and cross-key inconsistency of ``config``.

    Beyond JSON Schema's own rules, a NaN or an infinity is never a valid number, and an integer
    setting does not accept a float (20000.0), so that neither reaches a job."""
    with open(schema_path) as handle:
        schema = yaml.safe_load(handle)
    validator = _Validator(schema)
    problems = [f"config key '{key}': {value} is not a finite number" for key, value in _non_finite(config)]
    problems += [
        f"config key '{_key_path(error)}': {error.message}"
        for error in sorted(validator.iter_errors(config), key=lambda error: list(map(str, error.absolute_path)))
        if not (isinstance(error.instance, float) and not math.isfinite(error.instance))
    ]
    if not problems:
        problems = cross_key_problems(config)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def cross_key_problems(config: dict) -> list[str]:
    """Checks the schema cannot express: a figure that draws runs of an experiment must name runs
    that the experiment produces (a value in its grid, a repetition it runs)."""
    problems = []
    # (figure's key, its values, experiment's key, the experiment's values)
    memberships = [
        ("training_curves.activation", [config["training_curves"]["activation"]], "overparam.activations"),
        ("training_curves.n_particles", config["training_curves"]["n_particles"], "overparam.n_particles"),
        ("lazy_vs_active.init_radius", config["lazy_vs_active"]["init_radius"], "r0_sweep.init_radius"),
    ]
    for key, values, allowed_key in memberships:
        section, name = allowed_key.split(".")
        allowed = config[section][name]
        problems += [f"config key '{key}': {value!r} is not in {allowed_key} {allowed}"
                     for value in values if value not in allowed]
    for key, experiment in [("training_curves", "overparam"), ("lazy_vs_active", "r0_sweep")]:
        repetition, repetitions = config[key]["repetition"], config[experiment]["repetitions"]
        if repetition >= repetitions:
            problems.append(f"config key '{key}.repetition': {repetition} must be below "
                            f"{experiment}.repetitions = {repetitions} (repetitions count from 0)")
    return problems
