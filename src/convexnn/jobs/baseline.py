"""Job: one convex baseline of the Chizat & Bach experiment (:mod:`convexnn.baseline`)."""

from __future__ import annotations

import pandas as pd

from convexnn.baseline import fixed_hidden_units, random_features_loss
from convexnn.identity import record_identity
from convexnn.records import BaselineJob
from convexnn.seeding import generator
from convexnn.storage import PathLike, append_to_log, read_teacher_data, write_table
from convexnn.teacher import Teacher, constant_predictor_loss, zero_predictor_loss


def fit_baseline(job: dict, teacher: list, path: PathLike, log_path: PathLike | None = None) -> None:
    """m fixed random hidden units, output weights by least squares; one row with the test loss.
    ``teacher``: [batch archive, identity] of the job's teacher."""
    job = BaselineJob.from_params(job)
    teacher_path, teacher_identity = teacher
    data = read_teacher_data(teacher_path, job.teacher, teacher_identity)
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
                    "job": job.id,
                    "identity": record_identity(job),
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
