"""What experiments share when they lay out their grid: the teacher of the report's experiments,
the training settings of a config section, repetitions, and how a value appears in paths and keys."""

from __future__ import annotations

from convexnn.records import TeacherJob, TrainingSettings

# A run that no figure draws as a curve still records its test loss at this many log-spaced
# checkpoints: enough to see whether it is still falling at the end, at a small fraction of the cost
# of the curve runs' evaluations (each is a pass over the 10,000-sample test set).
DIAGNOSTIC_CHECKPOINTS = 12


def label_value(value) -> str:
    """How a configuration value appears in seed keys and paths: str(float) round-trips exactly."""
    return str(float(value)) if isinstance(value, float) else str(value)


def repetitions_of(section: dict, activation: str) -> int:
    """An experiment's number of repetitions: one number, or one per activation."""
    repetitions = section["repetitions"]
    return repetitions[activation] if isinstance(repetitions, dict) else repetitions


def report_teacher(builder, section: dict, activation: str, repetition: int) -> TeacherJob:
    """The teacher of a report experiment: the report's (``teacher_kind: report``, the default), or the
    equal-weight teacher of the Chizat & Bach experiment with |v*| = teacher_radius (``unit``), keyed
    by the activation so that every k (or r0) of one repetition shares it (paired comparisons)."""
    return builder.teacher(
        {"activation": activation},
        repetition,
        kind=section.get("teacher_kind", "report"),
        activation=activation,
        input_dim=section["input_dim"],
        teacher_units=section["teacher_units"],
        radius=float(section["teacher_radius"]),
        input_distribution=section["input_distribution"],
        test_size=section["test_size"],
    )


def training_settings(section: dict, activation: str, n_particles: int, **overrides) -> TrainingSettings:
    """The training settings of a section of the config (overridden by ``overrides``): the step size
    may be per activation, and only the initialisation scale of the run's activation is kept."""
    values = section | overrides
    step_size = values["step_size"]
    return TrainingSettings(
        activation=activation,
        n_particles=int(n_particles),
        step_size=float(step_size[activation] if isinstance(step_size, dict) else step_size),
        batch_size=values["batch_size"],
        n_steps=values["n_steps"],
        n_checkpoints=values["n_checkpoints"],
        train_window=values["train_window"],
        init_radius=float(values["init_radius"]) if activation == "relu" else None,
        sigmoid_hidden_scale=float(values["sigmoid_hidden_scale"]) if activation == "sigmoid" else None,
        symmetric_init=bool(values.get("symmetric_init", False)),
        record_trajectory=values.get("record_trajectory", False),
    )


def symmetric_init_problems(config: dict, section_name: str) -> list[str]:
    """``symmetric_init`` pairs particles, (w, v) with (-w, v): every k of the section must be even."""
    section = config[section_name]
    counts = section["n_particles"] if isinstance(section["n_particles"], list) else [section["n_particles"]]
    if section.get("symmetric_init") and any(k % 2 for k in counts):
        return [
            f"config key '{section_name}.symmetric_init': pairs particles, so every n_particles must be even, "
            f"got {counts}"
        ]
    return []
