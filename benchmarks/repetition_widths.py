"""Each claim's value, 95% interval and verdict against the number of repetitions it rests on.

The claims are recomputed, with the pipeline's own claim functions, on the first n repetitions of a
build made with more repetitions than config.yaml asks for (the pilot of benchmarks/pilot_config.yaml,
another base seed than the paper build's). The width is in decades for the ratios (C2, C5, C6, C8)
and in the claim's unit otherwise. This is how config.yaml's repetitions were chosen:

    snakemake claims --configfile config.yaml benchmarks/pilot_config.yaml --directory pilot
    .venv/bin/python benchmarks/repetition_widths.py pilot
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml

from convexnn.claims import as_trajectory
from convexnn.plan import main_scenario, make_plan
from convexnn.registry import EXPERIMENTS, report_experiments
from convexnn.storage import read_particles, read_table

ROOT = Path(__file__).resolve().parents[1]
# repetitions to try, per report experiment (its pilot runs at most the largest)
COUNTS = {name: [20, 30, 40] if name == "relu_trajectories" else [5, 10, 15, 20] for name in report_experiments()}
RATIOS = ("C2", "C5", "C6", "C8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="the folder the pilot was built in (--directory)")
    parser.add_argument("--pilot", type=Path, default=ROOT / "benchmarks" / "pilot_config.yaml")
    arguments = parser.parse_args()
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    for section, values in yaml.safe_load(arguments.pilot.read_text()).items():
        config[section] = config[section] | values if isinstance(values, dict) else values
    plan = make_plan(config)
    scenario = main_scenario(config).name
    for experiment, counts in COUNTS.items():
        finals = read_table(arguments.build / "results" / "aggregate" / scenario / experiment / "finals.csv")
        trajectories = [
            (job.labels, as_trajectory(read_particles(arguments.build / job.particles_path)))
            for job in plan.experiment(scenario, experiment).of("train")
            if job.settings.record_trajectory
        ]
        for count in counts:
            if count > finals["repetition"].max() + 1:
                continue
            kept = [(labels, trajectory) for labels, trajectory in trajectories if labels["repetition"] < count]
            context = EXPERIMENTS[experiment].claims_context(config)
            for claim in EXPERIMENTS[experiment].claims(finals[finals["repetition"] < count], kept, context):
                ratio = claim.claim.startswith(RATIOS) and claim.low > 0
                width = np.log10(claim.high / claim.low) if ratio else claim.high - claim.low
                print(
                    f"{experiment:21s} n={count:3d} {claim.claim:11s} {claim.verdict:14s} value={claim.value:10.4g} "
                    f"[{claim.low:.4g}, {claim.high:.4g}] width={width:.3g}{' decades' if ratio else ''}"
                )


if __name__ == "__main__":
    main()
