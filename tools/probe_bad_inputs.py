"""Probe the pipeline with bad inputs and faults, as a new user would meet them, and count the outcomes.

Bad inputs: configurations (and config files) that must be refused before any job, with a message
that names the key or the file. Faults: damage done to a built smoke project (files from another
seed, run or experiment, truncated or deleted files, a killed build); after each, `snakemake figures
claims` must stop naming the file, say what to run, or recover to the clean build's bytes; never
change results/claims.csv or a figure without a word.

`.venv/bin/python tools/probe_bad_inputs.py` from the repository root (about 10 minutes on 2 cores);
prints one line per probe and the counts.
"""

from __future__ import annotations

import copy
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
SMOKE = yaml.safe_load((ROOT / "tests/smoke_config.yaml").read_text())
SEED0, SEED1 = "paper/seed0", "paper/seed1"


def snakemake(project: Path, *arguments: str, configfile: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", *arguments, "--cores", "2"]
    command += ["--configfile", str(configfile or project / "tests/smoke_config.yaml")]
    environment = dict(os.environ, PYTHONPATH=str(project / "src"))
    return subprocess.run(command, cwd=project, capture_output=True, text=True, env=environment)


def mutated(path: list, value) -> dict:
    config = copy.deepcopy(SMOKE)
    node = config
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return config


DELETE = object()

# (what, config or raw YAML text, a word the refusal must contain: the key or the file)
BAD_INPUTS = [
    ("negative seed", mutated(["seed"], -1), "seed"),
    ("seed as text", mutated(["seed"], "zero"), "seed"),
    ("fractional seed", mutated(["seed"], 1.5), "seed"),
    ("no robustness seed", mutated(["robustness", "seeds"], []), "robustness.seeds"),
    ("robustness seed twice", mutated(["robustness", "seeds"], [0, 0]), "robustness.seeds"),
    ("zero particles", mutated(["relu_trajectories", "n_particles"], 0), "relu_trajectories.n_particles"),
    ("negative step", mutated(["relu_trajectories", "step_size"], -0.1), "relu_trajectories.step_size"),
    ("NaN step", mutated(["relu_trajectories", "step_size"], float("nan")), "relu_trajectories.step_size"),
    ("unknown distribution", mutated(["relu_trajectories", "input_distribution"], "uniform"), "input_distribution"),
    ("unknown key", mutated(["relu_trajectories", "activation"], "relu"), "activation"),
    ("empty k grid", mutated(["overparam", "n_particles"], []), "overparam.n_particles"),
    ("k given twice", mutated(["overparam", "n_particles"], [3, 3]), "overparam.n_particles"),
    ("unknown activation", mutated(["overparam", "activations"], ["tanh"]), "overparam.activations"),
    ("zero repetitions", mutated(["overparam", "repetitions"], {"relu": 0, "sigmoid": 3}), "overparam.repetitions"),
    ("zero radius", mutated(["r0_sweep", "init_radius"], [0]), "r0_sweep.init_radius"),
    ("radius grid as text", mutated(["r0_sweep", "init_radius"], "0.05"), "r0_sweep.init_radius"),
    ("one k where two are needed", mutated(["sigmoid_trajectories", "n_particles"], [3]), "sigmoid_trajectories"),
    ("teacher of no unit", mutated(["overparam", "teacher_units"], 0), "overparam.teacher_units"),
    ("batch size true", mutated(["relu_trajectories", "batch_size"], True), "relu_trajectories.batch_size"),
    ("n_steps as a float", mutated(["relu_trajectories", "n_steps"], 1e20), "relu_trajectories.n_steps"),
    ("section missing", mutated(["overparam"], DELETE), "overparam"),
    (
        "atlas: unknown experiment",
        mutated(
            ["atlas"], [{"name": "x", "experiment": "nope", "set": {}, "reason": "a probe of a bad atlas variation"}]
        ),
        "nope",
    ),
    (
        "atlas: a name twice",
        mutated(["atlas"], [SMOKE["atlas"][0], SMOKE["atlas"][0]]),
        "the name is used twice",
    ),
    (
        "atlas: scaling a key that does not exist",
        mutated(
            ["atlas"],
            [
                {
                    "name": "x",
                    "experiment": "overparam",
                    "scale": {"no_such_key": 2},
                    "reason": "a probe of a bad atlas variation",
                }
            ],
        ),
        "no_such_key",
    ),
    (
        "atlas: a scalar where the grid is a list",
        mutated(
            ["atlas"],
            [
                {
                    "name": "x",
                    "experiment": "overparam",
                    "set": {"n_particles": 5},
                    "reason": "a probe of a bad atlas variation",
                }
            ],
        ),
        "overparam.n_particles",
    ),
    ("cost limit of zero hours", mutated(["cost_limit"], {"cpu_hours": 0}), "cost_limit.cpu_hours"),
    ("memory fraction above 1", mutated(["cost_limit"], {"memory_fraction": 2}), "cost_limit.memory_fraction"),
    (
        "a plan of hundreds of CPU-hours",
        mutated(["overparam", "repetitions"], {"relu": 1000, "sigmoid": 1000}),
        "cost_limit.cpu_hours",
    ),
    ("a test set larger than memory", None, "cost_limit.memory_fraction"),
    (
        "lazy training: empty grid of scales",
        mutated(["lazy_training", "log10_init_scale"], []),
        "lazy_training.log10_init_scale",
    ),
    ("YAML: a key twice", "DUPLICATE", "is given twice"),
    ("YAML: a leading-zero seed (octal 8)", "OCTAL", "leading zero"),
    ("YAML: a syntax error", "SYNTAX", "config_under_probe.yaml"),
    ("a config file that does not exist", "MISSING", "config_under_probe.yaml"),
]


def bad_input_config(index: int, config, folder: Path) -> Path:
    path = folder / "config_under_probe.yaml"
    smoke_text = (ROOT / "tests/smoke_config.yaml").read_text()
    if config == "DUPLICATE":
        path.write_text(smoke_text + "seed: 3\n")
    elif config == "OCTAL":
        path.write_text(smoke_text.replace("seed: 0\n", "seed: 010\n", 1))
    elif config == "SYNTAX":
        path.write_text(smoke_text + "robustness: [\n")
    elif config == "MISSING":
        pass
    else:
        if config is None:  # the memory case: 10 million test points in 10,000 dimensions
            config = mutated(["relu_trajectories", "test_size"], 10_000_000)
            config["relu_trajectories"]["input_dim"] = 10_000
        if BAD_INPUTS[index][0].startswith("a plan of hundreds"):
            config["overparam"]["n_steps"] = 250_000_000
        path.write_text(yaml.safe_dump(config))
    return path


def probe_bad_inputs() -> Counter:
    outcomes = Counter()
    for index, (what, config, word) in enumerate(BAD_INPUTS):
        with tempfile.TemporaryDirectory() as folder:
            configfile = bad_input_config(index, config, Path(folder))
            result = subprocess.run(
                [sys.executable, "-m", "snakemake", "-n", "figures", "--directory", f"{folder}/run"]
                + ["--configfile", str(configfile)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            output = result.stdout + result.stderr
            ran = Path(folder, "run/results").exists()
        if result.returncode == 0:
            outcome = "ACCEPTED"
        elif word in output and not ran:
            outcome = "refused by name"
        else:
            outcome = "refused, not by name"
        outcomes[outcome] += 1
        last = [line for line in output.splitlines() if word in line][:1] or output.strip().splitlines()[-1:]
        print(f"bad input | {what}: {outcome} | {last[0][:160] if last else ''}", flush=True)
    return outcomes


# --------------------------------------------------------------------------------------- faults


def files(project: Path) -> dict[str, bytes]:
    found = {}
    for folder in ("results", "figures"):
        for path in (project / folder).rglob("*"):
            relative = str(path.relative_to(project))
            if path.is_file() and "benchmarks" not in relative and "code_fingerprint" not in relative:
                found[relative] = path.read_bytes()
    return found


def copy_from(seed_one: Path, relative: str):
    def fault(project: Path):
        shutil.copy(seed_one / relative.replace(SEED0, SEED1), project / relative)

    return fault


def swap(first: str, second: str):
    def fault(project: Path):
        shutil.copy(project / first, project / second)

    return fault


def truncate(relative: str, keep: float = 0.5):
    def fault(project: Path):
        data = (project / relative).read_bytes()
        (project / relative).write_bytes(data[: int(len(data) * keep)])

    return fault


def delete(relative: str):
    def fault(project: Path):
        path = project / relative
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return fault


def write(relative: str, text: str):
    def fault(project: Path):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text)

    return fault


def edit_csv(relative: str, change):
    def fault(project: Path):
        table = pd.read_csv(project / relative)
        change(table).to_csv(project / relative, index=False)

    return fault


def bit_flip(relative: str):
    def fault(project: Path):
        data = bytearray((project / relative).read_bytes())
        data[len(data) // 2] ^= 0x01
        (project / relative).write_bytes(bytes(data))

    return fault


def killed_build(project: Path):
    """A build of everything, from scratch, killed after its first training batch."""
    shutil.rmtree(project / "results")
    environment = dict(os.environ, PYTHONPATH=str(project / "src"))
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "snakemake",
            "figures",
            "claims",
            "--cores",
            "2",
            "--configfile",
            "tests/smoke_config.yaml",
        ],
        cwd=project,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list((project / "results").rglob("train/**/*.npz")) and time.monotonic() < deadline:
        time.sleep(0.1)
    build.send_signal(signal.SIGKILL)
    build.wait()


RELU = f"{SEED0}/relu_trajectories/reps0-9"
OVERPARAM = f"results/train/{SEED0}/overparam/relu"
FAULTS = [
    (
        "seed-1 teacher batch in the seed-0 tree",
        lambda s: copy_from(s, f"results/teacher_data/{SEED0}/relu_trajectories/relu/reps0-9.npz"),
    ),
    ("seed-1 curves in the seed-0 tree", lambda s: copy_from(s, f"results/train/{RELU}.csv")),
    ("seed-1 particles in the seed-0 tree", lambda s: copy_from(s, f"results/train/{RELU}.npz")),
    (
        "seed-1 finals in the seed-0 tree",
        lambda s: copy_from(s, f"results/aggregate/{SEED0}/relu_trajectories/finals.csv"),
    ),
    (
        "seed-1 claims table in the seed-0 tree",
        lambda s: copy_from(s, f"results/experiment_claims/{SEED0}/relu_trajectories.csv"),
    ),
    ("another k's curves", lambda s: swap(f"{OVERPARAM}/k3/reps0-9.csv", f"{OVERPARAM}/k1/reps0-9.csv")),
    ("another k's particles", lambda s: swap(f"{OVERPARAM}/k3/reps0-9.npz", f"{OVERPARAM}/k1/reps0-9.npz")),
    (
        "another experiment's finals",
        lambda s: swap(
            f"results/aggregate/{SEED0}/r0_sweep/finals.csv", f"results/aggregate/{SEED0}/overparam/finals.csv"
        ),
    ),
    (
        "another experiment's claims table",
        lambda s: swap(
            f"results/experiment_claims/{SEED0}/r0_sweep.csv", f"results/experiment_claims/{SEED0}/overparam.csv"
        ),
    ),
    (
        "another activation's teacher batch",
        lambda s: swap(
            f"results/teacher_data/{SEED0}/overparam/sigmoid/reps0-9.npz",
            f"results/teacher_data/{SEED0}/overparam/relu/reps0-9.npz",
        ),
    ),
    (
        "another experiment's summary table",
        lambda s: swap(
            f"results/aggregate/{SEED0}/r0_sweep/summary.csv", f"results/aggregate/{SEED0}/overparam/summary.csv"
        ),
    ),
    (
        "another experiment's particles archive",
        lambda s: swap(f"results/train/{SEED0}/r0_sweep/r0_0.05/reps0-9.npz", f"results/train/{RELU}.npz"),
    ),
    (
        "another experiment's teacher batch",
        lambda s: swap(
            f"results/teacher_data/{SEED0}/r0_sweep/relu/reps0-9.npz",
            f"results/teacher_data/{SEED0}/relu_trajectories/relu/reps0-9.npz",
        ),
    ),
    (
        "seed-1 summary table in the seed-0 tree",
        lambda s: copy_from(s, f"results/aggregate/{SEED0}/relu_trajectories/summary.csv"),
    ),
    (
        "a curves table with another seed's runs appended",
        lambda s: edit_csv(
            f"{OVERPARAM}/k1/reps0-9.csv",
            lambda t: pd.concat([t, pd.read_csv(s / f"{OVERPARAM}/k1/reps0-9.csv".replace(SEED0, SEED1))]),
        ),
    ),
    (
        "one run's rows removed from a curves table",
        lambda s: edit_csv(f"results/train/{RELU}.csv", lambda t: t[t["job"] != t["job"].iloc[0]]),
    ),
    (
        "one run's rows twice in a curves table",
        lambda s: edit_csv(f"results/train/{RELU}.csv", lambda t: pd.concat([t, t[t["job"] == t["job"].iloc[0]]])),
    ),
    ("curve rows out of order", lambda s: edit_csv(f"results/train/{RELU}.csv", lambda t: t.iloc[::-1])),
    ("a flipped bit in a particles archive", lambda s: bit_flip(f"results/train/{RELU}.npz")),
    (
        "a truncated teacher batch",
        lambda s: truncate(f"results/teacher_data/{SEED0}/relu_trajectories/relu/reps0-9.npz"),
    ),
    ("an empty finals table", lambda s: truncate(f"results/aggregate/{SEED0}/overparam/finals.csv", 0)),
    ("a curves table cut mid-line", lambda s: truncate(f"{OVERPARAM}/k1/reps0-9.csv", 0.7)),
    ("a deleted curves table", lambda s: delete(f"results/train/{RELU}.csv")),
    ("a deleted finals table", lambda s: delete(f"results/aggregate/{SEED0}/overparam/finals.csv")),
    ("a deleted claims table", lambda s: delete("results/claims.csv")),
    ("a deleted figure", lambda s: delete("figures/fig4_overparam_relu.png")),
    ("a corrupted code fingerprint", lambda s: write("results/code_fingerprint/convexnn.jobs.train.txt", "garbage\n")),
    ("a deleted code fingerprint", lambda s: delete("results/code_fingerprint/convexnn.jobs.aggregate.txt")),
    (
        "a leftover temporary file",
        lambda s: write("figures/.fig1_relu_trajectories.png.0123456789abcdef0123456789abcdef.tmp", "x"),
    ),
    ("a killed build, resumed", lambda s: killed_build),
    ("Snakemake's metadata deleted", lambda s: delete(".snakemake")),
]


def probe_faults() -> Counter:
    outcomes = Counter()
    with tempfile.TemporaryDirectory() as folder:
        ignored = shutil.ignore_patterns(
            ".venv", ".git", ".snakemake", "results*", "figures", "logs", "__pycache__", "*.egg-info"
        )
        clean = Path(folder) / "clean"
        shutil.copytree(ROOT, clean, ignore=ignored)
        seed_one = Path(folder) / "seed1"
        shutil.copytree(ROOT, seed_one, ignore=ignored)
        for project, extra in ((clean, []), (seed_one, ["--config", "seed=1"])):
            result = snakemake(project, "figures", "claims", *extra)
            assert result.returncode == 0, result.stderr[-3000:]
        reference = files(clean)
        for what, make_fault in FAULTS:
            project = Path(folder) / "faulty"
            if project.exists():
                shutil.rmtree(project)
            shutil.copytree(clean, project, symlinks=True)
            make_fault(seed_one)(project)
            result = snakemake(project, "figures", "claims")
            output = result.stdout + result.stderr
            after = files(project)
            silent = [
                name
                for name in reference
                if name.startswith(("figures/", "results/claims.csv"))
                and after.get(name, reference[name]) != reference[name]
            ]
            if silent:
                outcome = "SILENT CHANGE"
            elif result.returncode != 0 and ("snakemake --forcerun" in output or "Rebuild it" in output):
                outcome = "refused by name, with the command"
            elif result.returncode != 0:
                outcome = "refused, not by name"
            elif "Snakemake will not remake it" in output:
                outcome = "named as missing, with the command"
            elif after == reference:
                outcome = "recovered to the clean bytes"
            else:
                changed = sorted(name for name in reference if after.get(name) != reference[name])
                outcome = f"completed, intermediates differ: {changed[:3]}"
            outcomes[outcome.split(":")[0]] += 1
            lines = [line for line in output.splitlines() if "forcerun" in line or "Error" in line][:1]
            print(f"fault | {what}: {outcome} | {lines[0][:200] if lines else ''}", flush=True)
    return outcomes


if __name__ == "__main__":
    inputs = probe_bad_inputs() if "--faults-only" not in sys.argv else Counter()
    faults = probe_faults() if "--inputs-only" not in sys.argv else Counter()
    print(f"bad inputs: {sum(inputs.values())}: {dict(inputs)}")
    print(f"faults: {sum(faults.values())}: {dict(faults)}")
