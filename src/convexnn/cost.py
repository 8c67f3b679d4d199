"""The cost guard: the plan's estimate of CPU time and peak memory of a build, refused above a limit.

Before any job runs, the jobs of the requested targets are summed from each kind's estimate
(:class:`convexnn.kinds.JobKind`: ``seconds`` per job, ``start_seconds`` per scheduled job, which for
a batched kind is a batch) and their largest memory estimate is taken. A build above the config's
``cost_limit`` (:data:`DEFAULT_LIMIT` where unset) is refused with the estimate and how to raise it,
instead of running for days or dying of a MemoryError inside a job.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from convexnn.plan import Plan, atlas_scenarios, main_scenario, robustness_scenarios
from convexnn.registry import EXPERIMENTS, report_experiments, targets

# Every target of config.yaml together is estimated at about 10 CPU-hours (the estimates carry their
# own margin): the default lets each of them, and all of them at once, run, and refuses plans two or
# more orders of magnitude larger, which only a mistaken setting makes.
DEFAULT_LIMIT = {"cpu_hours": 16.0, "memory_fraction": 0.75}


class CostError(ValueError):
    """A build whose estimated cost exceeds ``cost_limit``."""


def machine_memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def command_line(argv: list[str]):
    """The snakemake command line's arguments (argparse), or None when Snakemake runs from elsewhere
    (its API). Snakemake parses the Snakefile before it hands the workflow its targets and its
    executor (which knows of a dry run), so they are read from the command line."""
    if not argv or not argv[0].replace("\\", "/").endswith(("snakemake", "snakemake/__main__.py")):
        return None
    from snakemake.cli import get_argument_parser

    arguments, _ = get_argument_parser().parse_known_args(argv[1:])
    return arguments


def requested_targets(argv: list[str]) -> list[str]:
    """The targets on a snakemake command line (none: the default target); outside the command
    line tool, a target that counts every job of the plan."""
    arguments = command_line(argv)
    return ["<unknown>"] if arguments is None else list(arguments.targets or [])


def is_dry_run(argv: list[str]) -> bool:
    """Whether the snakemake command line asks for a dry run (-n); True outside the command line
    tool, so that nothing is changed on a guess."""
    arguments = command_line(argv)
    return True if arguments is None else bool(arguments.dryrun)


def target_pairs(plan: Plan, config: dict, requested: Iterable[str]) -> list[tuple[str, str]]:
    """The (scenario, experiment) pairs the requested targets build; a target this module does not
    know (a file, a single rule) counts as every pair of the plan."""
    main = main_scenario(config).name
    report = [(main, experiment) for experiment in report_experiments()]
    pairs: list[tuple[str, str]] = []
    for target in list(requested) or ["figures"]:
        if target in ("figures", "claims", "report", "article"):
            pairs += report
        elif target in targets():
            pairs += [(main, name) for name, experiment in EXPERIMENTS.items() if experiment.target == target]
        elif target == "robustness":
            pairs += [
                (scenario.name, experiment)
                for scenario in robustness_scenarios(config)
                for experiment in report_experiments()
            ]
        elif target == "atlas":
            pairs += report + [
                (scenario.name, variation["experiment"]) for scenario, variation, _ in atlas_scenarios(config)
            ]
        else:
            return list(plan.experiments)
    return list(dict.fromkeys(pairs))


def estimate(plan: Plan, pairs: Iterable[tuple[str, str]]) -> tuple[float, float, str]:
    """(CPU seconds, peak bytes of the largest job, that job) of the jobs of ``pairs``, each job (or
    batch) once however many pairs share it."""
    scheduled: dict[tuple[str, str], None] = {}
    for scenario, experiment in pairs:
        for kind, jobs in plan.experiment(scenario, experiment).jobs.items():
            for job in jobs:
                scheduled[kind, plan.file_id(kind, job.id)] = None
    seconds, peak, largest = 0.0, 0.0, ""
    for kind, job_id in scheduled:
        seconds += plan.seconds(kind, job_id)
        memory = plan.memory_bytes(kind, job_id)
        if memory > peak:
            peak, largest = memory, f"{kind} {job_id}"
    return seconds, peak, largest


def check_cost(plan: Plan, config: dict, requested: Iterable[str], memory_bytes: int | None = None) -> str:
    """One line with the estimate of the requested build; :class:`CostError` above ``cost_limit``."""
    limit = DEFAULT_LIMIT | config.get("cost_limit", {})
    seconds, peak, largest = estimate(plan, target_pairs(plan, config, requested))
    memory_bytes = machine_memory_bytes() if memory_bytes is None else memory_bytes
    hours, memory_limit = seconds / 3600, limit["memory_fraction"] * memory_bytes
    line = (
        f"estimated cost of this build: {hours:.2f} CPU-hours, largest job {peak / 2**30:.2f} GiB ({largest}); "
        f"limits {limit['cpu_hours']:g} CPU-hours and {limit['memory_fraction']:g} of {memory_bytes / 2**30:.1f} GiB"
    )
    problems = []
    if hours > limit["cpu_hours"]:
        problems.append(
            f"the plan's estimate is {hours:,.1f} CPU-hours, above cost_limit.cpu_hours = {limit['cpu_hours']:g}"
        )
    if peak > memory_limit:
        problems.append(
            f"job {largest} needs about {peak / 2**30:,.1f} GiB, above cost_limit.memory_fraction = "
            f"{limit['memory_fraction']:g} of this machine's {memory_bytes / 2**30:.1f} GiB"
        )
    if problems:
        raise CostError(
            "; ".join(problems) + ". Check the settings (n_steps, repetitions, test_size, the grids); if the "
            "build is meant, raise the limit, e.g. --config cost_limit='{cpu_hours: 100, memory_fraction: 0.9}'"
            f" ({line})"
        )
    return line
