"""Job: one convex baseline of the Chizat & Bach experiment (:mod:`convexnn.baseline`)."""

from __future__ import annotations

import pandas as pd

from convexnn.baseline import fixed_hidden_units, random_features_loss
from convexnn.records import BaselineJob
from convexnn.seeding import generator
from convexnn.storage import PathLike, append_to_log, read_teacher_data, write_table
from convexnn.teacher import Teacher, constant_predictor_loss, zero_predictor_loss


def fit_baseline(job: dict, teacher_path: PathLike, path: PathLike, log_path: PathLike | None = None) -> None:
    """m fixed random hidden units, output weights by least squares; one row with the test loss."""
    job = BaselineJob.from_params(job)
    data = read_teacher_data(teacher_path)
    teacher = Teacher(data["teacher_output_weights"], data["teacher_hidden_weights"], data["activation"])
    test_inputs, test_targets = data["test_inputs"], data["test_targets"]
    rng = generator(job.seed)
    hidden = fixed_hidden_units(rng, job.n_particles, test_inputs.shape[1], job.hidden_norm)
    loss = random_features_loss(
        teacher, data["input_distribution"], hidden, rng, job.n_samples, test_inputs, test_targets
    )
    write_table(
        pd.DataFrame(
            [
                {
                    **job.labels,
                    "baseline_loss": loss,
                    "zero_predictor_loss": zero_predictor_loss(test_targets),
                    "constant_predictor_loss": constant_predictor_loss(test_targets),
                }
            ]
        ),
        path,
    )
    append_to_log(log_path, f"{job.id}: baseline loss {loss:.3e}", first=True)
