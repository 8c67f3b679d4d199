"""Job: the students of one batch, each trained by online SGD on its teacher (report 5.1-5.3, and beyond)."""

from __future__ import annotations

import numpy as np

from convexnn.identity import record_identity
from convexnn.initialisation import initial_particles
from convexnn.records import TrainingJob
from convexnn.seeding import generator
from convexnn.storage import (
    PathLike,
    append_to_log,
    curve_table,
    particle_arrays,
    read_teacher_data,
    write_curves,
    write_particles,
)
from convexnn.teacher import Teacher, constant_predictor_loss, zero_predictor_loss
from convexnn.training import train


def run_training(
    jobs: list[dict],
    teachers: dict[str, list],
    curves_path: PathLike,
    particles_path: PathLike,
    log_path: PathLike | None = None,
) -> None:
    """Train the students of ``jobs`` (:class:`~convexnn.records.TrainingJob` as params, one batch),
    each on its teacher (``teachers``: {teacher id: [batch archive, identity]}), and write their loss
    curves (one row per checkpoint) to one table and their particles to one archive, each under its
    job id and identity. Every run draws from its own seed: its numbers do not depend on its batch."""
    append_to_log(log_path, f"{len(jobs)} runs", first=True)
    loaded: dict[str, dict] = {}
    curves, particles = [], []
    for params in jobs:
        job = TrainingJob.from_params(params)
        if job.teacher not in loaded:
            path, identity = teachers[job.teacher]
            loaded[job.teacher] = read_teacher_data(path, job.teacher, identity)
        curve, arrays = train_one(job, loaded[job.teacher], log_path)
        curves.append(curve)
        particles.append((job.id, record_identity(job), arrays))
    write_particles(particles_path, particles)
    write_curves(curves_path, curves)


def train_one(job: TrainingJob, data: dict, log_path: PathLike | None = None):
    """One run of the plan on its teacher's ``data``: its curve table and its particle arrays. A
    diverged run is returned too, flagged, and logged with its settings: aggregations and claims
    leave it out and count it. The particles are kept at every checkpoint if the job records the
    trajectory, else at the first and the last."""
    settings = job.settings
    append_to_log(log_path, f"training {job.id}: {settings}")
    if data["activation"] != settings.activation:
        raise ValueError(
            f"teacher {job.teacher} has activation {data['activation']!r}, run {job.id} needs {settings.activation!r}"
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
    arrays = particle_arrays(
        run.samples_seen[kept],
        run.trajectory_output[kept],
        run.trajectory_hidden[kept],
        teacher.output_weights,
        teacher.hidden_weights,
        run.test_loss[kept],
        run.diverged,
    )
    curve = curve_table(
        job.id,
        record_identity(job),
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
    return curve, arrays
