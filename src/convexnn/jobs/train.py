"""Job: one student trained by online SGD on one teacher (report 5.1-5.3, and beyond)."""

from __future__ import annotations

import numpy as np

from convexnn.initialisation import initial_particles
from convexnn.records import TrainingJob
from convexnn.seeding import generator
from convexnn.storage import PathLike, append_to_log, read_teacher_data, write_curve, write_particles
from convexnn.teacher import Teacher, constant_predictor_loss, zero_predictor_loss
from convexnn.training import train


def run_training(
    job: dict, teacher_path: PathLike, curve_path: PathLike, particles_path: PathLike, log_path: PathLike | None = None
) -> None:
    """Train the student of ``job`` (a :class:`~convexnn.records.TrainingJob` as params) and write its
    loss curve (one row per checkpoint) and its particles (every checkpoint if the job records the
    trajectory, else the first and the last). A diverged run is written too, flagged, and logged with
    its settings: aggregations and claims leave it out and count it."""
    job = TrainingJob.from_params(job)
    settings = job.settings
    append_to_log(log_path, f"training {job.id}: {settings}", first=True)
    data = read_teacher_data(teacher_path)
    if data["activation"] != settings.activation:
        raise ValueError(
            f"{teacher_path}: teacher activation {data['activation']!r}, run {job.id} needs {settings.activation!r}"
        )
    teacher = Teacher(data["teacher_output_weights"], data["teacher_hidden_weights"], data["activation"])
    test_inputs, test_targets = data["test_inputs"], data["test_targets"]
    rng = generator(job.seed)
    output_weights, hidden_weights = initial_particles(
        rng,
        settings.n_particles,
        test_inputs.shape[1],
        settings.activation,
        settings.init_radius,
        settings.sigmoid_hidden_scale,
        symmetric=settings.symmetric_init,
    )
    run = train(
        output_weights,
        hidden_weights,
        teacher,
        data["input_distribution"],
        settings.step_size,
        settings.batch_size,
        settings.n_steps,
        rng,
        test_inputs,
        test_targets,
        settings.n_checkpoints,
        settings.train_window,
        record_trajectory=True,
    )
    if run.diverged:
        append_to_log(log_path, f"DIVERGED after {run.samples_seen[-1]} samples: {job.labels}, {settings}")
    kept = slice(None) if settings.record_trajectory else np.array(sorted({0, len(run.steps) - 1}))
    write_particles(
        particles_path,
        run.samples_seen[kept],
        run.trajectory_output[kept],
        run.trajectory_hidden[kept],
        teacher.output_weights,
        teacher.hidden_weights,
        run.test_loss[kept],
        run.diverged,
    )
    write_curve(
        curve_path,
        job.labels,
        {
            "step": run.steps,
            "samples_seen": run.samples_seen,
            "n_steps": settings.n_steps,
            "test_loss": run.test_loss,
            "train_loss": run.train_loss,
            "zero_predictor_loss": zero_predictor_loss(test_targets),
            "constant_predictor_loss": constant_predictor_loss(test_targets),
            "diverged": run.diverged,
        },
    )
    append_to_log(log_path, f"final test loss {run.test_loss[-1]:.3e} after {run.samples_seen[-1]} samples")
