# Config validation and the helpers that turn config into job lists, seeds and settings.
from pathlib import Path

from convexnn.aggregation import aggregate_runs
from convexnn.config import validate_config
from convexnn.jobs import generate_teacher_data, train_particles
from convexnn.seeding import seed_entropy

validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))

# Simulation and aggregation jobs are `run:` blocks that call src/convexnn: with the profile's
# force-use-threads they run as threads of this process (numba releases the GIL), so 300 short jobs
# do not pay 300 Python start-ups and imports. Plotting keeps `script:` (pyplot is not thread-safe).
REPO = Path(workflow.basedir).parent
# Code that changes results is an input: Snakemake does not track modules a script imports.
SIMULATION_CODE = [
    str(REPO / "src" / "convexnn" / module)
    for module in ("model.py", "teacher.py", "initialisation.py", "training.py", "seeding.py", "jobs.py", "storage.py")
]
AGGREGATION_CODE = [str(REPO / "src" / "convexnn" / "aggregation.py")]
FIGURE_CODE = [str(REPO / "src" / "convexnn" / "figures.py")]
# Settings of config[experiment] that define its teacher and test set.
TEACHER_KEYS = ("input_dim", "teacher_units", "teacher_radius", "input_distribution", "test_size")
TRAINING_KEYS = ("init_radius", "sigmoid_hidden_scale", "step_size", "batch_size", "n_steps", "n_checkpoints", "train_window")


wildcard_constraints:
    experiment="overparam",
    activation="relu|sigmoid",
    n_particles=r"\d+",
    repetition=r"\d+",


def teacher_seed(wildcards):
    """Teacher and test set: drawn per (experiment, activation, repetition)."""
    return seed_entropy(wildcards.experiment, f"activation={wildcards.activation}", int(wildcards.repetition))


def teacher_settings(wildcards):
    settings = config[wildcards.experiment]
    return {key: settings[key] for key in TEACHER_KEYS} | {"activation": wildcards.activation}


def overparam_seed(wildcards):
    """Initialisation and SGD samples: drawn per (experiment, configuration, repetition)."""
    configuration = f"activation={wildcards.activation},n_particles={wildcards.n_particles}"
    return seed_entropy("overparam", configuration, int(wildcards.repetition))


def overparam_settings(wildcards):
    return {key: config["overparam"][key] for key in TRAINING_KEYS} | {"n_particles": int(wildcards.n_particles)}


def overparam_labels(wildcards):
    return {
        "experiment": "overparam",
        "activation": wildcards.activation,
        "n_particles": int(wildcards.n_particles),
        "repetition": int(wildcards.repetition),
    }


def overparam_curves(wildcards):
    """Every training run of the over-parametrisation experiment for one activation."""
    settings = config["overparam"]
    return expand(
        rules.train_overparam.output.curve,
        activation=wildcards.activation,
        n_particles=settings["n_particles"],
        repetition=range(settings["repetitions"]),
    )


def training_curve_runs(wildcards):
    curves = config["training_curves"]
    return expand(
        rules.train_overparam.output.curve,
        activation=curves["activation"],
        n_particles=curves["n_particles"],
        repetition=curves["repetition"],
    )
