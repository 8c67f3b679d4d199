"""The SLURM profile plans the whole paper build without a cluster (a dry run needs no sbatch)."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_slurm_profile_plans_the_paper_build(tmp_path):
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--workflow-profile", "profiles/slurm", "--executor", "slurm",
         "--jobs", "20", "-n", "figures", "claims", "beyond", "--directory", str(tmp_path), "--configfile", str(ROOT / "config.yaml")],
        cwd=ROOT, capture_output=True, text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    blocks = re.findall(r"^\s*rule (\w+):\n(.*?)(?=^\s*\[|\Z)", output, flags=re.M | re.S)
    planned = Counter(rule for rule, _ in blocks)
    overparam = config["overparam"]
    assert planned["train_overparam"] == len(overparam["activations"]) * len(overparam["n_particles"]) * overparam["repetitions"]
    assert planned["train_r0_sweep"] == len(config["r0_sweep"]["init_radius"]) * config["r0_sweep"]["repetitions"]
    assert planned["train_relu_trajectories"] == config["relu_trajectories"]["repetitions"]
    sigmoid = config["sigmoid_trajectories"]
    assert planned["train_sigmoid_trajectories"] == len(sigmoid["n_particles"]) * sigmoid["repetitions"]
    assert planned["claims"] == 1 and planned["figures"] == 1 and planned["beyond"] == 1
    beyond, comparison = config["cb2018_transition"], config["cb2018_transition"]["comparison"]
    cb_runs = {("unit", "converge", activation, m) for activation in beyond["activations"] for m in beyond["n_particles"]}
    cb_runs |= {(teacher, protocol, comparison["activation"], m) for teacher in beyond["teachers"]
                for protocol in beyond["protocols"] for m in comparison["n_particles"]}
    assert planned["train_cb2018"] == len(cb_runs) * beyond["repetitions"]
    assert planned["baseline_cb2018"] == len(beyond["activations"]) * len(beyond["n_particles"]) * beyond["repetitions"]
    assert all(planned[f"fig{number}" + suffix] == 1 for number, suffix in [
        (1, "_relu_trajectories"), (2, "_sigmoid_trajectories"), (3, "_training_curves"), (4, "_overparam_relu"),
        (5, "_overparam_sigmoid"), (6, "_r0_sweep"), (7, "_lazy_vs_active")])
    # Every job submitted to SLURM carries the portable resources declared by its rule.
    declared = {"train_overparam": ("500", "10"), "train_r0_sweep": ("500", "10"), "train_relu_trajectories": ("500", "10"),
                "train_sigmoid_trajectories": ("500", "10"), "teacher_data": ("500", "5"),
                "train_cb2018": ("500", "30"), "baseline_cb2018": ("2000", "5")}
    for rule, block in blocks:
        if rule in declared:
            resources = dict(re.findall(r"(\w+)=([^,\n]+)", block.split("resources:")[1].splitlines()[0]))
            assert (resources["mem_mb"], resources["runtime"]) == declared[rule], (rule, resources)
    # Every training and baseline job is bundled into SLURM submissions of 50 (profile's groups).
    grouped = yaml.safe_load((ROOT / "profiles" / "slurm" / "config.yaml").read_text())["groups"]
    n_grouped = sum(count for rule, count in planned.items() if rule in grouped)
    assert n_grouped == sum(count for rule, count in planned.items() if rule.startswith(("train_", "baseline_")))
    assert output.count("Group job training") == -(-n_grouped // 50)
