"""Validation of config.yaml: the JSON schema, then the checks that tie keys together.

Every error names the key (as a dotted path), the value and what is allowed, and is raised before
Snakemake schedules any job.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Iterator

import jsonschema
import yaml

from convexnn.registry import EXPERIMENTS


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
    {"integer": _is_integer, "number": _is_number}
)
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


def _problem(error) -> str:
    """One line naming the key and the problem. For a value valid under none of several forms
    (oneOf), the branch whose type the value has explains it (``0`` is "less than the minimum of 1",
    not "not valid under any of the given schemas"); otherwise the allowed types are listed."""
    if error.context:
        right_type = [sub for sub in error.context if sub.validator != "type"]
        if right_type:
            return _problem(max(right_type, key=lambda sub: len(sub.absolute_path)))
        allowed = " or ".join(repr(sub.validator_value) for sub in error.context)
        return f"config key '{_key_path(error)}': {error.instance!r} is not of type {allowed}"
    return f"config key '{_key_path(error)}': {error.message}"


def validate_config(config: dict, schema_path: str | os.PathLike) -> None:
    """Raise ConfigError listing every schema violation and cross-key inconsistency of ``config``.

    Beyond JSON Schema's own rules, a NaN or an infinity is never a valid number, and an integer
    setting does not accept a float (20000.0), so that neither reaches a job."""
    with open(schema_path) as handle:
        schema = yaml.safe_load(handle)
    validator = _Validator(schema)
    problems = [f"config key '{key}': {value} is not a finite number" for key, value in _non_finite(config)]
    problems += [
        _problem(error)
        for error in sorted(validator.iter_errors(config), key=lambda error: list(map(str, error.absolute_path)))
        if not (isinstance(error.instance, float) and not math.isfinite(error.instance))
    ]
    if not problems:
        problems = cross_key_problems(config)
    if not problems:
        problems = variation_problems(config, validator)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def _scaled(value, factor: float, key: str):
    """value x factor for a number or each value of a per-activation dict; integers stay integers."""
    if isinstance(value, dict):
        return {name: _scaled(item, factor, key) for name, item in value.items()}
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"cannot scale {key!r}: {value!r} is not a number")
    return max(1, round(value * factor)) if isinstance(value, int) else value * factor


def apply_variation(config: dict, variation: dict) -> dict:
    """A copy of ``config`` with one atlas variation applied to its experiment's section: ``set``
    replaces values, ``scale`` multiplies them."""
    varied = copy.deepcopy(config)
    section = varied[variation["experiment"]]
    for key, value in variation.get("set", {}).items():
        section[key] = copy.deepcopy(value)
    for key, factor in variation.get("scale", {}).items():
        if key not in section:
            raise ConfigError(f"atlas variation {variation['name']!r}: {variation['experiment']}.{key} does not exist")
        section[key] = _scaled(section[key], factor, key)
    return varied


def variation_problems(config: dict, validator) -> list[str]:
    """Each atlas variation must have a unique name and give a valid configuration once applied."""
    problems, names = [], set()
    for index, variation in enumerate(config.get("atlas", [])):
        where = f"config key 'atlas.{index}' ({variation['name']})"
        if variation["name"] in names:
            problems.append(f"{where}: the name is used twice")
        names.add(variation["name"])
        try:
            varied = apply_variation(config, variation)
        except ConfigError as error:
            problems.append(f"{where}: {error}")
            continue
        schema_problems = [
            f"{where}: once applied, config key '{_key_path(error)}': {error.message}"
            for error in validator.iter_errors(varied)
        ]
        # cross-key checks read values of the types the schema guarantees
        problems += schema_problems or [f"{where}: once applied, {problem}" for problem in cross_key_problems(varied)]
    return problems


def cross_key_problems(config: dict) -> list[str]:
    """Checks the schema cannot express, each declared by its experiment (:mod:`convexnn.registry`)."""
    return [problem for experiment in EXPERIMENTS.values() for problem in experiment.cross_key_problems(config)]
