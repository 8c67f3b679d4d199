"""One function per kind of simulation job (teacher data, training), with plain arguments, so that a Snakemake script (or a
person at a Python prompt) only has to pass paths and settings. Each reads its inputs, calls the
pure functions of the other modules, and writes its outputs atomically."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from convexnn.initialisation import initial_particles
from convexnn.seeding import generator
from convexnn.storage import append_to_log, write_csv, write_npz
from convexnn.teacher import Teacher, draw_teacher, make_test_set, zero_predictor_loss
from convexnn.training import train

PathLike = str | os.PathLike


def generate_teacher_data(
    path: PathLike,
    seed: int,
    activation: str,
    input_dim: int,
    teacher_units: int,
    teacher_radius: float,
    input_distribution: str,
    test_size: int,
    log_path: PathLike | None = None,
) -> None:
    """Draw one repetition's teacher and its fixed test set, and save them as .npz."""
    rng = generator(seed)
    teacher = draw_teacher(rng, teacher_units, input_dim, teacher_radius, activation)
    test_inputs, test_targets = make_test_set(rng, teacher, test_size, input_distribution)
    write_npz(
        path,
        teacher_output_weights=teacher.output_weights,
        teacher_hidden_weights=teacher.hidden_weights,
        activation=np.array(activation),
        input_distribution=np.array(input_distribution),
        test_inputs=test_inputs,
        test_targets=test_targets,
    )
    append_to_log(log_path, f"teacher of {teacher_units} units, zero predictor loss {zero_predictor_loss(test_targets):.3e}", first=True)


def load_teacher_data(path: PathLike) -> tuple[Teacher, str, np.ndarray, np.ndarray]:
    """(teacher, input distribution, test inputs, test targets) as written by generate_teacher_data."""
    with np.load(path) as data:
        teacher = Teacher(
            data["teacher_output_weights"], data["teacher_hidden_weights"], str(data["activation"])
        )
        return teacher, str(data["input_distribution"]), data["test_inputs"], data["test_targets"]


def train_particles(
    data_path: PathLike,
    curve_path: PathLike,
    seed: int,
    labels: dict,
    n_particles: int,
    step_size: float,
    batch_size: int,
    n_steps: int,
    n_checkpoints: int,
    train_window: int,
    init_radius: float | None = None,
    sigmoid_hidden_scale: float | None = None,
    trajectory_path: PathLike | None = None,
    log_path: PathLike | None = None,
) -> pd.DataFrame:
    """Train one student on the teacher of ``data_path`` and write its loss curve as a tidy CSV,
    one row per checkpoint, with ``labels`` (experiment, activation, n_particles, repetition, ...)
    as leading columns. With ``trajectory_path``, also save the particles at every checkpoint."""
    append_to_log(log_path, f"training {labels} on {data_path}", first=True)
    teacher, distribution, test_inputs, test_targets = load_teacher_data(data_path)
    rng = generator(seed)
    input_dim = teacher.hidden_weights.shape[1] - 1
    output_weights, hidden_weights = initial_particles(
        rng, n_particles, input_dim, teacher.activation, init_radius, sigmoid_hidden_scale
    )
    run = train(
        output_weights, hidden_weights, teacher, distribution, step_size, batch_size, n_steps, rng,
        test_inputs, test_targets, n_checkpoints, train_window,
        record_trajectory=trajectory_path is not None,
    )
    if run.diverged:
        append_to_log(log_path, f"DIVERGED after {run.samples_seen[-1]} samples: {labels}, step_size={step_size}, "
                      f"batch_size={batch_size}, init_radius={init_radius}")
    curve = pd.DataFrame(
        {
            **labels,
            "step": run.steps,
            "samples_seen": run.samples_seen,
            "test_loss": run.test_loss,
            "train_loss": run.train_loss,
            "zero_predictor_loss": zero_predictor_loss(test_targets),
            "diverged": run.diverged,
        }
    )
    if trajectory_path is not None:
        write_npz(
            trajectory_path,
            samples_seen=run.samples_seen,
            output_weights=run.trajectory_output,
            hidden_weights=run.trajectory_hidden,
            teacher_output_weights=teacher.output_weights,
            teacher_hidden_weights=teacher.hidden_weights,
            test_loss=run.test_loss,
        )
    write_csv(curve, curve_path)
    append_to_log(log_path, f"final test loss {run.test_loss[-1]:.3e} after {run.samples_seen[-1]} samples")
    return curve

