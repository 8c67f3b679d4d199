"""Snakemake's cost on a target: the intrinsic cost of its jobs beside the build's wall time.

The intrinsic cost is every teacher and training batch the target's plan schedules, called one after
the other in this one process (the job functions the rules call, on one core); the build is
`snakemake TARGET --cores N` from an empty working directory, every job included (aggregation,
claims, figures). The ratio wall / (intrinsic / N) is what scheduling, the other jobs and imperfect
use of the N cores cost (1.0: none). Issue 21 asks for at most 1.3 on `robustness` and `atlas`.

Run from the repository root after installation, with nothing else running:
`.venv/bin/python benchmarks/batching.py robustness atlas` (about 25 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from convexnn.config import validate_config
from convexnn.cost import target_pairs
from convexnn.jobs.teacher_data import make_teacher_data
from convexnn.jobs.train import run_training
from convexnn.plan import make_plan

ROOT = Path(__file__).resolve().parents[1]


def batches_of(plan, config: dict, target: str) -> dict[str, list[str]]:
    """{kind: batch ids} of the teacher and training batches a target builds."""
    found: dict[str, dict[str, None]] = {"teacher_data": {}, "train": {}}
    for scenario, experiment in target_pairs(plan, config, [target]):
        for kind in found:
            for job in plan.experiment(scenario, experiment).of(kind):
                found[kind][plan.file_id(kind, job.id)] = None
    return {kind: list(batches) for kind, batches in found.items()}


def intrinsic_seconds(plan, batches: dict[str, list[str]], folder: Path) -> float:
    """Every batch's job function, teachers first, in this process; their total wall time."""
    start = time.perf_counter()
    for batch in batches["teacher_data"]:
        make_teacher_data(plan.batch_params("teacher_data", batch), folder / f"teachers/{batch}.npz")
    for batch in batches["train"]:
        runs = [job.id for job in plan.batch("train", batch)]
        teachers = {
            teacher: [str(folder / path.replace("results/teacher_data/", "teachers/")), identity]
            for teacher, (path, identity) in plan.references("train", runs)["teacher"].items()
        }
        run_training(
            plan.batch_params("train", batch),
            teachers,
            folder / f"train/{batch}.csv",
            folder / f"train/{batch}.npz",
        )
    return time.perf_counter() - start


def build_seconds(target: str, configfile: Path, cores: int, keep: Path | None) -> float:
    """Wall time of `snakemake TARGET` from an empty working directory (``keep/TARGET`` if given, kept)."""
    if keep is not None:
        (keep / target).mkdir(parents=True, exist_ok=False)
    with tempfile.TemporaryDirectory() if keep is None else contextlib.nullcontext(keep / target) as workdir:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "snakemake", target, "--cores", str(cores), "--directory", workdir]
            + ["--configfile", str(configfile)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"{target} failed:\n{result.stderr[-3000:]}")
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--configfile", type=Path, default=ROOT / "config.yaml")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build each target in KEEP/<target> and keep it")
    arguments = parser.parse_args()
    config = yaml.safe_load(arguments.configfile.read_text())
    validate_config(config, ROOT / "workflow/schemas/config.schema.yaml")
    plan = make_plan(config)
    print(
        f"| target | batches (teacher, train) | intrinsic, 1 core | /{arguments.cores} | build, {arguments.cores} cores | ratio |"
    )
    print("|---|---|---|---|---|---|")
    for target in arguments.targets:
        batches = batches_of(plan, config, target)
        with tempfile.TemporaryDirectory() as folder:
            intrinsic = intrinsic_seconds(plan, batches, Path(folder))
        wall = build_seconds(target, arguments.configfile, arguments.cores, arguments.keep)
        ideal = intrinsic / arguments.cores
        print(
            f"| `{target}` | {len(batches['teacher_data'])}, {len(batches['train'])} | {intrinsic:.0f} s | "
            f"{ideal:.0f} s | {wall:.0f} s | {wall / ideal:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
