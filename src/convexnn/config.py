"""Validation of config.yaml: the JSON schema, then the checks that tie keys together.

Every error names the key (as a dotted path), the value and what is allowed, and is raised before
Snakemake schedules any job.
"""

from __future__ import annotations

import copy
import math
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

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


class _StrictLoader(yaml.SafeLoader):
    """YAML as Snakemake reads it, but refusing what it reads silently otherwise: a key given twice
    (the last would win) and an integer with a leading zero (YAML 1.1 reads ``010`` as octal 8)."""


def _where(path, node) -> str:
    return f"{path}, line {node.start_mark.line + 1}"


def _strict_mapping(loader: _StrictLoader, node, deep: bool = False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(
                f"{_where(loader.name, key_node)}: key {key!r} is given twice (first on line {seen[key] + 1}); "
                "YAML would keep the last silently: remove one"
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _strict_integer(loader: _StrictLoader, node):
    text = node.value.replace("_", "")
    if re.fullmatch(r"[-+]?0[0-9]+", text):
        raise ConfigError(
            f"{_where(loader.name, node)}: {node.value} has a leading zero, which YAML 1.1 reads as the octal "
            f"number {yaml.SafeLoader.construct_yaml_int(loader, node)}: write {int(text)} (or 0o{text.lstrip('+-0')} "
            "if octal is meant)"
        )
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _strict_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _strict_integer)


def check_config_file(path: str | os.PathLike) -> dict:
    """The config file ``path`` read strictly (:class:`_StrictLoader`), every problem naming the file
    and the line: a YAML syntax error, a duplicate key, an integer with a leading zero."""
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise ConfigError(f"config file {path}: cannot be read ({error.strerror})") from None
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {error.problem or error.context}") from None
    finally:
        loader.dispose()


def check_config_files(paths) -> None:
    """:func:`check_config_file` of each config file a build reads (Snakemake reads them first, but
    silently keeps a duplicate key's last value and reads ``010`` as 8)."""
    for path in paths:
        check_config_file(path)


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


def main(argv: list[str] | None = None) -> int:
    """``python -m convexnn.config FILE...``: check config files as a build would, naming file and line."""
    status = 0
    for path in argv if argv is not None else sys.argv[1:]:
        try:
            check_config_file(path)
            print(f"{path}: read strictly, no duplicate key, no leading-zero integer")
        except ConfigError as error:
            print(error, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
