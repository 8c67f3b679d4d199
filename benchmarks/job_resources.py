"""Wall time and peak memory of real jobs, each in a process of its own, against what the rules ask a
cluster for (workflow/profiles/slurm/config.yaml).

On a workstation the simulation jobs run as threads of the Snakemake process, so a `benchmark:` file
would time and measure the whole process, not the job (the rules have none). Here the largest job of
each kind (by the plan's estimate) runs alone in a fresh Python process:

    .venv/bin/python benchmarks/job_resources.py [--configfile config.yaml]

and one line per job gives its measured wall time and peak resident memory beside the plan's
estimate, the runtime the rule asks for (minutes) and its mem_mb. A measured time above the estimate
means the SECONDS_* constants of src/convexnn/plan.py should go up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from convexnn.kinds.sgd import SECONDS_TO_START, estimated_training_seconds
from convexnn.plan import make_plan
from convexnn.registry import KINDS

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import json, sys
job = json.loads(sys.argv[2])
if sys.argv[1] == "teacher_data":
    from convexnn.jobs.teacher_data import make_teacher_data
    make_teacher_data([job], "teacher.npz")
elif sys.argv[1] == "train":
    from convexnn.jobs.train import run_training
    run_training([job], {job["teacher"]: ["teacher.npz", None]}, "curve.csv", "particles.npz")
else:
    from convexnn.jobs.baseline import fit_baseline
    fit_baseline(job, ["teacher.npz", None], "baseline.csv")
"""


def run_alone(kind: str, job: dict, folder: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one job in a new process (its own rusage, from wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", RUN, kind, json.dumps(job)], cwd=folder)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{kind} job failed: {job['id']}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configfile", type=Path, default=ROOT / "config.yaml")
    arguments = parser.parse_args()
    plan = make_plan(yaml.safe_load(arguments.configfile.read_text()))
    largest = {}
    for job in plan.jobs["train"].values():
        experiment = job.labels["experiment"]
        cost = SECONDS_TO_START + estimated_training_seconds(job.settings, plan.job("teacher_data", job.teacher))
        if experiment not in largest or cost > largest[experiment][0]:
            largest[experiment] = (cost, job)
    print("| job | estimated s | measured s | runtime asked (min) | peak MB | mem_mb asked |")
    print("|---|---|---|---|---|---|")
    for experiment, (cost, job) in sorted(largest.items()):
        with tempfile.TemporaryDirectory() as folder:
            teacher = plan.job("teacher_data", job.teacher)
            run_alone("teacher_data", teacher.as_params(), Path(folder))
            seconds, peak = run_alone("train", job.as_params(), Path(folder))
            print(
                f"| train {job.id} | {cost:.1f} | {seconds:.1f} | {plan.runtime_minutes('train', job.id)} | "
                f"{peak:.0f} | {KINDS['train'].mem_mb} |",
                flush=True,
            )
            if experiment == "cb2018":
                baseline = max(plan.jobs["baseline"].values(), key=lambda b: b.n_particles)
                baseline_teacher = plan.job("teacher_data", baseline.teacher)
                run_alone("teacher_data", baseline_teacher.as_params(), Path(folder))
                seconds, peak = run_alone("baseline", baseline.as_params(), Path(folder))
                print(
                    f"| baseline {baseline.id} | | {seconds:.1f} | {plan.runtime_minutes('baseline', baseline.id)} | "
                    f"{peak:.0f} | {KINDS['baseline'].mem_mb} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
