# Config validation and the helpers that turn config into job lists, seeds and settings.
from pathlib import Path

from convexnn.aggregation import aggregate_runs, aggregate_scan, aggregate_sweep
from convexnn.claims import evaluate_claims, write_claims
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
CLAIMS_CODE = [str(REPO / "src" / "convexnn" / "claims.py")] + AGGREGATION_CODE
# Settings of config[experiment] that define its teacher and test set, and its training runs.
TEACHER_KEYS = ("input_dim", "teacher_units", "teacher_radius", "input_distribution", "test_size")
TRAINING_KEYS = ("init_radius", "sigmoid_hidden_scale", "step_size", "batch_size", "n_steps", "n_checkpoints",
                 "train_window", "n_particles")
TRAJECTORY_EXPERIMENTS = ("relu_trajectories", "sigmoid_trajectories", "r0_sweep")


wildcard_constraints:
    experiment="|".join(("overparam",) + TRAJECTORY_EXPERIMENTS),
    activation="relu|sigmoid",
    n_particles=r"\d+",
    repetition=r"\d+",
    init_radius=r"[0-9.e+-]+",


def radius_label(value):
    """How an r0 appears in paths: str(float) round-trips exactly, so the label maps back to config."""
    return str(float(value))


def teacher_seed(wildcards):
    """Teacher and test set: drawn per (experiment, activation, repetition), shared by its runs."""
    return seed_entropy(wildcards.experiment, f"activation={wildcards.activation}", int(wildcards.repetition))


def teacher_settings(wildcards):
    settings = config[wildcards.experiment]
    return {key: settings[key] for key in TEACHER_KEYS} | {"activation": wildcards.activation}


def training_seed(experiment, *configuration):
    """Initialisation and SGD samples: drawn per (experiment, configuration, repetition), the
    configuration being the values of the named wildcards."""

    def seed(wildcards):
        values = ",".join(f"{key}={getattr(wildcards, key)}" for key in configuration)
        return seed_entropy(experiment, values, int(wildcards.repetition))

    return seed


def training_settings(experiment, **wildcard_types):
    """The training keys of config[experiment], with the values the wildcards name (k, r0) and the
    step size of the run's activation where it depends on it."""

    def settings(wildcards):
        chosen = {key: config[experiment][key] for key in TRAINING_KEYS if key in config[experiment]}
        chosen |= {key: convert(getattr(wildcards, key)) for key, convert in wildcard_types.items()}
        if isinstance(chosen["step_size"], dict):
            chosen["step_size"] = chosen["step_size"][wildcards.activation]
        return chosen

    return settings


def training_labels(experiment, **wildcard_types):
    """Leading columns of a run's curve table: what identifies the run."""

    def labels(wildcards):
        fixed = config[experiment]
        table = {"experiment": experiment, "activation": getattr(wildcards, "activation", fixed.get("activation"))}
        table["n_particles"] = int(getattr(wildcards, "n_particles", fixed.get("n_particles")))
        table |= {key: convert(getattr(wildcards, key)) for key, convert in wildcard_types.items()}
        return table | {"repetition": int(wildcards.repetition)}

    return labels


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


def relu_trajectory_runs(kind):
    return expand(getattr(rules.train_relu_trajectories.output, kind),
                  repetition=range(config["relu_trajectories"]["repetitions"]))


def sigmoid_trajectory_runs(kind):
    settings = config["sigmoid_trajectories"]
    return expand(getattr(rules.train_sigmoid_trajectories.output, kind),
                  n_particles=settings["n_particles"], repetition=range(settings["repetitions"]))


def sigmoid_trajectories_by_k():
    """{k: [trajectory of each repetition]} for the 2-D sigmoid experiment."""
    settings = config["sigmoid_trajectories"]
    return {
        k: expand(rules.train_sigmoid_trajectories.output.trajectory, n_particles=k,
                  repetition=range(settings["repetitions"]))
        for k in settings["n_particles"]
    }


def r0_sweep_runs(kind, init_radii=None, repetitions=None):
    settings = config["r0_sweep"]
    return expand(
        getattr(rules.train_r0_sweep.output, kind),
        init_radius=[radius_label(value) for value in (init_radii or settings["init_radius"])],
        repetition=repetitions if repetitions is not None else range(settings["repetitions"]),
    )
