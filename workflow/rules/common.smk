# Config validation and the helpers that turn config into job lists, seeds and settings.
from pathlib import Path

from convexnn.aggregation import aggregate_runs, aggregate_scan, aggregate_sweep
from convexnn.beyond import fit_random_features_baseline, generate_unit_teacher_data
from convexnn.claims import evaluate_claims, write_claims
from convexnn.config import validate_config
from convexnn.jobs import generate_teacher_data, train_particles
from convexnn.seeding import seed_entropy
from convexnn.transition import aggregate_beyond

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
BEYOND_CODE = [str(REPO / "src" / "convexnn" / "beyond.py")]
TRANSITION_CODE = [str(REPO / "src" / "convexnn" / "transition.py")]
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
    teacher="unit|report",
    protocol="converge|report",


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


# --- Beyond the report: Chizat & Bach's transition (workflow/rules/beyond.smk) ---------------------


def cb_teacher_seed(teacher):
    def seed(wildcards):
        return seed_entropy("cb2018_transition", f"teacher={teacher},activation={wildcards.activation}",
                            int(wildcards.repetition))

    return seed


def cb_teacher_settings(teacher):
    """Arguments of the teacher-data job: the unit teacher's hidden norm, or the report's radius."""

    def settings(wildcards):
        experiment = config["cb2018_transition"]
        chosen = {key: experiment[key] for key in ("input_dim", "teacher_units", "input_distribution", "test_size")}
        chosen["activation"] = wildcards.activation
        if teacher == "unit":
            return chosen | {"hidden_norm": experiment["teachers"]["unit"]["hidden_norm"][wildcards.activation]}
        return chosen | {"teacher_radius": experiment["teachers"]["report"]["teacher_radius"]}

    return settings


def cb_training_settings(wildcards):
    experiment = config["cb2018_transition"]
    protocol = experiment["protocols"][wildcards.protocol]
    per_activation = {key: value[wildcards.activation] if isinstance(value, dict) else value for key, value in protocol.items()}
    return per_activation | {"n_particles": int(wildcards.n_particles), "n_checkpoints": experiment["n_checkpoints"],
                             "train_window": experiment["train_window"]}


def cb_training_labels(wildcards):
    return {"experiment": "cb2018_transition", "teacher": wildcards.teacher, "protocol": wildcards.protocol,
            "activation": wildcards.activation, "n_particles": int(wildcards.n_particles),
            "repetition": int(wildcards.repetition)}


def cb_baseline_settings(wildcards):
    experiment = config["cb2018_transition"]
    return {"n_particles": int(wildcards.n_particles), "n_samples": experiment["baseline_samples"],
            "hidden_norm": experiment["teachers"]["unit"]["hidden_norm"][wildcards.activation]}


def cb_baseline_labels(wildcards):
    return {"teacher": wildcards.teacher, "activation": wildcards.activation,
            "n_particles": int(wildcards.n_particles), "repetition": int(wildcards.repetition)}


def cb_runs():
    """(teacher, protocol, activation, m) of every training run: the full grid with the unit teacher
    and the converging protocol, and the side-by-side comparison of both teachers and protocols."""
    experiment = config["cb2018_transition"]
    runs = {("unit", "converge", activation, m) for activation in experiment["activations"] for m in experiment["n_particles"]}
    comparison = experiment["comparison"]
    runs |= {(teacher, protocol, comparison["activation"], m) for teacher in experiment["teachers"]
             for protocol in experiment["protocols"] for m in comparison["n_particles"]}
    return sorted(runs)


def cb_training_runs(wildcards):
    repetitions = range(config["cb2018_transition"]["repetitions"])
    return [expand(rules.train_cb2018.output.curve, teacher=teacher, protocol=protocol, activation=activation,
                   n_particles=m, repetition=repetition)[0]
            for teacher, protocol, activation, m in cb_runs() for repetition in repetitions]


def cb_baseline_runs(wildcards):
    experiment = config["cb2018_transition"]
    return expand(rules.baseline_cb2018.output, teacher="unit", activation=experiment["activations"],
                  n_particles=experiment["n_particles"], repetition=range(experiment["repetitions"]))


def cb_teacher_paths_by_run():
    """{(teacher, activation, repetition): teacher data path} for every teacher the runs use."""
    repetitions = range(config["cb2018_transition"]["repetitions"])
    pairs = {(teacher, activation) for teacher, _, activation, _ in cb_runs()}
    return {(teacher, activation, repetition): f"results/teacher_cb2018/{teacher}/{activation}/rep{repetition}.npz"
            for teacher, activation in sorted(pairs) for repetition in repetitions}


def cb_teacher_files(wildcards):
    return list(cb_teacher_paths_by_run().values())
