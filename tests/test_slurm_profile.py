"""The SLURM profile plans every target (paper, beyond, robustness, atlas) without a cluster (a dry run needs no sbatch), with the
jobs and resources the plan says."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from convexnn.plan import make_plan
from convexnn.registry import KINDS, targets

ROOT = Path(__file__).resolve().parents[1]
# Every target: the claims, robustness and atlas, and the figures and tables of every experiment.
TARGETS = ["claims", "robustness", "atlas", *targets()]


def slurm_plugin_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("snakemake_executor_plugin_slurm") is not None


@pytest.mark.skipif(
    not slurm_plugin_installed(), reason="needs the optional extra .[slurm] (snakemake-executor-plugin-slurm)"
)
def test_slurm_profile_plans_every_target(tmp_path):
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--workflow-profile",
            "slurm",
            "--executor",
            "slurm",
            "--jobs",
            "20",
            "-n",
            *TARGETS,
            "--directory",
            str(tmp_path),
            "--configfile",
            str(ROOT / "config.yaml"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    blocks = re.findall(r"^\s*(?:local)?rule (\w+):\n(.*?)(?=^\s*\[|\Z)", output, flags=re.M | re.S)
    planned = Counter(rule for rule, _ in blocks)
    plan = make_plan(config)
    for kind, jobs in plan.jobs.items():
        assert planned[kind] == len(plan.batches.get(kind, jobs)), kind  # a batched kind: one job per batch
    assert planned["aggregate"] == len(plan.experiments)
    assert all(planned[target] == 1 for target in TARGETS)
    # Every training job submitted to SLURM asks for the wall time the plan estimates for it.
    for rule, block in blocks:
        if rule == "train":
            batch = re.search(r"output: results/train/(.+?)\.csv", block)[1]
            resources = dict(re.findall(r"(\w+)=([^,\n]+)", block.split("resources:")[1].splitlines()[0]))
            assert int(resources["runtime"]) == plan.runtime_minutes("train", batch), batch
            assert int(resources["mem_mb"]) == KINDS["train"].mem_mb
    # No groups: every compute job (a batch) is a submission of its own, with its own resources.
    assert "Group job" not in output
